//! HTTP handlers under `/v1`: extract, call the service, answer in the seed's
//! envelope (`{success: true, data}`).

pub mod auth;
pub mod categories;
pub mod orders;
pub mod payments;
pub mod products;
pub mod uploads;
pub mod users;

use axum::Json;
use platform::auth::{Accounts, Role as RoleGuard};
use serde::Serialize;

use crate::model::{Role, UserClaims};
use crate::service::Service;
use crate::service::products::Caller;
use crate::service::users::Users;

/// Handler state, shared by every request.
pub type AppState = platform::app::Shared<State>;

pub struct State {
    pub svc: Service,
    pub accounts: Accounts<Users>,
    /// Login attempts per client address and per e-mail address.
    pub login_limit: platform::ratelimit::RateLimiter,
}

/// `{"success": true, "data": ...}` (seed §8.2).
#[derive(Serialize, utoipa::ToSchema)]
pub struct Reply<T: Serialize> {
    pub success: bool,
    pub data: T,
}

/// `meta` of a list (seed §2.3).
#[derive(Serialize, utoipa::ToSchema)]
pub struct Meta {
    pub page: i64,
    pub limit: i64,
    pub total: i64,
}

pub fn ok<T: Serialize>(data: T) -> Json<Reply<T>> {
    Json(Reply {
        success: true,
        data,
    })
}

/// The caller of a verified token.
pub fn caller(claims: &platform::auth::Claims<UserClaims>) -> Result<Caller, platform::ApiError> {
    Ok(Caller {
        id: claims.subject()?,
        role: claims.extra.role,
    })
}

/// Admin-only endpoints.
pub struct Admin;

impl RoleGuard for Admin {
    type Claims = UserClaims;
    fn allows(claims: &platform::auth::Claims<UserClaims>) -> bool {
        claims.extra.role == Role::Admin
    }
    // Worded by the platform in the request's language.
    const DENIED: &'static str = "";
}
