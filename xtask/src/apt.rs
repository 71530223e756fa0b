//! Debian packages, installed so that a registry's bad day stops only the step that
//! needs the broken part.
//!
//! Two facts of apt shape this module. `apt-get update` exits 100 when any one index
//! fails ("Some index files failed to download"), although every other list was fetched:
//! on 2026-12-06 the i386 security index was inconsistent ("File has unexpected size …
//! Mirror sync in progress?") for hours, and every amd64 package still installed. So a
//! partial update is a warning that names the failed index, and the install that follows
//! decides. And an install is all or nothing, so each step installs only its own
//! packages. The words of apt are read by the pure functions [`read_update`] and
//! [`read_install`], tested on recorded outputs (`xtask/tests/fixtures/apt/`).

use crate::process::{is_root, output, run, run_captured, Captured};
use crate::retry::{retry, Attempt, INSTALL};
use anyhow::{anyhow, Result};
use std::process::Command;
use std::sync::Mutex;
use std::time::Duration;

/// One index `apt-get update` could not fetch, in apt's words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailedIndex {
    /// As apt names it: `bookworm-security/main i386 Packages`.
    pub index: String,
    /// apt's first line of reason, without the `[IP: …]` tail.
    pub reason: String,
}

impl FailedIndex {
    /// An index of `arch` that the mirror served inconsistently (a size or hash that does
    /// not match its Release file): apt's own words for a mirror mid-sync, not a network
    /// failure on our side.
    pub fn is_inconsistent_for(&self, arch: &str) -> bool {
        self.index.split_whitespace().any(|w| w == arch)
            && [
                "unexpected size",
                "Hash Sum mismatch",
                "Mirror sync in progress",
            ]
            .iter()
            .any(|m| self.reason.contains(m))
    }
}

impl std::fmt::Display for FailedIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.index, self.reason)
    }
}

/// What an `apt-get update` came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Update {
    Complete,
    /// Some indexes failed, the others were fetched: a warning; the install decides.
    Partial(Vec<FailedIndex>),
    /// Nothing could be read (a lock, the network, the time limit): try again.
    Transient(String),
}

/// Reads the output of `apt-get update` and its exit code (`None`: killed at its limit).
pub fn read_update(code: Option<i32>, text: &str) -> Update {
    if code.is_none() {
        return Update::Transient("apt-get update did not finish in time".into());
    }
    if let Some(lock) = lock_held(text) {
        return Update::Transient(lock);
    }
    let failed = failed_indexes(text);
    let network = failed.iter().all(|f| is_network(&f.reason));
    match (code, failed.is_empty()) {
        (Some(0), true) => Update::Complete,
        // Every index failed for the network's sake: nothing new was read.
        (_, false) if network && !text.contains("\nGet:") && !text.starts_with("Get:") => {
            Update::Transient(failed[0].to_string())
        }
        (_, false) => Update::Partial(failed),
        (_, true) => Update::Transient(
            last_error(text).unwrap_or_else(|| format!("apt-get update exited {code:?}")),
        ),
    }
}

/// What an `apt-get install` came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Install {
    Installed,
    /// A lock, the network or the time limit: worth another try.
    Transient(String),
    /// apt refuses: `packages` could not be installed, for `reason` (apt's words).
    Refused {
        packages: Vec<String>,
        reason: String,
    },
}

/// Reads the output of `apt-get install REQUESTED…` and its exit code.
pub fn read_install(requested: &[&str], code: Option<i32>, text: &str) -> Install {
    if code == Some(0) {
        return Install::Installed;
    }
    if code.is_none() {
        return Install::Transient("apt-get install did not finish in time".into());
    }
    if let Some(lock) = lock_held(text) {
        return Install::Transient(lock);
    }
    let lines: Vec<&str> = text.lines().collect();
    // A .deb that could not be downloaded (the index was fine, the file not yet).
    if let Some(l) = lines.iter().find(|l| {
        l.starts_with("E: Failed to fetch") && (is_network(l) || l.contains("unexpected size"))
    }) {
        return Install::Transient(l.trim_start_matches("E: ").trim().to_string());
    }
    let missing: Vec<String> = lines
        .iter()
        .filter_map(|l| {
            l.strip_prefix("E: Unable to locate package ")
                .or_else(|| {
                    l.strip_prefix("E: Package '")
                        .and_then(|r| r.split('\'').next())
                })
                .map(|p| p.trim().to_string())
        })
        .collect();
    if !missing.is_empty() {
        let reason = lines
            .iter()
            .filter_map(|l| l.strip_prefix("E: "))
            .collect::<Vec<_>>()
            .join("; ");
        return Install::Refused {
            packages: missing,
            reason,
        };
    }
    let packages = requested.iter().map(|p| p.to_string()).collect();
    if let Some(start) = lines
        .iter()
        .position(|l| l.starts_with("The following packages have unmet dependencies"))
    {
        let unmet = unmet_dependencies(&lines[start + 1..]);
        let shown: Vec<&str> = unmet.iter().take(3).map(String::as_str).collect();
        let more = match unmet.len().saturating_sub(3) {
            0 => String::new(),
            n => format!(" and {n} more"),
        };
        return Install::Refused {
            packages,
            reason: format!(
                "unmet dependencies: {}{more} ({})",
                shown.join(", "),
                last_error(text).unwrap_or_else(|| "apt gave no reason".into())
            ),
        };
    }
    Install::Refused {
        packages,
        reason: last_error(text).unwrap_or_else(|| format!("apt-get install exited {code:?}")),
    }
}

