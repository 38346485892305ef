//! `ondol-bench seed-shop`: a deterministic shop database of any size (users, the
//! category tree, products, orders with their lines and the day counters), written
//! in multi-row statements into the schema the shop's own migrations create.

use std::time::Instant;

use chrono::{Duration, NaiveDate, Utc};
use platform::config::Config;
use shop::model::{OrderStatus, Role, ShippingAddress};

use super::data::{self, Catalogue, Rng};
use crate::bulk::{V, fresh, insert};

pub struct SeedArgs {
    pub products: usize,
    pub orders: usize,
    pub buyers: usize,
    pub sellers: usize,
    pub seed: u64,
}

pub async fn run(config: Config, args: SeedArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.products >= 10 && args.buyers >= 64 && args.sellers >= 1,
        "at least 10 products, 64 buyers and one seller"
    );
    let Some((ctx, hash)) = fresh(&shop::Shop, config, data::PASSWORD).await? else {
        return Ok(());
    };
    let started = Instant::now();
    let now = Utc::now();
    let cat = Catalogue {
        products: args.products,
        sellers: args.sellers,
        seed: args.seed,
    };

    // Users: the admin, the sellers, the buyers (ids in that order from 1).
    let mut tx = ctx.db.begin().await?;
    let mut rows = Vec::new();
    let total_users = 1 + args.sellers + args.buyers;
    for id in 1..=total_users as i64 {
        let (email, role) = data::user(id, args.sellers);
        let name = match role {
            Role::Admin => "운영자".to_owned(),
            Role::Seller => format!("판매자 {id}"),
            Role::Buyer => format!("구매자 {id}"),
        };
        rows.push(vec![
            V::I(id),
            V::T(email),
            V::T(hash.clone()),
            V::T(name),
            V::T(role.as_str().into()),
            V::At(now - Duration::days(800) + Duration::seconds(id)),
        ]);
    }
    let user_columns = ["id", "email", "password_hash", "name", "role", "created_at"];
    insert(&mut tx, "users", &user_columns, &rows).await?;

    // Categories: ten roots of ten leaves each.
    let mut rows = Vec::new();
    for (r, root) in data::ROOTS.iter().enumerate() {
        rows.push(vec![
            V::I(r as i64 + 1),
            V::T((*root).into()),
            V::OptI(None),
            V::At(now - Duration::days(800)),
        ]);
    }
    for leaf in 0..data::LEAVES {
        let (id, parent) = data::leaf(leaf);
        rows.push(vec![
            V::I(id),
            V::T(format!(
                "{} {}",
                data::ROOTS[(parent - 1) as usize],
                leaf % 10 + 1
            )),
            V::OptI(Some(parent)),
            V::At(now - Duration::days(800)),
        ]);
    }
    insert(
        &mut tx,
        "categories",
        &["id", "name", "parent_id", "created_at"],
        &rows,
    )
    .await?;
    tx.commit().await?;

    // Products.
    const CHUNK: usize = 20_000;
    let product_columns = [
        "id",
        "seller_id",
        "category_id",
        "name",
        "name_en",
        "description",
        "price_minor",
        "currency",
        "price_hundredths",
        "stock_quantity",
        "images",
        "status",
        "created_at",
        "updated_at",
    ];
    for from in (1..=args.products as i64).step_by(CHUNK) {
        let to = (from + CHUNK as i64 - 1).min(args.products as i64);
        let mut tx = ctx.db.begin().await?;
        let rows: Vec<Vec<V>> = (from..=to)
            .map(|id| {
                let p = cat.product(id);
                let at = now - Duration::days(730) + Duration::minutes(id * 7 % (730 * 1440));
                vec![
                    V::I(id),
                    V::I(p.seller),
                    V::OptI(Some(p.category)),
                    V::T(p.name),
                    V::OptT(Some(p.name_en)),
                    V::OptT(Some(p.description)),
                    V::I(p.price_minor),
                    V::T(p.currency.into()),
                    V::I(p.hundredths),
                    V::I(p.stock),
                    V::T(format!(
                        "[\"https://images.bench.ondol.dev/products/{id}.jpg\"]"
                    )),
                    V::T(p.status.as_str().into()),
                    V::At(at),
                    V::At(at),
                ]
            })
            .collect();
        insert(&mut tx, "products", &product_columns, &rows).await?;
        tx.commit().await?;
    }
    eprintln!(
        "  {} products ({:.0} s)",
        args.products,
        started.elapsed().as_secs_f64()
    );

    // Orders, over the days before today (today's numbers start at 1 as usual).
    let days = data::ORDER_DAYS;
    let first_day = now.date_naive() - Duration::days(days);
    let n = args.orders as i64;
    let first_of_day = |d: i64| (d * n + days - 1) / days;
    let order_columns = [
        "id",
        "order_number",
        "buyer_id",
        "status",
        "currency",
        "total_minor",
        "shipping_address",
        "language",
        "created_at",
        "updated_at",
        "paid_at",
        "cancelled_at",
    ];
    let item_columns = [
        "id",
        "order_id",
        "product_id",
        "seller_id",
        "product_name",
        "unit_price_minor",
        "quantity",
    ];
    let mut item_id = 0i64;
    for from in (0..n).step_by(CHUNK) {
        let to = (from + CHUNK as i64).min(n);
        let mut orders = Vec::with_capacity(CHUNK);
        let mut items = Vec::with_capacity(CHUNK * 2);
        for j in from..to {
            let d = j * days / n;
            let in_day = j - first_of_day(d);
            let per_day = first_of_day(d + 1) - first_of_day(d);
            let day: NaiveDate = first_day + Duration::days(d);
            let at = day.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc()
                + Duration::seconds(in_day * 86_400 / per_day.max(1));
            let mut rng = Rng::new(args.seed ^ 0x6f72_6465 ^ (j as u64).wrapping_mul(0x9e37));
            let id = j + 1;
            let buyer = 2 + args.sellers as i64 + rng.below(args.buyers as u64) as i64;
            let mut total = 0;
            let mut lines: Vec<i64> = Vec::new();
            for _ in 0..1 + rng.below(3) {
                let product = cat.won_product(&mut rng);
                if lines.contains(&product) {
                    continue;
                }
                lines.push(product);
                let p = cat.product(product);
                let quantity = 1 + rng.below(3) as i64;
                total += p.price_minor * quantity;
                item_id += 1;
                items.push(vec![
                    V::I(item_id),
                    V::I(id),
                    V::I(product),
                    V::I(p.seller),
                    V::T(p.name),
                    V::I(p.price_minor),
                    V::I(quantity),
                ]);
            }
            let status = data::order_status(&mut rng);
            let paid = matches!(
                status,
                OrderStatus::Paid | OrderStatus::Shipped | OrderStatus::Delivered
            );
            let address = ShippingAddress {
                recipient: format!("구매자 {buyer}"),
                phone: "010-1234-5678".into(),
                line1: format!("서울특별시 강남구 테헤란로 {}", 1 + rng.below(500)),
                line2: None,
                city: "서울".into(),
                postal_code: "06234".into(),
                country: "KR".into(),
            };
            orders.push(vec![
                V::I(id),
                V::T(shop::order_number(day, in_day + 1)),
                V::I(buyer),
                V::T(status.as_str().into()),
                V::T("KRW".into()),
                V::I(total),
                V::T(serde_json::to_string(&address)?),
                V::T("ko".into()),
                V::At(at),
                V::At(
                    at + Duration::minutes(if status == OrderStatus::Pending {
                        0
                    } else {
                        90
                    }),
                ),
                V::OptAt(paid.then(|| at + Duration::minutes(5))),
                V::OptAt((status == OrderStatus::Cancelled).then(|| at + Duration::minutes(30))),
            ]);
        }
        let mut tx = ctx.db.begin().await?;
        insert(&mut tx, "orders", &order_columns, &orders).await?;
        insert(&mut tx, "order_items", &item_columns, &items).await?;
        tx.commit().await?;
        eprintln!(
            "  orders: {to}/{n} ({:.0} s)",
            started.elapsed().as_secs_f64()
        );
    }
    let mut tx = ctx.db.begin().await?;
    let counters: Vec<Vec<V>> = (0..days)
        .filter(|d| first_of_day(d + 1) > first_of_day(*d))
        .map(|d| {
            vec![
                V::T(shop::day_key(first_day + Duration::days(d))),
                V::I(first_of_day(d + 1) - first_of_day(d)),
            ]
        })
        .collect();
    insert(&mut tx, "order_days", &["day", "last_number"], &counters).await?;
    tx.commit().await?;

    crate::bulk::settle(
        &ctx.db,
        &["users", "categories", "products", "orders", "order_items"],
    )
    .await?;
    println!(
        "{total_users} users, {} products, {n} orders, {item_id} order lines stored in {:.0} s ({})",
        args.products,
        started.elapsed().as_secs_f64(),
        ctx.db.engine()
    );
    ctx.db.close().await;
    Ok(())
}
