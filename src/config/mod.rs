//! config.yml: where it is found, what it means, how it is validated and saved.
//!
//! The old Serverless project's keys work unchanged. Errors name the file, line:column and key;
//! unknown keys are warnings and survive a save.

pub mod home_region;
mod json_schema;
pub(crate) mod parse;
mod save;
pub mod schema;
pub mod yaml;

use std::fmt;
use std::path::{Path, PathBuf};

use awsmon_notifier::{Service, Settings, WebhookUrl};

pub use json_schema::json_schema;
pub use save::{
    SaveError, SavePlan, save_if_unchanged, save_target, write_atomic, write_atomic_with,
};
pub use schema::{KEYS, KeySpec, Value, sample};
pub use yaml::Pos;

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub prefix_service_name: String,
    pub prefix_s3: String,
    pub stack_tags: Vec<(String, String)>,
    /// USD per month. `None`: no budget is configured.
    pub budget_limit: Option<f64>,
    /// Cost filters, each `user:key$value`.
    pub budget_tag_filters: Vec<String>,
    pub budget_threshold_percentage: f64,
    pub regions: RegionSelection,
    /// Routing and filters, exactly as the notifier receives them.
    pub settings: Settings,
    /// Where the hub's alarms (notifier errors, throttles, failure queue) send email.
    pub alert_email: Option<String>,
    /// The notifier's reserved concurrency.
    pub notifier_reserved_concurrency: u32,
    /// DIGEST_TIME, `HH:MM`: the daily digest's time; `None`: no digest.
    pub digest_time: Option<String>,
    /// DIGEST_TZ, an IANA time zone name; `None`: UTC.
    pub digest_tz: Option<String>,
    /// Whether config.yml itself sets HOME_REGION. When it does not, the home region comes
    /// from the environment ([`home_region`]) and a save leaves the key out.
    pub home_region_in_file: bool,
    /// Org mode and its scope (ORGANIZATION, ACCOUNTS, EXCLUDE_ACCOUNTS, ORG_ACCESS_ROLE,
    /// DELEGATED_ADMIN_ACCOUNT).
    pub org: OrgSettings,
}

/// How awsmon sees an AWS Organization. Off by default: one account, as before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgSettings {
    pub enabled: bool,
    /// Account ids, OU ids or the root id to include; empty: every account.
    pub accounts: Vec<String>,
    /// Account ids or OU ids to leave out.
    pub exclude: Vec<String>,
    /// The role assumed in member accounts where no organization API answers.
    pub access_role: String,
    /// The services' delegated administrator; `None`: the account awsmon runs as.
    pub delegated_admin: Option<String>,
    /// The AWS Config organization aggregator the scan reads Config's status from
    /// (CONFIG_AGGREGATOR); `None`: the first organization aggregator the administrator has.
    pub config_aggregator: Option<String>,
    /// Which accounts the services' organization auto-enable covers (ORG_AUTO_ENABLE);
    /// `None`: awsmon leaves the Organization's administrator and auto-enable alone.
    pub auto_enable: Option<AutoEnableMode>,
    /// StackSet operations: the share of accounts deployed at once, and the share that may
    /// fail before an operation stops (ORG_MAX_CONCURRENT_PERCENT,
    /// ORG_FAILURE_TOLERANCE_PERCENT).
    pub max_concurrent_percent: u8,
    pub failure_tolerance_percent: u8,
}

/// ORG_AUTO_ENABLE: `NEW` covers accounts that join from now on; `ALL` also enables the
/// services in every existing member (each account is billed for them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum AutoEnableMode {
    New,
    All,
}

impl AutoEnableMode {
    pub fn as_str(self) -> &'static str {
        match self {
            AutoEnableMode::New => "NEW",
            AutoEnableMode::All => "ALL",
        }
    }

    pub fn parse(text: &str) -> Result<AutoEnableMode, String> {
        match text.trim().to_ascii_uppercase().as_str() {
            "NEW" => Ok(AutoEnableMode::New),
            "ALL" => Ok(AutoEnableMode::All),
            _ => Err(format!("expected ALL or NEW, found {text:?}")),
        }
    }
}

pub const DEFAULT_ORG_ACCESS_ROLE: &str = "OrganizationAccountAccessRole";

impl Default for OrgSettings {
    fn default() -> Self {
        OrgSettings {
            enabled: false,
            accounts: Vec::new(),
            exclude: Vec::new(),
            access_role: DEFAULT_ORG_ACCESS_ROLE.to_string(),
            delegated_admin: None,
            config_aggregator: None,
            auto_enable: None,
            max_concurrent_percent: 25,
            failure_tolerance_percent: 10,
        }
    }
}

pub const DEFAULT_RESERVED_CONCURRENCY: u32 = 5;

