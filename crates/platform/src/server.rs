//! Starting an app: open its storage, build its router inside the platform stack,
//! serve it until shutdown. Used by the binary and by the test harness alike.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::app::{App, AppContext, BoxError, RateLimitKey};
use crate::auth::revocation::Revocations;
use crate::config::Config;
use crate::db::{Db, Location, SchemaLock};
use crate::envelope::Envelope;
use crate::error::{ApiError, ErrorKind};
use crate::http::{StackConfig, Timeouts, stack};
use crate::openapi;
use crate::ratelimit::{RateLimiter, Window};
use crate::realtime::Hub;
use crate::redis_conn::RedisConn;
use crate::telemetry::Metrics;

/// Opens an app's database (migrating it) and Redis, and builds its context. Its
/// settings are checked first: an unknown key or a bad value stops the start.
pub async fn open(
    app: &dyn App,
    config: Arc<Config>,
    shutdown: CancellationToken,
) -> Result<AppContext, BoxError> {
    crate::external::tls_ready();
    let manifest = app.manifest();
    let name = manifest.name;
    let settings = config.app(name).parse_all(manifest.settings)?;
    let platform = &settings.platform;
    let (origins, credentials) = manifest.cors_of(platform);
    if config.env == crate::config::RunEnv::Production
        && credentials
        && origins.iter().any(|o| o == "*")
    {
        return Err(format!("{name}: a wildcard CORS origin with credentials").into());
    }
    // Checked now, so that a half-configured bucket stops the start.
    crate::external::s3::S3Store::from_settings(platform)?;
    let location = Location::for_app(&config, name, platform);
    // Setting up a new database (schema, migrations, reference data) is done by
    // one process at a time; a SQLite file is locked before it is even opened.
    let file_lock = match &location {
        Location::SqliteFile(path) => Some(SchemaLock::file(path).await?),
        Location::Postgres { .. } => None,
    };
    let db = Db::connect(
        &location,
        crate::db::DbOptions {
            sqlite_wal_restart_bytes: platform.sqlite_wal_restart_mib << 20,
            sqlite_bulk_readers: platform.sqlite_bulk_readers,
            ..crate::db::DbOptions::new(
                platform.db_pool_size.unwrap_or(config.db_pool_size),
                manifest.sqlite_page_size,
            )
        },
    )
    .await?;
    let setup = match file_lock {
        Some(lock) => lock,
        None => db.lock_schema().await?,
    };
    crate::auth::refresh::ensure_schema(&db).await?;
    crate::uploads::ensure_schema(&db).await?;
    crate::outbox::ensure_schema(&db).await?;
    crate::external::payments::local::ensure_schema(&db).await?;
    crate::auth::revocation::ensure_schema(&db).await?;
    db.migrate(manifest.migrations).await?;
    let redis = match platform
        .redis_url
        .clone()
        .or_else(|| config.redis_url.clone())
    {
        Some(url) => Some(RedisConn::connect(url.expose(), &config.redis_prefix).await?),
        None => None,
    };
    let metrics = Metrics::default();
    let hub = Hub::with_presence_lease(
        redis.clone(),
        name,
        metrics.clone(),
        shutdown.clone(),
        Duration::from_secs(platform.presence_lease_seconds),
    )
    .await?;
    let revocations = Revocations::default();
    revocations.load(&db).await?;
    revocations.watch(db.clone(), shutdown.clone());
    let ctx = AppContext::new(
        manifest,
        config,
        settings,
        revocations,
        db,
        redis,
        hub,
        metrics,
        shutdown,
    );
    app.prepare(&ctx).await?;
    setup.release().await?;
    Ok(ctx)
}

/// The app's routes plus the operational ones, wrapped in the platform stack.
pub fn router(app: &dyn App, ctx: &AppContext) -> Result<Router, BoxError> {
    router_with(app, ctx, Router::new())
}

/// [`router`] with `extra` routes inside the same stack (the test harness uses this
/// to exercise the stack with handlers that panic or stall).
pub fn router_with(app: &dyn App, ctx: &AppContext, extra: Router) -> Result<Router, BoxError> {
    let manifest = app.manifest();
    let settings = &ctx.platform;
    let windows = match (settings.rate_limit_per_minute, &settings.rate_limit_windows) {
        (Some(n), _) => vec![Window::per_minute(n)],
        (None, Some(windows)) => windows.clone(),
        (None, None) => manifest.rate_limits.to_vec(),
    };
    let limiter = RateLimiter::new(
        &windows,
        ctx.config.rate_limits,
        ctx.redis.clone(),
        ctx.name,
    );
    let (routes, api) = app
        .router(ctx.clone())?
        .merge(crate::ops::routes(ctx.clone()))
        .split_for_parts();
    let api = openapi::complete(api, manifest);
    let routes = routes
        .merge(openapi::routes(api))
        .merge(extra)
        .fallback(|| async { ApiError::new(ErrorKind::NotFound, "") });
    Ok(stack(
        routes,
        StackConfig {
            app: ctx.name,
            envelope: Envelope {
                shape: manifest.envelope,
                texts: manifest
                    .languages
                    .first()
                    .map_or(&crate::texts::ENGLISH, |l| l.texts),
                tz: ctx.tz(),
            },
            metrics: ctx.metrics.clone(),
            rate_limiter: limiter,
            rate_exempt: manifest.rate_limit_exempt,
            rate_accounts: (manifest.rate_limit_key == RateLimitKey::Account)
                .then(|| ctx.jwt.clone()),
            body_limit: settings.body_limit_bytes,
            timeouts: Timeouts {
                default: settings
                    .timeout_ms
                    .map_or(manifest.timeout, Duration::from_millis),
                routes: manifest.route_timeouts.iter().copied().collect(),
            },
            cors: manifest.cors_of(settings),
            languages: manifest.languages,
        },
    ))
}

/// The port an app listens on: `ONDOL_<APP>_PORT` or its default.
pub fn port(ctx: &AppContext, app: &dyn App) -> u16 {
    ctx.platform.port.unwrap_or(app.manifest().default_port)
}

/// Serves until `shutdown` fires, then finishes in-flight requests.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    // Small writes (WebSocket frames, short responses) go out at once instead of
    // waiting for the previous segment's ACK (Nagle with delayed ACKs: up to 40 ms).
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown.cancelled_owned())
    .await
}

/// Raises the open-file limit toward `wanted`: both limits when the process may
/// (root), else the soft limit up to the hard one. A server holding many WebSockets
/// needs far more than the usual soft limit of 1024. Returns the limit in effect.
pub fn raise_fd_limit(wanted: u64) -> u64 {
    use rlimit::Resource;
    let wanted = std::fs::read_to_string("/proc/sys/fs/nr_open")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .map_or(wanted, |max| wanted.min(max));
    if let Ok((soft, hard)) = Resource::NOFILE.get()
        && soft < wanted
        && Resource::NOFILE.set(wanted, wanted.max(hard)).is_err()
    {
        let _ = rlimit::increase_nofile_limit(wanted);
    }
    Resource::NOFILE.get().map_or(0, |(soft, _)| soft)
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
