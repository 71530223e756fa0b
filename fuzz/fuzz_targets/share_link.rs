//! Share links opened in the web page: base64url decoding, the packed (`#s=`, DEFLATE)
//! and plain (`#scenario=`) forms, then the scenario parser.
#![no_main]
use libfuzzer_sys::fuzz_target;
use portplan_core::share::{decode, encode, pack, unpack};
use portplan_web::share;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(bytes) = decode(text) {
        assert_eq!(decode(&encode(&bytes)).ok().as_deref(), Some(&bytes[..]));
    }
    // Anything packed unpacks to itself; anything unpacked never panics.
    assert_eq!(unpack(&pack(text)).ok().as_deref(), Some(text));
    let _ = unpack(text);
    let _ = share::parse(&format!("#scenario={text}"));
    let _ = share::parse(&format!("#s={text}"));
});
