use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use platform::ApiError;
use platform::auth::{Auth, Authorized};
use platform::extract::AppJson;

use super::{Admin, AppState, Reply, ok};
use crate::model::UserClaims;
use crate::service::orders::{DateRange, ListRequest};
use crate::store::orders::RangeColumn;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The orders of a range as a styled Excel file (admins only), named
/// `dashboard_{YYYYMMDD}_{YYYYMMDD}.xlsx` after the range.
#[utoipa::path(post, path = "/download/excel", tag = "export", request_body = ListRequest, security(("bearer" = [])), responses(
    (status = 200, description = "The workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers(("Content-Disposition" = String, description = "`attachment; filename=\"dashboard_YYYYMMDD_YYYYMMDD.xlsx\"`"))),
    (status = 403, description = "Not an admin")))]
pub async fn excel(
    State(s): State<AppState>,
    admin: Authorized<Admin>,
    AppJson(req): AppJson<ListRequest>,
) -> Result<Response, ApiError> {
    let export = s.svc.export_excel(&req).await?;
    tracing::info!(user_id = %admin.0.sub, rows = export.rows, file = %export.filename, "excel export");
    let disposition =
        HeaderValue::from_str(&format!("attachment; filename=\"{}\"", export.filename))
            .map_err(ApiError::internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(XLSX)),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        export.bytes,
    )
        .into_response())
}

/// The first and last days that hold orders, by ETA.
#[utoipa::path(get, path = "/download/date-range", tag = "export", security(("bearer" = [])),
    responses((status = 200, description = "The range", body = Reply<DateRange>)))]
pub async fn date_range(
    State(s): State<AppState>,
    _: Auth<UserClaims>,
) -> Result<Json<Reply<DateRange>>, ApiError> {
    Ok(ok(
        "다운로드 가능 기간입니다",
        s.svc.date_range(RangeColumn::Eta).await?,
    ))
}
