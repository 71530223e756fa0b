//! Cross builds: the static Linux binary (musl) and the Windows ones (mingw-w64, for
//! Windows 7 SP1 / Server 2008 R2 and later, 64- and 32-bit), and the Windows builds'
//! tests run under Debian's wine with the prefix set to Windows 7.
//!
//! Field engineers copy one file to a workload, and PlateSpin's typical sources are old
//! (Server 2008 R2, 2012, RHEL/SLES of the same age), so the builds target the oldest
//! hosts: the musl binary must be static (no glibc version to match), and the Windows
//! binaries use Rust's `*-win7-windows-gnu` targets. Since Rust 1.78 the regular
//! `*-pc-windows-gnu` std imports `ProcessPrng` (bcryptprimitives.dll, Windows 10) and
//! the `WaitOnAddress` family (Windows 8), so it cannot even start on Windows 7. The win7
//! targets are tier 3 (no prebuilt std), hence `-Zbuild-std` on the stable toolchain
//! with `RUSTC_BOOTSTRAP=1` and the `rust-src` component.

use crate::apt::Refused;
use crate::deps;
use crate::process::{cargo, run, workspace_root};
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::targets::{MUSL, WINDOWS_CLIPPY};

/// A Windows target we ship, with the mingw-w64 toolchain and wine loader it needs.
pub struct Win {
    pub triple: &'static str,
    /// Prefix of the mingw-w64 tools (`<prefix>-gcc`, `-ar`, `-objdump`).
    pub mingw: &'static str,
    /// Debian's wine loader for this bitness (`wine64`, or `wine` from `wine32:i386`).
    pub wine: &'static str,
}

pub const WIN64: Win = Win {
    triple: "x86_64-win7-windows-gnu",
    mingw: "x86_64-w64-mingw32",
    wine: "/usr/lib/wine/wine64",
};
pub const WIN32: Win = Win {
    triple: "i686-win7-windows-gnu",
    mingw: "i686-w64-mingw32",
    wine: "/usr/lib/wine/wine",
};
pub const WINDOWS: [&Win; 2] = [&WIN64, &WIN32];

