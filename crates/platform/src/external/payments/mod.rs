//! Card payments in Stripe's model: the app creates a PaymentIntent (an amount in
//! minor units, metadata, an idempotency key), the buyer confirms it, and the
//! result comes back as a signed webhook event on the app's callback path.
//!
//! - With `stripe_secret_key` set, [`stripe`] calls Stripe's API; the buyer's
//!   front end confirms with the intent's `client_secret` (Stripe.js).
//! - Without it, [`local`] keeps intents in the app database and serves a
//!   checkout page (`/checkout/{intent_id}`) where a buyer enters one of Stripe's
//!   test cards; the outcome is posted to the callback path as an event signed
//!   exactly as Stripe signs it, through the durable outbox (retried until the
//!   app answers 2xx, as Stripe retries).
//!
//! Either way the app verifies events with [`Payments::verify`] and never asks
//! which provider is behind it.

pub mod local;
pub mod signature;
pub mod stripe;

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::http::HeaderMap;
use serde::Deserialize;

use crate::app::AppContext;
use crate::config::Secret;
use crate::error::{ApiError, ErrorKind};
use crate::openapi::OpenApiRouter;
use crate::outbox::BoxFuture;
pub use signature::SignatureError;

/// What a PaymentIntent is created with.
#[derive(Debug, Clone)]
pub struct IntentRequest {
    /// In the currency's minor units (cents; whole won for KRW).
    pub amount_minor: i64,
    /// ISO 4217, any case (sent lower-case, as Stripe expects).
    pub currency: String,
    pub metadata: Vec<(String, String)>,
    pub description: Option<String>,
    /// The same key returns the same intent (Stripe keeps keys for 24 hours; the
    /// local provider for good).
    pub idempotency_key: String,
}

/// A created PaymentIntent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intent {
    pub id: String,
    pub client_secret: String,
    pub status: String,
}

/// The card errors of seed 003 §4.3, as Stripe names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardError {
    Declined,
    InsufficientFunds,
    ExpiredCard,
    IncorrectCvc,
}

impl CardError {
    /// From a Stripe error or decline code; anything else counts as a decline.
    pub fn from_stripe(code: &str) -> Self {
        match code {
            "insufficient_funds" => Self::InsufficientFunds,
            "expired_card" => Self::ExpiredCard,
            "incorrect_cvc" | "invalid_cvc" => Self::IncorrectCvc,
            _ => Self::Declined,
        }
    }

    /// Stripe's code.
    pub fn stripe_code(self) -> &'static str {
        match self {
            Self::Declined => "card_declined",
            Self::InsufficientFunds => "insufficient_funds",
            Self::ExpiredCard => "expired_card",
            Self::IncorrectCvc => "incorrect_cvc",
        }
    }

    /// The code of the 402 answer.
    pub fn api_code(self) -> &'static str {
        match self {
            Self::Declined => "CARD_DECLINED",
            Self::InsufficientFunds => "INSUFFICIENT_FUNDS",
            Self::ExpiredCard => "EXPIRED_CARD",
            Self::IncorrectCvc => "INCORRECT_CVC",
        }
    }

    fn message(self, lang: &str) -> &'static str {
        let ko = lang == "ko";
        match self {
            Self::Declined if ko => "카드가 거절되었습니다",
            Self::Declined => "the card was declined",
            Self::InsufficientFunds if ko => "잔액이 부족합니다",
            Self::InsufficientFunds => "insufficient funds",
            Self::ExpiredCard if ko => "만료된 카드입니다",
            Self::ExpiredCard => "the card has expired",
            Self::IncorrectCvc if ko => "CVC가 올바르지 않습니다",
            Self::IncorrectCvc => "the CVC is incorrect",
        }
    }

    /// 402 with the card's code, worded in `lang`.
    pub fn to_api_error(self, lang: &str) -> ApiError {
        ApiError::new(ErrorKind::PaymentRequired, self.message(lang)).with_code(self.api_code())
    }
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum PaymentError {
    #[error("card error: {}", .0.stripe_code())]
    Card(CardError),
    #[error("the payment provider is rate limiting")]
    RateLimited,
    #[error("payment provider: {0}")]
    Provider(String),
}

