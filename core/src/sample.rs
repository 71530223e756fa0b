//! Generated scenarios of any size, for the tests, the benchmarks and the page's benchmark
//! (one generator, so every figure in BENCHMARKS.md is of the same shape).

/// A Migrate 2020.2 scenario with `n` workloads (two Windows to one Linux), each with a
/// target, plus one ESXi host: the shape of a large migration wave.
pub fn wave(n: usize) -> String {
    let workloads: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            let mut w = serde_json::json!({
                "name": format!("wl{i:04}"),
                "address": format!("10.{}.{}.10", 1 + i / 250, i % 250),
                "os": if i % 3 == 0 { "linux" } else { "windows" },
                "target": {
                    "name": format!("wl{i:04}-t"),
                    "address": format!("10.{}.{}.10", 100 + i / 250, i % 250)
                }
            });
            if i % 3 != 0 {
                w["windows"] = serde_json::json!("2019");
            }
            w
        })
        .collect();
    serde_json::json!({
        "format": 1,
        "product": "migrate",
        "version": "2020.2",
        "server": { "name": "ps01", "address": "10.0.0.5" },
        "hosts": [ { "name": "esx01", "address": "10.0.0.20", "platform": "esxi" } ],
        "workloads": workloads
    })
    .to_string()
}
