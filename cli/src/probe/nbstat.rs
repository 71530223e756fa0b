//! NetBIOS node status (NBSTAT, RFC 1002 §4.2.17–18) over UDP 137: the query that
//! `nbtstat -A` and PortQry send. A Windows host answers it with its name table, which
//! proves UDP 137 open and tells us who answered.
//!
//! Building and parsing are pure functions so they can be fuzzed and extended (names,
//! MAC address) without touching sockets.

/// Question type NBSTAT and class IN.
const QTYPE_NBSTAT: u16 = 0x0021;
const QCLASS_IN: u16 = 0x0001;

/// A node-status request for the wildcard name `*`, with transaction id `id`.
pub fn request(id: u16) -> Vec<u8> {
    let mut p = Vec::with_capacity(50);
    p.extend_from_slice(&id.to_be_bytes());
    p.extend_from_slice(&[0x00, 0x00]); // flags: query, no recursion
    p.extend_from_slice(&[0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]); // QD=1
    p.push(0x20);
    let mut name = [0u8; 16];
    name[0] = b'*';
    for b in name {
        p.push(b'A' + (b >> 4));
        p.push(b'A' + (b & 0x0f));
    }
    p.push(0x00);
    p.extend_from_slice(&QTYPE_NBSTAT.to_be_bytes());
    p.extend_from_slice(&QCLASS_IN.to_be_bytes());
    p
}

/// One entry of a node's name table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NbName {
    /// The name without its padding (e.g. `WEB01`, `WORKGROUP`).
    pub name: String,
    /// The 16th byte: 0x00 workstation, 0x20 file server, 0x1d master browser…
    pub suffix: u8,
    /// Group name (domain/workgroup) rather than a unique host name.
    pub group: bool,
}

/// Why a datagram is not a node-status answer to our query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseError {
    Truncated,
    WrongId,
    NotAResponse,
    NoAnswer,
    NotNbstat,
}

/// Parses a node-status response to the query with id `id` into its name table.
pub fn parse_reply(buf: &[u8], id: u16) -> Result<Vec<NbName>, ParseError> {
    let u16_at = |i: usize| -> Result<u16, ParseError> {
        buf.get(i..i + 2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]))
            .ok_or(ParseError::Truncated)
    };
    if u16_at(0)? != id {
        return Err(ParseError::WrongId);
    }
    if u16_at(2)? & 0x8000 == 0 {
        return Err(ParseError::NotAResponse);
    }
    if u16_at(6)? == 0 {
        return Err(ParseError::NoAnswer);
    }
    // Skip the questions (normally none in a response), then the answer's name.
    let mut i = 12;
    for _ in 0..u16_at(4)? {
        i = skip_name(buf, i)? + 4;
    }
    i = skip_name(buf, i)?;
    if u16_at(i)? != QTYPE_NBSTAT {
        return Err(ParseError::NotNbstat);
    }
    let rdlength = usize::from(u16_at(i + 8)?);
    let rdata = buf
        .get(i + 10..i + 10 + rdlength)
        .ok_or(ParseError::Truncated)?;
    let count = usize::from(*rdata.first().ok_or(ParseError::Truncated)?);
    let mut names = Vec::with_capacity(count);
    for k in 0..count {
        let e = rdata
            .get(1 + k * 18..1 + (k + 1) * 18)
            .ok_or(ParseError::Truncated)?;
        let name: String = e[..15]
            .iter()
            .map(|&b| {
                if b.is_ascii_graphic() || b == b' ' {
                    b as char
                } else {
                    '?'
                }
            })
            .collect();
        names.push(NbName {
            name: name.trim_end().to_string(),
            suffix: e[15],
            group: e[16] & 0x80 != 0,
        });
    }
    Ok(names)
}

/// The host's own name: the first unique name, else the first name.
pub fn host_name(names: &[NbName]) -> Option<&str> {
    names
        .iter()
        .find(|n| !n.group && n.suffix == 0x00)
        .or_else(|| names.first())
        .map(|n| n.name.as_str())
}

