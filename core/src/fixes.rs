//! "What to fix": the flows a report shows failing, with the firewall rule to add.
//!
//! Nothing new is rendered here: the rules come from the firewall exporters
//! ([`crate::export::firewall`]) run on a sub-plan that keeps every host (so addresses
//! resolve) but only the failing flows. The web page and the CLI therefore show exactly
//! the rule the full export would have given for that flow.
//!
//! ```
//! use portplan_core::fixes::{fixes, Dialect};
//! use portplan_core::report::{FlowReport, Report, Status};
//! use portplan_core::{Plan, Scenario};
//! let s = Scenario::from_json(r#"{"format":1,"product":"migrate","version":"12.3",
//!   "server":{"name":"ps01","address":"10.0.0.1"},
//!   "workloads":[{"name":"src","address":"10.0.1.2","os":"linux",
//!     "target":{"name":"tgt","address":"10.0.2.2"}}]}"#).unwrap();
//! let plan = Plan::build(&s).unwrap();
//! // The target opens the replication port to the source (the vendor's default).
//! let transfer = plan.flows.iter().find(|f| f.from == "tgt" && f.to == "src").unwrap();
//! let report = Report { format: 1, plan_digest: plan.digest(), catalog: plan.catalog.clone(),
//!     probed_from: "tgt".into(),
//!     host: "tgt".into(), started: "2026-01-01T00:00:00Z".into(),
//!     finished: "2026-01-01T00:00:01Z".into(),
//!     flows: vec![FlowReport::new(transfer, Status::Fail, "filtered".into(), vec![])] };
//! let fix = &fixes(&plan, &report)[0];
//! assert_eq!(fix.host, "src");
//! assert!(fix.rule(Dialect::Nftables).contains("ip saddr 10.0.2.2 tcp dport 3725 accept"));
//! ```

use crate::export::firewall::{self, Inbound, Remote};
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
    pub host: String,
    /// One line for people: `allow TCP 3725 from src (10.0.1.2) to tgt (10.0.2.2)`.
    pub summary: String,
    /// The rule lines in every dialect, as the full export writes them for this flow.
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
}

/// The flows of `plan` that `report` shows failing (status `fail`), in plan order, each
/// with its rule. Report flows that are not in the plan are ignored: check the digest
/// first (`report.plan_digest == plan.digest()`), as `merge` does.
pub fn fixes(plan: &Plan, report: &Report) -> Vec<Fix> {
    let failing: HashMap<Flow, &FlowReport> = report
        .flows
        .iter()
        .filter(|f| f.status == Status::Fail)
        .map(|f| (f.flow(), f))
        .collect();
    plan.flows
        .iter()
        .filter_map(|flow| failing.get(flow).map(|r| fix(plan, flow, &r.hint)))
        .collect()
}

/// The exporter's script for every failing flow at once, in one dialect: a file the
/// firewall team can load as it is (same headers and safety notes as the full export).
pub fn script(plan: &Plan, report: &Report, dialect: Dialect) -> String {
    dialect.render(&sub_plan(
        plan,
        fixes(plan, report).into_iter().map(|f| f.flow),
    ))
}

fn sub_plan(plan: &Plan, flows: impl IntoIterator<Item = Flow>) -> Plan {
    Plan {
        flows: flows.into_iter().collect(),
        ..plan.clone()
    }
}

fn fix(plan: &Plan, flow: &Flow, hint: &str) -> Fix {
    let one = sub_plan(plan, [flow.clone()]);
    let address = |name: &str| crate::export::address(plan, name).to_string();
    let inbound = Inbound {
        flow,
        from: &flow.from,
        remote: Remote::Name(""),
        local: Remote::Name(""),
    };
    let name = inbound.name();
    let rules = Dialect::ALL
        .iter()
        .map(|d| (*d, rule_lines(&d.render(&one), &name)))
        .collect();
    Fix {
        flow: flow.clone(),
        hint: hint.to_string(),
        host: flow.to.clone(),
        summary: format!(
            "allow {} from {} ({}) to {} ({})",
            inbound.what(),
            flow.from,
            address(&flow.from),
            flow.to,
            address(&flow.to)
        ),
        rules,
    }
}

