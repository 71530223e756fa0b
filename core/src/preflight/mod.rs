//! `portplan preflight`, the pure part: what the host's own configuration says about the
//! flows a plan sends to it, before any peer exists.
//!
//! The CLI reads the configuration (`nft -j list ruleset`, `iptables-save`, the Windows
//! registry and firewall API) and hands the text here: [`nft`] and [`iptables`] read a
//! Linux packet filter into one [`model`], [`eval`] judges a new inbound connection
//! against it (allowed / blocked / unknown, with the rule, chain or policy that
//! decided), [`windows_rule`] and [`rpc`] read the Windows firewall's rule strings and
//! the RPC port settings, and [`prerequisites`] holds the vendor's prerequisites as data.
//!
//! Conservative by construction: what a reader does not understand is kept as
//! "unknown" with words saying what it was, and the evaluator answers "unknown" wherever
//! that could change the outcome. A wrong "allowed" costs a migration window.
//!
//! ```
//! use portplan_core::preflight::{eval::{evaluate, Inbound}, nft, Judgement};
//! use portplan_core::Protocol;
//! let rs = nft::parse(r#"{"nftables":[
//!   {"chain":{"family":"inet","table":"f","name":"input","handle":1,"type":"filter",
//!     "hook":"input","prio":0,"policy":"drop"}},
//!   {"rule":{"family":"inet","table":"f","chain":"input","handle":2,"expr":[
//!     {"match":{"op":"==","left":{"payload":{"protocol":"tcp","field":"dport"}},"right":22}},
//!     {"accept":null}]}}]}"#).unwrap();
//! let flow = |port| Inbound { protocol: Protocol::Tcp, port: Some(port), v6: false,
//!   source: None, destination: None, interface: None };
//! assert_eq!(evaluate(&rs, &flow(22)).verdict, Judgement::Allowed);
//! let d = evaluate(&rs, &flow(3725));
//! assert_eq!(d.verdict, Judgement::Blocked);
//! assert_eq!(d.evidence, ["inet f input: end of chain, policy drop"]);
//! ```

pub mod eval;
pub mod iptables;
pub mod model;
pub mod nft;
pub mod prerequisites;
pub mod rpc;
pub mod section;
pub mod windows;
pub mod windows_rule;

use serde::{Deserialize, Serialize};
use std::fmt;
use thiserror::Error;

/// Why a configuration text could not be read at all (a text that reads but holds
/// parts the readers do not model is not an error: those parts make answers unknown).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PreflightError {
    #[error("{what}: {size} bytes, more than the {limit}-byte limit")]
    TooLarge {
        what: &'static str,
        size: usize,
        limit: usize,
    },
    #[error("{what}: not JSON ({message})")]
    Syntax { what: &'static str, message: String },
    #[error("{what}: {message}")]
    Shape { what: &'static str, message: String },
}

/// What the host's own firewall does with a flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Judgement {
    Allowed,
    Blocked,
    /// The configuration could not be read, or holds something that could go either way.
    Unknown,
}

impl Judgement {
    pub const fn as_str(self) -> &'static str {
        match self {
            Judgement::Allowed => "allowed",
            Judgement::Blocked => "blocked",
            Judgement::Unknown => "unknown",
        }
    }
}

impl fmt::Display for Judgement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A judgement and what it rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    pub verdict: Judgement,
    /// The rules, chains or policies that decided (`inet filter input rule handle 7:
    /// accept`, `inet filter input: end of chain, policy drop`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
    /// For `unknown`: what the answer depends on, in words.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
}

impl Decision {
    pub fn new(verdict: Judgement, evidence: Vec<String>, reason: String) -> Decision {
        Decision {
            verdict,
            evidence,
            reason,
        }
    }

    /// An unknown with its reason and no evidence.
    pub fn unknown(reason: impl Into<String>) -> Decision {
        Decision::new(Judgement::Unknown, Vec::new(), reason.into())
    }
}

#[cfg(test)]
mod tests;
