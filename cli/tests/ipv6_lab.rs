//! IPv6 end to end, exactly as over IPv4: `check` and `listen` between namespaces that
//! have only their `fd00:c8:…` addresses in the scenario, nftables (`ip6`/`inet`) rules
//! that accept, reset, drop or reject with ICMPv6 admin-prohibited, ICMPv6 echo and
//! ICMPv6 port unreachable, and DNS names given by a hosts file inside the checking
//! namespace (one with only an AAAA; one whose AAAA is dead while its A answers). Every
//! probe runs inside `ip netns exec`; every child is bounded. Needs root (CI is).

use portplan_core::{Plan, Scenario};
use portplan_tests::netns::{v6, Helper, Lab, Listener};
use portplan_tests::servers::TempDir;
use serde_json::Value;
use std::process::Stdio;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_portplan");

/// Accepts and closes TCP connections on the given ports, IPv6 only; prints `ready`.
const TCP6_LISTENER: &str = r#"
import select, socket, sys
ss = []
for p in sys.argv[1:]:
    s = socket.socket(socket.AF_INET6); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind(("::", int(p))); s.listen(128); ss.append(s)
print("ready", flush=True)
while True:
    for s in select.select(ss, [], [])[0]:
        c, _ = s.accept(); c.close()
"#;

