//! Firewall rule exports, checked by the tools that will load them: `nft -c` and
//! `iptables-restore --test` / `ip6tables-restore --test` inside a network namespace
//! this test creates (never the host's own firewall), and firewalld's own rich-rule
//! parser (python3-firewall) on the commands the generated script really runs.
//!
//! Each script prints the consolidated rules (`portplan plan --format rules`): a host's
//! section holds one rule per consolidated rule it accepts, and only hosts of the
//! script's system have a section.

use portplan_core::export::firewall::{
    self, firewalld, iptables, netsh, nftables, powershell, HostRules,
};
use portplan_core::firewall::ScriptFamily;
use portplan_core::{Plan, Scenario};
use portplan_tests::netns::Lab;
use std::io::Write;
use std::process::{Command, Output, Stdio};

const EXAMPLES: [&str; 8] = [
    "azure-nat.json",
    "firewall-wave.json",
    "legacy-block.json",
    "protect.json",
    "vmware-wave.json",
    "migrate-2020.json",
    "wave-50.json",
    "windows-file.json",
];

/// Every example, and a plan whose Linux host accepts from a group of IPv4, IPv6 and
/// DNS-named sources (address lists, firewalld ipsets of both families).
fn all_plans() -> Vec<(&'static str, Plan)> {
    let mut out: Vec<(&'static str, Plan)> = EXAMPLES.iter().map(|ex| (*ex, plan(ex))).collect();
    let text = std::fs::read_to_string(
        portplan_tests::workspace_root().join("tests/fixtures/linux-group-plan.json"),
    )
    .expect("fixture");
    out.push((
        "linux-group-plan.json",
        Plan::from_json(&text).expect("plan"),
    ));
    out
}

fn plan(name: &str) -> Plan {
    let text = std::fs::read_to_string(portplan_tests::example(name)).expect("example");
    Plan::build(&Scenario::from_json(&text).expect("scenario")).expect("plan")
}

/// Runs `cmd` with `input` on stdin and returns its output.
fn feed(mut cmd: Command, input: &str) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("wait")
}

