//! firewalld: a POSIX shell script of `firewall-cmd --permanent` rich rules, one `case`
//! branch per host, so running it on the wrong machine cannot add another host's rules.
//!
//! Usage: `sh rules.sh HOST [ZONE]` (zone defaults to `public`). Rich rules have no
//! comment field, so the flow and rule id go in shell comments above each command.

use super::{clean, heading, inbound, unresolved_notes, Family, Inbound, Remote};
use crate::plan::Plan;
use crate::types::Protocol;
use std::fmt::Write;

pub fn render(plan: &Plan) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "#!/bin/sh\n\
         # portplan: inbound rules for PlateSpin {} {} (firewalld rich rules).\n\
         # Run as root on each Linux host, naming the host and optionally the zone of the\n\
         # interface the traffic arrives on:  sh rules.sh HOST [ZONE]\n\
         # Rules are --permanent and accept-only; the script reloads firewalld at the end.\n\
         set -eu\n\
         HOST=\"${{1:?usage: $0 HOST [ZONE]}}\"\n\
         ZONE=\"${{2:-public}}\"\n\
         case \"$HOST\" in",
        plan.product.title(),
        clean(&plan.version)
    );
    for h in inbound(plan) {
        let _ = writeln!(out, "\n# ===== {} =====", heading(&h));
        let _ = writeln!(out, "{})", clean(&h.host.name));
        let _ = writeln!(
            out,
            "\techo \"portplan: {} rules for {} in zone $ZONE\"",
            h.rules.len(),
            clean(&h.host.name)
        );
        out.push_str(&unresolved_notes(&h, "	# "));
        for r in &h.rules {
            let _ = writeln!(
                out,
                "\t# {} [{}]",
                clean(&r.description()),
                clean(&r.name())
            );
            for family in r.families() {
                let _ = writeln!(out, "\t{}", command(r, *family));
            }
        }
        out.push_str("\t;;\n");
    }
    out.push_str(
        "\n*)\n\techo \"portplan: no rules for host '$HOST' in this plan (see the section headings)\" >&2\n\texit 2\n\t;;\nesac\nfirewall-cmd --reload\n",
    );
    out
}

/// One `firewall-cmd` line for one family (firewalld's `echo-request` ICMP type covers
/// both); commented out when the remote address is a DNS name.
fn command(r: &Inbound<'_>, family: Family) -> String {
    let (prefix, source) = match r.remote {
        Remote::Ip(ip) => ("", ip.to_string()),
        Remote::Name(n) => ("# UNRESOLVED: ", clean(n)),
    };
    let family = match family {
        Family::V4 => "ipv4",
        Family::V6 => "ipv6",
    };
    let what = match (r.protocol(), r.ports()) {
        (p @ (Protocol::Tcp | Protocol::Udp), Some(range)) => {
            format!("port port=\"{range}\" protocol=\"{p}\"")
        }
        _ => "icmp-type name=\"echo-request\"".to_string(),
    };
    format!(
        "{prefix}firewall-cmd --permanent --zone=\"$ZONE\" --add-rich-rule='rule family=\"{family}\" source address=\"{source}\" {what} accept'"
    )
}
