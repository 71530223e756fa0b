//! Defaults that differ on Windows, checked on the build that has them: `cargo xtask
//! cross` runs this file under wine for both Windows builds, `cargo test` on Linux.
//!
//! Windows answers a SYN to a closed port with RST only after its own SYN retries
//! (about 2 s on Server 2008 R2 and later), so `check` waits 3 s per attempt there;
//! with Linux's 1.5 s a closed port would read as filtered, blaming a firewall.

use std::process::Command;

fn check_help() -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_portplan"))
        .args(["check", "--help"])
        .output()
        .expect("run portplan");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The `[default: …]` that follows `--timeout` in the help.
fn default_timeout(help: &str) -> Option<String> {
    let after = &help[help.find("--timeout <DURATION>")?..];
    let d = &after[after.find("[default: ")? + "[default: ".len()..];
    Some(d[..d.find(']')?].to_string())
}

#[test]
fn the_default_timeout_fits_the_platform() {
    let help = check_help();
    let want = if cfg!(windows) { "3s" } else { "1500ms" };
    assert_eq!(
        default_timeout(&help).as_deref(),
        Some(want),
        "check --help:\n{help}"
    );
}
