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
//!
//! Three things never share a rule, because a firewall team writes them in different
//! places: hosts of different appliances or clouds (vCenter is not
//! `management.azure.com`), flows dialed at a public address and flows dialed at the
//! host's own (a NAT rule shows both addresses), and hosts of different roles.
//!
//! This is the one model every firewall output prints: the page's view, `--format
//! rules`, the change request, the host scripts.

use super::blocks::{self, Block};
use super::system::System;
use crate::export::{address, port_label};
use crate::plan::Plan;
use crate::types::{Phase, PortRange, Protocol, Role};
use std::collections::HashMap;

/// A host of a group: name and address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Member {
    pub name: String,
    pub address: String,
    /// The address the other side dials when it is not `address`: the host's public
    /// address, translated (NAT) to `address` on the way in.
    pub dialed: Option<String>,
}

impl Member {
    /// `app01-t (10.50.1.11)`, or `app01-t (dialed 203.0.113.21, NAT to 10.50.1.11)`.
    pub fn text(&self) -> String {
        match &self.dialed {
            Some(d) => format!("{} (dialed {d}, NAT to {})", self.name, self.address),
            None => format!("{} ({})", self.name, self.address),
        }
    }
}

/// One side of a rule: one host or an address group of hosts with the same role and,
/// for appliances and clouds, the same platform.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Group {
    pub role: Role,
    pub system: System,
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

    /// `10.0.0.5` for one host, `10.0.1.1-10.0.1.30, 10.0.2.7` for a group (exact
    /// ranges), `dialed 203.0.113.21, NAT to 10.50.1.11` for each host reached
    /// through NAT.
    pub fn addresses(&self) -> String {
        if self.nat() {
            return self
                .members
                .iter()
                .map(|m| match &m.dialed {
                    Some(d) => format!("dialed {d}, NAT to {}", m.address),
                    None => m.address.clone(),
                })
                .collect::<Vec<_>>()
                .join("; ");
        }
        blocks::ranges_text(self.members.iter().map(|m| m.address.as_str())).join(", ")
    }

    /// The group's own addresses as exact CIDR blocks (names kept apart).
    pub fn blocks(&self) -> Vec<Block> {
        blocks::collapse(self.members.iter().map(|m| m.address.as_str()))
    }

    /// Whether the other side reaches (some of) these hosts at a public address.
    pub fn nat(&self) -> bool {
        self.members.iter().any(|m| m.dialed.is_some())
    }

    /// `w0 (10.0.1.1), w1 (10.0.1.2)`: who is in the group.
    pub fn hosts(&self) -> String {
        self.members
            .iter()
            .map(Member::text)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Names and every address (own and dialed), for search.
    fn search_text(&self, out: &mut String) {
        out.push_str(&self.label());
        for m in &self.members {
            out.push(' ');
            out.push_str(&m.name);
            out.push(' ');
            out.push_str(&m.address);
            if let Some(d) = &m.dialed {
                out.push(' ');
                out.push_str(d);
            }
        }
        out.push(' ');
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
        Role::Admin => "admin clients",
        Role::Factory => "Transformation Manager servers",
        Role::Database => "databases",
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
    /// The openings only optional flows need (sorted; a subset of `openings`), such as
    /// RDP to a cloud server: outputs may write them apart, so a team can leave them out.
    pub optional: Vec<Opening>,
    /// Phases in migration order, each once.
    pub phases: Vec<Phase>,
    /// Purposes in plan order, each once.
    pub purposes: Vec<String>,
    /// What a reader must know besides the purposes, each once: the planner's notes
    /// of the flows, and which openings are optional.
    pub notes: Vec<String>,
    /// Ids of the catalog rules behind the flows, each once (where the vendor's words are).
    pub catalog: Vec<String>,
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

    /// The rule's comment, as every output writes it: phases, purposes, then notes.
    /// `Discovery, Conversion: HTTPS to the server; WMI … (notes: optional: TCP 3389)`.
    pub fn comment(&self) -> String {
        let phases: Vec<&str> = self.phases.iter().map(|p| p.title()).collect();
        let mut c = format!("{}: {}", phases.join(", "), self.purposes.join("; "));
        if self.pairwise {
            c.push_str(" (each source to its own target)");
        }
        if !self.notes.is_empty() {
            c.push_str(&format!(" (notes: {})", self.notes.join("; ")));
        }
        c
    }

    /// Whether every word of `query` (case-insensitive) is in the rule's text: labels,
    /// host names, own and dialed addresses, ports, phases, purposes and notes.
    pub fn matches(&self, query: &str) -> bool {
        let mut text = String::new();
        self.from.search_text(&mut text);
        self.to.search_text(&mut text);
        text.push_str(&self.ports_text());
        text.push(' ');
        for p in &self.phases {
            text.push_str(p.as_str());
            text.push(' ');
        }
        text.push_str(&self.comment());
        let text = text.to_ascii_lowercase();
        query
            .to_ascii_lowercase()
            .split_whitespace()
            .all(|w| text.contains(w))
    }
}

/// What one host pair needs.
struct PairNeeds {
    first: usize,
    flows: usize,
    openings: Vec<Opening>,
    /// Openings some flow needs that is not optional.
    required: Vec<Opening>,
    phases: Vec<Phase>,
    purposes: Vec<String>,
    notes: Vec<String>,
    catalog: Vec<String>,
}

fn push_once<T: PartialEq>(list: &mut Vec<T>, v: T) {
    if !list.contains(&v) {
        list.push(v);
    }
}

/// A text key for a set of openings (one map type for every grouping step keeps the
/// page's wasm small).
fn openings_key(key: &mut String, openings: &[Opening]) {
    for (p, r) in openings {
        key.push_str(p.as_str());
        if let Some(r) = r {
            key.push_str(&r.to_string());
        }
        key.push(',');
    }
}

/// Index in `out` of `key`, adding `make()` when new.
fn slot<T>(
    index: &mut HashMap<String, usize>,
    out: &mut Vec<T>,
    key: String,
    make: impl FnOnce() -> T,
) -> (usize, bool) {
    match index.get(&key) {
        Some(&i) => (i, false),
        None => {
            index.insert(key, out.len());
            out.push(make());
            (out.len() - 1, true)
        }
    }
}

/// Folds `from` into `into`: members, flow counts, phases and purposes.
fn absorb(into: &mut GroupRule, from: GroupRule, sources: bool, destinations: bool) {
    if sources {
        into.from.members.extend(from.from.members);
    }
    if destinations {
        into.to.members.extend(from.to.members);
    }
    into.flows += from.flows;
    // An opening one of the merged pairs needs for sure is not optional.
    into.optional.retain(|o| from.optional.contains(o));
    for p in from.phases {
        push_once(&mut into.phases, p);
    }
    for p in from.purposes {
        push_once(&mut into.purposes, p);
    }
    for n in from.notes {
        push_once(&mut into.notes, n);
    }
    for c in from.catalog {
        push_once(&mut into.catalog, c);
    }
}

/// The plan as consolidated rules, in plan order.
pub fn rules(plan: &Plan) -> Vec<GroupRule> {
    let mut host_index: HashMap<String, usize> = HashMap::new();
    for (i, h) in plan.hosts.iter().enumerate() {
        host_index.insert(h.name.to_string(), i);
    }
    let group = |name: &str, dialed: Option<&String>| {
        let (role, system, address) = host_index
            .get(name)
            .map(|&i| {
                let h = &plan.hosts[i];
                (h.role, System::of(h), h.address.clone())
            })
            // Only a name in another case than the host list's: look it up the slow way.
            .unwrap_or_else(|| {
                (
                    Role::Source,
                    System::Unknown,
                    address(plan, name).to_string(),
                )
            });
        Group {
            role,
            system,
            members: vec![Member {
                name: name.to_string(),
                address,
                dialed: dialed.cloned(),
            }],
        }
    };
    // 1. What each host pair needs, pairs in plan order.
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut pairs: Vec<(usize, PairNeeds)> = Vec::new();
    for (i, f) in plan.flows.iter().enumerate() {
        let (at, _) = slot(
            &mut index,
            &mut pairs,
            format!(
                "{}\u{1}{}\u{1}{}",
                f.from,
                f.to,
                f.address.as_deref().unwrap_or("")
            ),
            || {
                (
                    i,
                    PairNeeds {
                        first: i,
                        flows: 0,
                        openings: vec![],
                        required: vec![],
                        phases: vec![],
                        purposes: vec![],
                        notes: vec![],
                        catalog: vec![],
                    },
                )
            },
        );
        let n = &mut pairs[at].1;
        n.flows += 1;
        push_once(&mut n.openings, (f.protocol, f.ports));
        if !f.optional {
            push_once(&mut n.required, (f.protocol, f.ports));
        }
        push_once(&mut n.phases, f.phase);
        push_once(&mut n.purposes, f.purpose.clone());
        push_once(&mut n.catalog, f.rule.clone());
        for note in &f.notes {
            push_once(&mut n.notes, note.clone());
        }
        if f.optional {
            push_once(&mut n.notes, format!("optional: {}", port_label(f)));
        }
    }
    let mut singles: Vec<GroupRule> = pairs
        .into_iter()
        .map(|(i, mut n)| {
            crate::order::sort(&mut n.openings);
            let optional: Vec<Opening> = n
                .openings
                .iter()
                .filter(|o| !n.required.contains(o))
                .copied()
                .collect();
            let f = &plan.flows[i];
            GroupRule {
                from: group(&f.from, None),
                to: group(&f.to, f.address.as_ref()),
                openings: n.openings,
                optional,
                phases: n.phases,
                purposes: n.purposes,
                notes: n.notes,
                catalog: n.catalog,
                first: n.first,
                flows: n.flows,
                pairwise: false,
            }
        })
        .collect();
    // 2. Sources with the same role and the same openings to one destination;
    // 3. destinations with the same role and the same openings from one source group;
    // 4. one-to-one pairs with the same roles and openings (source n → its target n).
    for step in 0..3 {
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut out: Vec<GroupRule> = Vec::new();
        for r in singles {
            let mut key = String::new();
            match step {
                0 => key.push_str(&r.to.members[0].name),
                1 => {
                    for m in &r.from.members {
                        key.push_str(&m.name);
                        key.push('\u{1}');
                    }
                }
                _ if r.from.members.len() == 1 && r.to.members.len() == 1 => {}
                _ => {
                    out.push(r);
                    continue;
                }
            }
            key.push_str(r.from.role.as_str());
            key.push_str(r.to.role.as_str());
            // Appliances and clouds of different platforms, and NAT, stay apart.
            key.push_str(r.from.system.key());
            key.push_str(r.to.system.key());
            key.push_str(if r.to.nat() { "nat" } else { "-" });
            openings_key(&mut key, &r.openings);
            match index.get(&key) {
                Some(&i) => {
                    let into = &mut out[i];
                    into.pairwise |= step == 2;
                    absorb(into, r, step != 1, step != 0);
                }
                None => {
                    index.insert(key, out.len());
                    out.push(r);
                }
            }
        }
        singles = out;
    }
    for r in &mut singles {
        crate::order::sort_by_key(&mut r.phases, |p| Phase::ALL.iter().position(|q| q == p));
    }
    crate::order::sort_by_key(&mut singles, |r| r.first);
    singles
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
        // Thirty consecutive addresses are one exact range; every name stays searchable.
        assert_eq!(to_server.from.addresses(), "10.0.1.1-10.0.1.30");
        assert_eq!(to_server.from.blocks().len(), 8);
        assert!(to_server.matches("w17 10.0.1.18"));
        assert!(to_server
            .from
            .hosts()
            .starts_with("w0 (10.0.1.1), w1 (10.0.1.2)"));
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

    /// The firewall team's wave: 36 workloads to vCenter, 4 Migrate Agent workloads
    /// to Azure whose targets call the server at its public address.
    fn firewall_wave() -> Plan {
        let s = Scenario::from_json(include_str!("../../../examples/firewall-wave.json"))
            .expect("example");
        Plan::build(&s).expect("plan")
    }

    #[test]
    fn nat_flows_are_their_own_rules_and_searchable_by_either_address() {
        let plan = firewall_wave();
        let rules = rules(&plan);
        assert_eq!(
            rules.iter().map(|r| r.flows).sum::<usize>(),
            plan.flows.len()
        );
        let nat: Vec<&GroupRule> = rules.iter().filter(|r| r.to.nat()).collect();
        assert!(!nat.is_empty());
        for r in &nat {
            // Never merged with flows dialed at the host's own address.
            assert!(r.to.members.iter().all(|m| m.dialed.is_some()), "{r:#?}");
        }
        let by_public: Vec<&GroupRule> =
            rules.iter().filter(|r| r.matches("198.51.100.5")).collect();
        assert!(!by_public.is_empty());
        for r in &by_public {
            assert!(
                r.to.addresses()
                    .contains("dialed 198.51.100.5, NAT to 10.20.0.5"),
                "{}",
                r.to.addresses()
            );
            assert!(r.matches("10.20.0.5"), "also found by its private address");
        }
        // The server's rules without NAT are not among them.
        assert!(rules
            .iter()
            .any(|r| r.to.label() == "ps01" && !r.to.nat() && r.matches("10.20.0.5")));
    }

    #[test]
    fn appliances_and_clouds_never_share_a_rule() {
        let plan = firewall_wave();
        for r in rules(&plan) {
            let names: Vec<&str> = r.to.members.iter().map(|m| m.name.as_str()).collect();
            assert!(
                !(names.contains(&"vc01") && names.contains(&"azure")),
                "{names:?}"
            );
        }
    }

    #[test]
    fn optional_openings_and_flow_notes_are_in_the_comment() {
        let mut plan = firewall_wave();
        plan.flows[0]
            .notes
            .push("assumed from the 2019.2 guide".into());
        plan.flows[0].optional = true;
        let label = port_label(&plan.flows[0]);
        let first = rules(&plan)
            .into_iter()
            .find(|r| r.first == 0)
            .expect("rule");
        let comment = first.comment();
        // The flow's own note and its optional opening are in the notes, beside the
        // notes its rule gives every flow.
        assert!(
            comment.contains("assumed from the 2019.2 guide; optional: ")
                && comment.contains(&format!("optional: {label}")),
            "{comment}"
        );
        assert!(first.matches("assumed 2019.2"));
    }
}
