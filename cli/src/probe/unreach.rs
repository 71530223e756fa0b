//! Telling "admin-prohibited" from "host-unreachable", and naming who said it.
//!
//! Linux reports both ICMP host-unreachable and the firewall's "communication
//! administratively prohibited" to `connect()` as the same EHOSTUNREACH, and an ICMPv6
//! admin-prohibited as a bare EACCES with no sender. With raw ICMP and ICMPv6 sockets
//! (root) we read the errors themselves, so a filtered verdict can say which it was and
//! which router or firewall sent it — what a firewall team needs to find the rule.
//! Without the privilege the reason stays what the socket said, which is still true.

use socket2::{Domain, Protocol as SockProto, Socket, Type};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A destination-unreachable (ICMPv4 type 3 or ICMPv6 type 1) about one of our packets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unreachable {
    /// Who sent the ICMP error (the target itself, or a router/firewall on the way).
    pub sender: IpAddr,
    /// Destination and transport of the packet it refers to.
    pub dst: IpAddr,
    pub protocol: u8,
    pub dst_port: u16,
    /// The ICMP code, in its family's numbering (v4: 0 net, 1 host, 3 port, 9/10/13
    /// administratively prohibited; v6: 0 no route, 1 administratively prohibited, 3
    /// address unreachable, 4 port unreachable, 5 source policy, 6 reject route).
    pub code: u8,
}

/// What an ICMP destination-unreachable says, whatever the family's numbering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meaning {
    /// "Port unreachable" (v4 code 3, v6 code 4; v4 code 2 "protocol unreachable" too):
    /// for a UDP datagram the host's own answer; for a TCP SYN never a TCP stack's (it
    /// answers with a RST), so a firewall's REJECT.
    PortUnreachable,
    /// Administratively prohibited (v4 9, 10, 13; v6 1, 5, 6): a filter said no.
    Prohibited,
    /// No such host, or no neighbour answer (v4 1, 7, 12; v6 3).
    HostUnreachable,
    /// No route (v4 0, 6, 11; v6 0, 2) and anything else.
    NetUnreachable,
}

impl Unreachable {
    /// The code in its family's numbering, decoded.
    pub fn meaning(&self) -> Meaning {
        match (self.sender, self.code) {
            (IpAddr::V4(_), 2 | 3) | (IpAddr::V6(_), 4) => Meaning::PortUnreachable,
            (IpAddr::V4(_), 9 | 10 | 13) | (IpAddr::V6(_), 1 | 5 | 6) => Meaning::Prohibited,
            (IpAddr::V4(_), 1 | 7 | 12) | (IpAddr::V6(_), 3) => Meaning::HostUnreachable,
            _ => Meaning::NetUnreachable,
        }
    }

    /// "ICMP type 3 code 13" / "ICMPv6 type 1 code 1", as a packet capture shows it.
    pub fn kind(&self) -> String {
        match self.sender {
            IpAddr::V4(_) => format!("ICMP type 3 code {}", self.code),
            IpAddr::V6(_) => format!("ICMPv6 type 1 code {}", self.code),
        }
    }

    /// The code's name in RFC 792 / RFC 4443 words ("port unreachable").
    pub fn name(&self) -> &'static str {
        match (self.sender, self.code) {
            (IpAddr::V4(_), 0) => "net unreachable",
            (IpAddr::V4(_), 1) => "host unreachable",
            (IpAddr::V4(_), 2) => "protocol unreachable",
            (IpAddr::V4(_), 3) => "port unreachable",
            (IpAddr::V4(_), 4) => "fragmentation needed",
            (IpAddr::V4(_), 5) => "source route failed",
            (IpAddr::V4(_), 6) => "destination network unknown",
            (IpAddr::V4(_), 7) => "destination host unknown",
            (IpAddr::V4(_), 9) => "network administratively prohibited",
            (IpAddr::V4(_), 10) => "host administratively prohibited",
            (IpAddr::V4(_), 11) => "network unreachable for the type of service",
            (IpAddr::V4(_), 12) => "host unreachable for the type of service",
            (IpAddr::V4(_), 13) => "communication administratively prohibited",
            (IpAddr::V6(_), 0) => "no route to destination",
            (IpAddr::V6(_), 1) => "communication administratively prohibited",
            (IpAddr::V6(_), 2) => "beyond scope of source address",
            (IpAddr::V6(_), 3) => "address unreachable",
            (IpAddr::V6(_), 4) => "port unreachable",
            (IpAddr::V6(_), 5) => "source address failed ingress/egress policy",
            (IpAddr::V6(_), 6) => "reject route to destination",
            _ => "unassigned code",
        }
    }

    /// "ICMP type 3 code 3 (port unreachable)": the kind with its decoded name.
    pub fn describe(&self) -> String {
        format!("{} ({})", self.kind(), self.name())
    }
}

