//! The planner page in a real browser (Debian's headless Chromium via playwright-core):
//! fill the wizard, read the plan, download files, reopen the share link, and check
//! the page never talked to anything but its own origin.
//!
//! Run by `cargo xtask test`, which builds the site, serves it on loopback and passes
//! `PORTPLAN_SITE_URL` and `PORTPLAN_BIN` (the `portplan` CLI to compare against).
//! The screenshot is left in `target/e2e-web/planner.png`.

use portplan_core::{Plan, Scenario};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What the browser run must reproduce: the issue's two workloads on Portability Suite 8.1.3.
const EXPECTED_SCENARIO: &str = r#"{
  "format": 1, "product": "portability-suite", "version": "8.1.3",
  "server": { "name": "ps01", "address": "192.168.10.5" },
  "workloads": [
    { "name": "web01", "address": "192.168.20.10", "os": "windows", "windows": "2016",
      "drives": ["C"], "transfer": "file",
      "target": { "name": "web01-t", "address": "192.168.30.10" } },
    { "name": "db01", "address": "192.168.20.11", "os": "windows", "windows": "2003",
      "drives": ["C", "E"], "transfer": "block-legacy",
      "target": { "name": "db01-t", "address": "192.168.30.11" } }
  ]
}"#;

const BROWSER_DEADLINE: Duration = Duration::from_secs(180);

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

fn required_env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run the browser tests through `cargo xtask test`")
    })
}

