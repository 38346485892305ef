//! The shop's rules. No HTTP types here beyond the platform's error and language.

pub mod categories;
pub mod users;

use platform::db::Db;

#[derive(Clone)]
pub struct Service {
    pub db: Db,
}
