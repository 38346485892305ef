//! `GET /ws/chat`: the STOMP endpoint. A token on the upgrade (`?token=` first, then
//! `Authorization: Bearer`) is checked before upgrading: a bad one is a 401. Without
//! one, the CONNECT frame must carry it.

use axum::extract::State;
use axum::extract::ws::WebSocketUpgrade;
use axum::response::Response;
use platform::ApiError;
use platform::auth::MaybeAuth;
use platform::stomp;
use platform::ws::Session;

use super::AppState;
use crate::model::UserClaims;
use crate::session::ChatStomp;

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
    let session = Session::new(s.ctx(), s.stomp.queue);
    let app = ChatStomp {
        svc: s.svc.clone(),
        jwt: s.ctx().jwt.clone(),
    };
    Ok(stomp::upgrade(
        upgrade,
        session,
        app,
        s.stomp.clone(),
        pre_auth,
    ))
}
