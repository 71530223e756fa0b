//! The public report format (format 1): what `portplan check` saw, per flow and per port.
//!
//! A report is written by the CLI on the host that probed and read back by the web
//! planner (and by `merge`), so the shape is strict: unknown fields are refused and
//! every error names its JSON path, like [`Plan::from_json`](crate::Plan::from_json).
//! The verdict vocabulary follows nmap and PortQry so a firewall team reads it without
//! a glossary.
//!
//! ```
//! use portplan_core::report::{Report, Verdict};
//! let r = Report::from_json(r#"{"format":1,
//!   "plan_digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000",
//!   "probed_from":"web01","host":"web01.example","started":"2026-01-01T00:00:00Z",
//!   "finished":"2026-01-01T00:00:02Z","flows":[{"phase":"transfer","from":"web01",
//!   "to":"web01-t","protocol":"tcp","ports":{"first":3725,"last":3725},
//!   "purpose":"replication","rule":"transfer.replication","status":"fail",
//!   "hint":"filtered: a firewall drops TCP 3725","probes":[{"protocol":"tcp","port":3725,
//!   "verdict":"filtered","reason":"no-response","latency_ms":null,"attempts":2,"detail":""}]}]}"#)
//!   .unwrap();
//! assert_eq!(r.flows[0].probes[0].verdict, Verdict::Filtered);
//! ```

pub mod fixes;
pub mod merge;
pub mod status;
pub mod view;

use crate::address::HostName;
use crate::error::InputError;
use crate::plan::Flow;
use crate::scenario::{check_address, check_name, check_text, parse_json_within, MAX_PLAN_BYTES};
use crate::types::{Phase, Port, PortRange, Protocol};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The only report format this version reads and writes.
pub const REPORT_FORMAT: u32 = 1;

/// What one probe of one port concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Verdict {
    /// The connection succeeded (TCP handshake, UDP reply, ICMP echo reply).
    #[serde(rename = "open")]
    Open,
    /// The host answered "nothing listens here" (TCP RST, ICMP port unreachable): the
    /// path is open. Before PlateSpin is installed this is often the expected state.
    #[serde(rename = "closed")]
    Closed,
    /// No answer within the timeout, or an ICMP unreachable/admin-prohibited: something
    /// on the path drops or rejects the traffic.
    #[serde(rename = "filtered")]
    Filtered,
    /// UDP without a reply: either a listener that stays silent or a firewall that drops.
    #[serde(rename = "open|filtered")]
    OpenFiltered,
    /// A protocol confirmation or a `portplan listen` responder proved the far end.
    #[serde(rename = "verified")]
    Verified,
    /// The destination's name did not resolve from the probing host.
    #[serde(rename = "unresolved")]
    Unresolved,
    /// The probe could not be carried out (local OS error, deadline reached…).
    #[serde(rename = "error")]
    Error,
    /// The probe needs a privilege the prober does not have (ICMP without root).
    #[serde(rename = "needs-privilege")]
    NeedsPrivilege,
}

impl Verdict {
    /// Every verdict, from the best news to the least informative.
    pub const ALL: &'static [Verdict] = &[
        Verdict::Verified,
        Verdict::Open,
        Verdict::Closed,
        Verdict::OpenFiltered,
        Verdict::Filtered,
        Verdict::Unresolved,
        Verdict::NeedsPrivilege,
        Verdict::Error,
    ];

    /// The string used in reports (`open|filtered`, `needs-privilege`…).
    pub const fn as_str(self) -> &'static str {
        match self {
            Verdict::Open => "open",
            Verdict::Closed => "closed",
            Verdict::Filtered => "filtered",
            Verdict::OpenFiltered => "open|filtered",
            Verdict::Verified => "verified",
            Verdict::Unresolved => "unresolved",
            Verdict::Error => "error",
            Verdict::NeedsPrivilege => "needs-privilege",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a probe got its verdict, nmap-style (`syn-ack`, `conn-refused`…): what the wire
/// or the run said, in the words a firewall team knows from nmap and PortQry. An enum so
/// that the hints, the tables and the page match on a closed set, not on strings.
///
/// Written and read as its string ([`Reason::as_str`], [`FromStr`](std::str::FromStr)):
/// one spelling table, which also keeps the page's exports module small.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    /// A protocol confirmation or the `portplan listen` token proved the far end.
    Confirmed,
    /// `portplan listen` answered, but for another plan: proves nothing about this one.
    ForeignToken,
    /// `portplan listen` of this run answered as another host than the one dialed (a
    /// misrouted DNAT, a mistyped address): the flow does not reach its host.
    WrongHost,
    /// The TCP handshake completed.
    SynAck,
    /// A UDP datagram came back.
    UdpResponse,
    /// An ICMP echo reply came back.
    EchoReply,
    /// A TCP reset: the host is there, nothing listens.
    ConnRefused,
    /// ICMP port unreachable: for a UDP probe the host's answer (`closed`); for a TCP
    /// SYN a firewall's REJECT (`filtered`), since a TCP stack answers with a RST.
    PortUnreach,
    /// Nothing came back within the timeout.
    NoResponse,
    /// ICMP host unreachable (or admin-prohibited, as Linux reports it), or no neighbour
    /// discovery / ARP answer.
    HostUnreachable,
    /// ICMP network unreachable, or no route from the probing host.
    NetUnreachable,
    /// An ICMP communication-administratively-prohibited error, or a local firewall.
    AdminProhibited,
    /// Nothing about the host answered (no SYN-ACK, RST, ICMP error or echo reply) and
    /// its on-link address got no ARP / neighbour-discovery answer: the host is down or
    /// the address is wrong; a firewall is not what stops these probes.
    HostDown,
    /// Out of file descriptors even after backing off.
    Emfile,
    /// Another error of the probing host's OS.
    OsError,
    /// ICMP needs a privilege the prober lacks.
    NoIcmpSocket,
    /// The destination's name did not resolve.
    DnsFailure,
    /// The run's deadline came before the probe finished.
    Deadline,
    /// Ctrl-C or a termination signal stopped the run first.
    Interrupted,
    /// The probe's task ended without a result (a bug, reported rather than hidden).
    Internal,
}

