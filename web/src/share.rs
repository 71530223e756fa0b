//! The share link: the whole scenario in the URL fragment, `#scenario=` followed by the
//! base64url (no padding) of its public JSON. A fragment never leaves the browser, so
//! a link carries the plan without anything being sent anywhere, and other tools can
//! build links by encoding a scenario file.
//!
//! base64url is the twenty lines below rather than the `base64` crate: the crate's
//! general engine costs several KiB of wasm for the one alphabet we use.

use portplan_core::{InputError, Scenario};

/// The fragment key, without `#`.
pub const KEY: &str = "scenario=";

/// `#scenario=…` for a scenario (compact JSON: links stay short).
pub fn fragment(s: &Scenario) -> String {
    let json = serde_json::to_string(s).unwrap_or_default();
    format!("#{KEY}{}", encode(json.as_bytes()))
}

/// Why a fragment could not be read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkError {
    /// Not base64url, or not UTF-8.
    Encoding(String),
    /// Decoded, but the core refused the scenario.
    Scenario(InputError),
}

impl std::fmt::Display for LinkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LinkError::Encoding(m) => write!(f, "the link is damaged: {m}"),
            LinkError::Scenario(e) => write!(f, "the link's scenario is refused: {e}"),
        }
    }
}

/// Reads a location hash (`#scenario=…`, with or without `#`).
/// `None` when the hash holds no scenario at all (a plain page load).
pub fn parse(hash: &str) -> Option<Result<Scenario, LinkError>> {
    let hash = hash.strip_prefix('#').unwrap_or(hash);
    let data = hash.strip_prefix(KEY)?;
    // Padding is not part of the format, but tolerate it from hand-built links.
    let data = data.trim_end_matches('=');
    Some(
        decode(data)
            .map_err(LinkError::Encoding)
            .and_then(|b| String::from_utf8(b).map_err(|e| LinkError::Encoding(e.to_string())))
            .and_then(|json| {
                let s = crate::state::read_scenario(&json).map_err(LinkError::Scenario)?;
                s.validate().map_err(LinkError::Scenario)?;
                Ok(s)
            }),
    )
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// base64url without padding (RFC 4648 §5).
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

/// Decodes base64url without padding; refuses other characters and impossible lengths.
pub fn decode(text: &str) -> Result<Vec<u8>, String> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Ok(c - b'A'),
        b'a'..=b'z' => Ok(c - b'a' + 26),
        b'0'..=b'9' => Ok(c - b'0' + 52),
        b'-' => Ok(62),
        b'_' => Ok(63),
        _ => Err(format!("{:?} is not a base64url character", char::from(c))),
    };
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    for chunk in text.as_bytes().chunks(4) {
        if chunk.len() == 1 {
            return Err(format!(
                "{} characters is not a base64url length",
                text.len()
            ));
        }
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            n |= u32::from(value(*c)?) << (18 - 6 * i);
        }
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_4648_vectors() {
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode(plain.as_bytes()), coded);
            assert_eq!(decode(coded).as_deref(), Ok(plain.as_bytes()));
        }
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(encode(&[0xfb, 0xff]), "-_8");
        assert_eq!(decode(&encode(&all)), Ok(all));
        assert!(decode("Zm9vY").is_err());
        assert!(decode("Zm+v").is_err());
    }
    use crate::state::{Action, Draft, WorkloadEdit};

    fn example(text: &str) -> Scenario {
        Scenario::from_json(text).expect("example")
    }

    #[test]
    fn examples_round_trip_through_the_fragment() {
        for text in [
            include_str!("../../examples/windows-file.json"),
            include_str!("../../examples/legacy-block.json"),
            include_str!("../../examples/wave-50.json"),
        ] {
            let s = example(text);
            let f = fragment(&s);
            assert!(f.starts_with("#scenario="));
            assert!(!f[10..].contains(['=', '+', '/']), "{f}");
            assert_eq!(parse(&f), Some(Ok(s.clone())));
            assert_eq!(parse(f.trim_start_matches('#')), Some(Ok(s)));
        }
    }

    #[test]
    fn a_wizard_edit_survives_the_link() {
        let mut d = Draft::default();
        d.apply(Action::Workload(0, WorkloadEdit::Drives("C D E".into())));
        let (s, _) = d.evaluate().expect("plans");
        let back = parse(&fragment(&s)).expect("a scenario").expect("valid");
        assert_eq!(Draft::from_scenario(&back).evaluate().map(|x| x.0), Ok(s));
    }

    #[test]
    fn other_tools_can_build_links_from_a_file() {
        // What a shell script would do: base64url of the file bytes, padding stripped.
        let text = include_str!("../../examples/legacy-block.json");
        let link = format!("#scenario={}", encode(text.as_bytes()));
        assert_eq!(parse(&link), Some(Ok(example(text))));
    }

    #[test]
    fn bad_links_say_why() {
        assert_eq!(parse(""), None);
        assert_eq!(parse("#top"), None);
        assert!(matches!(
            parse("#scenario=***"),
            Some(Err(LinkError::Encoding(_)))
        ));
        let bad = encode(br#"{"format":1}"#);
        match parse(&format!("#scenario={bad}")) {
            Some(Err(LinkError::Scenario(e))) => assert_eq!(e.path(), "$"),
            other => panic!("{other:?}"),
        }
    }
}
