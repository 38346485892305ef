//! `[apps.reviews]` / `ONDOL_REVIEWS_*`: the app's own settings (the platform's,
//! among them `tmdb_api_key` and `fcm_service_account`, are in the README).

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// With TMDB, a stored content older than this is fetched again when read.
    pub content_ttl_hours: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            content_ttl_hours: 24,
        }
    }
}
