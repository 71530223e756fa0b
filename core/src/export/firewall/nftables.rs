//! nftables: one self-contained section per Linux host that `nft -f` accepts on its own.
//!
//! Each section adds a regular chain `portplan_in` to `table inet filter` (Debian's
//! default table), flushing only that chain so a reload never doubles rules, and touches
//! nothing else: no policy, no base chain. A firewall team pastes the section of the
//! host they are on and hooks it into their own input chain with one `jump`, so the
//! fragment works beside any existing ruleset. Each consolidated rule is one line per
//! protocol and family, with anonymous sets of addresses and ports
//! (`ip saddr { 10.1.0.0/27, … } tcp dport { 135, 445 }`).

use super::{clean, for_family, heading, not_here, truncate, unresolved_notes, Family, HostRule};
use crate::firewall::ScriptFamily;
use crate::plan::Plan;
use crate::types::{PortRange, Protocol};
use std::fmt::Write;

/// Table family and name the chains go into.
pub const TABLE: &str = "inet filter";
/// The regular chain each host section defines.
pub const CHAIN: &str = "portplan_in";
/// Marker that starts every host section (tests split the file on it).
pub const SECTION: &str = "# ===== Host ";

pub fn render(plan: &Plan) -> String {
    let (hosts, others) = for_family(plan, ScriptFamily::Linux);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "#!/usr/sbin/nft -f\n\
         # portplan: inbound rules for PlateSpin {} {} (nftables), Linux hosts only.\n\
         # One section per host. Load ONLY the section of the host you are on\n\
         # (`nft -f section.nft`), then send inbound traffic through it from your input chain:\n\
         #   nft add rule {TABLE} input jump {CHAIN}\n\
         # A section (re)fills chain {CHAIN} of table {TABLE}; it changes no policy and no other chain.\n\
         # Rules are accept-only: keep your own default policy (drop) after the jump.\n\
         # Rule numbers (R3) are those of `portplan plan --format rules` and the change request.",
        plan.product.title(),
        clean(&plan.version)
    );
    out.push_str(&not_here(&others, "# "));
    for h in hosts {
        let _ = writeln!(
            out,
            "\n{SECTION}{} =====",
            heading(&h).trim_start_matches("Host ")
        );
        out.push_str(&unresolved_notes(&h, "# "));
        // add + flush first: loading the section again replaces its rules, never doubles them.
        let _ = writeln!(
            out,
            "add table {TABLE}\nadd chain {TABLE} {CHAIN}\nflush chain {TABLE} {CHAIN}"
        );
        let _ = writeln!(out, "table {TABLE} {{\n\tchain {CHAIN} {{");
        for r in &h.rules {
            let _ = writeln!(out, "\t\t# {}", clean(&r.description()));
            for line in lines(r, &h.host.address) {
                let _ = writeln!(out, "\t\t{line}");
            }
        }
        out.push_str("\t}\n}\n");
    }
    out
}

/// `{ 135, 49152-65535 }` or `445`.
fn set<T: AsRef<str>>(items: &[T]) -> String {
    match items {
        [one] => one.as_ref().to_string(),
        many => format!(
            "{{ {} }}",
            many.iter()
                .map(AsRef::as_ref)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The rule's lines: per protocol, one per family with addresses, then commented
/// ones for DNS-name remotes.
fn lines(r: &HostRule, local: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (protocol, ports) in r.protocols() {
        // nft limits rule comments to 128 bytes.
        let comment = truncate(&clean(&r.name(protocol)), 120);
        let line = |family: Family, saddr: String| {
            let family_word = match family {
                Family::V4 => "ip",
                Family::V6 => "ip6",
            };
            format!(
                "{family_word} saddr {saddr} {} accept comment \"{comment}\"",
                matcher(protocol, &ports, family)
            )
        };
        for family in [Family::V4, Family::V6] {
            let addrs = r.addresses(family);
            if !addrs.is_empty() {
                out.push(line(family, set(&addrs)));
            }
        }
        for name in r.names() {
            for family in HostRule::name_families(local) {
                out.push(format!("# UNRESOLVED: {}", line(*family, clean(name))));
            }
        }
    }
    out
}

fn matcher(protocol: Protocol, ports: &[PortRange], family: Family) -> String {
    let ports: Vec<String> = ports.iter().map(PortRange::to_string).collect();
    match (protocol, family) {
        (Protocol::Tcp, _) => format!("tcp dport {}", set(&ports)),
        (Protocol::Udp, _) => format!("udp dport {}", set(&ports)),
        (_, Family::V6) => "icmpv6 type echo-request".to_string(),
        (_, Family::V4) => "icmp type echo-request".to_string(),
    }
}
