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
            "target-listens before the Migrate Agent",
            with(|v| {
                v["version"] = "12.1".into();
                v["replication"] = "target-listens".into();
            }),
            "replication",
            "\"target-listens\" (SourceListensForConnection=False) comes with the Migrate Agent, in Migrate 12.2 or later, not Migrate 12.1",
        ),
        (
            "agent with a semi-automated (X2P) target",
            with(|v| {
                v["version"] = "2019.5".into();
                v["workloads"][0]["agent"] = true.into();
            }),
            "workloads[0].agent",
            "uses the Migrate Agent, which \"is not supported for use with semi-automated (X2P) migrations\"",
        ),
        (
            "protect target on azure",
            with(|v| {
                v["product"] = "protect".into();
                v["version"] = "11.3".into();
                v["hosts"] = serde_json::json!([{"name": "az", "address": "management.azure.com", "platform": "azure"}]);
                v["workloads"][0]["target"]["container"] = "az".into();
            }),
            "workloads[0].target.container",
            "\"az\" (azure) is not a container Protect 11.3 documents: it documents VMware containers only (ESX/ESXi hosts and vCenter Server); create the target on a VMware ESXi host or vCenter Server",
        ),
        (
            "kvm on protect",
            with(|v| {
                v["product"] = "protect".into();
                v["version"] = "11.3".into();
                v["hosts"] = serde_json::json!([{"name": "kvm1", "address": "10.0.0.9", "platform": "kvm"}])
            }),
            "hosts[0].platform",
            "no documented port to discover a \"kvm\" host with Protect 11.3",
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
            "server in a private cloud",
            with(|v| v["server"]["platform"] = "vcenter".into()),
            "server.platform",
            "\"vcenter\" is not a public cloud the server runs in (azure, aws)",
        ),
        (
            "number as name",
            with(|v| v["server"]["name"] = 5.into()),
            "server.name",
            "invalid type: integer `5`, expected a string",
        ),
        (
            "version with line breaks",
            with(|v| v["version"] = "\n2019.5\n".into()),
            "version",
            "\"\\n2019.5\\n\" holds the control or separator character U+000A",
        ),
        (
            "version with Unicode separators",
            with(|v| v["version"] = "\u{2028} 12.3\u{0085}".into()),
            "version",
            "character U+2028",
        ),
        (
            "version that is a command in cmd",
            with(|v| v["version"] = "12.3\r\n1".into()),
            "version",
            "character U+000D",
        ),
        (
            "windows version with a bidi override",
            with(|v| v["workloads"][0]["windows"] = "2016\u{202E}".into()),
            "workloads[0].windows",
            "character U+202E",
        ),
        (
            "container with a tab",
            with(|v| v["workloads"][0]["target"]["container"] = "esx\t9".into()),
            "workloads[0].target.container",
            "character U+0009",
        ),
        (
            "container with an escape sequence",
            with(|v| v["workloads"][0]["target"]["container"] = "\u{1b}]0;owned\u{7}".into()),
            "workloads[0].target.container",
            "character U+001B",
        ),
    ]
}

/// A version written with spaces around it is stored as the number, so every script
/// header prints exactly what was validated; the headers pass each format's own tool
/// where it is installed (`bash -n` for the firewalld script; `nft -c` and
/// `iptables-restore --test` in a network namespace of their own, as root), and no
/// line of the netsh `.cmd` is a bare number that cmd would run as a command.
#[test]
fn a_padded_version_is_stored_normalised_and_every_script_header_is_one_line() {
    use portplan_core::export::firewall::{firewalld, iptables, netsh, nftables, powershell};
    let s = Scenario::from_json(&with(|v| v["version"] = "  2019.5  ".into())).expect("scenario");
    assert_eq!(s.version, "2019.5");
    let plan = Plan::build(&s).expect("plan");
    assert_eq!(plan.version, "2019.5");
    let back = Plan::from_json(&plan.to_json()).expect("plan reads back");
    assert_eq!(back, plan);
    let scripts = [
        ("nftables", nftables::render(&plan)),
        ("iptables", iptables::render(&plan)),
        ("firewalld", firewalld::render(&plan)),
        ("netsh", netsh::render(&plan)),
        ("powershell", powershell::render(&plan)),
    ];
    for (name, text) in &scripts {
        let header = text
            .lines()
            .find(|l| l.contains("2019.5"))
            .unwrap_or_else(|| panic!("{name}: no header names the version"));
        assert!(
            header.contains("PlateSpin Migrate 2019.5"),
            "{name}: {header:?}"
        );
        assert!(
            !text.lines().any(|l| !l.trim().is_empty()
                && l.trim().bytes().all(|b| b.is_ascii_digit() || b == b'.')),
            "{name}: a line that is only a number"
        );
    }
    let tool = |program: &str| {
        std::process::Command::new("sh")
            .args(["-c", &format!("command -v {program}")])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if tool("bash") {
        let mut bash = std::process::Command::new("bash");
        bash.arg("-n");
        let out = feed(bash, &scripts[2].1);
        assert!(
            out.status.success(),
            "bash -n: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0");
    if root && tool("nft") && tool("iptables-restore") {
        let mut lab = portplan_tests::netns::Lab::new("ver");
        lab.host("h");
        let mut nft = lab.cmd("h", "nft");
        nft.args(["-c", "-f", "-"]);
        let out = feed(nft, &scripts[0].1);
        assert!(
            out.status.success(),
            "nft -c: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut ipt = lab.cmd("h", "iptables-restore");
        ipt.arg("--test");
        let out = feed(ipt, &scripts[1].1);
        assert!(
            out.status.success(),
            "iptables-restore --test: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // A plan file is input too: the same version with line breaks is refused there.
    let hostile = plan.to_json().replace("\"2019.5\"", "\"\\n1\\n\"");
    let e = Plan::from_json(&hostile).expect_err("a plan with a line break in its version");
    assert_eq!(e.path(), "version", "{e}");
    assert!(e.to_string().contains("U+000A"), "{e}");
}

/// Runs `cmd` with `input` on stdin.
fn feed(mut cmd: std::process::Command, input: &str) -> std::process::Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(input.as_bytes()).expect("write stdin");
    }
    child.wait_with_output().expect("wait")
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
