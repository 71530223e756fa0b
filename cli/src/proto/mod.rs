//! Protocol confirmations: small, bounded clients that prove which service answers
//! behind an open port (PortQry-grade answers), and the pure parsers they use.
//!
//! Every parser takes untrusted bytes and returns a typed result; none panics on any
//! input (they are fuzzed). Every client caps what it reads in bytes and time, so a
//! hostile or broken peer costs at most [`Limits`].
//!
//! ```
//! let b = portplan::proto::ssh::parse_ssh_banner(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n").unwrap();
//! assert_eq!(b.software, "OpenSSH_9.2p1");
//! ```

pub mod bytes;
pub mod epmap;
pub mod http;
pub mod io;
pub mod nbstat;
pub mod smb;
pub mod ssh;
pub mod tls;
pub mod token;

use portplan_core::services::{self, Confirmation as Service};
use portplan_core::Protocol;
use std::time::Duration;

/// What a protocol confirmation learned about the service behind a port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmation {
    /// Short protocol name: `ssh`, `http`, `tls`, `smb`, `msrpc-epm`, `netbios-ns`, `portplan`.
    pub protocol: &'static str,
    /// One line for a table: the banner, status line, dialect, …
    pub summary: String,
    /// Named facts, in a stable order, for JSON reports.
    pub details: Vec<(String, String)>,
    /// TCP ports the service told us about that should be probed too (the dynamic RPC
    /// endpoints the endpoint mapper lists).
    pub extra_tcp_ports: Vec<u16>,
}

impl Confirmation {
    pub(crate) fn new(protocol: &'static str, summary: impl Into<String>) -> Confirmation {
        Confirmation {
            protocol,
            summary: summary.into(),
            details: Vec::new(),
            extra_tcp_ports: Vec::new(),
        }
    }
    pub(crate) fn detail(mut self, key: &str, value: impl Into<String>) -> Confirmation {
        self.details.push((key.to_string(), value.into()));
        self
    }
}

/// Why a reply could not be understood. Parsers return this; clients wrap it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtoError {
    /// The reply ended before a field the protocol requires.
    #[error("{protocol}: reply truncated ({len} bytes)")]
    Truncated { protocol: &'static str, len: usize },
    /// The reply is not this protocol (wrong magic, version or structure).
    #[error("{protocol}: {message}")]
    Malformed {
        protocol: &'static str,
        message: String,
    },
    /// A well-formed refusal from the server (an error status, a NAK).
    #[error("{protocol}: server refused: {message}")]
    Refused {
        protocol: &'static str,
        message: String,
    },
}

impl ProtoError {
    pub(crate) fn malformed(protocol: &'static str, message: impl Into<String>) -> ProtoError {
        ProtoError::Malformed {
            protocol,
            message: message.into(),
        }
    }
}

/// Bounds for one confirmation: total time and bytes read from the peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub timeout: Duration,
    pub max_bytes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            timeout: Duration::from_secs(5),
            max_bytes: 64 * 1024,
        }
    }
}

/// Whether a TCP port gets a protocol confirmation (`check --deep`); the facts are
/// the core's ([`portplan_core::services`]).
pub fn has_tcp_confirmation(port: u16) -> bool {
    services::confirmation(Protocol::Tcp, port).is_some()
}

/// Runs the confirmation that fits a well-known TCP `port` on an open connection;
/// `None` when the port has none. `host` is the name or address used for HTTP `Host`
/// and TLS SNI.
pub async fn confirm_tcp<S: io::Stream>(
    stream: S,
    host: &str,
    port: u16,
    limits: Limits,
) -> Option<anyhow::Result<Confirmation>> {
    let r = match services::confirmation(Protocol::Tcp, port)? {
        Service::Ssh => ssh::confirm(stream, limits).await,
        Service::Http => http::confirm(stream, host, limits).await,
        Service::Tls => tls::confirm(stream, host, limits).await,
        Service::Smb2 => smb::confirm(stream, false, limits).await,
        Service::Smb2NetBios => smb::confirm(stream, true, limits).await,
        Service::EndpointMapper => epmap::confirm(stream, limits).await,
        Service::NbStat | Service::NeverAnswers => return None,
    };
    Some(r)
}
