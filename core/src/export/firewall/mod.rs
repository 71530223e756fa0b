//! Host firewall rules: per host, the inbound rules it needs, in five dialects, each
//! only for the hosts of its system.
//!
//! The rules are the consolidated model's ([`crate::firewall`]): a host's section
//! holds one rule per consolidated rule it accepts, numbered as the view and the change
//! request number them (`R3`), with the initiating hosts as an address list of exact
//! CIDR blocks (`ip saddr { … }`, `-RemoteAddress a,b,c`). So a section holds about as
//! many rules as the view shows for its host, one line per protocol.
//!
//! PowerShell and netsh have sections only for Windows hosts (the PlateSpin server,
//! Windows sources and targets, Hyper-V), nftables, iptables and firewalld only for
//! Linux ones; appliances and clouds get none (their rules belong on their own
//! firewall, the perimeter or the cloud): [`not_here`] names them in a header line.
//! A host whose system the scenario does not state gets a section in both, headed by
//! a warning.
//!
//! All dialects treat a DNS-name address the same honest way: the rule is written out
//! but commented, with the name to resolve, because none of these tools should resolve
//! names at load time (nft and iptables would, once, silently). The address family of
//! a commented rule follows the accepting host ([`HostRule::name_families`]): an
//! IPv6-only host gets `ip6`/`icmpv6` only; a host given by name gets both.

pub mod firewalld;
pub mod iptables;
pub mod netsh;
pub mod nftables;
pub mod powershell;

use crate::firewall::blocks::Block;
use crate::firewall::{rules, Opening, ScriptFamily, System};
use crate::plan::{Plan, PlanHost};
use crate::types::{PortRange, Protocol};
use std::collections::HashMap;
use std::net::IpAddr;

/// An address as the firewall can use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Remote<'a> {
    /// An IP literal: the rule can be written.
    Ip(IpAddr),
    /// A DNS name: someone must resolve it; the rule is emitted commented out.
    Name(&'a str),
}

impl Remote<'_> {
    fn parse(address: &str) -> Remote<'_> {
        match address.parse::<crate::Address>() {
            Ok(crate::Address::Ip(ip)) => Remote::Ip(ip),
            _ => Remote::Name(address),
        }
    }
}

/// An IP address family a rule is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    V4,
    V6,
}

/// One inbound rule of a host: one consolidated rule seen from the accepting host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostRule {
    /// The consolidated rule's number (`R3`), shared with the view and change request.
    pub number: usize,
    /// Who connects: `ps01`, `36 sources`, or the one source of a pairwise rule.
    pub from: String,
    /// The consolidated rule's comment: phases, purposes, notes.
    pub comment: String,
    /// Sorted, each once.
    pub openings: Vec<Opening>,
    /// The initiating hosts' addresses, exact (names kept as names).
    pub remotes: Vec<Block>,
    /// The public address the initiators dial to reach this host, when through NAT.
    pub dialed: Option<String>,
}

impl HostRule {
    /// `portplan R3 TCP`: the name every dialect gives the rule of one protocol.
    pub fn name(&self, protocol: Protocol) -> String {
        format!(
            "portplan R{} {}",
            self.number,
            protocol.as_str().to_ascii_uppercase()
        )
    }

    /// One-line description: `R3 from ps01: Discovery: …`, and the NAT the initiators
    /// go through (the host's own rule matches after the translation).
    pub fn description(&self) -> String {
        let mut d = format!("R{} from {}: {}", self.number, self.from, self.comment);
        if let Some(a) = &self.dialed {
            // An initiator outside this host's network may itself be translated on the
            // way out: its private address is then not what arrives here.
            d.push_str(&format!(
                " (dialed at public {a}, NAT to this host; if the initiator's own network translates its address, allow that address instead)"
            ));
        }
        d
    }

    /// Port ranges per protocol, in protocol order; ICMP (echo request) has none.
    pub fn protocols(&self) -> Vec<(Protocol, Vec<PortRange>)> {
        let mut out: Vec<(Protocol, Vec<PortRange>)> = Vec::new();
        for (p, r) in &self.openings {
            let i = match out.iter().position(|(q, _)| q == p) {
                Some(i) => i,
                None => {
                    out.push((*p, Vec::new()));
                    out.len() - 1
                }
            };
            if let (Protocol::Tcp | Protocol::Udp, Some(r)) = (p, r) {
                out[i].1.push(*r);
            }
        }
        out
    }

    /// The remote addresses of one family: a host's bare address, a block's CIDR.
    pub fn addresses(&self, family: Family) -> Vec<String> {
        self.blocks(family).map(Block::text).collect()
    }

    /// The remote addresses of one family, each in CIDR form (`10.0.0.5/32`).
    pub fn cidrs(&self, family: Family) -> Vec<String> {
        self.blocks(family).map(Block::cidr).collect()
    }

    fn blocks(&self, family: Family) -> impl Iterator<Item = &Block> {
        self.remotes.iter().filter(move |b| match family {
            Family::V4 => b.is_v4(),
            Family::V6 => b.is_v6(),
        })
    }

