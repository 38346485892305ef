//! Per request: latency, `X-Response-Time`, metrics by matched route, one log line.
//! Every request is logged at debug; at info and above only what matters (seed 001
//! §5.3): client errors, server errors and slow requests. Only the path is logged,
//! never the query string (WebSocket tokens travel there) or headers.

use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

use super::request_id::RequestId;
use crate::telemetry::Metrics;

const SLOW: Duration = Duration::from_secs(1);

#[derive(Clone)]
pub struct Observe {
    pub app: &'static str,
    pub metrics: Metrics,
}

pub async fn observe(State(o): State<Observe>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = method_label(req.method());
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let path = req.uri().path().to_owned();
    let request_id = req.extensions().get::<RequestId>().cloned();
    let mut response = next.run(req).await;
    let elapsed = start.elapsed();
    let status = response.status().as_u16();
    if let Ok(v) = HeaderValue::from_str(&format!("{:.3}ms", elapsed.as_secs_f64() * 1000.0)) {
        response.headers_mut().insert("x-response-time", v);
    }
    o.metrics.record_request(&route, method, status, elapsed);
    let rid = request_id.as_ref().map(|r| r.as_str()).unwrap_or("");
    let ms = elapsed.as_secs_f64() * 1000.0;
    if status >= 500 {
        tracing::error!(
            app = o.app,
            request_id = rid,
            method,
            route,
            path,
            status,
            ms,
            "request"
        );
    } else if elapsed >= SLOW {
        tracing::warn!(
            app = o.app,
            request_id = rid,
            method,
            route,
            path,
            status,
            ms,
            "slow request"
        );
    } else if status >= 400 {
        tracing::info!(
            app = o.app,
            request_id = rid,
            method,
            route,
            path,
            status,
            ms,
            "request"
        );
    } else {
        tracing::debug!(
            app = o.app,
            request_id = rid,
            method,
            route,
            path,
            status,
            ms,
            "request"
        );
    }
    response
}

fn method_label(m: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *m {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        Method::HEAD => "HEAD",
        _ => "OTHER",
    }
}
