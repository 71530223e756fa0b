//! Telling "admin-prohibited" from "host-unreachable".
//!
//! Linux reports both ICMP host-unreachable and the firewall's "communication
//! administratively prohibited" to `connect()` as the same EHOSTUNREACH. With a raw ICMP
//! socket (root) we read the ICMP errors themselves, so a filtered verdict can say which
//! it was and which router or firewall sent it — what a firewall team needs to find the
//! rule. Without the privilege the reason stays `host-unreachable`, which is still true.

use socket2::{Domain, Protocol as SockProto, Socket, Type};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// An ICMPv4 destination-unreachable about one of our packets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unreachable {
    /// Who sent the ICMP error (the target itself, or a router/firewall on the way).
    pub sender: Ipv4Addr,
    /// Destination and transport of the packet it refers to.
    pub dst: Ipv4Addr,
    pub protocol: u8,
    pub dst_port: u16,
    /// ICMP code: 0 net, 1 host, 3 port, 9/10/13 administratively prohibited…
    pub code: u8,
}

/// Parses a raw-socket datagram (IPv4 header, ICMP type 3, quoted IP header + 8 bytes).
pub fn parse(buf: &[u8]) -> Option<Unreachable> {
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
        sender,
        dst: Ipv4Addr::new(quoted[16], quoted[17], quoted[18], quoted[19]),
        protocol: quoted[9],
        dst_port: u16::from_be_bytes([quoted[qihl + 2], quoted[qihl + 3]]),
        code: icmp[1],
    })
}

/// Whether an ICMP code means a filter, not a missing route or host.
pub fn prohibited(code: u8) -> bool {
    matches!(code, 9 | 10 | 13)
}

type Seen = Arc<Mutex<HashMap<(Ipv4Addr, u8, u16), Unreachable>>>;

/// Collects the ICMP unreachables that arrive while probing.
#[derive(Debug, Clone)]
pub struct Watch {
    seen: Seen,
}

impl Watch {
    /// Starts listening (inside a tokio runtime); `None` without a raw socket.
    pub fn start() -> Option<Watch> {
        let sock = Socket::new(Domain::IPV4, Type::RAW, Some(SockProto::ICMPV4)).ok()?;
        sock.set_nonblocking(true).ok()?;
        let sock = tokio::net::UdpSocket::from_std(std::net::UdpSocket::from(sock)).ok()?;
        let seen: Seen = Arc::default();
        let sink = seen.clone();
        tokio::spawn(async move {
            let mut buf = [0u8; 1500];
            while let Ok(n) = sock.recv(&mut buf).await {
                if let Some(u) = parse(&buf[..n]) {
                    if let Ok(mut m) = sink.lock() {
                        m.insert((u.dst, u.protocol, u.dst_port), u);
                    }
                }
            }
        });
        Some(Watch { seen })
    }

    /// The ICMP error seen for a TCP (6) or UDP (17) packet to `dst`, waiting briefly for
    /// the reader task to catch up with the kernel.
    pub async fn lookup(&self, dst: SocketAddr, protocol: u8) -> Option<Unreachable> {
        let IpAddr::V4(ip) = dst.ip() else {
            return None;
        };
        for _ in 0..10 {
            if let Some(u) = self.seen.lock().ok()?.get(&(ip, protocol, dst.port())) {
                return Some(*u);
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        None
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
        let u = parse(&packet(13)).expect("parse");
        assert_eq!(u.sender, Ipv4Addr::new(10, 0, 0, 1));
        assert_eq!(
            (u.dst, u.protocol, u.dst_port),
            (Ipv4Addr::new(10, 0, 0, 2), 6, 10002)
        );
        assert!(prohibited(u.code) && !prohibited(1) && !prohibited(3));
        let p = packet(13);
        for n in 0..52 {
            assert!(parse(&p[..n]).is_none(), "accepted {n} bytes");
        }
        assert!(parse(&p[..52]).is_some(), "the quoted ports are enough");
        let mut echo = packet(0);
        echo[20] = 0;
        assert!(
            parse(&echo).is_none(),
            "an echo reply is not an unreachable"
        );
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_packets_never_panic(buf in proptest::collection::vec(proptest::num::u8::ANY, 0..120)) {
            let _ = parse(&buf);
        }
    }
}
