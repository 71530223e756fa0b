//! NetBIOS node-status (NBSTAT) answers from unknown hosts.
#![no_main]
use libfuzzer_sys::fuzz_target;
use portplan::proto::nbstat::parse_nbstat_response;

fuzz_target!(|data: &[u8]| {
    let _ = parse_nbstat_response(data, None);
    if data.len() >= 2 {
        let _ = parse_nbstat_response(data, Some(u16::from_be_bytes([data[0], data[1]])));
    }
});
