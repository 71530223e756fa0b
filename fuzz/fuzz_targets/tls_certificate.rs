//! Certificates presented by unknown TLS servers (our summary of x509-parser's parse).
#![no_main]
use libfuzzer_sys::fuzz_target;
use portplan::proto::tls::parse_certificate;

fuzz_target!(|data: &[u8]| {
    let _ = parse_certificate(data);
});
