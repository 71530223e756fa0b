//! Host-level diagnosis before blame: is anything there at all?
//!
//! A dead on-link address answers nothing, and Linux tells a probe so only when its
//! ARP or neighbour-discovery attempt gives up (about 3 s). Probes with a shorter wait
//! time out first and read "a firewall drops"; those that started late in a resolution
//! cycle read "host unreachable": the split changed from run to run. So a host's silent
//! results are held back while nothing about the host has answered, and decided
//! together at the end: one more attempt with a wait long enough for the neighbour
//! table to give up settles it, and every flow to a dead host reads `host-down` with one
//! detail, the same in every run, IPv4 and IPv6.

use super::{FailKind, Outcome};
use portplan_core::report::status::icmp_sender;
use portplan_core::report::{ProbeResult, Reason, Verdict};
use std::net::IpAddr;
use std::time::Duration;

/// The wait of the settling attempt: past Linux' ARP and neighbour-discovery give-up
/// (3 solicitations 1 s apart), so a dead on-link address always reports it.
pub const SETTLE_WAIT: Duration = Duration::from_secs(4);

/// What one outcome says about the host as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sign {
    /// Something answered for it: a handshake, a RST, a reply, or an ICMP error a
    /// router or firewall sent about it. The host's ports speak for themselves.
    Heard,
    /// This machine's own stack gave up on it: no ARP / neighbour answer (or, without a
    /// raw socket to tell, a "no route to host" nobody is named for).
    Gone,
    /// Silence: says nothing about the host yet.
    Silent,
    /// A "no route to host" at network speed that nobody could be named for (no raw
    /// socket): a firewall's reject, or a late member of a failing neighbour cycle.
    Unsure,
    /// Neither (a local error, a missing privilege, no route from here).
    Other,
}

/// Reads one outcome for the host-level decision.
pub fn sign(o: &Outcome) -> Sign {
    match o {
        Outcome::Answered { .. }
        | Outcome::Foreign { .. }
        | Outcome::WrongHost { .. }
        | Outcome::Refused { .. } => Sign::Heard,
        Outcome::Continues { opened, .. } => match sign(opened) {
            // An open port is heard; silence asking for the token is still silence.
            Sign::Silent => Sign::Silent,
            _ => Sign::Heard,
        },
        Outcome::NoResponse => Sign::Silent,
        Outcome::Failed { kind, message } => match kind {
            FailKind::NoNeighbour => Sign::Gone,
            FailKind::RemoteUnreachable => Sign::Unsure,
            FailKind::HostUnreachable if icmp_sender(message).is_none() => Sign::Gone,
            FailKind::HostUnreachable | FailKind::PortUnreachable | FailKind::AdminProhibited => {
                Sign::Heard
            }
            FailKind::NetUnreachable if icmp_sender(message).is_some() => Sign::Heard,
            _ => Sign::Other,
        },
        Outcome::NeedsPrivilege(_) => Sign::Other,
    }
}

/// A result held back until the host is decided.
#[derive(Debug)]
pub struct Held {
    pub index: usize,
    pub result: ProbeResult,
}

/// What is known about one host so far, and its held results.
#[derive(Debug, Default)]
pub struct Hearing {
    pub heard: bool,
    pub gone: bool,
    pub held: Vec<Held>,
}

impl Hearing {
    /// Takes in an attempt's outcome (any attempt: retries and follow-ups too).
    pub fn note(&mut self, o: &Outcome) {
        match sign(o) {
            Sign::Heard => self.heard = true,
            Sign::Gone => self.gone = true,
            Sign::Silent | Sign::Unsure | Sign::Other => {}
        }
    }

    /// Whether a final result must wait for the host's decision: while nothing was heard
    /// from the host, its silent, "gone" and unsure results (the decision makes a dead
    /// host's late "no route to host" read like the rest).
    pub fn holds(&self, o: &Outcome) -> bool {
        !self.heard && matches!(sign(o), Sign::Silent | Sign::Gone | Sign::Unsure)
    }

    /// Whether the settling attempt is needed: results are held and nothing decided yet.
    pub fn undecided(&self) -> bool {
        !self.heard && !self.gone && !self.held.is_empty()
    }

