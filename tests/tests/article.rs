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
type Expect = (
    Value,
    Phase,
    &'static str,
    &'static str,
    Protocol,
    Option<(u16, u16)>,
    bool,
);

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
use Protocol::{Icmp, Tcp, Udp};

/// The article's facts: (a distinctive piece of the line, expectations).
fn facts() -> Vec<(&'static str, Vec<Expect>)> {
    let m = |w: Value| scenario("migrate", "12.3", w, None);
    let mh = |p: &str| scenario("migrate", "12.3", win("2016"), Some(p));
    vec![
        (
            "SSH Port used when discovering Linux",
            vec![
                (m(linux()), D, "ps", "src", Tcp, Some((22, 22)), true),
                (m(win("2016")), D, "ps", "src", Tcp, Some((22, 22)), false),
                (mh("xenserver"), D, "ps", "vh", Tcp, Some((22, 22)), true),
                (mh("esx-2.5"), D, "ps", "vh", Tcp, Some((22, 22)), true),
                (mh("esx-3.0"), D, "ps", "vh", Tcp, Some((22, 22)), true),
                (mh("esx-3.5"), D, "ps", "vh", Tcp, Some((22, 22)), false),
                (mh("esx-4"), D, "ps", "vh", Tcp, Some((22, 22)), false),
                (mh("esxi"), D, "ps", "vh", Tcp, Some((22, 22)), false),
            ],
        ),
        (
            "SSL Port used to connect to the VI3 webservices when discovering ESXi",
            vec![
                (mh("esxi"), D, "ps", "vh", Tcp, Some((443, 443)), true),
                (mh("xenserver"), D, "ps", "vh", Tcp, Some((443, 443)), false),
            ],
        ),
        (
            "PlateSpin utilizes WMI when discovering Windows based servers",
            vec![
                (m(win("2016")), D, "ps", "src", Tcp, Some((135, 135)), true),
                (m(win("2016")), D, "ps", "src", Tcp, Some((445, 445)), true),
                (m(linux()), D, "ps", "src", Tcp, Some((135, 135)), false),
                (m(linux()), D, "ps", "src", Tcp, Some((445, 445)), false),
                (mh("hyper-v"), D, "ps", "vh", Tcp, Some((135, 135)), true),
                (mh("hyper-v"), D, "ps", "vh", Tcp, Some((445, 445)), true),
            ],
        ),
        (
            "random/dynamically assigned ports above 1024",
            vec![
                (
                    m(win("2016")),
                    D,
                    "ps",
                    "src",
                    Tcp,
                    Some((49152, 65535)),
                    true,
                ),
                (
                    m(win("2003")),
                    D,
                    "ps",
                    "src",
                    Tcp,
                    Some((1025, 5000)),
                    true,
                ),
                (
                    m(win("2003")),
                    D,
                    "ps",
                    "src",
                    Tcp,
                    Some((49152, 65535)),
                    false,
                ),
                (
                    m(json!({"os": "windows"})),
                    D,
                    "ps",
                    "src",
                    Tcp,
                    Some((49152, 65535)),
                    true,
                ),
                (m(linux()), D, "ps", "src", Tcp, Some((49152, 65535)), false),
                (
                    m(win("2016")),
                    C,
                    "ps",
                    "src",
                    Tcp,
                    Some((49152, 65535)),
                    true,
                ),
                (m(win("xp")), C, "ps", "src", Tcp, Some((1025, 5000)), true),
            ],
        ),
        (
            "80       TCP - For HTTP communication",
            vec![
                (m(win("2016")), C, "src", "ps", Tcp, Some((80, 80)), true),
                (m(win("2016")), C, "tgt", "ps", Tcp, Some((80, 80)), true),
                (m(linux()), C, "src", "ps", Tcp, Some((80, 80)), true),
                (
                    scenario("portability-suite", "8.1.3", legacy(&["C"]), None),
                    C,
                    "src",
                    "ps",
                    Tcp,
                    Some((80, 80)),
                    true,
                ),
                (
                    scenario("forge", "2.5", win("2003"), None),
                    C,
                    "tgt",
                    "ps",
                    Tcp,
                    Some((80, 80)),
                    true,
                ),
            ],
        ),
        (
            "for version 11.x and above",
            vec![
                (m(win("2016")), C, "src", "ps", Tcp, Some((443, 443)), true),
                (m(win("2016")), C, "tgt", "ps", Tcp, Some((443, 443)), true),
                (
                    scenario("migrate", "11", win("2008"), None),
                    C,
                    "src",
                    "ps",
                    Tcp,
                    Some((443, 443)),
                    true,
                ),
                (
                    scenario("protect", "11.2.1", win("2008"), None),
                    C,
                    "tgt",
                    "ps",
                    Tcp,
                    Some((443, 443)),
                    true,
                ),
                (
                    scenario("forge", "11.3", win("2008"), None),
                    C,
                    "src",
                    "ps",
                    Tcp,
                    Some((443, 443)),
                    true,
                ),
                (
                    scenario("migrate", "10.4", win("2008"), None),
                    C,
                    "src",
                    "ps",
                    Tcp,
                    Some((443, 443)),
                    false,
                ),
                (
                    scenario("portability-suite", "8.1.3", win("2003"), None),
                    C,
                    "src",
                    "ps",
                    Tcp,
                    Some((443, 443)),
                    false,
                ),
                (
                    scenario("forge", "2.5", win("2003"), None),
                    C,
                    "tgt",
                    "ps",
                    Tcp,
                    Some((443, 443)),
                    false,
                ),
            ],
        ),
        (
            // The article states no direction; the vendor's default (Q1, Q4) is that the
            // target connects to the source, for every product and version.
            "3725   TCP - Default File Transfer port",
            vec![
                (
                    m(win("2016")),
                    T,
                    "tgt",
                    "src",
                    Tcp,
                    Some((3725, 3725)),
                    true,
                ),
                (
                    m(win("2016")),
                    T,
                    "src",
                    "tgt",
                    Tcp,
                    Some((3725, 3725)),
                    false,
                ),
                (
                    m(json!({"os": "windows", "transfer": "vss-bbt"})),
                    T,
                    "tgt",
                    "src",
                    Tcp,
                    Some((3725, 3725)),
                    true,
                ),
                (m(linux()), T, "tgt", "src", Tcp, Some((3725, 3725)), true),
                (
                    scenario("forge", "2.5", win("2003"), None),
                    T,
                    "tgt",
                    "src",
                    Tcp,
                    Some((3725, 3725)),
                    true,
                ),
                (
                    scenario("protect", "11", win("2008"), None),
                    T,
                    "tgt",
                    "src",
                    Tcp,
                    Some((3725, 3725)),
                    true,
                ),
                (
                    scenario("portability-suite", "8.1.3", legacy(&["C"]), None),
                    T,
                    "tgt",
                    "src",
                    Tcp,
                    Some((3725, 3725)),
                    false,
                ),
                (
                    scenario("migrate", "2019.2", win("2016"), None),
                    T,
                    "tgt",
                    "src",
                    Tcp,
                    Some((3725, 3725)),
                    true,
                ),
            ],
        ),
        (
            "SMB (TCP 139, TCP 445, UDP 137,UDP 138)",
            vec![
                (m(win("2016")), C, "ps", "src", Tcp, Some((139, 139)), true),
                (m(win("2016")), C, "ps", "src", Tcp, Some((445, 445)), true),
                (m(win("2016")), C, "ps", "src", Udp, Some((137, 138)), true),
                (m(linux()), C, "ps", "src", Tcp, Some((445, 445)), false),
                (
                    m(json!({"os": "windows", "agent": false})),
                    C,
                    "ps",
                    "src",
                    Tcp,
                    Some((139, 139)),
                    true,
                ),
                (
                    scenario(
                        "migrate",
                        "2019.5",
                        json!({"os": "windows", "agent": true}),
                        None,
                    ),
                    C,
                    "ps",
                    "src",
                    Tcp,
                    Some((445, 445)),
                    false,
                ),
            ],
        ),
        (
            "utilizes WMI when taking control and rebooting the source server",
            vec![
                (m(win("2016")), C, "ps", "src", Tcp, Some((135, 135)), true),
                (m(win("2016")), C, "ps", "src", Tcp, Some((445, 445)), true),
                (m(linux()), C, "ps", "src", Tcp, Some((135, 135)), false),
            ],
        ),
        (
            "9999 TCP - Required during block-level data transfer",
            vec![
                (
                    scenario("portability-suite", "8.1.3", legacy(&["C"]), None),
                    L,
                    "src",
                    "tgt",
                    Tcp,
                    Some((9999, 9999)),
                    true,
                ),
                (
                    scenario("forge", "2.5", legacy(&["C"]), None),
                    L,
                    "src",
                    "tgt",
                    Tcp,
                    Some((9999, 9999)),
                    true,
                ),
                (
                    scenario("portability-suite", "7", legacy(&["C"]), None),
                    L,
                    "src",
                    "tgt",
                    Tcp,
                    Some((9999, 9999)),
                    true,
                ),
                (
                    scenario("portability-suite", "8.1.3", win("2003"), None),
                    L,
                    "src",
                    "tgt",
                    Tcp,
                    Some((9999, 9999)),
                    false,
                ),
            ],
        ),
        (
            "137-139/445 TCP",
            vec![
                (
                    scenario("portability-suite", "8.1.3", legacy(&["C"]), None),
                    L,
                    "src",
                    "tgt",
                    Tcp,
                    Some((137, 139)),
                    true,
                ),
                (
                    scenario("portability-suite", "8.1.3", legacy(&["C"]), None),
                    L,
                    "src",
                    "tgt",
                    Tcp,
                    Some((445, 445)),
                    true,
                ),
                (
                    scenario("portability-suite", "8.1.3", win("2003"), None),
                    L,
                    "src",
                    "tgt",
                    Tcp,
                    Some((445, 445)),
                    false,
                ),
            ],
        ),
        (
            "10000-100025 TCP",
            vec![
                (
                    scenario("portability-suite", "8.1.3", legacy(&["C", "e"]), None),
                    L,
                    "src",
                    "tgt",
                    Tcp,
                    Some((10002, 10002)),
                    true,
                ),
                (
                    scenario("portability-suite", "8.1.3", legacy(&["C", "e"]), None),
                    L,
                    "src",
                    "tgt",
                    Tcp,
                    Some((10004, 10004)),
                    true,
                ),
                (
                    scenario("portability-suite", "8.1.3", legacy(&["C", "e"]), None),
                    L,
                    "src",
                    "tgt",
                    Tcp,
                    Some((10003, 10003)),
                    false,
                ),
                (
                    scenario("forge", "2.5", legacy(&["A", "Z"]), None),
                    L,
                    "src",
                    "tgt",
                    Tcp,
                    Some((10000, 10000)),
                    true,
                ),
                (
                    scenario("forge", "2.5", legacy(&["A", "Z"]), None),
                    L,
                    "src",
                    "tgt",
                    Tcp,
                    Some((10025, 10025)),
                    true,
                ),
            ],
        ),
        (
            "ICMP (Ping) is also used between source and target servers",
            vec![
                (
                    scenario("portability-suite", "8.1.3", legacy(&["C"]), None),
                    L,
                    "src",
                    "tgt",
                    Icmp,
                    None,
                    true,
                ),
                (
                    scenario("portability-suite", "8.1.3", win("2003"), None),
                    L,
                    "src",
                    "tgt",
                    Icmp,
                    None,
                    false,
                ),
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
        for (s, phase, from, to, proto, ports, present) in expects {
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
