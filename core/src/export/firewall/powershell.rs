//! Windows Firewall via PowerShell: `New-NetFirewallRule`, one `switch` branch per
//! host, so the script adds only the rules of the host it is told it runs on.
//!
//! Usage (elevated): `.\rules.ps1 -HostName app01`. Every rule joins the group
//! `portplan`, so `Remove-NetFirewallRule -Group portplan` undoes the script. Ports and
//! addresses are quoted so argument-mode parsing never reads `49152-65535` as arithmetic.

use super::{clean, heading, inbound, unresolved_notes, Family, Inbound, Remote};
use crate::plan::Plan;
use crate::types::Protocol;
use std::fmt::Write;

/// The rule group every rule joins.
pub const GROUP: &str = "portplan";

pub fn render(plan: &Plan) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# portplan: inbound rules for PlateSpin {} {} (Windows Firewall, PowerShell).\n\
         # Run elevated on each Windows host, naming the host:  .\\rules.ps1 -HostName app01\n\
         # Undo with:  Remove-NetFirewallRule -Group {GROUP}\n\
         param([Parameter(Mandatory = $true)][string]$HostName)\n\
         $ErrorActionPreference = 'Stop'\n\
         switch ($HostName) {{",
        plan.product.title(),
        clean(&plan.version)
    );
    for h in inbound(plan) {
        let _ = writeln!(out, "    # ===== {} =====", heading(&h));
        let _ = writeln!(out, "    {} {{", quote(&h.host.name));
        out.push_str(&unresolved_notes(&h, "        # "));
        for r in &h.rules {
            let _ = writeln!(out, "        # {}", clean(&r.description()));
            let _ = writeln!(out, "        {}", command(r));
        }
        out.push_str("    }\n");
    }
    out.push_str(
        "    default { throw \"portplan: no rules for host '$HostName' in this plan (see the section headings)\" }\n}\n",
    );
    out
}

/// A PowerShell single-quoted string (no expansion; `'` doubled).
fn quote(s: &str) -> String {
    format!("'{}'", clean(s).replace('\'', "''"))
}

fn command(r: &Inbound<'_>) -> String {
    let (prefix, address, v6) = match r.remote {
        Remote::Ip(ip) => ("", ip.to_string(), ip.is_ipv6()),
        Remote::Name(n) => ("# UNRESOLVED: ", clean(n), r.families() == [Family::V6]),
    };
    let what = match (r.protocol(), r.ports()) {
        (Protocol::Tcp, Some(p)) => format!("-Protocol TCP -LocalPort '{p}'"),
        (Protocol::Udp, Some(p)) => format!("-Protocol UDP -LocalPort '{p}'"),
        _ if v6 => "-Protocol ICMPv6 -IcmpType 128".to_string(),
        _ => "-Protocol ICMPv4 -IcmpType 8".to_string(),
    };
    format!(
        "{prefix}New-NetFirewallRule -DisplayName {} -Group {GROUP} -Direction Inbound -Action Allow {what} -RemoteAddress '{address}' -Description {} | Out-Null",
        quote(&r.name()),
        quote(&r.description())
    )
}
