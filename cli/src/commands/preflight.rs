//! `portplan preflight`: on the host named by `--as`, read its own firewall and
//! listeners and say, per inbound flow of the plan, whether the host itself lets it in,
//! and which of the vendor's host prerequisites it misses (Linux).
//!
//! Reading is done here (commands, /proc); judging is the core's (`preflight`).

use anyhow::{bail, Context, Result};
use clap::ValueEnum;
use portplan_core::preflight::prerequisites::for_host;
use portplan_core::preflight::section::{
    inbound_prerequisite, judge_flow, ports_label, FlowContext, PreflightSection,
    PrerequisiteResult, PrerequisiteStatus,
};
use portplan_core::preflight::{iptables, model::Ruleset, nft, Judgement};
use portplan_core::report::{Report, REPORT_FORMAT};
use portplan_core::{Address, Os, Plan};
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::{Command, ExitCode};

/// Read this host's own firewall and prerequisites against the flows the plan sends to it.
#[derive(Debug, clap::Args)]
pub struct PreflightArgs {
    #[command(flatten)]
    pub input: super::input::PlanInput,
    /// The plan host this machine is, by name (any case) or address.
    #[arg(long = "as", value_name = "HOST")]
    pub host: String,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = PreflightFormat::Table)]
    pub format: PreflightFormat,
    /// Write to FILE (atomically) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PreflightFormat {
    Table,
    Json,
}

