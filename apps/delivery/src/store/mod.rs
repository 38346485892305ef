//! SQL for the delivery app: one text per statement, run on SQLite and PostgreSQL.

pub mod locks;
pub mod orders;
pub mod postal;
pub mod remarks;
pub mod stats;
pub mod users;

/// `$from, $from+1, ...` for `n` values: an `IN (...)` list on both engines.
pub fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}
