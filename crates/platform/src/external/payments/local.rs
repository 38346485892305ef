//! The local payment provider: intents in the app database, a checkout page
//! served by ondol, Stripe's test cards, and webhook events signed as Stripe
//! signs them, posted to the app's callback path through the outbox.
//!
//! Test cards (any future expiry, any 3-digit CVC): `4242 4242 4242 4242` and
//! `5555 5555 5555 4444` succeed; `4000 0000 0000 0002` is declined,
//! `4000 0000 0000 9995` has insufficient funds, `4000 0000 0000 0069` is
//! expired, `4000 0000 0000 0127` has an incorrect CVC; `4000 0025 0000 3155`
//! needs the buyer to authenticate first. Other numbers are declined.

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Response};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::Sha256;

use super::{CardError, Intent, IntentRequest, PaymentError, Provider, signature};
use crate::app::AppContext;
use crate::config::Secret;
use crate::db::Db;
use crate::error::ApiError;
use crate::extract::{AppJson, AppPath};
use crate::objects::public_origin;
use crate::openapi::OpenApiRouter;
use crate::outbox::{BoxFuture, Deliver, Outbox, OutboxRow};
use crate::texts::Language;
use crate::{on_pool, on_tx};

const SQLITE_SCHEMA: &str = "CREATE TABLE IF NOT EXISTS platform_payment_intents (
    id TEXT PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    client_secret TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    description TEXT,
    metadata TEXT NOT NULL,
    status TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL
)";
const POSTGRES_SCHEMA: &str = "CREATE TABLE IF NOT EXISTS platform_payment_intents (
    id TEXT PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    client_secret TEXT NOT NULL,
    amount_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    description TEXT,
    metadata TEXT NOT NULL,
    status TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL
)";

/// Creates the local provider's table in an app database (idempotent).
pub async fn ensure_schema(db: &Db) -> Result<(), sqlx::Error> {
    db.define(SQLITE_SCHEMA, POSTGRES_SCHEMA, &[]).await
}

/// The webhook secret when none is configured: derived from the app's signing
/// secret, so that every instance of the app signs and verifies alike.
pub fn derived_webhook_secret(signing: &Secret) -> Secret {
    let mut m = Hmac::<Sha256>::new_from_slice(signing.expose().as_bytes())
        .expect("HMAC-SHA256 takes a key of any length");
    m.update(b"ondol local payments webhook secret");
    Secret::new(format!("whsec_{}", hex::encode(m.finalize().into_bytes())))
}

const PAGE: &str = include_str!("checkout.html");

#[derive(Debug, Clone, sqlx::FromRow)]
struct IntentRow {
    id: String,
    client_secret: String,
    amount_minor: i64,
    currency: String,
    description: Option<String>,
    metadata: String,
    status: String,
}

const COLUMNS: &str = "id, client_secret, amount_minor, currency, description, metadata, status";

/// What a test card does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CardOutcome {
    Succeeds,
    Fails(CardError),
    NeedsAuthentication,
}

fn outcome(number: &str) -> CardOutcome {
    match number {
        "4242424242424242" | "5555555555554444" => CardOutcome::Succeeds,
        "4000000000009995" => CardOutcome::Fails(CardError::InsufficientFunds),
        "4000000000000069" => CardOutcome::Fails(CardError::ExpiredCard),
        "4000000000000127" => CardOutcome::Fails(CardError::IncorrectCvc),
        "4000002500003155" | "4000002760003184" => CardOutcome::NeedsAuthentication,
        _ => CardOutcome::Fails(CardError::Declined),
    }
}

#[derive(Clone)]
pub struct LocalCheckout {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    webhooks: Outbox,
    callback_path: &'static str,
    public_url: Option<String>,
}

/// An event on its way to the callback: signed when sent, as Stripe signs each
/// delivery.
#[derive(Serialize, Deserialize)]
struct Webhook {
    url: String,
    body: String,
}

struct WebhookSender {
    http: reqwest::Client,
    secret: Secret,
}

