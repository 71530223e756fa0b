//! The responder on loopback, driven through the library: it answers the challenge,
//! never echoes anything else, caps concurrent connections and stops on time.

use portplan::proto::token::{check_token_udp, verify_token};
use portplan::responder::{self, ports::Target, Config, Log};
use portplan_core::token::{Answer, Key};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const DIGEST: &str = "sha256:feedface";
const SECRET: &[u8] = b"this run's secret, 32 bytes long";
const LOCAL: &str = "127.0.0.1";

fn key() -> Key {
    Key::with_secret(DIGEST, SECRET)
}

/// A free loopback port (bound and released; the responder binds it next).
fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let p = l.local_addr().expect("addr").port();
    let u = std::net::UdpSocket::bind(("127.0.0.1", p));
    drop(l);
    match u {
        Ok(_) => p,
        Err(_) => free_port(),
    }
}

struct Running {
    lines: Arc<Mutex<Vec<String>>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<anyhow::Result<responder::Summary>>,
}

async fn start(targets: Vec<Target>, max_connections: usize, duration: Duration) -> Running {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = lines.clone();
    let log: Log = Arc::new(move |l: String| sink.lock().expect("log").push(l));
    let cfg = Config {
        bind: vec!["127.0.0.1".parse().expect("ip")],
        targets,
        key: key(),
        host: "web01".into(),
        duration,
        max_connections,
    };
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(responder::run(cfg, log, async {
        let _ = rx.await;
    }));
    let r = Running {
        lines,
        stop: Some(tx),
        task,
    };
    let t0 = Instant::now();
    while !r.log().iter().any(|l| l.starts_with("ready:")) {
        assert!(t0.elapsed() < Duration::from_secs(5), "responder not ready");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    r
}

impl Running {
    fn log(&self) -> Vec<String> {
        self.lines.lock().expect("log").clone()
    }
    async fn stop(mut self) -> responder::Summary {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        tokio::time::timeout(Duration::from_secs(5), self.task)
            .await
            .expect("stops")
            .expect("task")
            .expect("run")
    }
}

#[tokio::test]
async fn answers_the_token_and_never_echoes() {
    let port = free_port();
    let r = start(
        vec![Target { udp: false, port }, Target { udp: true, port }],
        8,
        Duration::from_secs(30),
    )
    .await;
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let s = TcpStream::connect(addr).await.expect("connect");
    assert!(verify_token(s, &key(), port, LOCAL, Duration::from_secs(2))
        .await
        .expect("token"));
    for (other, why) in [
        (Key::with_secret("sha256:other", SECRET), "another plan"),
        (Key::plan_only(DIGEST), "the plan digest alone"),
    ] {
        let s = TcpStream::connect(addr).await.expect("connect");
        assert!(
            !verify_token(s, &other, port, LOCAL, Duration::from_secs(2))
                .await
                .expect("token"),
            "{why}"
        );
    }
    assert_eq!(
        check_token_udp(addr, &key(), Duration::from_secs(2))
            .await
            .expect("udp token"),
        Answer::Valid {
            host: "web01".into()
        }
    );

    // Anything else: read, ignored, connection closed without a byte back.
    let mut s = TcpStream::connect(addr).await.expect("connect");
    s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("write");
    let mut back = Vec::new();
    tokio::time::timeout(Duration::from_secs(7), s.read_to_end(&mut back))
        .await
        .expect("closed within the read timeout")
        .ok();
    assert!(back.is_empty(), "echoed {back:?}");

    let summary = r.stop().await;
    assert_eq!(summary.opened, 2);
    // It answers every well-formed challenge: whether the key fits is the prober's to say.
    assert_eq!(summary.answered, 4);
}

#[tokio::test]
async fn caps_concurrent_connections() {
    let port = free_port();
    let r = start(
        vec![Target { udp: false, port }],
        1,
        Duration::from_secs(30),
    )
    .await;
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    // The first connection sends nothing and holds the only slot; a newcomer takes the
    // slot of the oldest silent connection, so idle connections cannot pin the cap.
    let mut idle = TcpStream::connect(addr).await.expect("connect");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let second = TcpStream::connect(addr).await.expect("connect");
    let mut buf = [0u8; 8];
    let n = tokio::time::timeout(Duration::from_secs(2), idle.read(&mut buf))
        .await
        .expect("the idle connection is closed at once")
        .unwrap_or(0);
    assert_eq!(n, 0);
    assert!(
        r.log().iter().any(|l| l.contains("the oldest silent one")),
        "{:#?}",
        r.log()
    );
    // The newcomer holds the only slot and still gets its answer.
    assert!(
        verify_token(second, &key(), port, LOCAL, Duration::from_secs(2))
            .await
            .expect("token")
    );
    r.stop().await;
}

#[tokio::test]
async fn stops_after_its_duration_and_reports_busy_ports() {
    let held = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let busy = held.local_addr().expect("addr").port();
    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let t0 = Instant::now();
    let r = start(
        vec![
            Target {
                udp: false,
                port: busy,
            },
            Target {
                udp: false,
                port: free,
            },
        ],
        4,
        Duration::from_millis(500),
    )
    .await;
    assert!(
        r.log()
            .iter()
            .any(|l| l.starts_with(&format!("skipped tcp/{busy} on 127.0.0.1:{busy}: in use"))),
        "{:#?}",
        r.log()
    );
    let summary = tokio::time::timeout(Duration::from_secs(5), r.task)
        .await
        .expect("stopped on time")
        .expect("task")
        .expect("run");
    assert!(t0.elapsed() < Duration::from_secs(4));
    assert_eq!((summary.opened, summary.skipped.len()), (1, 1));
}

/// With every port busy there is nothing to answer: `run` ends at once with an error
/// that says why (the CLI exits 2), instead of waiting out its duration.
#[tokio::test]
async fn no_socket_open_is_an_error_at_once() {
    let held = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let busy = held.local_addr().expect("addr").port();
    let cfg = Config {
        bind: vec!["127.0.0.1".parse().expect("ip")],
        targets: vec![Target {
            udp: false,
            port: busy,
        }],
        key: Key::plan_only("sha256:test"),
        host: "web01".into(),
        duration: Duration::from_secs(60),
        max_connections: 4,
    };
    let log: Log = Arc::new(|_| {});
    let t0 = Instant::now();
    let r = tokio::time::timeout(
        Duration::from_secs(5),
        responder::run(cfg, log, std::future::pending()),
    )
    .await
    .expect("ends at once");
    let e = r.expect_err("no socket is an error");
    assert!(format!("{e:#}").contains("in use"), "{e:#}");
    assert!(t0.elapsed() < Duration::from_secs(5));
}
