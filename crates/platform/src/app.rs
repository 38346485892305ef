//! What an app is to the platform: a [`Manifest`] (name, port, migrations, error
//! envelope, settings type, limits), a router, and a few hooks. The binary only ever
//! sees `dyn App`.

use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use chrono_tz::Tz;
use tokio_util::sync::CancellationToken;

use serde::de::DeserializeOwned;

use crate::auth::revocation::Revocations;
use crate::auth::{JwtKeys, Passwords, RefreshTokens};
use crate::config::Config;
use crate::db::{Db, Migrations};
use crate::envelope::ErrorEnvelope;
use crate::openapi::OpenApiRouter;
use crate::ratelimit::Window;
use crate::realtime::Hub;
use crate::redis_conn::RedisConn;
use crate::settings::{NoSettings, Parsed, PlatformSettings, SettingsSpec};
use crate::telemetry::Metrics;
use crate::texts::Language;

/// The signal that the process is shutting down.
pub use tokio_util::sync::CancellationToken as ShutdownToken;

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Everything an app's handlers can reach: its database, Redis, hub and settings.
#[derive(Clone)]
pub struct AppContext {
    pub name: &'static str,
    pub config: Arc<Config>,
    /// The platform's part of `[apps.<name>]`.
    pub platform: Arc<PlatformSettings>,
    /// The app's own part, typed as its manifest declares ([`Self::settings`]).
    settings: Arc<dyn Any + Send + Sync>,
    pub db: Db,
    pub redis: Option<RedisConn>,
    pub hub: Hub,
    pub metrics: Metrics,
    pub passwords: Passwords,
    /// Access-token keys: the app's own secret if set, else the shared one; lifetime
    /// from `access_token_minutes` or the manifest's.
    pub jwt: JwtKeys,
    refresh_ttl: Duration,
    /// The manifest asks for refresh tokens in Redis ([`Manifest::refresh_tokens_in_redis`]).
    refresh_in_redis: bool,
    pub shutdown: CancellationToken,
    /// Started on first use ([`Self::mailer`]).
    mailer: Arc<std::sync::OnceLock<crate::external::mail::Mailer>>,
    /// Started on first use ([`Self::payments`]).
    payments: Arc<std::sync::OnceLock<crate::external::payments::Payments>>,
    /// Started on first use ([`Self::pusher`]).
    pusher: Arc<std::sync::OnceLock<crate::external::push::Pusher>>,
}

