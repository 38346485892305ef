//! The services outside ondol that apps talk to, one file each. Every service is
//! a small trait with two implementations: a real client, used when its settings
//! are given, and a local default that works with no account, so that one binary
//! runs the whole app on a laptop. Apps hold the service's handle and never ask
//! which implementation is behind it.
//!
//! Effects on these services leave after the commit of the change that causes
//! them, through the durable [`crate::outbox`].
//!
//! - [`mail`]: SMTP (with STARTTLS) through `lettre`, or `.eml` files.

pub mod mail;
