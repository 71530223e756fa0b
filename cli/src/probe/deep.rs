//! Protocol confirmations after a TCP connect succeeds.
//!
//! A successful handshake proves the path; a confirmation proves the service (an SSH
//! banner on 22, an SMB2 NEGOTIATE answer on 445, a `portplan listen` token that yields
//! `verified`). The prober hands every open stream to [`after_connect`] before closing
//! it; the clients and parsers live in the library (`crate::proto`), each bounded
//! by the context's timeout. A confirmation never opens a socket itself: what needs
//! another connection (the token after a failed confirmation, the endpoint mapper's
//! dynamic ports) is a [`FollowUp`] that the scheduler runs as probes and [`conclude`]
//! folds back into the open port's outcome.

use super::verdict::verdict;
use super::Outcome;
use crate::proto::token::{judge, TokenAnswer};
use crate::proto::{self, Limits};
use portplan_core::report::Verdict;
use portplan_core::services;
use portplan_core::token::Key;
use portplan_core::{HostName, Port, Protocol};
use std::collections::HashMap;
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
    /// `portplan listen` answered, but with another plan's (or run's) token.
    pub foreign: bool,
    /// `portplan listen` of this run answered, but as another host than the dialed one.
    pub wrong_host: bool,
    /// More connections the confirmation asks for; the scheduler makes them.
    pub follow: FollowUp,
}

/// Connections a confirmation leaves to the scheduler rather than opening itself, so
/// that they share the host's window, the descriptor budget and the run's deadline like
/// any probe, and their verdicts come from [`super::verdict`] like any probe's.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum FollowUp {
    #[default]
    None,
    /// The protocol confirmation failed (`failure` says how): `portplan listen` may be
    /// standing in for the service, so the token is tried on a fresh connection. Without
    /// a token answer the port stays `open`, with that failure as its detail.
    Token { failure: String },
    /// The endpoint mapper listed these dynamic ports: connecting to them is the real
    /// test of the RPC range (WMI, DCOM). `more` were listed beyond the cap.
    Ports { ports: Vec<u16>, more: usize },
}

