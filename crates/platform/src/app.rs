//! What an app is to the platform: a name, a port, migrations, an envelope, a router,
//! and a few hooks. The binary only ever sees `dyn App`.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use chrono_tz::Tz;
use tokio_util::sync::CancellationToken;

use crate::auth::{JwtKeys, Passwords, RefreshTokens};
use crate::config::{AppSettings, Config};
use crate::db::{Db, Migrations};
use crate::envelope::EnvelopeStyle;
use crate::http::Timeouts;
use crate::openapi::OpenApiRouter;
use crate::realtime::Hub;
use crate::redis_conn::RedisConn;
use crate::telemetry::Metrics;

/// The signal that the process is shutting down.
pub use tokio_util::sync::CancellationToken as ShutdownToken;

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Everything an app's handlers can reach: its database, Redis, hub and settings.
#[derive(Clone)]
pub struct AppContext {
    pub name: &'static str,
    pub config: Arc<Config>,
    pub settings: AppSettings,
    pub db: Db,
    pub redis: Option<RedisConn>,
    pub hub: Hub,
    pub metrics: Metrics,
    pub passwords: Passwords,
    pub shutdown: CancellationToken,
}

impl AppContext {
    pub fn tz(&self) -> Tz {
        self.config.timezone
    }

    /// Access-token keys: the app's own secret if set, else the shared one;
    /// lifetime from `access_token_minutes` or the app's default.
    pub fn jwt_keys(&self, default_ttl: Duration) -> Result<JwtKeys, BoxError> {
        let secret = self
            .settings
            .secret("jwt_secret")
            .unwrap_or_else(|| self.config.jwt_secret.clone());
        let minutes = self
            .settings
            .get_or("access_token_minutes", default_ttl.as_secs() / 60)?;
        Ok(JwtKeys::new(&secret, Duration::from_secs(minutes * 60)))
    }

    /// Refresh tokens in the app database; lifetime from `refresh_token_days`, grace
    /// window from `refresh_grace_seconds` (default 10).
    pub fn refresh_tokens(&self, default_days: u64) -> Result<RefreshTokens, BoxError> {
        let days: u64 = self.settings.get_or("refresh_token_days", default_days)?;
        let grace: u64 = self.settings.get_or("refresh_grace_seconds", 10)?;
        Ok(RefreshTokens::new(
            self.db.clone(),
            Duration::from_secs(days * 86_400),
            Duration::from_secs(grace),
        ))
    }
}

/// An app's handler state: cloned for every request, so one `Arc` behind.
pub struct Shared<S>(pub Arc<S>);

impl<S> Shared<S> {
    pub fn new(state: S) -> Self {
        Self(Arc::new(state))
    }
}

impl<S> Clone for Shared<S> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<S> std::ops::Deref for Shared<S> {
    type Target = S;
    fn deref(&self) -> &S {
        &self.0
    }
}

/// Handler state that holds the app's access-token keys, so that the auth
/// extractors ([`crate::auth::Auth`], [`crate::auth::Authorized`]) find them.
pub trait HasJwtKeys {
    fn jwt_keys(&self) -> &JwtKeys;
}

impl<S: HasJwtKeys> axum::extract::FromRef<Shared<S>> for JwtKeys {
    fn from_ref(s: &Shared<S>) -> Self {
        s.0.jwt_keys().clone()
    }
}

/// A login printed by `serve --demo`.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub login: String,
    pub password: String,
    pub role: String,
}

/// `ondol user add APP LOGIN ...`.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub login: String,
    pub password: String,
    pub role: Option<String>,
    pub department: Option<String>,
    pub name: Option<String>,
}

pub trait App: Send + Sync + 'static {
    fn name(&self) -> &'static str;
    /// One paragraph for the API description (`/openapi.json`, `/docs`).
    fn description(&self) -> &'static str;
    fn default_port(&self) -> u16;
    fn envelope(&self) -> EnvelopeStyle;
    fn migrations(&self) -> &'static Migrations;

    /// The page size of a new SQLite file. Every change writes whole pages to the
    /// WAL, so an app whose writes touch many indexes at random places (chat
    /// messages) writes far less with small pages.
    fn sqlite_page_size(&self) -> u32 {
        4096
    }

    /// Requests per minute per client address.
    fn default_rate_limit(&self) -> u32 {
        600
    }

    fn timeouts(&self) -> Timeouts {
        Timeouts {
            default: Duration::from_secs(10),
            routes: Default::default(),
        }
    }

    /// Runs after migrations on every start (reference data, caches).
    fn prepare<'a>(&'a self, _ctx: &'a AppContext) -> BoxFuture<'a, Result<(), BoxError>> {
        Box::pin(async { Ok(()) })
    }

    /// The app's routes, with their state applied.
    fn router(&self, ctx: AppContext) -> Result<OpenApiRouter, BoxError>;

    /// Loads demo data into an empty database; returns the logins to print.
    fn seed_demo<'a>(
        &'a self,
        ctx: &'a AppContext,
    ) -> BoxFuture<'a, Result<Vec<DemoLogin>, BoxError>>;

    fn add_user<'a>(
        &'a self,
        ctx: &'a AppContext,
        user: NewUser,
    ) -> BoxFuture<'a, Result<(), BoxError>>;

    /// `ondol import APP WHAT FILE`: loads reference data; returns the rows loaded.
    fn import<'a>(
        &'a self,
        _ctx: &'a AppContext,
        what: &'a str,
        _data: &'a str,
    ) -> BoxFuture<'a, Result<usize, BoxError>> {
        Box::pin(
            async move { Err(format!("{} has nothing to import as {what:?}", self.name()).into()) },
        )
    }
}
