//! The app's rules. No HTTP types here beyond the platform's error and language.

pub mod contents;
pub mod likes;
pub mod reviews;
pub mod tmdb;
pub mod users;

use std::sync::Arc;

use platform::db::Db;
use platform::external::push::{Pusher, StaleTokens};
use platform::outbox::BoxFuture;
use platform::texts::Language;
use platform::validate::{FieldErrors, PageRule, Paging};

use crate::i18n;

#[derive(Clone)]
pub struct Service {
    pub db: Db,
    pub pusher: Pusher,
    /// Contents from TMDB, when a key is configured.
    pub tmdb: Option<tmdb::TmdbSync>,
}

/// `page` from 1 and `size` from 1 to 100 (default 20).
pub fn paging(
    lang: Language,
    errors: &mut FieldErrors,
    page: Option<i64>,
    size: Option<i64>,
) -> Paging {
    let rule = PageRule {
        size_field: "size",
        default_size: 20,
        max_size: 100,
        page_range: i18n::PAGE_RANGE.in_(lang),
        size_range: i18n::SIZE_RANGE.in_(lang),
    };
    Paging::check(rule, errors, page, size)
}

/// Devices the push service no longer knows are removed.
pub struct ForgetDevices(pub Db);

impl StaleTokens for ForgetDevices {
    fn forget<'a>(&'a self, fcm_token: &'a str) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            crate::store::devices::forget(&self.0, fcm_token)
                .await
                .map(drop)
                .map_err(|e| e.to_string())
        })
    }
}

impl Service {
    pub fn new(ctx: &platform::AppContext) -> Result<Self, String> {
        let settings: &crate::Settings = ctx.settings();
        let tmdb = platform::external::tmdb::Tmdb::from_settings(&ctx.platform, ctx.redis.clone())
            .map(|t| tmdb::TmdbSync {
                tmdb: Arc::new(t),
                ttl: std::time::Duration::from_secs(settings.content_ttl_hours * 3600),
            });
        Ok(Self {
            db: ctx.db.clone(),
            pusher: ctx.pusher(Arc::new(ForgetDevices(ctx.db.clone())))?,
            tmdb,
        })
    }
}
