//! Request timeouts: the app's default, or a per-route limit keyed by the matched
//! route (the seed's 20 s for downloads). A timed-out request is answered in the
//! app's envelope.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::{ApiError, ErrorKind};

#[derive(Debug, Clone, Default)]
pub struct Timeouts {
    pub default: Duration,
    pub routes: HashMap<&'static str, Duration>,
}

pub async fn enforce(State(t): State<Arc<Timeouts>>, req: Request, next: Next) -> Response {
    let limit = req
        .extensions()
        .get::<MatchedPath>()
        .and_then(|p| t.routes.get(p.as_str()).copied())
        .unwrap_or(t.default);
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => ApiError::new(ErrorKind::Timeout, "the request took too long").into_response(),
    }
}
