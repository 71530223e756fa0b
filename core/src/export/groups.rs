//! The consolidated firewall view: the plan as the few rules a firewall team writes.
//!
//! A wave of thirty Windows sources talking to one server is 30 identical host pairs;
//! a firewall engineer writes one rule with an address group ("30 sources → ps01: TCP
//! 80, 443"). Hosts are grouped in two steps: first every source that needs exactly the
//! same openings to the same destination, then every destination that needs the same
//! openings from the same group of sources. Members of a group share a role, so a
//! group reads as "30 sources" or "30 targets".
//!
//! Rules keep plan order (the first flow of each), so the list reads like a
//! migration; the page sorts and filters it.

use super::address;
use crate::plan::Plan;
use crate::types::{Phase, PortRange, Protocol, Role};
use std::collections::HashMap;

/// A host of a group: name and address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Member {
    pub name: String,
    pub address: String,
}

/// One side of a rule: one host or an address group of hosts with the same role.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Group {
    pub role: Role,
    pub members: Vec<Member>,
}

impl Group {
    /// `ps01` for one host, `30 sources` for a group.
    pub fn label(&self) -> String {
        match self.members.as_slice() {
            [one] => one.name.clone(),
            many => format!("{} {}", many.len(), role_plural(self.role)),
        }
    }

    /// `10.0.0.5` for one host, `10.0.1.10, 10.0.1.11, …` for a group.
    pub fn addresses(&self) -> String {
        self.members
            .iter()
            .map(|m| m.address.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// `sources`, `targets`, `virtualization hosts`…
pub fn role_plural(r: Role) -> &'static str {
    match r {
        Role::Server => "PlateSpin servers",
        Role::Source => "sources",
        Role::Target => "targets",
        Role::VirtualizationHost => "virtualization hosts",
        Role::Connector => "Migrate Connectors",
    }
}

/// A port opening: protocol and port range (`None`: ICMP echo).
pub type Opening = (Protocol, Option<PortRange>);

/// One consolidated firewall rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRule {
    /// Who opens the connections.
    pub from: Group,
    /// Who accepts them (where the inbound rule goes).
    pub to: Group,
    /// Sorted, each once.
    pub openings: Vec<Opening>,
    /// Phases in migration order, each once.
    pub phases: Vec<Phase>,
    /// Purposes in plan order, each once.
    pub purposes: Vec<String>,
    /// Index of the rule's first flow in the plan (the default order).
    pub first: usize,
    /// How many flows of the plan the rule covers.
    pub flows: usize,
    /// Each source talks only to its own destination (the n-th to the n-th): a wave's
    /// transfer, written as one rule between two address groups or as pairs.
    pub pairwise: bool,
}

impl GroupRule {
    /// `TCP 80, 443 · UDP 137-138 · ICMP echo`.
    pub fn ports_text(&self) -> String {
        let mut parts: Vec<(Protocol, Vec<String>)> = Vec::new();
        for (p, r) in &self.openings {
            let text = r.map_or_else(|| "echo".to_string(), |r| r.to_string());
            match parts.iter_mut().find(|(q, _)| q == p) {
                Some((_, list)) => list.push(text),
                None => parts.push((*p, vec![text])),
            }
        }
        parts
            .iter()
            .map(|(p, list)| format!("{} {}", p.as_str().to_ascii_uppercase(), list.join(", ")))
            .collect::<Vec<_>>()
            .join(" · ")
    }

