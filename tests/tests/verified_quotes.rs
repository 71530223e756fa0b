//! The behaviour each vendor quote of `newer-versions.md` ("Verified quotes") demands,
//! one case per quote: the scenario, then the flows that must (or must not) be planned.

use portplan_core::{Phase, Plan, Protocol, Scenario};
use serde_json::{json, Value};

fn scenario(product: &str, version: &str, extra: Value) -> Value {
    let mut s = json!({"format": 1, "product": product, "version": version,
        "server": {"name": "ps", "address": "10.0.0.1"},
        "workloads": [{"name": "src", "address": "10.0.1.1", "os": "windows",
            "target": {"name": "tgt", "address": "10.0.2.1"}}]});
    merge(&mut s, extra);
    s
}

fn merge(a: &mut Value, b: Value) {
    match (a, b) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                merge(a.entry(k).or_insert(Value::Null), v);
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for (x, y) in a.iter_mut().zip(b) {
                merge(x, y);
            }
        }
        (a, b) => *a = b,
    }
}

fn plan(s: &Value) -> Plan {
    let sc = Scenario::from_json(&s.to_string()).unwrap_or_else(|e| panic!("{e}\n{s}"));
    Plan::build(&sc).unwrap_or_else(|e| panic!("{e}\n{s}"))
}

fn refused(s: &Value) -> String {
    match Scenario::from_json(&s.to_string()).and_then(|sc| Plan::build(&sc)) {
        Ok(_) => panic!("accepted: {s}"),
        Err(e) => e.to_string(),
    }
}

/// The flow `from -> to` of `proto`/`port` (`0` for ICMP), if planned.
fn flow<'a>(
    p: &'a Plan,
    from: &str,
    to: &str,
    proto: Protocol,
    port: u16,
) -> Option<&'a portplan_core::Flow> {
    p.flows.iter().find(|f| {
        f.from == from
            && f.to == to
            && f.protocol == proto
            && f.ports.map_or(0, |r| r.first.get()) == port
    })
}

fn has(p: &Plan, from: &str, to: &str, proto: Protocol, port: u16) -> bool {
    flow(p, from, to, proto, port).is_some()
}

use Protocol::{Icmp, Tcp};

#[test]
fn q1_q4_the_target_connects_to_the_source_by_default() {
    for (product, version) in [
        ("migrate", "12.3"),
        ("migrate", "2019.2"),
        ("migrate", "2020.2"),
        ("protect", "11"),
        ("forge", "11.3"),
        ("portability-suite", "8.1"),
    ] {
        let p = plan(&scenario(product, version, json!({})));
        assert!(has(&p, "tgt", "src", Tcp, 3725), "{product} {version}");
        assert!(!has(&p, "src", "tgt", Tcp, 3725), "{product} {version}");
    }
}

#[test]
fn q2_a_marketplace_server_defaults_to_target_listens() {
    let p = plan(&scenario(
        "migrate",
        "2019.2",
        json!({"server": {"marketplace": true}}),
    ));
    assert!(has(&p, "src", "tgt", Tcp, 3725));
    assert!(
        p.notes.iter().any(|n| n.contains("cloud-marketplace")),
        "{:?}",
        p.notes
    );
    // Said explicitly, the scenario's own direction wins.
    let p = plan(&scenario(
        "migrate",
        "2019.2",
        json!({"server": {"marketplace": true}, "replication": "source-listens"}),
    ));
    assert!(has(&p, "tgt", "src", Tcp, 3725));
}

#[test]
fn q3_the_agent_needs_target_listens_server_wide() {
    let agent = json!({"workloads": [{"agent": true}]});
    let p = plan(&scenario("migrate", "2019.5", agent.clone()));
    assert!(has(&p, "src", "tgt", Tcp, 3725));
    assert!(
        p.notes
            .iter()
            .any(|n| n.contains("SourceListensForConnection=False")),
        "{:?}",
        p.notes
    );
    let mut s = scenario("migrate", "2019.5", agent);
    s["replication"] = "source-listens".into();
    let e = refused(&s);
    assert!(
        e.starts_with("workloads[0].agent: ")
            && e.contains("\"replication\"")
            && e.contains("SourceListensForConnection=False"),
        "{e}"
    );
}

