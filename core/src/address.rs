//! Host names and addresses as scenarios, plans and command lines write them, parsed in
//! one place. A name is compared without regard to case (`WEB01` is `web01`, as DNS
//! and NetBIOS have it); an address is an IP literal or a DNS name, and an IPv6 literal
//! may be written in brackets (`[fd00::2]`, as in URLs): the brackets are taken off
//! here, once, so no caller strips them on its own.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::net::IpAddr;
use std::str::FromStr;

/// The longest host name accepted (a DNS label's limit: names become NetBIOS names,
/// file names and firewall comments).
pub const MAX_NAME_LEN: usize = 63;

/// A host's name in a scenario, a plan's hosts and flows, and a report: equal, hashed
/// and ordered without regard to ASCII case, so a result for `WEB01` attaches to the
/// plan's `web01` by type, not by a fold each caller must remember.
///
/// Parsing ([`FromStr`]) checks an RFC 1123-style label, since a scenario's names end
/// up in firewall comments, inventories and file names. A plan or report read back is
/// taken as written (`From<String>`, serde): its reader validates it in words
/// (`check_name`), so a bad name is refused with the field that holds it. On the wire
/// it is the plain string.
#[derive(Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct HostName(String);

/// Like the string it holds (`"web01"`): messages quote names with `{:?}`, and a user
/// reads the name, not the type.
impl fmt::Debug for HostName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl HostName {
    /// The name as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `other` names this host (any case).
    pub fn is(&self, other: &str) -> bool {
        self.0.eq_ignore_ascii_case(other)
    }

    /// Bytes folded to lower case: the one fold behind hashing and ordering.
    fn folded(&self) -> impl Iterator<Item = u8> + '_ {
        self.0.bytes().map(|b| b.to_ascii_lowercase())
    }
}

/// As written, unchecked: for names that come from a plan, a report or a scenario
/// already validated.
impl From<String> for HostName {
    fn from(name: String) -> HostName {
        HostName(name)
    }
}

impl From<&str> for HostName {
    fn from(name: &str) -> HostName {
        HostName(name.to_string())
    }
}

/// Read as the text it was written as (a file name, a comment, a table cell). Comparing
/// goes through `HostName`'s own equality, never through this text.
impl std::ops::Deref for HostName {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for HostName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for HostName {
    fn eq(&self, other: &str) -> bool {
        self.is(other)
    }
}

impl PartialEq<&str> for HostName {
    fn eq(&self, other: &&str) -> bool {
        self.is(other)
    }
}

impl PartialEq<String> for HostName {
    fn eq(&self, other: &String) -> bool {
        self.is(other)
    }
}

impl PartialEq<HostName> for String {
    fn eq(&self, other: &HostName) -> bool {
        other.is(self)
    }
}

impl PartialEq<HostName> for str {
    fn eq(&self, other: &HostName) -> bool {
        other.is(self)
    }
}

impl PartialEq<HostName> for &str {
    fn eq(&self, other: &HostName) -> bool {
        other.is(self)
    }
}

impl FromStr for HostName {
    type Err = String;

    fn from_str(name: &str) -> Result<HostName, String> {
        let ok_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.';
        if name.is_empty() {
            Err("empty name".into())
        } else if name.chars().count() > MAX_NAME_LEN {
            Err(format!(
                "{:?} is longer than {MAX_NAME_LEN} characters",
                truncate(name, 40)
            ))
        } else if !name.chars().all(ok_char) || name.starts_with(['-', '.']) {
            Err(format!(
                "{name:?} is not a host name (letters, digits, '-', '_', '.'; no spaces)"
            ))
        } else {
            Ok(HostName(name.to_string()))
        }
    }
}

impl PartialEq for HostName {
    fn eq(&self, other: &HostName) -> bool {
        self.is(&other.0)
    }
}

impl Eq for HostName {}

impl Hash for HostName {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for b in self.folded() {
            state.write_u8(b);
        }
    }
}

impl PartialOrd for HostName {
    fn partial_cmp(&self, other: &HostName) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for HostName {
    fn cmp(&self, other: &HostName) -> std::cmp::Ordering {
        self.folded().cmp(other.folded())
    }
}

impl fmt::Display for HostName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a host is reached: an IP literal or a DNS name (resolved by whoever dials).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Address {
    Ip(IpAddr),
    /// A DNS name, as written (names compare without regard to case).
    Name(String),
}

impl Address {
    /// The IP address, when the address is a literal.
    pub fn ip(&self) -> Option<IpAddr> {
        match self {
            Address::Ip(ip) => Some(*ip),
            Address::Name(_) => None,
        }
    }

    /// Whether `other` (as a scenario or a command line writes it) is this address: the
    /// same IP however written (`[fd00::2]`, `fd00:0::2`), or the same name in any case.
    pub fn is(&self, other: &str) -> bool {
        match (self, other.parse::<Address>()) {
            (Address::Ip(a), Ok(Address::Ip(b))) => *a == b,
            (Address::Name(a), Ok(Address::Name(b))) => a
                .trim_end_matches('.')
                .eq_ignore_ascii_case(b.trim_end_matches('.')),
            _ => false,
        }
    }

