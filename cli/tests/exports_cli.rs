//! `portplan plan --format …` for the export formats: the CLI writes exactly what the
//! core renders, dates are checked, and a PDF is never dumped onto a terminal.

use portplan_core::export::{change_csv, firewall, pdf};
use portplan_core::{Plan, Scenario};
use std::path::PathBuf;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_portplan"))
}

fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(name)
}

fn plan(name: &str) -> Plan {
    let text = std::fs::read_to_string(example(name)).expect("example");
    Plan::build(&Scenario::from_json(&text).expect("scenario")).expect("plan")
}

fn run(args: &[&str]) -> std::process::Output {
    bin().args(args).output().expect("run portplan")
}

/// A text exporter of the core.
type Render = fn(&Plan) -> String;

#[test]
fn text_formats_are_the_core_renderers_byte_for_byte() {
    let ex = example("migrate-2020.json");
    let ex = ex.to_str().expect("utf-8 path");
    let p = plan("migrate-2020.json");
    let cases: [(&str, Render); 6] = [
        ("change-csv", change_csv::render),
        ("powershell", firewall::powershell::render),
        ("netsh", firewall::netsh::render),
        ("nftables", firewall::nftables::render),
        ("iptables", firewall::iptables::render),
        ("firewalld", firewall::firewalld::render),
    ];
    for (format, render) in cases {
        let out = run(&["plan", "-s", ex, "-f", format]);
        assert!(
            out.status.success(),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.stdout, render(&p).into_bytes(), "{format}");
    }
}

#[test]
fn pdf_to_a_file_matches_the_core_and_uses_the_given_date() {
    let dir = std::env::temp_dir().join(format!("portplan-cli-pdf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("x.pdf");
    let ex = example("windows-file.json");
    let out = bin()
        .args(["plan", "--scenario"])
        .arg(&ex)
        .args(["--format", "pdf", "--date", "2026-11-25", "-o"])
        .arg(&file)
        .output()
        .expect("run");
    let bytes = std::fs::read(&file);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let want = portplan_core::export::pdf::figure::checklist(
        &plan("windows-file.json"),
        None,
        &pdf::PdfOptions::new("2026-11-25"),
    );
    assert_eq!(bytes.expect("pdf written"), want);
}

#[test]
fn pdf_date_defaults_to_today_utc() {
    let today = Command::new("date")
        .args(["-u", "+%F"])
        .output()
        .expect("date");
    let today = String::from_utf8_lossy(&today.stdout).trim().to_string();
    let ex = example("windows-file.json");
    // Stdout is a pipe here, so the PDF may go there.
    let out = bin()
        .args(["plan", "-f", "pdf", "-s"])
        .arg(&ex)
        .output()
        .expect("run");
    assert!(out.status.success());
    // The document info dictionary is not compressed: the date is in the subject.
    let raw = String::from_utf8_lossy(&out.stdout);
    assert!(
        raw.contains(&format!(", {today})")),
        "no {today} in the PDF info"
    );
}

#[test]
fn bad_dates_are_refused_as_usage_errors() {
    let ex = example("windows-file.json");
    let ex = ex.to_str().expect("utf-8 path");
    for bad in [
        "2026-02-30",
        "2026-13-01",
        "26-11-25",
        "2026-11-25T00:00",
        "today",
    ] {
        let out = run(&["plan", "-s", ex, "-f", "pdf", "--date", bad]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("YYYY-MM-DD"),
            "{bad}"
        );
    }
    let out = run(&["plan", "-s", ex, "-f", "pdf", "--date", "2024-02-29"]);
    assert!(out.status.success(), "leap day");
}

#[test]
fn pdf_is_not_written_to_a_terminal() {
    // `script` gives the command a pseudo-terminal as stdout.
    let ex = example("windows-file.json");
    let cmd = format!(
        "{} plan -f pdf -s {}",
        env!("CARGO_BIN_EXE_portplan"),
        ex.display()
    );
    let out = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .output()
        .expect("script (util-linux)");
    let seen = String::from_utf8_lossy(&out.stdout);
    assert!(
        seen.contains("use -o") || seen.contains("-o FILE"),
        "{seen}"
    );
    assert!(!seen.contains("%PDF"), "PDF bytes reached the terminal");
    assert!(!out.status.success(), "exit status must report the refusal");
}

/// One line per case: the scenario's `server.platform` → whether `--format azure-nsg` /
/// `aws-cfn` write the server's own NSG or security group for a plan made from it.
#[test]
fn a_scenario_that_names_the_servers_cloud_gets_its_own_rules() {
    let text = std::fs::read_to_string(example("firewall-wave.json")).expect("example");
    let cases = [
        (None, "azure-nsg", "parameters", "serverNsgName", false),
        (
            Some("azure"),
            "azure-nsg",
            "parameters",
            "serverNsgName",
            true,
        ),
        (
            Some("aws"),
            "azure-nsg",
            "parameters",
            "serverNsgName",
            false,
        ),
        (
            None,
            "aws-cfn",
            "Parameters",
            "ServerSecurityGroupId",
            false,
        ),
        (
            Some("aws"),
            "aws-cfn",
            "Parameters",
            "ServerSecurityGroupId",
            true,
        ),
        (
            Some("azure"),
            "aws-cfn",
            "Parameters",
            "ServerSecurityGroupId",
            false,
        ),
    ];
    for (platform, format, parameters, server_param, written) in cases {
        let mut s: serde_json::Value = serde_json::from_str(&text).expect("json");
        if let Some(p) = platform {
            s["server"]["platform"] = p.into();
        }
        let file = std::env::temp_dir().join(format!(
            "portplan-server-cloud-{}-{}.json",
            std::process::id(),
            platform.unwrap_or("none")
        ));
        std::fs::write(&file, s.to_string()).expect("write");
        let out = run(&["plan", "-s", file.to_str().expect("path"), "-f", format]);
        let _ = std::fs::remove_file(&file);
        assert!(
            out.status.success(),
            "{platform:?} {format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let t: serde_json::Value = serde_json::from_slice(&out.stdout).expect("template");
        assert!(
            t[parameters].as_object().is_some_and(|p| !p.is_empty()),
            "{format}: no {parameters}"
        );
        assert_eq!(
            t[parameters].get(server_param).is_some(),
            written,
            "{platform:?} {format}: {}",
            t[parameters]
        );
    }
}
