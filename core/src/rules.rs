//! The port-rule catalog: every port fact PlateSpin documents, held as data.
//!
//! This module is the only place that knows a port number. Each rule says who opens
//! the connection to whom, in which phase, under which conditions, and where the fact
//! comes from; the planner (`plan/`) is a small loop over this table. Interpretations
//! we had to make (directions the article leaves open) are stated in the rule's notes.

use crate::types::{
    Os, Phase, Platform, PortRange, Product, Protocol, Replication, Role, Transfer, Version,
    WindowsGeneration,
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

/// A property of a host pair that some rules need (the pair must have every flag the
/// rule lists): they keep facts such as "RDP to a cloud-hosted server" out of plans
/// where they do not apply without a branch in the planner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Flag {
    /// The server runs in a public cloud (or is a cloud-marketplace image).
    CloudServer,
    /// The Migration Factory's Transformation Manager is the vendor's appliance.
    Appliance,
    /// The pair is the server and the host a target is created on (its container).
    Container,
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
    /// Server-wide replication direction (see `Scenario::replication_direction`).
    pub replication: Option<Replication>,
    /// Properties the host pair must have.
    pub flags: &'static [Flag],
    /// Windows generations of the workload (its dynamic RPC generation); empty: any.
    pub generations: &'static [WindowsGeneration],
}

/// Every kind of condition the catalog can state, in the order listings print them:
/// a rule's [`Condition`] holds a value (or "any") for each, and the planner matches
/// each against the scenario. No other fact about a product or version decides a flow.
pub const CONDITION_KINDS: &[(&str, &str)] = &[
    ("products", "products and version ranges"),
    ("os", "operating system of the workload"),
    ("platforms", "platform of the virtualization host or cloud"),
    ("transfers", "transfer method of the workload"),
    ("agent", "whether the workload uses the Migrate Agent"),
    ("replication", "server-wide replication direction"),
    (
        "flags",
        "properties of the host pair (cloud server, appliance, container)",
    ),
    ("generations", "Windows generation of the workload"),
];

const ANY: Condition = Condition {
    products: &[],
    os: None,
    platforms: &[],
    transfers: &[],
    agent: None,
    replication: None,
    flags: &[],
    generations: &[],
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
    /// Where a stored vendor page states the port; empty: wherever the rule applies.
    /// A plan for a version the rule applies to but no stored page documents gets the
    /// flow of the nearest documented version, with a note saying so (never a refusal
    /// of a supported deployment, never an invented port).
    pub documented: &'static [ProductRange],
    /// Not needed for PlateSpin to work (off by default, or only for remote desktop).
    pub optional: bool,
    /// No vendor page states this flow as planned (its direction or the port on this
    /// platform is our inference): plans carry the mark on every flow of the rule and
    /// every output shows it, so it is never presented as the vendor's.
    pub inferred: bool,
    pub notes: &'static [&'static str],
    /// The document the fact comes from.
    pub source: &'static str,
    /// The address of that document: `reference/vendor-pages.md` (or the article)
    /// holds its quoted passages, and a test finds every quote there.
    pub page: &'static str,
    /// The words of the page the rule encodes.
    pub quote: &'static str,
}

