//! `cargo xtask test`: every check CI runs, in the order that fails fastest. Each step
//! first installs what it alone needs (`deps::ensure`), so a package the registry cannot
//! give today stops only the step that needs it.

use crate::deps::{self, step};
use crate::process::{cargo, run};
use anyhow::Result;
use std::time::Instant;

pub fn run_all() -> Result<()> {
    let start = Instant::now();
    deps::ensure(step("rust")?)?;
    run(cargo().args(["fmt", "--all", "--", "--check"]))?;
    run(cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    run(cargo().args([
        "build",
        "-p",
        "portplan-core",
        "--target",
        "wasm32-unknown-unknown",
    ]))?;
    deps::ensure(step("tests")?)?;
    run(cargo()
        .args(["test", "--workspace"])
        .env("RUSTDOCFLAGS", "-D warnings"))?;
    run(cargo()
        .args(["doc", "--no-deps", "-p", "portplan-core"])
        .env("RUSTDOCFLAGS", "-D warnings"))?;
    deny()?;
    // Static Linux and Windows builds; the Windows one's tests under wine.
    crate::cross::test()?;
    // Short, bounded fuzzing on the seeded corpus; long runs are recorded in TESTING.md.
    crate::fuzz::run_all(15)?;
    // The web planner: build the site, serve it on loopback, drive it in Chromium.
    crate::site::browser_tests()?;
    eprintln!(
        "xtask: all checks passed in {:.0} s (setup {:.1} s of it)",
        start.elapsed().as_secs_f64(),
        deps::setup_time().as_secs_f64()
    );
    for s in crate::summary::skips() {
        eprintln!("{s}");
    }
    Ok(())
}

pub fn run_cmd(args: &[String]) -> Result<()> {
    if !args.is_empty() {
        anyhow::bail!("cargo xtask test takes no arguments");
    }
    run_all()
}

/// Licenses, bans and sources of the dependency tree (`deny.toml`).
fn deny() -> Result<()> {
    deps::ensure(step("deny")?)?;
    run(cargo().args([
        "deny",
        "--workspace",
        "check",
        "licenses",
        "bans",
        "sources",
    ]))
}
