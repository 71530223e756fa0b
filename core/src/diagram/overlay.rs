//! Verdicts drawn over the diagram once a verification report is loaded.
//!
//! The diagram does not know the report format: the report adapter fills an
//! [`Overlay`] with one [`Signal`] per probed (from, to, protocol, port), and the layout
//! colors each arrow and each port of its label from it. Keeping this input tiny means
//! the diagram never depends on how probing works.

use crate::address::HostName;
use crate::plan::Flow;
use crate::report::{Report, Status, Verdict};
use crate::types::{Port, PortRange, Protocol};
use std::collections::BTreeMap;

/// What the field check found for one port, reduced to the four things a picture shows.
///
/// The order is "how bad", so the worst of several verdicts is their maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Signal {
    /// Verified or open: the flow works (green).
    Pass,
    /// Not probed, ambiguous (`open|filtered`), unresolved, an error or needs privilege (grey).
    Unknown,
    /// The path is open but nothing listens (amber): a service to start, not a firewall rule.
    Closed,
    /// Dropped or rejected on the way (red): a firewall rule is missing.
    Filtered,
}

impl Signal {
    /// Every value, best first.
    pub const ALL: &'static [Signal] = &[
        Signal::Pass,
        Signal::Closed,
        Signal::Filtered,
        Signal::Unknown,
    ];

    /// Maps a verdict name of the check report (`open`, `closed`, `filtered`,
    /// `open|filtered`, `verified`, `unresolved`, `error`, `needs-privilege`).
    pub fn from_verdict(verdict: &str) -> Signal {
        match verdict {
            "open" | "verified" => Signal::Pass,
            "closed" => Signal::Closed,
            "filtered" => Signal::Filtered,
            _ => Signal::Unknown,
        }
    }

    /// What the legend says about the color.
    pub fn legend(self) -> &'static str {
        match self {
            Signal::Pass => "verified / open",
            Signal::Closed => "closed: path open, nothing listening",
            Signal::Filtered => "filtered: blocked on the way",
            Signal::Unknown => "not verified / inconclusive",
        }
    }
}

impl From<Status> for Signal {
    /// A flow's status as a color: passed green, "needs a look" amber, failed red.
    fn from(s: Status) -> Signal {
        match s {
            Status::Pass => Signal::Pass,
            Status::Attention => Signal::Closed,
            Status::Fail => Signal::Filtered,
        }
    }
}

/// The key of a whole flow (a range is one entry).
fn flow_key(from: &HostName, to: &HostName, protocol: Protocol, ports: Option<PortRange>) -> Key {
    let (lo, hi) = ports.map_or((0, 0), |r| (r.first.get(), r.last.get()));
    (from.clone(), to.clone(), protocol, lo, hi)
}

impl From<Verdict> for Signal {
    /// Exhaustive on purpose: a new verdict must choose its color here.
    fn from(v: Verdict) -> Signal {
        match v {
            Verdict::Open | Verdict::Verified => Signal::Pass,
            Verdict::Closed => Signal::Closed,
            Verdict::Filtered => Signal::Filtered,
            Verdict::OpenFiltered
            | Verdict::Unresolved
            | Verdict::Error
            | Verdict::NeedsPrivilege => Signal::Unknown,
        }
    }
}

/// Key of one probed port or run of ports (first, last): host names are compared
/// without ASCII case ([`HostName`]), as in the plan.
type Key = (HostName, HostName, Protocol, u16, u16);

/// Verdicts per (from, to, protocol, ports); ICMP uses port 0. A report's run of ports
/// stays one entry, so a `--full-ranges` fleet costs no more than its report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overlay {
    verdicts: BTreeMap<Key, Signal>,
    /// Each checked flow's status as the report reads it (the worst of several
    /// reports): the color of its arrow and label, so the picture never says "closed"
    /// or "not verified" of a flow the report reads as passed (a dynamic RPC range with
    /// closed ports passes; so does UDP 137-138 without a reply).
    flows: BTreeMap<Key, Signal>,
}

impl Overlay {
    pub fn new() -> Overlay {
        Overlay::default()
    }

    /// Records the verdict of one port (`None` for ICMP). A second verdict for the same
    /// port keeps the worse one, so a port that failed once stays visible.
    pub fn insert(
        &mut self,
        from: &str,
        to: &str,
        protocol: Protocol,
        port: Option<Port>,
        s: Signal,
    ) {
        self.insert_run(from, to, protocol, port, port, s);
    }

