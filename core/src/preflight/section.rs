//! Preflight's results as the report carries them: per inbound flow of the plan, runs of
//! ports with one decision each; per prerequisite, its status, what was seen and the fix.

use super::eval::{evaluate, Inbound};
use super::model::Ruleset;
use super::prerequisites::Prerequisite;
use super::{Decision, Judgement};
use crate::error::InputError;
use crate::plan::Flow;
use crate::types::{Phase, PortRange, Protocol};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// Everything one `portplan preflight` run found on one host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreflightSection {
    /// The plan host this machine is (`--as`).
    pub host: String,
    /// What the firewall was read from (`nft -j list ruleset`, `iptables-save`), or why
    /// it was not.
    pub firewall: String,
    pub flows: Vec<PreflightFlow>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prerequisites: Vec<PrerequisiteResult>,
}

impl PreflightSection {
    /// Whether this host already blocks what the plan needs: a flow its own firewall
    /// blocks, or a prerequisite that is a problem. `preflight` and `merge` exit 1 on it,
    /// as `check` does on a failed flow (an unknown is not a failure: nobody could tell).
    pub fn blocks(&self) -> bool {
        self.flows.iter().any(|f| f.verdict() == Judgement::Blocked)
            || self
                .prerequisites
                .iter()
                .any(|p| p.status == PrerequisiteStatus::Problem)
    }

    /// Cross-field checks of a section read from a file (`at`: its JSON path): every
    /// run of ports lies inside its flow's ports, in order and without overlap; ICMP
    /// has no ports; an unknown says why.
    pub fn validate(&self, at: &str) -> Result<(), InputError> {
        // Printed on terminals and pages, like the rest of a report: names are names,
        // and free text stays on one line of visible characters.
        let text = |path: String, v: &str| {
            crate::scenario::check_text(v).map_err(|m| InputError::invalid(path, m))
        };
        crate::scenario::check_name(&self.host)
            .map_err(|m| InputError::invalid(format!("{at}.host"), m))?;
        text(format!("{at}.firewall"), &self.firewall)?;
        for (i, p) in self.prerequisites.iter().enumerate() {
            let here = format!("{at}.prerequisites[{i}]");
            for (field, v) in [
                ("id", &p.id),
                ("observed", &p.observed),
                ("quote", &p.quote),
                ("page", &p.page),
                ("fix", &p.fix),
                ("caveat", &p.caveat),
            ] {
                text(format!("{here}.{field}"), v)?;
            }
        }
        for (i, f) in self.flows.iter().enumerate() {
            crate::scenario::check_name(&f.from)
                .map_err(|m| InputError::invalid(format!("{at}.flows[{i}].from"), m))?;
            text(format!("{at}.flows[{i}].rule"), &f.rule)?;
            for (j, r) in f.results.iter().enumerate() {
                let d = &r.decision;
                text(
                    format!("{at}.flows[{i}].results[{j}].decision.reason"),
                    &d.reason,
                )?;
                for (k, e) in d.evidence.iter().enumerate() {
                    text(
                        format!("{at}.flows[{i}].results[{j}].decision.evidence[{k}]"),
                        e,
                    )?;
                }
            }
        }
        for (i, f) in self.flows.iter().enumerate() {
            let mut after: u32 = 0;
            for (j, r) in f.results.iter().enumerate() {
                let here = format!("{at}.flows[{i}].results[{j}]");
                match (f.ports, r.ports) {
                    (None, None) => {}
                    (None, Some(p)) => {
                        return Err(InputError::invalid(
                            format!("{here}.ports"),
                            format!("{p}: a flow without ports has none"),
                        ))
                    }
                    (Some(_), None) => {
                        return Err(InputError::invalid(
                            format!("{here}.ports"),
                            "missing ports",
                        ))
                    }
                    (Some(flow), Some(p)) => {
                        if !flow.contains(p.first) || !flow.contains(p.last) {
                            return Err(InputError::invalid(
                                format!("{here}.ports"),
                                format!("{p} is outside the flow's ports {flow}"),
                            ));
                        }
                        if u32::from(p.first.get()) < after {
                            return Err(InputError::invalid(
                                format!("{here}.ports"),
                                format!("{p} overlaps or comes before the run before it"),
                            ));
                        }
                        after = u32::from(p.last.get()) + 1;
                    }
                }
                if r.decision.verdict == Judgement::Unknown && r.decision.reason.is_empty() {
                    return Err(InputError::invalid(
                        format!("{here}.decision.reason"),
                        "an unknown verdict needs its reason",
                    ));
                }
            }
        }
        Ok(())
    }
}

/// One inbound flow of the plan and what the host's firewall does with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreflightFlow {
    pub phase: Phase,
    pub from: String,
    pub protocol: Protocol,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ports: Option<PortRange>,
    pub rule: String,
    /// Consecutive ports with the same decision, in port order (one entry for ICMP).
    pub results: Vec<PortsDecision>,
}

/// A run of ports (or the ICMP flow) and its decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortsDecision {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ports: Option<PortRange>,
    pub decision: Decision,
}

impl PreflightFlow {
    /// The flow's overall verdict: blocked if any port is, else unknown if any is.
    pub fn verdict(&self) -> Judgement {
        let all = || self.results.iter().map(|r| r.decision.verdict);
        if all().any(|v| v == Judgement::Blocked) {
            Judgement::Blocked
        } else if all().any(|v| v == Judgement::Unknown) {
            Judgement::Unknown
        } else {
            Judgement::Allowed
        }
    }
}

/// A prerequisite's outcome on this host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PrerequisiteStatus {
    Ok,
    Problem,
    Unknown,
}

