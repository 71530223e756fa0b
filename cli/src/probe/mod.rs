//! Probing a plan from the host we run on.
//!
//! The network sits behind the small [`Prober`] trait: one call per attempt, returning
//! what the wire said ([`Outcome`]). Everything that decides — which ports to probe
//! ([`jobs`]), when to retry and pace ([`host`], a state machine tested without tokio),
//! the descriptor budget and the global deadline ([`schedule`]), and what
//! an answer means ([`verdict`]) — is plain code tested with a scripted prober. The tokio
//! implementation ([`net`]) and the ICMP codec ([`icmp`]; NBSTAT is `crate::proto::nbstat`) are the only
//! parts that touch sockets, and [`deep`] is where protocol confirmations plug in. Every
//! connection goes through the trait, scheduled like any probe: confirmations that need
//! more connections hand them back as follow-ups ([`Outcome::Continues`]).

pub mod adapt;
pub mod deep;
pub mod host;
pub mod icmp;
pub mod limits;
pub mod liveness;
pub mod net;
pub mod schedule;
pub mod unreach;
pub mod verdict;

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

pub use adapt::Wait;

/// What one attempt observed on the wire, before any interpretation.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The far end answered: TCP handshake done, UDP reply, ICMP echo reply.
    Answered {
        rtt: Duration,
        /// What a protocol confirmation or a reply parser found (NetBIOS name, banner).
        detail: String,
        /// A confirmation proved the far end is the expected service.
        verified: bool,
    },
    /// `portplan listen` answered on the open port, but for another plan.
    Foreign { rtt: Duration, detail: String },
    /// `portplan listen` of this run answered on the open port, as another host than
    /// the one dialed (`detail` names both).
    WrongHost { rtt: Duration, detail: String },
    /// The far host said "nothing here": TCP RST, or ICMP port unreachable for UDP.
    /// `blind`: this prober cannot read ICMP, so for TCP a firewall's ICMP reject
    /// (which the OS also reports as "connection refused") cannot be told from a RST.
    Refused { rtt: Duration, blind: bool },
    /// Nothing came back within the timeout.
    NoResponse,
    /// An ICMP error for the path, or a local error.
    Failed { kind: FailKind, message: String },
    /// The attempt needs a privilege this process lacks (ICMP sockets).
    NeedsPrivilege(String),
    /// The port is open (`opened`), and its confirmation asks for more connections:
    /// the scheduler runs them as probes of their own, then [`deep::conclude`] gives
    /// the final outcome. Never final itself.
    Continues {
        opened: Box<Outcome>,
        follow: deep::FollowUp,
    },
}

/// Failures the verdict logic tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailKind {
    /// EHOSTUNREACH: ICMP host unreachable, or admin-prohibited (Linux reports both so).
    HostUnreachable,
    /// EHOSTUNREACH at network speed where ICMP could not be read: a router's or a
    /// firewall's ICMP error (admin-prohibited, host unreachable), code and sender unknown.
    RemoteUnreachable,
    /// This machine's own stack gave up: no ARP or neighbour-discovery answer from an
    /// on-link address (seen as an ICMP error from itself). Nothing holds the address.
    NoNeighbour,
    /// An ICMP port (or protocol) unreachable answering a TCP SYN: a TCP stack answers
    /// with a RST, so this is a firewall's REJECT.
    PortUnreachable,
    /// ENETUNREACH: no route, or ICMP network unreachable.
    NetUnreachable,
    /// EACCES/EPERM on connect: a local or remote firewall refused explicitly.
    AdminProhibited,
    /// EMFILE/ENFILE: out of file descriptors. Never a property of the network.
    TooManyFiles,
    /// Anything else the OS reported.
    Other,
}

/// The sockets side of probing. One call is one attempt; retries are the caller's.
pub trait Prober: Send + Sync + 'static {
    /// Resolves a plan address (IP literal or DNS name) to the address to probe.
    fn resolve(&self, host: &str) -> impl Future<Output = Result<IpAddr, String>> + Send;
    /// One TCP connect; on success the stream goes through [`deep::after_connect`].
    fn tcp(&self, addr: SocketAddr, wait: Wait) -> impl Future<Output = Outcome> + Send;
    /// One exchange that asks only for the `portplan listen` token
    /// ([`deep::FollowUp::Token`]): a fresh TCP connection, or UDP challenge datagrams.
    fn token(
        &self,
        protocol: portplan_core::Protocol,
        addr: SocketAddr,
        wait: Wait,
    ) -> impl Future<Output = Outcome> + Send;
    /// One TCP handshake, nothing more ([`deep::FollowUp::Ports`]).
    fn connect(&self, addr: SocketAddr, wait: Wait) -> impl Future<Output = Outcome> + Send;
    /// One UDP datagram (`payload`), waiting for a reply or an ICMP error.
    fn udp(
        &self,
        addr: SocketAddr,
        payload: Vec<u8>,
        wait: Wait,
    ) -> impl Future<Output = Outcome> + Send;
    /// The local address probes towards `ip` leave from (recorded in each probe);
    /// `None` where it cannot be told.
    fn local_address(&self, ip: IpAddr) -> impl Future<Output = Option<IpAddr>> + Send {
        let _ = ip;
        async { None }
    }
    /// One ICMP echo request.
    fn icmp(&self, ip: IpAddr, wait: Wait) -> impl Future<Output = Outcome> + Send;
}
