//! The responder token: proof that a real `portplan listen` answered, not a middlebox.
//!
//! A transparent proxy or a firewall that completes every TCP handshake makes a port
//! look open. So the prober sends a fixed magic and a fresh random nonce, and the
//! responder answers with `HMAC-SHA256(key = plan digest, nonce || port)`, truncated.
//! A bystander who sees earlier exchanges cannot answer a new nonce, and an answer for
//! one port does not verify on another; only someone holding the plan digest (both
//! ends were given the same plan) can compute it. Pure functions: the sockets live in
//! the CLI.
//!
//! ```
//! use portplan_core::token;
//! let nonce = [7u8; token::NONCE_LEN];
//! let challenge = token::challenge(&nonce);
//! let seen = token::parse_challenge(&challenge).unwrap();
//! let reply = token::response("sha256:abc", &seen, 3725);
//! assert!(token::verify(&reply, "sha256:abc", &nonce, 3725));
//! assert!(!token::verify(&reply, "sha256:abc", &nonce, 3726));
//! ```

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Opens every challenge: "portplan listen" version 1. Short so a responder can read
/// the whole challenge in one small, capped read.
pub const CHALLENGE_MAGIC: [u8; 8] = *b"PPLSN\x01\r\n";
/// Opens every response, so a client can tell a responder from another service at once.
pub const RESPONSE_MAGIC: [u8; 4] = *b"PPOK";
/// Random bytes per challenge; 128 bits make a replayed answer useless.
pub const NONCE_LEN: usize = 16;
/// Bytes of the HMAC kept in the answer: 128 bits are plenty against forging online.
pub const TAG_LEN: usize = 16;
/// Length of a challenge on the wire.
pub const CHALLENGE_LEN: usize = CHALLENGE_MAGIC.len() + NONCE_LEN;
/// Length of a response on the wire.
pub const RESPONSE_LEN: usize = RESPONSE_MAGIC.len() + TAG_LEN;

/// A challenge nonce.
pub type Nonce = [u8; NONCE_LEN];

/// The bytes a prober sends: magic then nonce.
pub fn challenge(nonce: &Nonce) -> [u8; CHALLENGE_LEN] {
    let mut out = [0u8; CHALLENGE_LEN];
    out[..CHALLENGE_MAGIC.len()].copy_from_slice(&CHALLENGE_MAGIC);
    out[CHALLENGE_MAGIC.len()..].copy_from_slice(nonce);
    out
}

/// The nonce of a well-formed challenge; `None` for anything else (any length, any
/// bytes: this reads what strangers send to the responder).
pub fn parse_challenge(bytes: &[u8]) -> Option<Nonce> {
    if bytes.len() != CHALLENGE_LEN || bytes[..CHALLENGE_MAGIC.len()] != CHALLENGE_MAGIC {
        return None;
    }
    let mut nonce = [0u8; NONCE_LEN];
    nonce.copy_from_slice(&bytes[CHALLENGE_MAGIC.len()..]);
    Some(nonce)
}

/// The truncated tag `HMAC-SHA256(digest, nonce || port)`, port big-endian.
pub fn tag(digest: &str, nonce: &Nonce, port: u16) -> [u8; TAG_LEN] {
    // HMAC accepts keys of any length, so this cannot fail; fall back to an empty
    // tag rather than panic if the crate ever changed that.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(digest.as_bytes()) else {
        return [0u8; TAG_LEN];
    };
    mac.update(nonce);
    mac.update(&port.to_be_bytes());
    let full = mac.finalize().into_bytes();
    let mut out = [0u8; TAG_LEN];
    out.copy_from_slice(&full[..TAG_LEN]);
    out
}

/// The bytes a responder sends back for `nonce` received on `port`.
pub fn response(digest: &str, nonce: &Nonce, port: u16) -> [u8; RESPONSE_LEN] {
    let mut out = [0u8; RESPONSE_LEN];
    out[..RESPONSE_MAGIC.len()].copy_from_slice(&RESPONSE_MAGIC);
    out[RESPONSE_MAGIC.len()..].copy_from_slice(&tag(digest, nonce, port));
    out
}

