//! SQL for the delivery app: one text per statement, run on SQLite and PostgreSQL.

pub mod changes;
pub mod export;
pub mod locks;
pub mod orders;
pub mod postal;
pub mod remarks;
mod scanned;
pub mod stats;
pub mod users;

pub use scanned::BulkReadError;
