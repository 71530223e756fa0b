//! `portplan check` against hostile or broken far ends, each in a network namespace of
//! its own (so the privileged, deep-probed ports 22, 80, 135, 139, 443 and 445 are free):
//! servers that accept and never speak, reset mid-handshake, stop half-way through a
//! TLS ServerHello or an SMB reply, or send bytes without end; DNS that never answers;
//! and Ctrl-C. Every run must end within its deadline with an honest verdict for every
//! port, in bounded memory, and leave a complete report (or none), never half of one.
//! Needs root (CI is).

use portplan_core::report::Report;
use portplan_tests::netns::{Helper, Lab};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

const PORTPLAN: &str = env!("CARGO_BIN_EXE_portplan");
/// The ports with a protocol confirmation in `check`.
const DEEP: [u16; 6] = [22, 80, 135, 139, 443, 445];

/// Serves argv[1] (a mode) on every DEEP port of address argv[2]; prints `ready`.
/// Modes: `silent` reads and never writes; `reset` accepts and resets (SO_LINGER 0);
/// `partial` reads the request, sends the first bytes of a valid-looking reply, closes;
/// `flood` sends a plausible prefix, then up to 1 GB as fast as it can.
const FAULT_SERVER: &str = r#"
import socket, struct, sys, threading
mode, ip = sys.argv[1], sys.argv[2]
PARTIAL = {
    22: b"SSH-2.0-Open",
    80: b"HTTP/1.1 20",
    135: b"\x05\x00\x0c\x03\x10\x00\x00\x00\x44\x00",
    139: b"\x82\x00\x00\x00\x00\x00\x00\xf8\xfeSMB\x40\x00",
    443: b"\x16\x03\x03\x00\x5a\x02\x00\x00\x56\x03\x03" + bytes(10),
    445: b"\x00\x00\x00\xf8\xfeSMB\x40\x00\x01\x00",
}
FLOOD = {
    22: b"SSH-2.0-",
    80: b"HTTP/1.1 200 OK\r\nX-Flood: ",
    135: b"\x05\x00\x0c\x03\x10\x00\x00\x00\xff\xff\x00\x00",
    139: b"\x82\x00\x00\x00\x00\x01\xff\xff",
    443: b"\x16\x03\x03\x40\x00\x0b\xff\xff\xff",
    445: b"\x00\x01\xff\xff\xfeSMB",
}
def serve(c, port):
    try:
        if mode == "silent":
            c.settimeout(120)
            while c.recv(65536): pass
        elif mode == "reset":
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        elif mode == "partial":
            c.settimeout(5)
            if port != 22: c.recv(65536)
            c.sendall(PARTIAL[port])
        elif mode == "flood":
            c.sendall(FLOOD[port])
            block, sent = b"A" * 65536, 0
            while sent < 1 << 30: sent += c.send(block)
    except OSError:
        pass
    finally:
        c.close()
def accept(s, port):
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve, args=(c, port), daemon=True).start()
for p in [22, 80, 135, 139, 443, 445]:
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((ip, p)); s.listen(64)
    threading.Thread(target=accept, args=(s, p), daemon=True).start()
print("ready", flush=True)
threading.Event().wait()
"#;

fn fault_server(lab: &Lab, host: &str, mode: &str, ip: &str) -> Helper {
    lab.python_ready(host, FAULT_SERVER, &[mode, ip])
}

/// A directory removed on drop.
struct Dir(PathBuf);

