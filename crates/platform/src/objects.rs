//! Object storage: presigned uploads with a local store served by ondol itself.
//!
//! An app asks for a presigned upload URL for a key it chose; the client `PUT`s the
//! bytes there (signed: key, content type, size limit, expiry), then refers to the
//! object by its file URL, which `GET` serves. The signature is an HMAC-SHA256 with
//! the app's JWT secret, so no other secret is needed and any instance sharing the
//! secret and the directory can verify it.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::put;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

use crate::config::Secret;
use crate::error::{ApiError, ErrorKind};
use crate::extract::AppPath;
use crate::openapi::OpenApiRouter;

/// Where the store's objects are served.
pub const ROUTE_PREFIX: &str = "/files/";

/// A local object store: files under `root`, URLs under `/files/`.
#[derive(Clone)]
pub struct ObjectStore {
    inner: Arc<Inner>,
}

struct Inner {
    /// Set: objects live there, and the local fields below are unused.
    s3: Option<crate::external::s3::S3Store>,
    root: PathBuf,
    key: Vec<u8>,
    /// The largest upload any presigned URL may allow.
    max_upload: usize,
}

/// What a client needs to upload one object.
#[derive(Debug, Clone)]
pub struct PresignedUpload {
    pub upload_url: String,
    pub file_url: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UploadQuery {
    expires: i64,
    content_type: String,
    max_bytes: u64,
    signature: String,
}

impl ObjectStore {
    pub fn local(root: PathBuf, secret: &Secret, max_upload: usize) -> Self {
        Self {
            inner: Arc::new(Inner {
                s3: None,
                root,
                key: secret.expose().as_bytes().to_vec(),
                max_upload,
            }),
        }
    }

    /// Objects in an S3-compatible bucket (presigned there); `max_upload` is
    /// checked when an object is looked at ([`Self::exists`]).
    pub fn s3(store: crate::external::s3::S3Store, max_upload: usize) -> Self {
        Self {
            inner: Arc::new(Inner {
                s3: Some(store),
                root: PathBuf::new(),
                key: Vec::new(),
                max_upload,
            }),
        }
    }

    /// Is `key` a key this store accepts: `/`-separated segments of letters, digits,
    /// `.`, `-` and `_`, none empty or starting with a dot?
    pub fn valid_key(key: &str) -> bool {
        !key.is_empty()
            && key.len() <= 200
            && key.split('/').all(|seg| {
                !seg.is_empty()
                    && !seg.starts_with('.')
                    && seg
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
            })
    }

    fn sign(&self, key: &str, content_type: &str, max_bytes: u64, expires: i64) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.inner.key)
            .expect("HMAC-SHA256 takes a key of any length");
        mac.update(format!("PUT\n{key}\n{content_type}\n{max_bytes}\n{expires}").as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    fn verify(&self, key: &str, q: &UploadQuery) -> bool {
        let Ok(given) = hex::decode(&q.signature) else {
            return false;
        };
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.inner.key)
            .expect("HMAC-SHA256 takes a key of any length");
        mac.update(
            format!(
                "PUT\n{key}\n{}\n{}\n{}",
                q.content_type, q.max_bytes, q.expires
            )
            .as_bytes(),
        );
        // Constant-time comparison.
        mac.verify_slice(&given).is_ok()
    }

    /// A URL to `PUT` one object of `content_type`, at most `max_bytes`, valid for
    /// `ttl`; `base` is the server's public origin (`http://host:port`).
    pub fn presign_upload(
        &self,
        base: &str,
        key: &str,
        content_type: &str,
        max_bytes: u64,
        ttl: Duration,
    ) -> PresignedUpload {
        debug_assert!(Self::valid_key(key), "object keys are chosen by the app");
        let expires_at = Utc::now() + ttl;
        let expires = expires_at.timestamp();
        let max_bytes = max_bytes.min(self.inner.max_upload as u64);
        if let Some(s3) = &self.inner.s3 {
            return PresignedUpload {
                upload_url: s3.presign_put(key, content_type, ttl),
                file_url: s3.file_url(key),
                expires_at,
            };
        }
        let signature = self.sign(key, content_type, max_bytes, expires);
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("expires", &expires.to_string())
            .append_pair("contentType", content_type)
            .append_pair("maxBytes", &max_bytes.to_string())
            .append_pair("signature", &signature)
            .finish();
        PresignedUpload {
            upload_url: format!("{base}{ROUTE_PREFIX}{key}?{query}"),
            file_url: format!("{base}{ROUTE_PREFIX}{key}"),
            expires_at,
        }
    }

