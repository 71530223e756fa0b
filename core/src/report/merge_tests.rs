use super::*;
use crate::report::{ProbeResult, Reason, Status, Verdict};
use crate::Scenario;

/// Server, one Linux source and its target: 7 flows from 3 initiators (the target
/// opens the replication port to the source).
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

/// What `portplan check --from host` would write, every flow with `status`.
fn report(plan: &Plan, host: &str, finished: &str, status: Status) -> Report {
    let flows = plan
        .flows
        .iter()
        .filter(|f| f.from == host)
        .map(|f| {
            let (verdict, reason) = if status == Status::Fail {
                (Verdict::Filtered, Reason::NoResponse)
            } else {
                (Verdict::Open, Reason::SynAck)
            };
            let probe = ProbeResult::new(f.protocol, f.ports.map(|r| r.first), verdict, reason);
            FlowReport::new(f, status, String::new(), vec![probe])
        })
        .collect();
    Report {
        preflight: Vec::new(),
        format: 1,
        plan_digest: plan.digest(),
        catalog: plan.catalog.clone(),
        probed_from: host.into(),
        host: format!("{host}.lab"),
        started: "2026-01-01T00:00:00Z".into(),
        finished: finished.into(),
        flows,
    }
}

const T1: &str = "2026-01-01T00:00:01Z";

#[test]
fn per_host_reports_make_one_report_in_plan_order() {
    let p = plan();
    let (a, b, c) = (
        report(&p, "tgt", T1, Status::Pass),
        report(&p, "ps01", T1, Status::Pass),
        report(&p, "src", T1, Status::Fail),
    );
    let m = merge(&[("t.json", &a), ("p.json", &b), ("s.json", &c)], Some(&p)).expect("merge");
    let flows: Vec<Flow> = m.report.flows.iter().map(FlowReport::flow).collect();
    assert_eq!(flows, p.flows, "every flow, in plan order");
    assert_eq!(m.report.probed_from, "tgt,ps01,src");
    assert_eq!(m.report.host, "tgt.lab,ps01.lab,src.lab");
    assert_eq!(m.report.counts(), (5, 0, 2));
    assert!(m.replaced.is_empty() && m.unchecked.is_empty());
    // Still the public format: it reads back and merges again to itself.
    let back = Report::from_json(&m.report.to_json()).expect("valid report");
    let again = merge(&[("fleet.json", &back)], Some(&p)).expect("again");
    assert_eq!(again.report, m.report);
}

#[test]
fn one_report_merges_to_itself() {
    let p = plan();
    let r = report(&p, "ps01", T1, Status::Pass);
    assert_eq!(merge(&[("a", &r)], None).expect("merge").report, r);
}

#[test]
fn without_a_plan_flows_are_grouped_by_phase() {
    let p = plan();
    let (src, ps) = (
        report(&p, "src", T1, Status::Pass),
        report(&p, "ps01", T1, Status::Pass),
    );
    let m = merge(&[("s", &src), ("p", &ps)], None).expect("merge");
    let phases: Vec<Phase> = m.report.flows.iter().map(|f| f.phase).collect();
    let mut sorted = phases.clone();
    sorted.sort_by_key(|ph| Phase::ALL.iter().position(|x| x == ph));
    assert_eq!(phases, sorted);
    assert_eq!(m.report.flows.len(), src.flows.len() + ps.flows.len());
}

#[test]
fn a_report_of_another_plan_is_refused_by_name() {
    let p = plan();
    let a = report(&p, "ps01", T1, Status::Pass);
    let mut b = report(&p, "src", T1, Status::Pass);
    b.plan_digest = format!("sha256:{}", "ab".repeat(32));
    let e = merge(&[("ps01.json", &a), ("old/src.json", &b)], None).expect_err("other plan");
    let text = e.to_string();
    assert!(
        text.starts_with("old/src.json: checks a different plan"),
        "{text}"
    );
    assert!(text.contains("ps01.json is sha256:"), "{text}");
    assert!(!text.contains('\n'));
    // Against --plan, even the first report is checked.
    let e = merge(&[("old/src.json", &b), ("ps01.json", &a)], Some(&p)).expect_err("plan");
    assert!(e.to_string().contains("but the plan is"), "{e}");
    assert_eq!(merge(&[], None), Err(MergeError::Empty));
}

