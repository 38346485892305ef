//! The shop benchmarks of docs/benchmarks.md, against a running server, each
//! beside a bare axum server measured in the same run.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use hyper::Method;
use platform::auth::JwtKeys;
use platform::config::{Config, Secret};
use platform::external::payments::{local, signature};
use platform::{on_pool, server};
use shop::model::{Role, UserClaims};

use super::data::LEAVES;
use crate::harness::{Run, ratio, target};
use crate::load::{self, Plan, Target};
use crate::stats::Summary;

pub struct Options {
    pub run: Run,
    pub only: Vec<String>,
}

/// What the scenarios need from the database, read once before the load.
struct Setup {
    /// Published products priced in won with plenty of stock.
    products: Vec<i64>,
    /// Pending orders: (id, total in minor units).
    pending: Vec<(i64, i64)>,
    /// 64 buyers' access tokens.
    buyers: Vec<String>,
    /// The hot product, and its seller's token (to set its stock).
    hot: i64,
    hot_seller: String,
    webhook_secret: Secret,
}

async fn setup(config: &Config) -> anyhow::Result<Setup> {
    let ctx = server::open(
        &shop::Shop,
        Arc::new(config.clone()),
        platform::app::ShutdownToken::new(),
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let products: Vec<i64> = on_pool!(ctx.db.reader(), |p| sqlx::query_scalar(
        "SELECT id FROM products WHERE status = 'published' AND currency = 'KRW'
             AND stock_quantity >= 1000 ORDER BY id LIMIT 20000"
    )
    .fetch_all(p)
    .await)?;
    let pending: Vec<(i64, i64)> = on_pool!(ctx.db.reader(), |p| sqlx::query_as(
        "SELECT id, total_minor FROM orders WHERE status = 'pending' AND currency = 'KRW'
             ORDER BY id DESC LIMIT 100000"
    )
    .fetch_all(p)
    .await)?;
    let buyer_ids: Vec<i64> = on_pool!(ctx.db.reader(), |p| sqlx::query_scalar(
        "SELECT id FROM users WHERE role = 'buyer' ORDER BY id LIMIT 64"
    )
    .fetch_all(p)
    .await)?;
    anyhow::ensure!(
        products.len() >= 1000 && buyer_ids.len() == 64,
        "the shop database is not seeded; run `ondol-bench seed-shop` first"
    );
    // The hot product: the first one that is published and in won.
    let hot = products[0];
    let hot_seller: i64 = on_pool!(ctx.db.reader(), |p| sqlx::query_scalar(
        "SELECT seller_id FROM products WHERE id = $1"
    )
    .bind(hot)
    .fetch_one(p)
    .await)?;
    ctx.db.close().await;

    let settings = config.app("shop").platform()?;
    let signing = settings
        .jwt_secret
        .clone()
        .unwrap_or_else(|| config.jwt_secret.clone());
    let webhook_secret = settings
        .stripe_webhook_secret
        .clone()
        .unwrap_or_else(|| local::derived_webhook_secret(&signing));
    let keys = JwtKeys::new(&signing, Duration::from_secs(3600), "shop");
    let token = |id: i64, role: Role| {
        keys.issue(&id.to_string(), UserClaims { role })
            .map(|(t, _)| t)
            .map_err(|e| anyhow::anyhow!("{}", e.message))
    };
    Ok(Setup {
        buyers: buyer_ids
            .iter()
            .map(|id| token(*id, Role::Buyer))
            .collect::<Result<_, _>>()?,
        hot_seller: token(hot_seller, Role::Seller)?,
        products: products[1..].to_vec(),
        pending,
        hot,
        webhook_secret,
    })
}

fn order_body(product: i64) -> Bytes {
    Bytes::from(
        serde_json::json!({
            "items": [{"product_id": product, "quantity": 1}],
            "shipping_address": {
                "recipient": "김벤치", "phone": "010-1234-5678",
                "line1": "서울특별시 강남구 테헤란로 123", "city": "서울",
                "postal_code": "06234", "country": "KR"
            }
        })
        .to_string(),
    )
}

/// The product's stock as the API shows it.
async fn stock(addr: SocketAddr, id: i64) -> anyhow::Result<i64> {
    let t = target(addr, Method::GET, format!("/v1/products/{id}"), None);
    let (status, body) = load::once(&t).await?;
    anyhow::ensure!(status == 200, "product {id}: HTTP {status}");
    let v: serde_json::Value = serde_json::from_slice(&body)?;
    v["data"]["stock_quantity"]
        .as_i64()
        .ok_or_else(|| anyhow::anyhow!("product {id} has no stock_quantity"))
}

async fn set_stock(addr: SocketAddr, s: &Setup, quantity: i64) -> anyhow::Result<()> {
    let mut t = target(
        addr,
        Method::PUT,
        format!("/v1/products/{}", s.hot),
        Some(&s.hot_seller),
    );
    t.body = Some(Bytes::from(
        serde_json::json!({"stock_quantity": quantity}).to_string(),
    ));
    let (status, body) = load::once(&t).await?;
    anyhow::ensure!(
        status == 200,
        "setting the stock failed ({status}): {}",
        String::from_utf8_lossy(&body)
    );
    Ok(())
}

/// Orders of one unit each on the hot product; checks that exactly the units
/// sold left the stock.
async fn hot(o: &Run, s: &Setup, label: &str, units: i64) -> anyhow::Result<Summary> {
    set_stock(o.addr, s, units).await?;
    let buyers = Arc::new(s.buyers.clone());
    let (addr, hot) = (o.addr, s.hot);
    let make: load::MakeRequest = Arc::new(move |c, _| Target {
        body: Some(order_body(hot)),
        ..target(addr, Method::POST, "/v1/orders".into(), Some(&buyers[c]))
    });
    let p = Plan {
        warmup: Duration::ZERO,
        also_ok: &[409],
        ..o.plan(64)
    };
    let summary = load::run(make, &p).await?;
    summary.print(label);
    let left = stock(o.addr, s.hot).await?;
    let sold = summary.count(201) as i64;
    println!(
        "{:<28} {units} in stock, {sold} orders created, {left} left: {}",
        "",
        if sold + left == units && left >= 0 {
            "no oversell"
        } else {
            "MISMATCH"
        }
    );
    anyhow::ensure!(
        sold + left == units,
        "{sold} orders for {units} units left {left}"
    );
    Ok(summary)
}

pub async fn run(config: &Config, opts: &Options) -> anyhow::Result<()> {
    let o = &opts.run;
    o.ensure_loopback()?;
    let s = setup(config).await?;
    let wants = |name: &str| opts.only.is_empty() || opts.only.iter().any(|x| x == name);
    let base = o.start(wants("baseline")).await?;
    let addr = o.addr;

    if wants("list") {
        // A leaf category (about 1,000 products each) and its first pages.
        let make: load::MakeRequest = Arc::new(move |c, i| {
            let (leaf, _) = super::data::leaf(((c * 31 + i * 7) as i64) % LEAVES);
            let page = 1 + i % 3;
            target(
                addr,
                Method::GET,
                format!("/v1/products?category_id={leaf}&sort=price_asc&page={page}&limit=20"),
                None,
            )
        });
        o.closed_and_paced(make, "list leaf price_asc", base)
            .await?;
        // A root category: its ten leaves, about 10,000 products, sorted by price.
        let make: load::MakeRequest = Arc::new(move |c, i| {
            let root = 1 + (c + i) % super::data::ROOTS.len();
            target(
                addr,
                Method::GET,
                format!("/v1/products?category_id={root}&sort=price_asc&limit=20"),
                None,
            )
        });
        let summary = load::run(make, &o.plan(64)).await?;
        summary.print("list root price_asc c=64");
        ratio(&summary, base, "req");
        o.report_rss("after list");
    }

    if wants("detail") {
        let products = Arc::new(s.products.clone());
        let make: load::MakeRequest = Arc::new(move |c, i| {
            let id = products[(c * 7_919 + i * 104_729) % products.len()];
            target(addr, Method::GET, format!("/v1/products/{id}"), None)
        });
        o.closed_and_paced(make, "detail", base).await?;
        o.report_rss("after detail");
    }

    if wants("order") {
        // Each connection its own buyer; the products spread so that no two
        // orders in flight take the same row.
        let products = Arc::new(s.products.clone());
        let buyers = Arc::new(s.buyers.clone());
        let make: load::MakeRequest = Arc::new(move |c, i| {
            let product = products[(i * 64 + c) % products.len()];
            Target {
                body: Some(order_body(product)),
                ..target(addr, Method::POST, "/v1/orders".into(), Some(&buyers[c]))
            }
        });
        let summary = load::run(make, &o.plan(64)).await?;
        summary.print("order, distinct c=64");
        ratio(&summary, base, "order");
        o.report_rss("after orders");
    }

    if wants("hot") {
        // Enough stock for the whole run: the contended path, every order taking
        // the same row.
        let summary = hot(o, &s, "order, one product c=64", 1_000_000).await?;
        ratio(&summary, base, "order");
        // Then a sell-out: 1,000 units for 64 buyers ordering until the end.
        hot(o, &s, "sell-out 1,000 units c=64", 1_000).await?;
        o.report_rss("after hot product");
    }

    if wants("webhook") {
        let per_connection = s.pending.len() / 64;
        anyhow::ensure!(per_connection > 0, "no pending orders left to pay");
        let pending = Arc::new(s.pending.clone());
        let secret = Arc::new(s.webhook_secret.clone());
        let run_id = chrono::Utc::now().timestamp_millis();
        // Each request pays a different pending order; the second run replays
        // the first run's events (each is answered as already applied).
        let events: load::MakeRequest = Arc::new(move |c, i| {
            let (order, total) = pending[(i * 64 + c) % pending.len()];
            let payload = serde_json::json!({
                "id": format!("evt_bench_{run_id}_{order}"),
                "object": "event",
                "type": "payment_intent.succeeded",
                "created": chrono::Utc::now().timestamp(),
                "data": {"object": {
                    "id": format!("pi_bench_{order}"),
                    "object": "payment_intent",
                    "amount": total,
                    "currency": "krw",
                    "metadata": {"order_id": order.to_string()},
                    "status": "succeeded",
                }},
            })
            .to_string();
            let header = signature::header(
                secret.expose(),
                chrono::Utc::now().timestamp(),
                payload.as_bytes(),
            );
            Target {
                body: Some(Bytes::from(payload)),
                headers: vec![("stripe-signature", header)],
                ..target(addr, Method::POST, "/v1/payments/callback".into(), None)
            }
        });
        let p = Plan {
            // Each pending order once: no warm-up that would pay some of them.
            warmup: Duration::ZERO,
            max_per_connection: per_connection,
            ..o.plan(64)
        };
        let first = load::run(events.clone(), &p).await?;
        first.print("webhook, first delivery c=64");
        ratio(&first, base, "event");
        // Connections send about as many requests each; half the mean stays
        // within what every connection sent the first time.
        let replay = Plan {
            max_per_connection: (first.requests as usize / 64 / 2).max(1),
            ..p
        };
        let again = load::run(events, &replay).await?;
        again.print("webhook, redelivery c=64");
        ratio(&again, base, "event");
        o.report_rss("after webhooks");
    }
    Ok(())
}
