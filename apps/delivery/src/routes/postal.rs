use axum::Json;
use axum::extract::State;
use platform::ApiError;
use platform::auth::Auth;
use platform::extract::AppQuery;
use serde::Deserialize;

use super::{AppState, Reply, ok};
use crate::model::UserClaims;
use crate::service::postal::PostalCode;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PostalQuery {
    /// Part of a code, city, county or district (1-50 characters).
    q: String,
    /// At most this many codes (1-50, default 20).
    limit: Option<i64>,
}

/// Postal codes whose code, city, county or district contains `q`, with the
/// distance and driving time from every warehouse.
#[utoipa::path(get, path = "/postal-codes", tag = "orders", params(PostalQuery), security(("bearer" = [])),
    responses((status = 200, description = "Matching postal codes, by code", body = Reply<Vec<PostalCode>>)))]
pub async fn lookup(
    State(s): State<AppState>,
    _: Auth<UserClaims>,
    AppQuery(q): AppQuery<PostalQuery>,
) -> Result<Json<Reply<Vec<PostalCode>>>, ApiError> {
    Ok(ok(
        "우편번호 검색 결과입니다",
        s.svc.postal_codes(&q.q, q.limit).await?,
    ))
}
