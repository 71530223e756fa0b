//! The evaluator on real rulesets: `nft -j list ruleset` dumps of rulesets loaded with
//! `nft -f` (tests/fixtures/preflight/), and iptables-save texts. One line per case.

use super::eval::{evaluate, Inbound};
use super::{iptables, nft, Judgement};

const MIXED: &str = include_str!("../../../tests/fixtures/preflight/mixed.nft.json");

/// A flow as the cases write it: `tcp/22 from 10.2.3.4 on eth0`.
fn flow(spec: &str) -> Inbound {
    let words: Vec<&str> = spec.split_whitespace().collect();
    let (proto, port) = match words[0].split_once('/') {
        Some((p, n)) => (p, Some(n.parse().expect("port"))),
        None => (words[0], None),
    };
    let protocol = proto.trim_end_matches('6').parse().expect("protocol");
    let source = words
        .iter()
        .position(|w| *w == "from")
        .map(|i| words[i + 1].parse().expect("address"));
    let interface = words
        .iter()
        .position(|w| *w == "on")
        .map(|i| words[i + 1].to_string());
    Inbound {
        protocol,
        port,
        v6: source.is_some_and(|s: std::net::IpAddr| s.is_ipv6()) || proto == "icmp6",
        source,
        destination: None,
        interface,
    }
}

/// Verdict and its words: the evidence for allowed/blocked, the reason for unknown.
fn judge(rs: &super::model::Ruleset, spec: &str) -> (Judgement, String) {
    let d = evaluate(rs, &flow(spec));
    let words = if d.verdict == Judgement::Unknown {
        d.reason
    } else {
        d.evidence.join(" | ")
    };
    (d.verdict, words)
}

fn check(rs: &super::model::Ruleset, cases: &[(&str, Judgement, &str)]) {
    for (spec, want, words) in cases {
        let (got, said) = judge(rs, spec);
        assert_eq!((got, spec), (*want, spec), "{spec}: {said}");
        assert!(said.contains(words), "{spec}: {said:?} lacks {words:?}");
    }
}

#[test]
fn the_mixed_ruleset_reads_as_the_kernel_would_decide() {
    use Judgement::*;
    let rs = nft::parse(MIXED).expect("ruleset");
    assert!(rs.skipped.is_empty(), "{:?}", rs.skipped);
    check(
        &rs,
        &[
            ("tcp/22 from 10.2.3.4", Allowed, "inet filter input rule handle 9: accept"),
            ("tcp/3725 from 192.168.1.5", Allowed, "rule handle 9: accept"),
            ("tcp/80 from 172.16.0.1 on eth0", Allowed, "rule handle 8: accept"),
            (
                "tcp/80 from 172.16.0.1",
                Unknown,
                "depends on whether inet filter input rule handle 8",
            ),
            ("tcp/23 from 10.2.3.4", Blocked, "rule handle 15: reject (tcp reset)"),
            ("tcp/9999 from 10.2.3.4", Blocked, "ip legacy INPUT rule handle 3: drop"),
            ("tcp/9998 from 10.2.3.4", Blocked, "ip legacy rpc2 rule handle 5: reject"),
            ("tcp/50000 from 10.2.3.4", Allowed, "inet filter rpc rule handle 25: accept"),
            ("tcp/50000 from 172.16.0.1", Unknown, "a limit"),
            ("udp/137 from 172.16.0.1", Allowed, "rule handle 13: accept"),
            ("udp/139 from 10.2.3.4", Unknown, "meta mark"),
            ("tcp/22 from fd00::5", Allowed, "rule handle 14: accept"),
            ("icmp from 172.16.0.1", Allowed, "rule handle 16: accept"),
            ("icmp6 from fd00::9", Allowed, "rule handle 18: accept"),
            (
                "tcp/6000 from 172.16.0.1",
                Allowed,
                "rule handle 19: accept or inet filter input rule handle 20: accept or inet filter input rule handle 22: accept",
            ),
            ("tcp/8080 from 172.16.0.1", Unknown, "rule handle 20 matches"),
        ],
    );
}

