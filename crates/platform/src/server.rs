//! Starting an app: open its storage, build its router inside the platform stack,
//! serve it until shutdown. Used by the binary and by the test harness alike.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::app::{App, AppContext, BoxError};
use crate::auth::Passwords;
use crate::config::Config;
use crate::db::{Db, Location};
use crate::envelope::Envelope;
use crate::error::ApiError;
use crate::http::{StackConfig, stack};
use crate::openapi;
use crate::ratelimit::RateLimiter;
use crate::realtime::Hub;
use crate::redis_conn::RedisConn;
use crate::telemetry::Metrics;

/// Opens an app's database (migrating it) and Redis, and builds its context.
pub async fn open(
    app: &dyn App,
    config: Arc<Config>,
    shutdown: CancellationToken,
) -> Result<AppContext, BoxError> {
    let name = app.name();
    let settings = config.app(name);
    let location = Location::for_app(&config, name);
    let pool_size = settings.get_or("db_pool_size", config.db_pool_size)?;
    let db = Db::connect(
        &location,
        crate::db::DbOptions {
            sqlite_wal_restart_bytes: settings
                .get_or("sqlite_wal_restart_mib", crate::db::WAL_RESTART_BYTES >> 20)?
                << 20,
            sqlite_bulk_readers: settings.get_or("sqlite_bulk_readers", crate::db::BULK_READERS)?,
            ..crate::db::DbOptions::new(pool_size, app.sqlite_page_size())
        },
    )
    .await?;
    crate::auth::refresh::ensure_schema(&db).await?;
    db.migrate(app.migrations()).await?;
    let redis = match settings
        .secret("redis_url")
        .or_else(|| config.redis_url.clone())
    {
        Some(url) => Some(RedisConn::connect(url.expose(), &config.redis_prefix).await?),
        None => None,
    };
    let metrics = Metrics::default();
    let hub = Hub::new(redis.clone(), name, metrics.clone(), shutdown.clone()).await?;
    let ctx = AppContext {
        name,
        passwords: Passwords::new(config.bcrypt_cost),
        config,
        settings,
        db,
        redis,
        hub,
        metrics,
        shutdown,
    };
    app.prepare(&ctx).await?;
    Ok(ctx)
}

/// The app's routes plus the operational ones, wrapped in the platform stack.
pub fn router(app: &dyn App, ctx: &AppContext) -> Result<Router, BoxError> {
    router_with(app, ctx, Router::new())
}

/// [`router`] with `extra` routes inside the same stack (the test harness uses this
/// to exercise the stack with handlers that panic or stall).
pub fn router_with(app: &dyn App, ctx: &AppContext, extra: Router) -> Result<Router, BoxError> {
    let settings = &ctx.settings;
    let per_minute = settings.get_or("rate_limit_per_minute", app.default_rate_limit())?;
    let limiter = RateLimiter::new(
        per_minute,
        60,
        ctx.config.rate_limits,
        ctx.redis.clone(),
        ctx.name,
    );
    let cors_origins = settings
        .raw("cors_origins")
        .unwrap_or("*")
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    let (routes, api) = app
        .router(ctx.clone())?
        .merge(crate::ops::routes(ctx.clone()))
        .split_for_parts();
    let api = openapi::complete(
        api,
        &openapi::AppInfo {
            name: ctx.name,
            description: app.description(),
            envelope: app.envelope(),
        },
    );
    let routes = routes
        .merge(openapi::routes(api))
        .merge(extra)
        .fallback(|| async { ApiError::not_found("the requested resource does not exist") });
    Ok(stack(
        routes,
        StackConfig {
            app: ctx.name,
            envelope: Envelope {
                style: app.envelope(),
                tz: ctx.tz(),
            },
            metrics: ctx.metrics.clone(),
            rate_limiter: limiter,
            body_limit: settings.get_or("body_limit_bytes", 1024 * 1024)?,
            timeouts: {
                let mut t = app.timeouts();
                t.default = std::time::Duration::from_millis(
                    settings.get_or("timeout_ms", t.default.as_millis() as u64)?,
                );
                t
            },
            cors_origins,
            cors_credentials: settings.get_or("cors_credentials", false)?,
        },
    ))
}

/// The port an app listens on: `ONDOL_<APP>_PORT` or its default.
pub fn port(app: &dyn App, config: &Config) -> Result<u16, BoxError> {
    Ok(config.app(app.name()).get_or("port", app.default_port())?)
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
