//! The report as a table grouped like the plan (phase, host pair, flow), one status per
//! flow, the verdicts behind it and the hint for anything that is not a pass.

use super::shown;
use console::Style;
use portplan_core::report::view::{Mark, ReportView};
use portplan_core::report::{Report, Status};
use portplan_core::Plan;
use std::fmt::Write;

/// Renders `report` (of flows of `plan`); `color` adds ANSI styles (for terminals).
///
/// The grouping, verdict lines and hints are the core's [`ReportView`], which the web
/// page prints too; this only lays it out. Flows the report does not cover are left
/// out: `check` runs from one host, and `merge` lists the rest on stderr. Hosts that
/// ran `portplan preflight` follow, one block each (inbound flows, then prerequisites).
pub fn render(plan: &Plan, report: &Report, color: bool) -> String {
    let view = ReportView::build(plan, report);
    let checked = |m: Mark| m != Mark::NotChecked;
    let width = view
        .flows()
        .filter(|f| checked(f.mark))
        .map(|f| f.label.len())
        .max()
        .unwrap_or(0);
    let style = |m: Mark| {
        let st = match m.status() {
            Some(Status::Pass) => Style::new().green(),
            Some(Status::Attention) => Style::new().yellow(),
            Some(Status::Fail) => Style::new().red().bold(),
            None => Style::new().dim(),
        };
        st.force_styling(color)
    };
    let dim = Style::new().dim().force_styling(color);
    let bold = Style::new().bold().force_styling(color);
    let mut out = String::new();
    for phase in &view.phases {
        let pairs: Vec<_> = phase.pairs.iter().filter(|g| g.checked()).collect();
        if pairs.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{}", bold.apply_to(phase.phase.title().to_uppercase()));
        for g in pairs {
            let _ = writeln!(out, "  {}", shown(&g.heading));
            if let Some(route) = g.route() {
                let _ = writeln!(out, "  {}", dim.apply_to(shown(&route.to_string())));
            }
            for f in g.flows.iter().filter(|f| checked(f.mark)) {
                let label = format!("{:<9}", f.mark.as_str());
                let _ = writeln!(
                    out,
                    "    {}  {:<width$}  {}",
                    style(f.mark).apply_to(label),
                    shown(&f.label),
                    shown(&f.verdicts.to_string())
                );
                if !f.hint.is_empty() {
                    let _ = writeln!(
                        out,
                        "    {:<9}  {}",
                        "",
                        dim.apply_to(format!("hint: {}", shown(&f.hint)))
                    );
                }
            }
        }
        out.push('\n');
    }
    // Each host's preflight beside the checks: what its own firewall and settings say.
    for v in &view.preflight {
        let _ = writeln!(
            out,
            "{} {}",
            bold.apply_to(format!("PREFLIGHT {}", shown(&v.host))),
            dim.apply_to(format!("(firewall read from {})", shown(&v.firewall)))
        );
        for r in &v.rows {
            let _ = writeln!(
                out,
                "    {}  {}: {}",
                style(r.mark).apply_to(format!("{:<9}", r.word)),
                shown(&r.label),
                shown(&r.detail)
            );
            if r.mark == Mark::Fail && !r.fix.is_empty() {
                let _ = writeln!(out, "    {:<9}  fix: {}", "", shown(&r.fix));
                if !r.caveat.is_empty() {
                    let _ = writeln!(out, "    {:<9}  caveat: {}", "", shown(&r.caveat));
                }
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use portplan_core::report::view::VerdictLine;
    use portplan_core::report::{FlowReport, ProbeResult, Verdict};
    use portplan_core::{Flow, Phase, Port, PortRange, Protocol};

    /// A verdict line as the table prints it, for probes of a TCP flow of 1-200.
    fn verdicts(probes: &[ProbeResult]) -> String {
        let flow = Flow {
            phase: Phase::Discovery,
            from: "a".into(),
            to: "b".into(),
            protocol: Protocol::Tcp,
            ports: Port::new(1)
                .zip(Port::new(200))
                .and_then(|(a, b)| PortRange::new(a, b)),
            purpose: String::new(),
            rule: "r".into(),
            address: None,
            optional: false,
            notes: vec![],
            inferred: false,
        };
        VerdictLine::new(&flow, probes).to_string()
    }

    fn p(port: u16, v: Verdict, reason: &str, detail: &str) -> ProbeResult {
        let reason = reason.parse().expect("reason");
        ProbeResult {
            latency_ms: Some(0.4),
            detail: detail.into(),
            ..ProbeResult::new(Protocol::Tcp, Port::new(port), v, reason)
        }
    }

    /// The legacy example seen from db01, with one probe result of each kind.
    #[test]
    fn table_groups_like_the_plan() {
        use portplan_core::probe::jobs;
        use portplan_core::report::status;
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
            preflight: Vec::new(),
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

    /// A Windows host's preflight (its firewall unread, its token filter off) is a block
    /// after the checks: each flow unknown with the reason, the problem with its fix and
    /// the hardening caveat.
    #[test]
    fn preflight_is_a_block_beside_the_checks() {
        use portplan_core::preflight::prerequisites::prerequisite;
        use portplan_core::preflight::section::{
            decide_flow, PreflightSection, PrerequisiteResult, PrerequisiteStatus,
        };
        use portplan_core::preflight::Decision;
        let s = portplan_core::Scenario::from_json(
            r#"{"format":1,"product":"migrate","version":"2020.2",
            "server":{"name":"ps01","address":"10.0.0.1"},
            "workloads":[{"name":"web01","address":"10.0.1.2","os":"windows","windows":"2019",
              "target":{"name":"web01-t","address":"10.0.2.2"}}]}"#,
        )
        .expect("scenario");
        let plan = Plan::build(&s).expect("plan");
        let why =
            "INetFwPolicy2: CurrentProfileTypes: HRESULT 0x80004001 (E_NOTIMPL, not implemented)";
        let section = PreflightSection {
            host: "web01".into(),
            firewall: "nothing".into(),
            flows: plan
                .flows
                .iter()
                .filter(|f| f.to == "web01")
                .map(|f| decide_flow(f, Decision::unknown(why)))
                .collect(),
            prerequisites: vec![PrerequisiteResult::new(
                prerequisite("windows.local-account-token-filter").expect("entry"),
                PrerequisiteStatus::Problem,
                "LocalAccountTokenFilterPolicy is 0".into(),
            )],
        };
        let report = Report {
            format: 1,
            plan_digest: plan.digest(),
            catalog: plan.catalog.clone(),
            probed_from: "web01".into(),
            host: "web01".into(),
            started: "2026-01-01T00:00:00Z".into(),
            finished: "2026-01-01T00:00:01Z".into(),
            flows: Vec::new(),
            preflight: vec![section],
        };
        let text = render(&plan, &report, false);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0], "PREFLIGHT web01 (firewall read from nothing)",
            "{text}"
        );
        assert!(
            lines.contains(
                &format!("    unknown    inbound TCP 3725 from web01-t (transfer): {why}").as_str()
            ),
            "{text}"
        );
        let latfp = lines
            .iter()
            .position(|l| l.starts_with("    problem    windows.local-account-token-filter: LocalAccountTokenFilterPolicy is 0"))
            .unwrap_or_else(|| panic!("{text}"));
        assert!(
            lines[latfp + 1].starts_with("               fix: reg add HKLM\\SOFTWARE"),
            "{text}"
        );
        assert!(
            lines[latfp + 2].starts_with("               caveat: CIS benchmarks"),
            "{text}"
        );
    }
}
