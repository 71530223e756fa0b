//! The port-rule catalog: every port fact PlateSpin documents, held as data.
//!
//! This module is the only place that knows a port number. Each rule says who opens
//! the connection to whom, in which phase, under which conditions, and where the fact
//! comes from; the planner (`plan.rs`) is a small loop over this table. Interpretations
//! we had to make (directions the article leaves open) are stated in the rule's notes.

use crate::types::{
    Os, Phase, Platform, PortRange, Product, Protocol, Replication, Role, Transfer, Version,
};
use serde::Serialize;

/// The article all base rules come from, as shipped in `reference/`.
pub const TID: &str =
    "TID 7920341 \"Migrate, Protect, and Forge network port requirements\" (2005, rev. 2016)";

/// What ports a rule needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "range")]
pub enum PortSpec {
    /// ICMP: no port.
    None,
    /// A fixed port or range.
    Fixed(PortRange),
    /// The responder's dynamic RPC range, by its Windows generation (KB 929851).
    DynamicRpc,
    /// One port per mirrored drive, `10000 + index` (legacy block-based).
    Drives,
}

/// Inclusive version bounds, compared on the bound's own precision: `max 8.1.3`
/// includes 8.1.3.2 (a build of 8.1.3), `min 11` includes 11.0 and 11.4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ProductRange {
    pub product: Product,
    pub min: Option<&'static [u32]>,
    pub max: Option<&'static [u32]>,
}

impl ProductRange {
    pub fn contains(&self, v: &Version) -> bool {
        self.min.is_none_or(|m| at_least(v, m)) && self.max.is_none_or(|m| at_most(v, m))
    }
}

fn truncated(v: &Version, n: usize) -> Version {
    let s = v.to_string();
    let parts: Vec<&str> = s.split('.').take(n).collect();
    Version::parse(&parts.join(".")).unwrap_or_default()
}

fn bound(b: &[u32]) -> Version {
    let parts: Vec<String> = b.iter().map(u32::to_string).collect();
    Version::parse(&parts.join(".")).unwrap_or_default()
}

/// `v >= min`, at the precision of `min`.
pub fn at_least(v: &Version, min: &[u32]) -> bool {
    truncated(v, min.len()) >= bound(min)
}

/// `v <= max`, at the precision of `max`.
pub fn at_most(v: &Version, max: &[u32]) -> bool {
    truncated(v, max.len()) <= bound(max)
}

/// When a rule applies. Empty lists and `None` mean "any".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Condition {
    /// Products and version ranges; empty: every product and version.
    pub products: &'static [ProductRange],
    /// OS of the workload the flow is about.
    pub os: Option<Os>,
    /// Platform of the virtualization host the flow is about.
    pub platforms: &'static [Platform],
    /// Transfer method of the workload.
    pub transfers: &'static [Transfer],
    /// Whether the workload uses the Migrate Agent.
    pub agent: Option<bool>,
    /// Server-wide replication direction (absent in a scenario means `source-listens`).
    pub replication: Option<Replication>,
}

const ANY: Condition = Condition {
    products: &[],
    os: None,
    platforms: &[],
    transfers: &[],
    agent: None,
    replication: None,
};

/// One documented port fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// Stable id, `phase.topic.detail`; plans and reports refer to rules by it.
    pub id: &'static str,
    pub phase: Phase,
    /// Who opens the connection.
    pub from: Role,
    /// Who must accept it (the side whose firewall needs the inbound rule).
    pub to: Role,
    pub protocol: Protocol,
    pub ports: PortSpec,
    pub purpose: &'static str,
    pub when: Condition,
    pub notes: &'static [&'static str],
    /// The document the fact comes from.
    pub source: &'static str,
    /// The words of the source the rule encodes.
    pub quote: &'static str,
}

const fn r(a: u16, b: u16) -> PortSpec {
    PortSpec::Fixed(PortRange::lit(a, b))
}
const fn p(a: u16) -> PortSpec {
    r(a, a)
}
const fn pr(
    product: Product,
    min: Option<&'static [u32]>,
    max: Option<&'static [u32]>,
) -> ProductRange {
    ProductRange { product, min, max }
}

