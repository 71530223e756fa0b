//! The real [`Prober`]: tokio sockets, one per attempt.

use super::adapt::Wait;
use super::deep::{self, DeepContext, DeepSettings};
use super::unreach::{Meaning, Unreachable, Watch};
use super::verdict::classify;
use super::{icmp, FailKind, Outcome, Prober};
use crate::proto::nbstat;
use crate::proto::token::judge;
use portplan_core::{Address, Port, Protocol};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::{TcpSocket, UdpSocket};

/// Linux gives up on an on-link neighbour after about 3 s (3 solicitations 1 s apart); a
/// "no route to host" much sooner than that came from the network.
const NEIGHBOUR_GIVE_UP: Duration = Duration::from_secs(1);

/// How long a DNS lookup may take before the name counts as unresolved.
const DNS_TIMEOUT: Duration = Duration::from_secs(5);

/// Probes with the operating system's sockets.
#[derive(Debug, Default)]
pub struct TokioProber {
    /// Reads ICMP unreachables (needs a raw socket) to name admin-prohibited rejects.
    watch: Option<Watch>,
    /// Protocol confirmations and the responder token (`check --deep`); `None` probes
    /// sockets only.
    pub deep: Option<Arc<DeepSettings>>,
    /// The plan hosts at each resolved address (from [`DeepSettings::hosts`], filled
    /// as addresses resolve): who must answer the token there.
    expected: std::sync::Mutex<HashMap<IpAddr, Vec<portplan_core::HostName>>>,
    /// Where probes leave from (the `--from` host's addresses); unbound where `None`.
    pub sources: Sources,
}

impl TokioProber {
    /// A prober that also watches ICMP errors where it may; call inside the runtime.
    pub fn new(deep: Option<Arc<DeepSettings>>, sources: Sources) -> TokioProber {
        TokioProber {
            watch: Watch::start(),
            deep,
            expected: Default::default(),
            sources,
        }
    }

    /// One TCP handshake: the open stream and its round trip, or what stopped it.
    async fn handshake(
        &self,
        addr: SocketAddr,
        wait: Wait,
    ) -> Result<(tokio::net::TcpStream, Duration), Outcome> {
        let socket = if addr.is_ipv4() {
            TcpSocket::new_v4()
        } else {
            TcpSocket::new_v6()
        };
        let socket = socket.map_err(|e| classify(&e))?;
        if let Some(src) = self.sources.for_dst(addr.ip()) {
            socket
                .bind(SocketAddr::new(src, 0))
                .map_err(|e| classify(&e))?;
        }
        let start = Instant::now();
        // The connection's result is settled inside this block, so nothing of it (an
        // OS error, its outcome) is held across the awaits below: every attempt in
        // flight is as large as its largest await point.
        let failure = {
            match wait.run(socket.connect(addr)).await {
                Some(Ok(stream)) => return Ok((stream, start.elapsed())),
                None => None,
                // A reset can only end an established connection (a refused SYN is
                // ECONNREFUSED): the handshake got through and the far end closed at once.
                Some(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                    return Err(Outcome::Answered {
                        rtt: start.elapsed(),
                        detail: "reset by the far end right after the handshake: something \
                             accepts connections there, then drops them"
                            .into(),
                        verified: false,
                    })
                }
                Some(Err(e)) => Some(classify(&e)),
            }
        };
        Err(match failure {
            None => Box::pin(self.explain(Outcome::NoResponse, addr, 6)).await,
            Some(failed) => Box::pin(self.connect_failed(failed, addr, start)).await,
        })
    }

    /// What a failed connection means, with the ICMP error behind it where one came.
    async fn connect_failed(&self, failed: Outcome, addr: SocketAddr, start: Instant) -> Outcome {
        match failed {
            // Linux reports an ICMP port unreachable (or protocol unreachable) that
            // answers a SYN as ECONNREFUSED, like a RST: only the ICMP itself tells.
            Outcome::Refused { .. } => match &self.watch {
                Some(watch) => match watch.refusal(addr, 6) {
                    // Boxed: rare, and it would grow every attempt in flight.
                    Some(u) => Box::pin(self.rejected(u, addr, None)).await,
                    None => Outcome::Refused {
                        rtt: start.elapsed(),
                        blind: false,
                    },
                },
                None => Outcome::Refused {
                    rtt: start.elapsed(),
                    blind: true,
                },
            },
            // Without a raw socket, "no route to host" is a neighbour that never
            // answered (seconds) or an ICMP error from the network (a round trip):
            // the time tells them apart.
            Outcome::Failed {
                kind: FailKind::HostUnreachable,
                message,
            } if self.watch.is_none() && start.elapsed() < NEIGHBOUR_GIVE_UP => Outcome::Failed {
                kind: FailKind::RemoteUnreachable,
                message: format!(
                    "{message} after {:.1} ms: {}",
                    start.elapsed().as_secs_f64() * 1000.0,
                    portplan_core::report::status::UNREACHABLE_UNSEEN
                ),
            },
            other => Box::pin(self.explain(other, addr, 6)).await,
        }
    }

