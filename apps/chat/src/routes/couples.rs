use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use platform::ApiError;
use platform::auth::Subject;
use platform::extract::AppJson;
use platform::time::LocalTime;
use serde::{Deserialize, Serialize};

use super::{AppState, CurrentUser};
use crate::model::{CoupleId, MemberView};
use crate::service::{accounts, couples};

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Invite {
    #[schema(example = "K7Q2MXHD")]
    invite_code: String,
    expires_at: LocalTime,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Joined {
    couple_id: CoupleId,
    members: Vec<MemberView>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JoinRequest {
    /// The partner's 8-character code (case and surrounding spaces ignored).
    #[serde(default)]
    #[schema(
        required = true,
        pattern = "^\\s*[A-HJ-NP-Za-hj-np-z2-9]{8}\\s*$",
        example = "K7M2Q9XA"
    )]
    invite_code: String,
}

/// An 8-character code the partner enters to form a couple (24 h, single use).
#[utoipa::path(post, path = "/couples/invite", tag = "couples", security(("bearer" = [])), responses(
    (status = 201, description = "The code", body = Invite),
    (status = 409, description = "Already in a couple (`ALREADY_IN_COUPLE`)")))]
pub async fn invite(
    State(s): State<AppState>,
    Subject(id): CurrentUser,
) -> Result<(StatusCode, Json<Invite>), ApiError> {
    let user = accounts::user(&s.svc, id).await?;
    let (code, expires_at) = couples::invite(&s.svc, &user).await?;
    Ok((
        StatusCode::CREATED,
        Json(Invite {
            invite_code: code,
            expires_at: LocalTime::new(expires_at, s.svc.tz),
        }),
    ))
}

/// Joins the couple of an invite code; the room opens for both.
#[utoipa::path(post, path = "/couples/join", tag = "couples", request_body = JoinRequest, security(("bearer" = [])), responses(
    (status = 200, description = "The couple", body = Joined),
    (status = 404, description = "Unknown code (`INVITE_NOT_FOUND`)"),
    (status = 409, description = "Used or expired code, or either user already in a couple"),
    (status = 422, description = "Not an 8-character code, or the caller's own")))]
pub async fn join(
    State(s): State<AppState>,
    Subject(id): CurrentUser,
    AppJson(req): AppJson<JoinRequest>,
) -> Result<Json<Joined>, ApiError> {
    let (couple, members) = couples::join(&s.svc, id, &req.invite_code).await?;
    tracing::info!(user = %id, couple = %couple, "couple formed");
    let members: Vec<MemberView> = members.iter().map(MemberView::from).collect();
    Ok(Json(Joined {
        couple_id: couple,
        members,
    }))
}

/// Leaves the couple: the room closes for both, its history stays readable.
#[utoipa::path(delete, path = "/couples/me", tag = "couples", security(("bearer" = [])), responses(
    (status = 204, description = "Left"),
    (status = 404, description = "Not in a couple (`NOT_IN_COUPLE`)")))]
pub async fn leave(
    State(s): State<AppState>,
    Subject(id): CurrentUser,
) -> Result<StatusCode, ApiError> {
    let user = accounts::user(&s.svc, id).await?;
    let couple = couples::leave(&s.svc, &user).await?;
    tracing::info!(user = %id, couple = %couple, "couple closed");
    Ok(StatusCode::NO_CONTENT)
}
