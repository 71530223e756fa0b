//! The XLSX change request from the page, in a real browser (Debian's headless Chromium
//! via playwright-core; `tests/browser/xlsx.cjs` acts, this test asserts): the page
//! fetches its third wasm module (`web-xlsx/`) only when the download is clicked, and
//! the workbook it saves is the one `portplan plan --format xlsx` writes for the same
//! scenario and date, byte for byte; openpyxl reads its rows back equal to the CLI's
//! change-request CSV. Then the server's cloud chosen in the wizard (Azure) gives the
//! NSG download the server's own NSG. Files land in `target/e2e-xlsx/`.
//!
//! Run by `cargo xtask test` (it needs `PORTPLAN_SITE_URL`, `PORTPLAN_BIN` and the venv
//! `target/tools/fwtools` with openpyxl).
#![cfg(feature = "browser")]

use portplan_tests::browser::{self, required_env, root};

use serde_json::Value;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const BROWSER_DEADLINE: Duration = Duration::from_secs(180);

/// openpyxl's rows of the sheet "Change request", every cell as text.
const XLSX: &str = r#"
import json, sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1])["Change request"]
print(json.dumps([[("" if c is None else str(c)) for c in r] for r in ws.iter_rows(values_only=True)]))
"#;

/// Python's csv reader's rows of a CSV file (UTF-8 with BOM, as the CLI writes it).
const CSV: &str = r#"
import csv, json, sys
print(json.dumps(list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8-sig")))))
"#;

fn python_rows(python: &Path, script: &str, file: &Path) -> Vec<Vec<String>> {
    let out = Command::new(python)
        .args(["-c", script])
        .arg(file)
        .output()
        .expect("python");
    assert!(
        out.status.success(),
        "python on {}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the rows")
}

/// `portplan plan -s SCENARIO -f FORMAT --date DATE -o OUT`.
fn cli(scenario: &Path, format: &str, date: &str, out: &Path) {
    let bin = required_env("PORTPLAN_BIN");
    let status = Command::new(&bin)
        .args(["plan", "-s"])
        .arg(scenario)
        .args(["-f", format, "--date", date, "-o"])
        .arg(out)
        .status()
        .expect("portplan");
    assert!(status.success(), "portplan plan -f {format}: {status}");
}

#[test]
fn the_pages_xlsx_is_the_clis() {
    let python = root().join("target/tools/fwtools/bin/python");
    assert!(
        python.exists(),
        "{} is missing: install the firewall tools venv (cargo xtask setup)",
        python.display()
    );
    let url = required_env("PORTPLAN_SITE_URL");
    let out = browser::artifacts("e2e-xlsx");
    let scenario = portplan_tests::example("firewall-wave.json");
    browser::run_script(
        "xlsx.cjs",
        &url,
        &out,
        &[("SCENARIO_FILE", &scenario)],
        BROWSER_DEADLINE,
    );
    let r: Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("result.json")).expect("result.json"),
    )
    .expect("result.json parses");
    assert_eq!(r["console"], serde_json::json!([]), "console errors");
    assert_eq!(r["error"], serde_json::json!([]), "the download's error");
    // The module comes with the click, not with the page.
    assert_eq!(r["xlsx_before_click"], serde_json::json!([]));
    let after: Vec<String> = serde_json::from_value(r["xlsx_after_click"].clone()).expect("list");
    assert!(
        after
            .iter()
            .any(|p| p.ends_with("/xlsx/portplan_web_xlsx_bg.wasm")),
        "{after:?}"
    );
    assert!(
        r["file"].as_str().is_some_and(|f| f.ends_with(".xlsx")),
        "{}",
        r["file"]
    );

    let date = r["date"].as_str().expect("the page's date");
    let (cli_xlsx, cli_csv) = (out.join("cli.xlsx"), out.join("cli.csv"));
    cli(&scenario, "xlsx", date, &cli_xlsx);
    cli(&scenario, "change-csv", date, &cli_csv);
    let page = std::fs::read(out.join("page.xlsx")).expect("the page's workbook");
    assert!(
        page == std::fs::read(&cli_xlsx).expect("the CLI's workbook"),
        "the page's workbook differs from the CLI's (target/e2e-xlsx/)"
    );

    // What a spreadsheet program sees: the CLI's rows, and the change request's.
    let rows = python_rows(&python, XLSX, &out.join("page.xlsx"));
    assert_eq!(rows, python_rows(&python, XLSX, &cli_xlsx));
    let csv = python_rows(&python, CSV, &cli_csv);
    let (header, records) = csv.split_first().expect("the CSV's header");
    assert!(records.len() > 5, "{} rows", records.len());
    assert_eq!(rows.len(), records.len() + 1);
    assert_eq!(rows[0][..header.len()], header[..]);
    for (got, want) in rows[1..].iter().zip(records) {
        assert_eq!(&got[..want.len()], want.as_slice());
    }

    // The server's cloud chosen in the wizard (Azure) reaches the NSG download: the
    // server's own NSG beside the targets'.
    let nsg: Value = serde_json::from_slice(
        &std::fs::read(out.join("azure-nsg.json")).expect("the NSG download"),
    )
    .expect("the NSG template");
    assert!(
        nsg["parameters"].get("serverNsgName").is_some(),
        "{}",
        nsg["parameters"]
    );
}
