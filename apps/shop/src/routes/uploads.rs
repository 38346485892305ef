use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use chrono::{DateTime, Utc};
use platform::ApiError;
use platform::auth::Auth;
use platform::extract::AppJson;
use platform::texts::Language;
use serde::{Deserialize, Serialize};

use super::{AppState, Reply, caller, ok};
use crate::model::{Role, UserClaims};

#[derive(Deserialize, utoipa::ToSchema)]
pub struct PresignRequest {
    #[serde(default)]
    #[schema(
        required = true,
        min_length = 1,
        max_length = 255,
        example = "keyboard.jpg"
    )]
    file_name: String,
    /// `image/png`, `image/jpeg`, `image/webp` or `image/gif`.
    #[serde(default)]
    #[schema(required = true, example = "image/jpeg")]
    file_type: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Presigned {
    /// `PUT` the file here, with the same `Content-Type`.
    upload_url: String,
    /// The file's public URL, for a product's `images`.
    file_url: String,
    expires_at: DateTime<Utc>,
}

/// A URL to upload one product image to (sellers and admins; seed §5).
#[utoipa::path(post, path = "/v1/upload/presigned-url", tag = "uploads", request_body = PresignRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The URLs", body = Reply<Presigned>),
        (status = 403, description = "Not a seller (`FORBIDDEN`)")))]
pub async fn presigned_url(
    State(s): State<AppState>,
    Auth(claims): Auth<UserClaims>,
    lang: Language,
    headers: HeaderMap,
    AppJson(req): AppJson<PresignRequest>,
) -> Result<Json<Reply<Presigned>>, ApiError> {
    let who = caller(&claims)?;
    if who.role == Role::Buyer {
        return Err(ApiError::forbidden(crate::i18n::SELLERS_ONLY.in_(lang)));
    }
    let p = s
        .svc
        .presign_image(lang, &headers, who.id, &req.file_name, &req.file_type)
        .await?;
    Ok(ok(Presigned {
        upload_url: p.upload_url,
        file_url: p.file_url,
        expires_at: p.expires_at,
    }))
}
