//! The exports module's pure part, natively: its files equal the CLI's exporters, a
//! report of another plan is refused, and the verification view shows verdicts, the
//! core's fixes and escapes what comes from files.

use portplan_core::diagram::Overlay;
use portplan_core::export;
use portplan_core::report::Report;
use portplan_core::{Plan, Scenario};
use portplan_web_exports::{file, verdicts, view};

fn plan() -> Plan {
    let text = include_str!("../../examples/windows-file.json");
    Plan::build(&Scenario::from_json(text).expect("example")).expect("plan")
}

/// A report of `plan`: every flow from `from` probed; 3725 filtered, others open.
fn report(plan: &Plan, from: &str) -> String {
    let flows: Vec<serde_json::Value> = plan
        .flows
        .iter()
        .filter(|f| f.from == from && f.ports.is_some())
        .map(|f| {
            let port = f.ports.expect("ports").first.get();
            let filtered = port == 3725;
            serde_json::json!({
                "phase": f.phase, "from": f.from, "to": f.to, "protocol": f.protocol,
                "ports": f.ports, "purpose": f.purpose, "rule": f.rule,
                "status": if filtered { "fail" } else { "pass" },
                "hint": if filtered { "filtered: <a firewall> drops it" } else { "" },
                "probes": [{"protocol": f.protocol, "port": port,
                    "verdict": if filtered { "filtered" } else { "open" },
                    "reason": if filtered { "no-response" } else { "syn-ack" },
                    "latency_ms": if filtered { None } else { Some(0.25) },
                    "attempts": if filtered { 2 } else { 1 }, "detail": ""}]
            })
        })
        .collect();
    assert!(!flows.is_empty());
    serde_json::json!({
        "format": 1, "plan_digest": plan.digest(), "probed_from": from, "host": from,
        "started": "2026-01-01T00:00:00Z", "finished": "2026-01-01T00:00:02Z", "flows": flows
    })
    .to_string()
}

#[test]
fn files_equal_the_core_exporters() {
    let p = plan();
    let json = p.to_json();
    let csv = file(&json, "csv", &[], "2026-01-02").expect("csv");
    assert_eq!(csv, export::csv::render(&p).into_bytes());
    let md = file(&json, "md", &[], "2026-01-02").expect("md");
    assert_eq!(md, export::markdown::render(&p).into_bytes());
    let r = report(&p, "web01");
    let svg = file(&json, "svg", std::slice::from_ref(&r), "").expect("svg");
    let overlay = Overlay::from_report(&Report::from_json(&r).expect("report"));
    assert_eq!(svg, export::svg::render(&p, Some(&overlay)).into_bytes());
    let pdf = file(&json, "pdf", &[], "2026-01-02").expect("pdf");
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(file(&json, "exe", &[], "").is_err());
    assert!(file("{}", "csv", &[], "").is_err());
}

#[test]
fn reports_of_another_plan_are_refused_and_never_drawn() {
    let p = plan();
    let r = report(&p, "web01");
    assert_eq!(verdicts::refusal(&p, &r), None);
    let other = Plan::build(
        &Scenario::from_json(include_str!("../../examples/legacy-block.json")).expect("example"),
    )
    .expect("plan");
    let why = verdicts::refusal(&other, &r).expect("refused");
    assert!(why.contains("checked another plan"), "{why}");
    assert!(
        why.contains(&p.digest()) && why.contains(&other.digest()),
        "{why}"
    );
    assert!(verdicts::refusal(&p, "{}")
        .expect("refused")
        .starts_with("not a portplan report"));
    // The plan changed after loading: the overlay is empty, the CLI's output without --report.
    assert_eq!(verdicts::overlay(&other, &[r]), None);
}

#[test]
fn the_view_shows_verdicts_fixes_with_rules_and_escapes_file_text() {
    let p = plan();
    // The target opens the replication port to the source (the vendor's default).
    let r = report(&p, "web01-t");
    let html = view::render(&p, std::slice::from_ref(&r), &["<b>r.json".to_string()]);
    assert!(html.contains("&lt;b&gt;r.json"), "{html}");
    assert!(!html.contains("<b>r.json"));
    assert!(html.contains("filtered: &lt;a firewall&gt; drops it"));
    // The failing flow is the first fix, with its rule in every dialect.
    let first_fix = html.find("<li class=\"fix\"").expect("a fix");
    assert!(html[first_fix..].starts_with(
        "<li class=\"fix\" data-status=\"fail\" data-rule=\"transfer.replication.source-listens\""
    ));
    for d in portplan_core::fixes::Dialect::ALL {
        assert!(
            html.contains(&format!("data-dialect=\"{}\"", d.as_str())),
            "{d:?}"
        );
    }
    assert!(html.contains("TCP 3725: filtered (no-response, 2 attempts)"));
    assert!(html.contains(": open (syn-ack, 0.2 ms)") || html.contains(": open (syn-ack, 0.3 ms)"));
    // Flows nobody probed are listed as such.
    assert!(html.contains("data-status=\"not checked\""));
    // Without reports, nothing but the (empty) list.
    assert_eq!(view::render(&p, &[], &[]), "<ul class=\"reports\"></ul>");
}
