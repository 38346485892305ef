//! `ondol-bench seed-focusmate` and `ondol-bench focusmate`.

pub mod scenarios;
pub mod seed;

use uuid::Uuid;

/// Every generated account's password.
pub const PASSWORD: &str = "bench-password-1";

/// People per generated room, the host included.
pub const PER_ROOM: usize = 10;

/// The id of generated user `i` (1-based): fixed, so that the load generator
/// signs tokens for them without reading them back.
pub fn user_id(i: usize) -> Uuid {
    Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0000 | i as u128)
}

/// The id of generated room `r` (0-based).
pub fn room_id(r: usize) -> Uuid {
    Uuid::from_u128(0x0190_0000_0001_7000_8000_0000_0000_0000 | r as u128)
}

/// The users of room `r`: its host first.
pub fn members(r: usize) -> impl Iterator<Item = usize> {
    (1..=PER_ROOM).map(move |k| r * PER_ROOM + k)
}