pub const DEFAULT_PREFIX: &str = "awsmon";
pub const DEFAULT_BUDGET_THRESHOLD: f64 = 80.0;

impl Default for Config {
    fn default() -> Self {
        Config {
            prefix_service_name: DEFAULT_PREFIX.to_string(),
            prefix_s3: DEFAULT_PREFIX.to_string(),
            stack_tags: Vec::new(),
            budget_limit: None,
            budget_tag_filters: Vec::new(),
            budget_threshold_percentage: DEFAULT_BUDGET_THRESHOLD,
            regions: RegionSelection::All,
            settings: Settings::default(),
            alert_email: None,
            digest_time: None,
            digest_tz: None,
            notifier_reserved_concurrency: DEFAULT_RESERVED_CONCURRENCY,
            home_region_in_file: false,
            org: OrgSettings::default(),
        }
    }
}

impl Config {
    pub fn home_region(&self) -> &str {
        &self.settings.home_region
    }

    /// DIGEST_TIME as EventBridge Scheduler's daily cron expression (its minutes and hours,
    /// in DIGEST_TZ); `None` without a digest.
    pub fn digest_schedule(&self) -> Option<String> {
        let (h, m) = self.digest_time.as_deref()?.split_once(':')?;
        let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
        Some(format!("cron({m} {h} * * ? *)"))
    }

    /// "daily at 09:00 Europe/Berlin", or why there is none.
    pub fn digest_when(&self) -> String {
        match &self.digest_time {
            Some(t) => format!(
                "daily at {t} {}",
                self.digest_tz.as_deref().unwrap_or("UTC")
            ),
            None => "off (set DIGEST_TIME to send one)".to_string(),
        }
    }

    /// Routes that would resolve to no webhook: a service with none of its own while
    /// WEBHOOK_URLS is empty, and `default` itself (Security Hub and test messages use it).
    pub fn routes_without_webhook(&self) -> Vec<&'static str> {
        if !self.settings.routes.default.is_empty() {
            return Vec::new();
        }
        let mut out = vec!["default"];
        out.extend(
            Service::ALL
                .iter()
                .filter(|s| self.settings.routes.for_service(**s).is_empty())
                .map(|s| s.as_str()),
        );
        out
    }

    /// Why routing with gaps must not be deployed or pushed, or `None` when every route has a
    /// webhook: an event on a route without one could only fail.
    pub fn routing_gap(&self) -> Option<String> {
        let missing = self.routes_without_webhook();
        (!missing.is_empty()).then(|| {
            format!(
                "no webhook for the {} {}: set WEBHOOK_URLS in config.yml (every route falls back to it), or each route's own WEBHOOK_URLS_<SERVICE>",
                missing.join(", "),
                if missing.len() == 1 { "route" } else { "routes" }
            )
        })
    }

    /// Every list of webhooks config.yml holds, each with the key it is written under
    /// (`ROUTING_OVERRIDES.<id>.WEBHOOK_URLS` for an override's): one place for the checks
    /// that look at every webhook.
    pub fn webhook_lists(&self) -> Vec<(String, &[WebhookUrl])> {
        let routes = &self.settings.routes;
        std::iter::once(("WEBHOOK_URLS".to_string(), routes.default.as_slice()))
            .chain(routes.per_service.iter().map(|(svc, list)| {
                (
                    format!("WEBHOOK_URLS_{}", svc.config_suffix()),
                    list.as_slice(),
                )
            }))
            .chain(self.settings.overrides.iter().map(|(target, o)| {
                (
                    format!("ROUTING_OVERRIDES.{target}.WEBHOOK_URLS"),
                    o.webhooks.as_slice(),
                )
            }))
            .collect()
    }

    pub fn webhooks(&self, service: Option<Service>) -> &[WebhookUrl] {
        match service {
            Some(svc) => self.settings.routes.for_service(svc),
            None => &self.settings.routes.default,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionSelection {
    All,
    List(Vec<String>),
}

impl RegionSelection {
    pub fn contains(&self, region: &str) -> bool {
        match self {
            RegionSelection::All => true,
            RegionSelection::List(list) => list.iter().any(|r| r == region),
        }
    }
}

/// One problem found in a config file, located precisely.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigIssue {
    pub file: String,
    pub pos: Pos,
    pub key: String,
    pub message: String,
}

impl fmt::Display for ConfigIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file, self.pos.line, self.pos.column)?;
        if !self.key.is_empty() {
            write!(f, "{}: ", self.key)?;
        }
        f.write_str(&self.message)
    }
}

