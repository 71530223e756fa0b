//! Windows Firewall rule strings as the registry stores them (MS-GPFAS 2.2.2.19, "Firewall
//! Rule and the Firewall Rule Grammar Rule"): `v2.10|Action=Allow|Active=TRUE|Dir=In|…|`.
//!
//! `preflight` falls back to these when the firewall API cannot be asked (wine answers
//! "not implemented"): the local rules live under
//! `HKLM\SYSTEM\CurrentControlSet\Services\SharedAccess\Parameters\FirewallPolicy\FirewallRules`,
//! group policy's under `HKLM\Software\Policies\Microsoft\WindowsFirewall\FirewallRules`.
//! Rule groups are found by their resource string (`EmbedCtxt`), never by display names,
//! which Windows translates.

use thiserror::Error;

/// The "File and Printer Sharing" rule group (NB-Name-In, NB-Datagram-In, NB-Session-In,
/// SMB-In, echo requests). Not on Microsoft Learn; the id used by public deployment
/// scripts (`netsh advfirewall firewall set rule group="@FirewallAPI.dll,-28502"`),
/// several of which agree. Verify on a real Windows host before relying on it alone.
pub const GROUP_FILE_AND_PRINTER_SHARING: &str = "@FirewallAPI.dll,-28502";

/// The "Windows Management Instrumentation (WMI)" rule group (WMI-In, DCOM-In,
/// ASync-In). Same standing as above: public scripts and a published registry export
/// (`…|Svc=rpcss|Name=@FirewallAPI.dll,-34252|…|EmbedCtxt=@FirewallAPI.dll,-34251|`)
/// agree; Microsoft Learn does not list it.
pub const GROUP_WMI: &str = "@FirewallAPI.dll,-34251";

/// A rule string that does not follow the grammar.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RuleError {
    #[error("{0:?} does not start with a version (v2.10|…)")]
    Version(String),
    #[error("the rule does not end with \"|\"")]
    Unterminated,
    #[error("field {0:?} is not NAME=VALUE")]
    Field(String),
    #[error("{field}={value:?}: {message}")]
    Value {
        field: &'static str,
        value: String,
        message: &'static str,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleAction {
    Allow,
    Block,
    /// Allow even over block rules, for authenticated traffic.
    ByPass,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    In,
    Out,
}

/// A firewall profile (network location).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    Domain,
    Private,
    Public,
}

/// A local or remote port condition: a range, or a keyword (`RPC`, `RPC-EPMap`,
/// `IPHTTPS`, `Ply2Disc`, …) that Windows resolves at run time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortCond {
    Range(u16, u16),
    Keyword(String),
}

/// One rule, with the fields `preflight` judges by; the others are kept as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirewallRule {
    /// `(2, 10)` for `v2.10`.
    pub version: (u16, u16),
    pub action: Option<RuleAction>,
    /// `Active=FALSE` is a disabled rule. Absent means enabled.
    pub active: bool,
    pub direction: Option<Direction>,
    /// IP protocol number; absent is any protocol.
    pub protocol: Option<u8>,
    /// Empty: every profile.
    pub profiles: Vec<Profile>,
    /// `LPort` and `LPort2_10`; empty: any port.
    pub local_ports: Vec<PortCond>,
    pub remote_ports: Vec<PortCond>,
    /// `RA4`/`RA6`/`LA4`/`LA6` values as written (`LocalSubnet`, `10.0.0.0/255.0.0.0`).
    pub remote_addresses: Vec<String>,
    pub local_addresses: Vec<String>,
    pub app: Option<String>,
    pub service: Option<String>,
    pub name: Option<String>,
    /// The rule group (`EmbedCtxt`), e.g. [`GROUP_FILE_AND_PRINTER_SHARING`].
    pub group: Option<String>,
    /// `ICMP4=8:*` and `ICMP6=128:*` type:code pairs as written.
    pub icmp: Vec<String>,
    /// Fields read but not judged by (`Security`, `IF`, `Edge`, `Desc`, newer ones).
    pub other: Vec<(String, String)>,
}