    /// Records one verdict for every port from `first` through `last`.
    pub fn insert_run(
        &mut self,
        from: &str,
        to: &str,
        protocol: Protocol,
        first: Option<Port>,
        last: Option<Port>,
        s: Signal,
    ) {
        let first = first.map_or(0, Port::get);
        let key = (
            HostName::from(from),
            HostName::from(to),
            protocol,
            first,
            last.map_or(first, Port::get).max(first),
        );
        let e = self.verdicts.entry(key).or_insert(s);
        *e = (*e).max(s);
    }

    /// The verdicts of a `portplan check` report: one per probed port.
    pub fn from_report(report: &Report) -> Overlay {
        let mut o = Overlay::new();
        o.add_report(report);
        o
    }

    /// Adds a further report (fleet checks probe from many hosts); where two reports
    /// probed the same port, the worse verdict stays.
    pub fn add_report(&mut self, report: &Report) {
        for f in &report.flows {
            let s = Signal::from(f.status);
            let e = self
                .flows
                .entry(flow_key(&f.from, &f.to, f.protocol, f.ports))
                .or_insert(s);
            *e = (*e).max(s);
            for p in &f.probes {
                let s = Signal::from(p.verdict);
                self.insert_run(&f.from, &f.to, p.protocol, p.port, p.last_port(), s);
            }
        }
    }

    /// Whether no verdict was recorded.
    pub fn is_empty(&self) -> bool {
        self.verdicts.is_empty()
    }

    /// The verdict of a flow: the worst verdict of the ports of its range that were
    /// probed (a range is usually probed on a sample), or `Unknown` if none was.
    ///
    /// A flow the reports read a status for takes that status's color.
    pub fn status(&self, flow: &Flow) -> Signal {
        let key = flow_key(&flow.from, &flow.to, flow.protocol, flow.ports);
        match self.flows.get(&key) {
            Some(s) => *s,
            None => self.status_of(&flow.from, &flow.to, flow.protocol, flow.ports),
        }
    }

