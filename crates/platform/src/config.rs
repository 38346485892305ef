//! Configuration in layers: defaults, then a TOML file, then `ONDOL_*` variables.
//!
//! Shared settings are read here into [`Config`]. Per-app ones (`[apps.<app>]`,
//! `ONDOL_<APP>_<KEY>`) are kept as text by key and typed by [`crate::settings`]
//! when the app opens. Both sources end up as text, which keeps them symmetrical:
//! whatever can be written in the file can be set by env.

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::str::FromStr;

use chrono_tz::Tz;

use crate::settings::RawSettings;

/// The JWT secret used when none is configured. Fine on a laptop, refused in production.
pub const DEFAULT_JWT_SECRET: &str = "ondol-development-secret-do-not-use-in-production";

/// The top-level keys of the file (and of `ONDOL_<KEY>`).
const TOP_LEVEL_KEYS: [&str; 15] = [
    "env",
    "host",
    "data_dir",
    "database_url",
    "redis_url",
    "redis_prefix",
    "jwt_secret",
    "jwt_secret_file",
    "timezone",
    "log",
    "log_format",
    "bcrypt_cost",
    "rate_limits",
    "db_pool_size",
    "shutdown_grace_secs",
];

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {path} is not valid TOML: {source}")]
    Parse {
        path: PathBuf,
        source: Box<toml::de::Error>,
    },
    #[error("setting `{key}` = {value:?} is invalid: {reason}")]
    Invalid {
        key: String,
        value: String,
        reason: String,
    },
    #[error("refusing to start in production: {0}")]
    Unsafe(String),
    #[error("{path}: unknown setting `{key}`; known: {known}")]
    UnknownTopLevel {
        path: PathBuf,
        key: String,
        known: String,
    },
    #[error("{path}: [apps.{app}] names no app of this build (it has: {known})")]
    UnknownApp {
        path: PathBuf,
        app: String,
        known: String,
    },
    #[error(
        "[apps.{app}]: unknown setting `{key}` ({env}); {app}'s own settings: {known}; every app's: {platform}"
    )]
    UnknownSetting {
        app: String,
        key: String,
        env: String,
        known: String,
        platform: String,
    },
}

/// A value that must never be printed or logged.
#[derive(Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunEnv {
    Development,
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Json,
    Pretty,
}

/// The whole configuration, shared by all apps of one process.
#[derive(Debug, Clone)]
pub struct Config {
    pub env: RunEnv,
    pub host: IpAddr,
    pub data_dir: PathBuf,
    pub database_url: Option<Secret>,
    pub redis_url: Option<Secret>,
    /// Prefix for every Redis key and channel, so several deployments (or test runs)
    /// can share one Redis.
    pub redis_prefix: String,
    pub jwt_secret: Secret,
    pub timezone: Tz,
    pub log: String,
    pub log_format: LogFormat,
    pub bcrypt_cost: u32,
    pub rate_limits: bool,
    /// Pool size for PostgreSQL, and readers for SQLite.
    pub db_pool_size: u32,
    pub shutdown_grace_secs: u64,
    apps: BTreeMap<String, RawSettings>,
}

impl Config {
    /// Defaults only: what `ondol serve` uses with no file and no environment.
    pub fn defaults() -> Self {
        Self {
            env: RunEnv::Development,
            host: IpAddr::from([127, 0, 0, 1]),
            data_dir: PathBuf::from("data"),
            database_url: None,
            redis_url: None,
            redis_prefix: "ondol:".into(),
            jwt_secret: Secret::new(DEFAULT_JWT_SECRET),
            timezone: chrono_tz::Asia::Seoul,
            log: "info".into(),
            log_format: LogFormat::Json,
            bcrypt_cost: 12,
            rate_limits: true,
            db_pool_size: 16,
            shutdown_grace_secs: 10,
            apps: BTreeMap::new(),
        }
    }

    /// Defaults, then the file (if any), then the process environment. `apps`: the
    /// names of the apps this build has, which own `[apps.<app>]` and
    /// `ONDOL_<APP>_*`.
    pub fn load(file: Option<&std::path::Path>, apps: &[&str]) -> Result<Self, ConfigError> {
        let env: Vec<(String, String)> = std::env::vars().collect();
        Self::load_from(file, env, apps)
    }

