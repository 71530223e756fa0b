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
