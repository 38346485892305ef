//! The shop's benchmark data and scenarios.

pub mod data;
pub mod scenarios;
pub mod seed;