impl Reason {
    /// Every reason, in the order of the enum.
    pub const ALL: &'static [Reason] = &[
        Reason::Confirmed,
        Reason::ForeignToken,
        Reason::WrongHost,
        Reason::SynAck,
        Reason::UdpResponse,
        Reason::EchoReply,
        Reason::ConnRefused,
        Reason::PortUnreach,
        Reason::NoResponse,
        Reason::HostUnreachable,
        Reason::NetUnreachable,
        Reason::AdminProhibited,
        Reason::HostDown,
        Reason::Emfile,
        Reason::OsError,
        Reason::NoIcmpSocket,
        Reason::DnsFailure,
        Reason::Deadline,
        Reason::Interrupted,
        Reason::Internal,
    ];

    /// The string used in reports and tables.
    pub const fn as_str(self) -> &'static str {
        match self {
            Reason::Confirmed => "confirmed",
            Reason::ForeignToken => "foreign-token",
            Reason::WrongHost => "wrong-host",
            Reason::SynAck => "syn-ack",
            Reason::UdpResponse => "udp-response",
            Reason::EchoReply => "echo-reply",
            Reason::ConnRefused => "conn-refused",
            Reason::PortUnreach => "port-unreach",
            Reason::NoResponse => "no-response",
            Reason::HostUnreachable => "host-unreachable",
            Reason::NetUnreachable => "net-unreachable",
            Reason::AdminProhibited => "admin-prohibited",
            Reason::HostDown => "host-down",
            Reason::Emfile => "emfile",
            Reason::OsError => "os-error",
            Reason::NoIcmpSocket => "no-icmp-socket",
            Reason::DnsFailure => "dns-failure",
            Reason::Deadline => "deadline",
            Reason::Interrupted => "interrupted",
            Reason::Internal => "internal",
        }
    }

    /// An ICMP error or a local routing failure: the network said no, explicitly.
    pub const fn is_reject(self) -> bool {
        matches!(
            self,
            Reason::HostUnreachable | Reason::NetUnreachable | Reason::AdminProhibited
        )
    }

    /// The run stopped before the probe finished (deadline, Ctrl-C, internal).
    pub const fn is_unfinished(self) -> bool {
        matches!(
            self,
            Reason::Deadline | Reason::Interrupted | Reason::Internal
        )
    }
}

impl std::str::FromStr for Reason {
    type Err = String;

    /// Reads a report's spelling (`syn-ack`); the error lists the known ones.
    fn from_str(s: &str) -> Result<Reason, String> {
        Reason::ALL
            .iter()
            .copied()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                let known: Vec<&str> = Reason::ALL.iter().map(|r| r.as_str()).collect();
                format!("unknown reason {s:?} (known: {})", known.join(", "))
            })
    }
}

