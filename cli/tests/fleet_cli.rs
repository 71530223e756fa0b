//! `portplan fleet` output read back by Ansible's own parser (`ansible-inventory`, from
//! the ansible-core that `cargo xtask setup` installs under target/tools/).

use std::path::PathBuf;
use std::process::{Command, Output};

const PORTPLAN: &str = env!("CARGO_BIN_EXE_portplan");

fn root() -> PathBuf {
    portplan_tests::workspace_root()
}

fn fleet(out: &std::path::Path, scenario: &str) -> Output {
    Command::new(PORTPLAN)
        .args(["fleet", "--scenario", scenario, "--format", "ansible", "-o"])
        .arg(out)
        .current_dir(root())
        .output()
        .expect("portplan fleet")
}

#[test]
fn the_inventory_of_a_mixed_wave_reads_back_in_ansible() {
    let tool = root().join("target/tools/ansible/bin/ansible-inventory");
    assert!(
        tool.exists(),
        "{} is missing: run `cargo xtask setup`",
        tool.display()
    );
    let out = std::env::temp_dir().join(format!("portplan-fleet-cli-{}", std::process::id()));
    let o = fleet(&out, "examples/wave-5.json");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in [
        "plan.json",
        "inventory.yml",
        "fleet.yml",
        "ansible.cfg",
        "tasks/linux/check.yml",
        "tasks/windows/check.yml",
    ] {
        assert!(out.join(f).exists(), "{f} not written");
    }
    let o = Command::new(&tool)
        .args(["-i", "inventory.yml", "--list"])
        .current_dir(&out)
        .env("LC_ALL", "C.UTF-8")
        .env("ANSIBLE_HOME", out.join(".ansible"))
        .output()
        .expect("ansible-inventory");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let inv: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let hosts = |group: &str| -> Vec<String> {
        inv[group]["hosts"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|h| h.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    // One group per role, from the scenario.
    assert_eq!(hosts("portplan_server"), ["ps01"]);
    assert_eq!(hosts("portplan_connectors"), ["conn01"]);
    assert_eq!(hosts("portplan_virtualization_hosts"), ["vc01"]);
    assert_eq!(
        hosts("portplan_sources"),
        ["web01", "web02", "db01", "lnx01", "dmz01"]
    );
    assert_eq!(
        hosts("portplan_targets"),
        ["web01-t", "web02-t", "db01-t", "dmz01-t"]
    );
    // The only Linux workload is lnx01; the vCenter runs nothing.
    assert_eq!(hosts("portplan_linux"), ["lnx01"]);
    assert!(!hosts("portplan_checkers").contains(&"vc01".to_string()));
    assert!(!hosts("portplan_listeners").contains(&"vc01".to_string()));
    assert_eq!(hosts("portplan_checkers").len(), 11);
    let vars = &inv["_meta"]["hostvars"];
    assert_eq!(vars["db01"]["ansible_host"], "10.1.0.3");
    assert_eq!(vars["db01-t"]["portplan_os"], "windows");
    assert_eq!(vars["lnx01"]["portplan_os"], "linux");
    assert_eq!(vars["ps01"]["portplan_listen_for"], "15m");
    // The plan written next to it is the one `portplan plan` gives.
    let plan = Command::new(PORTPLAN)
        .args(["plan", "-s", "examples/wave-5.json", "-f", "json"])
        .current_dir(root())
        .output()
        .expect("plan");
    assert_eq!(
        std::fs::read(out.join("plan.json")).expect("plan.json"),
        plan.stdout
    );
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn bad_input_exits_2_naming_the_file() {
    let out = std::env::temp_dir().join(format!("portplan-fleet-bad-{}", std::process::id()));
    let o = fleet(&out, "examples/nope.json");
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.starts_with("portplan: examples/nope.json: cannot open"),
        "{err}"
    );
    let o = Command::new(PORTPLAN)
        .args(["fleet", "-s", "examples/wave-5.json", "-o"])
        .arg(&out)
        .args(["--listen-for", "forever"])
        .current_dir(root())
        .output()
        .expect("fleet");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("\"forever\" is not a duration"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(!out.exists(), "nothing written on bad input");
}