#[test]
fn q5_target_listens_is_accepted_from_2018_11() {
    let p = plan(&scenario(
        "migrate",
        "2018.11",
        json!({"replication": "target-listens"}),
    ));
    assert!(has(&p, "src", "tgt", Tcp, 3725));
    assert!(flow(&p, "src", "tgt", Tcp, 3725).is_some_and(|f| f.notes.is_empty()));
    let e = refused(&scenario(
        "migrate",
        "12.3",
        json!({"replication": "target-listens"}),
    ));
    assert!(
        e.contains("Migrate 2018.11") && !e.contains("TargetListens"),
        "{e}"
    );
}

#[test]
fn q6_an_agent_source_only_dials_out() {
    let p = plan(&scenario(
        "migrate",
        "2019.5",
        json!({"workloads": [{"agent": true}]}),
    ));
    assert!(has(&p, "src", "ps", Tcp, 443));
    assert!(has(&p, "src", "tgt", Tcp, 3725));
    assert!(
        p.flows.iter().all(|f| f.to != "src"),
        "nothing inbound on an agent source"
    );
}

#[test]
fn q7_outside_initiators_dial_public_addresses() {
    let s = scenario(
        "migrate",
        "2018.11",
        json!({
        "server": {"public_address": "203.0.113.10"},
        "workloads": [{"agent": true, "target": {"public_address": "203.0.113.21"}}]}),
    );
    let p = plan(&s);
    assert_eq!(
        flow(&p, "src", "ps", Tcp, 443).and_then(|f| f.address.as_deref()),
        Some("203.0.113.10")
    );
    assert_eq!(
        flow(&p, "src", "tgt", Tcp, 3725).and_then(|f| f.address.as_deref()),
        Some("203.0.113.21")
    );
    // The target is inside the server's network: it dials the private address.
    assert_eq!(
        flow(&p, "tgt", "ps", Tcp, 443).and_then(|f| f.address.as_deref()),
        None
    );
}

#[test]
fn q8_the_agent_exists_in_12_2_with_the_nearest_documented_flows() {
    let p = plan(&scenario(
        "migrate",
        "12.2",
        json!({"workloads": [{"agent": true}]}),
    ));
    let reg = flow(&p, "src", "ps", Tcp, 443).expect("registration");
    assert!(
        reg.notes.iter().any(|n| n.contains("Migrate 2018.11")),
        "{:?}",
        reg.notes
    );
    let e = refused(&scenario(
        "migrate",
        "12.1",
        json!({"workloads": [{"agent": true}]}),
    ));
    assert!(e.contains("12.2"), "{e}");
}

#[test]
fn q9_connectors_from_2018_11() {
    let c = json!({"connectors": [{"name": "conn", "address": "10.0.5.1"}]});
    let p = plan(&scenario("migrate", "2018.11", c.clone()));
    let f = flow(&p, "conn", "ps", Tcp, 61613).expect("61613");
    assert!(
        f.notes.iter().any(|n| n.contains("2019.5")),
        "{:?}",
        f.notes
    );
    assert!(flow(
        &plan(&scenario("migrate", "2019.5", c.clone())),
        "conn",
        "ps",
        Tcp,
        61613
    )
    .is_some_and(|f| f.notes.is_empty()));
    assert!(refused(&scenario("migrate", "12.3", c)).starts_with("connectors: "));
}

#[test]
fn q10_q11_ping_for_every_workload_and_protect_container() {
    for (product, version) in [
        ("migrate", "12.2.1"),
        ("migrate", "2020.2"),
        ("protect", "11"),
        ("forge", "3"),
    ] {
        let p = plan(&scenario(product, version, json!({})));
        assert!(has(&p, "ps", "src", Icmp, 0), "{product} {version}");
    }
    let p = plan(&scenario(
        "protect",
        "11.2.1",
        json!({"hosts": [{"name": "esx", "address": "10.0.0.9", "platform": "esxi"}]}),
    ));
    assert!(has(&p, "ps", "esx", Icmp, 0));
}

#[test]
fn q13_hyper_v_and_xen_rows_end() {
    let host = |p: &str| json!({"hosts": [{"name": "vh", "address": "10.0.0.9", "platform": p}]});
    assert!(has(
        &plan(&scenario("migrate", "2019.8", host("hyper-v"))),
        "ps",
        "vh",
        Tcp,
        135
    ));
    assert!(refused(&scenario("migrate", "2020.2", host("hyper-v"))).contains("up to 2019.8"));
    assert!(has(
        &plan(&scenario("migrate", "2018.11", host("xenserver"))),
        "ps",
        "vh",
        Tcp,
        22
    ));
    assert!(refused(&scenario("migrate", "2019.2", host("xenserver"))).contains("up to 2018.11"));
    assert!(has(
        &plan(&scenario("migrate", "2020.2", host("azure"))),
        "ps",
        "vh",
        Tcp,
        443
    ));
}

