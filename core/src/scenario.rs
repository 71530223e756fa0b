//! The scenario: what the user tells us about a PlateSpin deployment (public format 1).
//!
//! Parsing is strict on purpose: unknown fields, bad values and contradictions are
//! refused with the JSON path of the offending value, because a plan built from a
//! silently misread scenario would open the wrong firewall ports.

use crate::address::{Address, HostName};
use crate::drive::DriveLetter;
use crate::error::InputError;
use crate::support::Feature;
use crate::types::{Os, Platform, Product, Replication, Transfer, Version, WindowsGeneration};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The only scenario format this version reads and writes.
pub const SCENARIO_FORMAT: u32 = 1;
/// Scenarios above this size are refused before parsing, so memory stays bounded (a
/// scenario of [`MAX_WORKLOADS`] workloads with every field filled is about 4.5 MB).
pub const MAX_INPUT_BYTES: usize = 8 * 1024 * 1024;
/// Plans and reports above this size are refused before parsing. Every plan the planner
/// makes must be readable by every consumer (`check --plan`, `listen --plan`, `merge
/// --plan`, the page): a plan of [`MAX_WORKLOADS`] Windows workloads with 26 drives each,
/// block transfer and public addresses is about 61 MB, so the cap is twice that.
pub const MAX_PLAN_BYTES: usize = 128 * 1024 * 1024;
/// More workloads than this is not a migration wave but a typo or an attack.
pub const MAX_WORKLOADS: usize = 10_000;
/// Longest host name accepted (an RFC 1123 label).
pub use crate::address::MAX_NAME_LEN;

/// A whole scenario, as in `examples/*.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub format: u32,
    pub product: Product,
    pub version: String,
    pub server: Server,
    /// Virtualization hosts and clouds to discover (and to create targets on).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<VirtualizationHost>,
    /// Migrate Connectors of a Migration Factory (2018.11+).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub connectors: Vec<Host>,
    /// The Migration Factory's Transformation Manager (PTM), if the project has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factory: Option<Factory>,
    /// Administrators' machines (browser, Migrate Client) that reach the server.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub admins: Vec<Host>,
    #[serde(default)]
    pub workloads: Vec<Workload>,
    /// Server-wide direction of the replication port TCP 3725
    /// (`SourceListensForConnection`); absent: see [`Scenario::replication_direction`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replication: Option<Replication>,
}

/// The PlateSpin server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Server {
    pub name: String,
    pub address: String,
    /// The address hosts outside the server's network dial (NAT), e.g. for agents (Q7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_address: Option<String>,
    /// A cloud-marketplace image: `SourceListensForConnection` defaults to False (Q2).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub marketplace: bool,
    /// Runs in a public cloud: administrators may need RDP to it (Q17).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cloud: bool,
    /// The public cloud the server runs in (`"azure"` or `"aws"`; implies `cloud`): the
    /// NSG and security group outputs then write the server's own rules. A server only
    /// said to be in a cloud (`cloud`) is not placed in one of them by guess.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
}

/// The clouds a scenario may name for its server: those whose security rules portplan
/// writes (`--format azure-nsg`, `aws-cfn`).
pub const SERVER_PLATFORMS: [Platform; 2] = [Platform::Azure, Platform::Aws];

impl Server {
    /// In a public cloud, named or not.
    pub fn in_cloud(&self) -> bool {
        self.cloud || self.platform.is_some()
    }
}

/// Where a workload migrates to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub name: String,
    pub address: String,
    /// The address initiators outside the target's network dial (NAT).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_address: Option<String>,
    /// Name of the `hosts[]` entry the target VM is created on; absent: a physical or
    /// semi-automated (X2P) target booted from the PlateSpin ISO.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    /// Outside the server's network: dials the server's public address. Absent: true
    /// when the container is a public cloud.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outside: Option<bool>,
}

