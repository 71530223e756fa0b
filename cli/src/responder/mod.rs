//! `portplan listen`: a responder that opens the ports a host must accept before the
//! real software is installed, and answers the token challenge (see
//! `portplan_core::token`) so `check` can say `verified`.
//!
//! Safe by default: it binds only the given addresses, reads at most one challenge
//! (88 bytes) per connection or datagram, never echoes input, answers UDP with fewer
//! bytes than it received (no amplification), caps concurrent connections, and stops
//! after a fixed duration.
//!
//! Under a flood the cap holds and real probes still get through: a connection that
//! has not sent its challenge is closed after [`READ_TIMEOUT`], and sooner when the cap
//! is reached and a newcomer needs its slot (the oldest silent connection goes first,
//! so idle or half-open connections cannot pin every slot).

pub mod ports;

use anyhow::Result;
use portplan_core::token::{self, Key};
use ports::Target;
use std::collections::VecDeque;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::{Notify, Semaphore};
use tokio::task::JoinSet;

/// How long one connection may take to send its challenge.
const READ_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a newcomer waits for the slot of the connection it evicted.
const EVICT_WAIT: Duration = Duration::from_millis(200);

/// A line sink: stdout for the command, a channel in tests.
pub type Log = Arc<dyn Fn(String) + Send + Sync>;

#[derive(Clone)]
pub struct Config {
    pub bind: Vec<IpAddr>,
    pub targets: Vec<Target>,
    /// The token's key: the run's secret, or the plan digest alone.
    pub key: Key,
    /// The plan host this responder runs as: its name goes into every answer.
    pub host: String,
    pub duration: Duration,
    pub max_connections: usize,
}

/// What happened, for the closing line and the exit code.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    pub opened: usize,
    pub skipped: Vec<String>,
    pub connections: u64,
    pub answered: u64,
}

#[derive(Default)]
struct Counters {
    connections: AtomicU64,
    answered: AtomicU64,
}

/// Connections still waiting for their challenge, oldest first, each with the bell
/// that tells it to close. Shared by every TCP socket, like the connection cap.
#[derive(Default)]
struct Silent {
    next_id: AtomicU64,
    queue: Mutex<VecDeque<(u64, Arc<Notify>)>>,
}

impl Silent {
    fn join(&self) -> (u64, Arc<Notify>) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let bell = Arc::new(Notify::new());
        if let Ok(mut q) = self.queue.lock() {
            q.push_back((id, bell.clone()));
        }
        (id, bell)
    }
    fn leave(&self, id: u64) {
        if let Ok(mut q) = self.queue.lock() {
            if let Some(i) = q.iter().position(|(x, _)| *x == id) {
                q.remove(i);
            }
        }
    }
    /// Tells the oldest silent connection to close; false when there is none.
    fn evict_oldest(&self) -> bool {
        let oldest = self.queue.lock().ok().and_then(|mut q| q.pop_front());
        match oldest {
            Some((_, bell)) => {
                bell.notify_one();
                true
            }
            None => false,
        }
    }
}

