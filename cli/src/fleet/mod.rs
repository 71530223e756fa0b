//! Fleet runs through Ansible: the files `portplan fleet` writes.
//!
//! We do not invent remote execution: users already reach their fleets with Ansible.
//! The inventory is generated from the scenario (hosts grouped by role and by what
//! they do in the run); the playbook and its per-OS task files are fixed templates, so
//! what runs on a host can be read once and trusted. Everything host-specific is an
//! inventory variable, which is also how the namespace lab runs the same playbook
//! (`portplan_wrap: "ip netns exec NS"`, `ansible_connection: local`).

use portplan_core::{HostName, Os, Plan, Protocol, Role, Scenario};
use std::collections::HashMap;
use std::fmt::Write;

/// The playbook: prepare, install, preflight, listen, check, fetch, stop, merge.
pub const PLAYBOOK: &str = include_str!("playbook.yml");
/// Per-OS task files the playbook includes (only the OS a host has is ever loaded, so
/// a Linux-only fleet needs nothing beyond ansible-core).
pub const TASK_FILES: &[(&str, &str)] = &[
    (
        "tasks/linux/install.yml",
        include_str!("tasks/linux/install.yml"),
    ),
    (
        "tasks/linux/listen.yml",
        include_str!("tasks/linux/listen.yml"),
    ),
    (
        "tasks/linux/preflight.yml",
        include_str!("tasks/linux/preflight.yml"),
    ),
    (
        "tasks/linux/check.yml",
        include_str!("tasks/linux/check.yml"),
    ),
    ("tasks/linux/stop.yml", include_str!("tasks/linux/stop.yml")),
    (
        "tasks/linux/cleanup.yml",
        include_str!("tasks/linux/cleanup.yml"),
    ),
    (
        "tasks/windows/install.yml",
        include_str!("tasks/windows/install.yml"),
    ),
    (
        "tasks/windows/listen.yml",
        include_str!("tasks/windows/listen.yml"),
    ),
    (
        "tasks/windows/preflight.yml",
        include_str!("tasks/windows/preflight.yml"),
    ),
    (
        "tasks/windows/check.yml",
        include_str!("tasks/windows/check.yml"),
    ),
    (
        "tasks/windows/stop.yml",
        include_str!("tasks/windows/stop.yml"),
    ),
    (
        "tasks/windows/cleanup.yml",
        include_str!("tasks/windows/cleanup.yml"),
    ),
];
/// Run settings next to the playbook (parallel forks, the inventory to use).
pub const ANSIBLE_CFG: &str = include_str!("ansible.cfg");

/// Group of hosts that run `portplan listen` (they accept a TCP or UDP flow).
pub const LISTENERS: &str = "portplan_listeners";
/// Group of hosts that run `portplan check` (they open a flow).
pub const CHECKERS: &str = "portplan_checkers";

/// One inventory host and what the run does on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FleetHost {
    pub name: String,
    pub address: String,
    pub role: Role,
    /// `None` for virtualization hosts and clouds: nothing runs there.
    pub os: Option<Os>,
    pub listens: bool,
    pub checks: bool,
}

/// The hosts of the plan, in plan order, with their OS from the scenario.
///
/// The PlateSpin server and Migrate Connectors run on Windows; a target runs the OS of
/// the workload migrated to it.
pub fn hosts(scenario: &Scenario, plan: &Plan) -> Vec<FleetHost> {
    let mut os: HashMap<HostName, Os> = HashMap::new();
    os.insert(scenario.server.name.as_str().into(), Os::Windows);
    for c in &scenario.connectors {
        os.insert(c.name.as_str().into(), Os::Windows);
    }
    for w in &scenario.workloads {
        os.insert(w.name.as_str().into(), w.os);
        if let Some(t) = &w.target {
            os.insert(t.name.as_str().into(), w.os);
        }
    }
    // Who accepts and who opens a flow, in one pass over the flows: per host it would be
    // hosts × flows, minutes for a wave of 10,000 workloads.
    let mut accepts = std::collections::HashSet::new();
    let mut opens = std::collections::HashSet::new();
    for f in &plan.flows {
        if f.protocol != Protocol::Icmp {
            accepts.insert(&f.to);
        }
        opens.insert(&f.from);
    }
    plan.hosts
        .iter()
        .map(|h| {
            let runs = h.role != Role::VirtualizationHost;
            FleetHost {
                name: h.name.to_string(),
                address: h.address.clone(),
                role: h.role,
                os: if runs { os.get(&h.name).copied() } else { None },
                listens: runs && accepts.contains(&h.name),
                checks: runs && opens.contains(&h.name),
            }
        })
        .collect()
}

