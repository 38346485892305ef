//! bcrypt, off the async runtime (a cost-12 hash takes ~250 ms of CPU).

use std::sync::{Arc, OnceLock};

use crate::error::ApiError;

#[derive(Clone)]
pub struct Passwords {
    cost: u32,
    /// A hash to verify against when the user does not exist, so that a login for an
    /// unknown user takes as long as one with a wrong password.
    decoy: Arc<OnceLock<String>>,
}

impl std::fmt::Debug for Passwords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Passwords")
            .field("cost", &self.cost)
            .finish()
    }
}

impl Passwords {
    pub fn new(cost: u32) -> Self {
        Self {
            cost,
            decoy: Arc::new(OnceLock::new()),
        }
    }

    pub async fn hash(&self, password: &str) -> Result<String, ApiError> {
        let cost = self.cost;
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || bcrypt::hash(password, cost))
            .await
            .map_err(ApiError::internal)?
            .map_err(ApiError::internal)
    }

    /// `hash` is `None` for an unknown user: the work is done anyway, the answer is no.
    pub async fn verify(&self, password: &str, hash: Option<&str>) -> Result<bool, ApiError> {
        let known = hash.is_some();
        let hash = match hash {
            Some(h) => h.to_owned(),
            None => {
                let cost = self.cost;
                let decoy = self.decoy.clone();
                tokio::task::spawn_blocking(move || {
                    decoy
                        .get_or_init(|| {
                            bcrypt::hash("decoy password", cost)
                                .expect("bcrypt with a valid cost cannot fail")
                        })
                        .clone()
                })
                .await
                .map_err(ApiError::internal)?
            }
        };
        let password = password.to_owned();
        let ok =
            tokio::task::spawn_blocking(move || bcrypt::verify(password, &hash).unwrap_or(false))
                .await
                .map_err(ApiError::internal)?;
        Ok(ok && known)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_and_verify() {
        let p = Passwords::new(4);
        let h = p.hash("s3cret").await.unwrap();
        assert!(h.starts_with("$2b$04$"));
        assert!(p.verify("s3cret", Some(&h)).await.unwrap());
        assert!(!p.verify("wrong", Some(&h)).await.unwrap());
        assert!(!p.verify("s3cret", None).await.unwrap());
    }
}
