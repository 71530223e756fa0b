//! Everything the checks need, installed per step: each step of `cargo xtask test`
//! installs only what it runs, right before it runs, so a package the registry cannot
//! give today stops only the step that needs it. Every install is here, says in one
//! line what it installs and why, is tried up to three times (`retry`) with each try
//! bounded in time, and is recorded with its version in the setup stamp
//! (`target/tools/setup-stamp.txt`). `cargo xtask setup [STEP…]` runs the steps alone.

use crate::apt;
use crate::process::{cargo, have, is_root, output, run_captured, workspace_root};
use crate::retry::{retry, Attempt, INSTALL};
use crate::targets::{MUSL, WINDOWS_CLIPPY};
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// One step's needs: Debian packages, and the tools from the other registries.
#[derive(Debug)]
pub struct Step {
    pub name: &'static str,
    /// Why the step needs them, shown when something is installed.
    pub why: &'static str,
    pub apt: &'static [&'static str],
    /// Debian servers installed without starting the host's copies (tests start their own
    /// inside their namespaces; a fresh machine should not suddenly serve SMB or HTTP).
    pub servers: &'static [&'static str],
    pub tools: &'static [Tool],
}

/// A tool from crates.io, npm, PyPI or rustup.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Tool {
    Rustup,
    WasmBindgen,
    WasmPack,
    NpmTools,
    CargoFuzz,
    CargoDeny,
    Ansible,
    FirewallTools,
}

/// The steps, in the order `cargo xtask test` meets them.
pub const STEPS: &[Step] = &[
    Step {
        name: "rust",
        why: "formatting, clippy and the wasm32 build of the core",
        apt: &[],
        servers: &[],
        tools: &[Tool::Rustup],
    },
    Step {
        name: "tests",
        why: "the test suite: network-namespace labs, firewalls, PDF and report tools",
        apt: &[
            "iproute2",
            "nftables",
            "iptables",
            "python3-firewall",
            "nmap",
            "python3",
            "python3-venv",
            "time",
            "openssl",
            "poppler-utils",
            "fonts-dejavu-core",
            "tcpdump",
        ],
        servers: &["openssh-server", "nginx", "samba"],
        tools: &[Tool::Ansible, Tool::FirewallTools],
    },
    Step {
        name: "deny",
        why: "licenses, bans and sources of the dependency tree",
        apt: &[],
        servers: &[],
        tools: &[Tool::CargoDeny],
    },
    Step {
        name: "cross",
        why: "the static musl build and the Windows 7+ builds, their tests under wine",
        apt: &[
            "musl-tools",
            "gcc-mingw-w64-x86-64",
            "gcc-mingw-w64-i686",
            "wine64",
        ],
        servers: &[],
        tools: &[Tool::Rustup],
    },
    Step {
        name: "fuzz",
        why: "the short fuzz runs on the seeded corpus",
        apt: &[],
        servers: &[],
        tools: &[Tool::CargoFuzz],
    },
    // The page needs no Debian package: `serve` must work on a machine where apt cannot.
    Step {
        name: "site",
        why: "building the planner page",
        apt: &[],
        servers: &[],
        tools: &[
            Tool::Rustup,
            Tool::WasmBindgen,
            Tool::WasmPack,
            Tool::NpmTools,
        ],
    },
    Step {
        name: "browser",
        why: "the browser tests of the page in headless Chromium",
        // The venv's openpyxl reads back the XLSX the page downloads (browser_xlsx).
        apt: &["chromium", "fonts-dejavu-core", "python3-venv"],
        servers: &[],
        tools: &[Tool::FirewallTools],
    },
];

/// 32-bit wine for the i686 build's tests: its own step, the one install whose failure
/// may be stepped around (only when apt says the i386 index is inconsistent; `cross`).
pub const WINE32: Step = Step {
    name: "wine32",
    why: "running the 32-bit Windows build's tests under 32-bit wine",
    apt: &["wine32:i386"],
    servers: &[],
    tools: &[],
};

/// `strace -f -c` lists the static binary's system calls for the benchmarks and
/// docs/builds.md; only `cargo xtask bench` needs it.
pub const BENCH: Step = Step {
    name: "bench",
    why: "the benchmarks against nmap",
    apt: &["nmap", "strace", "time", "iproute2", "nftables"],
    servers: &[],
    tools: &[],
};

