//! Windows Firewall via `netsh advfirewall` in a batch file, one labelled section per
//! Windows host; the first argument picks the section, so other hosts' rules are never
//! added.
//!
//! Usage (elevated prompt): `rules.cmd app01`. Rule names all start with `portplan `.
//! Each consolidated rule is one command per protocol, with its ports and remote
//! addresses as comma lists (`localport=135,445 remoteip=10.1.0.0/27,10.1.0.32/30`).

use super::{clean, for_family, heading, not_here, Family, HostRule};
use crate::firewall::ScriptFamily;
use crate::plan::Plan;
use crate::types::Protocol;
use std::fmt::Write;

pub fn render(plan: &Plan) -> String {
    let (hosts, others) = for_family(plan, ScriptFamily::Windows);
    let mut out = String::new();
    let _ = write!(
        out,
        "@echo off\r\n\
         REM portplan: inbound rules for PlateSpin {} {} (Windows Firewall, netsh), Windows hosts only.\r\n\
         REM Run from an elevated prompt on each Windows host, naming the host:  rules.cmd app01\r\n\
         REM Rule numbers (R3) are those of `portplan plan --format rules` and the change request.\r\n",
        plan.product.title(),
        clean(&plan.version)
    );
    for line in not_here(&others, "REM ").lines() {
        let _ = write!(out, "{}\r\n", batch(line));
    }
    out.push_str("setlocal\r\n");
    for (i, h) in hosts.iter().enumerate() {
        let _ = write!(
            out,
            "if /i \"%~1\"==\"{}\" goto host{i}\r\n",
            batch(&h.host.name)
        );
    }
    out.push_str(
        "echo portplan: no rules for host \"%~1\" in this plan (see the section headings) 1>&2\r\nexit /b 2\r\n",
    );
    for (i, h) in hosts.iter().enumerate() {
        let _ = write!(
            out,
            "\r\nREM ===== {} =====\r\n:host{i}\r\n",
            batch(&heading(h))
        );
        if let Some(w) = h.unknown_system() {
            let _ = write!(out, "REM {}\r\n", batch(&w));
        }
        for addr in h.unresolved() {
            let _ = write!(
                out,
                "REM {} is a DNS name: resolve it and put the address into its REM'd rules.\r\n",
                batch(addr)
            );
        }
        for r in &h.rules {
            let _ = write!(out, "REM {}\r\n", batch(&r.description()));
            for c in commands(r, &h.host.address) {
                let _ = write!(out, "{c}\r\n");
            }
        }
        out.push_str("exit /b 0\r\n");
    }
    out
}

/// Text inside a batch line: `%` doubled so it is not expanded.
fn batch(s: &str) -> String {
    clean(s).replace('%', "%%")
}

fn commands(r: &HostRule, local: &str) -> Vec<String> {
    let mut out = Vec::new();
    let v4 = r.addresses(Family::V4);
    let v6 = r.addresses(Family::V6);
    let all: Vec<String> = v4.iter().chain(&v6).cloned().collect();
    let named_families = HostRule::name_families(local);
    for (protocol, ports) in r.protocols() {
        let line = |what: &str, remote: &str| {
            format!(
                "netsh advfirewall firewall add rule name=\"{}\" dir=in action=allow {what} remoteip={remote} description=\"{}\"",
                batch(&r.name(protocol)),
                batch(&r.description())
            )
        };
        let ports: Vec<String> = ports.iter().map(|p| p.to_string()).collect();
        match protocol {
            Protocol::Tcp | Protocol::Udp => {
                let what = format!(
                    "protocol={} localport={}",
                    protocol.as_str().to_ascii_uppercase(),
                    ports.join(",")
                );
                if !all.is_empty() {
                    out.push(line(&what, &all.join(",")));
                }
                for n in r.names() {
                    out.push(format!("REM UNRESOLVED: {}", line(&what, &batch(n))));
                }
            }
            Protocol::Icmp => {
                for (family, addrs, what) in [
                    (Family::V4, &v4, "protocol=icmpv4:8,any"),
                    (Family::V6, &v6, "protocol=icmpv6:128,any"),
                ] {
                    if !addrs.is_empty() {
                        out.push(line(what, &addrs.join(",")));
                    }
                    if named_families.contains(&family) {
                        for n in r.names() {
                            out.push(format!("REM UNRESOLVED: {}", line(what, &batch(n))));
                        }
                    }
                }
            }
        }
    }
    out
}
