use axum::Json;
use axum::extract::State;
use platform::ApiError;
use platform::auth::Auth;
use platform::extract::{AppJson, AppPath};
use serde::{Deserialize, Serialize};

use super::{AppState, Reply, ok};
use crate::model::{LockInfo, LockType, UserClaims};
use crate::service::locks::LockStatus;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct LockRequest {
    lock_type: LockType,
}

/// Takes the order's lock for 300 s, or renews the caller's own.
#[utoipa::path(post, path = "/dashboard/{dashboard_id}/lock", tag = "locks", params(("dashboard_id" = i64, Path, description = "The order")),
    request_body = LockRequest, security(("bearer" = [])), responses(
    (status = 200, description = "The lock", body = Reply<LockInfo>),
    (status = 404, description = "No such order"),
    (status = 423, description = "Held by another user (`RESOURCE_LOCKED`, with `lock_info`)")))]
pub async fn acquire(
    State(s): State<AppState>,
    Auth(claims): Auth<UserClaims>,
    AppPath(id): AppPath<i64>,
    AppJson(req): AppJson<LockRequest>,
) -> Result<Json<Reply<LockInfo>>, ApiError> {
    Ok(ok(
        "락을 획득했습니다",
        s.svc.acquire(id, &claims.sub, req.lock_type).await?,
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ReleasedData {
    dashboard_id: i64,
}

/// Releases the caller's lock (an admin may release anyone's).
#[utoipa::path(delete, path = "/dashboard/{dashboard_id}/lock", tag = "locks", params(("dashboard_id" = i64, Path, description = "The order")), security(("bearer" = [])), responses(
    (status = 200, description = "Released", body = Reply<ReleasedData>),
    (status = 403, description = "Held by another user"),
    (status = 404, description = "No such order")))]
pub async fn release(
    State(s): State<AppState>,
    Auth(claims): Auth<UserClaims>,
    AppPath(id): AppPath<i64>,
) -> Result<Json<Reply<ReleasedData>>, ApiError> {
    s.svc.release(id, &claims).await?;
    Ok(ok("락을 해제했습니다", ReleasedData { dashboard_id: id }))
}

/// Every live lock (any logged-in user): which orders are being edited, by whom,
/// until when. Not in the seed: the console marks its rows with it on load and
/// follows the live view's lock events after.
#[utoipa::path(get, path = "/dashboard/locks", tag = "locks", security(("bearer" = [])), responses(
    (status = 200, description = "The live locks, by order", body = Reply<Vec<LockInfo>>),
    (status = 401, description = "Missing or invalid token")))]
pub async fn live(
    State(s): State<AppState>,
    _: Auth<UserClaims>,
) -> Result<Json<Reply<Vec<LockInfo>>>, ApiError> {
    Ok(ok("락 목록을 조회했습니다", s.svc.live_locks().await?))
}

/// Who holds the order's lock, of which type, until when.
#[utoipa::path(get, path = "/dashboard/{dashboard_id}/lock/status", tag = "locks", params(("dashboard_id" = i64, Path, description = "The order")), security(("bearer" = [])), responses(
    (status = 200, description = "The lock state", body = Reply<LockStatus>),
    (status = 404, description = "No such order")))]
pub async fn status(
    State(s): State<AppState>,
    Auth(claims): Auth<UserClaims>,
    AppPath(id): AppPath<i64>,
) -> Result<Json<Reply<LockStatus>>, ApiError> {
    Ok(ok(
        "락 상태를 조회했습니다",
        s.svc.lock_status(id, &claims.sub).await?,
    ))
}
