//! The exports module's pure part, natively: its files equal the CLI's exporters, a
//! report of another plan is refused, and the verification view shows verdicts, the
//! core's fixes and escapes what comes from files.

use portplan_core::diagram::Overlay;
use portplan_core::export;
use portplan_core::report::Report;
use portplan_core::{Plan, Scenario};
use portplan_web_exports::verdicts::Loaded;
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
                    "through": f.ports.filter(|p| p.last > p.first).map(|p| p.last),
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

/// The reports `files` (name, text) loaded on the page for `p`, as its input does.
fn loaded(p: &Plan, files: &[(&str, &str)]) -> Loaded {
    let p = std::rc::Rc::new(p.clone());
    files.iter().fold(Loaded::default(), |set, (name, text)| {
        let (next, line) = set.load(&p, name, Ok(text.to_string()));
        assert!(line.is_ok(), "{line:?}");
        next
    })
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
    assert!(verdicts::overlay(&other, &Loaded::texts(&[r])).is_none());
}

#[test]
fn the_view_shows_verdicts_fixes_with_rules_and_escapes_file_text() {
    let p = plan();
    // The target opens the replication port to the source (the vendor's default).
    let r = report(&p, "web01-t");
    let html = view::render(&p, &loaded(&p, &[("<b>r.json", &r)]));
    assert!(html.contains("&lt;b&gt;r.json"), "{html}");
    assert!(!html.contains("<b>r.json"));
    assert!(html.contains("filtered: &lt;a firewall&gt; drops it"));
    // The failing flow is the first fix, with its rule in the dialects of its host
    // (web01 runs Windows: PowerShell and netsh, no Linux firewall).
    let first_fix = html.find("<li class=\"fix\"").expect("a fix");
    assert!(html[first_fix..].starts_with(
        "<li class=\"fix\" data-status=\"fail\" data-rule=\"transfer.replication.source-listens\""
    ));
    for d in portplan_core::report::fixes::Dialect::ALL {
        let windows = matches!(
            d,
            portplan_core::report::fixes::Dialect::Powershell
                | portplan_core::report::fixes::Dialect::Netsh
        );
        assert_eq!(
            html.contains(&format!("data-dialect=\"{}\"", d.as_str())),
            windows,
            "{d:?}"
        );
    }
    assert!(
        html.contains("The rule for web01's firewall (Windows)"),
        "{html}"
    );
    assert!(html.contains("TCP 3725: filtered (no-response, 2 attempts)"));
    assert!(html.contains(": open (syn-ack) 0.2 ms") || html.contains(": open (syn-ack) 0.3 ms"));
    // Marks read without color: an icon (hidden from screen readers) and the word.
    assert!(html.contains(
        "<span class=\"status status-fail\" title=\"failed\"><span class=\"icon\" aria-hidden=\"true\">✖</span> fail</span>"
    ));
    assert!(html.contains("aria-hidden=\"true\">○</span> not checked"));
    // Flows nobody probed are listed as such, with the check that covers them.
    assert!(html.contains("data-status=\"not checked\""));
    assert!(html.contains("run <code>portplan check --from ps01</code> on ps01"));
    // Without reports, nothing but the (empty) list.
    assert_eq!(
        view::render(&p, &Loaded::default()),
        "<ul class=\"reports\"></ul>"
    );
}

/// Three reports of one plan: failures first in "What to fix", then attention, each
/// line with its mark's icon; the merged view is the core's.
#[test]
fn three_reports_list_failures_first_with_icons() {
    let p = plan();
    // web01-t fails 3725; web01's flows and the server's pass or need attention.
    let attention = |r: String, from: &str| {
        let mut v: serde_json::Value = serde_json::from_str(&r).expect("json");
        for f in v["flows"].as_array_mut().expect("flows") {
            if f["from"] == from {
                f["status"] = "attention".into();
                f["hint"] = "closed: nothing listens".into();
                f["probes"][0]["verdict"] = "closed".into();
                f["probes"][0]["reason"] = "conn-refused".into();
            }
        }
        v.to_string()
    };
    let reports = [
        attention(report(&p, "ps01"), "ps01"),
        report(&p, "web01-t"),
        report(&p, "web01"),
    ];
    let names = ["ps01.json", "web01-t.json", "web01.json"];
    let files: Vec<(&str, &str)> = names
        .into_iter()
        .zip(reports.iter().map(String::as_str))
        .collect();
    let html = view::render(&p, &loaded(&p, &files));
    let fixes: Vec<&str> = html
        .match_indices("<li class=\"fix\" data-status=\"")
        .map(|(i, m)| {
            let rest = &html[i + m.len()..];
            &rest[..rest.find('"').unwrap_or(0)]
        })
        .collect();
    assert!(fixes.len() > 2, "{fixes:?}");
    assert_eq!(fixes[0], "fail", "{fixes:?}");
    let first_attention = fixes
        .iter()
        .position(|s| *s == "attention")
        .expect("attention");
    assert!(
        fixes[first_attention..].iter().all(|s| *s == "attention"),
        "{fixes:?}"
    );
    assert!(html.contains("aria-hidden=\"true\">▲</span> attention"));
    assert!(html.contains("aria-hidden=\"true\">✔</span> pass"));
}

/// The page builds plans of up to 10,000 workloads and sends them to this module as JSON:
/// it reads every one (the plan's cap is not the scenario's 8 MiB).
#[test]
fn the_page_reads_a_plan_of_ten_thousand_workloads() {
    use portplan_core::scenario::{MAX_INPUT_BYTES, MAX_WORKLOADS};
    let workloads: Vec<serde_json::Value> = (0..MAX_WORKLOADS)
        .map(|i| {
            serde_json::json!({"name": format!("web{i:05}"), "address": format!("10.{}.{}.{}", 1 + i / 62500, i / 250 % 250, i % 250 + 1),
                "os": "windows", "windows": "2019", "drives": ["C", "D"],
                "target": {"name": format!("web{i:05}-t"), "address": format!("10.{}.{}.{}", 100 + i / 62500, i / 250 % 250, i % 250 + 1)}})
        })
        .collect();
    let text = serde_json::json!({"format": 1, "product": "migrate", "version": "2019.5",
        "server": {"name": "ps01", "address": "10.0.0.5"}, "workloads": workloads})
    .to_string();
    let plan = Plan::build(&Scenario::from_json(&text).expect("scenario")).expect("plan");
    let json = plan.to_json();
    assert!(json.len() > MAX_INPUT_BYTES, "{} bytes", json.len());
    let read = portplan_web_exports::read_plan(&json).expect("the page reads it");
    assert_eq!(read.flows.len(), plan.flows.len());
}
