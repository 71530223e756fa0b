//! "What to fix": the flows a report shows failing, with the firewall rule to add.
//!
//! Nothing new is rendered here: the rules come from the firewall exporters
//! ([`crate::export::firewall`]) run on a sub-plan that keeps every host (so addresses
//! resolve) but only the failing flows. The web page and the CLI therefore show exactly
//! the rule the full export would have given for that flow.
//!
//! A rule is only offered in the dialects of the accepting host's own firewall
//! ([`System`], the one the host scripts use): PowerShell and netsh on Windows, nftables, iptables and firewalld
//! on Linux. An ESXi host, a vCenter, a cloud endpoint or a host the plan says nothing
//! about gets no script at all, only "a network firewall in the path": a netsh line
//! for an ESXi host would be advice nobody can follow.
//!
//! ```
//! use portplan_core::report::fixes::{fixes, Dialect};
//! use portplan_core::report::{FlowReport, ProbeResult, Reason, Report, Status, Verdict};
//! use portplan_core::{Port, Protocol};
//! use portplan_core::{Plan, Scenario};
//! let s = Scenario::from_json(r#"{"format":1,"product":"migrate","version":"12.3",
//!   "server":{"name":"ps01","address":"10.0.0.1"},
//!   "workloads":[{"name":"src","address":"10.0.1.2","os":"linux",
//!     "target":{"name":"tgt","address":"10.0.2.2"}}]}"#).unwrap();
//! let plan = Plan::build(&s).unwrap();
//! // The target opens the replication port to the source (the vendor's default).
//! let transfer = plan.flows.iter().find(|f| f.from == "tgt" && f.to == "src").unwrap();
//! let report = Report { preflight: Vec::new(), format: 1, plan_digest: plan.digest(), catalog: plan.catalog.clone(),
//!     probed_from: "tgt".into(),
//!     host: "tgt".into(), started: "2026-01-01T00:00:00Z".into(),
//!     finished: "2026-01-01T00:00:01Z".into(),
//!     flows: vec![FlowReport::new(transfer, Status::Fail, "filtered".into(), vec![
//!         ProbeResult::new(Protocol::Tcp, Port::new(3725), Verdict::Filtered, Reason::NoResponse),
//!     ])] };
//! let fix = &fixes(&plan, &report)[0];
//! assert_eq!(fix.host, "src");
//! assert!(fix.rule(Dialect::Nftables).contains("ip saddr 10.0.2.2 tcp dport 3725 accept"));
//! ```

use crate::address::HostName;
use crate::export::firewall;
use crate::firewall::System;
use crate::plan::{Flow, Plan};
use crate::report::{FlowReport, Report, Status};
use std::collections::HashMap;

/// A firewall dialect of the exporters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// Windows Firewall, `New-NetFirewallRule`.
    Powershell,
    /// Windows Firewall, `netsh advfirewall`.
    Netsh,
    Nftables,
    Iptables,
    Firewalld,
}

impl Dialect {
    pub const ALL: &'static [Dialect] = &[
        Dialect::Powershell,
        Dialect::Netsh,
        Dialect::Nftables,
        Dialect::Iptables,
        Dialect::Firewalld,
    ];

    /// The name used by `portplan plan --format`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Dialect::Powershell => "powershell",
            Dialect::Netsh => "netsh",
            Dialect::Nftables => "nftables",
            Dialect::Iptables => "iptables",
            Dialect::Firewalld => "firewalld",
        }
    }

    /// The dialects of a host's own firewall; none where only a network firewall can
    /// be changed (an appliance, a cloud endpoint, a host of a system the plan does not
    /// name: a netsh line for an ESXi host would be advice nobody can follow).
    pub const fn of(system: System) -> &'static [Dialect] {
        match system {
            System::Windows => &[Dialect::Powershell, Dialect::Netsh],
            System::Linux => &[Dialect::Nftables, Dialect::Iptables, Dialect::Firewalld],
            System::Appliance(_) | System::Cloud(_) | System::Unknown => &[],
        }
    }

    /// The exporter's whole script for `plan`.
    pub fn render(self, plan: &Plan) -> String {
        match self {
            Dialect::Powershell => firewall::powershell::render(plan),
            Dialect::Netsh => firewall::netsh::render(plan),
            Dialect::Nftables => firewall::nftables::render(plan),
            Dialect::Iptables => firewall::iptables::render(plan),
            Dialect::Firewalld => firewall::firewalld::render(plan),
        }
    }
}

