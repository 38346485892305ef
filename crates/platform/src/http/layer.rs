//! The platform middleware, as one layer: request id, rate limit, timeout, error
//! envelope, security headers, `X-Response-Time`, metrics and the log line. One
//! layer rather than six keeps the per-request cost (service clones, boxed futures)
//! low; each step is a small function below.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::request_id::{HEADER as REQUEST_ID, RequestId};
use crate::auth::{JwtKeys, NoClaims};
use crate::envelope::Envelope;
use crate::error::{ApiError, ErrorKind};
use crate::ratelimit::{Decision, RateKey, RateLimiter};
use crate::telemetry::Metrics;

const SLOW: Duration = Duration::from_secs(1);

/// The security headers of seed 000 §4.3.
const SECURITY_HEADERS: [(&str, &str); 5] = [
    (
        "strict-transport-security",
        "max-age=31536000; includeSubDomains",
    ),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("x-xss-protection", "1; mode=block"),
    ("content-security-policy", "default-src 'self'"),
];

/// Request timeouts: the app's default, or per matched route.
#[derive(Debug, Clone, Default)]
pub struct Timeouts {
    pub default: Duration,
    pub routes: HashMap<&'static str, Duration>,
}

pub struct Platform {
    pub app: &'static str,
    pub envelope: Envelope,
    pub metrics: Metrics,
    pub rate_limiter: RateLimiter,
    pub rate_accounts: Option<JwtKeys>,
    /// Matched paths not counted ([`crate::app::Manifest::uncounted`]).
    pub rate_exempt: &'static [&'static str],
    pub timeouts: Timeouts,
    pub languages: &'static [crate::texts::Language],
}

pub async fn platform(State(p): State<Arc<Platform>>, mut req: Request, next: Next) -> Response {
    let start = Instant::now();
    let request_id = RequestId::from_headers(req.headers());
    req.extensions_mut().insert(request_id.clone());
    let language = crate::texts::negotiate(
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
        p.languages,
    );
    req.extensions_mut().insert(language);
    req.extensions_mut().insert(language.texts);
    let envelope = Envelope {
        texts: language.texts,
        ..p.envelope
    };
    let route = req.extensions().get::<MatchedPath>().cloned();
    let route_str = route.as_ref().map_or("unmatched", |r| r.as_str());
    let method = method_label(req.method());
    let client = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
    // The extractor of handlers that need it too.
    req.extensions_mut()
        .insert(crate::extract::ClientAddr(client));
    let decision = if p.rate_exempt.contains(&route_str) {
        p.rate_limiter.uncounted()
    } else {
        p.rate_limiter.check(&rate_key(&p, &req, client)).await
    };
    let limit = p
        .timeouts
        .routes
        .get(route_str)
        .copied()
        .unwrap_or(p.timeouts.default);
    let (path, mut response) = if decision.allowed {
        // Only kept for the log line of a failed or slow request.
        let path = req.uri().path().to_owned();
        let response = match tokio::time::timeout(limit, next.run(req)).await {
            Ok(r) => r,
            Err(_) => ApiError::new(ErrorKind::Timeout, "").into_response(),
        };
        (path, response)
    } else {
        let err = ApiError::new(
            ErrorKind::RateLimited {
                retry_after_secs: decision.reset_after.max(1),
            },
            "",
        );
        (req.uri().path().to_owned(), err.into_response())
    };
    let status = response.status();
    if status.is_client_error() || status.is_server_error() {
        response = render_error(&envelope, response, &path, &request_id);
    }
    let headers = response.headers_mut();
    set_headers(headers, decision, &request_id);
    let elapsed = start.elapsed();
    let micros = elapsed.as_micros();
    if let Ok(v) = HeaderValue::from_str(&format!("{}.{:03}ms", micros / 1000, micros % 1000)) {
        headers.insert(HeaderName::from_static("x-response-time"), v);
    }
    let status = response.status().as_u16();
    p.metrics.record_request(route_str, method, status, elapsed);
    log(&p, &request_id, method, route_str, &path, status, elapsed);
    response
}

/// The caller's account when the app counts per account and the bearer token is
/// valid; else the client address, so a made-up token buys no fresh budget.
fn rate_key(p: &Platform, req: &Request, client: IpAddr) -> RateKey {
    let account = p.rate_accounts.as_ref().and_then(|keys| {
        let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
        let token = crate::auth::extract::bearer(value)?;
        keys.verify::<NoClaims>(token).ok().map(|c| c.sub)
    });
    account.map_or(RateKey::Client(client), RateKey::Account)
}

fn set_headers(h: &mut HeaderMap, d: Decision, id: &RequestId) {
    for (name, value) in SECURITY_HEADERS {
        h.entry(HeaderName::from_static(name))
            .or_insert(HeaderValue::from_static(value));
    }
    h.insert(
        HeaderName::from_static("x-ratelimit-limit"),
        HeaderValue::from(d.limit),
    );
    h.insert(
        HeaderName::from_static("x-ratelimit-remaining"),
        HeaderValue::from(d.remaining),
    );
    h.insert(
        HeaderName::from_static("x-ratelimit-reset"),
        HeaderValue::from(d.reset_after),
    );
    h.insert(REQUEST_ID.clone(), id.0.clone());
}

/// Renders an `ApiError` response, or any other non-JSON error response from below
/// (axum's 404/405, a body-limit 413), in the app's envelope.
fn render_error(envelope: &Envelope, response: Response, path: &str, id: &RequestId) -> Response {
    let err = match response.extensions().get::<ApiError>() {
        Some(err) => err.clone(),
        None if is_json(&response) => return response,
        None => {
            let kind = ErrorKind::from_status(response.status());
            ApiError::new(kind, "")
        }
    };
    if err.status().is_server_error() {
        tracing::error!(
            request_id = id.as_str(),
            kind = ?err.kind,
            cause = err.internal_cause().unwrap_or(""),
            "request failed"
        );
    }
    let response = if response.status() == err.status() {
        response
    } else {
        err.status().into_response()
    };
    envelope.render(&err, path, id.as_str(), response)
}

fn is_json(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

/// Every request at debug; at info and above only what matters (seed 001 §5.3):
/// client errors, server errors and slow requests. The path only, never the query
/// string (WebSocket tokens travel there), headers or bodies.
fn log(
    p: &Platform,
    id: &RequestId,
    method: &str,
    route: &str,
    path: &str,
    status: u16,
    elapsed: Duration,
) {
    let ms = elapsed.as_secs_f64() * 1000.0;
    let rid = id.as_str();
    let app = p.app;
    if status >= 500 {
        tracing::error!(
            app,
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
            app,
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
            app,
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
            app,
            request_id = rid,
            method,
            route,
            path,
            status,
            ms,
            "request"
        );
    }
}

fn method_label(m: &Method) -> &'static str {
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
