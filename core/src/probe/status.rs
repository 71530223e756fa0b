//! What the verdicts of a flow's probes mean for the flow: its status (pass, attention,
//! fail) and one hint per problem, in words a firewall team can act on, from the
//! service facts of the core (whose service a closed port is, which port never answers).
//! Pure: the CLI's table and report and the page read the same words.

use crate::report::{port_runs, ProbeResult, Reason, Status, Verdict};
use crate::services::{self, Owner};
use crate::{Flow, Phase, Port, Protocol, Role};

/// Whether a port never answers a probe (UDP 138): one datagram, no retry, no token.
pub fn never_answers(protocol: Protocol, port: Option<Port>) -> bool {
    port.and_then(|p| services::fact(protocol, p.get()))
        .is_some_and(|f| f.never_answers())
}

/// How one probe counts towards its flow. In a dynamic RPC range a closed port proves
/// the path (only the ports the endpoint mapper hands out listen), so it passes; so does
/// silence on a port that never answers (UDP 138, see [`services::UDP_138_POLICY`]). A
/// responder of another plan proves nothing about this plan: attention, never a pass.
pub fn probe_status(p: &ProbeResult, in_dynamic_range: bool) -> Status {
    match p.reason {
        Reason::ForeignToken => return Status::Attention,
        // Another host answered where this one was dialed: the flow does not reach it.
        Reason::WrongHost => return Status::Fail,
        _ => {}
    }
    match p.verdict {
        Verdict::Open | Verdict::Verified => Status::Pass,
        Verdict::Closed if in_dynamic_range => Status::Pass,
        Verdict::OpenFiltered if never_answers(p.protocol, p.port) => Status::Pass,
        Verdict::Closed | Verdict::OpenFiltered | Verdict::NeedsPrivilege => Status::Attention,
        Verdict::Filtered | Verdict::Unresolved | Verdict::Error => Status::Fail,
    }
}

/// Whether a reject's detail names the ICMP error's sender (`… from 10.0.0.1`).
fn from_icmp(p: &ProbeResult) -> bool {
    matches!(p.detail.rsplit_once(" from "), Some((_, ip)) if ip.parse::<std::net::IpAddr>().is_ok())
}

