//! Orders as stored and as the API shows them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{ProductId, UserId};
use crate::money::{Amount, Currency, Money};

platform::id!(
    /// An order.
    OrderId(i64)
);
platform::id!(
    /// A line of an order.
    OrderItemId(i64)
);

platform::text_enum! {
    /// Where an order is (spec: `pending → paid → shipped → delivered`,
    /// `pending → cancelled`, `pending → payment_failed → paid`).
    pub enum OrderStatus {
        Pending = "pending",
        Paid = "paid",
        Shipped = "shipped",
        Delivered = "delivered",
        Cancelled = "cancelled",
        PaymentFailed = "payment_failed",
    }
}

/// Where the parcel goes (spec decision).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ShippingAddress {
    #[schema(example = "김민준")]
    pub recipient: String,
    #[schema(example = "010-1234-5678")]
    pub phone: String,
    #[schema(example = "서울특별시 강남구 테헤란로 123")]
    pub line1: String,
    pub line2: Option<String>,
    #[schema(example = "서울")]
    pub city: String,
    #[schema(example = "06234")]
    pub postal_code: String,
    /// ISO 3166-1 alpha-2.
    #[schema(example = "KR")]
    pub country: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrderRow {
    pub id: OrderId,
    pub order_number: String,
    pub buyer_id: UserId,
    #[sqlx(try_from = "String")]
    pub status: OrderStatus,
    #[sqlx(try_from = "String")]
    pub currency: Currency,
    pub total_minor: i64,
    pub shipping_address: String,
    /// `ko` or `en`.
    pub language: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
}

impl OrderRow {
    /// The language the buyer ordered in.
    pub fn language(&self) -> platform::texts::Language {
        platform::texts::negotiate(
            Some(&self.language),
            &[platform::texts::KO, platform::texts::EN],
        )
    }

    pub fn total(&self) -> Money {
        Money {
            minor: self.total_minor,
            currency: self.currency,
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrderItemRow {
    pub id: OrderItemId,
    pub order_id: OrderId,
    pub product_id: ProductId,
    pub seller_id: UserId,
    pub product_name: String,
    pub unit_price_minor: i64,
    pub quantity: i64,
}

/// An order with its lines.
#[derive(Debug, Clone)]
pub struct Order {
    pub row: OrderRow,
    pub items: Vec<OrderItemRow>,
}

/// A line as the API shows it: the unit price is the one paid, whatever the
/// product costs now.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrderItemView {
    pub id: OrderItemId,
    pub product_id: ProductId,
    pub seller_id: UserId,
    pub product_name: String,
    #[schema(value_type = f64, example = 15.00)]
    pub unit_price: Amount,
    pub quantity: i64,
    #[schema(value_type = f64, example = 30.00)]
    pub subtotal: Amount,
}

/// An order as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrderView {
    pub id: OrderId,
    #[schema(example = "ORD-20251119-0001")]
    pub order_number: String,
    pub buyer_id: UserId,
    pub status: OrderStatus,
    #[schema(value_type = f64, example = 33.00)]
    pub total: Amount,
    pub currency: Currency,
    pub items: Vec<OrderItemView>,
    pub shipping_address: ShippingAddress,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
}

impl From<&Order> for OrderView {
    fn from(o: &Order) -> Self {
        let r = &o.row;
        let money = |minor| Money {
            minor,
            currency: r.currency,
        };
        Self {
            id: r.id,
            order_number: r.order_number.clone(),
            buyer_id: r.buyer_id,
            status: r.status,
            total: r.total().amount(),
            currency: r.currency,
            items: o
                .items
                .iter()
                .map(|i| OrderItemView {
                    id: i.id,
                    product_id: i.product_id,
                    seller_id: i.seller_id,
                    product_name: i.product_name.clone(),
                    unit_price: money(i.unit_price_minor).amount(),
                    quantity: i.quantity,
                    // Bounded when the order was placed (the total was computed).
                    subtotal: money(i.unit_price_minor * i.quantity).amount(),
                })
                .collect(),
            // Written by this app from a `ShippingAddress`; anything else is a bug.
            shipping_address: serde_json::from_str(&r.shipping_address)
                .expect("orders.shipping_address holds a shipping address"),
            created_at: r.created_at,
            updated_at: r.updated_at,
            paid_at: r.paid_at,
            cancelled_at: r.cancelled_at,
        }
    }
}