impl Dir {
    fn new(tag: &str) -> Dir {
        let p = std::env::temp_dir().join(format!("portplan-faults-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("temp dir");
        Dir(p)
    }
    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, text).expect("write");
        p
    }
    fn entries(&self) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(&self.0)
            .expect("read dir")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A plan: host `me` probes every `(name, address, ports)` over TCP.
fn plan(me: &str, targets: &[(&str, &str, &[u16])]) -> String {
    let mut hosts = vec![format!(
        r#"{{"name":"me","address":"{me}","role":"server"}}"#
    )];
    let mut flows = Vec::new();
    for (name, addr, ports) in targets {
        hosts.push(format!(
            r#"{{"name":"{name}","address":"{addr}","role":"source"}}"#
        ));
        for p in *ports {
            flows.push(format!(
                r#"{{"phase":"discovery","from":"me","to":"{name}","protocol":"tcp",
                "ports":{{"first":{p},"last":{p}}},"purpose":"fault","rule":"test.fault"}}"#
            ));
        }
    }
    format!(
        r#"{{"format":1,"product":"migrate","version":"12.3","hosts":[{}],"flows":[{}]}}"#,
        hosts.join(","),
        flows.join(",")
    )
}

/// What a finished `check` left: exit code (or the signal), output, time, peak memory.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    took: Duration,
    /// Peak resident set of the check process (its VmHWM, sampled until it exits), in kB.
    max_rss_kb: u64,
}

/// Starts `portplan check ARGS` inside lab host `host`.
fn spawn_check(lab: &Lab, host: &str, args: &[&str]) -> Child {
    lab.cmd(host, PORTPLAN)
        .arg("check")
        .args(args)
        .arg("--no-progress")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("portplan check")
}

/// VmHWM (peak resident set, kB) of a running process.
fn peak_rss_kb(pid: u32) -> Option<u64> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Waits for `child` (draining its output) at most `limit`, sampling its peak memory.
/// `ip netns exec` execs the program, so the pid is check's own.
fn finish(mut child: Child, start: Instant, limit: Duration) -> Run {
    let drain = |r: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut s = String::new();
            if let Some(mut r) = r {
                let _ = r.read_to_string(&mut s);
            }
            s
        })
    };
    let out = drain(child.stdout.take().map(|s| Box::new(s) as _));
    let err = drain(child.stderr.take().map(|s| Box::new(s) as _));
    let pid = child.id();
    let mut max_rss_kb = 0;
    let status = loop {
        // VmHWM only grows: the last sample before the exit is (close to) the peak.
        if let Some(kb) = peak_rss_kb(pid) {
            max_rss_kb = max_rss_kb.max(kb);
        }
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "check still running after {limit:?}; stderr: {}",
                err.join().unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let took = start.elapsed();
    Run {
        code: status.code(),
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
        took,
        max_rss_kb,
    }
}

fn read_report(path: &Path) -> Report {
    let text = std::fs::read_to_string(path).expect("the report exists");
    Report::from_json(&text).expect("the report reads back")
}

/// `(to, port, verdict, reason, detail)` for every probed port (runs of ports, `port`
/// … `through`, expanded).
fn probes(report: &Report) -> Vec<(String, u64, String, String, String)> {
    let mut out = Vec::new();
    for f in &report.flows {
        for p in &f.probes {
            for port in p.ports() {
                out.push((
                    f.to.to_string(),
                    u64::from(port),
                    p.verdict.as_str().to_owned(),
                    p.reason.to_string(),
                    p.detail.clone(),
                ));
            }
        }
    }
    out
}

