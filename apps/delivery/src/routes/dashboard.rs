use axum::Json;
use std::io::Write;

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::{BufMut, BytesMut};
use platform::ApiError;
use platform::auth::{Auth, Authorized};
use platform::extract::{AppJson, AppPath, AppQuery};
use platform::http::gzip::{self, Piece};
use serde::{Deserialize, Serialize};

use super::{Admin, AppState, Reply, ok};
use crate::model::{Detail, ListItem, Remark, Status, UserClaims};
use crate::service::orders::{
    AssignData, CreateRequest, DateRange, FieldsRequest, Items, ListData, ListRequest, StatusData,
};

type Res<T> = Result<Json<Reply<T>>, ApiError>;

/// Orders whose ETA falls in the range (at most `max_range_days`, default 92),
/// filtered, with the range of dates that hold orders.
#[utoipa::path(post, path = "/dashboard/list", tag = "orders", request_body = ListRequest, security(("bearer" = [])),
    responses((status = 200, description = "The orders, by ETA", body = Reply<ListData>)))]
// The month view is what every operator's screen asks for: its items come
// from the projection (`service::projection`) as ready JSON, and gzip from
// pieces kept per day, so a reply is a concatenation, not a serialization.
pub async fn list(
    State(s): State<AppState>,
    _: Auth<UserClaims>,
    headers: HeaderMap,
    AppJson(req): AppJson<ListRequest>,
) -> Result<Response, ApiError> {
    let listing = s.svc.list(&req).await?;
    let (prefix, suffix) = frame(listing.date_range)?;
    let gzip = platform::http::gzip::accepted(&headers);
    let mut out = BytesMut::new();
    let body = match (&listing.items, gzip) {
        (Items::Held(month), true) => {
            let items = month.gzip_items();
            let (head, tail) = (Piece::stored(&prefix), Piece::stored(&suffix));
            gzip::join(std::iter::once(&head).chain(&items).chain([&tail]))
        }
        (items, gzip) => {
            out.reserve(prefix.len() + suffix.len() + 256);
            out.extend_from_slice(&prefix);
            match items {
                Items::Held(month) => month.write_items(&mut out),
                Items::Read(items) => write_json_items(&mut out, items)?,
            }
            out.extend_from_slice(&suffix);
            if gzip {
                gzip::join([&Piece::compress(&out, 1)])
            } else {
                out.freeze()
            }
        }
    };
    let mut response = (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response();
    let h = response.headers_mut();
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if gzip {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    Ok(response)
}

/// The reply around the items: everything before the `[` of `items` and from
/// its `]` on, as serde writes the whole reply (so the bytes are the same).
fn frame(date_range: DateRange) -> Result<(Vec<u8>, Vec<u8>), ApiError> {
    let reply = Reply {
        success: true,
        message: "데이터를 조회했습니다",
        data: ListData {
            items: vec![],
            date_range,
        },
    };
    let mut bytes = serde_json::to_vec(&reply).map_err(ApiError::internal)?;
    const ITEMS: &[u8] = br#""items":["#;
    let at = bytes
        .windows(ITEMS.len())
        .position(|w| w == ITEMS)
        .ok_or_else(|| ApiError::internal("the list reply has no items"))?
        + ITEMS.len();
    let suffix = bytes.split_off(at);
    Ok((bytes, suffix))
}

fn write_json_items(out: &mut BytesMut, items: &[ListItem]) -> Result<(), ApiError> {
    let mut w = out.writer();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            w.write_all(b",").map_err(ApiError::internal)?;
        }
        serde_json::to_writer(&mut w, item).map_err(ApiError::internal)?;
    }
    Ok(())
}

/// The detail repeats `is_locked` and `lock_info` at the top level (seed IV §1.2).
#[derive(Serialize, utoipa::ToSchema)]
pub struct DetailReply {
    success: bool,
    #[schema(value_type = String)]
    message: &'static str,
    is_locked: bool,
    lock_info: Option<crate::model::LockInfo>,
    data: Detail,
}

/// One order with its remarks and lock state.
#[utoipa::path(get, path = "/dashboard/{dashboard_id}", tag = "orders", params(("dashboard_id" = i64, Path, description = "The order")), security(("bearer" = [])), responses(
    (status = 200, description = "The order", body = DetailReply),
    (status = 404, description = "No such order (`DASHBOARD_NOT_FOUND`)")))]
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

/// Creates an order; the postal code fills city, county, district, distance and
/// duration; `remark` becomes its first remark. Status starts `WAITING`.
#[utoipa::path(post, path = "/dashboard", tag = "orders", request_body = CreateRequest, security(("bearer" = [])), responses(
    (status = 201, description = "Created", body = Reply<Detail>),
    (status = 409, description = "`order_no` already exists")))]
pub async fn create(
    State(s): State<AppState>,
    Auth(claims): Auth<UserClaims>,
    AppJson(req): AppJson<CreateRequest>,
) -> Result<(StatusCode, Json<Reply<Detail>>), ApiError> {
    let detail = s.svc.create(req, &claims).await?;
    Ok((StatusCode::CREATED, ok("주문이 생성되었습니다", detail)))
}