pub fn run(a: PreflightArgs) -> Result<ExitCode> {
    let plan = a
        .input
        .load()?
        .ok_or_else(|| anyhow::anyhow!("--plan or --scenario is required"))?;
    let Some(host) = plan.host_named_or_at(&a.host).cloned() else {
        let names: Vec<&str> = plan.hosts.iter().map(|h| h.name.as_str()).collect();
        bail!(
            "--as {:?}: not a host of the plan (hosts: {})",
            a.host,
            names.join(", ")
        );
    };
    if let Some(path) = &a.output {
        crate::io::check_writable(path).context("-o")?;
    }
    let own = own_addresses();
    let planned: Vec<IpAddr> = [Some(&host.address), host.public_address.as_ref()]
        .into_iter()
        .flatten()
        .flat_map(|a| match a.parse::<Address>() {
            Ok(Address::Ip(ip)) => vec![ip],
            // A DNS name: what it resolves to here (nothing if it does not resolve).
            _ => {
                use std::net::ToSocketAddrs;
                (a.as_str(), 0)
                    .to_socket_addrs()
                    .map(|it| it.map(|s| s.ip()).collect())
                    .unwrap_or_default()
            }
        })
        .collect();
    if planned.is_empty() {
        eprintln!(
            "portplan: note: {}'s plan address {} does not resolve here, so preflight cannot confirm this machine is {}",
            host.name, host.address, host.name
        );
    }
    if !own.is_empty() && !planned.is_empty() && !planned.iter().any(|p| own.contains(p)) {
        bail!(
            "--as {}: its plan address {} is not an address of this machine ({}); run preflight on {} itself",
            host.name,
            host.address,
            own.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(", "),
            host.name
        );
    }
    let started = std::time::SystemTime::now();
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
    let mut prerequisites = linux_prerequisites(&plan, &host);
    // The server's "not blocked inbound" prerequisites, from the flows judged above.
    prerequisites.extend(
        for_host(plan.product, &plan.version, None, host.role)
            .into_iter()
            .filter_map(|p| inbound_prerequisite(p, &flows)),
    );
    let section = PreflightSection {
        host: host.name.to_string(),
        firewall,
        flows,
        prerequisites,
    };
    let bad = section
        .flows
        .iter()
        .any(|f| f.verdict() == Judgement::Blocked)
        || section
            .prerequisites
            .iter()
            .any(|p| p.status == PrerequisiteStatus::Problem);
    let text = match a.format {
        PreflightFormat::Table => table(&section),
        // The report format of `check`, with no probed flows and this host's section:
        // `merge` and the page read it beside check's reports.
        PreflightFormat::Json => Report {
            format: REPORT_FORMAT,
            plan_digest: plan.digest(),
            catalog: plan.catalog.clone(),
            probed_from: host.name.to_string(),
            host: super::check::host_name(),
            started: crate::clock::rfc3339_millis(started),
            finished: crate::clock::rfc3339_millis(std::time::SystemTime::now()),
            flows: Vec::new(),
            preflight: vec![section],
        }
        .to_json(),
    };
    crate::io::write_output(a.output.as_deref(), text.as_bytes())?;
    Ok(if bad {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn ip(a: &str) -> Option<IpAddr> {
    match a.parse::<Address>() {
        Ok(Address::Ip(ip)) => Some(ip),
        _ => None,
    }
}

/// The table: one line per run of ports, with the evidence or the reason under it.
fn table(s: &PreflightSection) -> String {
    let mut out = format!("PREFLIGHT {} (firewall read from {})\n", s.host, s.firewall);
    for f in &s.flows {
        for r in &f.results {
            let label = ports_label(f.protocol, r.ports.or(f.ports));
            out.push_str(&format!(
                "  {:<8} {:<18} from {:<12} {}\n",
                r.decision.verdict.as_str(),
                label,
                f.from,
                f.phase
            ));
            let why = if r.decision.verdict == Judgement::Unknown {
                r.decision.reason.clone()
            } else {
                r.decision.evidence.join("; ")
            };
            out.push_str(&format!("           {why}\n"));
        }
    }
    if !s.prerequisites.is_empty() {
        out.push_str("PREREQUISITES\n");
        for p in &s.prerequisites {
            out.push_str(&format!(
                "  {:<8} {}: {}\n",
                p.status.as_str(),
                p.id,
                p.observed
            ));
            out.push_str(&format!(
                "           vendor: \"{}\" ({})\n",
                p.quote, p.page
            ));
            if !p.fix.is_empty() {
                out.push_str(&format!("           fix: {}\n", p.fix));
            }
            if !p.caveat.is_empty() {
                out.push_str(&format!("           caveat: {}\n", p.caveat));
            }
        }
    }
    let n = |v| s.flows.iter().filter(|f| f.verdict() == v).count();
    out.push_str(&format!(
        "{} inbound flows: {} allowed, {} blocked, {} unknown\n",
        s.flows.len(),
        n(Judgement::Allowed),
        n(Judgement::Blocked),
        n(Judgement::Unknown)
    ));
    out
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
fn linux_prerequisites(plan: &Plan, host: &portplan_core::PlanHost) -> Vec<PrerequisiteResult> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use portplan_core::preflight::prerequisites::prerequisite;

    /// The table of a source whose policy drops all but SSH, from a real nft dump's shape.
    #[test]
    fn the_table_names_verdicts_evidence_and_fixes() {
        let rs = nft::parse(
            r#"{"nftables":[
            {"chain":{"family":"inet","table":"filter","name":"input","handle":1,"type":"filter","hook":"input","prio":0,"policy":"drop"}},
            {"rule":{"family":"inet","table":"filter","chain":"input","handle":4,"expr":[{"match":{"op":"==","left":{"payload":{"protocol":"tcp","field":"dport"}},"right":22}},{"accept":null}]}},
            {"rule":{"family":"inet","table":"filter","chain":"input","handle":5,"expr":[{"match":{"op":"==","left":{"payload":{"protocol":"tcp","field":"dport"}},"right":3725}},{"limit":{"rate":10,"per":"second"}},{"accept":null}]}}]}"#,
        )
        .expect("ruleset");
        let flow = |from: &str, ports: Option<(u16, u16)>, proto: &str| -> portplan_core::Flow {
            serde_json::from_value(serde_json::json!({
                "phase": "discovery", "from": from, "to": "lnx01", "protocol": proto,
                "ports": ports.map(|(a, b)| serde_json::json!({"first": a, "last": b})),
                "purpose": "p", "rule": "r"}))
            .expect("flow")
        };
        let ctx = FlowContext {
            source: Some("10.0.0.5".parse().expect("ip")),
            destination: None,
            interface: Some("eth0".to_string()),
        };
        let flows = vec![
            judge_flow(Ok(&rs), &flow("ps01", Some((22, 22)), "tcp"), &ctx),
            judge_flow(Ok(&rs), &flow("ps01", None, "icmp"), &ctx),
            judge_flow(Ok(&rs), &flow("lnx01-t", Some((3725, 3725)), "tcp"), &ctx),
        ];
        let sshd = prerequisite("linux.sshd").expect("entry");
        let section = PreflightSection {
            host: "lnx01".to_string(),
            firewall: "nft -j list ruleset".to_string(),
            flows,
            prerequisites: vec![PrerequisiteResult::new(
                sshd,
                PrerequisiteStatus::Problem,
                "nothing listens on TCP 22".to_string(),
            )],
        };
        insta::assert_snapshot!(table(&section));
    }
}
