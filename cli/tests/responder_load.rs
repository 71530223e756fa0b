//! `portplan listen` under load: 10,000 connections from a bounded generator (garbage,
//! idle, half a challenge, immediate disconnects) must not exhaust its descriptors or
//! memory, the connection cap must hold, and legitimate token probes must keep being
//! answered during and after the flood.

use portplan::proto::token::verify_token;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const PORTPLAN: &str = env!("CARGO_BIN_EXE_portplan");
const KEY: &str = "sha256:load-test";
const CONNECTIONS: usize = 10_000;
const IN_FLIGHT: usize = 256;
const CAP: usize = 64;

/// The responder process; killed on drop.
struct Listen(Child);

impl Drop for Listen {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Four consecutive free loopback TCP ports (bound and released).
fn free_ports() -> u16 {
    for _ in 0..200 {
        let Ok(l) = std::net::TcpListener::bind("127.0.0.1:0") else {
            continue;
        };
        let base = l.local_addr().expect("addr").port();
        if base > 65_000 {
            continue;
        }
        let rest: Vec<_> = (1..4)
            .filter_map(|i| std::net::TcpListener::bind(("127.0.0.1", base + i)).ok())
            .collect();
        if rest.len() == 3 {
            return base;
        }
    }
    panic!("no four free consecutive ports");
}

/// `(descriptors, VmRSS kB)` of a process, from /proc.
fn usage(pid: u32) -> (usize, u64) {
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|d| d.count())
        .unwrap_or(0);
    let rss = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    (fds, rss)
}

/// One flood connection of kind `i % 4`; every step is bounded in time.
async fn flood_one(port: u16, i: usize) {
    let t = Duration::from_secs(3);
    let Ok(Ok(mut s)) = tokio::time::timeout(t, TcpStream::connect(("127.0.0.1", port))).await
    else {
        return;
    };
    let mut sink = [0u8; 256];
    match i % 4 {
        // Garbage: more than a challenge's worth of bytes that are not one.
        0 => {
            let _ = s.write_all(&[0xa5; 100]).await;
            let _ = tokio::time::timeout(t, s.read(&mut sink)).await;
        }
        // Connect and idle until the responder closes (or 2 s).
        1 => {
            let _ = tokio::time::timeout(Duration::from_secs(2), s.read(&mut sink)).await;
        }
        // Half a challenge, then idle.
        2 => {
            let _ = s.write_all(b"PORTPLAN1").await;
            let _ = tokio::time::timeout(Duration::from_secs(2), s.read(&mut sink)).await;
        }
        // Disconnect at once.
        _ => drop(s),
    }
}

/// One legitimate probe, up to three tries (as a user would rerun): answered or not.
async fn legit(port: u16) -> bool {
    for _ in 0..3 {
        let t = Duration::from_secs(2);
        if let Ok(Ok(s)) = tokio::time::timeout(t, TcpStream::connect(("127.0.0.1", port))).await {
            let key = portplan_core::token::Key::plan_only(KEY);
            if let Ok(true) = verify_token(s, &key, port, "127.0.0.1", t).await {
                return true;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_connections_keep_the_cap_and_the_token_answers() {
    #[cfg(unix)]
    let _ = rlimit::increase_nofile_limit(4096);
    let base = free_ports();
    let ports = format!("{base},{}-{}", base + 1, base + 3);
    let mut child = Command::new(PORTPLAN)
        .args([
            "listen",
            "--ports",
            &ports,
            "--bind",
            "127.0.0.1",
            "--key",
            KEY,
            "--as",
            "load01",
        ])
        .args(["--for", "120s", "--max-connections", &CAP.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("portplan listen");
    let stdout = child.stdout.take().expect("stdout");
    let listen = Listen(child);
    let pid = listen.0.id();
    // Drain the log (it is rate-limited, but must never block the responder).
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.starts_with("ready:") {
                let _ = ready_tx.send(line);
            }
        }
    });
    let ready = ready_rx
        .recv_timeout(Duration::from_secs(10))
        .expect("responder ready");
    assert!(ready.contains("4 sockets open"), "{ready}");
    for p in base..base + 4 {
        assert!(legit(p).await, "answers before the flood on {p}");
    }
    let (fds_before, rss_before) = usage(pid);

    // Sample descriptors and memory while the flood runs.
    let running = Arc::new(AtomicBool::new(true));
    let sampler = {
        let running = running.clone();
        tokio::spawn(async move {
            let (mut fds, mut rss) = (0usize, 0u64);
            while running.load(Ordering::SeqCst) {
                let (f, r) = usage(pid);
                fds = fds.max(f);
                rss = rss.max(r);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            (fds, rss)
        })
    };
    // Legitimate probes every 100 ms during the flood.
    let (ok, tried) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let prober = {
        let (running, ok, tried) = (running.clone(), ok.clone(), tried.clone());
        tokio::spawn(async move {
            let mut n = 0u16;
            while running.load(Ordering::SeqCst) && n < 1000 {
                tried.fetch_add(1, Ordering::SeqCst);
                if legit(base + n % 4).await {
                    ok.fetch_add(1, Ordering::SeqCst);
                }
                n += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };

    let start = Instant::now();
    let gate = Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT));
    let mut set = tokio::task::JoinSet::new();
    for i in 0..CONNECTIONS {
        let permit = gate.clone().acquire_owned().await.expect("gate");
        set.spawn(async move {
            flood_one(base + (i % 4) as u16, i / 4).await;
            drop(permit);
        });
        while set.try_join_next().is_some() {}
    }
    while set.join_next().await.is_some() {}
    let flood = start.elapsed();
    running.store(false, Ordering::SeqCst);
    let (peak_fds, peak_rss) = sampler.await.expect("sampler");
    prober.await.expect("prober");
    let (ok, tried) = (ok.load(Ordering::SeqCst), tried.load(Ordering::SeqCst));
    eprintln!(
        "flood of {CONNECTIONS} in {flood:.1?}: peak {peak_fds} fds (before {fds_before}), \
         peak VmRSS {peak_rss} kB (before {rss_before}), legit {ok}/{tried}"
    );
    assert!(flood < Duration::from_secs(45), "the flood took {flood:?}");
    // The cap holds: served connections, plus ones accepted only to be closed at once.
    assert!(
        peak_fds <= fds_before + CAP + 16,
        "{peak_fds} descriptors at peak, {fds_before} before, cap {CAP}"
    );
    assert!(
        peak_rss < rss_before + 32 * 1024,
        "VmRSS grew from {rss_before} kB to {peak_rss} kB"
    );
    assert!(tried >= 3, "the flood was too short to probe during it");
    assert!(
        ok * 10 >= tried * 8,
        "only {ok} of {tried} legitimate probes answered during the flood"
    );
    // After the flood: everything answers, descriptors are back.
    for p in base..base + 4 {
        assert!(legit(p).await, "answers after the flood on {p}");
    }
    let settle = Instant::now();
    loop {
        let (fds, _) = usage(pid);
        if fds <= fds_before + 2 {
            break;
        }
        assert!(
            settle.elapsed() < Duration::from_secs(8),
            "{fds} descriptors still open after the flood ({fds_before} before)"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
