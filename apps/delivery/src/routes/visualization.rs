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

#[derive(Deserialize)]
pub struct RangeRequest {
    start_date: String,
    end_date: String,
}

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

pub async fn date_range(
    State(s): State<AppState>,
    _: Auth<UserClaims>,
) -> Result<Json<Reply<DateRange>>, ApiError> {
    Ok(ok(
        "조회 가능 기간입니다",
        s.svc.date_range(RangeColumn::CreateTime).await?,
    ))
}