/// Parses an IPv4 raw-socket datagram (IPv4 header, ICMP type 3, quoted IP header + 8
/// bytes).
pub fn parse_v4(buf: &[u8]) -> Option<Unreachable> {
    let ihl = usize::from(buf.first()? & 0x0f) * 4;
    if ihl < 20 || buf.len() < ihl + 8 {
        return None;
    }
    let sender = Ipv4Addr::new(buf[12], buf[13], buf[14], buf[15]);
    let icmp = &buf[ihl..];
    if icmp[0] != 3 {
        return None;
    }
    let quoted = &icmp[8..];
    let qihl = usize::from(quoted.first()? & 0x0f) * 4;
    if qihl < 20 || quoted.len() < qihl + 4 {
        return None;
    }
    Some(Unreachable {
        sender: sender.into(),
        dst: Ipv4Addr::new(quoted[16], quoted[17], quoted[18], quoted[19]).into(),
        protocol: quoted[9],
        dst_port: u16::from_be_bytes([quoted[qihl + 2], quoted[qihl + 3]]),
        code: icmp[1],
    })
}

/// Parses an ICMPv6 raw-socket datagram. The kernel strips the IPv6 header, so the
/// sender comes from `recvfrom`; the quoted packet is our IPv6 header (40 bytes) and
/// the start of its transport header. Our probes carry no extension headers.
pub fn parse_v6(buf: &[u8], sender: Ipv6Addr) -> Option<Unreachable> {
    if buf.len() < 8 || buf[0] != 1 {
        return None;
    }
    let quoted = &buf[8..];
    if quoted.len() < 44 || quoted[0] >> 4 != 6 {
        return None;
    }
    let dst: [u8; 16] = quoted[24..40].try_into().ok()?;
    Some(Unreachable {
        sender: sender.into(),
        dst: Ipv6Addr::from(dst).into(),
        protocol: quoted[6],
        dst_port: u16::from_be_bytes([quoted[42], quoted[43]]),
        code: buf[1],
    })
}

type Seen = Arc<Mutex<HashMap<(IpAddr, u8, u16), Unreachable>>>;

/// Collects the ICMP and ICMPv6 unreachables that arrive while probing.
#[derive(Debug, Clone)]
pub struct Watch {
    seen: Seen,
    v4: Option<Arc<tokio::net::UdpSocket>>,
    v6: Option<Arc<tokio::net::UdpSocket>>,
}

/// How many queued ICMP packets one [`Watch::drain`] reads at most.
const DRAIN_MAX: usize = 4096;

