//! Protocol confirmations after a TCP connect succeeds.
//!
//! A successful handshake proves the path; a confirmation proves the service (an SSH
//! banner on 22, an SMB2 NEGOTIATE answer on 445, a `portplan listen` token that yields
//! `verified`). The prober hands every open stream to [`after_connect`] before closing
//! it; the clients and parsers live in the library (`crate::proto`), each bounded
//! by the context's timeout.

use crate::proto::token::TokenAnswer;
use crate::proto::{self, Limits};
use portplan_core::services;
use portplan_core::{Port, Protocol};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;

/// What a confirmation found on an open port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmation {
    /// Proof that the far end is the expected service or responder (verdict `verified`).
    pub verified: bool,
    /// Shown as the probe's `detail` (banner, dialect, NetBIOS name…).
    pub detail: String,
    /// `portplan listen` answered, but with another plan's token.
    pub foreign: bool,
}

/// What `check --deep` (the default) does after a connect.
#[derive(Debug, Clone)]
pub struct DeepSettings {
    /// Key of the `portplan listen` token: the plan digest.
    pub digest: String,
}

/// What a confirmation may need to know about the probe.
#[derive(Debug, Clone)]
pub struct DeepContext {
    /// The address probed (HTTP `Host`, TLS SNI when it is a name).
    pub host: String,
    /// Time left for reading an answer; a confirmation never holds a probe longer.
    pub timeout: Duration,
    /// `None` with `--no-deep`: the connect alone decides.
    pub settings: Option<Arc<DeepSettings>>,
}

/// Dynamic RPC ports from the endpoint mapper probed at most, per 135 answer.
const MAX_EXTRA_PORTS: usize = 32;

/// Looks at an open stream. On a well-known port the protocol confirmation runs; if
/// it fails (say `portplan listen` stands in for Windows on 445), the token is tried on
/// a fresh connection. On any other port the token is tried on this stream. `None`:
/// nothing proved, the port stays `open`.
pub async fn after_connect(
    stream: &mut TcpStream,
    port: Port,
    ctx: &DeepContext,
) -> Option<Confirmation> {
    let settings = ctx.settings.as_ref()?;
    let p = port.get();
    let limits = Limits {
        timeout: ctx.timeout,
        ..Limits::default()
    };
    let peer = stream.peer_addr().ok();
    if proto::has_tcp_confirmation(p) {
        let failure = match proto::confirm_tcp(&mut *stream, &ctx.host, p, limits).await {
            Some(Ok(c)) => {
                let mut detail = c.summary;
                if let (Some(peer), false) = (peer, c.extra_tcp_ports.is_empty()) {
                    detail.push_str(&probe_extra(peer, &c.extra_tcp_ports, ctx.timeout).await);
                }
                return Some(Confirmation {
                    verified: true,
                    detail,
                    foreign: false,
                });
            }
            Some(Err(e)) => format!("{e:#}"),
            None => String::new(),
        };
        let token = match peer {
            Some(peer) => token_on_new_connection(peer, &settings.digest, p, ctx.timeout).await,
            None => false,
        };
        return Some(if token {
            token_confirmation()
        } else {
            Confirmation {
                verified: false,
                detail: format!("open, but no {} answer: {failure}", service(p)),
                foreign: false,
            }
        });
    }
    match proto::token::check_token(&mut *stream, &settings.digest, p, ctx.timeout).await {
        Ok(TokenAnswer::Valid) => Some(token_confirmation()),
        Ok(TokenAnswer::Foreign) => Some(Confirmation {
            verified: false,
            detail: format!(
                "portplan listen answered with another plan's token; this check uses plan {}",
                settings.digest
            ),
            foreign: true,
        }),
        _ => None,
    }
}

fn token_confirmation() -> Confirmation {
    Confirmation {
        verified: true,
        detail: "portplan listen answered the token".into(),
        foreign: false,
    }
}

fn service(port: u16) -> &'static str {
    services::fact(Protocol::Tcp, port).map_or("protocol", |f| f.name)
}

async fn token_on_new_connection(peer: SocketAddr, digest: &str, port: u16, t: Duration) -> bool {
    match tokio::time::timeout(t, TcpStream::connect(peer)).await {
        Ok(Ok(s)) => proto::token::verify_token(s, digest, port, t)
            .await
            .unwrap_or(false),
        _ => false,
    }
}

/// Connects to the dynamic ports the endpoint mapper listed: that is the real test
/// of the RPC range (WMI, DCOM). `"; probed: 49152 open, 49153 filtered"`.
async fn probe_extra(peer: SocketAddr, ports: &[u16], t: Duration) -> String {
    let mut set = tokio::task::JoinSet::new();
    for &port in ports.iter().take(MAX_EXTRA_PORTS) {
        let addr = SocketAddr::new(peer.ip(), port);
        set.spawn(async move {
            let r = match tokio::time::timeout(t, TcpStream::connect(addr)).await {
                Ok(Ok(_)) => "open",
                Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => "closed",
                _ => "filtered",
            };
            (port, r)
        });
    }
    let mut found = Vec::new();
    while let Some(Ok(r)) = set.join_next().await {
        found.push(r);
    }
    found.sort_unstable();
    let list: Vec<String> = found.iter().map(|(p, r)| format!("{p} {r}")).collect();
    let more = ports.len().saturating_sub(MAX_EXTRA_PORTS);
    let mut s = format!("; probed: {}", list.join(", "));
    if more > 0 {
        s.push_str(&format!(" (+{more} not probed)"));
    }
    s
}