    /// Whether every word of `query` (case-insensitive) is in the rule's text.
    pub fn matches(&self, query: &str) -> bool {
        let text = format!(
            "{} {} {} {} {} {} {}",
            self.from.label(),
            self.from.addresses(),
            self.to.label(),
            self.to.addresses(),
            self.ports_text(),
            self.phases
                .iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            self.purposes.join(" ")
        )
        .to_lowercase();
        query
            .to_lowercase()
            .split_whitespace()
            .all(|w| text.contains(w))
    }
}

/// What one host pair needs.
struct PairNeeds {
    first: usize,
    flows: usize,
    openings: Vec<Opening>,
    phases: Vec<Phase>,
    purposes: Vec<String>,
}

fn push_once<T: PartialEq>(list: &mut Vec<T>, v: T) {
    if !list.contains(&v) {
        list.push(v);
    }
}

fn member(plan: &Plan, roles: &HashMap<&str, (Role, &str)>, name: &str) -> (Role, Member) {
    let (role, address) = roles
        .get(name)
        .copied()
        .unwrap_or((Role::Source, address(plan, name)));
    (
        role,
        Member {
            name: name.to_string(),
            address: address.to_string(),
        },
    )
}

/// The plan as consolidated rules, in plan order.
pub fn rules(plan: &Plan) -> Vec<GroupRule> {
    let roles: HashMap<&str, (Role, &str)> = plan
        .hosts
        .iter()
        .map(|h| (h.name.as_str(), (h.role, h.address.as_str())))
        .collect();
    // 1. What each host pair needs, pairs in plan order.
    let mut pairs: Vec<((&str, &str), PairNeeds)> = Vec::new();
    let mut index: HashMap<(&str, &str), usize> = HashMap::new();
    for (i, f) in plan.flows.iter().enumerate() {
        let key = (f.from.as_str(), f.to.as_str());
        let at = *index.entry(key).or_insert_with(|| {
            pairs.push((
                key,
                PairNeeds {
                    first: i,
                    flows: 0,
                    openings: vec![],
                    phases: vec![],
                    purposes: vec![],
                },
            ));
            pairs.len() - 1
        });
        let n = &mut pairs[at].1;
        n.flows += 1;
        push_once(&mut n.openings, (f.protocol, f.ports));
        push_once(&mut n.phases, f.phase);
        push_once(&mut n.purposes, f.purpose.clone());
    }
    for (_, n) in &mut pairs {
        n.openings.sort();
        n.phases
            .sort_by_key(|p| Phase::ALL.iter().position(|q| q == p));
    }
    // 2. Sources with the same role and the same openings to one destination.
    struct Stage {
        from_role: Role,
        from: Vec<Member>,
        to: (Role, Member),
        needs: PairNeeds,
    }
    let mut stage: Vec<Stage> = Vec::new();
    let mut by_to: HashMap<(String, Role, Vec<Opening>), usize> = HashMap::new();
    for ((from, to), needs) in pairs {
        let (from_role, from_member) = member(plan, &roles, from);
        let key = (to.to_string(), from_role, needs.openings.clone());
        match by_to.get(&key) {
            Some(&i) => {
                let s = &mut stage[i];
                s.from.push(from_member);
                s.needs.flows += needs.flows;
                for p in needs.phases {
                    push_once(&mut s.needs.phases, p);
                }
                for p in needs.purposes {
                    push_once(&mut s.needs.purposes, p);
                }
            }
            None => {
                by_to.insert(key, stage.len());
                stage.push(Stage {
                    from_role,
                    from: vec![from_member],
                    to: member(plan, &roles, to),
                    needs,
                });
            }
        }
    }
    // 3. Destinations with the same role and the same openings from one source group.
    let mut out: Vec<GroupRule> = Vec::new();
    let mut by_from: HashMap<(Vec<Member>, Role, Vec<Opening>), usize> = HashMap::new();
    for s in stage {
        let key = (s.from.clone(), s.to.0, s.needs.openings.clone());
        match by_from.get(&key) {
            Some(&i) => {
                let r = &mut out[i];
                r.to.members.push(s.to.1);
                r.flows += s.needs.flows;
                for p in s.needs.phases {
                    push_once(&mut r.phases, p);
                }
                for p in s.needs.purposes {
                    push_once(&mut r.purposes, p);
                }
            }
            None => {
                by_from.insert(key, out.len());
                out.push(GroupRule {
                    from: Group {
                        role: s.from_role,
                        members: s.from,
                    },
                    to: Group {
                        role: s.to.0,
                        members: vec![s.to.1],
                    },
                    openings: s.needs.openings,
                    phases: s.needs.phases,
                    purposes: s.needs.purposes,
                    first: s.needs.first,
                    flows: s.needs.flows,
                    pairwise: false,
                });
            }
        }
    }
    // 4. One-to-one pairs with the same roles and openings (source n → its target n).
    let mut merged: Vec<GroupRule> = Vec::new();
    let mut by_roles: HashMap<(Role, Role, Vec<Opening>), usize> = HashMap::new();
    for r in out {
        if r.from.members.len() != 1 || r.to.members.len() != 1 {
            merged.push(r);
            continue;
        }
        let key = (r.from.role, r.to.role, r.openings.clone());
        match by_roles.get(&key) {
            Some(&i) => {
                let m = &mut merged[i];
                m.pairwise = true;
                m.from.members.extend(r.from.members);
                m.to.members.extend(r.to.members);
                m.flows += r.flows;
                for p in r.phases {
                    push_once(&mut m.phases, p);
                }
                for p in r.purposes {
                    push_once(&mut m.purposes, p);
                }
            }
            None => {
                by_roles.insert(key, merged.len());
                merged.push(r);
            }
        }
    }
    for r in &mut merged {
        r.phases
            .sort_by_key(|p| Phase::ALL.iter().position(|q| q == p));
    }
    merged.sort_by_key(|r| r.first);
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;

    /// A wave of `n` Windows 2016 file-transfer workloads with targets, on Migrate 2019.5.
    fn wave(n: usize) -> Plan {
        let workloads: Vec<String> = (0..n)
            .map(|i| {
                format!(
                    r#"{{"name":"w{i}","address":"10.0.1.{}","os":"windows","windows":"2016","drives":["C"],"transfer":"file","target":{{"name":"w{i}-t","address":"10.0.2.{}"}}}}"#,
                    i + 1,
                    i + 1
                )
            })
            .collect();
        let s = Scenario::from_json(&format!(
            r#"{{"format":1,"product":"migrate","version":"2019.5","server":{{"name":"ps01","address":"10.0.0.5"}},"workloads":[{}]}}"#,
            workloads.join(",")
        ))
        .expect("scenario");
        Plan::build(&s).expect("plan")
    }

    #[test]
    fn thirty_identical_sources_are_one_rule_per_opening_set() {
        let plan = wave(30);
        let pairs: std::collections::HashSet<(&str, &str)> = plan
            .flows
            .iter()
            .map(|f| (f.from.as_str(), f.to.as_str()))
            .collect();
        let rules = rules(&plan);
        assert!(pairs.len() >= 90, "{}", pairs.len());
        assert!(rules.len() <= 6, "{rules:#?}");
        // Every flow is covered exactly once.
        assert_eq!(
            rules.iter().map(|r| r.flows).sum::<usize>(),
            plan.flows.len()
        );
        let to_server = rules
            .iter()
            .find(|r| r.from.role == Role::Source && r.to.label() == "ps01")
            .expect("sources to the server");
        assert_eq!(to_server.from.label(), "30 sources");
        assert!(
            to_server.ports_text().contains("TCP 80, 443"),
            "{}",
            to_server.ports_text()
        );
        assert!(to_server.from.addresses().starts_with("10.0.1.1, 10.0.1.2"));
        let transfer = rules
            .iter()
            .find(|r| r.phases.contains(&Phase::Transfer))
            .expect("transfer");
        assert_eq!(transfer.ports_text(), "TCP 3725");
        assert!(transfer.pairwise);
        // Which side connects depends on the replication direction; both are groups.
        let mut sides = [transfer.from.label(), transfer.to.label()];
        sides.sort();
        assert_eq!(sides, ["30 sources", "30 targets"]);
        assert!(transfer.matches("3725 TRANSFER"));
        assert!(!transfer.matches("3725 nothing-like-this"));
    }

    #[test]
    fn different_needs_stay_apart() {
        let s = Scenario::from_json(include_str!("../../../examples/legacy-block.json"))
            .expect("example");
        let plan = Plan::build(&s).expect("plan");
        let rules = rules(&plan);
        assert_eq!(
            rules.iter().map(|r| r.flows).sum::<usize>(),
            plan.flows.len()
        );
        let legacy = rules
            .iter()
            .find(|r| r.ports_text().contains("10002"))
            .expect("legacy");
        assert_eq!(legacy.from.members.len(), 1);
    }
}