impl Deliver for WebhookSender {
    fn deliver<'a>(&'a self, d: &'a OutboxRow) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            let w: Webhook = serde_json::from_str(&d.payload).map_err(|e| e.to_string())?;
            let now = chrono::Utc::now().timestamp();
            let r = self
                .http
                .post(&w.url)
                .header(header::CONTENT_TYPE, "application/json")
                .header(
                    "Stripe-Signature",
                    signature::header(self.secret.expose(), now, w.body.as_bytes()),
                )
                .body(w.body)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            if r.status().is_success() {
                Ok(())
            } else {
                Err(format!("the callback answered {}", r.status()))
            }
        })
    }
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl LocalCheckout {
    pub fn start(ctx: &AppContext, callback_path: &'static str, secret: Secret) -> Self {
        crate::external::tls_ready();
        let sender = Arc::new(WebhookSender {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("an HTTP client with a timeout builds"),
            secret,
        });
        Self {
            inner: Arc::new(Inner {
                db: ctx.db.clone(),
                webhooks: Outbox::start(ctx, "payment_webhooks", sender),
                callback_path,
                public_url: ctx.platform.public_url.clone(),
            }),
        }
    }

    pub fn checkout_url(&self, id: &str, headers: &HeaderMap) -> String {
        format!(
            "{}/checkout/{id}",
            public_origin(self.inner.public_url.as_deref(), headers)
        )
    }

    async fn create(&self, req: &IntentRequest) -> Result<Intent, PaymentError> {
        let db = &self.inner.db;
        let id = format!("pi_local_{}", uuid::Uuid::new_v4().simple());
        let secret = format!("{id}_secret_{}", uuid::Uuid::new_v4().simple());
        let metadata: serde_json::Map<String, serde_json::Value> = req
            .metadata
            .iter()
            .map(|(k, v)| (k.clone(), v.clone().into()))
            .collect();
        let metadata = serde_json::Value::Object(metadata).to_string();
        let now = now_ms();
        let insert = "INSERT INTO platform_payment_intents (id, idempotency_key, client_secret,
                 amount_minor, currency, description, metadata, status, created_ms, updated_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'requires_payment_method', $8, $8)
             ON CONFLICT (idempotency_key) DO NOTHING";
        let currency = req.currency.to_ascii_lowercase();
        let stored = async {
            on_pool!(db.writer(), |p| sqlx::query(insert)
                .bind(&id)
                .bind(&req.idempotency_key)
                .bind(&secret)
                .bind(req.amount_minor)
                .bind(&currency)
                .bind(&req.description)
                .bind(&metadata)
                .bind(now)
                .execute(p)
                .await
                .map(drop))?;
            let sql = format!(
                "SELECT {COLUMNS} FROM platform_payment_intents WHERE idempotency_key = $1"
            );
            on_pool!(db.writer(), |p| sqlx::query_as::<_, IntentRow>(&sql)
                .bind(&req.idempotency_key)
                .fetch_one(p)
                .await)
        };
        let row = stored
            .await
            .map_err(|e: sqlx::Error| PaymentError::Provider(e.to_string()))?;
        // As Stripe: a key reused with other parameters is an error.
        if row.amount_minor != req.amount_minor || row.currency != currency {
            return Err(PaymentError::Provider(
                "idempotency key reused with other parameters".into(),
            ));
        }
        Ok(Intent {
            id: row.id,
            client_secret: row.client_secret,
            status: row.status,
        })
    }

    async fn intent(&self, id: &str) -> Result<IntentRow, ApiError> {
        let sql = format!("SELECT {COLUMNS} FROM platform_payment_intents WHERE id = $1");
        let row: Option<IntentRow> = on_pool!(self.inner.db.reader(), |p| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(p)
            .await)?;
        row.ok_or_else(|| ApiError::not_found("no such payment"))
    }

    /// Moves the intent from one of `from` to `to` and queues the event of the
    /// move, in one transaction; `false` if another request moved it first.
    async fn settle(
        &self,
        row: &IntentRow,
        from: &[&str],
        to: &str,
        failure: Option<CardError>,
        headers: &HeaderMap,
    ) -> Result<bool, ApiError> {
        let mut tx = self.inner.db.begin().await?;
        let sql = format!(
            "UPDATE platform_payment_intents SET status = $2, updated_ms = $3
             WHERE id = $1 AND status IN ({})",
            crate::db::placeholders(4, from.len())
        );
        let moved = on_tx!(&mut tx, |c| {
            let mut q = sqlx::query(&sql).bind(&row.id).bind(to).bind(now_ms());
            for f in from {
                q = q.bind(*f);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })? == 1;
        if !moved {
            tx.rollback().await?;
            return Ok(false);
        }
        if to == "succeeded" || failure.is_some() {
            let body = event_json(row, to, failure);
            let url = format!(
                "{}{}",
                public_origin(self.inner.public_url.as_deref(), headers),
                self.inner.callback_path
            );
            let payload = serde_json::to_string(&Webhook { url, body })
                .expect("a webhook serialises to JSON");
            self.inner.webhooks.push(&mut tx, &payload).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    pub fn routes<S: Clone + Send + Sync + 'static>(&self) -> OpenApiRouter<S> {
        OpenApiRouter::new()
            .routes(utoipa_axum::routes!(page))
            .routes(utoipa_axum::routes!(confirm))
            .routes(utoipa_axum::routes!(authenticate))
            .with_state(self.clone())
    }
}

/// A Stripe event of the intent's new state.
fn event_json(row: &IntentRow, status: &str, failure: Option<CardError>) -> String {
    let metadata: serde_json::Value =
        serde_json::from_str(&row.metadata).unwrap_or_else(|_| json!({}));
    let (kind, status, last_error) = match failure {
        None => ("payment_intent.succeeded", status, serde_json::Value::Null),
        Some(c) => (
            "payment_intent.payment_failed",
            "requires_payment_method",
            json!({
                "type": "card_error",
                "code": if c == CardError::Declined { "card_declined" } else { c.stripe_code() },
                "decline_code": c.stripe_code(),
                "message": c.to_api_error("en").message,
            }),
        ),
    };
    json!({
        "id": format!("evt_local_{}", uuid::Uuid::new_v4().simple()),
        "object": "event",
        "api_version": "2024-06-20",
        "created": chrono::Utc::now().timestamp(),
        "livemode": false,
        "type": kind,
        "data": {"object": {
            "id": row.id,
            "object": "payment_intent",
            "amount": row.amount_minor,
            "currency": row.currency,
            "description": row.description,
            "metadata": metadata,
            "status": status,
            "last_payment_error": last_error,
        }},
    })
    .to_string()
}

impl Provider for LocalCheckout {
    fn create_intent<'a>(
        &'a self,
        req: &'a IntentRequest,
    ) -> BoxFuture<'a, Result<Intent, PaymentError>> {
        Box::pin(self.create(req))
    }
}

