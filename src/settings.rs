//! Typed settings. Later sources win: defaults, then `shortscience.toml` (or the file
//! `--config` names), then `SHORTSCIENCE_*` environment variables, then flags.
//!
//! | key | environment | default | meaning |
//! |---|---|---|---|
//! | `db` | `SHORTSCIENCE_DB` | `"sqlite://shortscience.db"` | database URL: `sqlite://PATH` (created if missing) or `postgres://USER:PASS@HOST/DB` |
//! | `bind` | `SHORTSCIENCE_BIND` | `"127.0.0.1:8080"` | address `serve` listens on; port 0 picks a free port |
//! | `demo` | `SHORTSCIENCE_DEMO` | `true` | load demo summaries into a new, empty database (`--no-demo` turns it off) |
//! | `base_url` | `SHORTSCIENCE_BASE_URL` | `""` | public origin for absolute links; empty means `http://` + the bound address |
//! | `site_name` | `SHORTSCIENCE_SITE_NAME` | `"ShortScience"` | name shown in the header and page titles |
//! | `log_format` | `SHORTSCIENCE_LOG_FORMAT` | `"text"` | `serve`'s log lines: `text`, or `json` (one object per line, with request ids); `--log-format` overrides |
//! | `metrics` | `SHORTSCIENCE_METRICS` | `false` | serve Prometheus metrics at `http://<metrics_bind>/metrics` |
//! | `metrics_bind` | `SHORTSCIENCE_METRICS_BIND` | `"127.0.0.1:9464"` | address of the metrics listener, kept apart from the public port |
//! | `registration` | `SHORTSCIENCE_REGISTRATION` | `"open"` | who may sign up: `open`, `approval` (an admin approves at /admin/accounts), `invite` (needs a code from an admin), `closed` |
//! | `smtp_url` | `SHORTSCIENCE_SMTP_URL` | `""` | mail server, `smtp://[user:pass@]host[:port]` (`?tls=required` for STARTTLS, `smtps://` for TLS); empty logs account e-mails instead of sending them |
//! | `mail_from` | `SHORTSCIENCE_MAIL_FROM` | `"ShortScience <noreply@localhost>"` | sender of account e-mails |
//! | `trusted_proxy` | `SHORTSCIENCE_TRUSTED_PROXY` | `false` | take the client address from `X-Forwarded-For` (only behind a reverse proxy that sets it) |
//! | `offline` | `SHORTSCIENCE_OFFLINE` | `false` | never ask arXiv, Crossref, DataCite, DBLP or OpenReview about unknown papers |
//! | `contact_email` | `SHORTSCIENCE_CONTACT_EMAIL` | `""` | address sent with metadata requests, as those services ask of polite clients |
//! | `page_cache` | `SHORTSCIENCE_PAGE_CACHE` | `true` | keep guests' pages in memory until the next write or `page_cache_ttl` (docs/OPERATIONS.md, "Page cache") |
//! | `page_cache_ttl` | `SHORTSCIENCE_PAGE_CACHE_TTL` | `60` | longest a cached page is served, in seconds (Popular decays with time) |
//! | `page_cache_mb` | `SHORTSCIENCE_PAGE_CACHE_MB` | `32` | memory for cached pages, in MB |
//!
//! The table above is checked against [`Settings::default`] by a unit test.

use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// The file read from the working directory when `--config` is not given.
pub const DEFAULT_CONFIG_FILE: &str = "shortscience.toml";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub db: String,
    pub bind: String,
    pub demo: bool,
    pub base_url: String,
    pub site_name: String,
    pub log_format: LogFormat,
    pub metrics: bool,
    pub metrics_bind: String,
    pub registration: String,
    pub smtp_url: String,
    pub mail_from: String,
    pub trusted_proxy: bool,
    pub offline: bool,
    pub contact_email: String,
    pub page_cache: bool,
    pub page_cache_ttl: u64,
    pub page_cache_mb: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            db: "sqlite://shortscience.db".to_string(),
            bind: "127.0.0.1:8080".to_string(),
            demo: true,
            base_url: String::new(),
            site_name: "ShortScience".to_string(),
            log_format: LogFormat::Text,
            metrics: false,
            metrics_bind: "127.0.0.1:9464".to_string(),
            registration: "open".to_string(),
            smtp_url: String::new(),
            mail_from: "ShortScience <noreply@localhost>".to_string(),
            trusted_proxy: false,
            offline: false,
            contact_email: String::new(),
            page_cache: true,
            page_cache_ttl: 60,
            page_cache_mb: 32,
        }
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// Values given on the command line; `None` leaves the key to the other sources.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub db: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub demo: Option<bool>,
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("config file {} does not exist", .0.display())]
    MissingFile(PathBuf),
    #[error("invalid settings: {0}")]
    Invalid(#[from] Box<figment::Error>),
}