/// The lines of a one-flow export that carry the rule: every dialect names the rule
/// (`portplan <rule id> from <host>`) on the rule line itself, except firewalld, which
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
    use crate::Scenario;

    /// Windows source (many flows), its target, and a DNS-named server.
    fn plan() -> Plan {
        let s = Scenario::from_json(
            r#"{"format":1,"product":"migrate","version":"12.3",
            "server":{"name":"ps01","address":"ps01.corp.example"},
            "workloads":[{"name":"web01","address":"10.0.1.2","os":"windows",
              "target":{"name":"web01-t","address":"fd00::2"}}]}"#,
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
                let probe = ProbeResult {
                    protocol: f.protocol,
                    port: f.ports.map(|r| r.first),
                    through: None,
                    verdict,
                    reason: if verdict == Verdict::Open {
                        Reason::SynAck
                    } else {
                        Reason::NoResponse
                    },
                    latency_ms: None,
                    attempts: 1,
                    detail: String::new(),
                    dialed: None,
                    local: None,
                };
                FlowReport::new(f, status, format!("{verdict}"), vec![probe])
            })
            .collect();
        Report {
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
    fn each_failing_flow_gets_its_rule_in_every_dialect() {
        let p = plan();
        let transfer = |f: &Flow| f.to == "web01" && f.ports.is_some_and(|r| r.first.get() == 3725);
        let fx = fixes(&p, &report(&p, transfer));
        assert_eq!(fx.len(), 1);
        let f = &fx[0];
        assert_eq!(f.host, "web01");
        assert_eq!(f.hint, "filtered");
        assert_eq!(
            f.summary,
            "allow TCP 3725 from web01-t (fd00::2) to web01 (10.0.1.2)"
        );
        // One table line per dialect: the rule, from the exporter.
        let cases = [
            (Dialect::Nftables, "ip6 saddr fd00::2 tcp dport 3725 accept comment \"portplan transfer.replication.source-listens from web01-t\""),
            (Dialect::Iptables, "#6 -A PORTPLAN-IN -s fd00::2/128 -p tcp -m tcp --dport 3725 -m comment --comment \"portplan transfer.replication.source-listens from web01-t\" -j ACCEPT"),
            (Dialect::Firewalld, "firewall-cmd --permanent --zone=\"$ZONE\" --add-rich-rule='rule family=\"ipv6\" source address=\"fd00::2\" port port=\"3725\" protocol=\"tcp\" accept'"),
            (Dialect::Netsh, "netsh advfirewall firewall add rule name=\"portplan transfer.replication.source-listens from web01-t\" dir=in action=allow protocol=TCP localport=3725 remoteip=fd00::2"),
            (Dialect::Powershell, "New-NetFirewallRule -DisplayName 'portplan transfer.replication.source-listens from web01-t' -Group portplan -Direction Inbound -Action Allow -Protocol TCP -LocalPort '3725' -RemoteAddress 'fd00::2'"),
        ];
        for (d, want) in cases {
            assert!(f.rule(d).starts_with(want), "{}: {}", d.as_str(), f.rule(d));
            assert_eq!(
                f.rule(d).lines().count(),
                1,
                "{}: {}",
                d.as_str(),
                f.rule(d)
            );
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
            web[0].rule(Dialect::Nftables).starts_with('#'),
            "{}",
            web[0].rule(Dialect::Nftables)
        );
        let nft = script(&p, &report(&p, to_server), Dialect::Nftables);
        assert_eq!(nft.matches(" accept comment ").count(), want.len(), "{nft}");
        assert!(!nft.contains("3725"), "only the failing flows: {nft}");
    }
}
