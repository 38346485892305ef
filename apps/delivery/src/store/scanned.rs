//! Rows read on a SQLite scanner thread (`platform::db::scan`), decoded as sqlx
//! decodes them elsewhere: enums from their names, times from the RFC 3339 text
//! sqlx stores for `DateTime<Utc>`.

use chrono::{DateTime, SecondsFormat, Utc};
use platform::db::scan::{ScanError, rusqlite};

/// A read of many rows failed: through sqlx (PostgreSQL) or on a scanner thread.
#[derive(Debug, thiserror::Error)]
pub enum BulkReadError {
    #[error("database: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database: {0}")]
    Scan(#[from] ScanError),
}

/// A time as sqlx binds `DateTime<Utc>` on SQLite, so a range compares with the
/// stored text alike.
pub fn bound_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

fn conversion(i: usize, e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into())
}

/// An enum column, stored as its name.
pub fn parsed<T: std::str::FromStr<Err = String>>(
    r: &rusqlite::Row<'_>,
    i: usize,
) -> rusqlite::Result<T> {
    r.get_ref(i)?
        .as_str()?
        .parse()
        .map_err(|e: String| conversion(i, e))
}

/// A time column, stored as sqlx stores `DateTime<Utc>` (RFC 3339 text).
pub fn time(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<DateTime<Utc>> {
    let text = r.get_ref(i)?.as_str()?;
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| conversion(i, e))
}

pub fn optional_time(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Option<DateTime<Utc>>> {
    match r.get_ref(i)? {
        rusqlite::types::ValueRef::Null => Ok(None),
        _ => time(r, i).map(Some),
    }
}
