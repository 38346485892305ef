use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use platform::ApiError;
use platform::auth::{MaybeAuth, Subject};
use platform::extract::{AppJson, AppPath, AppQuery};
use platform::texts::Language;
use serde::Deserialize;

use super::{AppState, Caller};
use crate::model::{ContentId, LikeState, Page, ReviewId, ReviewSort, ReviewView, UserClaims};
use crate::service::reviews::ReviewInput;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReview {
    /// 0.5 to 5.0 in steps of 0.5.
    #[schema(
        required = true,
        minimum = 0.5,
        maximum = 5.0,
        multiple_of = 0.5,
        example = 4.5
    )]
    rating: Option<f64>,
    /// The review, up to 2,000 characters.
    #[schema(
        required = true,
        min_length = 1,
        max_length = 2000,
        example = "계단 장면이 오래 남는다."
    )]
    content: Option<String>,
    /// Whether it gives the plot away (default false).
    spoiler: Option<bool>,
}

/// At least one field; absent ones stay.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(min_properties = 1)]
pub struct ReviewPatch {
    #[schema(minimum = 0.5, maximum = 5.0, multiple_of = 0.5)]
    rating: Option<f64>,
    #[schema(min_length = 1, max_length = 2000)]
    content: Option<String>,
    spoiler: Option<bool>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// `latest` (default), `likes` or `rating`: newest, most liked or highest
    /// rated first.
    #[param(inline)]
    sort: Option<ReviewSort>,
    /// From 1 (default 1).
    #[param(minimum = 1)]
    page: Option<i64>,
    /// 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    size: Option<i64>,
}

/// Reviews a content: one review per user per content.
#[utoipa::path(post, path = "/contents/{content_id}/reviews", tag = "reviews", request_body = NewReview,
    params(("content_id" = i64, Path, description = "The content")),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The new review", body = ReviewView),
        (status = 404, description = "No such content (`NOT_FOUND`)"),
        (status = 409, description = "The caller reviewed it already (`CONFLICT`)")))]
pub async fn create(
    State(s): State<AppState>,
    Subject(user): Caller,
    lang: Language,
    AppPath(content): AppPath<ContentId>,
    AppJson(r): AppJson<NewReview>,
) -> Result<(StatusCode, Json<ReviewView>), ApiError> {
    let input = ReviewInput {
        rating: r.rating,
        content: r.content,
        spoiler: r.spoiler,
    };
    let review = s.svc.create_review(lang, user, content, input).await?;
    Ok((StatusCode::CREATED, Json(review)))
}

/// A content's reviews.
#[utoipa::path(get, path = "/contents/{content_id}/reviews", tag = "reviews",
    params(("content_id" = i64, Path, description = "The content"), ListParams),
    responses(
        (status = 200, description = "A page of reviews", body = Page<ReviewView>),
        (status = 404, description = "No such content (`NOT_FOUND`)")))]
pub async fn list(
    State(s): State<AppState>,
    MaybeAuth(claims): MaybeAuth<UserClaims>,
    lang: Language,
    AppPath(content): AppPath<ContentId>,
    AppQuery(q): AppQuery<ListParams>,
) -> Result<Json<Page<ReviewView>>, ApiError> {
    let viewer = claims.map(|c| c.subject()).transpose()?;
    Ok(Json(
        s.svc
            .reviews_of_content(lang, content, q.sort, viewer, q.page, q.size)
            .await?,
    ))
}

/// Changes the caller's review; absent fields stay.
#[utoipa::path(patch, path = "/reviews/{review_id}", tag = "reviews", request_body = ReviewPatch,
    params(("review_id" = i64, Path, description = "The review")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The review", body = ReviewView),
        (status = 403, description = "Someone else's review (`FORBIDDEN`)"),
        (status = 404, description = "No such review (`NOT_FOUND`)")))]
pub async fn update(
    State(s): State<AppState>,
    Subject(user): Caller,
    lang: Language,
    AppPath(id): AppPath<ReviewId>,
    AppJson(r): AppJson<ReviewPatch>,
) -> Result<Json<ReviewView>, ApiError> {
    let input = ReviewInput {
        rating: r.rating,
        content: r.content,
        spoiler: r.spoiler,
    };
    Ok(Json(s.svc.edit_review(lang, user, id, input).await?))
}

/// Deletes the caller's review, with its likes.
#[utoipa::path(delete, path = "/reviews/{review_id}", tag = "reviews",
    params(("review_id" = i64, Path, description = "The review")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Someone else's review (`FORBIDDEN`)"),
        (status = 404, description = "No such review (`NOT_FOUND`)")))]
pub async fn delete(
    State(s): State<AppState>,
    Subject(user): Caller,
    lang: Language,
    AppPath(id): AppPath<ReviewId>,
) -> Result<StatusCode, ApiError> {
    s.svc.delete_review(lang, user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Likes a review (again: no change). The author's devices are notified of a new
/// like.
#[utoipa::path(post, path = "/reviews/{review_id}/like", tag = "reviews",
    params(("review_id" = i64, Path, description = "The review")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Liked", body = LikeState),
        (status = 403, description = "The caller's own review (`FORBIDDEN`)"),
        (status = 404, description = "No such review (`NOT_FOUND`)")))]
pub async fn like(
    State(s): State<AppState>,
    Subject(user): Caller,
    lang: Language,
    AppPath(id): AppPath<ReviewId>,
) -> Result<Json<LikeState>, ApiError> {
    Ok(Json(s.svc.like(lang, user, id).await?))
}

/// Takes the caller's like off a review (again: no change).
#[utoipa::path(delete, path = "/reviews/{review_id}/like", tag = "reviews",
    params(("review_id" = i64, Path, description = "The review")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Not liked", body = LikeState),
        (status = 403, description = "The caller's own review (`FORBIDDEN`)"),
        (status = 404, description = "No such review (`NOT_FOUND`)")))]
pub async fn unlike(
    State(s): State<AppState>,
    Subject(user): Caller,
    lang: Language,
    AppPath(id): AppPath<ReviewId>,
) -> Result<Json<LikeState>, ApiError> {
    Ok(Json(s.svc.unlike(lang, user, id).await?))
}
