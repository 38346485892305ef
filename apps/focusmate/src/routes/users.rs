use axum::Json;
use axum::extract::State;
use platform::ApiError;
use platform::auth::Subject;
use platform::extract::{AppJson, AppPath};
use serde::{Deserialize, Serialize};

use super::{AppState, Caller, Nothing, Reply, ok};
use crate::model::{PublicUser, UserId, UserView};
use crate::service::users::ProfileInput;

/// `PUT`: every field (`bio` absent or null removes it).
#[derive(Deserialize, utoipa::ToSchema)]
pub struct ProfileReplace {
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 30)]
    username: String,
    #[schema(max_length = 500)]
    bio: Option<String>,
}

/// `PATCH`: at least one field; `bio: null` removes it.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(min_properties = 1)]
pub struct ProfilePatch {
    #[schema(min_length = 1, max_length = 30)]
    username: Option<String>,
    #[serde(default, deserialize_with = "platform::text_enum::double_option")]
    #[schema(max_length = 500)]
    bio: Option<Option<String>>,
}

/// Anyone's profile: the caller's own with the e-mail address, others' without.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum Profile {
    Own(UserView),
    Public(PublicUser),
}

/// The caller.
#[utoipa::path(get, path = "/api/v1/users/me", tag = "users", security(("bearer" = [])),
    responses((status = 200, description = "The caller, with their e-mail address", body = Reply<UserView>),
        (status = 401, description = "Missing, invalid or expired token")))]
pub async fn me(
    State(s): State<AppState>,
    Subject(id): Caller,
) -> Result<Json<Reply<UserView>>, ApiError> {
    // A token whose user is gone (deleted, disabled) is no longer valid; any
    // other failure is the server's.
    let user = crate::store::users::by_id(&s.svc.db, id)
        .await?
        .ok_or_else(|| ApiError::unauthorized(platform::error::AuthFailure::Invalid, ""))?;
    Ok(ok(UserView::from(&user), "User retrieved"))
}

/// A user's profile; without the e-mail address unless it is the caller's own.
#[utoipa::path(get, path = "/api/v1/users/{user_id}", tag = "users", security(("bearer" = [])),
    params(("user_id" = UserId, Path)),
    responses((status = 200, description = "The profile", body = Reply<Profile>),
        (status = 404, description = "No such user (`NOT_FOUND`)")))]
pub async fn profile(
    State(s): State<AppState>,
    Subject(caller): Caller,
    AppPath(id): AppPath<UserId>,
) -> Result<Json<Reply<Profile>>, ApiError> {
    let user = s.svc.user(id).await?;
    let profile = if id == caller {
        Profile::Own(UserView::from(&user))
    } else {
        Profile::Public(PublicUser::from(&user))
    };
    Ok(ok(profile, "User retrieved"))
}

/// Replaces the caller's own profile.
#[utoipa::path(put, path = "/api/v1/users/{user_id}", tag = "users", security(("bearer" = [])),
    params(("user_id" = UserId, Path)), request_body = ProfileReplace,
    responses((status = 200, description = "The changed user", body = Reply<UserView>),
        (status = 403, description = "Not the caller's account (`FORBIDDEN`)")))]
pub async fn replace(
    State(s): State<AppState>,
    Subject(caller): Caller,
    AppPath(id): AppPath<UserId>,
    AppJson(req): AppJson<ProfileReplace>,
) -> Result<Json<Reply<UserView>>, ApiError> {
    let input = ProfileInput {
        username: Some(req.username),
        bio: Some(req.bio),
    };
    let user = s.svc.update_profile(caller, id, input, true).await?;
    Ok(ok(UserView::from(&user), "User updated"))
}

/// Changes some of the caller's own profile.
#[utoipa::path(patch, path = "/api/v1/users/{user_id}", tag = "users", security(("bearer" = [])),
    params(("user_id" = UserId, Path)), request_body = ProfilePatch,
    responses((status = 200, description = "The changed user", body = Reply<UserView>),
        (status = 403, description = "Not the caller's account (`FORBIDDEN`)")))]
pub async fn patch(
    State(s): State<AppState>,
    Subject(caller): Caller,
    AppPath(id): AppPath<UserId>,
    AppJson(req): AppJson<ProfilePatch>,
) -> Result<Json<Reply<UserView>>, ApiError> {
    let input = ProfileInput {
        username: req.username,
        bio: req.bio,
    };
    let user = s.svc.update_profile(caller, id, input, false).await?;
    Ok(ok(UserView::from(&user), "User updated"))
}

/// Deletes the caller's own account: they leave their rooms (a host's room passes
/// to the longest-present participant), their sessions end, and their focus
/// history and notifications are removed.
#[utoipa::path(delete, path = "/api/v1/users/{user_id}", tag = "users", security(("bearer" = [])),
    params(("user_id" = UserId, Path)),
    responses((status = 200, description = "Deleted (`data` is null)", body = Reply<Nothing>),
        (status = 403, description = "Not the caller's account (`FORBIDDEN`)")))]
pub async fn delete(
    State(s): State<AppState>,
    Subject(caller): Caller,
    AppPath(id): AppPath<UserId>,
) -> Result<Json<Reply<Nothing>>, ApiError> {
    s.svc.delete_user(caller, id).await?;
    s.ctx()
        .end_sessions(&caller.to_string())
        .await
        .map_err(ApiError::internal)?;
    Ok(ok(Nothing, "User deleted"))
}
