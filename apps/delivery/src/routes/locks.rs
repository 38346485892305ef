use axum::Json;
use axum::extract::State;
use platform::ApiError;
use platform::auth::Auth;
use platform::extract::{AppJson, AppPath};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{AppState, Reply, ok};
use crate::model::{LockInfo, LockType, UserClaims};
use crate::service::locks::LockStatus;

#[derive(Deserialize)]
pub struct LockRequest {
    lock_type: LockType,
}

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

pub async fn release(
    State(s): State<AppState>,
    Auth(claims): Auth<UserClaims>,
    AppPath(id): AppPath<i64>,
) -> Result<Json<Reply<Value>>, ApiError> {
    s.svc.release(id, &claims).await?;
    Ok(ok("락을 해제했습니다", json!({"dashboard_id": id})))
}

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
