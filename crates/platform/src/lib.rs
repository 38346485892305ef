//! The ondol platform: everything the apps share.
//!
//! An app is a library crate that implements [`app::App`]; the `ondol` binary asks
//! the platform to start it ([`server`]) and never looks inside. Every piece here
//! (errors and envelopes, auth, middleware, storage, realtime, telemetry) behaves
//! the same for every app, on SQLite or PostgreSQL, with or without Redis.

pub mod app;
pub mod auth;
pub mod batch;
pub mod cache;
pub mod config;
pub mod db;
pub mod envelope;
pub mod error;
pub mod external;
pub mod extract;
pub mod http;
pub mod id;
pub mod objects;
pub mod openapi;
pub mod ops;
pub mod outbox;
pub mod ratelimit;
pub mod realtime;
pub mod redis_conn;
pub mod server;
pub mod settings;
pub mod stomp;
pub mod telemetry;
pub mod text;
pub mod text_enum;
pub mod texts;
pub mod time;
pub mod uploads;
pub mod validate;
pub mod ws;

#[cfg(feature = "testing")]
pub mod testing;

pub use app::{App, AppContext, DemoLogin, Manifest, NewUser, UserSummary};
pub use error::{ApiError, ErrorKind, FieldError};
