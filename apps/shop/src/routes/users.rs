use axum::Json;
use axum::extract::State;
use platform::ApiError;
use platform::auth::Subject;
use platform::error::AuthFailure;

use super::{AppState, Reply, ok};
use crate::model::{UserId, UserView};
use crate::store;

/// The caller.
#[utoipa::path(get, path = "/v1/users/me", tag = "users", security(("bearer" = [])),
    responses((status = 200, description = "The caller", body = Reply<UserView>)))]
pub async fn me(
    State(s): State<AppState>,
    Subject(id): Subject<UserId>,
) -> Result<Json<Reply<UserView>>, ApiError> {
    let user = store::users::by_id(&s.svc.db, id)
        .await?
        .filter(|u| u.disabled_at.is_none())
        .ok_or_else(|| ApiError::unauthorized(AuthFailure::Invalid, ""))?;
    Ok(ok(UserView::from(&user)))
}
