//! The files `portplan fleet` writes pass Ansible's own checks: `ansible-playbook
//! --syntax-check` with every task file imported statically (so each module name,
//! `ansible.windows.*` included, must resolve in the `ansible` package's bundled
//! collections), and `ansible-lint`. The Windows task files cannot run in the lab (no
//! WinRM host), so this is what proves they are valid Ansible for real Windows hosts.
//! Both tools come from the venv `cargo xtask setup` fills under target/tools/ansible.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const PORTPLAN: &str = env!("CARGO_BIN_EXE_portplan");

fn tool(name: &str) -> PathBuf {
    let path = portplan_tests::workspace_root()
        .join("target/tools/ansible/bin")
        .join(name);
    assert!(
        path.exists(),
        "{} is missing: run `cargo xtask setup` (installs ansible and ansible-lint)",
        path.display()
    );
    path
}

/// A fleet directory for a scenario with Windows and Linux sources, in a fresh temp dir.
fn fleet(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("portplan-lint-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let o = Command::new(PORTPLAN)
        .args(["fleet", "--scenario"])
        .arg(portplan_tests::example("migrate-2020.json"))
        .args(["--format", "ansible", "-o"])
        .arg(&dir)
        .output()
        .expect("portplan fleet");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // The playbook includes tasks/<os>/*.yml dynamically, which --syntax-check skips;
    // import them all statically so their modules are resolved and their YAML parsed.
    let mut imports = String::from(
        "- name: Every task file, imported statically\n  hosts: all\n  gather_facts: false\n  tasks:\n",
    );
    for os in ["linux", "windows"] {
        for step in ["install", "listen", "check", "stop", "cleanup"] {
            let file = format!("tasks/{os}/{step}.yml");
            assert!(dir.join(&file).exists(), "fleet wrote no {file}");
            imports.push_str(&format!(
                "    - name: Import {file}\n      ansible.builtin.import_tasks: {file}\n"
            ));
        }
    }
    std::fs::write(dir.join("syntax.yml"), imports).expect("write syntax.yml");
    dir
}

fn syntax_check(dir: &Path) -> Output {
    Command::new(tool("ansible-playbook"))
        .current_dir(dir)
        .args(["--syntax-check", "fleet.yml", "syntax.yml"])
        .env("ANSIBLE_NOCOLOR", "1")
        .output()
        .expect("ansible-playbook")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn fleet_playbook_and_every_task_file_pass_syntax_check() {
    let dir = fleet("ok");
    let o = syntax_check(&dir);
    assert!(o.status.success(), "syntax check failed:\n{}", text(&o));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The check above is only worth something if it resolves module names: a misspelt
/// `ansible.windows` module must fail it.
#[test]
fn syntax_check_rejects_an_unknown_windows_module() {
    let dir = fleet("bad");
    let file = dir.join("tasks/windows/check.yml");
    let yaml = std::fs::read_to_string(&file).expect("read check.yml");
    assert!(yaml.contains("ansible.windows.win_command:"));
    std::fs::write(
        &file,
        yaml.replace(
            "ansible.windows.win_command:",
            "ansible.windows.win_comand:",
        ),
    )
    .expect("write check.yml");
    let o = syntax_check(&dir);
    assert!(
        !o.status.success(),
        "a misspelt module passed:\n{}",
        text(&o)
    );
    assert!(text(&o).contains("win_comand"), "{}", text(&o));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fleet_files_pass_ansible_lint() {
    let dir = fleet("lint");
    std::fs::remove_file(dir.join("syntax.yml")).expect("rm syntax.yml");
    let bin = tool("ansible-lint");
    let path = format!(
        "{}:{}",
        bin.parent()
            .map(Path::display)
            .map(|d| d.to_string())
            .unwrap_or_default(),
        std::env::var("PATH").unwrap_or_default()
    );
    let o = Command::new(bin)
        .current_dir(&dir)
        // No Galaxy downloads (CI has no internet for it); the collections are bundled.
        .args(["--offline", "--nocolor", "fleet.yml", "tasks"])
        .env("PATH", path)
        .env("HOME", &dir)
        .output()
        .expect("ansible-lint");
    assert!(o.status.success(), "ansible-lint:\n{}", text(&o));
    assert!(text(&o).contains("0 failure(s)"), "{}", text(&o));
    let _ = std::fs::remove_dir_all(&dir);
}
