//! The one duration syntax of the command line: `500ms`, `90s`, `15m`, `2h` (humantime),
//! or a plain number of seconds; more than zero and at most a ceiling each flag names.

use std::time::Duration;

/// A day: the ceiling of `check --max-time` and the fleet's timeouts.
pub const DAY: Duration = Duration::from_secs(86_400);
/// A week: how long a `listen` responder may be left running at most.
pub const WEEK: Duration = Duration::from_secs(7 * 86_400);

/// Parses `s`; the error says what was wrong in words (`"soon" is not a duration …`).
pub fn parse(s: &str, max: Duration) -> Result<Duration, String> {
    let t = s.trim();
    let d = match t.parse::<u64>() {
        Ok(secs) => Duration::from_secs(secs),
        Err(_) => humantime::parse_duration(t)
            .map_err(|_| format!("{s:?} is not a duration (write e.g. 1s, 500ms, 2m)"))?,
    };
    if d.is_zero() || d > max {
        return Err(format!(
            "{s:?}: must be more than 0 and at most {}",
            humantime::format_duration(max)
        ));
    }
    Ok(d)
}

/// `check --max-time`, fleet timeouts: at most a day.
pub fn up_to_a_day(s: &str) -> Result<Duration, String> {
    parse(s, DAY)
}

/// `listen --for`: at most a week.
pub fn up_to_a_week(s: &str) -> Result<Duration, String> {
    parse(s, WEEK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_plain_seconds_and_ceilings() {
        assert_eq!(parse("500ms", DAY), Ok(Duration::from_millis(500)));
        assert_eq!(parse(" 90s ", DAY), Ok(Duration::from_secs(90)));
        assert_eq!(parse("15m", DAY), Ok(Duration::from_secs(900)));
        assert_eq!(parse("2h", DAY), Ok(Duration::from_secs(7200)));
        assert_eq!(parse("90", DAY), Ok(Duration::from_secs(90)));
        assert_eq!(up_to_a_week("7d"), Ok(WEEK));
        assert_eq!(
            up_to_a_week("8d"),
            Err("\"8d\": must be more than 0 and at most 7days".into())
        );
        assert_eq!(
            up_to_a_day("25h"),
            Err("\"25h\": must be more than 0 and at most 1day".into())
        );
        assert!(parse("0s", DAY).is_err() && parse("0", DAY).is_err());
        assert_eq!(
            parse("soon", DAY),
            Err("\"soon\" is not a duration (write e.g. 1s, 500ms, 2m)".into())
        );
    }
}
