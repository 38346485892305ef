//! The operator console at `/` (seed 001 §IV.3): plain HTML, CSS and JavaScript
//! modules compiled into the binary, served by the platform under
//! `Content-Security-Policy: default-src 'self'` (its scripts, styles and the
//! live view's WebSocket all come from this origin; nothing inline).

use platform::asset;
use platform::http::assets::Asset;

pub static ASSETS: &[Asset] = &[
    asset!("/", "../../static/index.html"),
    asset!(
        "/static/console/console.css",
        "../../static/console/console.css"
    ),
    asset!("/static/console/main.js", "../../static/console/main.js"),
    asset!("/static/console/api.js", "../../static/console/api.js"),
    asset!("/static/console/i18n.js", "../../static/console/i18n.js"),
    asset!("/static/console/table.js", "../../static/console/table.js"),
    asset!(
        "/static/console/detail.js",
        "../../static/console/detail.js"
    ),
    asset!("/static/console/live.js", "../../static/console/live.js"),
    asset!(
        "/static/console/charts.js",
        "../../static/console/charts.js"
    ),
    asset!("/static/console/ui.js", "../../static/console/ui.js"),
];
