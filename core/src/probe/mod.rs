//! The pure model of `check`: which probes a plan asks for from one host ([`jobs`]),
//! what their verdicts mean for each flow ([`crate::report::status`]), and the report's flows put
//! together from the results ([`assemble`]). Sockets, timing and retries are the
//! CLI's; everything here is plain data, so the page and the CLI read reports alike.

pub mod jobs;

use crate::plan::Plan;
use crate::report::{compact_runs, status, FlowReport, ProbeResult};
use jobs::Work;

/// Puts the per-job results back under their flows, with status and hint. Results are
/// moved, not copied (a probe shared by two flows, TCP 135 in two phases, is cloned once).
pub fn assemble(plan: &Plan, work: &Work, results: Vec<ProbeResult>) -> Vec<FlowReport> {
    let mut uses = vec![0usize; results.len()];
    for fj in &work.flows {
        for &j in &fj.jobs {
            if let Some(u) = uses.get_mut(j) {
                *u += 1;
            }
        }
    }
    let mut results: Vec<Option<ProbeResult>> = results.into_iter().map(Some).collect();
    // Roles by host name, once (not a search of the plan's hosts per flow).
    let roles: std::collections::HashMap<&crate::HostName, crate::Role> =
        plan.hosts.iter().map(|h| (&h.name, h.role)).collect();
    work.flows
        .iter()
        .map(|fj| {
            let probes: Vec<ProbeResult> = fj
                .jobs
                .iter()
                .filter_map(|&j| {
                    let left = uses.get_mut(j)?;
                    *left = left.saturating_sub(1);
                    let slot = results.get_mut(j)?;
                    if *left == 0 {
                        slot.take()
                    } else {
                        slot.clone()
                    }
                })
                .map(|mut p| {
                    if let Some(note) = &fj.sampled {
                        p.detail = if p.detail.is_empty() {
                            note.clone()
                        } else {
                            format!("{}; {note}", p.detail)
                        };
                    }
                    p
                })
                .collect();
            let role = roles.get(&fj.flow.to).copied();
            let (status, hint) = status::summarize(&fj.flow, &probes, fj.dynamic, role);
            // Summarized port by port; written with runs, so --full-ranges stays small.
            FlowReport::new(&fj.flow, status, hint, compact_runs(probes))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::report::{compact_runs, ProbeResult, Reason, Verdict};
    use crate::{Port, Protocol};

    /// A full dynamic range behind a SYN limiter: every port closed, but lost SYNs were
    /// retried, so attempts differ from port to port. The runs hold (the most attempts
    /// any port took) and the report stays small: it once broke into 5 MB per host.
    #[test]
    fn runs_merge_whatever_attempts_say() {
        let probes: Vec<ProbeResult> = (49152..=65535u16)
            .map(|p| ProbeResult {
                attempts: 1 + u32::from(p % 7 == 0) + u32::from(p % 13 == 0),
                detail: "RST: the path is open but nothing listens".into(),
                dialed: Some(format!("10.0.0.2:{p}")),
                local: Some("10.0.0.1".into()),
                latency_ms: Some(f64::from(p % 5) / 10.0),
                ..ProbeResult::new(
                    Protocol::Tcp,
                    Port::new(p),
                    Verdict::Closed,
                    Reason::ConnRefused,
                )
            })
            .collect();
        let runs = compact_runs(probes);
        assert_eq!(runs.len(), 1, "{:?}", &runs[..runs.len().min(3)]);
        assert_eq!(runs[0].attempts, 3, "the most any port took");
        assert_eq!(runs[0].port_count(), 16_384);
        let json = serde_json::to_string(&runs).expect("json");
        assert!(json.len() < 100_000, "{} bytes", json.len());
    }
}
