//! The planner page in a real browser (Debian's headless Chromium via playwright-core):
//! fill the wizard, read the plan, download files, reopen the share link, and check
//! the page never talked to anything but its own origin.
//!
//! Run by `cargo xtask test`, which builds the site, serves it on loopback and passes
//! `PORTPLAN_SITE_URL` and `PORTPLAN_BIN` (the `portplan` CLI to compare against).
//! The screenshot is left in `target/e2e-web/planner.png`.
//!
//! The diagram, the SVG and PDF downloads come from the lazily imported exports module;
//! they must equal the CLI's `plan --format svg|pdf` output byte for byte. For the
//! verification reports, the test runs the real `portplan check` and `portplan listen`
//! on loopback in a network namespace it creates (one flow verified, one closed, one
//! dropped by nftables) and loads the report.

use portplan_core::diagram::{overlay::Signal, status_color};
use portplan_core::{Plan, Scenario};
use portplan_tests::browser::{self, required_env, root};
use portplan_tests::netns::Lab;
use portplan_tests::servers::{wait_listening, Daemon, TempDir};
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

/// The loopback scenario `portplan check` runs against, inside a network namespace of
/// its own: web01 (127.77.0.2) opens TCP 80 and 443 to ps01 (127.77.0.1) and, with the
/// server set to `target-listens` (SourceListensForConnection=False), TCP 3725 to
/// web01-t (127.77.0.3). `portplan listen` answers on 3725 (verified: pass), nothing
/// listens on 80 (closed: attention), and an nftables rule drops 443 (filtered: fail).
/// The ESXi host esx01 is only discovered by ps01 (its report is made up, see
/// [`more_reports`]).
const REPORT_SCENARIO: &str = r#"{
  "format": 1, "product": "migrate", "version": "2019.5",
  "server": { "name": "ps01", "address": "127.77.0.1" },
  "hosts": [ { "name": "esx01", "address": "127.77.0.9", "platform": "esxi" } ],
  "replication": "target-listens",
  "workloads": [
    { "name": "web01", "address": "127.77.0.2", "os": "windows", "windows": "2016",
      "drives": ["C"], "transfer": "file",
      "target": { "name": "web01-t", "address": "127.77.0.3" } }
  ]
}"#;

const CHECK_DEADLINE: Duration = Duration::from_secs(60);

