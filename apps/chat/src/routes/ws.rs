//! `GET /ws/chat`: the STOMP endpoint. A token on the upgrade (`?token=` first, then
//! `Authorization: Bearer`) is checked before upgrading: a bad one is a 401. Without
//! one, the CONNECT frame must carry it.

use axum::extract::State;
use axum::extract::ws::WebSocketUpgrade;
use axum::response::Response;
use platform::ApiError;
use platform::auth::MaybeAuth;

use super::AppState;
use crate::model::UserClaims;
use crate::session;

/// Subprotocols of STOMP over WebSocket, preferred first.
const SUBPROTOCOLS: [&str; 3] = ["v12.stomp", "v11.stomp", "v10.stomp"];

/// The STOMP 1.0-1.2 endpoint (subprotocols `v12.stomp`, `v11.stomp`,
/// `v10.stomp`). Subscribe to `/topic/couple/{roomId}` and `/user/queue/errors`;
/// send to `/app/chat/{roomId}`, `/app/chat/{roomId}/read`,
/// `/app/chat/{roomId}/typing`. See `docs/chat.md`.
#[utoipa::path(get, path = "/ws/chat", tag = "chat",
    params(("token" = Option<String>, Query,
        description = "An access token; else `Authorization: Bearer` on the upgrade, else the CONNECT frame's header")),
    responses(
        (status = 101, description = "Switching to WebSocket"),
        (status = 401, description = "A token was given on the upgrade and is invalid (`AUTH_FAILED`)")))]
pub async fn ws(
    State(s): State<AppState>,
    caller: Result<MaybeAuth<UserClaims>, ApiError>,
    upgrade: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let MaybeAuth(claims) = caller.map_err(|e| ApiError::new(e.kind, "인증에 실패했습니다."))?;
    let pre_auth = claims.map(|c| c.subject()).transpose()?;
    let max_message = s.stomp.max_frame + 1024;
    // Small buffers: most connections sit idle, and the 128 KiB default read buffer
    // would be most of their memory. Frames are written out as they are sent.
    Ok(upgrade
        .read_buffer_size(1024)
        .write_buffer_size(0)
        .protocols(SUBPROTOCOLS)
        .max_message_size(max_message)
        .max_frame_size(max_message)
        .on_failed_upgrade(|e| tracing::debug!(error = %e, "stomp: upgrade failed"))
        .on_upgrade(move |socket| session::run(socket, s, pre_auth)))
}