impl Serialize for Reason {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Reason {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Reason, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The summary of a flow: does the network let it through?
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Every probed port answered (open or verified), or proved the path open.
    Pass,
    /// The path answers but something needs a look (closed port, UDP without reply,
    /// missing privilege).
    Attention,
    /// The flow is blocked or could not be checked (filtered, unresolved, error).
    Fail,
}

impl Status {
    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Attention => "attention",
            Status::Fail => "fail",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One probe of one port (or one ICMP echo).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProbeResult {
    pub protocol: Protocol,
    /// Absent for ICMP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<Port>,
    /// The last port of a run: the entry then stands for every port from `port` through
    /// `through`, each with this verdict, reason, attempts and detail (see
    /// [`compact_runs`]). Absent on a single port and in reports of older versions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub through: Option<Port>,
    pub verdict: Verdict,
    /// Why, nmap-style (see [`Reason`]).
    pub reason: Reason,
    /// Round-trip time of the answer that gave the verdict; `null` without an answer.
    /// For a run, the slowest answer of its ports.
    pub latency_ms: Option<f64>,
    /// How many times the probe was sent (retries happen only on no-response). For a
    /// run, the most any of its ports was sent.
    pub attempts: u32,
    /// Free text: the NetBIOS name, a banner, the sampling of a range, the OS error.
    pub detail: String,
    /// The address probed (`10.0.1.2:445`, `[fd00::2]:445`, an IP for ICMP): what the
    /// plan's name or address resolved to; for a run, its first port. Absent in reports
    /// of older versions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dialed: Option<String>,
    /// The local address the probe left from (the route's source address).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local: Option<String>,
}

impl ProbeResult {
    /// A result with nothing beyond its verdict: sent once, no answer time, no detail,
    /// no addresses recorded, a single port; callers fill in the rest.
    pub fn new(
        protocol: Protocol,
        port: Option<Port>,
        verdict: Verdict,
        reason: Reason,
    ) -> ProbeResult {
        ProbeResult {
            protocol,
            port,
            through: None,
            verdict,
            reason,
            latency_ms: None,
            attempts: 1,
            detail: String::new(),
            dialed: None,
            local: None,
        }
    }

    /// The last port this entry stands for (its `port` unless it is a run).
    pub fn last_port(&self) -> Option<Port> {
        self.through.or(self.port)
    }

    /// How many ports this entry stands for: 1, or the length of its run.
    pub fn port_count(&self) -> usize {
        match (self.port, self.through) {
            (Some(a), Some(b)) => usize::from(b.get().saturating_sub(a.get())) + 1,
            _ => 1,
        }
    }

    /// The port numbers this entry stands for (none for ICMP).
    pub fn ports(&self) -> impl Iterator<Item = u16> {
        let first = self.port.map_or(1, Port::get);
        let last = self.last_port().map_or(0, Port::get);
        first..=last
    }

    /// Whether `next` says the same as this entry about the port right after it, so the
    /// two can be one run.
    fn continues_with(&self, next: &ProbeResult) -> bool {
        let follows = match (self.last_port(), next.port, next.through) {
            (Some(last), Some(p), None) => u32::from(last.get()) + 1 == u32::from(p.get()),
            _ => false,
        };
        follows
            && self.protocol == next.protocol
            && self.verdict == next.verdict
            && self.reason == next.reason
            && self.detail == next.detail
            && self.local == next.local
            && self.dialed_ip() == next.dialed_ip()
    }

    /// The address part of `dialed` (`10.0.1.2:445` → `10.0.1.2`, `[fd00::2]:445` →
    /// `fd00::2`; an ICMP probe's bare IP, or anything else, as it is).
    pub fn dialed_ip(&self) -> Option<String> {
        let d = self.dialed.as_deref()?;
        Some(match d.parse::<std::net::SocketAddr>() {
            Ok(a) => a.ip().to_string(),
            Err(_) => d.to_owned(),
        })
    }
}

/// Runs shorter than this stay one entry per port: short lists read better so, and
/// keep each port's round-trip time.
pub const MIN_RUN: usize = 8;

/// Writes consecutive ports that say the same ([`MIN_RUN`] or more) as one entry with
/// `through`, in the order given. A `--full-ranges` check of the dynamic RPC range is
/// 16,384 probes per flow; as runs, a whole wave's report stays far below the input
/// limit of `merge` and `--report`.
pub fn compact_runs(probes: Vec<ProbeResult>) -> Vec<ProbeResult> {
    let mut out: Vec<ProbeResult> = Vec::with_capacity(probes.len().min(64));
    let mut run: Vec<ProbeResult> = Vec::new();
    let flush = |run: &mut Vec<ProbeResult>, out: &mut Vec<ProbeResult>| {
        if run.len() < MIN_RUN {
            out.append(run);
            return;
        }
        let last = run.last().and_then(|p| p.port);
        let slowest = run
            .iter()
            .filter_map(|p| p.latency_ms)
            .fold(None, |m: Option<f64>, l| Some(m.map_or(l, |m| m.max(l))));
        // Attempts differ port by port under a SYN limiter (retries of lost SYNs): a run
        // keeps the most any port took, or the runs break up and the report bloats.
        let attempts = run.iter().map(|p| p.attempts).max().unwrap_or(0);
        if let Some(mut first) = run.drain(..).next() {
            first.through = last;
            first.latency_ms = slowest;
            first.attempts = attempts;
            out.push(first);
        }
    };
    for p in probes {
        match run.last() {
            Some(prev) if prev.continues_with(&p) => run.push(p),
            _ => {
                flush(&mut run, &mut out);
                run.push(p);
            }
        }
    }
    flush(&mut run, &mut out);
    out
}

/// At most this many ports in one report, runs counted port by port: 64 full dynamic
/// RPC ranges, a fleet of a few dozen Windows sources checked with `--full-ranges`.
/// Bounds what a reader (the web page, `merge`) spends on a report it did not write.
pub const MAX_REPORT_PORTS: usize = 64 * 16_384;

/// One flow of the plan with what its probes found.
///
/// The plan's flow fields are repeated as they are (not nested) so a report reads like
/// the plan it checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowReport {
    pub phase: Phase,
    pub from: HostName,
    pub to: HostName,
    pub protocol: Protocol,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ports: Option<PortRange>,
    pub purpose: String,
    pub rule: String,
    /// The plan flow's dialed (public) address, optional mark and notes, so the flow
    /// a report entry is about compares equal to the plan's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub optional: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub inferred: bool,
    pub status: Status,
    /// What to do about a failure or an attention; empty when the flow passes.
    pub hint: String,
    pub probes: Vec<ProbeResult>,
}

impl FlowReport {
    /// Starts the report of `flow`, before any probe.
    pub fn new(flow: &Flow, status: Status, hint: String, probes: Vec<ProbeResult>) -> Self {
        FlowReport {
            phase: flow.phase,
            from: flow.from.clone(),
            to: flow.to.clone(),
            protocol: flow.protocol,
            ports: flow.ports,
            purpose: flow.purpose.clone(),
            rule: flow.rule.clone(),
            address: flow.address.clone(),
            optional: flow.optional,
            notes: flow.notes.clone(),
            inferred: flow.inferred,
            status,
            hint,
            probes,
        }
    }