    /// `host:port` for a URL, a socket or a log line (`[fd00::2]:443`).
    pub fn with_port(&self, port: u16) -> String {
        match self {
            Address::Ip(IpAddr::V6(ip)) => format!("[{ip}]:{port}"),
            other => format!("{other}:{port}"),
        }
    }
}

impl FromStr for Address {
    type Err = String;

    /// An IP literal (IPv6 with or without brackets) or a DNS name; dotted numbers must
    /// be a valid IPv4 address, so a typo is not taken for a name.
    fn from_str(address: &str) -> Result<Address, String> {
        let bracketed = address.starts_with('[') && address.ends_with(']');
        let a = if bracketed {
            &address[1..address.len() - 1]
        } else {
            address
        };
        if let Ok(ip) = a.parse::<IpAddr>() {
            // `[10.0.0.5]` was always accepted: it stays so.
            return Ok(Address::Ip(ip));
        }
        let bad = || {
            Err(format!(
                "{:?} is not an IP address or DNS name",
                truncate(address, 60)
            ))
        };
        if a.is_empty() || a.len() > 253 || bracketed {
            return if a.contains(':') {
                Err(format!("{address:?} is not a valid IPv6 address"))
            } else {
                bad()
            };
        }
        if a.contains(':') {
            return Err(format!("{address:?} is not a valid IPv6 address"));
        }
        let labels: Vec<&str> = a.trim_end_matches('.').split('.').collect();
        if labels
            .iter()
            .all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(format!("{address:?} is not a valid IPv4 address"));
        }
        let label_ok = |l: &&str| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                && !l.starts_with('-')
                && !l.ends_with('-')
        };
        if labels.iter().all(label_ok) {
            Ok(Address::Name(a.to_string()))
        } else {
            bad()
        }
    }
}

/// The bare form: an IP without brackets, or the name.
impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::Ip(ip) => write!(f, "{ip}"),
            Address::Name(n) => f.write_str(n),
        }
    }
}

pub(crate) fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn addr(s: &str) -> Address {
        s.parse().expect(s)
    }

    #[test]
    fn brackets_are_taken_off_once_and_only_for_ipv6() {
        assert_eq!(addr("[fd00::2]"), addr("fd00::2"));
        assert_eq!(addr("[fd00::2]").to_string(), "fd00::2");
        assert_eq!(addr("[10.0.0.5]"), addr("10.0.0.5"), "accepted as before");
        assert_eq!(addr("fd00::2").with_port(443), "[fd00::2]:443");
        assert_eq!(addr("10.0.0.5").with_port(443), "10.0.0.5:443");
        assert_eq!(addr("ps01.corp").with_port(80), "ps01.corp:80");
        assert!(addr("fd00:0::2").is("[fd00::2]"));
        assert!(addr("PS01.corp.").is("ps01.CORP"));
        assert!(!addr("10.0.0.5").is("10.0.0.50"));
        assert!(!addr("10.0.0.5").is("ps01"));
    }

    #[test]
    fn bad_addresses_say_what_they_are_not() {
        for (input, says) in [
            ("10.0.0.256", "not a valid IPv4"),
            ("10.0.0.", "not a valid IPv4"),
            ("fd00::g", "not a valid IPv6"),
            ("[fd00::g]", "not a valid IPv6"),
            ("[ps01]", "not an IP address or DNS name"),
            ("", "not an IP address or DNS name"),
            ("a b", "not an IP address or DNS name"),
            ("-ps01", "not an IP address or DNS name"),
        ] {
            let e = input.parse::<Address>().expect_err(input);
            assert!(e.contains(says), "{input:?}: {e}");
        }
    }

    #[test]
    fn names_compare_without_case() {
        let a: HostName = "WEB01".parse().expect("name");
        let b: HostName = "web01".parse().expect("name");
        assert_eq!(a, b);
        assert_eq!(a.to_string(), "WEB01", "written as given");
        let set: HashSet<HostName> = [a, b].into_iter().collect();
        assert_eq!(set.len(), 1);
        assert!("web 01".parse::<HostName>().is_err());
        assert!("".parse::<HostName>().is_err());
        assert!(".web".parse::<HostName>().is_err());
    }

    #[test]
    fn a_name_is_its_plain_string_on_the_wire() {
        let n: HostName = serde_json::from_str("\"WEB01\"").expect("json");
        assert_eq!(n, "web01");
        assert_eq!(serde_json::to_string(&n).expect("json"), "\"WEB01\"");
        assert!(
            HostName::from("a").cmp(&HostName::from("B")).is_lt(),
            "ordered without case"
        );
        // Messages quote names with {:?}: the name, never the type.
        assert_eq!(format!("{:?}", HostName::from("web01")), "\"web01\"");
    }
}
