//! End to end: `portplan check` runs inside a "source" network namespace against
//! "target" namespaces whose nftables rules accept, reset, drop or reject with ICMP
//! admin-prohibited, and must report exactly what the rules say. Needs root (CI is).

use portplan_core::report::{ProbeResult, Reason, Verdict};
use portplan_tests::netns::{Helper, Lab};
use portplan_tests::TCP_LISTENER;
use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;
use std::process::Output;
use std::time::{Duration, Instant};

const PORTPLAN: &str = env!("CARGO_BIN_EXE_portplan");

/// Answers NetBIOS node-status queries to argv[2]:137 with the name in argv[1]
/// (bound to the address so replies leave from it, as a single-homed host's do).
const NBSTAT_RESPONDER: &str = r#"
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((sys.argv[2], 137))
print("ready", flush=True)
while True:
    d, a = s.recvfrom(512)
    if len(d) < 50: continue
    rd = bytes([1]) + sys.argv[1].encode().ljust(15) + b"\x00\x04\x00" + bytes(46)
    r = d[:2] + b"\x84\x00\x00\x00\x00\x01\x00\x00\x00\x00" + d[12:46] + b"\x00\x21\x00\x01" + bytes(4) + struct.pack(">H", len(rd)) + rd
    s.sendto(r, a)
"#;

fn python(lab: &Lab, host: &str, script: &str, args: &[&str]) -> Helper {
    lab.python_ready(host, script, args)
}

fn temp_file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("portplan-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .expect("write");
    path
}

/// Runs `portplan check` inside `host` with `args`; returns the output and the report.
fn check(lab: &Lab, host: &str, args: &[&str]) -> (Output, Value) {
    let report = temp_file(&format!("{}-{host}.json", lab.ns(host)), "");
    let out = lab
        .cmd(host, PORTPLAN)
        .arg("check")
        .args(args)
        .arg("-o")
        .arg(&report)
        .output()
        .expect("portplan");
    let text = std::fs::read_to_string(&report).unwrap_or_default();
    let _ = std::fs::remove_file(&report);
    let json = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "no report ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    portplan_core::report::Report::from_json(&text).expect("the report reads back");
    (out, json)
}

use portplan_tests::verdicts_to as verdicts;

/// `nmap -sT -Pn` from `host` on `to`'s `ports` at `ip`, held against check's `report`:
/// the ports whose state differs, as `port: check's (state, reason) / nmap's`. Each lab
/// states the differences it expects, and TESTING.md says why each is one.
fn against_nmap(
    lab: &Lab,
    host: &str,
    (report, to): (&Value, &str),
    (ip, ports): (&str, &str),
    extra: &[&str],
) -> Vec<String> {
    use portplan_tests::nmap::{check_ports, connect_scan, disagreements, port_list};
    let nmap = connect_scan(lab.cmd(host, "timeout"), ip, ports, extra, 300);
    let scanned = port_list(ports);
    let mut check = check_ports(report, to);
    check.retain(|p, _| scanned.contains(p));
    assert_eq!(
        check.len(),
        scanned.len(),
        "check probed every port nmap scans"
    );
    disagreements(&check, &nmap)
        .into_iter()
        .map(|(p, c, n)| format!("{p}: {} {} / {} {}", c.0, c.1, n.0, n.1))
        .collect()
}

fn row(
    proto: &str,
    port: Option<u64>,
    verdict: &str,
    reason: &str,
) -> (String, Option<u64>, String, String) {
    (proto.into(), port, verdict.into(), reason.into())
}

/// Source db01, target db01-t, server ps01: a legacy block-based migration.
fn legacy_lab() -> (Lab, PathBuf, String) {
    let mut lab = Lab::new("chk");
    for h in ["src", "tgt", "srv"] {
        lab.host(h);
    }
    let (src, tgt) = lab.link("src", "tgt");
    let (src_side, srv) = lab.link("src", "srv");
    // The server reaches the source's other address through the source.
    let route = lab
        .cmd("srv", "ip")
        .args(["route", "add", "default", "via", &src_side])
        .status()
        .expect("ip route");
    assert!(route.success());
    let scenario = format!(
        r#"{{"format":1,"product":"portability-suite","version":"8.1.3",
        "server":{{"name":"ps01","address":"{srv}"}},
        "workloads":[{{"name":"db01","address":"{src}","os":"windows","windows":"2003",
          "drives":["C","E"],"transfer":"block-legacy",
          "target":{{"name":"db01-t","address":"{tgt}"}}}}]}}"#
    );
    let path = temp_file(&format!("{}-legacy.json", lab.ns("s")), &scenario);
    (lab, path, src)
}

