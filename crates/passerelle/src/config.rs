//! Configuration in layers: defaults, a TOML file, `PASSERELLE__SECTION__KEY`
//! environment variables. The database URL is a secret: it never prints whole.

use anyhow::{Context, Result};
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use passerelle_service::crypto::FieldKey;
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
#[derive(Default)]
pub struct Config {
    pub server: Server,
    pub database: Database,
    pub security: Security,
    pub publication: Publication,
    pub log: Log,
    pub report: Report,
}

/// The yearly report's PDF: where its fonts are (the public report's threshold is
/// `publication.public_threshold`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Report {
    /// Font directories (or files): Noto Sans, Noto Naskh Arabic and Amiri are used.
    pub font_paths: Vec<String>,
}

impl Default for Report {
    fn default() -> Self {
        Report {
            font_paths: passerelle_report::DEFAULT_FONT_PATHS
                .iter()
                .map(|s| s.to_string())
                .collect(),
        }
    }
}

/// Statistical confidentiality of published figures: the smallest count of people
/// shown to each audience (a figure below it, and any figure that would reveal it,
/// is withheld and marked).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Publication {
    pub public_threshold: u32,
    pub partners_threshold: u32,
}

impl Default for Publication {
    fn default() -> Self {
        let p = passerelle_domain::disclosure::Policy::default();
        Publication {
            public_threshold: p.public,
            partners_threshold: p.partners,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Server {
    pub listen: String,
    /// Mark cookies Secure (HTTPS only). Keep true in production.
    pub secure_cookies: bool,
}

#[derive(Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Database {
    /// sqlite://PATH?mode=rwc (embedded) or postgres://USER:PASSWORD@HOST/DB.
    pub url: String,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field("url", &passerelle_store::redact_url(&self.url))
            .finish()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Security {
    pub session_idle_minutes: i64,
    pub login_max_failures: u32,
    pub login_window_seconds: u64,
    /// The key (64 hexadecimal characters) that encrypts sensitive fields. Prefer
    /// `PASSERELLE__SECURITY__FIELD_KEY` or a secret manager to writing it here.
    pub field_key: Option<String>,
    /// Where the key is kept when `field_key` is not set: created with a random key
    /// on first start (mode 0600). Back it up with the database: without it the
    /// encrypted fields cannot be read.
    pub field_key_file: String,
    /// The portal's contact form: submissions allowed per address in the window.
    pub contact_max_per_window: u32,
    pub contact_window_seconds: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Log {
    /// A tracing filter, e.g. "info" or "passerelle_web=debug".
    pub level: String,
    pub json: bool,
}

impl Default for Server {
    fn default() -> Self {
        Server {
            listen: "127.0.0.1:8080".into(),
            secure_cookies: true,
        }
    }
}

impl Default for Database {
    fn default() -> Self {
        Database {
            url: "sqlite://./data-dir/passerelle.db?mode=rwc".into(),
        }
    }
}

impl Default for Security {
    fn default() -> Self {
        let s = passerelle_service::ServiceConfig::default();
        Security {
            session_idle_minutes: s.session_idle_minutes,
            login_max_failures: s.login_max_failures,
            login_window_seconds: s.login_window_seconds,
            field_key: None,
            field_key_file: "./data-dir/field.key".into(),
            contact_max_per_window: s.contact_max_per_window,
            contact_window_seconds: s.contact_window_seconds,
        }
    }
}

impl Default for Log {
    fn default() -> Self {
        Log {
            level: "info".into(),
            json: false,
        }
    }
}

impl Config {
    pub fn load(file: Option<&Path>) -> Result<Config> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        if let Some(f) = file {
            if !f.exists() {
                anyhow::bail!("configuration file {} does not exist", f.display());
            }
            fig = fig.merge(Toml::file(f));
        }
        fig = fig.merge(Env::prefixed("PASSERELLE__").split("__"));
        fig.extract().context("reading configuration")
    }

    /// The database URL; for SQLite, the file's directory is created.
    pub fn database_url(&self) -> Result<String> {
        let url = self.database.url.clone();
        if let Some(path) = url.strip_prefix("sqlite://") {
            let path = path.split('?').next().unwrap_or(path);
            if let Some(dir) = Path::new(path)
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
            {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating the data directory {}", dir.display()))?;
            }
        }
        Ok(url)
    }

    pub fn service(&self) -> Result<passerelle_service::ServiceConfig> {
        Ok(passerelle_service::ServiceConfig {
            session_idle_minutes: self.security.session_idle_minutes,
            login_max_failures: self.security.login_max_failures,
            login_window_seconds: self.security.login_window_seconds,
            field_key: self.field_key()?,
            contact_max_per_window: self.security.contact_max_per_window,
            contact_window_seconds: self.security.contact_window_seconds,
            disclosure: passerelle_domain::disclosure::Policy {
                public: self.publication.public_threshold,
                partners: self.publication.partners_threshold,
            },
            ..Default::default()
        })
    }

    /// The field-encryption key: from configuration, else from its file (created with a
    /// random key the first time).
    fn field_key(&self) -> Result<FieldKey> {
        if let Some(hex) = &self.security.field_key {
            return FieldKey::from_hex(hex)
                .context("security.field_key must be 64 hexadecimal characters (32 bytes)");
        }
        let path = Path::new(&self.security.field_key_file);
        if path.exists() {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading the field key {}", path.display()))?;
            return FieldKey::from_hex(&text).with_context(|| {
                format!("{} must hold 64 hexadecimal characters", path.display())
            });
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let key = FieldKey::random();
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        use std::io::Write;
        let mut f = opts
            .open(path)
            .with_context(|| format!("creating the field key {}", path.display()))?;
        f.write_all(key.to_hex().as_bytes())?;
        tracing::warn!(path = %path.display(), "created a new field-encryption key: back it up with the database");
        Ok(key)
    }
}

pub fn default_toml() -> Result<String> {
    Ok(toml::to_string_pretty(&Config::default())?)
}

pub fn init_tracing(cfg: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_new(&cfg.log.level)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    if cfg.log.json {
        builder.json().init();
    } else {
        builder.init();
    }
}
