//! Uploads by presigned URL: the app picks the key and the accepted types, the
//! platform signs the URL, records the key it issued in a ledger of its own table,
//! and later tells whether a URL a client sends back is one of those, uploaded.
//! The bytes go to the object store ([`crate::objects`]), never through a handler.

use std::time::Duration;

use axum::http::HeaderMap;
use chrono::Utc;

use crate::app::AppContext;
use crate::db::Db;
use crate::error::ApiError;
use crate::objects::{ObjectStore, PresignedUpload, public_origin};
use crate::on_pool;
use crate::openapi::OpenApiRouter;

const SQLITE_SCHEMA: &str = "CREATE TABLE IF NOT EXISTS platform_uploads (
    object_key TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    content_type TEXT NOT NULL,
    created_at TEXT NOT NULL
)";
const POSTGRES_SCHEMA: &str = "CREATE TABLE IF NOT EXISTS platform_uploads (
    object_key TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    content_type TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
)";

/// Creates the ledger table in an app database (idempotent).
pub async fn ensure_schema(db: &Db) -> Result<(), sqlx::Error> {
    db.define(SQLITE_SCHEMA, POSTGRES_SCHEMA, &[]).await
}

/// What an app accepts: content types with the extension their objects get, a
/// size limit and how long a URL stays valid.
#[derive(Debug, Clone, Copy)]
pub struct UploadPolicy {
    pub types: &'static [(&'static str, &'static str)],
    pub max_bytes: u64,
    pub ttl: Duration,
}

/// An app's uploads: its object store, its policy, its ledger.
#[derive(Clone)]
pub struct Uploads {
    db: Db,
    store: ObjectStore,
    policy: UploadPolicy,
    public_url: Option<String>,
}

impl Uploads {
    /// The app's local object store under `<data dir>/objects/<app>/`, signing with
    /// the app's token secret.
    pub fn new(ctx: &AppContext, policy: UploadPolicy) -> Self {
        Self {
            db: ctx.db.clone(),
            store: {
                let max = usize::try_from(policy.max_bytes).unwrap_or(usize::MAX);
                match crate::external::s3::S3Store::from_settings(&ctx.platform)
                    .expect("the S3 settings were checked at start")
                {
                    Some(s3) => ObjectStore::s3(s3, max),
                    None => ObjectStore::local(ctx.data_dir("objects"), &ctx.signing_secret(), max),
                }
            },
            policy,
            public_url: ctx.platform.public_url.clone(),
        }
    }

    pub fn policy(&self) -> &UploadPolicy {
        &self.policy
    }

    /// The extension objects of `content_type` get, if it is accepted (compared
    /// without case or surrounding blanks).
    pub fn extension(&self, content_type: &str) -> Option<&'static str> {
        let wanted = content_type.trim();
        self.policy
            .types
            .iter()
            .find(|(t, _)| t.eq_ignore_ascii_case(wanted))
            .map(|(_, ext)| *ext)
    }

    /// Signs a `PUT` URL for `key` (which the app chose: see
    /// [`ObjectStore::valid_key`]) and records that it was issued to `owner`. The
    /// URLs use the configured `public_url`, else the origin the request came to.
    pub async fn presign(
        &self,
        request: &HeaderMap,
        key: &str,
        content_type: &str,
        owner: &str,
    ) -> Result<PresignedUpload, ApiError> {
        if !ObjectStore::valid_key(key) {
            return Err(ApiError::internal(format!("invalid object key {key:?}")));
        }
        let content_type = content_type.trim().to_ascii_lowercase();
        let now = Utc::now();
        on_pool!(self.db.writer(), |p| sqlx::query(
            "INSERT INTO platform_uploads (object_key, owner, content_type, created_at)
             VALUES ($1, $2, $3, $4)"
        )
        .bind(key)
        .bind(owner)
        .bind(&content_type)
        .bind(now)
        .execute(p)
        .await
        .map(drop))?;
        let origin = public_origin(self.public_url.as_deref(), request);
        Ok(self.store.presign_upload(
            &origin,
            key,
            &content_type,
            self.policy.max_bytes,
            self.policy.ttl,
        ))
    }

    /// Stores an object the server made itself (demo data) under `key`, recorded
    /// as this app's like an upload; its file URL under the configured
    /// `public_url`, else `fallback_origin`.
    pub async fn put(
        &self,
        key: &str,
        content_type: &str,
        bytes: &[u8],
        owner: &str,
        fallback_origin: &str,
    ) -> Result<String, ApiError> {
        let origin = self
            .public_url
            .as_deref()
            .unwrap_or(fallback_origin)
            .trim_end_matches('/');
        let url = self
            .store
            .put(origin, key, bytes)
            .await
            .map_err(ApiError::internal)?;
        on_pool!(self.db.writer(), |p| sqlx::query(
            "INSERT INTO platform_uploads (object_key, owner, content_type, created_at)
             VALUES ($1, $2, $3, $4) ON CONFLICT (object_key) DO NOTHING"
        )
        .bind(key)
        .bind(owner)
        .bind(content_type)
        .bind(Utc::now())
        .execute(p)
        .await
        .map(drop))?;
        Ok(url)
    }

    /// Is `url` a file URL this app issued, and has the object been uploaded?
    pub async fn is_ours(&self, url: &str) -> Result<bool, ApiError> {
        let Some(key) = self.store.key_of_url(url.trim()) else {
            return Ok(false);
        };
        let found: Option<i32> = on_pool!(self.db.reader(), |p| sqlx::query_scalar(
            "SELECT 1 FROM platform_uploads WHERE object_key = $1"
        )
        .bind(key)
        .fetch_optional(p)
        .await)?;
        Ok(found.is_some() && self.store.exists(key).await)
    }

    /// The store's `PUT`/`GET /files/...` routes, for the app's router.
    pub fn routes<S: Clone + Send + Sync + 'static>(&self) -> OpenApiRouter<S> {
        self.store.routes()
    }
}

/// A client's file name made safe as the last segment of a key: letters, digits,
/// `.`, `-` and `_` kept, anything else `_`, no leading dot, at most 100 bytes.
pub fn safe_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let mut out: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    while out.starts_with('.') {
        out.replace_range(..1, "_");
    }
    out.truncate(100);
    if out.is_empty() { "file".into() } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_become_one_safe_segment() {
        assert_eq!(safe_file_name("photo.png"), "photo.png");
        assert_eq!(safe_file_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_file_name("..\\win.ini"), "win.ini");
        assert_eq!(safe_file_name(".htaccess"), "_htaccess");
        assert_eq!(safe_file_name("내 사진 1.jpg"), "_____1.jpg");
        assert_eq!(safe_file_name(""), "file");
        assert_eq!(safe_file_name("a/"), "file");
        assert!(ObjectStore::valid_key(&format!(
            "p/{}",
            safe_file_name("..%2f x.png")
        )));
    }
}
