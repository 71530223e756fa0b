//! The protocol confirmations against REAL Debian servers (OpenSSH, nginx, Samba)
//! started inside a network namespace; the prober runs in another namespace through
//! the hidden `portplan probe-service` command (the same library code `check --deep`
//! drives). Needs root and the packages `cargo xtask test` installs.

use portplan_tests::netns::Lab;
use portplan_tests::servers::{self, TempDir};
use serde_json::Value;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_portplan");

fn probe(lab: &Lab, host: &str, args: &[&str]) -> Value {
    lab.probe_service(BIN, host, args)
}

fn detail<'a>(v: &'a Value, key: &str) -> &'a str {
    v["details"]
        .as_array()
        .and_then(|d| d.iter().find(|kv| kv[0] == key))
        .and_then(|kv| kv[1].as_str())
        .unwrap_or_else(|| panic!("no detail {key:?} in {v}"))
}

/// A server host and a client host joined by one link: (lab, server address).
fn lab(tag: &str) -> (Lab, String) {
    let mut lab = Lab::new(tag);
    lab.host("srv");
    lab.host("cli");
    let (srv, _cli) = lab.link("srv", "cli");
    (lab, srv)
}

#[test]
fn ssh_banner_of_openssh() {
    let (lab, addr) = lab("ssh");
    let dir = TempDir::new("sshd");
    let sshd = servers::sshd(&lab, "srv", &addr, &dir);
    let v = probe(&lab, "cli", &[&format!("{addr}:22")]);
    assert_eq!(v["protocol"], "ssh", "{v}\n{}", sshd.output());
    assert_eq!(detail(&v, "proto_version"), "2.0");
    assert!(detail(&v, "software").starts_with("OpenSSH_"), "{v}");
    assert!(
        v["summary"]
            .as_str()
            .unwrap_or("")
            .starts_with("SSH-2.0-OpenSSH_"),
        "{v}"
    );
    // A real service that is not the responder does not pass the token check.
    let t = probe(
        &lab,
        "cli",
        &[
            &format!("{addr}:22"),
            "--token",
            "sha256:00",
            "--timeout",
            "2",
        ],
    );
    assert!(
        t["error"]
            .as_str()
            .unwrap_or("")
            .contains("token not verified"),
        "{t}"
    );
}

#[test]
fn http_and_tls_of_nginx_with_self_signed_certificate() {
    let (lab, addr) = lab("web");
    let dir = TempDir::new("nginx");
    let (crt, key) = servers::self_signed_cert(&dir, "pplab.test", &addr);
    let nginx = servers::nginx(&lab, "srv", &addr, &dir, &crt, &key);
    let v = probe(&lab, "cli", &[&format!("{addr}:80")]);
    assert_eq!(v["protocol"], "http", "{v}\n{}", nginx.output());
    assert_eq!(detail(&v, "http_status"), "200");
    assert!(detail(&v, "server").starts_with("nginx"), "{v}");

    let v = probe(
        &lab,
        "cli",
        &[&format!("{addr}:443"), "--host", "pplab.test"],
    );
    assert_eq!(v["protocol"], "tls", "{v}");
    assert_eq!(detail(&v, "tls_version"), "TLS 1.3", "{v}");
    assert_eq!(detail(&v, "cert_subject"), "CN=pplab.test, O=portplan lab");
    assert_eq!(
        detail(&v, "cert_self_signed"),
        "true",
        "self-signed is reported, not a failure"
    );
    assert_eq!(detail(&v, "cert_expired"), "false");
    assert!(
        detail(&v, "cert_san").contains(&format!("IP:{addr}")),
        "{v}"
    );
    assert_eq!(detail(&v, "http_status"), "200", "HEAD inside TLS: {v}");
    // By address (IP SNI is not sent) the handshake still works.
    let v = probe(&lab, "cli", &[&format!("{addr}:443")]);
    assert_eq!(v["protocol"], "tls", "{v}");
}

