//! Reference mode in a real browser (Debian's headless Chromium via playwright-core;
//! `tests/browser/reference.cjs` acts, this test asserts): the page lists the rules of
//! a product release as `portplan rules --product P --version V` prints them (every
//! field of every rule, word for word, read back off the page into the CLI's layout),
//! its search keeps the entries that hold the text, and comparing two releases shows
//! what `portplan rules --product P --diff OLD..NEW` prints. Screenshots at 1440 and
//! 390 px land in `target/e2e-reference/`.
//!
//! Run by `cargo xtask test` (it needs `PORTPLAN_SITE_URL` and `PORTPLAN_BIN`).
#![cfg(feature = "browser")]

use portplan_tests::browser::{self, required_env};

use portplan_core::types::Version;
use portplan_core::{releases, Product};
use serde_json::Value;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const BROWSER_DEADLINE: Duration = Duration::from_secs(180);

fn run_browser(url: &str, out: &Path) {
    browser::run_script("reference.cjs", url, out, &[], BROWSER_DEADLINE);
}

/// What `portplan ARGS` prints.
fn cli(args: &[&str]) -> String {
    let out = Command::new(required_env("PORTPLAN_BIN"))
        .args(args)
        .output()
        .expect("portplan runs");
    assert!(out.status.success(), "portplan {args:?} failed");
    String::from_utf8(out.stdout).expect("utf-8")
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("{v} is not a string"))
}

/// One rule card of the page, written back as the CLI's table writes a rule.
fn card_as_cli(c: &Value) -> String {
    let mut out = format!(
        "{:<40} {:<18} {}  {} {}\n    {}\n",
        s(&c["id"]),
        s(&c["phase"]),
        s(&c["dir"]),
        s(&c["proto"]),
        s(&c["ports"]),
        s(&c["purpose"])
    );
    if let Some(w) = c["when"].as_str() {
        out.push_str(&format!("    when: {w}\n"));
    }
    out.push_str(&format!(
        "    source: {} ({})\n",
        s(&c["source"]),
        s(&c["page"])
    ));
    if c["optional"] == true {
        out.push_str("    optional\n");
    }
    for n in c["notes"].as_array().expect("notes") {
        out.push_str(&format!("    note: {}\n", s(n)));
    }
    out
}

fn cards(shown: &Value) -> &Vec<Value> {
    shown["cards"].as_array().expect("cards")
}

/// The CLI table split into one entry per rule (the final count line dropped).
fn cli_entries(table: &str) -> Vec<String> {
    let mut entries: Vec<String> = Vec::new();
    for line in table.lines() {
        if line.starts_with("    ") {
            let last = entries.last_mut().expect("an entry before its details");
            last.push_str(line);
            last.push('\n');
        } else if !line.ends_with(" rules") {
            entries.push(format!("{line}\n"));
        }
    }
    entries
}

/// The page's listing is the CLI's, entry for entry; with a search, the CLI's entries
/// that hold the text (case-insensitive).
fn assert_listing(shown: &Value, table: &str, query: &str) {
    let page: Vec<String> = cards(shown).iter().map(card_as_cli).collect();
    let q = query.to_lowercase();
    let expected: Vec<String> = cli_entries(table)
        .into_iter()
        .filter(|e| e.to_lowercase().contains(&q))
        .collect();
    assert!(!expected.is_empty(), "nothing for {query:?} in\n{table}");
    assert_eq!(page, expected, "the page's rules for {query:?}");
    let total = table.lines().last().expect("count line");
    let count = s(&shown["count"]);
    if query.is_empty() {
        assert_eq!(count, total);
    } else {
        assert_eq!(
            count,
            format!("{} of {total} match “{query}”", expected.len())
        );
    }
    // Vendor pages are links to their address (a path-only page is text).
    for c in cards(shown) {
        let page = s(&c["page"]);
        match c["href"].as_str() {
            Some(href) => assert_eq!(href, format!("https://{page}")),
            None => assert!(
                !page.split('/').next().unwrap_or_default().contains('.'),
                "{page} is an address but not a link"
            ),
        }
    }
}

