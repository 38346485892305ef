//! The leaderboard: the top 50 by focused minutes in a calendar period of the
//! configured time zone (a day; a week from Monday; all time), cached for the
//! configured time (seed §8.1: in Redis when configured, so every instance serves
//! what one computed).

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use platform::ApiError;

use super::Service;
use crate::model::{Entry, Period};
use crate::store;

pub const TOP: i64 = 50;

/// A local date as the sums store it: yyyymmdd.
pub fn day_number(date: NaiveDate) -> i32 {
    date.year() * 10_000 + date.month() as i32 * 100 + date.day() as i32
}

/// The local day (in `tz`) of an instant in milliseconds, as the sums store it.
pub fn local_day(at_ms: i64, tz: Tz) -> i32 {
    let at = DateTime::from_timestamp_millis(at_ms).unwrap_or_default();
    day_number(platform::time::local_date(at, tz))
}

/// The local days of `period` at `now`, in `tz`: today; Monday to today; or all
/// time (`None`).
pub fn period_days(period: Period, now: DateTime<Utc>, tz: Tz) -> Option<(i32, i32)> {
    let today = platform::time::local_date(now, tz);
    let first = match period {
        Period::All => return None,
        Period::Daily => today,
        Period::Weekly => today - Duration::days(i64::from(today.weekday().num_days_from_monday())),
    };
    Some((day_number(first), day_number(today)))
}

impl Service {
    pub async fn leaderboard(&self, period: Period) -> Result<Vec<Entry>, ApiError> {
        let days = period_days(period, Utc::now(), self.tz);
        let key = format!(
            "leaderboard:{}:{}",
            period.as_str(),
            days.map_or(0, |(first, _)| first)
        );
        let text = self
            .leaderboard
            .get_or_compute(&key, || async {
                let totals = match days {
                    None => store::credits::top_of_all(&self.db, TOP).await?,
                    Some((first, last)) => {
                        store::credits::top_of_days(&self.db, first, last, TOP).await?
                    }
                };
                let entries: Vec<Entry> = totals
                    .into_iter()
                    .zip(1..)
                    .map(|(t, rank)| Entry {
                        rank,
                        user_id: t.user_id,
                        username: t.username,
                        focus_minutes: t.minutes,
                    })
                    .collect();
                serde_json::to_string(&entries).map_err(ApiError::internal)
            })
            .await?;
        serde_json::from_str(&text).map_err(ApiError::internal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn days_and_weeks_are_local_and_weeks_begin_on_monday() {
        let seoul = chrono_tz::Asia::Seoul;
        // Sunday 2026-12-06 16:30 UTC is Monday 2026-12-07 01:30 in Seoul.
        let now = Utc.with_ymd_and_hms(2026, 12, 6, 16, 30, 0).unwrap();
        assert_eq!(
            period_days(Period::Daily, now, seoul),
            Some((20261207, 20261207))
        );
        assert_eq!(
            period_days(Period::Weekly, now, seoul),
            Some((20261207, 20261207)),
            "Monday in Seoul: the week began today"
        );
        // In UTC it is still Sunday: the week began on Monday 2026-11-30.
        assert_eq!(
            period_days(Period::Weekly, now, chrono_tz::UTC),
            Some((20261130, 20261206))
        );
        assert_eq!(period_days(Period::All, now, seoul), None);
        assert_eq!(local_day(now.timestamp_millis(), seoul), 20261207);
        assert_eq!(local_day(now.timestamp_millis(), chrono_tz::UTC), 20261206);
    }
}
