//! The preflight evaluator against the kernel: each ruleset of
//! `tests/fixtures/preflight/corpus.nft` is loaded with `nft -f` into a lab host that
//! listens on every probed port; a peer connects to each port over IPv4 and IPv6; what
//! the evaluator says about the same ruleset (read back with `nft -j list ruleset`) must
//! agree with what the connection did, or be "unknown". Unknowns are counted and kept
//! few. Needs root.

use portplan_core::preflight::eval::{evaluate, Inbound};
use portplan_core::preflight::{nft, Judgement};
use portplan_core::Protocol;
use portplan_tests::netns::{v6, Helper, Lab};
use std::net::IpAddr;
use std::process::Stdio;

const CORPUS: &str = include_str!("../fixtures/preflight/corpus.nft");
const PORTS: [u16; 6] = [22, 135, 445, 3725, 8080, 50000];

/// Listens on every probed port (dual-stack) and accepts whatever comes.
const LISTENER: &str = r#"
import socket, sys, threading, time
socks = []
for p in map(int, sys.argv[1:]):
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", p)); s.listen(64); socks.append(s)
def serve(s):
    while True:
        c, _ = s.accept(); c.close()
for s in socks: threading.Thread(target=serve, args=(s,), daemon=True).start()
print("ready", flush=True)
time.sleep(600)
"#;

/// Connects to every port of one address at once; prints `port ok|fail`.
const CONNECT: &str = r#"
import socket, sys, threading
addr, ports = sys.argv[1], list(map(int, sys.argv[2:]))
out = {}
def one(p):
    try:
        socket.create_connection((addr, p), timeout=0.6).close(); out[p] = "ok"
    except OSError:
        out[p] = "fail"
ts = [threading.Thread(target=one, args=(p,)) for p in ports]
[t.start() for t in ts]; [t.join() for t in ts]
print(" ".join(f"{p}:{out[p]}" for p in ports))
"#;

fn rulesets() -> Vec<(&'static str, String)> {
    let mut out: Vec<(&str, String)> = Vec::new();
    for line in CORPUS.lines() {
        if let Some(name) = line.strip_prefix("### ") {
            out.push((name, String::new()));
        } else if let Some((_, text)) = out.last_mut() {
            text.push_str(line);
            text.push('\n');
        }
    }
    out
}

#[test]
fn the_evaluator_agrees_with_the_kernel_or_says_unknown() {
    let mut lab = Lab::new("pfk");
    lab.host("peer");
    lab.host("host");
    let (peer4, host4) = lab.link("peer", "host");
    let (peer6, host6) = (v6(&peer4), v6(&host4));
    let ports: Vec<String> = PORTS.iter().map(u16::to_string).collect();
    let mut listener = lab.cmd("host", "python3");
    listener
        .arg("-c")
        .arg(LISTENER)
        .args(&ports)
        .stdout(Stdio::piped());
    let mut child = Helper(listener.spawn().expect("listener"));
    {
        use std::io::BufRead;
        let out = child.0.stdout.take().expect("stdout");
        let mut line = String::new();
        std::io::BufReader::new(out)
            .read_line(&mut line)
            .expect("ready");
        assert_eq!(line.trim(), "ready");
    }
    lab.wait_reachable("peer", &host4);
    lab.wait_reachable("peer", &host6);
    let route = lab
        .cmd("host", "ip")
        .args(["-o", "route", "get", &peer4])
        .output()
        .expect("ip route");
    let route = String::from_utf8_lossy(&route.stdout).to_string();
    let iface = route
        .split_whitespace()
        .skip_while(|w| *w != "dev")
        .nth(1)
        .expect("dev")
        .to_string();

    let corpus = rulesets();
    assert!(corpus.len() >= 30, "{} rulesets", corpus.len());
    let (mut agreed, mut unknown, mut disagreed) = (0, Vec::new(), Vec::new());
    for (name, text) in &corpus {
        let text = text
            .replace("PEER4", &peer4)
            .replace("PEER6", &peer6)
            .replace("IFACE", &iface);
        lab.nft("host", &format!("flush ruleset\n{text}"));
        let dump = lab
            .cmd("host", "nft")
            .args(["-j", "list", "ruleset"])
            .output()
            .expect("nft -j");
        let rs = nft::parse(&String::from_utf8_lossy(&dump.stdout))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        for (peer, host) in [(&peer4, &host4), (&peer6, &host6)] {
            let out = lab
                .cmd("peer", "python3")
                .arg("-c")
                .arg(CONNECT)
                .arg(host)
                .args(&ports)
                .output()
                .expect("connect");
            let said = String::from_utf8_lossy(&out.stdout).to_string();
            for word in said.split_whitespace() {
                let (port, how) = word.split_once(':').expect("port:result");
                let port: u16 = port.parse().expect("port");
                let kernel = if how == "ok" {
                    Judgement::Allowed
                } else {
                    Judgement::Blocked
                };
                let source: IpAddr = peer.parse().expect("peer address");
                let d = evaluate(
                    &rs,
                    &Inbound {
                        protocol: Protocol::Tcp,
                        port: Some(port),
                        v6: source.is_ipv6(),
                        source: Some(source),
                        destination: host.parse().ok(),
                        interface: Some(iface.clone()),
                    },
                );
                let case = format!("{name} tcp/{port} from {peer}");
                match d.verdict {
                    Judgement::Unknown => unknown.push(format!("{case}: {}", d.reason)),
                    v if v == kernel => agreed += 1,
                    v => disagreed.push(format!(
                        "{case}: evaluator {v} ({}), kernel {kernel}",
                        d.evidence.join("; ")
                    )),
                }
            }
        }
    }
    lab.nft("host", "flush ruleset\n");
    let total = agreed + unknown.len() + disagreed.len();
    println!(
        "{} rulesets, {total} probes: {agreed} agreed, {} unknown, {} disagreed",
        corpus.len(),
        unknown.len(),
        disagreed.len()
    );
    for u in &unknown {
        println!("unknown: {u}");
    }
    assert!(disagreed.is_empty(), "{disagreed:#?}");
    assert_eq!(total, corpus.len() * PORTS.len() * 2);
    // Unknowns stay the exception: rate limits, marks, DNAT and ct status.
    assert!(
        unknown.len() * 10 <= total,
        "{} unknowns of {total}: {unknown:#?}",
        unknown.len()
    );
}
