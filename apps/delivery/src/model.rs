//! The delivery app's types: the seed's enums, ids, rows and response shapes.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use platform::time::LocalTime;
use serde::{Deserialize, Serialize};

platform::text_enum! {
    /// Order status (seed IV §4.1).
    pub enum Status {
        Waiting = "WAITING",
        InProgress = "IN_PROGRESS",
        Complete = "COMPLETE",
        Issue = "ISSUE",
        Cancel = "CANCEL",
    }
}

impl Status {
    /// Statuses in which a non-admin may no longer edit an order.
    pub fn is_final(self) -> bool {
        matches!(self, Status::Complete | Status::Issue | Status::Cancel)
    }
}

platform::text_enum! {
    pub enum OrderType { Delivery = "DELIVERY", Return = "RETURN" }
}

platform::text_enum! {
    pub enum Department { Cs = "CS", Hes = "HES", Lenovo = "LENOVO" }
}

platform::text_enum! {
    pub enum Warehouse { Seoul = "SEOUL", Busan = "BUSAN", Gwangju = "GWANGJU", Daejeon = "DAEJEON" }
}

platform::text_enum! {
    pub enum Role { Admin = "ADMIN", User = "USER" }
}

platform::text_enum! {
    pub enum LockType { Edit = "EDIT", Status = "STATUS", Assign = "ASSIGN", Remark = "REMARK" }
}

/// An order's id (`dashboard_id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DashboardId(pub i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RemarkId(pub i64);

/// The app's access-token claims besides `sub` (= `user_id`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UserClaims {
    pub department: Department,
    pub role: Role,
}

pub type Claims = platform::auth::Claims<UserClaims>;

pub fn is_admin(claims: &Claims) -> bool {
    claims.extra.role == Role::Admin
}

/// A list filter: `ALL` (the default) or one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Filter<T> {
    #[default]
    All,
    Only(T),
}

impl<T: Copy> Filter<T> {
    pub fn value(self) -> Option<T> {
        match self {
            Filter::All => None,
            Filter::Only(v) => Some(v),
        }
    }
}

impl<'de, T> Deserialize<'de> for Filter<T>
where
    T: std::str::FromStr<Err = String>,
{
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = Option::<String>::deserialize(d)?;
        match s.as_deref() {
            None | Some("ALL") | Some("") => Ok(Filter::All),
            Some(v) => v
                .parse()
                .map(Filter::Only)
                .map_err(|e: String| serde::de::Error::custom(format!("{e} (or ALL)"))),
        }
    }
}

/// An order as stored, read with [`ORDER_COLUMNS`].
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrderRow {
    pub dashboard_id: i64,
    pub order_no: String,
    #[sqlx(rename = "type", try_from = "String")]
    pub order_type: OrderType,
    #[sqlx(try_from = "String")]
    pub status: Status,
    #[sqlx(try_from = "String")]
    pub department: Department,
    #[sqlx(try_from = "String")]
    pub warehouse: Warehouse,
    pub sla: String,
    pub eta: DateTime<Utc>,
    pub create_time: DateTime<Utc>,
    pub depart_time: Option<DateTime<Utc>>,
    pub complete_time: Option<DateTime<Utc>>,
    pub postal_code: String,
    pub city: String,
    pub county: String,
    pub district: String,
    pub distance: Option<i32>,
    pub duration_time: Option<i32>,
    pub address: String,
    pub customer: String,
    pub contact: Option<String>,
    pub driver_name: Option<String>,
    pub driver_contact: Option<String>,
    pub created_by: Option<String>,
}

/// The columns of [`OrderRow`], for `SELECT`.
pub const ORDER_COLUMNS: &str = "dashboard_id, order_no, type, status, department, warehouse, sla, eta, \
     create_time, depart_time, complete_time, postal_code, city, county, district, distance, \
     duration_time, address, customer, contact, driver_name, driver_contact, created_by";

/// `region` = city + county + district (seed IV §4.1).
pub fn region(city: &str, county: &str, district: &str) -> String {
    let mut s = String::with_capacity(city.len() + county.len() + district.len() + 2);
    for part in [city, county, district] {
        if part.is_empty() {
            continue;
        }
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(part);
    }
    s
}

/// A row of `/dashboard/list` and search (seed IV §1.2). Field order =
/// [`LIST_COLUMNS`].
#[derive(Debug, Clone, sqlx::FromRow, serde::Deserialize)]
pub struct ListRow {
    pub dashboard_id: i64,
    pub order_no: String,
    #[sqlx(rename = "type", try_from = "String")]
    pub order_type: OrderType,
    #[sqlx(try_from = "String")]
    pub status: Status,
    #[sqlx(try_from = "String")]
    pub department: Department,
    #[sqlx(try_from = "String")]
    pub warehouse: Warehouse,
    pub eta: DateTime<Utc>,
    pub customer: String,
    pub city: String,
    pub county: String,
    pub district: String,
    pub driver_name: Option<String>,
}

