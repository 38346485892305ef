use axum::Json;
use axum::extract::State;
use platform::ApiError;
use platform::auth::Subject;
use platform::extract::AppJson;
use serde::Deserialize;

use super::{AppState, CurrentUser};
use crate::model::UserView;
use crate::service::accounts;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProfilePatch {
    name: Option<String>,
    /// Absent: unchanged; `null`: removed.
    #[serde(default, deserialize_with = "platform::text_enum::double_option")]
    profile_image: Option<Option<String>>,
}

/// The caller's profile.
#[utoipa::path(get, path = "/users/me", tag = "users", security(("bearer" = [])),
    responses((status = 200, description = "The profile", body = UserView)))]
pub async fn me(
    State(s): State<AppState>,
    Subject(id): CurrentUser,
) -> Result<Json<UserView>, ApiError> {
    let user = accounts::user(&s.svc, id).await?;
    Ok(Json(UserView::new(&user, s.svc.tz)))
}

/// Changes the caller's name or profile image.
#[utoipa::path(patch, path = "/users/me", tag = "users", request_body = ProfilePatch, security(("bearer" = [])),
    responses((status = 200, description = "The profile", body = UserView)))]
pub async fn update_me(
    State(s): State<AppState>,
    Subject(id): CurrentUser,
    AppJson(patch): AppJson<ProfilePatch>,
) -> Result<Json<UserView>, ApiError> {
    let user = accounts::update_profile(
        &s.svc,
        id,
        patch.name.as_deref(),
        patch.profile_image.as_ref().map(|p| p.as_deref()),
    )
    .await?;
    Ok(Json(UserView::new(&user, s.svc.tz)))
}
