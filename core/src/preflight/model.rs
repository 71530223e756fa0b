//! One model of a host's packet filter, read from either `nft -j list ruleset` or
//! `iptables-save`, so both dialects are judged by the same evaluator.
//!
//! The model keeps only what decides whether a new inbound connection reaches a local
//! socket. Everything else it meets is kept as [`Cond::Unknown`] or
//! [`Action::Unknown`] with words saying what it was: the evaluator then answers
//! "unknown" where that part could matter, instead of guessing.

use std::net::IpAddr;

/// The address family of a table (`nft` families; `iptables-save` is `Ip`,
/// `ip6tables-save` is `Ip6`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFamily {
    Ip,
    Ip6,
    Inet,
    Netdev,
    Bridge,
    Arp,
}

impl TableFamily {
    pub fn parse(s: &str) -> Option<TableFamily> {
        Some(match s {
            "ip" => TableFamily::Ip,
            "ip6" => TableFamily::Ip6,
            "inet" => TableFamily::Inet,
            "netdev" => TableFamily::Netdev,
            "bridge" => TableFamily::Bridge,
            "arp" => TableFamily::Arp,
            _ => return None,
        })
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            TableFamily::Ip => "ip",
            TableFamily::Ip6 => "ip6",
            TableFamily::Inet => "inet",
            TableFamily::Netdev => "netdev",
            TableFamily::Bridge => "bridge",
            TableFamily::Arp => "arp",
        }
    }
}

/// The netfilter hooks an inbound packet to a local socket passes, in order. Other
/// hooks (forward, output, postrouting) never see it and are not kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Hook {
    Ingress,
    Prerouting,
    Input,
}

/// What a base chain does with a packet that reaches its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    Accept,
    Drop,
}

/// A chain attached to a hook.
#[derive(Debug, Clone, PartialEq)]
pub struct BaseChain {
    pub hook: Hook,
    pub priority: i64,
    pub policy: Policy,
    /// `type nat` chains may rewrite the destination; `filter` and `route` only judge.
    pub nat: bool,
    /// The devices an ingress chain is bound to (empty for the other hooks).
    pub devices: Vec<String>,
}

/// A chain: base (attached to a hook) or regular (reached by jump/goto only).
#[derive(Debug, Clone, PartialEq)]
pub struct Chain {
    pub family: TableFamily,
    pub table: String,
    pub name: String,
    pub base: Option<BaseChain>,
    pub rules: Vec<Rule>,
}

impl Chain {
    /// `inet filter input`: how evidence names the chain.
    pub fn label(&self) -> String {
        format!("{} {} {}", self.family.as_str(), self.table, self.name)
    }
}

/// One rule: conditions that must all hold, then actions in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// How evidence names the rule: `handle 7` for nft, `rule 3 (-A INPUT …)` for
    /// iptables-save.
    pub id: String,
    pub items: Vec<Item>,
}

/// A rule's items in order: conditions and actions interleave in nft (`counter` before
/// a match is legal), so they stay in one list.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Cond(Cond),
    Action(Action),
}

/// A packet property the evaluator knows how to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// `meta iif` (an index, printed as a name).
    Iif,
    /// `meta iifname`, with `*` wildcards at the end.
    IifName,
    /// `meta l4proto`, `ip protocol`, `ip6 nexthdr`, iptables `-p`.
    L4Proto,
    /// `ip protocol`: only present on IPv4 packets.
    IpProtocol,
    /// `ip6 nexthdr`: only present on IPv6 packets.
    Ip6Nexthdr,
    /// `meta nfproto` (`ipv4`, `ipv6`).
    NfProto,
    /// `meta protocol` (the ethertype: `ip`, `ip6`).
    EtherProto,
    /// `ip saddr` / `ip6 saddr` (the version is the family the header needs).
    SAddr(IpVersion),
    DAddr(IpVersion),
    /// The destination port of a transport header: `tcp dport`, `udp dport`, `th dport`.
    DPort(Transport),
    /// The source port: chosen by the peer, so never known here.
    SPort(Transport),
    IcmpType,
    IcmpCode,
    Icmpv6Type,
    Icmpv6Code,
    /// `ct state`.
    CtState,
    /// `ct direction`.
    CtDirection,
    /// `ct status` (`dnat`, `snat`, `expected`, `seen-reply`, `assured`, `confirmed`):
    /// a new connection that was not rewritten has none of them at the input hook.
    CtStatus,
    /// `meta pkttype` (`host`/`unicast` for a packet to this host).
    PktType,
    /// `fib daddr type`: for a packet to one of the host's own addresses, `local`.
    FibDaddrType,
    /// `fib saddr . iif oif` (with or without `. mark`): the reverse-path check of
    /// firewalld and `rpfilter`. A route back to the peer exists (1) through the
    /// interface the flow arrives on, since that interface is taken from that route.
    FibReversePath,
}

/// The IP version a payload field needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IpVersion {
    V4,
    V6,
    /// iptables `-s` in a table of either family (the table fixes the version).
    Any,
}

