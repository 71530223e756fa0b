//! `#scenario=` share links opened in the web page: base64url decoding, then the scenario parser.
#![no_main]
use libfuzzer_sys::fuzz_target;
use portplan_web::share;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(bytes) = share::decode(text) {
        assert_eq!(share::decode(&share::encode(&bytes)).ok().as_deref(), Some(&bytes[..]));
    }
    let _ = share::parse(&format!("#scenario={text}"));
});