/// Runs the browser script, bounded in time; its stdout/stderr go to the test output.
fn run_browser(url: &str, out: &Path) {
    let script = root().join("tests/browser/planner.cjs");
    let mut child = Command::new("node")
        .arg(&script)
        .arg(url)
        .arg(out)
        .env("NODE_PATH", root().join("target/tools/node_modules"))
        .env("IMPORT_FILE", root().join("examples/legacy-block.json"))
        .stdin(Stdio::null())
        .spawn()
        .expect("node runs");
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            assert!(status.success(), "browser script failed: {status}");
            return;
        }
        if start.elapsed() > BROWSER_DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("browser script still running after {BROWSER_DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn cli_plan(scenario: &Path) -> Vec<u8> {
    let out = Command::new(required_env("PORTPLAN_BIN"))
        .args(["plan", "--format", "json", "--scenario"])
        .arg(scenario)
        .output()
        .expect("portplan runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn has_flow(flows: &Value, from: &str, to: &str, ports: &str) -> bool {
    flows
        .as_array()
        .expect("flows")
        .iter()
        .any(|f| f["dir"] == format!("{from} → {to}").as_str() && f["ports"] == ports)
}

fn origin(url: &str) -> &str {
    let rest = url.strip_prefix("blob:").unwrap_or(url);
    let after_scheme = rest.find("://").map_or(0, |i| i + 3);
    let end = rest[after_scheme..]
        .find('/')
        .map_or(rest.len(), |i| after_scheme + i);
    &rest[..end]
}

#[test]
fn planner_page_end_to_end() {
    let url = required_env("PORTPLAN_SITE_URL");
    let out = root().join("target/e2e-web");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).expect("artifact dir");
    run_browser(&url, &out);
    let result: Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("result.json")).expect("result.json"),
    )
    .expect("result is JSON");
    let flows = &result["flows"];

    // The plan on screen: 3725 for the file-transfer workload, 9999 and one port per
    // drive (with its letter) for the legacy block-based one.
    assert!(has_flow(flows, "web01", "web01-t", "3725"), "{flows:#}");
    assert!(has_flow(flows, "db01", "db01-t", "9999"), "{flows:#}");
    assert!(
        has_flow(flows, "db01", "db01-t", "10002 (drive C)"),
        "{flows:#}"
    );
    assert!(
        has_flow(flows, "db01", "db01-t", "10004 (drive E)"),
        "{flows:#}"
    );
    assert!(!has_flow(flows, "web01", "web01-t", "9999"), "{flows:#}");
    assert_eq!(
        result["unlabelled"],
        Value::Array(vec![]),
        "controls without a label"
    );
    let firewall = result["firewall"].to_string();
    assert!(firewall.contains("10002, 10004"), "{firewall}");

    // The wizard built exactly the intended scenario, and the page's plan JSON is the
    // CLI's, byte for byte, both on the downloaded scenario and on ours.
    let downloaded = std::fs::read_to_string(out.join("scenario.json")).expect("scenario.json");
    let expected = Scenario::from_json(EXPECTED_SCENARIO).expect("expected scenario");
    assert_eq!(Scenario::from_json(&downloaded).expect("valid"), expected);
    assert_eq!(downloaded, expected.to_json());
    let ours = out.join("expected-scenario.json");
    std::fs::write(&ours, EXPECTED_SCENARIO).expect("write");
    let web_plan = std::fs::read(out.join("plan.json")).expect("plan.json");
    assert_eq!(web_plan, cli_plan(&out.join("scenario.json")));
    assert_eq!(web_plan, cli_plan(&ours));
    assert_eq!(
        Plan::from_json(std::str::from_utf8(&web_plan).expect("utf-8")).expect("plan"),
        Plan::build(&expected).expect("plan")
    );
    assert_eq!(result["plan_file"], "ps01-plan.json");
    let csv = std::fs::read_to_string(out.join("plan.csv")).expect("plan.csv");
    assert_eq!(
        csv,
        portplan_core::export::csv::render(&Plan::build(&expected).expect("plan"))
    );

    // The share link is the page's own URL with the scenario in the fragment, and it
    // reopens the same plan.
    let link = result["share_link"].as_str().expect("link");
    assert!(link.starts_with(&format!("{url}#scenario=")), "{link}");
    assert_eq!(result["location"], link);
    assert_eq!(result["flows_from_link"], result["flows"]);
    assert_eq!(
        std::fs::read(out.join("plan-from-link.json")).expect("plan from link"),
        web_plan
    );

    // A bad drive letter: the core's message beside the field, and no downloads.
    let drive_error = result["drive_error"].as_str().expect("drive error");
    assert_eq!(drive_error, "\"1\" is not a drive letter (A-Z)");
    assert_eq!(result["drive_invalid"], "true");
    let problem = result["problem"].as_str().expect("problem");
    assert!(problem.contains("workloads[1].drives[1]"), "{problem}");
    assert_eq!(result["downloads_while_invalid"], 0);

    // Pasted rows join the plan; an imported file replaces the scenario.
    assert_eq!(result["pasted"], serde_json::json!(["app03", "C, D"]));
    assert!(has_flow(
        &result["flows_after_paste"],
        "ps01",
        "app03",
        "22"
    ));
    assert_eq!(result["import_message"], "imported legacy-block.json");
    let imported = Plan::build(
        &Scenario::from_json(include_str!("../../examples/legacy-block.json")).expect("example"),
    )
    .expect("plan");
    let shown = result["flows_after_import"].as_array().expect("flows");
    assert_eq!(shown.len(), imported.flows.len());
    for (f, s) in imported.flows.iter().zip(shown) {
        assert_eq!(s["rule"], f.rule.as_str());
        assert_eq!(s["dir"], format!("{} → {}", f.from, f.to).as_str());
    }

    assert_eq!(result["flows_after_hashchange"], result["flows"]);

    // Nothing but our own origin, and no console errors (CSP violations land there).
    let site = origin(&url);
    let requests = result["requests"].as_array().expect("requests");
    assert!(requests.len() >= 4, "{requests:?}");
    for r in requests {
        let r = r.as_str().expect("url");
        assert!(
            r.starts_with("data:") || origin(r) == site,
            "request to another origin: {r}"
        );
    }
    assert_eq!(result["console"], Value::Array(vec![]), "console errors");

    let shot = std::fs::metadata(out.join("planner.png")).expect("screenshot");
    assert!(
        shot.len() > 10_000,
        "screenshot too small: {} bytes",
        shot.len()
    );
}

#[test]
fn origin_of_urls() {
    assert_eq!(
        origin("http://127.0.0.1:8080/pkg/a.wasm"),
        "http://127.0.0.1:8080"
    );
    assert_eq!(
        origin("blob:http://127.0.0.1:8080/1234-abcd"),
        "http://127.0.0.1:8080"
    );
    assert_eq!(origin("https://example.com"), "https://example.com");
}
