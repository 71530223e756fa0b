//! Workload lists pasted into the web page (CSV/TSV: name,address,os,drives).
#![no_main]
use libfuzzer_sys::fuzz_target;
use portplan_web_exports::paste;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = paste::parse(text, portplan_core::scenario::MAX_WORKLOADS);
});