#[test]
fn legacy_transfer_reports_exactly_what_the_firewall_does() {
    let (lab, scenario, _) = legacy_lab();
    lab.nft(
        "tgt",
        "table ip t {\n chain input {\n  type filter hook input priority 0; policy accept;\n  \
         tcp dport 139 reject with tcp reset\n  \
         tcp dport 10002 reject with icmp type admin-prohibited\n  \
         tcp dport 10004 drop\n }\n}\n",
    );
    let _listener = python(&lab, "tgt", TCP_LISTENER, &["445", "9999"]);
    let s = scenario.to_str().expect("path");
    let args = [
        "--scenario",
        s,
        "--from",
        "db01",
        "--to",
        "db01-t",
        "--timeout",
        "500ms",
    ];
    let (out, report) = check(&lab, "src", &args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a filtered flow fails the run\n{stdout}"
    );
    assert_eq!(
        verdicts(&report, "db01-t"),
        vec![
            row("icmp", None, "open", "echo-reply"),
            row("tcp", Some(137), "closed", "conn-refused"),
            row("tcp", Some(138), "closed", "conn-refused"),
            row("tcp", Some(139), "closed", "conn-refused"),
            row("tcp", Some(445), "open", "syn-ack"),
            row("tcp", Some(9999), "open", "syn-ack"),
            row("tcp", Some(10002), "filtered", "admin-prohibited"),
            row("tcp", Some(10004), "filtered", "no-response"),
        ]
    );
    let flows = report["flows"].as_array().expect("flows");
    let drive_e = flows
        .iter()
        .find(|f| f["ports"]["first"] == 10004)
        .expect("10004 flow");
    assert_eq!(drive_e["status"], "fail");
    assert_eq!(
        drive_e["probes"][0]["attempts"], 2,
        "silence is retried once"
    );
    assert_eq!(
        drive_e["hint"],
        "filtered: a firewall drops TCP 10004 from db01 to db01-t; open it for the block-based transfer"
    );
    let drive_c = flows
        .iter()
        .find(|f| f["ports"]["first"] == 10002)
        .expect("10002 flow");
    let detail = drive_c["probes"][0]["detail"].as_str().unwrap_or("");
    assert!(
        detail.starts_with(
            "ICMP type 3 code 13 (communication administratively prohibited) from 10.200."
        ),
        "{detail}"
    );
    assert!(drive_c["hint"]
        .as_str()
        .unwrap_or("")
        .contains("is rejected (admin-prohibited by 10.200."));
    let icmp = flows
        .iter()
        .find(|f| f["protocol"] == "icmp")
        .expect("icmp");
    assert!(icmp["probes"][0]["latency_ms"].as_f64().is_some());
    assert_eq!(report["probed_from"], "db01");
    assert!(stdout.contains("LEGACY BLOCK-BASED TRANSFER"), "{stdout}");
    assert!(!stdout.contains('\u{1b}'), "no colors when piped");
    assert!(
        stdout.contains("6 flows from db01 checked with 8 probes"),
        "{stdout}"
    );
}

#[test]
fn dropped_replication_port_3725_fails_with_a_hint() {
    let mut lab = Lab::new("rep");
    lab.host("src");
    lab.host("tgt");
    let (src, tgt) = lab.link("src", "tgt");
    let scenario = format!(
        r#"{{"format":1,"product":"migrate","version":"2019.5","server":{{"name":"ps01","address":"192.0.2.1"}},
        "workloads":[{{"name":"web01","address":"{src}","os":"windows","windows":"2016","transfer":"vss-bbt",
          "target":{{"name":"web01-t","address":"{tgt}"}}}}]}}"#
    );
    let path = temp_file(&format!("{}-rep.json", lab.ns("s")), &scenario);
    lab.nft(
        "src",
        "table ip t {\n chain input {\n  type filter hook input priority 0; policy accept;\n  tcp dport 3725 drop\n }\n}\n",
    );
    let args = [
        "--scenario",
        path.to_str().expect("path"),
        "--from",
        "web01-t",
        "--to",
        "web01",
        "--only-phase",
        "transfer",
        "--timeout",
        "300ms",
        "--retries",
        "0",
    ];
    let (out, report) = check(&lab, "tgt", &args);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        verdicts(&report, "web01"),
        vec![row("tcp", Some(3725), "filtered", "no-response")]
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("hint: filtered: a firewall drops TCP 3725 from web01-t to web01; open it for the transfer"),
        "{stdout}"
    );
}