/// `libselinux1:i386 needs libpcre2-8-0:i386 (>= 10.22)`, one per package apt names.
fn unmet_dependencies(lines: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let mut package = "";
    for l in lines {
        if l.starts_with("E: ") || l.trim().is_empty() {
            break;
        }
        // ` libcurl4:i386 : Depends: libbrotli1:i386 (>= 0.6.0) but it is not going …`
        // followed by `                 Depends: libssh2-1:i386 (>= 1.7.0) but …`
        let dep = match l.split_once(" : Depends: ") {
            Some((pkg, dep)) => {
                package = pkg.trim();
                dep
            }
            None => match l.trim_start().strip_prefix("Depends: ") {
                Some(dep) => dep,
                None => continue,
            },
        };
        let dep = dep.split(" but ").next().unwrap_or(dep).trim();
        out.push(format!("{package} needs {dep}"));
    }
    out
}

fn failed_indexes(text: &str) -> Vec<FailedIndex> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<FailedIndex> = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let Some(rest) = l.strip_prefix("Err:") else {
            continue;
        };
        // `Err:6 http://host/path suite/component arch Packages`
        let mut words = rest.split_whitespace();
        let (_n, _url) = (words.next(), words.next());
        let index = words.collect::<Vec<_>>().join(" ");
        let reason = lines
            .get(i + 1)
            .map(|r| r.split(" [IP:").next().unwrap_or(r).trim().to_string())
            .unwrap_or_default();
        let f = FailedIndex { index, reason };
        if !out.contains(&f) {
            out.push(f);
        }
    }
    out
}

fn lock_held(text: &str) -> Option<String> {
    text.lines()
        .find(|l| l.contains("Could not get lock") || l.contains("Unable to acquire the dpkg"))
        .map(|l| l.trim_start_matches("E: ").to_string())
}

fn is_network(reason: &str) -> bool {
    [
        "Could not connect",
        "Unable to connect",
        "Temporary failure resolving",
        "Could not resolve",
        "Connection timed out",
        "Connection failed",
        "Connection reset",
        "No route to host",
    ]
    .iter()
    .any(|m| reason.contains(m))
}

fn last_error(text: &str) -> Option<String> {
    text.lines()
        .rev()
        .find_map(|l| l.strip_prefix("E: "))
        .map(str::to_string)
}

/// The indexes the last `apt-get update` of this process could not fetch, once it ran:
/// an update runs once per process (and again after an architecture is added).
static UPDATED: Mutex<Option<Vec<FailedIndex>>> = Mutex::new(None);

/// The reason an install was refused, kept whole so a caller can tell the one case it
/// may step around (see `cross`) from every other.
#[derive(Debug)]
pub struct Refused {
    pub packages: Vec<String>,
    pub reason: String,
    /// What the update of this process could not fetch.
    pub failed_indexes: Vec<FailedIndex>,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "could not install {}: apt: {}",
            self.packages.join(", "),
            self.reason
        )?;
        if !self.failed_indexes.is_empty() {
            let list: Vec<String> = self.failed_indexes.iter().map(|i| i.to_string()).collect();
            write!(f, " (apt-get update could not fetch {})", list.join("; "))?;
        }
        Ok(())
    }
}

impl std::error::Error for Refused {}

/// `program`, through sudo unless we are root.
fn as_root(program: &str) -> Command {
    if is_root() {
        Command::new(program)
    } else {
        let mut s = Command::new("sudo");
        s.arg(program);
        s
    }
}

fn apt_get(args: &[&str]) -> Command {
    let mut c = as_root("apt-get");
    c.args(args).env("DEBIAN_FRONTEND", "noninteractive");
    c
}

