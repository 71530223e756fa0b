//! JUnit XML for pipelines (`check -f junit`, `merge -f junit`): one test case per flow,
//! so a CI server shows which flow failed and why without reading our report format.
//!
//! A flow that fails is a `<failure>` whose message is its verdicts (`filtered TCP 445
//! (no-response)`) and whose text is the hint and, where a firewall rule fixes it, the
//! rule and where it goes. A flow that needs attention passes (the run's exit status does
//! too, unless `--strict`) and carries its hint as output; a flow of the plan no report
//! checked is skipped, naming the check that would. Written with `quick-junit`.

use portplan_core::export::port_label;
use portplan_core::plan::Flow;
use portplan_core::report::view::{Mark, ReportView, VerdictLine};
use portplan_core::report::Report;
use portplan_core::Plan;
use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};
use std::collections::HashMap;

/// One flow as a test case: what it is, its mark and the words for it.
struct Case {
    flow: Flow,
    mark: Mark,
    verdicts: String,
    hint: String,
    /// The firewall rule that fixes a failing flow, and where it goes.
    fix: String,
    /// The check that would cover a flow nobody checked.
    run: Option<String>,
}

/// The report as JUnit XML. With the plan, flows follow it (and, when `unchecked`, the
/// plan's flows no report checked are skipped cases); without, the report's flows.
pub fn render(
    name: &str,
    plan: Option<&Plan>,
    report: &Report,
    unchecked: bool,
) -> anyhow::Result<String> {
    let cases: Vec<Case> = match plan {
        Some(plan) => {
            let view = ReportView::build(plan, report);
            // A fix line may cover the same rule's flows in several phases.
            let fixes: HashMap<&Flow, String> = (view.fixes.iter())
                .flat_map(|f| {
                    std::iter::once(&f.flow)
                        .chain(&f.also)
                        .map(move |l| (l, f.action()))
                })
                .collect();
            view.flows()
                .filter(|f| unchecked || f.entry.is_some())
                .map(|f| Case {
                    flow: f.flow.clone(),
                    mark: f.mark,
                    verdicts: f.verdicts.to_string(),
                    hint: f.hint.clone(),
                    fix: fixes.get(&f.flow).cloned().unwrap_or_default(),
                    run: f.run.clone(),
                })
                .collect()
        }
        None => report
            .flows
            .iter()
            .map(|r| {
                let flow = r.flow();
                Case {
                    verdicts: VerdictLine::new(&flow, &r.probes).to_string(),
                    mark: Mark::from(Some(r.status)),
                    hint: r.hint.clone(),
                    fix: String::new(),
                    run: None,
                    flow,
                }
            })
            .collect(),
    };
    let mut suites: Vec<TestSuite> = Vec::new();
    for c in cases {
        let suite_name = format!("{} {} -> {}", c.flow.phase.as_str(), c.flow.from, c.flow.to);
        if suites.last().is_none_or(|s| s.name.as_str() != suite_name) {
            suites.push(TestSuite::new(suite_name));
        }
        if let Some(suite) = suites.last_mut() {
            suite.add_test_case(case(&c));
        }
    }
    let mut out = quick_junit::Report::new(name);
    out.add_test_suites(suites);
    Ok(out.to_string()?)
}

fn case(c: &Case) -> TestCase {
    let label = port_label(&c.flow);
    let status = match c.mark {
        Mark::Pass | Mark::Attention => TestCaseStatus::success(),
        Mark::Fail => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            s.set_message(format!("{label}: {}", c.verdicts));
            s.set_type("fail");
            let mut text = c.hint.clone();
            if !c.fix.is_empty() {
                text.push_str("\nfix: ");
                text.push_str(&c.fix);
            }
            s.set_description(text);
            s
        }
        Mark::NotChecked => {
            let mut s = TestCaseStatus::skipped();
            s.set_message(format!(
                "not checked: {}",
                c.run.as_deref().unwrap_or("no report covers it")
            ));
            s
        }
    };
    let mut t = TestCase::new(label, status);
    t.set_classname(format!(
        "portplan.{}.{}.{}",
        c.flow.phase.as_str(),
        c.flow.from,
        c.flow.to
    ));
    if c.mark == Mark::Attention {
        t.set_system_out(format!("attention: {}: {}", c.verdicts, c.hint));
    }
    t
}

/// How many of a report's flows fail (for the tests' cross-check).
#[cfg(test)]
fn fails(report: &Report) -> usize {
    use portplan_core::report::Status;
    report
        .flows
        .iter()
        .filter(|f| f.status == Status::Fail)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use portplan_core::report::{FlowReport, ProbeResult, Reason, Status, Verdict};
    use portplan_core::{Port, Protocol, Scenario};

    fn plan() -> Plan {
        let s = Scenario::from_json(
            r#"{"format":1,"product":"migrate","version":"12.3",
            "server":{"name":"ps01","address":"10.0.0.1"},
            "workloads":[{"name":"src","address":"10.0.1.2","os":"linux",
              "target":{"name":"tgt","address":"10.0.2.2"}}]}"#,
        )
        .expect("scenario");
        Plan::build(&s).expect("plan")
    }

    /// The JUnit a failing flow gives, read back with a JUnit parser: one case per flow,
    /// the failure carrying the verdicts and the fix.
    #[test]
    fn a_failing_flow_is_a_failure_with_its_verdict_and_fix() {
        let plan = plan();
        let transfer = plan
            .flows
            .iter()
            .find(|f| f.from == "tgt" && f.to == "src")
            .expect("transfer");
        let probe = ProbeResult::new(
            Protocol::Tcp,
            Port::new(3725),
            Verdict::Filtered,
            Reason::NoResponse,
        );
        let report = Report {
            format: 1,
            plan_digest: plan.digest(),
            catalog: plan.catalog.clone(),
            probed_from: "tgt".into(),
            host: "tgt".into(),
            started: "2026-01-01T00:00:00Z".into(),
            finished: "2026-01-01T00:00:01Z".into(),
            flows: vec![FlowReport::new(
                transfer,
                Status::Fail,
                "filtered: a firewall drops TCP 3725".into(),
                vec![probe],
            )],
            preflight: Vec::new(),
        };
        for (with_plan, unchecked) in [(true, false), (false, false), (true, true)] {
            let xml = render(
                "portplan check",
                with_plan.then_some(&plan),
                &report,
                unchecked,
            )
            .expect("xml");
            let suites = junit_parser::from_reader(std::io::Cursor::new(xml.as_bytes()))
                .expect("JUnit reads back");
            let cases: Vec<&junit_parser::TestCase> =
                suites.suites.iter().flat_map(|s| &s.cases).collect();
            let failed: Vec<&&junit_parser::TestCase> =
                cases.iter().filter(|c| c.status.is_failure()).collect();
            assert_eq!(failed.len(), fails(&report), "{xml}");
            let f = failed[0].status.failure_as_ref();
            assert_eq!(f.message, "TCP 3725: filtered (no-response)", "{xml}");
            assert!(
                f.text.starts_with("filtered: a firewall drops TCP 3725"),
                "{xml}"
            );
            if with_plan {
                assert!(f.text.contains("\nfix: allow TCP 3725 from tgt"), "{xml}");
            }
            let skipped = cases.iter().filter(|c| c.status.is_skipped()).count();
            if unchecked {
                assert_eq!(
                    cases.len(),
                    plan.flows.len(),
                    "one case per flow of the plan"
                );
                assert_eq!(skipped, plan.flows.len() - 1);
            } else {
                assert_eq!((cases.len(), skipped), (1, 0), "{xml}");
            }
        }
    }
}
