//! Verdicts drawn over the diagram once a verification report is loaded.
//!
//! The diagram does not know the report format: the report adapter fills an
//! [`Overlay`] with one [`Status`] per probed (from, to, protocol, port), and the layout
//! colors each arrow and each port of its label from it. Keeping this input tiny means
//! the diagram never depends on how probing works.

use crate::plan::Flow;
use crate::types::{Port, PortRange, Protocol};
use std::collections::BTreeMap;

/// What the field check found for one port, reduced to the four things a picture shows.
///
/// The order is "how bad", so the worst of several verdicts is their maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// Verified or open: the flow works (green).
    Pass,
    /// Not probed, ambiguous (`open|filtered`), unresolved, an error or needs privilege (grey).
    Unknown,
    /// The path is open but nothing listens (amber): a service to start, not a firewall rule.
    Closed,
    /// Dropped or rejected on the way (red): a firewall rule is missing.
    Filtered,
}

impl Status {
    /// Every value, best first.
    pub const ALL: &'static [Status] = &[
        Status::Pass,
        Status::Closed,
        Status::Filtered,
        Status::Unknown,
    ];

    /// Maps a verdict name of the check report (`open`, `closed`, `filtered`,
    /// `open|filtered`, `verified`, `unresolved`, `error`, `needs-privilege`).
    pub fn from_verdict(verdict: &str) -> Status {
        match verdict {
            "open" | "verified" => Status::Pass,
            "closed" => Status::Closed,
            "filtered" => Status::Filtered,
            _ => Status::Unknown,
        }
    }

    /// What the legend says about the color.
    pub fn legend(self) -> &'static str {
        match self {
            Status::Pass => "verified / open",
            Status::Closed => "closed: path open, nothing listening",
            Status::Filtered => "filtered: blocked on the way",
            Status::Unknown => "not verified / inconclusive",
        }
    }
}

/// Key of one probed port: host names are compared without ASCII case, as in the plan.
type Key = (String, String, Protocol, u16);

/// Verdicts per (from, to, protocol, port); ICMP uses port 0.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overlay {
    verdicts: BTreeMap<Key, Status>,
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
        s: Status,
    ) {
        let key = (
            from.to_ascii_lowercase(),
            to.to_ascii_lowercase(),
            protocol,
            port.map_or(0, Port::get),
        );
        let e = self.verdicts.entry(key).or_insert(s);
        *e = (*e).max(s);
    }

    /// Whether no verdict was recorded.
    pub fn is_empty(&self) -> bool {
        self.verdicts.is_empty()
    }

    /// The verdict of a flow: the worst verdict of the ports of its range that were
    /// probed (a range is usually probed on a sample), or `Unknown` if none was.
    pub fn status(&self, flow: &Flow) -> Status {
        self.status_of(&flow.from, &flow.to, flow.protocol, flow.ports)
    }

    pub(crate) fn status_of(
        &self,
        from: &str,
        to: &str,
        protocol: Protocol,
        ports: Option<PortRange>,
    ) -> Status {
        let (lo, hi) = ports.map_or((0, 0), |r| (r.first.get(), r.last.get()));
        let f = from.to_ascii_lowercase();
        let t = to.to_ascii_lowercase();
        self.verdicts
            .range((f.clone(), t.clone(), protocol, lo)..=(f, t, protocol, hi))
            .map(|(_, s)| *s)
            .max()
            .unwrap_or(Status::Unknown)
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
            Status::Pass,
        );
        o.insert(
            "PS01",
            "web01",
            Protocol::Tcp,
            Port::new(50000),
            Status::Filtered,
        );
        o.insert("ps01", "web01", Protocol::Icmp, None, Status::Pass);
        let tcp = Protocol::Tcp;
        assert_eq!(
            o.status_of("ps01", "web01", tcp, range(49152, 65535)),
            Status::Filtered
        );
        assert_eq!(
            o.status_of("ps01", "web01", tcp, range(49152, 49152)),
            Status::Pass
        );
        assert_eq!(
            o.status_of("ps01", "web01", tcp, range(135, 135)),
            Status::Unknown
        );
        assert_eq!(
            o.status_of("web01", "ps01", tcp, range(49152, 65535)),
            Status::Unknown
        );
        assert_eq!(
            o.status_of("ps01", "web01", Protocol::Icmp, None),
            Status::Pass
        );
    }

    #[test]
    fn verdict_names_map_to_the_four_colors() {
        let cases = [
            ("open", Status::Pass),
            ("verified", Status::Pass),
            ("closed", Status::Closed),
            ("filtered", Status::Filtered),
            ("open|filtered", Status::Unknown),
            ("unresolved", Status::Unknown),
            ("error", Status::Unknown),
            ("needs-privilege", Status::Unknown),
        ];
        for (v, s) in cases {
            assert_eq!(Status::from_verdict(v), s, "{v}");
        }
    }
}