impl AppContext {
    /// Builds a context from its parts ([`crate::server::open`] does this).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        manifest: &Manifest,
        config: Arc<Config>,
        settings: Parsed,
        revocations: Revocations,
        db: Db,
        redis: Option<RedisConn>,
        hub: Hub,
        metrics: Metrics,
        shutdown: CancellationToken,
    ) -> Self {
        let platform = settings.platform;
        // As `signing_secret`, which needs the context built.
        let secret = platform
            .jwt_secret
            .clone()
            .unwrap_or_else(|| config.jwt_secret.clone());
        let access_ttl = platform
            .access_token_minutes
            .map_or(manifest.access_token_ttl, |m| Duration::from_secs(m * 60));
        let refresh_ttl = platform
            .refresh_token_days
            .map_or(manifest.refresh_token_ttl, |d| {
                Duration::from_secs(d * 86_400)
            });
        Self {
            name: manifest.name,
            passwords: Passwords::new(config.bcrypt_cost),
            jwt: JwtKeys::with_revocations(&secret, access_ttl, manifest.name, revocations),
            refresh_ttl,
            refresh_in_redis: manifest.refresh_tokens_in_redis,
            config,
            platform: Arc::new(platform),
            settings: settings.app,
            db,
            redis,
            hub,
            metrics,
            shutdown,
            mailer: Arc::default(),
            payments: Arc::default(),
            pusher: Arc::default(),
        }
    }

    pub fn tz(&self) -> Tz {
        self.config.timezone
    }

    /// The app's own settings, as the type its manifest declares.
    pub fn settings<T: Any>(&self) -> &T {
        self.settings
            .downcast_ref()
            .expect("an app reads its settings as the type its manifest declares")
    }

    /// Refresh tokens in the app database, or in Redis when the manifest asks for
    /// it and Redis is configured; lifetime from `refresh_token_days` or the
    /// manifest's, grace window from `refresh_grace_seconds`.
    pub fn refresh_tokens(&self) -> RefreshTokens {
        let grace = Duration::from_secs(self.platform.refresh_grace_seconds);
        match &self.redis {
            Some(redis) if self.refresh_in_redis => {
                RefreshTokens::in_redis(redis.clone(), self.refresh_ttl, grace)
            }
            _ => RefreshTokens::new(self.db.clone(), self.refresh_ttl, grace),
        }
    }

    /// The app's signing secret: its own `jwt_secret`, else the shared one. Signs
    /// its access tokens and its presigned URLs.
    pub fn signing_secret(&self) -> crate::config::Secret {
        self.platform
            .jwt_secret
            .clone()
            .unwrap_or_else(|| self.config.jwt_secret.clone())
    }

    /// Ends every session of `subject` (a role change, a disable): its refresh
    /// tokens are deleted and its access tokens stop working within seconds on
    /// every instance.
    pub async fn end_sessions(&self, subject: &str) -> Result<(), BoxError> {
        crate::auth::revocation::revoke(&self.db, subject).await?;
        self.refresh_tokens()
            .revoke_subject(subject)
            .await
            .map_err(|e| e.internal_cause().unwrap_or("refresh tokens").to_owned())?;
        Ok(())
    }

    /// A limiter of the app's own beside the one every request counts in (a
    /// login's attempts per address and per account): shared across instances
    /// through Redis when configured, and off when rate limits are.
    pub fn rate_limiter(&self, name: &str, windows: &[Window]) -> crate::ratelimit::RateLimiter {
        crate::ratelimit::RateLimiter::new(
            windows,
            self.config.rate_limits,
            self.redis.clone(),
            &format!("{}:{name}", self.name),
        )
    }

    /// The app's mailer (SMTP when `smtp_url` is set, else `.eml` files), its
    /// outbox worker started on first use and running until shutdown. Call it
    /// while building the router, so that a bad `smtp_url` stops the start.
    pub fn mailer(
        &self,
    ) -> Result<crate::external::mail::Mailer, crate::external::mail::MailError> {
        if let Some(m) = self.mailer.get() {
            return Ok(m.clone());
        }
        // Two first calls at once would start two workers; they share the rows
        // safely, and one handle is kept.
        let started = crate::external::mail::Mailer::start(self)?;
        Ok(self.mailer.get_or_init(|| started).clone())
    }

    /// The app's payments (Stripe when `stripe_secret_key` is set, else the local
    /// checkout page, whose webhook events go to `callback_path`), started on
    /// first use; the first call's `callback_path` is kept.
    pub fn payments(&self, callback_path: &'static str) -> crate::external::payments::Payments {
        self.payments
            .get_or_init(|| crate::external::payments::Payments::start(self, callback_path))
            .clone()
    }

    /// The app's push notifications (FCM when `fcm_service_account` is set, else
    /// JSON files), started on first use; devices the service reports gone go to
    /// the first call's `stale`. Call it while building the router, so that an
    /// unreadable service account stops the start.
    pub fn pusher(
        &self,
        stale: Arc<dyn crate::external::push::StaleTokens>,
    ) -> Result<crate::external::push::Pusher, String> {
        if let Some(p) = self.pusher.get() {
            return Ok(p.clone());
        }
        let started = crate::external::push::Pusher::start(self, stale)?;
        Ok(self.pusher.get_or_init(|| started).clone())
    }

    /// Where the app keeps files of its own (objects, outboxes) on this machine.
    pub fn data_dir(&self, what: &str) -> std::path::PathBuf {
        self.config.data_dir.join(what).join(self.name)
    }
}

/// An app's handler state: the app's own part `S` beside its context, behind one
/// `Arc` (it is cloned for every request). Derefs to `S`; the auth extractors find
/// the app's token keys in the context.
pub struct Shared<S>(Arc<SharedInner<S>>);

struct SharedInner<S> {
    ctx: AppContext,
    app: S,
}

impl<S> Shared<S> {
    pub fn new(ctx: AppContext, app: S) -> Self {
        Self(Arc::new(SharedInner { ctx, app }))
    }

    pub fn ctx(&self) -> &AppContext {
        &self.0.ctx
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
        &self.0.app
    }
}

