//! Checks of the API description and the docs page, shared by every app's tests.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::Value;

use super::TestServer;

/// What every app serves besides its own routes.
const PLATFORM_OPERATIONS: [(&str, &str); 3] =
    [("GET", "/health"), ("GET", "/ready"), ("GET", "/metrics")];

pub(super) const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

impl TestServer {
    /// `/openapi.json` describes exactly `expected` (method, path) plus the
    /// platform's operations; every error response is the app's envelope, whose
    /// schema matches what the server really sends; every `$ref` resolves.
    pub async fn check_openapi(&self, expected: &[(&str, &str)]) -> Value {
        let r = self.get("/openapi.json", None).await;
        assert_eq!(r.status, 200, "{:?}", r.bytes);
        assert!(
            r.header("content-type")
                .is_some_and(|c| c.starts_with("application/json")),
            "{:?}",
            r.headers
        );
        let doc = r.body;
        assert!(
            doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")),
            "{doc}"
        );
        assert_eq!(doc["info"]["title"], format!("ondol {}", self.ctx.name));

        let want: BTreeSet<(String, String)> = expected
            .iter()
            .chain(PLATFORM_OPERATIONS.iter())
            .map(|(m, p)| (m.to_string(), p.to_string()))
            .collect();
        let mut got = BTreeSet::new();
        let paths = doc["paths"].as_object().expect("paths is an object");
        for (path, item) in paths {
            for method in METHODS {
                let Some(op) = item.get(method) else { continue };
                got.insert((method.to_uppercase(), path.clone()));
                check_operation(method, path, op);
            }
        }
        assert_eq!(got, want, "documented operations differ from the contract");

        // The documented error body is the one the server sends.
        let schema = &doc["components"]["schemas"]["Error"];
        let real = self.get("/no/such/route", None).await;
        assert_eq!(real.status, 404);
        let body = real.body.as_object().expect("error body is an object");
        let properties = schema["properties"]
            .as_object()
            .expect("Error has properties");
        for key in body.keys() {
            assert!(properties.contains_key(key), "`{key}` is not documented");
        }
        for key in schema["required"].as_array().expect("Error lists required") {
            let key = key.as_str().expect("required names are strings");
            assert!(body.contains_key(key), "documented `{key}` is not sent");
        }

        let mut refs = Vec::new();
        collect_refs(&doc, &mut refs);
        assert!(!refs.is_empty());
        for r in refs {
            let name = r
                .strip_prefix("#/components/schemas/")
                .unwrap_or_else(|| panic!("unexpected $ref {r}"));
            assert!(
                doc["components"]["schemas"].get(name).is_some(),
                "dangling $ref {r}"
            );
        }
        doc
    }

