//! Web planner (built with wasm-pack). The wizard arrives with the web issue.
pub use portplan_core as core;
