//! Windows Firewall via `netsh advfirewall` in a batch file, one labelled section per
//! host; the first argument picks the section, so other hosts' rules are never added.
//!
//! Usage (elevated prompt): `rules.cmd app01`. Rule names all start with `portplan `.

use super::{clean, heading, inbound, Family, Inbound, Remote};
use crate::plan::Plan;
use crate::types::Protocol;
use std::fmt::Write;

pub fn render(plan: &Plan) -> String {
    let hosts = inbound(plan);
    let mut out = String::new();
    let _ = write!(
        out,
        "@echo off\r\n\
         REM portplan: inbound rules for PlateSpin {} {} (Windows Firewall, netsh).\r\n\
         REM Run from an elevated prompt on each Windows host, naming the host:  rules.cmd app01\r\n\
         setlocal\r\n",
        plan.product.title(),
        clean(&plan.version)
    );
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
        for (name, addr) in h.unresolved() {
            let _ = write!(
                out,
                "REM {} is a DNS name ({}): resolve it and put the address into its REM'd rules.\r\n",
                batch(name),
                batch(addr)
            );
        }
        for r in &h.rules {
            let _ = write!(out, "REM {}\r\n{}\r\n", batch(&r.description()), command(r));
        }
        out.push_str("exit /b 0\r\n");
    }
    out
}

/// Text inside a batch line: `%` doubled so it is not expanded.
fn batch(s: &str) -> String {
    clean(s).replace('%', "%%")
}

fn command(r: &Inbound<'_>) -> String {
    let (prefix, address, v6) = match r.remote {
        Remote::Ip(ip) => ("", ip.to_string(), ip.is_ipv6()),
        Remote::Name(n) => ("REM UNRESOLVED: ", batch(n), r.families() == [Family::V6]),
    };
    let what = match (r.protocol(), r.ports()) {
        (Protocol::Tcp, Some(p)) => format!("protocol=TCP localport={p}"),
        (Protocol::Udp, Some(p)) => format!("protocol=UDP localport={p}"),
        _ if v6 => "protocol=icmpv6:128,any".to_string(),
        _ => "protocol=icmpv4:8,any".to_string(),
    };
    format!(
        "{prefix}netsh advfirewall firewall add rule name=\"{}\" dir=in action=allow {what} remoteip={address} description=\"{}\"",
        batch(&r.name()),
        batch(&r.description())
    )
}
