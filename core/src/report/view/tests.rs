use super::*;
use crate::firewall::System;
use crate::report::fixes::Dialect;
use crate::report::{ProbeResult, Verdict};
use crate::types::Port;
use crate::Scenario;

/// A Windows and a Linux source with targets, and an ESXi host to discover.
fn plan() -> Plan {
    let s = Scenario::from_json(
        r#"{"format":1,"product":"migrate","version":"12.3",
        "server":{"name":"ps01","address":"10.0.0.1"},
        "hosts":[{"name":"esx01","address":"10.0.9.9","platform":"esxi"}],
        "workloads":[{"name":"web01","address":"10.0.1.2","os":"windows",
          "target":{"name":"web01-t","address":"10.0.2.2"}},
          {"name":"lnx01","address":"10.0.1.3","os":"linux",
          "target":{"name":"lnx01-t","address":"10.0.2.3"}}]}"#,
    )
    .expect("scenario");
    Plan::build(&s).expect("plan")
}

fn probe(f: &Flow, port: Option<u16>, v: Verdict, reason: &str) -> ProbeResult {
    let reason = reason.parse().expect("reason");
    ProbeResult {
        latency_ms: Some(0.4),
        ..ProbeResult::new(f.protocol, port.and_then(Port::new), v, reason)
    }
}

/// The report of host `from`: every flow it opens gets `status(flow)`, one probe on
/// the flow's first port that says so.
fn report(plan: &Plan, from: &str, finished: &str, status: impl Fn(&Flow) -> Status) -> Report {
    let flows = plan
        .flows
        .iter()
        .filter(|f| f.from == from)
        .map(|f| {
            let s = status(f);
            let (v, reason) = match s {
                Status::Pass => (Verdict::Open, "syn-ack"),
                Status::Attention => (Verdict::Closed, "conn-refused"),
                Status::Fail => (Verdict::Filtered, "no-response"),
            };
            let p = probe(f, f.ports.map(|r| r.first.get()), v, reason);
            FlowReport::new(f, s, format!("{s}: hint of {}", f.rule), vec![p])
        })
        .collect();
    Report {
        preflight: Vec::new(),
        format: 1,
        plan_digest: plan.digest(),
        catalog: plan.catalog.clone(),
        probed_from: from.into(),
        host: from.into(),
        started: "2026-01-01T00:00:00Z".into(),
        finished: finished.into(),
        flows,
    }
}

fn port(f: &Flow) -> u16 {
    f.ports.map_or(0, |r| r.first.get())
}

