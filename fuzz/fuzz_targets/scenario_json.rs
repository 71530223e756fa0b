//! Scenario JSON from users: parse, validate, plan and render must never panic, and an
//! accepted scenario must round-trip through its own JSON.
#![no_main]
use libfuzzer_sys::fuzz_target;
use portplan_core::{export, Plan, Scenario};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(s) = Scenario::from_json(text) else { return };
    assert_eq!(Scenario::from_json(&s.to_json()).ok().as_ref(), Some(&s));
    if let Ok(plan) = Plan::build(&s) {
        let _ = export::table::render(&plan);
        let _ = export::csv::render(&plan);
        let _ = export::markdown::render(&plan);
        assert_eq!(Plan::from_json(&plan.to_json()).ok().as_ref(), Some(&plan));
    }
});
