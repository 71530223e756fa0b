//! The bad-input table: each hostile or mistaken input gets a one-line error naming the
//! JSON path and the value, and memory stays bounded.

use portplan_core::{InputError, Plan, Scenario};

fn base() -> serde_json::Value {
    serde_json::json!({"format": 1, "product": "migrate", "version": "12.3",
        "server": {"name": "ps01", "address": "10.0.0.5"},
        "workloads": [{"name": "web01", "address": "10.0.1.10", "os": "windows", "drives": ["C"],
            "target": {"name": "web01-t", "address": "10.0.2.10"}}]})
}

fn with(f: impl FnOnce(&mut serde_json::Value)) -> String {
    let mut v = base();
    f(&mut v);
    v.to_string()
}

fn scenario_err(text: &str) -> InputError {
    match Scenario::from_json(text).and_then(|s| Plan::build(&s)) {
        Ok(_) => panic!("accepted: {}", &text[..text.len().min(200)]),
        Err(e) => e,
    }
}

/// (case, input, expected path, expected words in the message)
fn table() -> Vec<(&'static str, String, &'static str, &'static str)> {
    let long = "a".repeat(300);
    let nested = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    vec![
        ("empty file", String::new(), "$", "empty input"),
        ("whitespace", " \n\t".into(), "$", "empty input"),
        (
            "not json",
            "hello".into(),
            "$",
            "expected a JSON object, found \"hello\"",
        ),
        (
            "truncated",
            "{\"format\": 1, \"product\"".into(),
            "$",
            "EOF while parsing an object at line 1 column 23",
        ),
        (
            "wrong shape",
            "[1,2,3]".into(),
            "$",
            "expected a JSON object",
        ),
        (
            "wrong type",
            with(|v| v["workloads"] = "web01".into()),
            "workloads",
            "invalid type: string \"web01\", expected a sequence",
        ),
        (
            "format 2",
            with(|v| v["format"] = 2.into()),
            "format",
            "2 is not supported",
        ),
        (
            "nested arrays",
            format!("{{\"hosts\": {nested}}}"),
            "hosts[0][0]",
            "invalid type: sequence",
        ),
        (
            "10 MB of nested arrays",
            "[".repeat(10 << 20),
            "$",
            "more than the 8388608-byte limit",
        ),
        (
            "10 MB",
            format!("{{\"x\": \"{}\"}}", "a".repeat(10 << 20)),
            "$",
            "more than the 8388608-byte limit",
        ),
        (
            "duplicate names",
            with(|v| v["workloads"][0]["name"] = "ps01".into()),
            "workloads[0].name",
            "\"ps01\" is already used by server",
        ),
        (
            "duplicate addresses",
            with(|v| v["workloads"][0]["address"] = v["server"]["address"].clone()),
            "workloads[0].address",
            "is already the address of ps01 (server)",
        ),
        (
            "drive #",
            with(|v| v["workloads"][0]["drives"] = serde_json::json!(["#"])),
            "workloads[0].drives[0]",
            "\"#\" is not a drive letter",
        ),
        (
            "drive ä",
            with(|v| v["workloads"][0]["drives"] = serde_json::json!(["C", "ä"])),
            "workloads[0].drives[1]",
            "\"ä\" is not a drive letter",
        ),
        (
            "drive CC",
            with(|v| v["workloads"][0]["drives"] = serde_json::json!(["CC"])),
            "workloads[0].drives[0]",
            "\"CC\" is not a drive letter",
        ),
        (
            "drive twice",
            with(|v| v["workloads"][0]["drives"] = serde_json::json!(["C", "c"])),
            "workloads[0].drives[1]",
            "\"C\" is listed twice",
        ),
        (
            "name with space",
            with(|v| v["server"]["name"] = "ps 01".into()),
            "server.name",
            "\"ps 01\" is not a host name",
        ),
        (
            "name of 300",
            with(|v| v["workloads"][0]["target"]["name"] = long.clone().into()),
            "workloads[0].target.name",
            "longer than 63 characters",
        ),
        (
            "address 999.1.1.1",
            with(|v| v["workloads"][0]["address"] = "999.1.1.1".into()),
            "workloads[0].address",
            "\"999.1.1.1\" is not a valid IPv4 address",
        ),
        (
            "address with space",
            with(|v| v["server"]["address"] = "10.0.0 .5".into()),
            "server.address",
            "is not an IP address or DNS name",
        ),
        (
            "bad ipv6",
            with(|v| v["server"]["address"] = "fd00::1::2".into()),
            "server.address",
            "not a valid IPv6 address",
        ),
        (
            "bad version",
            with(|v| v["version"] = "twelve".into()),
            "version",
            "\"twelve\" is not a version",
        ),
        (
            "windows on linux",
            with(|v| {
                v["workloads"][0]["os"] = "linux".into();
                v["workloads"][0]["windows"] = "2016".into();
            }),
            "workloads[0].windows",
            "set on a linux workload",
        ),
        (
            "unknown windows",
            with(|v| v["workloads"][0]["windows"] = "95".into()),
            "workloads[0].windows",
            "\"95\" is not a Windows version",
        ),
        (
            "agent on 12.1",
            with(|v| {
                v["version"] = "12.1".into();
                v["workloads"][0]["agent"] = true.into();
            }),
            "workloads[0].agent",
            "the Migrate Agent needs Migrate 12.2 or later, not Migrate 12.1",
        ),
        (
            "agent with the source listening",
            with(|v| {
                v["version"] = "2019.5".into();
                v["replication"] = "source-listens".into();
                v["workloads"][0]["agent"] = true.into();
            }),
            "workloads[0].agent",
            "needs \"replication\": \"target-listens\" (SourceListensForConnection=False on the server), but replication is \"source-listens\"",
        ),
        (
            "target-listens before 2018.11",
            with(|v| v["replication"] = "target-listens".into()),
            "replication",
            "\"target-listens\" (SourceListensForConnection=False) is documented from Migrate 2018.11, not Migrate 12.3",
        ),
        (
            "xenserver on 2020.2",
            with(|v| {
                v["version"] = "2020.2".into();
                v["hosts"] = serde_json::json!([{"name": "xen1", "address": "10.0.0.9", "platform": "xenserver"}])
            }),
            "hosts[0].platform",
            "no documented port to discover a \"xenserver\" host with Migrate 2020.2 (the vendor's guides list it for Migrate up to 2018.11)",
        ),
        (
            "hyper-v on 2020.2",
            with(|v| {
                v["version"] = "2020.2".into();
                v["hosts"] = serde_json::json!([{"name": "hv1", "address": "10.0.0.9", "platform": "hyper-v"}])
            }),
            "hosts[0].platform",
            "for Migrate up to 2019.8",
        ),
        (
            "container that is no host",
            with(|v| v["workloads"][0]["target"]["container"] = "esx9".into()),
            "workloads[0].target.container",
            "\"esx9\" names no entry of hosts (the scenario lists none)",
        ),
        (
            "block on Portability Suite",
            with(|v| {
                v["product"] = "portability-suite".into();
                v["version"] = "8.1.3".into();
                v["workloads"][0]["transfer"] = "block".into();
            }),
            "workloads[0].transfer",
            "\"block\" needs Migrate 9, Protect or Forge 3 or later, not Portability Suite 8.1.3",
        ),
        (
            "bad public address",
            with(|v| v["server"]["public_address"] = "203.0.113.999".into()),
            "server.public_address",
            "\"203.0.113.999\" is not a valid IPv4 address",
        ),
        (
            "number as name",
            with(|v| v["server"]["name"] = 5.into()),
            "server.name",
            "invalid type: integer `5`, expected a string",
        ),
    ]
}

