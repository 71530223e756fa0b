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

/// The detail of a TCP probe refused where the prober could not read ICMP (no raw
/// socket: not root/Administrator). The OS reports a RST and a firewall's ICMP port
/// unreachable alike as "connection refused", so the port is closed *or* rejected.
pub const REFUSED_UNSEEN: &str = "connection refused, by a RST (nothing listens) or by a \
firewall's ICMP reject: this run could not read ICMP to tell them apart";

/// Whether a firewall rule can fix what the flow's probes saw: some probe was dropped or
/// rejected on the way. A host that is down, a name that does not resolve or a run cut
/// short fail the flow too, but a rule for them would be a rule nobody needs.
pub fn firewall_can_fix(probes: &[ProbeResult]) -> bool {
    probes
        .iter()
        .any(|p| p.verdict == Verdict::Filtered && p.reason != Reason::HostDown)
}

/// The detail's words for a "no route to host" that came back at network speed where the
/// prober could not read ICMP: an ICMP error from a router or firewall, not this machine.
pub const UNREACHABLE_UNSEEN: &str = "an ICMP error from the network (a firewall's reject \
or a router without a route); run check as root/Administrator to read its code and sender";

/// Whether a TCP refusal could not be told from a firewall's ICMP reject.
pub fn refused_unseen(p: &ProbeResult) -> bool {
    p.protocol == Protocol::Tcp && p.verdict == Verdict::Closed && p.detail.contains(REFUSED_UNSEEN)
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
        // Closed or rejected, unknown which: a rejected range must not pass.
        Verdict::Closed if refused_unseen(p) => Status::Attention,
        Verdict::Closed if in_dynamic_range => Status::Pass,
        Verdict::OpenFiltered if never_answers(p.protocol, p.port) => Status::Pass,
        Verdict::Closed | Verdict::OpenFiltered | Verdict::NeedsPrivilege => Status::Attention,
        Verdict::Filtered | Verdict::Unresolved | Verdict::Error => Status::Fail,
    }
}

/// The sender of the ICMP error a detail names (`… from 10.0.0.1`, also when more words
/// follow: `… from 10.0.0.1 (a firewall rejects)`); `None` when the error is this
/// machine's own (`from itself`) or the detail names none.
pub fn icmp_sender(detail: &str) -> Option<std::net::IpAddr> {
    // The last "from <address>" or "from itself": earlier ones may name the host dialed
    // ("no ARP answer from 10.0.0.9 (… from itself)").
    let last = detail
        .match_indices(" from ")
        .filter_map(|(i, m)| {
            let word = detail[i + m.len()..].split_whitespace().next()?;
            let word = word.trim_end_matches([')', ';', ',', ':', '.']);
            match word.parse::<std::net::IpAddr>() {
                Ok(ip) => Some(Some(ip)),
                Err(_) => (word == "itself").then_some(None),
            }
        })
        .last()?;
    last
}