/// A rule's words (its quote, source, page and notes) as this build carries them: whole
/// with the `prose` feature (the CLI, the page's exports module), empty without it. The
/// page's first-load module plans without them, because a visitor sees the words only
/// in the plan view, the files and the reference, all drawn by the exports module, and
/// the words would otherwise weigh on every first load. The exports module puts a
/// rule's notes back on each flow it reads ([`crate::Plan::with_rule_notes`]).
pub(crate) const fn prose(words: &'static str) -> &'static str {
    if cfg!(feature = "prose") {
        words
    } else {
        ""
    }
}

/// [`prose`] for a rule's notes.
const fn prose_list(notes: &'static [&'static str]) -> &'static [&'static str] {
    if cfg!(feature = "prose") {
        notes
    } else {
        &[]
    }
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
/// Modern block-based transfer: Migrate 9+, Protect, Forge 3+.
pub const BLOCK_PRODUCTS: &[ProductRange] = &[
    pr(Product::Migrate, Some(&[9]), None),
    pr(Product::Protect, None, None),
    pr(Product::Forge, Some(&[3]), None),
];
/// The Migrate Agent: Migrate 12.2 and later (Q8).
pub const AGENT_PRODUCTS: &[ProductRange] = &[pr(Product::Migrate, Some(&[12, 2]), None)];
/// Source -> target replication (`SourceListensForConnection=False`): wherever the
/// Migrate Agent is, since the agent's source contacts the target (Migrate 12.2.2, Q18;
/// the setting itself in 2018.11, Q5, and 2019.2, Q1).
pub const TARGET_LISTENS_PRODUCTS: &[ProductRange] = AGENT_PRODUCTS;
/// Where a stored page states source -> target replication: Migrate 12.2.2 and later.
const TARGET_LISTENS_DOCUMENTED: &[ProductRange] = &[pr(Product::Migrate, Some(&[12, 2, 2]), None)];
/// Event messaging (Migrate Connectors, Migration Factory): Transformation Manager 1.1
/// SP1 works with Migrate 12.2.1 (Q22), and the Migrate guides from 2018.11 on (Q9).
pub const MESSAGING_PRODUCTS: &[ProductRange] = &[pr(Product::Migrate, Some(&[12, 2, 1]), None)];
/// The Migrate releases Transformation Manager 1.1's pages cover: 12.2.1 (Q22).
const PTM_1_1_PRODUCTS: &[ProductRange] =
    &[pr(Product::Migrate, Some(&[12, 2, 1]), Some(&[12, 2, 1]))];
/// Where a stored page states a Migration Factory port: PTM 1.1 (Migrate 12.2.1) and
/// PTM 2 and later (Migrate 2018.11 and later).
const MESSAGING_DOCUMENTED: &[ProductRange] = &[
    pr(Product::Migrate, Some(&[12, 2, 1]), Some(&[12, 2, 1])),
    pr(Product::Migrate, Some(&[2018, 11]), None),
];
/// Where a stored page states the Transformation Manager's own ports (its web interface,
/// appliance and database): PTM 2 and later, with Migrate 2018.11 and later.
const PTM_2_DOCUMENTED: &[ProductRange] = &[pr(Product::Migrate, Some(&[2018, 11]), None)];
/// HTTPS between server and workloads: "for version 11.x and above".
const FROM_11: &[ProductRange] = &[
    pr(Product::Migrate, Some(&[11]), None),
    pr(Product::Protect, Some(&[11]), None),
    pr(Product::Forge, Some(&[11]), None),
];
/// Ping of every workload: Migrate 9+ (Q10, newer-versions.md #1), Protect 11 and
/// Forge 3 and later (Q11); each of those guides states it.
const PING_PRODUCTS: &[ProductRange] = &[
    pr(Product::Migrate, Some(&[9]), None),
    pr(Product::Protect, Some(&[11]), None),
    pr(Product::Forge, Some(&[3]), None),
];
/// Portability Suite 8.1: ping of Windows Server 2008 / Vista sources (Q23).
const PS_8_1: &[ProductRange] = &[pr(Product::PortabilitySuite, Some(&[8, 1]), None)];
const MIGRATE_9: &[ProductRange] = &[pr(Product::Migrate, Some(&[9]), None)];
const MIGRATE_9_TO_2019_8: &[ProductRange] = &[pr(Product::Migrate, Some(&[9]), Some(&[2019, 8]))];
const MIGRATE: &[ProductRange] = &[pr(Product::Migrate, None, None)];
const MIGRATE_2018_11: &[ProductRange] = &[pr(Product::Migrate, Some(&[2018, 11]), None)];
/// Clouds: Migrate servers in Azure exist in 12.2 (Q8); the port is stated from 2018.11.
const CLOUD_PRODUCTS: &[ProductRange] = &[pr(Product::Migrate, Some(&[12, 2]), None)];
/// Hyper-V host discovery rows end at Migrate 2019.8 (Q13); other products keep them.
const HYPERV_PRODUCTS: &[ProductRange] = &[
    pr(Product::Migrate, None, Some(&[2019, 8])),
    pr(Product::Protect, None, None),
    pr(Product::Forge, None, None),
    pr(Product::PortabilitySuite, None, None),
];
/// Citrix XenServer discovery rows end at Migrate 2018.11 (Q13), yet 2019.2 still
/// documents Linux sources hosted on XenServer (Q24): later Migrate releases are planned
/// as 2018.11 documents them, with a note.
const XEN_DOCUMENTED: &[ProductRange] = &[
    pr(Product::Migrate, None, Some(&[2018, 11])),
    pr(Product::Protect, None, None),
    pr(Product::Forge, None, None),
    pr(Product::PortabilitySuite, None, None),
];
const PROTECT_11: &[ProductRange] = &[pr(Product::Protect, Some(&[11]), None)];
const PROTECT: &[ProductRange] = &[pr(Product::Protect, None, None)];

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
const REPLICATED: &[Transfer] = &[Transfer::File, Transfer::VssBbt, Transfer::Block];
const VMWARE: &[Platform] = &[
    Platform::Esx25,
    Platform::Esx30,
    Platform::Esx35,
    Platform::Esx4,
    Platform::Esxi,
    Platform::Vcenter,
];
const CLOUDS: &[Platform] = &[Platform::Azure, Platform::Aws, Platform::Vcloud];
/// The clouds whose resources the Transformation Manager discovers itself (Q21).
const PTM_CLOUDS: &[Platform] = &[Platform::Azure, Platform::Aws];
/// VMware hosts with the web services API on 443 (ESX 2.5 predates VI3).
const VMWARE_API: &[Platform] = &[
    Platform::Esx30,
    Platform::Esx35,
    Platform::Esx4,
    Platform::Esxi,
    Platform::Vcenter,
];

/// The containers (hosts a target VM is created on) a product documents, and what to
/// use instead of one it does not: a scenario whose target lands on another platform is
/// refused with these words, never planned with flows no page states.
pub struct ContainerSupport {
    pub products: &'static [ProductRange],
    pub platforms: &'static [Platform],
    /// What the product documents, in words: `VMware containers only (ESX/ESXi, vCenter)`.
    pub documents: &'static str,
    /// The nearest documented alternative, in words.
    pub alternative: &'static str,
    pub page: &'static str,
    pub quote: &'static str,
}

/// Protect lists VMware containers only (Q19, Q20).
pub const CONTAINER_SUPPORT: &[ContainerSupport] = &[ContainerSupport {
    products: PROTECT,
    platforms: VMWARE,
    documents: "VMware containers only (ESX/ESXi hosts and vCenter Server)",
    alternative: "create the target on a VMware ESXi host or vCenter Server, or use PlateSpin Migrate, whose guides document Azure, AWS, KVM and Hyper-V targets",
    page: pages::PROTECT_11_3_CREDENTIALS,
    quote: "VMware ESX or ESXi host",
}];

/// A transfer method a product replaces with another for some workloads: the workload
/// is planned with the substitute, and the plan says so.
pub struct TransferSubstitute {
    pub products: &'static [ProductRange],
    pub os: Os,
    pub from: Transfer,
    pub to: Transfer,
    pub note: &'static str,
}

/// Protect moves Linux volumes at block level only (Q15).
pub const TRANSFER_SUBSTITUTES: &[TransferSubstitute] = &[TransferSubstitute {
    products: PROTECT,
    os: Os::Linux,
    from: Transfer::File,
    to: Transfer::Block,
    note: "Protect transfers Linux workloads at block level only (Q15): its file-based Linux workloads are planned as block-based, on the same replication port.",
}];

/// The transfer method `product v` uses for a workload of `os` asked to use `t`.
pub fn effective_transfer(product: Product, v: &Version, os: Os, t: Transfer) -> Transfer {
    TRANSFER_SUBSTITUTES
        .iter()
        .find(|s| {
            s.os == os
                && s.from == t
                && s.products
                    .iter()
                    .any(|r| r.product == product && r.contains(v))
        })
        .map_or(t, |s| s.to)
}

/// Addresses of the stored pages (`reference/vendor-pages.md` holds their quoted words).
pub mod pages {
    pub const TID: &str = "support.microfocus.com/kb/doc.php?id=7920341";
    pub const DIRECTION: &str = "microfocus.com/documentation/platespin/platespin-migrate-2019-2/migrate-user/set-replication-port-direction.html";
    pub const KB_3725: &str = "support.microfocus.com/kb/doc.php?id=7010822";
    pub const AGENT_2018_11_DE: &str = "microfocus.com/documentation/platespin/platespin-migrate-2018-11/de-de/migrate-user/ma-registration.html";
    pub const AGENT_2019_5: &str =
        "microfocus.com/documentation/platespin/platespin-migrate-2019-5/migrate-user/ma-registration.html";
    pub const AGENT_REQTS: &str = "microfocus.com/documentation/platespin/platespin-migrate-2018-11/migrate-user/migrate-agent-reqts.html";
    pub const AGENT_12_2: &str =
        "netiq.com/documentation/platespin-migrate-12-2/migrate-user/data/migrate-agent.html";
    pub const RABBITMQ: &str =
        "microfocus.com/documentation/platespin/platespin-migrate-2019-5/migrate-user/rabbitmq.html";
    pub const PTM_1_1: &str =
        "netiq.com/documentation/platespin-transformation-manager-1-1/ptm_user/data/reqt-network.html";
    pub const ACCESS_12_2_1: &str =
        "netiq.com/documentation/platespin-migrate-12-2-1/migrate-user/data/access-comm.html";
    pub const ACCESS_2018_11: &str =
        "microfocus.com/documentation/platespin/platespin-migrate-2018-11/migrate-user/access-comm.html";
    pub const ACCESS_2020_2: &str =
        "microfocus.com/documentation/platespin/platespin-migrate-2020-2/migrate-user/access-comm.html";
    pub const PROTECT_11_2_1: &str =
        "netiq.com/documentation/platespin-protect-11-2-1/protect_user/data/bu5wx1x.html";
    pub const PROTECT_11: &str =
        "netiq.com/documentation/platespin_protect_11/protect_user/data/bu5wx1x.html";
    pub const PS_8_1: &str =
        "netiq.com/documentation/platespin_portabilitysuite_810/config/data/bgxmcqq.html";
    pub const PROTECT_10: &str =
        "netiq.com/documentation/platespin_protect_10/user/data/bp8c7fs.html";
    pub const PTM_2019_2: &str = "microfocus.com/documentation/platespin/platespin-transformation-manager-2019-2/ptm_user/data/webui-prereqs.html";
    pub const PTM_APPLIANCE: &str = "microfocus.com/documentation/platespin/platespin-transformation-manager-2/ptm_appliance/ptm-ports-overview.html";
    pub const PTM_APPLIANCE_2019_5: &str = "microfocus.com/documentation/platespin/platespin-transformation-manager-2019-5/ptm_appliance/ptm-ports-overview.html";
    pub const PTM_2_WEB: &str = "microfocus.com/documentation/platespin/platespin-transformation-manager-2/ptm_admin/webui-prereqs.html";
    pub const PTM_NETWORK_2019_2: &str = "microfocus.com/documentation/platespin/platespin-transformation-manager-2019-2/ptm_admin/data/reqt-network.html";
    pub const PTM_DISCOVERY_2019_5: &str = "microfocus.com/documentation/platespin/platespin-transformation-manager-2019-5/ptm_user/data/supported-configurations.html";
    pub const PTM_1_1_RELNOTES: &str = "netiq.com/documentation/platespin-transformation-manager-1-1/ptm_1-1-1_relnotes/data/ptm_1-1-1_relnotes.html";
    pub const AGENT_12_2_2: &str =
        "netiq.com/documentation/platespin-migrate-12-2-2/migrate-user/data/migrate-agent-reqts.html";
    pub const PROTECT_11_3_CREDENTIALS: &str =
        "netiq.com/documentation/platespin-protect-11-3/protect_user/data/bp8c7fo.html";
    pub const PARAVIRTUAL_2019_2: &str = "microfocus.com/documentation/platespin/platespin-migrate-2019-2/migrate-user/linux-paravirtual.html";
    pub const AWS_QUICK_START: &str =
        "quickstart-microfocus-platespin/templates/quickstart-platespin-yaml.template";
}

const DIRECTION: &str =
    "Migrate 2019.2 user guide, \"Configuring the Contact Direction for the Replication Port\"";
const ACCESS_2018_11: &str =
    "Migrate 2018.11 user guide, \"Network Communication Prerequisites for Discovery\"";
const ACCESS_12_2_1: &str =
    "Migrate 12.2.1 user guide, \"Network Communication Prerequisites for Discovery\"";
const PROTECT_11_2_1: &str = "Protect 11.2.1 user guide, \"Network Communication Prerequisites\"";
const PTM_2019_2: &str =
    "Transformation Manager 2019.2 user guide, \"Prerequisites for Using the Web Interface\"";
const PTM_APPLIANCE: &str =
    "Transformation Manager 2 appliance guide, \"Network Access and Communications\"";
const PTM_NETWORK_2019_2: &str =
    "Transformation Manager 2019.2 administrator guide, \"Network Connectivity and Access Requirements\"";
const PTM_1_1: &str =
    "Transformation Manager 1.1 user guide, \"Network Connectivity and Access Requirements\"";
/// The PTM 1.1 wording (the Transformation Manager connects), kept for the releases it covers.
const PTM_1_1_NOTE: &str = "Transformation Manager 1.1 (with Migrate 12.2.1, Q22) only: its page opens 61613 incoming on the connectors and the Migrate servers without naming who connects; later pages say the connector subscribes (Q21).";
const STOMP_APPLIANCE: &str = "PTM 2: 61613 \"is open by default on the Transformation Manager Appliance. Allow TCP traffic, incoming. For automated migration, open this port on the PlateSpin Migrate servers assigned to the project.\" (Q21)";

const RPC_NOTES: &[&str] = &[
    "WMI (RPC/DCOM) may use TCP 135 and 445 and dynamically assigned ports above 1024: opening 135 alone is not enough, the endpoint mapper hands out a dynamic port.",
    "Dynamic RPC range: 49152-65535 on Vista/Server 2008 and later, 1025-5000 on older Windows (KB 929851); see it with `netsh int ipv4 show dynamicport tcp`.",
    "To restrict it: HKLM\\Software\\Microsoft\\Rpc\\Internet Ports, PortsInternetAvailable=Y, UseInternetPorts=Y, then reboot (KB 154596); DCOM with firewalls: KB 217351; DCOM does not work through NAT: KB 248809.",
    "Restricting the RPC range has not been certified by PlateSpin (TID 7920341).",
    "Alternative from the article: place the server in a DMZ or open the firewall temporarily for discovery only.",
];
const DIRECTION_HTTP: &[&str] = &[
    "Interpretation: the article says \"between the PlateSpin Server and the source/target machines\"; the PlateSpin controller on the workload calls the server's web services, so the flow is modelled workload -> server. Open the reverse direction too if your policy needs it.",
    "Portability Suite 8.1: port 80 is \"required to maintain communication among Portability Suite Server, sources, and targets\" (Q14).",
];
const WIN_DISCOVERY_NOTE: &[&str] = &[
    "Windows Firewall rule group \"File and Printer Sharing\" (ICMP echo, NB-Name UDP 137, NB-Datagram UDP 138, NB-Session TCP 139, SMB TCP 445, RPC-EPMAP TCP 135; the ports are Windows' own definitions of the group) plus \"Windows Management Instrumentation (WMI-In)\"; needs the Admin$ share. From Migrate 2019.8, local administrator accounts need LocalAccountTokenFilterPolicy=1 or discovery fails like a connectivity problem.",
];
const HYPERV_NOTE: &str = "Migrate lists Hyper-V hosts with Windows sources up to 2019.8; the 2020.2 guide lists Windows sources only (Q13).";
const TARGET_LISTENS_NOTES: &[&str] = &[
    "One server-wide setting, SourceListensForConnection (Q1): True (the default) makes the source listen; False (\"replication\": \"target-listens\"), required by the Migrate Agent and the default of cloud-marketplace servers, makes the target listen.",
    "Migrate 12.2.2: \"When you use the Migrate Agent on the source workload, the source workload contacts the target workload\" (Q18); Migrate 12.2 and 12.2.1 have the agent (Q8) and are planned as 12.2.2 documents it.",
];
const REPLICATION_NOTES: &[&str] = &[
    "One server-wide setting, SourceListensForConnection (Q1): True (the default) makes the source listen; False (\"replication\": \"target-listens\"), required by the Migrate Agent and the default of cloud-marketplace servers, makes the target listen.",
    "\"unable to connect to port 3725 on IP address %source ip address%\" (Q4, KB 7010822, Forge, Migrate, Protect): the connection goes to the source.",
    "A stalled transfer with 3725 open has been caused by antivirus services restarting, not by a firewall (KB 7010822).",
];
const AGENT_NOTES: &[&str] = &[
    "The server needs an address the source can reach: set AlternateServerAddress to the server's public address when the source is outside its network (Q7).",
    "With the agent the source needs no inbound SMB, NetBIOS or WMI and no HTTP 80: only HTTPS 443 and the replication port 3725 outbound (Q6); Linux sources also SSH 22.",
    "The Migrate Agent is not supported for semi-automated (X2P) migrations (Q7).",
];
const INFERRED_HYPERV: &[&str] = &["Inferred: no stored page states how the target VM is created on a Hyper-V host; WMI on the host, as for its discovery, is our assumption."];

/// The catalog, in the order flows are listed within a phase.
pub const RULES: &[Rule] = &[
    // ---- discovery (TID 7920341, "used during the discovery process") ----
    Rule {
        id: "discovery.linux.ssh",
        phase: Phase::Discovery, from: Role::Server, to: Role::Source, protocol: Protocol::Tcp, ports: p(22),
        purpose: "SSH: discovering Linux servers",
        when: LINUX, documented: &[], optional: false, inferred: false, notes: prose_list(&[]), source: prose(TID), page: prose(pages::TID),
        quote: prose("22                TCP       SSH Port used when discovering Linux servers"),
    },
    Rule {
        id: "discovery.vhost.ssh",
        phase: Phase::Discovery, from: Role::Server, to: Role::VirtualizationHost, protocol: Protocol::Tcp, ports: p(22),
        purpose: "SSH: discovering VMware ESX 2.5/3.0",
        when: Condition { platforms: &[Platform::Esx25, Platform::Esx30], ..ANY },
        documented: &[], optional: false, inferred: false,
        notes: prose_list(&["SSH is not required when discovering ESX 3.5, 4 or ESXi (TID 7920341)."]), source: prose(TID), page: prose(pages::TID),
        quote: prose("VMware ESX 2.5/3.0 servers"),
    },
    Rule {
        id: "discovery.xen.ssh",
        phase: Phase::Discovery, from: Role::Server, to: Role::VirtualizationHost, protocol: Protocol::Tcp, ports: p(22),
        purpose: "SSH: discovering Citrix XenServer",
        when: Condition { platforms: &[Platform::XenServer], ..ANY },
        documented: XEN_DOCUMENTED, optional: false, inferred: false,
        notes: prose_list(&[
            "Migrate lists Citrix XenServer up to 2018.11; the 2020.2 guide lists Linux KVM servers only (Q13).",
            "Migrate 2019.2 still documents \"a paravirtualized Linux source workload that is hosted on a Citrix XenServer or KVM virtual host\" (Q24): later releases are planned as 2018.11 documents them.",
        ]),
        source: prose(TID), page: prose(pages::TID),
        quote: prose("SSH Port used when discovering Linux servers, Citrix XenServers"),
    },
    Rule {
        id: "discovery.kvm.ssh",
        phase: Phase::Discovery, from: Role::Server, to: Role::VirtualizationHost, protocol: Protocol::Tcp, ports: p(22),
        purpose: "SSH: discovering Linux KVM servers",
        when: Condition { products: MIGRATE, platforms: &[Platform::Kvm], ..ANY },
        documented: MIGRATE_2018_11, optional: false, inferred: false,
        notes: prose_list(&["Listed with Linux sources (SSH) from Migrate 2018.11 to 2020.2 (Q13)."]),
        source: prose(ACCESS_2018_11), page: prose(pages::ACCESS_2018_11),
        quote: prose("All Linux sources Citrix XenServer Linux Xen or KVM servers"),
    },
    Rule {
        id: "discovery.esxi.https",
        phase: Phase::Discovery, from: Role::Server, to: Role::VirtualizationHost, protocol: Protocol::Tcp, ports: p(443),
        purpose: "HTTPS: VMware VI3 web services when discovering ESXi",
        when: Condition { platforms: &[Platform::Esxi], ..ANY }, documented: &[], optional: false, inferred: false,
        notes: prose_list(&["Protect 11.2.1: \"VMware Web services API and file management API HTTPS (TCP 443)\" (Q11)."]), source: prose(TID), page: prose(pages::TID),
        quote: prose("443              TCP       SSL Port used to connect to the VI3 webservices when discovering ESXi servers."),
    },
    Rule {
        id: "discovery.vmware.https",
        phase: Phase::Discovery, from: Role::Server, to: Role::VirtualizationHost, protocol: Protocol::Tcp, ports: p(443),
        purpose: "HTTPS: VMware web services when discovering ESX 3.5/4 and vCenter",
        when: Condition { platforms: &[Platform::Esx35, Platform::Esx4, Platform::Vcenter], ..ANY },
        documented: &[], optional: false, inferred: false,
        notes: prose_list(&["Interpretation: the article says SSH is not needed for ESX 3.5/4 and that 443 is the default VMware Infrastructure 3 web service port; Protect 11.2.1 documents \"VMware Web services API and file management API HTTPS (TCP 443)\" (Q11)."]),
        source: prose(TID), page: prose(pages::TID),
        quote: prose("This is also the default port for the VMware Infrastructure 3 Web service."),
    },
    Rule {
        id: "discovery.cloud.https",
        phase: Phase::Discovery, from: Role::Server, to: Role::VirtualizationHost, protocol: Protocol::Tcp, ports: p(443),
        purpose: "HTTPS: cloud target management portal (Azure, AWS, vCloud)",
        when: Condition { products: CLOUD_PRODUCTS, platforms: CLOUDS, ..ANY },
        documented: MIGRATE_2018_11, optional: false, inferred: false,
        notes: prose_list(&["Migrate 12.2 already serves Migrate Servers in Microsoft Azure (Q8)."]),
        source: prose(ACCESS_2018_11), page: prose(pages::ACCESS_2018_11),
        quote: prose("Cloud-based targets: Open port 443 (TCP) for HTTPS communications with the target management portal."),
    },
    Rule {
        id: "discovery.windows.rpc-epmap",
        phase: Phase::Discovery, from: Role::Server, to: Role::Source, protocol: Protocol::Tcp, ports: p(135),
        purpose: "WMI over DCOM: RPC endpoint mapper",
        when: WIN, documented: &[], optional: false, inferred: false, notes: prose_list(WIN_DISCOVERY_NOTE), source: prose(TID), page: prose(pages::TID),
        quote: prose("135/445      TCP       For DCOM/RPC communication as PlateSpin utilizes WMI when discovering Windows based servers"),
    },
    Rule {
        id: "discovery.windows.smb",
        phase: Phase::Discovery, from: Role::Server, to: Role::Source, protocol: Protocol::Tcp, ports: p(445),
        purpose: "WMI over DCOM/RPC: SMB named pipes (Admin$)",
        when: WIN, documented: &[], optional: false, inferred: false, notes: prose_list(WIN_DISCOVERY_NOTE), source: prose(TID), page: prose(pages::TID),
        quote: prose("135/445      TCP       For DCOM/RPC communication as PlateSpin utilizes WMI when discovering Windows based servers"),
    },
    Rule {
        id: "discovery.windows.rpc-dynamic",
        phase: Phase::Discovery, from: Role::Server, to: Role::Source, protocol: Protocol::Tcp, ports: PortSpec::DynamicRpc,
        purpose: "WMI over DCOM: dynamic RPC ports",
        when: WIN, documented: &[], optional: false, inferred: false, notes: prose_list(RPC_NOTES), source: prose(TID), page: prose(pages::TID),
        quote: prose("WMI (RPC/DCOM) may use TCP ports 135 and 445 as well as random/dynamically assigned ports above 1024."),
    },
    Rule {
        id: "discovery.windows.netbios",
        phase: Phase::Discovery, from: Role::Server, to: Role::Source, protocol: Protocol::Udp, ports: r(137, 138),
        purpose: "NetBIOS name and datagram service (File and Printer Sharing)",
        when: Condition { products: MIGRATE_9, ..WIN }, documented: &[], optional: false, inferred: false, notes: prose_list(WIN_DISCOVERY_NOTE),
        source: prose(ACCESS_2018_11), page: prose(pages::ACCESS_2018_11),
        quote: prose("All Windows sources and Hyper-V hosts"),
    },
    Rule {
        id: "discovery.windows.netbios-session",
        phase: Phase::Discovery, from: Role::Server, to: Role::Source, protocol: Protocol::Tcp, ports: p(139),
        purpose: "NetBIOS session service (File and Printer Sharing)",
        when: Condition { products: MIGRATE_9, ..WIN }, documented: &[], optional: false, inferred: false, notes: prose_list(WIN_DISCOVERY_NOTE),
        source: prose(ACCESS_2018_11), page: prose(pages::ACCESS_2018_11),
        quote: prose("All Windows sources and Hyper-V hosts"),
    },
    Rule {
        id: "discovery.icmp",
        phase: Phase::Discovery, from: Role::Server, to: Role::Source, protocol: Protocol::Icmp, ports: PortSpec::None,
        purpose: "ICMP echo (ping) during discovery",
        when: Condition { products: PING_PRODUCTS, agent: Some(false), ..ANY },
        documented: &[], optional: false, inferred: false,
        notes: prose_list(&["Stated in the Migrate guides from 9 on (newer-versions.md #1; quoted from 12.2.1, 2018.11 and 2020.2, Q10); Protect 11 and Forge 3/11 say the same for workloads (Q11)."]),
        source: prose(ACCESS_12_2_1), page: prose(pages::ACCESS_12_2_1),
        quote: prose("All workloads: Ping (ICMP echo request and response) support"),
    },
    Rule {
        id: "discovery.icmp.windows-2008",
        phase: Phase::Discovery, from: Role::Server, to: Role::Source, protocol: Protocol::Icmp, ports: PortSpec::None,
        purpose: "ICMP echo (ping) of a Windows Server 2008 / Vista source",
        when: Condition { products: PS_8_1, generations: &[WindowsGeneration::Modern], ..WIN },
        documented: &[], optional: false, inferred: false,
        notes: prose_list(&["Portability Suite 8.1 names Windows Server 2008 and Windows Vista sources (Q23); older Windows sources get no ping flow."]),
        source: prose("Portability Suite 8.1 configuration guide, \"Network Communication Prerequisites\""), page: prose(pages::PS_8_1),
        quote: prose("File and Printer Sharing (Echo Request - ICMPv4-In)"),
    },
    Rule {
        id: "discovery.container.icmp",
        phase: Phase::Discovery, from: Role::Server, to: Role::VirtualizationHost, protocol: Protocol::Icmp, ports: PortSpec::None,
        purpose: "ICMP echo (ping) of the container (virtualization host)",
        when: Condition { products: PROTECT_11, platforms: VMWARE, ..ANY }, documented: &[], optional: false, inferred: false,
        notes: prose_list(&["Protect's containers are VMware hosts (Q19): a cloud's API host name is never pinged."]),
        source: prose(PROTECT_11_2_1), page: prose(pages::PROTECT_11_2_1),
        quote: prose("All containers: Ping (ICMP echo request and response) capability"),
    },
    Rule {
        id: "discovery.hyperv.rpc-epmap",
        phase: Phase::Discovery, from: Role::Server, to: Role::VirtualizationHost, protocol: Protocol::Tcp, ports: p(135),
        purpose: "WMI over DCOM on the Hyper-V host: RPC endpoint mapper",
        when: Condition { products: HYPERV_PRODUCTS, platforms: &[Platform::HyperV], ..ANY }, documented: &[], optional: false, inferred: false,
        notes: prose_list(&["A Hyper-V host is a Windows based server: the article's WMI ports apply.", HYPERV_NOTE]),
        source: prose(TID), page: prose(pages::TID),
        quote: prose("135/445      TCP       For DCOM/RPC communication as PlateSpin utilizes WMI when discovering Windows based servers"),
    },
    Rule {
        id: "discovery.hyperv.smb",
        phase: Phase::Discovery, from: Role::Server, to: Role::VirtualizationHost, protocol: Protocol::Tcp, ports: p(445),
        purpose: "WMI over DCOM on the Hyper-V host: SMB named pipes",
        when: Condition { products: HYPERV_PRODUCTS, platforms: &[Platform::HyperV], ..ANY }, documented: &[], optional: false, inferred: false,
        notes: prose_list(&[HYPERV_NOTE]), source: prose(TID), page: prose(pages::TID),
        quote: prose("135/445      TCP       For DCOM/RPC communication as PlateSpin utilizes WMI when discovering Windows based servers"),
    },
    Rule {
        id: "discovery.hyperv.rpc-dynamic",
        phase: Phase::Discovery, from: Role::Server, to: Role::VirtualizationHost, protocol: Protocol::Tcp, ports: PortSpec::DynamicRpc,
        purpose: "WMI over DCOM on the Hyper-V host: dynamic RPC ports",
        when: Condition { products: HYPERV_PRODUCTS, platforms: &[Platform::HyperV], ..ANY }, documented: &[], optional: false, inferred: false,
        notes: prose_list(RPC_NOTES), source: prose(TID), page: prose(pages::TID),
        quote: prose("WMI (RPC/DCOM) may use TCP ports 135 and 445 as well as random/dynamically assigned ports above 1024."),
    },
    Rule {
        id: "discovery.hyperv.netbios",
        phase: Phase::Discovery, from: Role::Server, to: Role::VirtualizationHost, protocol: Protocol::Udp, ports: r(137, 138),
        purpose: "NetBIOS name and datagram service on the Hyper-V host",
        when: Condition { products: MIGRATE_9_TO_2019_8, platforms: &[Platform::HyperV], ..ANY }, documented: &[], optional: false, inferred: false,
        notes: prose_list(WIN_DISCOVERY_NOTE), source: prose(ACCESS_2018_11), page: prose(pages::ACCESS_2018_11),
        quote: prose("All Windows sources and Hyper-V hosts"),
    },
    Rule {
        id: "discovery.hyperv.netbios-session",
        phase: Phase::Discovery, from: Role::Server, to: Role::VirtualizationHost, protocol: Protocol::Tcp, ports: p(139),
        purpose: "NetBIOS session service on the Hyper-V host",
        when: Condition { products: MIGRATE_9_TO_2019_8, platforms: &[Platform::HyperV], ..ANY }, documented: &[], optional: false, inferred: false,
        notes: prose_list(WIN_DISCOVERY_NOTE), source: prose(ACCESS_2018_11), page: prose(pages::ACCESS_2018_11),
        quote: prose("All Windows sources and Hyper-V hosts"),
    },
    Rule {
        id: "discovery.agent.https",
        phase: Phase::Discovery, from: Role::Source, to: Role::Server, protocol: Protocol::Tcp, ports: p(443),
        purpose: "HTTPS: the Migrate Agent registers the workload and sends its discovery",
        when: Condition { products: AGENT_PRODUCTS, agent: Some(true), ..ANY },
        documented: MIGRATE_2018_11, optional: false, inferred: false, notes: prose_list(AGENT_NOTES),
        source: prose("Migrate 2019.5 user guide, \"Using Migrate Agent to Register Workloads\""), page: prose(pages::AGENT_2019_5),
        quote: prose("Only HTTPS (TCP/443) and a replication port (TCP/3725 is the default) are needed outbound for the source Windows workloads."),
    },
    // ---- conversion / take control ----
    Rule {
        id: "conversion.http.source",
        phase: Phase::Conversion, from: Role::Source, to: Role::Server, protocol: Protocol::Tcp, ports: p(80),
        purpose: "HTTP between the PlateSpin Server and the source",
        when: Condition { agent: Some(false), ..ANY }, documented: &[], optional: false, inferred: false, notes: prose_list(DIRECTION_HTTP), source: prose(TID), page: prose(pages::TID),
        quote: prose("80       TCP - For HTTP communication between the PlateSpin Server and the source/target machines."),
    },
    Rule {
        id: "conversion.http.target",
        phase: Phase::Conversion, from: Role::Target, to: Role::Server, protocol: Protocol::Tcp, ports: p(80),
        purpose: "HTTP between the PlateSpin Server and the target",
        when: ANY, documented: &[], optional: false, inferred: false, notes: prose_list(DIRECTION_HTTP), source: prose(TID), page: prose(pages::TID),
        quote: prose("80       TCP - For HTTP communication between the PlateSpin Server and the source/target machines."),
    },
    Rule {
        id: "conversion.https.source",
        phase: Phase::Conversion, from: Role::Source, to: Role::Server, protocol: Protocol::Tcp, ports: p(443),
        purpose: "HTTPS between the PlateSpin Server and the source (11.x and above)",
        when: Condition { products: FROM_11, ..ANY }, documented: &[], optional: false, inferred: false, notes: prose_list(DIRECTION_HTTP), source: prose(TID), page: prose(pages::TID),
        quote: prose("443     TCP - For HTTPS communication ( for version 11.x and above) between the PlateSpin Server and the source/target machines."),
    },
    Rule {
        id: "conversion.https.target",
        phase: Phase::Conversion, from: Role::Target, to: Role::Server, protocol: Protocol::Tcp, ports: p(443),
        purpose: "HTTPS between the PlateSpin Server and the target (11.x and above)",
        when: Condition { products: FROM_11, ..ANY }, documented: &[], optional: false, inferred: false, notes: prose_list(DIRECTION_HTTP), source: prose(TID), page: prose(pages::TID),
        quote: prose("443     TCP - For HTTPS communication ( for version 11.x and above) between the PlateSpin Server and the source/target machines."),
    },
    Rule {
        id: "conversion.take-control.netbios",
        phase: Phase::Conversion, from: Role::Server, to: Role::Source, protocol: Protocol::Udp, ports: r(137, 138),
        purpose: "SMB: copying the Take Control folder (i386) to the source (NetBIOS name/datagram)",
        when: WIN, documented: &[], optional: false, inferred: false,
        notes: prose_list(&["Protect 11 and Forge 3 list the same SMB ports for Windows workloads (Q12)."]), source: prose(TID), page: prose(pages::TID),
        quote: prose("SMB (TCP 139, TCP 445, UDP 137,UDP 138) - File Transfer of the Take Control folder (i386) and files from the Platespin server to the source server."),
    },
    Rule {
        id: "conversion.take-control.netbios-session",
        phase: Phase::Conversion, from: Role::Server, to: Role::Source, protocol: Protocol::Tcp, ports: p(139),
        purpose: "SMB: copying the Take Control folder (i386) to the source (NetBIOS session)",
        when: WIN, documented: &[], optional: false, inferred: false, notes: prose_list(&[]), source: prose(TID), page: prose(pages::TID),
        quote: prose("SMB (TCP 139, TCP 445, UDP 137,UDP 138) - File Transfer of the Take Control folder (i386) and files from the Platespin server to the source server."),
    },
    Rule {
        id: "conversion.take-control.smb",
        phase: Phase::Conversion, from: Role::Server, to: Role::Source, protocol: Protocol::Tcp, ports: p(445),
        purpose: "SMB: copying the Take Control folder to the source; WMI over DCOM named pipes",
        when: WIN, documented: &[], optional: false, inferred: false,
        notes: prose_list(&["The article lists TCP 445 both for SMB file transfer and for DCOM/RPC; one flow covers both."]), source: prose(TID), page: prose(pages::TID),
        quote: prose("SMB (TCP 139, TCP 445, UDP 137,UDP 138) - File Transfer of the Take Control folder (i386) and files from the Platespin server to the source server."),
    },
    Rule {
        id: "conversion.wmi.rpc-epmap",
        phase: Phase::Conversion, from: Role::Server, to: Role::Source, protocol: Protocol::Tcp, ports: p(135),
        purpose: "WMI over DCOM: taking control of and rebooting the source (endpoint mapper)",
        when: WIN, documented: &[], optional: false, inferred: false,
        notes: prose_list(&["Windows Server 2003 workloads under Protect 11 also need `netsh firewall set service RemoteAdmin enable` (Q12)."]), source: prose(TID), page: prose(pages::TID),
        quote: prose("135/445 TCP - For DCOM/RPC communication as PlateSpin utilizes WMI when taking control and rebooting the source server"),
    },
    Rule {
        id: "conversion.wmi.rpc-dynamic",
        phase: Phase::Conversion, from: Role::Server, to: Role::Source, protocol: Protocol::Tcp, ports: PortSpec::DynamicRpc,
        purpose: "WMI over DCOM: taking control of and rebooting the source (dynamic RPC ports)",
        when: WIN, documented: &[], optional: false, inferred: false, notes: prose_list(RPC_NOTES), source: prose(TID), page: prose(pages::TID),
        quote: prose("WMI (RPC/DCOM) may use TCP ports 135 and 445 as well as random/dynamically assigned ports above 1024."),
    },
    // ---- conversion: the host a target is created on (its container) ----
    Rule {
        id: "conversion.container.vmware",
        phase: Phase::Conversion, from: Role::Server, to: Role::VirtualizationHost, protocol: Protocol::Tcp, ports: p(443),
        purpose: "HTTPS: creating and configuring the target VM through the VMware web services",
        when: Condition { platforms: VMWARE_API, flags: &[Flag::Container], ..ANY }, documented: &[], optional: false, inferred: false,
        notes: prose_list(&["Protect 11.2.1: \"VMware Web services API and file management API HTTPS (TCP 443)\" (Q11)."]),
        source: prose(TID), page: prose(pages::TID),
        quote: prose("This is also the default port for the VMware Infrastructure 3 Web service."),
    },
    Rule {
        id: "conversion.container.esx-2.5",
        phase: Phase::Conversion, from: Role::Server, to: Role::VirtualizationHost, protocol: Protocol::Tcp, ports: p(22),
        purpose: "SSH: creating the target VM on VMware ESX 2.5",
        when: Condition { platforms: &[Platform::Esx25], flags: &[Flag::Container], ..ANY }, documented: &[], optional: false, inferred: true,
        notes: prose_list(&["Inferred: ESX 2.5 predates the VI3 web service on 443; the article gives SSH for discovering ESX 2.5/3.0, and no stored page says how the target is created on it."]),
        source: prose(TID), page: prose(pages::TID),
        quote: prose("VMware ESX 2.5/3.0 servers"),
    },
    Rule {
        id: "conversion.container.cloud",
        phase: Phase::Conversion, from: Role::Server, to: Role::VirtualizationHost, protocol: Protocol::Tcp, ports: p(443),
        purpose: "HTTPS: creating the target in the cloud through its management portal",
        when: Condition { products: CLOUD_PRODUCTS, platforms: CLOUDS, flags: &[Flag::Container], ..ANY },
        documented: MIGRATE_2018_11, optional: false, inferred: false, notes: prose_list(&[]),
        source: prose(ACCESS_2018_11), page: prose(pages::ACCESS_2018_11),
        quote: prose("Cloud-based targets: Open port 443 (TCP) for HTTPS communications with the target management portal."),
    },
    Rule {
        id: "conversion.container.hyperv.rpc-epmap",
        phase: Phase::Conversion, from: Role::Server, to: Role::VirtualizationHost, protocol: Protocol::Tcp, ports: p(135),
        purpose: "WMI over DCOM on the Hyper-V host: creating the target VM (endpoint mapper)",
        when: Condition { products: HYPERV_PRODUCTS, platforms: &[Platform::HyperV], flags: &[Flag::Container], ..ANY },
        documented: &[], optional: false, inferred: true, notes: prose_list(INFERRED_HYPERV),
        source: prose(TID), page: prose(pages::TID),
        quote: prose("135/445      TCP       For DCOM/RPC communication as PlateSpin utilizes WMI when discovering Windows based servers"),
    },
    Rule {
        id: "conversion.container.hyperv.smb",
        phase: Phase::Conversion, from: Role::Server, to: Role::VirtualizationHost, protocol: Protocol::Tcp, ports: p(445),
        purpose: "WMI over DCOM on the Hyper-V host: creating the target VM (SMB named pipes)",
        when: Condition { products: HYPERV_PRODUCTS, platforms: &[Platform::HyperV], flags: &[Flag::Container], ..ANY },
        documented: &[], optional: false, inferred: true, notes: prose_list(INFERRED_HYPERV), source: prose(TID), page: prose(pages::TID),
        quote: prose("135/445      TCP       For DCOM/RPC communication as PlateSpin utilizes WMI when discovering Windows based servers"),
    },
    Rule {
        id: "conversion.container.hyperv.rpc-dynamic",
        phase: Phase::Conversion, from: Role::Server, to: Role::VirtualizationHost, protocol: Protocol::Tcp, ports: PortSpec::DynamicRpc,
        purpose: "WMI over DCOM on the Hyper-V host: creating the target VM (dynamic RPC ports)",
        when: Condition { products: HYPERV_PRODUCTS, platforms: &[Platform::HyperV], flags: &[Flag::Container], ..ANY },
        documented: &[], optional: false, inferred: true, notes: prose_list(INFERRED_HYPERV), source: prose(TID), page: prose(pages::TID),
        quote: prose("WMI (RPC/DCOM) may use TCP ports 135 and 445 as well as random/dynamically assigned ports above 1024."),
    },
    // ---- transfer: the replication port, in the server-wide direction ----
    Rule {
        id: "transfer.replication.source-listens",
        phase: Phase::Transfer, from: Role::Target, to: Role::Source, protocol: Protocol::Tcp, ports: p(3725),
        purpose: "Replication: the target connects to the source (SourceListensForConnection=True, the default)",
        when: Condition { transfers: REPLICATED, replication: Some(Replication::SourceListens), ..ANY },
        documented: &[], optional: false, inferred: false, notes: prose_list(REPLICATION_NOTES),
        source: prose(DIRECTION), page: prose(pages::DIRECTION),
        quote: prose("True: (Default) The target workload contacts the source workload to initiate replication. The source listens for traffic on the replication port (default TCP/3725). The replication port must be open for inbound traffic on the source workload."),
    },
    Rule {
        id: "transfer.replication.target-listens",
        phase: Phase::Transfer, from: Role::Source, to: Role::Target, protocol: Protocol::Tcp, ports: p(3725),
        purpose: "Replication: the source connects to the target (SourceListensForConnection=False)",
        when: Condition { products: TARGET_LISTENS_PRODUCTS, transfers: REPLICATED, replication: Some(Replication::TargetListens), ..ANY },
        documented: TARGET_LISTENS_DOCUMENTED, optional: false, inferred: false, notes: prose_list(TARGET_LISTENS_NOTES),
        source: prose(DIRECTION), page: prose(pages::DIRECTION),
        quote: prose("False: The source workload contacts the target workload to initiate replication. The target listens … must be open for inbound traffic on the target workload."),
    },
    Rule {
        id: "transfer.agent.ssh",
        phase: Phase::Transfer, from: Role::Source, to: Role::Target, protocol: Protocol::Tcp, ports: p(22),
        purpose: "SSH from a Linux source with the Migrate Agent (direction inferred)",
        when: Condition { products: AGENT_PRODUCTS, os: Some(Os::Linux), agent: Some(true), ..ANY },
        documented: MIGRATE_2018_11, optional: false, inferred: true,
        notes: prose_list(&["Direction inferred: the guide says \"For source Linux workloads, you also need to open the SSH port (TCP/22)\" without naming a direction (Q6); planned source -> target as the vendor's AWS Quick Start opens TCP 22 \"SSH\" into the replication network beside TCP 3725 \"Data Transfer\" (Q17)."]),
        source: prose("Migrate 2019.5 user guide, \"Using Migrate Agent to Register Workloads\""), page: prose(pages::AGENT_2019_5),
        quote: prose("For source Linux workloads, you also need to open the SSH port (TCP/22)."),
    },
    // ---- legacy block-based (Portability Suite 8.1.3 / Forge 2.5 and below) ----
    Rule {
        id: "legacy.handshake",
        phase: Phase::Legacy, from: Role::Source, to: Role::Target, protocol: Protocol::Tcp, ports: p(9999),
        purpose: "Block-level transfer: initial communication between source and target",
        when: LEGACY, documented: &[], optional: false, inferred: false,
        notes: prose_list(&["Interpretation: direction source -> target, as for the drive connections the article describes."]), source: prose(TID), page: prose(pages::TID),
        quote: prose("9999 TCP - Required during block-level data transfer for initial communication between source and target."),
    },
    Rule {
        id: "legacy.named-pipes",
        phase: Phase::Legacy, from: Role::Source, to: Role::Target, protocol: Protocol::Tcp, ports: r(137, 139),
        purpose: "Named Pipe communication between source and target (NetBIOS)",
        when: LEGACY, documented: &[], optional: false, inferred: false,
        notes: prose_list(&[
            "The article writes \"137-139/445 TCP\"; NetBIOS name and datagram services are really UDP 137/138, so also allow UDP 137-138 if your firewall is strict.",
            "Needs File & Printer Sharing (Q20979) and Client for Microsoft Networks (Q21155) on both machines.",
            "Interpretation: direction source -> target.",
        ]),
        source: prose(TID), page: prose(pages::TID),
        quote: prose("137-139/445 TCP – For Named Pipe communication between the source and the target."),
    },
    Rule {
        id: "legacy.smb",
        phase: Phase::Legacy, from: Role::Source, to: Role::Target, protocol: Protocol::Tcp, ports: p(445),
        purpose: "Named Pipe communication between source and target (SMB)",
        when: LEGACY, documented: &[], optional: false, inferred: false, notes: prose_list(&["Interpretation: direction source -> target."]), source: prose(TID), page: prose(pages::TID),
        quote: prose("137-139/445 TCP – For Named Pipe communication between the source and the target."),
    },
    Rule {
        id: "legacy.drive",
        phase: Phase::Legacy, from: Role::Source, to: Role::Target, protocol: Protocol::Tcp, ports: PortSpec::Drives,
        purpose: "Block-level mirror of one drive (10000 + drive index)",
        when: LEGACY, documented: &[], optional: false, inferred: false,
        notes: prose_list(&["One TCP connection per mirrored drive: A=10000, C=10002, D=10003 … Z=10025 (the article's \"10000-100025\" is a typo for 10025)."]),
        source: prose(TID), page: prose(pages::TID),
        quote: prose("The source machine will use port 10000 + X (where X = drive letter ‘A’ to ‘X’), for example, the port for drive C is 10002, D will use TCP port 10003, etc."),
    },
    Rule {
        id: "legacy.icmp",
        phase: Phase::Legacy, from: Role::Source, to: Role::Target, protocol: Protocol::Icmp, ports: PortSpec::None,
        purpose: "ICMP echo (ping) between source and target",
        when: LEGACY, documented: &[], optional: false, inferred: false,
        notes: prose_list(&["Interpretation: the article says \"between source and target servers\"; modelled source -> target, allow echo both ways if in doubt."]), source: prose(TID), page: prose(pages::TID),
        quote: prose("ICMP (Ping) is also used between source and target servers."),
    },
    // ---- management ----
    Rule {
        id: "management.connector",
        phase: Phase::Management, from: Role::Connector, to: Role::Server, protocol: Protocol::Tcp, ports: p(61613),
        purpose: "STOMP event messages (RabbitMQ): a Migrate Connector subscribes to the Migrate server",
        when: Condition { products: MESSAGING_PRODUCTS, ..ANY }, documented: MESSAGING_DOCUMENTED, optional: false, inferred: false,
        notes: prose_list(&[
            "Migrate 2019.5: \"(Azure) For a cloud-based Migrate Server in Azure, allow inbound connections for STOMP traffic (TCP port 61613) in the Migrate server’s Network …\" (Q9).",
            "\"A Connector instance subscribes automatically to the event service for its PTM Server and to the event services for its assigned PlateSpin Migrate servers\" (Q21); event messaging is also in the Migrate 2018.11 guide (Q9).",
        ]),
        source: prose("Migrate 2019.5 user guide, \"Enabling Event Messaging for PlateSpin Migration Factory\""), page: prose(pages::RABBITMQ),
        quote: prose("open TCP port 61613 for incoming STOMP traffic on the Migrate server host"),
    },
    Rule {
        id: "management.factory.stomp",
        phase: Phase::Management, from: Role::Connector, to: Role::Factory, protocol: Protocol::Tcp, ports: p(61613),
        purpose: "STOMP event messages (RabbitMQ): a Migrate Connector subscribes to the Transformation Manager",
        when: Condition { products: MESSAGING_PRODUCTS, ..ANY }, documented: MESSAGING_DOCUMENTED, optional: false, inferred: false,
        notes: prose_list(&[STOMP_APPLIANCE, "\"The event message queues are pre-configured on the PTM Server and the PlateSpin Migrate Server\" (Q21)."]),
        source: prose(PTM_NETWORK_2019_2), page: prose(pages::PTM_NETWORK_2019_2),
        quote: prose("A Connector instance subscribes automatically to the event service for its PTM Server and to the event services for its assigned PlateSpin Migrate servers."),
    },
    Rule {
        id: "management.factory.stomp-connector",
        phase: Phase::Management, from: Role::Factory, to: Role::Connector, protocol: Protocol::Tcp, ports: p(61613),
        purpose: "STOMP event messages between the Transformation Manager and a Migrate Connector (PTM 1.1)",
        when: Condition { products: PTM_1_1_PRODUCTS, ..ANY }, documented: &[], optional: false, inferred: false,
        notes: prose_list(&[PTM_1_1_NOTE]),
        source: prose(PTM_1_1), page: prose(pages::PTM_1_1),
        quote: prose("61613 (Stomp, allow TCP, incoming) … Open this port on all other Connector host servers, the PlateSpin Migrate servers configured for the project, and the firewalls between them."),
    },
    Rule {
        id: "management.factory.stomp-server",
        phase: Phase::Management, from: Role::Factory, to: Role::Server, protocol: Protocol::Tcp, ports: p(61613),
        purpose: "STOMP event messages between the Transformation Manager and the Migrate server (PTM 1.1)",
        when: Condition { products: PTM_1_1_PRODUCTS, ..ANY }, documented: &[], optional: false, inferred: false,
        notes: prose_list(&[PTM_1_1_NOTE]),
        source: prose(PTM_1_1), page: prose(pages::PTM_1_1),
        quote: prose("61613 (Stomp, allow TCP, incoming) … Open this port on all other Connector host servers, the PlateSpin Migrate servers configured for the project, and the firewalls between them."),
    },
    Rule {
        id: "management.factory.https",
        phase: Phase::Management, from: Role::Admin, to: Role::Factory, protocol: Protocol::Tcp, ports: p(8183),
        purpose: "HTTPS: the Transformation Manager web interface",
        when: Condition { products: MESSAGING_PRODUCTS, ..ANY }, documented: PTM_2_DOCUMENTED, optional: false, inferred: false, notes: prose_list(&[]),
        source: prose(PTM_2019_2), page: prose(pages::PTM_2019_2),
        quote: prose("HTTPS port for the Web Interface. Allow TCP and UDP traffic, incoming and outgoing."),
    },
    Rule {
        id: "management.factory.https-udp",
        phase: Phase::Management, from: Role::Admin, to: Role::Factory, protocol: Protocol::Udp, ports: p(8183),
        purpose: "The Transformation Manager web interface port, UDP (the vendor says TCP and UDP)",
        when: Condition { products: MESSAGING_PRODUCTS, ..ANY }, documented: PTM_2_DOCUMENTED, optional: false, inferred: false, notes: prose_list(&[]),
        source: prose(PTM_2019_2), page: prose(pages::PTM_2019_2),
        quote: prose("HTTPS port for the Web Interface. Allow TCP and UDP traffic, incoming and outgoing."),
    },
    Rule {
        id: "management.factory.http",
        phase: Phase::Management, from: Role::Admin, to: Role::Factory, protocol: Protocol::Tcp, ports: p(8182),
        purpose: "HTTP: the Transformation Manager web interface (off by default)",
        when: Condition { products: MESSAGING_PRODUCTS, ..ANY }, documented: PTM_2_DOCUMENTED, optional: true, inferred: false, notes: prose_list(&[]),
        source: prose(PTM_2019_2), page: prose(pages::PTM_2019_2),
        quote: prose("HTTP traffic for the Web Interface. This port is disabled by default. If you enable this port, allow TCP and UDP traffic, incoming and outgoing."),
    },
    Rule {
        id: "management.factory.http-udp",
        phase: Phase::Management, from: Role::Admin, to: Role::Factory, protocol: Protocol::Udp, ports: p(8182),
        purpose: "The Transformation Manager HTTP port, UDP (off by default; the vendor says TCP and UDP)",
        when: Condition { products: MESSAGING_PRODUCTS, ..ANY }, documented: PTM_2_DOCUMENTED, optional: true, inferred: false, notes: prose_list(&[]),
        source: prose(PTM_2019_2), page: prose(pages::PTM_2019_2),
        quote: prose("HTTP traffic for the Web Interface. This port is disabled by default. If you enable this port, allow TCP and UDP traffic, incoming and outgoing."),
    },
    Rule {
        id: "management.factory.appliance",
        phase: Phase::Management, from: Role::Admin, to: Role::Factory, protocol: Protocol::Tcp, ports: p(9443),
        purpose: "HTTPS: administering the Transformation Manager appliance",
        when: Condition { products: MESSAGING_PRODUCTS, flags: &[Flag::Appliance], ..ANY }, documented: PTM_2_DOCUMENTED, optional: false, inferred: false, notes: prose_list(&[]),
        source: prose(PTM_APPLIANCE), page: prose(pages::PTM_APPLIANCE),
        quote: prose("Use this port to securely manage the PTM Appliance."),
    },
    Rule {
        id: "management.factory.ssh",
        phase: Phase::Management, from: Role::Admin, to: Role::Factory, protocol: Protocol::Tcp, ports: p(22),
        purpose: "SSH to the Transformation Manager appliance (off by default)",
        when: Condition { products: MESSAGING_PRODUCTS, flags: &[Flag::Appliance], ..ANY }, documented: PTM_2_DOCUMENTED, optional: true, inferred: false, notes: prose_list(&[]),
        source: prose("Transformation Manager 2019.5 appliance guide, \"Network Access and Communications\""), page: prose(pages::PTM_APPLIANCE_2019_5),
        quote: prose("You can use SSH to remotely access the PTM Appliance to start, stop, or restart it without using a VMware client. SSH is disabled by default."),
    },
    Rule {
        id: "management.factory.database",
        phase: Phase::Management, from: Role::Factory, to: Role::Database, protocol: Protocol::Tcp, ports: p(5432),
        purpose: "PostgreSQL: the Transformation Manager's remote database",
        when: Condition { products: MESSAGING_PRODUCTS, ..ANY }, documented: PTM_2_DOCUMENTED, optional: false, inferred: false, notes: prose_list(&[]),
        source: prose(PTM_APPLIANCE), page: prose(pages::PTM_APPLIANCE),
        quote: prose("If you configure a remote PostgreSQL database for the PTM Appliance, this port is used by PTM to access to your remote database."),
    },
    Rule {
        id: "management.factory.cloud",
        phase: Phase::Management, from: Role::Factory, to: Role::VirtualizationHost, protocol: Protocol::Tcp, ports: p(443),
        purpose: "HTTPS: the Transformation Manager discovers the cloud target platform through its portal",
        when: Condition { products: MESSAGING_PRODUCTS, platforms: PTM_CLOUDS, flags: &[Flag::Container], ..ANY }, documented: PTM_2_DOCUMENTED, optional: false, inferred: false,
        notes: prose_list(&["The 2019.5 page says the same for Amazon Web Services: \"Discovery is performed by PTM using HTTPS queries\" (Q21)."]),
        source: prose("Transformation Manager 2019.5 user guide, \"Supported Configurations\""), page: prose(pages::PTM_DISCOVERY_2019_5),
        quote: prose("Discovery is performed by PTM using HTTPS queries for the user account through the appropriate Azure portal."),
    },
    Rule {
        id: "management.admin.https",
        phase: Phase::Management, from: Role::Admin, to: Role::Server, protocol: Protocol::Tcp, ports: p(443),
        purpose: "HTTPS: the PlateSpin web interface and Migrate Client (if SSL is enabled)",
        when: Condition { products: FROM_11, ..ANY }, documented: &[], optional: false, inferred: false,
        notes: prose_list(&["Interpretation: the Migrate Client uses the server's web services like the workloads do (TID 7920341: HTTPS for version 11.x and above)."]),
        source: prose(PROTECT_11_2_1), page: prose(pages::PROTECT_11_2_1),
        quote: prose("TCP 443 For HTTPS communication (if SSL is enabled)"),
    },
    Rule {
        id: "management.admin.http",
        phase: Phase::Management, from: Role::Admin, to: Role::Server, protocol: Protocol::Tcp, ports: p(80),
        purpose: "HTTP: the PlateSpin web interface and Migrate Client (without SSL)",
        when: ANY, documented: &[], optional: false, inferred: false,
        notes: prose_list(&["The Protect and Forge pages list TCP 80 and TCP 443 for the web interface (Q11, newer-versions.md #5); Migrate's web interface and Migrate Client are planned the same."]),
        source: prose(PROTECT_11_2_1), page: prose(pages::PROTECT_11_2_1),
        quote: prose("TCP 80 For HTTP communication"),
    },
    Rule {
        id: "management.admin.rdp",
        phase: Phase::Management, from: Role::Admin, to: Role::Server, protocol: Protocol::Tcp, ports: p(3389),
        purpose: "RDP: remote desktop to the cloud-hosted PlateSpin server",
        when: Condition { products: MIGRATE, flags: &[Flag::CloudServer], ..ANY }, documented: &[], optional: true, inferred: false,
        notes: prose_list(&["Only to administer the server's Windows desktop; PlateSpin itself does not use it."]),
        source: prose("Migrate 2018.11 AWS Quick Start template"), page: prose(pages::AWS_QUICK_START),
        quote: prose("into the server: TCP 443 \"HTTPS\", TCP 3389 \"RDP\""),
    },
];

/// `sha256:<hex>` of the rule table's source (`core/src/rules.rs`, hashed by the build
/// script): plans, reports and `portplan --version` carry it, so a report says which
/// rules it was checked against. Any edit of the table gives a new digest; computing it
/// at build time keeps hashing out of the page's first load.
pub fn catalog_digest() -> &'static str {
    env!("PORTPLAN_CATALOG_DIGEST")
}

