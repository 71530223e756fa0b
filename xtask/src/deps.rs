//! Idempotent installation of what the checks need: rustup parts, Debian packages,
//! cargo tools. Each step first looks whether the thing is there.

use crate::run;
use anyhow::Result;
use std::process::Command;

/// Debian packages the test suite uses (each later issue adds its own here).
pub const APT_PACKAGES: &[&str] = &[
    "iproute2",
    "nftables",
    "poppler-utils",
    "iptables",
    "python3-firewall",
    "nmap",
    "python3",
    "time",
    "openssl",
    "chromium",
    "fonts-dejavu-core",
    "python3-venv",
    "gcc-mingw-w64-x86-64",
    // The 32-bit Windows build (i686-win7-windows-gnu): C parts of ring and the linker.
    "gcc-mingw-w64-i686",
    "musl-tools",
    "wine64",
    // 32-bit wine runs the i686 build's tests (needs the i386 architecture, see `apt`).
    "wine32:i386",
    // `strace -f -c` lists the system calls of the static binary (README, old kernels).
    "strace",
];

pub fn setup_all() -> Result<()> {
    rustup()?;
    apt(APT_PACKAGES)?;
    apt_without_autostart(SERVER_PACKAGES)?;
    ansible()?;
    crate::cross::setup()?;
    Ok(())
}

/// The `ansible` package (PyPI, not Debian's older one; it bundles the `ansible.windows`
/// collection on top of ansible-core) and `ansible-lint`, in a venv under target/tools/:
/// the fleet-run test (`cli/tests/fleet_ansible.rs`) and the syntax and lint checks of
/// the Windows task files (`cli/tests/fleet_lint.rs`) look for them there.
pub const ANSIBLE_VENV: &str = "target/tools/ansible";

pub fn ansible() -> Result<()> {
    let venv = workspace_root().join(ANSIBLE_VENV);
    // A venv from before holds only ansible-core: look for what the checks use.
    let windows = venv.join("lib").read_dir().ok().and_then(|mut d| {
        d.find_map(|e| {
            let p = e
                .ok()?
                .path()
                .join("site-packages/ansible_collections/ansible/windows");
            p.exists().then_some(p)
        })
    });
    if venv.join("bin/ansible-lint").exists() && windows.is_some() {
        return Ok(());
    }
    if !venv.join("bin/pip").exists() {
        run(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
    }
    run(Command::new(venv.join("bin/pip")).args([
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "ansible>=9,<11",
        "ansible-lint>=24,<26",
    ]))
}

/// The workspace root (xtask sits one level below it), whatever the current directory.
pub fn workspace_root() -> std::path::PathBuf {
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// Real servers the protocol tests start inside their own namespaces (issue 6).
/// Installed without starting the host's copies: tests never use them, and a fresh
/// machine should not suddenly serve SMB or HTTP on its own interfaces.
pub const SERVER_PACKAGES: &[&str] = &["openssh-server", "nginx", "samba"];

/// Installs `packages` with a temporary `policy-rc.d` that forbids starting services
/// (Debian's maintainer scripts honour it, with or without systemd). A policy file that
/// was already there is left alone.
pub fn apt_without_autostart(packages: &[&str]) -> Result<()> {
    let policy = std::path::Path::new("/usr/sbin/policy-rc.d");
    let ours = is_root() && !policy.exists();
    if ours {
        use std::os::unix::fs::PermissionsExt;
        std::fs::write(
            policy,
            "#!/bin/sh\n# written by cargo xtask while installing test servers\nexit 101\n",
        )?;
        std::fs::set_permissions(policy, std::fs::Permissions::from_mode(0o755))?;
    }
    let result = apt(packages);
    if ours {
        let _ = std::fs::remove_file(policy);
    }
    result
}

pub fn rustup() -> Result<()> {
    let installed = output(Command::new("rustup").args(["target", "list", "--installed"]))?;
    if !installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    let comps = output(Command::new("rustup").args(["component", "list", "--installed"]))?;
    // rust-src: std is rebuilt for the win7 targets and for the page (panic=immediate-abort).
    for c in ["rustfmt", "clippy", "rust-src"] {
        if !comps.lines().any(|l| l.starts_with(c)) {
            run(Command::new("rustup").args(["component", "add", c]))?;
        }
    }
    Ok(())
}

/// Installs the Debian packages that `dpkg` does not report as installed. A package
/// named `name:i386` first enables the i386 architecture (then `apt-get update` fetches
/// its lists, as it runs whenever something is missing).
pub fn apt(packages: &[&str]) -> Result<()> {
    let missing: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|p| {
            !Command::new("dpkg-query")
                .args(["-W", "-f=${Status}", p])
                .output()
                .map(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
                .unwrap_or(false)
        })
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let sudo = if is_root() { vec![] } else { vec!["sudo"] };
    let foreign = output(Command::new("dpkg").arg("--print-foreign-architectures"))?;
    if missing.iter().any(|p| p.ends_with(":i386")) && !foreign.lines().any(|a| a == "i386") {
        let mut all: Vec<&str> = sudo.clone();
        all.extend(["dpkg", "--add-architecture", "i386"]);
        run(Command::new(all[0]).args(&all[1..]))?;
    }
    let apt_get = |args: &[&str]| {
        let mut all: Vec<&str> = sudo.clone();
        all.push("apt-get");
        all.extend_from_slice(args);
        let mut c = Command::new(all[0]);
        c.args(&all[1..]).env("DEBIAN_FRONTEND", "noninteractive");
        c
    };
    run(&mut apt_get(&["update", "-q"]))?;
    let mut args = vec!["install", "-y", "-q", "--no-install-recommends"];
    args.extend(missing.iter());
    run(&mut apt_get(&args))
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
