//! The shop's types: ids, roles, rows and the JSON shapes of the spec.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::money::{Amount, Currency, Money};

platform::text_enum! {
    /// Who a user is to the shop; `admin` is given from the command line only.
    pub enum Role { Buyer = "buyer", Seller = "seller", Admin = "admin" }
}

platform::id!(
    /// A user (the token's `sub`).
    UserId(i64)
);
platform::id!(
    /// A product category.
    CategoryId(i64)
);

/// Access-token claims besides `sub`: the role, for the role guards.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UserClaims {
    pub role: Role,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: UserId,
    pub email: String,
    pub password_hash: String,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub disabled_at: Option<DateTime<Utc>>,
}

/// A user as the API shows them: never a password field.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UserView {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
}

impl From<&UserRow> for UserView {
    fn from(u: &UserRow) -> Self {
        Self {
            id: u.id,
            email: u.email.clone(),
            name: u.name.clone(),
            role: u.role,
            created_at: u.created_at,
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CategoryRow {
    pub id: CategoryId,
    pub name: String,
    pub parent_id: Option<CategoryId>,
}

/// A category with its children, as `GET /v1/categories` shows the tree.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CategoryNode {
    pub id: CategoryId,
    pub name: String,
    #[schema(no_recursion)]
    pub children: Vec<CategoryNode>,
}

platform::id!(
    /// A product.
    ProductId(i64)
);

platform::text_enum! {
    /// A product's life: only `published` ones are listed; deleting archives.
    pub enum ProductStatus { Draft = "draft", Published = "published", Archived = "archived" }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProductRow {
    pub id: ProductId,
    pub seller_id: UserId,
    pub category_id: Option<CategoryId>,
    pub name: String,
    pub name_en: Option<String>,
    pub description: Option<String>,
    pub price_minor: i64,
    #[sqlx(try_from = "String")]
    pub currency: Currency,
    pub stock_quantity: i64,
    /// A JSON array of URLs.
    pub images: String,
    #[sqlx(try_from = "String")]
    pub status: ProductStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ProductRow {
    pub fn price(&self) -> Money {
        Money {
            minor: self.price_minor,
            currency: self.currency,
        }
    }

    pub fn image_urls(&self) -> Vec<String> {
        // Written by this app from a Vec<String>; a row that is not an array is a bug.
        serde_json::from_str(&self.images).expect("products.images holds a JSON array of strings")
    }
}

/// A product as the API shows it (seed §2.3: `price` with two decimals, `currency`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProductView {
    pub id: ProductId,
    pub seller_id: UserId,
    pub category_id: Option<CategoryId>,
    pub name: String,
    pub name_en: Option<String>,
    pub description: Option<String>,
    #[schema(value_type = f64, example = 15.00, minimum = 0)]
    pub price: Amount,
    pub currency: Currency,
    pub stock_quantity: i64,
    pub images: Vec<String>,
    pub status: ProductStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&ProductRow> for ProductView {
    fn from(p: &ProductRow) -> Self {
        Self {
            id: p.id,
            seller_id: p.seller_id,
            category_id: p.category_id,
            name: p.name.clone(),
            name_en: p.name_en.clone(),
            description: p.description.clone(),
            price: p.price().amount(),
            currency: p.currency,
            stock_quantity: p.stock_quantity,
            images: p.image_urls(),
            status: p.status,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

mod orders;
pub use orders::*;