/// Index just past an encoded name (labels, or a compression pointer).
fn skip_name(buf: &[u8], mut i: usize) -> Result<usize, ParseError> {
    for _ in 0..64 {
        let len = *buf.get(i).ok_or(ParseError::Truncated)?;
        if len & 0xc0 == 0xc0 {
            return Ok(i + 2);
        }
        if len == 0 {
            return Ok(i + 1);
        }
        i += 1 + usize::from(len);
    }
    Err(ParseError::Truncated)
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// A node-status response as Windows sends it, for tests and the loopback responder.
    pub fn reply(id: u16, names: &[(&str, u8, bool)]) -> Vec<u8> {
        let mut p = id.to_be_bytes().to_vec();
        p.extend_from_slice(&[0x84, 0x00, 0, 0, 0, 1, 0, 0, 0, 0]);
        p.extend_from_slice(&request(0)[12..46]); // the same encoded name `*`
        p.extend_from_slice(&[0x00, 0x21, 0x00, 0x01, 0, 0, 0, 0]);
        let rdlen = 1 + names.len() * 18 + 46;
        p.extend_from_slice(&(rdlen as u16).to_be_bytes());
        p.push(names.len() as u8);
        for (n, suffix, group) in names {
            let mut e = [b' '; 15].to_vec();
            e[..n.len()].copy_from_slice(n.as_bytes());
            e.push(*suffix);
            e.extend_from_slice(&[if *group { 0x84 } else { 0x04 }, 0x00]);
            p.extend_from_slice(&e);
        }
        p.extend_from_slice(&[0u8; 46]); // statistics: MAC and counters
        p
    }

    #[test]
    fn request_is_the_50_byte_wildcard_query() {
        let q = request(0x1234);
        assert_eq!(q.len(), 50);
        assert_eq!(&q[..2], &[0x12, 0x34]);
        assert_eq!(&q[13..15], b"CK");
        assert_eq!(&q[46..], &[0x00, 0x21, 0x00, 0x01]);
    }

    #[test]
    fn reply_names_the_host() {
        let r = reply(
            7,
            &[
                ("WORKGROUP", 0x00, true),
                ("WEB01", 0x00, false),
                ("WEB01", 0x20, false),
            ],
        );
        let names = parse_reply(&r, 7).expect("parse");
        assert_eq!(names.len(), 3);
        assert_eq!(host_name(&names), Some("WEB01"));
        assert_eq!(parse_reply(&r, 8), Err(ParseError::WrongId));
        assert_eq!(parse_reply(&request(7), 7), Err(ParseError::NotAResponse));
    }

    proptest::proptest! {
        /// Whatever arrives on UDP 137, parsing returns instead of panicking.
        #[test]
        fn arbitrary_datagrams_never_panic(buf in proptest::collection::vec(proptest::num::u8::ANY, 0..600), id: u16) {
            let _ = parse_reply(&buf, id);
        }

        /// A name table survives the round trip through a reply.
        #[test]
        fn replies_round_trip(names in proptest::collection::vec(("[A-Z0-9-]{1,15}", proptest::num::u8::ANY, proptest::bool::ANY), 0..20), id: u16) {
            let table: Vec<(&str, u8, bool)> = names.iter().map(|(n, s, g)| (n.as_str(), *s, *g)).collect();
            let parsed = parse_reply(&reply(id, &table), id).expect("parse");
            let back: Vec<(String, u8, bool)> = parsed.into_iter().map(|n| (n.name, n.suffix, n.group)).collect();
            proptest::prop_assert_eq!(back, names);
        }
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let r = reply(7, &[("WEB01", 0x00, false)]);
        for n in 0..r.len() {
            assert!(parse_reply(&r[..n], 7).is_err(), "accepted {n} bytes");
        }
    }
}
