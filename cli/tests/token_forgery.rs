//! `listen` and `check` on loopback. Who can make `check` say `verified`: a real `portplan listen` of this run as the host
//! that was dialed, and nobody else. On loopback addresses of their own (no root), three
//! "hosts" of one plan answer port 3725:
//! - web02: a real `portplan listen --as web02 --secret-file`;
//! - web01: a plain TCP relay to web02's listen (a misrouted DNAT, a mistyped address,
//!   or an attacker who relays to a real responder);
//! - web03: a forger that knows the plan (so its digest, the old key) but not the
//!   run's secret, answering as web03.
//!
//! With the secret, `check` verifies web02 only; web01 fails as "answered by web02
//! (expected web01)", in the table and the JSON; web03's forgery does not verify. Without
//! the secret, the forger passes, and the report says plainly that the token then proves
//! only the plan.

use portplan_core::token::{self, Key};
use portplan_tests::servers::TempDir;
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_portplan");
const PORT: u16 = 3725;
/// Loopback addresses of this test only (issue 27), so parallel tests do not collide.
const JUMP: &str = "127.0.27.1";
const RELAY: &str = "127.0.27.11";
const LISTEN: &str = "127.0.27.12";
const FORGER: &str = "127.0.27.13";

fn plan() -> String {
    let flow = |to: &str| {
        format!(
            r#"{{"phase":"transfer","from":"jump","to":"{to}","protocol":"tcp","ports":{{"first":{PORT},"last":{PORT}}},
            "purpose":"Replication","rule":"transfer.replication.source-listens"}}"#
        )
    };
    format!(
        r#"{{"format":1,"product":"migrate","version":"2020.2","hosts":[
        {{"name":"jump","address":"{JUMP}","role":"server"}},
        {{"name":"web01","address":"{RELAY}","role":"source"}},
        {{"name":"web02","address":"{LISTEN}","role":"source"}},
        {{"name":"web03","address":"{FORGER}","role":"source"}}],
        "flows":[{},{},{}]}}"#,
        flow("web01"),
        flow("web02"),
        flow("web03")
    )
}

/// Kills the responder however the test ends.
struct Listen(Child);

impl Drop for Listen {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_listen(plan: &str, secret: &str) -> Listen {
    let mut child = Command::new(BIN)
        .args(["listen", "--plan", plan, "--as", "web02", "--for", "60s"])
        .args(["--secret-file", secret])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("portplan listen");
    let out = child.stdout.take().expect("stdout");
    let listen = Listen(child);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let t0 = Instant::now();
    let mut seen = Vec::new();
    loop {
        let left = Duration::from_secs(10).saturating_sub(t0.elapsed());
        let line = rx
            .recv_timeout(left)
            .unwrap_or_else(|_| panic!("listen not ready: {seen:#?}"));
        let ready = line.starts_with("ready:");
        seen.push(line);
        if ready {
            break;
        }
    }
    assert!(
        seen[0].contains("token for web02 keyed by the run secret"),
        "{seen:#?}"
    );
    let secret_text = std::fs::read_to_string(secret).expect("secret");
    assert!(
        seen.iter().all(|l| !l.contains(secret_text.trim())),
        "the secret is never printed: {seen:#?}"
    );
    listen
}

/// Accepts up to `n` connections on `addr`, each handled by `serve` on its own thread.
fn serve(addr: &str, n: usize, serve: fn(TcpStream)) {
    let l = TcpListener::bind((addr, PORT)).expect("bind a loopback test address");
    std::thread::spawn(move || {
        for s in l.incoming().take(n).map_while(Result::ok) {
            let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
            std::thread::spawn(move || serve(s));
        }
    });
}

/// A plain TCP relay to web02's responder.
fn relay(mut inbound: TcpStream) {
    let Ok(mut outbound) = TcpStream::connect((LISTEN, PORT)) else {
        return;
    };
    let _ = outbound.set_read_timeout(Some(Duration::from_secs(10)));
    let (mut a, mut b) = match (inbound.try_clone(), outbound.try_clone()) {
        (Ok(a), Ok(b)) => (a, b),
        _ => return,
    };
    let up = std::thread::spawn(move || std::io::copy(&mut a, &mut b));
    let _ = std::io::copy(&mut outbound, &mut inbound);
    let _ = up.join();
}

/// Knows the plan digest, not the secret: answers every challenge as web03 with the
/// plan as the key.
fn forger(mut s: TcpStream) {
    let mut buf = [0u8; token::CHALLENGE_LEN];
    if s.read_exact(&mut buf).is_err() {
        return;
    }
    let Some(c) = token::parse_challenge(&buf) else {
        return;
    };
    let digest = portplan_core::Plan::from_json(&plan())
        .expect("plan")
        .digest();
    if let Some(reply) = token::response(&Key::plan_only(&digest), &c, PORT, "web03") {
        let _ = s.write_all(&reply);
    }
}

fn check(plan: &str, secret: Option<&str>, format: &str, exit: i32) -> (Value, String) {
    let mut cmd = Command::new(BIN);
    cmd.args(["check", "--plan", plan, "--from", "jump", "--no-progress"])
        .args(["--timeout", "3s", "--format", format])
        .env_remove("TERM");
    if let Some(s) = secret {
        cmd.args(["--secret-file", s]);
    }
    let out = cmd.output().expect("portplan check");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(exit), "{stdout}");
    let json = if format == "json" {
        serde_json::from_str(&stdout).expect("report")
    } else {
        Value::Null
    };
    (json, stdout)
}

