use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use platform::ApiError;
use platform::auth::Subject;
use platform::extract::{AppJson, AppPath, AppQuery};
use platform::time::LocalTime;
use serde::{Deserialize, Serialize};

use super::{AppState, CurrentUser};
use crate::model::{CoupleId, MessageId, MessageView, SendRequest};
use crate::service::accounts;
use crate::service::messages::{PAGE_DEFAULT, PAGE_MAX, RoomView, room};

/// The caller's room: partner, whether the partner is online, unread count, last
/// message.
#[utoipa::path(get, path = "/chat/room", tag = "chat", security(("bearer" = [])), responses(
    (status = 200, description = "The room", body = RoomView),
    (status = 404, description = "Not in a couple (`NOT_IN_COUPLE`)")))]
pub async fn my_room(
    State(s): State<AppState>,
    Subject(id): CurrentUser,
) -> Result<Json<RoomView>, ApiError> {
    let user = accounts::user(&s.svc, id).await?;
    Ok(Json(room(&s.svc, &user).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// Messages older than this one (paging back); the newest page without it.
    before: Option<MessageId>,
    /// Messages newer than this one (catching up after a reconnect).
    after: Option<MessageId>,
    /// Page size, 1-100 (default 50).
    size: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct History {
    messages: Vec<MessageView>,
    has_more: bool,
}

const ROOM: &str = "The couple's id (= `roomId`)";

/// A page of the room's messages in storage order.
#[utoipa::path(get, path = "/chat/rooms/{room_id}/messages", tag = "chat",
    params(("room_id" = CoupleId, Path, description = ROOM), HistoryQuery), security(("bearer" = [])), responses(
    (status = 200, description = "Messages, oldest first", body = History),
    (status = 403, description = "Not a member of this room (`UNAUTHORIZED`)"),
    (status = 404, description = "No such room")))]
pub async fn history(
    State(s): State<AppState>,
    Subject(id): CurrentUser,
    AppPath(room_id): AppPath<CoupleId>,
    AppQuery(q): AppQuery<HistoryQuery>,
) -> Result<Json<History>, ApiError> {
    let size = q.size.unwrap_or(PAGE_DEFAULT);
    if !(1..=PAGE_MAX).contains(&size) {
        return Err(ApiError::field(
            "size",
            format!("1에서 {PAGE_MAX} 사이여야 합니다"),
        ));
    }
    let (rows, has_more) = s.svc.history(id, room_id, q.before, q.after, size).await?;
    let messages: Vec<MessageView> = rows.iter().map(|m| MessageView::new(m, s.svc.tz)).collect();
    Ok(Json(History { messages, has_more }))
}

/// The offline fallback: the same as a STOMP SEND (stored, then broadcast on
/// `/topic/couple/{room_id}`). 201 for a new message, 200 for a retry of a stored
/// `tempId`.
#[utoipa::path(post, path = "/chat/rooms/{room_id}/messages", tag = "chat",
    params(("room_id" = CoupleId, Path, description = ROOM)), request_body = SendRequest, security(("bearer" = [])), responses(
    (status = 201, description = "Stored and broadcast", body = MessageView),
    (status = 200, description = "Already stored under this `tempId`", body = MessageView),
    (status = 403, description = "Not a member of this room"),
    (status = 409, description = "The room is closed")))]
pub async fn send(
    State(s): State<AppState>,
    Subject(id): CurrentUser,
    AppPath(room_id): AppPath<CoupleId>,
    AppJson(req): AppJson<SendRequest>,
) -> Result<(StatusCode, Json<MessageView>), ApiError> {
    let author = s.svc.author(room_id, id).await?;
    let sent = s.svc.send(&author, room_id, &req).await?;
    let status = if sent.duplicate {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(MessageView::new(&sent.message, s.svc.tz))))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PresignRequest {
    #[serde(default)]
    #[schema(
        required = true,
        min_length = 1,
        max_length = 255,
        pattern = "\\S",
        example = "photo.png"
    )]
    file_name: String,
    /// `image/png`, `image/jpeg`, `image/gif`, `image/webp` or `image/heic`.
    #[serde(default)]
    #[schema(required = true, example = "image/png")]
    content_type: String,
}

/// Where to `PUT` an image (`uploadUrl`, with the given Content-Type) and the URL
/// to send in an `IMAGE` message (`fileUrl`).
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Presigned {
    upload_url: String,
    file_url: String,
    expires_at: LocalTime,
    #[schema(example = "PUT")]
    method: &'static str,
    content_type: String,
    max_bytes: u64,
}

/// A presigned upload URL for an image (png, jpeg, gif, webp, heic).
#[utoipa::path(post, path = "/chat/images/presigned-url", tag = "chat", request_body = PresignRequest, security(("bearer" = [])),
    responses((status = 200, description = "The URLs", body = Presigned)))]
pub async fn presigned_url(
    State(s): State<AppState>,
    Subject(id): CurrentUser,
    headers: HeaderMap,
    AppJson(req): AppJson<PresignRequest>,
) -> Result<Json<Presigned>, ApiError> {
    let mut errors = platform::validate::FieldErrors::new(&crate::service::MESSAGES);
    errors.text("fileName", &req.file_name, 255);
    let uploads = &s.svc.uploads;
    let ext = uploads.extension(&req.content_type);
    if ext.is_none() {
        errors.add(
            "contentType",
            "이미지(image/png, image/jpeg, image/gif, image/webp, image/heic)만 올릴 수 있습니다",
        );
    }
    errors.finish()?;
    let key = format!(
        "chat/{}/{}.{}",
        id.0.simple(),
        uuid::Uuid::new_v4().simple(),
        ext.expect("checked above")
    );
    let p = uploads
        .presign(&headers, &key, &req.content_type, &id.to_string())
        .await?;
    Ok(Json(Presigned {
        upload_url: p.upload_url,
        file_url: p.file_url,
        expires_at: LocalTime::new(p.expires_at, s.svc.tz),
        method: "PUT",
        content_type: req.content_type.trim().to_ascii_lowercase(),
        max_bytes: uploads.policy().max_bytes,
    }))
}
