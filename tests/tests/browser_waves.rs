//! The planner page for real waves, firewall teams and share links, in a real browser
//! (Debian's headless Chromium via playwright-core; `tests/browser/waves.cjs` acts, this
//! file judges):
//!
//! - a new row is a draft, a half-typed value is no error, committed mistakes are all
//!   listed in words while the last valid plan stays, marked out of date;
//! - a spreadsheet copy of 30 Windows and 10 Linux servers with targets is previewed and
//!   replaces the sample, with warnings for a wave without targets and a shared address;
//!   a paste over the cap is refused at once and adds nothing;
//! - the firewall view groups the wave into a few rules, searches and sorts, and every
//!   firewall download equals `portplan plan --format <dialect>` on the same scenario;
//! - the share link is compressed and opens in review mode (results first, the URL
//!   changes only after an edit); an old `#scenario=` link still opens;
//! - at 1,000 workloads the link stays under 32 KB and a committed edit is on screen
//!   well within the 100 ms (the figure in BENCHMARKS.md comes from
//!   `bench.json`; the test fails over 250 ms, a loaded machine's margin).
//!
//! Run by `cargo xtask test` (see `xtask/src/site.rs`), which builds and serves the site
//! and passes `PORTPLAN_SITE_URL` and `PORTPLAN_BIN`. Screenshots at 1440 and 390 px
//! are left in `target/e2e-waves/`.

use portplan_tests::browser::{self, required_env, root};
use serde_json::Value;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const BROWSER_DEADLINE: Duration = Duration::from_secs(300);

fn run_browser(url: &str, out: &Path) {
    browser::run_script(
        "waves.cjs",
        url,
        out,
        &[(
            "OLD_LINK_SCENARIO",
            &root().join("examples/legacy-block.json"),
        )],
        BROWSER_DEADLINE,
    );
}

/// `portplan plan --format <format> --scenario <scenario>`'s output.
fn cli(format: &str, scenario: &Path) -> Vec<u8> {
    let out = Command::new(required_env("PORTPLAN_BIN"))
        .args(["plan", "--format", format, "--scenario"])
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

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|s| s.as_str().expect("string").to_string())
        .collect()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