#[test]
fn every_bad_input_names_its_path_and_value_in_one_line() {
    for (case, input, path, words) in table() {
        let e = scenario_err(&input);
        let msg = e.to_string();
        assert_eq!(e.path(), path, "{case}: {msg}");
        assert!(msg.contains(words), "{case}: {msg:?} lacks {words:?}");
        assert_eq!(msg.lines().count(), 1, "{case}: {msg}");
        assert!(
            msg.len() < 400,
            "{case}: error too long ({} bytes)",
            msg.len()
        );
    }
}

#[test]
fn a_hundred_thousand_workloads_are_refused_with_the_count() {
    let ws: Vec<String> = (0..100_000)
        .map(|i| {
            format!(
                r#"{{"name":"w{i}","address":"10.{}.{}.{}","os":"linux"}}"#,
                i >> 16,
                (i >> 8) & 255,
                i & 255
            )
        })
        .collect();
    let text = format!(
        r#"{{"format":1,"product":"migrate","version":"12.3","server":{{"name":"ps","address":"10.255.0.1"}},"workloads":[{}]}}"#,
        ws.join(",")
    );
    assert!(text.len() < portplan_core::scenario::MAX_INPUT_BYTES);
    let e = scenario_err(&text);
    assert_eq!(e.path(), "workloads");
    assert!(
        e.to_string()
            .contains("100000 workloads, more than the 10000"),
        "{e}"
    );
}

