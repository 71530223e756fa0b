//! The project's own automation (`cargo xtask <task>`): installs what is missing,
//! idempotently, then builds, tests or serves. CI runs `cargo xtask test`.

mod apt;
mod bench;
mod cross;
mod deps;
mod dist;
mod fuzz;
mod process;
mod retry;
mod site;
mod stamp;
mod summary;
mod targets;
mod test;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("test") => test::run_cmd(&args[1..]),
        Some("setup") => deps::setup_cmd(&args[1..]),
        Some("dist") => dist::run_cmd(&args[1..]),
        Some("cross") => cross::test(),
        Some("fuzz") => match args.get(1).map(|s| s.parse::<u32>()).transpose() {
            Ok(seconds) => fuzz::run_all(seconds.unwrap_or(60)),
            Err(e) => Err(anyhow::anyhow!("fuzz: seconds: {e}")),
        },
        Some("site") => site::site_cmd(&args[1..]),
        Some("serve") => site::serve_cmd(&args[1..]),
        Some("bench") => bench::run_cmd(&args[1..]),
        Some(other) => Err(anyhow::anyhow!("unknown task {other:?}\n{USAGE}")),
        None => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            for s in summary::skips() {
                eprintln!("{s}");
            }
            eprintln!("xtask: {e:#}");
            ExitCode::FAILURE
        }
    }
}

const USAGE: &str = "usage: cargo xtask <task>
  test     install what is missing, then run every check CI runs
  setup [STEP…]  only install what is missing (every step, or the named ones)
  fuzz [S] run every fuzz target for S seconds (default 60)
  site     build the static planner page into dist/site/
  serve    build the page and serve it on 127.0.0.1 [--port N] [--no-build]
  cross    build the musl and Windows 7+ (x86_64, i686) targets, their tests under wine as Windows 7
  bench    run the benchmarks of BENCHMARKS.md side by side with their peers (root; minutes)
  dist     static Linux (musl) and Windows 7+ (x86_64, i686) binaries and the site into dist/ with SHA256SUMS";