/// The page's diff, written back as `portplan rules --diff` prints it.
fn diff_as_cli(d: &Value) -> String {
    let mut out = format!("{}\n", s(&d["title"]));
    for n in d["notes"].as_array().expect("notes") {
        out.push_str(&format!("{}\n", s(n)));
    }
    for sec in d["sections"].as_array().expect("sections") {
        out.push_str(&format!("\n{}\n", s(&sec["title"])));
        for r in sec["rows"].as_array().expect("rows") {
            out.push_str(&format!(
                "  {:<40} {}  {} {}\n",
                s(&r["id"]),
                s(&r["dir"]),
                s(&r["proto"]),
                s(&r["ports"])
            ));
            if let Some(n) = r["note"].as_str() {
                out.push_str(&format!("    {n}\n"));
            }
        }
    }
    out
}

#[test]
fn reference_mode_shows_what_portplan_rules_prints() {
    let url = required_env("PORTPLAN_SITE_URL");
    let out = browser::artifacts("e2e-reference");
    run_browser(&url, &out);
    let r: Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("result.json")).expect("result.json"),
    )
    .expect("result.json parses");
    assert_eq!(r["console"], serde_json::json!([]), "console errors");
    for req in r["requests"].as_array().expect("requests") {
        assert!(s(req).starts_with(&url), "a request off the site: {req}");
    }

    // The mode opens from a button, hides the planner and takes the focus; its
    // controls come next in the tab order, each with a label.
    assert_eq!(r["reference_hidden_at_start"], true);
    assert_eq!(r["toggle_pressed"], "true");
    assert_eq!(r["planner_hidden"], true);
    assert_eq!(r["focus_after_open"], "reference-title");
    assert_eq!(
        r["tabs"],
        serde_json::json!(["ref-product", "ref-version", "ref-search"])
    );
    for l in r["labels"].as_array().expect("labels") {
        assert!(
            !l["label"].as_str().unwrap_or_default().is_empty(),
            "no label: {l}"
        );
    }
    let versions =
        |p: Product| -> Vec<String> { releases::of(p).map(|r| r.version.to_string()).collect() };
    let products: Vec<String> = Product::ALL
        .iter()
        .map(|p| p.as_str().to_string())
        .collect();
    assert_eq!(r["products"], serde_json::json!(products));
    // The release table, then "Another version…" (typed below).
    let with_other = |p: Product| {
        let mut v = versions(p);
        v.push("other".into());
        v
    };
    assert_eq!(
        r["migrate_versions"],
        serde_json::json!(with_other(Product::Migrate))
    );
    assert_eq!(
        r["default"],
        serde_json::json!({ "version": "2020.2", "from": "2019.8", "to": "2020.2" })
    );

    // The listing and its searches, against the CLI.
    let m2020 = cli(&["rules", "--product", "migrate", "--version", "2020.2"]);
    assert_listing(&r["m2020_2"], &m2020, "");
    assert_listing(&r["m2020_2_3725"], &m2020, "3725");
    assert_listing(&r["m2020_2_replication"], &m2020, "replication");
    let m2018 = cli(&["rules", "--product", "migrate", "--version", "2018.11"]);
    assert_listing(&r["m2018_11_replication"], &m2018, "replication");
    assert_ne!(r["m2018_11_replication"], r["m2020_2_replication"]);
    // Protect's newest release in the core's table (11.3, rules v3) opens first.
    let protect = cli(&["rules", "--product", "protect", "--version", "11.3"]);
    assert_eq!(r["protect"]["version"], "11.3");
    assert_eq!(s(&r["protect"]["title"]), "Rules of PlateSpin Protect 11.3");
    assert_listing(&r["protect"], &protect, "");
    let pv = serde_json::json!(versions(Product::Protect));
    assert_eq!(
        r["protect_versions"],
        serde_json::json!({ "version": with_other(Product::Protect), "from": pv, "to": pv })
    );

    // Another version, typed: the CLI's listing for it, under the core's warning that
    // names the nearest known releases; a mistake is said in words.
    let warning = |v: &str| {
        releases::warning(Product::Migrate, &Version::parse(v).expect("version"))
            .expect("not a known release")
    };
    assert_eq!(r["other_focus"], "ref-version-text");
    assert_eq!(s(&r["other_empty"]), "Type a version, e.g. 2019.6.");
    let w2030 = warning("2030.1");
    assert!(w2030.contains("after Migrate 2020.2"), "{w2030}");
    assert_eq!(s(&r["other_2030_1"]["warning"]), w2030);
    let m2030 = cli(&["rules", "--product", "migrate", "--version", "2030.1"]);
    assert_listing(&r["other_2030_1"], &m2030, "");
    assert_eq!(s(&r["other_bad"]), "“2019.x” is not a version (e.g. 12.3).");
    assert_eq!(r["other_hidden_again"], true);

    // Direct addresses open the mode, with the product and release they name.
    let plain = &r["hash_plain"];
    assert_eq!(
        (&plain["open"], &plain["planner_hidden"]),
        (&Value::Bool(true), &Value::Bool(true))
    );
    assert_eq!(
        (s(&plain["product"]), s(&plain["version"])),
        ("migrate", "2020.2")
    );
    assert_eq!(plain["warning"], Value::Null);
    let known = &r["hash_known"];
    assert_eq!(known["open"], true);
    assert_eq!(s(&known["title"]), "Rules of PlateSpin Protect 11.2.1");
    assert_listing(known, &protect, "");
    let typed = &r["hash_typed"];
    assert_eq!(typed["open"], true);
    assert_eq!(
        (s(&typed["version"]), s(&typed["typed"])),
        ("other", "2019.6")
    );
    let w2019 = warning("2019.6");
    assert!(w2019.contains("between Migrate 2019.5 and"), "{w2019}");
    assert_eq!(s(&typed["warning"]), w2019);
    let m2019 = cli(&["rules", "--product", "migrate", "--version", "2019.6"]);
    assert_listing(typed, &m2019, "");
    assert!(
        typed["width"].as_u64().is_some_and(|w| w <= 400),
        "{} px at 390",
        typed["width"]
    );

    // Comparing two releases is `rules --diff`, section for section.
    for (key, spec) in [
        ("diff_2018_11_2020_2", "2018.11..2020.2"),
        ("diff_12_2_2019_5", "12.2..2019.5"),
    ] {
        let expected = cli(&["rules", "--product", "migrate", "--diff", spec]);
        assert_eq!(diff_as_cli(&r[key]), expected, "{spec}");
    }
    let removed = &r["diff_2018_11_2020_2"]["sections"][1];
    assert_eq!(removed["key"], "removed");
    // Xen is kept as 2018.11 documents it (rules v3): eight rules are gone.
    assert_eq!(removed["rows"].as_array().map(Vec::len), Some(8));

    // axe-core: no serious or critical violation in reference mode, at 1440 and 390 px.
    for key in ["axe_1440", "axe_390"] {
        let bad: Vec<&Value> = r[key]
            .as_array()
            .expect("axe ran")
            .iter()
            .filter(|v| v["impact"] == "serious" || v["impact"] == "critical")
            .collect();
        assert!(bad.is_empty(), "{key}: {bad:#?}");
    }

    // A phone: no sideways scrolling. Back to the planner: the plan is still there.
    assert!(
        r["width_390"].as_u64().unwrap_or(9999) <= 390,
        "{}",
        r["width_390"]
    );
    assert!(
        r["back"]["flows"].as_u64().unwrap_or(0) > 0,
        "{}",
        r["back"]
    );
    assert_eq!(r["back"]["visible"], true);
    assert_eq!(r["back"]["pressed"], "false");
}