pub fn step(name: &str) -> Result<&'static Step> {
    STEPS
        .iter()
        .chain([&WINE32, &BENCH])
        .find(|s| s.name == name)
        .with_context(|| {
            let names: Vec<&str> = STEPS.iter().map(|s| s.name).collect();
            format!(
                "no setup step {name:?} (steps: {}, wine32, bench)",
                names.join(", ")
            )
        })
}

/// Time spent making sure of steps in this process (the summary of `cargo xtask test`).
static SETUP_TIME: std::sync::Mutex<Duration> = std::sync::Mutex::new(Duration::ZERO);

pub fn setup_time() -> Duration {
    SETUP_TIME.lock().map(|d| *d).unwrap_or_default()
}

/// Makes sure everything `step` needs is here, installing what is missing.
pub fn ensure(step: &Step) -> Result<()> {
    let start = Instant::now();
    let r = ensure_inner(step);
    if let Ok(mut t) = SETUP_TIME.lock() {
        *t += start.elapsed();
    }
    r.with_context(|| format!("setting up for {} (step {})", step.why, step.name))
}

fn ensure_inner(step: &Step) -> Result<()> {
    apt::install(step.why, step.apt)?;
    apt_without_autostart(step.why, step.servers)?;
    for tool in step.tools {
        match tool {
            Tool::Rustup => rustup()?,
            Tool::WasmBindgen => wasm_bindgen()?,
            Tool::WasmPack => wasm_pack()?,
            Tool::NpmTools => npm_tools()?,
            Tool::CargoFuzz => cargo_install("cargo-fuzz", "cargo-fuzz", &["--version", "0.13.2"])?,
            Tool::CargoDeny => cargo_install("cargo-deny", "cargo-deny", &["--locked"])?,
            Tool::Ansible => ansible()?,
            Tool::FirewallTools => firewall_tools()?,
        }
    }
    crate::stamp::record(step.name, stamp_lines(step)?)
}