/// Portability Suite 8.1.3 and below, Forge 2.5 and below: the only products with
/// legacy block-based transfer.
pub const LEGACY_PRODUCTS: &[ProductRange] = &[
    pr(Product::PortabilitySuite, None, Some(&[8, 1, 3])),
    pr(Product::Forge, None, Some(&[2, 5])),
];
/// HTTPS between server and workloads: "for version 11.x and above".
const FROM_11: &[ProductRange] = &[
    pr(Product::Migrate, Some(&[11]), None),
    pr(Product::Protect, Some(&[11]), None),
    pr(Product::Forge, Some(&[11]), None),
];
const MIGRATE_9: &[ProductRange] = &[pr(Product::Migrate, Some(&[9]), None)];
const MIGRATE_9_TO_2019_8: &[ProductRange] = &[pr(Product::Migrate, Some(&[9]), Some(&[2019, 8]))];
const MIGRATE_2018_11: &[ProductRange] = &[pr(Product::Migrate, Some(&[2018, 11]), None)];
const MIGRATE_2019_2: &[ProductRange] = &[pr(Product::Migrate, Some(&[2019, 2]), None)];
const MIGRATE_2019_5: &[ProductRange] = &[pr(Product::Migrate, Some(&[2019, 5]), None)];
/// Everything before the replication-direction setting of Migrate 2019.2.
const BEFORE_2019_2: &[ProductRange] = &[
    pr(Product::Migrate, None, Some(&[2019, 1])),
    pr(Product::Protect, None, None),
    pr(Product::Forge, None, None),
    pr(Product::PortabilitySuite, None, None),
];

const WIN: Condition = Condition {
    os: Some(Os::Windows),
    agent: Some(false),
    ..ANY
};
const LINUX: Condition = Condition {
    os: Some(Os::Linux),
    agent: Some(false),
    ..ANY
};
const LEGACY: Condition = Condition {
    products: LEGACY_PRODUCTS,
    transfers: &[Transfer::BlockLegacy],
    ..ANY
};
const REPLICATED: &[Transfer] = &[Transfer::File, Transfer::VssBbt];

const RPC_NOTES: &[&str] = &[
    "WMI (RPC/DCOM) may use TCP 135 and 445 and dynamically assigned ports above 1024: opening 135 alone is not enough, the endpoint mapper hands out a dynamic port.",
    "Dynamic RPC range: 49152-65535 on Vista/Server 2008 and later, 1025-5000 on older Windows (KB 929851); see it with `netsh int ipv4 show dynamicport tcp`.",
    "To restrict it: HKLM\\Software\\Microsoft\\Rpc\\Internet Ports, PortsInternetAvailable=Y, UseInternetPorts=Y, then reboot (KB 154596); DCOM with firewalls: KB 217351; DCOM does not work through NAT: KB 248809.",
    "Restricting the RPC range has not been certified by PlateSpin (TID 7920341).",
    "Alternative from the article: place the server in a DMZ or open the firewall temporarily for discovery only.",
];
const DIRECTION_HTTP: &[&str] = &[
    "Interpretation: the article says \"between the PlateSpin Server and the source/target machines\"; the PlateSpin controller on the workload calls the server's web services, so the flow is modelled workload -> server. Open the reverse direction too if your policy needs it.",
];
const WIN_DISCOVERY_NOTE: &[&str] = &[
    "Windows Firewall rule group \"File and Printer Sharing\" plus \"Windows Management Instrumentation (WMI-In)\"; needs the Admin$ share. From Migrate 2019.8, local administrator accounts need LocalAccountTokenFilterPolicy=1 or discovery fails like a connectivity problem.",
];

