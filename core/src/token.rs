//! The responder token: proof that `portplan listen` of this run answered, as the host
//! that was dialed, not a middlebox, a forger or another host's responder.
//!
//! A transparent proxy or a firewall that completes every TCP handshake makes a port
//! look open, and a misrouted DNAT or a mistyped address makes another host answer. So
//! the prober sends a fixed magic, a fresh random nonce and the address it dialed; the
//! responder answers with the plan host it runs as and
//! `HMAC-SHA256(key, "portplan-token-2" ‖ digest ‖ nonce ‖ port ‖ host ‖ dialed)`,
//! truncated (each variable field prefixed by its length).
//!
//! The key is the run's secret ([`Key::with_secret`]): random bytes both ends get out of
//! band (`--secret-file`, 0600), never printed and never in a report. The plan digest is
//! public (every report carries it), so without a secret ([`Key::plan_only`]) the token
//! proves only that a holder of the plan answered: anyone with `plan.json` can compute
//! it. The host name in the MAC lets `check` tell "web02 answered where web01 was
//! dialed" apart from a pass; the dialed address binds the answer to the address the
//! prober wrote into its report; the port stops an answer for one port from verifying
//! another; the nonce makes a replayed answer useless. Pure functions: the sockets live
//! in the CLI.
//!
//! ```
//! use portplan_core::token::{self, Answer, Key};
//! let key = Key::with_secret("sha256:abc", b"0123456789abcdef");
//! let nonce = [7u8; token::NONCE_LEN];
//! let wire = token::challenge(&nonce, "10.0.1.2").unwrap();
//! let seen = token::parse_challenge(&wire).unwrap();
//! let reply = token::response(&key, &seen, 3725, "web01").unwrap();
//! assert_eq!(token::check(&reply, &key, &nonce, 3725, "10.0.1.2"), Answer::Valid { host: "web01".into() });
//! assert_eq!(token::check(&reply, &key, &nonce, 3726, "10.0.1.2"), Answer::Foreign);
//! ```

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;

/// Opens every challenge: "portplan listen" token version 2. Short so a responder can
/// tell a challenge at once.
pub const CHALLENGE_MAGIC: [u8; 8] = *b"PPLSN\x02\r\n";
/// The challenge of token version 1 (plan digest as the key, no host): recognised only
/// to say that an older `check` sent it.
pub const CHALLENGE_MAGIC_V1: [u8; 8] = *b"PPLSN\x01\r\n";
/// Opens every response, so a client can tell a responder from another service at once.
pub const RESPONSE_MAGIC: [u8; 4] = *b"PPO2";
/// Random bytes per challenge; 128 bits make a replayed answer useless.
pub const NONCE_LEN: usize = 16;
/// Bytes of the HMAC kept in the answer: 128 bits are plenty against forging online.
pub const TAG_LEN: usize = 16;
/// Bytes of a name field (the dialed address, the host name), zero-padded: a host name
/// has at most 63 characters and an IP address at most 45.
pub const FIELD_LEN: usize = 64;
/// Length of a challenge on the wire (fixed, so the responder reads one capped block).
pub const CHALLENGE_LEN: usize = CHALLENGE_MAGIC.len() + NONCE_LEN + FIELD_LEN;
/// Length of a response on the wire: shorter than the challenge, so a UDP responder
/// never amplifies what it receives.
pub const RESPONSE_LEN: usize = RESPONSE_MAGIC.len() + FIELD_LEN + TAG_LEN;

const _: () = assert!(RESPONSE_LEN < CHALLENGE_LEN);

/// Domain separation of the MAC: a tag of this scheme is never one of another.
const LABEL: &[u8] = b"portplan-token-2";

/// A challenge nonce.
pub type Nonce = [u8; NONCE_LEN];

/// What keys the token: the run's secret when there is one, else only the plan digest.
/// The plan digest is in the MAC either way, so a responder of another plan never
/// verifies. `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Key {
    digest: String,
    secret: Option<Vec<u8>>,
}

impl Key {
    /// Keyed by the public plan digest alone: proves the plan, not the host (anyone with
    /// the plan can answer).
    pub fn plan_only(digest: &str) -> Key {
        Key {
            digest: digest.to_string(),
            secret: None,
        }
    }

    /// Keyed by the run's secret.
    pub fn with_secret(digest: &str, secret: &[u8]) -> Key {
        Key {
            digest: digest.to_string(),
            secret: Some(secret.to_vec()),
        }
    }