    pub fn load_from(
        file: Option<&std::path::Path>,
        env: impl IntoIterator<Item = (String, String)>,
        app_names: &[&str],
    ) -> Result<Self, ConfigError> {
        let mut top: BTreeMap<String, String> = BTreeMap::new();
        let mut apps: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        if let Some(path) = file {
            let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                path: path.to_owned(),
                source,
            })?;
            let table: toml::Table = text.parse().map_err(|source| ConfigError::Parse {
                path: path.to_owned(),
                source: Box::new(source),
            })?;
            for (key, value) in table {
                if key == "apps" {
                    if let toml::Value::Table(per_app) = value {
                        for (app, settings) in per_app {
                            if !app_names.contains(&app.as_str()) {
                                return Err(ConfigError::UnknownApp {
                                    path: path.to_owned(),
                                    app,
                                    known: app_names.join(", "),
                                });
                            }
                            if let toml::Value::Table(settings) = settings {
                                let entry = apps.entry(app).or_default();
                                for (k, v) in settings {
                                    entry.insert(k, toml_to_string(v));
                                }
                            }
                        }
                    }
                } else if TOP_LEVEL_KEYS.contains(&key.as_str()) {
                    top.insert(key, toml_to_string(value));
                } else {
                    return Err(ConfigError::UnknownTopLevel {
                        path: path.to_owned(),
                        key,
                        known: TOP_LEVEL_KEYS.join(", "),
                    });
                }
            }
        }
        for (name, value) in env {
            let Some(rest) = name.strip_prefix("ONDOL_") else {
                continue;
            };
            let rest = rest.to_ascii_lowercase();
            let app = app_names
                .iter()
                .find(|app| rest.starts_with(&format!("{app}_")));
            match app {
                Some(app) => {
                    let key = rest[app.len() + 1..].to_owned();
                    apps.entry((*app).to_owned())
                        .or_default()
                        .insert(key, value);
                }
                None => {
                    top.insert(rest, value);
                }
            }
        }
        let mut config = Self::defaults();
        config.apply(&top)?;
        config.apps = apps
            .into_iter()
            .map(|(app, values)| (app.clone(), RawSettings { app, values }))
            .collect();
        Ok(config)
    }

    fn apply(&mut self, top: &BTreeMap<String, String>) -> Result<(), ConfigError> {
        for (key, value) in top {
            let v = value.as_str();
            match key.as_str() {
                "env" => {
                    self.env = match v {
                        "production" | "prod" => RunEnv::Production,
                        "development" | "dev" | "test" => RunEnv::Development,
                        _ => return Err(invalid(key, v, "expected development or production")),
                    }
                }
                "host" => self.host = parse_value(key, v)?,
                "data_dir" => self.data_dir = PathBuf::from(v),
                "database_url" => self.database_url = non_empty(v).map(Secret::new),
                "redis_url" => self.redis_url = non_empty(v).map(Secret::new),
                "redis_prefix" => self.redis_prefix = v.to_owned(),
                "jwt_secret" => self.jwt_secret = Secret::new(v),
                "jwt_secret_file" => {
                    let text = std::fs::read_to_string(v).map_err(|source| ConfigError::Read {
                        path: PathBuf::from(v),
                        source,
                    })?;
                    self.jwt_secret = Secret::new(text.trim());
                }
                "timezone" => self.timezone = parse_value(key, v)?,
                "log" => self.log = v.to_owned(),
                "log_format" => {
                    self.log_format = match v {
                        "json" => LogFormat::Json,
                        "pretty" => LogFormat::Pretty,
                        _ => return Err(invalid(key, v, "expected json or pretty")),
                    }
                }
                "bcrypt_cost" => {
                    let cost: u32 = parse_value(key, v)?;
                    if !(4..=31).contains(&cost) {
                        return Err(invalid(key, v, "bcrypt cost must be between 4 and 31"));
                    }
                    self.bcrypt_cost = cost;
                }
                "rate_limits" => {
                    self.rate_limits = match v {
                        "on" | "true" | "1" => true,
                        "off" | "false" | "0" => false,
                        _ => return Err(invalid(key, v, "expected on or off")),
                    }
                }
                "db_pool_size" => self.db_pool_size = parse_value(key, v)?,
                "shutdown_grace_secs" => self.shutdown_grace_secs = parse_value(key, v)?,
                // The file's keys were checked against TOP_LEVEL_KEYS; the process
                // environment holds ONDOL_* variables of other tools (test runners,
                // benchmarks), which are not ours to refuse.
                _ => {}
            }
        }
        Ok(())
    }

    /// One app's settings, as text.
    pub fn app(&self, name: &str) -> RawSettings {
        self.apps
            .get(name)
            .cloned()
            .unwrap_or_else(|| RawSettings::new(name))
    }

    pub fn app_mut(&mut self, name: &str) -> &mut RawSettings {
        self.apps
            .entry(name.to_owned())
            .or_insert_with(|| RawSettings::new(name))
    }

    /// Production refuses what is only safe on a laptop.
    pub fn check_production(&self, app_names: &[&str]) -> Result<(), ConfigError> {
        if self.env != RunEnv::Production {
            return Ok(());
        }
        if self.jwt_secret.expose() == DEFAULT_JWT_SECRET || self.jwt_secret.expose().len() < 32 {
            return Err(ConfigError::Unsafe(
                "ONDOL_JWT_SECRET is the default or shorter than 32 bytes".into(),
            ));
        }
        for name in app_names {
            let app = self.app(name).platform()?;
            if let Some(secret) = &app.jwt_secret
                && secret.expose().len() < 32
            {
                return Err(ConfigError::Unsafe(format!(
                    "the JWT secret of {name} is shorter than 32 bytes"
                )));
            }
        }
        Ok(())
    }
}