    /// The plan flow this report is about.
    pub fn flow(&self) -> Flow {
        Flow {
            phase: self.phase,
            from: self.from.clone(),
            to: self.to.clone(),
            protocol: self.protocol,
            ports: self.ports,
            purpose: self.purpose.clone(),
            rule: self.rule.clone(),
            address: self.address.clone(),
            optional: self.optional,
            notes: self.notes.clone(),
            inferred: self.inferred,
        }
    }
}

/// A whole report of one `portplan check` run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    pub format: u32,
    /// [`Plan::digest`](crate::Plan::digest) of the plan that was checked.
    pub plan_digest: String,
    /// The plan's [`catalog`](crate::Plan::catalog) digest: which rules the checked flows
    /// came from. Absent in reports of older versions.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub catalog: String,
    /// The plan host the probes were sent from (`--from`).
    pub probed_from: String,
    /// The machine's own host name, as it reported it.
    pub host: String,
    /// RFC 3339 UTC timestamps of the run.
    pub started: String,
    pub finished: String,
    pub flows: Vec<FlowReport>,
    /// What `portplan preflight` found on hosts themselves, one section per host (see
    /// [`crate::preflight`]). Absent in `check`'s reports and in reports of older
    /// versions, which therefore still read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub preflight: Vec<crate::preflight::section::PreflightSection>,
}

impl Report {
    /// Parses and checks a report file, and settles every flow's status from its
    /// verdicts ([`Report::settle`]): a report is someone else's file, so its own word on
    /// a flow is never believed over its probes.
    pub fn from_json(text: &str) -> Result<Report, InputError> {
        Self::from_json_settled(text).map(|(r, _)| r)
    }

    /// [`Report::from_json`], with one line per status it corrected.
    pub fn from_json_settled(text: &str) -> Result<(Report, Vec<String>), InputError> {
        let mut r: Report = parse_json_within(text, MAX_PLAN_BYTES).map_err(|e| match e {
            // A report cut short (a full disk, a copy interrupted) says so in words.
            InputError::Json { path, message } if message.starts_with("EOF while parsing") => {
                InputError::Json {
                    path,
                    message: format!("truncated: the report ends before its JSON does ({message})"),
                }
            }
            other => other,
        })?;
        r.validate()?;
        let corrected = r.settle();
        Ok((r, corrected))
    }

    /// Recomputes each flow's status from its probes' verdicts, as `check` computes it
    /// ([`status::summarize`]). A status that says otherwise (`"pass"` over
    /// filtered probes) is replaced, and its hint with it; returns one line per flow
    /// corrected. `check` writes statuses that agree, so its reports come back unchanged.
    pub fn settle(&mut self) -> Vec<String> {
        let mut corrected = Vec::new();
        for (i, f) in self.flows.iter_mut().enumerate() {
            let flow = f.flow();
            let dynamic = flow
                .rule()
                .is_some_and(|r| r.ports == crate::rules::PortSpec::DynamicRpc);
            let (status, hint) = status::summarize(&flow, &f.probes, dynamic, None);
            if status != f.status {
                corrected.push(format!(
                    "flows[{i}] ({} {} -> {} {}): status \"{}\" contradicts its probes, which say \"{status}\": corrected",
                    f.phase,
                    f.from,
                    f.to,
                    f.ports.map_or_else(|| f.protocol.to_string(), |r| format!("{} {r}", f.protocol)),
                    f.status
                ));
                f.status = status;
                f.hint = hint;
            }
        }
        corrected
    }

