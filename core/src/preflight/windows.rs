//! A Windows host's prerequisites judged from what the CLI read on it (registry values,
//! service states, firewall rule strings, RPC settings): pure, so every case is tested
//! here and the Windows side of the CLI only reads.
//!
//! Absent values take Windows' defaults (`LocalAccountTokenFilterPolicy` absent is 0,
//! `AutoShareServer`/`AutoShareWks` absent is 1); a value that could not be read at all
//! makes its prerequisite "unknown" with the reason, never "ok".

use super::prerequisites::{prerequisite, Prerequisite};
use super::rpc::{within, RpcPorts};
use super::section::{
    decide_flow, inbound_prerequisite, PreflightSection, PrerequisiteResult, PrerequisiteStatus,
};
use super::windows_rule::{
    group_state, FirewallRule, GroupState, Profile, GROUP_FILE_AND_PRINTER_SHARING, GROUP_WMI,
};
use super::{Decision, Judgement};
use crate::plan::{Plan, PlanHost};
use crate::types::Os;

/// A registry value as read: present, absent, or unreadable (with why).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Read<T> {
    Value(T),
    Absent,
    Failed(String),
}

/// A service's state as the service manager reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceState {
    Running,
    /// Installed, not running (with its start type, e.g. "disabled").
    Stopped(String),
    Missing,
    Failed(String),
}

/// The Windows Firewall as read: through `INetFwPolicy2`, or from the registry's rule
/// strings, or not at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FirewallState {
    /// Through `INetFwPolicy2`: each active profile, whether the firewall is on there,
    /// and what `IsRuleGroupEnabled` answered for each rule group asked about.
    Api { profiles: Vec<ApiProfile> },
    /// From the registry's rule strings (MS-GPFAS 2.2.2.19).
    Read {
        /// The profiles of the host's networks (a host may have several); `None` when
        /// the registry cannot say which is active: then every profile is judged, and
        /// profiles that disagree make the answer unknown.
        active: Option<Vec<Profile>>,
        /// Whether the firewall is on, per profile (`EnableFirewall`); a profile not
        /// listed is on, as Windows defaults.
        enabled: Vec<(Profile, bool)>,
        /// Profiles set to block all incoming connections, allowed programs included
        /// (`DoNotAllowExceptions`=1); a profile not listed does not.
        block_all: Vec<(Profile, bool)>,
        rules: Vec<FirewallRule>,
    },
    /// Not read, with why (`INetFwPolicy2` answered E_NOTIMPL under wine; not elevated).
    Unknown(String),
}

/// One active profile as `INetFwPolicy2` reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiProfile {
    pub profile: Profile,
    pub enabled: bool,
    /// `BlockAllInboundTraffic`: all incoming connections blocked, allowed programs
    /// included; `None` when the API did not answer.
    pub block_all_inbound: Option<bool>,
    /// Rule group resource string → whether all its rules are enabled on this profile,
    /// or why the API did not say.
    pub groups: Vec<(String, Result<bool, String>)>,
}

const ALL_PROFILES: [Profile; 3] = [Profile::Domain, Profile::Private, Profile::Public];

impl FirewallState {
    /// The profiles judged: whether the firewall is on in each, and whether it blocks
    /// every incoming connection there.
    fn profiles(&self) -> Vec<(Profile, bool, bool)> {
        match self {
            FirewallState::Api { profiles } => profiles
                .iter()
                .map(|p| (p.profile, p.enabled, p.block_all_inbound == Some(true)))
                .collect(),
            FirewallState::Read {
                active,
                enabled,
                block_all,
                ..
            } => active
                .clone()
                .unwrap_or_else(|| ALL_PROFILES.to_vec())
                .into_iter()
                .map(|p| {
                    let on = enabled
                        .iter()
                        .find(|(q, _)| *q == p)
                        .is_none_or(|(_, on)| *on);
                    let all = block_all.iter().any(|(q, b)| *q == p && *b);
                    (p, on, all)
                })
                .collect(),
            FirewallState::Unknown(_) => Vec::new(),
        }
    }
}