/// `portplan check ARGS --format json` inside `host`, bounded: (exit code, report).
fn check(lab: &Lab, host: &str, args: &[&str]) -> (i32, Value) {
    let mut child = lab
        .cmd(host, BIN)
        .arg("check")
        .args(args)
        .args(["--format", "json", "--no-progress", "--max-time", "60s"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run portplan check");
    let start = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            panic!("portplan check {args:?} ran over 90 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().expect("output");
    let text = String::from_utf8_lossy(&out.stdout);
    let v = serde_json::from_str(text.trim()).unwrap_or_else(|e| {
        panic!(
            "{e}: {text}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), v)
}

use portplan_tests::verdicts_to as verdicts;

fn row(p: &str, port: Option<u64>, v: &str, r: &str) -> (String, Option<u64>, String, String) {
    (p.into(), port, v.into(), r.into())
}

/// Two hosts on one dual-stack link; the scenario names only their IPv6 addresses.
fn legacy_v6_lab() -> (Lab, TempDir, String, String) {
    let mut lab = Lab::new("v6c");
    lab.host("src");
    lab.host("tgt");
    let (src4, tgt4) = lab.link("src", "tgt");
    let (src, tgt) = (v6(&src4), v6(&tgt4));
    lab.wait_reachable("src", &tgt);
    let dir = TempDir::new("ipv6-legacy");
    let scenario = format!(
        r#"{{"format":1,"product":"portability-suite","version":"8.1.3",
        "server":{{"name":"ps01","address":"fd00:ffff::1"}},
        "workloads":[{{"name":"db01","address":"{src}","os":"windows","windows":"2003",
          "drives":["C","E"],"transfer":"block-legacy",
          "target":{{"name":"db01-t","address":"{tgt}"}}}}]}}"#
    );
    let path = dir.write("legacy.json", &scenario);
    let path = path.to_str().expect("path").to_string();
    (lab, dir, path, tgt)
}

/// The IPv4 table of `check_netns::legacy_transfer_reports_exactly_what_the_firewall_does`,
/// over IPv6: the same verdicts and reasons, ICMPv6 echo and admin-prohibited included.
/// The timeout is the default 1.5 s, not 500 ms: Linux hands ICMPv6 admin-prohibited to a
/// connecting socket (EACCES) only when it answers the SYN's first retransmission, after
/// 1 s (measured on this lab: 1.02 s), whereas the IPv4 run reads the ICMP error at once.
#[test]
fn check_over_ipv6_reports_exactly_what_the_firewall_does() {
    let (lab, _dir, scenario, tgt) = legacy_v6_lab();
    lab.nft(
        "tgt",
        "table ip6 t {\n chain input {\n  type filter hook input priority 0; policy accept;\n  \
         tcp dport 139 reject with tcp reset\n  \
         tcp dport 10002 reject with icmpv6 type admin-prohibited\n  \
         tcp dport 10004 drop\n }\n}\n",
    );
    let _listener: Helper = lab.python_ready("tgt", TCP6_LISTENER, &["445", "9999"]);
    let (code, report) = check(
        &lab,
        "src",
        &[
            "--scenario",
            &scenario,
            "--from",
            "db01",
            "--to",
            "db01-t",
            "--timeout",
            "1500ms",
        ],
    );
    assert_eq!(code, 1, "a filtered flow fails the run");
    let mut got = verdicts(&report, "db01-t");
    // Linux hands the admin-prohibited reject to the connecting socket (EACCES) without
    // a sender; the raw ICMPv6 watch names it, as ICMPv4 errors are named.
    let reject = got
        .iter()
        .position(|r| r.1 == Some(10002))
        .map(|i| got.remove(i));
    let reject = reject.expect("a probe of TCP 10002");
    assert_eq!(reject.2, "filtered", "{report:#}");
    assert_eq!(reject.3, "admin-prohibited", "{report:#}");
    let detail = report["flows"]
        .as_array()
        .expect("flows")
        .iter()
        .flat_map(|f| f["probes"].as_array().expect("probes").iter())
        .find(|p| p["port"] == 10002)
        .and_then(|p| p["detail"].as_str())
        .unwrap_or_default();
    assert_eq!(
        detail,
        format!("ICMPv6 type 1 code 1 (communication administratively prohibited) from {tgt}"),
        "{report:#}"
    );
    assert_eq!(
        got,
        vec![
            row("icmp", None, "open", "echo-reply"),
            row("tcp", Some(137), "closed", "conn-refused"),
            row("tcp", Some(138), "closed", "conn-refused"),
            row("tcp", Some(139), "closed", "conn-refused"),
            row("tcp", Some(445), "open", "syn-ack"),
            row("tcp", Some(9999), "open", "syn-ack"),
            row("tcp", Some(10004), "filtered", "no-response"),
        ],
        "{report:#}"
    );
    // The ping went to the IPv6 address: ICMPv6 echo, with a latency.
    let icmp = report["flows"]
        .as_array()
        .expect("flows")
        .iter()
        .find(|f| f["protocol"] == "icmp")
        .expect("icmp flow");
    assert!(icmp["probes"][0]["latency_ms"].as_f64().is_some(), "{icmp}");
    // Dropping ICMPv6 echo requests turns the ping filtered, as for IPv4.
    lab.nft(
        "tgt",
        "table ip6 e {\n chain input {\n  type filter hook input priority -10; policy accept;\n  \
         icmpv6 type echo-request drop\n }\n}\n",
    );
    let (_, report) = check(
        &lab,
        "src",
        &[
            "--scenario",
            &scenario,
            "--from",
            "db01",
            "--to",
            "db01-t",
            "--timeout",
            "300ms",
            "--retries",
            "0",
        ],
    );
    let pings: Vec<_> = verdicts(&report, "db01-t")
        .into_iter()
        .filter(|v| v.0 == "icmp")
        .collect();
    assert_eq!(
        pings,
        vec![row("icmp", None, "filtered", "no-response")],
        "{tgt}"
    );
}

/// A migrate plan whose server and Windows source are the two lab hosts, by IPv6.
fn migrate_v6(dir: &TempDir, server: &str, source: &str) -> String {
    let text = format!(
        r#"{{"format":1,"product":"migrate","version":"2020.2",
        "server":{{"name":"ps01","address":"{server}"}},
        "workloads":[{{"name":"web01","address":"{source}","os":"windows","windows":"2019",
          "target":{{"name":"web01-t","address":"fd00:ffff::7"}}}}]}}"#
    );
    let plan = Plan::build(&Scenario::from_json(&text).expect("scenario")).expect("plan");
    let path = dir.write("plan.json", &plan.to_json());
    path.to_str().expect("path").to_string()
}

/// Before the responder runs, closed UDP ports answer with ICMPv6 port unreachable
/// (closed, port-unreach); with `portplan listen` on the source, every allowed TCP and
/// UDP port verifies over IPv6, and the port nftables drops (inet table) is filtered.
#[test]
fn listen_and_check_over_ipv6_verify_all_but_the_dropped_port() {
    let mut lab = Lab::new("v6l");
    lab.host("src");
    lab.host("ps");
    let (src4, ps4) = lab.link("src", "ps");
    let (src, ps) = (v6(&src4), v6(&ps4));
    lab.wait_reachable("ps", &src);
    let dir = TempDir::new("ipv6-listen");
    let plan = migrate_v6(&dir, &ps, &src);
    lab.nft("src", "table inet fw {\n chain input {\n  type filter hook input priority 0; policy accept;\n  tcp dport 445 drop\n }\n}\n");
    let args = [
        "--plan",
        &plan,
        "--from",
        "ps01",
        "--to",
        "web01",
        "--timeout",
        "1s",
    ];

    let (_, report) = check(&lab, "ps", &args);
    let before = verdicts(&report, "web01");
    let find = |all: &[(String, Option<u64>, String, String)], proto: &str, port: u64| {
        all.iter()
            .find(|p| p.0 == proto && p.1 == Some(port))
            .cloned()
            .unwrap_or_else(|| panic!("no {proto}/{port} probe: {all:#?}"))
    };
    assert_eq!(
        find(&before, "udp", 137),
        row("udp", Some(137), "closed", "port-unreach"),
        "{before:#?}"
    );
    assert_eq!(
        find(&before, "tcp", 135),
        row("tcp", Some(135), "closed", "conn-refused")
    );
    assert_eq!(find(&before, "tcp", 445).2, "filtered");

    let listener = Listener::start(
        &lab,
        BIN,
        "src",
        &["--plan", &plan, "--as", "web01", "--for", "2m"],
    );
    let (code, report) = check(&lab, "ps", &args);
    let after = verdicts(&report, "web01");
    assert_eq!(find(&after, "tcp", 445).2, "filtered", "{after:#?}");
    // UDP 138 never answers (core services::UDP_138_POLICY): one datagram, silence
    // passes as open|filtered, never verified.
    assert_eq!(find(&after, "udp", 138).2, "open|filtered", "{after:#?}");
    for (proto, port) in [("tcp", 135), ("tcp", 139), ("udp", 137)] {
        assert_eq!(
            find(&after, proto, port).2,
            "verified",
            "{proto}/{port}: {after:#?}\nlisten: {:#?}",
            listener.seen
        );
    }
    assert_eq!(code, 1, "the dropped port fails the run");
}

/// Names resolved inside the checking host (hosts file of its namespace): one with only
/// an AAAA is probed over IPv6; one whose AAAA points nowhere (no route) while its A
/// answers is probed over IPv4, because portplan uses the A record when a name has both,
/// so the dead AAAA does not fail the flow. The listeners prove which address was used:
/// the IPv6 one is IPv6-only, the IPv4 one is bound to the A address (stopping it makes
/// the name read `closed`), and the dead AAAA would read `filtered`.
#[test]
fn names_with_only_aaaa_and_with_a_dead_aaaa_resolve_to_a_working_address() {
    let mut lab = Lab::new("v6d");
    lab.host("src");
    lab.host("tgt");
    let (src4, tgt4) = lab.link("src", "tgt");
    let tgt6 = v6(&tgt4);
    lab.wait_reachable("src", &tgt6);
    lab.hosts_file(
        "src",
        &[
            (tgt6.as_str(), "only6.lab.example"),
            ("fd00:dead::7", "dual.lab.example"),
            (tgt4.as_str(), "dual.lab.example"),
        ],
    );
    let _listener: Helper = lab.python_ready("tgt", TCP6_LISTENER, &["3725"]);
    // IPv4 side of the same port: a second listener bound to the IPv4 address.
    let listener4: Helper = lab.python_ready(
        "tgt",
        r#"
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 3725)); s.listen(16)
print("ready", flush=True)
while True:
    c, _ = s.accept(); c.close()
"#,
        &[&tgt4],
    );
    let dir = TempDir::new("ipv6-dns");
    for target in ["only6.lab.example", "dual.lab.example"] {
        let text = format!(
            r#"{{"format":1,"product":"migrate","version":"2020.2",
            "server":{{"name":"ps01","address":"fd00:ffff::1"}},
            "workloads":[{{"name":"web01","address":"{target}","os":"windows","windows":"2019",
              "target":{{"name":"web01-t","address":"{src4}"}}}}]}}"#
        );
        let path = dir.write(&format!("{target}.json"), &text);
        let (code, report) = check(
            &lab,
            "src",
            &[
                "--scenario",
                path.to_str().expect("path"),
                "--from",
                "web01-t",
                "--to",
                "web01",
                "--only-phase",
                "transfer",
                "--timeout",
                "1s",
            ],
        );
        assert_eq!(
            verdicts(&report, "web01"),
            vec![row("tcp", Some(3725), "open", "syn-ack")],
            "{target}: {report:#}"
        );
        assert_eq!(code, 0, "{target}");
    }
    // Without the IPv4 listener the dual name fails: the A record was what answered.
    drop(listener4);
    let path = dir.write(
        "dual-again.json",
        &format!(
            r#"{{"format":1,"product":"migrate","version":"2020.2",
            "server":{{"name":"ps01","address":"fd00:ffff::1"}},
            "workloads":[{{"name":"web01","address":"dual.lab.example","os":"windows","windows":"2019",
              "target":{{"name":"web01-t","address":"{src4}"}}}}]}}"#
        ),
    );
    let (_, report) = check(
        &lab,
        "src",
        &[
            "--scenario",
            path.to_str().expect("path"),
            "--from",
            "web01-t",
            "--to",
            "web01",
            "--only-phase",
            "transfer",
            "--timeout",
            "1s",
        ],
    );
    assert_eq!(
        verdicts(&report, "web01"),
        vec![row("tcp", Some(3725), "closed", "conn-refused")],
        "the IPv4 address refuses once its listener is gone: {report:#}"
    );
}
