//! The parsers on replies captured from real servers (Debian 12: OpenSSH 9.2, nginx
//! 1.22, Samba 4.17; see `tests/fixtures/replies/README.md`), and on arbitrary bytes:
//! they must never panic, whatever a peer sends.

use portplan::proto::{epmap, http, nbstat, smb, ssh, tls};
use proptest::prelude::*;

fn fixture(name: &str) -> Vec<u8> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/replies")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn openssh_banner() {
    let b = ssh::parse_ssh_banner(&fixture("ssh-openssh-9.2.bin")).unwrap();
    assert_eq!(
        (b.proto_version.as_str(), b.software.as_str()),
        ("2.0", "OpenSSH_9.2p1")
    );
    assert!(b.comments.unwrap().starts_with("Debian-"));
}

#[test]
fn nginx_head_reply() {
    let r = http::parse_http_status(&fixture("http-nginx-1.22.bin")).unwrap();
    assert_eq!((r.status, r.server.as_deref()), (200, Some("nginx/1.22.1")));
    assert_eq!(r.status_line(), "HTTP/1.1 200 OK");
}

#[test]
fn samba_negotiate_on_445_and_139() {
    let n =
        smb::parse_smb2_negotiate_response(&fixture("smb2-negotiate-samba-4.17-445.bin")).unwrap();
    assert_eq!(smb::dialect_name(n.dialect), "3.1.1");
    assert!(n.signing_required && n.signing_enabled);
    let raw = fixture("smb2-negotiate-samba-4.17-139.bin");
    // On 139 the stream starts with the 4-byte positive session response.
    smb::parse_session_response(&raw[..4]).unwrap();
    let n = smb::parse_smb2_negotiate_response(&raw[4..]).unwrap();
    assert_eq!(smb::dialect_name(n.dialect), "3.1.1");
}

#[test]
fn samba_node_status() {
    let st =
        nbstat::parse_nbstat_response(&fixture("nbstat-samba-4.17.bin"), Some(0x1234)).unwrap();
    assert_eq!(st.machine_name(), Some("PPLAB"));
    assert!(st
        .names
        .iter()
        .any(|n| n.name == "PPGROUP" && n.group && n.suffix == 0x1e));
    assert_eq!(st.mac, "00:00:00:00:00:00");
}

/// Splits the recorded stream into PDUs: bind_ack, then the (fragmented) response.
fn pdus(raw: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut rest = raw;
    while !rest.is_empty() {
        let (_, _, frag) = epmap::parse_header(rest).unwrap();
        out.push(&rest[..frag]);
        rest = &rest[frag..];
    }
    out
}

#[test]
fn samba_endpoint_mapper_lookup() {
    let raw = fixture("epm-lookup-samba-4.17.bin");
    let pdus = pdus(&raw);
    assert!(
        pdus.len() >= 3,
        "bind_ack and a response in several fragments"
    );
    epmap::parse_bind_ack(pdus[0]).unwrap();
    let mut stub = Vec::new();
    let mut last = false;
    for p in &pdus[1..] {
        let (part, l) = epmap::response_stub(p).unwrap();
        stub.extend_from_slice(part);
        last = l;
    }
    assert!(last);
    let page = epmap::parse_ept_lookup_response(&stub).unwrap();
    assert_eq!(page.entries.len(), 38);
    let c = epmap::to_confirmation(&page.entries);
    assert_eq!(c.extra_tcp_ports, vec![49152, 49153, 49154]);
    assert!(page.entries.iter().any(|e| e.protseq == "ncacn_ip_tcp"
        && e.tcp_port == Some(135)
        && e.known() == Some(("endpoint mapper", false))));
    assert!(page
        .entries
        .iter()
        .any(|e| e.protseq == "ncacn_np" && e.name.as_deref() == Some("\\pipe\\lsarpc")));
}

#[test]
fn certificates_self_signed_and_expired() {
    let c = tls::parse_certificate(&fixture("tls-cert-self-signed.der")).unwrap();
    assert_eq!(c.subject, "CN=pplab.test, O=portplan lab");
    assert!(c.self_signed);
    assert!(c.san.contains(&"DNS:pplab.test".to_string()));
    let e = tls::parse_certificate(&fixture("tls-cert-expired.der")).unwrap();
    assert_eq!(e.subject, "CN=expired.pplab.test");
    assert_eq!(e.not_after_unix, 1_609_459_200, "2021-01-01T00:00:00Z");
    assert!(e.expired_at(1_700_000_000));
    assert!(tls::parse_certificate(b"not a certificate").is_err());
}

/// Every parser on one input; only "does not panic" is asserted.
fn all_parsers(b: &[u8]) {
    let _ = ssh::parse_ssh_banner(b);
    let _ = http::parse_http_status(b);
    let _ = smb::parse_smb2_negotiate_response(b);
    let _ = smb::parse_session_response(b);
    let _ = nbstat::parse_nbstat_response(b, None);
    let _ = epmap::parse_header(b);
    let _ = epmap::parse_bind_ack(b);
    let _ = epmap::response_stub(b);
    let _ = epmap::parse_ept_lookup_response(b);
    let _ = epmap::parse_tower(b);
    let _ = tls::parse_certificate(b);
    let _ = portplan_core::token::parse_challenge(b);
}

const FIXTURES: &[&str] = &[
    "ssh-openssh-9.2.bin",
    "http-nginx-1.22.bin",
    "smb2-negotiate-samba-4.17-445.bin",
    "smb2-negotiate-samba-4.17-139.bin",
    "nbstat-samba-4.17.bin",
    "epm-lookup-samba-4.17.bin",
    "tls-cert-self-signed.der",
];

#[test]
fn every_truncation_of_every_fixture_is_handled() {
    for name in FIXTURES {
        let raw = fixture(name);
        for n in 0..raw.len() {
            all_parsers(&raw[..n]);
        }
    }
    // And the epmapper stub parser on each truncation of the joined stub.
    let raw = fixture("epm-lookup-samba-4.17.bin");
    let stub: Vec<u8> = pdus(&raw)[1..]
        .iter()
        .flat_map(|p| epmap::response_stub(p).unwrap().0.to_vec())
        .collect();
    for n in 0..stub.len() {
        assert!(epmap::parse_ept_lookup_response(&stub[..n]).is_err());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(b in proptest::collection::vec(any::<u8>(), 0..2048)) {
        all_parsers(&b);
    }

    #[test]
    fn mutated_fixtures_never_panic(which in 0..FIXTURES.len(), flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..16)) {
        let mut raw = fixture(FIXTURES[which]);
        for (i, v) in flips {
            let n = raw.len();
            raw[i % n] = v;
        }
        all_parsers(&raw);
    }
}