/// Silent, resetting and half-answering servers on every deep-probed port: each port is
/// `open` (the handshake succeeded) with a detail naming the service that did not
/// answer, well within the deadline, and nothing panics.
#[test]
fn silent_resetting_and_half_answering_servers_get_honest_verdicts() {
    let mut lab = Lab::new("flt");
    lab.host("a");
    let modes = [
        ("silent", "127.0.0.2"),
        ("reset", "127.0.0.3"),
        ("partial", "127.0.0.4"),
    ];
    let _servers: Vec<Helper> = modes
        .iter()
        .map(|(m, ip)| fault_server(&lab, "a", m, ip))
        .collect();
    let dir = Dir::new("honest");
    let targets: Vec<(&str, &str, &[u16])> =
        modes.iter().map(|(m, ip)| (*m, *ip, &DEEP[..])).collect();
    let plan = dir.write("plan.json", &plan("127.0.0.1", &targets));
    let report = dir.0.join("report.json");
    let args = [
        "--plan",
        plan.to_str().expect("path"),
        "--from",
        "me",
        "--timeout",
        "2s",
        "--retries",
        "0",
        "-o",
        report.to_str().expect("path"),
    ];
    let start = Instant::now();
    // Budget: 2 s per attempt + 2 s slack + 2 × 2 s for a confirmation and the token.
    let run = finish(
        spawn_check(&lab, "a", &args),
        start,
        Duration::from_secs(20),
    );
    assert!(
        run.took < Duration::from_secs(8 + 3),
        "took {:?}, past its 8 s budget",
        run.took
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    let all = probes(&read_report(&report));
    assert_eq!(all.len(), 18, "{all:#?}");
    for (to, port, verdict, reason, detail) in &all {
        assert_eq!(
            (verdict.as_str(), reason.as_str()),
            ("open", "syn-ack"),
            "{to} {port}: {detail}"
        );
        // The connect itself may see the reset (loopback is fast): then it says so.
        assert!(
            detail.starts_with("open, but no ")
                || (to == "reset" && detail.starts_with("reset by the far end")),
            "{to} {port}: {detail}"
        );
        let why = match to.as_str() {
            "silent" => &["no reply", "no answer", "no handshake", "no complete reply"][..],
            "reset" => &["reset", "broken pipe"][..],
            // On 139 the SMB2 request can meet the closed socket: then a reset, not EOF.
            _ => &[
                "early eof",
                "handshake eof",
                "cut off",
                "bad status",
                "reset",
            ][..],
        };
        assert!(
            why.iter().any(|w| detail.to_lowercase().contains(w)),
            "{to} {port}: {detail}"
        );
    }
}

/// A server that sends bytes without end on every deep port: memory stays small (the
/// clients cap what they read) and the run ends in time, with a bounded report.
#[test]
fn a_flooding_server_costs_bounded_memory_and_time() {
    let mut lab = Lab::new("fld");
    lab.host("a");
    let _flood = fault_server(&lab, "a", "flood", "127.0.0.5");
    let _silent = fault_server(&lab, "a", "silent", "127.0.0.6");
    let dir = Dir::new("flood");
    let report = dir.0.join("report.json");
    let run_against = |targets: &[(&str, &str, &[u16])]| {
        let plan = dir.write("plan.json", &plan("127.0.0.1", targets));
        let args = [
            "--plan",
            plan.to_str().expect("path"),
            "--from",
            "me",
            "--timeout",
            "2s",
            "--retries",
            "0",
            "-o",
            report.to_str().expect("path"),
        ];
        let start = Instant::now();
        finish(
            spawn_check(&lab, "a", &args),
            start,
            Duration::from_secs(20),
        )
    };
    // The same plan against silent servers: the baseline memory of a check.
    let quiet = run_against(&[("silent", "127.0.0.6", &DEEP[..])]);
    let run = run_against(&[("flood", "127.0.0.5", &DEEP[..])]);
    eprintln!(
        "flood: {:?}, peak RSS {} kB (silent baseline {} kB)",
        run.took, run.max_rss_kb, quiet.max_rss_kb
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(run.took < Duration::from_secs(8 + 3), "took {:?}", run.took);
    assert!(
        run.max_rss_kb < quiet.max_rss_kb + 16 * 1024 && run.max_rss_kb < 96 * 1024,
        "peak RSS {} kB against a flood, {} kB against silence",
        run.max_rss_kb,
        quiet.max_rss_kb
    );
    let all = probes(&read_report(&report));
    assert_eq!(all.len(), 6);
    for (_, port, verdict, _, detail) in &all {
        assert!(
            verdict == "open" || verdict == "verified",
            "{port}: {verdict} {detail}"
        );
        assert!(
            detail.len() < 1024,
            "{port}: {} bytes of detail",
            detail.len()
        );
    }
    let size = std::fs::metadata(&report).expect("report").len();
    assert!(size < 64 * 1024, "a {size}-byte report");
}

/// Removes `/etc/netns/<ns>` (where `ip netns exec` finds the namespace's resolv.conf).
struct NetnsEtc(PathBuf);

impl Drop for NetnsEtc {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The resolver in the namespace points at a host that drops DNS: the name is
/// `unresolved` with the reason, within the DNS timeout, and the other host still gets
/// its honest verdict, even when the run's deadline comes before the lookup gives up.
#[test]
fn dns_that_never_answers_is_unresolved_in_time() {
    let mut lab = Lab::new("dns");
    lab.host("a");
    lab.host("b");
    let (ia, ib) = lab.link("a", "b");
    lab.nft(
        "b",
        "table inet t {\n chain input {\n  type filter hook input priority 0; policy accept;\n  udp dport 53 drop\n  tcp dport 53 drop\n }\n}\n",
    );
    let etc = NetnsEtc(PathBuf::from("/etc/netns").join(lab.ns("a")));
    std::fs::create_dir_all(&etc.0).expect("/etc/netns/<ns>");
    std::fs::write(etc.0.join("resolv.conf"), format!("nameserver {ib}\n")).expect("resolv.conf");
    let dir = Dir::new("dns");
    let plan = dir.write(
        "plan.json",
        &plan(
            &ia,
            &[
                ("ghost", "ghost.portplan-faults.test", &[3725][..]),
                ("b", &ib, &[3725][..]),
            ],
        ),
    );
    let report = dir.0.join("report.json");
    let args = [
        "--plan",
        plan.to_str().expect("path"),
        "--from",
        "me",
        "--timeout",
        "1s",
        "--retries",
        "0",
        "-o",
        report.to_str().expect("path"),
    ];
    let start = Instant::now();
    let run = finish(
        spawn_check(&lab, "a", &args),
        start,
        Duration::from_secs(30),
    );
    // The lookup gives up after 5 s (glibc alone would try for 10 s and more).
    assert!(
        run.took < Duration::from_secs(5 + 1 + 3),
        "took {:?}",
        run.took
    );
    assert_eq!(run.code, Some(1), "unresolved fails: {}", run.stdout);
    let mut all = probes(&read_report(&report));
    all.sort();
    assert_eq!(all.len(), 2);
    let (to, _, verdict, reason, detail) = &all[1];
    assert_eq!(
        (to.as_str(), verdict.as_str(), reason.as_str()),
        ("ghost", "unresolved", "dns-failure")
    );
    assert!(detail.contains("timed out"), "{detail}");
    let (to, _, verdict, reason, _) = &all[0];
    assert_eq!(
        (to.as_str(), verdict.as_str(), reason.as_str()),
        ("b", "closed", "conn-refused"),
        "the other host is unaffected"
    );
    // A deadline shorter than the lookup: the other host is probed meanwhile, not cut.
    let mut short = args.to_vec();
    short.extend(["--max-time", "3s"]);
    let start = Instant::now();
    let run = finish(
        spawn_check(&lab, "a", &short),
        start,
        Duration::from_secs(30),
    );
    assert!(run.took < Duration::from_secs(3 + 3), "took {:?}", run.took);
    let mut all = probes(&read_report(&report));
    all.sort();
    let got: Vec<(&str, &str, &str)> = all
        .iter()
        .map(|p| (p.0.as_str(), p.2.as_str(), p.3.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("b", "closed", "conn-refused"),
            ("ghost", "error", "deadline")
        ]
    );
}

/// Waits (at most 10 s) until process `pid` catches SIGINT and SIGTERM (`SigCgt` in
/// /proc), so a signal sent next is handled, not fatal, however slowly it started.
fn wait_for_handlers(pid: u32) {
    let start = Instant::now();
    let wanted = (1u64 << (2 - 1)) | (1u64 << (15 - 1));
    loop {
        let caught = std::fs::read_to_string(format!("/proc/{pid}/status"))
            .unwrap_or_default()
            .lines()
            .find_map(|l| l.strip_prefix("SigCgt:"))
            .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
            .unwrap_or(0);
        if caught & wanted == wanted {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "check never caught SIGINT and SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Ctrl-C (and SIGTERM) in the middle of a long run: it stops at once, keeps what
/// finished, marks the rest `interrupted`, replaces the old report whole (a rename: a
/// hard link to the old file keeps the old text) and leaves no temporary file.
#[test]
fn ctrl_c_writes_what_finished_atomically() {
    let mut lab = Lab::new("int");
    lab.host("a");
    lab.host("b");
    let (ia, ib) = lab.link("a", "b");
    lab.nft("b", "table ip t {\n chain input {\n  type filter hook input priority 0; policy accept;\n  tcp dport 20000-21999 drop\n }\n}\n");
    let dir = Dir::new("int");
    let text = format!(
        r#"{{"format":1,"product":"migrate","version":"12.3","hosts":[
        {{"name":"me","address":"{ia}","role":"server"}},{{"name":"b","address":"{ib}","role":"source"}},
        {{"name":"c","address":"{ib}","role":"source"}}],
        "flows":[{{"phase":"discovery","from":"me","to":"c","protocol":"tcp",
          "ports":{{"first":30000,"last":30049}},"purpose":"closed","rule":"test.closed"}},
          {{"phase":"discovery","from":"me","to":"b","protocol":"tcp",
          "ports":{{"first":20000,"last":21999}},"purpose":"all dropped","rule":"test.drop"}}]}}"#
    );
    let plan = dir.write("plan.json", &text);
    for (signal, code) in [("INT", 130), ("TERM", 143)] {
        let report = dir.write("report.json", "old report");
        let old = dir.0.join("old.json");
        let _ = std::fs::remove_file(&old);
        std::fs::hard_link(&report, &old).expect("hard link");
        let args = [
            "--plan",
            plan.to_str().expect("path"),
            "--from",
            "me",
            "--timeout",
            "60s",
            // Every probe in flight at once, so the closed ports finish first whatever
            // order a loaded scheduler runs the tasks in. They are a host of their own
            // (`c`, the same address as `b`): `b` never answers, so its timeout stays
            // 60 s and its window doubles while it waits.
            "--concurrency",
            "4096",
            "--per-host",
            "4096",
            "-o",
            report.to_str().expect("path"),
        ];
        let child = spawn_check(&lab, "a", &args);
        wait_for_handlers(child.id());
        // The closed ports answer at once; the dropped ones would wait out 60 s.
        std::thread::sleep(Duration::from_millis(700));
        let sent = Instant::now();
        let kill = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .expect("kill");
        assert!(kill.success());
        let run = finish(child, sent, Duration::from_secs(15));
        assert!(
            // Measured 0.25-0.5 s; without signal handling it would wait out 60 s.
            run.took < Duration::from_secs(5),
            "exited {:?} after the signal",
            run.took
        );
        eprintln!("SIG{signal}: exited {:?} after the signal", run.took);
        assert_eq!(run.code, Some(code), "{}", run.stderr);
        assert!(run.stderr.contains("interrupted by SIG"), "{}", run.stderr);
        assert!(
            run.stdout.contains("flows from me checked"),
            "the summary is printed: {}",
            run.stdout
        );
        let report_typed = read_report(&report);
        assert_eq!(report_typed.flows.len(), 2);
        let all = probes(&report_typed);
        assert_eq!(all.len(), 2_050, "every port is reported");
        let closed = all.iter().filter(|p| p.2 == "closed").count();
        let cut = all
            .iter()
            .filter(|p| p.2 == "error" && p.3 == "interrupted")
            .count();
        eprintln!("SIG{signal}: {closed} closed, {cut} interrupted");
        assert!(closed >= 50, "the finished probes are kept: {closed}");
        assert_eq!(closed + cut, 2_050, "finished or interrupted, nothing else");
        assert!(all
            .iter()
            .filter(|p| p.3 == "interrupted")
            .all(|p| p.4.contains("interrupted (SIG")));
        assert_eq!(
            std::fs::read_to_string(&old).expect("old"),
            "old report",
            "the report was replaced by a rename, not rewritten in place"
        );
        assert_eq!(
            dir.entries(),
            ["old.json", "plan.json", "report.json"],
            "no temporary file is left behind"
        );
    }
}
