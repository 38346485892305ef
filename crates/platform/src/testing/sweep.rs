//! The bad-input sweep every app's tests run: every operation of the API
//! description gets hostile values in each of its inputs (NUL and other control
//! characters, huge strings, extreme numbers and dates, wrong types, arrays for
//! objects). Nothing may answer 5xx, every refusal comes in the app's envelope, and
//! the database is the same afterwards.

use std::collections::BTreeMap;

use reqwest::Method;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::TestServer;
use super::openapi::{METHODS, resolve};
use crate::db::Db;
use crate::on_pool;

/// Hostile values by the JSON type they replace.
fn hostile_strings() -> Vec<(&'static str, Value)> {
    vec![
        ("a NUL character", json!("ad\u{0}min")),
        ("an escape character", json!("x\u{1b}[31m")),
        ("a C1 control", json!("x\u{85}y")),
        ("a 200,000-character string", json!("a".repeat(200_000))),
        ("a number", json!(12)),
        ("an object", json!({"a": 1})),
    ]
}

/// Dates no delivery, order or message has: for fields documented as dates.
fn hostile_dates(format: &str) -> Vec<(&'static str, Value)> {
    let (late, early) = if format == "date" {
        ("9999-12-31", "0001-01-01")
    } else {
        ("9999-12-31T23:59:59", "0001-01-01T00:00:00")
    };
    vec![
        ("a date in year 9999", json!(late)),
        ("a date in year 1", json!(early)),
    ]
}

fn hostile_numbers() -> Vec<(&'static str, Value)> {
    vec![
        ("a number past 2^64", json!(1e20)),
        ("-1e308", json!(-1e308)),
        ("a negative number", json!(-1)),
        ("a fraction", json!(0.5)),
        ("a string", json!("12")),
    ]
}

fn hostile_others() -> Vec<(&'static str, Value)> {
    vec![
        ("an array for a scalar", json!([1])),
        ("a string", json!("x")),
        ("an object", json!({})),
    ]
}

/// A plausible value of `schema`'s type: the baseline the hostile values replace
/// one at a time.
fn plausible(doc: &Value, schema: &Value, depth: usize) -> Value {
    let schema = resolve(doc, schema);
    if let Some(first) = schema["enum"].as_array().and_then(|e| e.first()) {
        return first.clone();
    }
    for combinator in ["oneOf", "anyOf", "allOf"] {
        if let Some(first) = schema[combinator]
            .as_array()
            .and_then(|v| v.iter().find(|s| s["type"] != "null"))
        {
            return plausible(doc, first, depth);
        }
    }
    let kind = match &schema["type"] {
        Value::Array(types) => types
            .iter()
            .find(|t| *t != "null")
            .cloned()
            .unwrap_or(Value::Null),
        other => other.clone(),
    };
    match kind.as_str() {
        Some("string") => match schema["format"].as_str() {
            Some("date") => json!("2026-01-01"),
            Some("date-time") => json!("2026-01-01T09:00:00"),
            Some("uuid") => json!("00000000-0000-4000-8000-000000000001"),
            _ => json!("x"),
        },
        Some("integer") => json!(1),
        Some("number") => json!(1.5),
        Some("boolean") => json!(true),
        Some("array") if depth < 3 => json!([plausible(doc, &schema["items"], depth + 1)]),
        Some("object") if depth < 3 => {
            let mut map = Map::new();
            if let Some(props) = schema["properties"].as_object() {
                for (k, v) in props {
                    map.insert(k.clone(), plausible(doc, v, depth + 1));
                }
            }
            Value::Object(map)
        }
        _ => Value::Null,
    }
}

fn hostile_for(doc: &Value, schema: &Value) -> Vec<(&'static str, Value)> {
    let schema = resolve(doc, schema);
    let text = schema.to_string();
    if text.contains("\"string\"") && !text.contains("\"object\"") {
        let mut out = hostile_strings();
        for format in ["date", "date-time"] {
            if text.contains(&format!("\"format\":\"{format}\"")) {
                out.extend(hostile_dates(format));
            }
        }
        out
    } else if text.contains("\"integer\"") || text.contains("\"number\"") {
        hostile_numbers()
    } else {
        hostile_others()
    }
}