/// Runs `cmd`, bounded in time, and returns its exit code.
fn run_bounded(cmd: &mut Command, deadline: Duration, what: &str) -> Option<i32> {
    let mut child = cmd.stdin(Stdio::null()).spawn().expect(what);
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status.code();
        }
        if start.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} still running after {deadline:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Writes the loopback scenario and the report of a real `portplan check --from web01`
/// against it in a fresh namespace (deleted on drop, even on failure); returns
/// (scenario, report).
fn lab_report(out: &Path) -> (PathBuf, PathBuf) {
    let scenario = out.join("report-scenario.json");
    std::fs::write(&scenario, REPORT_SCENARIO).expect("write scenario");
    let report = out.join("report.json");
    let bin = required_env("PORTPLAN_BIN");
    let mut lab = Lab::new("webr");
    lab.host("h");
    lab.nft(
        "h",
        "table inet e2e {\n chain input {\n  type filter hook input priority 0; policy accept;\n  \
         ip daddr 127.77.0.1 tcp dport 443 drop\n }\n}\n",
    );
    let dir = TempDir::new("web-e2e");
    let scenario_arg = scenario.to_str().expect("utf-8 path");
    let listen = Daemon::start(
        &lab,
        "h",
        &dir,
        "listen",
        &bin,
        &[
            "listen",
            "--scenario",
            scenario_arg,
            "--as",
            "web01-t",
            "--for",
            "120s",
        ],
    );
    wait_listening(
        &lab,
        "h",
        false,
        "127.77.0.3",
        3725,
        Duration::from_secs(20),
        &|| listen.output(),
    );
    let code = run_bounded(
        lab.cmd("h", &bin)
            .args([
                "check",
                "--from",
                "web01",
                "--timeout",
                "1s",
                "--retries",
                "0",
            ])
            .args(["--format", "json", "--scenario", scenario_arg, "-o"])
            .arg(&report)
            .stdout(Stdio::null()),
        CHECK_DEADLINE,
        "portplan check",
    );
    // A failing flow: exit code 1, and the report is written.
    assert_eq!(
        code,
        Some(1),
        "portplan check exit code\n{}",
        listen.output()
    );
    (scenario, report)
}

/// Two more reports of the loopback scenario, as the server and the target would write
/// them (made up: the lab runs only web01's check): ps01 sees esx01's HTTPS dropped
/// (fail) and web01's endpoint mapper closed (attention); web01-t passes but finds
/// ps01's TCP 80 closed (attention). Returns their paths.
fn more_reports(out: &Path) -> Vec<PathBuf> {
    use portplan_core::report::{FlowReport, ProbeResult, Report, Status, Verdict};
    let plan = Plan::build(&Scenario::from_json(REPORT_SCENARIO).expect("scenario")).expect("plan");
    let report = |from: &str, status: &dyn Fn(&portplan_core::Flow) -> Status| {
        let flows = plan
            .flows
            .iter()
            .filter(|f| f.from == from)
            .map(|f| {
                let s = status(f);
                let (verdict, reason, hint) = match s {
                    Status::Pass => (Verdict::Open, "syn-ack", String::new()),
                    Status::Attention => (
                        Verdict::Closed,
                        "conn-refused",
                        format!("closed: nothing listens at {} yet", f.to),
                    ),
                    Status::Fail => (
                        Verdict::Filtered,
                        "no-response",
                        format!("filtered: a firewall drops it from {} to {}", f.from, f.to),
                    ),
                };
                // One entry covers the flow's ports (a report must cover them all).
                let probe = ProbeResult {
                    protocol: f.protocol,
                    port: f.ports.map(|r| r.first),
                    through: f.ports.filter(|r| r.last != r.first).map(|r| r.last),
                    verdict,
                    reason: reason.parse().expect("reason"),
                    latency_ms: None,
                    attempts: 1,
                    detail: String::new(),
                    dialed: None,
                    local: None,
                };
                FlowReport::new(f, s, hint, vec![probe])
            })
            .collect();
        Report {
            preflight: Vec::new(),
            format: 1,
            plan_digest: plan.digest(),
            catalog: plan.catalog.clone(),
            probed_from: from.into(),
            host: from.into(),
            started: "2026-01-01T00:00:00Z".into(),
            finished: "2026-01-01T00:00:01Z".into(),
            flows,
        }
    };
    let port = |f: &portplan_core::Flow| f.ports.map_or(0, |r| r.first.get());
    let ps01 = report("ps01", &|f| match (f.to.as_str(), port(f)) {
        ("esx01", 443) => Status::Fail,
        ("web01", 135) => Status::Attention,
        _ => Status::Pass,
    });
    let target = report("web01-t", &|f| match port(f) {
        80 => Status::Attention,
        _ => Status::Pass,
    });
    [("ps01.json", ps01), ("web01-t.json", target)]
        .into_iter()
        .map(|(name, r)| {
            let path = out.join(name);
            std::fs::write(&path, r.to_json()).expect("write report");
            path
        })
        .collect()
}

/// Runs the browser script, bounded in time; its stdout/stderr go to the test output.
fn run_browser(url: &str, out: &Path, report: &(PathBuf, PathBuf)) {
    let more = std::env::join_paths(more_reports(out)).expect("paths");
    let env: [(&str, &dyn AsRef<std::ffi::OsStr>); 4] = [
        ("IMPORT_FILE", &root().join("examples/legacy-block.json")),
        ("REPORT_SCENARIO", &report.0),
        ("REPORT_FILE", &report.1),
        ("MORE_REPORTS", &more),
    ];
    browser::run_script("planner.cjs", url, out, &env, BROWSER_DEADLINE);
}

fn cli_plan(scenario: &Path) -> Vec<u8> {
    cli(&["plan", "--format", "json"], scenario)
}

/// `portplan <args> --scenario <scenario>`'s standard output.
fn cli(args: &[&str], scenario: &Path) -> Vec<u8> {
    let out = Command::new(required_env("PORTPLAN_BIN"))
        .args(args)
        .arg("--scenario")
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
    let out = browser::artifacts("e2e-web");
    let report = lab_report(&out);
    run_browser(&url, &out, &report);
    let result: Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("result.json")).expect("result.json"),
    )
    .expect("result is JSON");
    let flows = &result["flows"];

    // The plan on screen: 3725 for the file-transfer workload (the target connects to
    // the source, the vendor's default), 9999 and one port per drive (with its letter)
    // for the legacy block-based one.
    assert!(has_flow(flows, "web01-t", "web01", "3725"), "{flows:#}");
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

    // The share link is the page's own URL with the compressed scenario in the fragment, and it
    // reopens the same plan.
    let link = result["share_link"].as_str().expect("link");
    assert!(link.starts_with(&format!("{url}#s=")), "{link}");
    assert_eq!(result["location"], link);
    assert_eq!(result["flows_from_link"], result["flows"]);
    assert_eq!(
        std::fs::read(out.join("plan-from-link.json")).expect("plan from link"),
        web_plan
    );

    // A bad drive letter: the core's message beside the field in words, listed with
    // its row and label; the last valid plan stays, marked out of date.
    let drive_error = result["drive_error"].as_str().expect("drive error");
    assert_eq!(drive_error, "“1” is not a drive letter (A–Z).");
    assert_eq!(result["drive_invalid"], "true");
    let problem = result["problem"].as_str().expect("problem");
    assert!(
        problem.contains("out of date: 1 field to fix")
            && problem.contains("Workload 2 “db01”, Drives: “1” is not a drive letter"),
        "{problem}"
    );
    assert!(!problem.contains("workloads["), "{problem}");
    assert!(
        result["stale_note"]
            .as_str()
            .is_some_and(|n| n.contains("1 field to fix")),
        "{result:#}"
    );
    assert_eq!(result["downloads_while_invalid"], 1);
    assert_eq!(
        result["flows_while_invalid"].as_u64(),
        Some(flows.as_array().map_or(0, |f| f.len() as u64))
    );

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

    // The diagram above the tables, and the SVG and PDF downloads, equal the CLI's.
    let ours_plan = Plan::build(&expected).expect("plan");
    let arrows: Vec<&str> = result["diagram"]
        .as_array()
        .expect("diagram")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(arrows.contains(&"db01 → db01-t"), "{arrows:?}");
    assert_eq!(result["diagram_above_tables"], true);
    assert_eq!(result["svg_file"], "ps01-diagram.svg");
    assert_eq!(
        std::fs::read(out.join("diagram.svg")).expect("diagram.svg"),
        cli(&["plan", "--format", "svg"], &ours)
    );
    assert_eq!(
        std::fs::read_to_string(out.join("diagram.svg")).expect("svg"),
        portplan_core::export::svg::render(&ours_plan, None)
    );
    assert_eq!(result["pdf_file"], "ps01-checklist.pdf");
    let pdf = std::fs::read(out.join("checklist.pdf")).expect("checklist.pdf");
    assert_pdf_is_clis(&pdf, &result, "pdf_date", &ours, &[]);
    let md = std::fs::read(out.join("plan.md")).expect("plan.md");
    assert_eq!(md, cli(&["plan", "--format", "md"], &ours));

    // A report of another plan is refused with the reason, and nothing is shown.
    let refused = result["report_refused"].as_str().expect("refusal");
    assert!(
        refused.contains("report.json: this report checked another plan"),
        "{refused}"
    );
    assert_eq!(result["verdicts_after_refusal"], 0);

    // The report: 3725 passes (verified by `portplan listen`), 80 needs attention
    // (closed) and 443 fails (filtered), each with the report's hint in "what to fix",
    // the failing one with its firewall rule from the core's fixes.
    let (scenario, report_path) = &report;
    let report_text = std::fs::read_to_string(report_path).expect("report");
    let checked = portplan_core::report::Report::from_json(&report_text).expect("report");
    assert_eq!(result["report_message"], "report.json: loaded");
    let verdicts = result["verdicts"].as_array().expect("verdicts");
    let verdict = |rule: &str| {
        verdicts
            .iter()
            .find(|v| v["rule"] == rule)
            .unwrap_or_else(|| panic!("{rule} not shown: {verdicts:#?}"))
    };
    let transfer = verdict("transfer.replication.target-listens");
    assert_eq!(transfer["status"], "pass", "{transfer:#}");
    assert_eq!(transfer["dir"], "web01 → web01-t");
    let probe = &transfer["probes"][0];
    assert_eq!(probe["verdict"], "verified", "{probe:#}");
    assert!(
        probe["text"]
            .as_str()
            .expect("text")
            .starts_with("TCP 3725: verified"),
        "{probe:#}"
    );
    let fixes = result["fixes"].as_array().expect("fixes");
    for (rule, status, verdict_name) in [
        ("conversion.http.source", "attention", "closed"),
        ("conversion.https.source", "fail", "filtered"),
    ] {
        let v = verdict(rule);
        assert_eq!(v["status"], status, "{v:#}");
        assert_eq!(v["probes"][0]["verdict"], verdict_name, "{v:#}");
        let hint = &checked
            .flows
            .iter()
            .find(|f| f.rule == rule)
            .expect("in report")
            .hint;
        assert!(!hint.is_empty());
        let fix = fixes
            .iter()
            .find(|f| f["rule"] == rule)
            .unwrap_or_else(|| panic!("{rule} not in what to fix: {fixes:#?}"));
        assert_eq!(fix["status"], status);
        assert!(
            fix["text"].as_str().expect("text").contains(hint.as_str()),
            "{fix:#}"
        );
    }
    // The failing flow comes first, with the nftables rule the core's fixes give.
    assert_eq!(fixes[0]["rule"], "conversion.https.source");
    let plan_of_report = Plan::from_json(
        std::str::from_utf8(&cli(&["plan", "--format", "json"], scenario)).expect("utf-8"),
    )
    .expect("plan");
    let core_fix = portplan_core::report::fixes::fixes(&plan_of_report, &checked);
    assert_eq!(core_fix.len(), 1, "{core_fix:#?}");
    // ps01 runs Windows: PowerShell and netsh, and no Linux firewall's rule.
    let shown = result["fix_rules"].as_object().expect("rules");
    assert_eq!(shown.len(), core_fix[0].rules.len(), "{shown:#?}");
    for (d, rule) in &core_fix[0].rules {
        assert!(!rule.is_empty());
        assert_eq!(shown[d.as_str()], rule.as_str(), "{}", d.as_str());
    }
    assert!(shown.contains_key("powershell") && !shown.contains_key("nftables"));
    assert!(fixes
        .iter()
        .all(|f| f["rule"] != "transfer.replication.target-listens"));
    assert_eq!(verdict("discovery.icmp")["status"], "not checked");
    three_reports_fails_first_in_the_right_dialects(&result);
    let summary = result["summary"].as_array().expect("summary");
    let row = |phase: &str, pair: &str| {
        summary
            .iter()
            .find(|r| r["phase"] == phase && r["pair"] == pair)
            .unwrap_or_else(|| panic!("{phase} {pair}: {summary:#?}"))
    };
    let t = row("transfer", "web01 → web01-t");
    assert_eq!((&t["pass"], &t["fail"]), (&"1".into(), &"0".into()));
    let c = row("conversion", "web01 → ps01");
    assert_eq!(
        (&c["pass"], &c["attention"], &c["fail"]),
        (&"0".into(), &"1".into(), &"1".into())
    );
    // The diagram takes the verdicts' colors, and its SVG and the PDF equal the CLI's
    // with --report.
    let colors = result["report_diagram_colors"].as_array().expect("colors");
    let of = |dir: &str| {
        colors
            .iter()
            .find(|c| c["dir"] == dir)
            .map(|c| c["colors"].to_string())
            .unwrap_or_default()
    };
    assert!(
        of("web01 → web01-t").contains(status_color(Signal::Pass)),
        "{colors:#?}"
    );
    for s in [Signal::Closed, Signal::Filtered] {
        assert!(of("web01 → ps01").contains(status_color(s)), "{colors:#?}");
    }
    let report_arg = report_path.to_str().expect("utf-8 path");
    assert_eq!(
        std::fs::read(out.join("report-diagram.svg")).expect("svg"),
        cli(
            &["plan", "--format", "svg", "--report", report_arg],
            scenario
        )
    );
    let pdf = std::fs::read(out.join("report-checklist.pdf")).expect("pdf");
    assert_pdf_is_clis(
        &pdf,
        &result,
        "report_pdf_date",
        scenario,
        &["--report", report_arg],
    );

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

