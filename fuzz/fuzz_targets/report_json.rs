//! Report JSON from other hosts (and the web page): never panics; an accepted report
//! round-trips unchanged through its public form.
#![no_main]
use libfuzzer_sys::fuzz_target;
use portplan_core::report::Report;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(r) = Report::from_json(text) else { return };
    let again = Report::from_json(&r.to_json());
    assert_eq!(again.as_ref().ok(), Some(&r), "a parsed report must read back unchanged");
});
