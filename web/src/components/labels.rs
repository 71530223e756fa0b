//! Words people use for the core's enum values in the selects; the values themselves
//! (and so the files) stay the public format's. The labels live in the core
//! ([`portplan_core::words`]) so the exports module uses the same ones.

pub use portplan_core::words::{os, product, replication, transfer};
use yew::AttrValue;

/// `(value, label)` options of a core enum.
pub fn options<T: Copy + std::fmt::Display>(
    all: &[T],
    label: fn(T) -> &'static str,
) -> Vec<(AttrValue, AttrValue)> {
    all.iter()
        .map(|v| (AttrValue::from(v.to_string()), AttrValue::from(label(*v))))
        .collect()
}
