//! NAT end to end (issue 12, Q7): a Migrate Agent source outside the server's network
//! reaches the server only through its public address, which the server's namespace
//! translates (nftables DNAT) to its private one. `portplan check` from the source must
//! dial the public address the plan names; the same plan without a public address
//! dials the private one, which the lab drops, so the test fails if `check` ignores NAT.

use portplan_core::{Plan, Scenario};
use portplan_tests::netns::Lab;
use portplan_tests::TCP_LISTENER;
use serde_json::Value;
use std::time::Duration;

const PORTPLAN: &str = env!("CARGO_BIN_EXE_portplan");

/// A documentation address (TEST-NET-2) that only exists inside the lab's routes.
const PUBLIC: &str = "198.51.100.10";

fn plan(server: &str, public: Option<&str>, source: &str) -> Plan {
    let public = public.map_or(String::new(), |p| format!(r#","public_address":"{p}""#));
    let text = format!(
        r#"{{"format":1,"product":"migrate","version":"2019.5",
        "server":{{"name":"ps01","address":"{server}"{public}}},
        "workloads":[{{"name":"app01","address":"{source}","os":"windows","agent":true}}]}}"#
    );
    Plan::build(&Scenario::from_json(&text).expect("scenario")).expect("plan")
}

/// `portplan check --no-deep` from `app01` inside the lab, bounded; the report's probes.
fn check(lab: &Lab, plan: &Plan, tag: &str) -> Vec<(u64, String)> {
    let dir = std::env::temp_dir().join(format!("portplan-nat-{}-{tag}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let (p, r) = (dir.join("plan.json"), dir.join("report.json"));
    std::fs::write(&p, plan.to_json()).expect("plan");
    let mut child = lab
        .cmd("src", PORTPLAN)
        .args(["check", "--plan"])
        .arg(&p)
        .args([
            "--from",
            "app01",
            "--no-deep",
            "--timeout",
            "1s",
            "--retries",
            "0",
            "-o",
        ])
        .arg(&r)
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("portplan check");
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while child.try_wait().expect("wait").is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "check did not finish in 30 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let text = std::fs::read_to_string(&r).expect("report");
    let _ = std::fs::remove_dir_all(&dir);
    let v: Value = serde_json::from_str(&text).expect("json");
    let mut out: Vec<(u64, String)> = v["flows"]
        .as_array()
        .expect("flows")
        .iter()
        .flat_map(|f| f["probes"].as_array().cloned().unwrap_or_default())
        .map(|p| {
            (
                p["port"].as_u64().unwrap_or(0),
                p["verdict"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

#[test]
fn a_natted_agent_source_dials_the_public_address() {
    let mut lab = Lab::new("nat");
    lab.host("src");
    lab.host("ps");
    let (src, ps) = lab.link("src", "ps");
    // The source knows the public address only as a route towards the server's side.
    portplan_tests::netns::sh(&[
        "ip",
        "-n",
        &lab.ns("src"),
        "route",
        "add",
        PUBLIC,
        "via",
        &ps,
    ]);
    // The server translates its public address and accepts only translated connections.
    lab.nft(
        "ps",
        &format!(
            "table ip portplan_nat {{\n chain pre {{\n  type nat hook prerouting priority -100;\n  ip daddr {PUBLIC} dnat to {ps}\n }}\n}}\n\
             table inet portplan_f {{\n chain input {{\n  type filter hook input priority 0; policy accept;\n  ip saddr {src} ct status dnat accept\n  ip saddr {src} tcp dport {{ 80, 443 }} drop\n }}\n}}\n"
        ),
    );
    let _server = lab.python_ready("ps", TCP_LISTENER, &["80", "443"]);

    let natted = plan(&ps, Some(PUBLIC), &src);
    assert!(
        natted
            .flows
            .iter()
            .all(|f| f.address.as_deref() == Some(PUBLIC)),
        "every flow of the agent source dials the public address: {:?}",
        natted.flows
    );
    // An agent's source dials only HTTPS 443 to the server (rules v3: no HTTP 80).
    assert_eq!(check(&lab, &natted, "public"), [(443, "open".to_string())]);
    // Without the public address the source dials the private one, which is dropped.
    assert_eq!(
        check(&lab, &plan(&ps, None, &src), "private"),
        [(443, "filtered".to_string())]
    );
}
