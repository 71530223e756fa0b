//! The pure model of `check`: which probes a plan asks for from one host ([`jobs`]),
//! what their verdicts mean for each flow ([`crate::report::status`]), and the report's flows put
//! together from the results ([`assemble`]). Sockets, timing and retries are the
//! CLI's; everything here is plain data, so the page and the CLI read reports alike.

pub mod jobs;

use crate::address::HostName;
use crate::plan::Plan;
use crate::report::{compact_runs, status, FlowReport, ProbeResult, Reason, Status};
use jobs::Work;
use std::collections::HashMap;

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
    let roles: HashMap<&HostName, crate::Role> =
        plan.hosts.iter().map(|h| (&h.name, h.role)).collect();
    let mut reports: Vec<FlowReport> = work
        .flows
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
        .collect();
    note_wrong_hosts(&mut reports);
    reports
}

/// A host whose address another host's `listen` answered (`wrong-host` on one of its
/// flows) is not where its address leads: its other failures (a reject, a drop) come
/// from whatever is there, so a firewall rule for them would go to the wrong host. Their
/// hints say so, and to fix the address first.
fn note_wrong_hosts(reports: &mut [FlowReport]) {
    let mut answered: HashMap<HostName, String> = HashMap::new();
    for f in reports.iter() {
        let wrong = f.probes.iter().find(|p| p.reason == Reason::WrongHost);
        if let Some(p) = wrong {
            let port = p.port.map_or_else(String::new, |n| format!(" {n}"));
            let what = format!("{}{port}", p.protocol.as_str().to_ascii_uppercase());
            answered
                .entry(f.to.clone())
                .or_insert_with(|| format!("{what} {}", p.detail));
        }
    }
    for f in reports.iter_mut() {
        let own = f.probes.iter().any(|p| p.reason == Reason::WrongHost);
        if f.status != Status::Fail || own {
            continue;
        }
        if let Some(w) = answered.get(&f.to) {
            f.hint.push_str(&format!(
                "; but {to}'s address reaches another host ({w}): fix the address of {to} \
                 first, then check again",
                to = f.to
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{compact_runs, ProbeResult, Reason, Verdict};
    use crate::{Port, Protocol};

    /// web03's address reaches web01's responder (a misrouted NAT): its TCP 135 reads
    /// `wrong-host`, and its TCP 139, rejected by whatever sits there, says to fix the
    /// address first. web01's own reject is a plain firewall matter.
    #[test]
    fn a_hosts_other_failures_say_its_address_reaches_another_host() {
        let text = r#"{"format":1,"product":"migrate","version":"12.3",
          "server":{"name":"ps01","address":"10.0.0.1"},
          "workloads":[{"name":"web01","address":"10.0.0.2","os":"windows",
            "target":{"name":"web01-t","address":"10.0.0.3"}},
           {"name":"web03","address":"10.0.0.4","os":"windows",
            "target":{"name":"web03-t","address":"10.0.0.5"}}]}"#;
        let plan = Plan::build(&crate::Scenario::from_json(text).expect("scenario")).expect("plan");
        let sel = jobs::Selection {
            from: "ps01".into(),
            phases: vec![crate::Phase::Discovery],
            ..Default::default()
        };
        let work = jobs::plan_work(&plan, &sel).expect("work");
        let results: Vec<ProbeResult> = work
            .jobs
            .iter()
            .map(|j| {
                let web03 = work.targets[j.target].name == "web03";
                let (v, r, detail) = match (j.port.map(Port::get), web03) {
                    (Some(135), true) => (
                        Verdict::Open,
                        Reason::WrongHost,
                        "answered by web01 (expected web03)",
                    ),
                    (Some(139), _) => (
                        Verdict::Filtered,
                        Reason::PortUnreach,
                        "ICMP type 3 code 3 (port unreachable) from 10.0.0.2",
                    ),
                    _ => (Verdict::Closed, Reason::ConnRefused, ""),
                };
                ProbeResult {
                    detail: detail.into(),
                    ..ProbeResult::new(j.protocol, j.port, v, r)
                }
            })
            .collect();
        let reports = assemble(&plan, &work, results);
        let hint = |to: &str, port: u16| {
            reports
                .iter()
                .find(|f| f.to == to && f.ports.is_some_and(|r| r.first.get() == port))
                .map(|f| (f.status, f.hint.clone()))
                .expect("flow")
        };
        let note = "but web03's address reaches another host (TCP 135 answered by web01 \
                    (expected web03)): fix the address of web03 first, then check again";
        for (to, port, status, noted) in [
            ("web03", 139, Status::Fail, true),
            ("web03", 135, Status::Fail, false),
            ("web01", 139, Status::Fail, false),
            ("web03", 445, Status::Attention, false),
        ] {
            let (s, h) = hint(to, port);
            assert_eq!((s, h.contains(note)), (status, noted), "{to} {port}: {h}");
        }
        // No firewall rule goes to web03's address; web01's reject gets its rule.
        let report = crate::report::Report {
            format: 1,
            plan_digest: plan.digest(),
            catalog: plan.catalog.clone(),
            probed_from: "ps01".into(),
            host: "ps01".into(),
            started: "2026-01-01T00:00:00Z".into(),
            finished: "2026-01-01T00:00:01Z".into(),
            flows: reports.clone(),
            preflight: Vec::new(),
        };
        let ruled: Vec<String> = crate::report::fixes::fixes(&plan, &report)
            .iter()
            .map(|f| format!("{} {}", f.flow.to, crate::export::port_label(&f.flow)))
            .collect();
        assert_eq!(ruled, vec!["web01 TCP 139"]);
        let view = crate::report::view::ReportView::build(&plan, &report);
        assert!(view
            .fixes
            .iter()
            .filter(|x| x.flow.to == "web03")
            .all(|x| x.fix.is_none()));
    }

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
