//! Operational endpoints every app serves: `/health`, `/ready`, `/metrics`.

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use serde_json::json;

use crate::app::AppContext;

pub fn routes(ctx: AppContext) -> Router {
    let ready_ctx = ctx.clone();
    let metrics_ctx = ctx;
    Router::new()
        .route(
            "/health",
            get(|| async { axum::Json(json!({"status": "ok"})) }),
        )
        .route(
            "/ready",
            get(move || {
                let ctx = ready_ctx.clone();
                async move { ready(ctx).await }
            }),
        )
        .route(
            "/metrics",
            get(move || {
                let ctx = metrics_ctx.clone();
                async move {
                    (
                        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
                        ctx.metrics.render(ctx.name),
                    )
                }
            }),
        )
}

async fn ready(ctx: AppContext) -> impl IntoResponse {
    let database = match ctx.db.ping().await {
        Ok(()) => "ok".to_owned(),
        Err(e) => {
            tracing::error!(error = %e, "readiness: database unreachable");
            "unreachable".to_owned()
        }
    };
    let redis = match &ctx.redis {
        None => "not configured".to_owned(),
        Some(r) => match r.ping().await {
            Ok(()) => "ok".to_owned(),
            Err(e) => {
                tracing::error!(error = %e, "readiness: redis unreachable");
                "unreachable".to_owned()
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
        axum::Json(json!({
            "status": if ok { "ready" } else { "unavailable" },
            "database": database,
            "engine": ctx.db.engine(),
            "redis": redis,
        })),
    )
}
