//! ICMP echo (ping) without shelling out to `ping`.
//!
//! Linux offers two ways: an unprivileged "ping socket" (`SOCK_DGRAM`, allowed when our
//! group is inside `net.ipv4.ping_group_range`) and a raw socket (root or CAP_NET_RAW).
//! We try them in that order and answer `needs-privilege` — never `filtered` — when
//! neither is allowed. The packet codec is pure and tested without sockets.

use super::verdict::classify;
use super::{FailKind, Outcome};
use socket2::{Domain, Protocol as SockProto, SockAddr, Socket, Type};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::{Duration, Instant};

static SEQ: AtomicU16 = AtomicU16::new(1);

/// An echo request: type 8 (IPv4) or 128 (IPv6), with checksum (ICMPv6's is the kernel's).
pub fn echo_request(v6: bool, id: u16, seq: u16, payload: &[u8]) -> Vec<u8> {
    let mut p = vec![if v6 { 128 } else { 8 }, 0, 0, 0];
    p.extend_from_slice(&id.to_be_bytes());
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(payload);
    if !v6 {
        let c = checksum(&p);
        p[2..4].copy_from_slice(&c.to_be_bytes());
    }
    p
}

/// The Internet checksum (RFC 1071).
pub fn checksum(data: &[u8]) -> u16 {
    let mut sum: u32 = data
        .chunks(2)
        .map(|c| u32::from(u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)])))
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// Whether `buf` is the reply to our request. Raw IPv4 sockets deliver the IP header
/// first; ping sockets rewrite the id, so `id` is `None` for them.
pub fn is_echo_reply(buf: &[u8], v6: bool, ip_header: bool, id: Option<u16>, seq: u16) -> bool {
    let icmp = if ip_header {
        let ihl = usize::from(buf.first().map_or(0, |b| b & 0x0f)) * 4;
        if ihl < 20 {
            return false;
        }
        buf.get(ihl..).unwrap_or(&[])
    } else {
        buf
    };
    let Some(h) = icmp.get(..8) else { return false };
    let want_type = if v6 { 129 } else { 0 };
    h[0] == want_type
        && h[1] == 0
        && id.is_none_or(|id| h[4..6] == id.to_be_bytes())
        && h[6..8] == seq.to_be_bytes()
}

fn privilege_message() -> String {
    let range = std::fs::read_to_string("/proc/sys/net/ipv4/ping_group_range")
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into());
    format!(
        "no ICMP socket: net.ipv4.ping_group_range is \"{range}\" (our group is outside it) \
         and raw sockets need root or CAP_NET_RAW; rerun with sudo, or add the group to \
         net.ipv4.ping_group_range"
    )
}

/// Opens a ping socket, else a raw one; `Err` is the outcome to report.
fn open(v6: bool) -> Result<(Socket, bool), Outcome> {
    let (domain, proto) = if v6 {
        (Domain::IPV6, SockProto::ICMPV6)
    } else {
        (Domain::IPV4, SockProto::ICMPV4)
    };
    let denied = |e: &std::io::Error| {
        matches!(
            e.raw_os_error(),
            Some(libc::EACCES | libc::EPERM | libc::EPROTONOSUPPORT)
        )
    };
    match Socket::new(domain, Type::DGRAM, Some(proto)) {
        Ok(s) => return Ok((s, false)),
        Err(e) if !denied(&e) => return Err(classify(&e)),
        Err(_) => {}
    }
    match Socket::new(domain, Type::RAW, Some(proto)) {
        Ok(s) => Ok((s, true)),
        Err(e) if denied(&e) => Err(Outcome::NeedsPrivilege(privilege_message())),
        Err(e) => Err(classify(&e)),
    }
}

