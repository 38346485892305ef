//! `ondol import delivery orders FILE.csv`: real orders, or another
//! implementation's export, loaded so anyone can compare on their own data.
//!
//! The columns are the seed's order fields (IV §4.1) by name, in any order,
//! with a header line; times are naive local times in the configured zone (as
//! the API writes them). Required: `order_no, type, department, warehouse, sla,
//! eta, postal_code, address, customer`; `status` defaults to `WAITING` and
//! `create_time` to now; `city, county, district, distance, duration_time`
//! come from the postal-code table when absent or empty. `dashboard_id`,
//! `region`, `updated_at` and `remarks` (what an export carries) are ignored;
//! any other column is an error, so a misspelt one is not silently dropped.
//!
//! Idempotent: an order with the same `(order_no, type, department)` — the
//! store's unique key — is updated, so loading a file twice changes nothing.
//! All or nothing: every line is checked before anything is written, and the
//! write is one transaction, stamped on the change counter like any change,
//! so running servers see the imported orders on their next list.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use platform::db::Db;

use crate::model::{Department, OrderType, Status, Warehouse};
use crate::service::orders::normalize_postal_code;
use crate::store::orders::NewOrder;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("orders CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("orders CSV: no {0} column")]
    MissingColumn(&'static str),
    #[error("orders CSV: unknown column {0:?}")]
    UnknownColumn(String),
    #[error("orders CSV line {line}: {reason}")]
    Line { line: u64, reason: String },
    #[error("orders CSV: {0}")]
    Database(#[from] sqlx::Error),
}

const REQUIRED: [&str; 9] = [
    "order_no",
    "type",
    "department",
    "warehouse",
    "sla",
    "eta",
    "postal_code",
    "address",
    "customer",
];
const OPTIONAL: [&str; 13] = [
    "status",
    "create_time",
    "depart_time",
    "complete_time",
    "city",
    "county",
    "district",
    "distance",
    "duration_time",
    "contact",
    "driver_name",
    "driver_contact",
    "created_by",
];
const IGNORED: [&str; 4] = ["dashboard_id", "region", "updated_at", "remarks"];

/// One parsed line: the order, and whether its place is still to be looked up.
#[derive(Debug)]
pub struct Line {
    pub line: u64,
    pub order: NewOrder,
    pub needs_place: bool,
}

/// Checks every line; a repeated key keeps its last line.
pub fn parse(text: &str, tz: Tz, now: DateTime<Utc>) -> Result<Vec<Line>, ImportError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header = reader.headers()?.clone();
    let mut at: HashMap<&str, usize> = HashMap::new();
    for (i, name) in header.iter().enumerate() {
        match REQUIRED.iter().chain(OPTIONAL.iter()).find(|c| **c == name) {
            Some(c) => {
                at.insert(c, i);
            }
            None if IGNORED.contains(&name) => {}
            None => return Err(ImportError::UnknownColumn(name.to_owned())),
        }
    }
    if let Some(missing) = REQUIRED.iter().find(|c| !at.contains_key(*c)) {
        return Err(ImportError::MissingColumn(missing));
    }
    let mut out: Vec<Line> = Vec::new();
    let mut seen: HashMap<(String, OrderType, Department), usize> = HashMap::new();
    for record in reader.records() {
        let record = record?;
        let line = record.position().map_or(0, |p| p.line());
        let fail = |reason: String| ImportError::Line { line, reason };
        let get = |c: &str| {
            at.get(c)
                .and_then(|&i| record.get(i))
                .filter(|v| !v.is_empty())
        };
        let need = |c: &'static str| get(c).ok_or_else(|| fail(format!("{c} is empty")));
        let time = |c: &'static str| -> Result<Option<DateTime<Utc>>, ImportError> {
            get(c)
                .map(|v| {
                    platform::time::parse_local(v, tz)
                        .ok_or_else(|| fail(format!("{c} is not a time: {v:?}")))
                })
                .transpose()
        };
        let int = |c: &'static str| -> Result<Option<i32>, ImportError> {
            get(c)
                .map(|v| {
                    v.parse()
                        .map_err(|_| fail(format!("{c} is not an integer: {v:?}")))
                })
                .transpose()
        };
        let text = |c: &'static str, max: usize| -> Result<Option<String>, ImportError> {
            match get(c) {
                Some(v) if v.chars().count() > max => {
                    Err(fail(format!("{c} is longer than {max} characters")))
                }
                v => Ok(v.map(str::to_owned)),
            }
        };
        let parse_enum = |c: &'static str| need(c).map(str::to_owned);
        let order_type: OrderType = parse_enum("type")?.parse().map_err(fail)?;
        let department: Department = parse_enum("department")?.parse().map_err(fail)?;
        let warehouse: Warehouse = parse_enum("warehouse")?.parse().map_err(fail)?;
        let status: Status = match get("status") {
            Some(s) => s.parse().map_err(fail)?,
            None => Status::Waiting,
        };
        let code = need("postal_code")?;
        let postal_code = normalize_postal_code(code)
            .ok_or_else(|| fail(format!("postal_code is not 4-5 digits: {code:?}")))?;
        let eta = time("eta")?.ok_or_else(|| fail("eta is empty".into()))?;
        let (city, county, district) = (
            text("city", 50)?,
            text("county", 50)?,
            text("district", 50)?,
        );
        let needs_place = city.is_none() || county.is_none() || district.is_none();
        let order = NewOrder {
            order_no: text("order_no", 50)?.ok_or_else(|| fail("order_no is empty".into()))?,
            order_type,
            status,
            department,
            warehouse,
            sla: text("sla", 50)?.ok_or_else(|| fail("sla is empty".into()))?,
            eta,
            create_time: time("create_time")?.unwrap_or(now),
            depart_time: time("depart_time")?,
            complete_time: time("complete_time")?,
            postal_code,
            city: city.unwrap_or_default(),
            county: county.unwrap_or_default(),
            district: district.unwrap_or_default(),
            distance: int("distance")?,
            duration_time: int("duration_time")?,
            address: text("address", 500)?.ok_or_else(|| fail("address is empty".into()))?,
            customer: text("customer", 100)?.ok_or_else(|| fail("customer is empty".into()))?,
            contact: text("contact", 30)?,
            driver_name: text("driver_name", 50)?,
            driver_contact: text("driver_contact", 30)?,
            created_by: text("created_by", 50)?,
        };
        let key = (order.order_no.clone(), order_type, department);
        let parsed = Line {
            line,
            order,
            needs_place,
        };
        match seen.get(&key) {
            Some(&i) => out[i] = parsed,
            None => {
                seen.insert(key, out.len());
                out.push(parsed);
            }
        }
    }
    Ok(out)
}

