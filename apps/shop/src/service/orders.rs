//! Orders: placed in one transaction that takes the stock, cancelled by the buyer
//! while pending (the stock comes back), shipped and delivered by the sellers.

use chrono::Utc;
use platform::ApiError;
use platform::texts::Language;
use platform::validate::FieldErrors;
use serde::Deserialize;
use serde_json::json;

use super::order_rules::{self, Actor};
use super::products::Caller;
use platform::validate::Paging;

use super::{Service, paging};
use crate::i18n;
use crate::model::{Order, OrderId, OrderStatus, ProductId, ProductStatus, Role, ShippingAddress};
use crate::money::{Currency, Money};
use crate::store;
use crate::store::orders::{NewOrder, Scope, Taken};

const MAX_ITEMS: usize = 50;
const MAX_QUANTITY: i64 = 1000;

/// `POST /v1/orders`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct OrderInput {
    /// From 1 to 50 lines, each product once.
    #[schema(required = true, min_items = 1, max_items = 50)]
    pub items: Option<Vec<ItemInput>>,
    #[schema(required = true)]
    pub shipping_address: Option<AddressInput>,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ItemInput {
    #[schema(required = true)]
    pub product_id: Option<ProductId>,
    /// From 1 to 1,000.
    #[schema(required = true, minimum = 1, maximum = 1000)]
    pub quantity: Option<i64>,
}

/// The shipping address as sent; see [`ShippingAddress`].
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct AddressInput {
    #[schema(required = true, max_length = 100, example = "김민준")]
    pub recipient: Option<String>,
    #[schema(required = true, max_length = 30, example = "010-1234-5678")]
    pub phone: Option<String>,
    #[schema(
        required = true,
        max_length = 200,
        example = "서울특별시 강남구 테헤란로 123"
    )]
    pub line1: Option<String>,
    #[schema(max_length = 200)]
    pub line2: Option<String>,
    #[schema(required = true, max_length = 100, example = "서울")]
    pub city: Option<String>,
    #[schema(required = true, max_length = 20, example = "06234")]
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2, e.g. `KR`.
    #[schema(required = true, example = "KR")]
    pub country: Option<String>,
}

/// A page of orders.
pub struct OrderPage {
    pub items: Vec<Order>,
    pub paging: Paging,
    pub total: i64,
}

/// A line, checked.
struct Line {
    index: usize,
    product: ProductId,
    quantity: i64,
}

impl Service {
    pub async fn place_order(
        &self,
        lang: Language,
        caller: Caller,
        input: OrderInput,
    ) -> Result<Order, ApiError> {
        if caller.role != Role::Buyer {
            return Err(ApiError::forbidden(i18n::BUYERS_ONLY.in_(lang)));
        }
        let mut errors = FieldErrors::new(i18n::field_messages(lang));
        let lines = self.lines(lang, &mut errors, input.items).await?;
        let address = address(lang, &mut errors, input.shipping_address);
        errors.finish()?;
        let address = address.expect("a checked address is complete");
        let address =
            serde_json::to_string(&address).expect("a shipping address serialises to JSON");

        let now = Utc::now();
        let mut tx = self.db.begin().await?;
        // Rows are locked in product order, so two orders never wait on each other.
        let mut by_product: Vec<&Line> = lines.iter().collect();
        by_product.sort_by_key(|l| l.product);
        let mut taken: Vec<Option<Taken>> = vec![None; lines.len()];
        for line in by_product {
            match store::orders::take_stock(&mut tx, line.product, line.quantity, now).await? {
                Some(t) => taken[line.index] = Some(t),
                None => {
                    let left = store::orders::stock_left(&mut tx, line.product)
                        .await?
                        .unwrap_or(0);
                    tx.rollback().await?;
                    return Err(out_of_stock(lang, line, left));
                }
            }
        }
        let taken: Vec<Taken> = taken
            .into_iter()
            .map(|t| t.expect("every line took its stock"))
            .collect();
        let Some(total) = total(&lines, &taken) else {
            tx.rollback().await?;
            return Err(ApiError::conflict(i18n::ORDER_CHANGED.in_(lang)));
        };
        let day = now.date_naive();
        let n = store::orders::next_number(&mut tx, &order_rules::day_key(day)).await?;
        let number = order_rules::order_number(day, n);
        let row = store::orders::insert(
            &mut tx,
            &NewOrder {
                order_number: &number,
                buyer: caller.id,
                total,
                shipping_address: &address,
                language: lang.code,
                now,
            },
        )
        .await?;
        let mut items = Vec::with_capacity(lines.len());
        for (line, t) in lines.iter().zip(&taken) {
            items.push(store::orders::insert_item(&mut tx, row.id, t, line.quantity).await?);
        }
        tx.commit().await?;
        tracing::info!(order = %row.id, number = %row.order_number, buyer = %caller.id, "order placed");
        Ok(Order { row, items })
    }