#[test]
fn samba_smb2_netbios_and_endpoint_mapper() {
    let (lab, addr) = lab("smb");
    let dir = TempDir::new("samba");
    let samba = servers::samba(&lab, "srv", &addr, &dir);
    let logs = || {
        samba
            .daemons
            .iter()
            .map(|d| format!("{}:\n{}", d.name, d.output()))
            .collect::<String>()
    };

    let v = probe(&lab, "cli", &[&format!("{addr}:445")]);
    assert_eq!(v["protocol"], "smb", "{v}\n{}", logs());
    assert_eq!(detail(&v, "dialect"), "3.1.1", "{v}");
    assert_eq!(
        detail(&v, "signing_required"),
        "true",
        "server signing = mandatory: {v}"
    );

    let v = probe(&lab, "cli", &[&format!("{addr}:139")]);
    assert_eq!(v["protocol"], "smb", "{v}");
    assert!(
        v["summary"]
            .as_str()
            .unwrap_or("")
            .contains("over NetBIOS session"),
        "{v}"
    );
    assert_eq!(detail(&v, "dialect"), "3.1.1", "{v}");

    let v = probe(&lab, "cli", &["--udp", &format!("{addr}:137")]);
    assert_eq!(v["protocol"], "netbios-ns", "{v}\n{}", logs());
    assert_eq!(detail(&v, "netbios_name"), samba.netbios_name);
    assert!(detail(&v, "names").contains("PPGROUP<00> group"), "{v}");

    // The RPC helpers register with the mapper shortly after it listens: retry, bounded.
    let start = Instant::now();
    let v = loop {
        let v = probe(&lab, "cli", &[&format!("{addr}:135")]);
        let tcp = v["extra_tcp_ports"].as_array().map_or(0, |a| a.len());
        if tcp > 0 || start.elapsed() > Duration::from_secs(15) {
            break v;
        }
        std::thread::sleep(Duration::from_millis(300));
    };
    assert_eq!(v["protocol"], "msrpc-epm", "{v}\n{}", logs());
    let extra = v["extra_tcp_ports"].as_array().cloned().unwrap_or_default();
    assert!(
        !extra.is_empty(),
        "no endpoint with a TCP port: {v}\n{}",
        logs()
    );
    // The dynamic ports it lists really accept connections (probed from the client).
    assert!(extra.iter().all(|e| e["open"] == true), "{v}");
    let endpoints: Vec<&str> = v["details"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|kv| kv[0].as_str().is_some_and(|k| k.starts_with("endpoint.")))
        .filter_map(|kv| kv[1].as_str())
        .collect();
    assert!(
        endpoints
            .iter()
            .any(|e| e.contains(&format!("ncacn_ip_tcp:{addr}[")) && e.contains("LSA")),
        "{endpoints:#?}"
    );
}

/// Runs `portplan check ARGS --format json` in lab host `host`; the report's probes as
/// `(protocol, port, verdict, detail)`.
fn check(lab: &Lab, host: &str, args: &[&str]) -> Vec<(String, Option<u64>, String, String)> {
    let out = lab
        .cmd(host, BIN)
        .arg("check")
        .args(args)
        .args(["--format", "json", "--no-progress"])
        .output()
        .expect("run portplan check");
    let text = String::from_utf8_lossy(&out.stdout);
    let v: Value = serde_json::from_str(text.trim())
        .unwrap_or_else(|e| panic!("{e}: {text}\n{}", String::from_utf8_lossy(&out.stderr)));
    let mut all = portplan_tests::report_probes(&v);
    all.sort();
    all.dedup();
    all
}