    /// The report in its public JSON form, pretty-printed with a trailing newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// The same JSON as [`to_json`](Self::to_json), streamed into `out`: a report of
    /// tens of thousands of probes is never held twice in memory (as structs and text).
    pub fn write_json<W: std::io::Write>(&self, mut out: W) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut out, self).map_err(std::io::Error::other)?;
        out.write_all(b"\n")
    }

    /// Cross-field checks: format, digest shape, timestamps, probes that fit their flow.
    pub fn validate(&self) -> Result<(), InputError> {
        if self.format != REPORT_FORMAT {
            return Err(InputError::invalid(
                "format",
                format!(
                    "{} is not supported (this portplan reads report format {REPORT_FORMAT})",
                    self.format
                ),
            ));
        }
        let hex = self.plan_digest.strip_prefix("sha256:").unwrap_or("");
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(InputError::invalid(
                "plan_digest",
                format!(
                    "{:?} is not \"sha256:\" and 64 hex digits",
                    self.plan_digest
                ),
            ));
        }
        for (field, v) in [("started", &self.started), ("finished", &self.finished)] {
            if !looks_rfc3339(v) {
                return Err(InputError::invalid(
                    field,
                    format!("{v:?} is not an RFC 3339 time (2026-01-31T12:00:00Z)"),
                ));
            }
        }
        // Names and addresses are printed on terminals and pages: a report is someone
        // else's file, so they must be names and addresses, nothing else.
        for name in self.probed_from.split(merge::HOST_SEPARATOR) {
            check_name(name).map_err(|m| InputError::invalid("probed_from", m))?;
        }
        check_text(&self.host).map_err(|m| InputError::invalid("host", m))?;
        for (i, p) in self.preflight.iter().enumerate() {
            p.validate(&format!("preflight[{i}]"))?;
        }
        let mut ports = 0usize;
        for (i, f) in self.flows.iter().enumerate() {
            for (field, name) in [("from", &f.from), ("to", &f.to)] {
                check_name(name)
                    .map_err(|m| InputError::invalid(format!("flows[{i}].{field}"), m))?;
            }
            if let Some(a) = &f.address {
                check_address(a)
                    .map_err(|m| InputError::invalid(format!("flows[{i}].address"), m))?;
            }
            for (j, p) in f.probes.iter().enumerate() {
                let at = |field: &str| format!("flows[{i}].probes[{j}].{field}");
                if let Some(d) = &p.dialed {
                    let ok = d.parse::<std::net::SocketAddr>().is_ok() || check_address(d).is_ok();
                    if !ok {
                        return Err(InputError::invalid(
                            at("dialed"),
                            format!(
                                "{d:?} is not an address (10.0.1.2:445, [fd00::2]:445, 10.0.1.2)"
                            ),
                        ));
                    }
                }
                if let Some(l) = &p.local {
                    if l.parse::<std::net::IpAddr>().is_err() {
                        return Err(InputError::invalid(
                            at("local"),
                            format!("{l:?} is not an IP address"),
                        ));
                    }
                }
                if let Some(through) = p.through {
                    match (p.port, f.ports) {
                        (Some(port), Some(range)) if through > port && range.contains(through) => {}
                        (Some(port), Some(range)) => {
                            return Err(InputError::invalid(
                                at("through"),
                                format!(
                                    "{through} does not end a run after port {port} inside the flow's ports {range}"
                                ),
                            ))
                        }
                        _ => {
                            return Err(InputError::invalid(
                                at("through"),
                                format!("{through}: only a probe with a port can be a run"),
                            ))
                        }
                    }
                }
                ports += p.port_count();
                if ports > MAX_REPORT_PORTS {
                    return Err(InputError::invalid(
                        at("port"),
                        format!("the report holds more than {MAX_REPORT_PORTS} probed ports"),
                    ));
                }
                if p.protocol != f.protocol {
                    return Err(InputError::invalid(
                        at("protocol"),
                        format!("{} probe in a {} flow", p.protocol, f.protocol),
                    ));
                }
                match (f.ports, p.port) {
                    (None, Some(port)) => {
                        return Err(InputError::invalid(
                            at("port"),
                            format!("{port}: icmp probes have no port"),
                        ))
                    }
                    (Some(_), None) => return Err(InputError::invalid(at("port"), "missing port")),
                    (Some(range), Some(port)) if !range.contains(port) => {
                        return Err(InputError::invalid(
                            at("port"),
                            format!("{port} is outside the flow's ports {range}"),
                        ))
                    }
                    _ => {}
                }
                if p.latency_ms.is_some_and(|l| !l.is_finite() || l < 0.0) {
                    return Err(InputError::invalid(
                        at("latency_ms"),
                        "not a non-negative number",
                    ));
                }
            }
            covers(f).map_err(|m| InputError::invalid(format!("flows[{i}].probes"), m))?;
        }
        Ok(())
    }

    /// Whether this report is about `plan` (same digest), so its verdicts can be laid
    /// over that plan's flows.
    pub fn checks(&self, plan: &crate::Plan) -> bool {
        self.plan_digest == plan.digest()
    }

    /// Count of flows per status: (pass, attention, fail).
    pub fn counts(&self) -> (usize, usize, usize) {
        let n = |s| self.flows.iter().filter(|f| f.status == s).count();
        (n(Status::Pass), n(Status::Attention), n(Status::Fail))
    }
}