    /// Sharpens a failure with the ICMP error behind it: which code, and who sent it.
    /// A probe that timed out is sharpened too when an error did arrive for it (Linux
    /// may hold an ICMPv6 reject back until the SYN's retransmit, past our timeout).
    async fn explain(&self, o: Outcome, dst: SocketAddr, protocol: u8) -> Outcome {
        let Some(watch) = &self.watch else { return o };
        match &o {
            Outcome::Failed {
                kind:
                    FailKind::HostUnreachable | FailKind::NetUnreachable | FailKind::AdminProhibited,
                message,
            } => match watch.lookup(dst, protocol).await {
                Some(u) => self.rejected(u, dst, Some(message)).await,
                None => o,
            },
            Outcome::NoResponse => match watch.seen(dst, protocol) {
                Some(u) => self.rejected(u, dst, None).await,
                None => o,
            },
            _ => o,
        }
    }

    /// The outcome an ICMP error `u` about a packet to `dst` gives, its code decoded
    /// (each family's own numbering) and its sender named; `os` is what the socket said.
    async fn rejected(&self, u: Unreachable, dst: SocketAddr, os: Option<&String>) -> Outcome {
        let what = u.describe();
        // Also when the probe left from a bound address other than the route's own.
        if local_source(dst).await == Some(u.sender) || (u.sender != dst.ip() && holds(u.sender)) {
            // This machine's own stack sent it (no ARP or neighbour answer): not the
            // network's doing.
            let asked = if dst.is_ipv4() {
                "ARP"
            } else {
                "neighbour discovery"
            };
            let os = os.map_or(String::new(), |m| format!("{m}: "));
            return Outcome::Failed {
                kind: FailKind::NoNeighbour,
                message: format!(
                    "{os}this machine got no {asked} answer from {} ({what} from itself)",
                    dst.ip()
                ),
            };
        }
        let kind = match u.meaning() {
            Meaning::PortUnreachable if dst.port() != 0 => FailKind::PortUnreachable,
            Meaning::Prohibited => FailKind::AdminProhibited,
            Meaning::HostUnreachable | Meaning::PortUnreachable => FailKind::HostUnreachable,
            Meaning::NetUnreachable => FailKind::NetUnreachable,
        };
        Outcome::Failed {
            kind,
            message: format!("{what} from {}", u.sender),
        }
    }
}

/// The outcome of an open port from what its confirmation found (if anything ran).
fn opened(rtt: Duration, confirmation: Option<deep::Confirmation>) -> Outcome {
    let Some(c) = confirmation else {
        return Outcome::Answered {
            rtt,
            detail: String::new(),
            verified: false,
        };
    };
    if c.foreign {
        return Outcome::Foreign {
            rtt,
            detail: c.detail,
        };
    }
    if c.wrong_host {
        return Outcome::WrongHost {
            rtt,
            detail: c.detail,
        };
    }
    let open = Outcome::Answered {
        rtt,
        detail: c.detail,
        verified: c.verified,
    };
    if c.follow.is_empty() {
        open
    } else {
        Outcome::Continues {
            opened: Box::new(open),
            follow: c.follow,
        }
    }
}

/// The source addresses probes leave from: the `--from` host's own, one per family,
/// where this machine holds them (none with `check --translated`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sources {
    pub v4: Option<IpAddr>,
    pub v6: Option<IpAddr>,
}

impl Sources {
    /// The source for a destination's family, if the `--from` host has one here.
    pub fn for_dst(&self, dst: IpAddr) -> Option<IpAddr> {
        if dst.is_ipv4() {
            self.v4
        } else {
            self.v6
        }
    }
}

/// Whether this machine holds `ip`: binding to it succeeds, and the route towards it
/// leaves from it (a local route), or it is a loopback address (Linux routes all of
/// 127/8 from 127.0.0.1). The bind alone is not proof: wine lets a bind to a foreign
/// address succeed, and a stack with non-local binding enabled would too.
pub fn holds(ip: IpAddr) -> bool {
    if std::net::UdpSocket::bind(SocketAddr::new(ip, 0)).is_err() {
        return false;
    }
    if ip.is_loopback() {
        return true;
    }
    source_towards(ip) == Some(ip)
}

