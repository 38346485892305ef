//! The operator console in real headless Chromium (`ONDOL_BROWSER` names the
//! executable). Screenshots go to `target/screenshots/`.

#[path = "../common/mod.rs"]
mod common;
mod editing;
mod helpers;
mod lock_flow;
mod month;