/// The issue's field engineer: three reports (the server, a Windows target, a Linux
/// target), merged; failures come first, each fix in its host's dialects only.
#[test]
fn three_reports_fails_first_in_the_right_dialects() {
    let p = plan();
    // The server: attention on web01's SMB, a failure towards the ESXi host.
    let ps01 = report(&p, "ps01", "2026-01-01T00:00:03Z", |f| {
        match (f.to.as_str(), port(f)) {
            ("web01", 445) => Status::Attention,
            ("esx01", _) => Status::Fail,
            _ => Status::Pass,
        }
    });
    let web_t = report(&p, "web01-t", "2026-01-01T00:00:02Z", |f| match port(f) {
        3725 => Status::Fail,
        _ => Status::Attention,
    });
    let lnx_t = report(&p, "lnx01-t", "2026-01-01T00:00:01Z", |f| match port(f) {
        3725 => Status::Fail,
        _ => Status::Pass,
    });
    let view = ReportView::merged(
        &p,
        &[
            ("ps01.json", &ps01),
            ("web01-t.json", &web_t),
            ("lnx01-t.json", &lnx_t),
        ],
    )
    .expect("merged");
    let marks: Vec<Mark> = view.fixes.iter().map(|f| f.mark).collect();
    let fails = marks.iter().take_while(|m| **m == Mark::Fail).count();
    assert!(fails >= 3, "{marks:?}");
    assert!(
        marks[fails..].iter().all(|m| *m == Mark::Attention),
        "{marks:?}"
    );
    assert!(marks.len() > fails, "{marks:?}");
    // Within the failures, plan order: discovery (esx01) before transfer.
    let fail_hosts: Vec<&str> = view.fixes[..fails]
        .iter()
        .map(|f| f.flow.to.as_str())
        .collect();
    assert_eq!(fail_hosts.first(), Some(&"esx01"), "{fail_hosts:?}");
    let fix_to = |to: &str| {
        view.fixes
            .iter()
            .find(|f| f.flow.to == to && f.mark == Mark::Fail)
            .and_then(|f| f.fix.as_ref())
            .unwrap_or_else(|| panic!("no fix to {to}"))
    };
    let dialects = |fix: &Fix| fix.rules.iter().map(|(d, _)| *d).collect::<Vec<_>>();
    assert_eq!(dialects(fix_to("web01")), Dialect::of(System::Windows));
    assert_eq!(dialects(fix_to("lnx01")), Dialect::of(System::Linux));
    assert!(dialects(fix_to("esx01")).is_empty());
    assert_eq!(
        view.fixes[0].action(),
        "allow TCP 443 from ps01 (10.0.0.1) to esx01 (10.0.9.9) on a network firewall in the \
         path (esx01 runs VMware ESXi or vCenter)."
    );
    assert!(fix_to("web01")
        .rule(Dialect::Netsh)
        .starts_with("netsh advfirewall"));
    // Attention has no rule: the path is open; the hint says what is left.
    let attention = &view.fixes[fails];
    assert_eq!(attention.fix, None);
    assert_eq!(attention.action(), "");
    assert!(
        attention.hint.starts_with("attention: hint of"),
        "{attention:?}"
    );
    // Every report's flows are in; the flows lnx01 and web01 open were not checked.
    assert!(view.counts.not_checked > 0);
    assert_eq!(
        view.counts.pass + view.counts.attention + view.counts.fail + view.counts.not_checked,
        p.flows.len()
    );
}

#[test]
fn fixes_are_fails_then_attention_each_in_plan_order() {
    let p = plan();
    // Alternate: every other flow the server opens fails, the rest need attention.
    let order: Vec<&Flow> = p.flows.iter().filter(|f| f.from == "ps01").collect();
    let status = |f: &Flow| {
        let i = order.iter().position(|g| *g == f).unwrap_or(0);
        if i % 2 == 0 {
            Status::Attention
        } else {
            Status::Fail
        }
    };
    let view = ReportView::build(&p, &report(&p, "ps01", "2026-01-01T00:00:01Z", status));
    // A later phase's flow of the same rule (hosts, protocol, ports, mark) joins the
    // first one's line.
    let mut seen = std::collections::HashSet::new();
    let want: Vec<(Mark, &Flow)> = [Status::Fail, Status::Attention]
        .iter()
        .flat_map(|s| {
            order
                .iter()
                .filter(move |f| status(f) == *s)
                .map(move |f| (Mark::from(Some(*s)), *f))
        })
        .filter(|(m, f)| seen.insert((*m, &f.from, &f.to, f.protocol, f.ports)))
        .collect();
    let got: Vec<(Mark, &Flow)> = view.fixes.iter().map(|i| (i.mark, &i.flow)).collect();
    assert_eq!(got, want);
    let covered: usize = view.fixes.iter().map(|i| 1 + i.also.len()).sum();
    assert_eq!(covered, order.len());
}

