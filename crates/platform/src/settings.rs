//! Per-app settings, typed: `[apps.<app>]` in the file and `ONDOL_<APP>_<KEY>` in the
//! environment (which wins) become two structs, the platform's [`PlatformSettings`]
//! (port, CORS, pools, tokens, ...) and the app's own type, declared in its
//! [`crate::app::Manifest`]. A key that neither declares is refused at start with a
//! message naming the app and the key, so a typo such as `lock_second` cannot go
//! unnoticed. Defaults live in each struct's `Default`.
//!
//! Values arrive as text (environment variables are text; the file's values are
//! written out as text, arrays joined with commas), and each field parses its own.

use crate::ratelimit::Window;
use std::any::Any;
use std::collections::BTreeMap;
use std::sync::Arc;

use serde::de::{self, DeserializeOwned, Visitor};
use serde::{Deserialize, Deserializer};

use crate::config::{ConfigError, Secret};

/// The settings every app has; the platform reads them, the app never needs to.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PlatformSettings {
    /// The port to listen on (default: the app's).
    pub port: Option<u16>,
    /// This app's own PostgreSQL (default: the shared `database_url`).
    pub database_url: Option<Secret>,
    /// The PostgreSQL schema (default: the app's name).
    pub schema: Option<String>,
    /// This app's own Redis (default: the shared `redis_url`).
    pub redis_url: Option<Secret>,
    /// PostgreSQL connections, or SQLite reader connections (default: the shared
    /// `db_pool_size`).
    pub db_pool_size: Option<u32>,
    /// WAL size (MiB) at which SQLite's WAL is restarted from its beginning.
    pub sqlite_wal_restart_mib: u64,
    /// SQLite read connections kept for large results.
    pub sqlite_bulk_readers: u32,
    /// Allowed CORS origins; `*` for any (default: the app's, `*` for most).
    #[serde(deserialize_with = "some_list")]
    pub cors_origins: Option<Vec<String>>,
    /// Credentialed CORS requests (default: the app's, off for most).
    #[serde(deserialize_with = "some_flag")]
    pub cors_credentials: Option<bool>,
    /// The request timeout (default: the app's).
    pub timeout_ms: Option<u64>,
    pub body_limit_bytes: usize,
    /// Requests per minute (default: the app's windows); a shorthand for
    /// `rate_limit_windows = "N/minute"`.
    pub rate_limit_per_minute: Option<u32>,
    /// The request-rate windows, e.g. `100/hour, 1000/day` (default: the app's).
    #[serde(deserialize_with = "windows")]
    pub rate_limit_windows: Option<Vec<Window>>,
    /// This app's own signing key (default: the shared `jwt_secret`).
    pub jwt_secret: Option<Secret>,
    /// Access-token lifetime (default: the app's).
    pub access_token_minutes: Option<u64>,
    /// Refresh-token lifetime (default: the app's).
    pub refresh_token_days: Option<u64>,
    /// How long a rotated refresh token still yields a pair of its family.
    pub refresh_grace_seconds: u64,
    /// The origin clients reach this app at, for URLs it hands out (uploads);
    /// default: `http://` + the request's `Host`.
    pub public_url: Option<String>,
    /// WebSocket pings on connections whose protocol has no heart-beat of its own;
    /// a peer silent for twice this is closed. 0: none.
    pub ws_ping_seconds: u64,
    /// How long an instance's presence counts outlive it when it dies without
    /// closing its connections (with Redis); it renews its lease every third of it.
    pub presence_lease_seconds: u64,
    /// The first retry of an outbox delivery (a mail) after this; each further
    /// one waits twice as long, up to an hour.
    pub outbox_retry_ms: u64,
    /// How often an outbox worker looks for work other instances queued or that
    /// is due again (it is woken at once for its own).
    pub outbox_poll_ms: u64,
    /// Deliveries tried this often are given up and logged.
    pub outbox_max_attempts: u32,
    /// SMTP server for mail: `smtp://user:pass@host:587?tls=required` (STARTTLS),
    /// `smtps://...:465`, or plain `smtp://host:port` for a local relay. Unset:
    /// mails are written as `.eml` files under `<data dir>/outbox/<app>/`.
    pub smtp_url: Option<Secret>,
    /// The sender of mails.
    pub mail_from: String,
    /// Stripe's secret key (`sk_...`): card payments through Stripe. Unset: the
    /// local checkout page.
    pub stripe_secret_key: Option<Secret>,
    /// The signing secret of the payment webhook (`whsec_...`). Unset: derived
    /// from the app's signing secret (the local provider signs with it).
    pub stripe_webhook_secret: Option<Secret>,
    /// Where Stripe's API is.
    pub stripe_api_base: String,
    /// An S3-compatible bucket for uploads; unset: the local object store under
    /// `<data dir>/objects/<app>/`.
    pub s3_bucket: Option<String>,
    /// The store's endpoint (default: AWS S3 in `s3_region`).
    pub s3_endpoint: Option<String>,
    pub s3_region: String,
    pub s3_access_key_id: Option<String>,
    pub s3_secret_access_key: Option<Secret>,
    /// Where objects are read publicly (a CDN, a public bucket); default: the
    /// bucket's URL.
    pub s3_public_url: Option<String>,
    /// `<bucket>.<endpoint host>` URLs instead of `<endpoint>/<bucket>`.
    #[serde(deserialize_with = "flag")]
    pub s3_virtual_host: bool,
    /// TMDB's v3 API key: contents come from TMDB. Unset: the app's bundled
    /// catalogue.
    pub tmdb_api_key: Option<Secret>,
    /// Where TMDB's v3 API is.
    pub tmdb_api_base: String,
    /// The language of TMDB's titles and overviews.
    pub tmdb_language: String,
    /// How long one TMDB call may take before the app answers from what it has.
    pub tmdb_timeout_ms: u64,
    /// How long a TMDB answer is reused (in Redis when configured).
    pub tmdb_cache_seconds: u64,
    /// A Firebase service-account JSON file: pushes go through FCM's HTTP v1
    /// API. Unset: JSON files under `<data dir>/push-outbox/<app>/`.
    pub fcm_service_account: Option<std::path::PathBuf>,
    /// Where FCM's API is.
    pub fcm_api_base: String,
}

