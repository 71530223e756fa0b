//! One component per file; each takes its slice of the draft and an `ondispatch`
//! callback, and renders only what the core computed.

pub mod deployment;
pub mod diagram;
pub mod downloads;
pub mod field;
pub mod hosts;
pub mod import;
pub mod labels;
pub mod paste_preview;
pub mod share_link;
pub mod workloads;
