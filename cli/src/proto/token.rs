//! The client side of the responder token: send a challenge, check the answer.
//!
//! A port where `portplan listen` answers with the right HMAC is `verified`: the path
//! reaches the intended host, not a proxy, a firewall answering for everyone, or some
//! other service. See `portplan_core::token` for the scheme.

use super::io::{read_exact, Capped};
use super::Confirmation;
use anyhow::{Context, Result};
use portplan_core::token;
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

/// Sends a challenge on an open stream and checks the answer for `port` under the
/// plan `digest`. `Ok(false)`: something answered, but not a responder with this plan
/// (or nothing answered in time); `Err`: the connection failed.
pub async fn verify_token<S>(stream: S, digest: &str, port: u16, timeout: Duration) -> Result<bool>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    Ok(check_token(stream, digest, port, timeout).await? == TokenAnswer::Valid)
}

/// What answered a token challenge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenAnswer {
    /// `portplan listen` with this plan.
    Valid,
    /// `portplan listen` with another plan (right form, wrong tag).
    Foreign,
    /// Silence, a close, or anything else: not a responder.
    None,
}

/// [`verify_token`], telling a responder of another plan apart.
pub async fn check_token<S>(
    stream: S,
    digest: &str,
    port: u16,
    timeout: Duration,
) -> Result<TokenAnswer>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let nonce = fresh_nonce()?;
    let mut s = Capped::new(stream, token::RESPONSE_LEN);
    s.write_all(&token::challenge(&nonce))
        .await
        .context("sending the challenge")?;
    Ok(
        match read_exact(&mut s, token::RESPONSE_LEN, timeout).await {
            Ok(reply) if token::verify(&reply, digest, &nonce, port) => TokenAnswer::Valid,
            Ok(reply) if token::is_foreign(&reply, digest, &nonce, port) => TokenAnswer::Foreign,
            // Silence, a close or a short answer: not a responder.
            _ => TokenAnswer::None,
        },
    )
}

/// The UDP form: one datagram challenge (retried) and one datagram answer.
pub async fn verify_token_udp(addr: SocketAddr, digest: &str, timeout: Duration) -> Result<bool> {
    let bind: SocketAddr = if addr.is_ipv4() {
        "0.0.0.0:0"
    } else {
        "[::]:0"
    }
    .parse()?;
    let sock = UdpSocket::bind(bind).await?;
    sock.connect(addr).await?;
    let nonce = fresh_nonce()?;
    let challenge = token::challenge(&nonce);
    let mut buf = [0u8; 64];
    for _ in 0..3 {
        sock.send(&challenge).await?;
        let deadline = tokio::time::Instant::now() + timeout / 3;
        for _ in 0..8 {
            match tokio::time::timeout_at(deadline, sock.recv(&mut buf)).await {
                Err(_) => break,
                // ICMP port unreachable surfaces as an error on a connected socket.
                Ok(Err(_)) => return Ok(false),
                Ok(Ok(n)) if token::verify(&buf[..n], digest, &nonce, addr.port()) => {
                    return Ok(true)
                }
                Ok(Ok(_)) => continue,
            }
        }
    }
    Ok(false)
}

/// A confirmation for a verified responder port.
pub fn confirmation(port: u16) -> Confirmation {
    Confirmation::new(
        "portplan",
        format!("portplan listen answered the token on {port}"),
    )
    .detail("token", "verified")
}
