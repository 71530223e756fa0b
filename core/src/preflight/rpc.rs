//! Which ports Windows hands out to RPC servers (WMI, DCOM): the system's dynamic range,
//! or the restriction under `HKLM\Software\Microsoft\Rpc\Internet` (KB 154596).
//!
//! Opening 135 is not enough: the endpoint mapper answers with a dynamic port, and a
//! firewall must open the range that port comes from. A host restricted with
//! `Rpc\Internet` uses a range the plan's default (49152-65535, or 1025-5000 before
//! Vista) does not describe; `preflight` says so before a migration fails on it.

use thiserror::Error;

/// A value of `Rpc\Internet` that does not read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RpcError {
    #[error("Ports: {0:?} is not a port or a range of ports (5000 or 5000-5100)")]
    Ports(String),
    #[error("{name}: {value:?} is not Y or N")]
    YesNo { name: &'static str, value: String },
}

/// The values under `HKLM\Software\Microsoft\Rpc\Internet`, as read (absent: `None`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RpcInternet {
    /// `Ports` (REG_MULTI_SZ): one port or an inclusive range per string.
    pub ports: Option<Vec<String>>,
    /// `PortsInternetAvailable` (REG_SZ, `Y`/`N`).
    pub ports_internet_available: Option<String>,
    /// `UseInternetPorts` (REG_SZ, `Y`/`N`).
    pub use_internet_ports: Option<String>,
}

/// Where RPC's dynamic ports come from on this host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RpcPorts {
    /// No restriction: the system's dynamic port range.
    System { first: u16, last: u16 },
    /// `Rpc\Internet` restricts them to these ranges.
    Restricted(Vec<(u16, u16)>),
    /// Cannot be told, with why.
    Unknown(String),
}

/// Reads the `Ports` strings: `80`, `5000-5100` (spaces around the dash allowed).
pub fn parse_ports(values: &[String]) -> Result<Vec<(u16, u16)>, RpcError> {
    values
        .iter()
        .filter(|v| !v.trim().is_empty())
        .map(|v| {
            let bad = || RpcError::Ports(v.clone());
            let num = |s: &str| s.trim().parse::<u16>().ok().filter(|p| *p != 0);
            match v.split_once('-') {
                Some((a, b)) => match (num(a), num(b)) {
                    (Some(a), Some(b)) if a <= b => Ok((a, b)),
                    _ => Err(bad()),
                },
                None => num(v).map(|p| (p, p)).ok_or_else(bad),
            }
        })
        .collect()
}

fn yes_no(name: &'static str, v: &Option<String>) -> Result<Option<bool>, RpcError> {
    match v.as_deref().map(str::trim) {
        None => Ok(None),
        Some(s) if s.eq_ignore_ascii_case("y") => Ok(Some(true)),
        Some(s) if s.eq_ignore_ascii_case("n") => Ok(Some(false)),
        Some(s) => Err(RpcError::YesNo {
            name,
            value: s.to_string(),
        }),
    }
}

/// The dynamic ports of RPC servers that use the system default: KB 154596's `Ports`
/// when the default takes ports from the set `Ports` lists (both flags `Y`, or both
/// `N`), the system's range (`system`: start and count, as `netsh int ipv4 show
/// dynamicport tcp` prints them) without a restriction, and unknown otherwise.
pub fn dynamic_ports(rpc: &RpcInternet, system: Option<(u16, u32)>) -> Result<RpcPorts, RpcError> {
    let ports = match &rpc.ports {
        Some(p) => parse_ports(p)?,
        None => Vec::new(),
    };
    let available = yes_no("PortsInternetAvailable", &rpc.ports_internet_available)?;
    let use_internet = yes_no("UseInternetPorts", &rpc.use_internet_ports)?;
    if ports.is_empty() {
        return Ok(match system {
            Some((start, count)) if start > 0 && count > 0 => {
                let last = (u32::from(start) + count - 1).min(65535) as u16;
                RpcPorts::System { first: start, last }
            }
            _ => RpcPorts::Unknown("the system's dynamic port range could not be read".to_string()),
        });
    }
    Ok(match (available, use_internet) {
        (Some(a), Some(u)) if a == u => RpcPorts::Restricted(ports),
        (Some(_), Some(_)) => RpcPorts::Unknown(
            "Rpc\\Internet lists the ports RPC must not use by default; the rest of 1024-65535 is not modelled".to_string(),
        ),
        _ => RpcPorts::Unknown(
            "Rpc\\Internet has Ports but not both PortsInternetAvailable and UseInternetPorts".to_string(),
        ),
    })
}

