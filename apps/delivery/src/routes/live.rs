//! `GET /dashboard/ws?token=`: every change and lock event, from any instance.

use std::time::Duration;

use axum::extract::State;
use axum::extract::ws::WebSocketUpgrade;
use axum::response::Response;
use platform::auth::Auth;
use platform::ws::{Forward, Session};

use super::AppState;
use crate::model::UserClaims;
use crate::service::LIVE_TOPIC;

/// The live view: a WebSocket (token in `?token=`) that receives every order
/// change and lock event as JSON, from any instance.
#[utoipa::path(get, path = "/dashboard/ws", tag = "live",
    params(("token" = String, Query, description = "An access token")), responses(
    (status = 101, description = "Switching to WebSocket"),
    (status = 401, description = "Missing or invalid token")))]
pub async fn ws(
    State(s): State<AppState>,
    Auth(claims): Auth<UserClaims>,
    upgrade: WebSocketUpgrade,
) -> Response {
    // Subscribe before the upgrade completes, so nothing published after the 101 is
    // missed.
    let session = Session::new(s.ctx(), platform::realtime::DEFAULT_QUEUE);
    let attachment = session.attach(LIVE_TOPIC, 0);
    let ping = Duration::from_secs(s.ctx().platform.ws_ping_seconds);
    tracing::debug!(user_id = %claims.sub, "live view connected");
    // The client only listens: small buffers, small messages.
    platform::ws::lean(upgrade, 64 * 1024).on_upgrade(move |socket| async move {
        session.run(socket, Forward::new(ping)).await;
        drop(attachment);
    })
}
