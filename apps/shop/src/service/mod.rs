//! The shop's rules. No HTTP types here beyond the platform's error and language.

pub mod categories;
pub mod products;
pub mod uploads;
pub mod users;

use platform::db::Db;
use platform::uploads::Uploads;

#[derive(Clone)]
pub struct Service {
    pub db: Db,
    pub uploads: Uploads,
}