fn non_empty(v: &str) -> Option<&str> {
    (!v.trim().is_empty()).then_some(v)
}

fn invalid(key: &str, value: &str, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key: key.to_owned(),
        value: value.to_owned(),
        reason: reason.into(),
    }
}

fn parse_value<T: FromStr>(key: &str, v: &str) -> Result<T, ConfigError>
where
    T::Err: fmt::Display,
{
    v.trim()
        .parse()
        .map_err(|e: T::Err| invalid(key, v, e.to_string()))
}

fn toml_to_string(v: toml::Value) -> String {
    match v {
        toml::Value::String(s) => s,
        toml::Value::Array(items) => items
            .into_iter()
            .map(toml_to_string)
            .collect::<Vec<_>>()
            .join(","),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const APPS: &[&str] = &["alpha", "beta"];

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn env_wins_over_file_and_reaches_apps() {
        let dir = std::env::temp_dir().join(format!("ondol-config-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("ondol.toml");
        std::fs::write(
            &file,
            "timezone = \"UTC\"\nbcrypt_cost = 10\n[apps.alpha]\nport = 9001\ncors_origins = [\"http://a\", \"http://b\"]\n",
        )
        .unwrap();
        let c = Config::load_from(
            Some(&file),
            env(&[
                ("ONDOL_BCRYPT_COST", "5"),
                ("ONDOL_ALPHA_PORT", "18001"),
                ("PATH", "/bin"),
            ]),
            APPS,
        )
        .unwrap();
        assert_eq!(c.timezone, chrono_tz::UTC);
        assert_eq!(c.bcrypt_cost, 5);
        let alpha = c.app("alpha").platform().unwrap();
        assert_eq!(alpha.port, Some(18001));
        assert_eq!(
            alpha.cors_origins.as_deref(),
            Some(&["http://a".to_owned(), "http://b".to_owned()][..])
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn unknown_file_keys_and_sections_are_refused() {
        let dir = std::env::temp_dir().join(format!("ondol-config-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("ondol.toml");
        std::fs::write(&file, "timezon = \"UTC\"\n").unwrap();
        let err = Config::load_from(Some(&file), env(&[]), APPS).unwrap_err();
        assert!(err.to_string().contains("`timezon`"), "{err}");
        std::fs::write(&file, "[apps.deliver]\nport = 1\n").unwrap();
        let err = Config::load_from(Some(&file), env(&[]), APPS).unwrap_err();
        assert!(err.to_string().contains("[apps.deliver]"), "{err}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn bad_values_are_errors_not_defaults() {
        assert!(Config::load_from(None, env(&[("ONDOL_BCRYPT_COST", "3")]), APPS).is_err());
        assert!(Config::load_from(None, env(&[("ONDOL_TIMEZONE", "Mars/Base")]), APPS).is_err());
        assert!(Config::load_from(None, env(&[("ONDOL_RATE_LIMITS", "maybe")]), APPS).is_err());
    }

    #[test]
    fn production_refuses_the_default_secret() {
        let c = Config::load_from(None, env(&[("ONDOL_ENV", "production")]), APPS).unwrap();
        assert!(matches!(
            c.check_production(&["alpha"]),
            Err(ConfigError::Unsafe(_))
        ));
        let strong = "x".repeat(40);
        let c = Config::load_from(
            None,
            env(&[("ONDOL_ENV", "production"), ("ONDOL_JWT_SECRET", &strong)]),
            APPS,
        )
        .unwrap();
        assert!(c.check_production(&["alpha"]).is_ok());
    }

    #[test]
    fn secrets_do_not_debug_print() {
        let c =
            Config::load_from(None, env(&[("ONDOL_JWT_SECRET", "hunter2-hunter2")]), APPS).unwrap();
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
