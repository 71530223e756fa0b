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
