use chrono::{DateTime, Utc};
use platform::db::{Db, Tx, placeholders};
use platform::{on_pool, on_tx};

use crate::model::{
    Order, OrderId, OrderItemRow, OrderRow, OrderStatus, ProductId, ProductStatus, UserId,
};
use crate::money::{Currency, Money};

const COLUMNS: &str = "id, order_number, buyer_id, status, currency, total_minor, \
    shipping_address, language, created_at, updated_at, paid_at, cancelled_at";
const ITEM_COLUMNS: &str =
    "id, order_id, product_id, seller_id, product_name, unit_price_minor, quantity";

/// A product's line as it was when its stock was taken.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Taken {
    pub id: ProductId,
    pub seller_id: UserId,
    pub name: String,
    pub price_minor: i64,
    #[sqlx(try_from = "String")]
    pub currency: Currency,
}

impl Taken {
    pub fn price(&self) -> Money {
        Money {
            minor: self.price_minor,
            currency: self.currency,
        }
    }
}

/// Takes `quantity` of a published product, only if that many are left; `None`
/// otherwise, with nothing changed. The price is read from the row as locked, so
/// the order pays what the product cost when its stock was taken.
pub async fn take_stock(
    tx: &mut Tx,
    id: ProductId,
    quantity: i64,
    now: DateTime<Utc>,
) -> Result<Option<Taken>, sqlx::Error> {
    let sql = "UPDATE products SET stock_quantity = stock_quantity - $2, updated_at = $4
         WHERE id = $1 AND status = $3 AND stock_quantity >= $2
         RETURNING id, seller_id, name, price_minor, currency";
    on_tx!(tx, |c| sqlx::query_as(sql)
        .bind(id)
        .bind(quantity)
        .bind(ProductStatus::Published.as_str())
        .bind(now)
        .fetch_optional(c)
        .await)
}

/// Puts stock back (a cancelled order's lines).
pub async fn return_stock(
    tx: &mut Tx,
    id: ProductId,
    quantity: i64,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let sql = "UPDATE products SET stock_quantity = stock_quantity + $2, updated_at = $3
         WHERE id = $1";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(id)
        .bind(quantity)
        .bind(now)
        .execute(c)
        .await
        .map(drop))
}

/// What is left of a product, as this transaction sees it.
pub async fn stock_left(tx: &mut Tx, id: ProductId) -> Result<Option<i64>, sqlx::Error> {
    on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT stock_quantity FROM products WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)
}

/// The next number of `day`: the counter row stays locked until the transaction
/// ends, so two transactions never get the same number, on any instance.
pub async fn next_number(tx: &mut Tx, day: &str) -> Result<i64, sqlx::Error> {
    let sql = "INSERT INTO order_days (day, last_number) VALUES ($1, 1)
         ON CONFLICT (day) DO UPDATE SET last_number = order_days.last_number + 1
         RETURNING last_number";
    on_tx!(tx, |c| sqlx::query_scalar(sql).bind(day).fetch_one(c).await)
}

pub struct NewOrder<'a> {
    pub order_number: &'a str,
    pub buyer: UserId,
    pub total: Money,
    pub shipping_address: &'a str,
    pub language: &'static str,
    pub now: DateTime<Utc>,
}

pub async fn insert(tx: &mut Tx, o: &NewOrder<'_>) -> Result<OrderRow, sqlx::Error> {
    let sql = format!(
        "INSERT INTO orders (order_number, buyer_id, status, currency, total_minor,
             shipping_address, language, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING {COLUMNS}"
    );
    on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(o.order_number)
        .bind(o.buyer)
        .bind(OrderStatus::Pending.as_str())
        .bind(o.total.currency.as_str())
        .bind(o.total.minor)
        .bind(o.shipping_address)
        .bind(o.language)
        .bind(o.now)
        .fetch_one(c)
        .await)
}

pub async fn insert_item(
    tx: &mut Tx,
    order: OrderId,
    taken: &Taken,
    quantity: i64,
) -> Result<OrderItemRow, sqlx::Error> {
    let sql = format!(
        "INSERT INTO order_items (order_id, product_id, seller_id, product_name,
             unit_price_minor, quantity)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING {ITEM_COLUMNS}"
    );
    on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(order)
        .bind(taken.id)
        .bind(taken.seller_id)
        .bind(&taken.name)
        .bind(taken.price_minor)
        .bind(quantity)
        .fetch_one(c)
        .await)
}

