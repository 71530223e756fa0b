//! Planning the browser benchmark's wave natively: `cargo bench -p portplan-core --bench plan`.
//!
//! 800 Windows and 200 Linux workloads with targets, Migrate 12.3 (the scenario
//! `tests/browser/waves.cjs` edits): one warm-up, then `PORTPLAN_BENCH_RUNS` runs
//! (default 10) of each step an edit on the page goes through; prints min / median / max.

use portplan_core::{Plan, Scenario};
use std::time::{Duration, Instant};

fn scenario() -> Scenario {
    let workloads: Vec<serde_json::Value> = (0..1000)
        .map(|i| {
            let win = i < 800;
            let name = format!("{}{:04}", if win { "win" } else { "lnx" }, i + 1);
            let mut w = serde_json::json!({
                "name": name,
                "address": format!("10.1.{}.{}", i / 250, i % 250 + 1),
                "os": if win { "windows" } else { "linux" },
                "target": { "name": format!("{name}-t"), "address": format!("10.2.{}.{}", i / 250, i % 250 + 1) }
            });
            if win {
                w["windows"] = serde_json::json!("2016");
                w["drives"] = serde_json::json!(["C"]);
            }
            w
        })
        .collect();
    let text = serde_json::json!({
        "format": 1, "product": "migrate", "version": "12.3",
        "server": { "name": "ps01", "address": "10.0.0.5" },
        "workloads": workloads
    })
    .to_string();
    Scenario::from_json(&text).expect("scenario")
}

fn time(name: &str, runs: usize, mut f: impl FnMut()) {
    // `PORTPLAN_BENCH_ONLY=build` times only the steps whose name contains it (profiling).
    if std::env::var("PORTPLAN_BENCH_ONLY").is_ok_and(|only| !name.contains(&only)) {
        return;
    }
    f();
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name}: {runs} runs: min {:.2} ms, median {:.2} ms, max {:.2} ms",
        ms(times[0]),
        ms(times[runs / 2]),
        ms(times[runs - 1]),
    );
}

fn main() {
    let runs: usize = std::env::var("PORTPLAN_BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10)
        .max(1);
    let s = scenario();
    let plan = Plan::build(&s).expect("plan");
    println!(
        "plan/1000-workloads: {} flows, {} hosts",
        plan.flows.len(),
        plan.hosts.len()
    );
    time("validate", runs, || s.validate().expect("valid"));
    time("Plan::build", runs, || drop(Plan::build(&s).expect("plan")));
    time("Plan::to_json", runs, || drop(plan.to_json()));
    time("export::grouped", runs, || {
        drop(portplan_core::export::grouped(&plan))
    });
    time("export::groups::rules", runs, || {
        drop(portplan_core::export::groups::rules(&plan))
    });
    time("Plan::from_json", runs, || {
        drop(serde_json::from_str::<Plan>(&plan.to_json()).expect("json"))
    });
    // Every export of a ten-thousand-workload wave (the shape of BENCHMARKS.md), each
    // under 2 s: the firewall scripts read the consolidated rules once, never every flow
    // per host.
    let big =
        Plan::build(&Scenario::from_json(&portplan_core::sample::wave(10_000)).expect("scenario"))
            .expect("plan");
    println!(
        "plan/10000-workloads: {} flows, {} hosts",
        big.flows.len(),
        big.hosts.len()
    );
    let options = portplan_core::export::registry::Options::new("2026-01-01");
    for f in portplan_core::export::registry::FORMATS {
        time(
            &format!("export {} (10000 workloads)", f.name),
            runs.min(3),
            || {
                drop(portplan_core::export::registry::render(
                    f.name, &big, &options,
                ))
            },
        );
    }
}