/// Edits fields; absent fields stay, `null` clears an optional one. Needs the
/// caller's `EDIT` lock or no lock held by someone else.
#[utoipa::path(patch, path = "/dashboard/{dashboard_id}/fields", tag = "orders", params(("dashboard_id" = i64, Path, description = "The order")),
    request_body = FieldsRequest, security(("bearer" = [])), responses(
    (status = 200, description = "The updated order", body = Reply<Detail>),
    (status = 400, description = "The order's status forbids edits (`DASHBOARD_STATUS_LOCKED`) or bad input"),
    (status = 404, description = "No such order"),
    (status = 423, description = "Locked by another user (`RESOURCE_LOCKED`, with `lock_info`)")))]
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

#[derive(Deserialize, utoipa::ToSchema)]
pub struct StatusRequest {
    status: Status,
    #[serde(default)]
    is_admin: bool,
}

/// Moves an order along the transition table; sets `depart_time` and
/// `complete_time`. `is_admin` is ignored unless the token's role is `ADMIN`.
#[utoipa::path(patch, path = "/dashboard/{dashboard_id}/status", tag = "orders", params(("dashboard_id" = i64, Path, description = "The order")),
    request_body = StatusRequest, security(("bearer" = [])), responses(
    (status = 200, description = "The new status and times", body = Reply<StatusData>),
    (status = 400, description = "Transition not allowed for this role (`INVALID_STATUS_TRANSITION`)"),
    (status = 404, description = "No such order"),
    (status = 423, description = "Locked by another user")))]
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

#[derive(Deserialize, utoipa::ToSchema)]
pub struct AssignRequest {
    #[schema(min_items = 1, max_items = 1000)]
    dashboard_ids: Vec<i64>,
    #[schema(min_length = 1, max_length = 50)]
    driver_name: String,
    #[serde(default)]
    #[schema(max_length = 50)]
    driver_contact: Option<String>,
}

/// Assigns a driver to every order named, or to none: all-or-nothing.
#[utoipa::path(post, path = "/dashboard/assign", tag = "orders", request_body = AssignRequest, security(("bearer" = [])), responses(
    (status = 200, description = "Every order assigned", body = Reply<AssignData>),
    (status = 400, description = "An order's status forbids assignment"),
    (status = 404, description = "An order does not exist"),
    (status = 423, description = "An order is locked by another user")))]
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

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// The order number, exact.
    order_no: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SearchData {
    items: Vec<ListItem>,
    total: usize,
}

/// Finds orders by order number.
#[utoipa::path(get, path = "/dashboard/search", tag = "orders", params(SearchQuery), security(("bearer" = [])),
    responses((status = 200, description = "Matching orders", body = Reply<SearchData>)))]
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

#[derive(Deserialize, utoipa::ToSchema)]
pub struct RemarkRequest {
    #[schema(min_length = 1, max_length = 2000)]
    content: String,
}

/// Adds a remark to an order.
#[utoipa::path(post, path = "/dashboard/{dashboard_id}/remarks", tag = "orders", params(("dashboard_id" = i64, Path, description = "The order")),
    request_body = RemarkRequest, security(("bearer" = [])), responses(
    (status = 201, description = "The remark", body = Reply<Remark>),
    (status = 404, description = "No such order"),
    (status = 423, description = "Locked by another user")))]
pub async fn add_remark(
    State(s): State<AppState>,
    Auth(claims): Auth<UserClaims>,
    AppPath(id): AppPath<i64>,
    AppJson(req): AppJson<RemarkRequest>,
) -> Result<(StatusCode, Json<Reply<Remark>>), ApiError> {
    let remark = s.svc.add_remark(id, &req.content, &claims).await?;
    Ok((StatusCode::CREATED, ok("메모가 추가되었습니다", remark)))
}

/// Edits a remark; only its author (or an admin) may.
#[utoipa::path(patch, path = "/dashboard/{dashboard_id}/remarks/{remark_id}", tag = "orders",
    params(("dashboard_id" = i64, Path, description = "The order"), ("remark_id" = i64, Path, description = "The remark")),
    request_body = RemarkRequest, security(("bearer" = [])), responses(
    (status = 200, description = "The remark", body = Reply<Remark>),
    (status = 403, description = "Not the author"),
    (status = 404, description = "No such order or remark"),
    (status = 423, description = "Locked by another user")))]
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

#[derive(Deserialize, utoipa::ToSchema)]
pub struct DeleteRequest {
    #[schema(min_items = 1, max_items = 1000)]
    dashboard_ids: Vec<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct DeletedData {
    deleted_count: u64,
}

/// Deletes orders (admins only).
#[utoipa::path(delete, path = "/dashboard", tag = "orders", request_body = DeleteRequest, security(("bearer" = [])), responses(
    (status = 200, description = "How many were deleted", body = Reply<DeletedData>),
    (status = 403, description = "Not an admin (`FORBIDDEN`)")))]
pub async fn delete(
    State(s): State<AppState>,
    _: Authorized<Admin>,
    AppJson(req): AppJson<DeleteRequest>,
) -> Res<DeletedData> {
    let deleted_count = s.svc.delete(&req.dashboard_ids).await?;
    Ok(ok("삭제되었습니다", DeletedData { deleted_count }))
}
