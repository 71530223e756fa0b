//! Plan JSON written on another host: parsing and rendering must never panic, and an
//! accepted plan must round-trip.
#![no_main]
use libfuzzer_sys::fuzz_target;
use portplan_core::{export, Plan};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(plan) = Plan::from_json(text) else { return };
    let _ = export::table::render(&plan);
    let _ = export::markdown::render(&plan);
    let _ = plan.digest();
    assert_eq!(Plan::from_json(&plan.to_json()).ok().as_ref(), Some(&plan));
});
