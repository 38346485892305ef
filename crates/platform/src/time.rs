//! Time: stored in UTC, shown in the configured zone where a seed shows naive local
//! timestamps (`"2023-03-15T14:30:00"`).

use chrono::{DateTime, Datelike, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use serde::{Serialize, Serializer};

const NAIVE_FORMAT: &str = "%Y-%m-%dT%H:%M:%S";

/// `2023-03-15T14:30:00` in `tz`.
pub fn local_naive(at: DateTime<Utc>, tz: Tz) -> String {
    let local = at.with_timezone(&tz).naive_local();
    match naive_digits(local) {
        Some(buf) => String::from_utf8_lossy(&buf).into_owned(),
        None => local.format(NAIVE_FORMAT).to_string(),
    }
}

/// `NAIVE_FORMAT` written digit by digit: every order on the wire carries several
/// timestamps, and chrono's formatter interprets the pattern each time.
/// `None` for years that do not fit in four digits.
fn naive_digits(t: NaiveDateTime) -> Option<[u8; 19]> {
    let year = u32::try_from(t.year()).ok().filter(|y| *y <= 9999)?;
    let mut buf = *b"0000-00-00T00:00:00";
    let mut put = |at: usize, value: u32, width: usize| {
        let mut v = value;
        for i in (0..width).rev() {
            buf[at + i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    put(0, year, 4);
    put(5, t.month(), 2);
    put(8, t.day(), 2);
    put(11, t.hour(), 2);
    put(14, t.minute(), 2);
    put(17, t.second(), 2);
    Some(buf)
}

/// A UTC instant that serializes as a naive local timestamp in its zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalTime {
    pub at: DateTime<Utc>,
    pub tz: Tz,
}

impl LocalTime {
    pub fn new(at: DateTime<Utc>, tz: Tz) -> Self {
        Self { at, tz }
    }
}

impl Serialize for LocalTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let local = self.at.with_timezone(&self.tz).naive_local();
        match naive_digits(local) {
            // ASCII digits and separators only.
            Some(buf) => s.serialize_str(std::str::from_utf8(&buf).expect("ASCII is UTF-8")),
            None => s.collect_str(&local.format(NAIVE_FORMAT)),
        }
    }
}

/// Reads a client timestamp: RFC 3339 with an offset, or a naive local time
/// (`T` or space separated, optional fraction), or a bare date (midnight local).
pub fn parse_local(input: &str, tz: Tz) -> Option<DateTime<Utc>> {
    let input = input.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(input) {
        return Some(at.with_timezone(&Utc));
    }
    let naive = [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(input, f).ok())
    .or_else(|| {
        NaiveDate::parse_from_str(input, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
    })?;
    from_local(naive, tz)
}

/// A local wall-clock time as UTC. In a DST gap the time does not exist; take the
/// instant just after the gap. In an overlap take the earlier one.
pub fn from_local(naive: NaiveDateTime, tz: Tz) -> Option<DateTime<Utc>> {
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(a, _) => Some(a.with_timezone(&Utc)),
        LocalResult::None => tz
            .from_local_datetime(&(naive + chrono::Duration::hours(1)))
            .earliest()
            .map(|t| t.with_timezone(&Utc)),
    }
}

/// `[start 00:00, end+1 00:00)` in `tz`, as UTC instants: whole local days.
pub fn day_range(
    start: NaiveDate,
    end: NaiveDate,
    tz: Tz,
) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let from = from_local(start.and_hms_opt(0, 0, 0)?, tz)?;
    let to = from_local(end.succ_opt()?.and_hms_opt(0, 0, 0)?, tz)?;
    Some((from, to))
}

/// The local calendar date of an instant.
pub fn local_date(at: DateTime<Utc>, tz: Tz) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_match_chrono_across_years_and_zones() {
        let zones = [
            chrono_tz::Asia::Seoul,
            chrono_tz::UTC,
            chrono_tz::America::St_Johns,
        ];
        // A step that is not a whole number of minutes walks every field.
        let mut at = Utc.with_ymd_and_hms(1, 1, 1, 0, 0, 0).unwrap();
        let end = Utc.with_ymd_and_hms(9999, 6, 1, 0, 0, 0).unwrap();
        while at < end {
            for tz in zones {
                let expected = at.with_timezone(&tz).format(NAIVE_FORMAT).to_string();
                assert_eq!(local_naive(at, tz), expected);
                let json = serde_json::to_string(&LocalTime::new(at, tz)).unwrap();
                assert_eq!(json, format!("\"{expected}\""));
            }
            at += chrono::Duration::seconds(86_400 * 37 + 3_671);
        }
        let far = Utc.with_ymd_and_hms(9999, 12, 31, 23, 0, 0).unwrap();
        let json = serde_json::to_string(&LocalTime::new(far, chrono_tz::Asia::Seoul)).unwrap();
        assert_eq!(json, "\"+10000-01-01T08:00:00\"");
    }

    #[test]
    fn naive_round_trip_in_seoul() {
        let tz = chrono_tz::Asia::Seoul;
        let at = parse_local("2023-03-15T14:30:00", tz).unwrap();
        assert_eq!(at.to_rfc3339(), "2023-03-15T05:30:00+00:00");
        assert_eq!(local_naive(at, tz), "2023-03-15T14:30:00");
        assert_eq!(parse_local("2023-03-15T05:30:00Z", tz), Some(at));
        assert_eq!(parse_local("2023-03-15 14:30:00", tz), Some(at));
        assert!(parse_local("2023-02-30T00:00:00", tz).is_none());
        assert!(parse_local("yesterday", tz).is_none());
    }

    #[test]
    fn day_range_covers_whole_local_days() {
        let tz = chrono_tz::Asia::Seoul;
        let d = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        let (from, to) = day_range(d, d, tz).unwrap();
        assert_eq!(from.to_rfc3339(), "2023-12-31T15:00:00+00:00");
        assert_eq!(to.to_rfc3339(), "2024-01-01T15:00:00+00:00");
    }
}
