//! End to end: `portplan fleet` writes an inventory and a playbook, and a real
//! `ansible-playbook` (ansible-core from PyPI, installed by `cargo xtask setup` under
//! target/tools/) runs it against hosts that are network namespaces of this machine:
//! a server, a source and its target, with TCP 3725 dropped by nftables on the source (the target connects to it).
//! The merged fleet report must show exactly that one failure. Needs root (CI is).
//!
//! The lab inventory is the documented way to run the generated files without SSH: a
//! second `-i` file that sets `ansible_connection: local` and
//! `portplan_wrap: "ip netns exec NS"` per host.

use portplan_core::report::{Report, Status, Verdict};
use portplan_core::Protocol;
use portplan_tests::netns::{sh, Lab};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const PORTPLAN: &str = env!("CARGO_BIN_EXE_portplan");
/// Debian 12's wine loader (the `wine64` package puts no wrapper on PATH).
const WINE: &str = "/usr/lib/wine/wine64";
/// The playbook's own timeouts are 30 s per step; the whole run takes ~25 s.
const RUN_LIMIT: Duration = Duration::from_secs(240);

fn ansible_playbook() -> PathBuf {
    let path = std::env::var_os("PORTPLAN_ANSIBLE_PLAYBOOK").map_or_else(
        || portplan_tests::workspace_root().join("target/tools/ansible/bin/ansible-playbook"),
        PathBuf::from,
    );
    assert!(
        path.exists(),
        "{} is missing: run `cargo xtask setup` (installs ansible-core into target/tools/ansible)",
        path.display()
    );
    path
}

/// Server `ps01` routes between the source's and the target's links, so every host has
/// one address (the scenario's) and every flow crosses a veth.
fn lab() -> (Lab, [String; 3]) {
    let mut lab = Lab::new("fl");
    for h in ["ps01", "src", "tgt"] {
        lab.host(h);
    }
    let (ps, src) = lab.link("ps01", "src");
    let (ps_t, tgt) = lab.link("ps01", "tgt");
    sh(&[
        "ip",
        "-n",
        &lab.ns("src"),
        "route",
        "add",
        "default",
        "via",
        &ps,
    ]);
    sh(&[
        "ip",
        "-n",
        &lab.ns("tgt"),
        "route",
        "add",
        "default",
        "via",
        &ps_t,
    ]);
    sh(&[
        "ip",
        "netns",
        "exec",
        &lab.ns("ps01"),
        "sysctl",
        "-qw",
        "net.ipv4.ip_forward=1",
    ]);
    // The vendor's default direction: the target opens 3725 to the source (Q1).
    lab.nft(
        "src",
        "table inet portplan_test {\n chain input {\n  type filter hook input priority 0; policy accept;\n  tcp dport 3725 drop\n }\n}\n",
    );
    (lab, [ps, src, tgt])
}

