//! `portplan plan --format svg`: the CLI prints exactly the core's diagram.

use portplan_core::{export::svg, Plan, Scenario};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn plan_format_svg_prints_the_diagram_of_every_example() {
    for ex in [
        "windows-file",
        "legacy-block",
        "migrate-2020",
        "wave-5",
        "wave-50",
    ] {
        let path = format!("examples/{ex}.json");
        let o = Command::new(env!("CARGO_BIN_EXE_portplan"))
            .args(["plan", "--scenario", &path, "--format", "svg"])
            .current_dir(root())
            .output()
            .expect("run portplan");
        assert!(
            o.status.success(),
            "{ex}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let text = std::fs::read_to_string(root().join(&path)).expect("example");
        let plan = Plan::build(&Scenario::from_json(&text).expect("scenario")).expect("plan");
        let out = String::from_utf8(o.stdout).expect("utf-8");
        assert!(
            out.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
            "{ex}"
        );
        assert_eq!(out, svg::render(&plan, None), "{ex}");
    }
}

/// A report of `plan` where port 445 is filtered and everything else open.
fn report_of(plan: &Plan, digest: &str) -> String {
    use portplan_core::report::{FlowReport, ProbeResult, Reason, Report, Status, Verdict};
    let flows = plan
        .flows
        .iter()
        .map(|f| {
            let port = f.ports.map(|r| r.first);
            let bad = port.map(|p| p.get()) == Some(445);
            let verdict = if bad {
                Verdict::Filtered
            } else {
                Verdict::Open
            };
            let probe = ProbeResult {
                protocol: f.protocol,
                port,
                // One entry for the flow's ports: a report's probes cover its flow.
                through: f.ports.filter(|r| r.last > r.first).map(|r| r.last),
                verdict,
                reason: if bad {
                    Reason::NoResponse
                } else {
                    Reason::SynAck
                },
                latency_ms: None,
                attempts: 1,
                detail: String::new(),
                dialed: None,
                local: None,
            };
            let status = if bad { Status::Fail } else { Status::Pass };
            FlowReport::new(f, status, String::new(), vec![probe])
        })
        .collect();
    Report {
        preflight: Vec::new(),
        format: 1,
        plan_digest: digest.to_string(),
        catalog: String::new(),
        probed_from: "ps01".into(),
        host: "ps01".into(),
        started: "2026-11-25T01:00:00Z".into(),
        finished: "2026-11-25T01:00:05Z".into(),
        flows,
    }
    .to_json()
}

#[test]
fn plan_format_svg_with_a_report_draws_its_verdicts_and_refuses_another_plans() {
    let path = "examples/migrate-2020.json";
    let text = std::fs::read_to_string(root().join(path)).expect("example");
    let plan = Plan::build(&Scenario::from_json(&text).expect("scenario")).expect("plan");
    let dir = std::env::temp_dir().join(format!("portplan-svg-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let good = dir.join("good.json");
    let other = dir.join("other.json");
    std::fs::write(&good, report_of(&plan, &plan.digest())).expect("write");
    let wrong = format!("sha256:{}", "0".repeat(64));
    std::fs::write(&other, report_of(&plan, &wrong)).expect("write");
    let run = |report: &Path| {
        Command::new(env!("CARGO_BIN_EXE_portplan"))
            .args(["plan", "--scenario", path, "--format", "svg", "--report"])
            .arg(report)
            .current_dir(root())
            .output()
            .expect("run portplan")
    };
    let ok = run(&good);
    let bad = run(&other);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let report = portplan_core::report::Report::from_json(&report_of(&plan, &plan.digest()))
        .expect("report");
    let overlay = portplan_core::diagram::Overlay::from_report(&report);
    let out = String::from_utf8(ok.stdout).expect("utf-8");
    assert_eq!(out, svg::render(&plan, Some(&overlay)));
    assert!(out.contains(r##"<tspan fill="#cf222e" font-weight="bold">445</tspan>"##));
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("the report checked another plan"), "{err}");
}
