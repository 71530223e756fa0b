//! Legacy block-based transfer: one TCP connection per mirrored drive, on
//! `10000 + index` where A is index 0 (TID 7920341: "the port for drive C is 10002").
//! The article's "10000-100025" is a typo for 10000-10025.

use crate::error::DriveError;
use crate::types::Port;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Base of the legacy drive ports: drive A.
pub const DRIVE_PORT_BASE: u16 = 10000;

/// A Windows drive letter, stored upper-case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DriveLetter(u8);

impl DriveLetter {
    /// Parses one letter `A`–`Z`, case-insensitive, as inventories and people write a
    /// drive: `C`, `c`, `C:` or the root `C:\` (`C:/`). The one drive parser: the
    /// wizard's Drives field, a paste and a scenario file accept the same spellings.
    pub fn parse(s: &str) -> Result<DriveLetter, DriveError> {
        let t = match s.strip_suffix(['\\', '/']) {
            Some(root) => root.strip_suffix(':'),
            None => Some(s.strip_suffix(':').unwrap_or(s)),
        };
        match t.unwrap_or("").as_bytes() {
            [b] if b.is_ascii_alphabetic() => Ok(DriveLetter(b.to_ascii_uppercase())),
            _ => Err(DriveError {
                value: s.to_string(),
            }),
        }
    }
    pub fn letter(self) -> char {
        char::from(self.0)
    }
    /// Zero-based index: A=0, C=2, Z=25.
    pub fn index(self) -> u16 {
        u16::from(self.0 - b'A')
    }
    /// The legacy block-based mirror port of this drive.
    pub fn port(self) -> Port {
        // 10000..=10025 is never 0.
        Port::new(DRIVE_PORT_BASE + self.index()).unwrap_or(Port::lit(DRIVE_PORT_BASE))
    }
    /// The drive whose mirror port is `port`, if any.
    pub fn from_port(port: Port) -> Option<DriveLetter> {
        let i = port.get().checked_sub(DRIVE_PORT_BASE)?;
        (i < 26).then(|| DriveLetter(b'A' + i as u8))
    }
}

impl TryFrom<String> for DriveLetter {
    type Error = DriveError;
    fn try_from(s: String) -> Result<Self, DriveError> {
        DriveLetter::parse(&s)
    }
}

impl From<DriveLetter> for String {
    fn from(d: DriveLetter) -> String {
        d.letter().to_string()
    }
}

impl fmt::Display for DriveLetter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.letter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn port(s: &str) -> Result<u16, DriveError> {
        DriveLetter::parse(s).map(|d| d.port().get())
    }

    #[test]
    fn article_examples() {
        assert_eq!(port("A"), Ok(10000));
        assert_eq!(port("C"), Ok(10002));
        assert_eq!(port("d"), Ok(10003));
        assert_eq!(port("Z"), Ok(10025));
        assert_eq!(port("e:"), Ok(10004));
    }

    /// A drive as inventories write it: the same letter however spelt.
    #[test]
    fn a_drive_root_is_its_letter() {
        for (typed, letter) in [("C:\\", 'C'), ("c:/", 'C'), ("e:", 'E'), ("d", 'D')] {
            assert_eq!(
                DriveLetter::parse(typed).map(|d| d.letter()),
                Ok(letter),
                "{typed}"
            );
        }
        for bad in ["C\\", "\\", ":\\", "C:\\\\", "C:\\x"] {
            assert!(DriveLetter::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bad_letters_name_the_value() {
        for bad in ["#", "CD", "", "1", "ä", ":", "C::"] {
            let e = DriveLetter::parse(bad).expect_err(bad);
            assert_eq!(e.value, bad);
            assert!(e.to_string().contains(&format!("{bad:?}")));
        }
    }

    proptest! {
        #[test]
        fn every_letter_maps_into_10000_10025_and_back(c in proptest::char::range('A', 'Z'), lower in any::<bool>()) {
            let s = if lower { c.to_ascii_lowercase() } else { c }.to_string();
            let d = DriveLetter::parse(&s).expect("letter");
            prop_assert_eq!(d.port().get(), 10000 + (c as u16 - 'A' as u16));
            prop_assert_eq!(DriveLetter::from_port(d.port()), Some(d));
        }

        #[test]
        fn anything_else_is_refused(s in "\\PC*") {
            let t = match s.strip_suffix(['\\', '/']) {
                Some(root) => root.strip_suffix(':').unwrap_or("!"),
                None => s.strip_suffix(':').unwrap_or(&s),
            };
            let ok = t.len() == 1 && t.as_bytes()[0].is_ascii_alphabetic();
            prop_assert_eq!(DriveLetter::parse(&s).is_ok(), ok);
        }
    }
}