    pub(crate) fn status_of(
        &self,
        from: &str,
        to: &str,
        protocol: Protocol,
        ports: Option<PortRange>,
    ) -> Signal {
        let (lo, hi) = ports.map_or((0, 0), |r| (r.first.get(), r.last.get()));
        let (f, t) = (HostName::from(from), HostName::from(to));
        // Every entry starting at or below `hi`, kept if it reaches `lo`: a run that
        // starts before the range still covers its start.
        self.verdicts
            .range((f.clone(), t.clone(), protocol, 0, 0)..=(f, t, protocol, hi, u16::MAX))
            .filter(|((.., last), _)| *last >= lo)
            .map(|(_, s)| *s)
            .max()
            .unwrap_or(Signal::Unknown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(a: u16, b: u16) -> Option<PortRange> {
        PortRange::new(Port::new(a)?, Port::new(b)?)
    }

    #[test]
    fn a_range_takes_the_worst_probed_port_and_unprobed_is_unknown() {
        let mut o = Overlay::new();
        o.insert(
            "ps01",
            "web01",
            Protocol::Tcp,
            Port::new(49152),
            Signal::Pass,
        );
        o.insert(
            "PS01",
            "web01",
            Protocol::Tcp,
            Port::new(50000),
            Signal::Filtered,
        );
        o.insert("ps01", "web01", Protocol::Icmp, None, Signal::Pass);
        let tcp = Protocol::Tcp;
        assert_eq!(
            o.status_of("ps01", "web01", tcp, range(49152, 65535)),
            Signal::Filtered
        );
        assert_eq!(
            o.status_of("ps01", "web01", tcp, range(49152, 49152)),
            Signal::Pass
        );
        assert_eq!(
            o.status_of("ps01", "web01", tcp, range(135, 135)),
            Signal::Unknown
        );
        assert_eq!(
            o.status_of("web01", "ps01", tcp, range(49152, 65535)),
            Signal::Unknown
        );
        assert_eq!(
            o.status_of("ps01", "web01", Protocol::Icmp, None),
            Signal::Pass
        );
    }

    #[test]
    fn a_run_covers_every_port_inside_it_and_none_outside() {
        let mut o = Overlay::new();
        let tcp = Protocol::Tcp;
        let (a, b) = (Port::new(50000), Port::new(50999));
        o.insert_run("ps01", "web01", tcp, a, b, Signal::Filtered);
        o.insert("ps01", "web01", tcp, Port::new(49152), Signal::Pass);
        for (lo, hi, want) in [
            (50500, 50500, Signal::Filtered),
            (50999, 60000, Signal::Filtered),
            (40000, 50000, Signal::Filtered),
            (49152, 49999, Signal::Pass),
            (51000, 65535, Signal::Unknown),
        ] {
            assert_eq!(
                o.status_of("ps01", "web01", tcp, range(lo, hi)),
                want,
                "{lo}-{hi}"
            );
        }
    }

    #[test]
    fn a_report_becomes_per_port_verdicts() {
        let r = Report::from_json(
            r#"{"format":1,"plan_digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000",
            "probed_from":"ps01","host":"ps01","started":"2026-01-01T00:00:00Z","finished":"2026-01-01T00:00:02Z",
            "flows":[{"phase":"discovery","from":"ps01","to":"web01","protocol":"tcp",
              "ports":{"first":49152,"last":65535},"purpose":"rpc","rule":"discovery.windows.rpc-dynamic",
              "status":"fail","hint":"",
              "probes":[{"protocol":"tcp","port":49152,"verdict":"open","reason":"syn-ack","latency_ms":1.0,"attempts":1,"detail":""},
                        {"protocol":"tcp","port":60000,"verdict":"closed","reason":"conn-refused","latency_ms":1.0,"attempts":1,"detail":""}]},
             {"phase":"discovery","from":"ps01","to":"web01","protocol":"icmp","purpose":"ping","rule":"discovery.icmp",
              "status":"fail","hint":"","probes":[{"protocol":"icmp","verdict":"filtered","reason":"no-response","latency_ms":null,"attempts":2,"detail":""}]}]}"#,
        )
        .expect("report");
        let o = Overlay::from_report(&r);
        let tcp = Protocol::Tcp;
        assert_eq!(
            o.status_of("ps01", "web01", tcp, range(49152, 65535)),
            Signal::Closed
        );
        assert_eq!(
            o.status_of("ps01", "web01", tcp, range(49152, 50000)),
            Signal::Pass
        );
        assert_eq!(
            o.status_of("ps01", "web01", Protocol::Icmp, None),
            Signal::Filtered
        );
    }

    #[test]
    fn verdict_names_map_to_the_four_colors() {
        let cases = [
            ("open", Signal::Pass),
            ("verified", Signal::Pass),
            ("closed", Signal::Closed),
            ("filtered", Signal::Filtered),
            ("open|filtered", Signal::Unknown),
            ("unresolved", Signal::Unknown),
            ("error", Signal::Unknown),
            ("needs-privilege", Signal::Unknown),
        ];
        for (v, s) in cases {
            assert_eq!(Signal::from_verdict(v), s, "{v}");
        }
        for v in Verdict::ALL {
            assert_eq!(Signal::from(*v), Signal::from_verdict(v.as_str()), "{v}");
        }
    }

    /// The field's case: a dynamic RPC range with closed ports and UDP 137-138 without
    /// a reply both read "pass"; their arrows are green, not amber and grey.
    #[test]
    fn a_flow_takes_the_color_of_its_status() {
        use crate::report::{FlowReport, ProbeResult, Reason};
        let s = crate::Scenario::from_json(include_str!("../../../examples/windows-file.json"))
            .expect("example");
        let plan = crate::Plan::build(&s).expect("plan");
        let ranged = |p: Protocol| {
            plan.flows
                .iter()
                .find(|f| f.protocol == p && f.ports.is_some_and(|r| r.first != r.last))
                .expect("a range")
        };
        let (rpc, udp) = (ranged(Protocol::Tcp), ranged(Protocol::Udp));
        let probe = |f: &Flow, v: Verdict| {
            ProbeResult::new(f.protocol, f.ports.map(|r| r.first), v, Reason::NoResponse)
        };
        let mut report = Report::from_json(
            r#"{"format":1,"plan_digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000",
            "probed_from":"ps01","host":"ps01","started":"2026-01-01T00:00:00Z","finished":"2026-01-01T00:00:02Z","flows":[]}"#,
        )
        .expect("report");
        report.flows = vec![
            FlowReport::new(
                rpc,
                Status::Pass,
                String::new(),
                vec![probe(rpc, Verdict::Closed)],
            ),
            FlowReport::new(
                udp,
                Status::Pass,
                String::new(),
                vec![probe(udp, Verdict::OpenFiltered)],
            ),
        ];
        let o = Overlay::from_report(&report);
        for f in [rpc, udp] {
            assert_eq!(o.status(f), Signal::Pass, "{} {:?}", f.rule, f.ports);
        }
        report.flows[0].status = Status::Attention;
        report.flows[1].status = Status::Fail;
        let o = Overlay::from_report(&report);
        assert_eq!(o.status(rpc), Signal::Closed);
        assert_eq!(o.status(udp), Signal::Filtered);
    }
}
