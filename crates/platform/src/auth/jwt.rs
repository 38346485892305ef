//! HS256 access tokens. Only HS256 is accepted: `alg: none` and every other
//! algorithm fail verification. Every token names the app it was issued by (`aud`)
//! and is refused by every other, even when the apps share a secret.

use std::time::Duration;

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, errors::ErrorKind};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::revocation::Revocations;
use crate::config::Secret;
use crate::error::{ApiError, AuthFailure};

/// Registered claims plus the app's own (`extra`, flattened).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims<T> {
    pub sub: String,
    /// The app the token is for.
    pub aud: String,
    /// Who issued it: always [`ISSUER`].
    #[serde(default)]
    pub iss: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    /// The subject's token version when issued ([`super::revocation`]).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub ver: i64,
    #[serde(flatten)]
    pub extra: T,
}

impl<T> Claims<T> {
    pub fn expires_at(&self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.exp, 0).unwrap_or_default()
    }

    /// The subject as the app's user id; a token of the app always has one, so
    /// anything else is an invalid token.
    pub fn subject<Id: std::str::FromStr>(&self) -> Result<Id, ApiError> {
        self.sub
            .parse()
            .map_err(|_| ApiError::unauthorized(AuthFailure::Invalid, ""))
    }
}

/// The `iss` of every token ondol issues.
pub const ISSUER: &str = "ondol";

fn is_zero(v: &i64) -> bool {
    *v == 0
}

/// Shared keys: cloned into every request's extractor, so one `Arc` behind.
#[derive(Clone)]
pub struct JwtKeys(std::sync::Arc<Keys>);

struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl: Duration,
    audience: String,
    revocations: Revocations,
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtKeys")
            .field("ttl", &self.0.ttl)
            .finish_non_exhaustive()
    }
}

impl JwtKeys {
    /// Keys of the app `audience` (its name).
    pub fn new(secret: &Secret, ttl: Duration, audience: &str) -> Self {
        Self::with_revocations(secret, ttl, audience, Revocations::default())
    }

