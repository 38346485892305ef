//! The focus-room page at `/`: plain HTML, CSS and JavaScript compiled into the
//! binary, no build step and nothing fetched from elsewhere, so it runs under
//! the seed's `Content-Security-Policy: default-src 'self'` as it is.

use axum::http::header;
use axum::response::IntoResponse;

const INDEX: &str = include_str!("../../static/index.html");
const STYLE: &str = include_str!("../../static/focusmate.css");
const SCRIPT: &str = include_str!("../../static/focusmate.js");

/// Revalidated on every load, so a new binary's page is seen at once.
const NO_CACHE: (header::HeaderName, &str) = (header::CACHE_CONTROL, "no-cache");

pub async fn index() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8"), NO_CACHE],
        INDEX,
    )
}

pub async fn style() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), NO_CACHE],
        STYLE,
    )
}

pub async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            NO_CACHE,
        ],
        SCRIPT,
    )
}