/// `name:arch FIELD` per package dpkg knows of `packages` (one `dpkg-query` call).
fn dpkg_query(field: &str, packages: &[&str]) -> String {
    output(
        Command::new("dpkg-query")
            .arg("-W")
            .arg(format!("-f=${{Package}}:${{Architecture}} {field}\n"))
            .args(packages),
    )
    .unwrap_or_default()
}

/// Which of `packages` `dpkg` does not report as installed (one `dpkg-query` call).
pub fn missing(packages: &[&str]) -> Vec<String> {
    if packages.is_empty() {
        return Vec::new();
    }
    let text = dpkg_query("${db:Status-Status}", packages);
    let native = output(Command::new("dpkg").arg("--print-architecture")).unwrap_or_default();
    let native = native.trim();
    packages
        .iter()
        .filter(|p| {
            let want = if p.contains(':') {
                p.to_string()
            } else {
                format!("{p}:")
            };
            !text.lines().any(|l| {
                let (name, status) = l.split_once(' ').unwrap_or((l, ""));
                let hit = if want.ends_with(':') {
                    // `name:` matches the native architecture and `all`.
                    name == format!("{want}{native}") || name == format!("{want}all")
                } else {
                    name == want
                };
                hit && status == "installed"
            })
        })
        .map(|p| p.to_string())
        .collect()
}

/// `dpkg-query`'s versions of `packages`, for the setup stamp.
pub fn versions(packages: &[&str]) -> Vec<(String, String)> {
    if packages.is_empty() {
        return Vec::new();
    }
    dpkg_query("${Version}", packages)
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(p, v)| (p.to_string(), v.to_string()))
        .collect()
}

/// `apt-get update`, tried again on transient failures; a partial update is a warning.
fn update() -> Result<Vec<FailedIndex>> {
    if let Some(done) = UPDATED.lock().map_err(|_| anyhow!("apt lock"))?.clone() {
        return Ok(done);
    }
    let mut last_partial = Vec::new();
    let r = retry(
        "apt-get update",
        INSTALL,
        std::thread::sleep,
        |_| match run_captured(&mut apt_get(&["update", "-q"]), Duration::from_secs(600)) {
            Err(e) => Attempt::Permanent(e),
            Ok(Captured { status, text }) => {
                match read_update(status.and_then(|s| s.code()), &text) {
                    Update::Complete => Attempt::Done(Vec::new()),
                    Update::Partial(failed) => Attempt::Done(failed),
                    Update::Transient(why) => {
                        last_partial = failed_indexes(&text);
                        Attempt::Transient(why)
                    }
                }
            }
        },
    );
    let failed = match r {
        Ok(f) => f,
        // Out of tries: the lists on disk may still do; the install decides.
        Err(e) => {
            eprintln!(
                "xtask: warning: {e:#}; installing from the package lists already on this machine"
            );
            last_partial
        }
    };
    for f in &failed {
        eprintln!(
            "xtask: warning: apt-get update could not fetch {f}; the install that follows decides"
        );
    }
    *UPDATED.lock().map_err(|_| anyhow!("apt lock"))? = Some(failed.clone());
    Ok(failed)
}

/// Enables a foreign architecture (the i386 one for 32-bit wine); its lists come with
/// the next update.
fn add_architecture(arch: &str) -> Result<()> {
    let foreign = output(Command::new("dpkg").arg("--print-foreign-architectures"))?;
    if foreign.lines().any(|a| a == arch) {
        return Ok(());
    }
    run(as_root("dpkg").args(["--add-architecture", arch]))?;
    *UPDATED.lock().map_err(|_| anyhow!("apt lock"))? = None;
    Ok(())
}