/// Inventory group of a role.
pub fn role_group(role: Role) -> &'static str {
    match role {
        Role::Server => "portplan_server",
        Role::Source => "portplan_sources",
        Role::Target => "portplan_targets",
        Role::VirtualizationHost => "portplan_virtualization_hosts",
        Role::Connector => "portplan_connectors",
        Role::Admin => "portplan_admins",
        Role::Factory => "portplan_factory",
        Role::Database => "portplan_databases",
    }
}

/// Settings written into the inventory's `all.vars`.
pub struct InventoryVars<'a> {
    pub linux_binary: &'a str,
    pub windows_binary: &'a str,
    pub listen_for: &'a str,
    pub source: &'a str,
}

/// The YAML inventory. Every key and value is double-quoted: host names like `yes` or
/// `1.10` would otherwise be read by YAML 1.1 as booleans or numbers. Names and
/// addresses were validated by the core (letters, digits, `-_.:[]`), so no escaping is
/// needed beyond the quotes.
pub fn inventory(hosts: &[FleetHost], vars: &InventoryVars) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Ansible inventory written by `portplan fleet` from {}.\n\
         # Groups: one per role, plus {LISTENERS} (run `portplan listen`) and {CHECKERS}\n\
         # (run `portplan check`). Set connection variables (ansible_user, ansible_connection,\n\
         # ansible_shell_type for Windows over SSH...) in another inventory file passed with a\n\
         # second -i, so this one can be regenerated. See README, \"Fleet runs\".",
        vars.source
    );
    let q = |s: &str| format!("\"{s}\"");
    out.push_str("all:\n  vars:\n");
    for (k, v) in [
        ("portplan_linux_binary", vars.linux_binary),
        ("portplan_windows_binary", vars.windows_binary),
        ("portplan_listen_for", vars.listen_for),
    ] {
        let _ = writeln!(out, "    {k}: {}", q(v));
    }
    out.push_str("  children:\n");
    let group = |out: &mut String, name: &str, members: Vec<&FleetHost>, detail: bool| {
        if members.is_empty() {
            return;
        }
        let _ = writeln!(out, "    {name}:\n      hosts:");
        for h in members {
            if detail {
                let _ = write!(
                    out,
                    "        {}:\n          ansible_host: {}\n",
                    q(&h.name),
                    q(&h.address)
                );
                if let Some(os) = h.os {
                    let _ = writeln!(out, "          portplan_os: {}", q(os.as_str()));
                }
            } else {
                let _ = writeln!(out, "        {}: {{}}", q(&h.name));
            }
        }
    };
    for role in Role::ALL {
        group(
            &mut out,
            role_group(*role),
            hosts.iter().filter(|h| h.role == *role).collect(),
            true,
        );
    }
    for os in Os::ALL {
        let name = format!("portplan_{}", os.as_str());
        group(
            &mut out,
            &name,
            hosts.iter().filter(|h| h.os == Some(*os)).collect(),
            false,
        );
    }
    group(
        &mut out,
        LISTENERS,
        hosts.iter().filter(|h| h.listens).collect(),
        false,
    );
    group(
        &mut out,
        CHECKERS,
        hosts.iter().filter(|h| h.checks).collect(),
        false,
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario() -> Scenario {
        Scenario::from_json(
            r#"{"format":1,"product":"migrate","version":"12.3",
            "server":{"name":"ps01","address":"10.0.0.1"},
            "hosts":[{"name":"esx01","address":"10.0.0.20","platform":"esxi"}],
            "workloads":[{"name":"yes","address":"10.0.1.2","os":"linux",
              "target":{"name":"tgt","address":"10.0.2.2"}},
              {"name":"win01","address":"db.example","os":"windows"}]}"#,
        )
        .expect("scenario")
    }

    #[test]
    fn hosts_get_their_os_and_their_part_in_the_run() {
        let s = scenario();
        let plan = Plan::build(&s).expect("plan");
        let hs = hosts(&s, &plan);
        let got: Vec<(&str, Option<Os>, bool, bool)> = hs
            .iter()
            .map(|h| (h.name.as_str(), h.os, h.listens, h.checks))
            .collect();
        assert_eq!(
            got,
            [
                ("ps01", Some(Os::Windows), true, true),
                ("esx01", None, false, false),
                ("yes", Some(Os::Linux), true, true),
                // The target opens the replication port to the source: it accepts nothing.
                ("tgt", Some(Os::Linux), false, true),
                ("win01", Some(Os::Windows), true, true),
            ]
        );
    }

    #[test]
    fn inventory_groups_by_role_and_quotes_every_name() {
        let s = scenario();
        let plan = Plan::build(&s).expect("plan");
        let vars = InventoryVars {
            linux_binary: "bin/portplan",
            windows_binary: "bin/portplan.exe",
            listen_for: "15m",
            source: "s.json",
        };
        let inv = inventory(&hosts(&s, &plan), &vars);
        insta::assert_snapshot!(inv);
    }
}
