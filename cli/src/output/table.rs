//! The report as a table grouped like the plan (phase, host pair, flow), one status per
//! flow, the verdicts behind it and the hint for anything that is not a pass.

use console::Style;
use portplan_core::export::{grouped, pair_heading, port_label};
use portplan_core::report::{FlowReport, ProbeResult, Reason, Report, Status, Verdict};
use portplan_core::{Flow, Plan};
use std::collections::HashMap;
use std::fmt::Write;

/// Renders `report` (of flows of `plan`); `color` adds ANSI styles (for terminals).
pub fn render(plan: &Plan, report: &Report, color: bool) -> String {
    let checked = Plan {
        flows: report.flows.iter().map(FlowReport::flow).collect(),
        ..plan.clone()
    };
    let by_flow: HashMap<Flow, &FlowReport> = report.flows.iter().map(|f| (f.flow(), f)).collect();
    let width = checked
        .flows
        .iter()
        .map(|f| port_label(f).len())
        .max()
        .unwrap_or(0);
    let style = |s: Status| {
        let st = match s {
            Status::Pass => Style::new().green(),
            Status::Attention => Style::new().yellow(),
            Status::Fail => Style::new().red().bold(),
        };
        st.force_styling(color)
    };
    let dim = Style::new().dim().force_styling(color);
    let bold = Style::new().bold().force_styling(color);
    let mut out = String::new();
    for (phase, pairs) in grouped(&checked) {
        let _ = writeln!(out, "{}", bold.apply_to(phase.title().to_uppercase()));
        for g in pairs {
            let _ = writeln!(out, "  {}", pair_heading(plan, g.from, g.to));
            // What was actually dialed, from where: a DNS name, a NAT address or the
            // wrong interface shows here.
            let route = g
                .flows
                .iter()
                .filter_map(|f| by_flow.get(f))
                .flat_map(|r| &r.probes)
                .find_map(|p| Some((p.dialed_ip()?, p.local.clone())));
            if let Some((dialed, local)) = route {
                let from = local.map(|l| format!(" from {l}")).unwrap_or_default();
                let _ = writeln!(out, "  {}", dim.apply_to(format!("dialed {dialed}{from}")));
            }
            for f in g.flows {
                let Some(r) = by_flow.get(f) else { continue };
                let label = format!("{:<9}", r.status.as_str());
                let _ = writeln!(
                    out,
                    "    {}  {:<width$}  {}",
                    style(r.status).apply_to(label),
                    port_label(f),
                    verdicts(&r.probes)
                );
                if !r.hint.is_empty() {
                    let _ = writeln!(
                        out,
                        "    {:<9}  {}",
                        "",
                        dim.apply_to(format!("hint: {}", r.hint))
                    );
                }
            }
        }
        out.push('\n');
    }
    out
}

/// `open (syn-ack) 0.3 ms`, or per verdict group: `closed 137, 138 (conn-refused); open 139`.
pub fn verdicts(probes: &[ProbeResult]) -> String {
    if let Some(p) = probes
        .first()
        .filter(|p| probes.len() == 1 && p.through.is_none())
    {
        let mut s = format!("{} ({}", p.verdict, p.reason);
        if p.attempts > 1 {
            let _ = write!(s, ", {} attempts", p.attempts);
        }
        s.push(')');
        if let Some(ms) = p.latency_ms {
            let _ = write!(s, " {ms:.1} ms");
        }
        if shows_detail(p) {
            let _ = write!(s, ": {}", p.detail);
        }
        return s;
    }
    let mut groups: Vec<(Verdict, Reason, Vec<&ProbeResult>)> = Vec::new();
    for p in probes {
        match groups
            .iter_mut()
            .find(|g| g.0 == p.verdict && g.1 == p.reason)
        {
            Some(g) => g.2.push(p),
            None => groups.push((p.verdict, p.reason, vec![p])),
        }
    }
    let parts: Vec<String> = groups
        .iter()
        .map(|(v, reason, ps)| {
            let ports: Vec<u16> = ps.iter().flat_map(|p| p.ports()).collect();
            let which = portplan_core::report::port_runs(&ports);
            let detail = ps
                .first()
                .filter(|p| shows_detail(p) && ps.len() == 1)
                .map(|p| format!(": {}", p.detail))
                .unwrap_or_default();
            format!("{v} {which} ({reason}){detail}")
        })
        .collect();
    let sampled = if probes.iter().any(|p| p.detail.contains("sampled")) {
        format!(
            "{} sampled: ",
            probes.iter().map(ProbeResult::port_count).sum::<usize>()
        )
    } else {
        String::new()
    };
    format!("{sampled}{}", parts.join("; "))
}