    /// The key of a file URL of this store (any origin: the same object may be
    /// reached through several host names).
    pub fn key_of_url<'a>(&self, url: &'a str) -> Option<&'a str> {
        if let Some(s3) = &self.inner.s3 {
            return s3.key_of_url(url).filter(|k| Self::valid_key(k));
        }
        let rest = url
            .strip_prefix("http://")
            .or_else(|| url.strip_prefix("https://"))?;
        let path = &rest[rest.find('/')?..];
        let key = path.strip_prefix(ROUTE_PREFIX)?;
        Self::valid_key(key).then_some(key)
    }

    fn path(&self, key: &str) -> PathBuf {
        self.inner.root.join(key)
    }

    /// Stores `bytes` at `key` from the server itself (seed data, generated
    /// files); the object's URL under `base`.
    pub async fn put(&self, base: &str, key: &str, bytes: &[u8]) -> std::io::Result<String> {
        if !Self::valid_key(key) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("invalid object key {key:?}"),
            ));
        }
        if let Some(s3) = &self.inner.s3 {
            s3.put(key, content_type_of(key), bytes)
                .await
                .map_err(std::io::Error::other)?;
            return Ok(s3.file_url(key));
        }
        write_atomically(&self.path(key), bytes).await?;
        Ok(format!("{base}{ROUTE_PREFIX}{key}"))
    }

    /// Has `key` been uploaded?
    pub async fn exists(&self, key: &str) -> bool {
        if let Some(s3) = &self.inner.s3 {
            // Presigned PUTs cannot bound the size: it is checked here.
            return Self::valid_key(key)
                && match s3.stat(key).await {
                    Ok(Some(stat)) => stat.size <= self.inner.max_upload as u64,
                    Ok(None) => false,
                    Err(e) => {
                        tracing::warn!(error = %e, "object store unreachable");
                        false
                    }
                };
        }
        Self::valid_key(key)
            && tokio::fs::metadata(self.path(key))
                .await
                .is_ok_and(|m| m.is_file())
    }

    /// `PUT` and `GET` under `/files/`, for the app's router.
    pub fn routes<S: Clone + Send + Sync + 'static>(&self) -> OpenApiRouter<S> {
        // The key may hold slashes: axum routes it as a wildcard, which OpenAPI
        // cannot express, so the description is declared beside the route.
        #[derive(utoipa::OpenApi)]
        #[openapi(paths(upload, download))]
        struct Files;
        OpenApiRouter::with_openapi(<Files as utoipa::OpenApi>::openapi())
            .route(
                "/files/{*key}",
                put(upload)
                    .get(download)
                    .layer(DefaultBodyLimit::max(self.inner.max_upload)),
            )
            .with_state(self.clone())
    }
}

fn forbidden(message: &'static str) -> ApiError {
    ApiError::forbidden(message).with_code("INVALID_SIGNATURE")
}

/// Stores a file at a presigned URL (its query carries the signature).
#[utoipa::path(put, path = "/files/{key}", tag = "files",
    params(
        ("key" = String, Path, description = "Object key; may contain `/`"),
        ("expires" = i64, Query, description = "Unix time the URL stops working"),
        ("content_type" = String, Query, description = "The Content-Type the upload must carry"),
        ("max_bytes" = u64, Query, description = "The largest body accepted"),
        ("signature" = String, Query, description = "HMAC-SHA256 of the above"),
    ),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses(
        (status = 200, description = "Stored"),
        (status = 403, description = "Bad or expired signature (`INVALID_SIGNATURE`)"),
        (status = 415, description = "Not the Content-Type the URL was signed for"),
        (status = 413, description = "Larger than `max_bytes`")))]
