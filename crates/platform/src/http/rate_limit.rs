//! Rate limiting per client address, with `X-RateLimit-*` on every response and
//! `429` + `Retry-After` past the limit.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::{ApiError, ErrorKind};
use crate::ratelimit::{Decision, RateLimiter};

pub async fn limit(State(limiter): State<Arc<RateLimiter>>, req: Request, next: Next) -> Response {
    let key = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into());
    let decision = limiter.check(&key).await;
    let mut response = if decision.allowed {
        next.run(req).await
    } else {
        ApiError::new(
            ErrorKind::RateLimited {
                retry_after_secs: decision.reset_after.max(1),
            },
            "too many requests; slow down",
        )
        .into_response()
    };
    set_headers(&mut response, decision);
    response
}

fn set_headers(response: &mut Response, d: Decision) {
    let h = response.headers_mut();
    h.insert("x-ratelimit-limit", HeaderValue::from(d.limit));
    h.insert("x-ratelimit-remaining", HeaderValue::from(d.remaining));
    h.insert("x-ratelimit-reset", HeaderValue::from(d.reset_after));
}
