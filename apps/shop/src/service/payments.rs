//! Payments (seed §4): a PaymentIntent per order, and the provider's webhook
//! events applied once each, in the transaction that moves the order.

use chrono::Utc;
use platform::ApiError;
use platform::external::payments::{EventError, Intent, IntentObject, IntentRequest};
use platform::texts::Language;
use platform::validate::FieldErrors;
use serde_json::json;

use super::Service;
use super::orders::PaymentOutcome;
use super::products::Caller;
use crate::i18n;
use crate::model::{OrderId, OrderStatus, Role};
use crate::store;

/// What became of a webhook event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// First delivery: applied (or recorded, for events the shop ignores).
    Now,
    /// Seen before: nothing done.
    Already,
}

impl Service {
    /// The order's PaymentIntent, created on the first call; its buyer only, while
    /// the order waits for a payment (`pending`, or `payment_failed` for a retry).
    pub async fn start_payment(
        &self,
        lang: Language,
        caller: Caller,
        order_id: Option<OrderId>,
    ) -> Result<Intent, ApiError> {
        let mut errors = FieldErrors::new(i18n::field_messages(lang));
        if order_id.is_none() {
            errors.add("order_id", i18n::field_messages(lang).required);
        }
        errors.finish()?;
        let order_id = order_id.expect("a checked order id is present");
        let order = self.order(lang, caller, order_id).await?;
        if caller.role == Role::Admin || order.row.buyer_id != caller.id {
            return Err(ApiError::forbidden(i18n::BUYER_PAYS.in_(lang)));
        }
        if !matches!(
            order.row.status,
            OrderStatus::Pending | OrderStatus::PaymentFailed
        ) {
            return Err(ApiError::conflict(i18n::NOTHING_TO_PAY.in_(lang))
                .with_extra("status", json!(order.row.status)));
        }
        let r = &order.row;
        let request = IntentRequest {
            amount_minor: r.total_minor,
            currency: r.currency.as_str().into(),
            metadata: vec![
                ("order_id".into(), r.id.to_string()),
                ("order_number".into(), r.order_number.clone()),
            ],
            description: Some(format!("ondol shop {}", r.order_number)),
            // One intent per order: the same key on every call and retry. The
            // creation time keeps keys of different databases apart.
            idempotency_key: format!("shop-order-{}-{}", r.id, r.created_at.timestamp_millis()),
        };
        let intent = self
            .payments
            .create_intent(&request)
            .await
            .map_err(|e| e.to_api_error(lang.code))?;
        store::payments::record(
            &self.db,
            r.id,
            &intent.id,
            &intent.client_secret,
            &intent.status,
            Utc::now(),
        )
        .await?;
        tracing::info!(order = %r.id, intent = %intent.id, "payment started");
        Ok(intent)
    }

    /// A webhook event: verified, then applied once.
    pub async fn payment_event(
        &self,
        lang: Language,
        payload: &[u8],
        signature: Option<&str>,
    ) -> Result<Applied, ApiError> {
        let event = self
            .payments
            .verify(payload, signature)
            .map_err(|e| match e {
                EventError::Signature(s) => {
                    tracing::warn!(error = %s, "payment callback refused");
                    ApiError::bad_request(i18n::BAD_SIGNATURE.in_(lang))
                        .with_code("INVALID_SIGNATURE")
                }
                EventError::Shape(_) => ApiError::bad_request(i18n::BAD_EVENT.in_(lang)),
            })?;
        let outcome = match event.kind.as_str() {
            "payment_intent.succeeded" => Some(PaymentOutcome::Succeeded),
            "payment_intent.payment_failed" => Some(PaymentOutcome::Failed),
            _ => None,
        };
        let intent = event.payment_intent();
        // The order is looked up before the transaction begins: a read on another
        // pooled connection while this one holds a transaction would leave a burst
        // of webhooks (more than the pool has connections) each holding one and
        // waiting for a second, until they time out. The transaction's guarded
        // status change still decides whether the order moves.
        let target = match (outcome, intent) {
            (Some(outcome), Some(intent)) => self
                .order_of(&intent)
                .await?
                .map(|order| (outcome, intent, order)),
            _ => None,
        };
        let now = Utc::now();
        let mut tx = self.db.begin().await?;
        if !store::payments::first_sight(&mut tx, &event.id, &event.kind, now).await? {
            tx.rollback().await?;
            return Ok(Applied::Already);
        }
        if let Some((outcome, intent, order)) = target {
            let moved = self.apply_payment(&mut tx, order, outcome).await?;
            store::payments::set_status(&mut tx, &intent.id, &intent.status, now).await?;
            tracing::info!(event = %event.id, kind = %event.kind, order = %order,
                moved = moved.is_some(), "payment event applied");
        }
        tx.commit().await?;
        Ok(Applied::Now)
    }

    /// The order an intent pays, if it names one of ours and its amount is the
    /// order's total.
    async fn order_of(&self, intent: &IntentObject) -> Result<Option<OrderId>, ApiError> {
        let Some(id) = intent
            .metadata
            .get("order_id")
            .and_then(|v| v.parse::<OrderId>().ok())
        else {
            tracing::warn!(intent = %intent.id, "payment event without an order id");
            return Ok(None);
        };
        let Some(order) = store::orders::by_id(&self.db, id).await? else {
            tracing::warn!(intent = %intent.id, order = %id, "payment event for no order");
            return Ok(None);
        };
        let r = &order.row;
        if intent.amount != r.total_minor
            || !intent.currency.eq_ignore_ascii_case(r.currency.as_str())
        {
            tracing::error!(intent = %intent.id, order = %id, amount = intent.amount,
                currency = %intent.currency, "payment event does not match the order's total");
            return Ok(None);
        }
        Ok(Some(id))
    }
}
