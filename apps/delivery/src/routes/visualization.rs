use axum::Json;
use axum::extract::State;
use platform::ApiError;
use platform::auth::Auth;
use platform::extract::AppJson;
use serde::Deserialize;

use super::{AppState, Reply, ok};
use crate::model::UserClaims;
use crate::service::orders::DateRange;
use crate::service::stats::{DeliveryStatus, HourlyOrders};
use crate::store::orders::RangeColumn;

/// By creation time, `YYYY-MM-DD`, both days included.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct RangeRequest {
    #[schema(format = Date, example = "2026-11-01")]
    start_date: String,
    #[schema(format = Date, example = "2026-11-30")]
    end_date: String,
}

/// Orders by status, overall and per department; every status key present.
#[utoipa::path(post, path = "/visualization/delivery_status", tag = "statistics", request_body = RangeRequest, security(("bearer" = [])),
    responses((status = 200, description = "Counts", body = Reply<DeliveryStatus>)))]
pub async fn delivery_status(
    State(s): State<AppState>,
    _: Auth<UserClaims>,
    AppJson(r): AppJson<RangeRequest>,
) -> Result<Json<Reply<DeliveryStatus>>, ApiError> {
    Ok(ok(
        "배송 현황을 조회했습니다",
        s.svc.delivery_status(&r.start_date, &r.end_date).await?,
    ))
}

/// Orders received per hour of the day, overall and per department.
#[utoipa::path(post, path = "/visualization/hourly_orders", tag = "statistics", request_body = RangeRequest, security(("bearer" = [])),
    responses((status = 200, description = "Counts", body = Reply<HourlyOrders>)))]
pub async fn hourly_orders(
    State(s): State<AppState>,
    _: Auth<UserClaims>,
    AppJson(r): AppJson<RangeRequest>,
) -> Result<Json<Reply<HourlyOrders>>, ApiError> {
    Ok(ok(
        "시간대별 접수량을 조회했습니다",
        s.svc.hourly_orders(&r.start_date, &r.end_date).await?,
    ))
}

/// The first and last days that hold orders, by creation time.
#[utoipa::path(get, path = "/visualization/date_range", tag = "statistics", security(("bearer" = [])),
    responses((status = 200, description = "The range", body = Reply<DateRange>)))]
pub async fn date_range(
    State(s): State<AppState>,
    _: Auth<UserClaims>,
) -> Result<Json<Reply<DateRange>>, ApiError> {
    Ok(ok(
        "조회 가능 기간입니다",
        s.svc.date_range(RangeColumn::CreateTime).await?,
    ))
}
