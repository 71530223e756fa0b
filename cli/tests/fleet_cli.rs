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
        "tasks/linux/preflight.yml",
        "tasks/windows/preflight.yml",
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

/// The shell of `tasks/linux/stop.yml` signals only a process whose command line runs
/// this run's `portplan listen`: a `listen.pid` that names any other process (planted,
/// or a reused pid) leaves it alone. Run as the task runs it, with `sh`, the run's
/// directory put in for the Jinja expression.
#[cfg(unix)]
#[test]
fn stop_signals_only_this_runs_listen_whatever_the_pid_file_says() {
    let out = std::env::temp_dir().join(format!("portplan-fleet-stop-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let o = fleet(&out, "examples/wave-5.json");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let yaml = std::fs::read_to_string(out.join("tasks/linux/stop.yml")).expect("stop.yml");
    // The block under the first `cmd: |`, unindented.
    let script: String = yaml
        .lines()
        .skip_while(|l| !l.trim_end().ends_with("cmd: |"))
        .skip(1)
        .take_while(|l| l.starts_with("      "))
        .map(|l| format!("{}\n", &l[6..]))
        .collect();
    let dir = out.join("run");
    std::fs::create_dir_all(&dir).expect("dir");
    let script = script.replace(
        "{{ portplan_run_dir | quote }}",
        &format!("'{}'", dir.display()),
    );
    assert!(!script.contains("{{"), "{script}");
    // A fake `portplan listen` of this run: a shell script that waits on its stdin (no
    // child process), so its command line stays `/bin/sh <dir>/portplan listen …`.
    let fake = dir.join("portplan");
    std::fs::write(&fake, "#!/bin/sh\nwhile read -r line; do :; done\n").expect("fake");
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let stop = |pid: u32| {
        std::fs::write(dir.join("listen.pid"), format!("{pid}\n")).expect("pid file");
        let o = Command::new("sh")
            .args(["-c", &script])
            .output()
            .expect("sh");
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    // Another process (say the victim a planted pid names): not signalled.
    let mut other = Command::new("sleep").arg("30").spawn().expect("sleep");
    let said = stop(other.id());
    assert!(
        said.contains("is not this run's portplan listen: not stopped"),
        "{said}"
    );
    assert!(
        other.try_wait().expect("wait").is_none(),
        "the other process was signalled"
    );
    let _ = other.kill();
    let _ = other.wait();
    // This run's listen: stopped by SIGINT.
    let mut mine = Command::new(&fake)
        .args(["listen", "--for", "30s"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("fake listen");
    std::thread::sleep(std::time::Duration::from_millis(100));
    let said = stop(mine.id());
    assert!(!said.contains("not stopped"), "{said}");
    let status = mine.wait().expect("wait");
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(SIGINT), "{status:?}");
    assert!(!dir.join("listen.pid").exists(), "the pid file is gone");
    let _ = std::fs::remove_dir_all(&out);
}

/// The signal `stop.yml` sends first (Ctrl-C), so the responder logs its summary.
#[cfg(unix)]
const SIGINT: i32 = 2;