#[test]
fn a_flow_nobody_checked_names_the_check_to_run() {
    let p = plan();
    let view = ReportView::build(
        &p,
        &report(&p, "ps01", "2026-01-01T00:00:01Z", |_| Status::Pass),
    );
    for f in view.flows() {
        if f.flow.from == "ps01" {
            assert_eq!((f.mark, &f.run), (Mark::Pass, &None), "{f:?}");
        } else {
            assert_eq!(f.mark, Mark::NotChecked);
            assert_eq!(
                f.run.as_deref(),
                Some(format!("portplan check --from {}", f.flow.from).as_str())
            );
            assert!(f.verdicts.groups.is_empty() && f.hint.is_empty());
        }
    }
    assert!(view.fixes.is_empty());
    let pair = view
        .phases
        .iter()
        .flat_map(|ph| &ph.pairs)
        .find(|g| g.from == "web01-t")
        .expect("a pair nobody checked");
    assert!(!pair.checked());
    assert_eq!(pair.counts.not_checked, pair.flows.len());
}

#[test]
fn marks_read_without_color() {
    let cases = [
        (Mark::Pass, "pass", "✔", "passed"),
        (Mark::Attention, "attention", "▲", "needs attention"),
        (Mark::Fail, "fail", "✖", "failed"),
        (Mark::NotChecked, "not checked", "○", "not checked"),
    ];
    for (m, word, icon, label) in cases {
        assert_eq!((m.as_str(), m.icon(), m.label()), (word, icon, label));
        assert_eq!(Mark::from(m.status()), m);
    }
}

/// The dynamic RPC range of web01, as `check` samples it.
fn dynamic(p: &Plan) -> Flow {
    p.flows
        .iter()
        .find(|f| f.to == "web01" && f.rule == "discovery.windows.rpc-dynamic")
        .expect("dynamic range")
        .clone()
}

#[test]
fn verdict_lines_give_runs_of_ports_with_counts() {
    let p = plan();
    let f = dynamic(&p);
    let sampled = |port: u16, v, reason: &str| ProbeResult {
        detail: "sampled 16 of 16384".into(),
        ..probe(&f, Some(port), v, reason)
    };
    // Sixteen sampled ports: one group per verdict, never one sentence per port.
    let mut probes: Vec<ProbeResult> = (0..12)
        .map(|i| sampled(49152 + i, Verdict::Filtered, "no-response"))
        .collect();
    probes.extend((0..4).map(|i| sampled(60000 + i * 10, Verdict::Closed, "conn-refused")));
    let line = VerdictLine::new(&f, &probes);
    assert_eq!(
        line.to_string(),
        "16 sampled: filtered 49152-49163 (12 ports) (no-response); closed 60000, 60010, 60020, 60030 (conn-refused)"
    );
    // Closed proves the path in a dynamic range: only the filtered ports are a concern.
    let concerns: Vec<&str> = line.concerns().map(|g| g.ports.as_str()).collect();
    assert_eq!(concerns, ["49152-49163 (12 ports)"]);
    // A run of ports written as one entry reads as its range.
    let run = ProbeResult {
        through: Port::new(53247),
        ..probe(&f, Some(49152), Verdict::Filtered, "no-response")
    };
    assert_eq!(
        VerdictLine::new(&f, &[run]).to_string(),
        "filtered 49152-53247 (4096 ports) (no-response)"
    );
    // One probe: the sentence, with attempts, latency and a name worth showing.
    let one = ProbeResult {
        attempts: 2,
        detail: "NetBIOS name WEB01".into(),
        ..probe(&f, Some(49152), Verdict::Open, "syn-ack")
    };
    assert_eq!(
        VerdictLine::new(&f, &[one]).to_string(),
        "open (syn-ack, 2 attempts) 0.4 ms: NetBIOS name WEB01"
    );
}

