//! `portplan merge` on real reports: `portplan check` run from three "hosts" that are
//! loopback addresses (127.0.0.1–3), then merged, re-merged and refused.

use portplan_core::report::Report;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

const PORTPLAN: &str = env!("CARGO_BIN_EXE_portplan");

fn portplan(args: &[&str]) -> Output {
    Command::new(PORTPLAN)
        .args(args)
        .output()
        .expect("run portplan")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn scenario(server: &str) -> String {
    format!(
        r#"{{"format":1,"product":"migrate","version":"12.3",
        "server":{{"name":"{server}","address":"127.0.0.1"}},
        "workloads":[{{"name":"src","address":"127.0.0.2","os":"linux",
          "target":{{"name":"tgt","address":"127.0.0.3"}}}}]}}"#
    )
}

/// A directory with plan.json and report-HOST.json of each host, made once.
fn fixture() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("portplan-merge-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(dir.join("s.json"), scenario("ps01")).expect("scenario");
        std::fs::write(dir.join("other.json"), scenario("ps02")).expect("scenario");
        let p = |f: &str| dir.join(f).display().to_string();
        let o = portplan(&[
            "plan",
            "-s",
            &p("s.json"),
            "-f",
            "json",
            "-o",
            &p("plan.json"),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        for (host, plan) in [
            ("ps01", "plan.json"),
            ("src", "plan.json"),
            ("tgt", "plan.json"),
        ] {
            let out = p(&format!("report-{host}.json"));
            let o = portplan(&[
                "check",
                "--plan",
                &p(plan),
                "--from",
                host,
                "--timeout",
                "300ms",
                "--retries",
                "0",
                "--no-progress",
                "-f",
                "json",
                "-o",
                &out,
            ]);
            assert!(o.status.code().is_some_and(|c| c <= 1), "{}", stderr(&o));
        }
        let o = portplan(&[
            "check",
            "--scenario",
            &p("other.json"),
            "--from",
            "src",
            "--timeout",
            "300ms",
            "--retries",
            "0",
            "--no-progress",
            "-f",
            "json",
            "-o",
            &p("other-src.json"),
        ]);
        assert!(o.status.code().is_some_and(|c| c <= 1), "{}", stderr(&o));
        dir
    })
}

fn path(name: &str) -> String {
    fixture().join(name).display().to_string()
}

fn read(p: &Path) -> Report {
    Report::from_json(&std::fs::read_to_string(p).expect("read")).expect("valid report")
}

