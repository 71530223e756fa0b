//! PDF checklist of a 1,000-workload plan, native: `cargo bench -p portplan-core --bench pdf`.
//!
//! A plain timing loop (no harness crate, so `cargo test` builds nothing extra): one
//! warm-up, then `PORTPLAN_BENCH_RUNS` runs (default 10); prints min / median / max.
//! With `PORTPLAN_BENCH_CLI=path/to/portplan` (as `cargo xtask bench pdf` sets it, to the
//! release build) it also times the whole process, `portplan plan --format pdf -o FILE`
//! from the scenario file (read, plan, diagram, PDF, write), the figure users wait for.

use portplan_core::export::pdf::{render, PdfOptions};
use portplan_core::{Plan, Scenario};
use std::process::Command;
use std::time::{Duration, Instant};

/// min / median / max of `times`, in ms.
fn summary(mut times: Vec<Duration>) -> String {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let n = times.len();
    format!(
        "{n} runs: min {:.1} ms, median {:.1} ms, max {:.1} ms",
        ms(times[0]),
        ms(times[n / 2]),
        ms(times[n - 1])
    )
}

fn main() {
    let runs: usize = std::env::var("PORTPLAN_BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10)
        .max(1);
    let text = portplan_core::sample::wave(1000);
    let scenario = Scenario::from_json(&text).expect("scenario");
    let plan = Plan::build(&scenario).expect("plan");
    let opts = PdfOptions::new("2026-11-25");
    let first = render(&plan, &opts);
    let pages = String::from_utf8_lossy(&first)
        .matches("/Type /Page\n")
        .count();
    let times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            let bytes = render(&plan, &opts);
            let d = t.elapsed();
            assert_eq!(bytes.len(), first.len());
            d
        })
        .collect();
    println!(
        "pdf/1000-workloads: {} flows, {} pages, {} bytes; render: {}",
        plan.flows.len(),
        pages,
        first.len(),
        summary(times)
    );
    let Ok(cli) = std::env::var("PORTPLAN_BENCH_CLI") else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("portplan-bench-pdf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary directory");
    let scenario_file = dir.join("wave-1000.json");
    std::fs::write(&scenario_file, &text).expect("scenario file");
    let out = dir.join("checklist.pdf");
    let once = || {
        let t = Instant::now();
        let status = Command::new(&cli)
            .args(["plan", "--format", "pdf", "--date", "2026-11-25", "-s"])
            .arg(&scenario_file)
            .arg("-o")
            .arg(&out)
            .status()
            .expect("portplan");
        let d = t.elapsed();
        assert!(status.success(), "{cli} plan --format pdf: {status}");
        d
    };
    once();
    let times: Vec<Duration> = (0..runs).map(|_| once()).collect();
    let size = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "pdf/1000-workloads, whole process ({cli} plan --format pdf -o FILE, {size} bytes): {}",
        summary(times)
    );
}
