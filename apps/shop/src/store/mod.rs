//! SQL for the shop: one text per statement, run on SQLite and PostgreSQL.

pub mod categories;
pub mod orders;
pub mod payments;
pub mod products;
pub mod users;
