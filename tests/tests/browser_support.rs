//! What the product supports, in a real browser (Debian's headless Chromium via
//! playwright-core; `tests/browser/support.cjs` acts, this test asserts): the version
//! picker lists the core's release table per product, free text is planned with the
//! core's warning, and options a release or OS does not have are disabled with the
//! reason shown; imports explain their errors in words, recognise plans and reports,
//! and can be undone. Screenshots at 1440 and 390 px land in `target/e2e-support/`.
//!
//! Run by `cargo xtask test` (it needs `PORTPLAN_SITE_URL`).
#![cfg(feature = "browser")]

use portplan_tests::browser::{self, required_env, root};

use portplan_core::releases;
use portplan_core::support::Feature;
use portplan_core::types::Version;
use portplan_core::{Plan, Product, Scenario};
use serde_json::Value;
use std::path::Path;
use std::time::Duration;

const BROWSER_DEADLINE: Duration = Duration::from_secs(180);

fn run_browser(url: &str, out: &Path) {
    browser::run_script(
        "support.cjs",
        url,
        out,
        &[
            ("SCENARIO_FILE", &root().join("examples/legacy-block.json")),
            ("REPORT_FILE", &out.join("report.json")),
        ],
        BROWSER_DEADLINE,
    );
}

/// The option of a select with this value.
fn option<'a>(options: &'a Value, value: &str) -> &'a Value {
    options
        .as_array()
        .expect("options")
        .iter()
        .find(|o| o["value"] == value)
        .unwrap_or_else(|| panic!("no option {value} in {options}"))
}

fn disabled(options: &Value, value: &str) -> bool {
    option(options, value)["disabled"] == true
}

