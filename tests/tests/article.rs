//! Walks the vendor article (TID 7920341) line by line and proves each port fact is
//! planned under its conditions and not outside them.
//!
//! Every article line that names TCP, UDP or ICMP must be claimed by a fact below, so a
//! fact nobody encoded fails this test instead of going unnoticed.

use portplan_core::{Phase, Plan, Protocol, Scenario};
use serde_json::{json, Value};

/// The article with every run of whitespace (it has non-breaking spaces) made one space.
fn article() -> String {
    include_str!("../../reference/tid-7920341-port-requirements.txt")
        .lines()
        .map(norm)
        .collect::<Vec<_>>()
        .join("\n")
}

fn norm(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One expectation: in the scenario, a flow (phase, from, to, protocol, first-last) is
/// present (`true`) or absent (`false`).
struct Expect {
    scenario: Value,
    phase: Phase,
    from: &'static str,
    to: &'static str,
    protocol: Protocol,
    ports: Option<(u16, u16)>,
    present: bool,
}

/// `hop` is `"from>to"`, `what` is `"tcp 135"`, `"udp 137-138"` or `"icmp"`.
fn expect(scenario: Value, phase: Phase, hop: &'static str, what: &str, present: bool) -> Expect {
    let (from, to) = hop.split_once('>').expect("from>to");
    let (proto, ports) = what.split_once(' ').unwrap_or((what, ""));
    let protocol = proto.parse().expect("protocol");
    let ports = (!ports.is_empty()).then(|| {
        let (a, b) = ports.split_once('-').unwrap_or((ports, ports));
        (a.parse().expect("port"), b.parse().expect("port"))
    });
    Expect {
        scenario,
        phase,
        from,
        to,
        protocol,
        ports,
        present,
    }
}

/// The flow is planned.
fn on(s: Value, phase: Phase, hop: &'static str, what: &str) -> Expect {
    expect(s, phase, hop, what, true)
}

/// The flow is not planned.
fn off(s: Value, phase: Phase, hop: &'static str, what: &str) -> Expect {
    expect(s, phase, hop, what, false)
}

/// A scenario with one server, optional virtualization host, one workload and its target.
fn scenario(product: &str, version: &str, workload: Value, host: Option<&str>) -> Value {
    let mut w = json!({"name": "src", "address": "10.0.1.1", "os": "windows",
        "target": {"name": "tgt", "address": "10.0.2.1"}});
    if let (Some(obj), Some(extra)) = (w.as_object_mut(), workload.as_object()) {
        for (k, v) in extra {
            obj.insert(k.clone(), v.clone());
        }
    }
    let mut s = json!({"format": 1, "product": product, "version": version,
        "server": {"name": "ps", "address": "10.0.0.1"}, "workloads": [w]});
    if let Some(p) = host {
        s["hosts"] = json!([{"name": "vh", "address": "10.0.0.2", "platform": p}]);
    }
    s
}

fn plan(s: &Value) -> Plan {
    let sc = Scenario::from_json(&s.to_string()).unwrap_or_else(|e| panic!("{e}\n{s}"));
    Plan::build(&sc).unwrap_or_else(|e| panic!("{e}\n{s}"))
}

fn has(
    p: &Plan,
    phase: Phase,
    from: &str,
    to: &str,
    proto: Protocol,
    ports: Option<(u16, u16)>,
) -> bool {
    p.flows.iter().any(|f| {
        f.phase == phase
            && f.from == from
            && f.to == to
            && f.protocol == proto
            && f.ports.map(|r| (r.first.get(), r.last.get())) == ports
    })
}

fn win(v: &str) -> Value {
    json!({"os": "windows", "windows": v})
}
fn linux() -> Value {
    json!({"os": "linux"})
}
fn legacy(drives: &[&str]) -> Value {
    json!({"os": "windows", "windows": "2003", "transfer": "block-legacy", "drives": drives})
}

use Phase::{Conversion as C, Discovery as D, Legacy as L, Transfer as T};

/// The article's facts: (a distinctive piece of the line, expectations).
fn facts() -> Vec<(&'static str, Vec<Expect>)> {
    let m = |w: Value| scenario("migrate", "12.3", w, None);
    let mh = |p: &str| scenario("migrate", "12.3", win("2016"), Some(p));
    let ps = |v: &str, w: Value| scenario("portability-suite", v, w, None);
    let forge = |v: &str, w: Value| scenario("forge", v, w, None);
    let other = |product: &str, v: &str, w: Value| scenario(product, v, w, None);
    // A Migrate Agent workload, its target created on a vCenter container (Q7: the
    // agent is not supported for semi-automated X2P targets).
    let agent = |os: &str| {
        let w = json!({"os": os, "agent": true,
            "target": {"name": "tgt", "address": "10.0.2.1", "container": "vh"}});
        scenario("migrate", "2019.5", w, Some("vcenter"))
    };
    vec![
        (
            "SSH Port used when discovering Linux",
            vec![
                on(m(linux()), D, "ps>src", "tcp 22"),
                off(m(win("2016")), D, "ps>src", "tcp 22"),
                on(mh("xenserver"), D, "ps>vh", "tcp 22"),
                on(mh("esx-2.5"), D, "ps>vh", "tcp 22"),
                on(mh("esx-3.0"), D, "ps>vh", "tcp 22"),
                off(mh("esx-3.5"), D, "ps>vh", "tcp 22"),
                off(mh("esx-4"), D, "ps>vh", "tcp 22"),
                off(mh("esxi"), D, "ps>vh", "tcp 22"),
            ],
        ),
        (
            "SSL Port used to connect to the VI3 webservices when discovering ESXi",
            vec![
                on(mh("esxi"), D, "ps>vh", "tcp 443"),
                off(mh("xenserver"), D, "ps>vh", "tcp 443"),
            ],
        ),
        (
            "PlateSpin utilizes WMI when discovering Windows based servers",
            vec![
                on(m(win("2016")), D, "ps>src", "tcp 135"),
                on(m(win("2016")), D, "ps>src", "tcp 445"),
                off(m(linux()), D, "ps>src", "tcp 135"),
                off(m(linux()), D, "ps>src", "tcp 445"),
                on(mh("hyper-v"), D, "ps>vh", "tcp 135"),
                on(mh("hyper-v"), D, "ps>vh", "tcp 445"),
            ],
        ),
        (
            "random/dynamically assigned ports above 1024",
            vec![
                on(m(win("2016")), D, "ps>src", "tcp 49152-65535"),
                on(m(win("2003")), D, "ps>src", "tcp 1025-5000"),
                off(m(win("2003")), D, "ps>src", "tcp 49152-65535"),
                on(m(json!({"os": "windows"})), D, "ps>src", "tcp 49152-65535"),
                off(m(linux()), D, "ps>src", "tcp 49152-65535"),
                on(m(win("2016")), C, "ps>src", "tcp 49152-65535"),
                on(m(win("xp")), C, "ps>src", "tcp 1025-5000"),
            ],
        ),
        (
            "80       TCP - For HTTP communication",
            vec![
                on(m(win("2016")), C, "src>ps", "tcp 80"),
                on(m(win("2016")), C, "tgt>ps", "tcp 80"),
                on(m(linux()), C, "src>ps", "tcp 80"),
                on(ps("8.1.3", legacy(&["C"])), C, "src>ps", "tcp 80"),
                on(forge("2.5", win("2003")), C, "tgt>ps", "tcp 80"),
                // "Only HTTPS (TCP/443) and a replication port (TCP/3725 is the
                // default) are needed outbound" for an agent's source (Q6).
                off(agent("windows"), C, "src>ps", "tcp 80"),
                off(agent("linux"), C, "src>ps", "tcp 80"),
                on(agent("windows"), C, "tgt>ps", "tcp 80"),
            ],
        ),
        (
            "for version 11.x and above",
            vec![
                on(m(win("2016")), C, "src>ps", "tcp 443"),
                on(m(win("2016")), C, "tgt>ps", "tcp 443"),
                on(other("migrate", "11", win("2008")), C, "src>ps", "tcp 443"),
                on(
                    other("protect", "11.2.1", win("2008")),
                    C,
                    "tgt>ps",
                    "tcp 443",
                ),
                on(forge("11.3", win("2008")), C, "src>ps", "tcp 443"),
                off(
                    other("migrate", "10.4", win("2008")),
                    C,
                    "src>ps",
                    "tcp 443",
                ),
                off(ps("8.1.3", win("2003")), C, "src>ps", "tcp 443"),
                off(forge("2.5", win("2003")), C, "tgt>ps", "tcp 443"),
            ],
        ),
        (
            // The article states no direction; the vendor's default (Q1, Q4) is that the
            // target connects to the source, for every product and version.
            "3725   TCP - Default File Transfer port",
            vec![
                on(m(win("2016")), T, "tgt>src", "tcp 3725"),
                off(m(win("2016")), T, "src>tgt", "tcp 3725"),
                on(
                    m(json!({"os": "windows", "transfer": "vss-bbt"})),
                    T,
                    "tgt>src",
                    "tcp 3725",
                ),
                on(m(linux()), T, "tgt>src", "tcp 3725"),
                on(forge("2.5", win("2003")), T, "tgt>src", "tcp 3725"),
                on(
                    other("protect", "11", win("2008")),
                    T,
                    "tgt>src",
                    "tcp 3725",
                ),
                off(ps("8.1.3", legacy(&["C"])), T, "tgt>src", "tcp 3725"),
                on(
                    other("migrate", "2019.2", win("2016")),
                    T,
                    "tgt>src",
                    "tcp 3725",
                ),
            ],
        ),
        (
            "SMB (TCP 139, TCP 445, UDP 137,UDP 138)",
            vec![
                on(m(win("2016")), C, "ps>src", "tcp 139"),
                on(m(win("2016")), C, "ps>src", "tcp 445"),
                on(m(win("2016")), C, "ps>src", "udp 137-138"),
                off(m(linux()), C, "ps>src", "tcp 445"),
                on(
                    m(json!({"os": "windows", "agent": false})),
                    C,
                    "ps>src",
                    "tcp 139",
                ),
                off(agent("windows"), C, "ps>src", "tcp 445"),
            ],
        ),
        (
            "utilizes WMI when taking control and rebooting the source server",
            vec![
                on(m(win("2016")), C, "ps>src", "tcp 135"),
                on(m(win("2016")), C, "ps>src", "tcp 445"),
                off(m(linux()), C, "ps>src", "tcp 135"),
            ],
        ),
        (
            "9999 TCP - Required during block-level data transfer",
            vec![
                on(ps("8.1.3", legacy(&["C"])), L, "src>tgt", "tcp 9999"),
                on(forge("2.5", legacy(&["C"])), L, "src>tgt", "tcp 9999"),
                on(ps("7", legacy(&["C"])), L, "src>tgt", "tcp 9999"),
                off(ps("8.1.3", win("2003")), L, "src>tgt", "tcp 9999"),
            ],
        ),
        (
            "137-139/445 TCP",
            vec![
                on(ps("8.1.3", legacy(&["C"])), L, "src>tgt", "tcp 137-139"),
                on(ps("8.1.3", legacy(&["C"])), L, "src>tgt", "tcp 445"),
                off(ps("8.1.3", win("2003")), L, "src>tgt", "tcp 445"),
            ],
        ),
        (
            "10000-100025 TCP",
            vec![
                on(ps("8.1.3", legacy(&["C", "e"])), L, "src>tgt", "tcp 10002"),
                on(ps("8.1.3", legacy(&["C", "e"])), L, "src>tgt", "tcp 10004"),
                off(ps("8.1.3", legacy(&["C", "e"])), L, "src>tgt", "tcp 10003"),
                on(forge("2.5", legacy(&["A", "Z"])), L, "src>tgt", "tcp 10000"),
                on(forge("2.5", legacy(&["A", "Z"])), L, "src>tgt", "tcp 10025"),
            ],
        ),
        (
            "ICMP (Ping) is also used between source and target servers",
            vec![
                on(ps("8.1.3", legacy(&["C"])), L, "src>tgt", "icmp"),
                off(ps("8.1.3", win("2003")), L, "src>tgt", "icmp"),
            ],
        ),
    ]
}

#[test]
fn every_article_fact_is_planned_under_its_conditions_only() {
    for (line, expects) in facts() {
        assert!(
            article().contains(&norm(line)),
            "fixture names a line not in the article: {line}"
        );
        for Expect {
            scenario: s,
            phase,
            from,
            to,
            protocol: proto,
            ports,
            present,
        } in expects
        {
            let p = plan(&s);
            assert_eq!(
                has(&p, phase, from, to, proto, ports),
                present,
                "{line}: {phase} {from}->{to} {proto} {ports:?} should be {}\nscenario: {s}\nplan:\n{}",
                if present { "present" } else { "absent" },
                portplan_core::export::table::render(&p)
            );
        }
    }
}

#[test]
fn every_article_line_with_a_protocol_is_claimed_by_a_fact() {
    let facts = facts();
    for (n, line) in article().lines().enumerate() {
        let names_protocol = ["TCP", "UDP", "ICMP"].iter().any(|p| line.contains(p));
        if names_protocol {
            assert!(
                facts.iter().any(|(key, _)| line.contains(&norm(key))),
                "article line {} names a protocol but no fact covers it: {line}",
                n + 1
            );
        }
    }
}

/// "Block-Based Specific Ports (Legacy - applies to Portability Suite 8.1.3/Forge 2.5 and below)".
#[test]
fn legacy_block_based_on_a_newer_product_is_an_error() {
    assert!(article().contains("applies to Portability Suite 8.1.3/Forge 2.5 and below"));
    for (product, version) in [
        ("migrate", "12.3"),
        ("portability-suite", "8.2"),
        ("portability-suite", "8.1.4"),
        ("forge", "3"),
        ("protect", "11"),
    ] {
        let s = scenario(product, version, legacy(&["C"]), None);
        let err = Scenario::from_json(&s.to_string()).expect_err(version);
        assert_eq!(
            err.path(),
            "workloads[0].transfer",
            "{product} {version}: {err}"
        );
        assert!(err.to_string().contains("8.1.3"), "{err}");
    }
    for (product, version) in [
        ("portability-suite", "8.1.3"),
        ("portability-suite", "8.1.3.2"),
        ("forge", "2.5"),
        ("forge", "1"),
    ] {
        let s = scenario(product, version, legacy(&["C"]), None);
        Scenario::from_json(&s.to_string()).unwrap_or_else(|e| panic!("{product} {version}: {e}"));
    }
}

/// The copy shipped in `reference/` is the vendor text the team was given.
#[test]
fn shipped_reference_matches_the_shared_copy() {
    let shared = portplan_tests::workspace_root()
        .join("../shared/reference/tid-7920341-port-requirements.txt");
    if let Ok(text) = std::fs::read_to_string(&shared) {
        assert_eq!(
            text,
            include_str!("../../reference/tid-7920341-port-requirements.txt"),
            "reference/ differs from {}",
            shared.display()
        );
    }
}