/// What a local user does before the run: makes the directory (mode 0755, owned by
/// nobody), plants a `portplan` that leaves `marker` behind, and links `listen.log` to
/// `victim`, a file of root's.
fn plant(host_dir: &Path, victim: &Path, marker: &Path) {
    // Through the shell's tools: this file is also compiled (never run) for Windows.
    std::fs::create_dir_all(host_dir).expect("dir");
    write(victim, "root's file\n");
    let bin = host_dir.join("portplan");
    write(&bin, &format!("#!/bin/sh\ntouch {}\n", marker.display()));
    sh(&["chmod", "755", &bin.display().to_string()]);
    sh(&[
        "ln",
        "-s",
        &victim.display().to_string(),
        &host_dir.join("listen.log").display().to_string(),
    ]);
    let nobody = "65534";
    sh(&[
        "chown",
        "-hR",
        &format!("{nobody}:{nobody}"),
        &host_dir.display().to_string(),
    ]);
    sh(&["chmod", "755", &host_dir.display().to_string()]);
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// Runs `cmd` to completion within `limit`, killing it otherwise.
fn run_bounded(cmd: &mut Command, limit: Duration, log: &Path) -> (bool, String) {
    let file = std::fs::File::create(log).expect("log file");
    let mut child = cmd
        .stdout(file.try_clone().expect("dup"))
        .stderr(file)
        .stdin(Stdio::null())
        .spawn()
        .expect("spawn ansible-playbook");
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break Some(s);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let out = std::fs::read_to_string(log).unwrap_or_default();
    (status.is_some_and(|s| s.success()), out)
}

#[test]
fn ansible_fleet_run_in_a_namespace_lab_reports_the_dropped_port() {
    run_lab(None, false);
}

/// A local user (uid nobody) made the source's portplan directory first, put their own
/// `portplan` in it and linked `listen.log` to a file of root's: the run refuses that
/// host before it copies or runs anything there, so root never runs the planted binary
/// and never writes through the link.
#[test]
fn a_directory_another_user_made_first_is_refused() {
    run_lab(None, true);
}

/// The same run with the source on the Windows build (mingw-w64), run by wine inside
/// its namespace: its `listen` answers ps01's check of TCP 22 (and the target's of the
/// dropped 3725, which never arrives), its `check` verifies ps01's responder. Needs the Windows build and the wine
/// prefix, so `cargo xtask cross` runs it (`--ignored`) right after building them.
#[test]
#[ignore = "needs the Windows build: `cargo xtask cross` runs it"]
fn ansible_fleet_run_with_a_windows_source_under_wine() {
    let var = |name: &str| {
        std::env::var_os(name)
            .map(PathBuf::from)
            .unwrap_or_else(|| panic!("{name} is not set: run `cargo xtask cross`"))
    };
    run_lab(
        Some(Windows {
            exe: var("PORTPLAN_WINDOWS_EXE"),
            prefix: var("PORTPLAN_WINEPREFIX"),
        }),
        false,
    );
}

/// The Windows build and a wine prefix to clone.
struct Windows {
    exe: PathBuf,
    prefix: PathBuf,
}

/// A private copy of the wine prefix: wine's sockets are made by the prefix's
/// wineserver, which must therefore start inside the source's namespace. Hard links
/// keep the 600 MB of DLLs shared; the registry (rewritten by wine) is copied.
fn clone_prefix(from: &Path, to: &Path) {
    sh(&[
        "cp",
        "-al",
        &from.display().to_string(),
        &to.display().to_string(),
    ]);
    for reg in ["system.reg", "user.reg", "userdef.reg"] {
        let (a, b) = (from.join(reg), to.join(reg));
        if a.exists() {
            std::fs::remove_file(&b).expect("unlink reg");
            std::fs::copy(&a, &b).expect("copy reg");
        }
    }
}

fn run_lab(windows: Option<Windows>, takeover: bool) {
    let playbook = ansible_playbook();
    let (lab, [ps, src, tgt]) = lab();
    let tag = match (&windows, takeover) {
        (_, true) => "own",
        (Some(_), _) => "win",
        (None, _) => "lin",
    };
    let dir = std::env::temp_dir().join(format!("portplan-fleet-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let out = dir.join("out");
    let scenario = dir.join("lab.json");
    write(
        &scenario,
        &format!(
            r#"{{"format":1,"product":"migrate","version":"12.3",
            "server":{{"name":"ps01","address":"{ps}"}},
            "workloads":[{{"name":"src","address":"{src}","os":"linux",
              "target":{{"name":"tgt","address":"{tgt}"}}}}]}}"#
        ),
    );
    let o = Command::new(PORTPLAN)
        .args(["fleet", "--scenario"])
        .arg(&scenario)
        .args(["--format", "ansible", "-o"])
        .arg(&out)
        .args(["--linux-binary", PORTPLAN])
        .output()
        .expect("portplan fleet");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    // The lab overlay: local connection, each host's commands inside its namespace, its
    // own directory (all "hosts" share this filesystem).
    let mut overlay = format!(
        "all:\n  vars:\n    ansible_connection: local\n    \
         ansible_python_interpreter: \"{{{{ ansible_playbook_python }}}}\"\n    \
         portplan_controller_binary: \"{PORTPLAN}\"\n    portplan_listen_for: \"3m\"\n  \
         hosts:\n"
    );
    for h in ["ps01", "src", "tgt"] {
        let mut wrap = format!("ip netns exec {}", lab.ns(h));
        let mut extra = String::new();
        if let (Some(w), "src") = (&windows, h) {
            let prefix = dir.join("wine");
            clone_prefix(&w.prefix, &prefix);
            wrap.push_str(&format!(
                " env WINEPREFIX={} WINEDEBUG=-all WINEDLLOVERRIDES=mscoree,mshtml= {WINE}",
                prefix.display()
            ));
            extra = format!("      portplan_linux_binary: \"{}\"\n", w.exe.display());
        }
        overlay.push_str(&format!(
            "    {h}:\n      portplan_os: linux\n      portplan_wrap: \"{wrap}\"\n      \
             portplan_dir: \"{}\"\n{extra}",
            dir.join("hosts").join(h).display()
        ));
    }
    write(&out.join("lab.yml"), &overlay);
    let victim = dir.join("victim");
    let marker = dir.join("planted-binary-ran");
    if takeover {
        plant(&dir.join("hosts").join("src"), &victim, &marker);
    }

    let (ok, log) = run_bounded(
        Command::new(&playbook)
            .args(["-i", "inventory.yml", "-i", "lab.yml", "fleet.yml"])
            .current_dir(&out)
            .env("LC_ALL", "C.UTF-8")
            .env("ANSIBLE_NOCOLOR", "1")
            .env("ANSIBLE_HOME", dir.join("ansible-home"))
            .env("ANSIBLE_LOCAL_TEMP", dir.join("ansible-tmp"))
            .env("ANSIBLE_REMOTE_TEMP", dir.join("ansible-tmp")),
        RUN_LIMIT,
        &dir.join("ansible.log"),
    );
    if takeover {
        assert!(!ok, "the run must not pass with a refused host:\n{log}");
        assert!(
            log.contains(&format!(
                "portplan_dir {} is refused",
                dir.join("hosts/src").display()
            )),
            "{log}"
        );
        assert!(!marker.exists(), "root ran the planted binary:\n{log}");
        assert_eq!(
            std::fs::read_to_string(&victim).expect("victim"),
            "root's file\n",
            "the link was written through"
        );
        let planted = std::fs::read_to_string(dir.join("hosts/src/portplan")).expect("planted");
        assert!(
            planted.starts_with("#!/bin/sh"),
            "the planted binary was not replaced either"
        );
        drop(lab);
        let _ = std::fs::remove_dir_all(&dir);
        return;
    }
    assert!(ok, "ansible-playbook failed:\n{log}");
    // The playbook shows the merge's summary and what to fix.
    assert!(
        log.contains(&format!(
            "to fix: allow TCP 3725 from tgt ({tgt}) to src ({src}) on src's firewall"
        )),
        "{log}"
    );
    assert!(log.contains("1 fail"), "{log}");

    let text = std::fs::read_to_string(out.join("fleet-report.json")).expect("fleet report");
    let report = Report::from_json(&text).expect("a valid report");
    let plan_text = std::fs::read_to_string(out.join("plan.json")).expect("plan");
    let plan = portplan_core::Plan::from_json(&plan_text).expect("plan");
    assert_eq!(report.plan_digest, plan.digest());
    assert_eq!(report.probed_from, "ps01,src,tgt", "{log}");
    let flows: Vec<_> = report.flows.iter().map(|f| f.flow()).collect();
    assert_eq!(flows, plan.flows, "every flow of the plan, checked once");
    let failing: Vec<_> = report
        .flows
        .iter()
        .filter(|f| f.status == Status::Fail)
        .collect();
    assert_eq!(failing.len(), 1, "exactly one failure:\n{text}");
    let f = failing[0];
    assert_eq!(
        (f.from.as_str(), f.to.as_str(), f.protocol),
        ("tgt", "src", Protocol::Tcp)
    );
    assert_eq!(
        f.ports.map(|p| (p.first.get(), p.last.get())),
        Some((3725, 3725))
    );
    assert_eq!(f.probes[0].verdict, Verdict::Filtered, "{text}");
    // Each host ran preflight before its responder started, and the merge kept its
    // section: src's own firewall drops 3725, which preflight names (the Windows build
    // under wine cannot read a firewall, and says so).
    let mut with_preflight: Vec<&str> = report.preflight.iter().map(|p| p.host.as_str()).collect();
    with_preflight.sort_unstable();
    assert_eq!(with_preflight, ["ps01", "src", "tgt"], "{text}");
    let src_preflight = report
        .preflight
        .iter()
        .find(|p| p.host == "src")
        .expect("src's preflight");
    let replication = src_preflight
        .flows
        .iter()
        .find(|f| f.from == "tgt" && f.ports.map(|p| p.first.get()) == Some(3725))
        .expect("3725 from tgt in src's preflight");
    let d = &replication.results[0].decision;
    if windows.is_some() {
        assert_eq!(
            d.verdict,
            portplan_core::preflight::Judgement::Unknown,
            "{text}"
        );
        assert!(d.reason.contains("E_NOTIMPL"), "{text}");
    } else {
        assert_eq!(
            d.verdict,
            portplan_core::preflight::Judgement::Blocked,
            "{text}"
        );
        assert!(
            d.evidence
                .iter()
                .any(|e| e.starts_with("inet portplan_test input rule")),
            "{text}"
        );
    }
    // Every other flow passed: its TCP port answered the `portplan listen` token that the
    // playbook started on the accepting host (verified), ICMP echoed (open).
    for other in report.flows.iter().filter(|x| x.status != Status::Fail) {
        assert_eq!(other.status, Status::Pass, "{text}");
        let want = match other.protocol {
            Protocol::Icmp => Verdict::Open,
            _ => Verdict::Verified,
        };
        for p in &other.probes {
            assert_eq!(p.verdict, want, "{} -> {}: {:?}", other.from, other.to, p);
        }
    }
    // The responders ran, answered and were stopped by the playbook (not by --for). The
    // target accepts nothing (it opens the replication port to the source), so it runs
    // no responder.
    assert!(
        !dir.join("hosts/tgt/listen.log").exists(),
        "tgt needs no responder"
    );
    for h in ["ps01", "src"] {
        let log = std::fs::read_to_string(dir.join("hosts").join(h).join("listen.log"))
            .unwrap_or_else(|e| panic!("{h}: listen.log: {e}"));
        assert!(log.lines().any(|l| l.starts_with("ready:")), "{h}: {log}");
        assert!(log.lines().any(|l| l.starts_with("stopped:")), "{h}: {log}");
    }
    if windows.is_some() {
        let exe = std::fs::read(dir.join("hosts/src/portplan")).expect("copied binary");
        assert!(exe.starts_with(b"MZ"), "src ran the Windows build");
        // wine's server outlives its last client by a few seconds: stop it now.
        let _ = Command::new("/usr/lib/wine/wineserver")
            .arg("-k")
            .env("WINEPREFIX", dir.join("wine"))
            .status();
    }
    for h in ["ps01", "src", "tgt"] {
        let fetched = out.join("reports").join(format!("report-{h}.json"));
        assert!(fetched.exists(), "{} was not fetched", fetched.display());
        let preflight = out.join("reports").join(format!("preflight-{h}.json"));
        assert!(
            preflight.exists(),
            "{} was not fetched",
            preflight.display()
        );
        let start = Instant::now();
        let left = loop {
            let pids = sh(&["ip", "netns", "pids", &lab.ns(h)]).stdout;
            if pids.is_empty() || start.elapsed() > Duration::from_secs(10) {
                break pids;
            }
            std::thread::sleep(Duration::from_millis(200));
        };
        assert!(left.is_empty(), "{h}: processes left running");
    }
    drop(lab);
    let _ = std::fs::remove_dir_all(&dir);
}
