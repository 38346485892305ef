//! The focus-room page at `/`: plain HTML, CSS and JavaScript compiled into the
//! binary, served by the platform under the seed's
//! `Content-Security-Policy: default-src 'self'` as it is.

use platform::asset;
use platform::http::assets::Asset;

pub static ASSETS: &[Asset] = &[
    asset!("/", "../../static/index.html"),
    asset!("/static/focusmate.css", "../../static/focusmate.css"),
    asset!("/static/focusmate.js", "../../static/focusmate.js"),
];