#[test]
fn netbios_status_query_names_the_host_and_dynamic_rpc_is_sampled() {
    let (lab, scenario, src) = legacy_lab();
    lab.nft(
        "src",
        "table ip t {\n chain input {\n  type filter hook input priority 0; policy accept;\n  udp dport 138 drop\n }\n}\n",
    );
    let _nb = python(&lab, "src", NBSTAT_RESPONDER, &["DB01", &src]);
    let s = scenario.to_str().expect("path");
    let args = [
        "--scenario",
        s,
        "--from",
        "ps01",
        "--to",
        "db01",
        "--only-phase",
        "conversion",
        "--timeout",
        "500ms",
    ];
    let (out, report) = check(&lab, "srv", &args);
    let flows = report["flows"].as_array().expect("flows");
    let udp = flows
        .iter()
        .find(|f| f["protocol"] == "udp")
        .expect("udp flow");
    // A parsed node status is a protocol confirmation (check --deep, the default).
    assert_eq!(udp["probes"][0]["verdict"], "verified");
    assert_eq!(udp["probes"][0]["detail"], "NetBIOS name DB01");
    assert_eq!(udp["probes"][1]["verdict"], "open|filtered");
    assert!(udp["probes"][1]["detail"]
        .as_str()
        .unwrap_or("")
        .contains("UDP 138 (NetBIOS datagrams) never answers"));
    // The documented policy: one datagram, no retry, no token round trip, and silence
    // passes, so a healthy Windows source passes --strict.
    assert_eq!(udp["probes"][1]["attempts"], 1);
    assert_eq!(udp["status"], "pass", "{udp}");
    assert!(
        !udp["hint"].as_str().unwrap_or("").contains("138"),
        "no advice for a healthy 138: {udp}"
    );
    let dynamic = flows
        .iter()
        .find(|f| f["rule"] == "conversion.wmi.rpc-dynamic")
        .expect("dynamic flow");
    let probes = dynamic["probes"].as_array().expect("probes");
    assert_eq!(probes.len(), 16);
    assert_eq!(
        (probes[0]["port"].as_u64(), probes[15]["port"].as_u64()),
        (Some(1025), Some(5000))
    );
    assert!(probes.iter().all(|p| p["verdict"] == "closed"));
    assert!(probes[0]["detail"]
        .as_str()
        .unwrap_or("")
        .contains("sampled 16 of the 3976 ports"));
    assert_eq!(
        dynamic["status"], "pass",
        "closed dynamic ports prove the path"
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "nothing fails: {}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn the_global_deadline_bounds_a_large_all_drop_target() {
    let mut lab = Lab::new("ddl");
    lab.host("a");
    lab.host("b");
    let (ia, ib) = lab.link("a", "b");
    lab.nft("b", "table ip t {\n chain input {\n  type filter hook input priority 0; policy accept;\n  tcp dport 20000-29999 drop\n }\n}\n");
    let plan = format!(
        r#"{{"format":1,"product":"migrate","version":"12.3","hosts":[
        {{"name":"a","address":"{ia}","role":"server"}},{{"name":"b","address":"{ib}","role":"source"}}],
        "flows":[{{"phase":"discovery","from":"a","to":"b","protocol":"tcp",
          "ports":{{"first":20000,"last":29999}},"purpose":"all dropped","rule":"test.drop"}}]}}"#
    );
    let path = temp_file(&format!("{}-drop.json", lab.ns("p")), &plan);
    let p = path.to_str().expect("path");
    // 10,000 dropped ports, 100 at a time, 1 s × 2 attempts: 200 s of work, capped at 3 s.
    let start = Instant::now();
    let args = [
        "--plan",
        p,
        "--from",
        "a",
        "--timeout",
        "1s",
        "--concurrency",
        "100",
        "--max-time",
        "3s",
    ];
    let (out, report) = check(&lab, "a", &args);
    let took = start.elapsed();
    assert!(
        // Margin for process start and writing 10,000 probes on a loaded CI machine; the
        // work without the deadline is 200 s, so 8 s still proves the cap.
        took < Duration::from_millis(8000),
        "ran {took:?} past its 3 s deadline"
    );
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(" of 10000 probes cut by the deadline)"),
        "{stdout}"
    );
    // Ports that say the same are written as runs: count ports, not entries.
    let typed = portplan_tests::read_report(&report);
    let probes = &typed.flows[0].probes;
    let count = |keep: &dyn Fn(&ProbeResult) -> bool| -> usize {
        probes
            .iter()
            .filter(|p| keep(p))
            .map(ProbeResult::port_count)
            .sum()
    };
    assert_eq!(count(&|_| true), 10_000, "every port is reported");
    let deadline = count(&|p| p.reason == Reason::Deadline);
    let filtered = count(&|p| p.verdict == Verdict::Filtered);
    assert_eq!(
        deadline + filtered,
        10_000,
        "unfinished probes are marked, never guessed"
    );
    // The first window (16 ports: a host that never answered) waits 1 s, its retries
    // 1 s more: those are in before the deadline, the rest is cut.
    assert!(
        deadline > 9_000 && filtered >= 16,
        "{deadline} deadline, {filtered} filtered"
    );
    // Without --max-time the run ends on its own: the window grows with every silent
    // probe (16, 32, 64, … per 200 ms round), well within the computed budget.
    let start = Instant::now();
    let args = [
        "--plan",
        p,
        "--from",
        "a",
        "--timeout",
        "200ms",
        "--retries",
        "0",
        "--concurrency",
        "5000",
        "--per-host",
        "5000",
    ];
    let (_, report) = check(&lab, "a", &args);
    let took = start.elapsed();
    assert!(
        took < Duration::from_millis(6000),
        "about ten rounds of 200 ms, took {took:?}"
    );
    let typed = portplan_tests::read_report(&report);
    let probes = &typed.flows[0].probes;
    assert!(
        probes.iter().all(|p| p.verdict == Verdict::Filtered),
        "every port filtered, none cut"
    );
    assert_eq!(
        probes.iter().map(ProbeResult::port_count).sum::<usize>(),
        10_000
    );
}