/// Opens the sockets, serves until `cfg.duration` passes or `stop` resolves, and
/// returns what happened. Ports that cannot be bound are logged and skipped.
pub async fn run(
    cfg: Config,
    log: Log,
    stop: impl std::future::Future<Output = ()>,
) -> Result<Summary> {
    let mut summary = Summary::default();
    let counters = Arc::new(Counters::default());
    let limit = Arc::new(Semaphore::new(cfg.max_connections.max(1)));
    let silent = Arc::new(Silent::default());
    let id = Arc::new(Identity {
        key: cfg.key.clone(),
        host: cfg.host.clone(),
    });
    let mut tasks = JoinSet::new();
    for ip in &cfg.bind {
        for t in &cfg.targets {
            let addr = SocketAddr::new(*ip, t.port);
            let bound = if t.udp {
                UdpSocket::bind(addr).await.map(|s| {
                    tasks.spawn(serve_udp(
                        s,
                        t.port,
                        id.clone(),
                        log.clone(),
                        counters.clone(),
                    ));
                })
            } else {
                TcpListener::bind(addr).await.map(|l| {
                    tasks.spawn(serve_tcp(
                        l,
                        t.port,
                        id.clone(),
                        log.clone(),
                        counters.clone(),
                        limit.clone(),
                        silent.clone(),
                    ));
                })
            };
            match bound {
                Ok(()) => {
                    summary.opened += 1;
                    log(format!("listening {} on {addr}", t));
                }
                Err(e) => {
                    let why = match e.kind() {
                        std::io::ErrorKind::AddrInUse => {
                            "in use by another service (on Linux, Samba or sshd may hold it)"
                                .to_string()
                        }
                        std::io::ErrorKind::PermissionDenied => {
                            "permission denied (ports below 1024 need root)".to_string()
                        }
                        std::io::ErrorKind::AddrNotAvailable => {
                            "address not on this machine (use --bind)".to_string()
                        }
                        _ => e.to_string(),
                    };
                    let line = format!("skipped {} on {addr}: {why}", t);
                    log(line.clone());
                    summary.skipped.push(line);
                }
            }
        }
    }
    if summary.opened == 0 {
        // Nothing to answer: waiting out --for would only look like a working responder.
        tasks.shutdown().await;
        let first = summary.skipped.first().map_or_else(
            || "the plan gives this host no port to listen on".to_string(),
            |s| s.clone(),
        );
        anyhow::bail!(
            "no socket could be opened ({} skipped; {first}): nothing to answer, so listen stops",
            summary.skipped.len()
        );
    }
    log(format!(
        "ready: {} sockets open, {} skipped, stopping after {}s",
        summary.opened,
        summary.skipped.len(),
        cfg.duration.as_secs()
    ));
    tokio::select! {
        _ = tokio::time::sleep(cfg.duration) => {}
        _ = stop => {}
    }
    tasks.shutdown().await;
    summary.connections = counters.connections.load(Ordering::Relaxed);
    summary.answered = counters.answered.load(Ordering::Relaxed);
    log(format!(
        "stopped: {} connections, {} token answers",
        summary.connections, summary.answered
    ));
    Ok(summary)
}

