//! `serve --demo`: an admin, two sellers, two buyers, a category tree, 63
//! products with pictures (a few drafts, a few priced in dollars, some sold out)
//! and orders in every state.

mod png;

use chrono::{Duration, Utc};
use platform::DemoLogin;
use platform::app::{AppContext, BoxError};
use platform::on_pool;

use crate::model::{OrderStatus, ProductStatus, Role};
use crate::money::{Amount, Currency, Money};
use crate::service::Service;
use crate::service::orders::{AddressInput, ItemInput, OrderInput, PaymentOutcome};
use crate::service::products::Caller;
use crate::store;
use crate::store::products::{Filter, Order, ProductFields};

pub const DEMO_PASSWORD: &str = "demo1234!";

/// (email, name, role)
const USERS: [(&str, &str, Role); 5] = [
    ("admin@demo.ondol.dev", "운영자", Role::Admin),
    ("seller1@demo.ondol.dev", "온돌상회", Role::Seller),
    ("seller2@demo.ondol.dev", "Maru Goods", Role::Seller),
    ("buyer1@demo.ondol.dev", "김지우", Role::Buyer),
    ("buyer2@demo.ondol.dev", "Alex Park", Role::Buyer),
];

/// Roots and their children.
const CATEGORIES: [(&str, &[&str]); 3] = [
    ("전자제품", &["노트북", "스마트폰", "액세서리"]),
    ("생활용품", &["주방", "욕실"]),
    ("도서", &["소설", "IT"]),
];

/// (name, English name, price in won); each comes in three editions.
const PRODUCTS: [(&str, &str, i64); 21] = [
    ("울트라북 14", "Ultrabook 14", 1_290_000),
    ("게이밍 노트북", "Gaming laptop", 1_890_000),
    ("태블릿 11", "Tablet 11", 590_000),
    ("스마트폰 S", "Smartphone S", 990_000),
    ("폴더블폰", "Foldable phone", 1_790_000),
    ("보급형 스마트폰", "Budget smartphone", 290_000),
    ("무선 이어폰", "Wireless earbuds", 159_000),
    ("기계식 키보드", "Mechanical keyboard", 129_000),
    ("무선 마우스", "Wireless mouse", 39_000),
    ("무쇠 프라이팬", "Cast-iron pan", 49_000),
    ("전기 주전자", "Electric kettle", 35_000),
    ("도마 세트", "Cutting board set", 27_000),
    ("호텔 수건", "Hotel towel", 12_000),
    ("욕실 매트", "Bath mat", 19_000),
    ("칫솔 살균기", "Toothbrush sanitizer", 45_000),
    ("장편소설 세트", "Novel box set", 54_000),
    ("단편집", "Short stories", 14_000),
    ("시집", "Poems", 11_000),
    ("러스트 프로그래밍", "Programming Rust", 48_000),
    ("데이터베이스 입문", "Databases, an introduction", 32_000),
    ("웹 서버 설계", "Designing web servers", 36_000),
];

/// (background, accent) of the pictures.
const COLOURS: [([u8; 3], [u8; 3]); 7] = [
    ([232, 238, 247], [47, 91, 234]),
    ([247, 236, 226], [214, 96, 44]),
    ([230, 244, 236], [31, 138, 76]),
    ([244, 232, 244], [150, 60, 160]),
    ([250, 244, 220], [196, 150, 20]),
    ([228, 242, 246], [20, 130, 160]),
    ([240, 240, 240], [60, 60, 60]),
];

fn edition_en(edition: &str) -> &'static str {
    match edition {
        " 프로" => " Pro",
        " 미니" => " Mini",
        _ => "",
    }
}

async fn count_users(ctx: &AppContext) -> Result<i64, sqlx::Error> {
    on_pool!(ctx.db.reader(), |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM users"
    )
    .fetch_one(p)
    .await)
}