    /// Remote hosts given by DNS name.
    pub fn names(&self) -> Vec<&str> {
        self.remotes
            .iter()
            .filter_map(|b| match b {
                Block::Name(n) => Some(n.as_str()),
                _ => None,
            })
            .collect()
    }

    /// The families to write a DNS-name remote's (commented) rule for: a name could
    /// resolve to either, and only what the accepting host has can reach it.
    pub fn name_families(local: &str) -> &'static [Family] {
        match Remote::parse(local) {
            Remote::Ip(IpAddr::V4(_)) => &[Family::V4],
            Remote::Ip(IpAddr::V6(_)) => &[Family::V6],
            Remote::Name(_) => &[Family::V4, Family::V6],
        }
    }
}

/// The inbound rules of one host.
pub struct HostRules<'a> {
    pub host: &'a PlanHost,
    pub system: System,
    pub rules: Vec<HostRule>,
}

impl HostRules<'_> {
    /// Remote hosts given by DNS name, each once, in first-use order.
    pub fn unresolved(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for n in self.rules.iter().flat_map(HostRule::names) {
            if !out.contains(&n) {
                out.push(n);
            }
        }
        out
    }

    /// The warning above the section of a host whose system the scenario leaves open.
    pub fn unknown_system(&self) -> Option<String> {
        (self.system == System::Unknown).then(|| {
            format!(
                "The scenario does not say which system {} runs: use this section only if it is this script's.",
                clean(&self.host.name)
            )
        })
    }
}

/// Per accepting host (plan order), its rules (consolidated order), for every host
/// that accepts a flow: one pass over the rules' members, so a wave of ten thousand
/// workloads takes milliseconds.
pub fn inbound(plan: &Plan) -> Vec<HostRules<'_>> {
    let mut index: HashMap<String, usize> = HashMap::new();
    for (i, h) in plan.hosts.iter().enumerate() {
        index.insert(h.name.to_ascii_lowercase(), i);
    }
    let mut per_host: Vec<Vec<HostRule>> = vec![Vec::new(); plan.hosts.len()];
    for (n, r) in rules(plan).into_iter().enumerate() {
        let all = r.from.blocks();
        let comment = r.comment();
        for (j, m) in r.to.members.iter().enumerate() {
            let Some(&h) = index.get(&m.name.to_ascii_lowercase()) else {
                continue;
            };
            // A pairwise rule lets each destination in from its own source only.
            let (from, remotes) = match (r.pairwise, r.from.members.get(j)) {
                (true, Some(src)) => (
                    src.name.clone(),
                    crate::firewall::blocks::collapse([src.address.as_str()]),
                ),
                _ => (r.from.label(), all.clone()),
            };
            per_host[h].push(HostRule {
                number: n + 1,
                from,
                comment: comment.clone(),
                openings: r.openings.clone(),
                remotes,
                dialed: m.dialed.clone(),
            });
        }
    }
    plan.hosts
        .iter()
        .zip(per_host)
        .filter(|(_, rules)| !rules.is_empty())
        .map(|(host, rules)| HostRules {
            host,
            system: System::of(host),
            rules,
        })
        .collect()
}

/// The hosts a script of `family` has sections for, and the accepting hosts it leaves
/// to another script, the perimeter or the cloud.
pub fn for_family(plan: &Plan, family: ScriptFamily) -> (Vec<HostRules<'_>>, Vec<HostRules<'_>>) {
    inbound(plan)
        .into_iter()
        .partition(|h| h.system.runs(family))
}

/// Header comment lines naming the accepting hosts a script has no section for, one
/// line per kind of system, with where their rules are (at most 20 names a line).
pub fn not_here(others: &[HostRules<'_>], lead: &str) -> String {
    let mut kinds: Vec<(&'static str, Vec<&str>)> = Vec::new();
    for h in others {
        let what = h.system.elsewhere();
        match kinds.iter_mut().find(|(w, _)| *w == what) {
            Some((_, names)) => names.push(&h.host.name),
            None => kinds.push((what, vec![&h.host.name])),
        }
    }
    let mut out = String::new();
    for (what, names) in kinds {
        let shown: Vec<String> = names.iter().take(20).map(|n| clean(n)).collect();
        let more = if names.len() > 20 {
            format!(" and {} more", names.len() - 20)
        } else {
            String::new()
        };
        out.push_str(&format!(
            "{lead}No section here for {} host{} ({what}): {}{more}\n",
            names.len(),
            if names.len() == 1 { "" } else { "s" },
            shown.join(", ")
        ));
    }
    out
}

/// One comment line per remote host given by a DNS name: its rules are commented out
/// until someone puts the address in. `lead` is the comment leader with its indent.
pub fn unresolved_notes(h: &HostRules<'_>, lead: &str) -> String {
    let mut out = String::new();
    if let Some(w) = h.unknown_system() {
        out.push_str(&format!("{lead}{w}\n"));
    }
    for addr in h.unresolved() {
        out.push_str(&format!(
            "{lead}{} is a DNS name: resolve it and put the address into its commented rules.\n",
            clean(addr)
        ));
    }
    out
}

/// Makes text safe inside a one-line comment or a double-quoted argument of any
/// dialect: no line breaks, no double quotes (they end the string in nft, netsh and
/// iptables-restore alike), no non-ASCII (netsh and old consoles mangle it).
pub fn clean(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '"' | '`' => '\'',
            '\r' | '\n' | '\t' => ' ',
            c if c.is_ascii() && !c.is_ascii_control() => c,
            _ => '?',
        })
        .collect()
}