/// The address this machine would send from towards `dst` (a route lookup, no packet).
pub fn source_towards(dst: IpAddr) -> Option<IpAddr> {
    let any: SocketAddr = if dst.is_ipv4() {
        (Ipv4Addr::UNSPECIFIED, 0).into()
    } else {
        (Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let sock = std::net::UdpSocket::bind(any).ok()?;
    sock.connect(SocketAddr::new(dst, 9)).ok()?;
    sock.local_addr().ok().map(|a| a.ip())
}

/// The address this machine sends from towards `dst` (a route lookup; no packet).
async fn local_source(dst: SocketAddr) -> Option<IpAddr> {
    let any: SocketAddr = if dst.is_ipv4() {
        (Ipv4Addr::UNSPECIFIED, 0).into()
    } else {
        (Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let sock = UdpSocket::bind(any).await.ok()?;
    sock.connect(dst).await.ok()?;
    sock.local_addr().ok().map(|a| a.ip())
}

impl TokioProber {
    /// A plan address (IP literal or DNS name) to the address to probe.
    async fn lookup(&self, host: &str) -> Result<IpAddr, String> {
        let h = match host.parse::<Address>()? {
            Address::Ip(ip) => return Ok(ip),
            Address::Name(name) => name,
        };
        match tokio::time::timeout(DNS_TIMEOUT, tokio::net::lookup_host((h.clone(), 0))).await {
            Err(_) => Err(format!("DNS lookup of {h} timed out after {DNS_TIMEOUT:?}")),
            Ok(Err(e)) => Err(format!("{h}: {e}")),
            Ok(Ok(addrs)) => {
                let all: Vec<IpAddr> = addrs.map(|a| a.ip()).collect();
                // Prefer IPv4: PlateSpin deployments and their firewall rules mostly are.
                all.iter()
                    .find(|ip| ip.is_ipv4())
                    .or(all.first())
                    .copied()
                    .ok_or_else(|| format!("{h}: no address"))
            }
        }
    }

    /// What a confirmation on `addr` needs to know.
    fn context(&self, addr: SocketAddr, timeout: Duration) -> DeepContext {
        let expected = self
            .expected
            .lock()
            .ok()
            .and_then(|m| m.get(&addr.ip()).cloned())
            .unwrap_or_default();
        DeepContext {
            host: addr.ip().to_string(),
            expected,
            timeout,
            settings: self.deep.clone(),
        }
    }
}

impl Prober for TokioProber {
    async fn resolve(&self, host: &str) -> Result<IpAddr, String> {
        let ip = self.lookup(host).await?;
        if let Some(names) = self.deep.as_ref().and_then(|d| d.hosts.get(host)) {
            if let Ok(mut map) = self.expected.lock() {
                map.entry(ip).or_default().extend(names.iter().cloned());
            }
        }
        Ok(ip)
    }

    async fn tcp(&self, addr: SocketAddr, wait: Wait) -> Outcome {
        let timeout = wait.ceiling();
        let (mut stream, rtt) = match self.handshake(addr, wait).await {
            Ok(open) => open,
            Err(o) => return o,
        };
        let confirmation = match Port::new(addr.port()) {
            // Boxed, with its context: the confirmation's state is large and most
            // probes never reach it; inline it would grow every one of the 10,000 tasks.
            Some(port) => {
                Box::pin(async {
                    let ctx = self.context(addr, timeout);
                    deep::after_connect(&mut stream, port, &ctx).await
                })
                .await
            }
            None => None,
        };
        opened(rtt, confirmation)
    }

    async fn token(&self, protocol: Protocol, addr: SocketAddr, wait: Wait) -> Outcome {
        let timeout = wait.ceiling();
        let Some(settings) = self.deep.clone() else {
            return Outcome::NoResponse;
        };
        let ctx = self.context(addr, timeout);
        if protocol == Protocol::Udp {
            let start = Instant::now();
            let answer = crate::proto::token::check_token_udp(addr, &settings.key, timeout);
            let judged = Box::pin(answer)
                .await
                .ok()
                .and_then(|a| deep::token_said(judge(a, &ctx.expected), &settings.key));
            return match judged {
                Some(c) => opened(start.elapsed(), Some(c)),
                None => Outcome::NoResponse,
            };
        }
        match self.handshake(addr, wait).await {
            Ok((stream, rtt)) => {
                let c = Box::pin(deep::token_only(stream, addr.port(), &settings, &ctx)).await;
                opened(rtt, Some(c))
            }
            Err(o) => o,
        }
    }

    async fn connect(&self, addr: SocketAddr, wait: Wait) -> Outcome {
        match self.handshake(addr, wait).await {
            Ok((_, rtt)) => opened(rtt, None),
            Err(o) => o,
        }
    }

    async fn udp(&self, addr: SocketAddr, payload: Vec<u8>, wait: Wait) -> Outcome {
        let local: SocketAddr = match self.sources.for_dst(addr.ip()) {
            Some(src) => (src, 0).into(),
            None if addr.is_ipv4() => (Ipv4Addr::UNSPECIFIED, 0).into(),
            None => (Ipv6Addr::UNSPECIFIED, 0).into(),
        };
        let sock = match UdpSocket::bind(local).await {
            Ok(s) => s,
            Err(e) => return classify(&e),
        };
        // A connected socket turns ICMP port unreachable into ECONNREFUSED.
        if let Err(e) = sock.connect(addr).await {
            return classify(&e);
        }
        let start = Instant::now();
        let refused = |o: Outcome| match o {
            Outcome::Refused { blind, .. } => Outcome::Refused {
                rtt: start.elapsed(),
                blind,
            },
            other => other,
        };
        if let Err(e) = sock.send(&payload).await {
            return refused(classify(&e));
        }
        let mut buf = vec![0u8; 2048];
        match wait.run(sock.recv(&mut buf)).await {
            // Silence may be `portplan listen`, which answers only its challenge: the
            // scheduler asks it after the retries (a follow-up of its own); not on a
            // port that never answers (UDP 138), where it would only wait again.
            None if self.deep.is_some()
                && !portplan_core::report::status::never_answers(
                    Protocol::Udp,
                    Port::new(addr.port()),
                ) =>
            {
                Outcome::Continues {
                    opened: Box::new(Outcome::NoResponse),
                    follow: deep::FollowUp::Token {
                        failure: String::new(),
                    },
                }
            }
            None => Outcome::NoResponse,
            Some(Err(e)) => self.explain(refused(classify(&e)), addr, 17).await,
            Some(Ok(n)) => {
                let (detail, confirmed) = describe_udp_reply(&payload, &buf[..n]);
                Outcome::Answered {
                    rtt: start.elapsed(),
                    detail,
                    verified: confirmed && self.deep.is_some(),
                }
            }
        }
    }

    async fn local_address(&self, ip: IpAddr) -> Option<IpAddr> {
        match self.sources.for_dst(ip) {
            Some(src) => Some(src),
            None => local_source(SocketAddr::new(ip, 9)).await,
        }
    }

    async fn icmp(&self, ip: IpAddr, wait: Wait) -> Outcome {
        icmp::echo(ip, self.sources.for_dst(ip), wait.current()).await
    }
}

/// What a UDP reply says: the NetBIOS name (and MAC) for an NBSTAT query, else its
/// size; and whether it confirms the service.
fn describe_udp_reply(request: &[u8], reply: &[u8]) -> (String, bool) {
    if request.len() == 50 && request[46..] == [0x00, 0x21, 0x00, 0x01] {
        let id = u16::from_be_bytes([request[0], request[1]]);
        return match nbstat::parse_nbstat_response(reply, Some(id)) {
            Ok(st) => match st
                .machine_name()
                .or(st.names.first().map(|n| n.name.as_str()))
            {
                Some(n) => {
                    // Samba and some stacks send zeros: no MAC is better than a fake one.
                    let mac = if st.mac.is_empty() || st.mac == "00:00:00:00:00:00" {
                        String::new()
                    } else {
                        format!(", MAC {}", st.mac)
                    };
                    (format!("NetBIOS name {n}{mac}"), true)
                }
                None => ("NetBIOS node status with an empty name table".into(), true),
            },
            Err(e) => (
                format!("answered, but not a NetBIOS node status ({e})"),
                false,
            ),
        };
    }
    (format!("{} bytes back", reply.len()), false)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A node-status response as Windows sends it (names, then 46 bytes of statistics).
    pub fn nbstat_reply(id: u16, names: &[(&str, u8, bool)]) -> Vec<u8> {
        let mut p = id.to_be_bytes().to_vec();
        p.extend_from_slice(&[0x84, 0x00, 0, 0, 0, 1, 0, 0, 0, 0]);
        p.extend_from_slice(&nbstat::nbstat_request(0)[12..46]); // the same encoded name `*`
        p.extend_from_slice(&[0x00, 0x21, 0x00, 0x01, 0, 0, 0, 0]);
        let rdlen = 1 + names.len() * 18 + 46;
        p.extend_from_slice(&(rdlen as u16).to_be_bytes());
        p.push(names.len() as u8);
        for (n, suffix, group) in names {
            let mut e = [b' '; 15].to_vec();
            e[..n.len()].copy_from_slice(n.as_bytes());
            e.push(*suffix);
            e.extend_from_slice(&[if *group { 0x84 } else { 0x04 }, 0x00]);
            p.extend_from_slice(&e);
        }
        p.extend_from_slice(&[0u8; 46]);
        p
    }

    proptest::proptest! {
        /// A name table survives the round trip through a reply and the shared parser.
        #[test]
        fn nbstat_replies_round_trip(names in proptest::collection::vec(("[A-Z0-9-]{1,15}", proptest::num::u8::ANY, proptest::bool::ANY), 0..20), id: u16) {
            let table: Vec<(&str, u8, bool)> = names.iter().map(|(n, s, g)| (n.as_str(), *s, *g)).collect();
            let parsed = nbstat::parse_nbstat_response(&nbstat_reply(id, &table), Some(id)).expect("parse");
            let back: Vec<(String, u8, bool)> = parsed.names.into_iter().map(|n| (n.name, n.suffix, n.group)).collect();
            proptest::prop_assert_eq!(back, names);
        }
    }
    use std::time::Duration;

    fn t() -> Wait {
        Wait::fixed(Duration::from_secs(2))
    }

    #[tokio::test]
    async fn loopback_tcp_open_and_closed() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let open = listener.local_addr().expect("addr");
        let closed = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            l.local_addr().expect("addr")
        };
        let o = TokioProber::default().tcp(open, t()).await;
        assert!(
            matches!(
                o,
                Outcome::Answered {
                    verified: false,
                    ..
                }
            ),
            "{o:?}"
        );
        let o = TokioProber::default().tcp(closed, t()).await;
        assert!(matches!(o, Outcome::Refused { .. }), "{o:?}");
    }

    /// A NetBIOS responder fixture: answers node-status queries with a name table.
    #[tokio::test]
    async fn loopback_udp_nbstat_responder_and_closed_port() {
        let server = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
        let addr = server.local_addr().expect("addr");
        tokio::spawn(async move {
            let mut buf = [0u8; 512];
            if let Ok((n, peer)) = server.recv_from(&mut buf).await {
                let id = u16::from_be_bytes([buf[0], buf[1]]);
                assert_eq!(n, 50);
                let r = nbstat_reply(id, &[("WORKGROUP", 0, true), ("WEB01", 0, false)]);
                let _ = server.send_to(&r, peer).await;
            }
        });
        let o = TokioProber::default()
            .udp(addr, nbstat::nbstat_request(0x4242), t())
            .await;
        match o {
            Outcome::Answered { detail, .. } => assert_eq!(detail, "NetBIOS name WEB01"),
            other => panic!("{other:?}"),
        }
        let closed = std::net::UdpSocket::bind("127.0.0.1:0")
            .expect("bind")
            .local_addr()
            .expect("addr");
        let o = TokioProber::default()
            .udp(closed, nbstat::nbstat_request(1), t())
            .await;
        assert!(matches!(o, Outcome::Refused { .. }), "{o:?}");
    }

    #[tokio::test]
    async fn names_resolve_or_say_why_not() {
        assert_eq!(
            TokioProber::default().resolve("127.0.0.1").await,
            Ok("127.0.0.1".parse().expect("ip"))
        );
        assert_eq!(
            TokioProber::default().resolve("[::1]").await,
            Ok("::1".parse().expect("ip"))
        );
        assert!(TokioProber::default()
            .resolve("no-such-host.invalid")
            .await
            .is_err());
    }
}
#[cfg(test)]
mod size {
    use super::*;

    /// Thousands of attempts are in flight at once: each one's future is what peak
    /// memory is made of (UDP and ICMP are boxed, being 1-3 KB).
    #[test]
    fn an_attempt_in_flight_stays_small() {
        let p = TokioProber::default();
        let a: SocketAddr = "127.0.0.1:1".parse().expect("addr");
        let w = Wait::fixed(Duration::from_secs(1));
        let job = portplan_core::probe::jobs::Job {
            target: 0,
            protocol: portplan_core::Protocol::Tcp,
            port: None,
        };
        let size = std::mem::size_of_val(&crate::probe::schedule::attempt_size(&p, job, a.ip(), w));
        eprintln!("an attempt in flight: {size} bytes");
        assert!(size <= 1200, "{size} bytes");
    }
}
