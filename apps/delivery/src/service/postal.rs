//! Finding a postal code: operators type part of a code, city, county or district
//! and pick one (the order form needs a code the table knows).

use std::collections::BTreeMap;

use platform::ApiError;
use serde::Serialize;

use super::Service;
use crate::store;

/// The most codes one lookup answers.
pub const LIMIT_MAX: i64 = 50;
pub const LIMIT_DEFAULT: i64 = 20;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Distance {
    /// Kilometres from the warehouse.
    pub distance: i32,
    /// Minutes from the warehouse.
    pub duration_time: i32,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PostalCode {
    #[schema(example = "06234")]
    pub postal_code: String,
    pub city: String,
    pub county: String,
    pub district: String,
    /// By warehouse (`SEOUL`, `BUSAN`, `GWANGJU`, `DAEJEON`).
    pub distances: BTreeMap<String, Distance>,
}

impl Service {
    pub async fn postal_codes(
        &self,
        q: &str,
        limit: Option<i64>,
    ) -> Result<Vec<PostalCode>, ApiError> {
        let q = platform::text::trim(q);
        if q.is_empty() || q.chars().count() > 50 {
            return Err(ApiError::field("q", "1~50자의 검색어가 필요합니다"));
        }
        let limit = limit.unwrap_or(LIMIT_DEFAULT);
        if !(1..=LIMIT_MAX).contains(&limit) {
            return Err(ApiError::field(
                "limit",
                format!("1~{LIMIT_MAX} 사이여야 합니다"),
            ));
        }
        let mut out: Vec<PostalCode> = Vec::new();
        for row in store::postal::search(&self.db, q, limit).await? {
            if out.last().is_none_or(|p| p.postal_code != row.postal_code) {
                out.push(PostalCode {
                    postal_code: row.postal_code.clone(),
                    city: row.city,
                    county: row.county,
                    district: row.district,
                    distances: BTreeMap::new(),
                });
            }
            if let (Some(warehouse), Some(distance), Some(duration_time), Some(code)) = (
                row.warehouse,
                row.distance,
                row.duration_time,
                out.last_mut(),
            ) {
                code.distances.insert(
                    warehouse,
                    Distance {
                        distance,
                        duration_time,
                    },
                );
            }
        }
        Ok(out)
    }
}
