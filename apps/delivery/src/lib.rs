//! delivery: real-time delivery monitoring (seed 001), on the ondol platform.
//!
//! Operators watch and edit orders ("dashboards"); edits are guarded by pessimistic
//! locks; admins delete and export Excel. See `docs/delivery.md`.

pub mod demo;
pub mod generate;
pub mod model;
pub mod routes;
pub mod service;
pub mod store;

use std::sync::LazyLock;
use std::time::Duration;

use platform::app::{App, AppContext, BoxError, BoxFuture};
use platform::db::Migrations;
use platform::envelope::EnvelopeStyle;
use platform::http::Timeouts;
use platform::openapi::{OpenApiRouter, routes};
use platform::{DemoLogin, NewUser};

use crate::model::{Department, Role};
use crate::routes::{AppState, auth, dashboard, download, live, locks, visualization};
use crate::service::Service;

static MIGRATIONS: LazyLock<Migrations> = LazyLock::new(|| Migrations {
    sqlite: sqlx::migrate!("./migrations/sqlite"),
    postgres: sqlx::migrate!("./migrations/postgres"),
});

/// Access tokens live 60 minutes, refresh tokens 7 days (seed II §4.1).
const ACCESS_TTL: Duration = Duration::from_secs(60 * 60);
const REFRESH_DAYS: u64 = 7;

pub struct Delivery;

impl Delivery {
    pub fn service(ctx: &AppContext) -> Result<Service, BoxError> {
        Ok(Service {
            db: ctx.db.clone(),
            hub: ctx.hub.clone(),
            tz: ctx.tz(),
            lock_ttl: Duration::from_secs(ctx.settings.get_or("lock_seconds", 300u64)?),
            max_range_days: ctx.settings.get_or("max_range_days", 92i64)?,
            list_cache: platform::cache::TopicCache::new(
                &ctx.hub,
                service::LIVE_TOPIC,
                ctx.settings.get_or("list_cache_bytes", 64usize << 20)?,
                Duration::from_secs(ctx.settings.get_or("list_cache_seconds", 60u64)?),
                ctx.shutdown.clone(),
            ),
            bulk_reads: std::sync::Arc::new(tokio::sync::Semaphore::new(
                ctx.settings
                    .get_or("bulk_read_concurrency", platform::db::BULK_READERS as usize)?
                    .max(1),
            )),
        })
    }
}

impl App for Delivery {
    fn name(&self) -> &'static str {
        "delivery"
    }

    fn description(&self) -> &'static str {
        "Real-time delivery monitoring: orders, pessimistic locks, statistics, Excel \
         export and a live WebSocket view. Errors come as \
         `{success: false, message, error_code, timestamp}`."
    }

    fn default_port(&self) -> u16 {
        8001
    }

    fn envelope(&self) -> EnvelopeStyle {
        EnvelopeStyle::Delivery
    }

    fn migrations(&self) -> &'static Migrations {
        &MIGRATIONS
    }

    fn timeouts(&self) -> Timeouts {
        // Seed IV §5.1: 10 s for the API, 20 s for downloads.
        Timeouts {
            default: Duration::from_secs(10),
            routes: [("/download/excel", Duration::from_secs(20))].into(),
        }
    }

    fn prepare<'a>(&'a self, ctx: &'a AppContext) -> BoxFuture<'a, Result<(), BoxError>> {
        Box::pin(async move {
            // Without a postal-code table no order can be created: start with the
            // bundled sample until a real table is imported.
            if store::postal::count(&ctx.db).await? == 0 {
                let entries = generate::parse_postal_csv(generate::BUNDLED_POSTAL_CODES)?;
                store::postal::import(&ctx.db, &entries).await?;
            }
            Ok(())
        })
    }

    fn router(&self, ctx: AppContext) -> Result<OpenApiRouter, BoxError> {
        let state = AppState::new(routes::State {
            svc: Self::service(&ctx)?,
            jwt: ctx.jwt_keys(ACCESS_TTL)?,
            refresh: ctx.refresh_tokens(REFRESH_DAYS)?,
            passwords: ctx.passwords.clone(),
            shutdown: ctx.shutdown.clone(),
            metrics: ctx.metrics.clone(),
        });
        Ok(OpenApiRouter::new()
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
            .routes(routes!(visualization::delivery_status))
            .routes(routes!(visualization::hourly_orders))
            .routes(routes!(visualization::date_range))
            .routes(routes!(download::excel))
            .routes(routes!(download::date_range))
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
        Box::pin(async move {
            let user_id = user.login.trim();
            if user_id.is_empty() || user_id.len() > 50 {
                return Err("user_id must be 1-50 characters".into());
            }
            if user.password.len() < 4 {
                return Err("password must be at least 4 characters".into());
            }
            let department: Department = user
                .department
                .as_deref()
                .ok_or("--department is required (CS, HES or LENOVO)")?
                .parse()?;
            let role: Role = user.role.as_deref().unwrap_or("USER").parse()?;
            let hash = ctx.passwords.hash(&user.password).await?;
            store::users::upsert(&ctx.db, user_id, &hash, department, role).await?;
            Ok(())
        })
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
                other => Err(format!("delivery can import postal-codes, not {other:?}").into()),
            }
        })
    }
}