impl<S> axum::extract::FromRef<Shared<S>> for JwtKeys {
    fn from_ref(s: &Shared<S>) -> Self {
        s.ctx().jwt.clone()
    }
}

/// A login printed by `serve --demo`.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub login: String,
    pub password: String,
    pub role: String,
}

/// A user as `ondol user list APP` shows them.
#[derive(Debug, Clone)]
pub struct UserSummary {
    pub login: String,
    /// The role, for apps that have roles.
    pub role: Option<String>,
    /// Anything else worth a column (a department, a name).
    pub detail: String,
    pub disabled: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
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

/// What the platform needs to know about an app before it runs: a constant in
/// the app's crate, returned by [`App::manifest`].
const DEFAULT_RATE_LIMITS: &[Window] = &[Window::per_minute(600)];

/// Whom an app's request-rate windows count against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateLimitKey {
    /// The client address.
    Client,
    /// The subject of a valid bearer token, else the client address: each account
    /// has its own budget, and anonymous clients are never one shared bucket.
    Account,
}

pub struct Manifest {
    /// The app's name: its `[apps.<name>]` section, `ONDOL_<NAME>_*` variables,
    /// SQLite file and PostgreSQL schema.
    pub name: &'static str,
    /// One paragraph for the API description (`/openapi.json`, `/docs`).
    pub description: &'static str,
    pub default_port: u16,
    /// The JSON shape of its errors.
    pub envelope: &'static dyn ErrorEnvelope,
    /// The languages it answers in, by `Accept-Language`; the first is the default.
    /// Errors the platform produces are worded in the request's language.
    pub languages: &'static [Language],
    pub migrations: &'static Migrations,
    /// Its own settings type (see [`crate::settings`]).
    pub settings: SettingsSpec,
    /// The page size of a new SQLite file. Every change writes whole pages to the
    /// WAL, so an app whose writes touch many indexes at random places (chat
    /// messages) writes far less with small pages.
    pub sqlite_page_size: u32,
    /// The request-rate windows every request counts in (default 600/minute).
    pub rate_limits: &'static [Window],
    /// Whom requests count against: the client address, or the account of a valid
    /// bearer token (the client address without one).
    pub rate_limit_key: RateLimitKey,
    /// Routes (matched paths) whose requests are not counted: callbacks of
    /// services outside (a payment provider's webhooks come from a few addresses,
    /// many times an hour).
    pub rate_limit_exempt: &'static [&'static str],
    /// The request timeout, and longer ones for some routes (matched paths).
    pub timeout: Duration,
    pub route_timeouts: &'static [(&'static str, Duration)],
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    /// Refresh tokens in Redis when Redis is configured (seed 002 keeps them
    /// there), else in the app database.
    pub refresh_tokens_in_redis: bool,
    /// CORS origins and credentials unless `cors_origins` / `cors_credentials`
    /// say otherwise (default: any origin, no credentials).
    pub cors_origins: &'static [&'static str],
    pub cors_credentials: bool,
}

impl Manifest {
    /// A manifest with the platform's defaults for everything else.
    pub const fn new(
        name: &'static str,
        description: &'static str,
        default_port: u16,
        envelope: &'static dyn ErrorEnvelope,
        migrations: &'static Migrations,
    ) -> Self {
        Self {
            name,
            description,
            default_port,
            envelope,
            languages: &[crate::texts::EN],
            migrations,
            settings: SettingsSpec::of::<NoSettings>(),
            sqlite_page_size: 4096,
            rate_limits: DEFAULT_RATE_LIMITS,
            rate_limit_key: RateLimitKey::Client,
            rate_limit_exempt: &[],
            timeout: Duration::from_secs(10),
            route_timeouts: &[],
            access_token_ttl: Duration::from_secs(60 * 60),
            refresh_token_ttl: Duration::from_secs(7 * 86_400),
            refresh_tokens_in_redis: false,
            cors_origins: &["*"],
            cors_credentials: false,
        }
    }