/// One failing flow and the inbound rule that lets it through.
#[derive(Debug, Clone, PartialEq)]
pub struct Fix {
    /// The flow of the plan that failed.
    pub flow: Flow,
    /// The report's hint (what the probes saw and what to check).
    pub hint: String,
    /// The accepting host: its firewall (or the one in front of it) needs the rule.
    pub host: HostName,
    /// What the accepting host runs, which decides the dialects of [`rules`](Self::rules).
    pub system: System,
    /// One line for people: `allow TCP 3725 from src (10.0.1.2) to tgt (10.0.2.2)`.
    pub summary: String,
    /// The rule lines in each dialect of the host's firewall ([`Dialect::of`]),
    /// as the full export writes them for this flow; empty when only a network firewall
    /// can let it through.
    pub rules: Vec<(Dialect, String)>,
}

impl Fix {
    /// The rule lines in one dialect.
    pub fn rule(&self, d: Dialect) -> &str {
        self.rules
            .iter()
            .find(|(x, _)| *x == d)
            .map_or("", |(_, r)| r.as_str())
    }

    /// Where the rule goes, in words: `on web01's firewall`, or `on a network firewall
    /// in the path (esx01 runs VMware ESXi or vCenter)`.
    pub fn place(&self) -> String {
        if self.rules.is_empty() {
            format!(
                "on a network firewall in the path ({} runs {})",
                self.host,
                self.system.words()
            )
        } else {
            format!("on {}'s firewall", self.host)
        }
    }
}

/// The flows of `plan` that `report` shows failing (status `fail`) because something on
/// the way drops or rejects them, in plan order, each with its rule (a host that is down
/// or a name that does not resolve needs no rule). Report flows that are not in the plan are ignored: check the digest
/// first (`report.plan_digest == plan.digest()`), as `merge` does.
pub fn fixes(plan: &Plan, report: &Report) -> Vec<Fix> {
    let misaddressed = misaddressed(&report.flows);
    let failing: HashMap<Flow, &FlowReport> = report
        .flows
        .iter()
        .filter(|f| needs_rule(f) && !misaddressed.contains(&f.to))
        .map(|f| (f.flow(), f))
        .collect();
    plan.flows
        .iter()
        .filter_map(|flow| failing.get(flow).map(|r| for_flow(plan, flow, &r.hint)))
        .collect()
}

/// The hosts whose address another host's `listen` answered (`wrong-host` on one of
/// their flows): their address is wrong, so no firewall rule is written for any of their
/// failures (it would go to a host the address does not reach); the hints say to fix the
/// address first.
pub fn misaddressed(flows: &[FlowReport]) -> std::collections::HashSet<&HostName> {
    flows
        .iter()
        .filter(|f| {
            f.probes
                .iter()
                .any(|p| p.reason == crate::report::Reason::WrongHost)
        })
        .map(|f| &f.to)
        .collect()
}

/// Whether a failing flow needs a firewall rule. Not when it fails only because another
/// host's `portplan listen` answered where its host was dialed (`wrong-host`): the path is
/// open, the address is wrong, and a rule would not help.
pub fn needs_rule(f: &FlowReport) -> bool {
    // A wrong host answering or a host that is down are not fixed by a firewall rule.
    f.status == Status::Fail && crate::report::status::firewall_can_fix(&f.probes)
}

