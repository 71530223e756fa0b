//! What an answer means: OS errors → [`Outcome`], outcomes → verdicts and reasons.
//! Pure functions, no sockets. What verdicts mean for a flow (its status and the hint a
//! firewall team can act on) is the core's ([`portplan_core::report::status`]).

use super::{FailKind, Outcome};
use portplan_core::report::status::{never_answers, REFUSED_UNSEEN};
use portplan_core::report::{Reason, Verdict};
use portplan_core::services;
use portplan_core::{Port, Protocol};
use std::io;

/// Sorts an OS error from connect/send/recv into what the verdict logic distinguishes.
pub fn classify(e: &io::Error) -> Outcome {
    let fail = |kind| Outcome::Failed {
        kind,
        message: e.to_string(),
    };
    match e.raw_os_error() {
        #[cfg(unix)]
        Some(libc::ECONNREFUSED) => Outcome::Refused {
            rtt: std::time::Duration::ZERO,
            blind: false,
        },
        #[cfg(unix)]
        Some(libc::EHOSTUNREACH) => fail(FailKind::HostUnreachable),
        #[cfg(unix)]
        Some(libc::ENETUNREACH) => fail(FailKind::NetUnreachable),
        #[cfg(unix)]
        Some(libc::EACCES | libc::EPERM) => fail(FailKind::AdminProhibited),
        #[cfg(unix)]
        Some(libc::EMFILE | libc::ENFILE) => fail(FailKind::TooManyFiles),
        // Winsock's codes for the same conditions (WSAEHOSTUNREACH, WSAENETUNREACH,
        // WSAEACCES, WSAEMFILE).
        #[cfg(windows)]
        Some(10065) => fail(FailKind::HostUnreachable),
        #[cfg(windows)]
        Some(10051) => fail(FailKind::NetUnreachable),
        #[cfg(windows)]
        Some(10013) => fail(FailKind::AdminProhibited),
        #[cfg(windows)]
        Some(10024) => fail(FailKind::TooManyFiles),
        // WSAECONNRESET on a connected UDP socket is Windows' report of ICMP port
        // unreachable (Linux says ECONNREFUSED); a TCP reset is sorted out before here.
        #[cfg(windows)]
        Some(10054) => Outcome::Refused {
            rtt: std::time::Duration::ZERO,
            blind: false,
        },
        _ if e.kind() == io::ErrorKind::ConnectionRefused => Outcome::Refused {
            rtt: std::time::Duration::ZERO,
            blind: false,
        },
        _ if e.kind() == io::ErrorKind::TimedOut => Outcome::NoResponse,
        _ => fail(FailKind::Other),
    }
}

/// Explains why UDP 138 can only be `open|filtered` (the policy is the core's).
pub const UDP_138_DETAIL: &str = services::UDP_138_POLICY;