impl PaymentError {
    pub fn to_api_error(&self, lang: &str) -> ApiError {
        match self {
            Self::Card(c) => c.to_api_error(lang),
            Self::RateLimited => ApiError::new(
                ErrorKind::RateLimited {
                    retry_after_secs: 2,
                },
                if lang == "ko" {
                    "결제 서비스가 잠시 바쁩니다. 잠시 후 다시 시도하세요"
                } else {
                    "the payment service is busy; try again shortly"
                },
            ),
            Self::Provider(e) => ApiError::internal(format!("payment provider: {e}")),
        }
    }
}

/// Creates intents.
pub trait Provider: Send + Sync + 'static {
    fn create_intent<'a>(
        &'a self,
        req: &'a IntentRequest,
    ) -> BoxFuture<'a, Result<Intent, PaymentError>>;
}

/// A Stripe event as the callback receives it (the fields apps use).
#[derive(Debug, Clone, Deserialize)]
pub struct Event {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub data: EventData,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EventData {
    pub object: serde_json::Value,
}

/// The PaymentIntent inside a `payment_intent.*` event.
#[derive(Debug, Clone, Deserialize)]
pub struct IntentObject {
    pub id: String,
    pub amount: i64,
    pub currency: String,
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
    pub status: String,
    pub last_payment_error: Option<LastError>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LastError {
    pub code: Option<String>,
    pub decline_code: Option<String>,
    pub message: Option<String>,
}

impl Event {
    /// The intent, for `payment_intent.*` events.
    pub fn payment_intent(&self) -> Option<IntentObject> {
        if !self.kind.starts_with("payment_intent.") {
            return None;
        }
        serde_json::from_value(self.data.object.clone()).ok()
    }
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum EventError {
    #[error(transparent)]
    Signature(#[from] SignatureError),
    #[error("the event is not JSON of Stripe's shape: {0}")]
    Shape(String),
}

/// An app's payments.
#[derive(Clone)]
pub struct Payments {
    provider: Arc<dyn Provider>,
    webhook_secret: Secret,
    local: Option<local::LocalCheckout>,
}

impl Payments {
    /// Stripe when `stripe_secret_key` is set, else the local provider, whose
    /// events go to `callback_path` of this app.
    pub fn start(ctx: &AppContext, callback_path: &'static str) -> Self {
        let p = &ctx.platform;
        let webhook_secret = p
            .stripe_webhook_secret
            .clone()
            .unwrap_or_else(|| local::derived_webhook_secret(&ctx.signing_secret()));
        match &p.stripe_secret_key {
            Some(key) => {
                tracing::info!(app = ctx.name, "payments: Stripe");
                Self {
                    provider: Arc::new(stripe::Stripe::new(key.clone(), &p.stripe_api_base)),
                    webhook_secret,
                    local: None,
                }
            }
            None => {
                tracing::info!(app = ctx.name, "payments: local checkout page");
                let checkout =
                    local::LocalCheckout::start(ctx, callback_path, webhook_secret.clone());
                Self {
                    provider: Arc::new(checkout.clone()),
                    webhook_secret,
                    local: Some(checkout),
                }
            }
        }
    }

    pub async fn create_intent(&self, req: &IntentRequest) -> Result<Intent, PaymentError> {
        self.provider.create_intent(req).await
    }

    /// Where the buyer pays `intent`: the local checkout page, or `None` with
    /// Stripe (the front end confirms with the client secret).
    pub fn checkout_url(&self, intent: &Intent, headers: &HeaderMap) -> Option<String> {
        self.local
            .as_ref()
            .map(|l| l.checkout_url(&intent.id, headers))
    }

    /// Checks a callback's `Stripe-Signature` and reads its event.
    pub fn verify(&self, payload: &[u8], header: Option<&str>) -> Result<Event, EventError> {
        let now = chrono::Utc::now().timestamp();
        signature::verify(self.webhook_secret.expose(), payload, header, now)?;
        serde_json::from_slice(payload).map_err(|e| EventError::Shape(e.to_string()))
    }

    /// The checkout page's routes (none with Stripe).
    pub fn routes<S: Clone + Send + Sync + 'static>(&self) -> OpenApiRouter<S> {
        match &self.local {
            Some(l) => l.routes(),
            None => OpenApiRouter::new(),
        }
    }
}
