//! shop: an e-commerce MVP (seed 003), on the ondol platform.
//!
//! Buyers and sellers register and log in; admins keep the category tree; sellers
//! list products, buyers order them and sellers ship them. Every
//! route is under `/v1` and answers `{success, data}` or
//! `{success: false, message, error: {code, errors?}}`, in Korean or English by
//! `Accept-Language`. See `docs/shop.md` for what is built so far.

mod admin;
mod demo;
mod envelope;
mod i18n;
mod mail;
pub mod model;
mod money;
mod routes;
mod service;
mod settings;
mod store;

use platform::app::{App, AppContext, BoxError, BoxFuture, Manifest, RateLimitKey};
use platform::auth::Accounts;
use platform::db::Migrations;
use platform::openapi::{OpenApiRouter, routes};
use platform::ratelimit::Window;
use platform::{DemoLogin, NewUser, UserSummary};

use std::time::Duration;

use platform::uploads::{UploadPolicy, Uploads};

use crate::routes::{AppState, auth, categories, orders, payments, products, uploads, users};
use crate::service::Service;
pub use crate::settings::Settings;

static MIGRATIONS: Migrations = Migrations {
    sqlite: sqlx::migrate!("./migrations/sqlite"),
    postgres: sqlx::migrate!("./migrations/postgres"),
};

static MANIFEST: Manifest = Manifest::new(
    "shop",
    "E-commerce under `/v1`: buyer and seller accounts, the category tree, \
     products with exact prices, image uploads and orders that cannot oversell. \
     Answers `{success, data}`; errors come as \
     `{success: false, message, error: {code, errors?}}`, worded in Korean or \
     English by `Accept-Language`.",
    8003,
    &envelope::Envelope,
    &MIGRATIONS,
)
.settings::<Settings>()
.languages(&[platform::texts::KO, platform::texts::EN])
.rate_limits(RATE_LIMITS, RateLimitKey::Account)
// The payment provider's webhooks come from few addresses, often.
.uncounted(&[routes::payments::CALLBACK])
// Creating a PaymentIntent may take Stripe's 30 s and three retries.
.timeouts(
    std::time::Duration::from_secs(10),
    &[("/v1/payments", std::time::Duration::from_secs(150))],
);

/// Seed §9.3: per token (per client address when anonymous).
const RATE_LIMITS: &[Window] = &[Window::per_hour(100), Window::per_day(1000)];

/// Seed §9.3: login attempts, per client address and per e-mail address.
const LOGIN_LIMIT: &[Window] = &[Window::per_minute(5)];

pub struct Shop;

/// Applies a payment result to an order as the verified payment webhook does
/// (`true`: succeeded). For tests and tools that settle orders without a card;
/// `false` when the order's state does not move.
#[doc(hidden)]
pub async fn settle_payment(
    ctx: &AppContext,
    order: model::OrderId,
    succeeded: bool,
) -> Result<bool, BoxError> {
    use service::orders::PaymentOutcome;
    let svc = service(ctx)?;
    let mut tx = ctx.db.begin().await?;
    let outcome = if succeeded {
        PaymentOutcome::Succeeded
    } else {
        PaymentOutcome::Failed
    };
    let moved = svc.apply_payment(&mut tx, order, outcome).await?.is_some();
    tx.commit().await?;
    Ok(moved)
}

/// `ORD-YYYYMMDD-NNNN` and the day's counter key, for tools that write orders in
/// bulk (the benchmark's data generator) exactly as the shop numbers them.
#[doc(hidden)]
pub use service::order_rules::{day_key, order_number};

/// The shop's rules over this context's database, stores and mailer.
fn service(ctx: &AppContext) -> Result<Service, BoxError> {
    let settings: &Settings = ctx.settings();
    Ok(Service {
        db: ctx.db.clone(),
        uploads: Uploads::new(
            ctx,
            UploadPolicy {
                types: service::uploads::IMAGE_TYPES,
                max_bytes: settings.image_max_bytes,
                ttl: Duration::from_secs(settings.upload_url_ttl_seconds),
            },
        ),
        mailer: ctx.mailer()?,
        payments: ctx.payments(routes::payments::CALLBACK),
    })
}

impl App for Shop {
    fn manifest(&self) -> &'static Manifest {
        &MANIFEST
    }

    fn router(&self, ctx: AppContext) -> Result<OpenApiRouter, BoxError> {
        let svc = service(&ctx)?;
        let state = AppState::new(
            ctx.clone(),
            routes::State {
                svc: svc.clone(),
                accounts: Accounts::new(
                    &ctx,
                    service::users::Users { db: ctx.db.clone() },
                    service::users::TEXTS,
                ),
                login_limit: ctx.rate_limiter("login", LOGIN_LIMIT),
            },
        );
        Ok(OpenApiRouter::new()
            .routes(routes!(auth::register))
            .routes(routes!(auth::login))
            .routes(routes!(auth::refresh))
            .routes(routes!(auth::logout))
            .routes(routes!(users::me))
            .routes(routes!(categories::list, categories::create))
            .routes(routes!(products::list, products::create))
            .routes(routes!(
                products::detail,
                products::update,
                products::delete
            ))
            .routes(routes!(uploads::presigned_url))
            .routes(routes!(orders::list, orders::create))
            .routes(routes!(orders::detail))
            .routes(routes!(orders::cancel))
            .routes(routes!(orders::seller_list))
            .routes(routes!(orders::fulfil))
            .routes(routes!(payments::create))
            .routes(routes!(payments::callback))
            .with_state(state)
            .merge(svc.uploads.routes())
            .merge(svc.payments.routes()))
    }

    fn seed_demo<'a>(
        &'a self,
        ctx: &'a AppContext,
    ) -> BoxFuture<'a, Result<Vec<DemoLogin>, BoxError>> {
        Box::pin(async move { demo::seed(ctx, service(ctx)?).await })
    }

    fn add_user<'a>(
        &'a self,
        ctx: &'a AppContext,
        user: NewUser,
    ) -> BoxFuture<'a, Result<(), BoxError>> {
        Box::pin(admin::add_user(ctx, user))
    }

    fn list_users<'a>(
        &'a self,
        ctx: &'a AppContext,
    ) -> BoxFuture<'a, Result<Vec<UserSummary>, BoxError>> {
        Box::pin(admin::list_users(ctx))
    }

    fn set_role<'a>(
        &'a self,
        ctx: &'a AppContext,
        login: &'a str,
        role: &'a str,
    ) -> BoxFuture<'a, Result<(), BoxError>> {
        Box::pin(admin::set_role(ctx, login, role))
    }

    fn disable_user<'a>(
        &'a self,
        ctx: &'a AppContext,
        login: &'a str,
    ) -> BoxFuture<'a, Result<(), BoxError>> {
        Box::pin(admin::disable_user(ctx, login))
    }
}