    /// Whether a secret keys the token (else it proves only the plan).
    pub fn has_secret(&self) -> bool {
        self.secret.is_some()
    }

    /// The plan digest the token is bound to.
    pub fn digest(&self) -> &str {
        &self.digest
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Key")
            .field("digest", &self.digest)
            .field("secret", &self.secret.as_ref().map(|_| "<hidden>"))
            .finish()
    }
}

/// A challenge as the responder reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub nonce: Nonce,
    /// The address the prober dialed (an IP address as text).
    pub dialed: String,
}

/// Writes `value` into a zero-padded field; `None` when it is too long, empty, or not
/// printable ASCII (names and addresses are; anything else is not ours to carry).
fn field(value: &str) -> Option<[u8; FIELD_LEN]> {
    let ok = !value.is_empty()
        && value.len() <= FIELD_LEN
        && value.bytes().all(|b| b.is_ascii_graphic());
    ok.then(|| {
        let mut out = [0u8; FIELD_LEN];
        out[..value.len()].copy_from_slice(value.as_bytes());
        out
    })
}

/// Reads a zero-padded field written by [`field`]; `None` for anything else.
fn read_field(bytes: &[u8]) -> Option<String> {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    let (value, pad) = bytes.split_at(end);
    let ok = !value.is_empty()
        && value.iter().all(|b| b.is_ascii_graphic())
        && pad.iter().all(|&b| b == 0);
    ok.then(|| String::from_utf8_lossy(value).into_owned())
}

/// The bytes a prober sends: magic, nonce, and the address it dialed. `None` when
/// `dialed` is not a short printable address.
pub fn challenge(nonce: &Nonce, dialed: &str) -> Option<[u8; CHALLENGE_LEN]> {
    let dialed = field(dialed)?;
    let mut out = [0u8; CHALLENGE_LEN];
    let (magic, rest) = out.split_at_mut(CHALLENGE_MAGIC.len());
    magic.copy_from_slice(&CHALLENGE_MAGIC);
    let (n, d) = rest.split_at_mut(NONCE_LEN);
    n.copy_from_slice(nonce);
    d.copy_from_slice(&dialed);
    Some(out)
}

/// The challenge in `bytes`, if they are exactly one; `None` for anything else (any
/// length, any bytes: this reads what strangers send to the responder).
pub fn parse_challenge(bytes: &[u8]) -> Option<Challenge> {
    if bytes.len() != CHALLENGE_LEN || bytes[..CHALLENGE_MAGIC.len()] != CHALLENGE_MAGIC {
        return None;
    }
    let rest = &bytes[CHALLENGE_MAGIC.len()..];
    let mut nonce = [0u8; NONCE_LEN];
    nonce.copy_from_slice(&rest[..NONCE_LEN]);
    let dialed = read_field(&rest[NONCE_LEN..])?;
    Some(Challenge { nonce, dialed })
}

/// Whether `bytes` open with the challenge of token version 1 (an older `check`).
pub fn is_v1_challenge(bytes: &[u8]) -> bool {
    bytes.len() >= CHALLENGE_MAGIC_V1.len()
        && bytes[..CHALLENGE_MAGIC_V1.len()] == CHALLENGE_MAGIC_V1
}

/// The truncated tag over the plan digest, nonce, port (big-endian), host and dialed
/// address, each variable field prefixed by its length in one byte.
pub fn tag(key: &Key, nonce: &Nonce, port: u16, host: &str, dialed: &str) -> [u8; TAG_LEN] {
    let secret = key.secret.as_deref().unwrap_or(key.digest.as_bytes());
    // HMAC accepts keys of any length, so this cannot fail; fall back to an empty
    // tag (which verifies nothing) rather than panic if the crate ever changed that.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return [0u8; TAG_LEN];
    };
    let short = |s: &str| u8::try_from(s.len()).unwrap_or(u8::MAX);
    mac.update(LABEL);
    mac.update(&[short(&key.digest)]);
    mac.update(key.digest.as_bytes());
    mac.update(nonce);
    mac.update(&port.to_be_bytes());
    mac.update(&[short(host)]);
    mac.update(host.as_bytes());
    mac.update(&[short(dialed)]);
    mac.update(dialed.as_bytes());
    let full = mac.finalize().into_bytes();
    let mut out = [0u8; TAG_LEN];
    out.copy_from_slice(&full[..TAG_LEN]);
    out
}