/// The Migration Factory's PlateSpin Transformation Manager.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Factory {
    pub name: String,
    pub address: String,
    /// The vendor's appliance (administered on TCP 9443).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub appliance: bool,
    /// A remote PostgreSQL database; absent: the database is local.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<Host>,
}

/// The replication direction a scenario plans, and why when it was not stated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Direction {
    pub replication: Replication,
    /// Why the direction was chosen, when the scenario did not say.
    pub reason: Option<&'static str>,
}

impl Direction {
    /// The direction of a scenario with this `replication` field, whether any workload
    /// uses the Migrate Agent and whether the server is a marketplace image (see
    /// [`Scenario::replication_direction`]); the page asks it of its rows as typed.
    pub fn of(replication: Option<Replication>, agent: bool, marketplace: bool) -> Direction {
        let (replication, reason) = match replication {
            Some(r) => (r, None),
            None if agent => (
                Replication::TargetListens,
                Some("Migrate Agent workloads need SourceListensForConnection=False on the server (Q3): the whole server replicates source -> target (target-listens)."),
            ),
            None if marketplace => (
                Replication::TargetListens,
                Some("A cloud-marketplace PlateSpin server has SourceListensForConnection=False by default (Q2): replication runs source -> target (target-listens)."),
            ),
            None => (Replication::SourceListens, None),
        };
        Direction {
            replication,
            reason,
        }
    }
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
    /// Outside the server's network: dials the public addresses of the server and its
    /// target. Absent: true for Migrate Agent workloads (Q7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outside: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Target>,
}

fn default_transfer() -> Transfer {
    Transfer::File
}

impl Workload {
    /// Whether the workload dials public (NAT) addresses.
    pub fn is_outside(&self) -> bool {
        self.outside.unwrap_or(self.agent)
    }

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
    parse_json_within(text, MAX_INPUT_BYTES)
}