async fn serve_tcp(
    listener: TcpListener,
    port: u16,
    id: Arc<Identity>,
    log: Log,
    counters: Arc<Counters>,
    limit: Arc<Semaphore>,
    silent: Arc<Silent>,
) {
    let log = limited(log);
    let mut conns = JoinSet::new();
    loop {
        let (mut stream, peer) = match listener.accept().await {
            Ok(a) => a,
            Err(_) => {
                // Out of descriptors and the like: back off rather than spin.
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        counters.connections.fetch_add(1, Ordering::Relaxed);
        let permit = match limit.clone().try_acquire_owned() {
            Ok(p) => Some(p),
            // Full: free the slot of the oldest connection that has not sent anything useful.
            Err(_) if silent.evict_oldest() => {
                tokio::time::timeout(EVICT_WAIT, limit.clone().acquire_owned())
                    .await
                    .ok()
                    .and_then(Result::ok)
            }
            Err(_) => None,
        };
        let Some(permit) = permit else {
            log(format!(
                "{} tcp {peer} -> {port}: refused, too many connections",
                crate::clock::now()
            ));
            continue;
        };
        while conns.try_join_next().is_some() {}
        let (who, log, counters) = (id.clone(), log.clone(), counters.clone());
        let silent = silent.clone();
        conns.spawn(async move {
            let (id, bell) = silent.join();
            let read = read_challenge(&mut stream, &bell).await;
            silent.leave(id);
            let outcome = answer_tcp(stream, read, port, &who).await;
            if outcome.starts_with("token") {
                counters.answered.fetch_add(1, Ordering::Relaxed);
            }
            log(format!(
                "{} tcp {peer} -> {port}: {outcome}",
                crate::clock::now()
            ));
            drop(permit);
        });
    }
}

/// What arrived before the challenge was complete, the connection ended, the read
/// timed out, or the connection was evicted.
struct Read {
    buf: [u8; token::CHALLENGE_LEN],
    got: usize,
    evicted: bool,
}

/// Reads at most one challenge, within [`READ_TIMEOUT`], unless `bell` rings first.
async fn read_challenge(stream: &mut TcpStream, bell: &Notify) -> Read {
    let mut r = Read {
        buf: [0u8; token::CHALLENGE_LEN],
        got: 0,
        evicted: false,
    };
    let deadline = tokio::time::Instant::now() + READ_TIMEOUT;
    while r.got < r.buf.len() {
        let got = r.got;
        tokio::select! {
            read = tokio::time::timeout_at(deadline, stream.read(&mut r.buf[got..])) => match read {
                Ok(Ok(0)) | Ok(Err(_)) | Err(_) => break,
                Ok(Ok(n)) => r.got += n,
            },
            _ = bell.notified() => {
                r.evicted = true;
                break;
            }
        }
    }
    r
}

/// Answers a complete challenge; never writes anything else.
async fn answer_tcp(mut stream: TcpStream, read: Read, port: u16, id: &Identity) -> String {
    let (buf, got) = (read.buf, read.got);
    if read.evicted {
        return format!("closed after {got} bytes: the connection cap was reached and it was the oldest silent one");
    }
    match id.answer(&buf[..got], port) {
        Ok((reply, dialed)) => match stream.write_all(&reply).await {
            Ok(()) => {
                let _ = stream.shutdown().await;
                format!("token answered (dialed {dialed})")
            }
            Err(e) => format!("challenge read, answer failed: {e}"),
        },
        Err(why) => format!("connected, {why}"),
    }
}

/// Who answers: the token's key and the host name every answer carries.
struct Identity {
    key: Key,
    host: String,
}

impl Identity {
    /// The answer to `bytes` received on `port` and the dialed address the challenge
    /// named (checked to be a printable address by the parser, so it is safe to log);
    /// or why there is none, in words for the log.
    fn answer(
        &self,
        bytes: &[u8],
        port: u16,
    ) -> Result<([u8; token::RESPONSE_LEN], String), String> {
        let n = bytes.len();
        match token::parse_challenge(bytes) {
            Some(c) => match token::response(&self.key, &c, port, &self.host) {
                Some(reply) => Ok((reply, c.dialed)),
                None => Err(format!(
                    "host name {:?} does not fit a token answer",
                    self.host
                )),
            },
            None if token::is_v1_challenge(bytes) => Err(
                "a token challenge of an older portplan (token version 1): not answered; \
                 run the same portplan version on both ends"
                    .into(),
            ),
            None if n == 0 => Err("sent nothing".into()),
            None => Err(format!("{n} bytes that are not a challenge (ignored)")),
        }
    }
}

async fn serve_udp(
    sock: UdpSocket,
    port: u16,
    id: Arc<Identity>,
    log: Log,
    counters: Arc<Counters>,
) {
    let log = limited(log);
    let mut buf = [0u8; 2 * token::CHALLENGE_LEN];
    loop {
        let Ok((n, peer)) = sock.recv_from(&mut buf).await else {
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        counters.connections.fetch_add(1, Ordering::Relaxed);
        let outcome = match id.answer(&buf[..n], port) {
            Ok((reply, dialed)) => match sock.send_to(&reply, peer).await {
                Ok(_) => {
                    counters.answered.fetch_add(1, Ordering::Relaxed);
                    format!("token answered (dialed {dialed})")
                }
                Err(e) => format!("answer failed: {e}"),
            },
            Err(why) => why,
        };
        log(format!(
            "{} udp {peer} -> {port}: {outcome}",
            crate::clock::now()
        ));
    }
}

/// Connection lines logged per socket and second at most; a flood of connections or
/// datagrams must not flood the terminal (or the file stdout goes to).
const MAX_LINES_PER_SECOND: u32 = 50;

/// Wraps `log` so that at most [`MAX_LINES_PER_SECOND`] lines pass per second; the
/// first line after a busy second says how many were left out.
fn limited(log: Log) -> Log {
    let state = std::sync::Mutex::new((std::time::Instant::now(), 0u32, 0u64));
    Arc::new(move |line: String| {
        let Ok(mut st) = state.lock() else { return };
        let (start, count, dropped) = &mut *st;
        if start.elapsed() >= Duration::from_secs(1) {
            if *dropped > 0 {
                log(format!("({dropped} more connection lines not logged)"));
            }
            *start = std::time::Instant::now();
            *count = 0;
            *dropped = 0;
        }
        if *count < MAX_LINES_PER_SECOND {
            *count += 1;
            log(line);
        } else {
            *dropped += 1;
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_lines_are_rate_limited() {
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = seen.clone();
        let log = limited(Arc::new(move |l: String| sink.lock().unwrap().push(l)));
        for i in 0..200 {
            log(format!("line {i}"));
        }
        assert_eq!(seen.lock().unwrap().len(), MAX_LINES_PER_SECOND as usize);
    }
}
