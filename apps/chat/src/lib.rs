//! chat: couple chat over STOMP/WebSocket (seed 004), on the ondol platform.
//!
//! Two people who are a couple share one room. Clients speak STOMP over a plain
//! WebSocket at `/ws/chat`, as they would to a Spring message broker; REST serves
//! accounts, couples, history, an offline send and image uploads. See `docs/chat.md`.

pub mod demo;
pub mod model;
pub mod routes;
pub mod service;
pub mod session;
pub mod store;

use std::sync::LazyLock;
use std::time::Duration;

use platform::app::{App, AppContext, BoxError, BoxFuture};
use platform::db::Migrations;
use platform::envelope::EnvelopeStyle;
use platform::objects::ObjectStore;
use platform::openapi::{OpenApiRouter, routes};
use platform::{DemoLogin, NewUser};

use crate::routes::{AppState, auth, chat, couples, users, ws};
use crate::service::Service;
use crate::session::SessionConfig;

static MIGRATIONS: LazyLock<Migrations> = LazyLock::new(|| Migrations {
    sqlite: sqlx::migrate!("./migrations/sqlite"),
    postgres: sqlx::migrate!("./migrations/postgres"),
});

/// Access tokens live 60 minutes, refresh tokens 14 days.
const ACCESS_TTL: Duration = Duration::from_secs(60 * 60);
const REFRESH_DAYS: u64 = 14;

pub struct Chat;

impl Chat {
    pub fn service(ctx: &AppContext) -> Result<Service, BoxError> {
        let secret = ctx
            .settings
            .secret("jwt_secret")
            .unwrap_or_else(|| ctx.config.jwt_secret.clone());
        let max_upload = ctx.settings.get_or("image_max_bytes", 10usize << 20)?;
        // SQLite has one writer connection; PostgreSQL takes several lanes at once.
        let lanes = match ctx.db {
            platform::db::Db::Sqlite { .. } => 1,
            platform::db::Db::Postgres { .. } => ctx.settings.get_or("writer_lanes", 4usize)?,
        };
        Ok(Service {
            writer: service::writer::Writer::start(
                ctx.db.clone(),
                ctx.hub.clone(),
                ctx.tz(),
                lanes,
            ),
            db: ctx.db.clone(),
            hub: ctx.hub.clone(),
            tz: ctx.tz(),
            objects: ObjectStore::local(
                ctx.config.data_dir.join("objects").join(ctx.name),
                &secret,
                max_upload,
            ),
        })
    }
}

impl App for Chat {
    fn name(&self) -> &'static str {
        "chat"
    }

    fn description(&self) -> &'static str {
        "Couple chat: accounts, couples, message history, image uploads, and STOMP \
         over WebSocket at `/ws/chat` for live messages, read receipts, typing and \
         presence. Errors come as `{code, message, timestamp, details?}`."
    }

    fn default_port(&self) -> u16 {
        8080
    }

    fn envelope(&self) -> EnvelopeStyle {
        EnvelopeStyle::Chat
    }

    fn migrations(&self) -> &'static Migrations {
        &MIGRATIONS
    }

    /// Each message touches five indexes at random places; with 1 KiB pages the
    /// WAL takes a quarter of the bytes per message that 4 KiB pages cost.
    fn sqlite_page_size(&self) -> u32 {
        1024
    }

    fn router(&self, ctx: AppContext) -> Result<OpenApiRouter, BoxError> {
        let svc = Self::service(&ctx)?;
        let objects = svc.objects.clone();
        let state = AppState::new(routes::State {
            svc,
            jwt: ctx.jwt_keys(ACCESS_TTL)?,
            refresh: ctx.refresh_tokens(REFRESH_DAYS)?,
            passwords: ctx.passwords.clone(),
            shutdown: ctx.shutdown.clone(),
            metrics: ctx.metrics.clone(),
            stomp: SessionConfig {
                heartbeat: Duration::from_millis(ctx.settings.get_or("heartbeat_ms", 10_000u64)?),
                max_frame: ctx.settings.get_or("max_frame_bytes", 64usize * 1024)?,
                connect_timeout: Duration::from_millis(
                    ctx.settings.get_or("connect_timeout_ms", 10_000u64)?,
                ),
                queue: ctx.settings.get_or("session_queue", 256usize)?,
            },
            public_url: ctx.settings.raw("public_url").map(str::to_owned),
            image_max_bytes: ctx.settings.get_or("image_max_bytes", 10u64 << 20)?,
        });
        Ok(OpenApiRouter::new()
            .routes(routes!(auth::signup))
            .routes(routes!(auth::login))
            .routes(routes!(auth::refresh))
            .routes(routes!(auth::logout))
            .routes(routes!(users::me, users::update_me))
            .routes(routes!(couples::invite))
            .routes(routes!(couples::join))
            .routes(routes!(couples::leave))
            .routes(routes!(chat::my_room))
            .routes(routes!(chat::history, chat::send))
            .routes(routes!(chat::presigned_url))
            .routes(routes!(ws::ws))
            .with_state(state)
            .merge(objects.routes()))
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
            let svc = Self::service(ctx)?;
            let name = user
                .name
                .as_deref()
                .unwrap_or_else(|| user.login.split('@').next().unwrap_or(user.login.as_str()));
            service::accounts::sign_up(&svc, &ctx.passwords, &user.login, &user.password, name)
                .await
                .map_err(|e| {
                    let details: Vec<String> = e
                        .details()
                        .iter()
                        .map(|d| format!("{}: {}", d.field, d.message))
                        .collect();
                    format!("{} {}", e.message, details.join("; "))
                })?;
            Ok(())
        })
    }
}
