//! What the generated shop holds, as pure functions of an id and the seed, so that
//! the generator and the scenarios agree without reading each other's state.

pub use delivery::generate::Rng;
use shop::model::{OrderStatus, ProductStatus, Role};

/// Every generated account's password.
pub const PASSWORD: &str = "bench-password-1";

/// The root categories; each has ten leaves, and products sit in the leaves.
pub const ROOTS: [&str; 10] = [
    "전자제품",
    "생활용품",
    "도서",
    "패션",
    "스포츠",
    "식품",
    "가구",
    "뷰티",
    "완구",
    "반려동물",
];
pub const LEAVES: i64 = 100;

/// Orders are spread over this many days before today.
pub const ORDER_DAYS: i64 = 500;

/// The `i`th leaf (from 0): its id and its root's id.
pub fn leaf(i: i64) -> (i64, i64) {
    (ROOTS.len() as i64 + 1 + i, 1 + i / 10)
}

/// Ids: 1 is the admin, then the sellers, then the buyers.
pub fn user(id: i64, sellers: usize) -> (String, Role) {
    if id == 1 {
        ("admin@bench.ondol.dev".into(), Role::Admin)
    } else if id <= 1 + sellers as i64 {
        (format!("seller{id}@bench.ondol.dev"), Role::Seller)
    } else {
        (format!("buyer{id}@bench.ondol.dev"), Role::Buyer)
    }
}

const NOUNS: [(&str, &str); 15] = [
    ("노트북", "Laptop"),
    ("스마트폰", "Smartphone"),
    ("이어폰", "Earbuds"),
    ("키보드", "Keyboard"),
    ("마우스", "Mouse"),
    ("프라이팬", "Frying pan"),
    ("전기 주전자", "Kettle"),
    ("수건", "Towel"),
    ("소설", "Novel"),
    ("모니터", "Monitor"),
    ("의자", "Chair"),
    ("책상", "Desk"),
    ("텀블러", "Tumbler"),
    ("가방", "Bag"),
    ("운동화", "Sneakers"),
];

const ADJECTIVES: [(&str, &str); 6] = [
    ("프리미엄", "Premium"),
    ("베이직", "Basic"),
    ("휴대용", "Portable"),
    ("무선", "Wireless"),
    ("대용량", "Large"),
    ("미니", "Mini"),
];

pub struct Product {
    pub seller: i64,
    pub category: i64,
    pub name: String,
    pub name_en: String,
    pub description: String,
    pub price_minor: i64,
    pub currency: &'static str,
    pub hundredths: i64,
    pub stock: i64,
    pub status: ProductStatus,
}

/// The generated catalogue's shape.
pub struct Catalogue {
    pub products: usize,
    pub sellers: usize,
    pub seed: u64,
}

impl Catalogue {
    /// Product `id` (1-based). One in twenty is priced in dollars; 96% are
    /// published, the rest drafts or archived.
    pub fn product(&self, id: i64) -> Product {
        let mut rng = Rng::new(self.seed ^ (id as u64).wrapping_mul(0x2545_f491_4f6c_dd1d));
        let (adj, adj_en) = ADJECTIVES[rng.below(ADJECTIVES.len() as u64) as usize];
        let (noun, noun_en) = NOUNS[rng.below(NOUNS.len() as u64) as usize];
        let model = format!("{}{:04}", (b'A' + (id % 26) as u8) as char, id % 10_000);
        let (price_minor, currency, hundredths) = if is_dollars(id) {
            let cents = 100 * (1 + rng.below(400) as i64) + 99;
            (cents, "USD", cents)
        } else {
            let won = 1_000 * (1 + rng.below(500) as i64);
            (won, "KRW", won * 100)
        };
        let status = match mix(id) % 50 {
            3 => ProductStatus::Draft,
            4 => ProductStatus::Archived,
            _ => ProductStatus::Published,
        };
        let name = format!("{adj} {noun} {model}");
        Product {
            seller: 2 + (id - 1) % self.sellers as i64,
            category: leaf((id - 1) % LEAVES).0,
            description: format!(
                "{name}: 매일 쓰기 좋은 {noun}입니다. 무료 배송, 30일 안에 반품할 수 있습니다."
            ),
            name_en: format!("{adj_en} {noun_en} {model}"),
            name,
            price_minor,
            currency,
            hundredths,
            stock: 100 + rng.below(10_000) as i64,
            status,
        }
    }

    /// A random product priced in won (orders are in one currency).
    pub fn won_product(&self, rng: &mut Rng) -> i64 {
        loop {
            let id = 1 + rng.below(self.products as u64) as i64;
            if !is_dollars(id) {
                return id;
            }
        }
    }
}

/// Currency and status follow a hash of the id, not the id itself: a plain
/// modulus would line up with the categories (also assigned by modulus) and
/// leave whole categories without a published product, or all in dollars.
fn mix(id: i64) -> u64 {
    Rng::new((id as u64).wrapping_mul(0xd1b5_4a32_d192_ed03)).next_u64()
}

fn is_dollars(id: i64) -> bool {
    mix(id) % 20 == 7
}

/// Mostly delivered, as an established shop's history is.
pub fn order_status(rng: &mut Rng) -> OrderStatus {
    match rng.below(100) {
        0..60 => OrderStatus::Delivered,
        60..70 => OrderStatus::Shipped,
        70..80 => OrderStatus::Paid,
        80..88 => OrderStatus::Cancelled,
        88..90 => OrderStatus::PaymentFailed,
        _ => OrderStatus::Pending,
    }
}