/// Start port and number of ports from `netsh int ipv4 show dynamicport tcp`. The labels
/// are translated ("Start Port", "Startport"…), so the first two numbers are taken.
pub fn parse_dynamic_port_output(text: &str) -> Option<(u16, u32)> {
    let mut numbers = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse::<u32>().ok());
    let start = u16::try_from(numbers.next()?).ok()?;
    let count = numbers.next()?;
    (start > 0 && count > 0 && u32::from(start) + count - 1 <= 65535).then_some((start, count))
}

/// Whether every dynamic port the host may hand out lies inside `first..=last` (the
/// range the plan opens).
pub fn within(ports: &RpcPorts, first: u16, last: u16) -> Option<bool> {
    match ports {
        RpcPorts::System { first: a, last: b } => Some(first <= *a && *b <= last),
        RpcPorts::Restricted(ranges) => Some(ranges.iter().all(|(a, b)| first <= *a && *b <= last)),
        RpcPorts::Unknown(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Option<Vec<String>> {
        Some(v.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn kb154596_settings_give_the_restricted_range() {
        // KB 154596's example: Ports 5000-6000, PortsInternetAvailable=Y, UseInternetPorts=Y.
        let rpc = RpcInternet {
            ports: strings(&["5000-6000"]),
            ports_internet_available: Some("Y".into()),
            use_internet_ports: Some("Y".into()),
        };
        type Case = (RpcInternet, Option<(u16, u32)>, RpcPorts);
        let cases: [Case; 5] = [
            (rpc.clone(), Some((49152, 16384)), RpcPorts::Restricted(vec![(5000, 6000)])),
            (
                RpcInternet {
                    ports: strings(&["5000-5100", " 5200 ", ""]),
                    ports_internet_available: Some("n".into()),
                    use_internet_ports: Some("N".into()),
                },
                None,
                RpcPorts::Restricted(vec![(5000, 5100), (5200, 5200)]),
            ),
            (RpcInternet::default(), Some((49152, 16384)), RpcPorts::System { first: 49152, last: 65535 }),
            (RpcInternet::default(), Some((1025, 3976)), RpcPorts::System { first: 1025, last: 5000 }),
            (
                RpcInternet { use_internet_ports: None, ..rpc },
                None,
                RpcPorts::Unknown("Rpc\\Internet has Ports but not both PortsInternetAvailable and UseInternetPorts".into()),
            ),
        ];
        for (rpc, system, want) in cases {
            assert_eq!(dynamic_ports(&rpc, system), Ok(want.clone()), "{rpc:?}");
        }
        assert_eq!(
            within(&RpcPorts::Restricted(vec![(5000, 6000)]), 49152, 65535),
            Some(false)
        );
        assert_eq!(
            within(
                &RpcPorts::System {
                    first: 49152,
                    last: 65535
                },
                49152,
                65535
            ),
            Some(true)
        );
    }

    #[test]
    fn bad_values_name_themselves() {
        let e = parse_ports(&["5100-5000".to_string()]).expect_err("backwards");
        assert_eq!(
            e.to_string(),
            "Ports: \"5100-5000\" is not a port or a range of ports (5000 or 5000-5100)"
        );
        let rpc = RpcInternet {
            ports: strings(&["5000"]),
            ports_internet_available: Some("yes".into()),
            use_internet_ports: Some("Y".into()),
        };
        assert_eq!(
            dynamic_ports(&rpc, None).expect_err("yes").to_string(),
            "PortsInternetAvailable: \"yes\" is not Y or N"
        );
    }

    #[test]
    fn netsh_numbers_are_read_whatever_the_language() {
        let cases = [
            ("\nProtocol tcp Dynamic Port Range\n---------------------------------\nStart Port      : 49152\nNumber of Ports : 16384\n", Some((49152, 16384))),
            ("\nProtokoll tcp Dynamischer Portbereich\n---------------------------------\nStartport       : 49152\nAnzahl Ports    : 16384\n", Some((49152, 16384))),
            ("Start Port : 1025\nNumber of Ports : 3976\n", Some((1025, 3976))),
            ("Protocol tcp Dynamic Port Range\n", None),
            ("Start Port : 60000\nNumber of Ports : 16384\n", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_dynamic_port_output(text), want, "{text}");
        }
    }
}
