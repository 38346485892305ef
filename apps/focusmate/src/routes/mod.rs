//! HTTP handlers under `/api/v1`: extract, call the service, answer in the seed's
//! envelope `{"status": "success", "data", "message"}` (§2.3).

pub mod auth;
pub mod leaderboard;
pub mod notifications;
pub mod page;
pub mod rooms;
pub mod users;
pub mod ws;

use axum::Json;
use platform::auth::{Accounts, Subject};
use serde::{Deserialize, Serialize};

use crate::model::UserId;
use crate::service::Service;
use crate::service::users::Users;

/// Handler state, shared by every request.
pub type AppState = platform::app::Shared<State>;

pub struct State {
    pub svc: Service,
    pub accounts: Accounts<Users>,
}

/// The verified caller.
pub type Caller = Subject<UserId>;

/// The success envelope of seed §2.3.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Reply<T: Serialize> {
    /// Always `success`.
    #[schema(example = "success")]
    pub status: &'static str,
    pub data: T,
    #[schema(example = "Operation completed successfully")]
    pub message: &'static str,
}

/// The `data` of a reply that has nothing to return: `null`.
#[derive(Serialize)]
pub struct Nothing;

impl utoipa::PartialSchema for Nothing {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::Null)
            .into()
    }
}

impl utoipa::ToSchema for Nothing {}

pub fn ok<T: Serialize>(data: T, message: &'static str) -> Json<Reply<T>> {
    Json(Reply {
        status: "success",
        data,
        message,
    })
}

/// `limit` and `offset` of a list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Window {
    /// 1 to 100 (default 50).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<i64>,
    /// From 0 (default 0).
    #[param(minimum = 0)]
    offset: Option<i64>,
}

impl Window {
    pub fn new(limit: Option<i64>, offset: Option<i64>) -> Self {
        Self { limit, offset }
    }

    /// The checked `(limit, offset)`.
    pub fn check(&self) -> Result<(i64, i64), platform::ApiError> {
        let mut errors =
            platform::validate::FieldErrors::new(platform::validate::messages(platform::texts::EN));
        let limit = self.limit.unwrap_or(50);
        let offset = self.offset.unwrap_or(0);
        if !(1..=100).contains(&limit) {
            errors.add("limit", "must be between 1 and 100");
        }
        if offset < 0 {
            errors.add("offset", "must be 0 or more");
        }
        errors.finish()?;
        Ok((limit, offset))
    }
}
