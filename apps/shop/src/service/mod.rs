//! The shop's rules. No HTTP types here beyond the platform's error and language.

pub mod categories;
pub mod order_rules;
pub mod orders;
pub mod payments;
pub mod products;
pub mod uploads;
pub mod users;

use platform::db::Db;
use platform::external::mail::Mailer;
use platform::external::payments::Payments;
use platform::texts::Language;
use platform::uploads::Uploads;
use platform::validate::FieldErrors;

use crate::i18n;

#[derive(Clone)]
pub struct Service {
    pub db: Db,
    pub uploads: Uploads,
    pub mailer: Mailer,
    pub payments: Payments,
}

/// `page` and `limit` of a list, checked: `page` from 1, `limit` from 1 to 100
/// (default 20).
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    pub page: i64,
    pub limit: i64,
}

impl Paging {
    pub fn check(
        lang: Language,
        errors: &mut FieldErrors,
        page: Option<i64>,
        limit: Option<i64>,
    ) -> Self {
        let page = page.unwrap_or(1);
        if !(1..=1_000_000).contains(&page) {
            errors.add("page", i18n::PAGE_RANGE.in_(lang));
        }
        let limit = limit.unwrap_or(20);
        if !(1..=100).contains(&limit) {
            errors.add("limit", i18n::LIMIT_RANGE.in_(lang));
        }
        Self { page, limit }
    }

    pub fn offset(self) -> i64 {
        (self.page - 1) * self.limit
    }
}