pub async fn seed(ctx: &AppContext, svc: Service) -> Result<Vec<DemoLogin>, BoxError> {
    let logins = USERS
        .iter()
        .map(|(email, _, role)| DemoLogin {
            login: (*email).into(),
            password: DEMO_PASSWORD.into(),
            role: role.to_string(),
        })
        .collect();
    if count_users(ctx).await? > 0 {
        // Not empty: never touch real data.
        return Ok(logins);
    }
    let hash = ctx.passwords.hash(DEMO_PASSWORD).await?;
    let started = Utc::now() - Duration::days(30);
    // Demo accounts are not welcomed by mail.
    let mut tx = ctx.db.begin().await?;
    for (i, (email, name, role)) in USERS.iter().enumerate() {
        let at = started + Duration::hours(i as i64);
        store::users::insert(&mut tx, email, &hash, name, *role, at).await?;
    }
    tx.commit().await?;
    let mut leaves = Vec::new();
    for (root, children) in CATEGORIES {
        let parent = store::categories::insert(&ctx.db, root, None, started).await?;
        for child in children {
            let c = store::categories::insert(&ctx.db, child, Some(parent.id), started).await?;
            leaves.push((c.id, *child));
        }
    }
    let sellers = [
        store::users::by_email(&ctx.db, USERS[1].0).await?,
        store::users::by_email(&ctx.db, USERS[2].0).await?,
    ];
    let origin = format!(
        "http://localhost:{}",
        ctx.platform.port.unwrap_or(crate::MANIFEST.default_port)
    );
    for (i, (name, name_en, won)) in PRODUCTS.iter().enumerate() {
        // One picture for the three editions, in its category's colours.
        let (background, accent) = COLOURS[i % COLOURS.len()];
        let picture = svc
            .uploads
            .put(
                &format!("products/demo/{i:02}.png"),
                "image/png",
                &png::picture(240, background, accent),
                "demo",
                &origin,
            )
            .await?;
        for (e, (edition, percent)) in [("", 100), (" 프로", 150), (" 미니", 70)]
            .iter()
            .enumerate()
        {
            let n = i * 3 + e;
            let (category, _) = leaves[i % leaves.len()];
            let seller = sellers[n % 2].as_ref().ok_or("demo seller missing")?;
            let won = won * percent / 100 / 100 * 100;
            let price = if n % 7 == 3 {
                // A few priced in dollars, as an importer would (about 1,300 won).
                Money::new(
                    Amount::from_hundredths(won * 100 / 1300 / 100 * 100 + 99),
                    Currency::Usd,
                )?
            } else {
                Money::new(Amount::from_hundredths(won * 100), Currency::Krw)?
            };
            let fields = ProductFields {
                category_id: Some(category),
                name: format!("{name}{edition}"),
                name_en: Some(format!("{name_en}{}", edition_en(edition))),
                description: Some(format!("{name}{edition}: 데모 상품입니다.")),
                price,
                stock_quantity: (n as i64 * 7) % 40,
                images: vec![picture.clone()],
                status: if n % 11 == 5 {
                    ProductStatus::Draft
                } else {
                    ProductStatus::Published
                },
            };
            let at = started + Duration::hours(6 + n as i64 * 5);
            store::products::insert(&ctx.db, seller.id, &fields, at).await?;
        }
    }
    orders(ctx, &svc).await?;
    Ok(logins)
}

/// Orders by both buyers, moved through the workflow as payments and sellers
/// would move them, so that every status is on show.
async fn orders(ctx: &AppContext, svc: &Service) -> Result<(), BoxError> {
    let user = |email: &'static str| async move {
        let row = store::users::by_email(&ctx.db, email)
            .await?
            .ok_or("demo user missing")?;
        Ok::<_, BoxError>(Caller {
            id: row.id,
            role: row.role,
        })
    };
    let admin = user(USERS[0].0).await?;
    let buyers = [user(USERS[3].0).await?, user(USERS[4].0).await?];
    let lang = platform::texts::KO;
    let (on_sale, _) =
        store::products::published(&ctx.db, &Filter::default(), Order::Newest, 100, 0).await?;
    let in_won: Vec<_> = on_sale
        .iter()
        .filter(|p| p.currency == Currency::Krw && p.stock_quantity >= 5)
        .collect();
    let address = |recipient: &str| AddressInput {
        recipient: Some(recipient.into()),
        phone: Some("010-1234-5678".into()),
        line1: Some("서울특별시 종로구 세종대로 175".into()),
        line2: Some("3층".into()),
        city: Some("서울".into()),
        postal_code: Some("03172".into()),
        country: Some("KR".into()),
    };
    // (buyer, where the order ends)
    let plan = [
        (0, OrderStatus::Delivered),
        (0, OrderStatus::Shipped),
        (0, OrderStatus::Paid),
        (0, OrderStatus::Pending),
        (1, OrderStatus::Cancelled),
        (1, OrderStatus::PaymentFailed),
        (1, OrderStatus::Paid),
        (1, OrderStatus::Pending),
    ];
    for (i, (buyer, end)) in plan.into_iter().enumerate() {
        let product = in_won
            .get(i * 3 % in_won.len().max(1))
            .ok_or("no demo product in stock")?;
        let input = OrderInput {
            items: Some(vec![ItemInput {
                product_id: Some(product.id),
                quantity: Some(1 + i as i64 % 2),
            }]),
            shipping_address: Some(address(if buyer == 0 { "김구매" } else { "이구매" })),
        };
        let order = svc.place_order(lang, buyers[buyer], input).await?;
        let id = order.row.id;
        let pay = |outcome| async move {
            let mut tx = ctx.db.begin().await?;
            svc.apply_payment(&mut tx, id, outcome).await?;
            tx.commit().await?;
            Ok::<_, BoxError>(())
        };
        match end {
            OrderStatus::Pending => {}
            OrderStatus::Cancelled => {
                svc.cancel_order(lang, buyers[buyer], id).await?;
            }
            OrderStatus::PaymentFailed => pay(PaymentOutcome::Failed).await?,
            OrderStatus::Paid => pay(PaymentOutcome::Succeeded).await?,
            OrderStatus::Shipped | OrderStatus::Delivered => {
                pay(PaymentOutcome::Succeeded).await?;
                svc.fulfil_order(lang, admin, id, Some(OrderStatus::Shipped))
                    .await?;
                if end == OrderStatus::Delivered {
                    svc.fulfil_order(lang, admin, id, Some(OrderStatus::Delivered))
                        .await?;
                }
            }
        }
    }
    Ok(())
}