/// What the Windows Firewall does with every port of an inbound flow. Only a firewall
/// that is off on every profile judged lets a flow in for sure, and only one that blocks
/// all incoming connections on every profile judged keeps it out for sure; otherwise
/// the rules decide per port, and preflight reads rule groups (the prerequisites), not
/// each rule's ports: unknown, saying so.
pub fn flow_decision(fw: &FirewallState) -> Decision {
    if let FirewallState::Unknown(why) = fw {
        return Decision::unknown(why.clone());
    }
    let profiles = fw.profiles();
    if profiles.is_empty() {
        return Decision::unknown("no active firewall profile was reported");
    }
    if profiles.iter().all(|(_, on, _)| !on) {
        return Decision::new(
            Judgement::Allowed,
            profiles
                .iter()
                .map(|(p, _, _)| format!("Windows Firewall is off on the {p:?} profile"))
                .collect(),
            String::new(),
        );
    }
    if profiles.iter().all(|(_, on, all)| *on && *all) {
        return Decision::new(
            Judgement::Blocked,
            profiles
                .iter()
                .map(|(p, _, _)| {
                    format!("Windows Firewall blocks all incoming connections on the {p:?} profile")
                })
                .collect(),
            String::new(),
        );
    }
    let on: Vec<String> = profiles
        .iter()
        .filter(|(_, on, _)| *on)
        .map(|(p, _, _)| format!("{p:?}"))
        .collect();
    Decision::unknown(format!(
        "the Windows Firewall is on ({} profile); preflight reads its rule groups (see the prerequisites), not which rule admits each port",
        on.join(", ")
    ))
}

/// The whole preflight section of a Windows host: each inbound flow of the plan, the
/// Windows prerequisites, and the server's "not blocked inbound" ones.
pub fn section(
    plan: &Plan,
    host: &PlanHost,
    w: &WindowsHost,
    firewall: String,
) -> PreflightSection {
    let decision = flow_decision(&w.firewall);
    let flows: Vec<_> = plan
        .flows
        .iter()
        .filter(|f| f.to == host.name)
        .map(|f| decide_flow(f, decision.clone()))
        .collect();
    let mut prerequisites = prerequisites(plan, host, w);
    prerequisites.extend(
        super::prerequisites::for_host(plan.product, &plan.version, None, host.role)
            .into_iter()
            .filter_map(|p| inbound_prerequisite(p, &flows)),
    );
    PreflightSection {
        host: host.name.to_string(),
        firewall,
        flows,
        prerequisites,
    }
}

/// Everything `preflight` reads on a Windows host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowsHost {
    /// Server editions use `AutoShareServer`, workstations `AutoShareWks`.
    pub server_edition: Option<bool>,
    pub local_account_token_filter_policy: Read<u32>,
    pub auto_share_server: Read<u32>,
    pub auto_share_wks: Read<u32>,
    /// `NetShareGetInfo(ADMIN$)`: whether the share exists, or why it was not answered.
    pub admin_share: Result<bool, String>,
    pub lanman_server: ServiceState,
    pub winmgmt: ServiceState,
    pub firewall: FirewallState,
    /// Where RPC's dynamic ports come from (see [`super::rpc::dynamic_ports`]).
    pub rpc: Result<RpcPorts, String>,
}

fn result(id: &str, status: PrerequisiteStatus, observed: String) -> Option<PrerequisiteResult> {
    prerequisite(id).map(|p: &Prerequisite| PrerequisiteResult::new(p, status, observed))
}

fn service(name: &str, s: &ServiceState) -> (PrerequisiteStatus, String) {
    match s {
        ServiceState::Running => (PrerequisiteStatus::Ok, format!("{name} runs")),
        ServiceState::Stopped(start) => (
            PrerequisiteStatus::Problem,
            format!("{name} is not running (start type {start})"),
        ),
        ServiceState::Missing => (
            PrerequisiteStatus::Problem,
            format!("{name} is not installed"),
        ),
        ServiceState::Failed(why) => (
            PrerequisiteStatus::Unknown,
            format!("{name} could not be queried: {why}"),
        ),
    }
}

