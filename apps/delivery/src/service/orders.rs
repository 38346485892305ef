//! Orders ("dashboards"): create, read, edit, status, assignment, remarks, delete.

use chrono::{DateTime, Utc};
use platform::ApiError;
use platform::db::Tx;
use platform::time::LocalTime;
use platform::validate::{FieldErrors, Messages};
use serde::{Deserialize, Serialize};

use super::transitions::{self, Times};
use super::{Changed, Service, errors};
use crate::model::{
    Claims, Department, Detail, ListItem, LockType, OrderRow, OrderType, Remark, RemarkRow, Status,
    Warehouse, is_admin,
};
use crate::store::{self, orders::Filters, orders::NewOrder};

pub const SEARCH_LIMIT: i64 = 100;
pub const MAX_BATCH: usize = 1000;

/// A date range (`YYYY-MM-DD`, by ETA) and filters, each `ALL` (also when absent
/// or `null`) or one value.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ListRequest {
    #[schema(format = Date, example = "2026-11-01")]
    pub start_date: String,
    #[schema(format = Date, example = "2026-11-30")]
    pub end_date: String,
    #[serde(default, rename = "type")]
    #[schema(value_type = Option<String>, example = "ALL")]
    pub order_type: crate::model::Filter<OrderType>,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "ALL")]
    pub department: crate::model::Filter<Department>,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "ALL")]
    pub warehouse: crate::model::Filter<Warehouse>,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "ALL")]
    pub status: crate::model::Filter<Status>,
}

impl ListRequest {
    pub fn filters(&self) -> Filters {
        Filters {
            order_type: self.order_type,
            department: self.department,
            warehouse: self.warehouse,
            status: self.status,
        }
    }
}

/// A list's answer before it is framed: the items, either held by the
/// projection or read now, and the range of ETAs in the store.
pub struct Listing {
    pub items: Items,
    pub date_range: DateRange,
}

