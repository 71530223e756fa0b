//! firewalld: a POSIX shell script of `firewall-cmd --permanent` rich rules, one `case`
//! branch per Linux host, so running it on the wrong machine cannot add another host's
//! rules.
//!
//! Usage: `sh rules.sh HOST [ZONE]` (zone defaults to `public`). A rich rule takes one
//! source, so a rule whose sources are several addresses gets an ipset
//! (`portplan_r3_4` for IPv4, `_6` for IPv6) created once and filled with the exact
//! blocks; each port range is one rich rule. Rich rules have no comment field, so the
//! rule's number and description go in shell comments above its commands.

use super::{clean, for_family, heading, not_here, unresolved_notes, Family, HostRule};
use crate::firewall::ScriptFamily;
use crate::plan::Plan;
use crate::types::Protocol;
use std::fmt::Write;

pub fn render(plan: &Plan) -> String {
    let (hosts, others) = for_family(plan, ScriptFamily::Linux);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "#!/bin/sh\n\
         # portplan: inbound rules for PlateSpin {} {} (firewalld rich rules), Linux hosts only.\n\
         # Run as root on each Linux host, naming the host and optionally the zone of the\n\
         # interface the traffic arrives on:  sh rules.sh HOST [ZONE]\n\
         # Rules are --permanent and accept-only; the script reloads firewalld at the end.\n\
         # Rule numbers (R3) are those of `portplan plan --format rules` and the change request.",
        plan.product.title(),
        clean(&plan.version)
    );
    out.push_str(&not_here(&others, "# "));
    out.push_str(
        "set -eu\n\
         HOST=\"${1:?usage: $0 HOST [ZONE]}\"\n\
         ZONE=\"${2:-public}\"\n\
         case \"$HOST\" in\n",
    );
    for h in hosts {
        let _ = writeln!(out, "\n# ===== {} =====", heading(&h));
        let _ = writeln!(out, "{})", clean(&h.host.name));
        let _ = writeln!(
            out,
            "\techo \"portplan: {} rules for {} in zone $ZONE\"",
            h.rules.len(),
            clean(&h.host.name)
        );
        out.push_str(&unresolved_notes(&h, "\t# "));
        for r in &h.rules {
            let _ = writeln!(out, "\t# {}", clean(&r.description()));
            for line in commands(r, &h.host.address) {
                let _ = writeln!(out, "\t{line}");
            }
        }
        out.push_str("\t;;\n");
    }
    out.push_str(
        "\n*)\n\techo \"portplan: no rules for host '$HOST' in this plan (see the section headings)\" >&2\n\texit 2\n\t;;\nesac\nfirewall-cmd --reload\n",
    );
    out
}

/// The ipset of a rule's sources of one family: its name.
pub fn ipset(r: &HostRule, family: Family) -> String {
    let f = match family {
        Family::V4 => 4,
        Family::V6 => 6,
    };
    format!("portplan_r{}_{f}", r.number)
}

/// The commands of one rule: the ipsets it needs, then one rich rule per family and
/// port range; commented ones for DNS-name remotes.
fn commands(r: &HostRule, local: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut sources: Vec<(Family, String, &str)> = Vec::new();
    for family in [Family::V4, Family::V6] {
        let addrs = r.addresses(family);
        match addrs.as_slice() {
            [] => {}
            [one] => sources.push((family, format!("source address=\"{one}\""), "")),
            many => {
                let name = ipset(r, family);
                let option = match family {
                    Family::V4 => "",
                    Family::V6 => " --option=family=inet6",
                };
                out.push(format!(
                    "firewall-cmd --permanent --info-ipset={name} >/dev/null 2>&1 || firewall-cmd --permanent --new-ipset={name} --type=hash:net{option}"
                ));
                for a in many {
                    out.push(format!(
                        "firewall-cmd --permanent --ipset={name} --add-entry={a}"
                    ));
                }
                sources.push((family, format!("source ipset=\"{name}\""), ""));
            }
        }
    }
    for name in r.names() {
        for family in HostRule::name_families(local) {
            sources.push((
                *family,
                format!("source address=\"{}\"", clean(name)),
                "# UNRESOLVED: ",
            ));
        }
    }
    for (protocol, ports) in r.protocols() {
        let whats: Vec<String> = match protocol {
            Protocol::Tcp | Protocol::Udp => ports
                .iter()
                .map(|p| format!("port port=\"{p}\" protocol=\"{protocol}\""))
                .collect(),
            // firewalld's `echo-request` ICMP type covers both families.
            Protocol::Icmp => vec!["icmp-type name=\"echo-request\"".to_string()],
        };
        // The rule's name in brackets: what `fixes` finds the rule lines by.
        out.push(format!(
            "# {} {} [{}]",
            protocol.as_str().to_ascii_uppercase(),
            if ports.is_empty() {
                "echo-request".to_string()
            } else {
                ports
                    .iter()
                    .map(|p| p.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            r.name(protocol)
        ));
        for (family, source, prefix) in &sources {
            let family = match family {
                Family::V4 => "ipv4",
                Family::V6 => "ipv6",
            };
            for what in &whats {
                out.push(format!(
                    "{prefix}firewall-cmd --permanent --zone=\"$ZONE\" --add-rich-rule='rule family=\"{family}\" {source} {what} accept'"
                ));
            }
        }
    }
    out
}