/// `what version` lines of what `step` uses, for the setup stamp.
fn stamp_lines(step: &Step) -> Result<Vec<String>> {
    let mut lines: Vec<String> = apt::versions(step.apt)
        .into_iter()
        .chain(apt::versions(step.servers))
        .map(|(p, v)| format!("apt {p} {v}"))
        .collect();
    for tool in step.tools {
        let root = workspace_root();
        let (name, version) = match tool {
            Tool::Rustup => ("rustc", output(Command::new("rustc").arg("--version"))?),
            Tool::WasmBindgen => ("wasm-bindgen", version_of("wasm-bindgen")),
            Tool::WasmPack => ("wasm-pack", version_of("wasm-pack")),
            Tool::CargoFuzz => ("cargo-fuzz", version_of("cargo-fuzz")),
            Tool::CargoDeny => ("cargo-deny", version_of("cargo-deny")),
            Tool::NpmTools => (
                "npm",
                NPM_TOOLS
                    .iter()
                    .map(|(n, v)| format!("{n}@{v}"))
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            Tool::Ansible => ("venv", root.join(ANSIBLE_VENV).display().to_string()),
            Tool::FirewallTools => ("venv", root.join(FIREWALL_VENV).display().to_string()),
        };
        lines.push(format!("{name} {}", version.trim()));
    }
    Ok(lines)
}

/// `cargo xtask setup [STEP…]`: every step, or the named ones.
pub fn setup_cmd(args: &[String]) -> Result<()> {
    let steps: Vec<&Step> = if args.is_empty() {
        STEPS.iter().collect()
    } else {
        args.iter().map(|a| step(a)).collect::<Result<_>>()?
    };
    for s in steps {
        ensure(s)?;
    }
    if args.is_empty() {
        // Tried, never required here: `cargo xtask test` decides what a refusal means.
        if let Err(e) = ensure(&WINE32) {
            eprintln!("xtask: {e:#}");
        }
    }
    eprintln!(
        "xtask: setup done in {:.1} s; installed versions in {}",
        setup_time().as_secs_f64(),
        crate::stamp::path().display()
    );
    Ok(())
}

/// Runs `cmd` bounded by `limit`, up to three times (any failure of a download-and-build
/// is worth another try: crates.io, npm and PyPI give no reason we could tell apart).
fn install_with_retries(
    what: &str,
    limit: Duration,
    mut cmd: impl FnMut() -> Command,
) -> Result<()> {
    retry(what, INSTALL, std::thread::sleep, |_| {
        match run_captured(&mut cmd(), limit) {
            Err(e) => Attempt::Permanent(e),
            Ok(c) if c.success() => Attempt::Done(()),
            Ok(c) => Attempt::Transient(match c.status {
                None => format!("did not finish in {} s", limit.as_secs()),
                Some(s) => {
                    let last = c.text.lines().rev().find(|l| !l.trim().is_empty());
                    format!("{s}: {}", last.unwrap_or("no output"))
                }
            }),
        }
    })
}

/// Installs `packages` with a temporary `policy-rc.d` that forbids starting services
/// (Debian's maintainer scripts honour it, with or without systemd). A policy file that
/// was already there is left alone.
fn apt_without_autostart(why: &str, packages: &[&str]) -> Result<()> {
    if apt::missing(packages).is_empty() {
        return Ok(());
    }
    let policy = Path::new("/usr/sbin/policy-rc.d");
    let ours = is_root() && !policy.exists();
    if ours {
        use std::os::unix::fs::PermissionsExt;
        std::fs::write(
            policy,
            "#!/bin/sh\n# written by cargo xtask while installing test servers\nexit 101\n",
        )?;
        std::fs::set_permissions(policy, std::fs::Permissions::from_mode(0o755))?;
    }
    let result = apt::install(why, packages);
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
            eprintln!("xtask: installing the Rust target {t} (its std, from rustup)");
            install_with_retries(&format!("rustup target add {t}"), mins(10), || {
                let mut c = Command::new("rustup");
                c.args(["target", "add", t]);
                c
            })?;
        }
    }
    let comps = output(Command::new("rustup").args(["component", "list", "--installed"]))?;
    // rust-src: std is rebuilt for the win7 targets and for the page (panic=immediate-abort).
    for c in ["rustfmt", "clippy", "rust-src"] {
        if !comps.lines().any(|l| l.starts_with(c)) {
            eprintln!("xtask: installing the Rust component {c}");
            install_with_retries(&format!("rustup component add {c}"), mins(10), || {
                let mut cmd = Command::new("rustup");
                cmd.args(["component", "add", c]);
                cmd
            })?;
        }
    }
    Ok(())
}

fn mins(n: u64) -> Duration {
    Duration::from_secs(60 * n)
}

/// `cargo install` of a tool unless `bin` is on PATH (any installed version is used).
fn cargo_install(bin: &str, krate: &str, args: &[&str]) -> Result<()> {
    if have(bin) {
        return Ok(());
    }
    eprintln!("xtask: installing {krate} from crates.io (cargo install)");
    install_with_retries(&format!("cargo install {krate}"), mins(30), || {
        let mut c = cargo();
        c.args(["install", krate]).args(args);
        c
    })
}

/// The `ansible` package (PyPI, not Debian's older one; it bundles the `ansible.windows`
/// collection on top of ansible-core) and `ansible-lint`, in a venv under target/tools/:
/// the fleet-run test (`cli/tests/fleet_ansible.rs`) and the syntax and lint checks of
/// the Windows task files (`cli/tests/fleet_lint.rs`) look for them there.
pub const ANSIBLE_VENV: &str = "target/tools/ansible";

fn ansible() -> Result<()> {
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
    pip_venv(
        &venv,
        "ansible and ansible-lint (the fleet-run and playbook lint tests)",
        &["ansible>=9,<11", "ansible-lint>=24,<26"],
    )
}

/// The firewall teams' tools, in a venv under target/tools/: aerleon (aclgen, aclcheck)
/// for the perimeter policy, cfn-lint and moto with the AWS CLI for the CloudFormation
/// template, openpyxl to read the XLSX change request back.
pub const FIREWALL_VENV: &str = "target/tools/fwtools";
pub const FIREWALL_PIP: &[&str] = &[
    "aerleon==1.18.*",
    "cfn-lint==1.58.*",
    "moto[server]==5.2.*",
    "awscli",
    "openpyxl",
];