impl Watch {
    /// Starts listening (inside a tokio runtime); `None` without any raw socket.
    pub fn start() -> Option<Watch> {
        let seen: Seen = Arc::default();
        let v4 = raw(Domain::IPV4, SockProto::ICMPV4).map(Arc::new);
        let v6 = raw(Domain::IPV6, SockProto::ICMPV6).map(Arc::new);
        if let Some(sock) = v4.clone() {
            let sink = seen.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 1500];
                while let Ok(n) = sock.recv(&mut buf).await {
                    record(&sink, parse_v4(&buf[..n]));
                }
            });
        }
        if let Some(sock) = v6.clone() {
            let sink = seen.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 1500];
                while let Ok((n, from)) = sock.recv_from(&mut buf).await {
                    if let IpAddr::V6(sender) = from.ip() {
                        record(&sink, parse_v6(&buf[..n], sender));
                    }
                }
            });
        }
        (v4.is_some() || v6.is_some()).then_some(Watch { seen, v4, v6 })
    }

    /// Reads what the raw sockets hold right now. The kernel hands an ICMP error to raw
    /// sockets before it reports it to the socket it is about, so after a refused
    /// connect the error (if one caused it) is already queued here: no waiting, no race.
    fn drain(&self) {
        let mut buf = [0u8; 1500];
        if let Some(sock) = &self.v4 {
            for _ in 0..DRAIN_MAX {
                match sock.try_recv(&mut buf) {
                    Ok(n) => record(&self.seen, parse_v4(&buf[..n])),
                    Err(_) => break,
                }
            }
        }
        if let Some(sock) = &self.v6 {
            for _ in 0..DRAIN_MAX {
                match sock.try_recv_from(&mut buf) {
                    Ok((n, from)) => {
                        if let IpAddr::V6(sender) = from.ip() {
                            record(&self.seen, parse_v6(&buf[..n], sender));
                        }
                    }
                    Err(_) => break,
                }
            }
        }
    }

    /// The ICMP error behind a refusal of a packet to `dst` that the socket just
    /// reported (ECONNREFUSED): `None` means the far end's own RST or, for UDP, nothing
    /// this watch saw. Taken out of the record, so a later RST on the same port is not
    /// mistaken for an old reject.
    pub fn refusal(&self, dst: SocketAddr, protocol: u8) -> Option<Unreachable> {
        self.drain();
        self.seen
            .lock()
            .ok()?
            .remove(&(dst.ip(), protocol, dst.port()))
    }

    /// The ICMP error seen for a TCP (6) or UDP (17) packet to `dst`, waiting briefly for
    /// the reader task to catch up with the kernel.
    pub async fn lookup(&self, dst: SocketAddr, protocol: u8) -> Option<Unreachable> {
        for _ in 0..10 {
            self.drain();
            if let Some(u) = self
                .seen
                .lock()
                .ok()?
                .get(&(dst.ip(), protocol, dst.port()))
            {
                return Some(*u);
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        None
    }

    /// The ICMP error seen so far for a packet to `dst`, without waiting (for a probe
    /// that timed out: an error may have come while the socket was not told of it).
    pub fn seen(&self, dst: SocketAddr, protocol: u8) -> Option<Unreachable> {
        self.drain();
        self.seen
            .lock()
            .ok()?
            .get(&(dst.ip(), protocol, dst.port()))
            .copied()
    }
}

/// A raw socket of one ICMP family, as a tokio socket; `None` without the privilege.
fn raw(domain: Domain, protocol: SockProto) -> Option<tokio::net::UdpSocket> {
    let sock = Socket::new(domain, Type::RAW, Some(protocol)).ok()?;
    sock.set_nonblocking(true).ok()?;
    tokio::net::UdpSocket::from_std(std::net::UdpSocket::from(sock)).ok()
}

fn record(sink: &Seen, u: Option<Unreachable>) {
    if let (Some(u), Ok(mut m)) = (u, sink.lock()) {
        m.insert((u.dst, u.protocol, u.dst_port), u);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An admin-prohibited error from 10.0.0.1 about a TCP SYN to 10.0.0.2:10002.
    fn packet(code: u8) -> Vec<u8> {
        let mut p = vec![
            0x45, 0, 0, 56, 0, 0, 0, 0, 64, 1, 0, 0, 10, 0, 0, 1, 10, 0, 0, 9,
        ];
        p.extend_from_slice(&[3, code, 0, 0, 0, 0, 0, 0]);
        p.extend_from_slice(&[
            0x45, 0, 0, 60, 0, 0, 0, 0, 64, 6, 0, 0, 10, 0, 0, 9, 10, 0, 0, 2,
        ]);
        p.extend_from_slice(&[0xc3, 0x50, 0x27, 0x12, 0, 0, 0, 1]);
        p
    }

    #[test]
    fn quoted_packet_names_the_probe_and_the_sender() {
        let u = parse_v4(&packet(13)).expect("parse");
        assert_eq!(u.sender, IpAddr::from([10, 0, 0, 1]));
        assert_eq!(
            (u.dst, u.protocol, u.dst_port),
            (IpAddr::from([10, 0, 0, 2]), 6, 10002)
        );
        assert!(u.meaning() == Meaning::Prohibited);
        assert_eq!(u.kind(), "ICMP type 3 code 13");
        for code in [1, 3] {
            assert_ne!(
                parse_v4(&packet(code)).expect("parse").meaning(),
                Meaning::Prohibited
            );
        }
        let p = packet(13);
        for n in 0..52 {
            assert!(parse_v4(&p[..n]).is_none(), "accepted {n} bytes");
        }
        assert!(parse_v4(&p[..52]).is_some(), "the quoted ports are enough");
        let mut echo = packet(0);
        echo[20] = 0;
        assert!(
            parse_v4(&echo).is_none(),
            "an echo reply is not an unreachable"
        );
    }

    /// An ICMPv6 destination-unreachable (`code`) from fd00::1 about a TCP SYN from
    /// fd00::9 to fd00::2:10002, as a raw ICMPv6 socket reads it (no outer IPv6 header).
    fn packet_v6(code: u8) -> Vec<u8> {
        let mut p = vec![1, code, 0, 0, 0, 0, 0, 0];
        p.extend_from_slice(&[0x60, 0, 0, 0, 0, 40, 6, 64]);
        p.extend_from_slice(&"fd00::9".parse::<Ipv6Addr>().expect("v6").octets());
        p.extend_from_slice(&"fd00::2".parse::<Ipv6Addr>().expect("v6").octets());
        p.extend_from_slice(&[0xc3, 0x50, 0x27, 0x12, 0, 0, 0, 1]);
        p
    }

    #[test]
    fn icmpv6_errors_name_the_probe_and_the_sender() {
        let router: Ipv6Addr = "fd00::1".parse().expect("v6");
        let u = parse_v6(&packet_v6(1), router).expect("parse");
        assert_eq!(u.sender, IpAddr::V6(router));
        assert_eq!(
            (u.dst, u.protocol, u.dst_port),
            ("fd00::2".parse().expect("v6"), 6, 10002)
        );
        assert!(u.meaning() == Meaning::Prohibited);
        assert_eq!(u.kind(), "ICMPv6 type 1 code 1");
        for code in [0, 3, 4] {
            assert_ne!(
                parse_v6(&packet_v6(code), router).expect("parse").meaning(),
                Meaning::Prohibited
            );
        }
        assert!(parse_v6(&packet_v6(6), router).expect("parse").meaning() == Meaning::Prohibited);
        let p = packet_v6(1);
        for n in 0..52 {
            assert!(parse_v6(&p[..n], router).is_none(), "accepted {n} bytes");
        }
        assert!(
            parse_v6(&p[..52], router).is_some(),
            "the quoted ports are enough"
        );
        let mut echo = packet_v6(0);
        echo[0] = 129;
        assert!(
            parse_v6(&echo, router).is_none(),
            "an echo reply is not an unreachable"
        );
        let mut v4 = packet_v6(1);
        v4[8] = 0x45;
        assert!(
            parse_v6(&v4, router).is_none(),
            "the quoted packet must be IPv6"
        );
    }

    /// One line per code: each family's numbering decoded (ICMPv6 type 1 code 4 is
    /// *port* unreachable, not host unreachable as ICMPv4's code 1).
    #[test]
    fn codes_are_decoded_in_their_familys_numbering() {
        use Meaning::*;
        let router: Ipv6Addr = "fd00::1".parse().expect("v6");
        let v4 = |c| parse_v4(&packet(c)).expect("parse");
        let v6 = |c| parse_v6(&packet_v6(c), router).expect("parse");
        let cases = [
            (
                v4(0),
                NetUnreachable,
                "ICMP type 3 code 0 (net unreachable)",
            ),
            (
                v4(1),
                HostUnreachable,
                "ICMP type 3 code 1 (host unreachable)",
            ),
            (
                v4(2),
                PortUnreachable,
                "ICMP type 3 code 2 (protocol unreachable)",
            ),
            (
                v4(3),
                PortUnreachable,
                "ICMP type 3 code 3 (port unreachable)",
            ),
            (
                v4(9),
                Prohibited,
                "ICMP type 3 code 9 (network administratively prohibited)",
            ),
            (
                v4(10),
                Prohibited,
                "ICMP type 3 code 10 (host administratively prohibited)",
            ),
            (
                v4(13),
                Prohibited,
                "ICMP type 3 code 13 (communication administratively prohibited)",
            ),
            (
                v6(0),
                NetUnreachable,
                "ICMPv6 type 1 code 0 (no route to destination)",
            ),
            (
                v6(1),
                Prohibited,
                "ICMPv6 type 1 code 1 (communication administratively prohibited)",
            ),
            (
                v6(3),
                HostUnreachable,
                "ICMPv6 type 1 code 3 (address unreachable)",
            ),
            (
                v6(4),
                PortUnreachable,
                "ICMPv6 type 1 code 4 (port unreachable)",
            ),
            (
                v6(5),
                Prohibited,
                "ICMPv6 type 1 code 5 (source address failed ingress/egress policy)",
            ),
            (
                v6(6),
                Prohibited,
                "ICMPv6 type 1 code 6 (reject route to destination)",
            ),
        ];
        for (u, meaning, text) in cases {
            assert_eq!((u.meaning(), u.describe().as_str()), (meaning, text));
        }
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_packets_never_panic(buf in proptest::collection::vec(proptest::num::u8::ANY, 0..120)) {
            let _ = parse_v4(&buf);
            let _ = parse_v6(&buf, Ipv6Addr::LOCALHOST);
        }
    }
}
