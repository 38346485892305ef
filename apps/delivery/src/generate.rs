//! Deterministic order generator: demo data and benchmark data come from here, so a
//! benchmark run can be reproduced exactly from its seed.

use chrono::{DateTime, Duration, Utc};

use crate::model::{Department, OrderType, Status, Warehouse};
pub use crate::store::orders::NewOrder;
pub use crate::store::postal::PostalEntry;

/// The postal-code sample bundled with the binary (see `data/postal_codes.csv`).
pub const BUNDLED_POSTAL_CODES: &str = include_str!("../data/postal_codes.csv");

#[derive(Debug, thiserror::Error)]
#[error("postal-code CSV line {line}: {reason}")]
pub struct CsvError {
    pub line: usize,
    pub reason: String,
}

/// Parses `postal_code,city,county,district,warehouse,distance,duration_time` lines
/// (a header line is skipped; a 4-digit code is left-padded).
pub fn parse_postal_csv(text: &str) -> Result<Vec<PostalEntry>, CsvError> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim().trim_start_matches('\u{feff}');
        if line.is_empty() || (i == 0 && line.starts_with("postal_code")) {
            continue;
        }
        let err = |reason: &str| CsvError {
            line: i + 1,
            reason: reason.to_owned(),
        };
        let f: Vec<&str> = line.split(',').map(str::trim).collect();
        if f.len() != 7 {
            return Err(err("expected 7 comma-separated fields"));
        }
        let postal_code = crate::service::orders::normalize_postal_code(f[0])
            .ok_or_else(|| err("postal code is not 4-5 digits"))?;
        if f[1].is_empty() || f[2].is_empty() || f[3].is_empty() {
            return Err(err("city, county and district are required"));
        }
        out.push(PostalEntry {
            postal_code,
            city: f[1].to_owned(),
            county: f[2].to_owned(),
            district: f[3].to_owned(),
            warehouse: f[4].parse().map_err(|e: String| err(&e))?,
            distance: f[5]
                .parse()
                .map_err(|_| err("distance is not an integer"))?,
            duration_time: f[6]
                .parse()
                .map_err(|_| err("duration_time is not an integer"))?,
        });
    }
    Ok(out)
}

/// SplitMix64: tiny, fast, and the same sequence everywhere.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const SURNAMES: [&str; 12] = [
    "김", "이", "박", "최", "정", "강", "조", "윤", "장", "임", "한", "오",
];
const GIVEN: [&str; 16] = [
    "민준", "서연", "도윤", "하은", "시우", "지우", "주원", "서현", "예준", "수아", "지호", "지민",
    "현우", "채원", "건우", "유진",
];
const SLAS: [&str; 4] = ["당일", "익일", "2일", "예약"];

fn person(rng: &mut Rng) -> String {
    format!("{}{}", rng.pick(&SURNAMES), rng.pick(&GIVEN))
}

fn phone(rng: &mut Rng) -> String {
    format!("010-{:04}-{:04}", rng.below(10_000), rng.below(10_000))
}

/// What to generate: `count` orders with ETAs spread evenly over `[start, end)`.
pub struct Spec<'a> {
    pub count: usize,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub now: DateTime<Utc>,
    pub seed: u64,
    pub postal: &'a [PostalEntry],
    /// Order numbers are `{prefix}{n:08}`: unique per run.
    pub prefix: &'a str,
    pub created_by: &'a str,
}

