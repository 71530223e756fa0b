//! Protocol confirmations after a TCP connect succeeds.
//!
//! A successful handshake proves the path; a confirmation proves the service (an SSH
//! banner on 22, an SMB2 NEGOTIATE answer on 445, a `portplan listen` token that yields
//! `verified`). The prober hands every open stream to [`after_connect`] before closing
//! it; confirmations plug in here by port, each bounded by the context's timeout.

use portplan_core::Port;
use std::time::Duration;
use tokio::net::TcpStream;

/// What a confirmation found on an open port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmation {
    /// Proof that the far end is the expected service or responder (verdict `verified`).
    pub verified: bool,
    /// Shown as the probe's `detail` (banner, dialect, NetBIOS name…).
    pub detail: String,
}

/// What a confirmation may need to know about the probe.
// Read by the protocol confirmations that plug in here (cli/src/proto).
#[allow(dead_code)]
#[derive(Debug, Clone)]
pub struct DeepContext {
    /// The plan host being probed.
    pub host: String,
    /// Time left for reading an answer; a confirmation never holds a probe longer.
    pub timeout: Duration,
}

/// Looks at an open stream; `None` when no confirmation applies to `port` (yet).
pub async fn after_connect(
    _stream: &mut TcpStream,
    _port: Port,
    _ctx: &DeepContext,
) -> Option<Confirmation> {
    None
}
