use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use platform::ApiError;
use platform::auth::{MaybeAuth, Subject};
use platform::extract::{AppJson, AppPath, AppQuery};
use platform::texts::Language;
use serde::Deserialize;

use super::{AppState, Caller};
use crate::i18n;
use crate::model::{Page, PublicUser, ReviewView, UserClaims, UserId, UserView};
use crate::service::users::{self, ProfileInput};
use crate::store;
use crate::store::devices::Device;

/// At least one field.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(min_properties = 1)]
pub struct ProfilePatch {
    #[schema(min_length = 1, max_length = 30)]
    nickname: Option<String>,
    /// Up to 500 characters; `null` removes it.
    #[serde(default, deserialize_with = "platform::text_enum::double_option")]
    #[schema(max_length = 500)]
    bio: Option<Option<String>>,
    /// An http(s) URL; `null` removes it.
    #[serde(default, deserialize_with = "platform::text_enum::double_option")]
    #[schema(max_length = 2000, example = "https://img.example.com/me.png")]
    profile_image: Option<Option<String>>,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct DeviceRequest {
    /// The app's FCM registration token on this device.
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 4096)]
    fcm_token: String,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// From 1 (default 1).
    #[param(minimum = 1)]
    page: Option<i64>,
    /// 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    size: Option<i64>,
}

/// The caller.
#[utoipa::path(get, path = "/users/me", tag = "users", security(("bearer" = [])),
    responses((status = 200, description = "The caller, with their e-mail address", body = UserView)))]
pub async fn me(
    State(s): State<AppState>,
    Subject(id): Caller,
) -> Result<Json<UserView>, ApiError> {
    let user = store::users::by_id(&s.svc.db, id)
        .await?
        .ok_or_else(|| ApiError::unauthorized(platform::error::AuthFailure::Invalid, ""))?;
    Ok(Json(UserView::from(&user)))
}

/// Changes the caller's nickname, bio or profile image; absent fields stay.
#[utoipa::path(patch, path = "/users/me", tag = "users", request_body = ProfilePatch,
    security(("bearer" = [])),
    responses((status = 200, description = "The caller", body = UserView)))]
pub async fn update_me(
    State(s): State<AppState>,
    Subject(id): Caller,
    lang: Language,
    AppJson(p): AppJson<ProfilePatch>,
) -> Result<Json<UserView>, ApiError> {
    let input = ProfileInput {
        nickname: p.nickname,
        bio: p.bio,
        profile_image: p.profile_image,
    };
    let user = users::update_profile(&s.svc.db, lang, id, input).await?;
    Ok(Json(UserView::from(&user)))
}

/// Anyone's public profile (no e-mail address).
#[utoipa::path(get, path = "/users/{user_id}", tag = "users",
    params(("user_id" = i64, Path, description = "The user")),
    responses(
        (status = 200, description = "The profile", body = PublicUser),
        (status = 404, description = "No such user (`NOT_FOUND`)")))]
pub async fn profile(
    State(s): State<AppState>,
    lang: Language,
    AppPath(id): AppPath<UserId>,
) -> Result<Json<PublicUser>, ApiError> {
    let user = store::users::by_id(&s.svc.db, id)
        .await?
        .ok_or_else(|| ApiError::not_found(i18n::USER_NOT_FOUND.in_(lang)))?;
    Ok(Json(PublicUser::from(&user)))
}

/// A user's reviews, newest first.
#[utoipa::path(get, path = "/users/{user_id}/reviews", tag = "users",
    params(("user_id" = i64, Path, description = "The user"), PageParams),
    responses(
        (status = 200, description = "A page of reviews", body = Page<ReviewView>),
        (status = 404, description = "No such user (`NOT_FOUND`)")))]
pub async fn reviews(
    State(s): State<AppState>,
    MaybeAuth(claims): MaybeAuth<UserClaims>,
    lang: Language,
    AppPath(id): AppPath<UserId>,
    AppQuery(q): AppQuery<PageParams>,
) -> Result<Json<Page<ReviewView>>, ApiError> {
    let viewer = claims.map(|c| c.subject()).transpose()?;
    Ok(Json(
        s.svc
            .reviews_of_user(lang, id, viewer, q.page, q.size)
            .await?,
    ))
}

/// Registers the caller's device for push notifications (201 when new, 200 when
/// it was registered already).
#[utoipa::path(post, path = "/users/me/devices", tag = "users", request_body = DeviceRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Registered", body = Device),
        (status = 200, description = "Already registered to the caller", body = Device)))]
pub async fn register_device(
    State(s): State<AppState>,
    Subject(id): Caller,
    lang: Language,
    AppJson(req): AppJson<DeviceRequest>,
) -> Result<(StatusCode, Json<Device>), ApiError> {
    let (device, new) = users::register_device(&s.svc.db, lang, id, &req.fcm_token).await?;
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(device)))
}