    /// The CORS origins a browser client is served from by default, and whether
    /// it sends credentials (seed 000 §5.1).
    pub const fn cors(mut self, origins: &'static [&'static str], credentials: bool) -> Self {
        self.cors_origins = origins;
        self.cors_credentials = credentials;
        self
    }

    /// The CORS origins and credentials in effect under `settings`.
    pub fn cors_of(&self, settings: &crate::settings::PlatformSettings) -> (Vec<String>, bool) {
        let origins = settings
            .cors_origins
            .clone()
            .unwrap_or_else(|| self.cors_origins.iter().map(|o| (*o).to_owned()).collect());
        (
            origins,
            settings.cors_credentials.unwrap_or(self.cors_credentials),
        )
    }

    /// Declares the app's own settings type.
    pub const fn settings<T: DeserializeOwned + Send + Sync + 'static>(mut self) -> Self {
        self.settings = SettingsSpec::of::<T>();
        self
    }

    /// The languages it answers in, e.g. `&[texts::KO]` or `&[texts::KO, texts::EN]`.
    pub const fn languages(mut self, languages: &'static [Language]) -> Self {
        self.languages = languages;
        self
    }

    pub const fn sqlite_page_size(mut self, bytes: u32) -> Self {
        self.sqlite_page_size = bytes;
        self
    }

    /// The request-rate windows and whom they count against, e.g. seed 003's
    /// `&[Window::per_hour(100), Window::per_day(1000)]` per token.
    pub const fn rate_limits(mut self, windows: &'static [Window], key: RateLimitKey) -> Self {
        self.rate_limits = windows;
        self.rate_limit_key = key;
        self
    }

    /// Routes whose requests are not counted against any budget.
    pub const fn uncounted(mut self, routes: &'static [&'static str]) -> Self {
        self.rate_limit_exempt = routes;
        self
    }

    pub const fn timeouts(
        mut self,
        default: Duration,
        routes: &'static [(&'static str, Duration)],
    ) -> Self {
        self.timeout = default;
        self.route_timeouts = routes;
        self
    }

    /// Keeps refresh tokens in Redis when Redis is configured.
    pub const fn refresh_tokens_in_redis(mut self) -> Self {
        self.refresh_tokens_in_redis = true;
        self
    }

    /// Access- and refresh-token lifetimes.
    pub const fn token_lifetimes(mut self, access: Duration, refresh: Duration) -> Self {
        self.access_token_ttl = access;
        self.refresh_token_ttl = refresh;
        self
    }
}

/// An app, as the binary and the test harness see it (`dyn App`).
pub trait App: Send + Sync + 'static {
    fn manifest(&self) -> &'static Manifest;

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

    /// `ondol user add APP LOGIN ...`: a new user; an existing login is refused.
    fn add_user<'a>(
        &'a self,
        ctx: &'a AppContext,
        user: NewUser,
    ) -> BoxFuture<'a, Result<(), BoxError>>;

    /// `ondol user list APP`.
    fn list_users<'a>(
        &'a self,
        _ctx: &'a AppContext,
    ) -> BoxFuture<'a, Result<Vec<UserSummary>, BoxError>> {
        Box::pin(async move { Err(format!("{} cannot list users", self.manifest().name).into()) })
    }

    /// `ondol user set-role APP LOGIN ROLE`: also ends the user's sessions
    /// ([`AppContext::end_sessions`]), so the new role applies within seconds.
    fn set_role<'a>(
        &'a self,
        _ctx: &'a AppContext,
        _login: &'a str,
        _role: &'a str,
    ) -> BoxFuture<'a, Result<(), BoxError>> {
        Box::pin(async move { Err(format!("{} has no roles", self.manifest().name).into()) })
    }

    /// `ondol user disable APP LOGIN`: the user can no longer log in, and their
    /// sessions end within seconds.
    fn disable_user<'a>(
        &'a self,
        _ctx: &'a AppContext,
        _login: &'a str,
    ) -> BoxFuture<'a, Result<(), BoxError>> {
        Box::pin(
            async move { Err(format!("{} cannot disable users", self.manifest().name).into()) },
        )
    }

    /// `ondol import APP WHAT FILE`: loads reference data; returns the rows loaded.
    fn import<'a>(
        &'a self,
        _ctx: &'a AppContext,
        what: &'a str,
        _data: &'a str,
    ) -> BoxFuture<'a, Result<usize, BoxError>> {
        Box::pin(async move {
            Err(format!("{} has nothing to import as {what:?}", self.manifest().name).into())
        })
    }
}
