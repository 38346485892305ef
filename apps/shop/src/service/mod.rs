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
use platform::validate::{FieldErrors, PageRule, Paging};

use crate::i18n;

#[derive(Clone)]
pub struct Service {
    pub db: Db,
    pub uploads: Uploads,
    pub mailer: Mailer,
    pub payments: Payments,
}

/// `page` and `limit` of a list: `page` from 1, `limit` from 1 to 100 (default 20).
pub fn paging(
    lang: Language,
    errors: &mut FieldErrors,
    page: Option<i64>,
    limit: Option<i64>,
) -> Paging {
    let rule = PageRule {
        size_field: "limit",
        default_size: 20,
        max_size: 100,
        page_range: i18n::PAGE_RANGE.in_(lang),
        size_range: i18n::LIMIT_RANGE.in_(lang),
    };
    Paging::check(rule, errors, page, limit)
}
