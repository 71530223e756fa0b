//! `portplan listen` in one namespace, probes from another, nftables dropping one
//! port: the token verifies on every allowed port, the dropped one does not connect.

use portplan_core::{Plan, Scenario};
use portplan_tests::netns::{Lab, Listener};
use portplan_tests::servers::TempDir;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_portplan");

fn probe(lab: &Lab, host: &str, args: &[&str]) -> Value {
    lab.probe_service(BIN, host, args)
}

/// A migrate scenario whose server and source are the two lab hosts.
fn scenario(server: &str, source: &str) -> String {
    format!(
        r#"{{"format":1,"product":"migrate","version":"2020.2",
        "server":{{"name":"ps01","address":"{server}"}},
        "workloads":[{{"name":"web01","address":"{source}","os":"windows","windows":"2019",
          "target":{{"name":"web01-t","address":"10.254.0.7"}}}}]}}"#
    )
}

#[test]
fn listen_verifies_allowed_ports_and_the_dropped_one_does_not_connect() {
    let mut lab = Lab::new("lsn");
    lab.host("src");
    lab.host("ps");
    let (src, ps) = lab.link("src", "ps");
    let dir = TempDir::new("listen");
    let text = scenario(&ps, &src);
    let plan = Plan::build(&Scenario::from_json(&text).expect("scenario")).expect("plan");
    let digest = plan.digest();
    let plan_path = dir.write("plan.json", &plan.to_json());
    // The firewall in front of the source drops SMB.
    lab.nft("src", "table inet fw {\n chain input {\n  type filter hook input priority 0; policy accept;\n  tcp dport 445 drop\n }\n}\n");

    let listener = Listener::start(
        &lab,
        BIN,
        "src",
        &[
            "--plan",
            plan_path.to_str().expect("path"),
            "--as",
            "web01",
            "--for",
            "2m",
        ],
    );
    let opened: Vec<&String> = listener
        .seen
        .iter()
        .filter(|l| l.starts_with("listening "))
        .collect();
    for want in [
        "tcp/135 ",
        "tcp/139 ",
        "tcp/445 ",
        "tcp/3725 ",
        "udp/137 ",
        "udp/138 ",
    ] {
        assert!(
            opened.iter().any(|l| l.contains(want)),
            "{want} not opened: {:#?}",
            listener.seen
        );
    }
    assert!(
        listener
            .seen
            .iter()
            .any(|l| l.contains("skipped tcp/49152-65535")),
        "the dynamic range is reported, not silently skipped: {:#?}",
        listener.seen
    );
    assert!(
        opened.iter().all(|l| l.contains(&format!("on {src}:"))),
        "binds the plan's address only"
    );

    for port in [135, 139, 3725] {
        let v = probe(
            &lab,
            "ps",
            &[
                &format!("{src}:{port}"),
                "--token",
                &digest,
                "--timeout",
                "3",
            ],
        );
        assert_eq!(v["protocol"], "portplan", "tcp/{port}: {v}");
    }
    for port in [137, 138] {
        let v = probe(
            &lab,
            "ps",
            &[
                "--udp",
                &format!("{src}:{port}"),
                "--token",
                &digest,
                "--timeout",
                "3",
            ],
        );
        assert_eq!(v["protocol"], "portplan", "udp/{port}: {v}");
    }
    let started = Instant::now();
    let v = probe(
        &lab,
        "ps",
        &[&format!("{src}:445"), "--token", &digest, "--timeout", "2"],
    );
    assert!(
        v["error"].as_str().unwrap_or("").contains("connect"),
        "dropped port must not connect: {v}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    // Another plan's digest (a bystander who guesses) does not verify.
    let v = probe(
        &lab,
        "ps",
        &[
            &format!("{src}:3725"),
            "--token",
            "sha256:forged",
            "--timeout",
            "3",
        ],
    );
    assert!(
        v["error"]
            .as_str()
            .unwrap_or("")
            .contains("token not verified"),
        "{v}"
    );

    let log = listener.stop();
    let answered = |proto: &str, port: u16| {
        log.iter().any(|l| {
            l.contains(&format!(" {proto} {ps}:"))
                && l.contains(&format!("-> {port}: token answered"))
        })
    };
    for port in [135, 139, 3725] {
        assert!(
            answered("tcp", port),
            "tcp/{port} connection not logged with peer: {log:#?}"
        );
    }
    assert!(answered("udp", 137), "{log:#?}");
    assert!(
        !log.iter().any(|l| l.contains("-> 445:")),
        "no packet reached 445: {log:#?}"
    );
    assert!(log.iter().any(|l| l.starts_with("stopped: ")), "{log:#?}");
}

#[test]
fn a_port_in_use_is_reported_and_its_other_service_does_not_verify() {
    let mut lab = Lab::new("lsu");
    lab.host("src");
    lab.host("ps");
    let (src, ps) = lab.link("src", "ps");
    let dir = TempDir::new("listen-busy");
    let text = scenario(&ps, &src);
    let digest = Plan::build(&Scenario::from_json(&text).expect("scenario"))
        .expect("plan")
        .digest();
    let scen = dir.write("s.json", &text);
    // Something else (here: a responder with another key) already holds 3725.
    let _other = Listener::start(
        &lab,
        BIN,
        "src",
        &[
            "--key",
            "another plan",
            "--as",
            "web01",
            "--ports",
            "3725",
            "--bind",
            &src,
            "--for",
            "1m",
        ],
    );
    let mine = Listener::start(
        &lab,
        BIN,
        "src",
        &[
            "--scenario",
            scen.to_str().expect("path"),
            "--as",
            "web01",
            "--for",
            "1m",
        ],
    );
    assert!(
        mine.seen
            .iter()
            .any(|l| l.starts_with(&format!("skipped tcp/3725 on {src}:3725: in use"))),
        "{:#?}",
        mine.seen
    );
    let v = probe(
        &lab,
        "ps",
        &[&format!("{src}:3725"), "--token", &digest, "--timeout", "3"],
    );
    assert!(
        v["error"]
            .as_str()
            .unwrap_or("")
            .contains("token not verified"),
        "{v}"
    );
    let v = probe(
        &lab,
        "ps",
        &[&format!("{src}:135"), "--token", &digest, "--timeout", "3"],
    );
    assert_eq!(v["protocol"], "portplan", "{v}");
}

/// Lets lab host `ps` also be the scenario's target web01-t (10.254.0.7, on its
/// loopback), reached from `src` through `ps`: `check --from web01-t` runs only on a
/// machine that holds web01-t's address, and its probes leave from it.
fn ps_is_also_the_target(lab: &Lab, ps: &str) {
    portplan_tests::netns::sh(&[
        "ip",
        "-n",
        &lab.ns("ps"),
        "addr",
        "add",
        "10.254.0.7/32",
        "dev",
        "lo",
    ]);
    portplan_tests::netns::sh(&[
        "ip",
        "-n",
        &lab.ns("src"),
        "route",
        "add",
        "10.254.0.7/32",
        "via",
        ps,
    ]);
}

/// Runs `portplan check ARGS --format json` in lab host `host`: (exit code, report).
fn check(lab: &Lab, host: &str, args: &[&str]) -> (i32, Value) {
    let out = lab
        .cmd(host, BIN)
        .arg("check")
        .args(args)
        .args(["--format", "json", "--no-progress"])
        .output()
        .expect("run portplan check");
    let text = String::from_utf8_lossy(&out.stdout);
    let v = serde_json::from_str(text.trim()).unwrap_or_else(|e| {
        panic!(
            "{e}: {text}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), v)
}

fn probes(report: &Value) -> Vec<(String, Option<u64>, String, String)> {
    portplan_tests::report_probes(report)
}

#[test]
fn check_against_listen_verified_except_the_dropped_port_which_is_filtered() {
    let mut lab = Lab::new("chl");
    lab.host("src");
    lab.host("ps");
    let (src, ps) = lab.link("src", "ps");
    let dir = TempDir::new("check-listen");
    let text = scenario(&ps, &src);
    let plan = Plan::build(&Scenario::from_json(&text).expect("scenario")).expect("plan");
    let plan_path = dir.write("plan.json", &plan.to_json());
    let plan_arg = plan_path.to_str().expect("path");
    lab.nft("src", "table inet fw {\n chain input {\n  type filter hook input priority 0; policy accept;\n  tcp dport 445 drop\n }\n}\n");
    let listener = Listener::start(
        &lab,
        BIN,
        "src",
        &["--plan", plan_arg, "--as", "web01", "--for", "2m"],
    );

    // From the PlateSpin server: discovery and take-control flows into the source.
    let (code, report) = check(
        &lab,
        "ps",
        &[
            "--plan",
            plan_arg,
            "--from",
            "ps01",
            "--to",
            "web01",
            "--timeout",
            "1s",
        ],
    );
    let all = probes(&report);
    let find = |proto: &str, port: u64| {
        all.iter()
            .find(|p| p.0 == proto && p.1 == Some(port))
            .unwrap_or_else(|| panic!("no {proto}/{port} probe: {all:#?}"))
    };
    assert_eq!(find("tcp", 445).2, "filtered", "{all:#?}");
    // UDP 138 never answers: by policy check sends no token there (no extra round
    // trip), so even a responder's 138 reads open|filtered, and passes.
    let p138 = find("udp", 138);
    assert_eq!(p138.2, "open|filtered", "{p138:?}");
    assert!(p138.3.contains("never answers"), "{p138:?}");
    for (proto, port) in [("tcp", 135), ("tcp", 139), ("udp", 137)] {
        let p = find(proto, port);
        assert_eq!(
            p.2, "verified",
            "{proto}/{port}: {all:#?}\nlisten: {:#?}",
            listener.seen
        );
        assert!(p.3.contains("portplan listen"), "{p:?}");
    }
    assert_eq!(code, 1, "a filtered flow fails the run");

    // From the target: the replication port.
    ps_is_also_the_target(&lab, &ps);
    let (code, report) = check(
        &lab,
        "ps",
        &[
            "--plan",
            plan_arg,
            "--from",
            "web01-t",
            "--to",
            "web01",
            "--timeout",
            "1s",
        ],
    );
    let all = probes(&report);
    assert_eq!(
        all.iter()
            .map(|p| (p.0.as_str(), p.1, p.2.as_str()))
            .collect::<Vec<_>>(),
        [("tcp", Some(3725), "verified")],
        "{all:#?}"
    );
    assert_eq!(code, 0);

    // Without --deep nothing is verified: the sockets alone say `open`.
    let (_, report) = check(
        &lab,
        "ps",
        &[
            "--plan",
            plan_arg,
            "--from",
            "web01-t",
            "--to",
            "web01",
            "--no-deep",
        ],
    );
    assert_eq!(probes(&report)[0].2, "open");
    let log = listener.stop();
    assert!(
        log.iter()
            .any(|l| l.contains("tcp 10.254.0.7:") && l.contains("-> 3725: token answered")),
        "{log:#?}"
    );
}

/// `listen` started with another plan answers the challenge with a foreign token: its
/// own reason, never a pass, and the hint names the plan `check` uses.
#[test]
fn a_responder_of_another_plan_is_a_foreign_token_never_a_pass() {
    let mut lab = Lab::new("frn");
    lab.host("src");
    lab.host("ps");
    let (src, ps) = lab.link("src", "ps");
    let dir = TempDir::new("foreign");
    let text = scenario(&ps, &src);
    let theirs = Plan::build(&Scenario::from_json(&text).expect("scenario")).expect("plan");
    let other = text.replace("\"2020.2\"", "\"2019.2\"");
    let ours = Plan::build(&Scenario::from_json(&other).expect("scenario")).expect("plan");
    assert_ne!(theirs.digest(), ours.digest(), "two different plans");
    let theirs_path = dir.write("theirs.json", &theirs.to_json());
    let ours_path = dir.write("ours.json", &ours.to_json());
    let _listener = Listener::start(
        &lab,
        BIN,
        "src",
        &[
            "--plan",
            theirs_path.to_str().expect("path"),
            "--as",
            "web01",
            "--for",
            "2m",
        ],
    );
    let ours_arg = ours_path.to_str().expect("path");
    ps_is_also_the_target(&lab, &ps);
    let args = [
        "--plan",
        ours_arg,
        "--from",
        "web01-t",
        "--to",
        "web01",
        "--timeout",
        "1s",
    ];
    let (code, report) = check(&lab, "ps", &args);
    let flow = &report["flows"][0];
    let probe = &flow["probes"][0];
    assert_eq!(
        (
            probe["port"].as_u64(),
            probe["verdict"].as_str(),
            probe["reason"].as_str()
        ),
        (Some(3725), Some("open"), Some("foreign-token")),
        "{report:#}"
    );
    assert_eq!(flow["status"], "attention", "never a pass: {flow:#}");
    let hint = flow["hint"].as_str().unwrap_or("");
    assert!(
        hint.contains("another plan") && hint.contains(&ours.digest()),
        "{hint}"
    );
    assert_eq!(code, 0, "attention is not a failure without --strict");
    let strict: Vec<&str> = args.iter().copied().chain(["--strict"]).collect();
    assert_eq!(check(&lab, "ps", &strict).0, 1, "--strict fails on it");
}

/// A responder that can open no socket has nothing to answer: it says why and exits 2
/// at once, instead of printing `ready: 0 sockets open` and waiting out `--for`.
#[test]
fn listen_with_no_socket_open_exits_2_at_once() {
    let dir = TempDir::new("listen-none");
    let text = scenario("10.254.0.1", "10.254.0.2");
    let plan = Plan::build(&Scenario::from_json(&text).expect("scenario")).expect("plan");
    let plan_path = dir.write("plan.json", &plan.to_json());
    let start = Instant::now();
    // 192.0.2.55 (TEST-NET-1) is on no interface here: every bind fails.
    let out = std::process::Command::new(BIN)
        .args([
            "listen",
            "--plan",
            plan_path.to_str().expect("path"),
            "--as",
            "web01",
        ])
        .args(["--bind", "192.0.2.55", "--ports", "3725", "--for", "20s"])
        .output()
        .expect("run portplan listen");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no socket could be opened"), "{stderr}");
    assert!(stderr.contains("address not on this machine"), "{stderr}");
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
}

/// Behind NAT the responder says what its peers dial (the plan's public address) and
/// that their `check` passes only once the translation delivers here; and a log reader
/// that goes away (`listen | head`) does not kill it: it serves out its time, exit 0.
#[test]
fn listen_names_the_nat_address_and_outlives_its_log_reader() {
    let scenario = portplan_tests::example("azure-nat.json");
    let mut child = Command::new(BIN)
        .args(["listen", "--scenario"])
        .arg(&scenario)
        .args(["--as", "ps01", "--for", "2s", "--bind", "127.0.0.1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run portplan listen");
    let mut first = String::new();
    let stdout = child.stdout.take().expect("stdout");
    BufReader::new(stdout)
        .read_line(&mut first)
        .expect("a first line");
    // The reader is gone now (stdout dropped): the log lines that follow hit a closed pipe.
    assert_eq!(
        first.trim_end(),
        "note: peers dial ps01 at 203.0.113.10 (NAT to 10.50.0.4): their `check` probes \
         that address and passes only once the translation delivers to this responder"
    );
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "listen ran past --for"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut e, &mut err);
    }
    assert!(status.success(), "{status}: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// A bracketed IPv6 address that the scenario accepts is one `listen` binds, whether
/// the host is named (`--as web01`) or given by that address in either spelling.
#[test]
fn listen_takes_a_bracketed_ipv6_address_from_the_plan() {
    let dir = TempDir::new("listen-v6");
    let text = scenario("127.0.0.1", "[::1]");
    let plan = Plan::build(&Scenario::from_json(&text).expect("scenario")).expect("plan");
    let plan_path = dir.write("plan.json", &plan.to_json());
    for host in ["web01", "WEB01", "[::1]", "::1"] {
        let out = std::process::Command::new(BIN)
            .args(["listen", "--plan", plan_path.to_str().expect("path")])
            .args(["--as", host, "--for", "1s"])
            .output()
            .expect("run portplan listen");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "--as {host}: {stderr}");
        assert!(
            stdout.contains("listening tcp/3725 on [::1]:3725"),
            "--as {host}: {stdout}"
        );
    }
}

/// A plan host named by a DNS name (as fleets name them): `listen --as` resolves it and
/// binds the address it maps to on this machine; a name that maps elsewhere, or nowhere,
/// is refused at once, saying so.
#[test]
fn listen_as_a_dns_named_host_binds_the_address_it_maps_to() {
    let mut lab = Lab::new("ldn");
    lab.host("src");
    lab.host("ps");
    let (src, ps) = lab.link("src", "ps");
    let dir = TempDir::new("listen-dns");
    let text = scenario(&ps, "web01.lab.test");
    let plan = Plan::build(&Scenario::from_json(&text).expect("scenario")).expect("plan");
    let plan_path = dir.write("plan.json", &plan.to_json());
    let plan_arg = plan_path.to_str().expect("path");
    lab.hosts_file("src", &[(&src, "web01.lab.test")]);
    lab.hosts_file("ps", &[(&src, "web01.lab.test")]);
    let listener = Listener::start(
        &lab,
        BIN,
        "src",
        &["--plan", plan_arg, "--as", "web01", "--for", "30s"],
    );
    let seen = listener.stop();
    assert!(
        seen.iter()
            .any(|l| l.starts_with("portplan listen:") && l.contains(&format!("ports on {src},"))),
        "{seen:#?}"
    );
    // On ps the name maps to src's address, which ps does not hold.
    let out = lab
        .cmd("ps", BIN)
        .args(["listen", "--plan", plan_arg, "--as", "web01", "--for", "5s"])
        .output()
        .expect("listen");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "host web01 has address \"web01.lab.test\", which resolves to {src}: none of them is this machine's"
        )),
        "{stderr}"
    );
}
