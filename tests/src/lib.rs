//! Shared helpers for the workspace's integration and end-to-end tests.
//!
//! The network-namespace lab lives here so every test that needs "hosts" builds them the
//! same way and cleans them up even when it panics.

pub mod netns;
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

/// Every probe of a report (public format) as `(protocol, port, verdict, detail)`, in
/// report order: the shape the end-to-end tests compare.
pub fn report_probes(report: &serde_json::Value) -> Vec<(String, Option<u64>, String, String)> {
    let s = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
    report["flows"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|f| f["probes"].as_array().cloned().unwrap_or_default())
        .map(|p| {
            (
                s(&p["protocol"]),
                p["port"].as_u64(),
                s(&p["verdict"]),
                s(&p["detail"]),
            )
        })
        .collect()
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

/// `(protocol, port, verdict, reason)` of every probe of the flows towards `to` in a
/// report (public format), sorted and deduplicated: what the lab tests compare.
pub fn verdicts_to(
    report: &serde_json::Value,
    to: &str,
) -> Vec<(String, Option<u64>, String, String)> {
    let s = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
    let mut v: Vec<_> = report["flows"]
        .as_array()
        .expect("flows")
        .iter()
        .filter(|f| f["to"] == to)
        .flat_map(|f| f["probes"].as_array().expect("probes").clone())
        .map(|p| {
            (
                s(&p["protocol"]),
                p["port"].as_u64(),
                s(&p["verdict"]),
                s(&p["reason"]),
            )
        })
        .collect();
    v.sort();
    v.dedup();
    v
}
