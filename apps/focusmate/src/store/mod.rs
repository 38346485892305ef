//! SQL, one module per table family; the same statements on both engines.

pub mod credits;
pub mod notifications;
pub mod rooms;
pub mod users;
