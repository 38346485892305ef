//! Operational endpoints every app serves: `/health`, `/ready`, `/metrics`.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::Serialize;

use crate::app::AppContext;
use crate::openapi::{OpenApiRouter, routes as openapi_routes};

pub fn routes(ctx: AppContext) -> OpenApiRouter {
    OpenApiRouter::new()
        .routes(openapi_routes!(health))
        .routes(openapi_routes!(ready))
        .routes(openapi_routes!(metrics))
        .with_state(ctx)
}

#[derive(Serialize, utoipa::ToSchema)]
struct Health {
    #[schema(example = "ok")]
    status: &'static str,
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/health", tag = "operations",
    responses((status = 200, description = "Alive", body = Health)))]
async fn health() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// Prometheus text: requests by route and status, latency, WebSockets, realtime.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain")))]
async fn metrics(State(ctx): State<AppContext>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        ctx.metrics.render(ctx.name),
    )
}

#[derive(Serialize, utoipa::ToSchema)]
struct Readiness {
    /// `ready` or `unavailable`.
    status: &'static str,
    /// `ok` or `unreachable`.
    database: &'static str,
    /// `sqlite` or `postgres`.
    engine: &'static str,
    /// `ok`, `unreachable` or `not configured`.
    redis: &'static str,
}

/// Readiness: the database answers, and Redis when one is configured.
#[utoipa::path(get, path = "/ready", tag = "operations", responses(
    (status = 200, description = "Ready", body = Readiness),
    (status = 503, description = "The database or Redis is unreachable", body = Readiness)))]
async fn ready(State(ctx): State<AppContext>) -> (StatusCode, Json<Readiness>) {
    let database = match ctx.db.ping().await {
        Ok(()) => "ok",
        Err(e) => {
            tracing::error!(error = %e, "readiness: database unreachable");
            "unreachable"
        }
    };
    let redis = match &ctx.redis {
        None => "not configured",
        Some(r) => match r.ping().await {
            Ok(()) => "ok",
            Err(e) => {
                tracing::error!(error = %e, "readiness: redis unreachable");
                "unreachable"
            }
        },
    };
    let ok = database == "ok" && redis != "unreachable";
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(Readiness {
            status: if ok { "ready" } else { "unavailable" },
            database,
            engine: ctx.db.engine(),
            redis,
        }),
    )
}
