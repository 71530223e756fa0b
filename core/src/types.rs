//! Domain scalars and enums shared by rules, scenarios and plans.
//!
//! Every value that crosses a file format is a newtype or an enum here, so a port is
//! never confused with a count and a phase is never a free string.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A TCP or UDP port; 0 is not a port a flow can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u16")]
pub struct Port(u16);

impl Port {
    /// Builds a port, refusing 0.
    pub const fn new(n: u16) -> Option<Port> {
        if n == 0 {
            None
        } else {
            Some(Port(n))
        }
    }
    /// Const constructor for the rule table, where the value is a literal.
    pub(crate) const fn lit(n: u16) -> Port {
        assert!(n != 0);
        Port(n)
    }
    pub const fn get(self) -> u16 {
        self.0
    }
}

impl TryFrom<u32> for Port {
    type Error = String;
    fn try_from(n: u32) -> Result<Self, Self::Error> {
        match u16::try_from(n) {
            Ok(p) if p != 0 => Ok(Port(p)),
            _ => Err(format!("{n} is not a port (1-65535)")),
        }
    }
}

impl From<Port> for u16 {
    fn from(p: Port) -> u16 {
        p.0
    }
}

impl fmt::Display for Port {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// An inclusive port range; a single port has `first == last`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawRange")]
pub struct PortRange {
    pub first: Port,
    pub last: Port,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRange {
    first: Port,
    last: Port,
}

impl TryFrom<RawRange> for PortRange {
    type Error = String;
    fn try_from(r: RawRange) -> Result<Self, Self::Error> {
        PortRange::new(r.first, r.last)
            .ok_or_else(|| format!("range {}-{} ends before it starts", r.first, r.last))
    }
}

impl PortRange {
    pub fn new(first: Port, last: Port) -> Option<PortRange> {
        (first <= last).then_some(PortRange { first, last })
    }
    pub const fn single(p: Port) -> PortRange {
        PortRange { first: p, last: p }
    }
    pub(crate) const fn lit(first: u16, last: u16) -> PortRange {
        assert!(first <= last);
        PortRange {
            first: Port::lit(first),
            last: Port::lit(last),
        }
    }
    /// Number of ports in the range (at least 1).
    pub fn len(&self) -> u32 {
        u32::from(self.last.0) - u32::from(self.first.0) + 1
    }
    /// Never true: a range holds at least one port. Present for clippy's `len` convention.
    pub fn is_empty(&self) -> bool {
        false
    }
    pub fn contains(&self, p: Port) -> bool {
        self.first <= p && p <= self.last
    }
    pub fn ports(&self) -> impl Iterator<Item = Port> {
        (self.first.0..=self.last.0).map(Port)
    }
}

impl fmt::Display for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.first == self.last {
            write!(f, "{}", self.first)
        } else {
            write!(f, "{}-{}", self.first, self.last)
        }
    }
}

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $var:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name { $($(#[$vm])* #[serde(rename = $s)] $var),+ }
        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$var),+];
            /// The name used in files and on the command line.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$var => $s),+ }
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($s => Ok($name::$var),)+
                    _ => Err(format!(
                        "{s:?} is not one of {}",
                        [$($s),+].join(", ")
                    )),
                }
            }
        }
    };
}

string_enum!(
    /// The IP protocol of a flow.
    Protocol { Tcp = "tcp", Udp = "udp", Icmp = "icmp" }
);

string_enum!(
    /// When in a PlateSpin job a flow is needed. Order is the order of a migration.
    Phase {
        /// Inventorying workloads and virtualization hosts.
        Discovery = "discovery",
        /// Taking control of the source: pushing the controller, WMI, reboots, web services.
        Conversion = "conversion",
        /// Replicating data between source and target.
        Transfer = "transfer",
        /// Block-based transfer of Portability Suite 8.1.3 / Forge 2.5 and older.
        Legacy = "legacy-block-based",
        /// Management traffic: Migrate Connectors, the Migration Factory, administrators.
        Management = "management",
    }
);

impl Phase {
    /// The phase's title as documents print it.
    pub const fn title(self) -> &'static str {
        match self {
            Phase::Discovery => "Discovery",
            Phase::Conversion => "Conversion / take control",
            Phase::Transfer => "Transfer",
            Phase::Legacy => "Legacy block-based transfer",
            Phase::Management => "Management",
        }
    }
}

string_enum!(
    /// The part a host plays in a scenario.
    Role {
        Server = "server",
        Source = "source",
        Target = "target",
        VirtualizationHost = "virtualization-host",
        Connector = "connector",
        /// An administrator's machine: browser or Migrate Client.
        Admin = "admin",
        /// The Migration Factory's PlateSpin Transformation Manager (PTM) server.
        Factory = "factory",
        /// A remote PostgreSQL database of the Transformation Manager.
        Database = "database",
    }
);

string_enum!(
    /// PlateSpin product line.
    Product {
        Migrate = "migrate",
        Protect = "protect",
        Forge = "forge",
        PortabilitySuite = "portability-suite",
    }
);

impl Product {
    /// The product's name as the vendor writes it.
    pub const fn title(self) -> &'static str {
        match self {
            Product::Migrate => "Migrate",
            Product::Protect => "Protect",
            Product::Forge => "Forge",
            Product::PortabilitySuite => "Portability Suite",
        }
    }
}

