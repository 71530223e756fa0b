//! SSH identification lines from unknown servers.
#![no_main]
use libfuzzer_sys::fuzz_target;
use portplan::proto::ssh::parse_ssh_banner;

fuzz_target!(|data: &[u8]| {
    let _ = parse_ssh_banner(data);
});