impl Default for PlatformSettings {
    fn default() -> Self {
        Self {
            port: None,
            database_url: None,
            schema: None,
            redis_url: None,
            db_pool_size: None,
            sqlite_wal_restart_mib: crate::db::WAL_RESTART_BYTES >> 20,
            sqlite_bulk_readers: crate::db::BULK_READERS,
            cors_origins: None,
            cors_credentials: None,
            timeout_ms: None,
            body_limit_bytes: 1024 * 1024,
            rate_limit_per_minute: None,
            rate_limit_windows: None,
            jwt_secret: None,
            access_token_minutes: None,
            refresh_token_days: None,
            refresh_grace_seconds: 10,
            public_url: None,
            ws_ping_seconds: 30,
            presence_lease_seconds: 10,
            outbox_retry_ms: 5_000,
            outbox_poll_ms: 1_000,
            outbox_max_attempts: 20,
            smtp_url: None,
            mail_from: "ondol <no-reply@ondol.localhost>".into(),
            stripe_secret_key: None,
            stripe_webhook_secret: None,
            stripe_api_base: "https://api.stripe.com".into(),
            s3_bucket: None,
            s3_endpoint: None,
            s3_region: "us-east-1".into(),
            s3_access_key_id: None,
            s3_secret_access_key: None,
            s3_public_url: None,
            s3_virtual_host: false,
            tmdb_api_key: None,
            tmdb_api_base: "https://api.themoviedb.org/3".into(),
            tmdb_language: "ko-KR".into(),
            tmdb_timeout_ms: 5_000,
            tmdb_cache_seconds: 600,
            fcm_service_account: None,
            fcm_api_base: "https://fcm.googleapis.com".into(),
        }
    }
}

/// For an app without settings of its own.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoSettings {}

/// How the platform reads an app's own settings type: its keys, and a parser into
/// a type-erased value that [`crate::AppContext::settings`] hands back typed.
#[derive(Clone, Copy)]
pub struct SettingsSpec {
    keys: fn() -> &'static [&'static str],
    parse: fn(&RawSettings) -> Result<Arc<dyn Any + Send + Sync>, ConfigError>,
}

