//! iptables-restore: one `*filter … COMMIT` block per Linux host, IPv6 rules alongside.
//!
//! Each block declares the user chain `PORTPLAN-IN` and fills it; it adds no jump and
//! no policy. It must be loaded with `iptables-restore --noflush`, because a plain
//! restore replaces the whole filter table. iptables cannot hold IPv6 addresses, so
//! rules with an IPv6 source are written as `#6 ` lines: the same rule in
//! ip6tables-restore syntax, to feed to `ip6tables-restore --noflush` (strip the `#6 `).
//! Each consolidated rule is one line per protocol and family: the sources as one
//! `-s a,b,c` list and the ports as one `multiport` list (at most 15 ports a line).

use super::{clean, for_family, heading, not_here, truncate, unresolved_notes, Family, HostRule};
use crate::firewall::ScriptFamily;
use crate::plan::Plan;
use crate::types::{PortRange, Protocol};
use std::fmt::Write;

/// The user chain each host block defines.
pub const CHAIN: &str = "PORTPLAN-IN";
/// Prefix of the ip6tables-restore lines (commented for iptables-restore).
pub const V6: &str = "#6 ";
/// Marker that starts every host section.
pub const SECTION: &str = "# ===== Host ";

pub fn render(plan: &Plan) -> String {
    let (hosts, others) = for_family(plan, ScriptFamily::Linux);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# portplan: inbound rules for PlateSpin {} {} (iptables-restore), Linux hosts only.\n\
         # One block per host. Load ONLY the block of the host you are on, and ALWAYS with\n\
         # --noflush (without it iptables-restore replaces your whole filter table):\n\
         #   iptables-restore --noflush < block.rules\n\
         #   iptables -I INPUT -j {CHAIN}   (once, where your INPUT chain should accept)\n\
         # Lines starting with `{V6}` are IPv6 rules for ip6tables-restore --noflush:\n\
         #   sed -n 's/^{V6}//p' block.rules | ip6tables-restore --noflush\n\
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
        let lines: Vec<(String, Vec<String>)> = h
            .rules
            .iter()
            .map(|r| (clean(&r.description()), rules(r, &h.host.address)))
            .collect();
        let v6 = lines
            .iter()
            .any(|(_, l)| l.iter().any(|l| l.starts_with(V6)));
        let _ = writeln!(out, "*filter\n:{CHAIN} - [0:0]");
        if v6 {
            let _ = writeln!(out, "{V6}*filter\n{V6}:{CHAIN} - [0:0]");
        }
        for (description, rules) in lines {
            let _ = writeln!(out, "# {description}");
            for l in rules {
                let _ = writeln!(out, "{l}");
            }
        }
        out.push_str("COMMIT\n");
        if v6 {
            let _ = writeln!(out, "{V6}COMMIT");
        }
    }
    out
}

/// The `-A` lines of one rule: plain for IPv4, `#6 ` for IPv6, and after that
/// `# UNRESOLVED: ` for a DNS name (so an unresolved IPv6 rule stays a comment once
/// `#6 ` is stripped).
fn rules(r: &HostRule, local: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (protocol, ports) in r.protocols() {
        // The comment match allows 255 bytes.
        let comment = truncate(&clean(&r.name(protocol)), 200);
        for matcher_family in [Family::V4, Family::V6] {
            let addrs = r.cidrs(matcher_family);
            for m in matchers(protocol, &ports, matcher_family) {
                if !addrs.is_empty() {
                    out.push(line(matcher_family, "", &addrs.join(","), &m, &comment));
                }
                if HostRule::name_families(local).contains(&matcher_family) {
                    for name in r.names() {
                        out.push(line(
                            matcher_family,
                            "# UNRESOLVED: ",
                            &clean(name),
                            &m,
                            &comment,
                        ));
                    }
                }
            }
        }
    }
    out
}

fn line(family: Family, unresolved: &str, sources: &str, matcher: &str, comment: &str) -> String {
    let family_prefix = if family == Family::V6 { V6 } else { "" };
    format!(
        "{family_prefix}{unresolved}-A {CHAIN} -s {sources} {matcher} -m comment --comment \"{comment}\" -j ACCEPT"
    )
}

/// The protocol and port matches of one protocol's ports: `multiport` takes at most
/// 15 ports, a range counting as two.
fn matchers(protocol: Protocol, ports: &[PortRange], family: Family) -> Vec<String> {
    let p = match protocol {
        Protocol::Tcp => "tcp",
        Protocol::Udp => "udp",
        Protocol::Icmp => {
            return vec![match family {
                Family::V6 => "-p ipv6-icmp -m icmp6 --icmpv6-type echo-request".to_string(),
                Family::V4 => "-p icmp -m icmp --icmp-type echo-request".to_string(),
            }]
        }
    };
    let text = |r: &PortRange| {
        if r.first == r.last {
            r.first.to_string()
        } else {
            format!("{}:{}", r.first, r.last)
        }
    };
    if let [one] = ports {
        return vec![format!("-p {p} -m {p} --dport {}", text(one))];
    }
    let mut out = Vec::new();
    let mut chunk: Vec<String> = Vec::new();
    let mut slots = 0;
    for r in ports {
        let cost = if r.first == r.last { 1 } else { 2 };
        if slots + cost > 15 {
            out.push(format!("-p {p} -m multiport --dports {}", chunk.join(",")));
            chunk.clear();
            slots = 0;
        }
        chunk.push(text(r));
        slots += cost;
    }
    if !chunk.is_empty() {
        out.push(format!("-p {p} -m multiport --dports {}", chunk.join(",")));
    }
    out
}