#[test]
fn ipv6_literals_and_dns_names_are_addresses() {
    for a in [
        "fd00::1",
        "[fd00::1]",
        "::1",
        "ps01.corp.example",
        "ps01",
        "10.0.0.1",
    ] {
        let text = with(|v| v["server"]["address"] = a.into());
        Scenario::from_json(&text).unwrap_or_else(|e| panic!("{a}: {e}"));
    }
}

/// Plans come from other hosts: the same strictness applies.
#[test]
fn bad_plans_name_their_path() {
    let s = Scenario::from_json(&base().to_string()).expect("scenario");
    let good: serde_json::Value =
        serde_json::from_str(&Plan::build(&s).expect("plan").to_json()).expect("json");
    let cases: Vec<(&str, serde_json::Value, &str, &str)> = vec![
        (
            "port 0",
            {
                let mut v = good.clone();
                v["flows"][0]["ports"]["first"] = 0.into();
                v
            },
            "flows[0].ports.first",
            "0 is not a port",
        ),
        (
            "port 70000",
            {
                let mut v = good.clone();
                v["flows"][0]["ports"]["last"] = 70000.into();
                v
            },
            "flows[0].ports.last",
            "70000 is not a port",
        ),
        (
            "reversed range",
            {
                let mut v = good.clone();
                v["flows"][0]["ports"] = serde_json::json!({"first": 500, "last": 100});
                v
            },
            "flows[0].ports",
            "ends before it starts",
        ),
        (
            "from names no host",
            {
                let mut v = good.clone();
                v["flows"][1]["from"] = "ghost".into();
                v
            },
            "flows[1].from",
            "\"ghost\" names no host",
        ),
        (
            "icmp with ports",
            {
                let mut v = good.clone();
                v["flows"][0]["protocol"] = "icmp".into();
                v
            },
            "flows[0].ports",
            "icmp flows have no ports",
        ),
        (
            "format 2",
            {
                let mut v = good.clone();
                v["format"] = 2.into();
                v
            },
            "format",
            "2 is not supported",
        ),
        (
            "unknown phase",
            {
                let mut v = good.clone();
                v["flows"][0]["phase"] = "launch".into();
                v
            },
            "flows[0].phase",
            "unknown variant `launch`",
        ),
    ];
    for (case, v, path, words) in cases {
        let e = Plan::from_json(&v.to_string()).expect_err(case);
        assert_eq!(e.path(), path, "{case}: {e}");
        assert!(e.to_string().contains(words), "{case}: {e}");
    }
}
