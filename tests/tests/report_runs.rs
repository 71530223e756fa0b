//! Runs of ports in reports: a `--full-ranges` check of a whole wave stays far below the
//! input limit of `merge` and `--report`, and reads back to the same verdicts.

use portplan_core::diagram::Overlay;
use portplan_core::report::merge::merge;
use portplan_core::report::{
    compact_runs, FlowReport, ProbeResult, Reason, Report, Status, Verdict, REPORT_FORMAT,
};
use portplan_core::scenario::MAX_INPUT_BYTES;
use portplan_core::{Plan, Port, Scenario};
use std::collections::BTreeSet;

/// What a field check of every port of `flow` could see: mostly closed (the dynamic
/// range before anything listens), a block a firewall drops, a few open ports, each
/// answer with its own round-trip time.
fn probes(flow: &portplan_core::Flow, host: u16) -> Vec<ProbeResult> {
    let Some(range) = flow.ports else {
        return vec![probe(
            flow,
            None,
            Verdict::Open,
            Reason::EchoReply,
            Some(0.4),
        )];
    };
    (range.first.get()..=range.last.get())
        .map(|n| {
            let port = Port::new(n);
            // Quarters of a millisecond: exact in binary, so they read back equal.
            let latency = Some(0.25 + f64::from((n ^ host) % 17) * 0.25);
            if (53248..57344).contains(&n) {
                probe(flow, port, Verdict::Filtered, Reason::NoResponse, None)
            } else if n % 997 == host % 997 {
                probe(flow, port, Verdict::Open, Reason::SynAck, latency)
            } else {
                probe(flow, port, Verdict::Closed, Reason::ConnRefused, latency)
            }
        })
        .collect()
}

fn probe(
    flow: &portplan_core::Flow,
    port: Option<Port>,
    verdict: Verdict,
    reason: Reason,
    latency_ms: Option<f64>,
) -> ProbeResult {
    ProbeResult {
        protocol: flow.protocol,
        port,
        through: None,
        verdict,
        reason,
        latency_ms,
        attempts: if verdict == Verdict::Filtered { 2 } else { 1 },
        detail: String::new(),
        dialed: Some(match port {
            Some(p) => format!("10.0.0.9:{p}"),
            None => "10.0.0.9".into(),
        }),
        local: Some("10.0.0.1".into()),
    }
}

/// One report per probing host, every port of every range probed; `runs` writes them
/// compacted, as `check` does.
fn reports(plan: &Plan, runs: bool) -> Vec<Report> {
    let from: BTreeSet<&str> = plan.flows.iter().map(|f| f.from.as_str()).collect();
    from.iter()
        .enumerate()
        .map(|(i, host)| Report {
            preflight: Vec::new(),
            format: REPORT_FORMAT,
            plan_digest: plan.digest(),
            catalog: plan.catalog.clone(),
            probed_from: (*host).to_owned(),
            host: (*host).to_owned(),
            started: "2026-12-01T10:00:00Z".into(),
            finished: "2026-12-01T10:00:09Z".into(),
            flows: plan
                .flows
                .iter()
                .filter(|f| f.from == *host)
                .map(|f| {
                    let p = probes(f, u16::try_from(i).unwrap_or(0));
                    let p = if runs { compact_runs(p) } else { p };
                    FlowReport::new(f, Status::Attention, String::new(), p)
                })
                .collect(),
        })
        .map(|mut r| {
            // Statuses from the verdicts, as `check` writes them (and readers recompute).
            r.settle();
            r
        })
        .collect()
}

