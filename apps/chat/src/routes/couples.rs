use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use platform::ApiError;
use platform::extract::AppJson;
use platform::time::LocalTime;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{AppState, CurrentUser};
use crate::model::MemberView;
use crate::service::{accounts, couples};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JoinRequest {
    #[serde(default)]
    invite_code: String,
}

pub async fn invite(
    State(s): State<AppState>,
    CurrentUser(id): CurrentUser,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let user = accounts::user(&s.svc, id).await?;
    let (code, expires_at) = couples::invite(&s.svc, &user).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "inviteCode": code,
            "expiresAt": LocalTime::new(expires_at, s.svc.tz),
        })),
    ))
}

pub async fn join(
    State(s): State<AppState>,
    CurrentUser(id): CurrentUser,
    AppJson(req): AppJson<JoinRequest>,
) -> Result<Json<Value>, ApiError> {
    let (couple, members) = couples::join(&s.svc, id, &req.invite_code).await?;
    tracing::info!(user = %id, couple = %couple, "couple formed");
    let members: Vec<MemberView> = members.iter().map(MemberView::from).collect();
    Ok(Json(json!({ "coupleId": couple, "members": members })))
}

pub async fn leave(
    State(s): State<AppState>,
    CurrentUser(id): CurrentUser,
) -> Result<StatusCode, ApiError> {
    let user = accounts::user(&s.svc, id).await?;
    let couple = couples::leave(&s.svc, &user).await?;
    tracing::info!(user = %id, couple = %couple, "couple closed");
    Ok(StatusCode::NO_CONTENT)
}
