//! Products: sellers list them, everyone browses the published ones.

use chrono::Utc;
use platform::ApiError;
use platform::texts::Language;
use platform::validate::FieldErrors;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::{Service, paging};
use crate::i18n::{self, Msg};
use crate::model::{CategoryId, ProductId, ProductRow, ProductStatus, Role, UserId};
use crate::money::{Amount, AmountError, Currency, Money};
use crate::store;
use crate::store::products::{Filter, Order, ProductFields};

const MAX_STOCK: i64 = 1_000_000_000;
const MAX_IMAGES: usize = 10;

/// Who is asking.
#[derive(Debug, Clone, Copy)]
pub struct Caller {
    pub id: UserId,
    pub role: Role,
}

impl Caller {
    /// The seller who listed `p`, or an admin.
    fn may_change(&self, p: &ProductRow) -> bool {
        self.role == Role::Admin || p.seller_id == self.id
    }
}

/// The body of `POST` (all required fields present) and `PUT` (any subset:
/// absent fields stay as they are; `null` clears an optional one).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ProductInput {
    #[schema(min_length = 1, max_length = 500, example = "무선 키보드")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "platform::text_enum::double_option")]
    #[schema(value_type = Option<String>, max_length = 500, example = "Wireless keyboard")]
    pub name_en: Option<Option<String>>,
    #[serde(default, deserialize_with = "platform::text_enum::double_option")]
    #[schema(value_type = Option<String>, max_length = 20000)]
    pub description: Option<Option<String>>,
    /// A decimal with at most two places, e.g. `15.00` (KRW: whole won).
    #[schema(value_type = Option<f64>, minimum = 0, example = 15.00)]
    pub price: Option<Box<RawValue>>,
    /// Default `KRW`.
    #[schema(value_type = Option<Currency>)]
    pub currency: Option<String>,
    #[schema(minimum = 0, maximum = 1_000_000_000)]
    pub stock_quantity: Option<i64>,
    #[serde(default, deserialize_with = "platform::text_enum::double_option")]
    #[schema(value_type = Option<CategoryId>)]
    pub category_id: Option<Option<CategoryId>>,
    /// URLs from `POST /v1/upload/presigned-url`, uploaded; at most 10.
    pub images: Option<Vec<String>>,
    /// Default `published`.
    pub status: Option<ProductStatus>,
}

/// `GET /v1/products` parameters, as typed.
#[derive(Debug, Default)]
pub struct ListQuery {
    pub page: Option<i64>,
    pub limit: Option<i64>,
    pub category_id: Option<CategoryId>,
    pub q: Option<String>,
    pub min_price: Option<String>,
    pub max_price: Option<String>,
    pub sort: Option<ListSort>,
}

/// `sort=newest|price_asc|price_desc|name`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ListSort {
    #[default]
    Newest,
    PriceAsc,
    PriceDesc,
    Name,
}

/// One page of the published list.
pub struct Page {
    pub items: Vec<ProductRow>,
    pub page: i64,
    pub limit: i64,
    pub total: i64,
}

fn amount_message(e: AmountError) -> Msg {
    match e {
        AmountError::TooLarge => i18n::PRICE_TOO_LARGE,
        AmountError::NotANumber | AmountError::Negative | AmountError::TooPrecise => {
            i18n::PRICE_FORMAT
        }
    }
}

impl Service {
    pub async fn create_product(
        &self,
        lang: Language,
        caller: Caller,
        input: ProductInput,
    ) -> Result<ProductRow, ApiError> {
        if caller.role == Role::Buyer {
            return Err(ApiError::forbidden(i18n::SELLERS_ONLY.in_(lang)));
        }
        let mut errors = FieldErrors::new(i18n::field_messages(lang));
        if input.name.is_none() {
            errors.add("name", i18n::field_messages(lang).required);
        }
        if input.price.is_none() {
            errors.add("price", i18n::field_messages(lang).required);
        }
        let base = ProductFields {
            category_id: None,
            name: String::new(),
            name_en: None,
            description: None,
            price: Money {
                minor: 0,
                currency: Currency::Krw,
            },
            stock_quantity: 0,
            images: Vec::new(),
            status: ProductStatus::Published,
        };
        let fields = self.merge(lang, &mut errors, base, input).await?;
        errors.finish()?;
        let row = store::products::insert(&self.db, caller.id, &fields, Utc::now()).await?;
        tracing::info!(product = %row.id, seller = %caller.id, "product listed");
        Ok(row)
    }

    /// A published product to anyone; any other to its seller and admins.
    pub async fn product(
        &self,
        lang: Language,
        caller: Option<Caller>,
        id: ProductId,
    ) -> Result<ProductRow, ApiError> {
        let found = store::products::by_id(&self.db, id).await?;
        found
            .filter(|p| {
                p.status == ProductStatus::Published || caller.is_some_and(|c| c.may_change(p))
            })
            .ok_or_else(|| ApiError::not_found(i18n::PRODUCT_NOT_FOUND.in_(lang)))
    }

    pub async fn update_product(
        &self,
        lang: Language,
        caller: Caller,
        id: ProductId,
        input: ProductInput,
    ) -> Result<ProductRow, ApiError> {
        let current = self.changeable(lang, caller, id).await?;
        let mut errors = FieldErrors::new(i18n::field_messages(lang));
        let base = fields_of(&current);
        let fields = self.merge(lang, &mut errors, base, input).await?;
        errors.finish()?;
        store::products::update(&self.db, id, &fields, Utc::now())
            .await?
            .ok_or_else(|| ApiError::not_found(i18n::PRODUCT_NOT_FOUND.in_(lang)))
    }