impl FollowUp {
    /// How many connections it asks for.
    pub fn len(&self) -> usize {
        match self {
            FollowUp::None => 0,
            FollowUp::Token { .. } => 1,
            FollowUp::Ports { ports, .. } => ports.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What `check --deep` (the default) does after a connect.
#[derive(Debug, Clone)]
pub struct DeepSettings {
    /// Key of the `portplan listen` token: the run's secret (`--secret-file`), or the
    /// plan digest alone.
    pub key: Key,
    /// The plan host names by the address this run dials them at (as the plan writes
    /// it): who must answer the token there.
    pub hosts: HashMap<String, Vec<HostName>>,
}

/// What a confirmation may need to know about the probe.
#[derive(Debug, Clone)]
pub struct DeepContext {
    /// The address probed (HTTP `Host`, TLS SNI when it is a name; the dialed address
    /// in the token).
    pub host: String,
    /// The plan host(s) the token must name (empty: any).
    pub expected: Vec<HostName>,
    /// Time left for reading an answer; a confirmation never holds a probe longer.
    pub timeout: Duration,
    /// `None` with `--no-deep`: the connect alone decides.
    pub settings: Option<Arc<DeepSettings>>,
}

/// Dynamic RPC ports from the endpoint mapper probed at most, per 135 answer.
const MAX_EXTRA_PORTS: usize = 32;

/// Looks at an open stream. On a well-known port the protocol confirmation runs; if
/// it fails (say `portplan listen` stands in for Windows on 445), the token is to be
/// tried on a fresh connection ([`FollowUp::Token`]). On any other port the token is
/// tried on this stream. `None`: nothing proved, the port stays `open`.
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
    if proto::has_tcp_confirmation(p) {
        let failure = match proto::confirm_tcp(&mut *stream, &ctx.host, p, limits).await {
            Some(Ok(c)) => {
                let listed = c.extra_tcp_ports.len();
                let ports: Vec<u16> = c
                    .extra_tcp_ports
                    .into_iter()
                    .take(MAX_EXTRA_PORTS)
                    .collect();
                let follow = if ports.is_empty() {
                    FollowUp::None
                } else {
                    FollowUp::Ports {
                        more: listed - ports.len(),
                        ports,
                    }
                };
                return Some(Confirmation {
                    verified: true,
                    detail: c.summary,
                    foreign: false,
                    wrong_host: false,
                    follow,
                });
            }
            Some(Err(e)) => format!("{e:#}"),
            None => String::new(),
        };
        return Some(Confirmation {
            verified: false,
            detail: String::new(),
            foreign: false,
            wrong_host: false,
            follow: FollowUp::Token { failure },
        });
    }
    let answer =
        proto::token::check_token(&mut *stream, &settings.key, p, &ctx.host, ctx.timeout).await;
    match answer {
        Ok(a) => token_said(judge(a, &ctx.expected), &settings.key),
        Err(_) => None,
    }
}

/// The confirmation a token answer gives; `None` when no responder answered.
pub fn token_said(answer: TokenAnswer, key: &Key) -> Option<Confirmation> {
    let plain = |detail: String| Confirmation {
        verified: false,
        detail,
        foreign: false,
        wrong_host: false,
        follow: FollowUp::None,
    };
    Some(match answer {
        TokenAnswer::Valid { host } => Confirmation {
            verified: true,
            ..plain(token_detail(&host, key))
        },
        TokenAnswer::WrongHost { host, expected } => Confirmation {
            wrong_host: true,
            ..plain(format!(
                "answered by {host} (expected {expected}): `portplan listen` of this run runs there as {host}"
            ))
        },
        TokenAnswer::Foreign => Confirmation {
            foreign: true,
            ..plain(foreign_detail(key))
        },
        TokenAnswer::None => return None,
    })
}

/// What a verified token proves, in words: with the run's secret the host; without it
/// only the plan, which anyone holding `plan.json` can compute.
pub fn token_detail(host: &str, key: &Key) -> String {
    if key.has_secret() {
        format!("portplan listen answered the token as {host}")
    } else {
        format!(
            "portplan listen answered the token as {host}, keyed by the plan only (no \
             --secret-file): proves the plan, not the host; anyone holding the plan could answer"
        )
    }
}

/// What the token said on a connection of its own (a [`FollowUp::Token`]), to
/// `ctx.host` on `port`.
pub async fn token_only(
    stream: TcpStream,
    port: u16,
    settings: &DeepSettings,
    ctx: &DeepContext,
) -> Confirmation {
    let answer =
        proto::token::check_token(stream, &settings.key, port, &ctx.host, ctx.timeout).await;
    let said = answer
        .ok()
        .and_then(|a| token_said(judge(a, &ctx.expected), &settings.key));
    said.unwrap_or(Confirmation {
        verified: false,
        detail: String::new(),
        foreign: false,
        wrong_host: false,
        follow: FollowUp::None,
    })
}

/// The detail of a token that does not verify: the plan digest this check uses is
/// named (the hint quotes it), the secret never.
fn foreign_detail(key: &Key) -> String {
    let secret = if key.has_secret() {
        " and this run's secret"
    } else {
        ", no secret"
    };
    format!(
        "portplan listen answered with a token of another plan or run; this check uses plan {}{secret}",
        key.digest()
    )
}

fn service(port: u16) -> &'static str {
    services::fact(Protocol::Tcp, port).map_or("protocol", |f| f.name)
}

/// The outcome of an open port once its follow-ups are back (`found`, in the order
/// [`FollowUp`] listed them): the token's answer, or the dynamic ports' verdicts
/// appended to the detail (`"; probed: 49152 open, 49153 filtered"`).
pub fn conclude(
    port: u16,
    opened: Outcome,
    follow: &FollowUp,
    found: &[(u16, Outcome)],
) -> Outcome {
    let Outcome::Answered {
        rtt,
        detail,
        verified,
    } = opened
    else {
        // Silence (UDP) asked for the token: only a token answer changes it.
        return match (follow, found.first()) {
            (FollowUp::Token { .. }, Some((_, o @ Outcome::Answered { verified: true, .. })))
            | (FollowUp::Token { .. }, Some((_, o @ Outcome::Foreign { .. })))
            | (FollowUp::Token { .. }, Some((_, o @ Outcome::WrongHost { .. }))) => o.clone(),
            _ => opened,
        };
    };
    match follow {
        FollowUp::None => Outcome::Answered {
            rtt,
            detail,
            verified,
        },
        FollowUp::Token { failure } => match found.first().map(|(_, o)| o) {
            Some(Outcome::Answered {
                verified: true,
                detail,
                ..
            }) => Outcome::Answered {
                rtt,
                detail: detail.clone(),
                verified: true,
            },
            Some(Outcome::Foreign { detail, .. }) => Outcome::Foreign {
                rtt,
                detail: detail.clone(),
            },
            Some(Outcome::WrongHost { detail, .. }) => Outcome::WrongHost {
                rtt,
                detail: detail.clone(),
            },
            _ => Outcome::Answered {
                rtt,
                detail: format!("open, but no {} answer: {failure}", service(port)),
                verified: false,
            },
        },
        FollowUp::Ports { more, .. } => {
            let mut found: Vec<(u16, Verdict)> = found
                .iter()
                .map(|(p, o)| (*p, verdict(Protocol::Tcp, Port::new(*p), o).0))
                .collect();
            found.sort_unstable();
            let list: Vec<String> = found.iter().map(|(p, v)| format!("{p} {v}")).collect();
            let mut detail = format!("{detail}; probed: {}", list.join(", "));
            if *more > 0 {
                detail.push_str(&format!(" (+{more} not probed)"));
            }
            Outcome::Answered {
                rtt,
                detail,
                verified,
            }
        }
    }
}
