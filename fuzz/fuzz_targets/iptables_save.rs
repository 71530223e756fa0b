//! `iptables-save` / `ip6tables-save` text as preflight reads it, judged for a flow.
#![no_main]
use libfuzzer_sys::fuzz_target;
use portplan_core::preflight::eval::{evaluate, Inbound};
use portplan_core::preflight::{iptables, Judgement};
use portplan_core::Protocol;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for v6 in [false, true] {
        let Ok(rs) = iptables::parse(text, v6) else { continue };
        let d = evaluate(
            &rs,
            &Inbound {
                protocol: Protocol::Tcp,
                port: Some(445),
                v6,
                source: Some(if v6 { "fd00::1".parse().unwrap() } else { "10.0.0.1".parse().unwrap() }),
                destination: None,
                interface: Some("eth0".to_string()),
            },
        );
        assert!(d.verdict != Judgement::Unknown || !d.reason.is_empty());
    }
});
