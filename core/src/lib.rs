//! # portplan-core
//!
//! Which network ports PlateSpin Migrate, Protect and Forge need, as pure data and
//! pure functions: the rule catalog ([`rules`]), the scenario a user describes
//! ([`scenario`]), the planner that turns one into concrete flows ([`plan`]) and the
//! exporters ([`export`]). No I/O: the same code runs in the CLI and in the browser.
//!
//! ```
//! use portplan_core::{Plan, Scenario};
//! let s = Scenario::from_json(r#"{"format":1,"product":"migrate","version":"12.3",
//!   "server":{"name":"ps01","address":"10.0.0.5"},
//!   "workloads":[{"name":"web01","address":"10.0.1.10","os":"windows",
//!     "target":{"name":"web01-t","address":"10.0.2.10"}}]}"#).unwrap();
//! let plan = Plan::build(&s).unwrap();
//! // The target opens the replication port to the source (SourceListensForConnection=True).
//! assert!(plan.flows.iter().any(|f| f.from == "web01-t" && f.to == "web01"
//!     && f.ports.map(|p| p.first.get()) == Some(3725)));
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(not(test), warn(clippy::unwrap_used))]

pub mod address;
pub mod catalog;
pub mod diagram;
pub mod drive;
pub mod error;
pub mod export;
pub mod firewall;
pub mod handover;
pub mod order;
pub mod plan;
pub mod preflight;
pub mod probe;
pub mod releases;
pub mod report;
pub mod rules;
pub mod sample;
pub mod scenario;
pub mod services;
pub mod share;
pub mod support;
pub mod token;
pub mod types;
pub mod words;

pub use address::{Address, HostName};
pub use drive::DriveLetter;
pub use error::{DriveError, InputError};
pub use plan::{Flow, Plan, PlanHost};
pub use rules::{Rule, RULES};
pub use scenario::Scenario;
pub use types::{Os, Phase, Platform, Port, PortRange, Product, Protocol, Role, Transfer};