/// Test binaries run under wine: the CLI's unit tests (its library holds every module,
/// the Winsock error mapping of `probe::verdict` included), loopback probes and merge
/// (merge_cli runs `check` against 127.0.0.x), the `listen` responder on loopback, the
/// planner and every export format (snapshots shared with Linux). check_cli and
/// exports_cli stay Linux-only: they drive `sh`/`ulimit`, pdfinfo and a pty, and expect
/// ICMP echo replies. The 32-bit build runs the subset that differs by pointer width
/// (the CLI's own code and its loopback sockets), to keep CI time down.
fn wine_tests(w: &Win) -> &'static [(&'static str, &'static [&'static str])] {
    if w.triple == WIN64.triple {
        &[
            (
                "portplan",
                &[
                    "--lib",
                    "--test",
                    "plan_cli",
                    "--test",
                    "plan_svg",
                    "--test",
                    "merge_cli",
                    "--test",
                    "responder_loopback",
                    "--test",
                    "windows_defaults",
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
        ]
    } else {
        &[(
            "portplan",
            &[
                "--lib",
                "--test",
                "merge_cli",
                "--test",
                "responder_loopback",
                "--test",
                "windows_defaults",
            ],
        )]
    }
}

/// Unit tests of the CLI that state Linux behaviour, skipped under wine (each with
/// the reason): Windows builds answer ICMP echo with `needs-privilege` by design (see
/// `probe::icmp`), and wine does not report ICMP port unreachable on a connected UDP
/// socket as WSAECONNRESET the way Windows does, so a closed UDP port reads as silence
/// there; the Winsock mapping itself is pinned by `winsock_errors_give_the_same_verdicts`.
const WINE_SKIPS: &[&str] = &[
    "probe::icmp::tests::loopback_answers_echo",
    "probe::net::tests::loopback_udp_nbstat_responder_and_closed_port",
];

/// `cargo <sub> -p portplan` for a win7 target: std built from source, and `ring`'s C
/// compiled by mingw (without `CC_<target>` the `cc` crate silently builds ELF objects
/// for the unknown triple and the link fails on undefined `ring_core_*` symbols).
/// `panic_abort` is built too so a release profile may abort, but tests keep unwinding.
pub fn win_cargo(w: &Win, sub: &str) -> Command {
    let env_triple = w.triple.replace('-', "_");
    let mut c = cargo();
    c.args([sub, "-Zbuild-std=std,panic_abort", "--target", w.triple])
        .env("RUSTC_BOOTSTRAP", "1")
        .env(format!("CC_{env_triple}"), format!("{}-gcc", w.mingw))
        .env(format!("AR_{env_triple}"), format!("{}-ar", w.mingw))
        .env(
            format!("CARGO_TARGET_{}_LINKER", env_triple.to_ascii_uppercase()),
            format!("{}-gcc", w.mingw),
        );
    c
}

/// Builds and tests every target (debug profile: CI checks they work, `dist` ships
/// release builds).
pub fn test() -> Result<()> {
    deps::ensure(deps::step("cross")?)?;
    // The musl binary: static, and it plans, probes loopback and merges.
    timed("musl", || {
        run(cargo().args([
            "test",
            "-p",
            "portplan",
            "--target",
            MUSL,
            "--test",
            "merge_cli",
            "--test",
            "static_binary",
        ]))?;
        assert_static(&target_bin(MUSL, "debug", "portplan"))
    })?;
    // Windows: warnings are errors there too (cfg-gated code is only seen by this build).
    timed("windows clippy", || {
        run(cargo().args([
            "clippy",
            "-p",
            "portplan",
            "--target",
            WINDOWS_CLIPPY,
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))
    })?;
    // 32-bit wine first: a prefix made before it was installed has no 32-bit system
    // directory, and the i686 tests would fail to load kernel32.dll in it.
    let wine32 = wine32_installable()?;
    let prefix = win7_prefix(wine32)?;
    for w in WINDOWS {
        let under_wine = w.triple != WIN32.triple || wine32;
        timed(w.triple, || {
            for (package, tests) in wine_tests(w) {
                if !under_wine {
                    // Built all the same: only running them needs 32-bit wine.
                    run(win_cargo(w, "test")
                        .args(["-p", package, "--no-run"])
                        .args(*tests))?;
                    continue;
                }
                let skips = WINE_SKIPS.iter().flat_map(|t| ["--skip", t]);
                run(win_cargo(w, "test")
                    .args(["-p", package])
                    .args(*tests)
                    .arg("--")
                    .args(skips)
                    .env(
                        format!(
                            "CARGO_TARGET_{}_RUNNER",
                            w.triple.replace('-', "_").to_ascii_uppercase()
                        ),
                        w.wine,
                    )
                    .envs(wine_env(&prefix))
                    .env_remove("RUST_BACKTRACE")
                    .env_remove("RUST_LIB_BACKTRACE")
                    // insta cannot run `cargo metadata` from inside wine: give it the root.
                    .env("INSTA_WORKSPACE_ROOT", workspace_root())
                    .env("INSTA_UPDATE", "no"))?;
            }
            // The binary itself (built by the tests above) starts as a user runs it.
            run(win_cargo(w, "build").args(["-p", "portplan"]))?;
            if under_wine {
                smoke(w, &target_bin(w.triple, "debug", "portplan"), &prefix)?;
            }
            Ok(())
        })?;
    }
    // Every Windows binary's imports exist on Windows 7 (the test reads the import tables).
    let exes: Vec<PathBuf> = WINDOWS
        .iter()
        .map(|w| target_bin(w.triple, "debug", "portplan"))
        .collect();
    import_check(&exes)?;
    // `preflight`'s Windows readers in the 64-bit build, under wine as Windows 7 with
    // registry values seeded by `wine reg add` (the test clones the prefix).
    timed("preflight under wine", || {
        ignored_under_wine("preflight_wine", &prefix)
    })?;
    // A fleet run through Ansible whose source host runs the 64-bit Windows build under
    // wine in its network namespace (built above).
    timed("fleet under wine", || {
        ignored_under_wine("fleet_ansible", &prefix)
    })?;
    Ok(())
}

/// Runs the CLI's test `name`, whose tests are ignored unless this step gives them the
/// 64-bit Windows build (`PORTPLAN_WINDOWS_EXE`) and the win7 wine prefix.
fn ignored_under_wine(name: &str, prefix: &Path) -> Result<()> {
    run(cargo()
        .args(["test", "-p", "portplan", "--test", name, "--", "--ignored"])
        .env(
            "PORTPLAN_WINDOWS_EXE",
            target_bin(WIN64.triple, "debug", "portplan"),
        )
        .env("PORTPLAN_WINEPREFIX", prefix))
}

/// Runs the import-table test (`tests/tests/win7_imports.rs`) on `exes`.
pub fn import_check(exes: &[PathBuf]) -> Result<()> {
    let list = std::env::join_paths(exes).context("joining exe paths")?;
    run(cargo()
        .args([
            "test",
            "-p",
            "portplan-tests",
            "--test",
            "win7_imports",
            "--",
            "--ignored",
        ])
        .env("PORTPLAN_WINDOWS_EXES", list))
}

/// `drive-port C` (10002) of the built binary, as a field engineer would start it:
/// wine refuses to load an executable whose imports it cannot resolve, and our prefix
/// has no `bcryptprimitives.dll`, so this fails for a binary that needs Windows 10.
fn smoke(w: &Win, exe: &Path, prefix: &Path) -> Result<()> {
    let out = Command::new(w.wine)
        .arg(exe)
        .args(["drive-port", "C"])
        .envs(wine_env(prefix))
        .env_remove("RUST_BACKTRACE")
        .output()
        .with_context(|| format!("{} {}", w.wine, exe.display()))?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() || !text.contains("10002") {
        bail!(
            "{} drive-port C under wine (win7): {}\n{text}{}",
            exe.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    eprintln!("xtask: {} starts under wine as Windows 7", exe.display());
    Ok(())
}

/// The environment of every wine run. Callers also drop `RUST_BACKTRACE`: with it set,
/// anyhow captures a backtrace on every error, and wine 8's 32-bit dbghelp crashes
/// (NULL read in its DWARF reader) symbolising our i686 binary, a wine bug that turns
/// each error exit into a page fault. Windows' own dbghelp is not involved there.
fn wine_env(prefix: &Path) -> Vec<(&'static str, std::ffi::OsString)> {
    vec![
        ("WINEPREFIX", prefix.as_os_str().to_owned()),
        ("WINEDEBUG", "-all".into()),
        // No Mono/Gecko installers: nothing here is .NET or HTML, and CI is headless.
        ("WINEDLLOVERRIDES", "mscoree,mshtml=".into()),
    ]
}

/// Prints how long a step took, so CI logs show where the minutes go.
fn timed(what: &str, f: impl FnOnce() -> Result<()>) -> Result<()> {
    let start = std::time::Instant::now();
    let r = f();
    eprintln!("xtask: {what}: {:.0} s", start.elapsed().as_secs_f64());
    r
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
pub fn assert_static(bin: &Path) -> Result<()> {
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

/// A fresh wine prefix under target/ that reports itself as Windows 7 (`winecfg /v
/// win7`, checked with `ver`), with both 64- and 32-bit system directories. It gets no
/// DLL of ours: a binary that imports something Windows 7 lacks fails to start in it.
/// With `wine32`, a prefix whose 32-bit system directory is empty (made before 32-bit
/// wine was installed) is made again.
fn win7_prefix(wine32: bool) -> Result<PathBuf> {
    let prefix = workspace_root().join("target/wine-win7");
    let ver = |p: &Path| -> Result<String> {
        let o = Command::new(WIN64.wine)
            .args(["cmd", "/c", "ver"])
            .envs(wine_env(p))
            .output()
            .context("wine cmd /c ver")?;
        Ok(String::from_utf8_lossy(&o.stdout).into_owned())
    };
    let has32 = |p: &Path| p.join("drive_c/windows/syswow64/kernel32.dll").exists();
    if prefix.join("system.reg").exists() && (!wine32 || has32(&prefix)) {
        if ver(&prefix)?.contains("6.1.7601") {
            return Ok(prefix);
        }
    } else if prefix.exists() && wine32 && !has32(&prefix) {
        eprintln!(
            "xtask: wine prefix {} has no 32-bit system directory (made before wine32): making it again",
            prefix.display()
        );
        // Its wineserver holds it open until told to go.
        let _ = Command::new("/usr/lib/wine/wineserver")
            .arg("-k")
            .envs(wine_env(&prefix))
            .status();
        std::fs::remove_dir_all(&prefix)
            .with_context(|| format!("removing {}", prefix.display()))?;
    }
    timed("wine prefix (win7)", || {
        run(Command::new(WIN64.wine)
            .args(["winecfg", "/v", "win7"])
            .envs(wine_env(&prefix)))?;
        // Let the prefix's wineserver write the registry before it is read again.
        run(Command::new("/usr/lib/wine/wineserver")
            .arg("-w")
            .envs(wine_env(&prefix)))
    })?;
    let v = ver(&prefix)?;
    if !v.contains("6.1.7601") {
        bail!(
            "wine prefix {} is not Windows 7: `ver` says {v:?}",
            prefix.display()
        );
    }
    Ok(prefix)
}

/// Whether 32-bit wine is here for the i686 build's tests. The one install whose failure
/// is stepped around (TESTING.md, "The one exception"): when apt refuses `wine32:i386` and
/// its own update said the registry's i386 index is inconsistent (a mirror mid-sync),
/// the i686 run under wine is reported `SKIPPED` and the i686 build and its import-table
/// check still run. Any other refusal, or any other missing tool, fails.
fn wine32_installable() -> Result<bool> {
    if crate::apt::missing(deps::WINE32.apt).is_empty() {
        return Ok(true);
    }
    // A refusal recorded by an earlier run within the hour: apt's answer would be the
    // same, and asking again costs half a minute (`cargo xtask setup wine32` asks).
    if let Some(index) = crate::stamp::recent_refusal(deps::WINE32.name, 3600) {
        crate::summary::skipped(wine32_skip_line(&index));
        return Ok(false);
    }
    let Err(e) = deps::ensure(&deps::WINE32) else {
        return Ok(true);
    };
    let stale = e.downcast_ref::<Refused>().and_then(|r| {
        r.failed_indexes
            .iter()
            .find(|i| i.is_inconsistent_for("i386"))
    });
    match stale {
        Some(index) => {
            crate::stamp::record_refusal(deps::WINE32.name, index)?;
            crate::summary::skipped(wine32_skip_line(index));
            Ok(false)
        }
        None => Err(e),
    }
}

fn wine32_skip_line(index: &crate::apt::FailedIndex) -> String {
    format!(
        "SKIPPED: wine32:i386 not installable here (apt-get update: {index}): the i686 build's tests did not run under 32-bit wine; the i686 build and its import-table check did"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apt::FailedIndex;

    #[test]
    fn the_skip_line_names_the_package_and_apts_reason() {
        let index = FailedIndex {
            index: "bookworm-security/main i386 Packages".into(),
            reason: "File has unexpected size (371952 != 372316). Mirror sync in progress?".into(),
        };
        assert_eq!(
            wine32_skip_line(&index),
            "SKIPPED: wine32:i386 not installable here (apt-get update: bookworm-security/main i386 Packages: File has unexpected size (371952 != 372316). Mirror sync in progress?): the i686 build's tests did not run under 32-bit wine; the i686 build and its import-table check did"
        );
    }

    #[test]
    fn only_an_inconsistent_i386_index_allows_the_skip() {
        let refused = |reason: &str, index: &str| -> anyhow::Error {
            let e: anyhow::Error = Refused {
                packages: vec!["wine32:i386".into()],
                reason: "unmet dependencies".into(),
                failed_indexes: vec![FailedIndex {
                    index: index.into(),
                    reason: reason.into(),
                }],
            }
            .into();
            // As `deps::ensure` returns it.
            e.context("setting up for running the 32-bit Windows build's tests")
        };
        let table = [
            (
                "File has unexpected size (1 != 2). Mirror sync in progress?",
                "bookworm-security/main i386 Packages",
                true,
            ),
            ("Hash Sum mismatch", "bookworm/main i386 Packages", true),
            (
                "File has unexpected size (1 != 2). Mirror sync in progress?",
                "bookworm-security/main amd64 Packages",
                false,
            ),
            (
                "Could not connect to deb.debian.org:80",
                "bookworm-security/main i386 Packages",
                false,
            ),
        ];
        for (reason, index, allowed) in table {
            let e = refused(reason, index);
            let stale = e.downcast_ref::<Refused>().and_then(|r| {
                r.failed_indexes
                    .iter()
                    .find(|i| i.is_inconsistent_for("i386"))
            });
            assert_eq!(stale.is_some(), allowed, "{index}: {reason}");
        }
    }
}
