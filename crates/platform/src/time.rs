//! Time: stored in UTC, shown in the configured zone where a seed shows naive local
//! timestamps (`"2023-03-15T14:30:00"`).

use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Serialize, Serializer};

const NAIVE_FORMAT: &str = "%Y-%m-%dT%H:%M:%S";

/// `2023-03-15T14:30:00` in `tz`.
pub fn local_naive(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format(NAIVE_FORMAT).to_string()
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
        s.collect_str(&self.at.with_timezone(&self.tz).format(NAIVE_FORMAT))
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
