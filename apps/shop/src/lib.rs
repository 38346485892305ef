//! shop: an e-commerce MVP (seed 003), on the ondol platform.
//!
//! Buyers and sellers register and log in; admins keep the category tree. Every
//! route is under `/v1` and answers `{success, data}` or
//! `{success: false, message, error: {code, errors?}}`, in Korean or English by
//! `Accept-Language`. See `docs/shop.md` for what is built so far.

mod admin;
mod demo;
mod envelope;
mod i18n;
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

use crate::routes::{AppState, auth, categories, products, uploads, users};
use crate::service::Service;
pub use crate::settings::Settings;

static MIGRATIONS: Migrations = Migrations {
    sqlite: sqlx::migrate!("./migrations/sqlite"),
    postgres: sqlx::migrate!("./migrations/postgres"),
};

static MANIFEST: Manifest = Manifest::new(
    "shop",
    "E-commerce: buyer and seller accounts and the category tree, under `/v1`. \
     Answers `{success, data}`; errors come as \
     `{success: false, message, error: {code, errors?}}`, worded in Korean or \
     English by `Accept-Language`.",
    8003,
    &envelope::Envelope,
    &MIGRATIONS,
)
.settings::<Settings>()
.languages(&[platform::texts::KO, platform::texts::EN])
.rate_limits(RATE_LIMITS, RateLimitKey::Account);

/// Seed §9.3: per token (per client address when anonymous).
const RATE_LIMITS: &[Window] = &[Window::per_hour(100), Window::per_day(1000)];

/// Seed §9.3: login attempts, per client address and per e-mail address.
const LOGIN_LIMIT: &[Window] = &[Window::per_minute(5)];

pub struct Shop;

impl App for Shop {
    fn manifest(&self) -> &'static Manifest {
        &MANIFEST
    }

    fn router(&self, ctx: AppContext) -> Result<OpenApiRouter, BoxError> {
        let settings: &Settings = ctx.settings();
        let images = Uploads::new(
            &ctx,
            UploadPolicy {
                types: service::uploads::IMAGE_TYPES,
                max_bytes: settings.image_max_bytes,
                ttl: Duration::from_secs(settings.upload_url_ttl_seconds),
            },
        );
        let state = AppState::new(
            ctx.clone(),
            routes::State {
                svc: Service {
                    db: ctx.db.clone(),
                    uploads: images.clone(),
                },
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
            .with_state(state)
            .merge(images.routes()))
    }

    fn seed_demo<'a>(
        &'a self,
        ctx: &'a AppContext,
    ) -> BoxFuture<'a, Result<Vec<DemoLogin>, BoxError>> {
        Box::pin(demo::seed(ctx))
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