#[test]
fn a_drop_policy_with_only_ssh_names_the_policy() {
    use Judgement::*;
    let rs = nft::parse(
        r#"{"nftables":[{"table":{"family":"inet","name":"filter","handle":1}},
        {"chain":{"family":"inet","table":"filter","name":"input","handle":1,"type":"filter","hook":"input","prio":0,"policy":"drop"}},
        {"rule":{"family":"inet","table":"filter","chain":"input","handle":2,"expr":[{"match":{"op":"==","left":{"meta":{"key":"iif"}},"right":"lo"}},{"accept":null}]}},
        {"rule":{"family":"inet","table":"filter","chain":"input","handle":3,"expr":[{"match":{"op":"in","left":{"ct":{"key":"state"}},"right":["established","related"]}},{"accept":null}]}},
        {"rule":{"family":"inet","table":"filter","chain":"input","handle":4,"expr":[{"match":{"op":"==","left":{"payload":{"protocol":"tcp","field":"dport"}},"right":22}},{"accept":null}]}}]}"#,
    )
    .expect("ruleset");
    check(
        &rs,
        &[
            (
                "tcp/22 from 10.0.0.5",
                Allowed,
                "inet filter input rule handle 4: accept",
            ),
            (
                "tcp/3725 from 10.0.0.5",
                Blocked,
                "inet filter input: end of chain, policy drop",
            ),
            ("udp/22 from 10.0.0.5", Blocked, "policy drop"),
            ("tcp/3725", Blocked, "policy drop"),
        ],
    );
}

#[test]
fn named_vmaps_dynamic_sets_and_nat_stay_honest() {
    use Judgement::*;
    let rs = nft::parse(
        r#"{"nftables":[
        {"set":{"family":"ip","table":"t","name":"seen","type":"ipv4_addr","handle":3,"flags":["dynamic","timeout"]}},
        {"map":{"family":"ip","table":"t","name":"ports","type":"inet_service","handle":4,"map":"verdict","elem":[[22,{"accept":null}],[{"range":[5000,5100]},{"drop":null}]]}},
        {"chain":{"family":"ip","table":"t","name":"pre","handle":1,"type":"nat","hook":"prerouting","prio":-100,"policy":"accept"}},
        {"chain":{"family":"ip","table":"t","name":"in","handle":2,"type":"filter","hook":"input","prio":0,"policy":"drop"}},
        {"rule":{"family":"ip","table":"t","chain":"pre","handle":5,"expr":[{"match":{"op":"==","left":{"payload":{"protocol":"tcp","field":"dport"}},"right":8080}},{"dnat":{"addr":"10.0.0.9"}}]}},
        {"rule":{"family":"ip","table":"t","chain":"in","handle":6,"expr":[{"vmap":{"key":{"payload":{"protocol":"tcp","field":"dport"}},"data":"@ports"}}]}},
        {"rule":{"family":"ip","table":"t","chain":"in","handle":7,"expr":[{"match":{"op":"==","left":{"payload":{"protocol":"ip","field":"saddr"}},"right":"@seen"}},{"accept":null}]}}]}"#,
    )
    .expect("ruleset");
    check(
        &rs,
        &[
            (
                "tcp/22 from 10.0.0.5",
                Allowed,
                "ip t in rule handle 6: accept",
            ),
            (
                "tcp/5050 from 10.0.0.5",
                Blocked,
                "ip t in rule handle 6: drop",
            ),
            (
                "tcp/3725 from 10.0.0.5",
                Unknown,
                "the set @seen is filled at run time",
            ),
            (
                "tcp/8080 from 10.0.0.5",
                Unknown,
                "the destination may be rewritten",
            ),
            ("udp/137 from 10.0.0.5", Unknown, "@seen"),
        ],
    );
}

