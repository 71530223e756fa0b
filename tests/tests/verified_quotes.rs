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

use Protocol::{Icmp, Tcp, Udp};

/// One Migrate Agent workload whose target is created on a vCenter container (the
/// agent is not supported for semi-automated X2P targets, Q7).
fn agent() -> Value {
    json!({"hosts": [{"name": "vc", "address": "10.0.0.9", "platform": "vcenter"}],
        "workloads": [{"agent": true, "target": {"container": "vc"}}]})
}

/// No note of the flow says a stored guide is missing for this version.
fn documented(f: &portplan_core::Flow) -> bool {
    !f.notes.iter().any(|n| n.starts_with("No stored"))
}

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
    let agent = agent();
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
    assert!(flow(&p, "src", "tgt", Tcp, 3725).is_some_and(documented));
    let e = refused(&scenario(
        "migrate",
        "12.1",
        json!({"replication": "target-listens"}),
    ));
    assert!(
        e.contains("Migrate 12.2 or later") && !e.contains("TargetListens"),
        "{e}"
    );
}

#[test]
fn q6_an_agent_source_only_dials_out() {
    let p = plan(&scenario("migrate", "2019.5", agent()));
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
        "hosts": [{"name": "vc", "address": "10.0.0.9", "platform": "vcenter"}],
        "workloads": [{"agent": true, "target": {"public_address": "203.0.113.21", "container": "vc"}}]}),
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
    let p = plan(&scenario("migrate", "12.2", agent()));
    let reg = flow(&p, "src", "ps", Tcp, 443).expect("registration");
    assert!(
        reg.notes.iter().any(|n| n.contains("Migrate 2018.11")),
        "{:?}",
        reg.notes
    );
    let e = refused(&scenario("migrate", "12.1", agent()));
    assert!(e.contains("12.2"), "{e}");
}