/// Shortens `s` to at most `max` bytes (ASCII after [`clean`]), marking the cut.
pub fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        s.to_string()
    } else {
        let cut = s
            .char_indices()
            .map(|(i, _)| i)
            .take_while(|i| *i <= max.saturating_sub(3))
            .last()
            .unwrap_or(0);
        format!("{}...", &s[..cut])
    }
}

/// The heading line every dialect puts above a host's section.
pub fn heading(h: &HostRules<'_>) -> String {
    format!(
        "Host {} ({}, {}): {} inbound rule{}",
        clean(&h.host.name),
        clean(&h.host.address),
        h.host.role,
        h.rules.len(),
        if h.rules.len() == 1 { "" } else { "s" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_addresses() {
        assert_eq!(
            Remote::parse("10.0.0.5"),
            Remote::Ip("10.0.0.5".parse().unwrap())
        );
        assert_eq!(
            Remote::parse("[fd00::1]"),
            Remote::Ip("fd00::1".parse().unwrap())
        );
        assert_eq!(Remote::parse("ps01.corp"), Remote::Name("ps01.corp"));
    }

    /// One line per case: the accepting host's address → families of a named remote.
    #[test]
    fn named_remotes_get_the_families_of_the_accepting_host() {
        use Family::{V4, V6};
        let cases: [(&str, &[Family]); 4] = [
            ("10.0.0.2", &[V4]),
            ("fd00:10::11", &[V6]),
            ("[fd00:10::11]", &[V6]),
            ("lnx01.corp", &[V4, V6]),
        ];
        for (local, want) in cases {
            assert_eq!(HostRule::name_families(local), want, "{local}");
        }
    }

    /// The firewall team's wave: each host's rules are the view's rules naming it,
    /// every flow is let in by its host's rules, and no section is of another system.
    #[test]
    fn each_host_gets_the_views_rules_and_every_flow_is_covered() {
        let s = crate::Scenario::from_json(include_str!("../../../../examples/firewall-wave.json"))
            .expect("example");
        let plan = Plan::build(&s).expect("plan");
        let view = rules(&plan);
        let hosts = inbound(&plan);
        for h in &hosts {
            let want = view
                .iter()
                .filter(|r| r.to.members.iter().any(|m| m.name == h.host.name))
                .count();
            assert_eq!(h.rules.len(), want, "{}", h.host.name);
        }
        for f in &plan.flows {
            let h = hosts.iter().find(|h| h.host.name == f.to).expect("section");
            let from = crate::export::address(&plan, &f.from);
            let ip: IpAddr = from.parse().expect("wave addresses are literal");
            let covered = h.rules.iter().any(|r| {
                r.openings.contains(&(f.protocol, f.ports))
                    && r.remotes.iter().any(|b| contains(b, ip))
            });
            assert!(covered, "{f:?}");
        }
        let (windows, others) = for_family(&plan, ScriptFamily::Windows);
        let names: Vec<&str> = windows.iter().map(|h| h.host.name.as_str()).collect();
        assert!(names.contains(&"ps01") && names.contains(&"win01") && names.contains(&"win01-t"));
        assert!(
            !names
                .iter()
                .any(|n| n.starts_with("lnx") || *n == "vc01" || *n == "azure"),
            "{names:?}"
        );
        let header = not_here(&others, "# ");
        assert!(
            header.contains("vc01") && header.contains("azure") && header.contains("lnx25"),
            "{header}"
        );
        let (linux, _) = for_family(&plan, ScriptFamily::Linux);
        assert!(linux.iter().all(|h| h.system == System::Linux));
        // The server's section: as many rules as the view shows for it, not one per flow.
        let ps01 = hosts.iter().find(|h| h.host.name == "ps01").expect("ps01");
        assert_eq!(ps01.rules.len(), 4);
    }

    fn contains(b: &Block, ip: IpAddr) -> bool {
        let (net, prefix, bits, addr) = match (b, ip) {
            (Block::V4(n, p), IpAddr::V4(a)) => {
                (u128::from(u32::from(*n)), *p, 32, u128::from(u32::from(a)))
            }
            (Block::V6(n, p), IpAddr::V6(a)) => (u128::from(*n), *p, 128, u128::from(a)),
            _ => return false,
        };
        let shift = bits - u32::from(prefix);
        shift >= 128 || (net >> shift) == (addr >> shift)
    }

    #[test]
    fn cleaning_and_truncating() {
        assert_eq!(clean("a \"b\"\nc→d"), "a 'b' c?d");
        assert_eq!(truncate("abcdefgh", 6), "abc...");
        assert_eq!(truncate("abc", 6), "abc");
    }
}