#[test]
fn iptables_save_reads_like_nft() {
    use Judgement::*;
    let text = r#"# Generated by iptables-save v1.8.9 (legacy)
*filter
:INPUT DROP [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:RPC - [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -p tcp -m tcp ! --tcp-flags FIN,SYN,RST,ACK SYN -j DROP
-A INPUT -p tcp -m tcp --tcp-flags SYN,ACK ACK -j DROP
-A INPUT -p tcp -m tcp --dport 8443 --tcp-flags FIN,SYN,RST,ACK SYN -j DROP
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p tcp -m tcp --dport 22 -m comment --comment "ssh \"admin\"" -j ACCEPT
-A INPUT -s 10.0.0.0/255.0.0.0 -p tcp -m multiport --dports 135,139,445 -j ACCEPT
-A INPUT -p tcp -m tcp --dport 49152:65535 -j RPC
-A INPUT -p udp -m udp --dport 137:138 -m recent --rcheck --seconds 60 -j ACCEPT
-A INPUT -i eth+ -p tcp --dport 80 -j ACCEPT
-A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT
-A INPUT -p tcp -m tcp --dport 23 -j REJECT --reject-with tcp-reset
-A RPC ! -s 10.0.0.0/8 -j RETURN
-A RPC -j ACCEPT
COMMIT
"#;
    let rs = iptables::parse(text, false).expect("ruleset");
    check(
        &rs,
        &[
            (
                "tcp/22 from 192.0.2.1",
                Allowed,
                "rule 6 (-A INPUT -p tcp -m tcp --dport 22",
            ),
            ("tcp/445 from 10.1.1.1", Allowed, "rule 7"),
            (
                "tcp/8443 from 192.0.2.1",
                Blocked,
                "rule 4 (-A INPUT -p tcp -m tcp --dport 8443",
            ),
            (
                "tcp/445 from 192.0.2.1",
                Blocked,
                "ip filter INPUT: end of chain, policy drop",
            ),
            ("tcp/50000 from 10.1.1.1", Allowed, "ip filter RPC rule 2"),
            ("tcp/50000 from 192.0.2.1", Blocked, "policy drop"),
            (
                "udp/137 from 10.1.1.1",
                Unknown,
                "--rcheck of the recent match",
            ),
            ("tcp/80 from 10.1.1.1 on eth0", Allowed, "rule 10"),
            ("tcp/80 from 10.1.1.1 on ens3", Blocked, "policy drop"),
            ("icmp from 10.1.1.1", Allowed, "rule 11"),
            ("tcp/23 from 10.1.1.1", Blocked, "reject (tcp-reset)"),
        ],
    );
}

#[test]
fn unreadable_texts_are_errors_naming_the_source() {
    let e = nft::parse("{\"nftables\": [").expect_err("truncated");
    assert!(
        e.to_string().starts_with("nft -j list ruleset: not JSON"),
        "{e}"
    );
    let e = nft::parse("{}").expect_err("shape");
    assert_eq!(
        e.to_string(),
        "nft -j list ruleset: no \"nftables\" list at the top"
    );
    let e = iptables::parse("-A INPUT -j ACCEPT\n", false).expect_err("no table");
    assert!(e.to_string().contains("line 1"), "{e}");
    let e = iptables::parse("*filter\n-A NOPE -j ACCEPT\n", false).expect_err("no chain");
    assert!(e.to_string().contains("\"NOPE\" is not declared"), "{e}");
}

#[test]
fn an_empty_ruleset_lets_everything_in() {
    let rs = nft::parse(r#"{"nftables":[{"metainfo":{"json_schema_version":1}}]}"#).expect("rs");
    let (v, words) = judge(&rs, "tcp/3725 from 10.0.0.1");
    assert_eq!(v, Judgement::Allowed);
    assert_eq!(words, "no base chain filters the input path");
}

#[test]
fn a_preflight_report_reads_back_and_old_reports_still_read() {
    use crate::report::Report;
    let rs = nft::parse(MIXED).expect("ruleset");
    let plan_flow: crate::plan::Flow = serde_json::from_str(
        r#"{"phase":"transfer","from":"web01-t","to":"web01","protocol":"tcp",
        "ports":{"first":3724,"last":3726},"purpose":"replication","rule":"transfer.replication"}"#,
    )
    .expect("flow");
    let ctx = super::section::FlowContext {
        source: Some("192.168.1.5".parse().expect("ip")),
        destination: None,
        interface: None,
    };
    let flow = super::section::judge_flow(Ok(&rs), &plan_flow, &ctx);
    // 3724 and 3726 decide alike (unknown: a rate limit), 3725 is in the allowed set.
    let runs: Vec<(String, Judgement)> = flow
        .results
        .iter()
        .map(|r| {
            (
                r.ports.map(|p| p.to_string()).unwrap_or_default(),
                r.decision.verdict,
            )
        })
        .collect();
    assert_eq!(
        runs,
        [
            ("3724".to_string(), Judgement::Unknown),
            ("3725".to_string(), Judgement::Allowed),
            ("3726".to_string(), Judgement::Unknown)
        ]
    );
    let old = r#"{"format":1,"plan_digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000",
      "probed_from":"web01","host":"web01","started":"2026-01-01T00:00:00Z",
      "finished":"2026-01-01T00:00:02Z","flows":[]}"#;
    let mut r = Report::from_json(old).expect("a report without preflight reads");
    assert!(r.preflight.is_empty());
    assert!(!r.to_json().contains("preflight"), "absent stays absent");
    r.preflight.push(super::section::PreflightSection {
        host: "web01".to_string(),
        firewall: "nft -j list ruleset".to_string(),
        flows: vec![flow],
        prerequisites: Vec::new(),
    });
    assert_eq!(Report::from_json(&r.to_json()).expect("round trip"), r);
    let json = r.to_json();
    let last = json.rfind("\"last\": 3726").expect("the last run");
    let bad = format!("{}\"last\": 3800{}", &json[..last], &json[last + 12..]);
    let e = Report::from_json(&bad).expect_err("outside");
    assert_eq!(e.path(), "preflight[0].flows[0].results[2].ports", "{e}");
    assert!(
        e.to_string()
            .contains("3726-3800 is outside the flow's ports 3724-3726"),
        "{e}"
    );
    let bad = json.replacen("nft -j list ruleset", "nft\\u001b[2J", 1);
    let e = Report::from_json(&bad).expect_err("escape");
    assert_eq!(e.path(), "preflight[0].firewall", "{e}");
}

#[test]
fn a_dynamic_range_reads_as_runs_of_ports() {
    let rs = nft::parse(MIXED).expect("ruleset");
    let flow: crate::plan::Flow = serde_json::from_str(
        r#"{"phase":"discovery","from":"ps01","to":"web01","protocol":"tcp",
        "ports":{"first":49152,"last":65535},"purpose":"rpc","rule":"discovery.rpc"}"#,
    )
    .expect("flow");
    let ctx = |ip: &str| super::section::FlowContext {
        source: Some(ip.parse().expect("ip")),
        destination: None,
        interface: None,
    };
    let started = std::time::Instant::now();
    let inside = super::section::judge_flow(Ok(&rs), &flow, &ctx("10.2.3.4"));
    println!("16384 ports judged in {:?}", started.elapsed());
    assert_eq!(inside.results.len(), 1, "{:?}", inside.results);
    assert_eq!(inside.verdict(), Judgement::Allowed);
    assert_eq!(
        inside.results[0].decision.evidence,
        [
            "inet filter rpc rule handle 25: accept",
            "ip legacy INPUT: end of chain, policy accept"
        ]
    );
    // From outside 10/8 the rpc chain returns, and the rate limit leaves it open.
    let outside = super::section::judge_flow(Ok(&rs), &flow, &ctx("172.16.0.1"));
    assert_eq!(outside.verdict(), Judgement::Unknown);
    assert_eq!(outside.results.len(), 1);
}

