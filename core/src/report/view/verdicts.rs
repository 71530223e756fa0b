//! One flow's probes as one line: the verdicts grouped, each with its runs of ports.
//!
//! A sampled dynamic RPC range is sixteen probes that mostly say the same; listed one
//! by one they repeat one sentence sixteen times. Grouped by (verdict, reason) with
//! their ports as runs (`closed 49152-53247 (4096 ports)`), a flow is one line in the
//! CLI's table and one short list on the page.

use crate::plan::Flow;
use crate::report::{port_runs, ProbeResult, Reason, Status, Verdict};
use crate::rules::PortSpec;
use crate::types::Protocol;
use std::fmt::{self, Write};

/// Probes of one flow with the same verdict and reason.
#[derive(Debug, Clone, PartialEq)]
pub struct VerdictGroup {
    pub protocol: Protocol,
    pub verdict: Verdict,
    /// nmap-style, as the report writes it (`conn-refused`).
    pub reason: Reason,
    /// The group's ports as runs (`137, 139`, `49152-65535 (16384 ports)`); empty for ICMP.
    pub ports: String,
    /// How many report entries the group has (a run of ports is one).
    pub entries: usize,
    /// Round trip of the slowest answer among the group's entries.
    pub latency_ms: Option<f64>,
    /// Sends of the group's entries, at most.
    pub attempts: u32,
    /// What the far end said (a NetBIOS name, a banner, an OS error), when the group is
    /// one entry and its detail is worth a place ([`shows_detail`]).
    pub detail: Option<String>,
    /// How this group counts towards the flow's status.
    pub status: Status,
}

impl VerdictGroup {
    /// `closed (conn-refused, 2 attempts) 0.4 ms: detail`: the group without its ports,
    /// for a list that names the ports beside it.
    pub fn sentence(&self) -> String {
        let mut s = format!("{} ({}", self.verdict, self.reason);
        if self.attempts > 1 && self.entries == 1 {
            let _ = write!(s, ", {} attempts", self.attempts);
        }
        s.push(')');
        if let Some(ms) = self.latency_ms.filter(|_| self.entries == 1) {
            let _ = write!(s, " {ms:.1} ms");
        }
        if let Some(d) = &self.detail {
            let _ = write!(s, ": {d}");
        }
        s
    }

    /// `TCP 137-138`, `ICMP echo`: what the group is about.
    pub fn what(&self) -> String {
        let proto = self.protocol.as_str().to_ascii_uppercase();
        match (self.protocol, self.ports.is_empty()) {
            (Protocol::Icmp, _) | (_, true) => format!("{proto} echo"),
            _ => format!("{proto} {}", self.ports),
        }
    }
}

/// A flow's probes, grouped: `open (syn-ack) 0.3 ms` for a single probe, else
/// `16 sampled: closed 49152, 50244 … (16 ports) (conn-refused); open 135 (syn-ack)`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct VerdictLine {
    /// Ports the probes stand for when they sample a range (`16 sampled: …`).
    pub sampled: Option<usize>,
    /// In the order each (verdict, reason) was first seen.
    pub groups: Vec<VerdictGroup>,
    /// One probe of one port (or one echo): the line needs no ports.
    pub single: bool,
}

impl VerdictLine {
    /// Groups `probes` of `flow`.
    pub fn new(flow: &Flow, probes: &[ProbeResult]) -> VerdictLine {
        let mut groups: Vec<(VerdictGroup, Vec<u16>)> = Vec::new();
        for p in probes {
            let reason = p.reason;
            let status = probe_status(flow, p);
            let ports = p.port.map(|_| p.ports()).into_iter().flatten();
            match groups
                .iter_mut()
                .find(|(g, _)| g.verdict == p.verdict && g.reason == reason)
            {
                Some((g, list)) => {
                    list.extend(ports);
                    g.entries += 1;
                    g.attempts = g.attempts.max(p.attempts);
                    g.latency_ms = max_latency(g.latency_ms, p.latency_ms);
                    g.status = g.status.max(status);
                    // A detail speaks for one entry only.
                    g.detail = None;
                }
                None => groups.push((
                    VerdictGroup {
                        protocol: p.protocol,
                        verdict: p.verdict,
                        reason,
                        ports: String::new(),
                        entries: 1,
                        latency_ms: p.latency_ms,
                        attempts: p.attempts,
                        detail: shows_detail(p).then(|| p.detail.clone()),
                        status,
                    },
                    ports.collect(),
                )),
            }
        }
        let sampled = probes
            .iter()
            .any(|p| p.detail.contains("sampled"))
            .then(|| probes.iter().map(ProbeResult::port_count).sum());
        VerdictLine {
            sampled,
            single: probes.len() == 1 && probes.iter().all(|p| p.through.is_none()),
            groups: groups
                .into_iter()
                .map(|(mut g, ports)| {
                    g.ports = port_runs(&ports);
                    g
                })
                .collect(),
        }
    }

    /// The groups that keep the flow from passing (what "What to fix" names).
    pub fn concerns(&self) -> impl Iterator<Item = &VerdictGroup> {
        self.groups.iter().filter(|g| g.status != Status::Pass)
    }
}

impl fmt::Display for VerdictLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let (true, [g]) = (self.single, self.groups.as_slice()) {
            return f.write_str(&g.sentence());
        }
        if let Some(n) = self.sampled {
            write!(f, "{n} sampled: ")?;
        }
        for (i, g) in self.groups.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{} {} ({})", g.verdict, g.ports, g.reason)?;
            if let Some(d) = &g.detail {
                write!(f, ": {d}")?;
            }
        }
        Ok(())
    }
}

fn max_latency(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// Details worth a place in a verdict line: names and banners of answers, OS errors.
pub fn shows_detail(p: &ProbeResult) -> bool {
    !p.detail.is_empty()
        && !p.detail.contains("sampled")
        && matches!(
            p.verdict,
            Verdict::Open | Verdict::Verified | Verdict::Error
        )
}

/// How one probe counts towards its flow, as `portplan check` decides it
/// ([`crate::report::status::probe_status`]; the flow says whether it is a dynamic range).
pub fn probe_status(flow: &Flow, p: &ProbeResult) -> Status {
    let dynamic = flow
        .rule()
        .is_some_and(|r| matches!(r.ports, PortSpec::DynamicRpc));
    crate::report::status::probe_status(p, dynamic)
}
