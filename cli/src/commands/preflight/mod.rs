//! `portplan preflight`: on the host named by `--as`, read its own firewall and
//! listeners and say, per inbound flow of the plan, whether the host itself lets it in,
//! and which of the vendor's host prerequisites it misses (Linux).
//!
//! Reading is done here (commands, /proc); judging is the core's (`preflight`).

#[cfg(not(windows))]
mod linux;
#[cfg(windows)]
mod windows;

use anyhow::{bail, Context, Result};
use clap::ValueEnum;
use portplan_core::preflight::section::{ports_label, PreflightSection};
use portplan_core::preflight::Judgement;
use portplan_core::report::{Report, REPORT_FORMAT};
use portplan_core::{Address, Plan, PlanHost};
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

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
    /// The report format of `check`, with this host's preflight section.
    Json,
    /// JUnit XML: one test case per inbound flow and per prerequisite.
    Junit,
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
    let started = std::time::SystemTime::now();
    let section = read_section(&plan, &host)?;
    let bad = section.blocks();
    // The report format of `check`, with no probed flows and this host's section:
    // `merge` and the page read it beside check's reports.
    let report = || Report {
        format: REPORT_FORMAT,
        plan_digest: plan.digest(),
        catalog: plan.catalog.clone(),
        probed_from: host.name.to_string(),
        host: super::check::host_name(),
        started: crate::clock::rfc3339_millis(started),
        finished: crate::clock::rfc3339_millis(std::time::SystemTime::now()),
        flows: Vec::new(),
        preflight: vec![section.clone()],
    };
    let text = match a.format {
        PreflightFormat::Table => table(&section),
        PreflightFormat::Json => report().to_json(),
        PreflightFormat::Junit => {
            crate::output::junit::render("portplan preflight", Some(&plan), &report(), false)?
        }
    };
    crate::io::write_output(a.output.as_deref(), text.as_bytes())?;
    Ok(if bad {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// This host's section: the Linux readers (nft, iptables-save, /proc), or the Windows
/// ones (registry, service manager, `INetFwPolicy2`).
#[cfg(not(windows))]
fn read_section(plan: &Plan, host: &PlanHost) -> Result<PreflightSection> {
    linux::section(plan, host)
}

#[cfg(windows)]
fn read_section(plan: &Plan, host: &PlanHost) -> Result<PreflightSection> {
    // No `ip` tool here: this machine is the host if it holds one of its addresses.
    let planned = planned_addresses(host);
    if !planned.is_empty() && !planned.iter().any(|ip| crate::probe::net::holds(*ip)) {
        bail!(
            "--as {}: its plan address {} is not an address of this machine; run preflight on {} itself",
            host.name,
            host.address,
            host.name
        );
    }
    Ok(windows::section(plan, host))
}

/// The host's plan addresses as IPs (a DNS name: what it resolves to here, nothing if
/// it does not resolve, with a note).
fn planned_addresses(host: &PlanHost) -> Vec<IpAddr> {
    let planned: Vec<IpAddr> = [Some(&host.address), host.public_address.as_ref()]
        .into_iter()
        .flatten()
        .flat_map(|a| match a.parse::<Address>() {
            Ok(Address::Ip(ip)) => vec![ip],
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
    planned
}

#[cfg(not(windows))]
fn ip(a: &str) -> Option<IpAddr> {
    match a.parse::<Address>() {
        Ok(Address::Ip(ip)) => Some(ip),
        _ => None,
    }
}

/// The table: one line per run of ports, with the evidence or the reason under it.
fn table(s: &PreflightSection) -> String {
    let mut out = format!("PREFLIGHT {} (firewall read from {})\n", s.host, s.firewall);
    let mut last_reason: Option<String> = None;
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
                // One firewall that could not be read gives every flow the same long
                // reason: it is printed once.
                if last_reason.as_deref() == Some(r.decision.reason.as_str()) {
                    "(the same reason as above)".to_string()
                } else {
                    last_reason = Some(r.decision.reason.clone());
                    r.decision.reason.clone()
                }
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

#[cfg(test)]
mod tests {
    use super::*;
    use portplan_core::preflight::nft;
    use portplan_core::preflight::prerequisites::prerequisite;
    use portplan_core::preflight::section::PrerequisiteStatus;
    use portplan_core::preflight::section::{judge_flow, FlowContext, PrerequisiteResult};

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

    /// A firewall that could not be read: its reason is printed once, then referred to.
    #[test]
    fn one_unread_firewall_is_explained_once() {
        let flow = |port: u16| -> portplan_core::Flow {
            serde_json::from_value(serde_json::json!({
                "phase": "discovery", "from": "ps01", "to": "web01", "protocol": "tcp",
                "ports": {"first": port, "last": port}, "purpose": "p", "rule": "r"}))
            .expect("flow")
        };
        let why = "run elevated to read the firewall";
        let ctx = FlowContext {
            source: None,
            destination: None,
            interface: None,
        };
        let section = PreflightSection {
            host: "web01".to_string(),
            firewall: "nothing (not elevated)".to_string(),
            flows: [135, 445]
                .iter()
                .map(|p| judge_flow(Err(why), &flow(*p), &ctx))
                .collect(),
            prerequisites: Vec::new(),
        };
        let text = table(&section);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[2], format!("           {why}"), "{text}");
        assert_eq!(lines[4], "           (the same reason as above)", "{text}");
    }
}