/// The verdict, its nmap-style reason and a detail for one final outcome.
pub fn verdict(protocol: Protocol, port: Option<Port>, o: &Outcome) -> (Verdict, Reason, String) {
    let t = |v, r: Reason, d: &str| (v, r, d.to_string());
    match (protocol, o) {
        (_, Outcome::Answered { verified: true, detail, .. }) => t(Verdict::Verified, Reason::Confirmed, detail),
        (_, Outcome::Foreign { detail, .. }) => t(Verdict::Open, Reason::ForeignToken, detail),
        (_, Outcome::WrongHost { detail, .. }) => t(Verdict::Open, Reason::WrongHost, detail),
        (Protocol::Tcp, Outcome::Answered { detail, .. }) => t(Verdict::Open, Reason::SynAck, detail),
        (Protocol::Udp, Outcome::Answered { detail, .. }) => t(Verdict::Open, Reason::UdpResponse, detail),
        (Protocol::Icmp, Outcome::Answered { detail, .. }) => t(Verdict::Open, Reason::EchoReply, detail),
        (Protocol::Tcp, Outcome::Refused { blind: true, .. }) => t(Verdict::Closed, Reason::ConnRefused, REFUSED_UNSEEN),
        (Protocol::Tcp, Outcome::Refused { .. }) => t(
            Verdict::Closed,
            Reason::ConnRefused,
            "RST: the path is open but nothing listens",
        ),
        (_, Outcome::Refused { .. }) => t(Verdict::Closed, Reason::PortUnreach, "ICMP port unreachable"),
        (Protocol::Udp, Outcome::NoResponse) => {
            let d = if never_answers(protocol, port) { UDP_138_DETAIL } else { "no reply and no ICMP error" };
            t(Verdict::OpenFiltered, Reason::NoResponse, d)
        }
        (_, Outcome::NoResponse) => t(Verdict::Filtered, Reason::NoResponse, "no answer within the timeout"),
        (_, Outcome::Failed { kind, message }) => match kind {
            FailKind::HostUnreachable => t(
                Verdict::Filtered,
                Reason::HostUnreachable,
                // Without the ICMP error itself (no raw socket), say what it may be.
                &if message.contains("ICMP") {
                    message.clone()
                } else {
                    format!("{message} (ICMP host unreachable or admin-prohibited: a firewall rejects, or no route)")
                },
            ),
            FailKind::NoNeighbour | FailKind::RemoteUnreachable => {
                t(Verdict::Filtered, Reason::HostUnreachable, message)
            }
            FailKind::PortUnreachable => t(Verdict::Filtered, Reason::PortUnreach, message),
            FailKind::NetUnreachable => t(Verdict::Filtered, Reason::NetUnreachable, message),
            FailKind::AdminProhibited => t(Verdict::Filtered, Reason::AdminProhibited, message),
            FailKind::TooManyFiles => t(
                Verdict::Error,
                Reason::Emfile,
                &format!("{message}: out of file descriptors even after backing off; lower --concurrency"),
            ),
            FailKind::Other => t(Verdict::Error, Reason::OsError, message),
        },
        (_, Outcome::NeedsPrivilege(why)) => t(Verdict::NeedsPrivilege, Reason::NoIcmpSocket, why),
        // Only a run cut short leaves follow-ups unfinished: the port is open.
        (_, Outcome::Continues { opened, .. }) => verdict(protocol, port, opened),
    }
}

/// Round-trip time of an outcome, in milliseconds, when there was an answer.
pub fn latency_ms(o: &Outcome) -> Option<f64> {
    match o {
        Outcome::Continues { opened, .. } => latency_ms(opened),
        Outcome::Answered { rtt, .. }
        | Outcome::Foreign { rtt, .. }
        | Outcome::WrongHost { rtt, .. }
        | Outcome::Refused { rtt, .. }
            if !rtt.is_zero() =>
        {
            Some((rtt.as_secs_f64() * 10_000.0).round() / 10.0)
        }
        _ => None,
    }
}

