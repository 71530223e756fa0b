//! Windows Firewall via PowerShell: `New-NetFirewallRule`, one `switch` branch per
//! Windows host, so the script adds only the rules of the host it is told it runs on.
//!
//! Usage (elevated): `.\rules.ps1 -HostName app01`. Every rule joins the group
//! `portplan`, so `Remove-NetFirewallRule -Group portplan` undoes the script. Each
//! consolidated rule is one command per protocol, with its ports and remote addresses
//! as lists (`-LocalPort '135','445' -RemoteAddress '10.1.0.0/27','10.1.0.32/30'`).
//! Ports and addresses are quoted so argument-mode parsing never reads `49152-65535`
//! as arithmetic.

use super::{clean, for_family, heading, not_here, unresolved_notes, Family, HostRule};
use crate::firewall::ScriptFamily;
use crate::plan::Plan;
use crate::types::Protocol;
use std::fmt::Write;

/// The rule group every rule joins.
pub const GROUP: &str = "portplan";

pub fn render(plan: &Plan) -> String {
    let (hosts, others) = for_family(plan, ScriptFamily::Windows);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# portplan: inbound rules for PlateSpin {} {} (Windows Firewall, PowerShell), Windows hosts only.\n\
         # Run elevated on each Windows host, naming the host:  .\\rules.ps1 -HostName app01\n\
         # Undo with:  Remove-NetFirewallRule -Group {GROUP}\n\
         # Rule numbers (R3) are those of `portplan plan --format rules` and the change request.",
        plan.product.title(),
        clean(&plan.version)
    );
    out.push_str(&not_here(&others, "# "));
    out.push_str(
        "param([Parameter(Mandatory = $true)][string]$HostName)\n\
         $ErrorActionPreference = 'Stop'\n\
         switch ($HostName) {\n",
    );
    for h in hosts {
        let _ = writeln!(out, "    # ===== {} =====", heading(&h));
        let _ = writeln!(out, "    {} {{", quote(&h.host.name));
        out.push_str(&unresolved_notes(&h, "        # "));
        for r in &h.rules {
            let _ = writeln!(out, "        # {}", clean(&r.description()));
            for line in commands(r, &h.host.address) {
                let _ = writeln!(out, "        {line}");
            }
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

fn list(items: &[String]) -> String {
    items.iter().map(|s| quote(s)).collect::<Vec<_>>().join(",")
}

/// One command per protocol (ICMP: per family, as the ICMP types differ); commented
/// ones for DNS-name remotes.
fn commands(r: &HostRule, local: &str) -> Vec<String> {
    let mut out = Vec::new();
    let v4 = r.addresses(Family::V4);
    let v6 = r.addresses(Family::V6);
    let all: Vec<String> = v4.iter().chain(&v6).cloned().collect();
    for (protocol, ports) in r.protocols() {
        let name = quote(&r.name(protocol));
        let description = quote(&r.description());
        let line = |what: &str, remote: &str| {
            format!(
                "New-NetFirewallRule -DisplayName {name} -Group {GROUP} -Direction Inbound -Action Allow {what} -RemoteAddress {remote} -Description {description} | Out-Null"
            )
        };
        let ports: Vec<String> = ports.iter().map(|p| p.to_string()).collect();
        let named_families = HostRule::name_families(local);
        match protocol {
            Protocol::Tcp | Protocol::Udp => {
                let what = format!(
                    "-Protocol {} -LocalPort {}",
                    protocol.as_str().to_ascii_uppercase(),
                    list(&ports)
                );
                if !all.is_empty() {
                    out.push(line(&what, &list(&all)));
                }
                for n in r.names() {
                    out.push(format!("# UNRESOLVED: {}", line(&what, &quote(n))));
                }
            }
            Protocol::Icmp => {
                for (family, addrs, what) in [
                    (Family::V4, &v4, "-Protocol ICMPv4 -IcmpType 8"),
                    (Family::V6, &v6, "-Protocol ICMPv6 -IcmpType 128"),
                ] {
                    if !addrs.is_empty() {
                        out.push(line(what, &list(addrs)));
                    }
                    if named_families.contains(&family) {
                        for n in r.names() {
                            out.push(format!("# UNRESOLVED: {}", line(what, &quote(n))));
                        }
                    }
                }
            }
        }
    }
    out
}