pub enum Items {
    Held(super::projection::Month),
    Read(Vec<ListItem>),
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DateRange {
    pub oldest_date: Option<String>,
    pub latest_date: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ListData {
    pub items: Vec<ListItem>,
    pub date_range: DateRange,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRequest {
    #[schema(min_length = 1, max_length = 50)]
    pub order_no: String,
    #[serde(rename = "type")]
    pub order_type: OrderType,
    pub department: Department,
    pub warehouse: Warehouse,
    #[schema(min_length = 1, max_length = 50)]
    pub sla: String,
    /// Local time (or with an offset), from 2000 to ten years ahead.
    #[schema(format = DateTime, example = "2026-11-22T14:30:00")]
    pub eta: String,
    /// 5 digits (4 are padded with a leading `0`), in the postal-code table.
    #[schema(pattern = "^[0-9]{4,5}$", example = "06236")]
    pub postal_code: String,
    #[schema(min_length = 1, max_length = 500)]
    pub address: String,
    #[schema(min_length = 1, max_length = 100)]
    pub customer: String,
    #[serde(default)]
    #[schema(max_length = 50)]
    pub contact: Option<String>,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub remark: Option<String>,
}

/// `PATCH /dashboard/{id}/fields`: absent = unchanged; `null` clears an optional field.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(min_properties = 1)]
pub struct FieldsRequest {
    #[schema(format = DateTime, example = "2026-11-22T14:30:00")]
    pub eta: Option<String>,
    pub postal_code: Option<String>,
    pub address: Option<String>,
    pub customer: Option<String>,
    #[serde(default, deserialize_with = "platform::text_enum::double_option")]
    pub contact: Option<Option<String>>,
    pub sla: Option<String>,
    #[serde(default, deserialize_with = "platform::text_enum::double_option")]
    pub driver_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "platform::text_enum::double_option")]
    pub driver_contact: Option<Option<String>>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StatusData {
    pub dashboard_id: i64,
    pub status: Status,
    pub depart_time: Option<LocalTime>,
    pub complete_time: Option<LocalTime>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AssignData {
    pub updated_count: u64,
    pub dashboard_ids: Vec<i64>,
}

/// How far ahead an ETA may lie.
const ETA_YEARS_AHEAD: i64 = 10;

/// The seed's wording for field problems.
static MESSAGES: Messages = Messages {
    summary: "입력값이 올바르지 않습니다",
    required: "필수 항목입니다",
    too_long: |max| format!("최대 {max}자입니다"),
};

fn problems() -> FieldErrors {
    FieldErrors::new(&MESSAGES)
}

/// A remark's text: required, at most 2,000 characters.
fn remark_content(content: &str) -> Result<String, ApiError> {
    let mut p = problems();
    let content = p.text("content", content, 2000);
    p.finish()?;
    Ok(content)
}

/// 5 digits; a 4-digit code is left-padded with `0`.
pub fn normalize_postal_code(code: &str) -> Option<String> {
    let c = code.trim();
    if !c.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match c.len() {
        5 => Some(c.to_owned()),
        4 => Some(format!("0{c}")),
        _ => None,
    }
}

impl Service {
    /// A list's items and `date_range`: from the projection when it holds the
    /// days, else read from the database.
    pub async fn list(&self, req: &ListRequest) -> Result<Listing, ApiError> {
        let (start, end, from, to) = self.day_range(&req.start_date, &req.end_date)?;
        // Read after the request began: the projection catches up to it.
        let head = store::changes::head(&self.db).await?;
        let date_range = self.date_range_of(head.oldest_eta.zip(head.latest_eta));
        let filters = req.filters();
        let items = match self.projection.month(start, end, filters, head).await? {
            Some(month) => Items::Held(month),
            None => {
                let _permit = self
                    .bulk_reads
                    .acquire()
                    .await
                    .map_err(ApiError::internal)?;
                let rows = store::orders::list(&self.db, from, to, &filters)
                    .await
                    .map_err(ApiError::internal)?;
                Items::Read(
                    rows.into_iter()
                        .map(|r| ListItem::new(r, self.tz))
                        .collect(),
                )
            }
        };
        Ok(Listing { items, date_range })
    }

    pub async fn date_range(
        &self,
        column: store::orders::RangeColumn,
    ) -> Result<DateRange, ApiError> {
        let range = store::orders::range_of(&self.db, column).await?;
        Ok(self.date_range_of(range))
    }

    fn date_range_of(&self, range: Option<(DateTime<Utc>, DateTime<Utc>)>) -> DateRange {
        let day = |t| {
            platform::time::local_date(t, self.tz)
                .format("%Y-%m-%d")
                .to_string()
        };
        DateRange {
            oldest_date: range.map(|(a, _)| day(a)),
            latest_date: range.map(|(_, b)| day(b)),
        }
    }

    pub async fn detail(&self, id: i64) -> Result<Detail, ApiError> {
        let row = store::orders::get_detail(&self.db, id)
            .await?
            .ok_or_else(|| errors::not_found(&[id]))?;
        self.detail_of(id, row)
    }

    /// The detail as `tx` sees it.
    pub(super) async fn detail_in(&self, tx: &mut Tx, id: i64) -> Result<Detail, ApiError> {
        let row = store::orders::get_detail_in(tx, &self.db, id)
            .await?
            .ok_or_else(|| errors::not_found(&[id]))?;
        self.detail_of(id, row)
    }

    fn detail_of(&self, id: i64, row: store::orders::OrderDetailRow) -> Result<Detail, ApiError> {
        let lock = match (
            row.lock_by,
            row.lock_type.and_then(|t| t.parse().ok()),
            row.lock_expires_at,
        ) {
            (Some(locked_by), Some(lock_type), Some(expires_at)) if expires_at > Utc::now() => {
                Some(crate::model::LockRow {
                    dashboard_id: id,
                    locked_by,
                    lock_type,
                    expires_at,
                })
            }
            _ => None,
        };
        let remarks: Vec<RemarkRow> =
            serde_json::from_str(&row.remarks).map_err(ApiError::internal)?;
        Ok(Detail::new(row.order, remarks, lock.as_ref(), self.tz))
    }

    pub async fn create(&self, req: CreateRequest, claims: &Claims) -> Result<Detail, ApiError> {
        let mut p = problems();
        let order_no = p.text("order_no", &req.order_no, 50);
        let sla = p.text("sla", &req.sla, 50);
        let address = p.text("address", &req.address, 500);
        let customer = p.text("customer", &req.customer, 100);
        let contact = p.optional("contact", req.contact.as_deref(), 50);
        let remark = req
            .remark
            .as_deref()
            .map(str::trim)
            .unwrap_or("")
            .to_owned();
        if remark.chars().count() > 2000 {
            p.add("remark", "최대 2000자입니다");
        }
        let eta = self.eta(&mut p, &req.eta);
        let postal_code = normalize_postal_code(&req.postal_code);
        let place = match &postal_code {
            None => {
                p.add("postal_code", "우편번호는 5자리 숫자입니다");
                None
            }
            Some(code) => {
                let place = store::postal::lookup(&self.db, code, req.warehouse).await?;
                if place.is_none() {
                    p.add(
                        "postal_code",
                        format!("등록되지 않은 우편번호입니다: {code}"),
                    );
                }
                place
            }
        };
        p.finish()?;
        let (Some(eta), Some(postal_code), Some(place)) = (eta, postal_code, place) else {
            unreachable!("every None above recorded a problem");
        };
        let now = Utc::now();
        let order = NewOrder {
            order_no,
            order_type: req.order_type,
            status: Status::Waiting,
            department: req.department,
            warehouse: req.warehouse,
            sla,
            eta,
            create_time: now,
            depart_time: None,
            complete_time: None,
            postal_code,
            city: place.city,
            county: place.county,
            district: place.district,
            distance: place.distance,
            duration_time: place.duration_time,
            address,
            customer,
            contact,
            driver_name: None,
            driver_contact: None,
            created_by: Some(claims.sub.clone()),
        };
        let mut tx = self.db.begin().await?;
        let id = match store::orders::insert(&mut tx, &order).await {
            Ok(id) => id,
            Err(e) if platform::db::is_unique_violation(&e) => {
                return Err(ApiError::conflict(format!(
                    "이미 등록된 주문번호입니다: {} ({}, {})",
                    order.order_no, order.order_type, order.department
                )));
            }
            Err(e) => return Err(e.into()),
        };
        store::remarks::insert(&mut tx, id, &remark, &claims.sub, now).await?;
        let detail = self.detail_in(&mut tx, id).await?;
        self.queue_event(&mut tx, "dashboard.created", &detail)?;
        self.commit_change(tx, Changed::Orders(&[id])).await?;
        Ok(detail)
    }

    pub async fn update_fields(
        &self,
        id: i64,
        req: FieldsRequest,
        claims: &Claims,
    ) -> Result<Detail, ApiError> {
        let nothing = req.eta.is_none()
            && req.postal_code.is_none()
            && req.address.is_none()
            && req.customer.is_none()
            && req.contact.is_none()
            && req.sla.is_none()
            && req.driver_name.is_none()
            && req.driver_contact.is_none();
        if nothing {
            return Err(ApiError::validation("변경할 필드가 없습니다", vec![]));
        }
        self.with_locks(
            &[id],
            &claims.sub,
            LockType::Edit,
            async || {
                let mut tx = self.db.begin().await?;
                let mut o = store::orders::get_in(&mut tx, id)
                    .await?
                    .ok_or_else(|| errors::not_found(&[id]))?;
                if o.status.is_final() && !is_admin(claims) {
                    return Err(errors::status_locked(&[id]));
                }
                self.apply_fields(&mut tx, &mut o, req).await?;
                store::orders::save_fields(&mut tx, &o, Utc::now()).await?;
                self.commit_change(tx, Changed::Orders(&[id])).await
            },
            |_| vec![id],
        )
        .await?;
        self.detail(id).await
    }

    /// An ETA: a local or offset time from 2000 to ten years ahead. Anything
    /// else is a typo or an attack, and an order with such an ETA would fall out of
    /// every list.
    fn eta(&self, p: &mut FieldErrors, input: &str) -> Option<chrono::DateTime<Utc>> {
        let Some(eta) = platform::time::parse_local(input, self.tz) else {
            p.add("eta", "날짜/시간 형식이 아닙니다 (예: 2023-03-15T14:30:00)");
            return None;
        };
        let earliest = chrono::DateTime::<Utc>::from_naive_utc_and_offset(
            chrono::NaiveDate::from_ymd_opt(2000, 1, 1)
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .expect("a valid date"),
            Utc,
        );
        let latest = Utc::now() + chrono::Duration::days(ETA_YEARS_AHEAD * 366);
        if eta < earliest || eta > latest {
            p.add(
                "eta",
                format!("ETA는 2000-01-01부터 {ETA_YEARS_AHEAD}년 뒤까지만 입력할 수 있습니다"),
            );
            return None;
        }
        Some(eta)
    }

    async fn apply_fields(
        &self,
        tx: &mut Tx,
        o: &mut OrderRow,
        req: FieldsRequest,
    ) -> Result<(), ApiError> {
        let mut p = problems();
        if let Some(v) = &req.eta
            && let Some(eta) = self.eta(&mut p, v)
        {
            o.eta = eta;
        }
        if let Some(v) = &req.address {
            o.address = p.text("address", v, 500);
        }
        if let Some(v) = &req.customer {
            o.customer = p.text("customer", v, 100);
        }
        if let Some(v) = &req.sla {
            o.sla = p.text("sla", v, 50);
        }
        if let Some(v) = &req.contact {
            o.contact = p.optional("contact", v.as_deref(), 50);
        }
        if let Some(v) = &req.driver_name {
            o.driver_name = p.optional("driver_name", v.as_deref(), 50);
        }
        if let Some(v) = &req.driver_contact {
            o.driver_contact = p.optional("driver_contact", v.as_deref(), 50);
        }
        if let Some(v) = &req.postal_code {
            match normalize_postal_code(v) {
                None => p.add("postal_code", "우편번호는 5자리 숫자입니다"),
                Some(code) => match store::postal::lookup_in(tx, &code, o.warehouse).await? {
                    None => p.add(
                        "postal_code",
                        format!("등록되지 않은 우편번호입니다: {code}"),
                    ),
                    Some(place) => {
                        o.postal_code = code;
                        o.city = place.city;
                        o.county = place.county;
                        o.district = place.district;
                        o.distance = place.distance;
                        o.duration_time = place.duration_time;
                    }
                },
            }
        }
        p.finish()
    }

    pub async fn change_status(
        &self,
        id: i64,
        to: Status,
        wants_admin: bool,
        claims: &Claims,
    ) -> Result<StatusData, ApiError> {
        // `is_admin` in the body is a request, honoured only for ADMIN tokens.
        let admin = wants_admin && is_admin(claims);
        let data = self
            .with_locks(
                &[id],
                &claims.sub,
                LockType::Status,
                async || {
                    let mut tx = self.db.begin().await?;
                    let o = store::orders::get_in(&mut tx, id)
                        .await?
                        .ok_or_else(|| errors::not_found(&[id]))?;
                    let now = Utc::now();
                    let before = Times {
                        depart: o.depart_time,
                        complete: o.complete_time,
                    };
                    let after = transitions::apply(o.status, to, admin, before, now)
                        .ok_or_else(|| errors::invalid_transition(o.status, to))?;
                    if o.status != to || after != before {
                        store::orders::save_status(
                            &mut tx,
                            id,
                            to,
                            after.depart,
                            after.complete,
                            now,
                        )
                        .await?;
                    }
                    self.commit_change(tx, Changed::Orders(&[id])).await?;
                    Ok((
                        o.status != to,
                        StatusData {
                            dashboard_id: id,
                            status: to,
                            depart_time: after.depart.map(|t| LocalTime::new(t, self.tz)),
                            complete_time: after.complete.map(|t| LocalTime::new(t, self.tz)),
                        },
                    ))
                },
                |(changed, _)| if *changed { vec![id] } else { vec![] },
            )
            .await?;
        Ok(data.1)
    }

    pub async fn assign(
        &self,
        ids: &[i64],
        driver_name: &str,
        driver_contact: Option<&str>,
        claims: &Claims,
    ) -> Result<AssignData, ApiError> {
        let mut p = problems();
        if ids.is_empty() {
            p.add("dashboard_ids", "하나 이상의 주문이 필요합니다");
        } else if ids.len() > MAX_BATCH {
            p.add("dashboard_ids", format!("한 번에 최대 {MAX_BATCH}건입니다"));
        }
        let driver_name = p.text("driver_name", driver_name, 50);
        let driver_contact = p.optional("driver_contact", driver_contact, 50);
        p.finish()?;
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let updated = self
            .with_locks(
                &ids,
                &claims.sub,
                LockType::Assign,
                async || {
                    let mut tx = self.db.begin().await?;
                    let statuses = store::orders::statuses(&mut tx, &ids).await?;
                    if !is_admin(claims) {
                        let closed: Vec<i64> = statuses
                            .iter()
                            .filter(|(_, s)| s.is_final())
                            .map(|(id, _)| *id)
                            .collect();
                        if !closed.is_empty() {
                            return Err(errors::status_locked(&closed));
                        }
                    }
                    let n = store::orders::assign(
                        &mut tx,
                        &ids,
                        &driver_name,
                        driver_contact.as_deref(),
                        Utc::now(),
                    )
                    .await?;
                    self.commit_change(tx, Changed::Orders(&ids)).await?;
                    Ok(n)
                },
                |_| ids.clone(),
            )
            .await?;
        Ok(AssignData {
            updated_count: updated,
            dashboard_ids: ids,
        })
    }

    pub async fn search(&self, order_no: &str) -> Result<Vec<ListItem>, ApiError> {
        let q = order_no.trim();
        if q.is_empty() || q.chars().count() > 50 {
            return Err(ApiError::field(
                "order_no",
                "1~50자의 주문번호가 필요합니다",
            ));
        }
        let rows = store::orders::search(&self.db, q, SEARCH_LIMIT).await?;
        Ok(rows
            .into_iter()
            .map(|r| ListItem::new(r, self.tz))
            .collect())
    }

    pub async fn add_remark(
        &self,
        id: i64,
        content: &str,
        claims: &Claims,
    ) -> Result<Remark, ApiError> {
        let content = remark_content(content)?;
        let row = self
            .with_locks(
                &[id],
                &claims.sub,
                LockType::Remark,
                async || {
                    let mut tx = self.db.begin().await?;
                    let row =
                        store::remarks::insert(&mut tx, id, &content, &claims.sub, Utc::now())
                            .await?;
                    self.commit_change(tx, Changed::Nothing).await?;
                    Ok(row)
                },
                |_| vec![id],
            )
            .await?;
        Ok(Remark::new(row, self.tz))
    }

    pub async fn edit_remark(
        &self,
        id: i64,
        remark_id: i64,
        content: &str,
        claims: &Claims,
    ) -> Result<Remark, ApiError> {
        let content = remark_content(content)?;
        let row = self
            .with_locks(
                &[id],
                &claims.sub,
                LockType::Remark,
                async || {
                    let mut tx = self.db.begin().await?;
                    let remark = store::remarks::get(&mut tx, remark_id)
                        .await?
                        .filter(|r| r.dashboard_id == id)
                        .ok_or_else(|| {
                            ApiError::not_found(format!("메모를 찾을 수 없습니다: {remark_id}"))
                        })?;
                    if remark.created_by != claims.sub && !is_admin(claims) {
                        return Err(ApiError::forbidden(
                            "작성자 또는 관리자만 메모를 수정할 수 있습니다",
                        ));
                    }
                    let row =
                        store::remarks::update(&mut tx, remark_id, &content, Utc::now()).await?;
                    self.commit_change(tx, Changed::Nothing).await?;
                    Ok(row)
                },
                |_| vec![id],
            )
            .await?;
        Ok(Remark::new(row, self.tz))
    }

    /// Admin only (checked by the route); ignores other users' locks on purpose.
    pub async fn delete(&self, ids: &[i64]) -> Result<u64, ApiError> {
        if ids.is_empty() || ids.len() > MAX_BATCH {
            return Err(ApiError::field(
                "dashboard_ids",
                format!("1~{MAX_BATCH}개의 주문 ID가 필요합니다"),
            ));
        }
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let mut tx = self.db.begin().await?;
        let existing = store::orders::existing(&mut tx, &ids).await?;
        let n = if existing.is_empty() {
            0
        } else {
            store::orders::delete(&mut tx, &existing).await?
        };
        if n > 0 {
            self.queue_event(
                &mut tx,
                "dashboard.deleted",
                serde_json::json!({"dashboard_ids": existing}),
            )?;
        }
        self.commit_change(tx, Changed::Deleted(&existing)).await?;
        Ok(n)
    }
}