/// Parses one rule string.
pub fn parse(text: &str) -> Result<FirewallRule, RuleError> {
    let body = text
        .trim_end_matches(['\0', '\r', '\n'])
        .strip_suffix('|')
        .ok_or(RuleError::Unterminated)?;
    let mut fields = body.split('|');
    let version = fields
        .next()
        .and_then(|v| v.strip_prefix('v'))
        .and_then(|v| v.split_once('.'))
        .and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)))
        .ok_or_else(|| RuleError::Version(text.chars().take(12).collect()))?;
    let mut r = FirewallRule {
        version,
        action: None,
        active: true,
        direction: None,
        protocol: None,
        profiles: Vec::new(),
        local_ports: Vec::new(),
        remote_ports: Vec::new(),
        remote_addresses: Vec::new(),
        local_addresses: Vec::new(),
        app: None,
        service: None,
        name: None,
        group: None,
        icmp: Vec::new(),
        other: Vec::new(),
    };
    for f in fields {
        let (k, v) = f
            .split_once('=')
            .ok_or_else(|| RuleError::Field(f.chars().take(40).collect()))?;
        let bad = |field: &'static str, message: &'static str| RuleError::Value {
            field,
            value: v.to_string(),
            message,
        };
        match k {
            "Action" => {
                r.action = Some(match v {
                    "Allow" => RuleAction::Allow,
                    "Block" => RuleAction::Block,
                    "ByPass" => RuleAction::ByPass,
                    _ => return Err(bad("Action", "not Allow, Block or ByPass")),
                })
            }
            "Active" => {
                r.active = match v {
                    "TRUE" => true,
                    "FALSE" => false,
                    _ => return Err(bad("Active", "not TRUE or FALSE")),
                }
            }
            "Dir" => {
                r.direction = Some(match v {
                    "In" => Direction::In,
                    "Out" => Direction::Out,
                    _ => return Err(bad("Dir", "not In or Out")),
                })
            }
            "Protocol" => {
                r.protocol = Some(
                    v.parse::<u8>()
                        .ok()
                        .filter(|_| v.len() <= 3)
                        .ok_or_else(|| bad("Protocol", "not a protocol number (0-255)"))?,
                )
            }
            "Profile" => r.profiles.push(match v {
                "Domain" => Profile::Domain,
                "Private" => Profile::Private,
                "Public" => Profile::Public,
                _ => return Err(bad("Profile", "not Domain, Private or Public")),
            }),
            "LPort" | "LPort2_10" => r.local_ports.push(
                port(v).ok_or_else(|| bad("LPort", "not a port, a range of ports or a keyword"))?,
            ),
            "RPort" | "RPort2_10" => r.remote_ports.push(
                port(v).ok_or_else(|| bad("RPort", "not a port, a range of ports or a keyword"))?,
            ),
            "RA4" | "RA6" => r.remote_addresses.push(v.to_string()),
            "LA4" | "LA6" => r.local_addresses.push(v.to_string()),
            "App" => r.app = Some(v.to_string()),
            "Svc" => r.service = Some(v.to_string()),
            "Name" => r.name = Some(v.to_string()),
            "EmbedCtxt" => r.group = Some(v.to_string()),
            "ICMP4" | "ICMP6" => r.icmp.push(v.to_string()),
            other => r.other.push((other.to_string(), v.to_string())),
        }
    }
    Ok(r)
}

