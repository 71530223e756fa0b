//! `--format aws-cfn` checked by AWS's own tools: `cfn-lint` accepts the template, and
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

#[test]
fn cfn_lint_accepts_it_and_moto_deploys_the_rules() {
    let text = std::fs::read_to_string(
        portplan_tests::workspace_root().join("tests/fixtures/firewall-wave-aws.json"),
    )
    .expect("fixture");
    let plan = Plan::build(&Scenario::from_json(&text).expect("scenario")).expect("plan");
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
    let sg: serde_json::Value = serde_json::from_str(&aws(
        &endpoint,
        &[
            "ec2",
            "create-security-group",
            "--group-name",
            "targets",
            "--description",
            "targets",
        ],
    ))
    .expect("json");
    let group = sg["GroupId"].as_str().expect("GroupId").to_string();
    aws(
        &endpoint,
        &[
            "cloudformation",
            "create-stack",
            "--stack-name",
            "portplan",
            "--template-body",
            &format!("file://{}", file.display()),
            "--parameters",
            &format!("ParameterKey=TargetSecurityGroupId,ParameterValue={group}"),
        ],
    );
    let _ = std::fs::remove_file(&file);
    let read: serde_json::Value = serde_json::from_str(&aws(
        &endpoint,
        &["ec2", "describe-security-groups", "--group-ids", &group],
    ))
    .expect("json");

    // (protocol, from, to, CIDR) of the group, and of the template.
    let mut got: BTreeSet<(String, i64, i64, String)> = BTreeSet::new();
    for p in read["SecurityGroups"][0]["IpPermissions"]
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
    let t: serde_json::Value = serde_json::from_str(&template).expect("json");
    let want: BTreeSet<(String, i64, i64, String)> = t["Resources"]
        .as_object()
        .expect("resources")
        .values()
        .map(|r| {
            let p = &r["Properties"];
            (
                p["IpProtocol"].as_str().expect("proto").to_string(),
                p["FromPort"].as_i64().expect("from"),
                p["ToPort"].as_i64().expect("to"),
                p["CidrIp"].as_str().expect("cidr").to_string(),
            )
        })
        .collect();
    assert!(!want.is_empty());
    assert_eq!(got, want);
    // The replication to the AWS targets, from the four agent sources only; no RDP,
    // nothing from the whole internet.
    assert!(want.contains(&("tcp".into(), 3725, 3725, "192.168.50.11/32".into())));
    assert!(want
        .iter()
        .all(|(_, a, b, c)| c != "0.0.0.0/0" && !(*a <= 3389 && 3389 <= *b)));
}
