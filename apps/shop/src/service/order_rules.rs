//! The order workflow and order numbers: pure rules, no I/O.

use chrono::NaiveDate;

use crate::model::OrderStatus;

/// Who moves an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// The buyer cancels.
    Buyer,
    /// The seller of every line (or an admin) fulfils.
    Seller,
    /// The payment provider reports, through the verified webhook.
    Payments,
}

/// Whether `actor` may move an order `from` → `to` (spec: `pending → paid →
/// shipped → delivered`, `pending → cancelled`, `pending → payment_failed → paid`).
pub fn may(actor: Actor, from: OrderStatus, to: OrderStatus) -> bool {
    use OrderStatus::*;
    match actor {
        Actor::Buyer => matches!((from, to), (Pending, Cancelled)),
        Actor::Seller => matches!((from, to), (Paid, Shipped) | (Shipped, Delivered)),
        Actor::Payments => matches!(
            (from, to),
            (Pending, Paid) | (Pending, PaymentFailed) | (PaymentFailed, Paid)
        ),
    }
}

/// The statuses from which `actor` may reach `to`, for the guarded `UPDATE`.
pub fn sources(actor: Actor, to: OrderStatus) -> Vec<OrderStatus> {
    OrderStatus::ALL
        .iter()
        .copied()
        .filter(|&from| may(actor, from, to))
        .collect()
}

/// The day's key for the order-number counter (UTC).
pub fn day_key(day: NaiveDate) -> String {
    day.format("%Y%m%d").to_string()
}

/// `ORD-YYYYMMDD-NNNN`: the day's `n`th order, four digits and more after 9999.
pub fn order_number(day: NaiveDate, n: i64) -> String {
    format!("ORD-{}-{n:04}", day_key(day))
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrderStatus::*;

    /// Every pair, for every actor: exactly the spec's arrows are allowed.
    #[test]
    fn the_whole_table() {
        let allowed = [
            (Actor::Buyer, Pending, Cancelled),
            (Actor::Seller, Paid, Shipped),
            (Actor::Seller, Shipped, Delivered),
            (Actor::Payments, Pending, Paid),
            (Actor::Payments, Pending, PaymentFailed),
            (Actor::Payments, PaymentFailed, Paid),
        ];
        for actor in [Actor::Buyer, Actor::Seller, Actor::Payments] {
            for &from in OrderStatus::ALL {
                for &to in OrderStatus::ALL {
                    assert_eq!(
                        may(actor, from, to),
                        allowed.contains(&(actor, from, to)),
                        "{actor:?}: {from} → {to}"
                    );
                }
            }
        }
    }

    #[test]
    fn nothing_leaves_the_ends() {
        for actor in [Actor::Buyer, Actor::Seller, Actor::Payments] {
            for &to in OrderStatus::ALL {
                assert!(!may(actor, Delivered, to));
                assert!(!may(actor, Cancelled, to));
            }
        }
    }

    #[test]
    fn sources_are_the_rows_of_the_table() {
        assert_eq!(sources(Actor::Payments, Paid), [Pending, PaymentFailed]);
        assert_eq!(sources(Actor::Buyer, Cancelled), [Pending]);
        assert!(sources(Actor::Seller, Paid).is_empty());
    }

    #[test]
    fn order_numbers() {
        let d = NaiveDate::from_ymd_opt(2025, 11, 19).unwrap();
        assert_eq!(order_number(d, 1), "ORD-20251119-0001");
        assert_eq!(order_number(d, 42), "ORD-20251119-0042");
        assert_eq!(order_number(d, 9999), "ORD-20251119-9999");
        assert_eq!(order_number(d, 10000), "ORD-20251119-10000");
    }
}
