use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use platform::ApiError;
use platform::auth::{Auth, MaybeAuth};
use platform::extract::{AppJson, AppPath, AppQuery};
use platform::texts::Language;
use serde::{Deserialize, Serialize};

use super::{AppState, Meta, Reply, caller, ok};
use crate::model::{CategoryId, ProductId, ProductView, UserClaims};
use crate::service::products::{ListQuery, ListSort, ProductInput};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// From 1 (default 1).
    #[param(minimum = 1)]
    page: Option<i64>,
    /// 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<i64>,
    /// This category and the ones under it.
    category_id: Option<CategoryId>,
    /// Part of `name` or `name_en`, any case.
    #[param(max_length = 200)]
    q: Option<String>,
    /// Inclusive, as a decimal (`10.00`).
    #[param(value_type = Option<f64>, minimum = 0)]
    min_price: Option<String>,
    /// Inclusive, as a decimal.
    #[param(value_type = Option<f64>, minimum = 0)]
    max_price: Option<String>,
    /// Default `newest`.
    #[param(inline)]
    sort: Option<ListSort>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ProductList {
    success: bool,
    data: Vec<ProductView>,
    meta: Meta,
}

/// Published products, a page at a time.
#[utoipa::path(get, path = "/v1/products", tag = "products", params(ListParams),
    responses((status = 200, description = "A page, with `meta`", body = ProductList)))]
pub async fn list(
    State(s): State<AppState>,
    lang: Language,
    AppQuery(p): AppQuery<ListParams>,
) -> Result<Json<ProductList>, ApiError> {
    let page = s
        .svc
        .published_products(
            lang,
            ListQuery {
                page: p.page,
                limit: p.limit,
                category_id: p.category_id,
                q: p.q,
                min_price: p.min_price,
                max_price: p.max_price,
                sort: p.sort,
            },
        )
        .await?;
    Ok(Json(ProductList {
        success: true,
        data: page.items.iter().map(ProductView::from).collect(),
        meta: Meta {
            page: page.page,
            limit: page.limit,
            total: page.total,
        },
    }))
}

/// One product: published ones to anyone, others to their seller and admins.
#[utoipa::path(get, path = "/v1/products/{product_id}", tag = "products",
    params(("product_id" = i64, Path, description = "The product")),
    responses(
        (status = 200, description = "The product", body = Reply<ProductView>),
        (status = 404, description = "Product not found (`NOT_FOUND`)")))]
pub async fn detail(
    State(s): State<AppState>,
    MaybeAuth(claims): MaybeAuth<UserClaims>,
    lang: Language,
    AppPath(id): AppPath<ProductId>,
) -> Result<Json<Reply<ProductView>>, ApiError> {
    let who = claims.as_ref().map(caller).transpose()?;
    let p = s.svc.product(lang, who, id).await?;
    Ok(ok(ProductView::from(&p)))
}

/// Lists a product (sellers). `currency` defaults to `KRW`, `status` to
/// `published`, `stock_quantity` to 0.
#[utoipa::path(post, path = "/v1/products", tag = "products", request_body = ProductInput,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The new product", body = Reply<ProductView>),
        (status = 403, description = "Not a seller (`FORBIDDEN`)")))]
pub async fn create(
    State(s): State<AppState>,
    Auth(claims): Auth<UserClaims>,
    lang: Language,
    AppJson(input): AppJson<ProductInput>,
) -> Result<(StatusCode, Json<Reply<ProductView>>), ApiError> {
    let p = s.svc.create_product(lang, caller(&claims)?, input).await?;
    Ok((StatusCode::CREATED, ok(ProductView::from(&p))))
}

/// Changes a product (its seller, or an admin): fields left out stay as they are.
#[utoipa::path(put, path = "/v1/products/{product_id}", tag = "products", request_body = ProductInput,
    params(("product_id" = i64, Path, description = "The product")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The product", body = Reply<ProductView>),
        (status = 403, description = "Another seller's product (`FORBIDDEN`)"),
        (status = 404, description = "Product not found (`NOT_FOUND`)")))]
pub async fn update(
    State(s): State<AppState>,
    Auth(claims): Auth<UserClaims>,
    lang: Language,
    AppPath(id): AppPath<ProductId>,
    AppJson(input): AppJson<ProductInput>,
) -> Result<Json<Reply<ProductView>>, ApiError> {
    let p = s
        .svc
        .update_product(lang, caller(&claims)?, id, input)
        .await?;
    Ok(ok(ProductView::from(&p)))
}

/// Archives a product (its seller, or an admin): it leaves the list, and orders
/// keep it.
#[utoipa::path(delete, path = "/v1/products/{product_id}", tag = "products",
    params(("product_id" = i64, Path, description = "The product")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The archived product", body = Reply<ProductView>),
        (status = 403, description = "Another seller's product (`FORBIDDEN`)"),
        (status = 404, description = "Product not found (`NOT_FOUND`)")))]
pub async fn delete(
    State(s): State<AppState>,
    Auth(claims): Auth<UserClaims>,
    lang: Language,
    AppPath(id): AppPath<ProductId>,
) -> Result<Json<Reply<ProductView>>, ApiError> {
    let p = s.svc.archive_product(lang, caller(&claims)?, id).await?;
    Ok(ok(ProductView::from(&p)))
}