/// Sends one echo request to `ip` and waits up to `timeout` for its reply.
/// `source`: the address to send from (the `--from` host's), else the route's.
pub async fn echo(ip: IpAddr, source: Option<IpAddr>, timeout: Duration) -> Outcome {
    if cfg!(windows) {
        // Windows has no ping socket, and raw ICMP needs Administrator and still misses
        // replies the stack consumes; IcmpSendEcho would need `unsafe`. Say so plainly.
        return Outcome::NeedsPrivilege(format!(
            "ICMP echo is not probed from Windows by portplan (raw ICMP needs \
             Administrator and IcmpSendEcho is not used); check it with: ping -n 2 {ip}"
        ));
    }
    let v6 = ip.is_ipv6();
    let (sock, raw) = match open(v6) {
        Ok(s) => s,
        Err(o) => return o,
    };
    let id = (std::process::id() as u16) ^ 0x5050;
    let seq = SEQ.fetch_add(1, Ordering::Relaxed);
    let bound = match source {
        Some(src) => sock.bind(&SockAddr::from(SocketAddr::new(src, 0))),
        None => Ok(()),
    };
    let setup = bound
        .and_then(|_| sock.set_nonblocking(true))
        .and_then(|_| sock.connect(&SockAddr::from(SocketAddr::new(ip, 0))));
    if let Err(e) = setup {
        return classify(&e);
    }
    let sock = match tokio::net::UdpSocket::from_std(std::net::UdpSocket::from(sock)) {
        Ok(s) => s,
        Err(e) => return classify(&e),
    };
    let packet = echo_request(v6, id, seq, b"portplan check echo");
    let start = Instant::now();
    if let Err(e) = sock.send(&packet).await {
        return classify(&e);
    }
    let wait = async {
        let mut buf = [0u8; 1500];
        loop {
            match sock.recv(&mut buf).await {
                Ok(n) => {
                    let ip_header = raw && !v6;
                    let want_id = raw.then_some(id);
                    if is_echo_reply(&buf[..n], v6, ip_header, want_id, seq) {
                        return Outcome::Answered {
                            rtt: start.elapsed(),
                            detail: String::new(),
                            verified: false,
                        };
                    }
                }
                Err(e) => match classify(&e) {
                    Outcome::Failed {
                        kind: FailKind::Other,
                        ..
                    } => {}
                    other => return other,
                },
            }
        }
    };
    tokio::time::timeout(timeout, wait)
        .await
        .unwrap_or(Outcome::NoResponse)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_checksums_to_zero_and_reply_matches() {
        let req = echo_request(false, 0x1234, 7, b"abc");
        assert_eq!(checksum(&req), 0);
        let mut reply = req.clone();
        reply[0] = 0;
        assert!(is_echo_reply(&reply, false, false, Some(0x1234), 7));
        assert!(!is_echo_reply(&reply, false, false, Some(0x1235), 7));
        assert!(!is_echo_reply(&reply, false, false, None, 8));
        assert!(
            !is_echo_reply(&req, false, false, None, 7),
            "our own request"
        );
        let mut with_ip = vec![0x45u8; 1];
        with_ip.extend_from_slice(&[0u8; 19]);
        with_ip.extend_from_slice(&reply);
        assert!(is_echo_reply(&with_ip, false, true, Some(0x1234), 7));
        assert!(!is_echo_reply(&with_ip[..24], false, true, None, 7));
        assert!(!is_echo_reply(&[0x41], false, true, None, 7));
    }

    proptest::proptest! {
        /// Any datagram on the ICMP socket is checked without panicking.
        #[test]
        fn arbitrary_packets_never_panic(buf in proptest::collection::vec(proptest::num::u8::ANY, 0..100), raw: bool, v6: bool, seq: u16) {
            let _ = is_echo_reply(&buf, v6, raw, Some(1), seq);
        }
    }

    /// Runs as root in CI: a raw socket pings loopback.
    #[tokio::test]
    async fn loopback_answers_echo() {
        let o = echo(
            "127.0.0.1".parse().expect("ip"),
            None,
            Duration::from_secs(2),
        )
        .await;
        assert!(matches!(o, Outcome::Answered { .. }), "{o:?}");
    }
}