#[test]
fn a_full_range_wave_merges_far_below_the_input_limit_with_the_same_verdicts() {
    let scenario = Scenario::from_json(&portplan_core::sample::wave(12)).expect("scenario");
    let plan = Plan::build(&scenario).expect("plan");
    let ported: usize = plan
        .flows
        .iter()
        .filter_map(|f| f.ports)
        .map(|r| usize::from(r.last.get() - r.first.get()) + 1)
        .sum();
    assert!(
        ported > 200_000,
        "the wave probes {ported} ports: not fleet-sized"
    );

    let per_port = reports(&plan, false);
    let plain = merge(
        &per_port.iter().map(|r| ("host", r)).collect::<Vec<_>>(),
        Some(&plan),
    )
    .expect("merge per port")
    .report;
    let plain_json = plain.to_json();
    assert!(
        plain_json.len() > MAX_INPUT_BYTES,
        "per port the fleet report is {} bytes: the test would not show the problem",
        plain_json.len()
    );

    let compact = reports(&plan, true);
    for r in &compact {
        let back = Report::from_json(&r.to_json()).expect("reads back");
        for (a, b) in back.flows.iter().zip(&r.flows) {
            for (x, y) in a.probes.iter().zip(&b.probes) {
                assert_eq!(x, y);
            }
            assert_eq!(a, b);
        }
        assert_eq!(back, *r);
    }
    let merged = merge(
        &compact.iter().map(|r| ("host", r)).collect::<Vec<_>>(),
        Some(&plan),
    )
    .expect("merge runs")
    .report;
    let text = merged.to_json();
    assert!(
        text.len() < MAX_INPUT_BYTES / 8,
        "the fleet report with runs is {} bytes (per port {})",
        text.len(),
        plain_json.len()
    );
    eprintln!(
        "fleet report of {ported} ports: {} bytes per port, {} bytes as runs",
        plain_json.len(),
        text.len()
    );
    let back = Report::from_json(&text).expect("the merged report reads back");
    // Port by port (every 7th, to keep the test quick), the runs say what the per-port
    // report says.
    let (runs, each) = (Overlay::from_report(&back), Overlay::from_report(&plain));
    let mut compared = 0;
    for f in &plan.flows {
        let Some(range) = f.ports else { continue };
        for n in (range.first.get()..=range.last.get()).step_by(7) {
            let one = portplan_core::Flow {
                ports: Port::new(n).and_then(|p| portplan_core::PortRange::new(p, p)),
                ..f.clone()
            };
            assert_eq!(runs.status(&one), each.status(&one), "{} {n}", f.rule);
            compared += 1;
        }
    }
    assert!(compared > 30_000, "{compared}");
    let ports: usize = back
        .flows
        .iter()
        .flat_map(|f| &f.probes)
        .map(ProbeResult::port_count)
        .sum();
    let probed: usize = plain.flows.iter().map(|f| f.probes.len()).sum();
    assert_eq!(ports, probed, "every probed port is in a run or an entry");
}

/// Sets a probe's `through` from the probe.
type Edit = dyn Fn(&ProbeResult) -> Option<Port>;

#[test]
fn a_run_must_end_inside_its_flow_after_its_first_port() {
    let scenario = Scenario::from_json(&portplan_core::sample::wave(4)).expect("scenario");
    let plan = Plan::build(&scenario).expect("plan");
    let good = reports(&plan, true)
        .into_iter()
        .find(|r| {
            r.flows
                .iter()
                .any(|f| f.probes.iter().any(|p| p.through.is_some()))
        })
        .expect("a report with a run");
    let find = |pick: &dyn Fn(&FlowReport, &ProbeResult) -> bool| {
        good.flows
            .iter()
            .enumerate()
            .find_map(|(i, f)| Some((i, f.probes.iter().position(|p| pick(f, p))?)))
            .expect("a probe to edit")
    };
    let run = find(&|_, p| p.through.is_some());
    let single = find(&|f, _| {
        f.ports
            .is_some_and(|r| r.first == r.last && r.last.get() < 65535)
    });
    let icmp = find(&|f, _| f.ports.is_none());
    let cases: [((usize, usize), &Edit, &str); 3] = [
        (
            run,
            &|p| p.port.and_then(|n| Port::new(n.get() - 1)),
            "does not end a run after port",
        ),
        (
            single,
            &|p| p.port.and_then(|n| Port::new(n.get() + 1)),
            "inside the flow's ports",
        ),
        (
            icmp,
            &|_| Port::new(7),
            "only a probe with a port can be a run",
        ),
    ];
    for ((i, j), through, says) in cases {
        let mut bad = good.clone();
        let p = &mut bad.flows[i].probes[j];
        p.through = through(p);
        let e = Report::from_json(&bad.to_json()).expect_err("refused");
        let msg = e.to_string();
        assert!(
            msg.contains(&format!("flows[{i}].probes[{j}].through")) && msg.contains(says),
            "{msg}"
        );
    }
}
