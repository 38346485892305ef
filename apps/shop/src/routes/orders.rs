use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use platform::ApiError;
use platform::auth::Auth;
use platform::extract::{AppJson, AppPath, AppQuery};
use platform::texts::Language;
use serde::{Deserialize, Serialize};

use super::{AppState, Meta, Reply, caller, ok};
use crate::model::{OrderId, OrderStatus, OrderView, UserClaims};
use crate::service::orders::{OrderInput, OrderPage};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// From 1 (default 1).
    #[param(minimum = 1)]
    page: Option<i64>,
    /// 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<i64>,
    /// Only orders in this status.
    #[param(inline)]
    status: Option<OrderStatus>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct OrderList {
    success: bool,
    data: Vec<OrderView>,
    meta: Meta,
}

fn list_reply(page: OrderPage) -> Json<OrderList> {
    Json(OrderList {
        success: true,
        data: page.items.iter().map(OrderView::from).collect(),
        meta: Meta {
            page: page.paging.page,
            limit: page.paging.size,
            total: page.total,
        },
    })
}

/// Places an order (buyers): the stock of every line is taken in one
/// transaction at the price of that moment, or nothing is.
#[utoipa::path(post, path = "/v1/orders", tag = "orders", request_body = OrderInput,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The order, `pending` until paid", body = Reply<OrderView>),
        (status = 403, description = "Not a buyer (`FORBIDDEN`)"),
        (status = 409, description = "A line is short of stock (`INSUFFICIENT_STOCK`, with `product_id`, `requested`, `available`); nothing changed"),
        (status = 422, description = "Bad lines or address (`VALIDATION_ERROR`)")))]
pub async fn create(
    State(s): State<AppState>,
    Auth(claims): Auth<UserClaims>,
    lang: Language,
    AppJson(input): AppJson<OrderInput>,
) -> Result<(StatusCode, Json<Reply<OrderView>>), ApiError> {
    let o = s.svc.place_order(lang, caller(&claims)?, input).await?;
    Ok((StatusCode::CREATED, ok(OrderView::from(&o))))
}

/// The caller's orders, newest first (every order, for an admin).
#[utoipa::path(get, path = "/v1/orders", tag = "orders", params(ListParams),
    security(("bearer" = [])),
    responses((status = 200, description = "A page, with `meta`", body = OrderList)))]
pub async fn list(
    State(s): State<AppState>,
    Auth(claims): Auth<UserClaims>,
    lang: Language,
    AppQuery(p): AppQuery<ListParams>,
) -> Result<Json<OrderList>, ApiError> {
    let page = s
        .svc
        .orders(lang, caller(&claims)?, (p.page, p.limit), p.status)
        .await?;
    Ok(list_reply(page))
}

/// One order, to its buyer, a seller of one of its lines, or an admin.
#[utoipa::path(get, path = "/v1/orders/{order_id}", tag = "orders",
    params(("order_id" = i64, Path, description = "The order")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The order", body = Reply<OrderView>),
        (status = 404, description = "No such order of yours (`NOT_FOUND`)")))]
pub async fn detail(
    State(s): State<AppState>,
    Auth(claims): Auth<UserClaims>,
    lang: Language,
    AppPath(id): AppPath<OrderId>,
) -> Result<Json<Reply<OrderView>>, ApiError> {
    let o = s.svc.order(lang, caller(&claims)?, id).await?;
    Ok(ok(OrderView::from(&o)))
}

/// Cancels a pending order (its buyer, or an admin); the stock comes back.
#[utoipa::path(post, path = "/v1/orders/{order_id}/cancel", tag = "orders",
    params(("order_id" = i64, Path, description = "The order")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The cancelled order", body = Reply<OrderView>),
        (status = 403, description = "A seller's view of it (`FORBIDDEN`)"),
        (status = 404, description = "No such order of yours (`NOT_FOUND`)"),
        (status = 409, description = "Not pending (`CONFLICT`, with its `status`)")))]
pub async fn cancel(
    State(s): State<AppState>,
    Auth(claims): Auth<UserClaims>,
    lang: Language,
    AppPath(id): AppPath<OrderId>,
) -> Result<Json<Reply<OrderView>>, ApiError> {
    let o = s.svc.cancel_order(lang, caller(&claims)?, id).await?;
    Ok(ok(OrderView::from(&o)))
}

/// Orders with a line of the calling seller, newest first (every order, for an
/// admin).
#[utoipa::path(get, path = "/v1/seller/orders", tag = "orders", params(ListParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page, with `meta`", body = OrderList),
        (status = 403, description = "A buyer (`FORBIDDEN`)")))]
pub async fn seller_list(
    State(s): State<AppState>,
    Auth(claims): Auth<UserClaims>,
    lang: Language,
    AppQuery(p): AppQuery<ListParams>,
) -> Result<Json<OrderList>, ApiError> {
    let page = s
        .svc
        .seller_orders(lang, caller(&claims)?, (p.page, p.limit), p.status)
        .await?;
    Ok(list_reply(page))
}

/// `PATCH /v1/seller/orders/{id}`.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct Fulfilment {
    /// `shipped` (from `paid`) or `delivered` (from `shipped`).
    #[schema(required = true, value_type = String, example = "shipped")]
    status: Option<OrderStatus>,
}

/// Marks an order `shipped`, then `delivered` (the seller of every line, or an
/// admin).
#[utoipa::path(patch, path = "/v1/seller/orders/{order_id}", tag = "orders",
    request_body = Fulfilment,
    params(("order_id" = i64, Path, description = "The order")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The order", body = Reply<OrderView>),
        (status = 403, description = "Not the seller of every line (`FORBIDDEN`)"),
        (status = 404, description = "No such order of yours (`NOT_FOUND`)"),
        (status = 409, description = "Not paid (to ship) or not shipped (to deliver) (`CONFLICT`, with its `status`)"),
        (status = 422, description = "Neither `shipped` nor `delivered` (`VALIDATION_ERROR`)")))]
pub async fn fulfil(
    State(s): State<AppState>,
    Auth(claims): Auth<UserClaims>,
    lang: Language,
    AppPath(id): AppPath<OrderId>,
    AppJson(body): AppJson<Fulfilment>,
) -> Result<Json<Reply<OrderView>>, ApiError> {
    let o = s
        .svc
        .fulfil_order(lang, caller(&claims)?, id, body.status)
        .await?;
    Ok(ok(OrderView::from(&o)))
}
