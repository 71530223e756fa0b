//! `--format aws-cfn` checked by AWS's own tools: `cfn-lint` accepts the template (the
//! targets' group and, with the server's `"platform": "aws"`, the server's), and
//! the AWS CLI deploys it to a local `moto` server (127.0.0.1, a port of its own) and
//! reads the security group back: its ingress rules are the template's.
//!
//! The tools live in the venv `cargo xtask setup` installs at `target/tools/fwtools/`
//! (`cfn-lint==1.58.*`, `moto[server]==5.2.*`, `awscli`); without it the test fails,
//! naming it.

use portplan_core::export::aws_cfn;
use portplan_core::{Plan, Scenario};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

fn tool(name: &str) -> PathBuf {
    let path = portplan_tests::workspace_root()
        .join("target/tools/fwtools/bin")
        .join(name);
    assert!(
        path.exists(),
        "{} is missing: install the firewall tools venv (cargo xtask setup, or python3 -m venv target/tools/fwtools && target/tools/fwtools/bin/pip install 'cfn-lint==1.58.*' 'moto[server]==5.2.*' awscli)",
        path.display()
    );
    path
}

/// The moto server, stopped on drop.
struct Moto(Child);
impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn aws(endpoint: &str, args: &[&str]) -> String {
    let out = Command::new(tool("aws"))
        .args(["--endpoint-url", endpoint, "--output", "json"])
        .args(args)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .output()
        .expect("aws");
    assert!(
        out.status.success(),
        "aws {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// (protocol, from, to, CIDR): one ingress permission.
type Permission = (String, i64, i64, String);

/// The fixture's wave (targets in AWS) with its server in AWS too (`"platform": "aws"`)
/// and two administrators' machines, which may RDP to a cloud server.
fn scenario() -> Scenario {
    let text = std::fs::read_to_string(
        portplan_tests::workspace_root().join("tests/fixtures/firewall-wave-aws.json"),
    )
    .expect("fixture");
    let mut s: serde_json::Value = serde_json::from_str(&text).expect("json");
    s["server"]["platform"] = "aws".into();
    s["admins"] = serde_json::json!([
        {"name": "adm01", "address": "10.9.0.6"},
        {"name": "adm02", "address": "10.9.0.7"}
    ]);
    Scenario::from_json(&s.to_string()).expect("scenario")
}

#[test]
fn cfn_lint_accepts_it_and_moto_deploys_the_rules() {
    let plan = Plan::build(&scenario()).expect("plan");
    let template = aws_cfn::render(&plan);
    let file = std::env::temp_dir().join(format!("portplan-cfn-{}.json", std::process::id()));
    std::fs::write(&file, &template).expect("write");

    let lint = Command::new(tool("cfn-lint"))
        .arg(&file)
        .output()
        .expect("cfn-lint");
    assert!(
        lint.status.success(),
        "cfn-lint: {}{}",
        String::from_utf8_lossy(&lint.stdout),
        String::from_utf8_lossy(&lint.stderr)
    );

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let _moto = Moto(
        Command::new(tool("moto_server"))
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto_server"),
    );
    let up = (0..100).any(|_| {
        std::thread::sleep(Duration::from_millis(100));
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    assert!(
        up,
        "moto_server did not listen on 127.0.0.1:{port} within 10 s"
    );
    let endpoint = format!("http://127.0.0.1:{port}");
    // One security group per parameter: the targets' and the server's.
    let parameters = ["TargetSecurityGroupId", "ServerSecurityGroupId"];
    let groups: Vec<String> = parameters
        .iter()
        .map(|name| {
            let sg: serde_json::Value = serde_json::from_str(&aws(
                &endpoint,
                &[
                    "ec2",
                    "create-security-group",
                    "--group-name",
                    name,
                    "--description",
                    name,
                ],
            ))
            .expect("json");
            sg["GroupId"].as_str().expect("GroupId").to_string()
        })
        .collect();
    let mut create = vec![
        "cloudformation".to_string(),
        "create-stack".into(),
        "--stack-name".into(),
        "portplan".into(),
        "--template-body".into(),
        format!("file://{}", file.display()),
        "--parameters".into(),
    ];
    for (name, group) in parameters.iter().zip(&groups) {
        create.push(format!("ParameterKey={name},ParameterValue={group}"));
    }
    aws(
        &endpoint,
        &create.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let _ = std::fs::remove_file(&file);

    let t: serde_json::Value = serde_json::from_str(&template).expect("json");
    let mut read: Vec<BTreeSet<Permission>> = Vec::new();
    for (name, group) in parameters.iter().zip(&groups) {
        let back: serde_json::Value = serde_json::from_str(&aws(
            &endpoint,
            &["ec2", "describe-security-groups", "--group-ids", group],
        ))
        .expect("json");
        let mut got: BTreeSet<Permission> = BTreeSet::new();
        for p in back["SecurityGroups"][0]["IpPermissions"]
            .as_array()
            .expect("perms")
        {
            for range in p["IpRanges"].as_array().into_iter().flatten() {
                got.insert((
                    p["IpProtocol"].as_str().expect("proto").to_string(),
                    p["FromPort"].as_i64().expect("from"),
                    p["ToPort"].as_i64().expect("to"),
                    range["CidrIp"].as_str().expect("cidr").to_string(),
                ));
            }
        }
        let want: BTreeSet<Permission> = t["Resources"]
            .as_object()
            .expect("resources")
            .values()
            .map(|r| &r["Properties"])
            .filter(|p| p["GroupId"]["Ref"] == *name)
            .map(|p| {
                (
                    p["IpProtocol"].as_str().expect("proto").to_string(),
                    p["FromPort"].as_i64().expect("from"),
                    p["ToPort"].as_i64().expect("to"),
                    p["CidrIp"].as_str().expect("cidr").to_string(),
                )
            })
            .collect();
        assert!(!want.is_empty(), "{name}");
        assert_eq!(got, want, "{name}");
        // Nothing from the whole internet.
        assert!(got.iter().all(|(_, _, _, c)| c != "0.0.0.0/0"), "{name}");
        read.push(got);
    }
    let (targets, server) = (&read[0], &read[1]);
    // The replication to the AWS targets, from the four agent sources only; no RDP.
    assert!(targets.contains(&("tcp".into(), 3725, 3725, "192.168.50.11/32".into())));
    assert!(targets
        .iter()
        .all(|(_, a, b, _)| !(*a <= 3389 && 3389 <= *b)));
    // The server: RDP only from the two administrators' machines, HTTPS from the sources.
    let rdp: Vec<&Permission> = server
        .iter()
        .filter(|(_, a, b, _)| *a <= 3389 && 3389 <= *b)
        .collect();
    assert_eq!(
        rdp,
        [&("tcp".to_string(), 3389, 3389, "10.9.0.6/31".to_string())]
    );
    assert!(server.contains(&("tcp".into(), 443, 443, "10.1.0.1/32".into())));
}