#[test]
fn targets_land_on_their_container() {
    let s = |p: &str| {
        json!({"hosts": [{"name": "vh", "address": "10.0.0.9", "platform": p}],
        "workloads": [{"target": {"container": "vh"}}]})
    };
    let p = plan(&scenario("migrate", "2019.8", s("vcenter")));
    assert!(p.flows.iter().any(|f| f.phase == Phase::Conversion
        && f.to == "vh"
        && f.rule == "conversion.container.vmware"));
    let p = plan(&scenario("migrate", "2019.8", s("hyper-v")));
    assert!(p.flows.iter().any(|f| f.phase == Phase::Conversion
        && f.to == "vh"
        && f.ports.is_some_and(|r| r.first.get() == 49152)));
    let p = plan(&scenario("migrate", "2020.2", s("azure")));
    assert!(p
        .flows
        .iter()
        .any(|f| f.phase == Phase::Conversion && f.rule == "conversion.container.cloud"));
    // A cloud target dials the server's public address.
    let mut sc = scenario("migrate", "2020.2", s("azure"));
    sc["server"]["public_address"] = "203.0.113.10".into();
    assert_eq!(
        flow(&plan(&sc), "tgt", "ps", Tcp, 443).and_then(|f| f.address.as_deref()),
        Some("203.0.113.10")
    );
    // Physical (X2P) targets keep their flows to the server and need no container.
    let p = plan(&scenario("migrate", "2019.8", json!({})));
    assert!(
        has(&p, "tgt", "ps", Tcp, 443)
            && p.flows
                .iter()
                .all(|f| f.phase != Phase::Conversion || f.to != "vh")
    );
}

#[test]
fn q15_protect_moves_linux_at_block_level() {
    let p = plan(&scenario(
        "protect",
        "11",
        json!({"workloads": [{"os": "linux"}]}),
    ));
    assert!(has(&p, "tgt", "src", Tcp, 3725));
    assert!(
        p.notes.iter().any(|n| n.contains("block level only")),
        "{:?}",
        p.notes
    );
    let p = plan(&scenario(
        "migrate",
        "2019.5",
        json!({"workloads": [{"os": "linux", "transfer": "block"}]}),
    ));
    assert!(has(&p, "tgt", "src", Tcp, 3725));
}

#[test]
fn q11_q16_q17_management_access() {
    let s = scenario(
        "migrate",
        "2019.5",
        json!({
        "server": {"cloud": true},
        "admins": [{"name": "adm", "address": "10.0.9.1"}],
        "connectors": [{"name": "conn", "address": "10.0.5.1"}],
        "factory": {"name": "ptm", "address": "10.0.6.1", "appliance": true,
            "database": {"name": "pg", "address": "10.0.6.2"}}}),
    );
    let p = plan(&s);
    for (from, to, port, optional) in [
        ("adm", "ps", 443, false),
        ("adm", "ps", 80, false),
        ("adm", "ps", 3389, true),
        ("adm", "ptm", 8183, false),
        ("adm", "ptm", 8182, true),
        ("adm", "ptm", 9443, false),
        ("adm", "ptm", 22, true),
        ("ptm", "pg", 5432, false),
        ("ptm", "conn", 61613, false),
    ] {
        let f = flow(&p, from, to, Tcp, port).unwrap_or_else(|| panic!("{from} -> {to} {port}"));
        assert_eq!(f.optional, optional, "{from} -> {to} {port}");
    }
    // On premises: no RDP; no appliance: no 9443.
    let mut s2 = s.clone();
    s2["server"]["cloud"] = false.into();
    s2["factory"]["appliance"] = false.into();
    let p = plan(&s2);
    assert!(!has(&p, "adm", "ps", Tcp, 3389) && !has(&p, "adm", "ptm", Tcp, 9443));
}

#[test]
fn unknown_releases_are_planned_with_a_warning() {
    let p = plan(&scenario("migrate", "2019.6", json!({})));
    assert!(
        p.notes
            .iter()
            .any(|n| n.contains("between Migrate 2019.5 and 2019.8")),
        "{:?}",
        p.notes
    );
    assert!(plan(&scenario("migrate", "2019.5", json!({})))
        .notes
        .is_empty());
}