/// [`parse_json`] with the size cap of the format read ([`MAX_PLAN_BYTES`] for plans
/// and reports).
pub(crate) fn parse_json_within<T: serde::de::DeserializeOwned>(
    text: &str,
    limit: usize,
) -> Result<T, InputError> {
    if text.len() > limit {
        return Err(InputError::TooLarge {
            size: text.len(),
            limit,
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
    /// Parses and validates a scenario file. The version is stored as the version
    /// number alone (`" 2019.5 "` becomes `"2019.5"`), so every output prints exactly
    /// what was validated.
    pub fn from_json(text: &str) -> Result<Scenario, InputError> {
        let mut s: Scenario = parse_json(text)?;
        s.validate()?;
        s.version = s.version.trim().to_string();
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
        check_text(&self.version).map_err(|m| InputError::invalid("version", m))?;
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
        let product = self.product_version();
        let mut names = Names::default();
        names.add("server", &self.server.name, &self.server.address)?;
        if let Some(a) = &self.server.public_address {
            check_address(a).map_err(|m| InputError::invalid("server.public_address", m))?;
        }
        if let Some(p) = self
            .server
            .platform
            .filter(|p| !SERVER_PLATFORMS.contains(p))
        {
            return Err(InputError::invalid(
                "server.platform",
                format!(
                    "{:?} is not a public cloud the server runs in (azure, aws)",
                    p.as_str()
                ),
            ));
        }
        if self.server.marketplace && !caps.agent {
            return Err(InputError::invalid(
                "server.marketplace",
                format!(
                    "cloud-marketplace PlateSpin servers are {}, not {product}",
                    Feature::Agent.products()
                ),
            ));
        }
        for (i, h) in self.hosts.iter().enumerate() {
            names.add(&format!("hosts[{i}]"), &h.name, &h.address)?;
        }
        for (i, c) in self.connectors.iter().enumerate() {
            names.add(&format!("connectors[{i}]"), &c.name, &c.address)?;
        }
        if !self.connectors.is_empty() && !caps.messaging {
            return Err(InputError::invalid(
                "connectors",
                format!(
                    "Migrate Connectors need {}, not {product}",
                    Feature::Messaging.products()
                ),
            ));
        }
        if let Some(f) = &self.factory {
            names.add("factory", &f.name, &f.address)?;
            if let Some(db) = &f.database {
                names.add("factory.database", &db.name, &db.address)?;
            }
            if !caps.messaging {
                return Err(InputError::invalid(
                    "factory",
                    format!(
                        "the Migration Factory needs {}, not {product}",
                        Feature::Messaging.products()
                    ),
                ));
            }
        }
        for (i, a) in self.admins.iter().enumerate() {
            names.add(&format!("admins[{i}]"), &a.name, &a.address)?;
        }
        if self.replication == Some(Replication::TargetListens) && !caps.target_listens {
            return Err(InputError::invalid(
                "replication",
                format!(
                    "\"target-listens\" (SourceListensForConnection=False) comes with the Migrate Agent, in {}, not {product}",
                    Feature::TargetListens.products()
                ),
            ));
        }
        for (i, w) in self.workloads.iter().enumerate() {
            let at = format!("workloads[{i}]");
            names.add(&at, &w.name, &w.address)?;
            w.validate(&at, &caps, self)?;
            if let Some(t) = &w.target {
                names.add(&format!("{at}.target"), &t.name, &t.address)?;
                t.validate(&format!("{at}.target"), self)?;
            }
        }
        Ok(())
    }

    /// `Migrate 2019.5`: the product and version as people write them.
    pub fn product_version(&self) -> String {
        format!("{} {}", self.product.title(), self.version.trim())
    }

    /// The replication direction the plan uses: the scenario's own, else target-listens
    /// when a workload uses the Migrate Agent (Q3) or the server is a cloud-marketplace
    /// image (Q2), else the vendor's default, source-listens (Q1).
    pub fn replication_direction(&self) -> Direction {
        Direction::of(
            self.replication,
            self.workloads.iter().any(|w| w.agent),
            self.server.marketplace,
        )
    }

    /// The `hosts[]` entry a target is created on.
    pub fn container(&self, t: &Target) -> Option<&VirtualizationHost> {
        let name = t.container.as_deref()?;
        self.hosts
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
    }
}

impl Server {
    /// A server on premises with only its own address.
    pub fn new(name: impl Into<String>, address: impl Into<String>) -> Server {
        Server {
            name: name.into(),
            address: address.into(),
            public_address: None,
            marketplace: false,
            cloud: false,
            platform: None,
        }
    }
}

impl Target {
    /// A target with only its own address and no container (physical or X2P).
    pub fn new(name: impl Into<String>, address: impl Into<String>) -> Target {
        Target {
            name: name.into(),
            address: address.into(),
            public_address: None,
            container: None,
            outside: None,
        }
    }

    fn validate(&self, at: &str, s: &Scenario) -> Result<(), InputError> {
        if let Some(c) = &self.container {
            check_text(c).map_err(|m| InputError::invalid(format!("{at}.container"), m))?;
        }
        if let Some(a) = &self.public_address {
            check_address(a).map_err(|m| InputError::invalid(format!("{at}.public_address"), m))?;
        }
        if let Some(host) = s.container(self) {
            let v = s.parsed_version();
            let unsupported = crate::rules::CONTAINER_SUPPORT.iter().find(|cs| {
                cs.products
                    .iter()
                    .any(|r| r.product == s.product && r.contains(&v))
                    && !cs.platforms.contains(&host.platform)
            });
            if let Some(cs) = unsupported {
                return Err(InputError::invalid(
                    format!("{at}.container"),
                    format!(
                        "{:?} ({}) is not a container {} documents: it documents {}; {}",
                        host.name,
                        host.platform,
                        s.product_version(),
                        cs.documents,
                        cs.alternative
                    ),
                ));
            }
        }
        if let Some(c) = &self.container {
            if s.container(self).is_none() {
                let known: Vec<&str> = s.hosts.iter().map(|h| h.name.as_str()).collect();
                return Err(InputError::invalid(
                    format!("{at}.container"),
                    if known.is_empty() {
                        format!("{c:?} names no entry of hosts (the scenario lists none)")
                    } else {
                        format!("{c:?} names no entry of hosts ({})", known.join(", "))
                    },
                ));
            }
        }
        Ok(())
    }

    /// Whether the target dials the server's public address.
    pub fn is_outside(&self, s: &Scenario) -> bool {
        self.outside
            .unwrap_or_else(|| s.container(self).is_some_and(|h| h.platform.is_cloud()))
    }
}

impl Workload {
    fn validate(&self, at: &str, caps: &Capabilities, s: &Scenario) -> Result<(), InputError> {
        let product = s.product_version();
        if let Some(w) = &self.windows {
            check_text(w).map_err(|m| InputError::invalid(format!("{at}.windows"), m))?;
        }
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
                    format!("\"block-legacy\" exists only in Portability Suite 8.1.3 and Forge 2.5 and below, not {product} (use \"block\")"),
                ))
            }
            Transfer::Block if !caps.block => {
                return Err(InputError::invalid(
                    format!("{at}.transfer"),
                    format!("\"block\" needs Migrate 9, Protect or Forge 3 or later, not {product} (use \"block-legacy\")"),
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
                format!(
                    "the Migrate Agent needs {}, not {product}",
                    Feature::Agent.products()
                ),
            ));
        }
        if self.agent && s.replication == Some(Replication::SourceListens) {
            return Err(InputError::invalid(
                format!("{at}.agent"),
                "the Migrate Agent needs \"replication\": \"target-listens\" (SourceListensForConnection=False on the server), but replication is \"source-listens\"",
            ));
        }
        if let Some(t) = self
            .target
            .as_ref()
            .filter(|t| self.agent && t.container.is_none())
        {
            return Err(InputError::invalid(
                format!("{at}.agent"),
                format!(
                    "workload {:?} uses the Migrate Agent, which \"is not supported for use with semi-automated (X2P) migrations\", and its target {:?} has no container (a physical or X2P target): name the target's container or drop the agent",
                    self.name, t.name
                ),
            ));
        }
        Ok(())
    }

    /// The transfer method the product uses for this workload: the catalog's
    /// substitutes (Protect moves Linux volumes at block level only, Q15) applied.
    pub fn effective_transfer(&self, product: Product, v: &Version) -> Transfer {
        crate::rules::effective_transfer(product, v, self.os, self.transfer)
    }
}