/// The amount as people write it: `₩15,000`, `$33.00`, `€4.50`.
fn display_amount(minor: i64, currency: &str) -> String {
    let (symbol, decimals) = match currency {
        "krw" => ("₩", 0),
        "usd" => ("$", 2),
        "eur" => ("€", 2),
        _ => ("", 2),
    };
    let (major, cents) = if decimals == 0 {
        (minor, None)
    } else {
        (minor / 100, Some(minor % 100))
    };
    let digits = major.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let code = if symbol.is_empty() {
        format!(" {}", currency.to_ascii_uppercase())
    } else {
        String::new()
    };
    match cents {
        Some(c) => format!("{symbol}{grouped}.{c:02}{code}"),
        None => format!("{symbol}{grouped}{code}"),
    }
}

/// The checkout page of a payment.
#[utoipa::path(get, path = "/checkout/{intent_id}", tag = "checkout",
    params(("intent_id" = String, Path, description = "The PaymentIntent")),
    responses(
        (status = 200, description = "The checkout page (HTML)", content_type = "text/html"),
        (status = 404, description = "No such payment (`NOT_FOUND`)")))]
async fn page(
    State(c): State<LocalCheckout>,
    lang: Language,
    AppPath(id): AppPath<String>,
) -> Result<Response, ApiError> {
    let row = c.intent(&id).await?;
    let esc = crate::text::html_escape;
    let ko = lang.code == "ko";
    let html = PAGE
        .replace("{{lang}}", lang.code)
        .replace("{{intent_id}}", &esc(&row.id))
        .replace(
            "{{amount}}",
            &esc(&display_amount(row.amount_minor, &row.currency)),
        )
        .replace(
            "{{description}}",
            &esc(row.description.as_deref().unwrap_or("")),
        )
        .replace("{{status}}", &esc(&row.status))
        .replace("{{ko}}", if ko { "true" } else { "false" });
    // The page's own style and script run by a nonce of this response; nothing
    // else inline, nothing from elsewhere, and no framing (card fields).
    let nonce = uuid::Uuid::new_v4().simple().to_string();
    let html = html.replace("{{nonce}}", &nonce);
    let csp = format!(
        "default-src 'self'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; \
         form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    );
    Ok((
        [
            (header::CACHE_CONTROL, "no-store".to_owned()),
            (header::CONTENT_SECURITY_POLICY, csp),
        ],
        Html(html),
    )
        .into_response())
}

/// The card fields of the checkout form.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct Card {
    #[schema(required = true, example = "4242 4242 4242 4242")]
    card_number: Option<String>,
    #[schema(required = true, minimum = 1, maximum = 12, example = 12)]
    exp_month: Option<u32>,
    /// Four digits, or two (`34`).
    #[schema(required = true, example = 2034)]
    exp_year: Option<u32>,
    #[schema(required = true, example = "123")]
    cvc: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Outcome {
    /// `succeeded` or `requires_action` (authenticate next).
    status: &'static str,
}

fn card_fields(lang: Language, card: &Card) -> Result<String, ApiError> {
    let ko = lang.code == "ko";
    let mut problems = Vec::new();
    let number: String = card
        .card_number
        .as_deref()
        .unwrap_or("")
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .collect();
    if !(12..=19).contains(&number.len()) || !number.chars().all(|c| c.is_ascii_digit()) {
        problems.push(crate::FieldError {
            field: "card_number".into(),
            message: if ko {
                "카드 번호가 올바르지 않습니다"
            } else {
                "not a card number"
            }
            .into(),
        });
    }
    if !card.exp_month.is_some_and(|m| (1..=12).contains(&m)) {
        problems.push(crate::FieldError {
            field: "exp_month".into(),
            message: if ko {
                "1~12월이어야 합니다"
            } else {
                "a month from 1 to 12"
            }
            .into(),
        });
    }
    if !card
        .exp_year
        .is_some_and(|y| y < 100 || (2000..=2100).contains(&y))
    {
        problems.push(crate::FieldError {
            field: "exp_year".into(),
            message: if ko {
                "연도가 올바르지 않습니다"
            } else {
                "not a year"
            }
            .into(),
        });
    }
    let cvc = card.cvc.as_deref().unwrap_or("").trim();
    if !(3..=4).contains(&cvc.len()) || !cvc.chars().all(|c| c.is_ascii_digit()) {
        problems.push(crate::FieldError {
            field: "cvc".into(),
            message: if ko {
                "3~4자리 숫자여야 합니다"
            } else {
                "3 or 4 digits"
            }
            .into(),
        });
    }
    if !problems.is_empty() {
        return Err(ApiError::invalid_fields(
            lang.texts.for_kind(crate::ErrorKind::Validation),
            problems,
        ));
    }
    Ok(number)
}

fn expired(month: u32, year: u32) -> bool {
    use chrono::Datelike;
    let year = if year < 100 { 2000 + year } else { year };
    let today = chrono::Utc::now().date_naive();
    (year as i32, month) < (today.year(), today.month())
}

fn already_paid(lang: Language) -> ApiError {
    ApiError::conflict(if lang.code == "ko" {
        "이미 결제되었습니다"
    } else {
        "this payment has already succeeded"
    })
}

/// Pays with a card: Stripe's test cards decide the outcome, which is sent to
/// the app as a signed webhook event.
#[utoipa::path(post, path = "/checkout/{intent_id}/confirm", tag = "checkout",
    params(("intent_id" = String, Path, description = "The PaymentIntent")),
    request_body = Card,
    responses(
        (status = 200, description = "Paid, or authentication needed", body = Outcome),
        (status = 402, description = "The card was refused (`CARD_DECLINED`, `INSUFFICIENT_FUNDS`, `EXPIRED_CARD`, `INCORRECT_CVC`)"),
        (status = 404, description = "No such payment (`NOT_FOUND`)"),
        (status = 409, description = "Already paid (`CONFLICT`)"),
        (status = 422, description = "Card fields missing or malformed")))]