/// Whether a flow's probes cover its ports: every port (a dynamic RPC range is sampled,
/// so there at least one probe), so a status can only come from probes of the flow. A
/// report without them was not written by `check` as it is.
fn covers(f: &FlowReport) -> Result<(), String> {
    let dynamic = f
        .flow()
        .rule()
        .is_some_and(|r| r.ports == crate::rules::PortSpec::DynamicRpc);
    if f.probes.is_empty() {
        return Err("no probe: a flow's status comes from its probes".into());
    }
    let Some(range) = f.ports.filter(|_| !dynamic) else {
        return Ok(());
    };
    let first = range.first.get();
    let mut seen = vec![false; range.len() as usize];
    for p in &f.probes {
        for port in p.ports() {
            if let Some(s) = seen.get_mut(usize::from(port.wrapping_sub(first))) {
                *s = true;
            }
        }
    }
    let missing: Vec<u16> = range
        .ports()
        .map(Port::get)
        .filter(|p| !seen[usize::from(p - first)])
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "no probe for {} {} of the flow's ports {range}",
            f.protocol.as_str().to_ascii_uppercase(),
            port_runs(&missing)
        ))
    }
}

/// `YYYY-MM-DDTHH:MM:SS` then a fraction and/or a zone; a shape check, not a calendar.
fn looks_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    b.len() >= 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && matches!(b[10], b'T' | b't')
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19)
        && (s.ends_with(['Z', 'z']) || s[19..].contains(['+', '-']))
}

/// Port lists as people read them: runs collapsed into ranges and, when that is more
/// than a few ports, their count: `135, 139, 445`; `49152-53247, 57344-65535 (12288
/// ports)`. At most [`RUNS_SHOWN`] runs are written out; the rest are counted.
pub fn port_runs(ports: &[u16]) -> String {
    // Sorted and deduplicated through a bitmap of the ports' span, not a sort: a few
    // lines of code instead of a sort's several KiB in the page's wasm, and linear.
    let lo = ports.iter().copied().min().unwrap_or(0);
    let hi = ports.iter().copied().max().unwrap_or(0);
    let mut seen = vec![false; usize::from(hi - lo) + 1];
    for p in ports {
        seen[usize::from(p - lo)] = true;
    }
    let sorted: Vec<u16> = (lo..=hi).filter(|p| seen[usize::from(p - lo)]).collect();
    let mut runs: Vec<(u16, u16)> = Vec::new();
    for p in sorted.iter().copied() {
        match runs.last_mut() {
            Some(last) if u32::from(last.1) + 1 == u32::from(p) => last.1 = p,
            _ => runs.push((p, p)),
        }
    }
    let shown: Vec<String> = runs
        .iter()
        .take(RUNS_SHOWN)
        .map(|&(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        })
        .collect();
    let mut s = shown.join(", ");
    let hidden: usize = runs
        .iter()
        .skip(RUNS_SHOWN)
        .map(|&(a, b)| usize::from(b - a) + 1)
        .sum();
    if hidden > 0 {
        s.push_str(&format!(" and {hidden} more"));
    }
    if sorted.len() > 3 && (sorted.len() > runs.len() || hidden > 0) {
        s.push_str(&format!(" ({} ports)", sorted.len()));
    }
    s
}