impl SettingsSpec {
    /// The spec of `T`: a struct with named fields (no `flatten`), `Default`
    /// for every field left out (`#[serde(default)]`).
    pub const fn of<T: DeserializeOwned + Send + Sync + 'static>() -> Self {
        Self {
            keys: field_names::<T>,
            parse: parse_erased::<T>,
        }
    }
}

fn parse_erased<T: DeserializeOwned + Send + Sync + 'static>(
    raw: &RawSettings,
) -> Result<Arc<dyn Any + Send + Sync>, ConfigError> {
    Ok(Arc::new(raw.parse::<T>()?))
}

/// The text values of one app's settings, by key.
#[derive(Debug, Clone, Default)]
pub struct RawSettings {
    pub(crate) app: String,
    pub(crate) values: BTreeMap<String, String>,
}

/// An app's settings, parsed and checked.
#[derive(Clone)]
pub struct Parsed {
    pub platform: PlatformSettings,
    pub app: Arc<dyn Any + Send + Sync>,
}

impl RawSettings {
    pub fn new(app: &str) -> Self {
        Self {
            app: app.to_owned(),
            values: BTreeMap::new(),
        }
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    pub fn set(&mut self, key: &str, value: impl Into<String>) {
        self.values.insert(key.to_owned(), value.into());
    }

    /// Both parts, typed. Every key must belong to one of them.
    pub fn parse_all(&self, spec: SettingsSpec) -> Result<Parsed, ConfigError> {
        let platform_keys = field_names::<PlatformSettings>();
        let app_keys = (spec.keys)();
        if let Some(unknown) = self
            .values
            .keys()
            .find(|k| !platform_keys.contains(&k.as_str()) && !app_keys.contains(&k.as_str()))
        {
            let mut known: Vec<&str> = app_keys.to_vec();
            known.sort_unstable();
            return Err(ConfigError::UnknownSetting {
                app: self.app.clone(),
                key: unknown.clone(),
                env: format!(
                    "ONDOL_{}_{}",
                    self.app.to_ascii_uppercase(),
                    unknown.to_ascii_uppercase()
                ),
                known: if known.is_empty() {
                    "none".into()
                } else {
                    known.join(", ")
                },
                platform: platform_keys.join(", "),
            });
        }
        let platform = self.platform()?;
        let app = (spec.parse)(&self.only(|k| !platform_keys.contains(&k)))?;
        Ok(Parsed { platform, app })
    }

    /// The platform's part alone (other keys are not looked at).
    pub fn platform(&self) -> Result<PlatformSettings, ConfigError> {
        let keys = field_names::<PlatformSettings>();
        self.only(|k| keys.contains(&k)).parse()
    }

    fn only(&self, keep: impl Fn(&str) -> bool) -> Self {
        Self {
            app: self.app.clone(),
            values: self
                .values
                .iter()
                .filter(|(k, _)| keep(k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }

    /// The values as `T`; a value that does not parse names its key.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, ConfigError> {
        let query = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(self.values.iter())
            .finish();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de).map_err(|err| {
            let key = err.path().to_string();
            let value = self.values.get(&key).cloned().unwrap_or_default();
            ConfigError::Invalid {
                key: format!("apps.{}.{key}", self.app),
                value,
                reason: err.into_inner().to_string(),
            }
        })
    }
}

/// `on|off|true|false|1|0`.
pub fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    let text = String::deserialize(d)?;
    match text.trim() {
        "on" | "true" | "1" => Ok(true),
        "off" | "false" | "0" => Ok(false),
        other => Err(de::Error::custom(format!(
            "expected on or off, not {other:?}"
        ))),
    }
}

/// A comma-separated list (a TOML array is written out that way), blanks dropped.
/// `100/hour, 1000/day`.
fn windows<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<Window>>, D::Error> {
    let list = list(d)?;
    if list.is_empty() {
        return Err(serde::de::Error::custom(
            "at least one window, e.g. 100/hour",
        ));
    }
    list.iter()
        .map(|w| w.parse().map_err(serde::de::Error::custom))
        .collect::<Result<Vec<Window>, _>>()
        .map(Some)
}

fn some_flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    flag(d).map(Some)
}

