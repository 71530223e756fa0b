//! `portplan preflight` end to end in a lab: a Linux source whose input policy drops
//! everything but SSH reads 3725 blocked (naming the policy) and 22 allowed; an `--as`
//! host that is not this machine is refused naming both; JSON output carries the same.
//! Needs root (CI is).

use portplan_tests::netns::Lab;
use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;

const PORTPLAN: &str = env!("CARGO_BIN_EXE_portplan");

fn plan_file(lab_tag: &str, source: &str, server: &str, target: &str) -> PathBuf {
    let scenario = serde_json::json!({
        "format": 1, "product": "migrate", "version": "2020.2",
        "server": {"name": "ps01", "address": server},
        "workloads": [{"name": "lnx01", "address": source, "os": "linux",
            "target": {"name": "lnx01-t", "address": target}}]
    });
    let dir = std::env::temp_dir().join(format!("portplan-preflight-{lab_tag}"));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let s = dir.join(format!("{lab_tag}-scenario.json"));
    std::fs::File::create(&s)
        .and_then(|mut f| f.write_all(scenario.to_string().as_bytes()))
        .expect("write scenario");
    let p = dir.join(format!("{lab_tag}-plan.json"));
    let out = std::process::Command::new(PORTPLAN)
        .args(["plan", "-f", "json", "-s"])
        .arg(&s)
        .arg("-o")
        .arg(&p)
        .output()
        .expect("plan");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    p
}

#[test]
fn a_drop_policy_but_ssh_reads_3725_blocked_and_22_allowed() {
    let mut lab = Lab::new("pfc");
    lab.host("ps");
    lab.host("src");
    lab.host("tgt");
    let (server, source) = lab.link("ps", "src");
    let (target, _) = lab.link("tgt", "src");
    lab.nft(
        "src",
        "table inet filter {\n chain input {\n  type filter hook input priority 0; policy drop;\n  iif lo accept\n  ct state established,related accept\n  tcp dport 22 accept\n }\n}\n",
    );
    let plan = plan_file(&lab.ns("x"), &source, &server, &target);
    let out = lab
        .cmd("src", PORTPLAN)
        .args(["preflight", "--as", "lnx01", "--plan"])
        .arg(&plan)
        .output()
        .expect("preflight");
    let table = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(1), "blocked flows exit 1: {table}");
    for want in [
        "allowed  TCP 22             from ps01",
        "inet filter input rule handle 4: accept",
        "blocked  TCP 3725           from lnx01-t",
        "inet filter input: end of chain, policy drop",
        "problem  linux.sshd: nothing listens on TCP 22",
        "fix: systemctl enable --now sshd",
    ] {
        assert!(table.contains(want), "{want:?} missing from:\n{table}");
    }

    let out = lab
        .cmd("src", PORTPLAN)
        .args(["preflight", "--as", &source, "-f", "json", "--plan"])
        .arg(&plan)
        .output()
        .expect("preflight json");
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["format"], 1);
    assert_eq!(report["probed_from"], "lnx01");
    assert_eq!(report["flows"], serde_json::json!([]));
    let json = &report["preflight"][0];
    assert_eq!(json["host"], "lnx01");
    assert_eq!(json["firewall"], "nft -j list ruleset");
    let flow = |port: u64| {
        json["flows"]
            .as_array()
            .expect("flows")
            .iter()
            .find(|f| f["ports"]["first"] == port)
            .unwrap_or_else(|| panic!("no flow to {port}: {json}"))
            .clone()
    };
    let d = &flow(3725)["results"][0]["decision"];
    assert_eq!(d["verdict"], "blocked");
    assert_eq!(
        d["evidence"][0],
        "inet filter input: end of chain, policy drop"
    );
    assert_eq!(flow(22)["results"][0]["decision"]["verdict"], "allowed");

    // The same as JUnit, read back: a case per inbound flow and prerequisite.
    let out = lab
        .cmd("src", PORTPLAN)
        .args(["preflight", "--as", "lnx01", "-f", "junit", "--plan"])
        .arg(&plan)
        .output()
        .expect("preflight junit");
    assert_eq!(out.status.code(), Some(1));
    let xml = String::from_utf8_lossy(&out.stdout).to_string();
    let suites =
        junit_parser::from_reader(std::io::Cursor::new(xml.as_bytes())).expect("JUnit reads back");
    assert_eq!(suites.suites.len(), 1, "{xml}");
    let suite = &suites.suites[0];
    assert_eq!(suite.name, "preflight lnx01");
    let case = |name: &str| {
        suite
            .cases
            .iter()
            .find(|c| c.original_name.starts_with(name))
            .unwrap_or_else(|| panic!("no case {name}: {xml}"))
    };
    assert!(
        case("inbound TCP 22 from ps01").status.is_success(),
        "{xml}"
    );
    assert_eq!(
        case("inbound TCP 3725 from lnx01-t")
            .status
            .failure_as_ref()
            .message,
        "blocked: inet filter input: end of chain, policy drop"
    );
    assert_eq!(
        case("linux.sshd").status.failure_as_ref().message,
        "problem: nothing listens on TCP 22"
    );

    // The server: 80 and 443 must not be blocked inbound; here 443 is rejected.
    lab.nft(
        "ps",
        "table inet filter {\n chain input {\n  type filter hook input priority 0; policy accept;\n  tcp dport 443 reject with tcp reset\n }\n}\n",
    );
    let out = lab
        .cmd("ps", PORTPLAN)
        .args(["preflight", "--as", "ps01", "--plan"])
        .arg(&plan)
        .output()
        .expect("preflight on the server");
    let table = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(1), "{table}");
    for want in [
        "ok       server.http: TCP 80 from lnx01, lnx01-t is allowed by this host's firewall",
        "problem  server.https: TCP 443 from lnx01, lnx01-t is blocked by this host's firewall",
        "fix: netsh advfirewall firewall add rule name=\"PlateSpin HTTPS\"",
    ] {
        assert!(table.contains(want), "{want:?} missing from:\n{table}");
    }

    // Without root the firewall is not read: every flow is unknown, and says why.
    let out = lab
        .cmd("src", "setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", PORTPLAN])
        .args(["preflight", "--as", "lnx01", "-f", "json", "--plan"])
        .arg(&plan)
        .output()
        .expect("preflight as nobody");
    let json: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let d = &json["preflight"][0]["flows"][0]["results"][0]["decision"];
    assert_eq!(d["verdict"], "unknown");
    assert_eq!(d["reason"], "unknown: run elevated to read the firewall");
    let _ = std::fs::remove_dir_all(plan.parent().expect("dir"));
}

#[test]
fn a_host_that_is_not_this_machine_is_refused_naming_both() {
    let mut lab = Lab::new("pfr");
    lab.host("a");
    lab.host("b");
    let (a, b) = lab.link("a", "b");
    let plan = plan_file(&lab.ns("y"), &b, &a, "10.9.9.9");
    let out = lab
        .cmd("a", PORTPLAN)
        .args(["preflight", "--as", "lnx01", "--plan"])
        .arg(&plan)
        .output()
        .expect("preflight");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!(
            "--as lnx01: its plan address {b} is not an address of this machine"
        )) && err.contains(&a),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    let _ = std::fs::remove_dir_all(plan.parent().expect("dir"));
}
