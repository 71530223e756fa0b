//! The share link: the whole scenario in the URL fragment, `#scenario=` followed by the
//! base64url (no padding) of its public JSON. A fragment never leaves the browser, so
//! a link carries the plan without anything being sent anywhere, and other tools can
//! build links by encoding a scenario file.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use portplan_core::{InputError, Scenario};

/// The fragment key, without `#`.
pub const KEY: &str = "scenario=";

/// `#scenario=…` for a scenario (compact JSON: links stay short).
pub fn fragment(s: &Scenario) -> String {
    let json = serde_json::to_string(s).unwrap_or_default();
    format!("#{KEY}{}", URL_SAFE_NO_PAD.encode(json))
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
        URL_SAFE_NO_PAD
            .decode(data)
            .map_err(|e| LinkError::Encoding(e.to_string()))
            .and_then(|b| String::from_utf8(b).map_err(|e| LinkError::Encoding(e.to_string())))
            .and_then(|json| Scenario::from_json(&json).map_err(LinkError::Scenario)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
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
            assert!(!f.contains(['=', '+', '/'].as_slice()) || f.find('=') == Some(9));
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
        let link = format!("#scenario={}", URL_SAFE_NO_PAD.encode(text));
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
        let bad = URL_SAFE_NO_PAD.encode(r#"{"format":1}"#);
        match parse(&format!("#scenario={bad}")) {
            Some(Err(LinkError::Scenario(e))) => assert_eq!(e.path(), "$"),
            other => panic!("{other:?}"),
        }
    }
}