/// Details worth a place in the table: names and banners of answers, OS errors.
fn shows_detail(p: &ProbeResult) -> bool {
    !p.detail.is_empty()
        && !p.detail.contains("sampled")
        && matches!(
            p.verdict,
            Verdict::Open | Verdict::Verified | Verdict::Error
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use portplan_core::{Port, Protocol};

    fn p(port: u16, v: Verdict, reason: &str, detail: &str) -> ProbeResult {
        ProbeResult {
            protocol: Protocol::Tcp,
            port: Port::new(port),
            through: None,
            verdict: v,
            reason: reason.parse().expect("reason"),
            latency_ms: Some(0.4),
            attempts: 1,
            detail: detail.into(),
            dialed: None,
            local: None,
        }
    }

    /// The legacy example seen from db01, with one probe result of each kind.
    #[test]
    fn table_groups_like_the_plan() {
        use portplan_core::probe::{jobs, status};
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../examples/legacy-block.json"
        ))
        .expect("example");
        let plan = Plan::build(&portplan_core::Scenario::from_json(&text).expect("scenario"))
            .expect("plan");
        let sel = jobs::Selection {
            from: "db01".into(),
            ..jobs::Selection::default()
        };
        let work = jobs::plan_work(&plan, &sel).expect("work");
        let results: Vec<ProbeResult> = work
            .jobs
            .iter()
            .map(|j| match j.port.map(Port::get) {
                Some(137) | Some(445) | Some(9999) => {
                    p(j.port.map_or(0, Port::get), Verdict::Open, "syn-ack", "")
                }
                Some(10004) => ProbeResult {
                    latency_ms: None,
                    attempts: 2,
                    ..p(10004, Verdict::Filtered, "no-response", "")
                },
                Some(n) => p(n, Verdict::Closed, "conn-refused", "RST"),
                None => ProbeResult {
                    protocol: Protocol::Icmp,
                    port: None,
                    through: None,
                    ..p(1, Verdict::Open, "echo-reply", "")
                },
            })
            .collect();
        let flows = work
            .flows
            .iter()
            .map(|fj| {
                let probes: Vec<ProbeResult> =
                    fj.jobs.iter().map(|j| results[*j].clone()).collect();
                let (status, hint) = status::summarize(
                    &fj.flow,
                    &probes,
                    fj.dynamic,
                    plan.host(&fj.flow.to).map(|h| h.role),
                );
                FlowReport::new(&fj.flow, status, hint, probes)
            })
            .collect();
        let report = Report {
            format: 1,
            plan_digest: plan.digest(),
            catalog: plan.catalog.clone(),
            probed_from: "db01".into(),
            host: "db01".into(),
            started: "2026-01-01T00:00:00Z".into(),
            finished: "2026-01-01T00:00:02Z".into(),
            flows,
        };
        insta::assert_snapshot!("check-table-legacy-db01", render(&plan, &report, false));
        assert!(
            render(&plan, &report, true).contains("\u{1b}["),
            "colored on a terminal"
        );
    }

    #[test]
    fn verdict_cells_read_as_a_sentence() {
        assert_eq!(
            verdicts(&[p(22, Verdict::Open, "syn-ack", "")]),
            "open (syn-ack) 0.4 ms"
        );
        let udp = [
            p(137, Verdict::Open, "udp-response", "NetBIOS name WEB01"),
            p(138, Verdict::OpenFiltered, "no-response", "x"),
        ];
        assert_eq!(
            verdicts(&udp),
            "open 137 (udp-response): NetBIOS name WEB01; open|filtered 138 (no-response)"
        );
        let many: Vec<ProbeResult> = (1..=8)
            .map(|n| p(n, Verdict::Closed, "conn-refused", "sampled 8"))
            .collect();
        assert_eq!(
            verdicts(&many),
            "8 sampled: closed 1-8 (8 ports) (conn-refused)"
        );
    }
}