#[test]
fn ingress_bridge_and_raw_chains_are_judged_where_they_apply() {
    use Judgement::*;
    let rs = nft::parse(
        r#"{"nftables":[
        {"chain":{"family":"netdev","table":"nd","name":"in","handle":1,"type":"filter","hook":"ingress","dev":"eth0","prio":0,"policy":"accept"}},
        {"rule":{"family":"netdev","table":"nd","chain":"in","handle":2,"expr":[{"match":{"op":"==","left":{"payload":{"protocol":"tcp","field":"dport"}},"right":22}},{"drop":null}]}},
        {"chain":{"family":"bridge","table":"br","name":"in","handle":1,"type":"filter","hook":"input","prio":0,"policy":"accept"}},
        {"rule":{"family":"bridge","table":"br","chain":"in","handle":2,"expr":[{"match":{"op":"==","left":{"payload":{"protocol":"tcp","field":"dport"}},"right":445}},{"drop":null}]}},
        {"chain":{"family":"inet","table":"raw","name":"pre","handle":1,"type":"filter","hook":"prerouting","prio":-300,"policy":"accept"}},
        {"rule":{"family":"inet","table":"raw","chain":"pre","handle":2,"expr":[{"match":{"op":"==","left":{"payload":{"protocol":"tcp","field":"dport"}},"right":135}},{"match":{"op":"in","left":{"ct":{"key":"state"}},"right":"new"}},{"drop":null}]}},
        {"rule":{"family":"inet","table":"raw","chain":"pre","handle":3,"expr":[{"match":{"op":"==","left":{"payload":{"protocol":"tcp","field":"dport"}},"right":139}},{"notrack":null}]}}]}"#,
    )
    .expect("ruleset");
    check(
        &rs,
        &[
            (
                "tcp/22 from 10.0.0.5 on eth0",
                Blocked,
                "netdev nd in rule handle 2: drop",
            ),
            (
                "tcp/22 from 10.0.0.5 on eth1",
                Allowed,
                "inet raw pre: end of chain, policy accept",
            ),
            (
                "tcp/22 from 10.0.0.5",
                Unknown,
                "is bound to eth0 and the flow's interface is not known",
            ),
            (
                "tcp/445 from 10.0.0.5 on eth1",
                Unknown,
                "only if it enters through a bridge port",
            ),
            (
                "tcp/135 from 10.0.0.5 on eth1",
                Unknown,
                "a conntrack state before conntrack runs",
            ),
            (
                "tcp/139 from 10.0.0.5 on eth1",
                Unknown,
                "the statement \"notrack\"",
            ),
            (
                "tcp/3725 from 10.0.0.5 on eth1",
                Allowed,
                "inet raw pre: end of chain, policy accept",
            ),
        ],
    );
}