    /// The request's lines, each checked against the catalogue as it is now (the
    /// transaction checks the stock again).
    async fn lines(
        &self,
        lang: Language,
        errors: &mut FieldErrors,
        items: Option<Vec<ItemInput>>,
    ) -> Result<Vec<Line>, ApiError> {
        let Some(items) = items else {
            errors.add("items", i18n::field_messages(lang).required);
            return Ok(Vec::new());
        };
        if !(1..=MAX_ITEMS).contains(&items.len()) {
            errors.add("items", i18n::ITEMS_COUNT.in_(lang));
            return Ok(Vec::new());
        }
        let mut lines = Vec::with_capacity(items.len());
        let mut currency: Option<Currency> = None;
        let mut mixed = false;
        for (index, item) in items.into_iter().enumerate() {
            let field = |name: &str| format!("items[{index}].{name}");
            let quantity = match item.quantity {
                None => {
                    errors.add(&field("quantity"), i18n::field_messages(lang).required);
                    None
                }
                Some(q) if !(1..=MAX_QUANTITY).contains(&q) => {
                    errors.add(&field("quantity"), i18n::QUANTITY_RANGE.in_(lang));
                    None
                }
                Some(q) => Some(q),
            };
            let Some(product) = item.product_id else {
                errors.add(&field("product_id"), i18n::field_messages(lang).required);
                continue;
            };
            if lines.iter().any(|l: &Line| l.product == product) {
                errors.add(&field("product_id"), i18n::PRODUCT_TWICE.in_(lang));
                continue;
            }
            match store::products::by_id(&self.db, product).await? {
                Some(p) if p.status == ProductStatus::Published => {
                    if *currency.get_or_insert(p.currency) != p.currency && !mixed {
                        mixed = true;
                        errors.add("items", i18n::ONE_CURRENCY.in_(lang));
                    }
                }
                _ => {
                    errors.add(&field("product_id"), i18n::PRODUCT_UNAVAILABLE.in_(lang));
                    continue;
                }
            }
            if let Some(quantity) = quantity {
                lines.push(Line {
                    index: lines.len(),
                    product,
                    quantity,
                });
            }
        }
        Ok(lines)
    }

    /// An order the caller may see: the buyer's, one with a line of the caller's
    /// (a seller), or any (an admin). Others are not found, so that order ids
    /// reveal nothing.
    pub async fn order(
        &self,
        lang: Language,
        caller: Caller,
        id: OrderId,
    ) -> Result<Order, ApiError> {
        store::orders::by_id(&self.db, id)
            .await?
            .filter(|o| {
                caller.role == Role::Admin
                    || o.row.buyer_id == caller.id
                    || o.items.iter().any(|i| i.seller_id == caller.id)
            })
            .ok_or_else(|| ApiError::not_found(i18n::ORDER_NOT_FOUND.in_(lang)))
    }

    /// The caller's purchases (every order, for an admin).
    pub async fn orders(
        &self,
        lang: Language,
        caller: Caller,
        paging: (Option<i64>, Option<i64>),
        status: Option<OrderStatus>,
    ) -> Result<OrderPage, ApiError> {
        let scope = match caller.role {
            Role::Admin => Scope::Everyone,
            Role::Buyer | Role::Seller => Scope::Buyer(caller.id),
        };
        self.order_page(lang, scope, paging, status).await
    }

