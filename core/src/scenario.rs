//! The scenario: what the user tells us about a PlateSpin deployment (public format 1).
//!
//! Parsing is strict on purpose: unknown fields, bad values and contradictions are
//! refused with the JSON path of the offending value, because a plan built from a
//! silently misread scenario would open the wrong firewall ports.

use crate::drive::DriveLetter;
use crate::error::InputError;
use crate::types::{Os, Platform, Product, Replication, Transfer, Version, WindowsGeneration};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::net::IpAddr;

/// The only scenario format this version reads and writes.
pub const SCENARIO_FORMAT: u32 = 1;
/// Inputs above this size are refused before parsing, so memory stays bounded.
pub const MAX_INPUT_BYTES: usize = 8 * 1024 * 1024;
/// More workloads than this is not a migration wave but a typo or an attack.
pub const MAX_WORKLOADS: usize = 10_000;
/// Longest host name accepted (an RFC 1123 label).
pub const MAX_NAME_LEN: usize = 63;

/// A whole scenario, as in `examples/*.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub format: u32,
    pub product: Product,
    pub version: String,
    pub server: Host,
    /// Virtualization hosts and clouds to discover.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<VirtualizationHost>,
    /// Migrate Connectors of a Migration Factory (2019.5+).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub connectors: Vec<Host>,
    #[serde(default)]
    pub workloads: Vec<Workload>,
    /// Direction of TCP 3725 (Migrate 2019.2+); absent means `source-listens`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replication: Option<Replication>,
}

/// A named machine with an address (IPv4, IPv6 or DNS name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Host {
    pub name: String,
    pub address: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VirtualizationHost {
    pub name: String,
    pub address: String,
    pub platform: Platform,
}

/// A source workload and where it migrates to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Workload {
    pub name: String,
    pub address: String,
    pub os: Os,
    /// Windows generation (`"2003"`, `"2016"`…); picks the dynamic RPC range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub windows: Option<String>,
    /// Drives to mirror; each is one TCP port in legacy block-based transfer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub drives: Vec<DriveLetter>,
    #[serde(default = "default_transfer")]
    pub transfer: Transfer,
    /// Registered through the Migrate Agent (2018.11+): no inbound SMB/WMI on the source.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub agent: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Host>,
}

fn default_transfer() -> Transfer {
    Transfer::File
}

impl Workload {
    /// The dynamic RPC generation, newer when unknown (the article's advice is for both).
    pub fn windows_generation(&self) -> WindowsGeneration {
        self.windows
            .as_deref()
            .and_then(WindowsGeneration::parse)
            .unwrap_or(WindowsGeneration::Modern)
    }
}

/// Parses JSON of type `T`, turning serde errors into one-line errors with a JSON path.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, InputError> {
    if text.len() > MAX_INPUT_BYTES {
        return Err(InputError::TooLarge {
            size: text.len(),
            limit: MAX_INPUT_BYTES,
        });
    }
    if text.trim().is_empty() {
        return Err(InputError::Json {
            path: "$".into(),
            message: "empty input, expected a JSON object".into(),
        });
    }
    // serde would read a struct from a JSON array too; the formats are objects only.
    if !text.trim_start().starts_with('{') {
        let found: String = text.trim_start().chars().take(12).collect();
        return Err(InputError::Json {
            path: "$".into(),
            message: format!("expected a JSON object, found {found:?}"),
        });
    }
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        InputError::Json {
            path: if path == "." { "$".into() } else { path },
            message: e.into_inner().to_string(),
        }
    })
}

impl Scenario {
    /// Parses and validates a scenario file.
    pub fn from_json(text: &str) -> Result<Scenario, InputError> {
        let s: Scenario = parse_json(text)?;
        s.validate()?;
        Ok(s)
    }

    /// The scenario in its public JSON form, pretty-printed with a trailing newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// The parsed version. Only valid after [`Scenario::validate`].
    pub fn parsed_version(&self) -> Version {
        Version::parse(&self.version).unwrap_or_default()
    }

    /// Checks every value and cross-field rule; the first problem wins.
    pub fn validate(&self) -> Result<(), InputError> {
        if self.format != SCENARIO_FORMAT {
            return Err(InputError::invalid(
                "format",
                format!(
                    "{} is not supported (this portplan reads format {SCENARIO_FORMAT})",
                    self.format
                ),
            ));
        }
        let version = Version::parse(&self.version).ok_or_else(|| {
            InputError::invalid(
                "version",
                format!("{:?} is not a version (e.g. \"12.3\")", self.version),
            )
        })?;
        if self.workloads.len() > MAX_WORKLOADS {
            return Err(InputError::invalid(
                "workloads",
                format!(
                    "{} workloads, more than the {MAX_WORKLOADS} one plan can hold",
                    self.workloads.len()
                ),
            ));
        }
        let caps = Capabilities::of(self.product, &version);
        let mut names = Names::default();
        names.add("server", &self.server.name, &self.server.address)?;
        for (i, h) in self.hosts.iter().enumerate() {
            names.add(&format!("hosts[{i}]"), &h.name, &h.address)?;
        }
        for (i, c) in self.connectors.iter().enumerate() {
            names.add(&format!("connectors[{i}]"), &c.name, &c.address)?;
        }
        if !self.connectors.is_empty() && !caps.connectors {
            return Err(InputError::invalid(
                "connectors",
                format!(
                    "Migrate Connectors need Migrate 2019.5 or later, not {} {}",
                    self.product, self.version
                ),
            ));
        }
        if let Some(r) = self.replication {
            if !caps.replication_direction {
                return Err(InputError::invalid(
                    "replication",
                    format!(
                        "{r:?} needs Migrate 2019.2 or later, not {} {}",
                        self.product, self.version
                    ),
                ));
            }
        }
        for (i, w) in self.workloads.iter().enumerate() {
            let at = format!("workloads[{i}]");
            names.add(&at, &w.name, &w.address)?;
            w.validate(&at, &caps, self)?;
            if let Some(t) = &w.target {
                names.add(&format!("{at}.target"), &t.name, &t.address)?;
            }
        }
        Ok(())
    }
}

