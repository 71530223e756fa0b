//! Words people use for the core's enum values in the selects; the values themselves
//! (and so the files) stay the public format's.

use portplan_core::types::Replication;
use portplan_core::{Os, Product, Transfer};
use yew::AttrValue;

pub fn product(p: Product) -> &'static str {
    match p {
        Product::Migrate => "PlateSpin Migrate",
        Product::Protect => "PlateSpin Protect",
        Product::Forge => "PlateSpin Forge",
        Product::PortabilitySuite => "PlateSpin Portability Suite",
    }
}

pub fn os(o: Os) -> &'static str {
    match o {
        Os::Windows => "Windows",
        Os::Linux => "Linux",
    }
}

pub fn transfer(t: Transfer) -> &'static str {
    match t {
        Transfer::File => "file-based",
        Transfer::VssBbt => "VSS block-based",
        Transfer::Block => "block-based",
        Transfer::BlockLegacy => "legacy block-based",
    }
}

pub fn replication(r: Replication) -> &'static str {
    match r {
        Replication::SourceListens => "source listens",
        Replication::TargetListens => "target listens",
    }
}

/// `(value, label)` options of a core enum.
pub fn options<T: Copy + std::fmt::Display>(
    all: &[T],
    label: fn(T) -> &'static str,
) -> Vec<(AttrValue, AttrValue)> {
    all.iter()
        .map(|v| (AttrValue::from(v.to_string()), AttrValue::from(label(*v))))
        .collect()
}
