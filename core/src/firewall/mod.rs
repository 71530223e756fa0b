//! The consolidated firewall rule model: the plan as the few rules a firewall team
//! reviews and applies (phases merged, address groups with host names collapsed to
//! exact CIDR blocks, NAT kept visible, appliances and clouds apart), and which
//! firewall each host has.
//!
//! Every firewall output prints this one model: the page's view, `--format rules`,
//! the change-request CSV and the host scripts (each only for the hosts of its
//! system), so what a team reviews is what it applies.

pub mod blocks;
pub mod model;
pub mod system;

pub use model::{rules, Group, GroupRule, Member, Opening};
pub use system::{ScriptFamily, System};
