//! The share link's payload: a scenario in a URL fragment.
//!
//! Two forms, both base64url without padding (RFC 4648 §5):
//! - `#s=` + the raw DEFLATE (RFC 1951) of the compact scenario JSON, the form the page
//!   writes: a wave's names and addresses repeat, so a 1,000-workload scenario fits in
//!   a link of about 20 KB instead of 115 KB;
//! - `#scenario=` + the JSON itself, the first form, still read so old links open and
//!   a shell script can build a link with `base64`.
//!
//! A fragment never leaves the browser, so the link carries the plan without anything
//! being sent anywhere.
//!
//! ```
//! let json = r#"{"format":1}"#;
//! let packed = portplan_core::share::pack(json);
//! assert_eq!(portplan_core::share::unpack(&packed).as_deref(), Ok(json));
//! ```

use crate::scenario::MAX_INPUT_BYTES;

/// Fragment key of the compressed form, without `#`.
pub const PACKED_KEY: &str = "s=";
/// Fragment key of the plain form, without `#`.
pub const PLAIN_KEY: &str = "scenario=";

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// base64url without padding.
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
        _ => Err(format!("“{}” is not a base64url character", char::from(c))),
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

/// The `#s=` payload of a scenario's JSON (DEFLATE at the best level, then base64url).
pub fn pack(json: &str) -> String {
    encode(&miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 10))
}

/// The JSON of a `#s=` payload; a damaged link says so in words, and a payload that
/// would inflate past the scenario size limit is refused before it fills memory.
pub fn unpack(data: &str) -> Result<String, String> {
    let bytes = decode(data.trim_end_matches('='))?;
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&bytes, MAX_INPUT_BYTES)
        .map_err(|e| match e.status {
            miniz_oxide::inflate::TINFLStatus::HasMoreOutput => {
                format!("the scenario in the link is larger than {MAX_INPUT_BYTES} bytes")
            }
            _ => "the link is cut short or changed (its data does not unpack)".to_string(),
        })?;
    String::from_utf8(json).map_err(|_| "the link's scenario is not UTF-8 text".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;

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
        assert_eq!(decode(&encode(&all)), Ok(all));
        assert!(decode("Zm9vY").is_err());
        assert!(decode("Zm+v").is_err());
    }

    /// A wave of `n` Windows workloads with targets, as the page would link it.
    pub fn wave(n: usize) -> String {
        let workloads: Vec<String> = (0..n)
            .map(|i| {
                format!(
                    r#"{{"name":"app{i:04}","address":"10.1.{}.{}","os":"windows","windows":"2016","drives":["C","D"],"transfer":"file","agent":false,"target":{{"name":"app{i:04}-t","address":"10.2.{}.{}"}}}}"#,
                    i / 250,
                    i % 250 + 1,
                    i / 250,
                    i % 250 + 1
                )
            })
            .collect();
        format!(
            r#"{{"format":1,"product":"migrate","version":"2019.5","server":{{"name":"ps01","address":"10.0.0.5"}},"hosts":[],"connectors":[],"workloads":[{}]}}"#,
            workloads.join(",")
        )
    }

    #[test]
    fn a_thousand_workloads_fit_in_32_kb() {
        let json = wave(1000);
        assert!(Scenario::from_json(&json).is_ok());
        let packed = pack(&json);
        let link = format!("https://planner.example/#{PACKED_KEY}{packed}");
        eprintln!(
            "1,000 workloads: JSON {} B, link {} B",
            json.len(),
            link.len()
        );
        assert!(link.len() < 32 * 1024, "{} bytes", link.len());
        assert_eq!(unpack(&packed), Ok(json));
    }

    #[test]
    fn damaged_links_say_why() {
        let packed = pack(&wave(3));
        let cut = &packed[..packed.len() / 2];
        assert!(unpack(cut).is_err());
        assert!(unpack("***").is_err_and(|e| e.contains("base64url")));
        // A bomb: 9 MB of spaces packs small and must be refused by size.
        let bomb = pack(&" ".repeat(MAX_INPUT_BYTES + 1));
        assert!(unpack(&bomb).is_err_and(|e| e.contains("larger than")));
    }
}
