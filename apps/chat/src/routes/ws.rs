//! `/ws/chat`: the STOMP endpoint, as a raw WebSocket (`GET /ws/chat` with an
//! upgrade, the Android client's way) and as SockJS (the seed registers it
//! `.withSockJS()`): `GET /ws/chat/info`, then the `websocket`, `xhr_streaming` or
//! `xhr` (polling, with `xhr_send`) transport under `/ws/chat/{server}/{session}/`.
//!
//! A token on the upgrade or in the SockJS URL's `?token=` (kept on every
//! transport request) is checked first: a bad one is a 401. Without one, the
//! CONNECT frame must carry it.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::http::Uri;
use axum::response::Response;
use platform::ApiError;
use platform::auth::MaybeAuth;
use platform::auth::extract::query_token;
use platform::extract::AppPath;
use platform::stomp::{self, Stomp};
use platform::ws::{Session, sockjs};

use super::AppState;
use crate::model::{UserClaims, UserId};
use crate::session::ChatStomp;

fn auth_failed(e: ApiError) -> ApiError {
    ApiError::new(e.kind, "인증에 실패했습니다.")
}

/// A STOMP session of `user` (if a token named one) and the chat rules.
fn stomp_session(s: &AppState, user: Option<UserId>) -> (Session, Stomp<ChatStomp>) {
    let app = ChatStomp {
        svc: s.svc.clone(),
        jwt: s.ctx().jwt.clone(),
    };
    (
        Session::new(s.ctx(), s.stomp.queue),
        Stomp::new(app, s.stomp.clone(), user),
    )
}

/// The user of a `?token=` in the request's URL, if there is one.
fn url_user(s: &AppState, uri: &Uri) -> Result<Option<UserId>, ApiError> {
    match query_token(uri.query()) {
        None => Ok(None),
        Some(token) => {
            let claims = s
                .ctx()
                .jwt
                .verify::<UserClaims>(&token)
                .map_err(|why| auth_failed(ApiError::unauthorized(why, "")))?;
            claims.subject().map(Some)
        }
    }
}

/// The STOMP 1.0-1.2 endpoint (subprotocols `v12.stomp`, `v11.stomp`,
/// `v10.stomp`). Subscribe to `/topic/couple/{roomId}` and `/user/queue/errors`;
/// send to `/app/chat/{roomId}`, `/app/chat/{roomId}/read`,
/// `/app/chat/{roomId}/typing`. See `docs/chat.md`. Without an upgrade, SockJS's
/// greeting.
#[utoipa::path(get, path = "/ws/chat", tag = "chat",
    params(("token" = Option<String>, Query,
        description = "An access token; else `Authorization: Bearer` on the upgrade, else the CONNECT frame's header")),
    responses(
        (status = 101, description = "Switching to WebSocket"),
        (status = 200, description = "`Welcome to SockJS!` (no upgrade requested)", content_type = "text/plain"),
        (status = 401, description = "A token was given on the upgrade and is invalid (`AUTH_FAILED`)")))]
pub async fn ws(
    State(s): State<AppState>,
    caller: Result<MaybeAuth<UserClaims>, ApiError>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    let Ok(upgrade) = upgrade else {
        return Ok(sockjs::welcome());
    };
    let MaybeAuth(claims) = caller.map_err(auth_failed)?;
    let pre_auth = claims.map(|c| c.subject()).transpose()?;
    let (session, protocol) = stomp_session(&s, pre_auth);
    Ok(stomp::upgrade_with(upgrade, session, protocol, &s.stomp))
}

/// SockJS: what the client may use (`websocket: true`, no cookies).
#[utoipa::path(get, path = "/ws/chat/info", tag = "chat",
    params(("token" = Option<String>, Query, description = "Ignored here; kept by SockJS clients")),
    responses((status = 200, description = "`{websocket, cookie_needed, origins, entropy}`")))]
pub async fn sockjs_info() -> Response {
    sockjs::info()
}