/// Which transport headers a port field reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Tcp,
    Udp,
    /// `th`: any transport header with ports (TCP, UDP, UDP-Lite, SCTP, DCCP).
    Any,
    /// Other protocols with ports (`sctp`, `dccp`, `udplite`): never a plan's flow.
    Other,
}

/// How a condition compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `==`, and nft's `in` (membership, also of flag lists such as `ct state`).
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
}

/// A value a condition compares with.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Num(u64),
    /// A name: an interface, a ct state, an nfproto.
    Name(String),
    Addr(IpAddr),
    Prefix(IpAddr, u8),
    NumRange(u64, u64),
    AddrRange(IpAddr, IpAddr),
    /// An anonymous set: any element.
    Set(Vec<Value>),
    /// A named set of the same table (`@allowed`).
    NamedSet(String),
    /// A value of a shape the evaluator does not read, with what it was.
    Unknown(String),
}

/// A condition of a rule.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    Compare {
        field: Field,
        op: Op,
        value: Value,
    },
    /// A condition the evaluator does not read (with what it was): the rule may or may
    /// not match.
    Unknown(String),
}

/// What a rule's verdict does.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Accept,
    Drop,
    /// With how (`tcp reset`, `icmp port-unreachable`).
    Reject(String),
    Return,
    Continue,
    Jump(String),
    Goto(String),
}

/// An action of a rule.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Verdict(Verdict),
    /// `ct state vmap { established : accept, … }`, and named verdict maps: the first
    /// key the field matches decides; none continues with the next rule.
    VerdictMap {
        field: Field,
        entries: Vec<(Value, Verdict)>,
    },
    /// An action with no effect on whether the packet passes: counter, log, set updates.
    Harmless,
    /// A statement that changes the packet or its fate in ways not modelled (NAT,
    /// queue, mark, notrack…): whatever follows cannot be judged.
    Unknown(String),
}

/// A named set (or verdict map) of a table.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedSet {
    pub family: TableFamily,
    pub table: String,
    pub name: String,
    pub elements: Vec<Value>,
    /// For a verdict map, each element's verdict (same order as `elements`).
    pub verdicts: Option<Vec<Verdict>>,
    /// Filled at run time (`dynamic`, `timeout`): what it holds now says nothing about
    /// a new flow.
    pub dynamic: bool,
}

/// A whole ruleset.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ruleset {
    pub chains: Vec<Chain>,
    pub sets: Vec<NamedSet>,
    /// Parts of the input the reader did not take in, each in words (an object type of
    /// a newer nft, a table family it does not model); kept for the report.
    pub skipped: Vec<String>,
}

impl Ruleset {
    pub fn chain(&self, family: TableFamily, table: &str, name: &str) -> Option<&Chain> {
        self.chains
            .iter()
            .find(|c| c.family == family && c.table == table && c.name == name)
    }

    pub fn set(&self, family: TableFamily, table: &str, name: &str) -> Option<&NamedSet> {
        self.sets
            .iter()
            .find(|s| s.family == family && s.table == table && s.name == name)
    }
}

/// IP protocol numbers of the names nft and iptables print.
pub fn protocol_number(name: &str) -> Option<u64> {
    Some(match name.to_ascii_lowercase().as_str() {
        "icmp" => 1,
        "igmp" => 2,
        "tcp" => 6,
        "udp" => 17,
        "gre" => 47,
        "esp" => 50,
        "ah" => 51,
        "icmpv6" | "ipv6-icmp" => 58,
        "sctp" => 132,
        "udplite" => 136,
        "all" => return None,
        _ => return None,
    })
}

/// ICMP type numbers of nft's and iptables' names (only the ones a ruleset of a server
/// plausibly names; others stay unknown).
pub fn icmp_type_number(name: &str) -> Option<u64> {
    Some(match name {
        "echo-reply" | "pong" => 0,
        "destination-unreachable" => 3,
        "source-quench" => 4,
        "redirect" => 5,
        "echo-request" | "ping" => 8,
        "router-advertisement" => 9,
        "router-solicitation" => 10,
        "time-exceeded" | "ttl-exceeded" => 11,
        "parameter-problem" => 12,
        "timestamp-request" => 13,
        "timestamp-reply" => 14,
        _ => return None,
    })
}

/// ICMPv6 type numbers of nft's names.
pub fn icmpv6_type_number(name: &str) -> Option<u64> {
    Some(match name {
        "destination-unreachable" => 1,
        "packet-too-big" => 2,
        "time-exceeded" => 3,
        "parameter-problem" => 4,
        "echo-request" => 128,
        "echo-reply" => 129,
        "mld-listener-query" => 130,
        "mld-listener-report" => 131,
        "mld-listener-done" | "mld-listener-reduction" => 132,
        "nd-router-solicit" => 133,
        "nd-router-advert" => 134,
        "nd-neighbor-solicit" => 135,
        "nd-neighbor-advert" => 136,
        "nd-redirect" => 137,
        "mld2-listener-report" => 143,
        _ => return None,
    })
}
