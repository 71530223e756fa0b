//! NetBIOS session replies and SMB2 NEGOTIATE responses from unknown servers.
#![no_main]
use libfuzzer_sys::fuzz_target;
use portplan::proto::smb::{parse_session_response, parse_smb2_negotiate_response};

fuzz_target!(|data: &[u8]| {
    let _ = parse_session_response(data);
    let _ = parse_smb2_negotiate_response(data);
});