#[derive(Debug)]
pub enum ConfigError {
    /// The file could not be read (or `--config` named one that does not exist).
    Io { file: String, message: String },
    /// The file was read; these are its problems, in file order, and its warnings.
    Invalid {
        errors: Vec<ConfigIssue>,
        warnings: Vec<ConfigIssue>,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Io { file, message } => write!(f, "{file}: {message}"),
            ConfigError::Invalid { errors, .. } => {
                for (i, issue) in errors.iter().enumerate() {
                    if i > 0 {
                        f.write_str("\n")?;
                    }
                    write!(f, "error: {issue}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ConfigError {}

/// A config as loaded: the model, where it came from, and what was only worth a warning.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub config: Config,
    /// `None` when no file was found and the defaults are in use.
    pub path: Option<PathBuf>,
    /// The file's text, kept so that a save can preserve comments and unknown keys.
    pub text: Option<String>,
    pub warnings: Vec<ConfigIssue>,
    /// Said before the first AWS call when no setting named the home region.
    pub home_region_note: Option<String>,
}

/// Where config.yml is looked for, in order, when `--config` is not given.
pub fn search_paths() -> Vec<PathBuf> {
    let mut paths = vec![
        PathBuf::from("config/config.yml"),
        PathBuf::from("config.yml"),
    ];
    paths.extend(user_config_path());
    paths
}

/// `$XDG_CONFIG_HOME/awsmon/config.yml`, else `~/.config/awsmon/config.yml`.
pub fn user_config_path() -> Option<PathBuf> {
    xdg_dir("XDG_CONFIG_HOME", ".config").map(|dir| dir.join("awsmon").join("config.yml"))
}

/// Where the console offers to write exported findings: `$XDG_DATA_HOME/awsmon/findings`, else
/// `~/.local/share/awsmon/findings`, else the working directory.
pub fn export_dir() -> PathBuf {
    xdg_dir("XDG_DATA_HOME", ".local/share")
        .map_or_else(PathBuf::new, |dir| dir.join("awsmon").join("findings"))
}

/// An XDG base directory: `$var` when absolute (the spec ignores relative ones), else
/// `~/<under_home>`.
pub(crate) fn xdg_dir(var: &str, under_home: &str) -> Option<PathBuf> {
    std::env::var_os(var)
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|h| !h.is_empty())
                .map(|h| PathBuf::from(h).join(under_home))
        })
}

/// Where the first save goes when no config.yml was found: the user's config directory (not
/// wherever the console happened to be started), else `./config.yml`.
pub fn first_save_path() -> PathBuf {
    user_config_path().unwrap_or_else(|| PathBuf::from("config.yml"))
}

/// Loads `explicit`, or the first file of [`search_paths`] that exists, or the defaults.
pub fn locate_and_load(explicit: Option<&Path>) -> Result<Loaded, ConfigError> {
    if let Some(path) = explicit {
        return load_file(path);
    }
    match search_paths().into_iter().find(|p| p.is_file()) {
        Some(path) => load_file(&path),
        None => Ok(Loaded {
            config: Config::default(),
            path: None,
            text: None,
            warnings: Vec::new(),
            home_region_note: None,
        }),
    }
}

pub fn load_file(path: &Path) -> Result<Loaded, ConfigError> {
    let file = path.display().to_string();
    // Looked at before it is read: a huge file is refused without filling memory.
    if let Ok(meta) = std::fs::metadata(path)
        && meta.len() > yaml::MAX_BYTES as u64
    {
        return Err(ConfigError::Io {
            file,
            message: format!(
                "{} bytes; a config file may be at most {} (is this the right file?)",
                meta.len(),
                yaml::MAX_BYTES
            ),
        });
    }
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Io {
        file: file.clone(),
        message: format!("cannot read: {e}"),
    })?;
    let (config, warnings) = parse::parse_config(&file, &text)
        .map_err(|(errors, warnings)| ConfigError::Invalid { errors, warnings })?;
    Ok(Loaded {
        config,
        path: Some(path.to_path_buf()),
        text: Some(text),
        warnings,
        home_region_note: None,
    })
}

/// Parses config text; `file` is only used to label issues.
pub fn load_str(file: &str, text: &str) -> Result<(Config, Vec<ConfigIssue>), Vec<ConfigIssue>> {
    parse::parse_config(file, text).map_err(|(errors, _)| errors)
}

/// A printable, masked view of every key's effective value, for `config show`.
pub fn show(config: &Config) -> Vec<(&'static str, String)> {
    KEYS.iter()
        .map(|k| (k.name, k.get(config).display_masked()))
        .collect()
}

/// The same view as JSON, webhooks masked.
pub fn show_json(config: &Config) -> serde_json::Value {
    let map = KEYS
        .iter()
        .map(|k| (k.name.to_string(), k.get(config).to_json_masked()))
        .collect();
    serde_json::Value::Object(map)
}