/// The exporter's script for every failing flow at once, in one dialect: a file the
/// firewall team can load as it is (same headers and safety notes as the full export).
/// Only the flows whose accepting host takes that dialect are in it.
pub fn script(plan: &Plan, report: &Report, dialect: Dialect) -> String {
    dialect.render(&sub_plan(
        plan,
        fixes(plan, report)
            .into_iter()
            .filter(|f| Dialect::of(f.system).contains(&dialect))
            .map(|f| f.flow),
    ))
}

fn sub_plan(plan: &Plan, flows: impl IntoIterator<Item = Flow>) -> Plan {
    Plan {
        flows: flows.into_iter().collect(),
        ..plan.clone()
    }
}

/// The fix of one failing `flow` of `plan`, with the report's `hint`.
pub fn for_flow(plan: &Plan, flow: &Flow, hint: &str) -> Fix {
    let one = sub_plan(plan, [flow.clone()]);
    let address = |name: &str| crate::export::address(plan, name).to_string();
    // The one-flow plan has one consolidated rule, R1, with one protocol.
    let name = format!(
        "portplan R1 {}",
        flow.protocol.as_str().to_ascii_uppercase()
    );
    let what = match flow.ports {
        Some(r) if flow.protocol != crate::types::Protocol::Icmp => {
            format!("{} {r}", flow.protocol.as_str().to_ascii_uppercase())
        }
        _ => "ICMP echo-request".to_string(),
    };
    let system = System::in_plan(plan, &flow.to);
    let rules = Dialect::of(system)
        .iter()
        .map(|d| (*d, rule_lines(&d.render(&one), &name)))
        .collect();
    Fix {
        flow: flow.clone(),
        hint: hint.to_string(),
        host: flow.to.clone(),
        system,
        summary: format!(
            "allow {} from {} ({}) to {} ({})",
            what,
            flow.from,
            address(&flow.from),
            flow.to,
            address(&flow.to)
        ),
        rules,
    }
}