#[test]
fn the_fix_line_names_the_ports_that_keep_it_from_passing() {
    let p = plan();
    let f = dynamic(&p);
    let probes = vec![
        ProbeResult {
            through: Port::new(53247),
            ..probe(&f, Some(49152), Verdict::Filtered, "no-response")
        },
        ProbeResult {
            through: Port::new(65535),
            ..probe(&f, Some(53248), Verdict::Closed, "conn-refused")
        },
    ];
    let mut r = report(&p, "ps01", "2026-01-01T00:00:01Z", |_| Status::Pass);
    let at = r
        .flows
        .iter()
        .position(|e| e.flow() == f)
        .expect("in the report");
    r.flows[at] = FlowReport::new(&f, Status::Fail, "filtered: drops".into(), probes);
    let view = ReportView::build(&p, &r);
    let item = &view.fixes[0];
    assert_eq!(item.label, "TCP 49152-65535");
    assert_eq!(
        item.concern,
        "filtered 49152-53247 (4096 ports) (no-response)"
    );
    assert_eq!(item.fix.as_ref().map(|f| f.system), Some(System::Windows));
}

#[test]
fn pairs_carry_the_dialed_route() {
    let p = plan();
    let mut r = report(&p, "ps01", "2026-01-01T00:00:01Z", |_| Status::Pass);
    for e in r.flows.iter_mut().filter(|e| e.to == "web01") {
        for pr in &mut e.probes {
            pr.dialed = Some(format!("10.0.1.2:{}", pr.port.map_or(0, Port::get)));
            pr.local = Some("10.0.0.1".into());
        }
    }
    let view = ReportView::build(&p, &r);
    let pair = view
        .phases
        .iter()
        .flat_map(|ph| &ph.pairs)
        .find(|g| g.to == "web01")
        .expect("pair");
    assert_eq!(pair.heading, "ps01 (10.0.0.1) -> web01 (10.0.1.2)");
    assert_eq!(
        pair.route().as_ref().map(ToString::to_string).as_deref(),
        Some("dialed 10.0.1.2 from 10.0.0.1")
    );
}

/// Another host's `portplan listen` answering where web01 was dialed reads as a failed
/// flow in the view the page's Verification section and the CLI's table print, with the
/// words that name both hosts, also after the report went through its JSON.
#[test]
fn a_wrong_host_answer_is_a_failed_flow_naming_both_hosts() {
    let p = plan();
    let mut r = report(&p, "ps01", "2026-01-01T00:00:02Z", |_| Status::Pass);
    let i = r
        .flows
        .iter()
        .position(|f| f.to == "web01" && f.ports.is_some_and(|x| x.first.get() == 445))
        .expect("ps01 -> web01 445");
    let f = r.flows[i].flow();
    r.flows[i].probes = vec![ProbeResult {
        detail:
            "answered by web02 (expected web01): `portplan listen` of this run runs there as web02"
                .into(),
        ..probe(&f, Some(445), Verdict::Open, "wrong-host")
    }];
    // Every flow's probe covers its ports, as `check` writes them.
    for fr in &mut r.flows {
        if let (Some(ports), Some(p)) = (fr.ports, fr.probes.first_mut()) {
            p.through = (ports.last > ports.first).then_some(ports.last);
        }
    }
    let r = Report::from_json(&r.to_json()).expect("reads back");
    assert_eq!(
        r.flows[i].status,
        Status::Fail,
        "recomputed from the wrong-host probe"
    );
    assert!(
        r.flows[i].hint.contains("wrong-host"),
        "{}",
        r.flows[i].hint
    );
    let view = ReportView::build(&p, &r);
    let shown = view
        .flows()
        .find(|v| v.flow.to == "web01" && v.label == "TCP 445")
        .expect("the flow in the view");
    assert_eq!(shown.mark, Mark::Fail);
    let line = shown.verdicts.to_string();
    assert!(
        line.contains("wrong-host") && line.contains("answered by web02 (expected web01)"),
        "{line}"
    );
    // The fix is the address, not a firewall rule: no "to fix: allow …" for it.
    assert!(
        crate::report::fixes::fixes(&p, &r)
            .iter()
            .all(|fix| fix.flow != f),
        "a firewall rule for a wrong-host flow"
    );
}

