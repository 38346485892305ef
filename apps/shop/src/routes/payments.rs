use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use platform::ApiError;
use platform::auth::Auth;
use platform::extract::AppJson;
use platform::texts::Language;
use serde::{Deserialize, Serialize};

use super::{AppState, Reply, caller, ok};
use crate::model::{OrderId, UserClaims};

/// Where the payment provider posts its events.
pub const CALLBACK: &str = "/v1/payments/callback";

#[derive(Deserialize, utoipa::ToSchema)]
pub struct PaymentRequest {
    #[schema(required = true, value_type = i64)]
    order_id: Option<OrderId>,
}

/// Seed §4.1: what the front end needs to let the buyer pay.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PaymentStarted {
    /// The PaymentIntent's id.
    #[schema(example = "pi_3ABC123")]
    payment_id: String,
    /// For Stripe.js (`confirmCardPayment`).
    client_secret: String,
    /// The local checkout page; `null` with Stripe (the front end confirms with
    /// `client_secret`).
    checkout_url: Option<String>,
}

/// Creates (or returns) the PaymentIntent of an order: its total in minor units,
/// with `order_id` and `order_number` as metadata.
#[utoipa::path(post, path = "/v1/payments", tag = "payments", request_body = PaymentRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The intent, and where to pay", body = Reply<PaymentStarted>),
        (status = 402, description = "The provider refused the card (`CARD_DECLINED`, `INSUFFICIENT_FUNDS`, `EXPIRED_CARD`, `INCORRECT_CVC`)"),
        (status = 403, description = "Not the order's buyer (`FORBIDDEN`)"),
        (status = 404, description = "No such order of yours (`NOT_FOUND`)"),
        (status = 409, description = "Not waiting for a payment (`CONFLICT`, with its `status`)")))]
pub async fn create(
    State(s): State<AppState>,
    Auth(claims): Auth<UserClaims>,
    lang: Language,
    headers: HeaderMap,
    AppJson(body): AppJson<PaymentRequest>,
) -> Result<Json<Reply<PaymentStarted>>, ApiError> {
    let intent = s
        .svc
        .start_payment(lang, caller(&claims)?, body.order_id)
        .await?;
    Ok(ok(PaymentStarted {
        checkout_url: s.svc.payments.checkout_url(&intent, &headers),
        payment_id: intent.id,
        client_secret: intent.client_secret,
    }))
}

/// A Stripe event, for the description only: the handler reads the body as bytes,
/// since the signature covers them exactly.
#[allow(dead_code)]
#[derive(Deserialize, utoipa::ToSchema)]
pub struct StripeEvent {
    #[schema(example = "evt_1NG8Du2eZvKYlo2CUI79vXWy")]
    id: String,
    /// `payment_intent.succeeded`, `payment_intent.payment_failed`; others are
    /// acknowledged and ignored.
    #[serde(rename = "type")]
    #[schema(example = "payment_intent.succeeded")]
    kind: String,
    /// `{"object": <the PaymentIntent, with metadata.order_id>}`.
    #[schema(value_type = Object)]
    data: serde_json::Value,
}

/// `{"success": true}` (seed §4.2).
#[derive(Serialize, utoipa::ToSchema)]
pub struct Received {
    success: bool,
}

/// The payment provider's webhook: `Stripe-Signature` checked (HMAC-SHA256 over
/// `t.payload`, 5-minute tolerance); `payment_intent.succeeded` marks the order
/// paid and mails the confirmation, `payment_intent.payment_failed` marks it
/// `payment_failed`; each event id is applied once.
#[utoipa::path(post, path = "/v1/payments/callback", tag = "payments",
    request_body(content = StripeEvent, description = "A Stripe event, as Stripe sends it"),
    params(("Stripe-Signature" = String, Header, description = "`t=...,v1=...`")),
    responses(
        (status = 200, description = "Received (also for an event seen before)", body = Received),
        (status = 400, description = "Missing, stale or wrong signature (`INVALID_SIGNATURE`), or not an event (`BAD_REQUEST`)")))]
pub async fn callback(
    State(s): State<AppState>,
    lang: Language,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Received>, ApiError> {
    let signature = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok());
    s.svc.payment_event(lang, &body, signature).await?;
    Ok(Json(Received { success: true }))
}
