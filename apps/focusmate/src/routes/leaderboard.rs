use axum::Json;
use axum::extract::State;
use platform::ApiError;
use platform::auth::Subject;
use platform::extract::AppQuery;
use serde::Deserialize;

use super::{AppState, Caller, Reply, ok};
use crate::model::{Entry, Period};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LeaderboardParams {
    /// `daily`, `weekly` (default) or `all`.
    #[param(inline)]
    period: Option<Period>,
}

/// The top 50 by focused minutes in the period (calendar days and Monday-based
/// weeks in the server's time zone). Cached for a minute.
#[utoipa::path(get, path = "/api/v1/leaderboard", tag = "leaderboard", security(("bearer" = [])),
    params(LeaderboardParams),
    responses((status = 200, description = "Ranked entries", body = Reply<Vec<Entry>>),
        (status = 422, description = "An unknown period (`VALIDATION_ERROR`)")))]
pub async fn leaderboard(
    State(s): State<AppState>,
    Subject(_caller): Caller,
    AppQuery(params): AppQuery<LeaderboardParams>,
) -> Result<Json<Reply<Vec<Entry>>>, ApiError> {
    let period = params.period.unwrap_or(Period::Weekly);
    Ok(ok(
        s.svc.leaderboard(period).await?,
        "Leaderboard retrieved",
    ))
}
