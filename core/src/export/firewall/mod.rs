//! Host firewall rules: per host, the inbound rules it needs, in five dialects.
//!
//! A host-based firewall filters what arrives, so each host gets the flows where it is
//! the accepting side (`flow.to`), with the initiating host's address as the remote
//! address. All dialects share [`inbound`], so they always list the same rules in the
//! same order, and they all treat a DNS-name address the same honest way: the rule is
//! written out but commented, with the name to resolve, because none of these tools
//! should resolve names at load time (nft and iptables would, once, silently).
//!
//! The address family of a rule follows the addresses involved ([`Inbound::families`]):
//! an IP literal remote gives its own family; a DNS-name remote gets commented rules
//! for the families the accepting host has (an IPv6-only host gets `ip6`/`icmpv6`
//! only; a host given by name gets both), since a name may resolve to either.

pub mod firewalld;
pub mod iptables;
pub mod netsh;
pub mod nftables;
pub mod powershell;

use crate::plan::{Flow, Plan, PlanHost};
use crate::types::{PortRange, Protocol};
use std::net::IpAddr;

/// The address of the remote (initiating) host of a rule, as the firewall can use it.
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

impl Family {
    fn of(ip: IpAddr) -> Family {
        if ip.is_ipv4() {
            Family::V4
        } else {
            Family::V6
        }
    }
}

/// One inbound rule: a flow seen from the accepting host.
#[derive(Debug, Clone, Copy)]
pub struct Inbound<'a> {
    pub flow: &'a Flow,
    /// Name of the host that opens the connection (`flow.from`).
    pub from: &'a str,
    pub remote: Remote<'a>,
    /// The accepting host's own address (`flow.to`'s), which decides the families of
    /// a rule whose remote is a DNS name.
    pub local: Remote<'a>,
}

impl Inbound<'_> {
    /// The families to write this rule for, IPv4 first. A literal remote has one; a
    /// name could resolve to either, and only what the accepting host has can reach
    /// it: its family when its address is literal, else both.
    pub fn families(&self) -> &'static [Family] {
        match (self.remote, self.local) {
            (Remote::Ip(ip), _) | (Remote::Name(_), Remote::Ip(ip)) => match Family::of(ip) {
                Family::V4 => &[Family::V4],
                Family::V6 => &[Family::V6],
            },
            (Remote::Name(_), Remote::Name(_)) => &[Family::V4, Family::V6],
        }
    }
    pub fn protocol(&self) -> Protocol {
        self.flow.protocol
    }
    /// Ports for TCP/UDP; `None` for ICMP (echo request).
    pub fn ports(&self) -> Option<PortRange> {
        match self.flow.protocol {
            Protocol::Icmp => None,
            _ => self.flow.ports,
        }
    }
    /// Short rule name shared by every dialect: `portplan <rule id> from <host>`.
    pub fn name(&self) -> String {
        format!("portplan {} from {}", self.flow.rule, self.from)
    }
    /// One-line description: `app01 -> ps01, conversion: purpose`, plus the public
    /// address the initiator dials when the flow crosses NAT (the host's own rule still
    /// matches its private address, after the translation) and an optional mark.
    pub fn description(&self) -> String {
        let mut d = format!(
            "{} -> {}, {}: {}",
            self.from, self.flow.to, self.flow.phase, self.flow.purpose
        );
        if let Some(a) = &self.flow.address {
            // An initiator outside this host's network may itself be translated on the
            // way out: its private address is then not what arrives here.
            d.push_str(&format!(
                " (dialed at public {a}, NAT to this host; if {}'s own network translates its address, allow that address instead)",
                self.from
            ));
        }
        if self.flow.optional {
            d.push_str(" (optional)");
        }
        d
    }
    /// Human label of what is opened: `TCP 135`, `ICMP echo-request`.
    pub fn what(&self) -> String {
        match self.ports() {
            None => "ICMP echo-request".to_string(),
            Some(r) => format!("{} {}", self.flow.protocol.as_str().to_ascii_uppercase(), r),
        }
    }
}

/// The inbound rules of one host.
pub struct HostRules<'a> {
    pub host: &'a PlanHost,
    pub rules: Vec<Inbound<'a>>,
}

impl HostRules<'_> {
    /// Names of remote hosts whose address is a DNS name, in first-use order.
    pub fn unresolved(&self) -> Vec<(&str, &str)> {
        let mut out: Vec<(&str, &str)> = Vec::new();
        for r in &self.rules {
            if let Remote::Name(n) = r.remote {
                if !out.iter().any(|(h, _)| *h == r.from) {
                    out.push((r.from, n));
                }
            }
        }
        out
    }
}

/// Per host (plan order), the flows it accepts (plan order); hosts accepting nothing
/// are left out.
pub fn inbound(plan: &Plan) -> Vec<HostRules<'_>> {
    plan.hosts
        .iter()
        .map(|host| HostRules {
            host,
            rules: plan
                .flows
                .iter()
                .filter(|f| f.to.eq_ignore_ascii_case(&host.name))
                .map(|flow| Inbound {
                    flow,
                    from: &flow.from,
                    remote: Remote::parse(super::address(plan, &flow.from)),
                    local: Remote::parse(&host.address),
                })
                .collect(),
        })
        .filter(|h| !h.rules.is_empty())
        .collect()
}

/// Makes text safe inside a one-line comment or a double-quoted argument of any
/// dialect: no line breaks, no double quotes (they end the string in nft, netsh and
/// iptables-restore alike), no non-ASCII (netsh and old consoles mangle it).
/// One comment line per remote host given by a DNS name: its rules are commented out
/// until someone puts the address in. `lead` is the comment leader with its indent.
pub fn unresolved_notes(h: &HostRules<'_>, lead: &str) -> String {
    h.unresolved()
        .into_iter()
        .map(|(name, addr)| {
            format!(
                "{lead}{} is a DNS name ({}): resolve it and put the address into its commented rules.\n",
                clean(name),
                clean(addr)
            )
        })
        .collect()
}

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

    /// One line per case: (remote address, accepting host's address) → families.
    #[test]
    fn rule_families_follow_the_addresses() {
        use Family::{V4, V6};
        let cases: [(&str, &str, &[Family]); 6] = [
            ("10.0.0.5", "fd00::2", &[V4]),
            ("fd00::1", "10.0.0.2", &[V6]),
            ("ps01.corp", "10.0.0.2", &[V4]),
            ("ps01.corp", "fd00:10::11", &[V6]),
            ("ps01.corp", "[fd00:10::11]", &[V6]),
            ("ps01.corp", "lnx01.corp", &[V4, V6]),
        ];
        let flow = Flow {
            phase: crate::Phase::Discovery,
            from: "a".into(),
            to: "b".into(),
            protocol: Protocol::Icmp,
            ports: None,
            purpose: "ping".into(),
            rule: "discovery.icmp".into(),
            address: None,
            optional: false,
            notes: Vec::new(),
            inferred: false,
        };
        for (remote, local, want) in cases {
            let r = Inbound {
                flow: &flow,
                from: "a",
                remote: Remote::parse(remote),
                local: Remote::parse(local),
            };
            assert_eq!(r.families(), want, "{remote} -> {local}");
        }
    }

    #[test]
    fn cleaning_and_truncating() {
        assert_eq!(clean("a \"b\"\nc→d"), "a 'b' c?d");
        assert_eq!(truncate("abcdefgh", 6), "abc...");
        assert_eq!(truncate("abc", 6), "abc");
    }
}