/// A report that spells host names in another case than the plan (`WEB01` for `web01`:
/// a hand-typed `--from`, a host that reports its name in capitals) attaches to the
/// plan's flows by type (`HostName`), after its JSON round trip, in `merge` and in the
/// view alike: no flow reads "not checked", no flow is refused as unknown.
#[test]
fn a_report_in_another_case_attaches_to_the_plans_hosts() {
    let p = plan();
    let upper = |s: &str| s.to_ascii_uppercase();
    let title = |s: &str| {
        let mut c = s.chars();
        c.next()
            .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
            .unwrap_or_default()
    };
    let same = |s: &str| s.to_string();
    type Spell<'a> = &'a dyn Fn(&str) -> String;
    let cases: [(&str, Spell); 3] = [("WEB01", &upper), ("Web01", &title), ("web01", &same)];
    for (label, spell) in cases {
        let mut r = report(&p, "ps01", "2026-01-01T00:00:01Z", |f| {
            if f.to == "web01" {
                Status::Fail
            } else {
                Status::Pass
            }
        });
        for f in &mut r.flows {
            f.from = spell(&f.from).into();
            f.to = spell(&f.to).into();
            // One run over the flow's ports, so the report reads back whole.
            for probe in &mut f.probes {
                probe.through = f.ports.map(|r| r.last).filter(|l| Some(*l) != probe.port);
            }
        }
        let json = r.to_json();
        assert!(
            json.contains(&format!("\"to\": \"{}\"", spell("web01"))),
            "{label}: as written"
        );
        let r = Report::from_json(&json).expect("reads back");
        let m = merge(&[("r.json", &r)], Some(&p)).expect(label);
        assert_eq!(
            m.report.flows.len(),
            r.flows.len(),
            "{label}: every flow attached"
        );
        for view in [
            ReportView::build(&p, &r),
            ReportView::merged(&p, &[("r.json", &r)]).expect(label),
        ] {
            for f in view.flows() {
                let want = match (f.flow.from.as_str(), f.flow.to.as_str()) {
                    ("ps01", "web01") => Mark::Fail,
                    ("ps01", _) => Mark::Pass,
                    _ => Mark::NotChecked,
                };
                assert_eq!(f.mark, want, "{label}: {} -> {}", f.flow.from, f.flow.to);
            }
            assert!(
                view.fixes
                    .iter()
                    .any(|x| x.flow.to == "web01" && x.mark == Mark::Fail),
                "{label}: web01's failure has its fix"
            );
        }
    }
}

/// The same rule failing in two phases (TCP 445 from ps01 to web01 in Discovery and in
/// Conversion) is one line of "What to fix" naming both phases.
#[test]
fn one_rule_failing_in_two_phases_is_one_fix() {
    let plan = plan();
    let r = report(&plan, "ps01", "2026-01-01T00:00:02Z", |_| Status::Fail);
    let view = ReportView::build(&plan, &r);
    let smb: Vec<&Flow> = plan
        .flows
        .iter()
        .filter(|f| f.from == "ps01" && f.to == "web01" && f.protocol == Protocol::Tcp)
        .filter(|f| {
            f.ports
                .is_some_and(|p| p.first.get() == 445 && p.last.get() == 445)
        })
        .collect();
    assert!(smb.len() >= 2, "445 in two phases: {smb:?}");
    let lines: Vec<&FixItem> = view
        .fixes
        .iter()
        .filter(|i| {
            std::iter::once(&i.flow)
                .chain(&i.also)
                .any(|f| smb.contains(&f))
        })
        .collect();
    assert_eq!(lines.len(), 1, "{lines:#?}");
    let phases = lines[0].phases();
    assert_eq!(phases, smb.iter().map(|f| f.phase).collect::<Vec<_>>());
    // Every failing flow is on exactly one line.
    let covered: usize = view.fixes.iter().map(|i| 1 + i.also.len()).sum();
    assert_eq!(covered, r.flows.len());
}

