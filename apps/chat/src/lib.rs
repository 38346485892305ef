//! chat: couple chat over STOMP/WebSocket (seed 004), on the ondol platform.
//!
//! Two people who are a couple share one room. Clients speak STOMP over a plain
//! WebSocket at `/ws/chat`, as they would to a Spring message broker; REST serves
//! accounts, couples, history, an offline send and image uploads. See `docs/chat.md`.

mod admin;
mod demo;
mod envelope;
pub mod model;
mod routes;
mod service;
mod session;
mod settings;
mod store;

use std::time::Duration;

use platform::app::{App, AppContext, BoxError, BoxFuture, Manifest};
use platform::auth::Accounts;
use platform::db::Migrations;
use platform::openapi::{OpenApiRouter, routes};
use platform::uploads::{UploadPolicy, Uploads};
use platform::{DemoLogin, NewUser, UserSummary};

use crate::routes::{AppState, auth, chat, couples, users, ws};
use crate::service::Service;
pub use crate::settings::Settings;

static MIGRATIONS: Migrations = Migrations {
    sqlite: sqlx::migrate!("./migrations/sqlite"),
    postgres: sqlx::migrate!("./migrations/postgres"),
};

static MANIFEST: Manifest = Manifest::new(
    "chat",
    "Couple chat: accounts, couples, message history, image uploads, and STOMP \
     over WebSocket at `/ws/chat` for live messages, read receipts, typing and \
     presence. Errors come as `{code, message, timestamp, details?}`.",
    8080,
    &envelope::Envelope,
    &MIGRATIONS,
)
.settings::<Settings>()
.languages(&[platform::texts::KO])
// Each message touches five indexes at random places; with 1 KiB pages the WAL
// takes a quarter of the bytes per message that 4 KiB pages cost.
.sqlite_page_size(1024)
// SockJS polling requests wait up to 25 s for a frame.
.timeouts(
    Duration::from_secs(10),
    &[("/ws/chat/{server}/{session}/xhr", Duration::from_secs(35))],
)
.token_lifetimes(
    Duration::from_secs(60 * 60),
    Duration::from_secs(14 * 86_400),
);

/// Image types a message may carry, and the extension their objects get.
const IMAGE_TYPES: &[(&str, &str)] = &[
    ("image/png", "png"),
    ("image/jpeg", "jpg"),
    ("image/jpg", "jpg"),
    ("image/gif", "gif"),
    ("image/webp", "webp"),
    ("image/heic", "heic"),
];

pub struct Chat;

impl Chat {
    fn service(ctx: &AppContext) -> Service {
        let settings: &Settings = ctx.settings();
        // SQLite has one writer connection; PostgreSQL takes several lanes at once.
        let lanes = match ctx.db {
            platform::db::Db::Sqlite { .. } => 1,
            platform::db::Db::Postgres { .. } => settings.writer_lanes,
        };
        Service {
            writer: service::writer::Writer::start(
                ctx.db.clone(),
                ctx.hub.clone(),
                ctx.tz(),
                lanes,
            ),
            db: ctx.db.clone(),
            hub: ctx.hub.clone(),
            tz: ctx.tz(),
            uploads: Uploads::new(
                ctx,
                UploadPolicy {
                    types: IMAGE_TYPES,
                    max_bytes: settings.image_max_bytes,
                    ttl: Duration::from_secs(10 * 60),
                },
            ),
        }
    }
}

impl App for Chat {
    fn manifest(&self) -> &'static Manifest {
        &MANIFEST
    }

    fn router(&self, ctx: AppContext) -> Result<OpenApiRouter, BoxError> {
        let svc = Self::service(&ctx);
        svc.follow_lost_presence(ctx.shutdown.clone());
        let uploads = svc.uploads.clone();
        let settings: &Settings = ctx.settings();
        let state = AppState::new(
            ctx.clone(),
            routes::State {
                svc,
                accounts: Accounts::new(
                    &ctx,
                    service::accounts::Users { db: ctx.db.clone() },
                    service::accounts::TEXTS,
                ),
                stomp: platform::stomp::StompConfig {
                    heartbeat: Duration::from_millis(settings.heartbeat_ms),
                    max_frame: settings.max_frame_bytes,
                    connect_timeout: Duration::from_millis(settings.connect_timeout_ms),
                    queue: settings.session_queue,
                },
                sockjs: Default::default(),
            },
        );
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
            .routes(routes!(ws::sockjs_info))
            .routes(routes!(ws::sockjs_websocket))
            .routes(routes!(ws::sockjs_xhr))
            .routes(routes!(ws::sockjs_xhr_streaming))
            .routes(routes!(ws::sockjs_xhr_send))
            .with_state(state)
            .merge(uploads.routes()))
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
