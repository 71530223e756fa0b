//! `cargo xtask dist`: what a field engineer downloads, in `dist/`, with SHA-256 sums.
//!
//! `dist/portplan-x86_64-unknown-linux-musl` (static), `dist/portplan-x86_64-pc-windows-gnu.exe`
//! and the static planner page under `dist/site/` (built like `cargo xtask site`);
//! `dist/SHA256SUMS` lists every file, in `sha256sum -c` format.

use crate::cross::{self, MUSL, WINDOWS};
use crate::deps::workspace_root;
use crate::{cargo, run};
use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

pub fn run_cmd(args: &[String]) -> Result<()> {
    if !args.is_empty() {
        anyhow::bail!("cargo xtask dist takes no arguments");
    }
    crate::deps::setup_all()?;
    cross::setup()?;
    let dist = workspace_root().join("dist");
    std::fs::create_dir_all(&dist).context("creating dist/")?;
    for target in [MUSL, WINDOWS] {
        run(cargo().args(["build", "--release", "-p", "portplan", "--target", target]))?;
        let built = cross::target_bin(target, "release", "portplan");
        let name = if target == WINDOWS {
            format!("portplan-{target}.exe")
        } else {
            format!("portplan-{target}")
        };
        std::fs::copy(&built, dist.join(&name))
            .with_context(|| format!("copying {}", built.display()))?;
    }
    cross::assert_static(&dist.join(format!("portplan-{MUSL}")))?;
    // The static planner page (wasm + index.html) into dist/site/.
    crate::site::build()?;
    let sums = sums(&dist)?;
    std::fs::write(dist.join("SHA256SUMS"), &sums).context("writing SHA256SUMS")?;
    eprint!("{sums}");
    Ok(())
}

/// `<hex>  <path>` for every file under `dir` (but the sums file), sorted by path.
fn sums(dir: &Path) -> Result<String> {
    let mut files = Vec::new();
    walk(dir, &mut files)?;
    files.sort();
    let mut out = String::new();
    for f in files {
        let rel = f.strip_prefix(dir).unwrap_or(&f);
        if rel == Path::new("SHA256SUMS") {
            continue;
        }
        let bytes = std::fs::read(&f).with_context(|| format!("reading {}", f.display()))?;
        let hex: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        out.push_str(&format!("{hex}  {}\n", rel.display()));
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}