/// The catalog, in the order flows are listed within a phase.
pub const RULES: &[Rule] = &[
    // ---- discovery (TID 7920341, "used during the discovery process") ----
    Rule {
        id: "discovery.linux.ssh",
        phase: Phase::Discovery, from: Role::Server, to: Role::Source, protocol: Protocol::Tcp, ports: p(22),
        purpose: "SSH: discovering Linux servers",
        when: LINUX, notes: &[], source: TID,
        quote: "22                TCP       SSH Port used when discovering Linux servers",
    },
    Rule {
        id: "discovery.vhost.ssh",
        phase: Phase::Discovery, from: Role::Server, to: Role::VirtualizationHost, protocol: Protocol::Tcp, ports: p(22),
        purpose: "SSH: discovering Citrix XenServer and VMware ESX 2.5/3.0",
        when: Condition { platforms: &[Platform::XenServer, Platform::Esx25, Platform::Esx30], ..ANY },
        notes: &["SSH is not required when discovering ESX 3.5, 4 or ESXi (TID 7920341)."], source: TID,
        quote: "Citrix XenServers, and VMware ESX 2.5/3.0 servers",
    },
    Rule {
        id: "discovery.kvm.ssh",
        phase: Phase::Discovery, from: Role::Server, to: Role::VirtualizationHost, protocol: Protocol::Tcp, ports: p(22),
        purpose: "SSH: discovering Linux KVM servers",
        when: Condition { products: MIGRATE_2018_11, platforms: &[Platform::Kvm], ..ANY },
        notes: &["Migrate 2018.11 also lists Linux Xen servers; 2020.2 lists Linux KVM servers only."],
        source: "Migrate 2018.11-2020.2 user guides, \"Network Communication Prerequisites for Discovery\" (newer-versions.md #4)",
        quote: "server → Linux | TCP 22",
    },
    Rule {
        id: "discovery.esxi.https",
        phase: Phase::Discovery, from: Role::Server, to: Role::VirtualizationHost, protocol: Protocol::Tcp, ports: p(443),
        purpose: "HTTPS: VMware VI3 web services when discovering ESXi",
        when: Condition { platforms: &[Platform::Esxi], ..ANY }, notes: &[], source: TID,
        quote: "443              TCP       SSL Port used to connect to the VI3 webservices when discovering ESXi servers.",
    },
    Rule {
        id: "discovery.vmware.https",
        phase: Phase::Discovery, from: Role::Server, to: Role::VirtualizationHost, protocol: Protocol::Tcp, ports: p(443),
        purpose: "HTTPS: VMware web services when discovering ESX 3.5/4 and vCenter",
        when: Condition { platforms: &[Platform::Esx35, Platform::Esx4, Platform::Vcenter], ..ANY },
        notes: &["Interpretation: the article says SSH is not needed for ESX 3.5/4 and that 443 is the default VMware Infrastructure 3 web service port; Protect 11.2.1 documents server -> VMware host / vCenter TCP 443 (newer-versions.md #6)."],
        source: TID,
        quote: "This is also the default port for the VMware Infrastructure 3 Web service.",
    },
    Rule {
        id: "discovery.cloud.https",
        phase: Phase::Discovery, from: Role::Server, to: Role::VirtualizationHost, protocol: Protocol::Tcp, ports: p(443),
        purpose: "HTTPS: cloud target management API (Azure, AWS, vCloud)",
        when: Condition { products: MIGRATE_2018_11, platforms: &[Platform::Azure, Platform::Aws, Platform::Vcloud], ..ANY },
        notes: &[],
        source: "Migrate 2018.11-2020.2 user guides, \"Network Communication Prerequisites for Discovery\" (newer-versions.md #3)",
        quote: "server → cloud target portal (Azure, AWS, vCloud) | TCP 443",
    },
    Rule {
        id: "discovery.windows.rpc-epmap",
        phase: Phase::Discovery, from: Role::Server, to: Role::Source, protocol: Protocol::Tcp, ports: p(135),
        purpose: "WMI over DCOM: RPC endpoint mapper",
        when: WIN, notes: WIN_DISCOVERY_NOTE, source: TID,
        quote: "135/445      TCP       For DCOM/RPC communication as PlateSpin utilizes WMI when discovering Windows based servers",
    },
    Rule {
        id: "discovery.windows.smb",
        phase: Phase::Discovery, from: Role::Server, to: Role::Source, protocol: Protocol::Tcp, ports: p(445),
        purpose: "WMI over DCOM/RPC: SMB named pipes (Admin$)",
        when: WIN, notes: WIN_DISCOVERY_NOTE, source: TID,
        quote: "135/445      TCP       For DCOM/RPC communication as PlateSpin utilizes WMI when discovering Windows based servers",
    },
    Rule {
        id: "discovery.windows.rpc-dynamic",
        phase: Phase::Discovery, from: Role::Server, to: Role::Source, protocol: Protocol::Tcp, ports: PortSpec::DynamicRpc,
        purpose: "WMI over DCOM: dynamic RPC ports",
        when: WIN, notes: RPC_NOTES, source: TID,
        quote: "WMI (RPC/DCOM) may use TCP ports 135 and 445 as well as random/dynamically assigned ports above 1024.",
    },
    Rule {
        id: "discovery.windows.netbios",
        phase: Phase::Discovery, from: Role::Server, to: Role::Source, protocol: Protocol::Udp, ports: r(137, 138),
        purpose: "NetBIOS name and datagram service (File and Printer Sharing)",
        when: Condition { products: MIGRATE_9, ..WIN }, notes: WIN_DISCOVERY_NOTE,
        source: "Migrate 9-2020.2 user guides, \"Network Communication Prerequisites for Discovery\" (newer-versions.md #2)",
        quote: "NB-Name UDP 137, NB-Datagram UDP 138",
    },
    Rule {
        id: "discovery.windows.netbios-session",
        phase: Phase::Discovery, from: Role::Server, to: Role::Source, protocol: Protocol::Tcp, ports: p(139),
        purpose: "NetBIOS session service (File and Printer Sharing)",
        when: Condition { products: MIGRATE_9, ..WIN }, notes: WIN_DISCOVERY_NOTE,
        source: "Migrate 9-2020.2 user guides, \"Network Communication Prerequisites for Discovery\" (newer-versions.md #2)",
        quote: "NB-Session TCP 139",
    },
    Rule {
        id: "discovery.icmp",
        phase: Phase::Discovery, from: Role::Server, to: Role::Source, protocol: Protocol::Icmp, ports: PortSpec::None,
        purpose: "ICMP echo (ping) during discovery",
        when: Condition { products: MIGRATE_9, agent: Some(false), ..ANY }, notes: &["Documented for Migrate 9 through 2020.2; later versions are assumed unchanged."],
        source: "Migrate 9-2020.2 user guides, \"Network Communication Prerequisites for Discovery\" (newer-versions.md #1)",
        quote: "server ↔ all workloads | ICMP echo",
    },
    Rule {
        id: "discovery.hyperv.rpc-epmap",
        phase: Phase::Discovery, from: Role::Server, to: Role::VirtualizationHost, protocol: Protocol::Tcp, ports: p(135),
        purpose: "WMI over DCOM on the Hyper-V host: RPC endpoint mapper",
        when: Condition { platforms: &[Platform::HyperV], ..ANY },
        notes: &["A Hyper-V host is a Windows based server: the article's WMI ports apply (Migrate guides list Hyper-V hosts with Windows sources up to 2019.8)."],
        source: TID,
        quote: "135/445      TCP       For DCOM/RPC communication as PlateSpin utilizes WMI when discovering Windows based servers",
    },
    Rule {
        id: "discovery.hyperv.smb",
        phase: Phase::Discovery, from: Role::Server, to: Role::VirtualizationHost, protocol: Protocol::Tcp, ports: p(445),
        purpose: "WMI over DCOM on the Hyper-V host: SMB named pipes",
        when: Condition { platforms: &[Platform::HyperV], ..ANY }, notes: &[], source: TID,
        quote: "135/445      TCP       For DCOM/RPC communication as PlateSpin utilizes WMI when discovering Windows based servers",
    },
    Rule {
        id: "discovery.hyperv.rpc-dynamic",
        phase: Phase::Discovery, from: Role::Server, to: Role::VirtualizationHost, protocol: Protocol::Tcp, ports: PortSpec::DynamicRpc,
        purpose: "WMI over DCOM on the Hyper-V host: dynamic RPC ports",
        when: Condition { platforms: &[Platform::HyperV], ..ANY }, notes: RPC_NOTES, source: TID,
        quote: "WMI (RPC/DCOM) may use TCP ports 135 and 445 as well as random/dynamically assigned ports above 1024.",
    },
    Rule {
        id: "discovery.hyperv.netbios",
        phase: Phase::Discovery, from: Role::Server, to: Role::VirtualizationHost, protocol: Protocol::Udp, ports: r(137, 138),
        purpose: "NetBIOS name and datagram service on the Hyper-V host",
        when: Condition { products: MIGRATE_9_TO_2019_8, platforms: &[Platform::HyperV], ..ANY }, notes: &[],
        source: "Migrate 9-2019.8 user guides, \"Network Communication Prerequisites for Discovery\" (newer-versions.md #2)",
        quote: "server → Windows sources (and Hyper-V hosts up to 2019.8)",
    },
    Rule {
        id: "discovery.hyperv.netbios-session",
        phase: Phase::Discovery, from: Role::Server, to: Role::VirtualizationHost, protocol: Protocol::Tcp, ports: p(139),
        purpose: "NetBIOS session service on the Hyper-V host",
        when: Condition { products: MIGRATE_9_TO_2019_8, platforms: &[Platform::HyperV], ..ANY }, notes: &[],
        source: "Migrate 9-2019.8 user guides, \"Network Communication Prerequisites for Discovery\" (newer-versions.md #2)",
        quote: "server → Windows sources (and Hyper-V hosts up to 2019.8)",
    },
    Rule {
        id: "discovery.agent.https",
        phase: Phase::Discovery, from: Role::Source, to: Role::Server, protocol: Protocol::Tcp, ports: p(443),
        purpose: "HTTPS: Migrate Agent registers the workload and sends its discovery",
        when: Condition { products: MIGRATE_2018_11, agent: Some(true), ..ANY },
        notes: &[
            "The server needs an address the source can reach (AlternateServerAddress).",
            "With the agent the source needs no inbound SMB, NetBIOS or WMI.",
            "Linux sources with the agent: the guide also says to open the SSH port, without a direction; not modelled as a flow.",
        ],
        source: "Migrate 2018.11-2020.x user guide, \"Migrate Agent\" requirements (newer-versions.md #8)",
        quote: "source with Migrate Agent → server | TCP 443",
    },
    // ---- conversion / take control ----
    Rule {
        id: "conversion.http.source",
        phase: Phase::Conversion, from: Role::Source, to: Role::Server, protocol: Protocol::Tcp, ports: p(80),
        purpose: "HTTP between the PlateSpin Server and the source",
        when: ANY, notes: DIRECTION_HTTP, source: TID,
        quote: "80       TCP - For HTTP communication between the PlateSpin Server and the source/target machines.",
    },
    Rule {
        id: "conversion.http.target",
        phase: Phase::Conversion, from: Role::Target, to: Role::Server, protocol: Protocol::Tcp, ports: p(80),
        purpose: "HTTP between the PlateSpin Server and the target",
        when: ANY, notes: DIRECTION_HTTP, source: TID,
        quote: "80       TCP - For HTTP communication between the PlateSpin Server and the source/target machines.",
    },
    Rule {
        id: "conversion.https.source",
        phase: Phase::Conversion, from: Role::Source, to: Role::Server, protocol: Protocol::Tcp, ports: p(443),
        purpose: "HTTPS between the PlateSpin Server and the source (11.x and above)",
        when: Condition { products: FROM_11, ..ANY }, notes: DIRECTION_HTTP, source: TID,
        quote: "443     TCP - For HTTPS communication ( for version 11.x and above) between the PlateSpin Server and the source/target machines.",
    },
    Rule {
        id: "conversion.https.target",
        phase: Phase::Conversion, from: Role::Target, to: Role::Server, protocol: Protocol::Tcp, ports: p(443),
        purpose: "HTTPS between the PlateSpin Server and the target (11.x and above)",
        when: Condition { products: FROM_11, ..ANY }, notes: DIRECTION_HTTP, source: TID,
        quote: "443     TCP - For HTTPS communication ( for version 11.x and above) between the PlateSpin Server and the source/target machines.",
    },
    Rule {
        id: "conversion.take-control.netbios",
        phase: Phase::Conversion, from: Role::Server, to: Role::Source, protocol: Protocol::Udp, ports: r(137, 138),
        purpose: "SMB: copying the Take Control folder (i386) to the source (NetBIOS name/datagram)",
        when: WIN, notes: &[], source: TID,
        quote: "SMB (TCP 139, TCP 445, UDP 137,UDP 138) - File Transfer of the Take Control folder (i386) and files from the Platespin server to the source server.",
    },
    Rule {
        id: "conversion.take-control.netbios-session",
        phase: Phase::Conversion, from: Role::Server, to: Role::Source, protocol: Protocol::Tcp, ports: p(139),
        purpose: "SMB: copying the Take Control folder (i386) to the source (NetBIOS session)",
        when: WIN, notes: &[], source: TID,
        quote: "SMB (TCP 139, TCP 445, UDP 137,UDP 138) - File Transfer of the Take Control folder (i386) and files from the Platespin server to the source server.",
    },
    Rule {
        id: "conversion.take-control.smb",
        phase: Phase::Conversion, from: Role::Server, to: Role::Source, protocol: Protocol::Tcp, ports: p(445),
        purpose: "SMB: copying the Take Control folder to the source; WMI over DCOM named pipes",
        when: WIN, notes: &["The article lists TCP 445 both for SMB file transfer and for DCOM/RPC; one flow covers both."], source: TID,
        quote: "SMB (TCP 139, TCP 445, UDP 137,UDP 138) - File Transfer of the Take Control folder (i386) and files from the Platespin server to the source server.",
    },
    Rule {
        id: "conversion.wmi.rpc-epmap",
        phase: Phase::Conversion, from: Role::Server, to: Role::Source, protocol: Protocol::Tcp, ports: p(135),
        purpose: "WMI over DCOM: taking control of and rebooting the source (endpoint mapper)",
        when: WIN, notes: &["Windows Server 2003 sources under Protect 11 also need `netsh firewall set service RemoteAdmin enable` (newer-versions.md #7)."], source: TID,
        quote: "135/445 TCP - For DCOM/RPC communication as PlateSpin utilizes WMI when taking control and rebooting the source server",
    },
    Rule {
        id: "conversion.wmi.rpc-dynamic",
        phase: Phase::Conversion, from: Role::Server, to: Role::Source, protocol: Protocol::Tcp, ports: PortSpec::DynamicRpc,
        purpose: "WMI over DCOM: taking control of and rebooting the source (dynamic RPC ports)",
        when: WIN, notes: RPC_NOTES, source: TID,
        quote: "WMI (RPC/DCOM) may use TCP ports 135 and 445 as well as random/dynamically assigned ports above 1024.",
    },
    // ---- transfer (file based and VSS-BBT) ----
    Rule {
        id: "transfer.replication",
        phase: Phase::Transfer, from: Role::Source, to: Role::Target, protocol: Protocol::Tcp, ports: p(3725),
        purpose: "File transfer (file based and VSS-BBT), source to target",
        when: Condition { products: BEFORE_2019_2, transfers: REPLICATED, ..ANY },
        notes: &[
            "Interpretation: the article says \"between the source and target machine\" without a direction; before Migrate 2019.2 it is modelled as source -> target, like the legacy transfer the article describes.",
            "A stalled transfer with 3725 open has been caused by antivirus services restarting, not by a firewall (vendor KB 7010822).",
        ],
        source: TID,
        quote: "3725   TCP - Default File Transfer port used between the source and target machine (For File based and VSS-BBT file transfers)",
    },
    Rule {
        id: "transfer.replication.source-listens",
        phase: Phase::Transfer, from: Role::Target, to: Role::Source, protocol: Protocol::Tcp, ports: p(3725),
        purpose: "Replication: the target connects to the source (SourceListensForConnection=True, the default)",
        when: Condition { products: MIGRATE_2019_2, transfers: REPLICATED, agent: Some(false), replication: Some(Replication::SourceListens), ..ANY },
        notes: &["Server-wide setting SourceListensForConnection; set \"replication\": \"target-listens\" in the scenario when it is False."],
        source: "Migrate 2019.2 user guide, \"Configuring the Direction of the Replication Port\" (newer-versions.md #11)",
        quote: "`SourceListensForConnection=True` (default): target → source",
    },
    Rule {
        id: "transfer.replication.target-listens",
        phase: Phase::Transfer, from: Role::Source, to: Role::Target, protocol: Protocol::Tcp, ports: p(3725),
        purpose: "Replication: the source connects to the target (SourceListensForConnection=False)",
        when: Condition { products: MIGRATE_2019_2, transfers: REPLICATED, agent: Some(false), replication: Some(Replication::TargetListens), ..ANY },
        notes: &[],
        source: "Migrate 2019.2 user guide, \"Configuring the Direction of the Replication Port\" (newer-versions.md #11)",
        quote: "`False` (Migrate Agent, cloud marketplace images): source → target",
    },
    Rule {
        id: "transfer.replication.agent",
        phase: Phase::Transfer, from: Role::Source, to: Role::Target, protocol: Protocol::Tcp, ports: p(3725),
        purpose: "Replication from a Migrate Agent source to the target",
        when: Condition { products: MIGRATE_2019_2, transfers: REPLICATED, agent: Some(true), ..ANY },
        notes: &["With the agent the source needs no inbound SMB, NetBIOS or WMI."],
        source: "Migrate 2018.11-2020.x user guide, \"Migrate Agent\" requirements (newer-versions.md #9)",
        quote: "source with Migrate Agent → target | TCP 3725",
    },
    // ---- legacy block-based (Portability Suite 8.1.3 / Forge 2.5 and below) ----
    Rule {
        id: "legacy.handshake",
        phase: Phase::Legacy, from: Role::Source, to: Role::Target, protocol: Protocol::Tcp, ports: p(9999),
        purpose: "Block-level transfer: initial communication between source and target",
        when: LEGACY, notes: &["Interpretation: direction source -> target, as for the drive connections the article describes."], source: TID,
        quote: "9999 TCP - Required during block-level data transfer for initial communication between source and target.",
    },
    Rule {
        id: "legacy.named-pipes",
        phase: Phase::Legacy, from: Role::Source, to: Role::Target, protocol: Protocol::Tcp, ports: r(137, 139),
        purpose: "Named Pipe communication between source and target (NetBIOS)",
        when: LEGACY,
        notes: &[
            "The article writes \"137-139/445 TCP\"; NetBIOS name and datagram services are really UDP 137/138, so also allow UDP 137-138 if your firewall is strict.",
            "Needs File & Printer Sharing (Q20979) and Client for Microsoft Networks (Q21155) on both machines.",
            "Interpretation: direction source -> target.",
        ],
        source: TID,
        quote: "137-139/445 TCP – For Named Pipe communication between the source and the target.",
    },
    Rule {
        id: "legacy.smb",
        phase: Phase::Legacy, from: Role::Source, to: Role::Target, protocol: Protocol::Tcp, ports: p(445),
        purpose: "Named Pipe communication between source and target (SMB)",
        when: LEGACY, notes: &["Interpretation: direction source -> target."], source: TID,
        quote: "137-139/445 TCP – For Named Pipe communication between the source and the target.",
    },
    Rule {
        id: "legacy.drive",
        phase: Phase::Legacy, from: Role::Source, to: Role::Target, protocol: Protocol::Tcp, ports: PortSpec::Drives,
        purpose: "Block-level mirror of one drive (10000 + drive index)",
        when: LEGACY,
        notes: &["One TCP connection per mirrored drive: A=10000, C=10002, D=10003 … Z=10025 (the article's \"10000-100025\" is a typo for 10025)."],
        source: TID,
        quote: "The source machine will use port 10000 + X (where X = drive letter ‘A’ to ‘X’), for example, the port for drive C is 10002, D will use TCP port 10003, etc.",
    },
    Rule {
        id: "legacy.icmp",
        phase: Phase::Legacy, from: Role::Source, to: Role::Target, protocol: Protocol::Icmp, ports: PortSpec::None,
        purpose: "ICMP echo (ping) between source and target",
        when: LEGACY, notes: &["Interpretation: the article says \"between source and target servers\"; modelled source -> target, allow echo both ways if in doubt."], source: TID,
        quote: "ICMP (Ping) is also used between source and target servers.",
    },
    // ---- management ----
    Rule {
        id: "management.connector",
        phase: Phase::Management, from: Role::Connector, to: Role::Server, protocol: Protocol::Tcp, ports: p(61613),
        purpose: "STOMP event messages (RabbitMQ) from a Migrate Connector",
        when: Condition { products: MIGRATE_2019_5, ..ANY },
        notes: &["A server hosted in Azure also needs a Network Security Group rule for 61613."],
        source: "Migrate 2019.5 user guide, \"RabbitMQ\" (newer-versions.md #12)",
        quote: "Migrate Connector → Migrate server | TCP 61613",
    },
];

