//! The client side of the responder token: send a challenge, check the answer.
//!
//! A port where `portplan listen` answers with the right HMAC, as the host that was
//! dialed, is `verified`: the path reaches the intended host, not a proxy, a firewall
//! answering for everyone, another host's responder or some other service. See
//! `portplan_core::token` for the scheme.

use super::io::{read_exact, Capped};
use super::Confirmation;
use anyhow::{Context, Result};
use portplan_core::token::{self, Answer, Key};
use portplan_core::HostName;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::net::UdpSocket;

/// Fills `buf` from the operating system's CSPRNG (through rustls' ring provider,
/// so no extra dependency).
pub fn fill_random(buf: &mut [u8]) -> Result<()> {
    rustls::crypto::ring::default_provider()
        .secure_random
        .fill(buf)
        .map_err(|_| anyhow::anyhow!("no system randomness"))
}

fn fresh_nonce() -> Result<token::Nonce> {
    let mut n = [0u8; token::NONCE_LEN];
    fill_random(&mut n)?;
    Ok(n)
}

/// Sends a challenge for `dialed` (the IP address this machine connected to) on an
/// open stream and reads what answered, under `key`. `Err`: the connection failed.
pub async fn check_token<S>(
    stream: S,
    key: &Key,
    port: u16,
    dialed: &str,
    timeout: Duration,
) -> Result<Answer>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let nonce = fresh_nonce()?;
    let challenge = token::challenge(&nonce, dialed)
        .ok_or_else(|| anyhow::anyhow!("{dialed:?} does not fit a token challenge"))?;
    let mut s = Capped::new(stream, token::RESPONSE_LEN);
    s.write_all(&challenge)
        .await
        .context("sending the challenge")?;
    Ok(
        match read_exact(&mut s, token::RESPONSE_LEN, timeout).await {
            Ok(reply) => token::check(&reply, key, &nonce, port, dialed),
            // Silence, a close or a short answer: not a responder.
            Err(_) => Answer::None,
        },
    )
}

/// [`check_token`] answered by `portplan listen` of this key, as any host.
pub async fn verify_token<S>(
    stream: S,
    key: &Key,
    port: u16,
    dialed: &str,
    timeout: Duration,
) -> Result<bool>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let answer = check_token(stream, key, port, dialed, timeout).await?;
    Ok(matches!(answer, Answer::Valid { .. }))
}

/// The UDP form: one datagram challenge (retried) and one datagram answer. An ICMP
/// error or silence is [`Answer::None`].
pub async fn check_token_udp(addr: SocketAddr, key: &Key, timeout: Duration) -> Result<Answer> {
    let bind: SocketAddr = if addr.is_ipv4() {
        "0.0.0.0:0"
    } else {
        "[::]:0"
    }
    .parse()?;
    let sock = UdpSocket::bind(bind).await?;
    sock.connect(addr).await?;
    let nonce = fresh_nonce()?;
    let dialed = addr.ip().to_string();
    let challenge = token::challenge(&nonce, &dialed)
        .ok_or_else(|| anyhow::anyhow!("{dialed:?} does not fit a token challenge"))?;
    let mut buf = [0u8; 2 * token::RESPONSE_LEN];
    let mut seen = Answer::None;
    for _ in 0..3 {
        sock.send(&challenge).await?;
        let deadline = tokio::time::Instant::now() + timeout / 3;
        for _ in 0..8 {
            match tokio::time::timeout_at(deadline, sock.recv(&mut buf)).await {
                Err(_) => break,
                // ICMP port unreachable surfaces as an error on a connected socket.
                Ok(Err(_)) => return Ok(seen),
                Ok(Ok(n)) => match token::check(&buf[..n], key, &nonce, addr.port(), &dialed) {
                    valid @ Answer::Valid { .. } => return Ok(valid),
                    Answer::Foreign => seen = Answer::Foreign,
                    Answer::None => {}
                },
            }
        }
    }
    Ok(seen)
}

/// What a token answer means for the host that was dialed: `expected` names the plan
/// host(s) at that address (empty: any host will do, as for `probe-service`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenAnswer {
    /// `portplan listen` of this run, running as the dialed host.
    Valid { host: String },
    /// `portplan listen` of this run, running as another host than the dialed one.
    WrongHost { host: String, expected: String },
    /// `portplan listen` of another plan or run (right form, tag does not verify).
    Foreign,
    /// Silence, a close, or anything else: not a responder.
    None,
}

/// Compares the answering host with the host(s) the plan has at the dialed address.
pub fn judge(answer: Answer, expected: &[HostName]) -> TokenAnswer {
    match answer {
        Answer::Valid { host } if expected.is_empty() || expected.iter().any(|e| e.is(&host)) => {
            TokenAnswer::Valid { host }
        }
        Answer::Valid { host } => TokenAnswer::WrongHost {
            host,
            expected: expected
                .iter()
                .map(HostName::as_str)
                .collect::<Vec<_>>()
                .join(" or "),
        },
        Answer::Foreign => TokenAnswer::Foreign,
        Answer::None => TokenAnswer::None,
    }
}

/// A confirmation for a verified responder port.
pub fn confirmation(port: u16, host: &str) -> Confirmation {
    Confirmation::new(
        "portplan",
        format!("portplan listen answered the token on {port} as {host}"),
    )
    .detail("token", "verified")
    .detail("host", host)
}
