//! `nft -j list ruleset` as preflight reads it, judged for a few flows: no panic, no
//! hang, and every answer is allowed/blocked with evidence or unknown with a reason.
#![no_main]
use libfuzzer_sys::fuzz_target;
use portplan_core::preflight::eval::{evaluate, Inbound};
use portplan_core::preflight::{nft, Judgement};
use portplan_core::Protocol;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(rs) = nft::parse(text) else { return };
    for (protocol, port, v6) in [
        (Protocol::Tcp, Some(3725), false),
        (Protocol::Udp, Some(137), true),
        (Protocol::Icmp, None, false),
    ] {
        let d = evaluate(
            &rs,
            &Inbound {
                protocol,
                port,
                v6,
                source: Some(if v6 { "fd00::1".parse().unwrap() } else { "10.0.0.1".parse().unwrap() }),
                destination: None,
                interface: None,
            },
        );
        assert!(d.verdict == Judgement::Unknown || !d.evidence.is_empty());
        assert!(d.verdict != Judgement::Unknown || !d.reason.is_empty());
    }
});