const KEYS: &[&str] = &[
    "db",
    "bind",
    "demo",
    "base_url",
    "site_name",
    "log_format",
    "metrics",
    "metrics_bind",
    "registration",
    "smtp_url",
    "mail_from",
    "trusted_proxy",
    "offline",
    "contact_email",
    "page_cache",
    "page_cache_ttl",
    "page_cache_mb",
];

/// Layers every source. An explicit `config` file must exist; the default one may not.
pub fn figment(config: Option<&Path>, overrides: &Overrides) -> Result<Figment, SettingsError> {
    let file = match config {
        Some(path) if !path.is_file() => return Err(SettingsError::MissingFile(path.to_owned())),
        Some(path) => Some(path.to_owned()),
        None => Some(PathBuf::from(DEFAULT_CONFIG_FILE)).filter(|p| p.is_file()),
    };
    let mut fig = Figment::from(Serialized::defaults(Settings::default()));
    if let Some(file) = file {
        fig = fig.merge(Toml::file_exact(file));
    }
    Ok(fig
        .merge(Env::prefixed("SHORTSCIENCE_").only(KEYS))
        .merge(Serialized::defaults(overrides)))
}

pub fn extract(fig: &Figment) -> Result<Settings, SettingsError> {
    fig.extract()
        .map_err(|e| SettingsError::Invalid(Box::new(e)))
}

/// Settings from every source.
pub fn load(config: Option<&Path>, overrides: &Overrides) -> Result<Settings, SettingsError> {
    extract(&figment(config, overrides)?)
}

/// A database URL safe to log: the password is replaced by `***`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => {
            let userinfo = &rest[..at];
            let user = userinfo.split(':').next().unwrap_or("");
            let masked = if userinfo.contains(':') {
                format!("{user}:***")
            } else {
                user.to_string()
            };
            format!("{scheme}://{masked}{}", &rest[at..])
        }
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (key, default as TOML) from the table in this module's documentation.
    fn documented_defaults() -> Vec<(String, String)> {
        include_str!("settings.rs")
            .lines()
            .filter_map(|l| l.strip_prefix("//! | `"))
            .map(|row| {
                let cells: Vec<&str> = row.split(" | ").collect();
                let key = cells[0].trim_end_matches('`').to_string();
                let default = cells[2].trim_matches('`').to_string();
                (key, default)
            })
            .collect()
    }

    #[test]
    fn documented_defaults_match_the_code() {
        let rows = documented_defaults();
        let doc: String = rows.iter().map(|(k, v)| format!("{k} = {v}\n")).collect();
        let from_doc: Settings = toml::from_str(&doc).expect("documented defaults are TOML");
        assert_eq!(from_doc, Settings::default());
        let mut documented: Vec<&str> = rows.iter().map(|(k, _)| k.as_str()).collect();
        let mut known = KEYS.to_vec();
        documented.sort();
        known.sort();
        assert_eq!(documented, known, "every key is documented exactly once");
        // And KEYS covers every field.
        let table: toml::Table =
            toml::from_str(&toml::to_string(&Settings::default()).unwrap()).unwrap();
        let mut fields: Vec<&str> = table.keys().map(String::as_str).collect();
        fields.sort();
        assert_eq!(fields, known);
    }

    #[test]
    fn file_then_overrides() {
        let fig = Figment::from(Serialized::defaults(Settings::default()))
            .merge(Toml::string(
                "bind = \"0.0.0.0:9000\"\nsite_name = \"Papers\"\ndemo = false",
            ))
            .merge(Serialized::defaults(Overrides {
                bind: Some("127.0.0.1:0".into()),
                ..Overrides::default()
            }));
        let s = extract(&fig).unwrap();
        assert_eq!(s.bind, "127.0.0.1:0");
        assert_eq!(s.site_name, "Papers");
        assert!(!s.demo);
        assert_eq!(s.db, Settings::default().db);
    }

    #[test]
    fn typos_in_the_file_are_errors() {
        let fig = Figment::from(Serialized::defaults(Settings::default()))
            .merge(Toml::string("bnid = \"0.0.0.0:9000\""));
        let err = extract(&fig).unwrap_err().to_string();
        assert!(err.contains("bnid"), "{err}");
    }

    #[test]
    fn explicit_missing_file_is_an_error() {
        let missing = Path::new("/nonexistent/shortscience.toml");
        assert!(matches!(
            figment(Some(missing), &Overrides::default()),
            Err(SettingsError::MissingFile(_))
        ));
    }

    #[test]
    fn redacts_passwords_only() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db.example:5432/ss"),
            "postgres://app:***@db.example:5432/ss"
        );
        assert_eq!(redact_url("postgres://app@db/ss"), "postgres://app@db/ss");
        assert_eq!(redact_url("sqlite://data/ss.db"), "sqlite://data/ss.db");
        assert_eq!(redact_url("not a url"), "not a url");
    }
}
