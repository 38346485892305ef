//! The API description every app serves, generated from its handlers: `GET
//! /openapi.json`, and a Swagger UI at `/docs` whose files are compiled into the
//! binary, so it works with no network.
//!
//! Apps annotate handlers with `#[utoipa::path]` and register them with
//! [`routes!`] on an [`OpenApiRouter`], so a route cannot exist without its entry.
//! The platform adds what is the same everywhere: the app's error envelope as the
//! `Error` schema on every error response, the bearer scheme, and the responses
//! its own layers produce (401 for a bad token, 400/422 for bad input, 429, 500).

use axum::Router;
use axum::http::{HeaderValue, header};
use serde_json::json;
use tower_http::set_header::SetResponseHeaderLayer;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{
    Components, ContentBuilder, InfoBuilder, OpenApi, Ref, RefOr, ResponseBuilder, Schema,
};
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::app::Manifest;
use crate::envelope::ErrorEnvelope;

pub use utoipa;
pub use utoipa_axum::router::OpenApiRouter;
pub use utoipa_axum::routes;

/// The security scheme name handlers use: `security(("bearer" = []))`.
pub const BEARER: &str = "bearer";
/// Where the description is served.
pub const JSON_PATH: &str = "/openapi.json";
/// Where the Swagger UI is served.
pub const DOCS_PATH: &str = "/docs";

const ERROR_SCHEMA: &str = "Error";

/// Completes an app's generated description with the platform's parts.
pub fn complete(mut api: OpenApi, app: &Manifest) -> OpenApi {
    api.info = InfoBuilder::new()
        .title(format!("ondol {}", app.name))
        .version(env!("CARGO_PKG_VERSION"))
        .description(Some(app.description))
        .build();
    let components = api.components.get_or_insert_with(Components::new);
    components.add_security_scheme(
        BEARER,
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .build(),
        ),
    );
    components
        .schemas
        .insert(ERROR_SCHEMA.to_owned(), error_schema(app.envelope));

    for item in api.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for op in operations.into_iter().flatten() {
            let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
            let has_body = op.request_body.is_some();
            let json_body = op.request_body.as_ref().is_some_and(|b| match b {
                RefOr::T(b) => b.content.contains_key("application/json"),
                RefOr::Ref(_) => false,
            });
            let has_input = has_body || op.parameters.as_ref().is_some_and(|p| !p.is_empty());
            let responses = &mut op.responses.responses;
            let mut add = |code: &str, description: &str| {
                responses
                    .entry(code.to_owned())
                    .or_insert_with(|| ResponseBuilder::new().description(description).into());
            };
            // What the platform's extractors and layers answer before a handler runs:
            // a path or query value that does not parse is a 422 with `details`, as
            // is a body field that fails validation.
            if has_input {
                add("400", "Malformed input, wrong types or invalid values");
                add("422", "Field validation failed (see `details`)");
            }
            if has_body {
                add("413", "Request body over the size limit");
            }
            if json_body {
                add(
                    "415",
                    "Request body is not JSON (`Content-Type: application/json` expected)",
                );
            }
            if secured {
                add(
                    "401",
                    "Missing, malformed, badly signed or expired access token",
                );
            }
            add("429", "Too many requests (see `Retry-After`)");
            add("500", "Unexpected server error");
            for (code, response) in responses.iter_mut() {
                if !code.starts_with('4') && !code.starts_with('5') {
                    continue;
                }
                if let RefOr::T(r) = response
                    && r.content.is_empty()
                {
                    r.content.insert(
                        "application/json".to_owned(),
                        RefOr::T(
                            ContentBuilder::new()
                                .schema(Some(Ref::from_schema_name(ERROR_SCHEMA)))
                                .build(),
                        ),
                    );
                }
            }
        }
    }
    api
}

/// `/openapi.json` and `/docs`.
pub fn routes(api: OpenApi) -> Router {
    let config = Config::new([JSON_PATH])
        // Swagger UI otherwise asks a public validator about the document.
        .validator_url("none")
        .display_request_duration(true)
        .persist_authorization(true);
    let ui: Router = SwaggerUi::new(DOCS_PATH)
        .url(JSON_PATH, api)
        .config(config)
        .into();
    // The UI draws its icons from `data:` images and styles elements inline;
    // everything else still comes only from this server.
    ui.layer(SetResponseHeaderLayer::overriding(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'",
        ),
    ))
}

/// The app's error body, as its envelope renders it.
fn error_schema(envelope: &dyn ErrorEnvelope) -> RefOr<Schema> {
    serde_json::from_value(envelope.schema())
        .expect("an app's error schema is a valid JSON Schema (its OpenAPI test checks it)")
}

/// A string restricted to `values` (the schema of a [`crate::text_enum!`]).
pub fn string_enum(values: &[&str]) -> RefOr<Schema> {
    serde_json::from_value(json!({"type": "string", "enum": values}))
        .expect("a string enum is a valid JSON Schema")
}

impl utoipa::PartialSchema for crate::time::LocalTime {
    fn schema() -> RefOr<Schema> {
        serde_json::from_value(json!({
            "type": "string",
            "description": "Local time in the server's zone, without offset",
            "example": "2026-11-22T15:04:05",
        }))
        .expect("the local-time schema literal is a valid JSON Schema")
    }
}

impl utoipa::ToSchema for crate::time::LocalTime {}
