//! HTTP handlers: extract, call the service, shape the seed's envelope.

pub mod auth;
pub mod console;
pub mod dashboard;
pub mod download;
pub mod live;
pub mod locks;
pub mod postal;
pub mod visualization;

use axum::Json;
use platform::auth::{Accounts, Role as RoleGuard};
use serde::Serialize;

use crate::model::{Claims as DeliveryClaims, Role, UserClaims};
use crate::service::Service;
use crate::service::users::Users;

/// Handler state, shared by every request.
pub type AppState = platform::app::Shared<State>;

pub struct State {
    pub svc: Service,
    pub accounts: Accounts<Users>,
}

/// `{"success": true, "message": ..., "data": ...}` (seed IV §4.2).
#[derive(Serialize, utoipa::ToSchema)]
pub struct Reply<T: Serialize> {
    pub success: bool,
    #[schema(value_type = String)]
    pub message: &'static str,
    pub data: T,
}

pub fn ok<T: Serialize>(message: &'static str, data: T) -> Json<Reply<T>> {
    Json(Reply {
        success: true,
        message,
        data,
    })
}

/// `{"success": true, "message": ...}`: a reply without data.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Done {
    pub success: bool,
    #[schema(value_type = String)]
    pub message: &'static str,
}

pub fn done(message: &'static str) -> Json<Done> {
    Json(Done {
        success: true,
        message,
    })
}

/// Admin-only endpoints.
pub struct Admin;

impl RoleGuard for Admin {
    type Claims = UserClaims;
    fn allows(claims: &DeliveryClaims) -> bool {
        claims.extra.role == Role::Admin
    }
    const DENIED: &'static str = "관리자 권한이 필요합니다";
}