/// The lines of a one-flow export that carry the rule: every dialect names the rule
/// (`portplan R1 TCP`) on the rule line itself, except firewalld, which
/// puts it in brackets at the end of the comment line above.
fn rule_lines(rendered: &str, name: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let mut lines = rendered.lines().peekable();
    while let Some(line) = lines.next() {
        if !line.contains(name) {
            continue;
        }
        if line.trim_start().starts_with('#') && line.trim_end().ends_with(&format!("[{name}]")) {
            if let Some(next) = lines.next() {
                out.push(next.trim());
            }
        } else {
            out.push(line.trim());
        }
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{ProbeResult, Reason, Verdict};
    use crate::types::Platform;
    use crate::Scenario;

    /// A Windows and a Linux source (many flows), their targets, a DNS-named server,
    /// and an ESXi host to discover.
    fn plan() -> Plan {
        let s = Scenario::from_json(
            r#"{"format":1,"product":"migrate","version":"12.3",
            "server":{"name":"ps01","address":"ps01.corp.example"},
            "hosts":[{"name":"esx01","address":"10.0.9.9","platform":"esxi"}],
            "workloads":[{"name":"web01","address":"10.0.1.2","os":"windows",
              "target":{"name":"web01-t","address":"fd00::2"}},
              {"name":"lnx01","address":"10.0.1.3","os":"linux",
              "target":{"name":"lnx01-t","address":"fd00::3"}}]}"#,
        )
        .expect("scenario");
        Plan::build(&s).expect("plan")
    }

    fn report(plan: &Plan, fail: impl Fn(&Flow) -> bool) -> Report {
        let flows = plan
            .flows
            .iter()
            .map(|f| {
                let (status, verdict) = if fail(f) {
                    (Status::Fail, Verdict::Filtered)
                } else {
                    (Status::Pass, Verdict::Open)
                };
                let reason = if verdict == Verdict::Open {
                    Reason::SynAck
                } else {
                    Reason::NoResponse
                };
                let probe = ProbeResult::new(f.protocol, f.ports.map(|r| r.first), verdict, reason);
                FlowReport::new(f, status, format!("{verdict}"), vec![probe])
            })
            .collect();
        Report {
            preflight: Vec::new(),
            format: 1,
            plan_digest: plan.digest(),
            catalog: plan.catalog.clone(),
            probed_from: "web01".into(),
            host: "web01".into(),
            started: "2026-01-01T00:00:00Z".into(),
            finished: "2026-01-01T00:00:01Z".into(),
            flows,
        }
    }

    #[test]
    fn a_passing_report_needs_no_fix() {
        let p = plan();
        assert!(fixes(&p, &report(&p, |_| false)).is_empty());
        assert!(!script(&p, &report(&p, |_| false), Dialect::Nftables).contains("accept comment"));
    }

    #[test]
    fn each_failing_flow_gets_its_rule_in_the_dialects_of_its_host() {
        let p = plan();
        let transfer_to = |to: &'static str| {
            move |f: &Flow| f.to == to && f.ports.is_some_and(|r| r.first.get() == 3725)
        };
        let fx = fixes(&p, &report(&p, transfer_to("web01")));
        assert_eq!(fx.len(), 1);
        let f = &fx[0];
        assert_eq!((f.host.as_str(), f.system), ("web01", System::Windows));
        assert_eq!(f.hint, "filtered");
        assert_eq!(
            f.summary,
            "allow TCP 3725 from web01-t (fd00::2) to web01 (10.0.1.2)"
        );
        assert_eq!(f.place(), "on web01's firewall");
        let linux = &fixes(&p, &report(&p, transfer_to("lnx01")))[0];
        assert_eq!(linux.system, System::Linux);
        // One table line per dialect: the rule, from the exporter; only the host's own.
        let cases = [
            (linux, Dialect::Nftables, "ip6 saddr fd00::3 tcp dport 3725 accept comment \"portplan R1 TCP\""),
            (linux, Dialect::Iptables, "#6 -A PORTPLAN-IN -s fd00::3/128 -p tcp -m tcp --dport 3725 -m comment --comment \"portplan R1 TCP\" -j ACCEPT"),
            (linux, Dialect::Firewalld, "firewall-cmd --permanent --zone=\"$ZONE\" --add-rich-rule='rule family=\"ipv6\" source address=\"fd00::3\" port port=\"3725\" protocol=\"tcp\" accept'"),
            (f, Dialect::Netsh, "netsh advfirewall firewall add rule name=\"portplan R1 TCP\" dir=in action=allow protocol=TCP localport=3725 remoteip=fd00::2"),
            (f, Dialect::Powershell, "New-NetFirewallRule -DisplayName 'portplan R1 TCP' -Group portplan -Direction Inbound -Action Allow -Protocol TCP -LocalPort '3725' -RemoteAddress 'fd00::2'"),
        ];
        for (fix, d, want) in cases {
            assert!(
                fix.rule(d).starts_with(want),
                "{}: {}",
                d.as_str(),
                fix.rule(d)
            );
            assert_eq!(
                fix.rule(d).lines().count(),
                1,
                "{}: {}",
                d.as_str(),
                fix.rule(d)
            );
        }
        let dialects = |fix: &Fix| fix.rules.iter().map(|(d, _)| *d).collect::<Vec<_>>();
        assert_eq!(dialects(f), [Dialect::Powershell, Dialect::Netsh]);
        assert_eq!(
            dialects(linux),
            [Dialect::Nftables, Dialect::Iptables, Dialect::Firewalld]
        );
    }

    #[test]
    fn an_esxi_host_gets_a_network_firewall_not_a_script() {
        let p = plan();
        let fx = fixes(&p, &report(&p, |f| f.to == "esx01"));
        assert!(!fx.is_empty());
        for f in &fx {
            assert_eq!(f.system, System::Appliance(Platform::Esxi));
            assert!(f.rules.is_empty(), "{:?}", f.rules);
            assert_eq!(
                f.place(),
                "on a network firewall in the path (esx01 runs VMware ESXi or vCenter)"
            );
        }
    }

    #[test]
    fn what_each_host_runs_comes_from_its_rules() {
        let p = plan();
        let cases = [
            ("ps01", System::Windows),
            ("web01", System::Windows),
            ("web01-t", System::Windows),
            ("lnx01", System::Linux),
            ("LNX01-T", System::Linux),
            ("esx01", System::Appliance(Platform::Esxi)),
            ("nobody", System::Unknown),
        ];
        for (host, want) in cases {
            assert_eq!(System::in_plan(&p, host), want, "{host}");
        }
        // A plan written before hosts carried their OS: the rules behind their flows tell.
        let mut old = p.clone();
        for h in &mut old.hosts {
            h.os = None;
        }
        for (host, want) in cases {
            assert_eq!(System::in_plan(&old, host), want, "{host} (no os)");
        }
        let other =
            |json: &str| Plan::build(&Scenario::from_json(json).expect("scenario")).expect("plan");
        // A Migrate Agent workload has no OS-specific rule, but the scenario states its
        // OS (and so its target's); a Migrate Connector's is not stated anywhere.
        let agent = other(
            r#"{"format":1,"product":"migrate","version":"2019.5",
            "server":{"name":"ps01","address":"10.0.0.1"},"replication":"target-listens",
            "hosts":[{"name":"az","address":"az.example","platform":"azure"},
              {"name":"hv01","address":"10.0.9.8","platform":"hyper-v"},
              {"name":"vc01","address":"10.0.9.7","platform":"vcenter"}],
            "workloads":[{"name":"a1","address":"10.0.1.2","os":"windows","agent":true,
              "target":{"name":"a1-t","address":"10.0.2.2","container":"vc01"}}]}"#,
        );
        for (host, want) in [
            ("a1", System::Windows),
            ("a1-t", System::Windows),
            ("az", System::Cloud(Platform::Azure)),
            ("vc01", System::Appliance(Platform::Vcenter)),
            ("hv01", System::Windows),
        ] {
            assert_eq!(System::in_plan(&agent, host), want, "{host}");
        }
    }

    #[test]
    fn fixes_follow_plan_order_and_the_script_holds_only_them() {
        let p = plan();
        let to_server = |f: &Flow| f.to == "ps01";
        let fx = fixes(&p, &report(&p, to_server));
        let want: Vec<&Flow> = p.flows.iter().filter(|f| to_server(f)).collect();
        assert_eq!(fx.iter().map(|f| &f.flow).collect::<Vec<_>>(), want);
        // A DNS-named remote host stays commented, as in the full export.
        let web = fixes(&p, &report(&p, |f| f.from == "ps01" && f.to == "web01"));
        assert!(
            web[0].rule(Dialect::Powershell).starts_with('#'),
            "{}",
            web[0].rule(Dialect::Powershell)
        );
        let ps = script(&p, &report(&p, to_server), Dialect::Powershell);
        // Consolidated as the full export is: one command per rule and protocol,
        // naming every failing flow's ports.
        let commands = ps.matches("New-NetFirewallRule ").count();
        assert!((1..=want.len()).contains(&commands), "{ps}");
        for f in &want {
            if let Some(r) = f.ports {
                assert!(ps.contains(&format!("'{r}'")), "{r}: {ps}");
            }
        }
        assert!(!ps.contains("3725"), "only the failing flows: {ps}");
        // The server runs Windows: an nftables script of its fixes has no rule.
        let nft = script(&p, &report(&p, to_server), Dialect::Nftables);
        assert!(!nft.contains(" accept comment "), "{nft}");
    }
}