/// `445`, `5000-5100`, or a keyword of letters, digits and `-` (`RPC-EPMap`).
fn port(v: &str) -> Option<PortCond> {
    let num = |s: &str| -> Option<u16> {
        (!s.is_empty() && s.len() <= 5 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    if let Some(p) = num(v) {
        return Some(PortCond::Range(p, p));
    }
    if let Some((a, b)) = v.split_once('-') {
        if let (Some(a), Some(b)) = (num(a), num(b)) {
            return (a <= b).then_some(PortCond::Range(a, b));
        }
    }
    let keyword = !v.is_empty()
        && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && v.bytes().next().is_some_and(|b| b.is_ascii_alphabetic());
    keyword.then(|| PortCond::Keyword(v.to_string()))
}

impl FirewallRule {
    /// Whether the rule applies on `profile` (no Profile field: all profiles).
    pub fn on_profile(&self, profile: Profile) -> bool {
        self.profiles.is_empty() || self.profiles.contains(&profile)
    }

    /// Whether the rule is in the rule group `group` (resource strings compare without
    /// regard to case, as Windows resolves them).
    pub fn in_group(&self, group: &str) -> bool {
        self.group
            .as_deref()
            .is_some_and(|g| g.eq_ignore_ascii_case(group))
    }
}

/// How much of a rule group is on, for inbound rules on one profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupState {
    /// No inbound rule of the group applies to the profile (or none exists).
    Missing,
    Disabled,
    Partly,
    Enabled,
}

/// The state of a rule group's inbound rules on `profile`.
pub fn group_state(rules: &[FirewallRule], group: &str, profile: Profile) -> GroupState {
    let of_group = rules.iter().filter(|r| {
        r.in_group(group) && r.direction == Some(Direction::In) && r.on_profile(profile)
    });
    let (mut on, mut off) = (0, 0);
    for r in of_group {
        if r.active {
            on += 1;
        } else {
            off += 1;
        }
    }
    match (on, off) {
        (0, 0) => GroupState::Missing,
        (0, _) => GroupState::Disabled,
        (_, 0) => GroupState::Enabled,
        _ => GroupState::Partly,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// MS-GPFAS 4.2 "Firewall Rule Message", the data of its example value.
    const GPFAS_EXAMPLE: &str = r"v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|Profile=Public|LPort=RPC|RPort=49000|LA4=192.168.1.0/255.255.255.0|LA4=192.168.0.0/255.255.255.0|RA4=LocalSubnet|RA6=LocalSubnet|App=c:\path\foo.exe|Name=Firewall Rule Test|Security=Authenticate|Security2_9=An-NoEncap|";

    #[test]
    fn the_documented_example_reads_field_by_field() {
        let r = parse(GPFAS_EXAMPLE).expect("rule");
        assert_eq!(r.version, (2, 10));
        assert_eq!(r.action, Some(RuleAction::Allow));
        assert!(r.active);
        assert_eq!(r.direction, Some(Direction::In));
        assert_eq!(r.protocol, Some(6));
        assert_eq!(r.profiles, [Profile::Public]);
        assert_eq!(r.local_ports, [PortCond::Keyword("RPC".to_string())]);
        assert_eq!(r.remote_ports, [PortCond::Range(49000, 49000)]);
        assert_eq!(
            r.local_addresses,
            ["192.168.1.0/255.255.255.0", "192.168.0.0/255.255.255.0"]
        );
        assert_eq!(r.remote_addresses, ["LocalSubnet", "LocalSubnet"]);
        assert_eq!(r.app.as_deref(), Some(r"c:\path\foo.exe"));
        assert_eq!(r.name.as_deref(), Some("Firewall Rule Test"));
        assert_eq!(
            r.other,
            [
                ("Security".to_string(), "Authenticate".to_string()),
                ("Security2_9".to_string(), "An-NoEncap".to_string())
            ]
        );
        assert!(r.on_profile(Profile::Public) && !r.on_profile(Profile::Domain));
    }

    #[test]
    fn group_rules_are_found_by_resource_string_and_profile() {
        let rules: Vec<FirewallRule> = [
            // SMB-In of File and Printer Sharing, as the issue quotes its shape.
            "v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=445|App=System|Name=@FirewallAPI.dll,-28502|EmbedCtxt=@FirewallAPI.dll,-28502|",
            "v2.10|Action=Allow|Active=FALSE|Dir=In|Protocol=17|Profile=Public|LPort=137|App=System|EmbedCtxt=@FirewallAPI.dll,-28502|",
            "v2.27|Action=Allow|Active=FALSE|Dir=In|Protocol=6|Profile=Domain|LPort=135|App=%SystemRoot%\\system32\\svchost.exe|Svc=rpcss|Name=@FirewallAPI.dll,-34252|EmbedCtxt=@firewallapi.dll,-34251|",
            "v2.10|Action=Allow|Active=TRUE|Dir=Out|Protocol=6|RPort=445|EmbedCtxt=@FirewallAPI.dll,-34251|",
        ]
        .iter()
        .map(|t| parse(t).expect("rule"))
        .collect();
        let cases = [
            (
                GROUP_FILE_AND_PRINTER_SHARING,
                Profile::Domain,
                GroupState::Enabled,
            ),
            (
                GROUP_FILE_AND_PRINTER_SHARING,
                Profile::Public,
                GroupState::Partly,
            ),
            (GROUP_WMI, Profile::Domain, GroupState::Disabled),
            (GROUP_WMI, Profile::Private, GroupState::Missing),
        ];
        for (group, profile, want) in cases {
            assert_eq!(
                group_state(&rules, group, profile),
                want,
                "{group} {profile:?}"
            );
        }
    }

    #[test]
    fn bad_rules_name_the_field_and_value() {
        let cases = [
            ("2.10|Action=Allow|", "does not start with a version"),
            ("v2.10|Action=Allow", "does not end with \"|\""),
            (
                "v2.10|Action=Maybe|",
                "Action=\"Maybe\": not Allow, Block or ByPass",
            ),
            ("v2.10|Protocol=1234|", "Protocol=\"1234\""),
            ("v2.10|LPort=70000|", "LPort=\"70000\""),
            ("v2.10|LPort=5100-5000|", "LPort=\"5100-5000\""),
            ("v2.10|Dir|", "field \"Dir\" is not NAME=VALUE"),
        ];
        for (text, want) in cases {
            let e = parse(text).expect_err(text).to_string();
            assert!(e.contains(want), "{text}: {e}");
        }
        assert_eq!(
            parse("v2.10|LPort=5000-5100|LPort2_10=IPHTTPS|")
                .expect("ok")
                .local_ports,
            [
                PortCond::Range(5000, 5100),
                PortCond::Keyword("IPHTTPS".to_string())
            ]
        );
    }
}