#[test]
fn q9_q22_connectors_from_12_2_1() {
    let c = json!({"connectors": [{"name": "conn", "address": "10.0.5.1"}]});
    for v in ["12.2.1", "2018.11", "2019.5"] {
        let p = plan(&scenario("migrate", v, c.clone()));
        assert!(
            flow(&p, "conn", "ps", Tcp, 61613).is_some_and(documented),
            "{v}"
        );
    }
    // 12.2.2: no stored page; planned as the nearest documented release.
    let p = plan(&scenario("migrate", "12.2.2", c.clone()));
    let f = flow(&p, "conn", "ps", Tcp, 61613).expect("61613");
    assert!(
        f.notes.iter().any(|n| n.contains("Migrate 12.2.1")),
        "{:?}",
        f.notes
    );
    let e = refused(&scenario("migrate", "12.2", c));
    assert!(e.starts_with("connectors: ") && e.contains("12.2.1"), "{e}");
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
    // 2019.2 still documents Linux sources on XenServer (Q24): planned as 2018.11 has it.
    for v in ["2019.2", "2020.2"] {
        let p = plan(&scenario("migrate", v, host("xenserver")));
        let f = flow(&p, "ps", "vh", Tcp, 22).expect("xen ssh");
        assert!(
            f.notes.iter().any(|n| n.contains("Migrate 2018.11"))
                && f.notes
                    .iter()
                    .any(|n| n.contains("Citrix XenServer or KVM virtual host")),
            "{v}: {:?}",
            f.notes
        );
    }
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
        ("conn", "ptm", 61613, false),
        ("conn", "ps", 61613, false),
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

/// Issue 24 (rules v3): each case quotes the vendor's words it encodes.
#[test]
fn q6_q17_the_agent_source_dials_only_443_and_3725_and_linux_ssh_is_inferred() {
    // "Only HTTPS (TCP/443) and a replication port (TCP/3725 is the default) are needed
    // outbound for the source Windows workloads."
    let p = plan(&scenario("migrate", "2019.5", agent()));
    let out: Vec<(u16, &str)> = p
        .flows
        .iter()
        .filter(|f| f.from == "src")
        .map(|f| (f.ports.map_or(0, |r| r.first.get()), f.to.as_str()))
        .collect();
    assert!(
        out.iter().all(|(port, _)| [443, 3725].contains(port)),
        "{out:?}"
    );
    assert!(!has(&p, "src", "ps", Tcp, 80));
    // "For source Linux workloads, you also need to open the SSH port (TCP/22)": the
    // direction is not stated, planned as the AWS Quick Start has it, marked inferred.
    let mut linux = agent();
    linux["workloads"][0]["os"] = "linux".into();
    let p = plan(&scenario("migrate", "2019.5", linux));
    let ssh = flow(&p, "src", "tgt", Tcp, 22).expect("ssh 22");
    assert!(ssh.inferred);
    assert!(
        ssh.notes
            .iter()
            .any(|n| n.starts_with("Direction inferred")),
        "{:?}",
        ssh.notes
    );
    assert!(p.flows.iter().all(|f| f.to != "src"));
}

#[test]
fn q7_the_agent_is_refused_with_a_semi_automated_target() {
    // "Migrate Agent is not supported for use with semi-automated (X2P) migrations"
    let e = refused(&scenario(
        "migrate",
        "2019.5",
        json!({"workloads": [{"agent": true}]}),
    ));
    assert!(
        e.starts_with("workloads[0].agent: ")
            && e.contains("\"src\"")
            && e.contains("semi-automated (X2P)")
            && e.contains("\"tgt\" has no container")
            && !e.contains('\n'),
        "{e}"
    );
}

#[test]
fn q18_target_listens_at_12_2_x_explicit_and_implicit_agree() {
    // "When you use the Migrate Agent on the source workload, the source workload
    // contacts the target workload" (Migrate 12.2.2).
    for v in ["12.2", "12.2.1", "12.2.2"] {
        let implicit = plan(&scenario("migrate", v, agent()));
        let mut s = scenario("migrate", v, agent());
        s["replication"] = "target-listens".into();
        let explicit = plan(&s);
        assert_eq!(implicit.flows, explicit.flows, "{v}");
        let f = flow(&explicit, "src", "tgt", Tcp, 3725).expect("3725");
        assert_eq!(documented(f), v == "12.2.2", "{v}: {:?}", f.notes);
        assert!(f.notes.iter().any(|n| n.contains("(Q18)")), "{v}");
    }
}

#[test]
fn q21_q22_connectors_subscribe_and_ptm_1_1_wording_stays_at_12_2_1() {
    // "A Connector instance subscribes automatically to the event service for its PTM
    // Server and to the event services for its assigned PlateSpin Migrate servers."
    let factory = json!({"connectors": [{"name": "conn", "address": "10.0.5.1"}],
        "factory": {"name": "ptm", "address": "10.0.6.1"}});
    let p = plan(&scenario("migrate", "2019.5", factory.clone()));
    assert!(has(&p, "conn", "ptm", Tcp, 61613) && has(&p, "conn", "ps", Tcp, 61613));
    assert!(!has(&p, "ptm", "conn", Tcp, 61613) && !has(&p, "ptm", "ps", Tcp, 61613));
    // PTM 1.1 ("Open this port on all other Connector host servers, the PlateSpin
    // Migrate servers") covers Migrate 12.2.1: its reading stays there only.
    let p = plan(&scenario("migrate", "12.2.1", factory));
    assert!(has(&p, "ptm", "conn", Tcp, 61613) && has(&p, "ptm", "ps", Tcp, 61613));
    assert!(has(&p, "conn", "ptm", Tcp, 61613));
}

#[test]
fn q16_ptm_web_interface_is_tcp_and_udp() {
    // "HTTPS port for the Web Interface. Allow TCP and UDP traffic, incoming and outgoing."
    let s = json!({"admins": [{"name": "adm", "address": "10.0.9.1"}],
        "factory": {"name": "ptm", "address": "10.0.6.1"}});
    let p = plan(&scenario("migrate", "2019.5", s));
    for (proto, port, optional) in [
        (Tcp, 8183, false),
        (Udp, 8183, false),
        (Tcp, 8182, true),
        (Udp, 8182, true),
    ] {
        let f = flow(&p, "adm", "ptm", proto, port).unwrap_or_else(|| panic!("{proto} {port}"));
        assert_eq!(f.optional, optional, "{proto} {port}");
    }
}

#[test]
fn q19_q20_protect_refuses_containers_it_does_not_document_and_never_pings_a_cloud() {
    // "All VMware containers … VMware Web services API and file management API: HTTPS
    // (TCP 443)"; credentials for "VMware ESX or ESXi host" and "VMware vCenter Server".
    for platform in ["azure", "aws", "kvm", "hyper-v"] {
        let s = json!({"hosts": [{"name": "vh", "address": "vh.example", "platform": platform}],
            "workloads": [{"target": {"container": "vh"}}]});
        let e = refused(&scenario("protect", "11.3", s));
        assert!(
            e.starts_with("workloads[0].target.container: ")
                && e.contains("VMware containers only")
                && e.contains("ESXi host or vCenter Server"),
            "{platform}: {e}"
        );
    }
    let s = json!({"hosts": [{"name": "vh", "address": "10.0.0.9", "platform": "esxi"}],
        "workloads": [{"target": {"container": "vh"}}]});
    assert!(has(
        &plan(&scenario("protect", "11.3", s)),
        "ps",
        "vh",
        Icmp,
        0
    ));
    // A cloud's API host name is never pinged, in any product.
    for (product, version) in [("migrate", "2020.2"), ("migrate", "2019.5")] {
        let s = json!({"hosts": [{"name": "az", "address": "management.azure.com", "platform": "azure"}],
            "workloads": [{"target": {"container": "az"}}]});
        let p = plan(&scenario(product, version, s));
        assert!(!has(&p, "ps", "az", Icmp, 0), "{product} {version}");
    }
}

#[test]
fn q7_an_agent_outside_with_a_private_server_is_warned() {
    // "Public IP addresses are required for the PlateSpin Migrate server host … Set the
    // AlternateServerAddress parameter to the Migrate server's public IP address"
    let p = plan(&scenario("migrate", "2019.5", agent()));
    let warned: Vec<&String> = p
        .notes
        .iter()
        .filter(|n| n.contains("AlternateServerAddress"))
        .collect();
    assert!(
        warned.len() == 1 && warned[0].contains("\"src\"") && warned[0].contains("\"ps\""),
        "{:?}",
        p.notes
    );
    let mut s = scenario("migrate", "2019.5", agent());
    s["server"]["public_address"] = "203.0.113.10".into();
    assert!(!plan(&s)
        .notes
        .iter()
        .any(|n| n.contains("AlternateServerAddress")));
    s["workloads"][0]["outside"] = false.into();
    s["server"] = json!({"name": "ps", "address": "10.0.0.1"});
    assert!(!plan(&s)
        .notes
        .iter()
        .any(|n| n.contains("AlternateServerAddress")));
}

#[test]
fn q23_portability_suite_8_1_pings_windows_2008_sources() {
    // "Microsoft Windows Server 2008 and Windows Vista sources … File and Printer
    // Sharing (Echo Request - ICMPv4-In)"
    for (windows, ping) in [("2008", true), ("vista", true), ("2003", false)] {
        let p = plan(&scenario(
            "portability-suite",
            "8.1",
            json!({"workloads": [{"windows": windows}]}),
        ));
        assert_eq!(has(&p, "ps", "src", Icmp, 0), ping, "{windows}");
    }
}

#[test]
fn q21_the_transformation_manager_discovers_cloud_targets() {
    // "Discovery is performed by PTM using HTTPS queries for the user account through
    // the appropriate Azure portal."
    let s = |platform: &str| {
        json!({"hosts": [{"name": "vh", "address": "vh.example", "platform": platform}],
            "factory": {"name": "ptm", "address": "10.0.6.1"},
            "workloads": [{"target": {"container": "vh"}}]})
    };
    assert!(has(
        &plan(&scenario("migrate", "2019.5", s("azure"))),
        "ptm",
        "vh",
        Tcp,
        443
    ));
    assert!(has(
        &plan(&scenario("migrate", "2019.5", s("aws"))),
        "ptm",
        "vh",
        Tcp,
        443
    ));
    assert!(!has(
        &plan(&scenario("migrate", "2019.5", s("vcenter"))),
        "ptm",
        "vh",
        Tcp,
        443
    ));
}

#[test]
fn invented_flows_are_marked_inferred() {
    // No page says how a target VM is created on a Hyper-V host or on ESX 2.5.
    for (platform, port) in [("hyper-v", 135), ("esx-2.5", 22)] {
        let s = json!({"hosts": [{"name": "vh", "address": "10.0.0.9", "platform": platform}],
            "workloads": [{"target": {"container": "vh"}}]});
        let p = plan(&scenario("migrate", "2018.11", s));
        let f = p
            .flows
            .iter()
            .find(|f| {
                f.phase == Phase::Conversion
                    && f.to == "vh"
                    && f.ports.is_some_and(|r| r.first.get() == port)
            })
            .unwrap_or_else(|| panic!("{platform}"));
        assert!(f.inferred, "{platform}");
        assert!(
            !p.flows.iter().any(|f| f.phase == Phase::Conversion
                && f.to == "vh"
                && platform == "esx-2.5"
                && f.ports.is_some_and(|r| r.first.get() == 443)),
            "no VI3 web service on ESX 2.5"
        );
    }
    assert!(plan(&scenario("migrate", "2019.5", json!({})))
        .flows
        .iter()
        .all(|f| !f.inferred));
}