fn some_list<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    list(d).map(Some)
}

pub fn list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let text = String::deserialize(d)?;
    Ok(text
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect())
}

/// The field names of a struct, as its `Deserialize` declares them. A type that is
/// not a struct with named fields has none.
pub fn field_names<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    struct Names(Option<&'static [&'static str]>);

    #[derive(Debug)]
    struct Stop;
    impl std::fmt::Display for Stop {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("field names recorded")
        }
    }
    impl std::error::Error for Stop {}
    impl de::Error for Stop {
        fn custom<M: std::fmt::Display>(_: M) -> Self {
            Stop
        }
    }

    impl<'de> Deserializer<'de> for &mut Names {
        type Error = Stop;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
            Err(Stop)
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _name: &'static str,
            fields: &'static [&'static str],
            _visitor: V,
        ) -> Result<V::Value, Stop> {
            self.0 = Some(fields);
            Err(Stop)
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
            byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map
            enum identifier ignored_any
        }
    }

    let mut names = Names(None);
    let _ = T::deserialize(&mut names);
    names.0.unwrap_or(&[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, Default, PartialEq)]
    #[serde(default, deny_unknown_fields)]
    struct AppOwn {
        lock_seconds: u64,
        enabled: Option<bool>,
    }

    fn raw(pairs: &[(&str, &str)]) -> RawSettings {
        let mut r = RawSettings::new("alpha");
        for (k, v) in pairs {
            r.set(k, *v);
        }
        r
    }

    #[test]
    fn field_names_come_from_the_derive() {
        assert_eq!(field_names::<AppOwn>(), ["lock_seconds", "enabled"]);
        assert!(field_names::<PlatformSettings>().contains(&"cors_origins"));
        assert!(field_names::<NoSettings>().is_empty());
    }

    #[test]
    fn each_part_gets_its_keys_typed() {
        let parsed = raw(&[
            ("lock_seconds", "30"),
            ("port", "9001"),
            ("cors_origins", "http://a, http://b"),
            ("cors_credentials", "on"),
        ])
        .parse_all(SettingsSpec::of::<AppOwn>())
        .unwrap();
        assert_eq!(parsed.platform.port, Some(9001));
        assert_eq!(
            parsed.platform.cors_origins.as_deref(),
            Some(&["http://a".to_owned(), "http://b".to_owned()][..])
        );
        assert_eq!(parsed.platform.cors_credentials, Some(true));
        assert_eq!(
            parsed.platform.body_limit_bytes,
            1 << 20,
            "defaults fill in"
        );
        let own = parsed.app.downcast_ref::<AppOwn>().unwrap();
        assert_eq!(
            own,
            &AppOwn {
                lock_seconds: 30,
                enabled: None
            }
        );
    }

    #[test]
    fn an_unknown_key_is_refused_by_name() {
        let err = raw(&[("lock_second", "30")])
            .parse_all(SettingsSpec::of::<AppOwn>())
            .err()
            .expect("a typo is refused");
        let text = err.to_string();
        assert!(text.contains("[apps.alpha]"), "{text}");
        assert!(text.contains("`lock_second`"), "{text}");
        assert!(text.contains("ONDOL_ALPHA_LOCK_SECOND"), "{text}");
        assert!(text.contains("lock_seconds"), "{text}");
    }

    #[test]
    fn a_bad_value_names_its_key() {
        let err = raw(&[("lock_seconds", "soon")])
            .parse_all(SettingsSpec::of::<AppOwn>())
            .err()
            .expect("a bad value is refused");
        let text = err.to_string();
        assert!(text.contains("apps.alpha.lock_seconds"), "{text}");
        assert!(text.contains("\"soon\""), "{text}");
        let err = raw(&[("cors_credentials", "maybe")])
            .parse_all(SettingsSpec::of::<NoSettings>())
            .err()
            .expect("a bad flag is refused");
        assert!(err.to_string().contains("cors_credentials"), "{err}");
    }
}
