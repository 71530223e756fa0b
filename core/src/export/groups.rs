//! The consolidated firewall view's rules: [`crate::firewall::model`], kept under this
//! name for the exporters and the page that read it here.

pub use crate::firewall::model::*;