#[test]
fn waves_firewall_view_and_review_links() {
    let url = required_env("PORTPLAN_SITE_URL");
    let out = browser::artifacts("e2e-waves");
    run_browser(&url, &out);
    let r: Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("result.json")).expect("result.json"),
    )
    .expect("JSON");

    // 1. Never blank, always in words.
    assert_eq!(r["focus_after_add"], "f-workloads-1-name");
    assert_eq!(r["problems_after_add"], 0, "a draft row is no error");
    assert_eq!(r["draft_rows"], 1, "the new row is marked as a draft");
    assert_eq!(r["problems_while_typing"], 0, "typing is not committing");
    let problems = strings(&r["problems"]);
    assert_eq!(
        problems,
        [
            "Workload 1 “web01”, Drives: “#” is not a drive letter (A–Z).",
            "Workload 2 “vm02”, Address: “10.0.1.” is not a valid IPv4 address.",
        ],
        "{r:#}"
    );
    for p in &problems {
        assert!(!p.contains("workloads[") && !p.contains("[0]"), "{p}");
    }
    assert!(r["problems_title"]
        .as_str()
        .is_some_and(|t| t.contains("out of date: 2 fields to fix")));
    assert!(r["stale_note"]
        .as_str()
        .is_some_and(|t| t.contains("2 fields to fix")));
    assert_eq!(r["flows_while_invalid"], r["flows_at_start"]);
    assert_eq!(r["focus_after_problem_click"], "f-workloads-0-drives");
    assert_eq!(r["focus_after_remove"], "f-workloads-0-name");

    // 2. Waves in.
    // The untouched sample row gave way to the pasted rows, none with a target.
    assert!(
        strings(&r["warnings_no_targets"])
            .iter()
            .any(|w| w.starts_with("No workload has a target, so the plan has no Transfer phase")),
        "{r:#}"
    );
    let cap = r["cap_message"].as_str().expect("cap message");
    assert!(
        cap.starts_with("That is 10001 rows") && cap.contains("Nothing was added"),
        "{cap}"
    );
    assert_eq!(r["workloads_after_cap"], 3);
    assert!(
        r["cap_ms"].as_u64().is_some_and(|ms| ms < 10_000),
        "{}",
        r["cap_ms"]
    );
    let summary = r["paste_summary"].as_str().expect("summary");
    assert!(
        summary.contains("Read 40 rows (tab-separated, columns from the header")
            && summary.contains("Every row is ready"),
        "{summary}"
    );
    assert_eq!(r["workloads"], 40);
    assert_eq!(r["linux_windows_disabled"], true);
    // Two hosts at one address are refused in the row (no plan guesses which answered).
    let duplicate = strings(&r["duplicate_problems"]);
    assert!(
        duplicate.iter().any(|p| p.contains("lnx0040")
            && p.contains("10.1.0.39")
            && p.contains("is already the address of lnx0039")),
        "{duplicate:?}"
    );

    // 3. The firewall view: a few grouped rules instead of one per host pair.
    let title = r["firewall_title"].as_str().expect("title");
    let rules = r["firewall"].as_array().expect("rules");
    assert!(rules.len() <= 16, "{} rules: {rules:#?}", rules.len());
    assert!(
        title.contains("rules for") && title.contains("host pairs"),
        "{title}"
    );
    let to_server = rules
        .iter()
        .find(|x| x["from"] == "40 sources" && x["to"] == "ps01")
        .unwrap_or_else(|| panic!("no 40 sources → ps01: {rules:#?}"));
    assert!(
        to_server["ports"]
            .as_str()
            .is_some_and(|p| p.contains("TCP 80, 443")),
        "{to_server}"
    );
    assert!(rules
        .iter()
        .all(|x| !x["phase"].as_str().unwrap_or("").is_empty()));
    let searched = strings(&r["firewall_search"]);
    assert!(
        !searched.is_empty() && searched.iter().all(|p| p.contains("3725")),
        "{searched:?}"
    );
    let sorted = strings(&r["firewall_sorted_to"]);
    let mut expect = sorted.clone();
    expect.sort_by_key(|s| s.to_lowercase());
    assert_eq!(sorted, expect);
    // Every firewall download is the CLI's output for the downloaded scenario.
    let scenario = out.join("wave-scenario.json");
    for (format, file, name) in [
        ("change-csv", "change.csv", "ps01-change-request.csv"),
        ("powershell", "firewall.ps1", "ps01-firewall.ps1"),
        ("netsh", "firewall.cmd", "ps01-firewall-netsh.cmd"),
        ("nftables", "firewall.nft", "ps01-firewall.nft"),
        ("iptables", "firewall.iptables", "ps01-firewall.iptables"),
        ("firewalld", "firewalld.sh", "ps01-firewall-firewalld.sh"),
    ] {
        assert_eq!(r["downloads"][file], name);
        assert_eq!(
            std::fs::read(out.join(file)).expect("download"),
            cli(format, &scenario),
            "{format}"
        );
    }

    // 4. The share link: compressed, review mode, URL unchanged until an edit.
    let link = r["share_link"].as_str().expect("link");
    assert!(link.starts_with(&format!("{url}#s=")), "{link}");
    assert_eq!(r["location"], link);
    assert!(r["review_title"]
        .as_str()
        .is_some_and(|t| t.contains("Review of a shared plan") && t.contains("40 workloads")));
    assert_eq!(r["review_wizard"], 0, "review mode shows no wizard");
    assert!(
        r["review_firewall_top"]
            .as_f64()
            .is_some_and(|t| t < 3000.0),
        "the results come first: {}",
        r["review_firewall_top"]
    );
    assert_eq!(r["review_firewall_rows"].as_u64(), Some(rules.len() as u64));
    assert_eq!(r["review_location"], link);
    assert_eq!(r["location_after_edit_click"], link);
    assert_ne!(r["location_after_edit"], link);
    assert!(r["old_link_flows"].as_u64().is_some_and(|n| n > 10));

    // 5. 1,000 workloads: link size and committed-edit latency.
    let link_len = r["bench_link_length"].as_u64().expect("length");
    assert!(link_len < 32 * 1024, "{link_len} bytes");
    let edits: Vec<f64> = r["bench_edits"]
        .as_array()
        .expect("edits")
        .iter()
        .map(|v| v.as_f64().expect("ms"))
        .collect();
    assert!(
        edits.iter().all(|ms| *ms >= 0.0),
        "an edit did not show: {edits:?}"
    );
    let settled: Vec<f64> = r["bench_settled"]
        .as_array()
        .expect("settled")
        .iter()
        .map(|v| v.as_f64().expect("ms"))
        .collect();
    assert!(
        settled.iter().all(|ms| *ms >= 0.0),
        "the firewall view never showed an edit: {settled:?}"
    );
    let med = median(edits.clone());
    std::fs::write(
        out.join("bench.json"),
        serde_json::json!({
            "workloads": 1000,
            "plan": r["bench_flows_title"],
            "link_bytes": link_len,
            "edit_ms": edits,
            "edit_ms_median": med,
            "settled_ms": settled,
        })
        .to_string(),
    )
    .expect("bench.json");
    // The target is < 100 ms (about 50 ms here, see BENCHMARKS.md). The bound
    // leaves room for a loaded CI machine and still catches a return of what made it
    // 0.6-1.1 s: the whole plan's JSON in the edit's frame, every row rendered again,
    // the whole table laid out again.
    assert!(
        med < 250.0,
        "median committed edit {med:.0} ms at 1,000 workloads: {edits:?}"
    );

    // Nothing but our own origin, no console errors, screenshots taken.
    let origin = url.trim_end_matches('/');
    for req in strings(&r["requests"]) {
        assert!(
            req.starts_with("data:")
                || req.starts_with(origin)
                || req.starts_with(&format!("blob:{origin}")),
            "request to another origin: {req}"
        );
    }
    assert_eq!(r["console"], Value::Array(vec![]), "console errors");
    // At 390 px the workload rows and the firewall rules are cards: nothing is wider
    // than the phone (the diagram scrolls inside its own box).
    assert!(
        r["phone_scroll_width"].as_u64().is_some_and(|w| w <= 400),
        "page {} px wide at 390 px",
        r["phone_scroll_width"]
    );
    for shot in [
        "problems-1440.png",
        "wave-1440.png",
        "firewall-1440.png",
        "wave-390.png",
        "firewall-390.png",
        "review-1440.png",
    ] {
        let len = std::fs::metadata(out.join(shot)).map_or(0, |m| m.len());
        assert!(len > 10_000, "{shot}: {len} bytes");
    }
}