/// A destination on the local subnet that does not exist: no ARP answer. The verdict is
/// filtered (host-unreachable), but the hint says what it is — host down, wrong address
/// or no route from this machine — not "a firewall drops it".
#[test]
fn a_host_that_does_not_exist_is_not_blamed_on_a_firewall() {
    let mut lab = Lab::new("arp");
    lab.host("a");
    lab.host("b");
    let (ia, ib) = lab.link("a", "b");
    let ghost = format!(
        "{}.99",
        ib.rsplit_once('.').map_or("10.200.0", |(net, _)| net)
    );
    let plan = format!(
        r#"{{"format":1,"product":"migrate","version":"12.3","hosts":[
        {{"name":"a","address":"{ia}","role":"server"}},{{"name":"ghost","address":"{ghost}","role":"source"}}],
        "flows":[{{"phase":"discovery","from":"a","to":"ghost","protocol":"tcp",
          "ports":{{"first":22,"last":22}},"purpose":"ssh","rule":"test.ghost"}}]}}"#
    );
    let path = temp_file(&format!("{}-ghost.json", lab.ns("p")), &plan);
    let args = [
        "--plan",
        path.to_str().expect("path"),
        "--from",
        "a",
        "--timeout",
        "6s",
        "--retries",
        "0",
    ];
    let start = Instant::now();
    let (_, report) = check(&lab, "a", &args);
    assert!(
        start.elapsed() < Duration::from_secs(15),
        "{:?}",
        start.elapsed()
    );
    let flow = &report["flows"][0];
    assert_eq!(flow["probes"][0]["verdict"], "filtered", "{flow:#}");
    assert_eq!(flow["probes"][0]["reason"], "host-down", "{flow:#}");
    let hint = flow["hint"].as_str().unwrap_or("");
    assert!(
        hint.starts_with("host does not answer: down, or a wrong address"),
        "{hint}"
    );
    assert!(!hint.contains("a firewall drops"), "{hint}");
    // Every probe says what it dialed, and from which local address.
    assert_eq!(
        flow["probes"][0]["dialed"],
        format!("{ghost}:22"),
        "{flow:#}"
    );
    assert_eq!(flow["probes"][0]["local"], ia, "{flow:#}");
}

/// SYN-flood protection (nftables drops SYNs above 2,000/s, as a Windows host or a
/// firewall does under a burst) must not turn closed ports into `filtered` at the
/// defaults a field engineer uses: the prober notices the loss, paces down and retries
/// what was lost, so every closed port reads closed and only the dropped block filtered.
#[test]
fn a_syn_rate_limit_costs_no_wrong_verdict_at_the_defaults() {
    let mut lab = Lab::new("syn");
    lab.host("a");
    lab.host("b");
    let (ia, ib) = lab.link("a", "b");
    lab.nft(
        "b",
        "table inet t {\n chain input {\n  type filter hook input priority 0; policy accept;\n  \
         tcp flags & (syn | ack) == syn limit rate over 2000/second burst 200 packets drop\n  \
         tcp dport 33000-33499 drop\n }\n}\n",
    );
    let plan = format!(
        r#"{{"format":1,"product":"migrate","version":"12.3","hosts":[
        {{"name":"a","address":"{ia}","role":"server"}},{{"name":"b","address":"{ib}","role":"source"}}],
        "flows":[{{"phase":"discovery","from":"a","to":"b","protocol":"tcp",
          "ports":{{"first":30000,"last":33499}},"purpose":"closed, then dropped","rule":"test.limit"}}]}}"#
    );
    let path = temp_file(&format!("{}-limit.json", lab.ns("p")), &plan);
    let args = ["--plan", path.to_str().expect("path"), "--from", "a"];
    let start = Instant::now();
    let (out, report) = check(&lab, "a", &args);
    let took = start.elapsed();
    assert_eq!(out.status.code(), Some(1), "the dropped block fails");
    let typed = portplan_tests::read_report(&report);
    let mut wrong = Vec::new();
    let mut seen = 0usize;
    for p in &typed.flows[0].probes {
        for port in p.ports() {
            seen += 1;
            let want = if (33000..=33499).contains(&port) {
                (Verdict::Filtered, Reason::NoResponse)
            } else {
                (Verdict::Closed, Reason::ConnRefused)
            };
            if (p.verdict, p.reason) != want {
                wrong.push((port, p.verdict, p.reason));
            }
        }
    }
    assert_eq!(seen, 3500, "every port is reported");
    // Retried SYNs differ in attempts from port to port; runs hold whatever they say.
    let size = serde_json::to_string(&report).map_or(0, |t| t.len());
    let entries = typed.flows[0].probes.len();
    assert!(
        size < 20_000 && entries < 40,
        "{size} bytes, {entries} entries"
    );
    assert!(
        wrong.is_empty(),
        "{} wrong: {:?}",
        wrong.len(),
        &wrong[..wrong.len().min(20)]
    );
    // 3,500 SYNs at 2,000/s plus the dropped block's timeouts and retries: seconds, not
    // the minutes a fixed-rate prober would need for the closed ports it lost.
    assert!(took < Duration::from_secs(45), "took {took:?}");
}

