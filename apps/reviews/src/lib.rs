//! reviews: a movie and TV review platform (seed 002), on the ondol platform.
//!
//! People look up movies and TV shows, rate and review them, like each other's
//! reviews, and get a push notification when theirs is liked. Paths have no
//! prefix; successes are the resources themselves, lists
//! `{items, page, size, total}`, and every error is the seed's
//! `{timestamp, path, status, code, message, details}`. See `docs/reviews.md`.

mod admin;
pub mod catalogue;
mod demo;
mod envelope;
mod i18n;
pub mod model;
mod routes;
mod service;
mod settings;
mod store;

use std::time::Duration;

use platform::app::{App, AppContext, BoxError, BoxFuture, Manifest, RateLimitKey};
use platform::auth::Accounts;
use platform::db::Migrations;
use platform::openapi::{OpenApiRouter, routes};
use platform::ratelimit::Window;
use platform::{DemoLogin, NewUser, UserSummary};

use crate::routes::{AppState, auth, contents, reviews, users};
use crate::service::Service;
pub use crate::settings::Settings;

static MIGRATIONS: Migrations = Migrations {
    sqlite: sqlx::migrate!("./migrations/sqlite"),
    postgres: sqlx::migrate!("./migrations/postgres"),
};

static MANIFEST: Manifest = Manifest::new(
    "reviews",
    "Movie and TV reviews: sign up, search a catalogue of movies and TV shows, \
     rate and review them, like other people's reviews and get a push when yours \
     is liked. Successes are the resources themselves, lists \
     `{items, page, size, total}`; every error is \
     `{timestamp, path, status, code, message, details}`.",
    8002,
    &envelope::Envelope,
    &MIGRATIONS,
)
.settings::<Settings>()
.languages(&[platform::texts::KO, platform::texts::EN])
.rate_limits(RATE_LIMITS, RateLimitKey::Client)
// Seed: access 30 minutes, refresh 7 days, refresh tokens in Redis.
.token_lifetimes(
    Duration::from_secs(30 * 60),
    Duration::from_secs(7 * 86_400),
)
.refresh_tokens_in_redis();

/// Seed: SlowAPI, per client address.
const RATE_LIMITS: &[Window] = &[Window::per_minute(60)];

/// Seed: `5/minute` on login and on signup, each.
const AUTH_LIMIT: &[Window] = &[Window::per_minute(5)];

pub struct Reviews;

impl App for Reviews {
    fn manifest(&self) -> &'static Manifest {
        &MANIFEST
    }

    fn prepare<'a>(&'a self, ctx: &'a AppContext) -> BoxFuture<'a, Result<(), BoxError>> {
        Box::pin(async move {
            // With TMDB, contents come from TMDB; the genres are loaded either way.
            let with_tmdb = ctx.platform.tmdb_api_key.is_some();
            let added = catalogue::load(&ctx.db, !with_tmdb).await?;
            if added > 0 {
                tracing::info!(added, "bundled catalogue loaded");
            }
            Ok(())
        })
    }

    fn router(&self, ctx: AppContext) -> Result<OpenApiRouter, BoxError> {
        let svc = Service::new(&ctx)?;
        let state = AppState::new(
            ctx.clone(),
            routes::State {
                svc,
                accounts: Accounts::new(
                    &ctx,
                    service::users::Users { db: ctx.db.clone() },
                    service::users::TEXTS,
                ),
                login_limit: ctx.rate_limiter("login", AUTH_LIMIT),
                signup_limit: ctx.rate_limiter("signup", AUTH_LIMIT),
            },
        );
        Ok(OpenApiRouter::new()
            .routes(routes!(auth::signup))
            .routes(routes!(auth::login))
            .routes(routes!(auth::refresh))
            .routes(routes!(auth::logout))
            .routes(routes!(users::me, users::update_me))
            .routes(routes!(users::register_device))
            .routes(routes!(users::profile))
            .routes(routes!(users::reviews))
            .routes(routes!(contents::search))
            .routes(routes!(contents::popular))
            .routes(routes!(contents::detail))
            .routes(routes!(contents::genres))
            .routes(routes!(reviews::list, reviews::create))
            .routes(routes!(reviews::update, reviews::delete))
            .routes(routes!(reviews::like, reviews::unlike))
            .with_state(state))
    }

    fn seed_demo<'a>(
        &'a self,
        ctx: &'a AppContext,
    ) -> BoxFuture<'a, Result<Vec<DemoLogin>, BoxError>> {
        Box::pin(demo::seed(ctx))
    }

    fn add_user<'a>(
        &'a self,
        ctx: &'a AppContext,
        user: NewUser,
    ) -> BoxFuture<'a, Result<(), BoxError>> {
        Box::pin(admin::add_user(ctx, user))
    }

    fn list_users<'a>(
        &'a self,
        ctx: &'a AppContext,
    ) -> BoxFuture<'a, Result<Vec<UserSummary>, BoxError>> {
        Box::pin(admin::list_users(ctx))
    }

    fn disable_user<'a>(
        &'a self,
        ctx: &'a AppContext,
        login: &'a str,
    ) -> BoxFuture<'a, Result<(), BoxError>> {
        Box::pin(admin::disable_user(ctx, login))
    }
}
