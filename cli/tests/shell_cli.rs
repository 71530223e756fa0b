//! Ecosystem conventions: `--version` names the build and the catalog, completion
//! scripts and man pages generate for every shell and subcommand.

use std::process::Command;

fn portplan(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_portplan"))
        .args(args)
        .output()
        .expect("run portplan")
}

#[test]
fn version_names_the_commit_and_the_catalog() {
    let o = portplan(&["--version"]);
    assert!(o.status.success());
    let out = String::from_utf8_lossy(&o.stdout);
    let digest = portplan_core::rules::catalog_digest();
    assert!(
        out.starts_with(&format!("portplan {} (commit ", env!("CARGO_PKG_VERSION"))),
        "{out}"
    );
    assert!(out.contains(&format!("catalog {digest})")), "{out}");
}

#[test]
fn completions_generate_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let o = portplan(&["completions", shell]);
        assert!(o.status.success(), "{shell}");
        let text = String::from_utf8_lossy(&o.stdout);
        for sub in ["plan", "check", "listen", "merge", "rules"] {
            assert!(text.contains(sub), "{shell} completion lacks {sub}");
        }
    }
    // The bash script is valid bash.
    let o = portplan(&["completions", "bash"]);
    let dir = std::env::temp_dir().join(format!("portplan-compl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let f = dir.join("portplan.bash");
    std::fs::write(&f, &o.stdout).expect("write");
    let check = Command::new("bash")
        .arg("-n")
        .arg(&f)
        .status()
        .expect("bash");
    assert!(check.success(), "bash -n rejects the completion script");
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(portplan(&["completions", "tcsh"]).status.code(), Some(2));
}

#[test]
fn man_pages_generate_for_every_subcommand() {
    let dir = std::env::temp_dir().join(format!("portplan-man-{}", std::process::id()));
    let o = portplan(&["man", "--dir", dir.to_str().expect("utf-8")]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for page in [
        "portplan",
        "portplan-plan",
        "portplan-check",
        "portplan-listen",
        "portplan-merge",
        "portplan-completions",
    ] {
        let text = std::fs::read_to_string(dir.join(format!("{page}.1")))
            .unwrap_or_else(|e| panic!("{page}: {e}"));
        assert!(
            text.starts_with(".ie") || text.contains(".TH"),
            "{page}: not a man page"
        );
        assert!(text.contains(&page.to_string()), "{page}");
    }
    assert!(
        !dir.join("portplan-probe-service.1").exists(),
        "hidden commands get no page"
    );
    // Every page a page points at (`portplan-check(1)`) is one of them: no
    // portplan-help(1) for clap's built-in help subcommand.
    for entry in std::fs::read_dir(&dir).expect("pages") {
        let path = entry.expect("page").path();
        let text = std::fs::read_to_string(&path).expect("page");
        for (i, _) in text.match_indices("(1)") {
            let name: String = text[..i]
                .chars()
                .rev()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '\\')
                .collect::<Vec<char>>()
                .into_iter()
                .rev()
                .filter(|c| *c != '\\')
                .collect();
            assert!(
                dir.join(format!("{name}.1")).exists(),
                "{} points at {name}(1), which is not generated",
                path.display()
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
