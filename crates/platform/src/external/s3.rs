//! Objects in any S3-compatible store (AWS S3, MinIO, R2, ...), when `s3_bucket`
//! is set: SigV4 presigned URLs through `rusty-s3`, so bytes go from the client
//! to the store and never through ondol. Without it the platform's local store
//! ([`crate::objects`]) answers the same calls.
//!
//! A presigned `PUT` signs the key, the expiry and the `Content-Type` (a client
//! sending another type is refused by the store). A presigned `PUT` cannot bound
//! the size; [`S3Store::stat`] reads it back (`HEAD`) before an app accepts the
//! object. File URLs are public: `s3_public_url` (a CDN or a public bucket) and
//! the key.

use std::time::Duration;

use rusty_s3::actions::S3Action;
use rusty_s3::{Bucket, Credentials, UrlStyle};

use crate::config::Secret;
use crate::settings::PlatformSettings;

/// How long the server's own requests (`HEAD`, seed `PUT`) may take.
const TIMEOUT: Duration = Duration::from_secs(30);
/// Validity of the URLs the server signs for itself.
const SELF_SIGNED: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum S3Error {
    #[error("s3_bucket is set, so {0} must be too")]
    Missing(&'static str),
    #[error("s3_endpoint: {0}")]
    Endpoint(String),
}

/// What a `HEAD` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stat {
    pub size: u64,
    pub content_type: Option<String>,
}

#[derive(Clone)]
pub struct S3Store {
    bucket: Bucket,
    credentials: Credentials,
    public_base: String,
    http: reqwest::Client,
}

impl S3Store {
    /// The store of the settings, if `s3_bucket` is set.
    pub fn from_settings(p: &PlatformSettings) -> Result<Option<Self>, S3Error> {
        let Some(name) = &p.s3_bucket else {
            return Ok(None);
        };
        let endpoint = p
            .s3_endpoint
            .clone()
            .unwrap_or_else(|| format!("https://s3.{}.amazonaws.com", p.s3_region));
        let key = p
            .s3_access_key_id
            .as_ref()
            .ok_or(S3Error::Missing("s3_access_key_id"))?;
        let secret: &Secret = p
            .s3_secret_access_key
            .as_ref()
            .ok_or(S3Error::Missing("s3_secret_access_key"))?;
        Self::new(
            &endpoint,
            name,
            &p.s3_region,
            Credentials::new(key.clone(), secret.expose().to_owned()),
            p.s3_public_url.as_deref(),
            p.s3_virtual_host,
        )
        .map(Some)
    }

    pub fn new(
        endpoint: &str,
        bucket: &str,
        region: &str,
        credentials: Credentials,
        public_url: Option<&str>,
        virtual_host: bool,
    ) -> Result<Self, S3Error> {
        let url = endpoint
            .parse()
            .map_err(|e| S3Error::Endpoint(format!("{endpoint}: {e}")))?;
        let style = if virtual_host {
            UrlStyle::VirtualHost
        } else {
            UrlStyle::Path
        };
        let bucket = Bucket::new(url, style, bucket.to_owned(), region.to_owned())
            .map_err(|e| S3Error::Endpoint(e.to_string()))?;
        let public_base = public_url.map_or_else(
            || bucket.base_url().as_str().trim_end_matches('/').to_owned(),
            |u| u.trim_end_matches('/').to_owned(),
        );
        crate::external::tls_ready();
        Ok(Self {
            bucket,
            credentials,
            public_base,
            http: reqwest::Client::builder()
                .timeout(TIMEOUT)
                .build()
                .expect("an HTTP client with a timeout builds"),
        })
    }

    /// A `PUT` URL for `key`, requiring `content_type`, valid for `ttl`.
    pub fn presign_put(&self, key: &str, content_type: &str, ttl: Duration) -> String {
        let mut action = self.bucket.put_object(Some(&self.credentials), key);
        action
            .headers_mut()
            .insert("content-type", content_type.to_owned());
        action.sign(ttl).to_string()
    }

    /// A `GET` URL for `key`, for a bucket that is not public.
    pub fn presign_get(&self, key: &str, ttl: Duration) -> String {
        self.bucket
            .get_object(Some(&self.credentials), key)
            .sign(ttl)
            .to_string()
    }

    /// The public URL of `key`.
    pub fn file_url(&self, key: &str) -> String {
        format!("{}/{key}", self.public_base)
    }

    /// The key of one of this store's file URLs.
    pub fn key_of_url<'a>(&self, url: &'a str) -> Option<&'a str> {
        url.strip_prefix(&self.public_base)?.strip_prefix('/')
    }

    /// The object's size and type, if it exists.
    pub async fn stat(&self, key: &str) -> Result<Option<Stat>, String> {
        let url = self
            .bucket
            .head_object(Some(&self.credentials), key)
            .sign(SELF_SIGNED);
        let r = self
            .http
            .head(url.as_str())
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if r.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if !r.status().is_success() {
            return Err(format!("HEAD {key}: {}", r.status()));
        }
        let header = |name: &str| {
            r.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        Ok(Some(Stat {
            size: header("content-length")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
            content_type: header("content-type"),
        }))
    }

    /// Stores `bytes` at `key` from the server itself.
    pub async fn put(&self, key: &str, content_type: &str, bytes: &[u8]) -> Result<(), String> {
        let url = self.presign_put(key, content_type, SELF_SIGNED);
        let r = self
            .http
            .put(url)
            .header("content-type", content_type)
            .body(bytes.to_vec())
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if r.status().is_success() {
            Ok(())
        } else {
            Err(format!("PUT {key}: {}", r.status()))
        }
    }
}