pub async fn by_id(db: &Db, id: OrderId) -> Result<Option<Order>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM orders WHERE id = $1");
    let row: Option<OrderRow> = on_pool!(db.reader(), |p| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(p)
        .await)?;
    let Some(row) = row else { return Ok(None) };
    let mut orders = with_items(db, vec![row]).await?;
    Ok(orders.pop())
}

/// The lines of an order, inside a transaction.
pub async fn items_in(tx: &mut Tx, id: OrderId) -> Result<Vec<OrderItemRow>, sqlx::Error> {
    let sql = format!("SELECT {ITEM_COLUMNS} FROM order_items WHERE order_id = $1 ORDER BY id");
    on_tx!(tx, |c| sqlx::query_as(&sql).bind(id).fetch_all(c).await)
}

/// Moves an order to `to` if it is still in one of `from`; `None` if it was not
/// (another request moved it first). Sets `paid_at`/`cancelled_at` on the way.
pub async fn set_status(
    tx: &mut Tx,
    id: OrderId,
    from: &[OrderStatus],
    to: OrderStatus,
    now: DateTime<Utc>,
) -> Result<Option<OrderRow>, sqlx::Error> {
    let stamp = match to {
        OrderStatus::Paid => ", paid_at = $2",
        OrderStatus::Cancelled => ", cancelled_at = $2",
        _ => "",
    };
    let sql = format!(
        "UPDATE orders SET status = $3, updated_at = $2{stamp}
         WHERE id = $1 AND status IN ({}) RETURNING {COLUMNS}",
        placeholders(4, from.len())
    );
    on_tx!(tx, |c| {
        let mut q = sqlx::query_as(&sql).bind(id).bind(now).bind(to.as_str());
        for s in from {
            q = q.bind(s.as_str());
        }
        q.fetch_optional(c).await
    })
}

/// Whose orders a list shows.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    Buyer(UserId),
    /// Orders with at least one line of this seller.
    Seller(UserId),
    Everyone,
}

/// A page of orders, newest first, and how many there are in all.
pub async fn list(
    db: &Db,
    scope: Scope,
    status: Option<OrderStatus>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Order>, i64), sqlx::Error> {
    let (mut conditions, who) = match scope {
        Scope::Buyer(u) => (vec!["buyer_id = $1".to_owned()], Some(u)),
        Scope::Seller(u) => (
            vec!["id IN (SELECT order_id FROM order_items WHERE seller_id = $1)".to_owned()],
            Some(u),
        ),
        Scope::Everyone => (vec!["$1 IS NULL".to_owned()], None),
    };
    if status.is_some() {
        conditions.push("status = $2".into());
    } else {
        conditions.push("$2 IS NULL".into());
    }
    let where_ = conditions.join(" AND ");
    let count_sql = format!("SELECT COUNT(*) FROM orders WHERE {where_}");
    let page_sql = format!(
        "SELECT {COLUMNS} FROM orders WHERE {where_} ORDER BY id DESC LIMIT {limit} OFFSET {offset}"
    );
    let status = status.map(|s| s.as_str());
    let total: i64 = on_pool!(db.reader(), |p| sqlx::query_scalar(&count_sql)
        .bind(who)
        .bind(status)
        .fetch_one(p)
        .await)?;
    let rows: Vec<OrderRow> = on_pool!(db.reader(), |p| sqlx::query_as(&page_sql)
        .bind(who)
        .bind(status)
        .fetch_all(p)
        .await)?;
    Ok((with_items(db, rows).await?, total))
}

async fn with_items(db: &Db, rows: Vec<OrderRow>) -> Result<Vec<Order>, sqlx::Error> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {ITEM_COLUMNS} FROM order_items WHERE order_id IN ({}) ORDER BY id",
        placeholders(1, rows.len())
    );
    let items: Vec<OrderItemRow> = on_pool!(db.reader(), |p| {
        let mut q = sqlx::query_as(&sql);
        for r in &rows {
            q = q.bind(r.id);
        }
        q.fetch_all(p).await
    })?;
    Ok(rows
        .into_iter()
        .map(|row| Order {
            items: items
                .iter()
                .filter(|i| i.order_id == row.id)
                .cloned()
                .collect(),
            row,
        })
        .collect())
}