/// Looks a rule up by id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

impl Rule {
    /// When the rule applies to `product v` but no stored page of that version states
    /// the port: a note naming the nearest documented release the flow is planned as.
    pub fn undocumented_note(&self, product: Product, v: &Version) -> Option<String> {
        if self.documented.is_empty()
            || self
                .documented
                .iter()
                .any(|r| r.product == product && r.contains(v))
        {
            return None;
        }
        let ranges: Vec<&ProductRange> = self
            .documented
            .iter()
            .filter(|r| r.product == product)
            .collect();
        let nearest = ranges.iter().find_map(|r| match (r.min, r.max) {
            (Some(min), _) if !at_least(v, min) => Some(bound(min)),
            (_, Some(max)) if !at_most(v, max) => Some(bound(max)),
            _ => None,
        });
        let from = ranges
            .iter()
            .map(|r| r.describe())
            .collect::<Vec<_>>()
            .join(", ");
        Some(match nearest {
            Some(n) => format!(
                "No stored {} {v} guide states this port; planned as documented for {} {n} (stated for {from}).",
                product.title(),
                product.title()
            ),
            None => format!("No stored {} {v} guide states this port; planned as documented elsewhere.", product.title()),
        })
    }
}

impl ProductRange {
    /// `Migrate 2018.11 and later`, `Migrate up to 2019.8`, `Protect`.
    pub fn describe(&self) -> String {
        let t = self.product.title();
        match (self.min, self.max) {
            (Some(a), Some(b)) => format!("{t} {}-{}", bound(a), bound(b)),
            (Some(a), None) => format!("{t} {} and later", bound(a)),
            (None, Some(b)) => format!("{t} up to {}", bound(b)),
            (None, None) => t.to_string(),
        }
    }
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
                !r.source.is_empty() && !r.quote.is_empty() && !r.page.is_empty(),
                "{} cites no source",
                r.id
            );
            assert_ne!(r.from, r.to, "{}", r.id);
        }
    }

    #[test]
    fn undocumented_versions_are_planned_as_the_nearest_documented_one() {
        let v = |s| Version::parse(s).expect("v");
        let kvm = rule("discovery.kvm.ssh").expect("rule");
        assert_eq!(kvm.undocumented_note(Product::Migrate, &v("2018.11")), None);
        let note = kvm
            .undocumented_note(Product::Migrate, &v("12.2"))
            .expect("note");
        assert!(note.contains("Migrate 2018.11"), "{note}");
        assert!(note.contains("Migrate 12.2"), "{note}");
    }

    /// The planner and the scenario checks read products and versions only through
    /// the catalog's data (conditions, ranges, substitutes, container support).
    #[test]
    fn no_code_outside_the_catalog_branches_on_a_product() {
        let files = [
            ("plan/mod.rs", include_str!("plan/mod.rs")),
            ("plan/file.rs", include_str!("plan/file.rs")),
            ("scenario.rs", include_str!("scenario.rs")),
        ];
        for (file, text) in files {
            for p in Product::ALL {
                let variant = format!("{p:?}");
                assert!(
                    !text.contains(&format!("Product::{variant}")),
                    "{file} branches on Product::{variant}"
                );
            }
        }
        let kinds: Vec<&str> = CONDITION_KINDS.iter().map(|(k, _)| *k).collect();
        let json = serde_json::to_value(ANY).expect("json");
        let fields: Vec<&str> = json
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        let mut sorted = kinds.clone();
        sorted.sort_unstable();
        assert_eq!(
            sorted, fields,
            "CONDITION_KINDS lists every field of Condition"
        );
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
        assert!(HYPERV_PRODUCTS[0].contains(&v("2019.8.1")));
        assert!(!HYPERV_PRODUCTS[0].contains(&v("2020.2")));
    }
}