#[test]
fn per_host_reports_merge_into_one_report_of_the_plan() {
    let out = path("fleet.json");
    let o = portplan(&[
        "merge",
        "--plan",
        &path("plan.json"),
        &path("report-tgt.json"),
        &path("report-ps01.json"),
        &path("report-src.json"),
        "-o",
        &out,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let fleet = read(Path::new(&out));
    let plan =
        portplan_core::Plan::from_json(&std::fs::read_to_string(path("plan.json")).expect("plan"))
            .expect("plan");
    let flows: Vec<_> = fleet.flows.iter().map(|f| f.flow()).collect();
    assert_eq!(flows, plan.flows, "plan order, every flow once");
    assert_eq!(fleet.probed_from, "tgt,ps01,src");
    // Each report, and so the fleet report, says which rules it was checked against.
    assert_eq!(fleet.catalog, portplan_core::rules::catalog_digest());
    assert_eq!(
        read(Path::new(&path("report-src.json"))).catalog,
        fleet.catalog
    );
    let text = String::from_utf8_lossy(&o.stdout);
    // Loopback: TCP closed everywhere; ICMP echoes, except from Windows (needs-privilege).
    let counts = if cfg!(windows) {
        "0 pass, 7 attention, 0 fail"
    } else {
        "1 pass, 6 attention, 0 fail"
    };
    assert!(
        text.contains(&format!(
            "3 reports merged: 7 flows from tgt, ps01, src: {counts}"
        )),
        "{text}"
    );
    // Without -o the report goes to stdout, and merging the fleet report again is a no-op.
    let o = portplan(&["merge", &out]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        Report::from_json(&String::from_utf8_lossy(&o.stdout)).expect("stdout report"),
        fleet
    );
}

#[test]
fn a_report_of_another_plan_is_refused_naming_the_file() {
    let o = portplan(&["merge", &path("report-ps01.json"), &path("other-src.json")]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with(&format!(
            "portplan: {}: checks a different plan",
            path("other-src.json")
        )),
        "{err}"
    );
    let o = portplan(&[
        "merge",
        "--plan",
        &path("plan.json"),
        &path("other-src.json"),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("but the plan is sha256:"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn the_same_host_twice_and_missing_hosts_are_reported() {
    let again = path("again-src.json");
    std::fs::copy(path("report-src.json"), &again).expect("copy");
    let o = portplan(&[
        "merge",
        "--plan",
        &path("plan.json"),
        &path("report-src.json"),
        &again,
    ]);
    // Flows nobody checked leave the fleet's result incomplete: exit 1, not 0.
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    let a = path("report-src.json");
    assert!(
        err.contains(&format!(
            "{a} and {again} both checked 2 flows: kept {again}"
        )),
        "{err}"
    );
    assert!(
        // The target opens the replication port to the source: 3 of its flows.
        err.contains("5 flows of the plan were not checked; no report from: ps01 (2), tgt (3)"),
        "{err}"
    );
    let merged = Report::from_json(&String::from_utf8_lossy(&o.stdout)).expect("report");
    assert_eq!(merged.flows.len(), 2);
}

#[test]
fn bad_input_names_the_file_and_exits_2() {
    let bad = path("bad.json");
    std::fs::write(&bad, "{\"format\": 2}").expect("write");
    let o = portplan(&["merge", &path("report-src.json"), &bad]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with(&format!("portplan: {bad}: ")),
        "{}",
        stderr(&o)
    );
    let o = portplan(&["merge"]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "no report at all is a usage error"
    );
    // A plan among the reports: say which flag takes it.
    let o = portplan(&["merge", &path("report-src.json"), &path("plan.json")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("this is a plan, not a report: pass it with --plan"),
        "{}",
        stderr(&o)
    );
    // A report cut short says so.
    let cut = path("cut.json");
    let whole = std::fs::read_to_string(path("report-src.json")).expect("report");
    std::fs::write(&cut, &whole[..whole.len() / 2]).expect("write");
    let o = portplan(&["merge", &path("report-src.json"), &cut]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("truncated"), "{}", stderr(&o));
}

/// A report is someone else's file. Escape sequences in its free text (hints, details)
/// reach neither the table nor stderr; in its names and addresses they are refused,
/// naming the field; and a status its probes contradict is corrected, saying so.
#[test]
fn a_hostile_report_can_neither_drive_the_terminal_nor_claim_a_pass() {
    let esc = "\u{1b}]0;owned\u{7}\u{1b}[2K\u{1b}[1A";
    let text = std::fs::read_to_string(path("report-src.json")).expect("report");
    let mut v: serde_json::Value = serde_json::from_str(&text).expect("json");
    let flows = v["flows"].as_array_mut().expect("flows");
    let n = flows.len();
    for f in flows.iter_mut() {
        f["hint"] = format!("{esc}all good").into();
        for p in f["probes"].as_array_mut().expect("probes") {
            p["detail"] = format!("{esc}forged\u{2028}line").into();
            p["verdict"] = "filtered".into();
            p["reason"] = "no-response".into();
        }
        f["status"] = "pass".into();
    }
    let dir = fixture();
    let hostile = dir.join("hostile.json");
    std::fs::write(&hostile, v.to_string()).expect("write");
    let out = path("hostile-fleet.json");
    let o = portplan(&[
        "merge",
        "--plan",
        &path("plan.json"),
        &hostile.display().to_string(),
        "-o",
        &out,
    ]);
    let (stdout, err) = (String::from_utf8_lossy(&o.stdout).into_owned(), stderr(&o));
    assert_eq!(
        o.status.code(),
        Some(1),
        "its filtered probes fail: {stdout}{err}"
    );
    for (name, s) in [("stdout", &stdout), ("stderr", &err)] {
        assert!(
            !s.contains(['\u{1b}', '\u{7}', '\u{2028}']),
            "{name} carries a control character: {s:?}"
        );
    }
    assert_eq!(
        err.matches("contradicts its probes, which say \"fail\": corrected")
            .count(),
        n,
        "{err}"
    );
    assert!(read(Path::new(&out))
        .flows
        .iter()
        .all(|f| f.status == portplan_core::report::Status::Fail));

    // Names and addresses: refused with exit 2, naming the field.
    type Edit<'a> = &'a dyn Fn(&mut serde_json::Value);
    let cases: [(&str, Edit); 4] = [
        ("flows[0].from", &|v| {
            v["flows"][0]["from"] = format!("src{esc}").into()
        }),
        ("probed_from", &|v| {
            v["probed_from"] = format!("src{esc}").into()
        }),
        ("flows[0].probes[0].dialed", &|v| {
            v["flows"][0]["probes"][0]["dialed"] = esc.into()
        }),
        ("flows[0].probes[0].local", &|v| {
            v["flows"][0]["probes"][0]["local"] = format!("127.0.0.2{esc}").into()
        }),
    ];
    for (field, edit) in cases {
        let mut bad: serde_json::Value = serde_json::from_str(&text).expect("json");
        edit(&mut bad);
        std::fs::write(&hostile, bad.to_string()).expect("write");
        let o = portplan(&["merge", &hostile.display().to_string()]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{field}: {err}");
        assert!(err.contains(field), "{field}: {err}");
        assert!(
            !err.contains('\u{1b}'),
            "{field}: the error quotes it escaped: {err:?}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}

/// `merge -f junit` with the plan, read back with a JUnit parser: one case per flow of
/// the plan; those no report checked are skipped, naming the check that would cover
/// them; the exit status still says the fleet's result is incomplete.
#[test]
fn merge_writes_junit_with_the_unchecked_flows_skipped() {
    let plan_path = path("plan.json");
    let o = portplan(&[
        "merge",
        "--plan",
        &plan_path,
        &path("report-src.json"),
        "-f",
        "junit",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let suites = junit_parser::from_reader(std::io::Cursor::new(o.stdout.clone()))
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)));
    let plan = portplan_core::Plan::from_json(&std::fs::read_to_string(&plan_path).expect("plan"))
        .expect("plan");
    let cases: Vec<&junit_parser::TestCase> = suites.suites.iter().flat_map(|s| &s.cases).collect();
    assert_eq!(
        cases.len(),
        plan.flows.len(),
        "one case per flow of the plan"
    );
    let skipped: Vec<&&junit_parser::TestCase> =
        cases.iter().filter(|c| c.status.is_skipped()).collect();
    assert_eq!(skipped.len(), 5, "the flows of ps01 and tgt");
    assert!(
        skipped.iter().all(|c| c
            .status
            .skipped_as_ref()
            .message
            .starts_with("not checked: portplan check --from ")),
        "{skipped:?}"
    );
    assert!(stderr(&o).contains("2 flows from src"), "{}", stderr(&o));
}

/// Host names are compared without case by type: a report that spells them `TGT` or
/// `Src` (a hand-typed `--from`, an edited file) attaches to the plan's `tgt` and `src`,
/// so merge checks every flow (exit 0; an unchecked flow would exit 1) with the same
/// counts as the reports spelt as in the plan, in the table and in JUnit.
#[test]
fn reports_spelling_hosts_in_another_case_attach_to_the_plans_flows() {
    let respell = |host: &str, spell: &dyn Fn(&str) -> String| {
        let text = std::fs::read_to_string(path(&format!("report-{host}.json"))).expect("read");
        let mut v: serde_json::Value = serde_json::from_str(&text).expect("json");
        for f in v["flows"].as_array_mut().expect("flows") {
            for side in ["from", "to"] {
                let name = f[side].as_str().expect("name").to_string();
                f[side] = spell(&name).into();
            }
        }
        let out = path(&format!("respelt-{host}.json"));
        std::fs::write(&out, v.to_string()).expect("write");
        out
    };
    let upper = |s: &str| s.to_ascii_uppercase();
    let title = |s: &str| s[..1].to_ascii_uppercase() + &s[1..];
    let (tgt, src) = (respell("tgt", &upper), respell("src", &title));
    let plan = path("plan.json");
    let counts = |reports: &[&str], format: &str| {
        let mut args = vec!["merge", "--plan", &plan];
        args.extend_from_slice(reports);
        args.extend_from_slice(&["-f", format]);
        let o = portplan(&args);
        assert_eq!(o.status.code(), Some(0), "{format}: {}", stderr(&o));
        o
    };
    let (ps01, tgt_as_planned, src_as_planned) = (
        path("report-ps01.json"),
        path("report-tgt.json"),
        path("report-src.json"),
    );
    for format in ["json", "junit"] {
        let respelt = counts(&[&tgt, &ps01, &src], format);
        let planned = counts(&[&tgt_as_planned, &ps01, &src_as_planned], format);
        let text = |o: &Output| String::from_utf8_lossy(&o.stdout).into_owned();
        if format == "json" {
            // Equal as reports (names compare without case), every flow of the plan in.
            let (a, b) = (
                Report::from_json(&text(&respelt)).expect("report"),
                Report::from_json(&text(&planned)).expect("report"),
            );
            assert_eq!(a, b);
        } else {
            assert_eq!(text(&respelt), text(&planned), "the same JUnit cases");
        }
        assert_eq!(stderr(&respelt), stderr(&planned), "the same summary");
    }
}

/// A failure no firewall rule fixes (the host is down, another host answered) is listed
/// on stderr with its hint, like the failures a rule fixes are listed with their rule:
/// the "to fix" lines are all the fails.
#[test]
fn a_failure_no_rule_fixes_is_listed_with_its_hint() {
    let text = std::fs::read_to_string(path("report-src.json")).expect("read");
    let mut v: serde_json::Value = serde_json::from_str(&text).expect("json");
    let flow = &mut v["flows"][0];
    for p in flow["probes"].as_array_mut().expect("probes") {
        p["verdict"] = "filtered".into();
        p["reason"] = "host-down".into();
        p["latency_ms"] = serde_json::Value::Null;
    }
    // The reader settles the status (and its hint) from the probes.
    flow["status"] = "pass".into();
    let to = flow["to"].as_str().expect("to").to_string();
    let out = path("down-src.json");
    std::fs::write(&out, v.to_string()).expect("write");
    let o = portplan(&["merge", "--plan", &path("plan.json"), &out]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    let line = format!("portplan merge: to fix: host does not answer: down, or a wrong address: nothing came back from {to}");
    assert_eq!(err.matches(&line).count(), 1, "once per hint: {err}");
    assert!(
        !err.contains("to fix: allow"),
        "no firewall rule for it: {err}"
    );
}

/// A preflight report of src merged with the three check reports: the table prints
/// src's preflight after the checks, the summary counts its rows, the merged report
/// keeps the section, and JUnit gains its suite.
#[test]
fn merge_shows_a_hosts_preflight_beside_the_checks() {
    let dir = fixture();
    let p = |f: &str| dir.join(f).display().to_string();
    let pre = preflight_of_src("preflight-src.json");
    let out = p("fleet-preflight.json");
    let o = portplan(&[
        "merge",
        "--plan",
        &p("plan.json"),
        &p("report-ps01.json"),
        &p("report-src.json"),
        &p("report-tgt.json"),
        &pre,
        "-o",
        &out,
    ]);
    let table = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        table.contains("PREFLIGHT src (firewall read from "),
        "{table}"
    );
    assert!(
        table.contains("inbound TCP 3725 from tgt (transfer): "),
        "{table}"
    );
    let summary = table.lines().last().unwrap_or_default();
    assert!(
        summary.starts_with("4 reports merged: 7 flows from ")
            && summary.contains("; preflight of 1 host: "),
        "{summary}"
    );
    let merged = read(Path::new(&out));
    assert_eq!(merged.preflight.len(), 1);
    assert_eq!(merged.preflight[0].host, "src");
    let o = portplan(&[
        "merge",
        "--plan",
        &p("plan.json"),
        &p("report-ps01.json"),
        &pre,
        "-f",
        "junit",
    ]);
    let xml = String::from_utf8_lossy(&o.stdout).into_owned();
    let suites = junit_parser::from_reader(std::io::Cursor::new(xml.as_bytes())).expect("JUnit");
    let suite = suites
        .suites
        .iter()
        .find(|s| s.name == "preflight src")
        .unwrap_or_else(|| panic!("no preflight suite: {xml}"));
    let rows = portplan_core::report::view::PreflightView::of(&merged.preflight[0])
        .rows
        .len();
    assert_eq!(suite.cases.len(), rows, "{xml}");
}

/// A host whose own firewall blocks a planned flow, or whose prerequisite is a problem,
/// fails the fleet as a failed flow does: merge exits 1 on it, 0 when the same section
/// allows everything (the three check reports pass on their own).
#[test]
fn a_preflight_that_blocks_fails_the_merge() {
    let pre = preflight_of_src("preflight-src-exit.json");
    let text = std::fs::read_to_string(&pre).expect("read");
    let mut v: serde_json::Value = serde_json::from_str(&text).expect("json");
    let section = &mut v["preflight"][0];
    for f in section["flows"].as_array_mut().expect("flows") {
        for r in f["results"].as_array_mut().expect("results") {
            r["decision"] = serde_json::json!({"verdict": "allowed", "evidence": ["test: accept"]});
        }
    }
    if let Some(ps) = section["prerequisites"].as_array_mut() {
        for pr in ps {
            pr["status"] = "ok".into();
        }
    }
    let cases = [
        ("allowed", "ok", 0),
        ("blocked", "ok", 1),
        ("allowed", "problem", 1),
    ];
    for (verdict, status, code) in cases {
        let mut v = v.clone();
        let section = &mut v["preflight"][0];
        section["flows"][0]["results"][0]["decision"]["verdict"] = verdict.into();
        let has_prerequisite = section["prerequisites"]
            .as_array()
            .is_some_and(|ps| !ps.is_empty());
        // A Linux source's section has its prerequisites (sshd, 3725 free).
        assert!(has_prerequisite, "src's preflight lists its prerequisites");
        section["prerequisites"][0]["status"] = status.into();
        let file = path(&format!("preflight-src-{verdict}-{status}.json"));
        std::fs::write(&file, v.to_string()).expect("write");
        let o = portplan(&[
            "merge",
            "--plan",
            &path("plan.json"),
            &path("report-ps01.json"),
            &path("report-src.json"),
            &path("report-tgt.json"),
            &file,
            "-o",
            &path("fleet-exit.json"),
        ]);
        assert_eq!(
            o.status.code(),
            Some(code),
            "{verdict}/{status}: {}",
            stderr(&o)
        );
    }
}

/// Runs `portplan preflight --as src` on this machine into the fixture file `name` (JSON);
/// its verdicts depend on this machine's firewall, so exit 0 or 1 are both answers.
fn preflight_of_src(name: &str) -> String {
    let pre = path(name);
    let o = portplan(&[
        "preflight",
        "--plan",
        &path("plan.json"),
        "--as",
        "src",
        "-f",
        "json",
        "-o",
        &pre,
    ]);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    pre
}
