//! Cross builds: the static Linux binary (musl) and the Windows one (mingw-w64), and the
//! Windows build's tests run under Debian's wine.
//!
//! Field engineers copy one file to a workload, most of them Windows, so both builds are
//! part of CI: the musl binary must be static (no glibc version to match on old sources)
//! and the Windows binary must plan, export and probe loopback like the Linux one.

use crate::deps::workspace_root;
use crate::{cargo, run};
use anyhow::{bail, Context, Result};
use std::path::PathBuf;
use std::process::Command;

pub const WINDOWS: &str = "x86_64-pc-windows-gnu";
pub const MUSL: &str = "x86_64-unknown-linux-musl";
/// Debian 12 installs wine64's loader here without a `wine` wrapper on PATH.
const WINE: &str = "/usr/lib/wine/wine64";
/// Test binaries run under wine: loopback probes and merge (merge_cli runs `check`
/// against 127.0.0.x), the `listen` responder on loopback, the planner and every export
/// format (snapshots shared with Linux). check_cli and exports_cli stay Linux-only: they
/// drive `sh`/`ulimit`, pdfinfo and a pty, and expect ICMP echo replies.
const WINE_TESTS: &[(&str, &[&str])] = &[
    (
        "portplan",
        &[
            "--test",
            "plan_cli",
            "--test",
            "plan_svg",
            "--test",
            "merge_cli",
            "--test",
            "responder_loopback",
        ],
    ),
    ("portplan-core", &["--lib", "--tests"]),
    (
        "portplan-tests",
        &[
            "--test",
            "article",
            "--test",
            "planner_props",
            "--test",
            "diagram_layout",
            "--test",
            "bad_input",
        ],
    ),
];

/// Adds the two rustup targets if missing (the Debian packages are in `APT_PACKAGES`).
pub fn setup() -> Result<()> {
    let installed =
        crate::deps::output(Command::new("rustup").args(["target", "list", "--installed"]))?;
    for t in [WINDOWS, MUSL] {
        if !installed.lines().any(|l| l.trim() == t) {
            run(Command::new("rustup").args(["target", "add", t]))?;
        }
    }
    Ok(())
}

/// Builds and tests both targets (debug profile: CI checks they work, `dist` ships
/// release builds).
pub fn test() -> Result<()> {
    setup()?;
    // The musl binary: static, and it plans, probes loopback and merges.
    run(cargo().args([
        "test",
        "-p",
        "portplan",
        "--target",
        MUSL,
        "--test",
        "merge_cli",
    ]))?;
    assert_static(&target_bin(MUSL, "debug", "portplan"))?;
    // Windows: warnings are errors there too (cfg-gated code is only seen by this build).
    run(cargo().args([
        "clippy",
        "-p",
        "portplan",
        "--target",
        WINDOWS,
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    let prefix = wine_prefix()?;
    for (package, tests) in WINE_TESTS {
        run(cargo()
            .args(["test", "-p", package, "--target", WINDOWS])
            .args(*tests)
            .env("CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER", WINE)
            .env("WINEPREFIX", &prefix)
            .env("WINEDEBUG", "-all")
            // insta cannot run `cargo metadata` from inside wine: give it the root.
            .env("INSTA_WORKSPACE_ROOT", workspace_root())
            .env("INSTA_UPDATE", "no"))?;
    }
    Ok(())
}

pub fn target_bin(target: &str, profile: &str, name: &str) -> PathBuf {
    let exe = if target.contains("windows") {
        format!("{name}.exe")
    } else {
        name.to_string()
    };
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| workspace_root().join("target"), PathBuf::from)
        .join(target)
        .join(profile)
        .join(exe)
}

/// `ldd` says so for a static executable; a dynamic one lists its libraries.
pub fn assert_static(bin: &std::path::Path) -> Result<()> {
    let o = Command::new("ldd").arg(bin).output().context("ldd")?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    if !(text.contains("not a dynamic executable") || text.contains("statically linked")) {
        bail!("{} is not static:\n{text}", bin.display());
    }
    eprintln!("xtask: {} is static", bin.display());
    Ok(())
}

/// A wine prefix under target/, created once, with the test-only `bcryptprimitives.dll`
/// shim Debian 12's wine 8.0 lacks (Rust's std imports `ProcessPrng` from it).
fn wine_prefix() -> Result<PathBuf> {
    let prefix = workspace_root().join("target/wine");
    let system32 = prefix.join("drive_c/windows/system32");
    if !system32.join("kernel32.dll").exists() {
        run(Command::new(WINE)
            .args(["cmd", "/c", "exit"])
            .env("WINEPREFIX", &prefix)
            .env("WINEDEBUG", "-all"))?;
    }
    let dll = system32.join("bcryptprimitives.dll");
    if !dll.exists() {
        let src = workspace_root().join("xtask/src/wine/bcryptprimitives.c");
        run(Command::new("x86_64-w64-mingw32-gcc")
            .args(["-shared", "-O2", "-o"])
            .arg(&dll)
            .arg(&src)
            .arg("-ladvapi32"))?;
    }
    Ok(prefix)
}