/// The worse of two outcomes (problem over unknown over ok), with both observations.
fn worse(
    a: (PrerequisiteStatus, String),
    b: (PrerequisiteStatus, String),
) -> (PrerequisiteStatus, String) {
    let rank = |s| match s {
        PrerequisiteStatus::Problem => 2,
        PrerequisiteStatus::Unknown => 1,
        PrerequisiteStatus::Ok => 0,
    };
    let status = if rank(a.0) >= rank(b.0) { a.0 } else { b.0 };
    (status, format!("{}; {}", a.1, b.1))
}

fn group(fw: &FirewallState, group: &str, label: &str) -> (PrerequisiteStatus, String) {
    let (rules, active_known) = match fw {
        FirewallState::Unknown(why) => {
            return (
                PrerequisiteStatus::Unknown,
                format!("the firewall could not be read: {why}"),
            )
        }
        FirewallState::Api { .. } => (&[][..], true),
        FirewallState::Read { rules, active, .. } => (&rules[..], active.is_some()),
    };
    let profiles = fw.profiles();
    if profiles.is_empty() {
        return (
            PrerequisiteStatus::Unknown,
            "no active firewall profile was reported".to_string(),
        );
    }
    let mut seen = Vec::new();
    for (p, on, all) in profiles {
        let (status, words) = if !on {
            (PrerequisiteStatus::Ok, "the firewall is off".to_string())
        } else if all {
            (
                PrerequisiteStatus::Problem,
                "the firewall blocks all incoming connections, allowed programs included \
                 (turn off \"Block all incoming connections\" for this profile)"
                    .to_string(),
            )
        } else if let FirewallState::Api { profiles } = fw {
            let answer = profiles
                .iter()
                .find(|a| a.profile == p)
                .and_then(|a| a.groups.iter().find(|(g, _)| g.eq_ignore_ascii_case(group)));
            match answer.map(|(_, r)| r) {
                Some(Ok(true)) => (PrerequisiteStatus::Ok, format!("{label} is enabled")),
                Some(Ok(false)) => (
                    PrerequisiteStatus::Problem,
                    format!(
                        "{label} is not enabled (IsRuleGroupEnabled: not all of its rules are on)"
                    ),
                ),
                Some(Err(why)) => (
                    PrerequisiteStatus::Unknown,
                    format!("IsRuleGroupEnabled({group}) failed: {why}"),
                ),
                None => (
                    PrerequisiteStatus::Unknown,
                    format!("{label} was not asked about"),
                ),
            }
        } else {
            match group_state(rules, group, p) {
                GroupState::Enabled => (PrerequisiteStatus::Ok, format!("{label} is enabled")),
                GroupState::Partly => (
                    PrerequisiteStatus::Problem,
                    format!("{label} is only partly enabled"),
                ),
                GroupState::Disabled => {
                    (PrerequisiteStatus::Problem, format!("{label} is disabled"))
                }
                GroupState::Missing => (
                    PrerequisiteStatus::Problem,
                    format!("{label} has no inbound rule for this profile"),
                ),
            }
        };
        seen.push((status, format!("{p:?} profile: {words}")));
    }
    let words = seen
        .iter()
        .map(|(_, w)| w.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    let first = seen[0].0;
    if !active_known && seen.iter().any(|(s, _)| *s != first) {
        return (
            PrerequisiteStatus::Unknown,
            format!("the active profile could not be read and the profiles differ: {words}"),
        );
    }
    let rank = |s: PrerequisiteStatus| match s {
        PrerequisiteStatus::Problem => 2,
        PrerequisiteStatus::Unknown => 1,
        PrerequisiteStatus::Ok => 0,
    };
    let status = seen
        .iter()
        .map(|(s, _)| *s)
        .max_by_key(|s| rank(*s))
        .unwrap_or(PrerequisiteStatus::Unknown);
    (status, words)
}

/// The prerequisites of Windows host `host` in `plan`, judged from `w`.
pub fn prerequisites(plan: &Plan, host: &PlanHost, w: &WindowsHost) -> Vec<PrerequisiteResult> {
    let wanted =
        super::prerequisites::for_host(plan.product, &plan.version, Some(Os::Windows), host.role);
    let mut out = Vec::new();
    for p in wanted {
        let (status, observed) = match p.id {
            "windows.file-and-printer-sharing" => group(
                &w.firewall,
                GROUP_FILE_AND_PRINTER_SHARING,
                "File and Printer Sharing",
            ),
            "windows.wmi-in" => worse(
                group(&w.firewall, GROUP_WMI, "Windows Management Instrumentation (WMI)"),
                service("Winmgmt", &w.winmgmt),
            ),
            "windows.admin-share" => worse(
                worse(admin_share(w), share_exists(&w.admin_share)),
                service("LanmanServer", &w.lanman_server),
            ),
            "windows.local-account-token-filter" => match &w.local_account_token_filter_policy {
                Read::Value(1) => (
                    PrerequisiteStatus::Ok,
                    "LocalAccountTokenFilterPolicy is 1".to_string(),
                ),
                Read::Value(v) => (
                    PrerequisiteStatus::Problem,
                    format!("LocalAccountTokenFilterPolicy is {v}: local administrators other than the built-in Administrator get a filtered token over the network"),
                ),
                Read::Absent => (
                    PrerequisiteStatus::Problem,
                    "LocalAccountTokenFilterPolicy is not set (Windows then treats it as 0)".to_string(),
                ),
                Read::Failed(why) => (
                    PrerequisiteStatus::Unknown,
                    format!("LocalAccountTokenFilterPolicy could not be read: {why}"),
                ),
            },
            "windows.rpc-dynamic-range" => rpc_range(plan, host, &w.rpc),
            _ => continue,
        };
        out.extend(result(p.id, status, observed));
    }
    out
}

fn admin_share(w: &WindowsHost) -> (PrerequisiteStatus, String) {
    let one = |name: &str, r: &Read<u32>| match r {
        Read::Value(0) => (
            PrerequisiteStatus::Problem,
            format!("{name} is 0: Windows does not create Admin$"),
        ),
        Read::Value(v) => (PrerequisiteStatus::Ok, format!("{name} is {v}")),
        Read::Absent => (
            PrerequisiteStatus::Ok,
            format!("{name} is not set (Windows then creates Admin$)"),
        ),
        Read::Failed(why) => (
            PrerequisiteStatus::Unknown,
            format!("{name} could not be read: {why}"),
        ),
    };
    match w.server_edition {
        Some(true) => one("AutoShareServer", &w.auto_share_server),
        Some(false) => one("AutoShareWks", &w.auto_share_wks),
        None => worse(
            one("AutoShareServer", &w.auto_share_server),
            one("AutoShareWks", &w.auto_share_wks),
        ),
    }
}

fn share_exists(r: &Result<bool, String>) -> (PrerequisiteStatus, String) {
    match r {
        Ok(true) => (PrerequisiteStatus::Ok, "ADMIN$ is shared".to_string()),
        Ok(false) => (
            PrerequisiteStatus::Problem,
            "ADMIN$ is not shared (NetShareGetInfo: no such share)".to_string(),
        ),
        Err(why) => (
            PrerequisiteStatus::Unknown,
            format!("ADMIN$ could not be looked up: {why}"),
        ),
    }
}

/// Whether the RPC ports the host hands out lie inside what the plan opens to it.
fn rpc_range(
    plan: &Plan,
    host: &PlanHost,
    rpc: &Result<RpcPorts, String>,
) -> (PrerequisiteStatus, String) {
    let opened: Vec<_> = plan
        .flows
        .iter()
        .filter(|f| f.to == host.name && f.rule.contains("rpc-dynamic"))
        .filter_map(|f| f.ports)
        .collect();
    let Some(range) = opened.first() else {
        return (
            PrerequisiteStatus::Ok,
            "the plan opens no dynamic RPC range to this host".to_string(),
        );
    };
    let ports = match rpc {
        Ok(p) => p,
        Err(why) => {
            return (
                PrerequisiteStatus::Unknown,
                format!("the RPC settings could not be read: {why}"),
            )
        }
    };
    let says = match ports {
        RpcPorts::System { first, last } => {
            format!("RPC uses the system's dynamic range {first}-{last}")
        }
        RpcPorts::Restricted(r) => format!(
            "Rpc\\Internet restricts RPC to {}",
            r.iter()
                .map(|(a, b)| if a == b {
                    a.to_string()
                } else {
                    format!("{a}-{b}")
                })
                .collect::<Vec<_>>()
                .join(", ")
        ),
        RpcPorts::Unknown(why) => return (PrerequisiteStatus::Unknown, why.clone()),
    };
    match within(ports, range.first.get(), range.last.get()) {
        Some(true) => (PrerequisiteStatus::Ok, format!("{says}, inside the plan's {range}")),
        Some(false) => (
            PrerequisiteStatus::Problem,
            format!("{says}, not inside the plan's {range}: a firewall opened as planned blocks WMI's dynamic ports"),
        ),
        None => (PrerequisiteStatus::Unknown, says),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preflight::windows_rule::parse;

    fn plan(version: &str) -> Plan {
        let s = crate::Scenario::from_json(&format!(
            r#"{{"format":1,"product":"migrate","version":"{version}",
            "server":{{"name":"ps01","address":"10.0.0.5"}},
            "workloads":[{{"name":"web01","address":"10.0.1.10","os":"windows","windows":"2019",
              "target":{{"name":"web01-t","address":"10.0.2.10"}}}}]}}"#
        ))
        .expect("scenario");
        Plan::build(&s).expect("plan")
    }

    fn healthy() -> WindowsHost {
        let rules = [
            "v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=445|App=System|Name=@FirewallAPI.dll,-28502|EmbedCtxt=@FirewallAPI.dll,-28502|",
            "v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=135|Svc=rpcss|EmbedCtxt=@FirewallAPI.dll,-34251|",
        ]
        .iter()
        .map(|r| parse(r).expect("rule"))
        .collect();
        WindowsHost {
            server_edition: Some(true),
            local_account_token_filter_policy: Read::Value(1),
            auto_share_server: Read::Absent,
            auto_share_wks: Read::Absent,
            admin_share: Ok(true),
            lanman_server: ServiceState::Running,
            winmgmt: ServiceState::Running,
            firewall: FirewallState::Read {
                active: Some(vec![Profile::Domain]),
                enabled: vec![(Profile::Domain, true)],
                block_all: Vec::new(),
                rules,
            },
            rpc: Ok(RpcPorts::System {
                first: 49152,
                last: 65535,
            }),
        }
    }

    fn statuses(version: &str, w: &WindowsHost) -> Vec<(String, PrerequisiteStatus)> {
        let p = plan(version);
        let host = p.host("web01").expect("host").clone();
        prerequisites(&p, &host, w)
            .into_iter()
            .map(|r| (r.id, r.status))
            .collect()
    }

    fn status_of(version: &str, w: &WindowsHost, id: &str) -> PrerequisiteResult {
        let p = plan(version);
        let host = p.host("web01").expect("host").clone();
        prerequisites(&p, &host, w)
            .into_iter()
            .find(|r| r.id == id)
            .unwrap_or_else(|| panic!("no {id}"))
    }

    #[test]
    fn a_healthy_host_passes_every_prerequisite() {
        let all = statuses("2020.2", &healthy());
        assert!(all.len() >= 5, "{all:?}");
        assert!(
            all.iter().all(|(_, s)| *s == PrerequisiteStatus::Ok),
            "{all:?}"
        );
    }

    #[test]
    fn each_broken_setting_is_a_problem_with_its_fix() {
        use PrerequisiteStatus::{Problem, Unknown};
        type Break = fn(&mut WindowsHost);
        let cases: [(&str, &str, Break, PrerequisiteStatus, &str); 8] = [
            (
                "2020.2",
                "windows.local-account-token-filter",
                |w| w.local_account_token_filter_policy = Read::Value(0),
                Problem,
                "is 0",
            ),
            (
                "2020.2",
                "windows.local-account-token-filter",
                |w| w.local_account_token_filter_policy = Read::Absent,
                Problem,
                "treats it as 0",
            ),
            (
                "2020.2",
                "windows.local-account-token-filter",
                |w| w.local_account_token_filter_policy = Read::Failed("access denied".into()),
                Unknown,
                "access denied",
            ),
            (
                "2020.2",
                "windows.admin-share",
                |w| w.auto_share_server = Read::Value(0),
                Problem,
                "AutoShareServer is 0",
            ),
            (
                "2020.2",
                "windows.admin-share",
                |w| w.lanman_server = ServiceState::Stopped("disabled".into()),
                Problem,
                "LanmanServer is not running",
            ),
            (
                "2020.2",
                "windows.wmi-in",
                |w| {
                    w.firewall = FirewallState::Unknown(
                        "INetFwPolicy2 answered E_NOTIMPL (not implemented)".into(),
                    )
                },
                Unknown,
                "E_NOTIMPL",
            ),
            (
                "2020.2",
                "windows.file-and-printer-sharing",
                |w| {
                    if let FirewallState::Read { rules, .. } = &mut w.firewall {
                        rules[0].active = false
                    }
                },
                Problem,
                "Domain profile: File and Printer Sharing is disabled",
            ),
            (
                "2020.2",
                "windows.rpc-dynamic-range",
                |w| w.rpc = Ok(RpcPorts::Restricted(vec![(5000, 5100)])),
                Problem,
                "restricts RPC to 5000-5100, not inside the plan's 49152-65535",
            ),
        ];
        for (version, id, broken, want, words) in cases {
            let mut w = healthy();
            broken(&mut w);
            let r = status_of(version, &w, id);
            assert_eq!(r.status, want, "{id}: {}", r.observed);
            assert!(
                r.observed.contains(words),
                "{id}: {:?} lacks {words:?}",
                r.observed
            );
            if want == Problem {
                assert!(!r.fix.is_empty(), "{id} needs a fix");
            }
        }
        let latfp = status_of(
            "2020.2",
            &WindowsHost {
                local_account_token_filter_policy: Read::Value(0),
                ..healthy()
            },
            "windows.local-account-token-filter",
        );
        assert!(latfp
            .fix
            .contains("LocalAccountTokenFilterPolicy /t REG_DWORD /d 1"));
        assert!(latfp.caveat.contains("CIS"));
    }

    #[test]
    fn the_token_filter_matters_only_from_2019_8() {
        let w = WindowsHost {
            local_account_token_filter_policy: Read::Value(0),
            ..healthy()
        };
        let ids = |v| {
            statuses(v, &w)
                .into_iter()
                .map(|(id, _)| id)
                .collect::<Vec<_>>()
        };
        assert!(!ids("2019.5").contains(&"windows.local-account-token-filter".to_string()));
        assert!(ids("2019.8").contains(&"windows.local-account-token-filter".to_string()));
    }

    #[test]
    fn the_api_and_an_unread_active_profile_are_judged_honestly() {
        use PrerequisiteStatus::{Ok as Fine, Problem, Unknown};
        let api = |enabled: bool, fps: Result<bool, String>| FirewallState::Api {
            profiles: vec![ApiProfile {
                profile: Profile::Domain,
                enabled,
                block_all_inbound: Some(false),
                groups: vec![
                    (GROUP_FILE_AND_PRINTER_SHARING.to_string(), fps),
                    (GROUP_WMI.to_string(), Ok(true)),
                ],
            }],
        };
        let registry = |rules: &[&str], enabled: Vec<(Profile, bool)>| FirewallState::Read {
            active: None,
            enabled,
            block_all: Vec::new(),
            rules: rules.iter().map(|r| parse(r).expect("rule")).collect(),
        };
        // SMB-In on the Domain profile only, on; the other profiles have none.
        let domain_only = ["v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|Profile=Domain|LPort=445|EmbedCtxt=@FirewallAPI.dll,-28502|"];
        let everywhere = ["v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=445|EmbedCtxt=@FirewallAPI.dll,-28502|"];
        let cases: [(FirewallState, PrerequisiteStatus, &str); 7] = [
            (
                api(true, Ok(true)),
                Fine,
                "Domain profile: File and Printer Sharing is enabled",
            ),
            (api(true, Ok(false)), Problem, "is not enabled"),
            (
                api(true, Err("E_NOTIMPL".into())),
                Unknown,
                "failed: E_NOTIMPL",
            ),
            (
                api(false, Ok(false)),
                Fine,
                "Domain profile: the firewall is off",
            ),
            (
                registry(&domain_only, vec![]),
                Unknown,
                "the active profile could not be read and the profiles differ",
            ),
            (
                registry(&everywhere, vec![]),
                Fine,
                "Public profile: File and Printer Sharing is enabled",
            ),
            (
                registry(
                    &[],
                    vec![
                        (Profile::Domain, false),
                        (Profile::Private, false),
                        (Profile::Public, false),
                    ],
                ),
                Fine,
                "Private profile: the firewall is off",
            ),
        ];
        for (fw, want, words) in cases {
            let r = status_of(
                "2020.2",
                &WindowsHost {
                    firewall: fw.clone(),
                    ..healthy()
                },
                "windows.file-and-printer-sharing",
            );
            assert_eq!(r.status, want, "{fw:?}: {}", r.observed);
            assert!(
                r.observed.contains(words),
                "{:?} lacks {words:?}",
                r.observed
            );
        }
        let share = status_of(
            "2020.2",
            &WindowsHost {
                admin_share: Ok(false),
                ..healthy()
            },
            "windows.admin-share",
        );
        assert_eq!(share.status, Problem, "{}", share.observed);
        assert!(share.observed.contains("ADMIN$ is not shared"));
        let stub = status_of(
            "2020.2",
            &WindowsHost {
                admin_share: Err("error 50 (not supported)".into()),
                ..healthy()
            },
            "windows.admin-share",
        );
        assert_eq!(stub.status, Unknown, "{}", stub.observed);
    }

    #[test]
    fn flows_are_allowed_only_where_the_firewall_is_off_everywhere() {
        let off = FirewallState::Read {
            active: Some(vec![Profile::Domain]),
            enabled: vec![(Profile::Domain, false)],
            block_all: Vec::new(),
            rules: Vec::new(),
        };
        let d = flow_decision(&off);
        assert_eq!(d.verdict, Judgement::Allowed);
        assert_eq!(
            d.evidence,
            ["Windows Firewall is off on the Domain profile"]
        );
        // Unread active profile: Public (absent, so on by default) keeps it unknown.
        let partly_off = FirewallState::Read {
            active: None,
            enabled: vec![(Profile::Domain, false), (Profile::Private, false)],
            block_all: Vec::new(),
            rules: Vec::new(),
        };
        let d = flow_decision(&partly_off);
        assert_eq!(d.verdict, Judgement::Unknown);
        assert!(d.reason.contains("on (Public profile)"), "{}", d.reason);
        // "Block all incoming connections" on the only active profile: blocked, and
        // the rule groups are a problem whatever their rules say.
        let shields_up = FirewallState::Read {
            active: Some(vec![Profile::Domain]),
            enabled: vec![(Profile::Domain, true)],
            block_all: vec![(Profile::Domain, true)],
            rules: Vec::new(),
        };
        let d = flow_decision(&shields_up);
        assert_eq!(d.verdict, Judgement::Blocked);
        assert_eq!(
            d.evidence,
            ["Windows Firewall blocks all incoming connections on the Domain profile"]
        );
        let r = status_of(
            "2020.2",
            &WindowsHost {
                firewall: shields_up,
                ..healthy()
            },
            "windows.file-and-printer-sharing",
        );
        assert_eq!(r.status, PrerequisiteStatus::Problem, "{}", r.observed);
        assert!(r.observed.contains("blocks all incoming connections"));
        let unread = FirewallState::Unknown("run elevated to read the firewall".into());
        assert_eq!(
            flow_decision(&unread).reason,
            "run elevated to read the firewall"
        );
        // The section: every inbound flow of web01 gets one run with that decision.
        let p = plan("2020.2");
        let host = p.host("web01").expect("host").clone();
        let w = WindowsHost {
            firewall: unread,
            ..healthy()
        };
        let s = section(&p, &host, &w, "nothing (not elevated)".into());
        let inbound = p.flows.iter().filter(|f| f.to == "web01").count();
        assert!(inbound > 0);
        assert_eq!(s.flows.len(), inbound);
        assert!(s
            .flows
            .iter()
            .all(|f| f.results.len() == 1 && f.verdict() == Judgement::Unknown));
        s.validate("preflight[0]").expect("a valid section");
    }
}
