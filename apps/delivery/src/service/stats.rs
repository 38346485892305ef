//! Statistics (seed II §2.4), by creation time in the configured zone. Every enum
//! key is present, zeros included, so charts never miss a series.

use std::collections::BTreeMap;

use chrono::Timelike;
use platform::ApiError;
use serde::Serialize;

use super::Service;
use crate::model::{Department, Status};
use crate::store;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DepartmentStatus {
    pub total: i64,
    pub by_status: BTreeMap<&'static str, i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeliveryStatus {
    pub total: i64,
    pub by_status: BTreeMap<&'static str, i64>,
    pub by_department: BTreeMap<&'static str, DepartmentStatus>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HourlyOrders {
    pub total: i64,
    /// Orders received in each hour 0-23.
    #[schema(value_type = Vec<i64>)]
    pub hours: [i64; 24],
    #[schema(value_type = BTreeMap<String, Vec<i64>>)]
    pub by_department: BTreeMap<&'static str, [i64; 24]>,
}

fn zero_statuses() -> BTreeMap<&'static str, i64> {
    Status::ALL.iter().map(|s| (s.as_str(), 0)).collect()
}

impl Service {
    pub async fn delivery_status(
        &self,
        start: &str,
        end: &str,
    ) -> Result<DeliveryStatus, ApiError> {
        let (_, _, from, to) = self.day_range(start, end)?;
        let rows = store::stats::status_counts(&self.db, from, to).await?;
        let mut out = DeliveryStatus {
            total: 0,
            by_status: zero_statuses(),
            by_department: Department::ALL
                .iter()
                .map(|d| {
                    (
                        d.as_str(),
                        DepartmentStatus {
                            total: 0,
                            by_status: zero_statuses(),
                        },
                    )
                })
                .collect(),
        };
        for (department, status, n) in rows {
            let (Ok(d), Ok(s)) = (department.parse::<Department>(), status.parse::<Status>())
            else {
                continue;
            };
            out.total += n;
            *out.by_status.entry(s.as_str()).or_default() += n;
            if let Some(dep) = out.by_department.get_mut(d.as_str()) {
                dep.total += n;
                *dep.by_status.entry(s.as_str()).or_default() += n;
            }
        }
        Ok(out)
    }

    pub async fn hourly_orders(&self, start: &str, end: &str) -> Result<HourlyOrders, ApiError> {
        let (_, _, from, to) = self.day_range(start, end)?;
        let rows = store::stats::create_times(&self.db, from, to).await?;
        let mut out = HourlyOrders {
            total: 0,
            hours: [0; 24],
            by_department: Department::ALL
                .iter()
                .map(|d| (d.as_str(), [0; 24]))
                .collect(),
        };
        for (department, at) in rows {
            let hour = at.with_timezone(&self.tz).hour() as usize;
            out.total += 1;
            out.hours[hour] += 1;
            if let Ok(d) = department.parse::<Department>()
                && let Some(h) = out.by_department.get_mut(d.as_str())
            {
                h[hour] += 1;
            }
        }
        Ok(out)
    }
}