/// How many runs of ports [`port_runs`] writes out.
pub const RUNS_SHOWN: usize = 8;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_reads_back_as_written() {
        for &r in Reason::ALL {
            let json = serde_json::to_string(&r).expect("json");
            assert_eq!(json, format!("\"{}\"", r.as_str()));
            assert_eq!(serde_json::from_str::<Reason>(&json).expect("read"), r);
            assert_eq!(r.as_str().parse::<Reason>(), Ok(r));
        }
        let e = "syn".parse::<Reason>().expect_err("unknown");
        assert!(
            e.contains("unknown reason \"syn\"") && e.contains("syn-ack"),
            "{e}"
        );
    }

    #[test]
    fn the_streamed_json_is_the_json() {
        let r = Report::from_json(
            r#"{"format":1,"plan_digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000",
            "catalog":"sha256:1111","probed_from":"ps01","host":"ps01","started":"2026-01-01T00:00:00Z",
            "finished":"2026-01-01T00:00:02Z","flows":[{"phase":"discovery","from":"ps01","to":"web01",
            "protocol":"tcp","ports":{"first":49152,"last":65535},"purpose":"rpc \"dyn\"","rule":"r",
            "status":"fail","hint":"h","probes":[{"protocol":"tcp","port":49152,"through":65535,
            "verdict":"filtered","reason":"no-response","latency_ms":null,"attempts":2,"detail":"é",
            "dialed":"10.0.0.1:49152","local":"10.0.0.2"}]}]}"#,
        )
        .expect("report");
        let mut streamed = Vec::new();
        r.write_json(&mut streamed).expect("write");
        assert_eq!(String::from_utf8(streamed).expect("utf-8"), r.to_json());
    }

    #[test]
    fn a_truncated_report_says_truncated() {
        let e = Report::from_json(r#"{"format": 1, "plan_digest": "sha256:ab", "flows": [ {"#)
            .expect_err("truncated");
        assert!(
            e.to_string()
                .contains("truncated: the report ends before its JSON does"),
            "{e}"
        );
    }

    #[test]
    fn port_lists_read_as_ranges_with_counts() {
        let big: Vec<u16> = (49152..=53247).chain(57344..=65535).collect();
        let scattered: Vec<u16> = (1..=40).map(|i| i * 2).collect();
        let cases: [(&[u16], &str); 7] = [
            (&[3725], "3725"),
            (&[445, 135, 139], "135, 139, 445"),
            (&[137, 138], "137-138"),
            (&[1, 2, 3, 4], "1-4 (4 ports)"),
            (&big, "49152-53247, 57344-65535 (12288 ports)"),
            (
                &scattered,
                "2, 4, 6, 8, 10, 12, 14, 16 and 32 more (40 ports)",
            ),
            (&[], ""),
        ];
        for (ports, want) in cases {
            assert_eq!(port_runs(ports), want);
        }
    }

    const DIGEST: &str = "sha256:00000000000000000000000000000000000000000000000000000000000000ff";

    fn report(probe: serde_json::Value) -> String {
        serde_json::json!({
            "format": 1, "plan_digest": DIGEST, "probed_from": "a", "host": "h",
            "started": "2026-01-01T00:00:00Z", "finished": "2026-01-01T00:00:01.5Z",
            "flows": [{"phase": "transfer", "from": "a", "to": "b", "protocol": "tcp",
              "ports": {"first": 15, "last": 15}, "purpose": "p", "rule": "r",
              "status": "pass", "hint": "", "probes": [probe]}]
        })
        .to_string()
    }

    fn probe(port: serde_json::Value, verdict: &str) -> serde_json::Value {
        serde_json::json!({"protocol": "tcp", "port": port, "verdict": verdict,
            "reason": "syn-ack", "latency_ms": 0.3, "attempts": 1, "detail": ""})
    }

    #[test]
    fn every_verdict_round_trips_by_its_public_name() {
        for v in Verdict::ALL {
            let text = report(probe(serde_json::json!(15), v.as_str()));
            let r = Report::from_json(&text).unwrap_or_else(|e| panic!("{v}: {e}"));
            assert_eq!(r.flows[0].probes[0].verdict, *v);
            assert_eq!(Report::from_json(&r.to_json()).expect("again"), r);
        }
    }

    #[test]
    fn a_report_knows_its_plan() {
        let s = crate::Scenario::from_json(include_str!("../../../examples/windows-file.json"))
            .expect("scenario");
        let plan = crate::Plan::build(&s).expect("plan");
        let mut r =
            Report::from_json(&report(probe(serde_json::json!(15), "open"))).expect("report");
        assert!(!r.checks(&plan));
        r.plan_digest = plan.digest();
        assert!(r.checks(&plan));
    }

    #[test]
    fn errors_name_the_json_path() {
        let cases = [
            (
                report(probe(serde_json::json!(15), "half-open")),
                "flows[0].probes[0].verdict",
            ),
            (
                report(probe(serde_json::json!(25), "open")),
                "flows[0].probes[0].port",
            ),
            (
                report(probe(serde_json::json!(0), "open")),
                "flows[0].probes[0].port",
            ),
            (
                report(probe(serde_json::Value::Null, "open")),
                "flows[0].probes[0].port",
            ),
            (
                report(probe(serde_json::json!(15), "open")).replace("\"h\"", "\"h\",\"x\":1"),
                "x",
            ),
            (
                report(probe(serde_json::json!(15), "open")).replace("ff\"", "f\""),
                "plan_digest",
            ),
            (
                report(probe(serde_json::json!(15), "open")).replace("01.5Z", "01"),
                "finished",
            ),
        ];
        for (text, path) in cases {
            let e = Report::from_json(&text).expect_err(path);
            assert!(e.path().starts_with(path), "{path}: got {e}");
        }
    }

    /// A report's own word on a flow is not believed: its status comes from its probes
    /// (corrected, one line each), and probes that leave ports of the flow out, or no
    /// probe at all, are refused. One line per case: (status, probes, ports) → the
    /// status read back and the correction, or the refusal's words.
    #[test]
    fn status_comes_from_the_probes_and_they_cover_the_flow() {
        let filtered = serde_json::json!({"protocol": "tcp", "port": 15, "verdict": "filtered",
            "reason": "no-response", "latency_ms": null, "attempts": 2, "detail": ""});
        let open = probe(serde_json::json!(15), "open");
        let run = serde_json::json!({"protocol": "tcp", "port": 10, "through": 20, "verdict": "open",
            "reason": "syn-ack", "latency_ms": 0.3, "attempts": 1, "detail": ""});
        let with = |status: &str, probes: serde_json::Value, last: u16| {
            let mut v: serde_json::Value =
                serde_json::from_str(&report(open.clone())).expect("json");
            v["flows"][0]["status"] = status.into();
            v["flows"][0]["probes"] = probes;
            v["flows"][0]["ports"] =
                serde_json::json!({"first": if last == 15 { 15 } else { 10 }, "last": last});
            v.to_string()
        };
        type Want = Result<(Status, &'static str), &'static str>;
        let cases: [(&str, serde_json::Value, u16, Want); 6] = [
            ("pass", serde_json::json!([open.clone()]), 15, Ok((Status::Pass, ""))),
            ("pass", serde_json::json!([filtered.clone()]), 15,
             Ok((Status::Fail, "flows[0] (transfer a -> b tcp 15): status \"pass\" contradicts its probes, which say \"fail\": corrected"))),
            ("fail", serde_json::json!([open.clone()]), 15, Ok((Status::Pass, "status \"fail\" contradicts"))),
            ("pass", serde_json::json!([run]), 20, Ok((Status::Pass, ""))),
            ("pass", serde_json::json!([]), 15, Err("flows[0].probes: no probe")),
            ("pass", serde_json::json!([open.clone()]), 20, Err("flows[0].probes: no probe for TCP 10-14, 16-20 (10 ports) of the flow's ports 10-20")),
        ];
        for (i, (status, probes, last, want)) in cases.into_iter().enumerate() {
            let got = Report::from_json_settled(&with(status, probes, last));
            match (got, want) {
                (Ok((r, notes)), Ok((s, note))) => {
                    assert_eq!(r.flows[0].status, s, "case {i}");
                    assert!(notes.join("\n").contains(note), "case {i}: {notes:?}");
                    assert_eq!(notes.is_empty(), note.is_empty(), "case {i}: {notes:?}");
                    if !notes.is_empty() {
                        let hinted = !r.flows[0].hint.is_empty();
                        assert_eq!(
                            hinted,
                            s != Status::Pass,
                            "case {i}: the hint follows the status"
                        );
                    }
                }
                (Err(e), Err(words)) => assert!(e.to_string().contains(words), "case {i}: {e}"),
                (got, want) => panic!("case {i}: {got:?}, wanted {want:?}"),
            }
        }
    }

    /// Names and addresses of a report reach terminals and pages: an escape sequence in
    /// any of them is refused, naming the field.
    #[test]
    fn names_and_addresses_are_names_and_addresses() {
        let esc = "\u{1b}]0;owned\u{7}";
        let base: serde_json::Value =
            serde_json::from_str(&report(probe(serde_json::json!(15), "open"))).expect("json");
        type Edit<'a> = &'a dyn Fn(&mut serde_json::Value);
        let cases: [(&str, Edit); 6] = [
            ("probed_from", &|v| {
                v["probed_from"] = format!("a{esc}").into()
            }),
            ("host", &|v| v["host"] = "h\u{1b}[2K".into()),
            ("flows[0].from", &|v| {
                v["flows"][0]["from"] = format!("a{esc}").into()
            }),
            ("flows[0].to", &|v| v["flows"][0]["to"] = "b c".into()),
            ("flows[0].probes[0].dialed", &|v| {
                v["flows"][0]["probes"][0]["dialed"] = esc.into()
            }),
            ("flows[0].probes[0].local", &|v| {
                v["flows"][0]["probes"][0]["local"] = "web01".into()
            }),
        ];
        for (path, edit) in cases {
            let mut v = base.clone();
            edit(&mut v);
            let e = Report::from_json(&v.to_string()).expect_err(path);
            assert_eq!(e.path(), path, "{e}");
        }
        let mut fine = base.clone();
        fine["flows"][0]["probes"][0]["dialed"] = "[fd00::2]:15".into();
        fine["flows"][0]["probes"][0]["local"] = "fd00::1".into();
        fine["probed_from"] = "a,b".into();
        Report::from_json(&fine.to_string()).expect("addresses as check writes them");
    }
}