/// Whether `schema` admits `value`, a value [`hostile_numbers`] made: the
/// numbers a valid client may send (a rating's `0.5`, `"12"` for an id in a URL)
/// are no probe of bad input. Only number schemas are judged; anything else is
/// taken as hostile.
fn admits(doc: &Value, schema: &Value, value: &Value, in_url: bool) -> bool {
    let schema = resolve(doc, schema);
    let kind = match &schema["type"] {
        Value::Array(types) => types
            .iter()
            .find_map(|t| t.as_str().filter(|t| *t != "null")),
        other => other.as_str(),
    }
    .unwrap_or("");
    if kind != "integer" && kind != "number" {
        return false;
    }
    let n = match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) if in_url => s.parse::<f64>().ok(),
        _ => None,
    };
    let Some(n) = n else { return false };
    let fits_type = kind == "number" || (n.fract() == 0.0 && n.abs() < 9.2e18);
    let above = schema["minimum"].as_f64().is_none_or(|min| n >= min);
    let below = schema["maximum"].as_f64().is_none_or(|max| n <= max);
    let step = schema["multipleOf"]
        .as_f64()
        .is_none_or(|m| (n / m).fract() == 0.0);
    fits_type && above && below && step
}

/// The outbox table, whose delivery columns the worker moves on its own time.
const OUTBOX: &str = "platform_outbox";
/// The outbox columns a request writes: a new effect changes the fingerprint, its
/// delivery by the worker (attempts, claims, done) does not.
const OUTBOX_STABLE: [&str; 4] = ["id", "topic", "payload", "created_ms"];

/// A fingerprint of every row of every table of the app's database (of the outbox,
/// the rows written, not their delivery progress).
pub async fn fingerprint(db: &Db) -> String {
    let tables: Vec<String> = match db {
        Db::Sqlite { .. } => on_pool!(db.reader(), |p| sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
             ORDER BY name"
        )
        .fetch_all(p)
        .await),
        Db::Postgres { .. } => on_pool!(db.reader(), |p| sqlx::query_scalar(
            "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema()
             ORDER BY tablename"
        )
        .fetch_all(p)
        .await),
    }
    .expect("the tables are listed");
    let mut hasher = Sha256::new();
    for table in tables {
        let sql = match db {
            Db::Sqlite { .. } => {
                let columns: Vec<String> = on_pool!(db.reader(), |p| sqlx::query_scalar(
                    "SELECT name FROM pragma_table_info($1) ORDER BY cid"
                )
                .bind(&table)
                .fetch_all(p)
                .await)
                .expect("the columns are listed");
                let row = columns
                    .iter()
                    .filter(|c| table != OUTBOX || OUTBOX_STABLE.contains(&c.as_str()))
                    .map(|c| format!("quote(\"{c}\")"))
                    .collect::<Vec<_>>()
                    .join(" || ',' || ");
                format!("SELECT {row} FROM \"{table}\"")
            }
            Db::Postgres { .. } if table == OUTBOX => format!(
                "SELECT ({})::text FROM \"{table}\"",
                OUTBOX_STABLE.join(", ")
            ),
            Db::Postgres { .. } => format!("SELECT t::text FROM \"{table}\" t"),
        };
        let mut rows: Vec<String> =
            on_pool!(db.reader(), |p| sqlx::query_scalar(&sql).fetch_all(p).await)
                .unwrap_or_else(|e| panic!("{table} is readable: {e}"));
        rows.sort();
        hasher.update(table.as_bytes());
        for row in rows {
            hasher.update(row.as_bytes());
            hasher.update(b"\n");
        }
    }
    hex::encode(hasher.finalize())
}

/// One request of the sweep.
struct Probe {
    what: String,
    path: String,
    body: Option<Value>,
}

