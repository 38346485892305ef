//! Firebase Cloud Messaging's HTTP v1 API. A service account's key signs a JWT
//! assertion (RS256) that Google's OAuth2 token endpoint exchanges for an access
//! token, kept until a minute before it expires; each push is one
//! `POST /v1/projects/{project}/messages:send`. FCM's `UNREGISTERED` answer means
//! the app was removed from the device: the token is reported stale.

use std::path::Path;
use std::time::{Duration, Instant};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::sync::Mutex;

use super::{Push, Sent, Transport};
use crate::outbox::BoxFuture;

const SCOPE: &str = "https://www.googleapis.com/auth/firebase.messaging";
const TIMEOUT: Duration = Duration::from_secs(30);
/// An access token is renewed this long before it expires.
const RENEW_BEFORE: Duration = Duration::from_secs(60);

/// The fields of a service-account file that signing needs.
#[derive(Deserialize)]
struct ServiceAccount {
    project_id: String,
    private_key_id: Option<String>,
    private_key: String,
    client_email: String,
    token_uri: String,
}

#[derive(Serialize)]
struct Assertion<'a> {
    iss: &'a str,
    scope: &'a str,
    aud: &'a str,
    iat: i64,
    exp: i64,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    expires_in: u64,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    message: Option<String>,
    status: Option<String>,
    #[serde(default)]
    details: Vec<serde_json::Value>,
}

impl ErrorDetail {
    fn fcm_code(&self) -> Option<&str> {
        self.details
            .iter()
            .find_map(|d| d.get("errorCode").and_then(|c| c.as_str()))
    }
}

/// A service account's `private_key` (PKCS#8 PEM, as Google issues them; PKCS#1
/// also read) as the RS256 key of the JWT library, which takes PKCS#1 DER.
fn signing_key(pem: &str) -> Result<EncodingKey, String> {
    use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
    use rsa::pkcs8::DecodePrivateKey;
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(pem)
        .or_else(|_| rsa::RsaPrivateKey::from_pkcs1_pem(pem))
        .map_err(|e| format!("fcm_service_account private_key: {e}"))?;
    let der = key
        .to_pkcs1_der()
        .map_err(|e| format!("fcm_service_account private_key: {e}"))?;
    Ok(EncodingKey::from_rsa_der(der.as_bytes()))
}

pub struct Fcm {
    http: reqwest::Client,
    send_url: String,
    account: ServiceAccount,
    key: EncodingKey,
    token: Mutex<Option<(String, Instant)>>,
}

impl Fcm {
    /// The client of the service account in `path`; FCM at `api_base`.
    pub fn from_file(path: &Path, api_base: &str) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("fcm_service_account {}: {e}", path.display()))?;
        let account: ServiceAccount = serde_json::from_str(&text)
            .map_err(|e| format!("fcm_service_account {}: {e}", path.display()))?;
        let key = signing_key(&account.private_key)?;
        crate::external::tls_ready();
        Ok(Self {
            http: reqwest::Client::builder()
                .timeout(TIMEOUT)
                .build()
                .expect("an HTTP client with a timeout builds"),
            send_url: format!(
                "{}/v1/projects/{}/messages:send",
                api_base.trim_end_matches('/'),
                account.project_id
            ),
            account,
            key,
            token: Mutex::new(None),
        })
    }

    pub fn project(&self) -> &str {
        &self.account.project_id
    }

    /// A valid access token: the cached one, or a new one for a fresh assertion.
    async fn access_token(&self) -> Result<String, String> {
        let mut cached = self.token.lock().await;
        if let Some((token, until)) = cached.as_ref()
            && Instant::now() < *until
        {
            return Ok(token.clone());
        }
        let now = chrono::Utc::now().timestamp();
        let claims = Assertion {
            iss: &self.account.client_email,
            scope: SCOPE,
            aud: &self.account.token_uri,
            iat: now,
            exp: now + 3600,
        };
        let mut header = Header::new(Algorithm::RS256);
        header.kid = self.account.private_key_id.clone();
        let assertion =
            jsonwebtoken::encode(&header, &claims, &self.key).map_err(|e| e.to_string())?;
        let response = self
            .http
            .post(&self.account.token_uri)
            .form(&[
                ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                ("assertion", assertion.as_str()),
            ])
            .send()
            .await
            .map_err(|e| format!("token endpoint: {}", e.without_url()))?;
        let status = response.status();
        if !status.is_success() {
            let body = response.text().await.unwrap_or_default();
            return Err(format!("token endpoint answered {status}: {body}"));
        }
        let t: TokenResponse = response
            .json()
            .await
            .map_err(|e| format!("token endpoint: {e}"))?;
        let until = Instant::now() + Duration::from_secs(t.expires_in).saturating_sub(RENEW_BEFORE);
        *cached = Some((t.access_token.clone(), until));
        Ok(t.access_token)
    }

    async fn forget_token(&self) {
        *self.token.lock().await = None;
    }
}

impl Transport for Fcm {
    fn send<'a>(&'a self, _key: &'a str, push: &'a Push) -> BoxFuture<'a, Result<Sent, String>> {
        Box::pin(async move {
            let token = self.access_token().await?;
            let message = json!({"message": {
                "token": push.fcm_token,
                "notification": {"title": push.title, "body": push.body},
                "data": push.data,
            }});
            let response = self
                .http
                .post(&self.send_url)
                .bearer_auth(token)
                .json(&message)
                .send()
                .await
                .map_err(|e| format!("FCM: {}", e.without_url()))?;
            let status = response.status();
            if status.is_success() {
                return Ok(Sent::Delivered);
            }
            let body: Option<ErrorBody> = response.json().await.ok();
            let detail = body.map(|b| b.error);
            let code = detail.as_ref().and_then(ErrorDetail::fcm_code);
            match (status.as_u16(), code) {
                (_, Some("UNREGISTERED")) => Ok(Sent::Unregistered),
                // A token FCM cannot parse will never work either.
                (400, Some("INVALID_ARGUMENT")) => Ok(Sent::Refused),
                (401, _) => {
                    // Revoked or expired early: a new one on the next try.
                    self.forget_token().await;
                    Err("FCM refused the access token".into())
                }
                (s, _) => Err(format!(
                    "FCM answered {s} {}: {}",
                    detail
                        .as_ref()
                        .and_then(|d| d.status.as_deref())
                        .unwrap_or(""),
                    detail
                        .as_ref()
                        .and_then(|d| d.message.as_deref())
                        .unwrap_or("")
                )),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreadable_service_account_is_an_error() {
        let missing = Fcm::from_file(Path::new("/nonexistent/account.json"), "http://x");
        assert!(
            missing
                .err()
                .is_some_and(|e| e.contains("fcm_service_account"))
        );
        let dir = std::env::temp_dir().join(format!("ondol-fcm-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("account.json");
        std::fs::write(
            &path,
            r#"{"project_id": "p", "private_key": "not a key", "client_email": "a@b",
                "token_uri": "http://x/token"}"#,
        )
        .unwrap();
        let bad_key = Fcm::from_file(&path, "http://x");
        assert!(bad_key.err().is_some_and(|e| e.contains("private_key")));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