/// `check --deep` (the default) on the lab: the Debian servers' real banner, dialect,
/// certificate, NetBIOS name and endpoints end up in the report, verdict `verified`.
#[test]
fn check_deep_reports_what_the_real_servers_say() {
    let mut lab = Lab::new("dep");
    lab.host("srv");
    lab.host("ps");
    let (srv, ps) = lab.link("srv", "ps");
    // The Linux workload gets an address of its own on a second link: a scenario never
    // gives two hosts one address (check could not tell whose answer it heard).
    let (lnx, _) = lab.link("srv", "ps");
    let dir = TempDir::new("deep");
    let _sshd = servers::sshd(&lab, "srv", &lnx, &dir);
    let _samba = servers::samba(&lab, "srv", &srv, &dir);
    let (crt, key) = servers::self_signed_cert(&dir, "ps01.pplab.test", &ps);
    let _nginx = servers::nginx(&lab, "ps", &ps, &dir, &crt, &key);
    // A Windows and a Linux workload on the same lab host (Samba + sshd), each at its own
    // address.
    let scenario = dir.write(
        "s.json",
        &format!(
            r#"{{"format":1,"product":"migrate","version":"2020.2",
            "server":{{"name":"ps01","address":"{ps}"}},
            "workloads":[{{"name":"web01","address":"{srv}","os":"windows","windows":"2019",
              "target":{{"name":"web01-t","address":"10.254.0.7"}}}},
              {{"name":"lnx01","address":"{lnx}","os":"linux",
              "target":{{"name":"lnx01-t","address":"10.254.0.8"}}}}]}}"#
        ),
    );
    let s = scenario.to_str().expect("path");
    // A firewall drops one of the RPC ports the endpoint mapper hands out.
    lab.nft("srv", "table inet fw {\n chain input {\n  type filter hook input priority 0; policy accept;\n  tcp dport 49154 drop\n }\n}\n");

    let start = Instant::now();
    let all = check(
        &lab,
        "ps",
        &[
            "--scenario",
            s,
            "--from",
            "ps01",
            "--only-phase",
            "discovery",
            "--timeout",
            "2s",
        ],
    );
    let find = |all: &[(String, Option<u64>, String, String)], proto: &str, port: u64| {
        all.iter()
            .find(|p| p.0 == proto && p.1 == Some(port))
            .cloned()
            .unwrap_or_else(|| panic!("no {proto}/{port} probe: {all:#?}"))
    };
    let ssh = find(&all, "tcp", 22);
    assert_eq!(ssh.2, "verified", "{ssh:?}");
    assert!(ssh.3.starts_with("SSH-2.0-OpenSSH_"), "{ssh:?}");
    for port in [139, 445] {
        let smb = find(&all, "tcp", port);
        assert_eq!(smb.2, "verified", "{smb:?}");
        assert!(
            smb.3.contains("SMB 3.1.1") && smb.3.contains("signing required"),
            "{smb:?}"
        );
    }
    let nb = find(&all, "udp", 137);
    assert_eq!(
        (nb.2.as_str(), nb.3.as_str()),
        ("verified", "NetBIOS name PPLAB")
    );
    let epm = find(&all, "tcp", 135);
    assert_eq!(epm.2, "verified", "{epm:?}");
    assert!(epm.3.starts_with("endpoint mapper: "), "{epm:?}");
    // The ports it lists are probed: reachable ones open, the dropped one filtered.
    assert!(
        epm.3.contains(
            "dynamic TCP ports 49152, 49153, 49154; probed: 49152 open, 49153 open, 49154 filtered"
        ),
        "{epm:?}"
    );

    // From the workload to the PlateSpin server: HTTP and HTTPS (nginx, self-signed).
    let all = check(
        &lab,
        "srv",
        &[
            "--scenario",
            s,
            "--from",
            "web01",
            "--to",
            "ps01",
            "--timeout",
            "2s",
        ],
    );
    let http = find(&all, "tcp", 80);
    assert_eq!(http.2, "verified");
    assert!(
        http.3.starts_with("HTTP/1.1 200 OK (Server: nginx/"),
        "{http:?}"
    );
    let tls = find(&all, "tcp", 443);
    assert_eq!(tls.2, "verified", "{tls:?}");
    assert!(
        tls.3
            .starts_with("TLS 1.3, subject CN=ps01.pplab.test, O=portplan lab"),
        "{tls:?}"
    );
    assert!(tls.3.contains("(self-signed)"), "{tls:?}");
    assert!(
        start.elapsed() < Duration::from_secs(40),
        "took {:?}",
        start.elapsed()
    );
}