/// The issue's field engineer with three reports: failures first, then attention;
/// each mark an icon (hidden from screen readers) beside its word; rules only in the
/// accepting host's dialects, none for the ESXi host ("a network firewall in the path").
fn three_reports_fails_first_in_the_right_dialects(result: &Value) {
    let fixes = result["three_fixes"].as_array().expect("three_fixes");
    let statuses: Vec<&str> = fixes.iter().filter_map(|f| f["status"].as_str()).collect();
    let fails = statuses.iter().take_while(|s| **s == "fail").count();
    assert_eq!(fails, 2, "{statuses:?}");
    assert!(
        statuses[fails..].iter().all(|s| *s == "attention"),
        "{statuses:?}"
    );
    assert!(statuses.len() >= 4, "{statuses:?}");
    for f in fixes {
        let (icon, word) = match f["status"].as_str() {
            Some("fail") => ("✖", "✖ fail"),
            _ => ("▲", "▲ attention"),
        };
        assert_eq!(f["icon"], icon, "{f:#}");
        assert_eq!(f["icon_hidden"], "true", "{f:#}");
        assert_eq!(f["word"], word, "{f:#}");
    }
    let fix = |dir: &str, status: &str| {
        fixes
            .iter()
            .find(|f| f["dir"] == dir && f["status"] == status)
            .unwrap_or_else(|| panic!("{dir} {status} not in what to fix: {fixes:#?}"))
    };
    let esx = fix("ps01 → esx01", "fail");
    assert_eq!(esx["dialects"], serde_json::json!([]), "{esx:#}");
    assert!(
        esx["text"]
            .as_str()
            .is_some_and(|t| t
                .contains("on a network firewall in the path (esx01 runs VMware ESXi or vCenter)")),
        "{esx:#}"
    );
    let https = fix("web01 → ps01", "fail");
    assert_eq!(
        https["dialects"],
        serde_json::json!(["powershell", "netsh"]),
        "{https:#}"
    );
    for dir in ["ps01 → web01", "web01-t → ps01", "web01 → ps01"] {
        let a = fix(dir, "attention");
        assert_eq!(a["dialects"], serde_json::json!([]), "{a:#}");
    }
    // Every flow's mark too; flows no report covers are "○ not checked".
    let marks = result["three_marks"].as_array().expect("three_marks");
    for m in marks {
        let want = match m["status"].as_str() {
            Some("pass") => "✔ pass",
            Some("attention") => "▲ attention",
            Some("fail") => "✖ fail",
            _ => "○ not checked",
        };
        assert_eq!(m["mark"], want, "{m:#}");
    }
    assert!(marks.iter().any(|m| m["status"] == "pass"), "{marks:#?}");
}

/// The page's PDF equals `portplan plan --format pdf --date <the page's today>` (the
/// date is read before and after the click, in case the download spans midnight).
fn assert_pdf_is_clis(pdf: &[u8], result: &Value, date_key: &str, scenario: &Path, extra: &[&str]) {
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    let dates = [
        &result[date_key],
        &result[format!("{date_key}_before").as_str()],
    ];
    let same = dates.iter().any(|d| {
        let d = d.as_str().expect("date");
        let mut args = vec!["plan", "--format", "pdf", "--date", d];
        args.extend_from_slice(extra);
        cli(&args, scenario) == pdf
    });
    assert!(same, "the page's PDF differs from the CLI's for {dates:?}");
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