    /// Deleting archives: orders keep pointing at the product.
    pub async fn archive_product(
        &self,
        lang: Language,
        caller: Caller,
        id: ProductId,
    ) -> Result<ProductRow, ApiError> {
        let current = self.changeable(lang, caller, id).await?;
        let fields = ProductFields {
            status: ProductStatus::Archived,
            ..fields_of(&current)
        };
        store::products::update(&self.db, id, &fields, Utc::now())
            .await?
            .ok_or_else(|| ApiError::not_found(i18n::PRODUCT_NOT_FOUND.in_(lang)))
    }

    async fn changeable(
        &self,
        lang: Language,
        caller: Caller,
        id: ProductId,
    ) -> Result<ProductRow, ApiError> {
        let current = self.product(lang, Some(caller), id).await?;
        if !caller.may_change(&current) {
            return Err(ApiError::forbidden(i18n::NOT_YOUR_PRODUCT.in_(lang)));
        }
        Ok(current)
    }

    pub async fn published_products(&self, lang: Language, q: ListQuery) -> Result<Page, ApiError> {
        let mut errors = FieldErrors::new(i18n::field_messages(lang));
        let paging = paging(lang, &mut errors, q.page, q.limit);
        let mut bound = |field: &str, text: Option<&str>| {
            let text = text?;
            match Amount::parse(text) {
                Ok(a) => Some(a.hundredths()),
                Err(e) => {
                    errors.add(field, amount_message(e).in_(lang));
                    None
                }
            }
        };
        let min = bound("min_price", q.min_price.as_deref());
        let max = bound("max_price", q.max_price.as_deref());
        if let (Some(min), Some(max)) = (min, max)
            && min > max
        {
            errors.add("min_price", i18n::PRICE_RANGE.in_(lang));
        }
        let text = errors.optional("q", q.q.as_deref(), 200);
        errors.finish()?;
        let categories = match q.category_id {
            Some(root) => Some(store::categories::subtree(&self.db, root).await?),
            None => None,
        };
        let filter = Filter {
            categories,
            text,
            min_hundredths: min,
            max_hundredths: max,
        };
        let order = match q.sort.unwrap_or_default() {
            ListSort::Newest => Order::Newest,
            ListSort::PriceAsc => Order::PriceAsc,
            ListSort::PriceDesc => Order::PriceDesc,
            ListSort::Name => Order::Name,
        };
        let (items, total) =
            store::products::published(&self.db, &filter, order, paging.size, paging.offset())
                .await?;
        Ok(Page {
            items,
            page: paging.page,
            limit: paging.size,
            total,
        })
    }

    /// `input` laid over `base`, each problem recorded in `errors`.
    async fn merge(
        &self,
        lang: Language,
        errors: &mut FieldErrors,
        base: ProductFields,
        input: ProductInput,
    ) -> Result<ProductFields, ApiError> {
        let mut f = base;
        if let Some(name) = &input.name {
            f.name = errors.text("name", name, 500);
        }
        if let Some(name_en) = &input.name_en {
            f.name_en = errors.optional("name_en", name_en.as_deref(), 500);
        }
        if let Some(description) = &input.description {
            f.description = errors.optional("description", description.as_deref(), 20_000);
        }
        let currency = match input
            .currency
            .as_deref()
            .map(|c| c.trim().parse::<Currency>())
        {
            None => Some(f.price.currency),
            Some(Ok(c)) => Some(c),
            Some(Err(_)) => {
                errors.add("currency", i18n::CURRENCY_CHOICE.in_(lang));
                None
            }
        };
        let amount = match input.price.as_deref().map(|raw| Amount::parse(raw.get())) {
            None => Some(f.price.amount()),
            Some(Ok(a)) => Some(a),
            Some(Err(e)) => {
                errors.add("price", amount_message(e).in_(lang));
                None
            }
        };
        if let (Some(amount), Some(currency)) = (amount, currency) {
            match Money::new(amount, currency) {
                Ok(m) => f.price = m,
                Err(_) => errors.add("price", i18n::WHOLE_WON.in_(lang)),
            }
        }
        if let Some(stock) = input.stock_quantity {
            if (0..=MAX_STOCK).contains(&stock) {
                f.stock_quantity = stock;
            } else {
                errors.add("stock_quantity", i18n::STOCK_RANGE.in_(lang));
            }
        }
        if let Some(category) = input.category_id {
            if let Some(id) = category
                && !store::categories::exists(&self.db, id).await?
            {
                errors.add("category_id", i18n::CATEGORY_UNKNOWN.in_(lang));
            }
            f.category_id = category;
        }
        if let Some(images) = input.images {
            if images.len() > MAX_IMAGES {
                errors.add("images", i18n::TOO_MANY_IMAGES.in_(lang));
            } else {
                let mut kept = Vec::with_capacity(images.len());
                for (i, url) in images.iter().enumerate() {
                    let url = url.trim();
                    if url.len() > 2048 || !self.uploads.is_ours(url).await? {
                        errors.add(&format!("images[{i}]"), i18n::IMAGE_NOT_OURS.in_(lang));
                    }
                    kept.push(url.to_owned());
                }
                f.images = kept;
            }
        }
        if let Some(status) = input.status {
            f.status = status;
        }
        Ok(f)
    }
}

fn fields_of(p: &ProductRow) -> ProductFields {
    ProductFields {
        category_id: p.category_id,
        name: p.name.clone(),
        name_en: p.name_en.clone(),
        description: p.description.clone(),
        price: p.price(),
        stock_quantity: p.stock_quantity,
        images: p.image_urls(),
        status: p.status,
    }
}
