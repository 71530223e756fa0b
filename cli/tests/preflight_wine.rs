//! `portplan preflight` of the 64-bit Windows build, under wine set to Windows 7, with
//! registry values seeded by `wine reg add`: what the Windows readers find, and that
//! what they cannot read is said to be unknown, with the reason.
//!
//! Wine's `INetFwPolicy2` answers E_NOTIMPL and its registry has no firewall rules, so
//! the firewall is unknown, naming both; the seeded `LocalAccountTokenFilterPolicy` and
//! `Rpc\Internet` values are read and judged like on Windows. `cargo xtask cross` runs
//! it (`--ignored`) after building the Windows binaries, with their wine prefix.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Debian 12's wine loader (the `wine64` package puts no wrapper on PATH).
const WINE: &str = "/usr/lib/wine/wine64";

const SCENARIO: &str = r#"{"format":1,"product":"migrate","version":"2020.2",
 "server":{"name":"ps01","address":"127.0.0.5"},
 "workloads":[{"name":"web01","address":"127.0.0.1","os":"windows","windows":"2019",
   "target":{"name":"web01-t","address":"127.0.0.7"}}]}"#;

fn var(name: &str) -> PathBuf {
    std::env::var_os(name)
        .map(PathBuf::from)
        .unwrap_or_else(|| panic!("{name} is not set: run `cargo xtask cross`"))
}

/// A prefix of our own: hard links to the shared one, with registry files copied (the
/// only files `reg add` and wine's startup write).
fn clone_prefix(from: &Path, to: &Path) {
    let status = Command::new("cp")
        .arg("-al")
        .arg(from)
        .arg(to)
        .status()
        .expect("cp");
    assert!(
        status.success(),
        "cp -al {} {}",
        from.display(),
        to.display()
    );
    for reg in ["system.reg", "user.reg", "userdef.reg"] {
        let (a, b) = (from.join(reg), to.join(reg));
        if a.exists() {
            std::fs::remove_file(&b).expect("unlink reg");
            std::fs::copy(&a, &b).expect("copy reg");
        }
    }
}

fn wine(prefix: &Path) -> Command {
    let mut c = Command::new("timeout");
    c.args(["120", WINE])
        .env("WINEPREFIX", prefix)
        .env("WINEDEBUG", "-all")
        .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE");
    c
}

fn reg_add(prefix: &Path, key: &str, name: &str, kind: &str, data: &str) {
    let out = wine(prefix)
        .args(["reg", "add", key, "/v", name, "/t", kind, "/d", data, "/f"])
        .output()
        .expect("wine reg add");
    assert!(
        out.status.success(),
        "reg add {key} {name}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The report's preflight section, and the exit code.
fn preflight(prefix: &Path, exe: &Path, dir: &Path) -> (serde_json::Value, i32) {
    let scenario = dir.join("s.json");
    std::fs::write(&scenario, SCENARIO).expect("scenario");
    let out = wine(prefix)
        .arg(exe)
        .args(["preflight", "--as", "web01", "-f", "json", "--scenario"])
        .arg(&scenario)
        .output()
        .expect("wine portplan preflight");
    let text = String::from_utf8_lossy(&out.stdout);
    let report: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "not a report ({e}): {text}{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (
        report["preflight"][0].clone(),
        out.status.code().unwrap_or(-1),
    )
}

fn prerequisite<'a>(section: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    section["prerequisites"]
        .as_array()
        .and_then(|a| a.iter().find(|p| p["id"] == id))
        .unwrap_or_else(|| panic!("no {id} in {section:#}"))
}

#[test]
#[ignore = "needs the Windows build: `cargo xtask cross` runs it"]
fn preflight_under_wine_reads_seeded_values_and_says_what_it_cannot_read() {
    let exe = var("PORTPLAN_WINDOWS_EXE");
    let shared = var("PORTPLAN_WINEPREFIX");
    let dir = std::env::temp_dir().join(format!("portplan-preflight-wine-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let prefix = dir.join("prefix");
    clone_prefix(&shared, &prefix);
    let policies = r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System";
    let rpc = r"HKLM\SOFTWARE\Microsoft\Rpc\Internet";

    // Each step seeds values, runs preflight, and states what the section must say:
    // (prerequisite id, status, words its observation holds).
    type Want = &'static [(&'static str, &'static str, &'static str)];
    type Seed<'a> = &'a dyn Fn(&Path);
    let steps: [(Seed, Want); 2] = [
        (
            &|p| {
                reg_add(
                    p,
                    policies,
                    "LocalAccountTokenFilterPolicy",
                    "REG_DWORD",
                    "0",
                );
                reg_add(p, rpc, "Ports", "REG_MULTI_SZ", "5000-5100");
                reg_add(p, rpc, "PortsInternetAvailable", "REG_SZ", "Y");
                reg_add(p, rpc, "UseInternetPorts", "REG_SZ", "Y");
            },
            &[
                (
                    "windows.local-account-token-filter",
                    "problem",
                    "LocalAccountTokenFilterPolicy is 0",
                ),
                (
                    "windows.rpc-dynamic-range",
                    "problem",
                    "Rpc\\Internet restricts RPC to 5000-5100, not inside the plan's 49152-65535",
                ),
                (
                    "windows.file-and-printer-sharing",
                    "unknown",
                    "E_NOTIMPL, not implemented",
                ),
            ],
        ),
        (
            &|p| {
                reg_add(
                    p,
                    policies,
                    "LocalAccountTokenFilterPolicy",
                    "REG_DWORD",
                    "1",
                )
            },
            &[(
                "windows.local-account-token-filter",
                "ok",
                "LocalAccountTokenFilterPolicy is 1",
            )],
        ),
    ];
    for (i, (seed, want)) in steps.iter().enumerate() {
        seed(&prefix);
        let (section, code) = preflight(&prefix, &exe, &dir);
        assert_eq!(section["host"], "web01", "{section:#}");
        assert_eq!(code, 1, "step {i}: problems exit 1: {section:#}");
        // The firewall API answers E_NOTIMPL under wine: every inbound flow is unknown,
        // saying so, and nothing is allowed or blocked on a guess.
        let flows = section["flows"].as_array().expect("flows");
        assert!(!flows.is_empty());
        for f in flows {
            for r in f["results"].as_array().expect("results") {
                assert_eq!(r["decision"]["verdict"], "unknown", "{f:#}");
                let reason = r["decision"]["reason"].as_str().unwrap_or_default();
                assert!(
                    reason.contains("INetFwPolicy2") && reason.contains("E_NOTIMPL"),
                    "{reason}"
                );
            }
        }
        for (id, status, words) in *want {
            let p = prerequisite(&section, id);
            assert_eq!(p["status"], *status, "step {i}: {p:#}");
            let observed = p["observed"].as_str().unwrap_or_default();
            assert!(
                observed.contains(words),
                "step {i}: {observed:?} lacks {words:?}"
            );
            if *status == "problem" {
                assert!(!p["fix"].as_str().unwrap_or_default().is_empty(), "{p:#}");
            }
        }
        if i == 0 {
            let latfp = prerequisite(&section, "windows.local-account-token-filter");
            assert!(
                latfp["fix"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("LocalAccountTokenFilterPolicy /t REG_DWORD /d 1"),
                "{latfp:#}"
            );
            assert!(latfp["caveat"].as_str().unwrap_or_default().contains("CIS"));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
