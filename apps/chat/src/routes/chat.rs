use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::Utc;
use platform::ApiError;
use platform::extract::{AppJson, AppPath, AppQuery};
use platform::objects::public_origin;
use platform::time::LocalTime;
use serde::Deserialize;
use serde_json::{Value, json};
use std::time::Duration;

use super::{AppState, CurrentUser};
use crate::model::{CoupleId, MessageId, MessageView, SendRequest};
use crate::service::accounts;
use crate::service::messages::{PAGE_DEFAULT, PAGE_MAX, RoomView, room};
use crate::store;

/// Presigned upload URLs live this long.
const UPLOAD_TTL: Duration = Duration::from_secs(10 * 60);

pub async fn my_room(
    State(s): State<AppState>,
    CurrentUser(id): CurrentUser,
) -> Result<Json<RoomView>, ApiError> {
    let user = accounts::user(&s.svc, id).await?;
    Ok(Json(room(&s.svc, &user).await?))
}

#[derive(Deserialize)]
pub struct HistoryQuery {
    before: Option<MessageId>,
    after: Option<MessageId>,
    size: Option<i64>,
}

pub async fn history(
    State(s): State<AppState>,
    CurrentUser(id): CurrentUser,
    AppPath(room_id): AppPath<CoupleId>,
    AppQuery(q): AppQuery<HistoryQuery>,
) -> Result<Json<Value>, ApiError> {
    let size = q.size.unwrap_or(PAGE_DEFAULT);
    if !(1..=PAGE_MAX).contains(&size) {
        return Err(ApiError::field(
            "size",
            format!("1에서 {PAGE_MAX} 사이여야 합니다"),
        ));
    }
    let (rows, has_more) = s.svc.history(id, room_id, q.before, q.after, size).await?;
    let messages: Vec<MessageView> = rows.iter().map(|m| MessageView::new(m, s.svc.tz)).collect();
    Ok(Json(json!({ "messages": messages, "hasMore": has_more })))
}

/// The offline fallback: the same as a STOMP SEND. 201 for a new message, 200 for
/// a retry of a stored `tempId`.
pub async fn send(
    State(s): State<AppState>,
    CurrentUser(id): CurrentUser,
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

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PresignRequest {
    #[serde(default)]
    file_name: String,
    #[serde(default)]
    content_type: String,
}

/// Image types a message may carry, and the extension their objects get.
fn image_extension(content_type: &str) -> Option<&'static str> {
    match content_type.trim().to_ascii_lowercase().as_str() {
        "image/png" => Some("png"),
        "image/jpeg" | "image/jpg" => Some("jpg"),
        "image/gif" => Some("gif"),
        "image/webp" => Some("webp"),
        "image/heic" => Some("heic"),
        _ => None,
    }
}

pub async fn presigned_url(
    State(s): State<AppState>,
    CurrentUser(id): CurrentUser,
    headers: HeaderMap,
    AppJson(req): AppJson<PresignRequest>,
) -> Result<Json<Value>, ApiError> {
    let mut errors = platform::validate::FieldErrors::new(&crate::service::MESSAGES);
    errors.text("fileName", &req.file_name, 255);
    let ext = image_extension(&req.content_type);
    if ext.is_none() {
        errors.add(
            "contentType",
            "이미지(image/png, image/jpeg, image/gif, image/webp, image/heic)만 올릴 수 있습니다",
        );
    }
    errors.finish()?;
    let content_type = req.content_type.trim().to_ascii_lowercase();
    let key = format!(
        "chat/{}/{}.{}",
        id.0.simple(),
        uuid::Uuid::new_v4().simple(),
        ext.expect("checked above")
    );
    store::uploads::insert(&s.svc.db, &key, id, &content_type, Utc::now()).await?;
    let origin = public_origin(s.public_url.as_deref(), &headers);
    let p =
        s.svc
            .objects
            .presign_upload(&origin, &key, &content_type, s.image_max_bytes, UPLOAD_TTL);
    Ok(Json(json!({
        "uploadUrl": p.upload_url,
        "fileUrl": p.file_url,
        "expiresAt": LocalTime::new(p.expires_at, s.svc.tz),
        "method": "PUT",
        "contentType": content_type,
        "maxBytes": s.image_max_bytes,
    })))
}
