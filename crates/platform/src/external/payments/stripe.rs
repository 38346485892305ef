//! Stripe's API over reqwest: form-encoded bodies, the secret key as a bearer
//! token, an `Idempotency-Key` on every create, 30 s per call, and up to three
//! retries with doubling backoff on 429, 5xx and connection failures (seed 003
//! appendix). A retry repeats the idempotency key, so Stripe creates one intent.

use std::time::Duration;

use serde::Deserialize;

use super::{CardError, Intent, IntentRequest, PaymentError, Provider};
use crate::config::Secret;
use crate::outbox::BoxFuture;

const TIMEOUT: Duration = Duration::from_secs(30);
const RETRIES: u32 = 3;

pub struct Stripe {
    http: reqwest::Client,
    key: Secret,
    base: String,
    /// The wait before the first retry; doubled for each further one.
    backoff: Duration,
}

#[derive(Deserialize)]
struct IntentBody {
    id: String,
    client_secret: String,
    status: String,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: StripeError,
}

#[derive(Deserialize)]
struct StripeError {
    #[serde(rename = "type")]
    kind: Option<String>,
    code: Option<String>,
    decline_code: Option<String>,
    message: Option<String>,
}

impl Stripe {
    /// `base` is `https://api.stripe.com` (a local server in tests).
    pub fn new(key: Secret, base: &str) -> Self {
        crate::external::tls_ready();
        Self {
            http: reqwest::Client::builder()
                .timeout(TIMEOUT)
                .build()
                .expect("an HTTP client with a timeout builds"),
            key,
            base: base.trim_end_matches('/').to_owned(),
            backoff: Duration::from_millis(500),
        }
    }

    /// The form Stripe's `POST /v1/payment_intents` takes.
    pub fn form(req: &IntentRequest) -> Vec<(String, String)> {
        let mut form = vec![
            ("amount".to_owned(), req.amount_minor.to_string()),
            ("currency".to_owned(), req.currency.to_ascii_lowercase()),
            (
                "automatic_payment_methods[enabled]".to_owned(),
                "true".to_owned(),
            ),
        ];
        if let Some(d) = &req.description {
            form.push(("description".into(), d.clone()));
        }
        for (k, v) in &req.metadata {
            form.push((format!("metadata[{k}]"), v.clone()));
        }
        form
    }

    async fn create(&self, req: &IntentRequest) -> Result<Intent, PaymentError> {
        let url = format!("{}/v1/payment_intents", self.base);
        let form = Self::form(req);
        let mut wait = self.backoff;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let sent = self
                .http
                .post(&url)
                .bearer_auth(self.key.expose())
                .header("Idempotency-Key", &req.idempotency_key)
                .form(&form)
                .send()
                .await;
            let retryable = match sent {
                Ok(r) if r.status().is_success() => {
                    let body: IntentBody = r
                        .json()
                        .await
                        .map_err(|e| PaymentError::Provider(format!("reading the intent: {e}")))?;
                    return Ok(Intent {
                        id: body.id,
                        client_secret: body.client_secret,
                        status: body.status,
                    });
                }
                Ok(r) => {
                    let status = r.status();
                    let err = r.json::<ErrorBody>().await.ok().map(|b| b.error);
                    if status.as_u16() == 429 || status.is_server_error() {
                        if attempt > RETRIES {
                            return Err(if status.as_u16() == 429 {
                                PaymentError::RateLimited
                            } else {
                                PaymentError::Provider(format!("Stripe answered {status}"))
                            });
                        }
                        format!("Stripe answered {status}")
                    } else {
                        return Err(refusal(status.as_u16(), err));
                    }
                }
                Err(e) => {
                    if attempt > RETRIES {
                        return Err(PaymentError::Provider(e.to_string()));
                    }
                    e.to_string()
                }
            };
            tracing::warn!(attempt, error = %retryable, "Stripe call failed; retrying");
            tokio::time::sleep(wait).await;
            wait *= 2;
        }
    }
}

/// A 4xx other than 429: a card error (402) by its code, else a provider error.
fn refusal(status: u16, err: Option<StripeError>) -> PaymentError {
    match err {
        Some(e) if status == 402 || e.kind.as_deref() == Some("card_error") => {
            let code = e.decline_code.or(e.code).unwrap_or_default();
            PaymentError::Card(CardError::from_stripe(&code))
        }
        Some(e) => PaymentError::Provider(format!(
            "Stripe answered {status}: {}",
            e.message.unwrap_or_default()
        )),
        None => PaymentError::Provider(format!("Stripe answered {status}")),
    }
}

impl Provider for Stripe {
    fn create_intent<'a>(
        &'a self,
        req: &'a IntentRequest,
    ) -> BoxFuture<'a, Result<Intent, PaymentError>> {
        Box::pin(self.create(req))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_is_stripes() {
        let req = IntentRequest {
            amount_minor: 3300,
            currency: "USD".into(),
            metadata: vec![
                ("order_id".into(), "1".into()),
                ("order_number".into(), "ORD-20251119-0001".into()),
            ],
            description: None,
            idempotency_key: "k".into(),
        };
        let body = serde_urlencoded::to_string(Stripe::form(&req)).unwrap();
        assert_eq!(
            body,
            "amount=3300&currency=usd&automatic_payment_methods%5Benabled%5D=true\
             &metadata%5Border_id%5D=1&metadata%5Border_number%5D=ORD-20251119-0001"
        );
    }

    #[test]
    fn card_errors_keep_their_code() {
        let e = |kind: &str, code: &str, decline: Option<&str>| StripeError {
            kind: Some(kind.into()),
            code: Some(code.into()),
            decline_code: decline.map(Into::into),
            message: None,
        };
        assert!(matches!(
            refusal(
                402,
                Some(e("card_error", "card_declined", Some("insufficient_funds")))
            ),
            PaymentError::Card(CardError::InsufficientFunds)
        ));
        assert!(matches!(
            refusal(402, Some(e("card_error", "expired_card", None))),
            PaymentError::Card(CardError::ExpiredCard)
        ));
        assert!(matches!(
            refusal(
                400,
                Some(e("invalid_request_error", "parameter_missing", None))
            ),
            PaymentError::Provider(_)
        ));
    }
}