impl TestServer {
    /// The bad-input sweep (see the module): `doc` from
    /// [`TestServer::check_openapi`], `token` a valid access token sent with every
    /// request. `skip` names operations (`"POST /path"`) left out, with the reason
    /// in the caller.
    pub async fn check_bad_input(&self, doc: &Value, token: &str, skip: &[&str]) {
        let error_keys: Vec<String> = doc["components"]["schemas"]["Error"]["required"]
            .as_array()
            .expect("the Error schema lists its required keys")
            .iter()
            .map(|k| k.as_str().expect("a key").to_owned())
            .collect();
        let mut before = fingerprint(&self.ctx.db).await;
        let mut failures = Vec::new();
        let mut sent = 0usize;
        let paths = doc["paths"].as_object().expect("paths is an object");
        for (path, item) in paths {
            for method in METHODS {
                let Some(op) = item.get(method) else { continue };
                let at = format!("{} {path}", method.to_uppercase());
                if op["responses"].get("101").is_some() || skip.contains(&at.as_str()) {
                    continue;
                }
                let m: Method = method.to_uppercase().parse().expect("an HTTP method");
                let mut accepted = Vec::new();
                for probe in probes(doc, path, op) {
                    sent += 1;
                    let r = self
                        .request(m.clone(), &probe.path, Some(token), probe.body.as_ref())
                        .await;
                    let text = String::from_utf8_lossy(&r.bytes);
                    let shown: String = text.chars().take(200).collect();
                    if r.status >= 500 {
                        failures.push(format!("{at} with {}: {} {shown}", probe.what, r.status));
                    } else if r.status >= 400 && !error_keys.iter().all(|k| r.body.get(k).is_some())
                    {
                        failures.push(format!(
                            "{at} with {}: {} not in the envelope: {shown}",
                            probe.what, r.status
                        ));
                    } else if r.status < 400 {
                        accepted.push(format!("{} ({})", probe.what, r.status));
                    }
                }
                let now = fingerprint(&self.ctx.db).await;
                if now != before {
                    failures.push(format!(
                        "{at}: the database changed; accepted: {}",
                        accepted.join(", ")
                    ));
                    before = now;
                }
                if failures.len() > 20 {
                    break;
                }
            }
        }
        assert!(
            failures.is_empty(),
            "{} of {sent} hostile requests misbehaved:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }
}

/// Every hostile request of one operation.
fn probes(doc: &Value, path: &str, op: &Value) -> Vec<Probe> {
    let params = op["parameters"].as_array().cloned().unwrap_or_default();
    let mut values: BTreeMap<String, String> = BTreeMap::new();
    for p in &params {
        let name = p["name"].as_str().expect("parameter name").to_owned();
        let v = match plausible(doc, &p["schema"], 0) {
            Value::String(s) => s,
            other => other.to_string(),
        };
        values.insert(name, v);
    }
    let url = |values: &BTreeMap<String, String>| {
        let mut url = path.to_owned();
        let mut query = form_urlencoded::Serializer::new(String::new());
        for p in &params {
            let name = p["name"].as_str().expect("parameter name");
            let value = &values[name];
            if p["in"] == "path" {
                let encoded: String = form_urlencoded::byte_serialize(value.as_bytes()).collect();
                url = url.replace(&format!("{{{name}}}"), &encoded);
            } else if p["in"] == "query" {
                query.append_pair(name, value);
            }
        }
        let query = query.finish();
        if query.is_empty() {
            url
        } else {
            format!("{url}?{query}")
        }
    };
    let body_schema = &op["requestBody"]["content"]["application/json"]["schema"];
    let baseline_body = (!body_schema.is_null()).then(|| plausible(doc, body_schema, 0));
    let mut out = Vec::new();
    for p in &params {
        if p["in"] != "path" && p["in"] != "query" {
            continue;
        }
        let name = p["name"].as_str().expect("parameter name");
        for (what, hostile) in hostile_for(doc, &p["schema"]) {
            if admits(doc, &p["schema"], &hostile, true) {
                continue;
            }
            let text = match hostile {
                Value::String(s) => s,
                other => other.to_string(),
            };
            // A URL holds a few kilobytes, not a 200,000-character value.
            let text = if text.len() > 8_000 {
                "a".repeat(8_000)
            } else {
                text
            };
            let mut v = values.clone();
            v.insert(name.to_owned(), text);
            out.push(Probe {
                what: format!(
                    "{what} in {} parameter `{name}`",
                    p["in"].as_str().unwrap_or("")
                ),
                path: url(&v),
                body: baseline_body.clone(),
            });
        }
    }
    if let Some(Value::Object(base)) = &baseline_body {
        let schema = resolve(doc, body_schema);
        let props = schema["properties"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        for (field, field_schema) in &props {
            for (what, hostile) in hostile_for(doc, field_schema) {
                if admits(doc, field_schema, &hostile, false) {
                    continue;
                }
                let mut body = base.clone();
                body.insert(field.clone(), hostile);
                out.push(Probe {
                    what: format!("{what} in field `{field}`"),
                    path: url(&values),
                    body: Some(Value::Object(body)),
                });
            }
        }
        out.push(Probe {
            what: "an array for the body".into(),
            path: url(&values),
            body: Some(json!([Value::Object(base.clone())])),
        });
    }
    out
}