    /// `/docs` serves a Swagger UI whose every file comes from this server and which
    /// loads `/openapi.json`: nothing is fetched from elsewhere.
    pub async fn check_docs_offline(&self) {
        let redirect = self.get("/docs", None).await;
        assert_eq!(redirect.status, 200, "`/docs` leads to the page");
        let page = self.get("/docs/", None).await;
        assert_eq!(page.status, 200);
        assert!(
            page.header("content-type")
                .is_some_and(|c| c.starts_with("text/html"))
        );
        let csp = page
            .header("content-security-policy")
            .expect("the page has a CSP");
        assert!(csp.starts_with("default-src 'self'"), "{csp}");
        let html = String::from_utf8_lossy(&page.bytes).into_owned();
        let assets = referenced_assets(&html);
        assert!(
            assets.iter().any(|a| a.ends_with("swagger-ui-bundle.js")),
            "{html}"
        );
        assert!(assets.iter().any(|a| a.ends_with("swagger-initializer.js")));
        for asset in &assets {
            assert!(
                !asset.contains("://") && !asset.starts_with("//"),
                "{asset} is not served by this server"
            );
            let path = format!("/docs/{}", asset.trim_start_matches("./"));
            let r = self.get(&path, None).await;
            assert_eq!(r.status, 200, "{path}");
            assert!(!r.bytes.is_empty(), "{path} is empty");
        }
        let init = self.get("/docs/swagger-initializer.js", None).await;
        let init = String::from_utf8_lossy(&init.bytes);
        assert!(init.contains(r#""url": "/openapi.json""#), "{init}");
        assert!(init.contains(r#""validatorUrl": "none""#), "{init}");
        assert!(!init.contains("http://") && !init.contains("https://"));
    }
}

impl TestServer {
    /// Loads `/docs/` in headless Chromium (`browser`: its executable) and checks
    /// that the page rendered the operations of `/openapi.json`, e.g. `path`.
    /// Chromium runs with background networking off and a fresh profile, so the
    /// page has nothing but this server to load from.
    pub async fn check_docs_render_in(&self, browser: &str, path: &str) {
        let mut b = super::browser::Browser::start(browser, &self.config.data_dir, 1280, 900).await;
        b.open(&self.url("/docs/")).await;
        let selector =
            serde_json::to_string(&format!("[data-path=\"{path}\"]")).expect("a string is JSON");
        b.wait_for(&format!("document.querySelector({selector})"))
            .await;
        let text = b.eval("document.body.innerText").await;
        let text = text.as_str().unwrap_or_default().to_owned();
        b.close().await;
        assert!(
            text.contains(&format!("ondol {}", self.ctx.name)),
            "the docs page names the app: {}",
            &text[..text.len().min(2000)]
        );
    }
}

/// A bad request body for [`TestServer::check_documented_rejections`].
enum BadBody {
    None,
    /// `x` as `text/plain`.
    NotJson,
    Json(Value),
}

impl TestServer {
    /// The statuses the server answers to malformed input are the documented ones:
    /// for every operation of `doc` (from [`TestServer::check_openapi`]), a JSON
    /// body sent as `text/plain` or as an array, an integer path parameter that
    /// overflows, and no query string at all, each with a valid `token`; none of
    /// them is accepted. A body refused when it is an empty object must have
    /// required fields in its schema.
    pub async fn check_documented_rejections(&self, doc: &Value, token: &str) {
        let paths = doc["paths"].as_object().expect("paths is an object");
        for (path, item) in paths {
            for method in METHODS {
                let Some(op) = item.get(method) else { continue };
                let responses = op["responses"].as_object().expect("responses");
                if responses.contains_key("101") {
                    continue; // a WebSocket upgrade
                }
                let params = op["parameters"].as_array().cloned().unwrap_or_default();
                let with_path = |value: &str| {
                    params
                        .iter()
                        .filter(|p| p["in"] == "path")
                        .fold(path.clone(), |acc, p| {
                            let name = p["name"].as_str().expect("parameter name");
                            let schema = resolve(doc, &p["schema"]);
                            let v = if schema["type"] == "integer" {
                                value
                            } else if schema["format"] == "uuid" {
                                "00000000-0000-4000-8000-000000000001"
                            } else {
                                "1"
                            };
                            acc.replace(&format!("{{{name}}}"), v)
                        })
                };
                let m: Method = method.to_uppercase().parse().expect("an HTTP method");
                let at = format!("{} {path}", method.to_uppercase());
                let mut tries = Vec::new();
                let json_body = &op["requestBody"]["content"]["application/json"]["schema"];
                if !json_body.is_null() {
                    tries.push(("a body that is not JSON", with_path("1"), BadBody::NotJson));
                    // As many nulls as the body has fields: what serde would read
                    // positionally into a struct whose fields are all optional.
                    let schema = resolve(doc, json_body);
                    let fields = schema["properties"].as_object().map_or(0, |p| p.len());
                    tries.push((
                        "an array instead of an object",
                        with_path("1"),
                        BadBody::Json(Value::Array(vec![Value::Null; fields])),
                    ));
                }
                if params
                    .iter()
                    .any(|p| p["in"] == "path" && p["schema"]["type"] == "integer")
                {
                    tries.push((
                        "an integer path parameter that overflows",
                        with_path("99999999999999999999"),
                        BadBody::None,
                    ));
                }
                if params
                    .iter()
                    .any(|p| p["in"] == "query" && p["required"] == true)
                {
                    tries.push(("no query string", with_path("1"), BadBody::None));
                }
                if !json_body.is_null() {
                    // A body the server refuses when empty has fields a client must
                    // send, and the description has to say which.
                    let schema = resolve(doc, json_body);
                    let r = self
                        .request(
                            m.clone(),
                            &with_path("1"),
                            Some(token),
                            Some(&serde_json::json!({})),
                        )
                        .await;
                    if r.status == 400 || r.status == 422 {
                        assert!(
                            schema["required"].as_array().is_some_and(|f| !f.is_empty())
                                || schema["minProperties"].as_u64().is_some_and(|n| n > 0),
                            "{at} refuses an empty object ({}) but its body schema requires nothing: {}",
                            r.status,
                            String::from_utf8_lossy(&r.bytes)
                        );
                    }
                }
                for (what, url, body) in tries {
                    let r = match body {
                        BadBody::NotJson => {
                            self.raw(m.clone(), &url, Some(token), "text/plain", b"x".to_vec())
                                .await
                        }
                        BadBody::Json(v) => {
                            self.request(m.clone(), &url, Some(token), Some(&v)).await
                        }
                        BadBody::None => self.request(m.clone(), &url, Some(token), None).await,
                    };
                    assert!(
                        r.status >= 400,
                        "{at} accepts {what}: {}",
                        String::from_utf8_lossy(&r.bytes)
                    );
                    assert!(
                        responses.contains_key(&r.status.to_string()),
                        "{at} answers {what} with {}, which is not documented: {}",
                        r.status,
                        String::from_utf8_lossy(&r.bytes)
                    );
                }
            }
        }
    }
}

fn check_operation(method: &str, path: &str, op: &Value) {
    let at = format!("{} {path}", method.to_uppercase());
    assert!(
        op["summary"].as_str().is_some_and(|s| !s.is_empty()),
        "{at} has no summary"
    );
    let responses = op["responses"].as_object().expect("responses");
    assert!(
        responses.keys().any(|c| c.starts_with('2') || c == "101"),
        "{at} documents no success"
    );
    for (code, response) in responses {
        if code.starts_with('4') || code.starts_with('5') {
            let schema = &response["content"]["application/json"]["schema"];
            // Readiness answers 503 with its own body.
            if (path, code.as_str()) != ("/ready", "503") {
                assert_eq!(
                    schema["$ref"], "#/components/schemas/Error",
                    "{at} {code} is not the error envelope"
                );
            }
        }
    }
    let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
    if secured {
        assert!(responses.contains_key("401"), "{at} omits 401");
    }
}

/// `schema`, or the component its `$ref` names.
pub(super) fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    schema["$ref"]
        .as_str()
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
        .map_or(schema, |name| &doc["components"]["schemas"][name])
}

fn collect_refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r),
                    _ => collect_refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// The `src` and `href` attribute values of a page.
fn referenced_assets(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["src=\"", "href=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            if let Some(end) = rest.find('"') {
                out.push(rest[..end].to_owned());
                rest = &rest[end..];
            }
        }
    }
    out
}