impl PrerequisiteStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            PrerequisiteStatus::Ok => "ok",
            PrerequisiteStatus::Problem => "problem",
            PrerequisiteStatus::Unknown => "unknown",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrerequisiteResult {
    pub id: String,
    pub status: PrerequisiteStatus,
    /// What the host showed, in words.
    pub observed: String,
    pub quote: String,
    pub page: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub fix: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub caveat: String,
}

impl PrerequisiteResult {
    pub fn new(p: &Prerequisite, status: PrerequisiteStatus, observed: String) -> Self {
        let problem = status != PrerequisiteStatus::Ok;
        PrerequisiteResult {
            id: p.id.to_string(),
            status,
            observed,
            quote: p.quote.to_string(),
            page: p.page.to_string(),
            fix: if problem {
                p.fix.to_string()
            } else {
                String::new()
            },
            caveat: if problem {
                p.caveat.unwrap_or_default().to_string()
            } else {
                String::new()
            },
        }
    }
}

/// A "not blocked inbound" prerequisite ([`Prerequisite::inbound_port`]) judged from
/// the host's already judged flows: blocked if any planned flow to that port is, unknown
/// if any is unknown, ok otherwise; `None` when the plan sends nothing to that port here
/// (61613 without Migrate Connectors).
pub fn inbound_prerequisite(
    p: &Prerequisite,
    flows: &[PreflightFlow],
) -> Option<PrerequisiteResult> {
    let port = p.inbound_port?;
    let mut seen = Vec::new();
    for f in flows.iter().filter(|f| f.protocol == Protocol::Tcp) {
        for r in &f.results {
            if r.ports
                .is_some_and(|range| range.first.get() <= port && port <= range.last.get())
            {
                seen.push((f.from.as_str(), &r.decision));
            }
        }
    }
    if seen.is_empty() {
        return None;
    }
    let (status, verdict) = if seen.iter().any(|(_, d)| d.verdict == Judgement::Blocked) {
        (PrerequisiteStatus::Problem, Judgement::Blocked)
    } else if seen.iter().any(|(_, d)| d.verdict == Judgement::Unknown) {
        (PrerequisiteStatus::Unknown, Judgement::Unknown)
    } else {
        (PrerequisiteStatus::Ok, Judgement::Allowed)
    };
    let from: Vec<&str> = seen
        .iter()
        .filter(|(_, d)| d.verdict == verdict)
        .map(|(f, _)| *f)
        .collect();
    Some(PrerequisiteResult::new(
        p,
        status,
        format!(
            "TCP {port} from {} is {verdict} by this host's firewall",
            from.join(", ")
        ),
    ))
}

/// What is known of a flow's packets on this host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowContext {
    pub source: Option<IpAddr>,
    pub destination: Option<IpAddr>,
    pub interface: Option<String>,
}

/// Judges every port of `flow` (`ruleset: Err(why)`: the firewall could not be read,
/// every port is unknown for that reason).
pub fn judge_flow(
    ruleset: Result<&Ruleset, &str>,
    flow: &Flow,
    ctx: &FlowContext,
) -> PreflightFlow {
    let mut results: Vec<PortsDecision> = Vec::new();
    let judge = |port: Option<u16>| -> Decision {
        let rs = match ruleset {
            Ok(rs) => rs,
            Err(why) => return Decision::unknown(why),
        };
        let v6 = ctx.source.or(ctx.destination).map(|a| a.is_ipv6());
        let one = |v6: bool| {
            evaluate(
                rs,
                &Inbound {
                    protocol: flow.protocol,
                    port,
                    v6,
                    source: ctx.source,
                    destination: ctx.destination,
                    interface: ctx.interface.clone(),
                },
            )
        };
        match v6 {
            Some(v6) => one(v6),
            None => {
                // The plan gives names: the flow may arrive over either family.
                let (a, b) = (one(false), one(true));
                if a.verdict == b.verdict {
                    a
                } else {
                    Decision::unknown(format!(
                        "the peer's address family is not known: over IPv4 {}, over IPv6 {}",
                        a.verdict, b.verdict
                    ))
                }
            }
        }
    };
    match flow.ports {
        None => results.push(PortsDecision {
            ports: None,
            decision: judge(None),
        }),
        Some(range) => {
            for p in range.ports() {
                let d = judge(Some(p.get()));
                match results.last_mut() {
                    Some(last) if last.decision == d => {
                        if let Some(r) = &mut last.ports {
                            r.last = p;
                        }
                    }
                    _ => results.push(PortsDecision {
                        ports: Some(PortRange::single(p)),
                        decision: d,
                    }),
                }
            }
        }
    }
    PreflightFlow {
        phase: flow.phase,
        from: flow.from.to_string(),
        protocol: flow.protocol,
        ports: flow.ports,
        rule: flow.rule.clone(),
        results,
    }
}

/// A flow whose every port has the same decision (one run over the flow's ports): what
/// a Windows host's firewall answers when it is off, or could not be read.
pub fn decide_flow(flow: &Flow, decision: Decision) -> PreflightFlow {
    PreflightFlow {
        phase: flow.phase,
        from: flow.from.to_string(),
        protocol: flow.protocol,
        ports: flow.ports,
        rule: flow.rule.clone(),
        results: vec![PortsDecision {
            ports: flow.ports,
            decision,
        }],
    }
}

/// `3725`, `49152-65535`, `icmp`.
pub fn ports_label(protocol: Protocol, ports: Option<PortRange>) -> String {
    match ports {
        Some(r) => format!("{} {r}", protocol.as_str().to_ascii_uppercase()),
        None => "ICMP echo".to_string(),
    }
}
