//! The leaderboard: the top 50 by focused minutes in a calendar period of the
//! configured time zone (a day; a week from Monday; all time), cached for the
//! configured time (seed §8.1: in Redis when configured, so every instance serves
//! what one computed).

use chrono::{DateTime, Datelike, Duration, Utc};
use chrono_tz::Tz;
use platform::ApiError;

use super::Service;
use crate::model::{Entry, Period};
use crate::store;

pub const TOP: i64 = 50;

/// Where `period` began at `now`, in `tz`; `None` for all time.
pub fn period_start(period: Period, now: DateTime<Utc>, tz: Tz) -> Option<DateTime<Utc>> {
    let today = platform::time::local_date(now, tz);
    let first = match period {
        Period::All => return None,
        Period::Daily => today,
        Period::Weekly => today - Duration::days(i64::from(today.weekday().num_days_from_monday())),
    };
    platform::time::day_range(first, first, tz).map(|(from, _)| from)
}

impl Service {
    pub async fn leaderboard(&self, period: Period) -> Result<Vec<Entry>, ApiError> {
        let since = period_start(period, Utc::now(), self.tz);
        let key = format!(
            "leaderboard:{}:{}",
            period.as_str(),
            since.map_or(0, |s| s.timestamp())
        );
        if let Some(hit) = self.leaderboard.get(&key).await
            && let Ok(entries) = serde_json::from_str::<Vec<Entry>>(&hit)
        {
            return Ok(entries);
        }
        let totals =
            store::credits::top(&self.db, since.map(|s| s.timestamp_millis()), TOP).await?;
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
        let text = serde_json::to_string(&entries).map_err(ApiError::internal)?;
        self.leaderboard.put(&key, &text).await;
        Ok(entries)
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
        let day = period_start(Period::Daily, now, seoul).unwrap();
        assert_eq!(day, Utc.with_ymd_and_hms(2026, 12, 6, 15, 0, 0).unwrap());
        let week = period_start(Period::Weekly, now, seoul).unwrap();
        assert_eq!(week, day, "Monday in Seoul: the week began today");
        // In UTC it is still Sunday: the week began on Monday 2026-11-30.
        let week_utc = period_start(Period::Weekly, now, chrono_tz::UTC).unwrap();
        assert_eq!(
            week_utc,
            Utc.with_ymd_and_hms(2026, 11, 30, 0, 0, 0).unwrap()
        );
        assert_eq!(period_start(Period::All, now, seoul), None);
    }
}