/// A plan of prober `a` and the hosts `targets` (name, address) it opens `ports` to, TCP.
fn tcp_plan(lab: &Lab, tag: &str, a: &str, targets: &[(&str, &str)], ports: (u16, u16)) -> PathBuf {
    let mut hosts = vec![format!(r#"{{"name":"a","address":"{a}","role":"server"}}"#)];
    let mut flows = Vec::new();
    for (name, address) in targets {
        hosts.push(format!(
            r#"{{"name":"{name}","address":"{address}","role":"source"}}"#
        ));
        flows.push(format!(
            r#"{{"phase":"transfer","from":"a","to":"{name}","protocol":"tcp",
              "ports":{{"first":{},"last":{}}},"purpose":"replication","rule":"test.{tag}"}}"#,
            ports.0, ports.1
        ));
    }
    let plan = format!(
        r#"{{"format":1,"product":"migrate","version":"12.3","hosts":[{}],"flows":[{}]}}"#,
        hosts.join(","),
        flows.join(",")
    );
    let path = temp_file(&format!("{}-{tag}.json", lab.ns("p")), &plan);
    // Readable by an unprivileged run too.
    let _ = std::process::Command::new("chmod")
        .args([
            "a+rx",
            path.parent().and_then(|d| d.to_str()).unwrap_or("."),
        ])
        .status();
    let _ = std::process::Command::new("chmod")
        .args(["a+r", path.to_str().unwrap_or("")])
        .status();
    path
}

/// A firewall REJECT (nftables' default `reject`: ICMP port unreachable, ICMPv6 type 1
/// code 4) answering a TCP SYN is a firewall, never a closed port: `filtered
/// (port-unreach)`, status fail, the sender named, over IPv4 and IPv6. The port beside
/// it, closed by the host's own stack (RST), stays `closed`. Without the privilege to
/// read ICMP the two cannot be told apart, and the run says so instead of guessing.
#[test]
fn a_firewall_reject_is_a_reject_over_ipv4_and_ipv6() {
    let mut lab = Lab::new("rej");
    lab.host("a");
    lab.host("b");
    let (ia, ib) = lab.link("a", "b");
    let ib6 = portplan_tests::netns::v6(&ib);
    lab.wait_reachable("a", &ib);
    lab.wait_reachable("a", &ib6);
    lab.nft(
        "b",
        "table inet t {\n chain input {\n  type filter hook input priority 0; policy accept;\n  \
         tcp dport 3725 reject\n }\n}\n",
    );
    let path = tcp_plan(&lab, "rej", &ia, &[("b4", &ib), ("b6", &ib6)], (3725, 3726));
    let p = path.to_str().expect("path");
    let args = [
        "--plan",
        p,
        "--from",
        "a",
        "--timeout",
        "1s",
        "--retries",
        "0",
    ];
    let (out, report) = check(&lab, "a", &args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a reject fails the run\n{stdout}"
    );
    for (to, ip, icmp) in [
        ("b4", ib.as_str(), "ICMP type 3 code 3 (port unreachable)"),
        (
            "b6",
            ib6.as_str(),
            "ICMPv6 type 1 code 4 (port unreachable)",
        ),
    ] {
        assert_eq!(
            verdicts(&report, to),
            vec![
                row("tcp", Some(3725), "filtered", "port-unreach"),
                row("tcp", Some(3726), "closed", "conn-refused"),
            ],
            "{to}\n{stdout}"
        );
        let flow = report["flows"]
            .as_array()
            .expect("flows")
            .iter()
            .find(|f| f["to"] == to)
            .expect("flow");
        assert_eq!(flow["status"], "fail", "{flow:#}");
        assert_eq!(
            flow["probes"][0]["detail"],
            format!("{icmp} from {ip}"),
            "{flow:#}"
        );
        let hint = flow["hint"].as_str().unwrap_or("");
        assert!(
            hint.contains(&format!(
                "rejected: a firewall refuses TCP 3725 from a to {to} with ICMP port unreachable by {ip}"
            )),
            "{hint}"
        );
        assert!(!hint.contains("host-unreachable"), "{hint}");
    }
    // nmap -sT learns of a TCP port only through connect(): the kernel hands it the ICMP
    // port unreachable as "connection refused", as for a RST, so nmap reads the IPv4
    // reject `closed`; check reads the ICMP itself. Over IPv6 connect() hears nothing
    // before it gives up, and nmap reads silence: `filtered` like check.
    for (to, ip, differ) in [
        (
            "b4",
            ib.as_str(),
            vec!["3725: filtered port-unreach / closed conn-refused"],
        ),
        ("b6", ib6.as_str(), vec![]),
    ] {
        assert_eq!(
            against_nmap(&lab, "a", (&report, to), (ip, "3725-3726"), &[]),
            differ,
            "{to}"
        );
    }
    // Unprivileged (no raw socket to read ICMP): closed or rejected, never "lets it through".
    let out = lab
        .cmd("a", "setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            PORTPLAN,
            "check",
        ])
        .args(args)
        .args(["--format", "json"])
        .output()
        .expect("portplan as nobody");
    let text = String::from_utf8_lossy(&out.stdout);
    let report: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{e}: {text}\n{}", String::from_utf8_lossy(&out.stderr)));
    let flow = |to: &str| {
        report["flows"]
            .as_array()
            .expect("flows")
            .iter()
            .find(|f| f["to"] == to)
            .cloned()
            .expect("flow")
    };
    let b4 = flow("b4");
    assert_eq!(b4["status"], "attention", "{b4:#}");
    let hint = b4["hint"].as_str().unwrap_or("");
    assert!(
        hint.starts_with("closed or rejected: TCP 3725-3726 at b4 refused the connection")
            && hint.contains("run check as root/Administrator to tell them apart"),
        "{hint}"
    );
    // Linux does not report the ICMPv6 reject to the SYN's socket before the timeout
    // (only a raw socket sees it in time): silence, a fail, never a pass.
    let b6 = flow("b6");
    assert_eq!(b6["status"], "fail", "{b6:#}");
    let hint = b6["hint"].as_str().unwrap_or("");
    assert!(
        hint.contains("closed or rejected: TCP 3726 at b6"),
        "{hint}"
    );
    for hint in [&b4["hint"], &b6["hint"]] {
        assert!(
            !hint.as_str().unwrap_or("").contains("lets it through"),
            "{hint}"
        );
    }
}

