//! The perimeter policy (`portplan plan --format aerleon -o DIR`) through aerleon's own
//! tools: `aclgen` renders the firewall team's wave for Cisco ASA, Palo Alto, Juniper
//! SRX and nftables, and `aclcheck` accepts sampled flows of the plan and no port the
//! plan does not need. A NAT'd flow is checked by its pre-NAT address for Palo Alto and
//! its post-NAT one for the others.
//!
//! The tools live in the venv `cargo xtask setup` installs at
//! `target/tools/fwtools/` (`aerleon==1.18.*`); without it the test fails, naming it.

use portplan_core::export::aerleon;
use portplan_core::{Plan, Scenario};
use std::path::{Path, PathBuf};
use std::process::Command;

fn tool(name: &str) -> PathBuf {
    let path = portplan_tests::workspace_root()
        .join("target/tools/fwtools/bin")
        .join(name);
    assert!(
        path.exists(),
        "{} is missing: install the firewall tools venv (cargo xtask setup, or python3 -m venv target/tools/fwtools && target/tools/fwtools/bin/pip install 'aerleon==1.18.*')",
        path.display()
    );
    path
}

/// A scratch directory removed on drop.
struct Scratch(PathBuf);
impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn wave() -> Plan {
    let text =
        std::fs::read_to_string(portplan_tests::example("firewall-wave.json")).expect("example");
    Plan::build(&Scenario::from_json(&text).expect("scenario")).expect("plan")
}

/// The filters (first target option: `PORTPLAN` for ASA/SRX, `mixed` for nftables,
/// `from-zone` for Palo Alto) whose terms accept the flow.
fn accepted_by(dir: &Path, src: &str, dst: &str, proto: &str, port: Option<u16>) -> Vec<String> {
    let mut c = Command::new(tool("aclcheck"));
    c.current_dir(dir).args([
        "-p",
        "policies/pol/portplan.yaml",
        "--definitions-directory",
        "def",
        "--base-directory",
        "policies",
        "-s",
        src,
        "-d",
        dst,
        "--proto",
        proto,
    ]);
    if let Some(p) = port {
        c.args(["--dport", &p.to_string()]);
    }
    let out = c.output().expect("aclcheck");
    assert!(
        out.status.success(),
        "aclcheck: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let mut filters = Vec::new();
    let mut current = String::new();
    for line in text.lines().map(str::trim) {
        if let Some(f) = line.strip_prefix("filter: ") {
            current = f.to_string();
        } else if line == "accept" {
            filters.push(current.clone());
        }
    }
    filters.sort();
    filters.dedup();
    filters
}

/// Source, destination, protocol, port, and the filters that must accept the flow.
type Case<'a> = (&'a str, &'a str, &'a str, Option<u16>, &'a [&'a str]);

#[test]
fn aclgen_renders_the_wave_and_aclcheck_accepts_exactly_the_plan() {
    let plan = wave();
    let dir =
        Scratch(std::env::temp_dir().join(format!("portplan-aerleon-{}", std::process::id())));
    let _ = std::fs::remove_dir_all(&dir.0);
    // The tree as the CLI writes it (cli/tests/plan_aerleon.rs checks the writing).
    let tree = aerleon::tree(&plan);
    assert!(
        tree.left_out
            .iter()
            .any(|l| l.contains("azure (management.azure.com) is a DNS name, not a network object")),
        "{:?}",
        tree.left_out
    );
    for (path, text) in &tree.files {
        let file = dir.0.join(path);
        std::fs::create_dir_all(file.parent().expect("parent")).expect("dir");
        std::fs::write(file, text).expect("write");
    }

    let gen = Command::new(tool("aclgen"))
        .current_dir(&dir.0)
        .args([
            "--base_directory",
            "policies",
            "--definitions_directory",
            "def",
            "--output_directory",
            "out",
        ])
        .output()
        .expect("aclgen");
    let log = String::from_utf8_lossy(&gen.stderr);
    assert!(
        gen.status.success() && !log.contains("rror"),
        "aclgen: {log}"
    );
    let read = |f: &str| std::fs::read_to_string(dir.0.join("out").join(f)).expect(f);
    let asa = read("portplan.asa");
    let pan = read("portplan.xml");
    let srx = read("portplan.srx");
    let nft = read("portplan.nft");
    // ASA names the real (post-NAT) address of the server the agents dial publicly.
    assert!(
        asa.contains("permit tcp host 192.168.50.11 host 10.20.0.5 eq https"),
        "{asa}"
    );
    assert!(
        asa.contains("permit icmp host 10.20.0.5 host 10.1.0.1 echo\n"),
        "{asa}"
    );
    assert!(pan.contains("<member>R5_DST_DIALED</member>"), "{pan}");
    assert!(srx.contains("r9-p1-tcp"), "{srx}");
    assert!(nft.contains("tcp dport 3725"), "{nft}");

    let all = ["PORTPLAN", "from-zone", "mixed"];
    // Sampled flows of the plan, by address: every filter accepts them.
    let cases: [Case; 8] = [
        ("10.1.0.3", "10.20.0.5", "tcp", Some(443), &all),
        ("10.20.0.5", "10.1.0.7", "tcp", Some(135), &all),
        ("10.20.0.5", "10.1.0.7", "tcp", Some(50000), &all),
        ("10.20.0.5", "10.1.0.7", "udp", Some(138), &all),
        ("10.20.0.5", "10.1.0.30", "tcp", Some(22), &all),
        ("10.1.0.12", "10.2.0.12", "tcp", Some(3725), &all),
        // NAT: the agent dials 198.51.100.5, translated to 10.20.0.5. Palo Alto
        // matches the pre-NAT address, ASA/SRX and nftables the post-NAT one.
        (
            "192.168.50.12",
            "198.51.100.5",
            "tcp",
            Some(443),
            &["from-zone"],
        ),
        (
            "192.168.50.12",
            "10.20.0.5",
            "tcp",
            Some(443),
            &["PORTPLAN", "mixed"],
        ),
    ];
    for (src, dst, proto, port, want) in cases {
        let mut want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
        want.sort();
        assert_eq!(
            accepted_by(&dir.0, src, dst, proto, port),
            want,
            "{src} -> {dst} {proto} {port:?}"
        );
    }
    // Ports and pairs the plan does not need: nobody accepts them.
    let refused: [(&str, &str, &str, Option<u16>); 4] = [
        ("10.1.0.3", "10.20.0.5", "tcp", Some(3389)),
        ("10.20.0.5", "10.1.0.7", "tcp", Some(22)),
        ("10.20.0.5", "10.1.0.30", "tcp", Some(445)),
        // Replication is each source to its own target, not to another's.
        ("10.1.0.12", "10.2.0.13", "tcp", Some(3725)),
    ];
    for (src, dst, proto, port) in refused {
        assert!(
            accepted_by(&dir.0, src, dst, proto, port).is_empty(),
            "{src} -> {dst} {proto} {port:?} accepted"
        );
    }
}
