use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use platform::ApiError;
use platform::auth::{Auth, Authorized};
use platform::extract::{AppJson, AppPath, AppQuery};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{Admin, AppState, Reply, ok};
use crate::model::{Detail, ListItem, Remark, Status, UserClaims};
use crate::service::orders::{
    AssignData, CreateRequest, FieldsRequest, ListData, ListRequest, StatusData,
};

type Res<T> = Result<Json<Reply<T>>, ApiError>;

/// The month view is what every operator's screen polls: the serialized reply is
/// cached until the next change anywhere (see `platform::cache`).
pub async fn list(
    State(s): State<AppState>,
    _: Auth<UserClaims>,
    AppJson(req): AppJson<ListRequest>,
) -> Result<Response, ApiError> {
    let key = format!(
        "{}|{}|{:?}",
        req.start_date.trim(),
        req.end_date.trim(),
        req.filters()
    );
    let bytes = match s.svc.list_cache.get(&key) {
        Some(bytes) => bytes,
        None => list_uncached(&s, &req, key).await?,
    };
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        bytes,
    )
        .into_response())
}

async fn list_uncached(s: &AppState, req: &ListRequest, key: String) -> Result<Bytes, ApiError> {
    let _permit = s
        .svc
        .bulk_reads
        .acquire()
        .await
        .map_err(ApiError::internal)?;
    // Another request may have filled it while this one waited.
    if let Some(bytes) = s.svc.list_cache.get(&key) {
        return Ok(bytes);
    }
    let ticket = s.svc.list_cache.ticket();
    let data: ListData = s.svc.list(req).await?;
    let reply = Reply {
        success: true,
        message: "데이터를 조회했습니다",
        data: Some(data),
    };
    let bytes = Bytes::from(serde_json::to_vec(&reply).map_err(ApiError::internal)?);
    s.svc.list_cache.put(ticket, key, bytes.clone());
    Ok(bytes)
}

/// The detail repeats `is_locked` and `lock_info` at the top level (seed IV §1.2).
#[derive(Serialize)]
pub struct DetailReply {
    success: bool,
    message: &'static str,
    is_locked: bool,
    lock_info: Option<crate::model::LockInfo>,
    data: Detail,
}

pub async fn detail(
    State(s): State<AppState>,
    _: Auth<UserClaims>,
    AppPath(id): AppPath<i64>,
) -> Result<Json<DetailReply>, ApiError> {
    let data = s.svc.detail(id).await?;
    Ok(Json(DetailReply {
        success: true,
        message: "상세 정보를 조회했습니다",
        is_locked: data.is_locked,
        lock_info: data.lock_info.clone(),
        data,
    }))
}

pub async fn create(
    State(s): State<AppState>,
    Auth(claims): Auth<UserClaims>,
    AppJson(req): AppJson<CreateRequest>,
) -> Result<(StatusCode, Json<Reply<Detail>>), ApiError> {
    let detail = s.svc.create(req, &claims).await?;
    Ok((StatusCode::CREATED, ok("주문이 생성되었습니다", detail)))
}

pub async fn update_fields(
    State(s): State<AppState>,
    Auth(claims): Auth<UserClaims>,
    AppPath(id): AppPath<i64>,
    AppJson(req): AppJson<FieldsRequest>,
) -> Res<Detail> {
    Ok(ok(
        "주문이 수정되었습니다",
        s.svc.update_fields(id, req, &claims).await?,
    ))
}

#[derive(Deserialize)]
pub struct StatusRequest {
    status: Status,
    #[serde(default)]
    is_admin: bool,
}

pub async fn change_status(
    State(s): State<AppState>,
    Auth(claims): Auth<UserClaims>,
    AppPath(id): AppPath<i64>,
    AppJson(req): AppJson<StatusRequest>,
) -> Res<StatusData> {
    Ok(ok(
        "상태가 변경되었습니다",
        s.svc
            .change_status(id, req.status, req.is_admin, &claims)
            .await?,
    ))
}

#[derive(Deserialize)]
pub struct AssignRequest {
    dashboard_ids: Vec<i64>,
    driver_name: String,
    #[serde(default)]
    driver_contact: Option<String>,
}

pub async fn assign(
    State(s): State<AppState>,
    Auth(claims): Auth<UserClaims>,
    AppJson(req): AppJson<AssignRequest>,
) -> Res<AssignData> {
    let data = s
        .svc
        .assign(
            &req.dashboard_ids,
            &req.driver_name,
            req.driver_contact.as_deref(),
            &claims,
        )
        .await?;
    Ok(ok("배차가 완료되었습니다", data))
}

#[derive(Deserialize)]
pub struct SearchQuery {
    order_no: String,
}

#[derive(Serialize)]
pub struct SearchData {
    items: Vec<ListItem>,
    total: usize,
}

pub async fn search(
    State(s): State<AppState>,
    _: Auth<UserClaims>,
    AppQuery(q): AppQuery<SearchQuery>,
) -> Res<SearchData> {
    let items = s.svc.search(&q.order_no).await?;
    Ok(ok(
        "검색 결과입니다",
        SearchData {
            total: items.len(),
            items,
        },
    ))
}

#[derive(Deserialize)]
pub struct RemarkRequest {
    content: String,
}

pub async fn add_remark(
    State(s): State<AppState>,
    Auth(claims): Auth<UserClaims>,
    AppPath(id): AppPath<i64>,
    AppJson(req): AppJson<RemarkRequest>,
) -> Result<(StatusCode, Json<Reply<Remark>>), ApiError> {
    let remark = s.svc.add_remark(id, &req.content, &claims).await?;
    Ok((StatusCode::CREATED, ok("메모가 추가되었습니다", remark)))
}

pub async fn edit_remark(
    State(s): State<AppState>,
    Auth(claims): Auth<UserClaims>,
    AppPath((id, remark_id)): AppPath<(i64, i64)>,
    AppJson(req): AppJson<RemarkRequest>,
) -> Res<Remark> {
    Ok(ok(
        "메모가 수정되었습니다",
        s.svc
            .edit_remark(id, remark_id, &req.content, &claims)
            .await?,
    ))
}

#[derive(Deserialize)]
pub struct DeleteRequest {
    dashboard_ids: Vec<i64>,
}

pub async fn delete(
    State(s): State<AppState>,
    _: Authorized<Admin>,
    AppJson(req): AppJson<DeleteRequest>,
) -> Res<Value> {
    let n = s.svc.delete(&req.dashboard_ids).await?;
    Ok(ok("삭제되었습니다", json!({"deleted_count": n})))
}
