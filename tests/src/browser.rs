//! What every browser test does around its playwright-core script: find the workspace,
//! read what `cargo xtask test` passes (`PORTPLAN_SITE_URL`, `PORTPLAN_BIN`), make a
//! fresh artifact folder under `target/`, and run `node tests/browser/SCRIPT URL OUT`
//! bounded in time (killed and reaped past its deadline), failing the test if it fails.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// A variable `cargo xtask test` sets for the browser tests.
pub fn required_env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run the browser tests through `cargo xtask test`")
    })
}

/// `target/NAME`, emptied: screenshots and downloads of one test.
pub fn artifacts(name: &str) -> PathBuf {
    let out = root().join("target").join(name);
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).expect("artifact dir");
    out
}

/// Runs `node tests/browser/SCRIPT URL OUT` with `env` added, at most `deadline`.
pub fn run_script(
    script: &str,
    url: &str,
    out: &Path,
    env: &[(&str, &dyn AsRef<OsStr>)],
    deadline: Duration,
) {
    let mut cmd = Command::new("node");
    cmd.arg(root().join("tests/browser").join(script))
        .arg(url)
        .arg(out)
        .env("NODE_PATH", root().join("target/tools/node_modules"))
        .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("node runs");
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if start.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the browser script {script} still runs after {deadline:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "browser script {script} failed: {status}");
}