/// The plan digest a foreign-token probe's detail carries (`… plan sha256:…`).
fn p_digest(probes: &[ProbeResult]) -> String {
    probes
        .iter()
        .filter(|p| p.reason == Reason::ForeignToken)
        .find_map(|p| {
            p.detail.find("sha256:").map(|i| {
                p.detail[i..]
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .trim_end_matches([')', ';', ','])
                    .to_string()
            })
        })
        .unwrap_or_else(|| "the plan given to check".into())
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
/// `to_role` is the destination's role in the plan (the server's 80/443 are PlateSpin's).
pub fn summarize(
    flow: &Flow,
    probes: &[ProbeResult],
    dynamic: bool,
    to_role: Option<Role>,
) -> (Status, String) {
    let status = probes
        .iter()
        .map(|p| probe_status(p, dynamic))
        .max()
        .unwrap_or(Status::Fail);
    let proto = flow.protocol.as_str().to_ascii_uppercase();
    let mut hints: Vec<String> = Vec::new();
    let mut by = |pred: &dyn Fn(&ProbeResult) -> bool,
                  text: &dyn Fn(&str, &ProbeResult) -> String| {
        let hit: Vec<&ProbeResult> = probes.iter().filter(|p| pred(p)).collect();
        if let Some(first) = hit.first() {
            let ports: Vec<u16> = hit.iter().filter_map(|p| p.port).map(Port::get).collect();
            // Ranges with counts: a dropped block of 4,096 ports is one short phrase.
            let what = if ports.is_empty() {
                proto.clone()
            } else {
                format!("{proto} {}", port_runs(&ports))
            };
            hints.push(text(&what, first));
        }
    };
    let (from, to, phase) = (&flow.from, &flow.to, phase_words(flow.phase));
    by(
        &|p| p.verdict == Verdict::Filtered && p.reason == Reason::NoResponse,
        &|w, _| format!("filtered: a firewall drops {w} from {from} to {to}; open it for {phase}"),
    );
    // No ICMP sender: the error is this machine's own (no ARP answer, no route).
    let local = |p: &ProbeResult| {
        matches!(p.reason, Reason::HostUnreachable | Reason::NetUnreachable) && !from_icmp(p)
    };
    by(&|p| p.verdict == Verdict::Filtered && local(p), &|w, p| {
        format!(
            "filtered: {w} to {to} fails on this machine ({}: no ICMP error came from the \
             network): host down, wrong address, or no route from this machine; check the \
             address of {to} in the scenario and the routes of {from}",
            p.reason
        )
    });
    by(
        &|p| p.verdict == Verdict::Filtered && p.reason != Reason::NoResponse && !local(p),
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
        &|p| p.verdict == Verdict::Error && p.reason == Reason::Deadline,
        &|w, _| {
            format!("error: {w} was not probed before the deadline; rerun with a larger --max-time or fewer flows (--to, --only-phase)")
        },
    );
    by(
        &|p| p.verdict == Verdict::Error && p.reason != Reason::Deadline,
        &|w, p| format!("error: {w}: {}", p.detail),
    );
    let owner = |p: &ProbeResult| {
        p.port
            .and_then(|port| services::fact(p.protocol, port.get()))
            .map(|f| f.owner)
    };
    let answer = |p: &ProbeResult| {
        if p.protocol == Protocol::Udp {
            "ICMP port unreachable"
        } else {
            "RST"
        }
    };
    by(
        &|p| {
            p.verdict == Verdict::Closed
                && !dynamic
                && matches!(owner(p), Some(Owner::Windows { .. }))
        },
        &|w, p| match owner(p) {
            Some(Owner::Windows {
                firewall_group,
                service,
            }) => format!(
                "closed: {w} at {to} answers {} — the network lets it through, but Windows' own \
                 service does not listen (not PlateSpin's: it will not come with the install); on \
                 {to} start the {service} service and enable the Windows Firewall rule group \
                 \"{firewall_group}\"",
                answer(p)
            ),
            _ => String::new(),
        },
    );
    let server_web = |p: &ProbeResult| {
        to_role == Some(Role::Server) && matches!(owner(p), Some(Owner::PlateSpinServer))
    };
    by(
        &|p| p.verdict == Verdict::Closed && !dynamic && server_web(p),
        &|w, p| {
            format!(
            "closed: the PlateSpin server {to} does not answer on {w} ({}): the network lets it \
             through, but the PlateSpin Server service is not answering; check that PlateSpin \
             Server is installed and running on {to} (its web server, IIS, started)",
            answer(p)
        )
        },
    );
    by(
        &|p| {
            p.verdict == Verdict::Closed
                && !dynamic
                && !matches!(owner(p), Some(Owner::Windows { .. }))
                && !server_web(p)
        },
        &|w, p| {
            format!(
                "closed: nothing listens on {w} at {to} yet, but the network lets it through ({}); expected until PlateSpin runs there",
                answer(p)
            )
        },
    );
    by(&|p| p.reason == Reason::ForeignToken, &|w, _| {
        format!(
            "foreign-token: {w} at {to} is `portplan listen` of another plan; run `portplan listen` on {to} with this plan ({})",
            p_digest(probes)
        )
    });
    by(&|p| p.reason == Reason::WrongHost, &|w, p| {
        format!(
            "wrong-host: {w} dialed for {to} was {}; fix the address of {to} in the scenario, \
             its DNS name or the NAT rule that delivers there",
            p.detail
        )
    });
    by(
        &|p| p.verdict == Verdict::OpenFiltered && !never_answers(p.protocol, p.port),
        &|w, _| {
            format!(
            "open|filtered: {w} got no reply from {to}; run `portplan listen` on {to} to confirm"
        )
        },
    );
    by(&|p| p.verdict == Verdict::NeedsPrivilege, &|_, _| {
        "needs-privilege: ICMP echo needs root or a group in net.ipv4.ping_group_range; rerun with sudo".to_string()
    });
    (status, hints.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probe(port: u16, v: Verdict, reason: &str) -> ProbeResult {
        let reason = reason.parse().expect("reason");
        ProbeResult::new(Protocol::Tcp, Port::new(port), v, reason)
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
            inferred: false,
        }
    }

    #[test]
    fn flows_take_their_worst_probe_and_say_what_to_do() {
        let (s, hint) = summarize(
            &flow(),
            &[probe(3725, Verdict::Filtered, "no-response")],
            false,
            None,
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
            None,
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
            None,
        );
        assert_eq!((s, hint.as_str()), (Status::Pass, ""));
        let (s, _) = summarize(
            &flow(),
            &[
                probe(1, Verdict::Error, "deadline"),
                probe(2, Verdict::Open, "syn-ack"),
            ],
            false,
            None,
        );
        assert_eq!(s, Status::Fail);
        assert_eq!(summarize(&flow(), &[], false, None).0, Status::Fail);
    }

    /// One line per case: probes of a flow to a host of a role → status and hint words.
    #[test]
    fn service_facts_decide_status_and_advice() {
        let udp = |port: u16, v, reason: &str| ProbeResult {
            protocol: Protocol::Udp,
            ..probe(port, v, reason)
        };
        let local = ProbeResult {
            detail: "No route to host (os error 113)".into(),
            ..probe(22, Verdict::Filtered, "host-unreachable")
        };
        let routed = ProbeResult {
            detail: "No route to host (os error 113): ICMP type 3 code 1 from 10.0.0.254".into(),
            ..probe(22, Verdict::Filtered, "host-unreachable")
        };
        let foreign = ProbeResult {
            detail: "portplan listen answered with another plan's token; this check uses plan sha256:abc".into(),
            ..probe(3725, Verdict::Open, "foreign-token")
        };
        let wrong = ProbeResult {
            detail: "answered by web02 (expected web01-t)".into(),
            ..probe(3725, Verdict::Open, "wrong-host")
        };
        let cases: Vec<(ProbeResult, Option<Role>, Status, &str)> = vec![
            (wrong, Some(Role::Target), Status::Fail,
             "wrong-host: TCP 3725 dialed for web01-t was answered by web02 (expected web01-t); fix the address of web01-t"),
            (probe(445, Verdict::Closed, "conn-refused"), Some(Role::Source), Status::Attention,
             "start the Server (LanmanServer) service and enable the Windows Firewall rule group \"File and Printer Sharing\""),
            (probe(135, Verdict::Closed, "conn-refused"), Some(Role::Source), Status::Attention,
             "\"Windows Management Instrumentation (WMI)\""),
            (udp(137, Verdict::Closed, "port-unreach"), Some(Role::Source), Status::Attention,
             "answers ICMP port unreachable"),
            (probe(443, Verdict::Closed, "conn-refused"), Some(Role::Server), Status::Attention,
             "the PlateSpin Server service is not answering"),
            (probe(443, Verdict::Closed, "conn-refused"), Some(Role::Source), Status::Attention,
             "expected until PlateSpin runs there"),
            (probe(3725, Verdict::Closed, "conn-refused"), Some(Role::Source), Status::Attention,
             "expected until PlateSpin runs there"),
            (udp(138, Verdict::OpenFiltered, "no-response"), Some(Role::Source), Status::Pass, ""),
            (udp(137, Verdict::OpenFiltered, "no-response"), Some(Role::Source), Status::Attention,
             "run `portplan listen`"),
            (local, Some(Role::Source), Status::Fail, "host down, wrong address, or no route from this machine"),
            (routed, Some(Role::Source), Status::Fail, "is rejected (host-unreachable by 10.0.0.254)"),
            (foreign, Some(Role::Source), Status::Attention, "another plan; run `portplan listen` on web01-t with this plan (sha256:abc)"),
        ];
        for (p, role, status, words) in cases {
            let what = format!("{:?} {:?} {}", p.protocol, p.port, p.reason);
            let (got, hint) = summarize(&flow(), &[p], false, role);
            assert_eq!(got, status, "{what}: {hint}");
            assert!(hint.contains(words), "{what}: {hint}");
            if words.is_empty() {
                assert_eq!(hint, "", "{what}");
            }
        }
    }
}
