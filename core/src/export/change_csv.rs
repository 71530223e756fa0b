//! The firewall change-request CSV: one row per consolidated rule and protocol (the
//! rules of [`crate::firewall`], numbered as `--format rules` numbers them), in the
//! columns a change ticket asks for. A rule that several phases need is one row, with
//! its phases and purposes in their columns: no row repeats another's source,
//! destination, protocol and ports.
//!
//! Starts with a UTF-8 byte-order mark so spreadsheet programs that guess the encoding
//! (Excel) read non-ASCII names correctly; fields are quoted per RFC 4180 and defused
//! against formula injection by [`super::csv::field`].

use super::csv::row;
use super::rule_list::id;
use crate::firewall::{rules, Group, GroupRule, Opening};
use crate::plan::Plan;
use crate::types::Protocol;

pub const HEADER: [&str; 13] = [
    "rule",
    "source",
    "source_addresses",
    "destination",
    "destination_addresses",
    "dialed_addresses",
    "protocol",
    "ports",
    "phases",
    "purposes",
    "notes",
    "source_hosts",
    "destination_hosts",
];

/// UTF-8 byte-order mark.
pub const BOM: char = '\u{feff}';

/// The rows (without the header), as the XLSX and the CSV both write them.
pub fn rows(plan: &Plan) -> Vec<[String; 13]> {
    let mut out = Vec::new();
    for (i, r) in rules(plan).iter().enumerate() {
        for (protocol, ports) in by_protocol(r) {
            out.push([
                id(i + 1),
                r.from.label(),
                own_addresses(&r.from),
                r.to.label(),
                own_addresses(&r.to),
                // The perimeter sees the address the source dials (public, before NAT).
                dialed(&r.to),
                protocol.as_str().to_ascii_uppercase(),
                ports,
                r.phases
                    .iter()
                    .map(|p| p.title())
                    .collect::<Vec<_>>()
                    .join(", "),
                r.purposes.join("; "),
                notes(r),
                names(&r.from),
                names(&r.to),
            ]);
        }
    }
    out
}

pub fn render(plan: &Plan) -> String {
    let mut out = String::new();
    out.push(BOM);
    row(&mut out, HEADER.iter().map(|s| s.to_string()));
    for r in rows(plan) {
        row(&mut out, r);
    }
    out
}

/// The rule's openings per protocol: `TCP` `80, 443`; ICMP as `echo-request`
/// ("any ICMP" is never what is meant: PlateSpin pings).
pub fn by_protocol(r: &GroupRule) -> Vec<(Protocol, String)> {
    by_protocol_of(&r.openings)
}

/// [`by_protocol`] of some of a rule's openings.
pub fn by_protocol_of(openings: &[Opening]) -> Vec<(Protocol, String)> {
    let mut out: Vec<(Protocol, Vec<String>)> = Vec::new();
    for (p, range) in openings {
        let text = match (p, range) {
            (Protocol::Icmp, _) | (_, None) => "echo-request".to_string(),
            (_, Some(r)) => r.to_string(),
        };
        match out.iter_mut().find(|(q, _)| q == p) {
            Some((_, list)) => list.push(text),
            None => out.push((*p, vec![text])),
        }
    }
    out.into_iter().map(|(p, l)| (p, l.join(", "))).collect()
}

fn own_addresses(g: &Group) -> String {
    crate::firewall::blocks::ranges_text(g.members.iter().map(|m| m.address.as_str())).join(", ")
}

fn dialed(g: &Group) -> String {
    g.members
        .iter()
        .filter_map(|m| m.dialed.as_deref())
        .collect::<Vec<_>>()
        .join(", ")
}

fn names(g: &Group) -> String {
    g.members
        .iter()
        .map(|m| m.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn notes(r: &GroupRule) -> String {
    let mut n = Vec::new();
    if r.pairwise {
        n.push("each source to its own target (the n-th source to the n-th target)".to_string());
    }
    if r.to.nat() {
        n.push("through NAT: the perimeter sees the dialed (public) address, the destination host its own".to_string());
    }
    n.extend(r.notes.iter().cloned());
    n.join("; ")
}