/// SockJS's WebSocket transport: STOMP frames inside SockJS frames.
#[utoipa::path(get, path = "/ws/chat/{server}/{session}/websocket", tag = "chat",
    params(
        ("server" = String, Path, description = "Chosen by the client"),
        ("session" = String, Path, description = "Chosen by the client"),
        ("token" = Option<String>, Query, description = "An access token")),
    responses(
        (status = 101, description = "Switching to WebSocket"),
        (status = 401, description = "Invalid token (`AUTH_FAILED`)")))]
pub async fn sockjs_websocket(
    State(s): State<AppState>,
    AppPath((_server, _session)): AppPath<(String, String)>,
    caller: Result<MaybeAuth<UserClaims>, ApiError>,
    upgrade: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let MaybeAuth(claims) = caller.map_err(auth_failed)?;
    let pre_auth = claims.map(|c| c.subject()).transpose()?;
    let (session, protocol) = stomp_session(&s, pre_auth);
    // A STOMP frame, JSON-escaped, inside a SockJS frame.
    let max = s.stomp.max_frame * 6 + 1024;
    Ok(sockjs::websocket(upgrade, max, session, protocol))
}

fn ids(server: &str, session: &str) -> Result<(), ApiError> {
    if sockjs::valid_id(server) && sockjs::valid_id(session) {
        Ok(())
    } else {
        Err(ApiError::new(platform::ErrorKind::NotFound, ""))
    }
}

/// SockJS's XHR polling transport: the next frame (`o`, `a[...]`, `h` after 25 s,
/// `c[...]`).
#[utoipa::path(post, path = "/ws/chat/{server}/{session}/xhr", tag = "chat",
    params(
        ("server" = String, Path, description = "Chosen by the client"),
        ("session" = String, Path, description = "Chosen by the client"),
        ("token" = Option<String>, Query, description = "An access token")),
    responses(
        (status = 200, description = "One SockJS frame", content_type = "application/javascript"),
        (status = 401, description = "Invalid token (`AUTH_FAILED`)")))]
pub async fn sockjs_xhr(
    State(s): State<AppState>,
    AppPath((server, session)): AppPath<(String, String)>,
    uri: Uri,
) -> Result<Response, ApiError> {
    ids(&server, &session)?;
    s.sockjs
        .poll(&session, || Ok(stomp_session(&s, url_user(&s, &uri)?)))
        .await
}

/// SockJS's XHR streaming transport: frames as they come, in one response.
#[utoipa::path(post, path = "/ws/chat/{server}/{session}/xhr_streaming", tag = "chat",
    params(
        ("server" = String, Path, description = "Chosen by the client"),
        ("session" = String, Path, description = "Chosen by the client"),
        ("token" = Option<String>, Query, description = "An access token")),
    responses(
        (status = 200, description = "A stream of SockJS frames", content_type = "application/javascript"),
        (status = 401, description = "Invalid token (`AUTH_FAILED`)")))]
pub async fn sockjs_xhr_streaming(
    State(s): State<AppState>,
    AppPath((server, session)): AppPath<(String, String)>,
    uri: Uri,
) -> Result<Response, ApiError> {
    ids(&server, &session)?;
    s.sockjs
        .stream(&session, || Ok(stomp_session(&s, url_user(&s, &uri)?)))
}

/// SockJS: the client's messages to a polling or streaming session.
#[utoipa::path(post, path = "/ws/chat/{server}/{session}/xhr_send", tag = "chat",
    params(
        ("server" = String, Path, description = "Chosen by the client"),
        ("session" = String, Path, description = "Chosen by the client"),
        ("token" = Option<String>, Query, description = "Ignored here: the session has its user")),
    request_body(content = Vec<String>, description = "A JSON array of messages", content_type = "text/plain"),
    responses(
        (status = 204, description = "Delivered to the session"),
        (status = 404, description = "No such session")))]
pub async fn sockjs_xhr_send(
    State(s): State<AppState>,
    AppPath((server, session)): AppPath<(String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    ids(&server, &session)?;
    s.sockjs.send(&session, &body).await
}
