//! The HTTP middleware every app gets, assembled in one place ([`stack`]).

pub mod assets;
pub mod gzip;
pub mod layer;
pub mod request_id;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Method};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::envelope::Envelope;
use crate::error::ApiError;
use crate::ratelimit::RateLimiter;
use crate::telemetry::Metrics;

pub use layer::Timeouts;

/// What the stack needs to know about an app.
pub struct StackConfig {
    pub app: &'static str,
    pub envelope: Envelope,
    pub metrics: Metrics,
    pub rate_limiter: RateLimiter,
    /// Keys to read a bearer token's subject with, when requests count against
    /// the caller's account rather than the client address.
    pub rate_accounts: Option<crate::auth::JwtKeys>,
    /// Matched paths whose requests are not counted.
    pub rate_exempt: &'static [&'static str],
    pub body_limit: usize,
    pub timeouts: Timeouts,
    /// Allowed origins (`*` for any) and whether credentials are allowed.
    pub cors: (Vec<String>, bool),
    pub languages: &'static [crate::texts::Language],
}

/// Wraps an app's router in the platform middleware. Outermost first: the platform
/// layer (request id, rate limit, timeout, envelope, headers, metrics, log) → CORS →
/// gzip (≥ 1000 bytes) → panic catcher → body limit → handler.
pub fn stack(router: Router, config: StackConfig) -> Router {
    let platform = Arc::new(layer::Platform {
        app: config.app,
        envelope: config.envelope,
        metrics: config.metrics,
        rate_limiter: config.rate_limiter,
        rate_accounts: config.rate_accounts,
        rate_exempt: config.rate_exempt,
        timeouts: config.timeouts,
        languages: config.languages,
    });
    router
        .layer(DefaultBodyLimit::max(config.body_limit))
        .layer(CatchPanicLayer::custom(
            |_panic: Box<dyn std::any::Any + Send>| {
                use axum::response::IntoResponse;
                ApiError::internal("handler panicked").into_response()
            },
        ))
        .layer(
            CompressionLayer::new().gzip(true).compress_when(
                SizeAbove::new(1000)
                    .and(NotForContentType::GRPC)
                    .and(NotForContentType::IMAGES),
            ),
        )
        .layer(cors(&config.cors.0, config.cors.1))
        .layer(axum::middleware::from_fn_with_state(
            platform,
            layer::platform,
        ))
}

fn cors(origins: &[String], credentials: bool) -> CorsLayer {
    let wildcard = origins.is_empty() || origins.iter().any(|o| o == "*");
    let allow_origin = if wildcard {
        if credentials {
            // Credentials forbid a literal `*`; echo the caller (development only:
            // production refuses this configuration at start-up).
            AllowOrigin::mirror_request()
        } else {
            AllowOrigin::any()
        }
    } else {
        AllowOrigin::list(origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()))
    };
    let layer = CorsLayer::new()
        .allow_origin(allow_origin)
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
            Method::OPTIONS,
        ])
        .expose_headers([
            HeaderName::from_static("x-request-id"),
            HeaderName::from_static("x-response-time"),
            HeaderName::from_static("x-ratelimit-limit"),
            HeaderName::from_static("x-ratelimit-remaining"),
            HeaderName::from_static("x-ratelimit-reset"),
            HeaderName::from_static("content-disposition"),
        ])
        .max_age(Duration::from_secs(3600));
    if credentials {
        layer
            .allow_credentials(true)
            .allow_headers(tower_http::cors::AllowHeaders::mirror_request())
    } else {
        layer.allow_headers(tower_http::cors::Any)
    }
}
