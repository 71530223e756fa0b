//! The share link: the whole scenario in the URL fragment (see
//! [`portplan_core::share`] for the two forms). The page writes `#s=` (compressed); the
//! compression code lives in the exports module with the PDF's, which already carries
//! DEFLATE, so packing and unpacking go through it ([`crate::exports::pack`]). The
//! first form, `#scenario=` (plain base64url JSON), is read here directly, so old links
//! open at once.

use portplan_core::share::{decode, PACKED_KEY, PLAIN_KEY};
use portplan_core::{InputError, Scenario};

/// The JSON a link carries: the scenario file's own text (DEFLATE takes the
/// indentation almost for free, and one JSON writer keeps the wasm small).
pub fn json(s: &Scenario) -> String {
    s.to_json()
}

/// `#s=…` from a packed payload.
pub fn fragment(packed: &str) -> String {
    format!("#{PACKED_KEY}{packed}")
}

/// Why a fragment could not be read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkError {
    /// Not base64url, not UTF-8, or does not unpack.
    Encoding(String),
    /// Decoded, but the core refused the scenario.
    Scenario(InputError),
}

impl std::fmt::Display for LinkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LinkError::Encoding(m) => write!(f, "The link is damaged: {m}."),
            LinkError::Scenario(e) => write!(
                f,
                "The link's scenario is refused: {}",
                crate::problems::words(&e.to_string())
            ),
        }
    }
}

/// What a location hash holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// A plain `#scenario=` link: its JSON, to read with [`crate::exports::read_scenario`]
    /// (the first-load module has no JSON reader), then check like [`read_json`].
    Plain(Result<String, LinkError>),
    /// A `#s=` payload, to unpack with the exports module, then [`read_json`].
    Packed(String),
}

/// Reads a location hash (with or without `#`). `None` when it holds no scenario (a
/// plain page load, an anchor).
pub fn parse(hash: &str) -> Option<Link> {
    let hash = hash.strip_prefix('#').unwrap_or(hash);
    if let Some(data) = hash.strip_prefix(PACKED_KEY) {
        return Some(Link::Packed(data.to_string()));
    }
    let data = hash.strip_prefix(PLAIN_KEY)?;
    // Padding is not part of the format, but tolerate it from hand-built links.
    let data = data.trim_end_matches('=');
    Some(Link::Plain(
        decode(data)
            .map_err(LinkError::Encoding)
            .and_then(|b| String::from_utf8(b).map_err(|e| LinkError::Encoding(e.to_string()))),
    ))
}

/// A link's JSON as a valid scenario (natively; the page reads the JSON with the
/// exports module and checks it with [`valid`]).
pub fn read_json(json: &str) -> Result<Scenario, LinkError> {
    valid(crate::state::read_scenario(json))
}

/// A link's scenario, read, as a valid scenario.
pub fn valid(read: Result<Scenario, InputError>) -> Result<Scenario, LinkError> {
    let s = read.map_err(LinkError::Scenario)?;
    s.validate().map_err(LinkError::Scenario)?;
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{Action, Draft, WorkloadEdit};
    use portplan_core::share::{encode, pack, unpack};

    fn example(text: &str) -> Scenario {
        Scenario::from_json(text).expect("example")
    }

    /// What the page does: JSON, packed by the exports module, read back.
    fn round_trip(s: &Scenario) -> Scenario {
        let f = fragment(&pack(&json(s)));
        assert!(f.starts_with("#s="));
        assert!(!f[3..].contains(['=', '+', '/']), "{f}");
        match parse(&f) {
            Some(Link::Packed(data)) => read_json(&unpack(&data).expect("unpacks")).expect("valid"),
            other => panic!("{other:?}"),
        }
    }

    /// Every example, containers, NAT, agents and the factory included, comes back
    /// from the link as it went in, and so does the page's state made from it.
    #[test]
    fn examples_round_trip_through_the_fragment() {
        for (name, text) in crate::state::tests::EXAMPLES {
            let s = example(text);
            let back = round_trip(&s);
            assert_eq!(back, s, "{name}");
            assert_eq!(
                Draft::from_scenario(&back),
                Draft::from_scenario(&s),
                "{name}"
            );
        }
    }

    #[test]
    fn a_wizard_edit_survives_the_link() {
        let mut d = Draft::default();
        d.apply(Action::Workload(0, WorkloadEdit::Drives("C D E".into())));
        let (s, _) = d.evaluate().expect("plans");
        let back = round_trip(&s);
        assert_eq!(Draft::from_scenario(&back).evaluate().map(|x| x.0), Ok(s));
    }

    #[test]
    fn old_links_and_links_built_from_a_file_still_open() {
        // What a shell script would do: base64url of the file bytes, padding stripped.
        let text = include_str!("../../examples/legacy-block.json");
        let link = format!("#scenario={}", encode(text.as_bytes()));
        for link in [link.as_str(), link.trim_start_matches('#')] {
            match parse(link) {
                Some(Link::Plain(Ok(json))) => {
                    assert_eq!(read_json(&json), Ok(example(text)))
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn bad_links_say_why() {
        assert_eq!(parse(""), None);
        assert_eq!(parse("#top"), None);
        assert!(matches!(
            parse("#scenario=***"),
            Some(Link::Plain(Err(LinkError::Encoding(_))))
        ));
        let bad = encode(br#"{"format":1}"#);
        match parse(&format!("#scenario={bad}")).map(|l| match l {
            Link::Plain(Ok(json)) => read_json(&json),
            other => panic!("{other:?}"),
        }) {
            Some(Err(e @ LinkError::Scenario(_))) => {
                let text = e.to_string();
                assert!(
                    text.starts_with("The link's scenario is refused: "),
                    "{text}"
                );
            }
            other => panic!("{other:?}"),
        }
    }
}
