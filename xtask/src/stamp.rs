//! The setup stamp, `target/tools/setup-stamp.txt`: what each setup step found or
//! installed, with versions, so a person (or a bug report) can see what a run used, and
//! a warm clone knows what it already has (the PyPI venv is checked against it).

use crate::apt::FailedIndex;
use crate::process::workspace_root;
use anyhow::Result;
use std::collections::BTreeMap;
use std::path::PathBuf;

pub fn path() -> PathBuf {
    workspace_root().join("target/tools/setup-stamp.txt")
}

/// Sections `[step]` of `what version` lines, as the file holds them.
fn read() -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut section = String::from("extra");
    for l in std::fs::read_to_string(path()).unwrap_or_default().lines() {
        if let Some(name) = l.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
            section = name.to_string();
        } else if !l.starts_with('#') && !l.trim().is_empty() {
            out.entry(section.clone()).or_default().push(l.to_string());
        }
    }
    out
}

fn write(sections: &BTreeMap<String, Vec<String>>) -> Result<()> {
    let mut text = String::from(
        "# What `cargo xtask setup` found or installed for each step, with versions.\n",
    );
    for (name, lines) in sections {
        text.push_str(&format!("[{name}]\n"));
        for l in lines {
            text.push_str(l);
            text.push('\n');
        }
    }
    std::fs::create_dir_all(workspace_root().join("target/tools"))?;
    let tmp = path().with_extension("tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(tmp, path())?;
    Ok(())
}

/// Replaces the section of `step` with `lines`, keeping the `pip …` requirement line a
/// venv was made with (written by [`add_line`]).
pub fn record(step: &str, mut lines: Vec<String>) -> Result<()> {
    let mut all = read();
    let kept: Vec<String> = all
        .get(step)
        .map(|old| {
            old.iter()
                .filter(|l| l.starts_with("pip "))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    lines.extend(kept);
    all.insert(step.to_string(), lines);
    write(&all)
}

/// Whether some section holds exactly `line`.
pub fn has_line(line: &str) -> bool {
    read().values().flatten().any(|l| l == line)
}

/// Adds `line` to the `tests` section (the PyPI requirement a venv was made with).
pub fn add_line(line: &str) -> Result<()> {
    let mut all = read();
    let lines = all.entry("tests".to_string()).or_default();
    lines.retain(|l| !l.starts_with("pip "));
    lines.push(line.to_string());
    write(&all)
}

/// Records that apt refused `step` because of `index` (replacing the step's section).
pub fn record_refusal(step: &str, index: &FailedIndex) -> Result<()> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    record(
        step,
        vec![format!("refused {now} {}\t{}", index.index, index.reason)],
    )
}

/// The refusal of `step` recorded less than `max_age` seconds ago, if any.
pub fn recent_refusal(step: &str, max_age: u64) -> Option<FailedIndex> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs();
    read().get(step)?.iter().find_map(|l| {
        let (at, rest) = l.strip_prefix("refused ")?.split_once(' ')?;
        let at: u64 = at.parse().ok()?;
        let (index, reason) = rest.split_once('\t')?;
        (now.saturating_sub(at) < max_age).then(|| FailedIndex {
            index: index.to_string(),
            reason: reason.to_string(),
        })
    })
}