    /// The held results as they go out: unchanged when the host was heard or stayed
    /// merely silent (a firewall that drops everything, or an off-link host nobody
    /// reports on), else every one `filtered (host-down)` with the same detail.
    pub fn decide(&mut self, ip: IpAddr) -> Vec<Held> {
        let held = std::mem::take(&mut self.held);
        if self.heard || !self.gone {
            return held;
        }
        let asked = if ip.is_ipv4() {
            "ARP"
        } else {
            "neighbour discovery"
        };
        let detail = format!(
            "nothing answered from {ip} (no SYN-ACK, RST, ICMP error or echo reply) and this \
             machine got no {asked} answer for it (or a \"no route to host\" nobody sent)"
        );
        held.into_iter()
            .map(|mut h| {
                h.result.verdict = Verdict::Filtered;
                h.result.reason = Reason::HostDown;
                h.result.latency_ms = None;
                h.result.detail = detail.clone();
                h
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portplan_core::{Port, Protocol};

    fn failed(kind: FailKind, message: &str) -> Outcome {
        Outcome::Failed {
            kind,
            message: message.into(),
        }
    }

    /// One line per outcome: what it says about the host.
    #[test]
    fn outcomes_read_as_signs_of_the_host() {
        let cases = [
            (
                Outcome::Refused {
                    rtt: Duration::ZERO,
                    blind: true,
                },
                Sign::Heard,
            ),
            (Outcome::NoResponse, Sign::Silent),
            (failed(FailKind::NoNeighbour, "no ARP answer"), Sign::Gone),
            (
                failed(FailKind::HostUnreachable, "No route to host (os error 113)"),
                Sign::Gone,
            ),
            (
                failed(
                    FailKind::HostUnreachable,
                    "ICMP type 3 code 1 (host unreachable) from 10.0.0.254",
                ),
                Sign::Heard,
            ),
            (
                failed(
                    FailKind::PortUnreachable,
                    "ICMP type 3 code 3 (port unreachable) from 10.0.0.2",
                ),
                Sign::Heard,
            ),
            (
                failed(
                    FailKind::NetUnreachable,
                    "Network is unreachable (os error 101)",
                ),
                Sign::Other,
            ),
            (
                failed(FailKind::RemoteUnreachable, "No route to host after 0.4 ms"),
                Sign::Unsure,
            ),
            (failed(FailKind::TooManyFiles, "EMFILE"), Sign::Other),
            (Outcome::NeedsPrivilege("no socket".into()), Sign::Other),
        ];
        for (o, want) in cases {
            assert_eq!(sign(&o), want, "{o:?}");
        }
    }

    fn held(index: usize, v: Verdict, r: Reason) -> Held {
        Held {
            index,
            result: ProbeResult::new(Protocol::Tcp, Port::new(445), v, r),
        }
    }

    /// A host nothing answered for, whose neighbour entry failed, is down on every held
    /// result; heard or merely silent, the results stay as they were.
    #[test]
    fn a_host_is_decided_as_a_whole() {
        let ip: IpAddr = "fd00::99".parse().expect("ip");
        for (heard, gone, want) in [
            (false, true, (Verdict::Filtered, Reason::HostDown)),
            (false, false, (Verdict::Filtered, Reason::NoResponse)),
            (true, true, (Verdict::Filtered, Reason::NoResponse)),
        ] {
            let mut h = Hearing {
                heard,
                gone,
                held: vec![
                    held(0, Verdict::Filtered, Reason::NoResponse),
                    held(1, Verdict::Filtered, Reason::NoResponse),
                ],
            };
            let out = h.decide(ip);
            assert_eq!(out.len(), 2);
            for r in &out {
                assert_eq!(
                    (r.result.verdict, r.result.reason),
                    want,
                    "heard {heard}, gone {gone}"
                );
            }
            if want.1 == Reason::HostDown {
                assert!(out[0]
                    .result
                    .detail
                    .contains("no neighbour discovery answer for it"));
                assert_eq!(
                    out[0].result.detail, out[1].result.detail,
                    "one detail for all"
                );
            }
            assert!(h.held.is_empty());
        }
    }
}