    /// Orders with a line of the calling seller (every order, for an admin).
    pub async fn seller_orders(
        &self,
        lang: Language,
        caller: Caller,
        paging: (Option<i64>, Option<i64>),
        status: Option<OrderStatus>,
    ) -> Result<OrderPage, ApiError> {
        let scope = match caller.role {
            Role::Admin => Scope::Everyone,
            Role::Seller => Scope::Seller(caller.id),
            Role::Buyer => return Err(ApiError::forbidden(i18n::SELLER_LIST_ONLY.in_(lang))),
        };
        self.order_page(lang, scope, paging, status).await
    }

    async fn order_page(
        &self,
        lang: Language,
        scope: Scope,
        (page, limit): (Option<i64>, Option<i64>),
        status: Option<OrderStatus>,
    ) -> Result<OrderPage, ApiError> {
        let mut errors = FieldErrors::new(i18n::field_messages(lang));
        let paging = paging(lang, &mut errors, page, limit);
        errors.finish()?;
        let (items, total) =
            store::orders::list(&self.db, scope, status, paging.size, paging.offset()).await?;
        Ok(OrderPage {
            items,
            paging,
            total,
        })
    }

    /// The buyer cancels a pending order; its stock comes back in the same
    /// transaction.
    pub async fn cancel_order(
        &self,
        lang: Language,
        caller: Caller,
        id: OrderId,
    ) -> Result<Order, ApiError> {
        let order = self.order(lang, caller, id).await?;
        if caller.role != Role::Admin && order.row.buyer_id != caller.id {
            return Err(ApiError::forbidden(i18n::NOT_YOUR_ORDER.in_(lang)));
        }
        let now = Utc::now();
        let mut tx = self.db.begin().await?;
        let from = order_rules::sources(Actor::Buyer, OrderStatus::Cancelled);
        let Some(row) =
            store::orders::set_status(&mut tx, id, &from, OrderStatus::Cancelled, now).await?
        else {
            tx.rollback().await?;
            let current = self.order(lang, caller, id).await?;
            return Err(ApiError::conflict(i18n::CANCEL_PENDING_ONLY.in_(lang))
                .with_extra("status", json!(current.row.status)));
        };
        let items = store::orders::items_in(&mut tx, id).await?;
        let mut by_product: Vec<_> = items.iter().collect();
        by_product.sort_by_key(|i| i.product_id);
        for item in by_product {
            store::orders::return_stock(&mut tx, item.product_id, item.quantity, now).await?;
        }
        tx.commit().await?;
        tracing::info!(order = %id, "order cancelled, stock returned");
        Ok(Order { row, items })
    }

    /// A seller of every line (or an admin) marks the order `shipped`, then
    /// `delivered`.
    pub async fn fulfil_order(
        &self,
        lang: Language,
        caller: Caller,
        id: OrderId,
        to: Option<OrderStatus>,
    ) -> Result<Order, ApiError> {
        let mut errors = FieldErrors::new(i18n::field_messages(lang));
        let to = match to {
            Some(s @ (OrderStatus::Shipped | OrderStatus::Delivered)) => Some(s),
            Some(_) => {
                errors.add("status", i18n::FULFIL_CHOICE.in_(lang));
                None
            }
            None => {
                errors.add("status", i18n::field_messages(lang).required);
                None
            }
        };
        errors.finish()?;
        let to = to.expect("a checked status is present");
        let order = self.order(lang, caller, id).await?;
        if caller.role != Role::Admin && order.items.iter().any(|i| i.seller_id != caller.id) {
            return Err(ApiError::forbidden(i18n::SELLERS_OF_EVERY_ITEM.in_(lang)));
        }
        let mut tx = self.db.begin().await?;
        let from = order_rules::sources(Actor::Seller, to);
        let Some(row) = store::orders::set_status(&mut tx, id, &from, to, Utc::now()).await? else {
            tx.rollback().await?;
            let current = self.order(lang, caller, id).await?;
            return Err(ApiError::conflict(i18n::FULFIL_ORDER.in_(lang))
                .with_extra("status", json!(current.row.status)));
        };
        tx.commit().await?;
        tracing::info!(order = %id, status = %to, "order fulfilment");
        Ok(Order {
            row,
            items: order.items,
        })
    }
}