/// `check --from a` run in b's namespace would prove b's paths and file them as a's: it
/// refuses before any probe, naming what this machine holds and what the plan says. On
/// a multi-homed a whose plan address is not the one its route picks, probes leave from
/// the plan address (the report's `local` says so).
#[test]
fn check_runs_only_where_the_from_host_stands_and_leaves_from_its_address() {
    let mut lab = Lab::new("vtg");
    lab.host("a");
    lab.host("b");
    let (ia, ib) = lab.link("a", "b");
    // a's second address on the same link: b reaches it on-link (ARP), but a's route to
    // b's subnet picks the first.
    let net = ia
        .rsplit_once('.')
        .map_or("10.200.0", |(n, _)| n)
        .to_string();
    let second = format!("{net}.3");
    portplan_tests::netns::sh(&[
        "ip",
        "-n",
        &lab.ns("a"),
        "addr",
        "add",
        &format!("{second}/32"),
        "dev",
        "lo",
    ]);
    portplan_tests::netns::sh(&[
        "ip",
        "-n",
        &lab.ns("b"),
        "route",
        "add",
        &format!("{second}/32"),
        "via",
        &ia,
    ]);
    let _listener = python(&lab, "b", TCP_LISTENER, &["3725"]);
    // b lets 3725 in from a's plan address only: a probe from the route's address fails.
    lab.nft(
        "b",
        &format!(
            "table ip t {{\n chain input {{\n  type filter hook input priority 0; policy accept;\n  \
             ip saddr {ia} tcp dport 3725 drop\n }}\n}}\n"
        ),
    );
    let path = tcp_plan(&lab, "vtg", &second, &[("b", &ib)], (3725, 3725));
    let p = path.to_str().expect("path");
    // From the wrong namespace: exit 2, before any probe, naming both sides.
    let out = lab
        .cmd("b", PORTPLAN)
        .args(["check", "--plan", p, "--from", "a", "--no-progress"])
        .output()
        .expect("portplan");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "--from a: this machine holds {ib}; a is {second}: run check on a"
        )),
        "{stderr}"
    );
    assert!(out.stdout.is_empty(), "nothing probed");
    // --translated says this machine is a behind a translation: it runs, unbound.
    let (_, report) = check(
        &lab,
        "b",
        &[
            "--plan",
            p,
            "--from",
            "a",
            "--translated",
            "--timeout",
            "300ms",
        ],
    );
    assert_eq!(
        report["flows"][0]["probes"][0]["local"], ib,
        "unbound: {report:#}"
    );
    // From a: the probe leaves from the plan's address, not the route's first one.
    let (out, report) = check(&lab, "a", &["--plan", p, "--from", "a", "--timeout", "1s"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let probe = &report["flows"][0]["probes"][0];
    assert_eq!(probe["verdict"], "open", "{probe:#}");
    assert_eq!(probe["local"], second, "{probe:#}");
    // nmap -sT leaves from the address the route picks (a connect scan cannot choose
    // its source; `-S` is for raw scans), which b drops: it reads the port filtered.
    // check binds the --from host's plan address and reads what a's traffic meets.
    assert_eq!(
        against_nmap(&lab, "a", (&report, "b"), (&ib, "3725"), &[]),
        vec!["3725: open syn-ack / filtered no-response"]
    );
}

/// A dead on-link address, IPv4 and IPv6, at the defaults: whether a probe times out
/// first or hears the neighbour table give up used to change from probe to probe and run
/// to run ("a firewall drops" for some, "host down" for others). Now every flow to it
/// reads `host-down` with one detail, ICMP echo included, the same in every run.
#[test]
fn a_dead_host_reads_host_down_on_every_flow_in_every_run() {
    let mut lab = Lab::new("dead");
    lab.host("a");
    lab.host("b");
    let (ia, ib) = lab.link("a", "b");
    let ghost4 = format!("{}.99", ib.rsplit_once('.').map_or("10.200.0", |(n, _)| n));
    let ghost6 = portplan_tests::netns::v6(&ghost4);
    let mut hosts = vec![format!(
        r#"{{"name":"a","address":"{ia}","role":"server"}}"#
    )];
    let mut flows = Vec::new();
    for (name, address) in [("ghost4", &ghost4), ("ghost6", &ghost6)] {
        hosts.push(format!(
            r#"{{"name":"{name}","address":"{address}","role":"source"}}"#
        ));
        for (proto, ports) in [
            ("tcp", Some((135, 139))),
            ("tcp", Some((3725, 3725))),
            ("icmp", None),
        ] {
            let ports = ports.map_or(String::new(), |(f, l): (u16, u16)| {
                format!(r#","ports":{{"first":{f},"last":{l}}}"#)
            });
            flows.push(format!(
                r#"{{"phase":"discovery","from":"a","to":"{name}","protocol":"{proto}"{ports},"purpose":"p","rule":"test.dead"}}"#
            ));
        }
    }
    let plan = format!(
        r#"{{"format":1,"product":"migrate","version":"12.3","hosts":[{}],"flows":[{}]}}"#,
        hosts.join(","),
        flows.join(",")
    );
    let path = temp_file(&format!("{}-dead.json", lab.ns("p")), &plan);
    let args = ["--plan", path.to_str().expect("path"), "--from", "a"];
    let mut details = Vec::new();
    for run in 0..2 {
        let (out, report) = check(&lab, "a", &args);
        assert_eq!(out.status.code(), Some(1), "run {run}");
        for flow in report["flows"].as_array().expect("flows") {
            let to = flow["to"].as_str().unwrap_or("");
            assert_eq!(flow["status"], "fail", "run {run}: {flow:#}");
            let hint = flow["hint"].as_str().unwrap_or("");
            assert!(
                hint.starts_with(&format!(
                    "host does not answer: down, or a wrong address: nothing came back from {to}"
                )),
                "run {run}: {hint}"
            );
            assert!(!hint.contains("a firewall"), "run {run}: {hint}");
            for p in flow["probes"].as_array().expect("probes") {
                assert_eq!(
                    (p["verdict"].as_str(), p["reason"].as_str()),
                    (Some("filtered"), Some("host-down")),
                    "run {run}: {flow:#}"
                );
                details.push((
                    to.to_string(),
                    p["detail"].as_str().unwrap_or("").to_string(),
                ));
            }
        }
    }
    for (to, d) in &details {
        let first = details.iter().find(|(t, _)| t == to).map(|(_, d)| d);
        assert_eq!(Some(d), first, "one detail per host in every run");
    }
    assert!(details
        .iter()
        .any(|(t, d)| t == "ghost6" && d.contains("no neighbour discovery answer")));
    assert!(details
        .iter()
        .any(|(t, d)| t == "ghost4" && d.contains("no ARP answer")));
    // nmap agrees on every port: filtered (it cannot say why; check says host-down).
    let (_, report) = check(&lab, "a", &args);
    for (to, ip) in [("ghost4", &ghost4), ("ghost6", &ghost6)] {
        assert_eq!(
            against_nmap(&lab, "a", (&report, to), (ip, "135-139,3725"), &[]),
            Vec::<String>::new(),
            "{to}"
        );
    }
}

/// A perimeter firewall's SYN-flood protection shared by two hosts: a bridge joins the
/// PlateSpin server and two sources and drops SYNs above 2,000/s for all of them at
/// once. Both full ranges are closed (RST): every port must read closed.
#[test]
fn a_syn_limit_shared_by_two_hosts_costs_no_wrong_verdict() {
    let mut lab = Lab::new("brl");
    for h in ["ps", "w1", "w2", "br"] {
        lab.host(h);
    }
    let mut addresses = Vec::new();
    for h in ["ps", "w1", "w2"] {
        let (ip, br_side) = lab.link(h, "br");
        addresses.push((h, ip, br_side));
    }
    let br = lab.ns("br");
    portplan_tests::netns::sh(&["ip", "-n", &br, "link", "add", "br0", "type", "bridge"]);
    let links = String::from_utf8_lossy(
        &portplan_tests::netns::sh(&["ip", "-n", &br, "-o", "link", "show"]).stdout,
    )
    .to_string();
    for line in links.lines() {
        let name = line
            .split(':')
            .nth(1)
            .map(|n| n.trim().split('@').next().unwrap_or(""))
            .unwrap_or("");
        if name.starts_with("vb") {
            portplan_tests::netns::sh(&["ip", "-n", &br, "link", "set", name, "master", "br0"]);
        }
    }
    portplan_tests::netns::sh(&["ip", "-n", &br, "link", "set", "br0", "up"]);
    // Every host reaches the others on the one segment.
    for (h, _, _) in &addresses {
        let dev = String::from_utf8_lossy(
            &portplan_tests::netns::sh(&["ip", "-n", &lab.ns(h), "-o", "link", "show"]).stdout,
        )
        .lines()
        .filter_map(|l| l.split(':').nth(1))
        .map(|n| n.trim().split('@').next().unwrap_or("").to_string())
        .find(|n| n.starts_with("va"))
        .expect("veth");
        portplan_tests::netns::sh(&[
            "ip",
            "-n",
            &lab.ns(h),
            "route",
            "add",
            "10.200.0.0/16",
            "dev",
            &dev,
        ]);
    }
    lab.nft(
        "br",
        "table bridge b {\n chain f {\n  type filter hook forward priority 0; policy accept;\n  \
         tcp flags & (syn | ack) == syn limit rate over 2000/second drop\n }\n}\n",
    );
    let ps = addresses[0].1.clone();
    let (w1, w2) = (addresses[1].1.clone(), addresses[2].1.clone());
    lab.wait_reachable("ps", &w1);
    lab.wait_reachable("ps", &w2);
    let path = tcp_plan(
        &lab,
        "brl",
        &ps,
        &[("w1", &w1), ("w2", &w2)],
        (49152, 65535),
    );
    let start = Instant::now();
    let (_, report) = check(
        &lab,
        "ps",
        &["--plan", path.to_str().expect("path"), "--from", "a"],
    );
    let took = start.elapsed();
    let typed = portplan_tests::read_report(&report);
    let mut wrong = Vec::new();
    let mut seen = 0usize;
    for f in &typed.flows {
        for p in &f.probes {
            for port in p.ports() {
                seen += 1;
                if (p.verdict, p.reason) != (Verdict::Closed, Reason::ConnRefused) {
                    wrong.push((f.to.clone(), port, p.verdict, p.reason));
                }
            }
        }
    }
    assert_eq!(seen, 2 * 16_384, "every port is reported");
    assert!(
        wrong.is_empty(),
        "{} wrong in {took:?}: {:?}",
        wrong.len(),
        &wrong[..wrong.len().min(20)]
    );
    eprintln!("shared limiter: 32768 ports in {took:?}");
    // nmap on the first 1,024 ports of each host, in turn behind the same limiter
    // (the full ranges take nmap over 600 s): where its retries lose to the limiter it
    // reads `filtered`; check, pacing for the shared loss, reads every port closed.
    for (to, ip) in [("w1", &w1), ("w2", &w2)] {
        let differ = against_nmap(&lab, "ps", (&report, to), (ip, "49152-50175"), &[]);
        assert!(
            differ.iter().all(|d| d.ends_with("/ filtered no-response")),
            "{to}: {differ:?}"
        );
        eprintln!(
            "shared limiter, {to}: nmap differs on {} of 1024 ports",
            differ.len()
        );
    }
}

/// Without root, a firewall's admin-prohibited reject reaches connect() as "no route to
/// host", like a dead neighbour; it comes back in a round trip, not after the neighbour
/// table's seconds. It reads as a reject (with a word on reading its sender as root),
/// never as "host down, wrong address".
#[test]
fn an_unprivileged_run_does_not_call_a_rejecting_firewall_a_dead_host() {
    let mut lab = Lab::new("upr");
    lab.host("a");
    lab.host("b");
    let (ia, ib) = lab.link("a", "b");
    lab.wait_reachable("a", &ib);
    lab.nft(
        "b",
        "table ip t {\n chain input {\n  type filter hook input priority 0; policy accept;\n  \
         tcp dport 3725-3726 reject with icmp type admin-prohibited\n }\n}\n",
    );
    let path = tcp_plan(&lab, "upr", &ia, &[("b", &ib)], (3725, 3726));
    let out = lab
        .cmd("a", "setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            PORTPLAN,
            "check",
        ])
        .args([
            "--plan",
            path.to_str().expect("path"),
            "--from",
            "a",
            "--format",
            "json",
        ])
        .output()
        .expect("portplan as nobody");
    let text = String::from_utf8_lossy(&out.stdout);
    let report: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{e}: {text}\n{}", String::from_utf8_lossy(&out.stderr)));
    let flow = &report["flows"][0];
    assert_eq!(flow["status"], "fail", "{flow:#}");
    for p in flow["probes"].as_array().expect("probes") {
        assert_eq!(
            (p["verdict"].as_str(), p["reason"].as_str()),
            (Some("filtered"), Some("host-unreachable")),
            "{flow:#}"
        );
        assert!(
            p["detail"]
                .as_str()
                .unwrap_or("")
                .contains("an ICMP error from the network"),
            "{flow:#}"
        );
    }
    let hint = flow["hint"].as_str().unwrap_or("");
    assert!(
        hint.starts_with("filtered: TCP 3725-3726 from a to b is rejected (host-unreachable)"),
        "{hint}"
    );
    assert!(
        !hint.contains("host down") && !hint.contains("host does not answer"),
        "{hint}"
    );
    // nmap -sT hears the same "no route to host" from connect(): filtered as well.
    assert_eq!(
        against_nmap(&lab, "a", (&report, "b"), (&ib, "3725-3726"), &[]),
        Vec::<String>::new()
    );
}
