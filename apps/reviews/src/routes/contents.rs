use axum::Json;
use axum::extract::State;
use platform::ApiError;
use platform::extract::{AppPath, AppQuery};
use platform::texts::Language;
use serde::Deserialize;

use super::AppState;
use crate::model::{ContentId, ContentView, Genre, Kind, Page};
use crate::service::contents::Search;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Part of the title or the original title, any case.
    #[param(max_length = 200, example = "기생충")]
    query: Option<String>,
    #[serde(rename = "type")]
    #[param(rename = "type", inline)]
    kind: Option<Kind>,
    /// A genre id (`18`) or name (`Drama`).
    #[param(max_length = 100)]
    genre: Option<String>,
    /// Release year.
    #[param(minimum = 1800, maximum = 2200)]
    year: Option<i32>,
    /// From 1 (default 1).
    #[param(minimum = 1)]
    page: Option<i64>,
    /// 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    size: Option<i64>,
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

/// Searches movies and TV shows; every filter given must match. Most reviewed
/// and most popular first.
#[utoipa::path(get, path = "/contents", tag = "contents", params(SearchParams),
    responses((status = 200, description = "A page of contents", body = Page<ContentView>)))]
pub async fn search(
    State(s): State<AppState>,
    lang: Language,
    AppQuery(q): AppQuery<SearchParams>,
) -> Result<Json<Page<ContentView>>, ApiError> {
    let search = Search {
        query: q.query,
        kind: q.kind,
        genre: q.genre,
        year: q.year,
        page: q.page,
        size: q.size,
    };
    Ok(Json(s.svc.search(lang, search).await?))
}

/// The most reviewed contents, then the most popular.
#[utoipa::path(get, path = "/contents/popular", tag = "contents", params(PageParams),
    responses((status = 200, description = "A page of contents", body = Page<ContentView>)))]
pub async fn popular(
    State(s): State<AppState>,
    lang: Language,
    AppQuery(q): AppQuery<PageParams>,
) -> Result<Json<Page<ContentView>>, ApiError> {
    Ok(Json(s.svc.popular(lang, q.page, q.size).await?))
}

/// One content with its genres, average rating and review count.
#[utoipa::path(get, path = "/contents/{content_id}", tag = "contents",
    params(("content_id" = i64, Path, description = "The content")),
    responses(
        (status = 200, description = "The content", body = ContentView),
        (status = 404, description = "No such content (`NOT_FOUND`)")))]
pub async fn detail(
    State(s): State<AppState>,
    lang: Language,
    AppPath(id): AppPath<ContentId>,
) -> Result<Json<ContentView>, ApiError> {
    Ok(Json(s.svc.content(lang, id).await?))
}

/// Every genre.
#[utoipa::path(get, path = "/genres", tag = "contents",
    responses((status = 200, description = "The genres, by name", body = Vec<Genre>)))]
pub async fn genres(State(s): State<AppState>) -> Result<Json<Vec<Genre>>, ApiError> {
    Ok(Json(s.svc.genres().await?))
}
