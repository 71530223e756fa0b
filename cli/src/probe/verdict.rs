//! What an answer means: OS errors → [`Outcome`], outcomes → verdicts, verdicts → a
//! flow status with a hint a firewall team can act on. Pure functions, no sockets.

use super::{FailKind, Outcome};
use portplan_core::report::{ProbeResult, Status, Verdict};
use portplan_core::{Flow, Phase, Port, Protocol};
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
        },
        _ if e.kind() == io::ErrorKind::ConnectionRefused => Outcome::Refused {
            rtt: std::time::Duration::ZERO,
        },
        _ if e.kind() == io::ErrorKind::TimedOut => Outcome::NoResponse,
        _ => fail(FailKind::Other),
    }
}

/// Explains why UDP 138 can only be `open|filtered`.
pub const UDP_138_DETAIL: &str = "the NetBIOS datagram service does not answer unsolicited \
datagrams: without ICMP port-unreachable it is open or filtered; run `portplan listen` on the \
far host to confirm";

/// The verdict, its nmap-style reason and a detail for one final outcome.
pub fn verdict(protocol: Protocol, port: Option<Port>, o: &Outcome) -> (Verdict, String, String) {
    let t = |v, r: &str, d: &str| (v, r.to_string(), d.to_string());
    match (protocol, o) {
        (_, Outcome::Answered { verified: true, detail, .. }) => t(Verdict::Verified, "confirmed", detail),
        (Protocol::Tcp, Outcome::Answered { detail, .. }) => t(Verdict::Open, "syn-ack", detail),
        (Protocol::Udp, Outcome::Answered { detail, .. }) => t(Verdict::Open, "udp-response", detail),
        (Protocol::Icmp, Outcome::Answered { detail, .. }) => t(Verdict::Open, "echo-reply", detail),
        (Protocol::Tcp, Outcome::Refused { .. }) => t(
            Verdict::Closed,
            "conn-refused",
            "RST: the path is open but nothing listens (expected before installation)",
        ),
        (_, Outcome::Refused { .. }) => t(Verdict::Closed, "port-unreach", "ICMP port unreachable"),
        (Protocol::Udp, Outcome::NoResponse) => {
            let d = if port.map(Port::get) == Some(138) { UDP_138_DETAIL } else { "no reply and no ICMP error" };
            t(Verdict::OpenFiltered, "no-response", d)
        }
        (_, Outcome::NoResponse) => t(Verdict::Filtered, "no-response", "no answer within the timeout"),
        (_, Outcome::Failed { kind, message }) => match kind {
            FailKind::HostUnreachable => t(
                Verdict::Filtered,
                "host-unreachable",
                &format!("{message} (ICMP host unreachable or admin-prohibited: a firewall rejects, or no route)"),
            ),
            FailKind::NetUnreachable => t(Verdict::Filtered, "net-unreachable", message),
            FailKind::AdminProhibited => t(Verdict::Filtered, "admin-prohibited", message),
            FailKind::TooManyFiles => t(
                Verdict::Error,
                "emfile",
                &format!("{message}: out of file descriptors even after backing off; lower --concurrency"),
            ),
            FailKind::Other => t(Verdict::Error, "os-error", message),
        },
        (_, Outcome::NeedsPrivilege(why)) => t(Verdict::NeedsPrivilege, "no-icmp-socket", why),
    }
}

/// Round-trip time of an outcome, in milliseconds, when there was an answer.
pub fn latency_ms(o: &Outcome) -> Option<f64> {
    match o {
        Outcome::Answered { rtt, .. } | Outcome::Refused { rtt } if !rtt.is_zero() => {
            Some((rtt.as_secs_f64() * 10_000.0).round() / 10.0)
        }
        _ => None,
    }
}

/// Whether a failed attempt is worth repeating: only silence is (a lost SYN or datagram).
pub fn retryable(o: &Outcome) -> bool {
    matches!(o, Outcome::NoResponse)
}

/// How one probe counts towards its flow. In a dynamic RPC range a closed port proves
/// the path (only the ports the endpoint mapper hands out listen), so it passes.
pub fn probe_status(v: Verdict, in_dynamic_range: bool) -> Status {
    match v {
        Verdict::Open | Verdict::Verified => Status::Pass,
        Verdict::Closed if in_dynamic_range => Status::Pass,
        Verdict::Closed | Verdict::OpenFiltered | Verdict::NeedsPrivilege => Status::Attention,
        Verdict::Filtered | Verdict::Unresolved | Verdict::Error => Status::Fail,
    }
}

fn phase_words(p: Phase) -> &'static str {
    match p {
        Phase::Discovery => "discovery",
        Phase::Conversion => "the conversion (take control)",
        Phase::Transfer => "the transfer",
        Phase::Legacy => "the block-based transfer",
        Phase::Management => "management traffic",
    }
}