/// Parses `text`, fills places from the postal-code table, and writes every
/// order in one transaction; returns how many orders were written.
pub async fn orders(db: &Db, tz: Tz, text: &str) -> Result<usize, ImportError> {
    let lines = parse(text, tz, Utc::now())?;
    let mut places = HashMap::new();
    let mut orders = Vec::with_capacity(lines.len());
    for Line {
        line,
        mut order,
        needs_place,
    } in lines
    {
        if needs_place || order.distance.is_none() || order.duration_time.is_none() {
            let key = (order.postal_code.clone(), order.warehouse);
            if !places.contains_key(&key) {
                let place =
                    crate::store::postal::lookup(db, &order.postal_code, order.warehouse).await?;
                places.insert(key.clone(), place);
            }
            let Some(place) = &places[&key] else {
                return Err(ImportError::Line {
                    line,
                    reason: format!(
                        "postal_code {} is not in the postal-code table (import it first)",
                        order.postal_code
                    ),
                });
            };
            if needs_place {
                order.city = place.city.clone();
                order.county = place.county.clone();
                order.district = place.district.clone();
            }
            order.distance = order.distance.or(place.distance);
            order.duration_time = order.duration_time.or(place.duration_time);
        }
        orders.push(order);
    }
    let mut tx = db.begin().await?;
    let ids = crate::store::orders::upsert_many(&mut tx, &orders).await?;
    crate::store::changes::stamp(&mut tx, &ids).await?;
    tx.commit().await?;
    Ok(ids.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TZ: Tz = chrono_tz::Asia::Seoul;

    fn parsed(text: &str) -> Result<Vec<Line>, ImportError> {
        parse(text, TZ, Utc::now())
    }

    #[test]
    fn a_full_line_and_a_minimal_line_parse() {
        let lines = parsed(
            "dashboard_id,order_no,type,status,department,warehouse,sla,eta,create_time,postal_code,city,county,district,region,address,customer,contact,driver_name\n\
             7,A-1,DELIVERY,COMPLETE,CS,SEOUL,당일,2026-11-20T14:30:00,2026-11-19 09:00:00,6234,서울특별시,강남구,역삼동,x,\"테헤란로 1, 2층\",김하늘,010-1,이기사\n\
             8,A-2,RETURN,,HES,BUSAN,익일,2026-11-21T08:00,,06234,,,,,주소,박,,\n",
        )
        .unwrap();
        assert_eq!(lines.len(), 2);
        let a = &lines[0].order;
        assert_eq!(a.postal_code, "06234");
        assert_eq!(a.address, "테헤란로 1, 2층");
        assert_eq!(a.status, Status::Complete);
        assert_eq!(a.eta.to_rfc3339(), "2026-11-20T05:30:00+00:00");
        assert!(!lines[0].needs_place);
        let b = &lines[1];
        assert_eq!(b.order.status, Status::Waiting);
        assert!(b.needs_place);
        assert_eq!(b.order.contact, None);
    }

    #[test]
    fn a_repeated_key_keeps_the_last_line() {
        let lines = parsed(
            "order_no,type,department,warehouse,sla,eta,postal_code,address,customer\n\
             A,DELIVERY,CS,SEOUL,당일,2026-11-20T14:30:00,06234,a,first\n\
             A,RETURN,CS,SEOUL,당일,2026-11-20T14:30:00,06234,a,other type\n\
             A,DELIVERY,CS,SEOUL,당일,2026-11-20T14:30:00,06234,a,second\n",
        )
        .unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].order.customer, "second");
    }

    #[test]
    fn bad_input_names_the_line_or_column() {
        let head = "order_no,type,department,warehouse,sla,eta,postal_code,address,customer\n";
        for (body, want) in [
            (
                "A,PARCEL,CS,SEOUL,s,2026-11-20T14:30:00,06234,a,c\n",
                "line 2",
            ),
            (
                "A,DELIVERY,CS,SEOUL,s,tomorrow,06234,a,c\n",
                "eta is not a time",
            ),
            (
                "A,DELIVERY,CS,SEOUL,s,2026-11-20T14:30:00,123,a,c\n",
                "postal_code",
            ),
            (
                "A,DELIVERY,CS,SEOUL,s,2026-11-20T14:30:00,06234,a,\n",
                "customer is empty",
            ),
        ] {
            let e = parsed(&format!("{head}{body}")).unwrap_err().to_string();
            assert!(e.contains(want), "{body}: {e}");
        }
        let e = parsed(
            "order_no,type,department,warehouse,sla,eta,postal_code,address,customer,colour\n",
        )
        .unwrap_err();
        assert!(matches!(e, ImportError::UnknownColumn(c) if c == "colour"));
        let e = parsed("order_no,type\n").unwrap_err();
        assert!(matches!(e, ImportError::MissingColumn("department")));
    }
}