    /// Keys that also refuse tokens older than their subject's revocation.
    pub fn with_revocations(
        secret: &Secret,
        ttl: Duration,
        audience: &str,
        revocations: Revocations,
    ) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub", "iat", "aud", "iss"]);
        validation.set_audience(&[audience]);
        validation.set_issuer(&[ISSUER]);
        // A token that says it is not valid yet is refused until it is.
        validation.validate_nbf = true;
        Self(std::sync::Arc::new(Keys {
            encoding: EncodingKey::from_secret(secret.expose().as_bytes()),
            decoding: DecodingKey::from_secret(secret.expose().as_bytes()),
            validation,
            ttl,
            audience: audience.to_owned(),
            revocations,
        }))
    }

    pub fn ttl(&self) -> Duration {
        self.0.ttl
    }

    /// A token at the subject's token version as this instance knows it.
    pub fn issue<T: Serialize + Clone>(
        &self,
        sub: &str,
        extra: T,
    ) -> Result<(String, Claims<T>), ApiError> {
        self.issue_at(sub, self.0.revocations.version(sub), extra)
    }

    /// A token at token version `ver` (read from the database by the caller, so
    /// a login right after a revocation elsewhere gets the new version).
    pub fn issue_at<T: Serialize + Clone>(
        &self,
        sub: &str,
        ver: i64,
        extra: T,
    ) -> Result<(String, Claims<T>), ApiError> {
        let now = Utc::now().timestamp();
        let claims = Claims {
            sub: sub.to_owned(),
            aud: self.0.audience.clone(),
            iss: ISSUER.to_owned(),
            iat: now,
            exp: now + self.0.ttl.as_secs() as i64,
            jti: uuid::Uuid::new_v4().simple().to_string(),
            ver,
            extra,
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.0.encoding)
            .map_err(ApiError::internal)?;
        Ok((token, claims))
    }

    pub fn verify<T: DeserializeOwned>(&self, token: &str) -> Result<Claims<T>, AuthFailure> {
        let claims = jsonwebtoken::decode::<Claims<T>>(token, &self.0.decoding, &self.0.validation)
            .map(|data| data.claims)
            .map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => AuthFailure::Expired,
                _ => AuthFailure::Invalid,
            })?;
        if claims.ver < self.0.revocations.version(&claims.sub) {
            // The subject's sessions were ended (role change, disable).
            return Err(AuthFailure::Invalid);
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    #[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
    struct Extra {
        role: String,
    }

    fn keys() -> JwtKeys {
        JwtKeys::new(
            &Secret::new("test-secret"),
            Duration::from_secs(60),
            "alpha",
        )
    }

    fn b64(v: &serde_json::Value) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    }

    #[test]
    fn round_trip() {
        let (token, claims) = keys()
            .issue(
                "alice",
                Extra {
                    role: "ADMIN".into(),
                },
            )
            .unwrap();
        let back: Claims<Extra> = keys().verify(&token).unwrap();
        assert_eq!(back, claims);
    }

    #[test]
    fn other_secret_is_invalid() {
        let (token, _) = keys().issue("alice", Extra { role: "x".into() }).unwrap();
        let other = JwtKeys::new(&Secret::new("other"), Duration::from_secs(60), "alpha");
        assert_eq!(
            other.verify::<Extra>(&token).unwrap_err(),
            AuthFailure::Invalid
        );
    }

    #[test]
    fn expired_is_told_apart() {
        let k = JwtKeys::new(&Secret::new("test-secret"), Duration::from_secs(0), "alpha");
        let now = Utc::now().timestamp();
        let claims = Claims {
            sub: "a".into(),
            aud: "alpha".into(),
            iss: ISSUER.into(),
            iat: now - 100,
            exp: now - 10,
            jti: "j".into(),
            ver: 0,
            extra: Extra { role: "x".into() },
        };
        let token =
            jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &k.0.encoding).unwrap();
        assert_eq!(k.verify::<Extra>(&token).unwrap_err(), AuthFailure::Expired);
    }

    #[test]
    fn alg_none_and_other_algorithms_are_rejected() {
        let now = Utc::now().timestamp();
        let payload = serde_json::json!({"sub": "a", "aud": "alpha", "iss": ISSUER, "iat": now, "exp": now + 60, "jti": "j", "role": "ADMIN"});
        let none = format!(
            "{}.{}.",
            b64(&serde_json::json!({"alg": "none", "typ": "JWT"})),
            b64(&payload)
        );
        assert_eq!(
            keys().verify::<Extra>(&none).unwrap_err(),
            AuthFailure::Invalid
        );
        let hs512 = jsonwebtoken::encode(
            &Header::new(Algorithm::HS512),
            &payload,
            &EncodingKey::from_secret(b"test-secret"),
        )
        .unwrap();
        assert_eq!(
            keys().verify::<Extra>(&hs512).unwrap_err(),
            AuthFailure::Invalid
        );
    }

    fn signed(payload: &serde_json::Value) -> String {
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            payload,
            &EncodingKey::from_secret(b"test-secret"),
        )
        .unwrap()
    }

    #[test]
    fn a_token_of_another_app_is_refused_with_the_same_secret() {
        let beta = JwtKeys::new(&Secret::new("test-secret"), Duration::from_secs(60), "beta");
        let (token, _) = beta.issue("alice", Extra { role: "x".into() }).unwrap();
        assert!(beta.verify::<Extra>(&token).is_ok());
        assert_eq!(
            keys().verify::<Extra>(&token).unwrap_err(),
            AuthFailure::Invalid
        );
        let now = Utc::now().timestamp();
        let without = signed(
            &serde_json::json!({"sub": "a", "iss": ISSUER, "iat": now, "exp": now + 60, "jti": "j", "role": "x"}),
        );
        assert_eq!(
            keys().verify::<Extra>(&without).unwrap_err(),
            AuthFailure::Invalid,
            "a token without an audience"
        );
        let foreign = signed(
            &serde_json::json!({"sub": "a", "aud": "alpha", "iss": "someone", "iat": now, "exp": now + 60, "jti": "j", "role": "x"}),
        );
        assert_eq!(
            keys().verify::<Extra>(&foreign).unwrap_err(),
            AuthFailure::Invalid,
            "a token of another issuer"
        );
    }

    #[test]
    fn not_yet_valid_and_absurd_expiries_are_refused() {
        let now = Utc::now().timestamp();
        let base = serde_json::json!({"sub": "a", "aud": "alpha", "iss": ISSUER, "iat": now, "jti": "j", "role": "x"});
        let with = |extra: serde_json::Value| {
            let mut p = base.clone();
            p.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            signed(&p)
        };
        assert!(
            keys()
                .verify::<Extra>(&with(serde_json::json!({"exp": now + 60})))
                .is_ok(),
            "the base token is valid"
        );
        let future = with(serde_json::json!({"exp": now + 60, "nbf": now + 3600}));
        assert_eq!(
            keys().verify::<Extra>(&future).unwrap_err(),
            AuthFailure::Invalid
        );
        for exp in [
            serde_json::json!(u64::MAX),
            serde_json::json!(1e300),
            serde_json::json!("tomorrow"),
            serde_json::json!(-1),
        ] {
            let token = with(serde_json::json!({ "exp": exp }));
            assert!(keys().verify::<Extra>(&token).is_err(), "exp {exp}");
        }
    }
}
