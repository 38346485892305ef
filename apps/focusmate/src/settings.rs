//! `[apps.focusmate]` / `ONDOL_FOCUSMATE_*`: the app's own settings.

use std::time::Duration;

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Real seconds one timer minute lasts: 60, or less to watch a whole cycle in
    /// tests and demos (production refuses any other value).
    pub minute_seconds: f64,
    /// How long a leaderboard is reused (in Redis when configured).
    pub leaderboard_cache_seconds: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            minute_seconds: 60.0,
            leaderboard_cache_seconds: 60,
        }
    }
}

impl Settings {
    /// Real milliseconds per timer minute.
    pub fn minute_ms(&self) -> i64 {
        (self.minute_seconds * 1000.0).round() as i64
    }

    pub fn leaderboard_ttl(&self) -> Duration {
        Duration::from_secs(self.leaderboard_cache_seconds)
    }

    /// `Err` with the reason when the settings cannot run (`production`: in a
    /// production environment).
    pub fn check(&self, production: bool) -> Result<(), String> {
        if !(self.minute_seconds.is_finite() && self.minute_seconds >= 0.01) {
            return Err(format!(
                "minute_seconds must be at least 0.01, not {}",
                self.minute_seconds
            ));
        }
        if production && self.minute_seconds != 60.0 {
            return Err(format!(
                "minute_seconds is a test setting; production runs 60, not {}",
                self.minute_seconds
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_real_minutes_run_in_production() {
        let fast = Settings {
            minute_seconds: 0.5,
            ..Settings::default()
        };
        assert_eq!(fast.minute_ms(), 500);
        assert!(fast.check(false).is_ok());
        assert!(fast.check(true).is_err());
        assert!(Settings::default().check(true).is_ok());
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let s = Settings {
                minute_seconds: bad,
                ..Settings::default()
            };
            assert!(s.check(false).is_err(), "{bad}");
        }
    }
}