string_enum!(
    /// Operating system family of a workload.
    Os { Windows = "windows", Linux = "linux" }
);

string_enum!(
    /// How a workload's data travels to its target.
    Transfer {
        File = "file",
        VssBbt = "vss-bbt",
        /// Block-based transfer of Migrate 9+, Protect and Forge 3+ (Windows block-based
        /// component, Linux block-based driver), on the replication port.
        Block = "block",
        BlockLegacy = "block-legacy",
    }
);

string_enum!(
    /// Platform of a virtualization host or cloud to discover.
    Platform {
        Esx25 = "esx-2.5",
        Esx30 = "esx-3.0",
        Esx35 = "esx-3.5",
        Esx4 = "esx-4",
        Esxi = "esxi",
        Vcenter = "vcenter",
        XenServer = "xenserver",
        Kvm = "kvm",
        HyperV = "hyper-v",
        Azure = "azure",
        Aws = "aws",
        Vcloud = "vcloud",
    }
);

impl Platform {
    /// A public cloud: a target there reaches the server through its public address.
    pub const fn is_cloud(self) -> bool {
        matches!(self, Platform::Azure | Platform::Aws | Platform::Vcloud)
    }
}

string_enum!(
    /// Direction of the replication port TCP 3725 (Migrate 2019.2 and later).
    Replication {
        /// `SourceListensForConnection=True`, the default: the target connects to the source.
        SourceListens = "source-listens",
        /// `SourceListensForConnection=False`: the source connects to the target.
        TargetListens = "target-listens",
    }
);

/// Which dynamic RPC range a Windows host uses (KB 929851).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WindowsGeneration {
    /// Windows 2000, XP, Server 2003 and older: 1025-5000.
    Legacy,
    /// Vista, Server 2008 and newer: 49152-65535.
    Modern,
}

impl WindowsGeneration {
    /// Reads the `windows` field of a workload (`"2003"`, `"2016"`, `"xp"`, `"10"`…).
    pub fn parse(s: &str) -> Option<WindowsGeneration> {
        let l = s.trim().to_ascii_lowercase();
        let l = l.strip_prefix("windows").map(str::trim).unwrap_or(&l);
        let l = l.strip_prefix("server").map(str::trim).unwrap_or(l);
        match l {
            "nt" | "nt4" | "2000" | "xp" | "2003" | "2003r2" | "2003 r2" => {
                Some(WindowsGeneration::Legacy)
            }
            "vista" | "7" | "8" | "8.1" | "10" | "11" | "2008" | "2008r2" | "2008 r2" | "2012"
            | "2012r2" | "2012 r2" | "2016" | "2019" | "2022" | "2025" => {
                Some(WindowsGeneration::Modern)
            }
            _ => None,
        }
    }
}

/// A product version such as `8.1.3`, `11.2.1` or `2019.5`, compared numerically.
#[derive(Debug, Clone, Default)]
pub struct Version(Vec<u32>);

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp_key(other).is_eq()
    }
}
impl Eq for Version {}

impl Version {
    pub fn parse(s: &str) -> Option<Version> {
        let s = s.trim();
        let parts: Option<Vec<u32>> = s
            .split('.')
            .map(|p| {
                if p.is_empty() || p.len() > 6 || !p.bytes().all(|b| b.is_ascii_digit()) {
                    None
                } else {
                    p.parse().ok()
                }
            })
            .collect();
        parts.filter(|v| !v.is_empty() && v.len() <= 4).map(Version)
    }
    /// Compares component-wise, missing components counting as 0 (`11` == `11.0`).
    fn cmp_key(&self, other: &Version) -> std::cmp::Ordering {
        let n = self.0.len().max(other.0.len());
        (0..n)
            .map(|i| {
                let a = self.0.get(i).copied().unwrap_or(0);
                let b = other.0.get(i).copied().unwrap_or(0);
                a.cmp(&b)
            })
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Version {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.cmp_key(other)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(u32::to_string).collect();
        f.write_str(&parts.join("."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_numerically() {
        let v = |s| Version::parse(s).expect("version");
        assert!(v("8.1.3") < v("8.2"));
        assert!(v("11") == v("11.0"));
        assert!(v("12.3") < v("2018.11"));
        assert!(v("2.5") < v("2.10"));
        assert!(Version::parse("").is_none());
        assert!(Version::parse("12.x").is_none());
        assert!(Version::parse("1..2").is_none());
    }

    #[test]
    fn port_zero_and_overflow_are_refused() {
        assert!(Port::try_from(0u32).is_err());
        assert!(Port::try_from(70000u32).is_err());
        assert_eq!(Port::try_from(443u32).map(Port::get), Ok(443));
    }

    #[test]
    fn windows_generations() {
        assert_eq!(
            WindowsGeneration::parse("2003"),
            Some(WindowsGeneration::Legacy)
        );
        assert_eq!(
            WindowsGeneration::parse("XP"),
            Some(WindowsGeneration::Legacy)
        );
        assert_eq!(
            WindowsGeneration::parse("Server 2016"),
            Some(WindowsGeneration::Modern)
        );
        assert_eq!(WindowsGeneration::parse("95x"), None);
    }
}
