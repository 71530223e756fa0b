//! Every plan the planner makes is readable by every consumer: a wave of 10,000 workloads
//! (the most a scenario may have) goes through `fleet`, `check --plan` and `listen --plan`
//! (the page's reader: `web-exports/tests/exports.rs`), although its plan is far above the
//! scenario's 8 MiB cap.

use portplan_core::scenario::{MAX_INPUT_BYTES, MAX_PLAN_BYTES, MAX_WORKLOADS};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_portplan");

/// 10,000 workloads on loopback addresses of their own (127.27.x.y, targets 127.28.x.y),
/// every second one Windows with two drives.
fn scenario() -> String {
    let workloads: Vec<serde_json::Value> = (0..MAX_WORKLOADS)
        .map(|i| {
            let (a, b) = (i / 250, i % 250 + 1);
            let mut w = serde_json::json!({"name": format!("web{i:05}"),
                "address": format!("127.27.{a}.{b}"), "os": "linux",
                "target": {"name": format!("web{i:05}-t"), "address": format!("127.28.{a}.{b}")}});
            if i % 2 == 1 {
                w["os"] = "windows".into();
                w["windows"] = "2019".into();
                w["drives"] = serde_json::json!(["C", "D"]);
            }
            w
        })
        .collect();
    serde_json::json!({"format": 1, "product": "migrate", "version": "2019.5",
        "server": {"name": "ps01", "address": "127.27.250.1"}, "workloads": workloads})
    .to_string()
}

#[test]
fn a_plan_of_ten_thousand_workloads_reads_everywhere() {
    let dir = portplan_tests::servers::TempDir::new("plan-10k");
    let s = dir.write("wave.json", &scenario());
    let out = dir.join("fleet");
    let o = Command::new(BIN)
        .args([
            "fleet",
            "--scenario",
            s.to_str().expect("path"),
            "--format",
            "ansible",
            "-o",
        ])
        .arg(&out)
        .output()
        .expect("fleet");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let plan = out.join("plan.json");
    let text = std::fs::read_to_string(&plan).expect("plan");
    assert!(
        text.len() > MAX_INPUT_BYTES && text.len() < MAX_PLAN_BYTES / 2,
        "the plan is {} bytes",
        text.len()
    );
    drop(text);
    let plan = plan.to_str().expect("path");

    let o = Command::new(BIN)
        .args([
            "check",
            "--plan",
            plan,
            "--from",
            "web00001-t",
            "--to",
            "web00001",
        ])
        .args([
            "--no-deep",
            "--no-progress",
            "--timeout",
            "200ms",
            "--retries",
            "0",
            "-f",
            "json",
        ])
        .output()
        .expect("check");
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let report = portplan_core::report::Report::from_json(&String::from_utf8_lossy(&o.stdout))
        .expect("report");
    assert!(!report.flows.is_empty() && report.flows.iter().all(|f| f.to == "web00001"));

    let o = Command::new(BIN)
        .args(["listen", "--plan", plan, "--as", "web09999", "--for", "1s"])
        .output()
        .expect("listen");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        stdout.contains("listening tcp/3725 on 127.27.39.250:3725"),
        "{stdout}"
    );
}