impl Workload {
    fn validate(&self, at: &str, caps: &Capabilities, s: &Scenario) -> Result<(), InputError> {
        let product = format!("{} {}", s.product, s.version);
        match (&self.windows, self.os) {
            (Some(w), Os::Windows) if WindowsGeneration::parse(w).is_none() => {
                return Err(InputError::invalid(
                    format!("{at}.windows"),
                    format!(
                        "{w:?} is not a Windows version (e.g. \"2003\", \"2016\", \"xp\", \"10\")"
                    ),
                ))
            }
            (Some(w), Os::Linux) => {
                return Err(InputError::invalid(
                    format!("{at}.windows"),
                    format!("{w:?} is set on a linux workload"),
                ))
            }
            _ => {}
        }
        let mut seen = [false; 26];
        for (j, d) in self.drives.iter().enumerate() {
            let k = usize::from(d.index());
            if seen[k] {
                return Err(InputError::invalid(
                    format!("{at}.drives[{j}]"),
                    format!("\"{d}\" is listed twice"),
                ));
            }
            seen[k] = true;
        }
        match self.transfer {
            Transfer::BlockLegacy if !caps.legacy_block => {
                return Err(InputError::invalid(
                    format!("{at}.transfer"),
                    format!("\"block-legacy\" exists only in Portability Suite 8.1.3 and Forge 2.5 and below, not {product}"),
                ))
            }
            Transfer::BlockLegacy | Transfer::VssBbt if self.os != Os::Windows => {
                return Err(InputError::invalid(
                    format!("{at}.transfer"),
                    format!("\"{}\" needs a windows workload", self.transfer),
                ))
            }
            Transfer::BlockLegacy if self.drives.is_empty() => {
                return Err(InputError::invalid(
                    format!("{at}.drives"),
                    "block-legacy transfer needs at least one drive to mirror (e.g. [\"C\"])",
                ))
            }
            _ => {}
        }
        if self.agent && !caps.agent {
            return Err(InputError::invalid(
                format!("{at}.agent"),
                format!("the Migrate Agent needs Migrate 2018.11 or later, not {product}"),
            ));
        }
        Ok(())
    }
}

/// What a product version can do, from the vendor documents (see `rules`).
struct Capabilities {
    legacy_block: bool,
    agent: bool,
    replication_direction: bool,
    connectors: bool,
}

impl Capabilities {
    fn of(product: Product, v: &Version) -> Capabilities {
        let at_least = |p: Product, min: &[u32]| product == p && crate::rules::at_least(v, min);
        Capabilities {
            legacy_block: crate::rules::LEGACY_PRODUCTS
                .iter()
                .any(|r| r.product == product && r.contains(v)),
            agent: at_least(Product::Migrate, &[2018, 11]),
            replication_direction: at_least(Product::Migrate, &[2019, 2]),
            connectors: at_least(Product::Migrate, &[2019, 5]),
        }
    }
}

/// Host names seen so far, to refuse duplicates and bad names.
#[derive(Default)]
struct Names(HashMap<String, String>);

impl Names {
    fn add(&mut self, at: &str, name: &str, address: &str) -> Result<(), InputError> {
        check_name(name).map_err(|m| InputError::invalid(format!("{at}.name"), m))?;
        check_address(address).map_err(|m| InputError::invalid(format!("{at}.address"), m))?;
        if let Some(first) = self.0.get(&name.to_ascii_lowercase()) {
            return Err(InputError::invalid(
                format!("{at}.name"),
                format!("{name:?} is already used by {first}"),
            ));
        }
        self.0.insert(name.to_ascii_lowercase(), at.to_string());
        Ok(())
    }
}

/// A name is an RFC 1123 label: it ends up in firewall comments, inventories and file names.
pub fn check_name(name: &str) -> Result<(), String> {
    let ok_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.';
    if name.is_empty() {
        Err("empty name".into())
    } else if name.chars().count() > MAX_NAME_LEN {
        Err(format!(
            "{:?} is longer than {MAX_NAME_LEN} characters",
            truncate(name, 40)
        ))
    } else if !name.chars().all(ok_char) || name.starts_with(['-', '.']) {
        Err(format!(
            "{name:?} is not a host name (letters, digits, '-', '_', '.'; no spaces)"
        ))
    } else {
        Ok(())
    }
}

/// An address is an IP literal or a DNS name; dotted numbers must be a valid IPv4.
pub fn check_address(address: &str) -> Result<(), String> {
    let a = address.trim_start_matches('[').trim_end_matches(']');
    if a.parse::<IpAddr>().is_ok() {
        return Ok(());
    }
    let bad = || {
        Err(format!(
            "{:?} is not an IP address or DNS name",
            truncate(address, 60)
        ))
    };
    if a.is_empty() || a.len() > 253 {
        return bad();
    }
    if a.contains(':') {
        return Err(format!("{address:?} is not a valid IPv6 address"));
    }
    let labels: Vec<&str> = a.trim_end_matches('.').split('.').collect();
    if labels
        .iter()
        .all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(format!("{address:?} is not a valid IPv4 address"));
    }
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && l.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if labels.iter().all(label_ok) {
        Ok(())
    } else {
        bad()
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}