/// What a product version can do, from the vendor documents (see `rules`).
struct Capabilities {
    legacy_block: bool,
    block: bool,
    agent: bool,
    target_listens: bool,
    messaging: bool,
}

impl Capabilities {
    fn of(product: Product, v: &Version) -> Capabilities {
        use crate::rules as r;
        let any = |ranges: &[r::ProductRange]| {
            ranges.iter().any(|x| x.product == product && x.contains(v))
        };
        Capabilities {
            legacy_block: any(r::LEGACY_PRODUCTS),
            block: any(r::BLOCK_PRODUCTS),
            agent: any(r::AGENT_PRODUCTS),
            target_listens: any(r::TARGET_LISTENS_PRODUCTS),
            messaging: any(r::MESSAGING_PRODUCTS),
        }
    }
}

/// Host names and addresses seen so far, to refuse duplicates and bad names. Two hosts
/// at one address would make `--from`/`--as` by address pick one of them silently, and
/// their results land on the wrong host.
#[derive(Default)]
struct Names(HashMap<String, String>, HashMap<String, String>);

impl Names {
    fn add(&mut self, at: &str, name: &str, address: &str) -> Result<(), InputError> {
        check_name(name).map_err(|m| InputError::invalid(format!("{at}.name"), m))?;
        let parsed = address
            .parse::<Address>()
            .map_err(|m| InputError::invalid(format!("{at}.address"), m))?;
        if let Some(first) = self.0.get(&name.to_ascii_lowercase()) {
            return Err(InputError::invalid(
                format!("{at}.name"),
                format!("{name:?} is already used by {first}"),
            ));
        }
        // One address however spelt: `[fd00::2]` and `FD00::2` are one IP, and a host
        // name compares without case (`Web01.corp` is `web01.corp`). The key of an IP is
        // NUL (no name has one) and its 16 bytes, one char each: no address formatting
        // in the page's first-load module.
        let key: String = match &parsed {
            Address::Ip(ip) => {
                // IPv4 as its IPv6-mapped form: one key shape, one loop.
                let v6 = match ip {
                    std::net::IpAddr::V4(a) => a.to_ipv6_mapped(),
                    std::net::IpAddr::V6(a) => *a,
                };
                let mut key = String::from('\0');
                for b in v6.octets() {
                    key.push(char::from(b));
                }
                key
            }
            Address::Name(n) => n.to_ascii_lowercase(),
        };
        if let Some(first) = self.1.get(&key) {
            return Err(InputError::invalid(
                format!("{at}.address"),
                format!("{address:?} is already the address of {first}; {name} needs its own"),
            ));
        }
        self.0.insert(name.to_ascii_lowercase(), at.to_string());
        self.1.insert(key, format!("{name} ({at})"));
        Ok(())
    }
}

