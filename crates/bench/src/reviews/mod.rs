//! `ondol-bench seed-reviews` and `ondol-bench reviews`.

pub mod scenarios;
pub mod seed;

/// Every generated account's password.
pub const PASSWORD: &str = "bench-password-1";

/// Writers: the last 64 users, who have no generated reviews, write during the
/// write mix.
pub const WRITERS: i64 = 64;

/// The author of generated review `j` (0-based) of a content at index `k` among
/// `contents`, out of `users` readers: distinct for the reviews of one content
/// while `j / contents < users` (7 is prime to the user counts used).
pub fn author(j: i64, contents: i64, users: i64) -> i64 {
    1 + ((j / contents) * 7 + (j % contents) * 13) % users
}
