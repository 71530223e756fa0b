//! `cargo xtask bench [NAME…]`: every benchmark of BENCHMARKS.md, each side by side with
//! its peer where it has one (nmap for `check`). Not part of `cargo xtask test`: the
//! network ones need root and take minutes; their figures go into BENCHMARKS.md by hand.

use crate::deps;
use crate::process::{cargo, run, workspace_root};
use anyhow::{bail, Result};
use std::process::Command;

/// A benchmark: its name on the command line and how it runs.
struct Bench {
    name: &'static str,
    what: &'static str,
    run: fn() -> Result<()>,
}

const BENCHES: &[Bench] = &[
    Bench {
        name: "check-vs-nmap",
        what: "check vs nmap -sT, 20 hosts x 500 ports (BENCHMARKS.md (b))",
        run: || script("check-vs-nmap.sh", &["20", "500"], None),
    },
    Bench {
        name: "one-host",
        what: "check vs nmap, one host's 16,384 dynamic RPC ports (a)",
        run: || script("check-one-host.sh", &[], Some("plain")),
    },
    Bench {
        name: "syn-limit",
        what: "the same host behind SYN-flood protection, both at defaults (c)",
        run: || script("check-one-host.sh", &[], Some("limit")),
    },
    Bench {
        name: "pdf",
        what: "PDF checklist of 1,000 workloads: rendering, and the whole release CLI process",
        run: pdf,
    },
];

pub fn run_cmd(args: &[String]) -> Result<()> {
    for a in args {
        if !BENCHES.iter().any(|b| b.name == a) {
            let names: Vec<&str> = BENCHES.iter().map(|b| b.name).collect();
            bail!("no benchmark {a:?}; there are: {}", names.join(", "));
        }
    }
    deps::ensure(&deps::BENCH)?;
    for b in BENCHES {
        if args.is_empty() || args.iter().any(|a| a == b.name) {
            eprintln!("xtask: bench {}: {}", b.name, b.what);
            (b.run)()?;
        }
    }
    Ok(())
}

/// One of `bench/*.sh`, with the release binary built once for all of them.
fn script(name: &str, args: &[&str], mode: Option<&str>) -> Result<()> {
    if !crate::process::is_root() {
        bail!("bench/{name} builds network namespaces: run it as root");
    }
    run(cargo().args(["build", "--release", "-q", "-p", "portplan"]))?;
    let root = workspace_root();
    let mut c = Command::new("bash");
    c.arg(root.join("bench").join(name))
        .args(args)
        .env("PORTPLAN", root.join("target/release/portplan"));
    if let Some(m) = mode {
        c.env("MODE", m);
    }
    run(&mut c)
}

/// The PDF bench, with the release CLI built first so it also times the whole process
/// (`portplan plan --format pdf -o FILE`), the figure a user waits for.
fn pdf() -> Result<()> {
    run(cargo().args(["build", "--release", "-q", "-p", "portplan"]))?;
    run(cargo()
        .args(["bench", "-p", "portplan-core", "--bench", "pdf"])
        .env(
            "PORTPLAN_BENCH_CLI",
            workspace_root().join("target/release/portplan"),
        ))
}
