//! `cargo xtask dist`: what a field engineer downloads, in `dist/`, with SHA-256 sums.
//!
//! `dist/portplan-x86_64-unknown-linux-musl` (static, any x86-64 Linux kernel ≥ 3.2),
//! `dist/portplan-x86_64-win7-windows-gnu.exe` and `dist/portplan-i686-win7-windows-gnu.exe`
//! (Windows 7 SP1 / Server 2008 R2 and later; the 32-bit one for 32-bit sources such as
//! Server 2008 x86 and Windows 7 x86), and the static planner page under `dist/site/`
//! (built like `cargo xtask site`), shell completions in `dist/completions/` and man pages
//! in `dist/man/`; `dist/SHA256SUMS` lists every file, in `sha256sum -c`
//! format. The Windows binaries pass the import-table test before they are summed.

use crate::cross::{self, WINDOWS};
use crate::process::workspace_root;
use crate::process::{cargo, run};
use crate::targets::MUSL;
use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

pub fn run_cmd(args: &[String]) -> Result<()> {
    if !args.is_empty() {
        anyhow::bail!("cargo xtask dist takes no arguments");
    }
    for name in ["rust", "cross", "site"] {
        crate::deps::ensure(crate::deps::step(name)?)?;
    }
    let dist = workspace_root().join("dist");
    std::fs::create_dir_all(&dist).context("creating dist/")?;
    // Binaries of an earlier layout (the Windows 10+ `pc-windows-gnu` build) must not
    // linger next to the new ones and get summed as if shipped.
    let _ = std::fs::remove_file(dist.join("portplan-x86_64-pc-windows-gnu.exe"));
    run(cargo().args(["build", "--release", "-p", "portplan", "--target", MUSL]))?;
    copy(
        &cross::target_bin(MUSL, "release", "portplan"),
        &dist.join(format!("portplan-{MUSL}")),
    )?;
    cross::assert_static(&dist.join(format!("portplan-{MUSL}")))?;
    shell_files(&dist.join(format!("portplan-{MUSL}")), &dist)?;
    let mut exes = Vec::new();
    for w in WINDOWS {
        run(cross::win_cargo(w, "build").args(["--release", "-p", "portplan"]))?;
        let to = dist.join(format!("portplan-{}.exe", w.triple));
        copy(&cross::target_bin(w.triple, "release", "portplan"), &to)?;
        exes.push(to);
    }
    cross::import_check(&exes)?;
    // The static planner page (wasm + index.html) into dist/site/.
    crate::site::build()?;
    let sums = sums(&dist)?;
    std::fs::write(dist.join("SHA256SUMS"), &sums).context("writing SHA256SUMS")?;
    eprint!("{sums}");
    Ok(())
}

/// Shell completions (`completions/portplan.bash` …) and man pages (`man/portplan.1`, one
/// per subcommand), written by the shipped static binary itself so they match it.
fn shell_files(bin: &Path, dist: &Path) -> Result<()> {
    let dir = dist.join("completions");
    std::fs::create_dir_all(&dir).context("creating dist/completions/")?;
    for (shell, file) in [
        ("bash", "portplan.bash"),
        ("zsh", "_portplan"),
        ("fish", "portplan.fish"),
        ("powershell", "portplan.ps1"),
    ] {
        let out = std::process::Command::new(bin)
            .args(["completions", shell])
            .output()
            .with_context(|| format!("{} completions {shell}", bin.display()))?;
        if !out.status.success() || out.stdout.is_empty() {
            anyhow::bail!("{} completions {shell} failed", bin.display());
        }
        std::fs::write(dir.join(file), out.stdout).context("writing a completion script")?;
    }
    run(std::process::Command::new(bin)
        .arg("man")
        .arg("--dir")
        .arg(dist.join("man")))
}

fn copy(from: &Path, to: &Path) -> Result<()> {
    std::fs::copy(from, to)
        .map(|_| ())
        .with_context(|| format!("copying {}", from.display()))
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