/// Whether `reply` has the form of a responder's answer (magic and length) but not
/// the right tag: `portplan listen` started with another plan.
pub fn is_foreign(reply: &[u8], digest: &str, nonce: &Nonce, port: u16) -> bool {
    reply.len() == RESPONSE_LEN
        && reply[..RESPONSE_MAGIC.len()] == RESPONSE_MAGIC
        && !verify(reply, digest, nonce, port)
}

/// Whether `reply` is the right answer to `nonce` on `port` under `digest`. Compares
/// in constant time so timing does not leak how many tag bytes were right.
pub fn verify(reply: &[u8], digest: &str, nonce: &Nonce, port: u16) -> bool {
    if reply.len() != RESPONSE_LEN || reply[..RESPONSE_MAGIC.len()] != RESPONSE_MAGIC {
        return false;
    }
    let expected = tag(digest, nonce, port);
    let got = &reply[RESPONSE_MAGIC.len()..];
    expected
        .iter()
        .zip(got)
        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
        == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "sha256:0123456789abcdef";

    #[test]
    fn hmac_matches_rfc4231_case_2() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let mut mac = Hmac::<Sha256>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        let hex: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    /// The wire form pinned by a vector computed outside this code (Python's `hmac`:
    /// `hmac.new(b"sha256:0123456789abcdef", bytes(range(16)) + (3725).to_bytes(2,
    /// "big"), "sha256").digest()[:16]`): a change of the token breaks every deployed
    /// responder, so it must be a decision, not an accident.
    #[test]
    fn the_response_matches_a_known_answer() {
        let nonce: Nonce = std::array::from_fn(|i| i as u8);
        let hex: String = response(D, &nonce, 3725)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(hex, "50504f4b714983a8e18732d51121737f070eb113");
        assert_eq!(
            challenge(&nonce)[..8],
            *b"PPLSN\x01\r\n",
            "the challenge opens with the magic"
        );
    }

    #[test]
    fn round_trip_verifies() {
        let nonce = [0x42; NONCE_LEN];
        let c = challenge(&nonce);
        assert_eq!(c.len(), CHALLENGE_LEN);
        let n = parse_challenge(&c).unwrap();
        assert_eq!(n, nonce);
        assert!(verify(&response(D, &n, 3725), D, &nonce, 3725));
    }

    #[test]
    fn wrong_port_digest_nonce_or_bytes_fail() {
        let nonce = [1; NONCE_LEN];
        let r = response(D, &nonce, 3725);
        assert!(!verify(&r, D, &nonce, 9999), "port is bound into the tag");
        assert!(!verify(&r, "sha256:other", &nonce, 3725), "key matters");
        assert!(!verify(&r, D, &[2; NONCE_LEN], 3725), "nonce matters");
        let mut bad = r;
        bad[RESPONSE_LEN - 1] ^= 1;
        assert!(!verify(&bad, D, &nonce, 3725));
        assert!(!verify(&r[..RESPONSE_LEN - 1], D, &nonce, 3725));
        assert!(!verify(b"", D, &nonce, 3725));
        let mut no_magic = r;
        no_magic[0] = b'X';
        assert!(!verify(&no_magic, D, &nonce, 3725));
    }

    #[test]
    fn tag_is_deterministic_and_nonce_sensitive() {
        assert_eq!(tag(D, &[9; 16], 22), tag(D, &[9; 16], 22));
        assert_ne!(tag(D, &[9; 16], 22), tag(D, &[8; 16], 22));
    }

    #[test]
    fn parse_challenge_refuses_other_bytes() {
        assert_eq!(parse_challenge(b""), None);
        assert_eq!(parse_challenge(b"GET / HTTP/1.1\r\n\r\n"), None);
        let mut c = challenge(&[3; NONCE_LEN]);
        c[0] = b'Q';
        assert_eq!(parse_challenge(&c), None);
        let long = [challenge(&[3; NONCE_LEN]).as_slice(), b"x"].concat();
        assert_eq!(parse_challenge(&long), None);
    }

    proptest::proptest! {
        #[test]
        fn parse_challenge_never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..64)) {
            let _ = parse_challenge(&bytes);
            let _ = verify(&bytes, D, &[0; NONCE_LEN], 1);
        }
    }
}
