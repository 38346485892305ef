//! delivery: real-time delivery monitoring (seed 001), on the ondol platform.
//!
//! Operators watch and edit orders ("dashboards"); edits are guarded by pessimistic
//! locks; admins delete and export Excel. See `docs/delivery.md`.

mod admin;
mod demo;
mod envelope;
pub mod floor;
pub mod generate;
mod import;
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

use crate::routes::{
    AppState, auth, console, dashboard, download, live, locks, postal, visualization,
};
pub use crate::service::LIVE_TOPIC;
use crate::service::Service;
pub use crate::settings::Settings;

static MIGRATIONS: Migrations = Migrations {
    sqlite: sqlx::migrate!("./migrations/sqlite"),
    postgres: sqlx::migrate!("./migrations/postgres"),
};

static MANIFEST: Manifest = Manifest::new(
    "delivery",
    "Real-time delivery monitoring: orders, pessimistic locks, statistics, Excel \
     export and a live WebSocket view. Errors come as \
     `{success: false, message, error_code, timestamp}`.",
    8001,
    &envelope::Envelope,
    &MIGRATIONS,
)
.settings::<Settings>()
.languages(&[platform::texts::KO])
// Seed IV §5.1: 10 s for the API, 20 s for downloads.
.timeouts(
    Duration::from_secs(10),
    &[("/download/excel", Duration::from_secs(20))],
)
// Seed II §4.1: access tokens live 60 minutes, refresh tokens 7 days.
.token_lifetimes(
    Duration::from_secs(60 * 60),
    Duration::from_secs(7 * 86_400),
);

pub struct Delivery;

impl Delivery {
    fn service(ctx: &AppContext) -> Service {
        let settings: &Settings = ctx.settings();
        Service {
            db: ctx.db.clone(),
            hub: ctx.hub.clone(),
            tz: ctx.tz(),
            lock_ttl: Duration::from_secs(settings.lock_seconds),
            max_range_days: settings.max_range_days,
            projection: std::sync::Arc::new(service::projection::Projection::new(
                ctx.db.clone(),
                ctx.tz(),
                service::projection::Window {
                    days_back: settings.list_days_back,
                    days_ahead: settings.list_days_ahead,
                },
            )),
            bulk_reads: std::sync::Arc::new(tokio::sync::Semaphore::new(
                settings.bulk_read_concurrency.max(1),
            )),
            lock_writes: service::lock_writes(
                ctx.db.clone(),
                Duration::from_secs(settings.lock_seconds),
            ),
        }
    }
}

impl App for Delivery {
    fn manifest(&self) -> &'static Manifest {
        &MANIFEST
    }

    fn prepare<'a>(&'a self, ctx: &'a AppContext) -> BoxFuture<'a, Result<(), BoxError>> {
        Box::pin(async move {
            // Without a postal-code table no order can be created. The bundled table
            // is loaded into an empty one, and into one holding fewer codes (an
            // older, smaller bundle); a larger imported table is left alone.
            let bundled = generate::parse_postal_csv(generate::BUNDLED_POSTAL_CODES)?;
            let codes = bundled
                .iter()
                .map(|e| e.postal_code.as_str())
                .collect::<std::collections::HashSet<_>>()
                .len();
            if store::postal::count(&ctx.db).await? < codes as i64 {
                store::postal::import(&ctx.db, &bundled).await?;
            }
            Ok(())
        })
    }

    fn router(&self, ctx: AppContext) -> Result<OpenApiRouter, BoxError> {
        let state = AppState::new(
            ctx.clone(),
            routes::State {
                svc: Self::service(&ctx),
                accounts: Accounts::new(
                    &ctx,
                    service::users::Users { db: ctx.db.clone() },
                    service::users::TEXTS,
                ),
            },
        );
        let api = OpenApiRouter::new()
            .routes(routes!(auth::login))
            .routes(routes!(auth::refresh))
            .routes(routes!(auth::logout))
            .routes(routes!(auth::check_session))
            .routes(routes!(dashboard::create, dashboard::delete))
            .routes(routes!(dashboard::list))
            .routes(routes!(dashboard::search))
            .routes(routes!(dashboard::assign))
            .routes(routes!(live::ws))
            .routes(routes!(dashboard::detail))
            .routes(routes!(dashboard::update_fields))
            .routes(routes!(dashboard::change_status))
            .routes(routes!(dashboard::add_remark))
            .routes(routes!(dashboard::edit_remark))
            .routes(routes!(locks::acquire, locks::release))
            .routes(routes!(locks::status))
            .routes(routes!(locks::live))
            .routes(routes!(visualization::delivery_status))
            .routes(routes!(visualization::hourly_orders))
            .routes(routes!(visualization::date_range))
            .routes(routes!(download::excel))
            .routes(routes!(download::date_range))
            .routes(routes!(postal::lookup))
            .with_state(state);
        Ok(platform::http::assets::serve(api, console::ASSETS))
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

    fn set_role<'a>(
        &'a self,
        ctx: &'a AppContext,
        login: &'a str,
        role: &'a str,
    ) -> BoxFuture<'a, Result<(), BoxError>> {
        Box::pin(admin::set_role(ctx, login, role))
    }

    fn disable_user<'a>(
        &'a self,
        ctx: &'a AppContext,
        login: &'a str,
    ) -> BoxFuture<'a, Result<(), BoxError>> {
        Box::pin(admin::disable_user(ctx, login))
    }

    fn import<'a>(
        &'a self,
        ctx: &'a AppContext,
        what: &'a str,
        data: &'a str,
    ) -> BoxFuture<'a, Result<usize, BoxError>> {
        Box::pin(async move {
            match what {
                "postal-codes" => {
                    let entries = generate::parse_postal_csv(data)?;
                    Ok(store::postal::import(&ctx.db, &entries).await?)
                }
                "orders" => Ok(import::orders(&ctx.db, ctx.tz(), data).await?),
                other => {
                    Err(format!("delivery can import postal-codes or orders, not {other:?}").into())
                }
            }
        })
    }
}
