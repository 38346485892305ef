use chrono::{DateTime, Utc};
use platform::db::Db;
use platform::on_pool;

use crate::model::{CategoryId, ProductId, ProductRow, ProductStatus, UserId};
use crate::money::Money;

const COLUMNS: &str = "id, seller_id, category_id, name, name_en, description, price_minor, \
    currency, stock_quantity, images, status, created_at, updated_at";

/// A product's fields as the seller sets them.
#[derive(Debug, Clone)]
pub struct ProductFields {
    pub category_id: Option<CategoryId>,
    pub name: String,
    pub name_en: Option<String>,
    pub description: Option<String>,
    pub price: Money,
    pub stock_quantity: i64,
    pub images: Vec<String>,
    pub status: ProductStatus,
}

fn images_json(images: &[String]) -> String {
    serde_json::to_string(images).expect("a list of strings is JSON")
}

pub async fn insert(
    db: &Db,
    seller: UserId,
    f: &ProductFields,
    now: DateTime<Utc>,
) -> Result<ProductRow, sqlx::Error> {
    let sql = format!(
        "INSERT INTO products (seller_id, category_id, name, name_en, description, price_minor,
             currency, price_hundredths, stock_quantity, images, status, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING {COLUMNS}"
    );
    let images = images_json(&f.images);
    on_pool!(db.writer(), |p| sqlx::query_as(&sql)
        .bind(seller)
        .bind(f.category_id)
        .bind(&f.name)
        .bind(&f.name_en)
        .bind(&f.description)
        .bind(f.price.minor)
        .bind(f.price.currency.as_str())
        .bind(f.price.amount().hundredths())
        .bind(f.stock_quantity)
        .bind(&images)
        .bind(f.status.as_str())
        .bind(now)
        .fetch_one(p)
        .await)
}

pub async fn by_id(db: &Db, id: ProductId) -> Result<Option<ProductRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM products WHERE id = $1");
    on_pool!(db.reader(), |p| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(p)
        .await)
}

/// Every field at once (the service merged the change onto the row it read);
/// `None` if the product is gone.
pub async fn update(
    db: &Db,
    id: ProductId,
    f: &ProductFields,
    now: DateTime<Utc>,
) -> Result<Option<ProductRow>, sqlx::Error> {
    let sql = format!(
        "UPDATE products SET category_id = $2, name = $3, name_en = $4, description = $5,
             price_minor = $6, currency = $7, price_hundredths = $8, stock_quantity = $9,
             images = $10, status = $11, updated_at = $12
         WHERE id = $1 RETURNING {COLUMNS}"
    );
    let images = images_json(&f.images);
    on_pool!(db.writer(), |p| sqlx::query_as(&sql)
        .bind(id)
        .bind(f.category_id)
        .bind(&f.name)
        .bind(&f.name_en)
        .bind(&f.description)
        .bind(f.price.minor)
        .bind(f.price.currency.as_str())
        .bind(f.price.amount().hundredths())
        .bind(f.stock_quantity)
        .bind(&images)
        .bind(f.status.as_str())
        .bind(now)
        .fetch_optional(p)
        .await)
}

/// Orders of `GET /v1/products`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    Newest,
    PriceAsc,
    PriceDesc,
    Name,
}

/// What the published list is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// A category and its descendants; `None`: every product.
    pub categories: Option<Vec<CategoryId>>,
    /// Part of `name` or `name_en`, any case.
    pub text: Option<String>,
    /// Inclusive bounds on the price as written, in hundredths.
    pub min_hundredths: Option<i64>,
    pub max_hundredths: Option<i64>,
}

enum Arg {
    Int(i64),
    Text(String),
}

/// `%`, `_` and `\` stand for themselves in a `LIKE ... ESCAPE '\'` pattern.
fn like_pattern(text: &str) -> String {
    format!("%{}%", platform::db::like_escape(&text.to_lowercase()))
}

/// A page of published products and how many match in all.
pub async fn published(
    db: &Db,
    filter: &Filter,
    order: Order,
    limit: i64,
    offset: i64,
) -> Result<(Vec<ProductRow>, i64), sqlx::Error> {
    let mut args = vec![Arg::Text(ProductStatus::Published.as_str().into())];
    let mut conditions = vec!["status = $1".to_owned()];
    let next = |args: &mut Vec<Arg>, a: Arg| {
        args.push(a);
        format!("${}", args.len())
    };
    if let Some(categories) = &filter.categories {
        if categories.is_empty() {
            return Ok((Vec::new(), 0));
        }
        let list: Vec<String> = categories
            .iter()
            .map(|c| next(&mut args, Arg::Int(c.0)))
            .collect();
        conditions.push(format!("category_id IN ({})", list.join(", ")));
    }
    if let Some(text) = &filter.text {
        let n = next(&mut args, Arg::Text(like_pattern(text)));
        conditions.push(format!(
            "(LOWER(name) LIKE {n} ESCAPE '\\' OR LOWER(COALESCE(name_en, '')) LIKE {n} ESCAPE '\\')"
        ));
    }
    if let Some(min) = filter.min_hundredths {
        let n = next(&mut args, Arg::Int(min));
        conditions.push(format!("price_hundredths >= {n}"));
    }
    if let Some(max) = filter.max_hundredths {
        let n = next(&mut args, Arg::Int(max));
        conditions.push(format!("price_hundredths <= {n}"));
    }
    let by_name = match db {
        // Code-point order on both engines (PostgreSQL's default collation is the
        // locale's).
        Db::Postgres { .. } => "name COLLATE \"C\", id",
        Db::Sqlite { .. } => "name, id",
    };
    let order_by = match order {
        Order::Newest => "created_at DESC, id DESC",
        Order::PriceAsc => "price_hundredths, id",
        Order::PriceDesc => "price_hundredths DESC, id DESC",
        Order::Name => by_name,
    };
    let where_ = conditions.join(" AND ");
    let count_sql = format!("SELECT COUNT(*) FROM products WHERE {where_}");
    let page_sql = format!(
        "SELECT {COLUMNS} FROM products WHERE {where_} ORDER BY {order_by} LIMIT {limit} OFFSET {offset}"
    );
    let total: i64 = on_pool!(db.reader(), |p| {
        let mut q = sqlx::query_scalar(&count_sql);
        for a in &args {
            q = match a {
                Arg::Int(i) => q.bind(*i),
                Arg::Text(t) => q.bind(t.as_str()),
            };
        }
        q.fetch_one(p).await
    })?;
    let rows: Vec<ProductRow> = on_pool!(db.reader(), |p| {
        let mut q = sqlx::query_as(&page_sql);
        for a in &args {
            q = match a {
                Arg::Int(i) => q.bind(*i),
                Arg::Text(t) => q.bind(t.as_str()),
            };
        }
        q.fetch_all(p).await
    })?;
    Ok((rows, total))
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn patterns_match_the_text_literally() {
        assert_eq!(like_pattern("Mug"), "%mug%");
        assert_eq!(like_pattern("100%_a\\b"), "%100\\%\\_a\\\\b%");
    }
}
