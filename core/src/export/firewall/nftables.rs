//! nftables: one self-contained section per host that `nft -f` accepts on its own.
//!
//! Each section adds a regular chain `portplan_in` to `table inet filter` (Debian's
//! default table), flushing only that chain so a reload never doubles rules, and touches
//! nothing else: no policy, no base chain. A
//! firewall team pastes the section of the host they are on and hooks it into their own
//! input chain with one `jump`, so the fragment works beside any existing ruleset.

use super::{clean, heading, inbound, truncate, unresolved_notes, Family, Inbound, Remote};
use crate::plan::Plan;
use crate::types::Protocol;
use std::fmt::Write;

/// Table family and name the chains go into.
pub const TABLE: &str = "inet filter";
/// The regular chain each host section defines.
pub const CHAIN: &str = "portplan_in";
/// Marker that starts every host section (tests split the file on it).
pub const SECTION: &str = "# ===== Host ";

pub fn render(plan: &Plan) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "#!/usr/sbin/nft -f\n\
         # portplan: inbound rules for PlateSpin {} {} (nftables).\n\
         # One section per host. Load ONLY the section of the host you are on\n\
         # (`nft -f section.nft`), then send inbound traffic through it from your input chain:\n\
         #   nft add rule {TABLE} input jump {CHAIN}\n\
         # A section (re)fills chain {CHAIN} of table {TABLE}; it changes no policy and no other chain.\n\
         # Rules are accept-only: keep your own default policy (drop) after the jump.",
        plan.product.title(),
        clean(&plan.version)
    );
    for h in inbound(plan) {
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
            for family in r.families() {
                let _ = writeln!(out, "\t\t{}", rule(r, *family));
            }
        }
        out.push_str("\t}\n}\n");
    }
    out
}

/// One rule line for one family; commented out when the remote address is a DNS name.
fn rule(r: &Inbound<'_>, family: Family) -> String {
    let (saddr, prefix) = match r.remote {
        Remote::Ip(ip) => (ip.to_string(), ""),
        Remote::Name(n) => (clean(n), "# UNRESOLVED: "),
    };
    let family_word = match family {
        Family::V4 => "ip",
        Family::V6 => "ip6",
    };
    let matcher = match (r.protocol(), r.ports(), family) {
        (Protocol::Tcp, Some(p), _) => format!("tcp dport {p}"),
        (Protocol::Udp, Some(p), _) => format!("udp dport {p}"),
        (_, _, Family::V6) => "icmpv6 type echo-request".to_string(),
        (_, _, Family::V4) => "icmp type echo-request".to_string(),
    };
    // nft limits rule comments to 128 bytes.
    let comment = truncate(&clean(&r.name()), 120);
    format!("{prefix}{family_word} saddr {saddr} {matcher} accept comment \"{comment}\"")
}
