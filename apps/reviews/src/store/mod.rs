//! SQL, one file per table group. Every statement runs on both engines.

pub mod contents;
pub mod devices;
pub mod likes;
pub mod reviews;
pub mod users;
