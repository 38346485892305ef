//! HTTP handlers: extract, call the service, answer with the resource itself
//! (the seed's Pydantic response models, no wrapper).

pub mod auth;
pub mod contents;
pub mod reviews;
pub mod users;

use platform::auth::{Accounts, Subject};

use crate::model::UserId;
use crate::service::Service;
use crate::service::users::Users;

/// Handler state, shared by every request.
pub type AppState = platform::app::Shared<State>;

pub struct State {
    pub svc: Service,
    pub accounts: Accounts<Users>,
    /// Seed: SlowAPI's `5/minute` on login and on signup, per client address.
    pub login_limit: platform::ratelimit::RateLimiter,
    pub signup_limit: platform::ratelimit::RateLimiter,
}

/// The verified caller.
pub type Caller = Subject<UserId>;
