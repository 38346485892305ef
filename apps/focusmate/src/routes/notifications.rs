use axum::Json;
use axum::extract::State;
use platform::ApiError;
use platform::auth::Subject;
use platform::extract::{AppPath, AppQuery};
use serde::{Deserialize, Serialize};

use super::{AppState, Caller, Reply, Window, ok};
use crate::model::{NotificationId, NotificationView};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only unread ones (default false).
    unread_only: Option<bool>,
    /// 1 to 100 (default 50).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<i64>,
    /// From 0.
    #[param(minimum = 0)]
    offset: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ReadAll {
    /// How many were unread.
    updated: u64,
}

/// The caller's notifications, newest first.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", security(("bearer" = [])),
    params(ListParams),
    responses((status = 200, description = "Notifications", body = Reply<Vec<NotificationView>>)))]
pub async fn list(
    State(s): State<AppState>,
    Subject(caller): Caller,
    AppQuery(params): AppQuery<ListParams>,
) -> Result<Json<Reply<Vec<NotificationView>>>, ApiError> {
    let (limit, offset) = Window::new(params.limit, params.offset).check()?;
    let list = s
        .svc
        .notifications(caller, params.unread_only.unwrap_or(false), limit, offset)
        .await?;
    Ok(ok(list, "Notifications retrieved"))
}

/// Marks one of the caller's notifications read.
#[utoipa::path(patch, path = "/api/v1/notifications/{notification_id}/read", tag = "notifications",
    security(("bearer" = [])), params(("notification_id" = NotificationId, Path)),
    responses((status = 200, description = "The notification", body = Reply<NotificationView>),
        (status = 404, description = "Not the caller's, or no such one (`NOT_FOUND`)")))]
pub async fn read(
    State(s): State<AppState>,
    Subject(caller): Caller,
    AppPath(id): AppPath<NotificationId>,
) -> Result<Json<Reply<NotificationView>>, ApiError> {
    Ok(ok(
        s.svc.read_notification(caller, id).await?,
        "Notification marked as read",
    ))
}

/// Marks all of the caller's notifications read.
#[utoipa::path(post, path = "/api/v1/notifications/read-all", tag = "notifications",
    security(("bearer" = [])),
    responses((status = 200, description = "How many were unread", body = Reply<ReadAll>)))]
pub async fn read_all(
    State(s): State<AppState>,
    Subject(caller): Caller,
) -> Result<Json<Reply<ReadAll>>, ApiError> {
    let updated = s.svc.read_all(caller).await?;
    Ok(ok(ReadAll { updated }, "All notifications marked as read"))
}