fn picks(s: &Value) -> Vec<String> {
    s["picks"]
        .as_array()
        .expect("picks")
        .iter()
        .map(|o| o["value"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn reason(f: Feature, product: Product, v: &str) -> String {
    f.reason(product, &Version::parse(v).expect("version"))
        .expect("not offered")
}

#[test]
fn version_picker_and_options_by_release() {
    let url = required_env("PORTPLAN_SITE_URL");
    let out = browser::artifacts("e2e-support");
    // A report of one flow of examples/legacy-block.json's plan: the others are not checked.
    let scenario = Scenario::from_json(
        &std::fs::read_to_string(root().join("examples/legacy-block.json")).expect("example"),
    )
    .expect("scenario");
    let plan = Plan::build(&scenario).expect("plan");
    let f = plan
        .flows
        .iter()
        .find(|f| f.ports.is_some())
        .expect("a flow with ports");
    let ports = serde_json::to_value(f.ports).expect("ports");
    let report = serde_json::json!({
        "format": 1, "plan_digest": plan.digest(), "probed_from": f.from, "host": f.from,
        "started": "2026-01-01T00:00:00Z", "finished": "2026-01-01T00:00:02Z",
        "flows": [{ "phase": f.phase, "from": f.from, "to": f.to, "protocol": f.protocol,
            "ports": ports, "purpose": f.purpose, "rule": f.rule, "status": "fail",
            "hint": "filtered: a firewall drops the port",
            "probes": [{ "protocol": f.protocol, "port": ports["first"],
                "through": f.ports.filter(|p| p.last > p.first).map(|p| p.last), "verdict": "filtered",
                "reason": "no-response", "latency_ms": null, "attempts": 2, "detail": "" }] }]
    });
    std::fs::write(out.join("report.json"), report.to_string()).expect("report");
    run_browser(&url, &out);
    let r: Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("result.json")).expect("result.json"),
    )
    .expect("result.json parses");
    assert_eq!(r["console"], serde_json::json!([]), "console errors");

    // The picker is the core's table of the chosen product, plus "another version".
    let table = |p: Product| {
        let mut v: Vec<String> = releases::of(p).map(|r| r.version.to_string()).collect();
        v.push("other".into());
        v
    };
    assert_eq!(picks(&r["ps813"]), table(Product::PortabilitySuite));
    assert_eq!(picks(&r["m122"]), table(Product::Migrate));

    // Portability Suite 8.1.3: legacy block only, no Agent, no target-listens, no connectors.
    let s = &r["ps813"];
    assert_eq!(s["version_field"], false);
    assert_eq!(s["warning"], Value::Null);
    assert!(disabled(&s["transfer"], "block"));
    assert!(!disabled(&s["transfer"], "block-legacy"));
    assert_eq!(
        option(&s["transfer"], "block")["title"],
        reason(Feature::Block, Product::PortabilitySuite, "8.1.3")
    );
    assert!(disabled(&s["replication"], "target-listens"));
    assert_eq!(s["agent_disabled"], true);
    let agent = reason(Feature::Agent, Product::PortabilitySuite, "8.1.3");
    assert_eq!(s["agent_title"], agent);
    let shown = s["not_offered"].as_str().expect("reasons shown");
    assert!(shown.contains(&agent), "{shown}");
    assert_eq!(s["connector_disabled"], true);
    assert_eq!(
        s["connector_note"],
        reason(Feature::Messaging, Product::PortabilitySuite, "8.1.3")
    );
    assert!(s["flows"].as_u64().unwrap_or(0) > 0);

    // Migrate 12.2: the Agent and block, no legacy block; target-listens comes with the
    // Agent (rules v3: the 12.2.2 page says the agent's source contacts the target).
    let s = &r["m122"];
    assert_eq!(s["agent_disabled"], false);
    assert!(!disabled(&s["transfer"], "block"));
    assert!(disabled(&s["transfer"], "block-legacy"));
    assert!(!disabled(&s["replication"], "target-listens"));
    assert_eq!(s["connector_disabled"], true);

    // Free text: 2019.6 is planned, with the core's warning naming its neighbours.
    let s = &r["m2019_6"];
    assert_eq!(s["version_field"], true);
    assert_eq!(
        s["warning"],
        releases::warning(Product::Migrate, &Version::parse("2019.6").expect("v"))
            .expect("warning")
    );
    assert!(
        s["flows"].as_u64().unwrap_or(0) > 0,
        "an unknown version still plans"
    );
    assert_eq!(s["problems"], 0);

    // Migrate 2019.5: target-listens and connectors are offered.
    let s = &r["m2019_5"];
    assert_eq!(s["warning"], Value::Null);
    assert!(!disabled(&s["replication"], "target-listens"));
    assert_eq!(s["connector_disabled"], false);
    assert_eq!(s["connector_note"], Value::Null);

    // A Linux row: no VSS, no legacy block, and the reason is shown.
    let s = &r["linux"];
    assert!(disabled(&s["transfer"], "vss-bbt"));
    assert!(!disabled(&s["transfer"], "block"));
    assert!(s["not_offered"]
        .as_str()
        .is_some_and(|t| t.contains("Windows only")));
    assert!(
        r["width_390"].as_u64().unwrap_or(9999) <= 390,
        "page wider than a phone"
    );

    // Imports: errors in words with line and column, no JSON path; plans and reports
    // recognised (a report goes to Verification); a successful import can be undone.
    let cut = r["import_cut"].as_str().expect("message");
    assert!(cut.contains("ends too early, at line 4, column 0"), "{cut}");
    assert!(!cut.contains("$:"), "{cut}");
    let plan_msg = r["import_plan"].as_str().expect("message");
    assert!(plan_msg.contains("this is a plan"), "{plan_msg}");
    assert!(!plan_msg.contains("unknown field"), "{plan_msg}");
    let report = r["import_report"].as_str().expect("message");
    // The file has a report's shape (it goes to Verification) but a made-up digest:
    // Verification refuses it, and the import says both.
    assert!(
        report.contains(
            "a verification report, not a scenario: under Verification it was not loaded"
        ) && report.contains("not a portplan report"),
        "{report}"
    );
    assert!(
        r["report_message"].as_str().is_some_and(|m| !m.is_empty()),
        "the Verification section answered: {}",
        r["report_message"]
    );
    assert_eq!(r["undo_before"], false, "nothing to undo before an import");
    assert!(r["import_ok"]
        .as_str()
        .is_some_and(|m| m.starts_with("imported legacy-block.json")));
    assert_eq!(r["after_import"]["product"], "portability-suite");
    let u = &r["after_undo"];
    assert_eq!(u["product"], "migrate");
    assert_eq!(u["version"], "2019.5");
    assert_eq!(u["rows"], 1);
    assert_eq!(u["os"], "linux");
    assert!(u["message"]
        .as_str()
        .is_some_and(|m| m.starts_with("undone")));

    // Print: results, not the wizard; the share link and a summary; details open.
    let pr = &r["print"];
    assert_eq!(pr["wizard"], false, "the wizard is not printed");
    assert_eq!(pr["link_visible"], true);
    assert!(
        pr["link"].as_str().is_some_and(|l| l.contains("#s=")),
        "{}",
        pr["link"]
    );
    assert_eq!(pr["summary_visible"], true);
    assert!(pr["summary"]
        .as_str()
        .is_some_and(|t| t.starts_with("Plan for PlateSpin Migrate 2019.5")));
    assert_eq!(pr["firewall"], true);
    assert_eq!(pr["plan"], true);
    assert!(pr["details"].as_u64().unwrap_or(0) > 0);
    assert_eq!(pr["closed"], 0, "sources and notes are expanded in print");
    assert_eq!(pr["closed_after"], pr["details"], "and closed again after");

    // Skip links are the first tab stops and move the focus.
    assert_eq!(
        r["skip_results"],
        serde_json::json!(["skip-results", "results"])
    );
    assert_eq!(
        r["skip_downloads"],
        serde_json::json!(["skip-downloads", "downloads"])
    );

    // axe-core: no serious or critical violation, at 1440 and 390 px.
    for key in ["axe_1440", "axe_390"] {
        let bad: Vec<&Value> = r[key]
            .as_array()
            .expect("axe ran")
            .iter()
            .filter(|v| v["impact"] == "serious" || v["impact"] == "critical")
            .collect();
        assert!(bad.is_empty(), "{key}: {bad:#?}");
    }
    // Flows no report covers say which check to run, from the host that opens them.
    let rows = r["not_checked"].as_array().expect("verdict rows");
    assert_eq!(rows.len(), plan.flows.len());
    let mut unchecked = 0;
    for row in rows {
        let hint = row["hint"].as_str().unwrap_or_default();
        if row["status"] == "not checked" {
            let from = plan
                .flows
                .iter()
                .find(|p| {
                    p.rule == row["rule"]
                        && row["dir"].as_str() == Some(format!("{} → {}", p.from, p.to).as_str())
                })
                .map(|p| p.from.clone())
                .expect("flow of the plan");
            assert!(
                hint.contains(&format!("run portplan check --from {from} on {from}")),
                "{row}"
            );
            unchecked += 1;
        } else {
            assert_eq!(hint, "", "{row}");
        }
    }
    assert_eq!(unchecked, plan.flows.len() - 1);
    // Issue 14: the address bar holds the scenario on screen after an import or a
    // paste, so a reload gives it back; a draft with problems has no link.
    let l = &r["link"];
    let edited = l["edited"].as_str().expect("hash after an edit");
    assert!(edited.starts_with("#s="), "{l}");
    let pasted = l["pasted"].as_str().expect("hash after a paste");
    assert!(
        pasted.starts_with("#s=") && pasted != edited,
        "a paste (same plan, other drives) changes the link: {l}"
    );
    assert!(
        l["pasted_box"]
            .as_str()
            .is_some_and(|b| b.ends_with(pasted)),
        "{l}"
    );
    assert_eq!(
        l["pasted_reloaded"],
        serde_json::json!({ "server": "ps77", "drives": "C, D" }),
        "a reload after the paste gives the pasted rows"
    );
    assert_eq!(l["invalid"], "", "no link for an import with problems: {l}");
    assert!(
        l["invalid_box"]
            .as_str()
            .is_some_and(|b| !b.contains("#s=")),
        "{l}"
    );
    let imported = l["imported"].as_str().expect("hash after an import");
    assert!(
        imported.starts_with("#s=") && imported != pasted,
        "an import has its own link: {l}"
    );
    assert!(
        l["imported_box"]
            .as_str()
            .is_some_and(|b| b.ends_with(imported)),
        "{l}"
    );
    assert!(
        l["imported_reloaded"]
            .as_str()
            .is_some_and(|t| t.contains("Portability Suite 8.1.3")),
        "a reload after the import shows it: {l}"
    );
    for png in ["support-1440.png", "support-390.png", "print-1440.png"] {
        assert!(out.join(png).exists(), "{png}");
    }
}