pub const LIST_COLUMNS: &str = "dashboard_id, order_no, type, status, department, warehouse, eta, customer, city, county, district, driver_name";

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ListItem {
    pub dashboard_id: i64,
    pub order_no: String,
    #[serde(rename = "type")]
    pub order_type: OrderType,
    pub status: Status,
    pub department: Department,
    pub warehouse: Warehouse,
    pub eta: LocalTime,
    pub customer: String,
    pub region: String,
    pub driver_name: Option<String>,
}

impl ListItem {
    pub fn new(r: ListRow, tz: Tz) -> Self {
        Self {
            region: region(&r.city, &r.county, &r.district),
            dashboard_id: r.dashboard_id,
            order_no: r.order_no,
            order_type: r.order_type,
            status: r.status,
            department: r.department,
            warehouse: r.warehouse,
            eta: LocalTime::new(r.eta, tz),
            customer: r.customer,
            driver_name: r.driver_name,
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Deserialize)]
pub struct RemarkRow {
    pub remark_id: i64,
    pub dashboard_id: i64,
    pub content: String,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub updated_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Remark {
    pub remark_id: i64,
    pub dashboard_id: i64,
    pub content: String,
    pub created_at: LocalTime,
    pub created_by: String,
    pub updated_at: Option<LocalTime>,
}

impl Remark {
    pub fn new(r: RemarkRow, tz: Tz) -> Self {
        Self {
            remark_id: r.remark_id,
            dashboard_id: r.dashboard_id,
            content: r.content,
            created_at: LocalTime::new(r.created_at, tz),
            created_by: r.created_by,
            updated_at: r.updated_at.map(|t| LocalTime::new(t, tz)),
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LockRow {
    pub dashboard_id: i64,
    pub locked_by: String,
    #[sqlx(try_from = "String")]
    pub lock_type: LockType,
    pub expires_at: DateTime<Utc>,
}

/// `lock_info` of the seed and of 423 bodies.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LockInfo {
    pub dashboard_id: i64,
    pub locked_by: String,
    pub lock_type: LockType,
    pub expires_at: LocalTime,
}

impl LockInfo {
    pub fn new(r: &LockRow, tz: Tz) -> Self {
        Self {
            dashboard_id: r.dashboard_id,
            locked_by: r.locked_by.clone(),
            lock_type: r.lock_type,
            expires_at: LocalTime::new(r.expires_at, tz),
        }
    }
}

/// The full order of `GET /dashboard/{id}` (seed IV §4.1 + remarks + lock state).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Detail {
    pub dashboard_id: i64,
    pub order_no: String,
    #[serde(rename = "type")]
    pub order_type: OrderType,
    pub status: Status,
    pub department: Department,
    pub warehouse: Warehouse,
    pub sla: String,
    pub eta: LocalTime,
    pub create_time: LocalTime,
    pub depart_time: Option<LocalTime>,
    pub complete_time: Option<LocalTime>,
    pub postal_code: String,
    pub city: String,
    pub county: String,
    pub district: String,
    pub region: String,
    pub distance: Option<i32>,
    pub duration_time: Option<i32>,
    pub address: String,
    pub customer: String,
    pub contact: Option<String>,
    pub driver_name: Option<String>,
    pub driver_contact: Option<String>,
    pub created_by: Option<String>,
    pub remarks: Vec<Remark>,
    pub is_locked: bool,
    pub lock_info: Option<LockInfo>,
}

impl Detail {
    pub fn new(o: OrderRow, remarks: Vec<RemarkRow>, lock: Option<&LockRow>, tz: Tz) -> Self {
        let t = |at: DateTime<Utc>| LocalTime::new(at, tz);
        Self {
            region: region(&o.city, &o.county, &o.district),
            dashboard_id: o.dashboard_id,
            order_no: o.order_no,
            order_type: o.order_type,
            status: o.status,
            department: o.department,
            warehouse: o.warehouse,
            sla: o.sla,
            eta: t(o.eta),
            create_time: t(o.create_time),
            depart_time: o.depart_time.map(t),
            complete_time: o.complete_time.map(t),
            postal_code: o.postal_code,
            city: o.city,
            county: o.county,
            district: o.district,
            distance: o.distance,
            duration_time: o.duration_time,
            address: o.address,
            customer: o.customer,
            contact: o.contact,
            driver_name: o.driver_name,
            driver_contact: o.driver_contact,
            created_by: o.created_by,
            remarks: remarks.into_iter().map(|r| Remark::new(r, tz)).collect(),
            is_locked: lock.is_some(),
            lock_info: lock.map(|l| LockInfo::new(l, tz)),
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub user_id: String,
    pub password: String,
    #[sqlx(try_from = "String")]
    pub user_department: Department,
    #[sqlx(try_from = "String")]
    pub user_role: Role,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UserView {
    pub user_id: String,
    pub user_department: Department,
    pub user_role: Role,
}