async fn confirm(
    State(c): State<LocalCheckout>,
    lang: Language,
    headers: HeaderMap,
    AppPath(id): AppPath<String>,
    AppJson(card): AppJson<Card>,
) -> Result<Json<Outcome>, ApiError> {
    let number = card_fields(lang, &card)?;
    let row = c.intent(&id).await?;
    let open = ["requires_payment_method"];
    if row.status == "succeeded" {
        return Err(already_paid(lang));
    }
    let result = match (card.exp_month, card.exp_year) {
        (Some(m), Some(y)) if expired(m, y) => CardOutcome::Fails(CardError::ExpiredCard),
        _ => outcome(&number),
    };
    let moved = match result {
        CardOutcome::Succeeds => c.settle(&row, &open, "succeeded", None, &headers).await?,
        CardOutcome::NeedsAuthentication => {
            c.settle(&row, &open, "requires_action", None, &headers)
                .await?
        }
        CardOutcome::Fails(e) => {
            if c.settle(&row, &open, "requires_payment_method", Some(e), &headers)
                .await?
            {
                return Err(e.to_api_error(lang.code));
            }
            false
        }
    };
    if !moved {
        // Another confirmation got there first.
        return Err(already_paid(lang));
    }
    Ok(Json(Outcome {
        status: match result {
            CardOutcome::NeedsAuthentication => "requires_action",
            _ => "succeeded",
        },
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct Authentication {
    /// What the buyer did on the bank's page.
    #[schema(required = true)]
    approve: Option<bool>,
}

/// Completes (or fails) the authentication a card asked for.
#[utoipa::path(post, path = "/checkout/{intent_id}/authenticate", tag = "checkout",
    params(("intent_id" = String, Path, description = "The PaymentIntent")),
    request_body = Authentication,
    responses(
        (status = 200, description = "Paid", body = Outcome),
        (status = 402, description = "Authentication failed (`CARD_DECLINED`)"),
        (status = 404, description = "No such payment (`NOT_FOUND`)"),
        (status = 409, description = "No authentication pending (`CONFLICT`)")))]
async fn authenticate(
    State(c): State<LocalCheckout>,
    lang: Language,
    headers: HeaderMap,
    AppPath(id): AppPath<String>,
    AppJson(a): AppJson<Authentication>,
) -> Result<Json<Outcome>, ApiError> {
    let row = c.intent(&id).await?;
    let pending = ["requires_action"];
    let not_pending = || {
        ApiError::conflict(if lang.code == "ko" {
            "인증을 기다리는 결제가 아닙니다"
        } else {
            "no authentication is pending for this payment"
        })
    };
    if a.approve == Some(true) {
        if !c
            .settle(&row, &pending, "succeeded", None, &headers)
            .await?
        {
            return Err(not_pending());
        }
        return Ok(Json(Outcome {
            status: "succeeded",
        }));
    }
    let declined = CardError::Declined;
    if !c
        .settle(
            &row,
            &pending,
            "requires_payment_method",
            Some(declined),
            &headers,
        )
        .await?
    {
        return Err(not_pending());
    }
    Err(declined.to_api_error(lang.code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_as_people_write_them() {
        assert_eq!(display_amount(15_000, "krw"), "₩15,000");
        assert_eq!(display_amount(1_234_567, "krw"), "₩1,234,567");
        assert_eq!(display_amount(3300, "usd"), "$33.00");
        assert_eq!(display_amount(5, "eur"), "€0.05");
        assert_eq!(display_amount(100_000, "jpy"), "1,000.00 JPY");
    }

    #[test]
    fn stripes_test_cards() {
        assert_eq!(outcome("4242424242424242"), CardOutcome::Succeeds);
        assert_eq!(
            outcome("4000000000000002"),
            CardOutcome::Fails(CardError::Declined)
        );
        assert_eq!(
            outcome("4000000000009995"),
            CardOutcome::Fails(CardError::InsufficientFunds)
        );
        assert_eq!(
            outcome("4000002500003155"),
            CardOutcome::NeedsAuthentication
        );
        assert_eq!(
            outcome("1234123412341234"),
            CardOutcome::Fails(CardError::Declined)
        );
    }

    #[test]
    fn every_instance_derives_the_same_secret() {
        let a = derived_webhook_secret(&Secret::new("s"));
        assert_eq!(
            a.expose(),
            derived_webhook_secret(&Secret::new("s")).expose()
        );
        assert_ne!(
            a.expose(),
            derived_webhook_secret(&Secret::new("t")).expose()
        );
        assert!(a.expose().starts_with("whsec_"));
    }
}
