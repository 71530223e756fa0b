//! Report JSON from other hosts (and the web page): never panics; accepted reports round-trip.
#![no_main]
use libfuzzer_sys::fuzz_target;
use portplan_core::report::Report;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(r) = Report::from_json(text) else { return };
    let again = serde_json::to_string(&r).unwrap_or_default();
    assert!(Report::from_json(&again).is_ok(), "a parsed report must re-parse");
});