fn firewall_tools() -> Result<()> {
    let venv = workspace_root().join(FIREWALL_VENV);
    let bins = ["aclgen", "aclcheck", "cfn-lint", "moto_server", "aws"];
    if bins.iter().all(|b| venv.join("bin").join(b).exists())
        && crate::stamp::has_line(&format!("pip {}", FIREWALL_PIP.join(" ")))
    {
        return Ok(());
    }
    pip_venv(
        &venv,
        "aerleon, cfn-lint, moto, awscli and openpyxl (the firewall output tests)",
        FIREWALL_PIP,
    )?;
    crate::stamp::add_line(&format!("pip {}", FIREWALL_PIP.join(" ")))
}

fn pip_venv(venv: &Path, what: &str, requirements: &[&str]) -> Result<()> {
    eprintln!("xtask: installing {what} from PyPI into {}", venv.display());
    if !venv.join("bin/pip").exists() {
        install_with_retries("python3 -m venv", mins(5), || {
            let mut c = Command::new("python3");
            c.arg("-m").arg("venv").arg(venv);
            c
        })?;
    }
    install_with_retries(
        &format!("pip install {}", requirements.join(" ")),
        mins(20),
        || {
            let mut c = Command::new(venv.join("bin/pip"));
            c.args([
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--retries",
                "2",
                "--timeout",
                "60",
            ])
            .args(requirements);
            c
        },
    )
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

pub fn version_of(tool: &str) -> String {
    output(Command::new(tool).arg("--version")).unwrap_or_default()
}

/// wasm-bindgen-cli at the version `Cargo.lock` resolved (or wasm-pack would download one).
fn wasm_bindgen() -> Result<()> {
    let wb = locked_wasm_bindgen()?;
    if version_of("wasm-bindgen")
        .split_whitespace()
        .any(|w| w == wb)
    {
        return Ok(());
    }
    eprintln!("xtask: installing wasm-bindgen-cli {wb} (it must match Cargo.lock's wasm-bindgen)");
    // `--locked` fails for wasm-bindgen-cli; the version pin is what matters.
    install_with_retries(
        &format!("cargo install wasm-bindgen-cli {wb}"),
        mins(30),
        || {
            let mut c = cargo();
            c.args(["install", "wasm-bindgen-cli", "--version", &wb]);
            c
        },
    )
}

fn wasm_pack() -> Result<()> {
    if !version_of("wasm-pack").is_empty() {
        return Ok(());
    }
    cargo_install(
        "wasm-pack",
        "wasm-pack",
        &["--locked", "--version", WASM_PACK_VERSION],
    )
}

/// `npm install` of [`NPM_TOOLS`] into `target/tools/` unless each is there at its version.
/// Node.js and npm come with the machine; the site build installs no Debian package.
pub fn npm_tools() -> Result<()> {
    if !(have("node") && have("npm")) {
        bail!("the planner page needs Node.js and npm on PATH (for wasm-opt from npm's binaryen); none was found");
    }
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
    eprintln!(
        "xtask: installing {} from npm into {} (wasm-opt, the browser driver, the accessibility check)",
        missing.join(", "),
        dir.display()
    );
    std::fs::create_dir_all(&dir)?;
    install_with_retries("npm install", mins(10), || {
        let mut c = Command::new("npm");
        c.args([
            "install",
            "--no-audit",
            "--no-fund",
            "--fetch-retries",
            "2",
            "--prefix",
        ])
        .arg(&dir)
        .args(&missing);
        c
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_needs_no_debian_package() {
        let site = step("site").expect("site step");
        assert!(site.apt.is_empty() && site.servers.is_empty());
    }

    #[test]
    fn wine32_is_only_in_its_own_step() {
        for s in STEPS.iter().chain([&BENCH]) {
            assert!(
                !s.apt.iter().any(|p| p.ends_with(":i386")),
                "step {} installs an i386 package",
                s.name
            );
        }
        assert_eq!(WINE32.apt, ["wine32:i386"]);
    }

    #[test]
    fn unknown_steps_are_named() {
        let e = step("nope").expect_err("unknown").to_string();
        assert!(
            e.starts_with("no setup step \"nope\" (steps: rust, tests, deny"),
            "{e}"
        );
    }
}
