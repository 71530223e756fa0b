//! iptables-restore: one `*filter … COMMIT` block per host, IPv6 rules alongside.
//!
//! Each block declares the user chain `PORTPLAN-IN` and fills it; it adds no jump and
//! no policy. It must be loaded with `iptables-restore --noflush`, because a plain
//! restore replaces the whole filter table. iptables cannot hold IPv6 addresses, so
//! rules with an IPv6 source are written as `#6 ` lines: the same rule in
//! ip6tables-restore syntax, to feed to `ip6tables-restore --noflush` (strip the `#6 `).

use super::{clean, heading, inbound, truncate, unresolved_notes, Family, Inbound, Remote};
use crate::plan::Plan;
use crate::types::Protocol;
use std::fmt::Write;
use std::net::IpAddr;

/// The user chain each host block defines.
pub const CHAIN: &str = "PORTPLAN-IN";
/// Prefix of the ip6tables-restore lines (commented for iptables-restore).
pub const V6: &str = "#6 ";
/// Marker that starts every host section.
pub const SECTION: &str = "# ===== Host ";

pub fn render(plan: &Plan) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# portplan: inbound rules for PlateSpin {} {} (iptables-restore).\n\
         # One block per host. Load ONLY the block of the host you are on, and ALWAYS with\n\
         # --noflush (without it iptables-restore replaces your whole filter table):\n\
         #   iptables-restore --noflush < block.rules\n\
         #   iptables -I INPUT -j {CHAIN}   (once, where your INPUT chain should accept)\n\
         # Lines starting with `{V6}` are IPv6 rules for ip6tables-restore --noflush:\n\
         #   sed -n 's/^{V6}//p' block.rules | ip6tables-restore --noflush",
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
        let v6 = h.rules.iter().any(|r| r.families().contains(&Family::V6));
        let _ = writeln!(out, "*filter\n:{CHAIN} - [0:0]");
        if v6 {
            let _ = writeln!(out, "{V6}*filter\n{V6}:{CHAIN} - [0:0]");
        }
        for r in &h.rules {
            let _ = writeln!(out, "# {}", clean(&r.description()));
            for family in r.families() {
                let _ = writeln!(out, "{}", rule(r, *family));
            }
        }
        out.push_str("COMMIT\n");
        if v6 {
            let _ = writeln!(out, "{V6}COMMIT");
        }
    }
    out
}

/// One `-A` line: plain for IPv4, `#6 ` for IPv6, and after that `# UNRESOLVED: ` for a
/// DNS name (so an unresolved IPv6 rule stays a comment once `#6 ` is stripped).
fn rule(r: &Inbound<'_>, family: Family) -> String {
    let v6 = family == Family::V6;
    let family_prefix = if v6 { V6 } else { "" };
    let (unresolved, source) = match r.remote {
        Remote::Ip(ip @ IpAddr::V4(_)) => ("", format!("{ip}/32")),
        Remote::Ip(ip @ IpAddr::V6(_)) => ("", format!("{ip}/128")),
        Remote::Name(n) => ("# UNRESOLVED: ", clean(n)),
    };
    let prefix = format!("{family_prefix}{unresolved}");
    let matcher = match (r.protocol(), r.ports()) {
        (p @ (Protocol::Tcp | Protocol::Udp), Some(range)) => {
            let ports = if range.first == range.last {
                range.first.to_string()
            } else {
                format!("{}:{}", range.first, range.last)
            };
            format!("-p {p} -m {p} --dport {ports}")
        }
        _ if v6 => "-p ipv6-icmp -m icmp6 --icmpv6-type echo-request".to_string(),
        _ => "-p icmp -m icmp --icmp-type echo-request".to_string(),
    };
    // The comment match allows 255 bytes.
    let comment = truncate(&clean(&r.name()), 200);
    format!("{prefix}-A {CHAIN} -s {source} {matcher} -m comment --comment \"{comment}\" -j ACCEPT")
}