/// Generates orders whose status and times are consistent with `now`: past ETAs are
/// mostly complete, future ones waiting or on the way.
pub fn orders(spec: &Spec<'_>) -> Vec<NewOrder> {
    let mut rng = Rng::new(spec.seed);
    let span = (spec.end - spec.start).num_seconds().max(1) as u64;
    (0..spec.count)
        .map(|n| {
            let place = rng.pick(spec.postal);
            let eta = spec.start + Duration::seconds(rng.below(span) as i64);
            // Created up to three days before the ETA; an order due later than
            // that was created in the three days before now (never all at `now`,
            // which would make one hour of the statistics spike).
            let lead = Duration::minutes(30 + rng.below(72 * 60) as i64);
            let create_time = if eta - lead <= spec.now {
                eta - lead
            } else {
                spec.now - lead
            };
            let roll = rng.below(100);
            let status = if eta < spec.now {
                match roll {
                    0..70 => Status::Complete,
                    70..78 => Status::Issue,
                    78..85 => Status::Cancel,
                    85..95 => Status::InProgress,
                    _ => Status::Waiting,
                }
            } else {
                match roll {
                    0..60 => Status::Waiting,
                    60..95 => Status::InProgress,
                    _ => Status::Cancel,
                }
            };
            let duration = Duration::minutes(place.duration_time as i64);
            let depart_time = matches!(
                status,
                Status::InProgress | Status::Complete | Status::Issue
            )
            .then(|| {
                (eta - duration - Duration::minutes(rng.below(60) as i64))
                    .max(create_time)
                    .min(spec.now)
            });
            let complete_time = matches!(status, Status::Complete | Status::Issue).then(|| {
                (eta + Duration::minutes(rng.below(90) as i64) - Duration::minutes(45))
                    .min(spec.now)
            });
            let has_driver = depart_time.is_some() || rng.below(3) == 0;
            NewOrder {
                order_no: format!("{}{:08}", spec.prefix, n + 1),
                order_type: if rng.below(5) == 0 {
                    OrderType::Return
                } else {
                    OrderType::Delivery
                },
                status,
                department: *rng.pick(Department::ALL),
                warehouse: place.warehouse,
                sla: rng.pick(&SLAS).to_string(),
                eta,
                create_time,
                depart_time,
                complete_time,
                postal_code: place.postal_code.clone(),
                city: place.city.clone(),
                county: place.county.clone(),
                district: place.district.clone(),
                distance: Some(place.distance),
                duration_time: Some(place.duration_time),
                address: format!(
                    "{} {}길 {}",
                    place.district,
                    1 + rng.below(40),
                    1 + rng.below(200)
                ),
                customer: person(&mut rng),
                contact: Some(phone(&mut rng)),
                driver_name: has_driver.then(|| person(&mut rng)),
                driver_contact: has_driver.then(|| phone(&mut rng)),
                created_by: Some(spec.created_by.to_owned()),
            }
        })
        .collect()
}

/// The warehouse an entry belongs to; used to keep lookups consistent.
pub fn warehouses(entries: &[PostalEntry]) -> Vec<Warehouse> {
    let mut w: Vec<Warehouse> = entries.iter().map(|e| e.warehouse).collect();
    w.sort();
    w.dedup();
    w
}

/// Stores generated orders in one transaction (demo data, benchmarks); returns how
/// many orders the database holds after.
pub async fn store(db: &platform::db::Db, orders: &[NewOrder]) -> Result<i64, sqlx::Error> {
    let mut tx = db.begin().await?;
    let ids = crate::store::orders::insert_many(&mut tx, orders).await?;
    crate::store::changes::stamp(&mut tx, &ids).await?;
    tx.commit().await?;
    crate::store::orders::count(db).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_csv_parses_and_covers_every_warehouse() {
        let entries = parse_postal_csv(BUNDLED_POSTAL_CODES).unwrap();
        assert!(entries.len() >= 200);
        assert_eq!(warehouses(&entries), Warehouse::ALL.to_vec());
    }

    #[test]
    fn bad_csv_names_the_line() {
        let err = parse_postal_csv("postal_code,city,county,district,warehouse,distance,duration_time\n1234,a,b,c,MARS,1,2\n")
            .unwrap_err();
        assert_eq!(err.line, 2);
    }

    #[test]
    fn generation_is_deterministic_and_consistent() {
        let postal = parse_postal_csv(BUNDLED_POSTAL_CODES).unwrap();
        let now = Utc::now();
        let spec = Spec {
            count: 500,
            start: now - Duration::days(30),
            end: now + Duration::days(7),
            now,
            seed: 7,
            postal: &postal,
            prefix: "T",
            created_by: "gen",
        };
        let a = orders(&spec);
        let b = orders(&spec);
        assert_eq!(a.len(), 500);
        assert!(
            a.iter()
                .zip(&b)
                .all(|(x, y)| x.order_no == y.order_no && x.eta == y.eta && x.status == y.status)
        );
        let at_now = a.iter().filter(|o| o.create_time == now).count();
        assert!(at_now <= 1, "{at_now} orders created at the load time");
        for o in &a {
            assert!(o.create_time <= now);
            if o.status == Status::Waiting {
                assert!(o.depart_time.is_none() && o.complete_time.is_none());
            }
            if o.status == Status::Complete {
                assert!(o.complete_time.is_some());
            }
        }
    }
}