/// A name is an RFC 1123 label: it ends up in firewall comments, inventories and file
/// names (see [`HostName`]).
pub fn check_name(name: &str) -> Result<(), String> {
    name.parse::<HostName>().map(drop)
}

/// An address is an IP literal or a DNS name; dotted numbers must be a valid IPv4
/// (see [`Address`]).
pub fn check_address(address: &str) -> Result<(), String> {
    address.parse::<Address>().map(drop)
}

/// Whether `c` may not appear in free text: control characters (line breaks, tabs,
/// escapes, U+0085), line and paragraph separators (U+2028, U+2029), whitespace other
/// than the space, and the invisible format characters that reorder or hide text
/// (bidirectional overrides, zero-width characters). Each breaks a script header, a
/// comment line or a terminal when printed.
pub fn is_forbidden_char(c: char) -> bool {
    c.is_control()
        || (c.is_whitespace() && c != ' ')
        || matches!(
            c,
            '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{061C}' | '\u{FEFF}'
        )
}

/// Free text of a scenario (the version, a Windows version, a container name) goes
/// into script headers, comments and titles: it must be one line of visible text. The
/// error names the first character that is not, as `U+XXXX`.
pub fn check_text(value: &str) -> Result<(), String> {
    match value.chars().find(|&c| is_forbidden_char(c)) {
        Some(c) => Err(format!(
            "{value:?} holds the control or separator character U+{:04X}; write it on one \
             line of visible characters",
            u32::from(c)
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod server_cloud_tests {
    use super::*;

    /// One line per case: the server's cloud fields in the file → written back the same,
    /// the admins' RDP flag, and the platform of the server's plan host.
    #[test]
    fn the_server_cloud_reads_and_writes_back_the_same() {
        let cases = [
            ("", false, None),
            (r#","cloud":true"#, true, None),
            (r#","platform":"azure""#, true, Some(Platform::Azure)),
            (
                r#","cloud":true,"platform":"aws""#,
                true,
                Some(Platform::Aws),
            ),
        ];
        for (fields, in_cloud, platform) in cases {
            let s = Scenario::from_json(&format!(
                r#"{{"format":1,"product":"migrate","version":"2019.5","server":{{"name":"ps01","address":"10.0.0.5"{fields}}}}}"#
            ))
            .expect(fields);
            assert_eq!(s.server.in_cloud(), in_cloud, "{fields}");
            assert_eq!(s.server.platform, platform, "{fields}");
            assert_eq!(Scenario::from_json(&s.to_json()).expect("again"), s);
            // Only a named cloud places the server's plan host in it.
            let plan = crate::Plan::build(&s).expect("plan");
            assert_eq!(
                plan.host("ps01").and_then(|h| h.platform),
                platform,
                "{fields}"
            );
        }
    }
}