async fn upload(
    State(store): State<ObjectStore>,
    AppPath(key): AppPath<String>,
    Query(q): Query<UploadQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    if !ObjectStore::valid_key(&key) || !store.verify(&key, &q) {
        return Err(forbidden("invalid upload signature"));
    }
    if q.expires < Utc::now().timestamp() {
        return Err(forbidden("the upload URL has expired"));
    }
    let sent_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !sent_type.eq_ignore_ascii_case(&q.content_type) {
        return Err(ApiError::new(
            ErrorKind::UnsupportedMediaType,
            format!("this URL accepts Content-Type {}", q.content_type),
        ));
    }
    if body.len() as u64 > q.max_bytes {
        return Err(ApiError::new(
            ErrorKind::PayloadTooLarge,
            format!("at most {} bytes", q.max_bytes),
        ));
    }
    let path = store.path(&key);
    write_atomically(&path, &body)
        .await
        .map_err(ApiError::internal)?;
    Ok(StatusCode::OK)
}

async fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        tokio::fs::create_dir_all(dir).await?;
    }
    let tmp = path.with_extension(format!("tmp-{}", uuid::Uuid::new_v4().simple()));
    tokio::fs::write(&tmp, bytes).await?;
    tokio::fs::rename(&tmp, path).await
}

/// The content type of a stored object, from its extension.
fn content_type_of(key: &str) -> &'static str {
    match key.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()) {
        Some(e) if e == "png" => "image/png",
        Some(e) if e == "jpg" || e == "jpeg" => "image/jpeg",
        Some(e) if e == "gif" => "image/gif",
        Some(e) if e == "webp" => "image/webp",
        Some(e) if e == "heic" => "image/heic",
        _ => "application/octet-stream",
    }
}

/// Serves a stored file.
#[utoipa::path(get, path = "/files/{key}", tag = "files",
    params(("key" = String, Path, description = "Object key; may contain `/`")),
    responses(
        (status = 200, description = "The file, with the Content-Type it was uploaded with"),
        (status = 404, description = "No such file")))]
async fn download(
    State(store): State<ObjectStore>,
    AppPath(key): AppPath<String>,
) -> Result<Response, ApiError> {
    let missing = || ApiError::not_found("no such file");
    if !ObjectStore::valid_key(&key) {
        return Err(missing());
    }
    let bytes = tokio::fs::read(store.path(&key))
        .await
        .map_err(|_| missing())?;
    let mut response = bytes.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type_of(&key)),
    );
    // Keys are never reused, so an object never changes.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    Ok(response)
}

/// The public origin of this server as the client reached it: the configured
/// `public_url`, else `http://` + the request's `Host`.
pub fn public_origin(configured: Option<&str>, headers: &HeaderMap) -> String {
    if let Some(url) = configured {
        return url.trim_end_matches('/').to_owned();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.bytes().all(|b| {
                    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']')
                })
        })
        .unwrap_or("localhost");
    format!("http://{host}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> ObjectStore {
        ObjectStore::local("/nonexistent".into(), &Secret::new("k"), 1 << 20)
    }

    #[test]
    fn keys_cannot_escape_the_root() {
        assert!(ObjectStore::valid_key("photos/ab-12_c.png"));
        for bad in [
            "", "../x", "a/../b", "a//b", "/a", ".hidden", "a b", "a\\b", "a/",
        ] {
            assert!(!ObjectStore::valid_key(bad), "{bad:?}");
        }
    }

    #[test]
    fn signatures_bind_every_signed_field() {
        let s = store();
        let p = s.presign_upload(
            "http://h",
            "k/a.png",
            "image/png",
            100,
            Duration::from_secs(60),
        );
        let query = p.upload_url.split_once('?').unwrap().1;
        let q: UploadQuery = serde_urlencoded::from_str(query).unwrap();
        assert!(s.verify("k/a.png", &q));
        assert!(!s.verify("k/b.png", &q));
        let bigger = UploadQuery {
            max_bytes: 101,
            ..serde_urlencoded::from_str(query).unwrap()
        };
        assert!(!s.verify("k/a.png", &bigger));
        assert_eq!(s.key_of_url(&p.file_url), Some("k/a.png"));
        assert_eq!(
            s.key_of_url("http://other:9/files/k/a.png"),
            Some("k/a.png")
        );
        assert_eq!(s.key_of_url("http://h/elsewhere/k/a.png"), None);
        assert_eq!(s.key_of_url("ftp://h/files/k/a.png"), None);
    }
}
