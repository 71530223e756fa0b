//! Running commands and finding things: the leaf every other task module uses.

use anyhow::{bail, Context, Result};
use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Runs a command, echoing it, failing on a non-zero exit.
pub fn run(cmd: &mut Command) -> Result<()> {
    eprintln!("xtask$ {}", show(cmd));
    let status = cmd
        .status()
        .map_err(|e| anyhow::anyhow!("{}: {e}", show(cmd)))?;
    if !status.success() {
        bail!("{} failed ({status})", show(cmd));
    }
    Ok(())
}

/// What a bounded run left: its exit status (`None` when it was killed at its time
/// limit) and everything it printed, stdout and stderr interleaved as they came.
pub struct Captured {
    pub status: Option<ExitStatus>,
    pub text: String,
}

impl Captured {
    /// The exit code, or `None` for a run killed at its limit or by a signal.
    pub fn code(&self) -> Option<i32> {
        self.status.and_then(|s| s.code())
    }

    pub fn success(&self) -> bool {
        self.status.is_some_and(|s| s.success())
    }
}

/// Runs a command for at most `limit`, echoing its lines to stderr as they arrive (CI
/// logs show progress) and keeping them for the caller to read. At the limit the whole
/// process group is killed (apt-get's dpkg, cargo's rustc), and `status` is `None`.
pub fn run_captured(cmd: &mut Command, limit: Duration) -> Result<Captured> {
    eprintln!("xtask$ {}", show(cmd));
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .with_context(|| show(cmd))?;
    let (tx, rx) = mpsc::channel::<String>();
    let readers: Vec<_> = [
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    ]
    .into_iter()
    .flatten()
    .map(|stream| {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(|l| l.ok()) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        })
    })
    .collect();
    drop(tx);
    let deadline = Instant::now() + limit;
    let mut text = String::new();
    let mut status = None;
    loop {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(line) => {
                eprintln!("{line}");
                text.push_str(&line);
                text.push('\n');
                continue;
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            // Both streams closed: the process is ending (or detached them).
            Err(mpsc::RecvTimeoutError::Disconnected) => {}
        }
        if let Some(s) = child.try_wait()? {
            status = Some(s);
            break;
        }
        if Instant::now() >= deadline {
            // The group (apt-get and its dpkg, cargo and its rustc), not only the leader.
            let _ = Command::new("kill")
                .args(["-s", "KILL", "--", &format!("-{}", child.id())])
                .status();
            let _ = child.kill();
            let _ = child.wait();
            eprintln!(
                "xtask: {} stopped at its limit of {} s",
                show(cmd),
                limit.as_secs()
            );
            break;
        }
    }
    // Whatever is still buffered (a killed group closes its pipes).
    for line in rx.iter() {
        eprintln!("{line}");
        text.push_str(&line);
        text.push('\n');
    }
    for r in readers {
        let _ = r.join();
    }
    Ok(Captured { status, text })
}

pub fn show(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|s| s.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `cargo`, as the one that runs us (rustup's proxy honours the toolchain file).
pub fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// The workspace root (xtask sits one level below it), whatever the current directory.
pub fn workspace_root() -> PathBuf {
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

pub fn is_root() -> bool {
    output(Command::new("id").arg("-u"))
        .map(|s| s.trim() == "0")
        .unwrap_or(false)
}

/// Whether `name` is on PATH.
pub fn have(name: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {name} >/dev/null 2>&1")])
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

pub fn output(cmd: &mut Command) -> Result<String> {
    let o = cmd.output()?;
    Ok(String::from_utf8_lossy(&o.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captures_both_streams_and_the_exit_code() {
        let c = run_captured(
            Command::new("sh").args(["-c", "echo out; echo err >&2; exit 3"]),
            Duration::from_secs(10),
        )
        .expect("sh runs");
        assert_eq!(c.code(), Some(3));
        assert!(
            c.text.contains("out\n") && c.text.contains("err\n"),
            "{}",
            c.text
        );
    }

    #[test]
    fn kills_the_whole_group_at_the_limit() {
        let start = Instant::now();
        // The grandchild `sleep` holds the pipe open: only a group kill ends the run.
        let c = run_captured(
            Command::new("sh").args(["-c", "echo started; sleep 30 & sleep 30"]),
            Duration::from_millis(600),
        )
        .expect("sh runs");
        assert!(c.status.is_none());
        assert!(c.text.contains("started"));
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{:?}",
            start.elapsed()
        );
    }
}