/// Installs the `packages` of one step (`why` says what for, in one line) that are not
/// installed yet. A refusal is returned as [`Refused`] inside the error, in one line.
pub fn install(why: &str, packages: &[&str]) -> Result<()> {
    let todo = missing(packages);
    if todo.is_empty() {
        return Ok(());
    }
    if std::env::var_os("PORTPLAN_XTASK_NO_APT").is_some() {
        anyhow::bail!(
            "{why} would install Debian packages ({}), and this step must not need any",
            todo.join(", ")
        );
    }
    eprintln!("xtask: installing {} ({why})", todo.join(", "));
    for arch in todo
        .iter()
        .filter_map(|p| p.split_once(':').map(|(_, a)| a))
    {
        add_architecture(arch)?;
    }
    let failed_indexes = update()?;
    let names: Vec<&str> = todo.iter().map(String::as_str).collect();
    let mut args = vec!["install", "-y", "-q", "--no-install-recommends"];
    args.extend(names.iter());
    retry(
        &format!("installing {}", names.join(", ")),
        INSTALL,
        std::thread::sleep,
        |_| match run_captured(&mut apt_get(&args), Duration::from_secs(1800)) {
            Err(e) => Attempt::Permanent(e),
            Ok(c) => match read_install(&names, c.code(), &c.text) {
                Install::Installed => Attempt::Done(()),
                Install::Transient(why) => Attempt::Transient(why),
                Install::Refused { packages, reason } => Attempt::Permanent(
                    Refused {
                        packages,
                        reason,
                        failed_indexes: failed_indexes.clone(),
                    }
                    .into(),
                ),
            },
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/apt")
            .join(name);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    #[test]
    fn a_stale_i386_index_is_a_partial_update_naming_it() {
        let u = read_update(Some(100), &fixture("update-i386-index-unexpected-size.txt"));
        let Update::Partial(failed) = u else {
            panic!("not partial: {u:?}")
        };
        assert_eq!(
            failed,
            [FailedIndex {
                index: "bookworm-security/main i386 Packages".into(),
                reason: "File has unexpected size (371952 != 372316). Mirror sync in progress?"
                    .into(),
            }]
        );
        assert!(failed[0].is_inconsistent_for("i386"));
        assert!(!failed[0].is_inconsistent_for("amd64"));
    }

    #[test]
    fn update_outcomes() {
        // (fixture, exit code, expected outcome kind)
        let table: &[(&str, Option<i32>, &str)] = &[
            ("update-complete.txt", Some(0), "complete"),
            (
                "update-i386-index-unexpected-size.txt",
                Some(100),
                "partial",
            ),
            // Nothing could be fetched: apt exits 0 with warnings; worth another try.
            ("update-connection-refused.txt", Some(0), "transient"),
            ("install-lock-held.txt", Some(100), "transient"),
            ("update-complete.txt", None, "transient"),
        ];
        for (name, code, want) in table {
            let got = match read_update(*code, &fixture(name)) {
                Update::Complete => "complete",
                Update::Partial(_) => "partial",
                Update::Transient(_) => "transient",
            };
            assert_eq!(got, *want, "{name} exit {code:?}");
        }
    }

    #[test]
    fn wine32_refused_names_the_package_and_apts_reason() {
        let r = read_install(
            &["wine32:i386"],
            Some(100),
            &fixture("install-wine32-unmet-dependencies.txt"),
        );
        let Install::Refused { packages, reason } = r else {
            panic!("not refused: {r:?}")
        };
        assert_eq!(packages, ["wine32:i386"]);
        assert!(
            reason.starts_with("unmet dependencies: libcups2 needs libavahi-client3 (>= 0.6.16), libcurl4:i386 needs libbrotli1:i386 (>= 0.6.0), libcurl4:i386 needs libssh2-1:i386 (>= 1.7.0) and "),
            "{reason}"
        );
        assert!(
            reason.ends_with(
                "(Error, pkgProblemResolver::Resolve generated breaks, this may be caused by held packages.)"
            ),
            "{reason}"
        );
        assert!(!reason.contains('\n'));
    }

    #[test]
    fn install_outcomes() {
        let table: &[(&str, &[&str], Option<i32>, Install)] = &[
            (
                "install-unable-to-locate.txt",
                &["nmap", "no-such-package-portplan"],
                Some(100),
                Install::Refused {
                    packages: vec!["no-such-package-portplan".into()],
                    reason: "Unable to locate package no-such-package-portplan".into(),
                },
            ),
            (
                "install-lock-held.txt",
                &["hello"],
                Some(100),
                Install::Transient(
                    "Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 13394 (python3)"
                        .into(),
                ),
            ),
            (
                "update-complete.txt",
                &["hello"],
                None,
                Install::Transient("apt-get install did not finish in time".into()),
            ),
            ("update-complete.txt", &["hello"], Some(0), Install::Installed),
        ];
        for (name, requested, code, want) in table {
            assert_eq!(
                &read_install(requested, *code, &fixture(name)),
                want,
                "{name}"
            );
        }
    }

    #[test]
    fn a_refusal_reads_as_one_line() {
        let r = Refused {
            packages: vec!["wine32:i386".into()],
            reason: "unmet dependencies: a needs b".into(),
            failed_indexes: vec![FailedIndex {
                index: "bookworm-security/main i386 Packages".into(),
                reason: "File has unexpected size (1 != 2). Mirror sync in progress?".into(),
            }],
        };
        assert_eq!(
            r.to_string(),
            "could not install wine32:i386: apt: unmet dependencies: a needs b (apt-get update could not fetch bookworm-security/main i386 Packages: File has unexpected size (1 != 2). Mirror sync in progress?)"
        );
    }
}
