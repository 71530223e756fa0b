//! HTTP status lines and headers from unknown servers.
#![no_main]
use libfuzzer_sys::fuzz_target;
use portplan::proto::http::parse_http_status;

fuzz_target!(|data: &[u8]| {
    let _ = parse_http_status(data);
});
