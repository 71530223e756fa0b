//! Loaded reports across an edit, in a real browser (Debian's headless Chromium via
//! playwright-core; `tests/browser/reports.cjs` acts, this test asserts): a report of
//! the plan on screen stays attached after one workload's address changes. The flows
//! the edit changed (those of that workload) read "not checked", every other flow keeps
//! its verdict, a note says how many changed, and undoing the edit brings all back.
//! Screenshots at 1440 and 390 px land in `target/e2e-reports/`.
//!
//! Run by `cargo xtask test` (it needs `PORTPLAN_SITE_URL`).
#![cfg(feature = "browser")]

use portplan_tests::browser::{self, required_env, root};

use portplan_core::{Plan, Scenario};
use serde_json::Value;
use std::path::Path;
use std::time::Duration;

const BROWSER_DEADLINE: Duration = Duration::from_secs(180);

fn run_browser(url: &str, out: &Path, scenario: &Path) {
    browser::run_script(
        "reports.cjs",
        url,
        out,
        &[
            ("SCENARIO_FILE", &scenario),
            ("REPORT_FILE", &out.join("report.json")),
        ],
        BROWSER_DEADLINE,
    );
}

/// A report of every flow of `plan`: the first TCP flow to the edited workload fails,
/// one flow elsewhere needs attention, the rest pass.
fn report(plan: &Plan, edited: &str) -> Value {
    let failing = plan
        .flows
        .iter()
        .position(|f| f.to == edited && f.ports.is_some())
        .expect("a flow to the edited workload");
    let attention = plan
        .flows
        .iter()
        .position(|f| f.from != edited && f.to != edited && f.ports.is_some())
        .expect("a flow elsewhere");
    let flows: Vec<Value> = plan
        .flows
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let (status, verdict, reason, hint) = match i {
                _ if i == failing => (
                    "fail",
                    "filtered",
                    "no-response",
                    "filtered: a firewall drops the port",
                ),
                _ if i == attention => (
                    "attention",
                    "closed",
                    "conn-refused",
                    "closed: nothing listens yet",
                ),
                _ => ("pass", "open", "syn-ack", ""),
            };
            serde_json::json!({
                "phase": f.phase, "from": f.from, "to": f.to, "protocol": f.protocol,
                "ports": f.ports, "purpose": f.purpose, "rule": f.rule, "address": f.address,
                "optional": f.optional, "notes": f.notes, "status": status, "hint": hint,
                "probes": [{ "protocol": f.protocol, "port": f.ports.map(|p| p.first),
                    // A run over the flow's ports: a report's probes cover its flow.
                    "through": f.ports.filter(|p| p.last > p.first).map(|p| p.last),
                    "verdict": verdict,
                    "reason": if f.ports.is_none() { "echo-reply" } else { reason },
                    "latency_ms": 0.4, "attempts": 1, "detail": "" }]
            })
        })
        .collect();
    serde_json::json!({
        "format": 1, "plan_digest": plan.digest(), "catalog": plan.catalog,
        "probed_from": "ps01", "host": "ps01",
        "started": "2026-01-01T00:00:00Z", "finished": "2026-01-01T00:00:02Z", "flows": flows
    })
}

fn rows(v: &Value) -> Vec<(String, String, String)> {
    v.as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            let s = |k: &str| r[k].as_str().expect(k).to_string();
            (s("dir"), s("rule"), s("status"))
        })
        .collect()
}

#[test]
fn reports_stay_attached_to_the_flows_an_edit_did_not_change() {
    let url = required_env("PORTPLAN_SITE_URL");
    let out = browser::artifacts("e2e-reports");
    let scenario_path = root().join("examples/wave-5.json");
    let scenario = Scenario::from_json(&std::fs::read_to_string(&scenario_path).expect("example"))
        .expect("scenario");
    let plan = Plan::build(&scenario).expect("plan");
    let edited = scenario.workloads[1].name.clone();
    let text = report(&plan, &edited).to_string();
    portplan_core::report::Report::from_json(&text).expect("the report reads");
    std::fs::write(out.join("report.json"), text).expect("report");
    run_browser(&url, &out, &scenario_path);
    let r: Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("result.json")).expect("result.json"),
    )
    .expect("result.json parses");
    assert_eq!(r["console"], serde_json::json!([]), "console errors");

    for (width, px) in [("w1440", 1440), ("w390", 390)] {
        let r = &r[width];
        assert_eq!(r["message"], "report.json: loaded", "{width}");
        // With reports loaded (summary and every-flow tables), the page is no wider
        // than the screen.
        assert!(
            r["page_width"].as_u64().expect("page width") <= px,
            "{width}: the page is {} px wide",
            r["page_width"]
        );
        let before = rows(&r["before"]);
        assert_eq!(before.len(), plan.flows.len(), "{width}");
        assert!(
            before.iter().all(|(_, _, s)| s != "not checked"),
            "{before:?}"
        );
        assert!(before.iter().any(|(_, _, s)| s == "fail"));
        // The same flows after the edit (an address changes no flow's ports), each
        // with its verdict unless the edited workload is one of its ends.
        let after = rows(&r["after"]);
        assert_eq!(after.len(), before.len(), "{width}");
        let touches = |dir: &str| dir.split(" → ").any(|h| h == edited);
        let mut changed = 0;
        for (b, a) in before.iter().zip(&after) {
            assert_eq!((&a.0, &a.1), (&b.0, &b.1), "{width}: flow order");
            if touches(&a.0) {
                changed += 1;
                assert_eq!(
                    a.2, "not checked",
                    "{width}: {a:?} was measured at the old address"
                );
            } else {
                assert_eq!(a.2, b.2, "{width}: {a:?} did not change");
            }
        }
        assert!(changed > 0 && changed < after.len());
        assert!(
            after.iter().any(|(_, _, s)| s == "attention"),
            "the attention elsewhere stays"
        );
        let note = r["note"].as_str().expect("note");
        assert!(
            note.contains(&format!("{changed} checked flows changed"))
                && note.contains("verdicts of the flows it did not change are kept"),
            "{note}"
        );
        let reports = r["reports"].as_array().expect("reports");
        assert_eq!(reports.len(), 1);
        assert_eq!(reports[0]["applies"], "true", "{reports:?}");
        assert_eq!(rows(&r["undone"]), before, "{width}: undoing the edit");
    }
    for shot in ["reports-1440.png", "reports-390.png"] {
        let len = std::fs::metadata(out.join(shot)).map_or(0, |m| m.len());
        assert!(len > 10_000, "{shot}: {len} bytes");
    }
}
