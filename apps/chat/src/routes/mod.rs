//! REST handlers and the WebSocket endpoint: extract, call the service, shape the
//! seed's JSON (Spring style: the object itself on success, the chat envelope on
//! error).

pub mod auth;
pub mod chat;
pub mod couples;
pub mod users;
pub mod ws;

use platform::auth::Accounts;

use crate::model::UserId;
use crate::service::Service;
use crate::service::accounts::Users;
use platform::stomp::StompConfig;

/// Handler state, shared by every request.
pub type AppState = platform::app::Shared<State>;

pub struct State {
    pub svc: Service,
    pub accounts: Accounts<Users>,
    pub stomp: StompConfig,
    /// SockJS sessions of the XHR transports on this instance.
    pub sockjs: platform::ws::sockjs::Sessions,
}

/// The caller's user id, from a verified access token.
pub type CurrentUser = platform::auth::Subject<UserId>;