/// (status, verdict, reason, detail) of the flow to `to`.
fn flow(report: &Value, to: &str) -> (String, String, String, String) {
    let f = report["flows"]
        .as_array()
        .expect("flows")
        .iter()
        .find(|f| f["to"] == to)
        .expect("flow");
    let p = &f["probes"][0];
    let s = |v: &Value| v.as_str().unwrap_or("").to_string();
    (
        s(&f["status"]),
        s(&p["verdict"]),
        s(&p["reason"]),
        s(&p["detail"]),
    )
}

#[test]
fn only_this_runs_listen_as_the_dialed_host_verifies() {
    let dir = TempDir::new("forgery");
    let plan_path = dir.write("plan.json", &plan());
    let plan_path = plan_path.to_str().expect("path");
    let secret = dir.write("run.secret", "5f0c9a7d3b2e41f8a6c4d2e0b8f6a4c2\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    }
    let secret = secret.to_str().expect("path");
    let _listen = start_listen(plan_path, secret);
    // Three checks and one nmap scan, one connection each to the relay and the forger
    // (the token goes on the connection the handshake opened: 3725 has no protocol
    // confirmation).
    serve(RELAY, 4, relay);
    serve(FORGER, 4, forger);

    let (report, _) = check(plan_path, Some(secret), "json", 1);
    let cases = [
        (
            "web02",
            "pass",
            "verified",
            "confirmed",
            "answered the token as web02",
        ),
        (
            "web01",
            "fail",
            "open",
            "wrong-host",
            "answered by web02 (expected web01)",
        ),
        (
            "web03",
            "attention",
            "open",
            "foreign-token",
            "another plan or run",
        ),
    ];
    for (to, status, verdict, reason, detail) in cases {
        let (s, v, r, d) = flow(&report, to);
        assert_eq!(
            (s.as_str(), v.as_str(), r.as_str()),
            (status, verdict, reason),
            "{to}: {d}"
        );
        assert!(d.contains(detail), "{to}: {d}");
    }
    let text = report.to_string();
    assert!(
        !text.contains("5f0c9a7d3b2e41f8"),
        "the secret is never in a report"
    );
    // nmap -sT agrees port for port: each is open. Which host answered behind it is what
    // only the token tells (the wrong host's port is open, and the flow fails for it).
    for (to, ip) in [("web01", RELAY), ("web02", LISTEN), ("web03", FORGER)] {
        use portplan_tests::nmap::{check_ports, connect_scan, disagreements};
        let nmap = connect_scan(Command::new("timeout"), ip, "3725", &[], 60);
        let check = check_ports(&report, to);
        assert_eq!(disagreements(&check, &nmap), vec![], "{to}: {nmap:?}");
    }

    let (_, table) = check(plan_path, Some(secret), "table", 1);
    assert!(
        table.contains("wrong-host") && table.contains("answered by web02 (expected web01)"),
        "{table}"
    );

    // Without the secret the token is keyed by the public plan: the forger passes, and
    // the report says what such a pass proves.
    let (report, _) = check(plan_path, None, "json", 0);
    let (s, v, _, d) = flow(&report, "web03");
    assert_eq!((s.as_str(), v.as_str()), ("pass", "verified"), "{d}");
    assert!(d.contains("proves the plan, not the host"), "{d}");
    let (_, _, r, _) = flow(&report, "web02");
    assert_eq!(r, "foreign-token", "listen has the secret, this check not");
}

/// `listen` prints text from the plan (rule ids, addresses): an escape sequence a plan
/// carries reaches the terminal as `?`, like network data.
#[test]
fn listen_prints_the_plans_text_without_escape_sequences() {
    let esc = "\u{1b}]0;owned\u{7}\u{1b}[2K";
    let plan = format!(
        r#"{{"format":1,"product":"migrate","version":"2020.2","hosts":[
        {{"name":"jump","address":"{JUMP}","role":"server"}},
        {{"name":"web01","address":"127.0.27.21","role":"source"}}],
        "flows":[
        {{"phase":"transfer","from":"jump","to":"web01","protocol":"tcp","ports":{{"first":{PORT},"last":{PORT}}},
          "purpose":"Replication","rule":"transfer.replication.source-listens"}},
        {{"phase":"discovery","from":"jump","to":"web01","protocol":"tcp","ports":{{"first":40000,"last":40100}},
          "purpose":"p","rule":{}}}]}}"#,
        serde_json::to_string(esc).expect("json string")
    );
    let dir = TempDir::new("listen-esc");
    let path = dir.write("plan.json", &plan);
    let out = Command::new(BIN)
        .args([
            "listen",
            "--plan",
            path.to_str().expect("path"),
            "--as",
            "web01",
            "--for",
            "1s",
        ])
        .output()
        .expect("portplan listen");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("skipped tcp/40000-40100"), "{stdout}");
    assert!(stdout.contains("(?]0;owned??[2K)"), "{stdout}");
    assert!(!stdout.contains(['\u{1b}', '\u{7}']), "{stdout:?}");
}