/// The flow's status (its worst probe) and a hint per problem, joined by "; ".
pub fn summarize(flow: &Flow, probes: &[ProbeResult], dynamic: bool) -> (Status, String) {
    let status = probes
        .iter()
        .map(|p| probe_status(p.verdict, dynamic))
        .max()
        .unwrap_or(Status::Fail);
    let proto = flow.protocol.as_str().to_ascii_uppercase();
    let mut hints: Vec<String> = Vec::new();
    let mut by = |pred: &dyn Fn(&ProbeResult) -> bool,
                  text: &dyn Fn(&str, &ProbeResult) -> String| {
        let hit: Vec<&ProbeResult> = probes.iter().filter(|p| pred(p)).collect();
        if let Some(first) = hit.first() {
            let ports: Vec<String> = hit
                .iter()
                .filter_map(|p| p.port)
                .map(|p| p.to_string())
                .collect();
            let what = if ports.is_empty() {
                proto.clone()
            } else {
                format!("{proto} {}", ports.join(", "))
            };
            hints.push(text(&what, first));
        }
    };
    let (from, to, phase) = (&flow.from, &flow.to, phase_words(flow.phase));
    by(
        &|p| p.verdict == Verdict::Filtered && p.reason == "no-response",
        &|w, _| format!("filtered: a firewall drops {w} from {from} to {to}; open it for {phase}"),
    );
    by(
        &|p| p.verdict == Verdict::Filtered && p.reason != "no-response",
        &|w, p| {
            // The ICMP sender, when known, is the router or firewall to look at.
            let by = match p.detail.rsplit_once(" from ") {
                Some((_, ip)) if ip.parse::<std::net::IpAddr>().is_ok() => format!(" by {ip}"),
                _ => String::new(),
            };
            format!(
                "filtered: {w} from {from} to {to} is rejected ({}{by}); open it for {phase}",
                p.reason
            )
        },
    );
    by(&|p| p.verdict == Verdict::Unresolved, &|_, p| {
        format!("unresolved: {to}'s address does not resolve from {from} ({}); fix DNS or put an IP address in the scenario", p.detail)
    });
    by(
        &|p| p.verdict == Verdict::Error && p.reason == "deadline",
        &|w, _| {
            format!("error: {w} was not probed before the deadline; rerun with a larger --max-time or fewer flows (--to, --only-phase)")
        },
    );
    by(
        &|p| p.verdict == Verdict::Error && p.reason != "deadline",
        &|w, p| format!("error: {w}: {}", p.detail),
    );
    by(&|p| p.verdict == Verdict::Closed && !dynamic, &|w, p| {
        let answer = if p.protocol == Protocol::Udp {
            "ICMP port unreachable"
        } else {
            "RST"
        };
        format!("closed: nothing listens on {w} at {to} yet, but the network lets it through ({answer}); expected until PlateSpin runs there")
    });
    by(&|p| p.verdict == Verdict::OpenFiltered, &|w, _| {
        format!(
            "open|filtered: {w} got no reply from {to}; run `portplan listen` on {to} to confirm"
        )
    });
    by(&|p| p.verdict == Verdict::NeedsPrivilege, &|_, _| {
        "needs-privilege: ICMP echo needs root or a group in net.ipv4.ping_group_range; rerun with sudo".to_string()
    });
    (status, hints.join("; "))
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
        assert_eq!(udp(137, &os(REFUSED)).1, "port-unreach");
        let answer = Outcome::Answered {
            rtt: Duration::from_micros(1500),
            detail: "WEB01".into(),
            verified: false,
        };
        assert_eq!(
            udp(137, &answer),
            (Verdict::Open, "udp-response".into(), "WEB01".into())
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

    fn probe(port: u16, v: Verdict, reason: &str) -> ProbeResult {
        ProbeResult {
            protocol: Protocol::Tcp,
            port: Port::new(port),
            verdict: v,
            reason: reason.into(),
            latency_ms: None,
            attempts: 1,
            detail: String::new(),
        }
    }

    fn flow() -> Flow {
        Flow {
            phase: Phase::Transfer,
            from: "web01".into(),
            to: "web01-t".into(),
            protocol: Protocol::Tcp,
            ports: None,
            purpose: String::new(),
            rule: "r".into(),
            address: None,
            optional: false,
            notes: Vec::new(),
        }
    }

    #[test]
    fn flows_take_their_worst_probe_and_say_what_to_do() {
        let (s, hint) = summarize(
            &flow(),
            &[probe(3725, Verdict::Filtered, "no-response")],
            false,
        );
        assert_eq!(s, Status::Fail);
        assert_eq!(
            hint,
            "filtered: a firewall drops TCP 3725 from web01 to web01-t; open it for the transfer"
        );
        let (s, hint) = summarize(
            &flow(),
            &[
                probe(1, Verdict::Open, "syn-ack"),
                probe(2, Verdict::Closed, "conn-refused"),
            ],
            false,
        );
        assert_eq!(s, Status::Attention);
        assert!(
            hint.starts_with("closed: nothing listens on TCP 2 at web01-t"),
            "{hint}"
        );
        let (s, hint) = summarize(
            &flow(),
            &[
                probe(1, Verdict::Open, "syn-ack"),
                probe(2, Verdict::Closed, "conn-refused"),
            ],
            true,
        );
        assert_eq!((s, hint.as_str()), (Status::Pass, ""));
        let (s, _) = summarize(
            &flow(),
            &[
                probe(1, Verdict::Error, "deadline"),
                probe(2, Verdict::Open, "syn-ack"),
            ],
            false,
        );
        assert_eq!(s, Status::Fail);
        assert_eq!(summarize(&flow(), &[], false).0, Status::Fail);
    }
}
