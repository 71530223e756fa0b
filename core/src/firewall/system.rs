//! Which firewall a host has: its own Windows or Linux firewall (a host script), or
//! none a script can reach (an appliance or a cloud endpoint: the perimeter or the
//! cloud's own rules).
//!
//! A script for the wrong system is worse than none: PowerShell sections for a Linux
//! source or for vCenter tell a team to run what cannot run there. So a host's system
//! comes from what the scenario states (a workload's `os`, a virtualization host's
//! `platform`), and where it states nothing the answer is [`System::Unknown`], said
//! in words, never a guess.

use crate::plan::{Plan, PlanHost};
use crate::types::{Os, Phase, Platform, Role};

/// The firewall a host's inbound rules go into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum System {
    /// Windows Firewall: PowerShell and netsh scripts.
    Windows,
    /// A Linux host firewall: nftables, iptables, firewalld scripts.
    Linux,
    /// A hypervisor appliance (ESXi, vCenter): its own firewall or the perimeter's.
    Appliance(Platform),
    /// A cloud endpoint (Azure, AWS, vCloud): the cloud's security rules.
    Cloud(Platform),
    /// The scenario does not say (Migrate Connector, Transformation Manager, its
    /// database, admin clients, or a plan of an older build without `os`).
    Unknown,
}

impl System {
    /// The host's system. The PlateSpin server is a Windows server in every product
    /// (the server installs on Windows Server only); Hyper-V is a Windows role;
    /// XenServer and KVM hosts filter with Linux's netfilter.
    pub fn of(h: &PlanHost) -> System {
        if h.role == Role::Server {
            return System::Windows;
        }
        match (h.os, h.platform) {
            (Some(Os::Windows), _) => System::Windows,
            (Some(Os::Linux), _) => System::Linux,
            (None, Some(Platform::HyperV)) => System::Windows,
            (None, Some(Platform::XenServer | Platform::Kvm)) => System::Linux,
            (None, Some(p)) if p.is_cloud() => System::Cloud(p),
            (None, Some(p)) => System::Appliance(p),
            (None, None) => System::Unknown,
        }
    }

    /// The system of host `name` of `plan`: [`System::of`] its host. A plan written
    /// before hosts carried their `os` says nothing of a workload's system; there the
    /// OS the catalog rules behind its flows are conditioned on tells (a target runs
    /// its source's, as `portplan fleet` assumes).
    pub fn in_plan(plan: &Plan, name: &str) -> System {
        let Some(h) = plan.host(name) else {
            return System::Unknown;
        };
        match (System::of(h), h.role, h.os) {
            (System::Unknown, Role::Source, None) => {
                rules_os(plan, name).map_or(System::Unknown, System::from)
            }
            (System::Unknown, Role::Target, None) => plan
                .flows
                .iter()
                .filter(|f| matches!(f.phase, Phase::Transfer | Phase::Legacy))
                .filter_map(|f| {
                    let other = if is(&f.from, name) {
                        &f.to
                    } else if is(&f.to, name) {
                        &f.from
                    } else {
                        return None;
                    };
                    plan.host(other).filter(|h| h.role == Role::Source)
                })
                .find_map(|src| src.os.or_else(|| rules_os(plan, &src.name)))
                .map_or(System::Unknown, System::from),
            (s, ..) => s,
        }
    }

    /// How people name it after "runs": `Windows`, `VMware ESXi or vCenter`…
    pub const fn words(self) -> &'static str {
        match self {
            System::Windows => "Windows",
            System::Linux => "Linux",
            // The appliances are the VMware platforms (Hyper-V, XenServer and KVM
            // hosts filter with their own OS's firewall).
            System::Appliance(_) => "VMware ESXi or vCenter",
            System::Cloud(_) => "a public cloud",
            System::Unknown => "a system the plan does not name",
        }
    }

    /// Whether a script of this family may have a section for a host of this system
    /// (an unknown system gets a section in both, headed by a warning).
    pub fn runs(self, family: ScriptFamily) -> bool {
        matches!(
            (self, family),
            (System::Windows, ScriptFamily::Windows)
                | (System::Linux, ScriptFamily::Linux)
                | (System::Unknown, _)
        )
    }

    /// Where a host that gets no script section has its rules, in words.
    pub fn elsewhere(self) -> &'static str {
        match self {
            System::Windows => "Windows: see the PowerShell or netsh script",
            System::Linux => "Linux: see the nftables, iptables or firewalld script",
            System::Appliance(_) => {
                "appliances: no host script; open their flows on their own firewall or the perimeter (--format aerleon, rules, change-csv)"
            }
            System::Cloud(_) => {
                "cloud endpoints: no host script; open their flows at the perimeter and in the cloud's rules (--format aerleon, rules, change-csv)"
            }
            System::Unknown => "system not stated in the scenario",
        }
    }

    /// Grouping key: hosts of different appliances or clouds never share a rule;
    /// Windows and Linux hosts may (a source group to the server is one perimeter
    /// rule; each host script takes its own host's part).
    pub fn key(self) -> &'static str {
        match self {
            System::Appliance(p) | System::Cloud(p) => p.as_str(),
            System::Windows | System::Linux | System::Unknown => "",
        }
    }
}

impl From<Os> for System {
    fn from(os: Os) -> System {
        match os {
            Os::Windows => System::Windows,
            Os::Linux => System::Linux,
        }
    }
}

fn is(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// The workload OS a catalog rule of one of the host's flows is conditioned on.
fn rules_os(plan: &Plan, name: &str) -> Option<Os> {
    plan.flows
        .iter()
        .filter(|f| is(&f.from, name) || is(&f.to, name))
        .filter_map(|f| f.rule())
        .find_map(|r| r.when.os)
}

/// The two families of host scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScriptFamily {
    /// PowerShell, netsh.
    Windows,
    /// nftables, iptables, firewalld.
    Linux,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(role: Role, os: Option<Os>, platform: Option<Platform>) -> PlanHost {
        PlanHost {
            name: "h".into(),
            address: "10.0.0.1".into(),
            public_address: None,
            role,
            os,
            platform,
        }
    }

    /// One line per case: role, os, platform → system.
    #[test]
    fn systems_come_from_the_scenario() {
        use Platform::*;
        let cases = [
            (Role::Server, None, None, System::Windows),
            (Role::Source, Some(Os::Windows), None, System::Windows),
            (Role::Target, Some(Os::Linux), None, System::Linux),
            (Role::Source, None, None, System::Unknown),
            (Role::Connector, None, None, System::Unknown),
            (
                Role::VirtualizationHost,
                None,
                Some(HyperV),
                System::Windows,
            ),
            (Role::VirtualizationHost, None, Some(Kvm), System::Linux),
            (
                Role::VirtualizationHost,
                None,
                Some(Vcenter),
                System::Appliance(Vcenter),
            ),
            (
                Role::VirtualizationHost,
                None,
                Some(Azure),
                System::Cloud(Azure),
            ),
        ];
        for (role, os, platform, want) in cases {
            assert_eq!(
                System::of(&host(role, os, platform)),
                want,
                "{role:?} {os:?} {platform:?}"
            );
        }
        assert!(System::Unknown.runs(ScriptFamily::Windows));
        assert!(!System::Linux.runs(ScriptFamily::Windows));
        assert!(!System::Cloud(Azure).runs(ScriptFamily::Linux));
        assert_ne!(System::Cloud(Azure).key(), System::Appliance(Vcenter).key());
    }
}
