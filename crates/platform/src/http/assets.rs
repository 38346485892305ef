//! Web pages compiled into the binary: each file served at its path as it is,
//! with its content type, and revalidated on every load so a new binary's page
//! is seen at once. No build step and nothing fetched from elsewhere, so a page
//! runs under the stack's `Content-Security-Policy: default-src 'self'`.

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

use crate::openapi::OpenApiRouter;

/// One file of a page: where it is served and what it holds.
#[derive(Debug, Clone, Copy)]
pub struct Asset {
    pub path: &'static str,
    pub body: &'static str,
}

/// `Asset { path, body: include_str!(file) }`.
#[macro_export]
macro_rules! asset {
    ($path:expr, $file:expr) => {
        $crate::http::assets::Asset {
            path: $path,
            body: include_str!($file),
        }
    };
}

/// The content type of a file, from its name.
fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("json") => "application/json",
        // `/` and `.html` alike: a page.
        _ => "text/html; charset=utf-8",
    }
}

/// Adds a GET route for every asset. Pages are not part of an API: served, not
/// described in its OpenAPI document.
pub fn serve<S>(mut router: OpenApiRouter<S>, assets: &'static [Asset]) -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
{
    for asset in assets {
        let kind = content_type(asset.path);
        router = router.route(
            asset.path,
            get(move || async move {
                (
                    [
                        (header::CONTENT_TYPE, kind),
                        (header::CACHE_CONTROL, "no-cache"),
                    ],
                    asset.body,
                )
                    .into_response()
            }),
        );
    }
    router
}

#[cfg(test)]
mod tests {
    use super::content_type;

    #[test]
    fn types_follow_the_extension_and_pages_are_html() {
        assert_eq!(
            content_type("/static/a/app.js"),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(content_type("/static/a.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("/"), "text/html; charset=utf-8");
        assert_eq!(content_type("/index.html"), "text/html; charset=utf-8");
    }
}