/// A check report of the server and a preflight report of lnx01 merged: the view keeps
/// check's flows and carries lnx01's preflight rows beside them, each with its mark,
/// the evidence or the reason, and the fix.
#[test]
fn preflight_rows_sit_beside_checks_verdicts() {
    use crate::preflight::nft;
    use crate::preflight::prerequisites::prerequisite;
    use crate::preflight::section::{
        judge_flow, FlowContext, PreflightSection, PrerequisiteResult, PrerequisiteStatus,
    };
    let p = plan();
    let rs = nft::parse(
        r#"{"nftables":[
        {"chain":{"family":"inet","table":"f","name":"input","handle":1,"type":"filter","hook":"input","prio":0,"policy":"drop"}},
        {"rule":{"family":"inet","table":"f","chain":"input","handle":2,"expr":[{"match":{"op":"==","left":{"payload":{"protocol":"tcp","field":"dport"}},"right":22}},{"accept":null}]}}]}"#,
    )
    .expect("ruleset");
    let ctx = FlowContext {
        source: None,
        destination: Some("10.0.1.3".parse().expect("ip")),
        interface: None,
    };
    let inbound: Vec<&Flow> = p.flows.iter().filter(|f| f.to == "lnx01").collect();
    assert!(!inbound.is_empty());
    let section = PreflightSection {
        host: "lnx01".into(),
        firewall: "nft -j list ruleset".into(),
        flows: inbound
            .iter()
            .map(|f| judge_flow(Ok(&rs), f, &ctx))
            .collect(),
        prerequisites: vec![
            PrerequisiteResult::new(
                prerequisite("linux.sshd").expect("entry"),
                PrerequisiteStatus::Problem,
                "nothing listens on TCP 22".into(),
            ),
            PrerequisiteResult::new(
                prerequisite("linux.replication-port-free").expect("entry"),
                PrerequisiteStatus::Unknown,
                "/proc/net/tcp could not be read".into(),
            ),
        ],
    };
    let pre = Report {
        preflight: vec![section],
        flows: Vec::new(),
        ..report(&p, "lnx01", "2026-01-01T00:00:03Z", |_| Status::Pass)
    };
    let server = report(&p, "ps01", "2026-01-01T00:00:02Z", |_| Status::Pass);
    let view =
        ReportView::merged(&p, &[("ps01.json", &server), ("lnx01.json", &pre)]).expect("merge");
    assert!(view.counts.pass > 0, "check's flows stay");
    assert_eq!(view.preflight.len(), 1);
    let v = &view.preflight[0];
    assert_eq!(
        (v.host.as_str(), v.firewall.as_str()),
        ("lnx01", "nft -j list ruleset")
    );
    let row = |label: &str| {
        v.rows
            .iter()
            .find(|r| r.label.starts_with(label))
            .unwrap_or_else(|| panic!("no row {label}: {:#?}", v.rows))
    };
    let ssh = row("inbound TCP 22 from ps01");
    assert_eq!(
        (ssh.mark, ssh.word, ssh.kind),
        (Mark::Pass, "allowed", RowKind::Flow)
    );
    assert_eq!(ssh.detail, "inet f input rule handle 2: accept");
    assert!(ssh.fix.is_empty());
    let blocked = v
        .rows
        .iter()
        .find(|r| r.kind == RowKind::Flow && r.mark == Mark::Fail)
        .expect("a blocked flow");
    assert_eq!(blocked.word, "blocked");
    assert_eq!(blocked.detail, "inet f input: end of chain, policy drop");
    assert!(
        blocked.fix.contains("through the firewall of lnx01 itself")
            && blocked.fix.contains("policy drop"),
        "{}",
        blocked.fix
    );
    let sshd = row("linux.sshd");
    assert_eq!((sshd.mark, sshd.word), (Mark::Fail, "problem"));
    assert!(!sshd.fix.is_empty() && !sshd.quote.is_empty() && !sshd.page.is_empty());
    let free = row("linux.replication-port-free");
    assert_eq!((free.mark, free.word), (Mark::Attention, "unknown"));
    assert_eq!(free.detail, "/proc/net/tcp could not be read");
}
