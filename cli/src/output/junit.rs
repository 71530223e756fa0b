//! JUnit XML for pipelines (`check -f junit`, `merge -f junit`): one test case per flow,
//! so a CI server shows which flow failed and why without reading our report format.
//!
//! A flow that fails is a `<failure>` whose message is its verdicts (`filtered TCP 445
//! (no-response)`) and whose text is the hint and, where a firewall rule fixes it, the
//! rule and where it goes. A flow that needs attention passes (the run's exit status does
//! too, unless `--strict`) and carries its hint as output; a flow of the plan no report
//! checked is skipped, naming the check that would. Written with `quick-junit`.
//!
//! A report that carries `portplan preflight` sections (`preflight -f junit`, or a
//! merged fleet report) adds one suite per host: one case per inbound flow (per run of
//! ports) and per prerequisite. Blocked and problem are failures with the evidence and
//! the fix; unknown is skipped with its reason, since nobody could tell.

use portplan_core::export::port_label;
use portplan_core::plan::Flow;
use portplan_core::report::view::{Mark, PreflightRow, PreflightView, ReportView, VerdictLine};
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
    for v in report.preflight.iter().map(PreflightView::of) {
        let mut suite = TestSuite::new(format!("preflight {}", v.host));
        for r in &v.rows {
            suite.add_test_case(preflight_case(&v, r));
        }
        suites.push(suite);
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

fn preflight_case(v: &PreflightView, r: &PreflightRow) -> TestCase {
    let status = match r.mark {
        Mark::Fail => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            s.set_message(format!("{}: {}", r.word, r.detail));
            s.set_type(r.word);
            let mut text = String::new();
            if !r.quote.is_empty() {
                text.push_str(&format!("vendor: \"{}\" ({})\n", r.quote, r.page));
            }
            text.push_str(&format!("fix: {}", r.fix));
            if !r.caveat.is_empty() {
                text.push_str(&format!("\ncaveat: {}", r.caveat));
            }
            s.set_description(text);
            s
        }
        Mark::Attention | Mark::NotChecked => {
            let mut s = TestCaseStatus::skipped();
            s.set_message(format!("{}: {}", r.word, r.detail));
            s
        }
        Mark::Pass => TestCaseStatus::success(),
    };
    let mut t = TestCase::new(r.label.clone(), status);
    t.set_classname(format!("portplan.preflight.{}", v.host));
    if r.mark == Mark::Pass && !r.detail.is_empty() {
        t.set_system_out(format!("{}: {}", r.word, r.detail));
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

    /// A preflight report as JUnit, read back: one case per inbound run of ports and per
    /// prerequisite; blocked and problem fail with the evidence and the fix, unknown is
    /// skipped with its reason, allowed passes.
    #[test]
    fn preflight_rows_are_cases_with_their_fix() {
        use portplan_core::preflight::nft;
        use portplan_core::preflight::prerequisites::prerequisite;
        use portplan_core::preflight::section::{
            judge_flow, FlowContext, PreflightSection, PrerequisiteResult, PrerequisiteStatus,
        };
        let plan = plan();
        let rs = nft::parse(
            r#"{"nftables":[
            {"chain":{"family":"inet","table":"f","name":"input","handle":1,"type":"filter","hook":"input","prio":0,"policy":"drop"}},
            {"rule":{"family":"inet","table":"f","chain":"input","handle":2,"expr":[{"match":{"op":"==","left":{"payload":{"protocol":"tcp","field":"dport"}},"right":22}},{"accept":null}]}}]}"#,
        )
        .expect("ruleset");
        let ctx = FlowContext {
            source: Some("10.0.0.1".parse().expect("ip")),
            destination: Some("10.0.1.2".parse().expect("ip")),
            interface: None,
        };
        let section = PreflightSection {
            host: "src".into(),
            firewall: "nft -j list ruleset".into(),
            flows: plan
                .flows
                .iter()
                .filter(|f| f.to == "src")
                .map(|f| judge_flow(Ok(&rs), f, &ctx))
                .collect(),
            prerequisites: vec![
                PrerequisiteResult::new(
                    prerequisite("linux.sshd").expect("entry"),
                    PrerequisiteStatus::Problem,
                    "nothing listens on TCP 22".into(),
                ),
                PrerequisiteResult::new(
                    prerequisite("linux.replication-port-free").expect("entry"),
                    PrerequisiteStatus::Unknown,
                    "/proc/net/tcp could not be read".into(),
                ),
            ],
        };
        let rows = PreflightView::of(&section).rows.len();
        let report = Report {
            format: 1,
            plan_digest: plan.digest(),
            catalog: plan.catalog.clone(),
            probed_from: "src".into(),
            host: "src".into(),
            started: "2026-01-01T00:00:00Z".into(),
            finished: "2026-01-01T00:00:01Z".into(),
            flows: Vec::new(),
            preflight: vec![section],
        };
        let xml = render("portplan preflight", Some(&plan), &report, false).expect("xml");
        let suites = junit_parser::from_reader(std::io::Cursor::new(xml.as_bytes()))
            .expect("JUnit reads back");
        assert_eq!(suites.suites.len(), 1, "{xml}");
        let suite = &suites.suites[0];
        assert_eq!(suite.name, "preflight src");
        assert_eq!(suite.cases.len(), rows, "{xml}");
        let case = |name: &str| {
            suite
                .cases
                .iter()
                .find(|c| c.original_name.starts_with(name))
                .unwrap_or_else(|| panic!("no case {name}: {xml}"))
        };
        assert!(
            case("inbound TCP 22 from ps01").status.is_success(),
            "{xml}"
        );
        let blocked = case("inbound TCP 3725 from tgt").status.failure_as_ref();
        assert_eq!(
            blocked.message,
            "blocked: inet f input: end of chain, policy drop"
        );
        assert!(
            blocked
                .text
                .contains("fix: let TCP 3725 from tgt in through the firewall of src itself"),
            "{:?}",
            blocked.text
        );
        let sshd = case("linux.sshd").status.failure_as_ref();
        assert_eq!(sshd.message, "problem: nothing listens on TCP 22");
        // (junit-parser splits text at XML entities, so only entity-free runs are compared)
        let entry = prerequisite("linux.sshd").expect("entry");
        assert!(sshd.text.starts_with("vendor:"), "{:?}", sshd.text);
        assert!(sshd.text.contains(entry.quote), "{:?}", sshd.text);
        assert!(sshd.text.contains(entry.page), "{:?}", sshd.text);
        assert!(sshd.text.contains(&format!("fix: {}", entry.fix)), "{xml}");
        let unknown = case("linux.replication-port-free");
        assert!(unknown.status.is_skipped(), "{xml}");
        assert_eq!(
            unknown.status.skipped_as_ref().message,
            "unknown: /proc/net/tcp could not be read"
        );
    }
}
