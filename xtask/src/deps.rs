//! Idempotent installation of everything the checks need: rustup parts, Debian
//! packages, cargo tools, npm tools, PyPI tools. Each step first looks whether the thing
//! is there. Every install of the project is here (`cargo xtask setup` runs them all).

use crate::cross::{MUSL, WINDOWS_CLIPPY};
use crate::process::{cargo, have, is_root, output, run, workspace_root};
use anyhow::{bail, Context, Result};
use std::path::PathBuf;
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
    web_tools()?;
    cargo_fuzz()?;
    cargo_deny()
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

/// The rustup targets and components: wasm for the page, musl and the Windows target
/// clippy checks (the win7 targets are tier 3: their std is built from rust-src).
pub fn rustup() -> Result<()> {
    let installed = output(Command::new("rustup").args(["target", "list", "--installed"]))?;
    for t in ["wasm32-unknown-unknown", MUSL, WINDOWS_CLIPPY] {
        if !installed.lines().any(|l| l.trim() == t) {
            run(Command::new("rustup").args(["target", "add", t]))?;
        }
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

/// wasm-pack release installed when missing (any installed version is used as is).
const WASM_PACK_VERSION: &str = "0.15.1";
/// npm packages under `target/tools/`: binaryen for wasm-opt, playwright-core for the
/// browser tests (it drives Debian's chromium; it never downloads a browser).
/// axe-core is injected into the page by the browser tests (the accessibility check).
pub const NPM_TOOLS: &[(&str, &str)] = &[
    ("binaryen", "132.0.0"),
    ("playwright-core", "1.65.1"),
    ("axe-core", "4.14.1"),
];

/// Where the npm tools are installed (`target/tools/node_modules`).
pub fn tools_dir() -> PathBuf {
    workspace_root().join("target/tools")
}

/// The wasm-bindgen version `Cargo.lock` resolved (the CLI must be the same).
fn locked_wasm_bindgen() -> Result<String> {
    let lock = std::fs::read_to_string(workspace_root().join("Cargo.lock"))
        .context("reading Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(l) = lines.next() {
        if l == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines.next().and_then(|v| v.strip_prefix("version = \"")) {
                return Ok(v.trim_end_matches('"').to_string());
            }
        }
    }
    bail!("Cargo.lock has no wasm-bindgen: is portplan-web a workspace member?")
}

fn version_of(tool: &str) -> String {
    output(Command::new(tool).arg("--version")).unwrap_or_default()
}

/// What the site build and the browser tests need: wasm-bindgen-cli matching
/// `Cargo.lock`, wasm-pack, and the npm tools (wasm-opt, playwright-core, axe-core).
pub fn web_tools() -> Result<()> {
    rustup()?;
    apt(&["gzip"])?;
    // A machine may have node and npm from elsewhere (NodeSource's nodejs bundles npm
    // and conflicts with Debian's): only install Debian's when there is none.
    if !(have("node") && have("npm")) {
        apt(&["nodejs", "npm"])?;
    }
    let wb = locked_wasm_bindgen()?;
    if !version_of("wasm-bindgen")
        .split_whitespace()
        .any(|w| w == wb)
    {
        // `--locked` fails for wasm-bindgen-cli; the version pin is what matters.
        run(cargo().args(["install", "wasm-bindgen-cli", "--version", &wb]))?;
    }
    if version_of("wasm-pack").is_empty() {
        run(cargo().args([
            "install",
            "wasm-pack",
            "--locked",
            "--version",
            WASM_PACK_VERSION,
        ]))?;
    }
    npm_tools()
}

/// `npm install` of [`NPM_TOOLS`] into `target/tools/` unless each is there at its version.
pub fn npm_tools() -> Result<()> {
    let dir = tools_dir();
    let missing: Vec<String> = NPM_TOOLS
        .iter()
        .filter(|(name, version)| {
            let pkg = dir.join("node_modules").join(name).join("package.json");
            !std::fs::read_to_string(pkg)
                .is_ok_and(|t| t.contains(&format!("\"version\": \"{version}\"")))
        })
        .map(|(name, version)| format!("{name}@{version}"))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    std::fs::create_dir_all(&dir)?;
    run(Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--prefix"])
        .arg(&dir)
        .args(&missing))
}

/// cargo-fuzz, for the short fuzz runs of `cargo xtask test` and the long ones.
pub fn cargo_fuzz() -> Result<()> {
    if !have("cargo-fuzz") {
        run(cargo().args(["install", "cargo-fuzz", "--version", "0.13.2"]))?;
    }
    Ok(())
}

/// cargo-deny, for the licenses, bans and sources of the dependency tree.
pub fn cargo_deny() -> Result<()> {
    if !have("cargo-deny") {
        run(cargo().args(["install", "cargo-deny", "--locked"]))?;
    }
    Ok(())
}
