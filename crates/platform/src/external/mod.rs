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
//! - [`payments`]: Stripe's API, or a local checkout page with Stripe's test cards
//!   and webhooks signed as Stripe signs them.
//! - [`push`]: FCM's HTTP v1 API, or JSON files in a push outbox folder.
//! - [`tmdb`]: TMDB's v3 API (no local client: an app keeps its own catalogue).
//! - [`s3`]: any S3-compatible store with SigV4 presigned URLs, or the local
//!   object store ([`crate::objects`]).

pub mod mail;
pub mod payments;
pub mod push;
pub mod s3;
pub mod tmdb;

/// Makes ring the process's TLS crypto (for reqwest and lettre), once; every
/// HTTP client of the process needs it before it is built, so the server calls
/// it at start. rustls nudges towards aws-lc-rs for post-quantum key exchange;
/// that needs a C and assembly build this project keeps out of its tree.
#[allow(deprecated)]
pub fn tls_ready() {
    // Installed already (by an earlier call): fine.
    let _ = rustls::crypto::ring::default_provider().install_default();
}
