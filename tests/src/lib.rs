//! Shared helpers for the workspace's integration and end-to-end tests.
//!
//! The network-namespace lab lives here so every test that needs "hosts" builds them the
//! same way and cleans them up even when it panics.

pub mod browser;
pub mod netns;
pub mod nmap;
pub mod scenarios;
pub mod servers;

use std::path::PathBuf;

/// The workspace root (the tests crate sits one level below it).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Path of a shipped example scenario.
pub fn example(name: &str) -> PathBuf {
    workspace_root().join("examples").join(name)
}

/// Reads a report the way `merge` and the page do (`Report::from_json`: strict, every
/// field checked), so an end-to-end test fails on a report our own reader refuses.
pub fn read_report(report: &serde_json::Value) -> portplan_core::report::Report {
    portplan_core::report::Report::from_json(&report.to_string())
        .unwrap_or_else(|e| panic!("the report does not read back: {e}\n{report:#}"))
}

/// One row per probed port (runs of ports expanded): protocol, port, verdict and `pick`
/// of the probe.
fn rows(
    report: &serde_json::Value,
    keep: impl Fn(&portplan_core::report::FlowReport) -> bool,
    pick: impl Fn(&portplan_core::report::ProbeResult) -> String,
) -> Vec<(String, Option<u64>, String, String)> {
    let mut out = Vec::new();
    for f in read_report(report).flows.iter().filter(|f| keep(f)) {
        for p in &f.probes {
            let ports: Vec<Option<u64>> = match p.port {
                Some(_) => p.ports().map(|n| Some(u64::from(n))).collect(),
                None => vec![None],
            };
            for port in ports {
                out.push((
                    p.protocol.as_str().to_owned(),
                    port,
                    p.verdict.as_str().to_owned(),
                    pick(p),
                ));
            }
        }
    }
    out
}

/// Every probed port of a report as `(protocol, port, verdict, detail)`, in report
/// order: the shape the end-to-end tests compare.
pub fn report_probes(report: &serde_json::Value) -> Vec<(String, Option<u64>, String, String)> {
    rows(report, |_| true, |p| p.detail.clone())
}

/// The probed ports of the flows towards `to` as `(protocol, port, verdict, reason)`,
/// sorted and deduplicated.
pub fn verdicts_to(
    report: &serde_json::Value,
    to: &str,
) -> Vec<(String, Option<u64>, String, String)> {
    let mut v = rows(report, |f| f.to == to, |p| p.reason.to_string());
    v.sort();
    v.dedup();
    v
}

/// A Python TCP server for a lab host: accepts and closes connections on the ports in
/// its arguments, on every address; prints `ready` once bound (see `Lab::python_ready`).
pub const TCP_LISTENER: &str = r#"
import select, socket, sys
ss = []
for p in sys.argv[1:]:
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", int(p))); s.listen(128); ss.append(s)
print("ready", flush=True)
while True:
    for s in select.select(ss, [], [])[0]:
        c, _ = s.accept(); c.close()
"#;
