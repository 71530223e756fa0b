//! `portplan check` from the outside: its help text, bad input (exit 2, one line naming
//! the flag or the JSON path), and a run on loopback with real listeners.

use std::io::Write;
use std::net::TcpListener;
use std::process::{Command, Output};

fn portplan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_portplan"))
        .args(args)
        .env("COLUMNS", "100")
        .env_remove("TERM")
        .output()
        .expect("run portplan")
}

fn temp(name: &str, text: &str) -> String {
    let dir = std::env::temp_dir().join(format!("portplan-check-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join(name);
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .expect("write");
    path.to_string_lossy().into_owned()
}

fn example(name: &str) -> String {
    format!("{}/../examples/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn help_explains_verdicts_and_shows_examples() {
    let out = portplan(&["check", "--help"]);
    assert!(out.status.success());
    insta::assert_snapshot!("check-help", String::from_utf8_lossy(&out.stdout));
}

/// One line per case: arguments → the one-line error on stderr, exit 2.
#[test]
fn bad_input_exits_2_naming_what_is_wrong() {
    let scenario = example("windows-file.json");
    let bad_plan = temp(
        "bad-plan.json",
        r#"{"format":1,"product":"migrate","version":"12.3","hosts":[],"flows":[],"x":1}"#,
    );
    let cases: &[(&[&str], &str)] = &[
        (
            &["check", "--scenario", &scenario, "--from", "nobody"],
            "--from \"nobody\": not a host of the plan",
        ),
        (
            &[
                "check",
                "--scenario",
                &scenario,
                "--from",
                "ps01",
                "--timeout",
                "2m",
            ],
            "\"2m\": a wait per attempt of at most 1m",
        ),
        (
            &[
                "check",
                "--scenario",
                &scenario,
                "--from",
                "ps01",
                "--to",
                "x",
            ],
            "--to \"x\": not a host",
        ),
        (
            &[
                "check",
                "--scenario",
                &scenario,
                "--from",
                "ps01",
                "--timeout",
                "soon",
            ],
            "\"soon\" is not a duration",
        ),
        (
            &[
                "check",
                "--scenario",
                &scenario,
                "--from",
                "ps01",
                "--only-phase",
                "x",
            ],
            "\"x\" is not one of",
        ),
        (
            &[
                "check",
                "--scenario",
                &scenario,
                "--from",
                "ps01",
                "--concurrency",
                "0",
            ],
            "--concurrency",
        ),
        (
            &["check", "--plan", &bad_plan, "--from", "ps01"],
            "bad-plan.json: x",
        ),
        (
            &["check", "--plan", &scenario, "--from", "ps01"],
            "this is a scenario, not a plan: pass it with --scenario",
        ),
        (
            &["check", "--from", "ps01"],
            "--plan <FILE>|--scenario <FILE>",
        ),
        (
            &[
                "check",
                "--scenario",
                &scenario,
                "--from",
                "web01-t",
                "--only-phase",
                "discovery",
            ],
            // The name as the plan writes it, quoted: never the type that holds it.
            "--from \"web01-t\": no flow of the plan starts there",
        ),
    ];
    for (args, expected) in cases {
        let out = portplan(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

/// An output that cannot be written is not bad input: exit 3, one line naming the path,
/// known before any probe (nothing is probed for a report that cannot be kept), and no
/// file left behind.
#[cfg(unix)] // a symlink to /dev/full
#[test]
fn an_unwritable_output_exits_3_before_any_work() {
    let scenario = example("windows-file.json");
    // A full disk, through a link of our own (so a regression that renames over the
    // path replaces only the link): a device is written in place, never replaced.
    let dir = std::env::temp_dir().join(format!("portplan-full-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let full = dir.join("plan.json");
    let _ = std::fs::remove_file(&full);
    std::os::unix::fs::symlink("/dev/full", &full).expect("link to /dev/full");
    let full = full.to_string_lossy().into_owned();
    let cases: [(&[&str], &str); 3] = [
        (
            &[
                "check",
                "--scenario",
                &scenario,
                "--from",
                "ps01",
                "-o",
                "/nonexistent/dir/r.json",
            ],
            "-o: /nonexistent/dir/r.json: cannot write: No such file or directory",
        ),
        (
            &[
                "plan",
                "--scenario",
                &scenario,
                "-o",
                "/nonexistent/dir/plan.json",
            ],
            "/nonexistent/dir/plan.json: cannot write: No such file or directory",
        ),
        (
            &["plan", "--scenario", &scenario, "-o", &full],
            "plan.json: cannot write: No space left on device",
        ),
    ];
    for (args, expected) in cases {
        let start = std::time::Instant::now();
        let out = portplan(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(
            start.elapsed() < std::time::Duration::from_secs(5),
            "{args:?} probed first"
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// Real listeners on loopback: open, closed, ICMP; the JSON report reads back.
#[test]
fn loopback_open_and_closed_ports() {
    let open = TcpListener::bind("127.0.0.1:0").expect("bind");
    let open_port = open.local_addr().expect("addr").port();
    let closed_port = TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let plan = format!(
        r#"{{"format":1,"product":"migrate","version":"12.3","hosts":[
        {{"name":"me","address":"127.0.0.1","role":"server"}},{{"name":"lo","address":"localhost","role":"source"}}],
        "flows":[
          {{"phase":"discovery","from":"me","to":"lo","protocol":"tcp","ports":{{"first":{open_port},"last":{open_port}}},"purpose":"o","rule":"t.o"}},
          {{"phase":"discovery","from":"me","to":"lo","protocol":"tcp","ports":{{"first":{closed_port},"last":{closed_port}}},"purpose":"c","rule":"t.c"}},
          {{"phase":"discovery","from":"me","to":"lo","protocol":"icmp","purpose":"p","rule":"t.p"}}]}}"#
    );
    let path = temp("loopback-plan.json", &plan);
    let out = portplan(&[
        "check",
        "--plan",
        &path,
        "--from",
        "me",
        "--format",
        "json",
        "--timeout",
        "1s",
        // The explicit default: accepted (the README names it).
        "--deep",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let report = portplan_core::report::Report::from_json(&text).expect("report");
    let v: Vec<(&str, &str)> = report
        .flows
        .iter()
        .map(|f| (f.probes[0].verdict.as_str(), f.probes[0].reason.as_str()))
        .collect();
    assert_eq!(
        v,
        [
            ("open", "syn-ack"),
            ("closed", "conn-refused"),
            ("open", "echo-reply")
        ]
    );
    assert_eq!(report.probed_from, "me");
    assert!(String::from_utf8_lossy(&out.stderr).contains("3 flows from me checked with 3 probes"));
}

/// RustScan's top complaint: a low descriptor limit must slow the run down, never crash
/// it or turn closed ports into `filtered`. 300 closed loopback ports, 200 probes asked
/// in flight, 48 descriptors allowed (soft and hard, so the limit cannot be raised).
#[test]
fn a_low_open_file_limit_backs_off_instead_of_failing() {
    let plan = r#"{"format":1,"product":"migrate","version":"12.3","hosts":[
        {"name":"me","address":"127.0.0.1","role":"server"},{"name":"lo","address":"127.0.0.2","role":"source"}],
        "flows":[{"phase":"discovery","from":"me","to":"lo","protocol":"tcp","ports":{"first":1,"last":300},"purpose":"x","rule":"t.x"}]}"#;
    let path = temp("emfile-plan.json", plan);
    let script = format!(
        "ulimit -n 48 && exec {} check --plan {path} --from me --concurrency 200 --format json",
        env!("CARGO_BIN_EXE_portplan")
    );
    let out = Command::new("sh")
        .args(["-c", &script])
        .output()
        .expect("sh");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    let report = portplan_core::report::Report::from_json(&String::from_utf8_lossy(&out.stdout))
        .unwrap_or_else(|e| panic!("{e}: {stderr}"));
    let probes = &report.flows[0].probes;
    let ports: usize = probes.iter().map(|p| p.port_count()).sum();
    assert_eq!(ports, 300, "every port in an entry or a run");
    let verdicts: std::collections::BTreeSet<(&str, &str)> = probes
        .iter()
        .map(|p| (p.verdict.as_str(), p.reason.as_str()))
        .collect();
    // Waiting for a descriptor is the prober's business: every port still ends closed.
    assert_eq!(
        verdicts,
        [("closed", "conn-refused")].into_iter().collect(),
        "{verdicts:?}"
    );
    let waited = probes
        .iter()
        .filter(|p| p.detail.contains("free file descriptor"))
        .count();
    assert!(
        waited > 0,
        "the limit was never hit: the test proves nothing"
    );
}

/// `--full-ranges` probes all 16,384 dynamic RPC ports; the report writes ports that say
/// the same as runs (`port` … `through`), so it stays small, and the table reads them as
/// ranges with counts.
#[test]
fn full_ranges_are_written_as_runs() {
    let plan = r#"{"format":1,"product":"migrate","version":"12.3","hosts":[
        {"name":"me","address":"127.0.0.1","role":"server"},{"name":"lo","address":"127.0.0.1","role":"source"}],
        "flows":[{"phase":"discovery","from":"me","to":"lo","protocol":"tcp","ports":{"first":49152,"last":65535},
          "purpose":"WMI over DCOM: dynamic RPC ports","rule":"discovery.windows.rpc-dynamic"}]}"#;
    let path = temp("full-ranges-plan.json", plan);
    let report_path = temp("full-ranges-report.json", "");
    let out = portplan(&[
        "check",
        "--plan",
        &path,
        "--from",
        "me",
        "--full-ranges",
        "--no-deep",
        "--timeout",
        "1s",
        "--no-progress",
        "-o",
        &report_path,
    ]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&report_path).expect("report written");
    let report = portplan_core::report::Report::from_json(&text).expect("report");
    let probes = &report.flows[0].probes;
    let ports: usize = probes.iter().map(|p| p.port_count()).sum();
    assert_eq!(ports, 16_384, "every port of the range is in the report");
    assert!(
        probes.iter().any(|p| p.through.is_some()) && probes.len() < 200,
        "{} entries for 16,384 ports",
        probes.len()
    );
    assert!(text.len() < 64 * 1024, "{} bytes", text.len());
    assert!(
        table.contains("closed 49152-") && table.contains("ports) (conn-refused)"),
        "{table}"
    );
}

/// `check -f junit` for CI, read back with a JUnit parser: one case per flow; the flow
/// whose destination does not resolve is a failure carrying its verdict and hint, and no
/// firewall rule (none would fix it); the open one passes.
#[test]
fn check_writes_junit_that_a_junit_parser_reads_back() {
    let open = TcpListener::bind("127.0.0.1:0").expect("bind");
    let open_port = open.local_addr().expect("addr").port();
    let plan = format!(
        r#"{{"format":1,"product":"migrate","version":"12.3","hosts":[
        {{"name":"me","address":"127.0.0.1","role":"server"}},{{"name":"lo","address":"127.0.0.1","role":"source"}},
        {{"name":"nx","address":"no-such-host.invalid","role":"source"}}],
        "flows":[
          {{"phase":"discovery","from":"me","to":"lo","protocol":"tcp","ports":{{"first":{open_port},"last":{open_port}}},"purpose":"o","rule":"t.o"}},
          {{"phase":"discovery","from":"me","to":"nx","protocol":"tcp","ports":{{"first":445,"last":445}},"purpose":"n","rule":"t.n"}}]}}"#
    );
    let path = temp("junit-plan.json", &plan);
    let out = portplan(&[
        "check",
        "--plan",
        &path,
        "--from",
        "me",
        "-f",
        "junit",
        "--no-deep",
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let suites = junit_parser::from_reader(std::io::Cursor::new(out.stdout.clone()))
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    let cases: Vec<&junit_parser::TestCase> = suites.suites.iter().flat_map(|s| &s.cases).collect();
    assert_eq!(cases.len(), 2, "one case per flow");
    assert!(cases[0].status.is_success(), "{:?}", cases[0]);
    assert_eq!(cases[0].original_name, format!("TCP {open_port}"));
    assert_eq!(
        cases[0].classname.as_deref(),
        Some("portplan.discovery.me.lo")
    );
    let failure = cases[1].status.failure_as_ref();
    assert_eq!(failure.message, "TCP 445: unresolved (dns-failure)");
    // (junit-parser 1.7 reads the escaped apostrophe of "nx's" as a line break.)
    assert!(
        failure.text.starts_with("unresolved: nx")
            && failure.text.contains("address does not resolve from me"),
        "{}",
        failure.text
    );
    assert!(
        !failure.text.contains("fix:"),
        "no firewall rule fixes DNS: {}",
        failure.text
    );
    assert_eq!((suites.tests, suites.failures), (2, 1));
}
