//! The Linux readers of `portplan preflight`: the packet filter (`nft -j list
//! ruleset`, or `iptables-save` on legacy hosts), routes, and listening sockets.

use super::{ip, planned_addresses};
use anyhow::{bail, Result};
use portplan_core::preflight::prerequisites::for_host;
use portplan_core::preflight::section::{
    inbound_prerequisite, judge_flow, FlowContext, PreflightSection, PrerequisiteResult,
    PrerequisiteStatus,
};
use portplan_core::preflight::{iptables, model::Ruleset, nft};
use portplan_core::{Os, Plan, PlanHost};
use std::net::IpAddr;
use std::process::Command;

/// This host's section, after checking this machine is the host.
pub fn section(plan: &Plan, host: &PlanHost) -> Result<PreflightSection> {
    let own = own_addresses();
    let planned = planned_addresses(host);
    // Held as `check` decides it (a loopback address other than 127.0.0.1 is held too).
    let held = |p: &IpAddr| own.contains(p) || crate::probe::net::holds(*p);
    if !own.is_empty() && !planned.is_empty() && !planned.iter().any(held) {
        bail!(
            "--as {}: its plan address {} is not an address of this machine ({}); run preflight on {} itself",
            host.name,
            host.address,
            own.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(", "),
            host.name
        );
    }
    let (ruleset, firewall) = read_firewall();
    let flows: Vec<_> = plan
        .flows
        .iter()
        .filter(|f| f.to == host.name)
        .map(|f| {
            let source = plan.host(&f.from).and_then(|h| ip(&h.address));
            let destination = f
                .address
                .as_deref()
                .and_then(ip)
                .or_else(|| ip(&host.address));
            let ctx = FlowContext {
                source,
                destination,
                interface: source.and_then(route_interface),
            };
            judge_flow(ruleset.as_ref().map_err(String::as_str), f, &ctx)
        })
        .collect();
    let mut prerequisites = linux_prerequisites(plan, host);
    // The server's "not blocked inbound" prerequisites, from the flows judged above.
    prerequisites.extend(
        for_host(plan.product, &plan.version, None, host.role)
            .into_iter()
            .filter_map(|p| inbound_prerequisite(p, &flows)),
    );
    Ok(PreflightSection {
        host: host.name.to_string(),
        firewall,
        flows,
        prerequisites,
    })
}

/// Whether this process runs as root (from /proc: no unsafe call needed).
fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|e| e == "0"))
        })
        .unwrap_or(false)
}

/// The ruleset and what it was read from, or why it could not be read.
fn read_firewall() -> (Result<Ruleset, String>, String) {
    if !is_root() {
        let why = "unknown: run elevated to read the firewall".to_string();
        return (Err(why.clone()), "nothing (not root)".to_string());
    }
    let nft_rs = run_tool("nft", &["-j", "list", "ruleset"])
        .and_then(|t| nft::parse(&t).map_err(|e| e.to_string()));
    if let Ok(rs) = &nft_rs {
        if rs.chains.iter().any(|c| c.base.is_some()) {
            return (nft_rs, "nft -j list ruleset".to_string());
        }
    }
    // A legacy host: nft shows nothing, the legacy tables hold the rules.
    let v4 = run_tool("iptables-save", &[])
        .and_then(|t| iptables::parse(&t, false).map_err(|e| e.to_string()));
    let v6 = run_tool("ip6tables-save", &[])
        .and_then(|t| iptables::parse(&t, true).map_err(|e| e.to_string()));
    match (v4, v6, nft_rs) {
        (Ok(mut a), Ok(b), _) => {
            a.chains.extend(b.chains);
            (Ok(a), "iptables-save and ip6tables-save".to_string())
        }
        (_, _, Ok(rs)) => (Ok(rs), "nft -j list ruleset".to_string()),
        (Err(e), _, Err(n)) => (
            Err(format!(
                "unknown: the firewall could not be read ({n}; {e})"
            )),
            "nothing".to_string(),
        ),
        (Ok(_), Err(e), Err(_)) => (
            Err(format!("unknown: ip6tables-save could not be read ({e})")),
            "nothing".to_string(),
        ),
    }
}

fn run_tool(tool: &str, args: &[&str]) -> Result<String, String> {
    let out = Command::new(tool)
        .args(args)
        .output()
        .map_err(|e| format!("{tool}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{tool} {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    String::from_utf8(out.stdout).map_err(|_| format!("{tool}: output is not UTF-8"))
}

/// This machine's addresses (`ip -o addr show`).
fn own_addresses() -> Vec<IpAddr> {
    let Ok(text) = run_tool("ip", &["-o", "addr", "show"]) else {
        return Vec::new();
    };
    text.lines()
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            w.find(|x| *x == "inet" || *x == "inet6")?;
            w.next()?.split('/').next()?.parse().ok()
        })
        .collect()
}

/// The interface a packet from `peer` arrives on: where the reply route leaves.
fn route_interface(peer: IpAddr) -> Option<String> {
    let text = run_tool("ip", &["-o", "route", "get", &peer.to_string()]).ok()?;
    let mut w = text.split_whitespace();
    w.find(|x| *x == "dev")?;
    w.next().map(str::to_string)
}

/// TCP ports something listens on (/proc/net/tcp and tcp6, state 0A).
fn listening_tcp_ports() -> Result<Vec<u16>, String> {
    let mut ports = Vec::new();
    let mut read_any = false;
    for file in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        read_any = true;
        for line in text.lines().skip(1) {
            let w: Vec<&str> = line.split_whitespace().collect();
            if w.get(3) != Some(&"0A") {
                continue;
            }
            if let Some(port) = w
                .get(1)
                .and_then(|l| l.rsplit(':').next())
                .and_then(|p| u16::from_str_radix(p, 16).ok())
            {
                ports.push(port);
            }
        }
    }
    if read_any {
        Ok(ports)
    } else {
        Err("/proc/net/tcp could not be read".to_string())
    }
}

/// The Linux prerequisites of a source: sshd on 22, 3725 free.
fn linux_prerequisites(plan: &Plan, host: &PlanHost) -> Vec<PrerequisiteResult> {
    let os = if cfg!(target_os = "linux") {
        Some(Os::Linux)
    } else {
        None
    };
    let wanted = for_host(plan.product, &plan.version, os, host.role);
    let listening = listening_tcp_ports();
    let mut out = Vec::new();
    for p in wanted {
        let result = match (p.id, &listening) {
            (_, Err(e)) => PrerequisiteResult::new(p, PrerequisiteStatus::Unknown, e.clone()),
            ("linux.sshd", Ok(ports)) if ports.contains(&22) => PrerequisiteResult::new(
                p,
                PrerequisiteStatus::Ok,
                "a program listens on TCP 22".to_string(),
            ),
            ("linux.sshd", Ok(_)) => PrerequisiteResult::new(
                p,
                PrerequisiteStatus::Problem,
                "nothing listens on TCP 22".to_string(),
            ),
            ("linux.replication-port-free", Ok(ports)) if ports.contains(&3725) => {
                PrerequisiteResult::new(
                    p,
                    PrerequisiteStatus::Problem,
                    "a program already listens on TCP 3725 (PlateSpin's own, or one in its way)"
                        .to_string(),
                )
            }
            ("linux.replication-port-free", Ok(_)) => PrerequisiteResult::new(
                p,
                PrerequisiteStatus::Ok,
                "nothing listens on TCP 3725 yet".to_string(),
            ),
            _ => continue,
        };
        out.push(result);
    }
    out
}
