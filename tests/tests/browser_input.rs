//! The planner page speaks the whole scenario, in a real browser (Debian's headless
//! Chromium via playwright-core; `tests/browser/input.cjs` acts, this test asserts):
//! a header'd 40-workload wave with target containers and NAT addresses and an
//! RVTools vInfo sheet are pasted, the preview names the columns it used and every one
//! it ignored, and the plan the page makes holds the container and NAT flows and is the
//! CLI's plan of the scenario it downloads; the share link gives the same scenario back.
//! Careless input gets words: an unknown OS is a problem, a row lists all its problems,
//! `C:\` is a drive, a damaged link shows its error and no plan. Screenshots of the
//! wizard at 1440 and 390 px land in `target/e2e-input/`.
//!
//! Run by `cargo xtask test` (it needs `PORTPLAN_SITE_URL` and `PORTPLAN_BIN`).
#![cfg(feature = "browser")]

use portplan_core::{Plan, Scenario};
use portplan_tests::browser::{self, required_env};
use serde_json::Value;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const BROWSER_DEADLINE: Duration = Duration::from_secs(240);

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

fn read(out: &Path, file: &str) -> String {
    std::fs::read_to_string(out.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

#[test]
fn the_page_speaks_the_whole_scenario() {
    let url = required_env("PORTPLAN_SITE_URL");
    let bin = required_env("PORTPLAN_BIN");
    let out = browser::artifacts("e2e-input");
    browser::run_script("input.cjs", &url, &out, &[], BROWSER_DEADLINE);
    let r: Value = serde_json::from_str(&read(&out, "result.json")).expect("result.json");
    assert_eq!(r["console"], serde_json::json!([]), "console errors");

    // Defaults that tell the truth: the newest release, no warning, the direction said.
    let newest = portplan_core::releases::of(portplan_core::Product::Migrate)
        .last()
        .expect("releases");
    assert_eq!(r["start"]["version"], newest.version);
    assert_eq!(r["start"]["version_warning"], 0);
    assert_eq!(r["start"]["replication_default"], "default: source listens");
    assert!(
        s(&r["start"]["replication_used"]).contains("source listens"),
        "{}",
        r["start"]
    );

    // The wave's preview names the columns it used and each it ignored.
    let summary = s(&r["wave"]["summary"]);
    for used in [
        "name (VM Name)",
        "target container",
        "agent (Migrate Agent)",
        "target public address (NAT) (Public IP (NAT))",
    ] {
        assert!(summary.contains(used), "{used}: {summary}");
    }
    assert!(summary.contains("ignored: Owner, Wave"), "{summary}");
    assert!(!summary.contains("ignored,"), "{summary}");
    assert!(summary.contains("Every row is ready"), "{summary}");
    assert_eq!(r["wave_problems"], serde_json::json!([]));
    assert_eq!(r["wave_rows"], 40);
    assert_eq!(
        r["row0"],
        serde_json::json!({ "container": "vc01", "public_address": "203.0.113.1",
            "windows": "2008 R2", "drives": "C, D" })
    );
    // Agent workloads force the direction, and the control says so.
    assert_eq!(r["replication_default"], "default: target listens (agents)");
    assert!(
        s(&r["replication_used"]).contains("Migrate Agent workloads need"),
        "{}",
        r["replication_used"]
    );

    // RVTools: recognised, the columns used named, the template skipped, the header
    // never a workload.
    let rv = s(&r["rvtools"]["summary"]);
    assert!(rv.contains("Read 2 rows"), "{rv}");
    assert!(
        rv.contains("an RVTools vInfo export, columns used: name (VM)"),
        "{rv}"
    );
    assert!(rv.contains("address (Primary IP Address)"), "{rv}");
    assert!(
        rv.contains("OS (OS according to the configuration file)"),
        "{rv}"
    );
    assert!(
        rv.contains("ignored: Powerstate, CPUs, Memory, Disks, Datacenter, Cluster, Host"),
        "{rv}"
    );
    assert!(rv.contains("Skipped 1 template (not a workload)."), "{rv}");
    assert_eq!(r["rvtools_rows"], 42);
    assert_eq!(r["after_rvtools_problems"], serde_json::json!([]));

    // What the page planned is the CLI's plan of the scenario it downloaded.
    let scenario_text = read(&out, "scenario.json");
    let scenario = Scenario::from_json(&scenario_text).expect("the page's scenario");
    assert_eq!(scenario.workloads.len(), 42);
    assert_eq!(
        scenario.server.public_address.as_deref(),
        Some("203.0.113.5")
    );
    let t = scenario.workloads[0].target.as_ref().expect("target");
    assert_eq!(
        (t.container.as_deref(), t.public_address.as_deref()),
        (Some("vc01"), Some("203.0.113.1"))
    );
    assert_eq!(scenario.workloads[41].address, "rv02.corp.example");
    let page_plan = Plan::from_json(&read(&out, "plan.json")).expect("the page's plan");
    let cli = Command::new(&bin)
        .args(["plan", "--format", "json", "--scenario"])
        .arg(out.join("scenario.json"))
        .output()
        .expect("portplan plan");
    assert!(cli.status.success(), "{cli:?}");
    let cli_plan = Plan::from_json(&String::from_utf8_lossy(&cli.stdout)).expect("CLI plan");
    assert_eq!(page_plan, cli_plan);
    // The container is discovered: server -> vCenter on TCP 443.
    assert!(
        page_plan.flows.iter().any(|f| f.from == "ps01"
            && f.to == "vc01"
            && f.ports
                .is_some_and(|p| p.first.get() <= 443 && 443 <= p.last.get())),
        "no ps01 -> vc01 443"
    );
    // NAT: an agent workload dials the server's public address, and initiators dial a
    // target's public address.
    assert!(
        page_plan.flows.iter().any(|f| f.from == "app04"
            && f.to == "ps01"
            && f.address.as_deref() == Some("203.0.113.5")),
        "app04 does not dial the server's NAT address"
    );
    assert!(
        page_plan
            .flows
            .iter()
            .any(|f| f.to == "app04-t" && f.address.as_deref() == Some("203.0.113.4")),
        "nothing dials app04-t's NAT address"
    );
    // The firewall view shows them too: ps01 -> vc01 on 443, and the NAT'd addresses.
    let rules = r["firewall"].as_array().expect("firewall rules");
    assert!(
        rules
            .iter()
            .any(|f| f["from"] == "ps01" && f["to"] == "vc01" && s(&f["text"]).contains("443")),
        "{rules:#?}"
    );
    let all: String = rules.iter().map(|f| s(&f["text"])).collect();
    for nat in [
        "dialed 203.0.113.5, NAT to 10.0.0.5",
        "dialed 203.0.113.4, NAT to 10.2.0.4",
    ] {
        assert!(all.contains(nat), "{nat} not in the firewall view");
    }
    // The share link gives the same scenario back.
    let from_link = Scenario::from_json(&read(&out, "scenario-from-link.json")).expect("link");
    assert_eq!(from_link, scenario);

    // Nothing clipped, nothing wider than the phone.
    assert_eq!(
        r["clipped_1440"],
        serde_json::json!([]),
        "clipped at 1440 px"
    );
    assert_eq!(r["clipped_390"], serde_json::json!([]), "clipped at 390 px");
    assert!(
        r["phone_scroll_width"].as_f64().unwrap_or(f64::MAX) <= 391.0,
        "{}",
        r["phone_scroll_width"]
    );

    // An unknown OS: a problem of its row, shown as typed, until an OS is picked.
    let solaris = &r["solaris"];
    assert!(
        s(&r["solaris_preview"]["summary"]).contains("1 of 1 rows have problems"),
        "{}",
        r["solaris_preview"]
    );
    assert_eq!(
        solaris["problems"],
        serde_json::json!([
            "Workload 1 “sol01”, OS: “solaris” is neither Windows nor Linux: pick the OS."
        ])
    );
    assert_eq!(solaris["os"], "solaris: unknown");
    assert_eq!(r["solaris_fixed"], "linux");

    // Every problem of a row at once, each beside its field.
    let problems: Vec<&str> = r["row_problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(s)
        .collect();
    assert_eq!(problems.len(), 4, "{problems:#?}");
    for (i, field) in ["Drives", "Address", "Windows version", "Target name"]
        .iter()
        .enumerate()
    {
        assert!(
            problems[i].starts_with(&format!("Workload 1 “web01”, {field}: ")),
            "{problems:#?}"
        );
    }
    assert_eq!(r["row_field_errors"], 4);

    // `C:\` in the Drives field is drive C, as in a paste.
    assert_eq!(
        r["drives"],
        serde_json::json!({ "problems": 0, "field_errors": 0 })
    );
    let drives = Scenario::from_json(&read(&out, "drives.json")).expect("drives");
    let letters: Vec<String> = drives.workloads[0]
        .drives
        .iter()
        .map(|d| d.to_string())
        .collect();
    assert_eq!(letters, ["C", "D", "E"]);

    // A damaged link: its error, no review, no plan, no wizard until asked for.
    for (name, starts) in [
        ("damaged_packed", "The link is damaged"),
        ("damaged_plain", "The link's scenario is refused"),
    ] {
        let d = &r[name];
        assert!(s(&d["error"]).starts_with(starts), "{name}: {d}");
        assert_eq!(
            (&d["review"], &d["results"], &d["wizard"], &d["share_link"]),
            (
                &serde_json::json!(0),
                &serde_json::json!(0),
                &serde_json::json!(0),
                &serde_json::json!(0)
            ),
            "{name}: {d}"
        );
        assert_eq!(d["broken"], 1, "{name}: {d}");
    }
    assert_eq!(r["damaged_after_start"], 0);

    for shot in [
        "wizard-1440.png",
        "wizard-390.png",
        "deployment-1440.png",
        "deployment-390.png",
        "damaged-link-1440.png",
    ] {
        let len = std::fs::metadata(out.join(shot)).map_or(0, |m| m.len());
        assert!(len > 10_000, "{shot}: {len} bytes");
    }
}
