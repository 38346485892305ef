use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use platform::ApiError;
use platform::auth::Authorized;
use platform::extract::AppJson;
use platform::texts::Language;
use serde::{Deserialize, Serialize};

use super::{Admin, AppState, Reply, ok};
use crate::model::{CategoryId, CategoryNode};

/// The category tree: roots with their children.
#[utoipa::path(get, path = "/v1/categories", tag = "categories",
    responses((status = 200, description = "The roots, each with its children", body = Reply<Vec<CategoryNode>>)))]
pub async fn list(State(s): State<AppState>) -> Result<Json<Reply<Vec<CategoryNode>>>, ApiError> {
    Ok(ok(s.svc.category_tree().await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CategoryRequest {
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 100)]
    name: String,
    /// The parent; none for a root.
    parent_id: Option<CategoryId>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Category {
    id: CategoryId,
    name: String,
    parent_id: Option<CategoryId>,
}

/// Adds a category (admins).
#[utoipa::path(post, path = "/v1/categories", tag = "categories", request_body = CategoryRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The new category", body = Reply<Category>),
        (status = 403, description = "Not an admin (`FORBIDDEN`)"),
        (status = 409, description = "The parent has a category of this name (`CONFLICT`)")))]
pub async fn create(
    State(s): State<AppState>,
    _: Authorized<Admin>,
    lang: Language,
    AppJson(req): AppJson<CategoryRequest>,
) -> Result<(StatusCode, Json<Reply<Category>>), ApiError> {
    let row = s.svc.add_category(lang, &req.name, req.parent_id).await?;
    Ok((
        StatusCode::CREATED,
        ok(Category {
            id: row.id,
            name: row.name,
            parent_id: row.parent_id,
        }),
    ))
}
