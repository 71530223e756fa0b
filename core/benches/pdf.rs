//! PDF checklist of a 1,000-workload plan, native: `cargo bench -p portplan-core --bench pdf`.
//!
//! A plain timing loop (no harness crate, so `cargo test` builds nothing extra): one
//! warm-up, then `PORTPLAN_BENCH_RUNS` runs (default 10); prints min / median / max.

use portplan_core::export::pdf::{render, PdfOptions};
use portplan_core::{Plan, Scenario};
use std::time::{Duration, Instant};

fn main() {
    let runs: usize = std::env::var("PORTPLAN_BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10)
        .max(1);
    let scenario = Scenario::from_json(&portplan_core::sample::wave(1000)).expect("scenario");
    let plan = Plan::build(&scenario).expect("plan");
    let opts = PdfOptions::new("2026-11-25");
    let first = render(&plan, &opts);
    let pages = String::from_utf8_lossy(&first)
        .matches("/Type /Page\n")
        .count();
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            let bytes = render(&plan, &opts);
            let d = t.elapsed();
            assert_eq!(bytes.len(), first.len());
            d
        })
        .collect();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "pdf/1000-workloads: {} flows, {} pages, {} bytes; {runs} runs: min {:.1} ms, median {:.1} ms, max {:.1} ms",
        plan.flows.len(),
        pages,
        first.len(),
        ms(times[0]),
        ms(times[runs / 2]),
        ms(times[runs - 1]),
    );
}