/// Whether a failed attempt is worth repeating: only silence is (a lost SYN or datagram).
pub fn retryable(o: &Outcome) -> bool {
    matches!(o, Outcome::NoResponse)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn os(errno: i32) -> Outcome {
        classify(&io::Error::from_raw_os_error(errno))
    }

    /// "Connection refused" and "too many open files" as this OS reports them.
    #[cfg(unix)]
    const REFUSED: i32 = libc::ECONNREFUSED;
    #[cfg(unix)]
    const EMFILE: i32 = libc::EMFILE;
    #[cfg(windows)]
    const REFUSED: i32 = 10061; // WSAECONNREFUSED
    #[cfg(windows)]
    const EMFILE: i32 = 10024; // WSAEMFILE

    /// One line per case: OS error → verdict and reason.
    #[cfg(unix)]
    #[test]
    fn os_errors_give_honest_verdicts() {
        let cases = [
            (libc::ECONNREFUSED, Verdict::Closed, "conn-refused"),
            (libc::EHOSTUNREACH, Verdict::Filtered, "host-unreachable"),
            (libc::ENETUNREACH, Verdict::Filtered, "net-unreachable"),
            (libc::EACCES, Verdict::Filtered, "admin-prohibited"),
            (libc::EPERM, Verdict::Filtered, "admin-prohibited"),
            (libc::EMFILE, Verdict::Error, "emfile"),
            (libc::ENFILE, Verdict::Error, "emfile"),
            (libc::EINVAL, Verdict::Error, "os-error"),
        ];
        for (errno, v, reason) in cases {
            let (got, r, _) = verdict(Protocol::Tcp, Port::new(80), &os(errno));
            assert_eq!((got, r.as_str()), (v, reason), "errno {errno}");
        }
    }

    /// The same table for Winsock's codes (`WSAGetLastError`, as `raw_os_error` gives
    /// them on Windows; `winerror.h`), run under wine by `cargo xtask cross`. A timeout
    /// (`WSAETIMEDOUT`, a connect the stack gave up on) is silence: filtered, retryable.
    #[cfg(windows)]
    #[test]
    fn winsock_errors_give_the_same_verdicts() {
        let cases = [
            (10061, Verdict::Closed, "conn-refused"), // WSAECONNREFUSED
            (10065, Verdict::Filtered, "host-unreachable"), // WSAEHOSTUNREACH
            (10051, Verdict::Filtered, "net-unreachable"), // WSAENETUNREACH
            (10060, Verdict::Filtered, "no-response"), // WSAETIMEDOUT
            (10013, Verdict::Filtered, "admin-prohibited"), // WSAEACCES
            (10024, Verdict::Error, "emfile"),        // WSAEMFILE
            (10022, Verdict::Error, "os-error"),      // WSAEINVAL
            (10049, Verdict::Error, "os-error"),      // WSAEADDRNOTAVAIL
        ];
        for (code, v, reason) in cases {
            let (got, r, _) = verdict(Protocol::Tcp, Port::new(80), &os(code));
            assert_eq!((got, r.as_str()), (v, reason), "Winsock error {code}");
        }
        assert!(retryable(&os(10060)), "WSAETIMEDOUT is worth a retry");
        // ICMP port unreachable reaches a connected UDP socket as WSAECONNRESET.
        let (v, r, _) = verdict(Protocol::Udp, Port::new(161), &os(10054));
        assert_eq!((v, r.as_str()), (Verdict::Closed, "port-unreach"));
    }

    #[test]
    fn the_same_outcome_reads_per_protocol() {
        let udp = |n, o: &Outcome| verdict(Protocol::Udp, Port::new(n), o);
        let silent = Outcome::NoResponse;
        assert_eq!(
            verdict(Protocol::Tcp, Port::new(3725), &silent).0,
            Verdict::Filtered
        );
        assert_eq!(verdict(Protocol::Icmp, None, &silent).0, Verdict::Filtered);
        assert_eq!(udp(137, &silent).0, Verdict::OpenFiltered);
        assert_eq!(udp(138, &silent).2, UDP_138_DETAIL);
        assert_eq!(udp(137, &os(REFUSED)).1, Reason::PortUnreach);
        let answer = Outcome::Answered {
            rtt: Duration::from_micros(1500),
            detail: "WEB01".into(),
            verified: false,
        };
        assert_eq!(
            udp(137, &answer),
            (Verdict::Open, Reason::UdpResponse, "WEB01".into())
        );
        assert_eq!(latency_ms(&answer), Some(1.5));
        let proven = Outcome::Answered {
            rtt: Duration::from_millis(1),
            detail: "token".into(),
            verified: true,
        };
        assert_eq!(
            verdict(Protocol::Tcp, Port::new(3725), &proven).0,
            Verdict::Verified
        );
        let np = Outcome::NeedsPrivilege("no raw socket".into());
        assert_eq!(
            verdict(Protocol::Icmp, None, &np).0,
            Verdict::NeedsPrivilege
        );
        assert!(retryable(&silent) && !retryable(&os(REFUSED)) && !retryable(&os(EMFILE)));
    }
}