/// The bytes a responder running as `host` sends back for `challenge` received on
/// `port`; `None` when `host` does not fit a field (no plan host name is that long).
pub fn response(
    key: &Key,
    challenge: &Challenge,
    port: u16,
    host: &str,
) -> Option<[u8; RESPONSE_LEN]> {
    let name = field(host)?;
    let mut out = [0u8; RESPONSE_LEN];
    let (magic, rest) = out.split_at_mut(RESPONSE_MAGIC.len());
    magic.copy_from_slice(&RESPONSE_MAGIC);
    let (h, t) = rest.split_at_mut(FIELD_LEN);
    h.copy_from_slice(&name);
    t.copy_from_slice(&tag(key, &challenge.nonce, port, host, &challenge.dialed));
    Some(out)
}

/// What a reply to a challenge proves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// `portplan listen` with this key answered, running as `host` (authenticated by the
    /// tag: compare it with the host that was dialed).
    Valid { host: String },
    /// A responder's answer in form, but its tag does not verify under this key:
    /// `portplan listen` of another plan or another run's secret, or a forger.
    Foreign,
    /// Not a responder's answer at all.
    None,
}

/// Checks `reply` to the challenge with `nonce` sent to `dialed` on `port`. Compares
/// the tag in constant time so timing does not leak how many tag bytes were right.
pub fn check(reply: &[u8], key: &Key, nonce: &Nonce, port: u16, dialed: &str) -> Answer {
    if reply.len() != RESPONSE_LEN || reply[..RESPONSE_MAGIC.len()] != RESPONSE_MAGIC {
        return Answer::None;
    }
    let rest = &reply[RESPONSE_MAGIC.len()..];
    let Some(host) = read_field(&rest[..FIELD_LEN]) else {
        return Answer::Foreign;
    };
    let expected = tag(key, nonce, port, &host, dialed);
    let same = expected
        .iter()
        .zip(&rest[FIELD_LEN..])
        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
        == 0;
    if same {
        Answer::Valid { host }
    } else {
        Answer::Foreign
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "sha256:0123456789abcdef";
    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn hmac_matches_rfc4231_case_2() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let mut mac = Hmac::<Sha256>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        assert_eq!(
            hex(&mac.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    /// The wire form pinned by vectors computed outside this code, with Python's `hmac`:
    ///
    /// ```python
    /// def tag(key, digest, nonce, port, host, dialed):
    ///     m = (b"portplan-token-2" + bytes([len(digest)]) + digest + nonce
    ///          + port.to_bytes(2, "big") + bytes([len(host)]) + host
    ///          + bytes([len(dialed)]) + dialed)
    ///     return hmac.new(key, m, "sha256").digest()[:16]
    /// b"PPO2" + b"web01".ljust(64, b"\0") + tag(key, b"sha256:0123456789abcdef",
    ///     bytes(range(16)), 3725, b"web01", b"10.0.1.2")
    /// ```
    ///
    /// with `key` the secret `b"0123456789abcdef0123456789abcdef"`, then the digest
    /// itself (no secret). A change of the token breaks every deployed responder, so it
    /// must be a decision, not an accident.
    #[test]
    fn the_response_matches_a_known_answer() {
        let nonce: Nonce = std::array::from_fn(|i| i as u8);
        let seen = Challenge {
            nonce,
            dialed: "10.0.1.2".into(),
        };
        let pad = "00".repeat(FIELD_LEN - 5);
        let cases = [
            (
                Key::with_secret(D, SECRET),
                "e35372e324a14e4c7b747c5833d34157",
            ),
            (Key::plan_only(D), "0c02ec240a378da207c5f9bae3dfa8d1"),
        ];
        for (key, want_tag) in cases {
            let got = response(&key, &seen, 3725, "web01").expect("fits");
            assert_eq!(
                hex(&got),
                format!("50504f32{}{pad}{want_tag}", hex(b"web01")),
                "{key:?}"
            );
        }
        let wire = challenge(&nonce, "10.0.1.2").expect("fits");
        assert_eq!(
            wire[..8],
            *b"PPLSN\x02\r\n",
            "the challenge opens with the magic"
        );
        assert_eq!(wire.len(), 88);
    }

    #[test]
    fn round_trip_names_the_host() {
        let key = Key::with_secret(D, SECRET);
        let nonce = [0x42; NONCE_LEN];
        let c = challenge(&nonce, "fd00::2").unwrap();
        let seen = parse_challenge(&c).unwrap();
        assert_eq!(seen.dialed, "fd00::2");
        let r = response(&key, &seen, 3725, "web02").unwrap();
        assert_eq!(
            check(&r, &key, &nonce, 3725, "fd00::2"),
            Answer::Valid {
                host: "web02".into()
            }
        );
    }

    /// Everything the MAC covers changes the answer; a forger that knows only the plan
    /// digest (the key of token version 1, public) cannot answer a check keyed by the
    /// run's secret, neither as itself nor naming the dialed host.
    #[test]
    fn every_covered_field_and_the_key_matter() {
        let key = Key::with_secret(D, SECRET);
        let nonce = [1; NONCE_LEN];
        let seen = Challenge {
            nonce,
            dialed: "10.0.1.2".into(),
        };
        let r = response(&key, &seen, 3725, "web01").unwrap();
        let forged = response(&Key::plan_only(D), &seen, 3725, "web01").unwrap();
        let other_plan = response(
            &Key::with_secret("sha256:other", SECRET),
            &seen,
            3725,
            "web01",
        )
        .unwrap();
        let other_run = response(
            &Key::with_secret(D, b"another run's secret"),
            &seen,
            3725,
            "web01",
        )
        .unwrap();
        let mut renamed = r;
        renamed[4..9].copy_from_slice(b"web02");
        let mut flipped = r;
        flipped[RESPONSE_LEN - 1] ^= 1;
        let cases: [(&[u8], u16, &str, Answer); 9] = [
            (
                &r,
                3725,
                "10.0.1.2",
                Answer::Valid {
                    host: "web01".into(),
                },
            ),
            (&r, 9999, "10.0.1.2", Answer::Foreign),
            (&r, 3725, "10.0.1.3", Answer::Foreign),
            (&forged, 3725, "10.0.1.2", Answer::Foreign),
            (&other_plan, 3725, "10.0.1.2", Answer::Foreign),
            (&other_run, 3725, "10.0.1.2", Answer::Foreign),
            (&renamed, 3725, "10.0.1.2", Answer::Foreign),
            (&flipped, 3725, "10.0.1.2", Answer::Foreign),
            (&r[..RESPONSE_LEN - 1], 3725, "10.0.1.2", Answer::None),
        ];
        for (i, (reply, port, dialed, want)) in cases.into_iter().enumerate() {
            assert_eq!(check(reply, &key, &nonce, port, dialed), want, "case {i}");
        }
        assert_eq!(check(b"", &key, &nonce, 3725, "10.0.1.2"), Answer::None);
        assert_eq!(
            check(&r, &key, &[2; NONCE_LEN], 3725, "10.0.1.2"),
            Answer::Foreign,
            "nonce matters"
        );
    }

    #[test]
    fn the_secret_never_shows_in_debug() {
        let shown = format!("{:?}", Key::with_secret(D, b"very-secret-bytes"));
        assert!(!shown.contains("very-secret"), "{shown}");
        assert!(shown.contains("hidden"), "{shown}");
    }

    #[test]
    fn parse_challenge_refuses_other_bytes() {
        let good = challenge(&[3; NONCE_LEN], "10.0.0.1").unwrap();
        assert!(parse_challenge(&good).is_some());
        let mut bad_magic = good;
        bad_magic[0] = b'Q';
        let mut v1 = good;
        v1[5] = 1;
        let mut no_pad = good;
        no_pad[CHALLENGE_LEN - 1] = b'x';
        let mut control = good;
        control[CHALLENGE_MAGIC.len() + NONCE_LEN + 1] = b'\n';
        let long = [good.as_slice(), b"x"].concat();
        let cases: [&[u8]; 7] = [
            b"",
            b"GET / HTTP/1.1\r\n\r\n",
            &bad_magic,
            &v1,
            &no_pad,
            &control,
            &long,
        ];
        for (i, bytes) in cases.into_iter().enumerate() {
            assert_eq!(parse_challenge(bytes), None, "case {i}");
        }
        assert!(is_v1_challenge(&v1));
        assert!(challenge(&[0; NONCE_LEN], "").is_none());
        assert!(challenge(&[0; NONCE_LEN], &"a".repeat(FIELD_LEN + 1)).is_none());
        assert!(challenge(&[0; NONCE_LEN], "10.0.0.1\n").is_none());
    }

    proptest::proptest! {
        #[test]
        fn parsers_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..128)) {
            let _ = parse_challenge(&bytes);
            let _ = check(&bytes, &Key::plan_only(D), &[0; NONCE_LEN], 1, "10.0.0.1");
        }
    }
}