/// Whether a reject's detail names the ICMP error's sender.
fn from_icmp(p: &ProbeResult) -> bool {
    icmp_sender(&p.detail).is_some()
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
        matches!(p.reason, Reason::HostUnreachable | Reason::NetUnreachable)
            && !from_icmp(p)
            && !p.detail.contains(UNREACHABLE_UNSEEN)
    };
    by(&|p| p.verdict == Verdict::Filtered && local(p), &|w, p| {
        format!(
            "filtered: {w} to {to} fails on this machine ({}: no ICMP error came from the \
             network): host down, wrong address, or no route from this machine; check the \
             address of {to} in the scenario and the routes of {from}",
            p.reason
        )
    });
    // A TCP SYN answered with ICMP port unreachable: no TCP stack does that (it sends a
    // RST), a firewall's REJECT rule does (iptables' and nftables' default reject).
    by(
        &|p| p.verdict == Verdict::Filtered && p.reason == Reason::PortUnreach,
        &|w, p| {
            let by = icmp_sender(&p.detail).map_or(String::new(), |ip| format!(" by {ip}"));
            format!(
                "rejected: a firewall refuses {w} from {from} to {to} with ICMP port \
                 unreachable{by} (a TCP stack answers with a RST, so this is a REJECT rule); \
                 open it for {phase}"
            )
        },
    );
    // Nothing about the host answered and its neighbour entry failed: no firewall to
    // open, a host to find.
    by(&|p| p.reason == Reason::HostDown, &|_, _| {
        format!(
            "host does not answer: down, or a wrong address: nothing came back from {to} (no \
             SYN-ACK, RST, ICMP error or echo reply) and it did not answer ARP / neighbour \
             discovery; check that {to} is up and that its address in the scenario is right"
        )
    });
    by(
        &|p| {
            p.verdict == Verdict::Filtered
                && !matches!(
                    p.reason,
                    Reason::NoResponse | Reason::PortUnreach | Reason::HostDown
                )
                && !local(p)
        },
        &|w, p| {
            // The ICMP sender, when known, is the router or firewall to look at.
            let by = icmp_sender(&p.detail).map_or(String::new(), |ip| format!(" by {ip}"));
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
    by(&refused_unseen, &|w, _| {
        format!(
            "closed or rejected: {w} at {to} refused the connection, by a RST (nothing \
             listens) or by a firewall's ICMP reject; this run could not read ICMP: run check \
             as root/Administrator to tell them apart"
        )
    });
    let closed = |p: &ProbeResult| p.verdict == Verdict::Closed && !dynamic && !refused_unseen(p);
    by(
        &|p| closed(p) && matches!(owner(p), Some(Owner::Windows { .. })),
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
    by(
        &|p| closed(p) && matches!(owner(p), Some(Owner::Linux { .. })),
        &|w, p| match owner(p) {
            Some(Owner::Linux { service }) => format!(
                "closed: {w} at {to} answers {} — the network lets it through, but {service} \
                 does not listen (not PlateSpin's: it will not come with the install); start \
                 {service} on {to}",
                answer(p)
            ),
            _ => String::new(),
        },
    );
    let web = |p: &ProbeResult| matches!(owner(p), Some(Owner::PlateSpinServer));
    let server_web = |p: &ProbeResult| to_role == Some(Role::Server) && web(p);
    // 80/443 elsewhere (an ESXi host, vCenter, a cloud portal) is that host's own
    // management service: PlateSpin never runs there.
    by(&|p| closed(p) && web(p) && !server_web(p), &|w, p| {
        format!(
            "closed: {to} does not answer on {w} ({}): the network lets it through, but \
                 {to}'s own web service (its management API, not PlateSpin's) is not \
                 listening; check that it runs and listens on {w}",
            answer(p)
        )
    });
    by(&|p| closed(p) && server_web(p), &|w, p| {
        format!(
            "closed: the PlateSpin server {to} does not answer on {w} ({}): the network lets it \
             through, but the PlateSpin Server service is not answering; check that PlateSpin \
             Server is installed and running on {to} (its web server, IIS, started)",
            answer(p)
        )
    });
    by(&|p| closed(p) && owner(p).is_none(), &|w, p| {
        format!(
                "closed: nothing listens on {w} at {to} yet, but the network lets it through ({}); expected until PlateSpin runs there",
                answer(p)
            )
    });
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
    // The detail is the prober's, in its OS's words (sudo and ping_group_range on
    // Linux, Administrator or `ping` on Windows).
    by(&|p| p.verdict == Verdict::NeedsPrivilege, &|w, p| {
        let w = if p.protocol == Protocol::Icmp {
            "ICMP echo"
        } else {
            w
        };
        format!(
            "needs-privilege: {w} to {to} could not be probed: {}",
            p.detail
        )
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

    /// The ICMP sender is read wherever it stands in a detail; this machine's own
    /// error names none.
    #[test]
    fn the_icmp_sender_is_found_in_any_detail() {
        let cases = [
            ("ICMP type 3 code 13 (communication administratively prohibited) from 10.0.0.1", Some("10.0.0.1")),
            ("No route to host: ICMP type 3 code 1 from 10.250.1.2 (a firewall rejects, or no route)", Some("10.250.1.2")),
            ("ICMPv6 type 1 code 4 (port unreachable) from fd00:c8:1::2; sampled 16", Some("fd00:c8:1::2")),
            ("this machine got no ARP answer from 10.0.0.9 (ICMP type 3 code 1 (host unreachable) from itself)", None),
            ("No route to host (os error 113)", None),
            ("answers from nowhere", None),
        ];
        for (detail, want) in cases {
            assert_eq!(
                icmp_sender(detail),
                want.map(|w| w.parse().expect("ip")),
                "{detail}"
            );
        }
    }

    /// Closed or rejected, unknown which, never passes, not even in a dynamic range.
    #[test]
    fn an_unseen_refusal_never_passes() {
        let unseen = ProbeResult {
            detail: REFUSED_UNSEEN.into(),
            ..probe(50000, Verdict::Closed, "conn-refused")
        };
        assert_eq!(probe_status(&unseen, true), Status::Attention);
        assert_eq!(
            probe_status(&probe(50000, Verdict::Closed, "conn-refused"), true),
            Status::Pass
        );
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
        // The hint once read past the last " from ", and the trailing "(…)" hid the sender.
        let routed_explained = ProbeResult {
            detail: "No route to host (os error 113): ICMP type 3 code 1 from 10.250.1.2 \
                     (ICMP host unreachable or admin-prohibited: a firewall rejects, or no route)"
                .into(),
            ..probe(22, Verdict::Filtered, "host-unreachable")
        };
        // Without root: the ICMP came back in a round trip, its sender unknown. Not
        // "host down, wrong address": a firewall rejects.
        let unseen_unreachable = ProbeResult {
            detail: format!("No route to host (os error 113) after 0.4 ms: {UNREACHABLE_UNSEEN}"),
            ..probe(22, Verdict::Filtered, "host-unreachable")
        };
        let rejected = ProbeResult {
            detail: "ICMPv6 type 1 code 4 (port unreachable) from fd00::2".into(),
            ..probe(3725, Verdict::Filtered, "port-unreach")
        };
        let unseen = ProbeResult {
            detail: REFUSED_UNSEEN.into(),
            ..probe(3725, Verdict::Closed, "conn-refused")
        };
        let no_echo = |detail: &str| ProbeResult {
            detail: detail.into(),
            ..ProbeResult::new(
                Protocol::Icmp,
                None,
                Verdict::NeedsPrivilege,
                Reason::NoIcmpSocket,
            )
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
            (probe(443, Verdict::Closed, "conn-refused"), Some(Role::VirtualizationHost), Status::Attention,
             "web01-t's own web service (its management API, not PlateSpin's) is not listening"),
            (probe(22, Verdict::Closed, "conn-refused"), Some(Role::Source), Status::Attention,
             "the SSH server (sshd) does not listen (not PlateSpin's: it will not come with the install); start the SSH server (sshd) on web01-t"),
            (probe(3725, Verdict::Closed, "conn-refused"), Some(Role::Source), Status::Attention,
             "expected until PlateSpin runs there"),
            (udp(138, Verdict::OpenFiltered, "no-response"), Some(Role::Source), Status::Pass, ""),
            (udp(137, Verdict::OpenFiltered, "no-response"), Some(Role::Source), Status::Attention,
             "run `portplan listen`"),
            (local, Some(Role::Source), Status::Fail, "host down, wrong address, or no route from this machine"),
            (routed, Some(Role::Source), Status::Fail, "is rejected (host-unreachable by 10.0.0.254)"),
            (routed_explained, Some(Role::Source), Status::Fail, "is rejected (host-unreachable by 10.250.1.2)"),
            (unseen_unreachable, Some(Role::Source), Status::Fail, "filtered: TCP 22 from web01 to web01-t is rejected (host-unreachable); open it"),
            (rejected, Some(Role::Source), Status::Fail,
             "rejected: a firewall refuses TCP 3725 from web01 to web01-t with ICMP port unreachable by fd00::2 (a TCP stack answers with a RST, so this is a REJECT rule); open it for the transfer"),
            (unseen, Some(Role::Source), Status::Attention,
             "closed or rejected: TCP 3725 at web01-t refused the connection, by a RST (nothing listens) or by a firewall's ICMP reject; this run could not read ICMP: run check as root/Administrator to tell them apart"),
            (no_echo("ICMP echo is not probed from Windows by portplan; check it with: ping -n 2 10.0.0.2"),
             Some(Role::Source), Status::Attention,
             "needs-privilege: ICMP echo to web01-t could not be probed: ICMP echo is not probed from Windows"),
            (probe(445, Verdict::Filtered, "host-down"), Some(Role::Source), Status::Fail,
             "host does not answer: down, or a wrong address: nothing came back from web01-t"),
            (foreign, Some(Role::Source), Status::Attention, "another plan; run `portplan listen` on web01-t with this plan (sha256:abc)"),
        ];
        for (p, role, status, words) in cases {
            let what = format!("{:?} {:?} {}", p.protocol, p.port, p.reason);
            let platespins = p.protocol == Protocol::Tcp && p.port == Port::new(3725);
            let (got, hint) = summarize(&flow(), &[p], false, role);
            assert_eq!(got, status, "{what}: {hint}");
            assert!(hint.contains(words), "{what}: {hint}");
            // Only PlateSpin's own ports wait for PlateSpin; an unseen refusal may be a
            // firewall; advice never names another OS's tools.
            if !platespins {
                assert!(!hint.contains("expected until PlateSpin"), "{what}: {hint}");
            }
            if words.starts_with("closed or rejected") || words.starts_with("host does not") {
                assert!(!hint.contains("a firewall drops"), "{what}: {hint}");
                assert!(!hint.contains("lets it through"), "{what}: {hint}");
            }
            if words.contains("Windows") {
                assert!(
                    !hint.contains("sudo") && !hint.contains("ping_group_range"),
                    "{hint}"
                );
            }
            if words.is_empty() {
                assert_eq!(hint, "", "{what}");
            }
        }
    }
}
