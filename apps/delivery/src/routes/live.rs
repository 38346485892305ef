//! `GET /dashboard/ws?token=`: every change and lock event, from any instance.

use axum::extract::State;
use axum::extract::ws::WebSocketUpgrade;
use axum::response::Response;
use platform::auth::Auth;

use super::AppState;
use crate::model::UserClaims;
use crate::service::LIVE_TOPIC;

pub async fn ws(
    State(s): State<AppState>,
    Auth(claims): Auth<UserClaims>,
    upgrade: WebSocketUpgrade,
) -> Response {
    // Subscribe before the upgrade completes, so nothing published after the 101 is
    // missed.
    let sub = s
        .svc
        .hub
        .subscribe(LIVE_TOPIC, platform::realtime::DEFAULT_QUEUE);
    tracing::debug!(user_id = %claims.sub, "live view connected");
    upgrade.on_upgrade(move |socket| {
        platform::ws::forward(socket, sub, s.shutdown.clone(), s.metrics.clone())
    })
}