/// What the payment provider reported for an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentOutcome {
    Succeeded,
    Failed,
}

impl Service {
    /// Applies a payment result inside `tx`: `pending`/`payment_failed` → `paid`,
    /// `pending` → `payment_failed`. `None` when the order is not in a state the
    /// result moves (paid already, cancelled): the caller leaves it as it is.
    pub async fn apply_payment(
        &self,
        tx: &mut platform::db::Tx,
        id: OrderId,
        outcome: PaymentOutcome,
    ) -> Result<Option<crate::model::OrderRow>, ApiError> {
        let to = match outcome {
            PaymentOutcome::Succeeded => OrderStatus::Paid,
            PaymentOutcome::Failed => OrderStatus::PaymentFailed,
        };
        let from = order_rules::sources(Actor::Payments, to);
        let Some(row) = store::orders::set_status(tx, id, &from, to, Utc::now()).await? else {
            return Ok(None);
        };
        if outcome == PaymentOutcome::Succeeded {
            // In the same transaction: the mail exists if and only if the order
            // became paid, however often the provider reports it.
            let items = store::orders::items_in(tx, id).await?;
            let buyer = store::users::email_in(tx, row.buyer_id).await?;
            let to = platform::validate::Email::parse(&buyer).map_err(|_| {
                ApiError::internal(format!("user {} has no valid e-mail", row.buyer_id))
            })?;
            let order = Order {
                row: row.clone(),
                items,
            };
            self.mailer
                .queue(tx, &crate::mail::order_confirmation(&to, &order))
                .await?;
        }
        Ok(Some(row))
    }
}

/// The order's total, if every line is in one currency and it stays in range.
fn total(lines: &[Line], taken: &[Taken]) -> Option<Money> {
    let currency = taken.first()?.currency;
    let mut minor: i64 = 0;
    for (line, t) in lines.iter().zip(taken) {
        if t.currency != currency {
            return None;
        }
        minor = minor.checked_add(t.price().times(line.quantity)?.minor)?;
    }
    // The amount in hundredths must fit too (KRW: ×100).
    minor.checked_mul(100 / currency.minor_per_major())?;
    Some(Money { minor, currency })
}

/// 409 `INSUFFICIENT_STOCK`, naming the line.
fn out_of_stock(lang: Language, line: &Line, left: i64) -> ApiError {
    ApiError::conflict(i18n::OUT_OF_STOCK.in_(lang))
        .with_code("INSUFFICIENT_STOCK")
        .with_extra("product_id", json!(line.product))
        .with_extra("requested", json!(line.quantity))
        .with_extra("available", json!(left))
}

fn address(
    lang: Language,
    errors: &mut FieldErrors,
    input: Option<AddressInput>,
) -> Option<ShippingAddress> {
    let Some(a) = input else {
        errors.add("shipping_address", i18n::field_messages(lang).required);
        return None;
    };
    let mut required = |name: &str, value: Option<String>, max: usize| {
        let field = format!("shipping_address.{name}");
        match value {
            Some(v) => errors.text(&field, &v, max),
            None => {
                errors.add(&field, i18n::field_messages(lang).required);
                String::new()
            }
        }
    };
    let recipient = required("recipient", a.recipient, 100);
    let phone = required("phone", a.phone, 30);
    let line1 = required("line1", a.line1, 200);
    let city = required("city", a.city, 100);
    let postal_code = required("postal_code", a.postal_code, 20);
    let country = required("country", a.country, 2).to_ascii_uppercase();
    let line2 = errors.optional("shipping_address.line2", a.line2.as_deref(), 200);
    if !country.is_empty()
        && (country.len() != 2 || !country.chars().all(|c| c.is_ascii_alphabetic()))
    {
        errors.add("shipping_address.country", i18n::COUNTRY_CODE.in_(lang));
    }
    Some(ShippingAddress {
        recipient,
        phone,
        line1,
        line2,
        city,
        postal_code,
        country,
    })
}