#[test]
fn merge_keeps_one_preflight_section_per_host_the_latest() {
    use crate::report::Report;
    let report = |host: &str, finished: &str, firewall: &str| -> Report {
        let mut r = Report::from_json(&format!(
            r#"{{"format":1,"plan_digest":"sha256:{}","probed_from":"{host}","host":"{host}",
            "started":"2026-01-01T00:00:00Z","finished":"{finished}","flows":[]}}"#,
            "0".repeat(64)
        ))
        .expect("report");
        r.preflight.push(super::section::PreflightSection {
            host: host.to_string(),
            firewall: firewall.to_string(),
            flows: Vec::new(),
            prerequisites: Vec::new(),
        });
        r
    };
    let old = report("web01", "2026-01-01T00:00:05Z", "old run");
    let new = report("WEB01", "2026-01-01T00:00:09Z", "new run");
    let other = report("db01", "2026-01-01T00:00:01Z", "db run");
    let merged =
        crate::report::merge::merge(&[("new", &new), ("other", &other), ("old", &old)], None)
            .expect("merge");
    let kept: Vec<&str> = merged
        .report
        .preflight
        .iter()
        .map(|s| s.firewall.as_str())
        .collect();
    assert_eq!(kept, ["new run", "db run"]);
}

/// A section blocks the plan when its firewall blocks a flow or a prerequisite is a
/// problem; an unknown (nobody could tell) is not a block. `preflight` and `merge`
/// exit 1 on it.
#[test]
fn a_section_blocks_on_a_blocked_flow_or_a_problem_never_on_an_unknown() {
    use super::section::{PortsDecision, PreflightFlow, PreflightSection};
    use super::section::{PrerequisiteResult, PrerequisiteStatus};
    use super::Decision;
    use crate::types::{Phase, Protocol};
    let flow = |verdict: Judgement| PreflightFlow {
        phase: Phase::Discovery,
        from: "ps01".into(),
        protocol: Protocol::Icmp,
        ports: None,
        rule: "r".into(),
        results: vec![PortsDecision {
            ports: None,
            decision: Decision {
                verdict,
                evidence: vec![],
                reason: "r".into(),
            },
        }],
    };
    let pre = |status: PrerequisiteStatus| PrerequisiteResult {
        id: "p".into(),
        status,
        observed: String::new(),
        quote: String::new(),
        page: String::new(),
        fix: String::new(),
        caveat: String::new(),
    };
    use Judgement::{Allowed, Blocked, Unknown};
    use PrerequisiteStatus::{Ok, Problem};
    let cases: [(&[Judgement], &[PrerequisiteStatus], bool); 6] = [
        (&[], &[], false),
        (&[Allowed, Allowed], &[Ok], false),
        (&[Allowed, Unknown], &[PrerequisiteStatus::Unknown], false),
        (&[Allowed, Blocked], &[Ok], true),
        (&[Allowed], &[Ok, Problem], true),
        (&[Unknown], &[Problem], true),
    ];
    for (flows, prerequisites, blocks) in cases {
        let s = PreflightSection {
            host: "web01".into(),
            firewall: "nft".into(),
            flows: flows.iter().map(|&j| flow(j)).collect(),
            prerequisites: prerequisites.iter().map(|&p| pre(p)).collect(),
        };
        assert_eq!(s.blocks(), blocks, "{flows:?} {prerequisites:?}");
    }
}