#[test]
fn the_same_host_twice_keeps_the_run_that_finished_last() {
    let p = plan();
    let old = report(&p, "src", "2026-01-01T10:00:00Z", Status::Fail);
    // 10:30+02:00 is 08:30Z: earlier, although it sorts later as text.
    let older = report(&p, "src", "2026-01-01T10:30:00+02:00", Status::Pass);
    let new = report(&p, "src", "2026-01-01T10:00:00.5Z", Status::Pass);
    let m = merge(&[("old", &old), ("new", &new), ("older", &older)], None).expect("merge");
    assert_eq!(m.report.counts(), (2, 0, 0), "new wins");
    assert_eq!(m.report.probed_from, "src");
    assert_eq!(m.report.finished, "2026-01-01T10:00:00.5Z");
    assert_eq!(
        m.replaced,
        [
            "old and new both checked 2 flows: kept new (finished later)",
            "older and new both checked 2 flows: kept new (finished later)"
        ]
    );
    // A tie goes to the later argument.
    let m = merge(&[("new", &new), ("again", &new.clone())], None).expect("tie");
    assert_eq!(
        m.replaced,
        ["new and again both checked 2 flows: kept again (finished later)"]
    );
}

#[test]
fn a_newer_host_report_updates_a_fleet_report() {
    let p = plan();
    let (ps, src) = (
        report(&p, "ps01", T1, Status::Pass),
        report(&p, "src", T1, Status::Fail),
    );
    let fleet = merge(&[("p", &ps), ("s", &src)], Some(&p))
        .expect("fleet")
        .report;
    let fixed = report(&p, "src", "2026-01-02T00:00:00Z", Status::Pass);
    let m = merge(&[("fleet", &fleet), ("src", &fixed)], Some(&p)).expect("update");
    assert_eq!(m.report.counts(), (4, 0, 0));
    assert_eq!(m.report.probed_from, "ps01,src");
    // tgt never reported: its flows (80, 443 and the replication port) are unchecked.
    assert_eq!(m.unchecked.len(), 3);
    assert!(m.unchecked.iter().all(|f| f.from == "tgt"));
}

#[test]
fn a_flow_outside_the_plan_is_refused() {
    let p = plan();
    let mut r = report(&p, "ps01", T1, Status::Pass);
    r.flows[1].to = "nobody".into();
    let e = merge(&[("ps01.json", &r)], Some(&p)).expect_err("not in plan");
    assert_eq!(
        e.to_string(),
        "ps01.json: flows[1] (discovery ps01 -> nobody icmp) is not a flow of the plan"
    );
}

#[test]
fn times_compare_across_zones() {
    let cases = [
        ("1970-01-01T00:00:00Z", Some((0, 0))),
        ("1970-01-01T01:00:00+01:00", Some((0, 0))),
        ("2000-03-01T00:00:00Z", Some((951_868_800, 0))),
        (
            "2026-01-01T00:00:00.25Z",
            Some((1_767_225_600, 250_000_000)),
        ),
        (
            "2026-01-01T00:00:00.123456789123Z",
            Some((1_767_225_600, 123_456_789)),
        ),
        ("2026-01-01T00:00:00-00:30", Some((1_767_227_400, 0))),
        ("2026-13-01T00:00:00Z", None),
        ("2026-01-01T00:00:00", None),
        ("2026-01-01T00:00:00.Z", None),
        ("2026-01-01T00:00:00+0100", None),
        ("2026-01-01T00:00:00+01:00x", None),
        ("2026-01-01", None),
    ];
    for (text, want) in cases {
        assert_eq!(instant(text), want, "{text}");
    }
}