fn assert_ok(what: &str, out: &Output, input: &str) {
    assert!(
        out.status.success(),
        "{what} refused:\n{}\n--- input ---\n{input}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The host sections of a rendered file (text from one marker to the next).
fn sections(text: &str, marker: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with(marker) {
            out.push(String::new());
        }
        if let Some(s) = out.last_mut() {
            s.push_str(line);
            s.push('\n');
        }
    }
    out
}

/// The sections of a script are exactly the hosts of its system (plan order), each
/// holding its consolidated rules by number (`portplan R3 TCP`), one rule name per
/// protocol of each, and no other rule.
fn assert_sections(plan: &Plan, text: &str, marker: &str, family: ScriptFamily) {
    let secs = sections(text, marker);
    let (hosts, others) = firewall::for_family(plan, family);
    assert_eq!(
        secs.len(),
        hosts.len(),
        "one section per host of the system"
    );
    for (h, sec) in hosts.iter().zip(&secs) {
        assert!(
            sec.contains(&format!("Host {} (", h.host.name)),
            "section order: {} expected in\n{sec}",
            h.host.name
        );
        let mut want: Vec<String> = rule_names(h);
        want.sort();
        let mut got: Vec<String> = sec
            .split("portplan R")
            .skip(1)
            .filter_map(|rest| {
                let end = rest.find(['"', '\'', ']'])?;
                Some(format!("portplan R{}", &rest[..end]))
            })
            .collect();
        got.sort();
        got.dedup();
        assert_eq!(got, want, "rules in the section of {}:\n{sec}", h.host.name);
    }
    for h in &others {
        assert!(
            !text.contains(&format!("Host {} (", h.host.name)),
            "{} ({:?}) has a section",
            h.host.name,
            h.system
        );
    }
    // The header names the others (up to 20 a kind) and counts them all.
    let counted: usize = text
        .lines()
        .filter_map(|l| l.split("No section here for ").nth(1))
        .filter_map(|rest| rest.split(' ').next()?.parse::<usize>().ok())
        .sum();
    assert_eq!(counted, others.len(), "{text}");
    if let Some(first) = others.first() {
        assert!(
            text.contains(first.host.name.as_str()),
            "{} is not named",
            first.host.name
        );
    }
}

/// `portplan R3 TCP`, `portplan R3 ICMP`…: the rule names a host's section holds.
fn rule_names(h: &HostRules<'_>) -> Vec<String> {
    let mut out: Vec<String> = h
        .rules
        .iter()
        .flat_map(|r| r.protocols().into_iter().map(|(p, _)| r.name(p)))
        .collect();
    out.dedup();
    out
}

/// How many rules a Linux section loads: per rule and protocol, one per family with
/// literal addresses (iptables: `-s a,b` expands to one rule per address, and
/// `multiport` takes 15 ports a line).
fn loaded(h: &HostRules<'_>, v4: bool, per_address: bool) -> usize {
    let family = if v4 {
        firewall::Family::V4
    } else {
        firewall::Family::V6
    };
    h.rules
        .iter()
        .map(|r| {
            let n = r.addresses(family).len();
            let lines = if n == 0 {
                0
            } else if per_address {
                n
            } else {
                1
            };
            lines * r.protocols().len()
        })
        .sum()
}

#[test]
fn nftables_passes_nft_check_whole_and_per_host() {
    let mut lab = Lab::new("nft");
    lab.host("h");
    for (ex, plan) in all_plans() {
        let text = nftables::render(&plan);
        assert_sections(&plan, &text, nftables::SECTION, ScriptFamily::Linux);
        let check = |input: &str| {
            let mut c = lab.cmd("h", "nft");
            c.args(["-c", "-f", "-"]);
            let out = feed(c, input);
            assert_ok(&format!("nft -c ({ex})"), &out, input);
        };
        check(&text);
        for sec in sections(&text, nftables::SECTION) {
            check(&sec);
        }
    }
    // The check is real: a broken rule is refused.
    let mut c = lab.cmd("h", "nft");
    c.args(["-c", "-f", "-"]);
    let bad = "table inet filter {\n\tchain portplan_in {\n\t\tip saddr 10.0.0.1 tcp dport 70000 accept\n\t}\n}\n";
    assert!(!feed(c, bad).status.success(), "nft -c accepted port 70000");
    // And nothing was loaded: -c never touches the namespace's ruleset.
    let listed = lab.cmd("h", "nft").args(["list", "ruleset"]).output();
    assert_eq!(
        String::from_utf8_lossy(&listed.expect("nft list").stdout).trim(),
        ""
    );
}

#[test]
fn iptables_passes_iptables_restore_test_v4_and_v6() {
    let mut lab = Lab::new("ipt");
    lab.host("h");
    let mut saw_v6 = false;
    for (ex, plan) in all_plans() {
        let text = iptables::render(&plan);
        assert_sections(&plan, &text, iptables::SECTION, ScriptFamily::Linux);
        let test = |program: &str, input: &str| {
            let mut c = lab.cmd("h", program);
            c.arg("--test");
            let out = feed(c, input);
            assert_ok(&format!("{program} --test ({ex})"), &out, input);
        };
        let mut blocks = sections(&text, iptables::SECTION);
        blocks.push(text.clone());
        for block in blocks {
            test("iptables-restore", &block);
            let v6: String = block
                .lines()
                .filter_map(|l| l.strip_prefix(iptables::V6))
                .map(|l| format!("{l}\n"))
                .collect();
            if !v6.is_empty() {
                saw_v6 = true;
                test("ip6tables-restore", &v6);
            }
        }
    }
    assert!(saw_v6, "the IPv6 example must exercise ip6tables-restore");
    let mut c = lab.cmd("h", "iptables-restore");
    c.arg("--test");
    let bad = "*filter\n:PORTPLAN-IN - [0:0]\n-A PORTPLAN-IN -s fd00::1/128 -p tcp --dport 22 -j ACCEPT\nCOMMIT\n";
    assert!(
        !feed(c, bad).status.success(),
        "iptables-restore accepted an IPv6 source"
    );
}

/// A scratch directory removed on drop.
struct Scratch(std::path::PathBuf);
impl Scratch {
    fn new(tag: &str) -> Scratch {
        let p = std::env::temp_dir().join(format!("portplan-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("scratch dir");
        Scratch(p)
    }
}
impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Checks rich rules with firewalld's own parser (Rich_Rule(...).check()), one per line.
const RICH_CHECK: &str = r#"
import sys
from firewall.core.rich import Rich_Rule
for n, line in enumerate(sys.stdin.read().splitlines()):
    try:
        Rich_Rule(rule_str=line).check()
    except Exception as e:
        sys.exit("rule %d %r: %s" % (n, line, e))
"#;

#[test]
fn firewalld_script_runs_and_firewalld_accepts_its_rich_rules() {
    let scratch = Scratch::new("fwd");
    let bin = scratch.0.join("bin");
    std::fs::create_dir_all(&bin).expect("bin");
    let log = scratch.0.join("calls.log");
    // A stand-in firewall-cmd that records each call, one argument per line, and
    // knows no ipset yet (`--info-ipset` fails, as for a fresh firewalld).
    let fake = format!(
        "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\" >> '{}'; done\necho --- >> '{}'\ncase \"$2\" in --info-ipset=*) exit 1;; esac\n",
        log.display(),
        log.display()
    );
    let fake_path = bin.join("firewall-cmd");
    std::fs::write(&fake_path, fake).expect("fake firewall-cmd");
    Command::new("chmod")
        .args(["+x", &fake_path.display().to_string()])
        .status()
        .expect("chmod");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut saw_ipset = false;
    for (ex, plan) in all_plans() {
        let text = firewalld::render(&plan);
        assert_sections(&plan, &text, "# ===== Host ", ScriptFamily::Linux);
        let script = scratch.0.join("rules.sh");
        std::fs::write(&script, &text).expect("script");
        for h in firewall::for_family(&plan, ScriptFamily::Linux).0 {
            let _ = std::fs::remove_file(&log);
            let out = Command::new("sh")
                .arg(&script)
                .args([h.host.name.as_str(), "internal"])
                .env("PATH", &path)
                .output()
                .expect("sh");
            assert_ok(&format!("rules.sh {} ({ex})", h.host.name), &out, &text);
            let calls = std::fs::read_to_string(&log).expect("calls");
            let rich: Vec<&str> = calls
                .lines()
                .filter_map(|l| l.strip_prefix("--add-rich-rule="))
                .collect();
            // One rich rule per port range (ICMP: one) and family with addresses.
            let resolved: usize = h
                .rules
                .iter()
                .map(|r| {
                    let families = [firewall::Family::V4, firewall::Family::V6]
                        .iter()
                        .filter(|f| !r.addresses(**f).is_empty())
                        .count();
                    let ports: usize = r.protocols().iter().map(|(_, p)| p.len().max(1)).sum();
                    families * ports
                })
                .sum();
            assert_eq!(rich.len(), resolved, "{}: {calls}", h.host.name);
            assert_eq!(
                calls.matches("--zone=internal").count(),
                resolved,
                "zone argument"
            );
            // An address list is an ipset, created before the rules that use it.
            for set in rich.iter().filter_map(|r| r.split("ipset=\"").nth(1)) {
                let name = &set[..set.find('"').expect("quoted")];
                assert!(
                    calls.contains(&format!("--new-ipset={name}")),
                    "{name}: {calls}"
                );
                saw_ipset |= ex == "linux-group-plan.json";
            }
            assert!(calls.trim_end().ends_with("--reload\n---"), "{calls}");
            if !rich.is_empty() {
                let mut c = Command::new("/usr/bin/python3");
                c.args(["-c", RICH_CHECK]);
                let input = rich.join("\n");
                let out = feed(c, &input);
                assert_ok("firewalld Rich_Rule.check", &out, &input);
            }
        }
        // A host without rules is refused, and nothing is changed.
        let _ = std::fs::remove_file(&log);
        let out = Command::new("sh")
            .arg(&script)
            .arg("no-such-host")
            .env("PATH", &path)
            .output()
            .expect("sh");
        assert_eq!(out.status.code(), Some(2));
        assert!(!log.exists(), "firewall-cmd ran for an unknown host");
    }
    assert!(saw_ipset, "the group fixture must exercise ipsets");
}

#[test]
fn windows_scripts_hold_the_consolidated_rules_of_windows_hosts_only() {
    for (ex, plan) in all_plans() {
        let ps = powershell::render(&plan);
        assert_sections(&plan, &ps, "# ===== Host ", ScriptFamily::Windows);
        let cmd = netsh::render(&plan);
        assert_sections(&plan, &cmd, "REM ===== Host ", ScriptFamily::Windows);
        // netsh batch files want CRLF throughout; a lone LF breaks labels in cmd.exe.
        assert!(!cmd.replace("\r\n", "").contains('\n'), "{ex}: bare LF");
        // PowerShell strings are single-quoted with quotes doubled: balanced per line.
        for line in ps.lines().filter(|l| l.contains("New-NetFirewallRule")) {
            assert_eq!(line.matches('\'').count() % 2, 0, "{line}");
        }
        for h in firewall::for_family(&plan, ScriptFamily::Windows).0 {
            assert!(ps.contains(&format!("    '{}' {{\n", h.host.name)));
            assert!(cmd.contains(&format!("if /i \"%~1\"==\"{}\" goto host", h.host.name)));
        }
    }
}

/// The firewall team's wave (issue 28): each host's section holds as many rules as
/// the view shows for it, the server's four rules instead of 164, and no section of
/// another system.
#[test]
fn the_wave_sections_match_the_view() {
    let plan = plan("firewall-wave.json");
    let view = portplan_core::firewall::rules(&plan);
    let ps = powershell::render(&plan);
    let nft = nftables::render(&plan);
    for (text, family) in [(&ps, ScriptFamily::Windows), (&nft, ScriptFamily::Linux)] {
        for h in firewall::for_family(&plan, family).0 {
            let in_view = view
                .iter()
                .filter(|r| r.to.members.iter().any(|m| m.name == h.host.name))
                .count();
            assert_eq!(h.rules.len(), in_view, "{}", h.host.name);
            assert!(text.contains(&format!("Host {} (", h.host.name)));
        }
    }
    let server = sections(&ps, "# ===== Host ")
        .into_iter()
        .find(|s| s.contains("Host ps01 ("))
        .expect("ps01");
    assert_eq!(
        server.matches("New-NetFirewallRule ").count(),
        4,
        "{server}"
    );
    assert!(
        server.contains("-RemoteAddress '10.1.0.1','10.1.0.2/31'"),
        "{server}"
    );
    for name in ["lnx25", "vc01", "azure"] {
        assert!(
            !ps.contains(&format!("Host {name} (")),
            "{name} in the PowerShell file"
        );
    }
    for name in ["ps01", "win01", "vc01", "azure"] {
        assert!(
            !nft.contains(&format!("Host {name} (")),
            "{name} in the nftables file"
        );
    }
    assert!(
        nft.contains("No section here for 1 host (appliances"),
        "{nft}"
    );
}

/// Loading a host's section twice, for real, inside the test's own namespace, leaves
/// exactly that host's rules: the sections are idempotent, as an operator re-running
/// them needs.
#[test]
fn sections_load_for_real_and_reload_without_doubling() {
    let mut lab = Lab::new("load");
    lab.host("h");
    let plan = plan("migrate-2020.json");
    let hosts = firewall::for_family(&plan, ScriptFamily::Linux).0;
    assert!(!hosts.is_empty());
    let nft = nftables::render(&plan);
    let ipt = iptables::render(&plan);
    let nft_secs = sections(&nft, nftables::SECTION);
    let ipt_secs = sections(&ipt, iptables::SECTION);
    for (i, h) in hosts.iter().enumerate() {
        for _ in 0..2 {
            let mut c = lab.cmd("h", "nft");
            c.args(["-f", "-"]);
            assert_ok("nft -f", &feed(c, &nft_secs[i]), &nft_secs[i]);
            let mut c = lab.cmd("h", "iptables-restore");
            c.arg("--noflush");
            assert_ok(
                "iptables-restore --noflush",
                &feed(c, &ipt_secs[i]),
                &ipt_secs[i],
            );
        }
        let listed = lab
            .cmd("h", "nft")
            .args(["list", "chain", "inet", "filter", nftables::CHAIN])
            .output()
            .expect("nft list");
        let listed = String::from_utf8_lossy(&listed.stdout);
        assert_eq!(
            listed.matches(" accept comment ").count(),
            loaded(h, true, false) + loaded(h, false, false),
            "{}: {listed}",
            h.host.name
        );
        let rules = lab
            .cmd("h", "iptables")
            .args(["-S", iptables::CHAIN])
            .output()
            .expect("iptables -S");
        let rules = String::from_utf8_lossy(&rules.stdout);
        assert_eq!(
            rules.lines().filter(|l| l.starts_with("-A ")).count(),
            loaded(h, true, true),
            "{}: {rules}",
            h.host.name
        );
    }
}

/// A plan whose hosts are IPv6-only, with ICMP flows between literal addresses: every
/// Linux rule is an `ip6`/`icmpv6` one, no IPv4 rule is written for them, and `nft -c`
/// and `ip6tables-restore --test` accept the result.
#[test]
fn ipv6_only_hosts_get_ip6_rules_that_nft_and_ip6tables_accept() {
    let text = std::fs::read_to_string(
        portplan_tests::workspace_root().join("tests/fixtures/ipv6-only.json"),
    )
    .expect("fixture");
    let plan = Plan::build(&Scenario::from_json(&text).expect("scenario")).expect("plan");
    let nft = nftables::render(&plan);
    let ipt = iptables::render(&plan);
    assert!(
        nft.lines().any(|l| l
            .trim_start()
            .starts_with("ip6 saddr fd00:1::5 icmpv6 type echo-request accept")),
        "no live ICMPv6 rule from the server:\n{nft}"
    );
    assert!(
        !nft.contains("ip saddr"),
        "an IPv4 rule for IPv6-only hosts:\n{nft}"
    );
    assert!(
        !nft.contains("icmp type"),
        "an ICMPv4 rule for IPv6-only hosts:\n{nft}"
    );
    for line in ipt.lines().filter(|l| l.contains("-A ")) {
        assert!(
            line.starts_with(iptables::V6),
            "not an ip6tables line: {line}"
        );
    }
    assert!(
        ipt.contains("-p ipv6-icmp -m icmp6 --icmpv6-type echo-request"),
        "{ipt}"
    );
    // A source given by DNS name (lnx02 calls the server, a Windows host): its rule
    // is commented, with the name to resolve.
    let ps = powershell::render(&plan);
    assert!(
        ps.lines().any(|l| l
            .trim_start()
            .starts_with("# UNRESOLVED: New-NetFirewallRule")
            && l.contains("-RemoteAddress 'lnx02.corp.example'")),
        "{ps}"
    );

    let mut lab = Lab::new("ip6");
    lab.host("h");
    let run = |program: &str, args: &[&str], input: &str| {
        let mut c = lab.cmd("h", program);
        c.args(args);
        assert_ok(&format!("{program} {args:?}"), &feed(c, input), input);
    };
    run("nft", &["-c", "-f", "-"], &nft);
    let v6: String = ipt
        .lines()
        .filter_map(|l| l.strip_prefix(iptables::V6))
        .map(|l| format!("{l}\n"))
        .collect();
    run("ip6tables-restore", &["--test"], &v6);
    run("iptables-restore", &["--test"], &ipt);
}

/// migrate-2020's `lnx01` has only `fd00:10::11`; ps01 is given by DNS name. Its ping
/// rule must be the commented ICMPv6 one, never an IPv4 `icmp` rule it cannot use.
#[test]
fn a_named_remote_gets_the_families_of_the_accepting_host() {
    let plan = plan("migrate-2020.json");
    let nft = nftables::render(&plan);
    let sec = sections(&nft, nftables::SECTION)
        .into_iter()
        .find(|s| s.contains("Host lnx01 ("))
        .expect("lnx01 section");
    assert!(
        sec.contains("# UNRESOLVED: ip6 saddr ps01.corp.example icmpv6 type echo-request"),
        "{sec}"
    );
    assert!(
        !sec.contains(" ip saddr "),
        "IPv4 rule on an IPv6-only host:\n{sec}"
    );
    let ipt = iptables::render(&plan);
    let sec = sections(&ipt, iptables::SECTION)
        .into_iter()
        .find(|s| s.contains("Host lnx01 ("))
        .expect("lnx01 block");
    assert!(
        sec.contains("#6 # UNRESOLVED: -A PORTPLAN-IN -s ps01.corp.example -p ipv6-icmp"),
        "{sec}"
    );
    // An IPv4 host (kvm01, 10.10.0.31) keeps IPv4 rules for the same named server.
    let sec = sections(&nft, nftables::SECTION)
        .into_iter()
        .find(|s| s.contains("Host kvm01 ("))
        .expect("kvm01 section");
    assert!(
        sec.contains("# UNRESOLVED: ip saddr ps01.corp.example"),
        "{sec}"
    );
    assert!(!sec.contains("ip6 saddr ps01"), "{sec}");
    // vCenter and the Azure endpoint get no Linux section, only a header line.
    for name in ["vc01", "azure"] {
        assert!(!nft.contains(&format!("Host {name} (")), "{nft}");
    }
    assert!(nft.contains("(appliances: no host script;"), "{nft}");
    assert!(nft.contains("(cloud endpoints: no host script;"), "{nft}");
}
