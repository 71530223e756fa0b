//! DCE/RPC PDUs from an endpoint mapper: header, bind_ack, ept_lookup stub, towers.
#![no_main]
use libfuzzer_sys::fuzz_target;
use portplan::proto::epmap::{ndr::{parse_ept_lookup_response, parse_tower}, pdu::{parse_bind_ack, parse_header}};

fuzz_target!(|data: &[u8]| {
    let _ = parse_header(data);
    let _ = parse_bind_ack(data);
    let _ = parse_ept_lookup_response(data);
    let _ = parse_tower(data);
});
