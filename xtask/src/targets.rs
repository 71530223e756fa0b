//! The Rust targets beyond the host's: named once, for setup (rustup) and the builds.

/// The Windows target clippy checks (prebuilt std, so it is quick); the `cfg(windows)`
/// code is the same for the win7 targets.
pub const WINDOWS_CLIPPY: &str = "x86_64-pc-windows-gnu";
/// The static Linux build.
pub const MUSL: &str = "x86_64-unknown-linux-musl";
