//! The CLI's clock: RFC 3339 UTC timestamps (reports, responder logs) and today's date
//! (the PDF), all through one formatter (humantime). The core never reads the clock.

use std::time::SystemTime;

/// `2026-11-25T02:04:35Z`.
pub fn rfc3339(t: SystemTime) -> String {
    humantime::format_rfc3339_seconds(t).to_string()
}

/// `2026-11-25T02:04:35.123Z`: report times, where runs are seconds long.
pub fn rfc3339_millis(t: SystemTime) -> String {
    humantime::format_rfc3339_millis(t).to_string()
}

/// Now, as [`rfc3339`].
pub fn now() -> String {
    rfc3339(SystemTime::now())
}

/// Today in UTC as `YYYY-MM-DD`.
pub fn today() -> String {
    let mut s = now();
    s.truncate(10);
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    fn from_unix(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn known_dates_leap_days_included() {
        assert_eq!(rfc3339(from_unix(0)), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(from_unix(951_782_400)), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(from_unix(1_709_164_800)), "2024-02-29T00:00:00Z");
        assert_eq!(rfc3339(from_unix(1_795_572_275)), "2026-11-25T02:04:35Z");
        assert_eq!(
            rfc3339_millis(from_unix(1_795_572_275) + Duration::from_millis(7)),
            "2026-11-25T02:04:35.007Z"
        );
        assert_eq!(today().len(), 10);
    }
}