/// Looks a rule up by id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

impl Condition {
    /// Whether the product/version part holds (the rest needs a workload or host).
    pub fn matches_product(&self, product: Product, v: &Version) -> bool {
        self.products.is_empty()
            || self
                .products
                .iter()
                .any(|r| r.product == product && r.contains(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_and_shaped() {
        let mut seen = HashSet::new();
        for r in RULES {
            assert!(seen.insert(r.id), "duplicate id {}", r.id);
            assert!(
                r.id.starts_with(match r.phase {
                    Phase::Legacy => "legacy.",
                    p => p.as_str(),
                }),
                "{} does not start with its phase",
                r.id
            );
            assert_eq!(
                r.protocol == Protocol::Icmp,
                r.ports == PortSpec::None,
                "{}",
                r.id
            );
            assert!(
                !r.source.is_empty() && !r.quote.is_empty(),
                "{} cites no source",
                r.id
            );
            assert_ne!(r.from, r.to, "{}", r.id);
        }
    }

    #[test]
    fn article_quotes_are_in_the_article() {
        let article = include_str!("../../reference/tid-7920341-port-requirements.txt");
        let newer = include_str!("../../reference/newer-versions.md");
        let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        let (article, newer) = (norm(article), norm(newer));
        for r in RULES {
            let doc = if r.source == TID { &article } else { &newer };
            assert!(
                doc.contains(&norm(r.quote)),
                "{}: quote not found in its source: {}",
                r.id,
                r.quote
            );
        }
    }

    #[test]
    fn version_bounds_use_their_own_precision() {
        let v = |s| Version::parse(s).expect("v");
        assert!(LEGACY_PRODUCTS[0].contains(&v("8.1.3")));
        assert!(LEGACY_PRODUCTS[0].contains(&v("8.1.3.7")));
        assert!(LEGACY_PRODUCTS[0].contains(&v("7")));
        assert!(!LEGACY_PRODUCTS[0].contains(&v("8.1.4")));
        assert!(!LEGACY_PRODUCTS[0].contains(&v("8.2")));
        assert!(LEGACY_PRODUCTS[1].contains(&v("2.5.1")));
        assert!(!LEGACY_PRODUCTS[1].contains(&v("3")));
        assert!(FROM_11[0].contains(&v("11")));
        assert!(FROM_11[0].contains(&v("2019.5")));
        assert!(!FROM_11[0].contains(&v("10.4")));
        assert!(BEFORE_2019_2[0].contains(&v("2019.1.3")));
        assert!(!BEFORE_2019_2[0].contains(&v("2019.2")));
    }
}
