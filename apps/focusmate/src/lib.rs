//! focusmate: focus rooms with a shared timer (seed 000), on the ondol platform.
//!
//! People join a room, focus together on a pomodoro timer the server owns, and
//! climb a leaderboard of focused minutes; a WebSocket brings notifications and
//! room states live. Base path `/api/v1`; every success is
//! `{"status": "success", "data", "message"}` and every error
//! `{"status": "error", "error": {"code", "message", "details"}}`. See
//! `docs/focusmate.md`.

mod admin;
mod demo;
mod envelope;
pub mod model;
mod routes;
mod service;
mod settings;
mod store;

use std::time::Duration;

use platform::app::{App, AppContext, BoxError, BoxFuture, Manifest};
use platform::auth::Accounts;
use platform::db::Migrations;
use platform::openapi::{OpenApiRouter, routes};
use platform::{DemoLogin, NewUser, UserSummary};

use crate::routes::{AppState, auth, leaderboard, notifications, page, rooms, users, ws};
use crate::service::Service;
pub use crate::settings::Settings;

static MIGRATIONS: Migrations = Migrations {
    sqlite: sqlx::migrate!("./migrations/sqlite"),
    postgres: sqlx::migrate!("./migrations/postgres"),
};

static MANIFEST: Manifest = Manifest::new(
    "focusmate",
    "Focus rooms: join a room, focus together on a pomodoro timer the server owns, \
     and climb a leaderboard of focused minutes. A WebSocket at \
     `/api/v1/notifications/ws?token=` brings notifications and room states live. \
     Successes are `{status: \"success\", data, message}`; errors \
     `{status: \"error\", error: {code, message, details}}`.",
    8000,
    &envelope::Envelope,
    &MIGRATIONS,
)
.settings::<Settings>()
// Seed §5.1: the React client's origins, with credentials.
.cors(&["http://localhost:3000", "https://focusmate.com"], true)
// A focus session outlasts an hour; the token is renewed at `/auth/refresh`.
.token_lifetimes(
    Duration::from_secs(24 * 3600),
    Duration::from_secs(7 * 86_400),
);

pub struct Focusmate;

/// Adds focus time that happened elsewhere (an import from another tool, a
/// history): a credit of `minutes` at `at_ms` outside any room, counted in the
/// leaderboard's sums as a completed phase would be.
pub async fn import_focus(
    ctx: &AppContext,
    user: uuid::Uuid,
    minutes: i32,
    at_ms: i64,
) -> Result<(), BoxError> {
    let day = service::leaderboard::local_day(at_ms, ctx.tz());
    let mut tx = ctx.db.begin().await?;
    store::credits::import(&mut tx, model::UserId(user), minutes, at_ms, day).await?;
    tx.commit().await?;
    Ok(())
}

/// The local day (in `tz`) of an instant, as the leaderboard's sums keep it
/// (yyyymmdd); for generators that write the sums themselves.
pub fn local_day(at_ms: i64, tz: chrono_tz::Tz) -> i32 {
    service::leaderboard::local_day(at_ms, tz)
}

impl App for Focusmate {
    fn manifest(&self) -> &'static Manifest {
        &MANIFEST
    }

    fn prepare<'a>(&'a self, ctx: &'a AppContext) -> BoxFuture<'a, Result<(), BoxError>> {
        Box::pin(async move {
            let production = ctx.config.env == platform::config::RunEnv::Production;
            ctx.settings::<Settings>()
                .check(production)
                .map_err(|e| format!("focusmate: {e}"))?;
            Ok(())
        })
    }

    fn router(&self, ctx: AppContext) -> Result<OpenApiRouter, BoxError> {
        let svc = Service::new(&ctx);
        service::timer::spawn(svc.clone(), ctx.shutdown.clone());
        let state = AppState::new(
            ctx.clone(),
            routes::State {
                svc,
                accounts: Accounts::new(
                    &ctx,
                    service::users::Users { db: ctx.db.clone() },
                    service::users::TEXTS,
                ),
            },
        );
        let api = OpenApiRouter::new()
            .routes(routes!(auth::register))
            .routes(routes!(auth::login))
            .routes(routes!(auth::refresh))
            .routes(routes!(auth::create_user))
            .routes(routes!(users::me))
            .routes(routes!(
                users::profile,
                users::replace,
                users::patch,
                users::delete
            ))
            .routes(routes!(rooms::list, rooms::create))
            .routes(routes!(rooms::mine))
            .routes(routes!(rooms::detail, rooms::update, rooms::delete))
            .routes(routes!(rooms::join))
            .routes(routes!(rooms::leave))
            .routes(routes!(rooms::invite))
            .routes(routes!(rooms::start))
            .routes(routes!(rooms::pause))
            .routes(routes!(rooms::reset))
            .routes(routes!(leaderboard::leaderboard))
            .routes(routes!(notifications::list))
            .routes(routes!(notifications::read))
            .routes(routes!(notifications::read_all))
            .routes(routes!(ws::ws))
            .with_state(state);
        Ok(platform::http::assets::serve(api, page::ASSETS))
    }

    fn seed_demo<'a>(
        &'a self,
        ctx: &'a AppContext,
    ) -> BoxFuture<'a, Result<Vec<DemoLogin>, BoxError>> {
        Box::pin(async move { demo::seed(ctx, &Service::new(ctx)).await })
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
