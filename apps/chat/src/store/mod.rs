//! SQL for the chat app: one implementation for SQLite and PostgreSQL.

pub mod couples;
pub mod invites;
pub mod messages;
pub mod users;
