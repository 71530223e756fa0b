//! The XLSX change request read back by openpyxl (what a spreadsheet program sees):
//! its rows equal the change-request CSV's, the header is frozen and filterable, and
//! the approval column offers yes/no.
//!
//! openpyxl lives in the venv `cargo xtask setup` installs at `target/tools/fwtools/`;
//! without it the test fails, naming it.

use portplan_core::export::{change_csv, xlsx};
use portplan_core::{Plan, Scenario};
use std::process::Command;

const DUMP: &str = r#"
import json, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb["Change request"]
rows = [[("" if c is None else str(c)) for c in r] for r in ws.iter_rows(values_only=True)]
dv = [(d.type, d.formula1, str(d.sqref)) for d in ws.data_validations.dataValidation]
print(json.dumps({"rows": rows, "freeze": ws.freeze_panes, "filter": ws.auto_filter.ref, "validations": dv}))
"#;

#[test]
fn openpyxl_reads_the_change_request_rows() {
    let python = portplan_tests::workspace_root().join("target/tools/fwtools/bin/python");
    assert!(
        python.exists(),
        "{} is missing: install the firewall tools venv (cargo xtask setup, or python3 -m venv target/tools/fwtools && target/tools/fwtools/bin/pip install openpyxl)",
        python.display()
    );
    let text =
        std::fs::read_to_string(portplan_tests::example("firewall-wave.json")).expect("example");
    let plan = Plan::build(&Scenario::from_json(&text).expect("scenario")).expect("plan");
    let file = std::env::temp_dir().join(format!("portplan-xlsx-{}.xlsx", std::process::id()));
    std::fs::write(&file, xlsx::render(&plan, "2026-01-01")).expect("write");
    let out = Command::new(&python)
        .args(["-c", DUMP])
        .arg(&file)
        .output()
        .expect("python");
    let _ = std::fs::remove_file(&file);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let rows: Vec<Vec<String>> = serde_json::from_value(v["rows"].clone()).expect("rows");
    let mut header: Vec<&str> = change_csv::HEADER.to_vec();
    header.extend(xlsx::EXTRA);
    assert_eq!(rows[0], header);
    let csv = change_csv::rows(&plan);
    assert_eq!(rows.len(), csv.len() + 1);
    for (got, want) in rows[1..].iter().zip(&csv) {
        assert_eq!(&got[..want.len()], want.as_slice());
        assert_eq!(got[want.len()], "", "approval starts empty");
        assert!(
            got[want.len() + 1].starts_with('\u{201c}'),
            "vendor quote: {got:?}"
        );
    }
    assert_eq!(v["freeze"], "A2");
    assert_eq!(v["filter"], format!("A1:O{}", csv.len() + 1));
    assert_eq!(
        v["validations"][0],
        serde_json::json!(["list", "\"yes,no\"", format!("N2:N{}", csv.len() + 1)])
    );
}
