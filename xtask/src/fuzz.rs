//! `cargo xtask fuzz [SECONDS]`: every libFuzzer target on its seeded corpus for a bounded
//! time. cargo-fuzz needs nightly features; `RUSTC_BOOTSTRAP=1` lets the one stable
//! toolchain of our machines build them.

use crate::process::{cargo, run};
use anyhow::Result;
use std::path::Path;

/// The fuzz targets (each has `fuzz/seeds/<name>/`).
pub const TARGETS: &[&str] = &[
    "scenario_json",
    "plan_json",
    "report_json",
    "ssh_banner",
    "http_status",
    "smb2",
    "nbstat",
    "dcerpc",
    "tls_certificate",
    "csv_paste",
    "share_link",
    "nft_ruleset",
    "iptables_save",
    "windows_rule",
];

/// Runs each target for `seconds` on a scratch corpus seeded from `fuzz/seeds/`.
pub fn run_all(seconds: u32) -> Result<()> {
    crate::deps::ensure(crate::deps::step("fuzz")?)?;
    for t in TARGETS {
        let corpus = Path::new("target/fuzz-corpus").join(t);
        std::fs::create_dir_all(&corpus)?;
        let seeds = format!("seeds/{t}");
        run(cargo()
            .current_dir("fuzz")
            .env("RUSTC_BOOTSTRAP", "1")
            .args(["fuzz", "run", t])
            .arg(Path::new("..").join(&corpus))
            .arg(&seeds)
            .args([
                "--",
                &format!("-max_total_time={seconds}"),
                "-max_len=65536",
                // A hang fails fast instead of eating the CI budget.
                "-timeout=10",
                "-print_final_stats=1",
            ]))?;
    }
    Ok(())
}
