//! From the positioned YAML tree to a validated [`Config`], collecting every issue. What each
//! key accepts is its row in [`schema::KEYS`]; this file reads YAML nodes by value kind.

use std::collections::BTreeMap;

use awsmon_notifier::WebhookUrl;
use awsmon_notifier::secret::{mask_url, mask_urls_in};
use awsmon_notifier::settings::{MinSeverity, RouteOverride, Suppression};

use super::schema::{self, Bounds};
use super::yaml::{self, Kind, Node, Pos};
use super::{Config, ConfigIssue, RegionSelection};

pub(super) struct Ctx<'a> {
    file: &'a str,
    pub(super) errors: Vec<ConfigIssue>,
    warnings: Vec<ConfigIssue>,
}

impl<'a> Ctx<'a> {
    pub(super) fn new(file: &'a str) -> Self {
        Ctx {
            file,
            errors: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// Every message is masked here, whatever key it is about: a webhook URL typed under the
    /// wrong key must not be echoed back whole.
    pub(super) fn error(&mut self, pos: Pos, key: &str, message: impl Into<String>) {
        self.errors.push(ConfigIssue {
            file: self.file.to_string(),
            pos,
            key: mask_urls_in(key),
            message: mask_urls_in(&message.into()),
        });
    }

    fn type_error(&mut self, node: &Node, key: &str, expected: &str) {
        let found = match node.as_scalar() {
            Some(text) if !node.is_null() => format!("{} {:?}", node.describe(), mask_if_url(text)),
            _ => node.describe().to_string(),
        };
        self.error(node.pos, key, format!("expected {expected}, found {found}"));
    }

    pub(super) fn boolean(&mut self, key: &str, node: &Node) -> Option<bool> {
        match node.as_scalar().map(|t| t.trim().to_ascii_lowercase()) {
            _ if node.is_null() => Some(false),
            Some(t) if t == "true" => Some(true),
            Some(t) if t == "false" => Some(false),
            _ => {
                self.type_error(node, key, "true or false");
                None
            }
        }
    }

    pub(super) fn string(&mut self, key: &str, node: &Node) -> Option<String> {
        match &node.kind {
            Kind::Scalar { text, .. } if !node.is_null() => Some(text.trim().to_string()),
            _ => {
                self.type_error(node, key, "a string");
                None
            }
        }
    }

    /// A YAML list, or a comma-separated string (the old project's form). Null is empty.
    pub(super) fn list(&mut self, key: &str, node: &Node) -> Vec<(String, Pos)> {
        if node.is_null() {
            return Vec::new();
        }
        match &node.kind {
            Kind::Scalar { text, .. } => text
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| (s.to_string(), node.pos))
                .collect(),
            Kind::Seq(items) => items
                .iter()
                .filter(|item| !item.is_null())
                .filter_map(|item| {
                    if let Some(text) = item.as_scalar() {
                        Some((text.trim().to_string(), item.pos))
                    } else {
                        self.type_error(item, key, "a string in the list");
                        None
                    }
                })
                .collect(),
            Kind::Map(_) => {
                self.type_error(node, key, "a list or a comma-separated string");
                Vec::new()
            }
        }
    }

    pub(super) fn webhooks(&mut self, key: &str, node: &Node) -> Vec<WebhookUrl> {
        self.list(key, node)
            .into_iter()
            .filter_map(|(raw, pos)| match WebhookUrl::parse(&raw) {
                Ok(url) => Some(url),
                Err(e) => {
                    self.error(pos, key, format!("{e}, found {}", mask_url(&raw)));
                    None
                }
            })
            .collect()
    }

    pub(super) fn tags(&mut self, key: &str, node: &Node) -> Vec<(String, String)> {
        if node.is_null() {
            return Vec::new();
        }
        let Kind::Map(entries) = &node.kind else {
            self.type_error(node, key, "a mapping of tag names to values");
            return Vec::new();
        };
        let mut out = Vec::new();
        for (k, v) in entries {
            match (k.as_scalar(), v.as_scalar()) {
                (Some(name), Some(value)) if !name.is_empty() => {
                    let value = if v.is_null() { "" } else { value };
                    if out.iter().any(|(n, _)| n == name) {
                        // CloudFormation would keep one of the two; which one is not the user's choice.
                        self.error(k.pos, key, format!("tag {name:?} appears twice"));
                    } else if name.len() > 128 || value.len() > 256 || name.starts_with("aws:") {
                        self.error(k.pos, key, format!("tag {name:?}: keys are at most 128 characters and may not start with aws:, values at most 256"));
                    } else {
                        out.push((name.to_string(), value.to_string()));
                    }
                }
                (Some(_), Some(_)) | (None, _) => self.type_error(k, key, "a tag name"),
                (Some(_), None) => self.type_error(v, key, "a tag value (a string)"),
            }
        }
        out
    }

    /// ROUTING_OVERRIDES: a mapping of account, OU or root ids to `WEBHOOK_URLS` and/or
    /// `MIN_SEVERITY`. Each problem names the entry's key path.
    pub(super) fn overrides(&mut self, key: &str, node: &Node) -> BTreeMap<String, RouteOverride> {
        let mut out = BTreeMap::new();
        if node.is_null() {
            return out;
        }
        let Kind::Map(entries) = &node.kind else {
            self.type_error(
                node,
                key,
                "a mapping of account or OU ids to WEBHOOK_URLS and MIN_SEVERITY",
            );
            return out;
        };
        for (k, v) in entries {
            let Some(target) = k.as_scalar().map(str::trim) else {
                self.type_error(k, key, "an account id, OU id or root id");
                continue;
            };
            let path = format!("{key}.{target}");
            let target = match super::schema::org_target(target) {
                Ok(t) => t,
                Err(message) => {
                    self.error(k.pos, key, message);
                    continue;
                }
            };
            if out.contains_key(&target) {
                self.error(k.pos, key, format!("{target} appears twice"));
                continue;
            }
            let Kind::Map(fields) = &v.kind else {
                self.type_error(v, &path, "a mapping with WEBHOOK_URLS and/or MIN_SEVERITY");
                continue;
            };
            let mut over = RouteOverride::default();
            let errors = self.errors.len();
            for (fk, fv) in fields {
                let name = fk.as_scalar().unwrap_or_default().trim();
                let field_path = format!("{path}.{name}");
                match name {
                    "WEBHOOK_URLS" => over.webhooks = self.webhooks(&field_path, fv),
                    "MIN_SEVERITY" if fv.is_null() => {}
                    "MIN_SEVERITY" => {
                        let Some(text) = self.string(&field_path, fv) else {
                            continue;
                        };
                        match text.parse::<MinSeverity>() {
                            Ok(sev) => over.min_severity = Some(sev),
                            Err(message) => self.error(fv.pos, &field_path, message),
                        }
                    }
                    _ => self.error(
                        fk.pos,
                        &path,
                        format!(
                            "unknown key {name:?}; an entry takes WEBHOOK_URLS and MIN_SEVERITY"
                        ),
                    ),
                }
            }
            if over.is_empty() && self.errors.len() == errors {
                self.error(
                    v.pos,
                    &path,
                    "sets nothing: give WEBHOOK_URLS, MIN_SEVERITY or both",
                );
                continue;
            }
            out.insert(target, over);
        }
        out
    }

    /// SUPPRESS: a list of rules, each naming what it matches, why, and until when. Errors
    /// name the rule's field as `SUPPRESS[N].FIELD`, N from 1 as the notifier numbers them.
    pub(super) fn suppress(&mut self, key: &str, node: &Node) -> Vec<Suppression> {
        let mut out = Vec::new();
        if node.is_null() {
            return out;
        }
        let Kind::Seq(items) = &node.kind else {
            self.type_error(
                node,
                key,
                "a list of rules (SERVICE, TYPE, RESOURCE, ACCOUNT, MIN_SEVERITY, REASON, EXPIRES)",
            );
            return out;
        };
        for (i, item) in items.iter().enumerate() {
            let path = format!("{key}[{}]", i + 1);
            let Kind::Map(fields) = &item.kind else {
                self.type_error(
                    item,
                    &path,
                    "a mapping with REASON, EXPIRES and what the rule matches",
                );
                continue;
            };
            // A rule's own problems are reported where it starts: its first key.
            let at = fields.first().map_or(item.pos, |(k, _)| k.pos);
            let errors = self.errors.len();
            let mut rule = Suppression::default();
            for (fk, fv) in fields {
                let name = fk.as_scalar().unwrap_or_default().trim();
                let field_path = format!("{path}.{name}");
                if !matches!(
                    name,
                    "SERVICE"
                        | "TYPE"
                        | "RESOURCE"
                        | "ACCOUNT"
                        | "MIN_SEVERITY"
                        | "REASON"
                        | "EXPIRES"
                ) {
                    self.error(
                        fk.pos,
                        &path,
                        format!("unknown key {name:?}; a rule takes SERVICE, TYPE, RESOURCE, ACCOUNT, MIN_SEVERITY, REASON and EXPIRES"),
                    );
                    continue;
                }
                if fv.is_null() {
                    continue;
                }
                let Some(text) = self.string(&field_path, fv) else {
                    continue;
                };
                let checked: Result<(), String> = match name {
                    "SERVICE" => text
                        .parse::<awsmon_notifier::Service>()
                        .map(|svc| rule.service = Some(svc))
                        .map_err(|e| e.to_string()),
                    "TYPE" => awsmon_notifier::settings::check_glob(&text)
                        .map(|()| rule.finding_type = Some(text.clone())),
                    "RESOURCE" => awsmon_notifier::settings::check_glob(&text)
                        .map(|()| rule.resource = Some(text.clone())),
                    "ACCOUNT" => schema::account_id(&text).map(|id| rule.account = Some(id)),
                    "MIN_SEVERITY" => text
                        .parse::<MinSeverity>()
                        .map(|sev| rule.min_severity = Some(sev)),
                    "REASON"
                        if text.chars().count() > 200 || text.chars().any(char::is_control) =>
                    {
                        Err("expected a reason of at most 200 characters on one line".to_string())
                    }
                    "REASON" => {
                        rule.reason.clone_from(&text);
                        Ok(())
                    }
                    _ => schema::date(&text).map(|d| rule.expires = d),
                };
                if let Err(message) = checked {
                    self.error(fv.pos, &field_path, message);
                }
            }
            if self.errors.len() > errors {
                continue;
            }
            let missing: Vec<&str> = [
                ("REASON", rule.reason.is_empty()),
                ("EXPIRES", rule.expires.is_empty()),
            ]
            .into_iter()
            .filter_map(|(k, m)| m.then_some(k))
            .collect();
            if !missing.is_empty() {
                self.error(
                    at,
                    &path,
                    format!(
                        "{} required: say why, and until when (YYYY-MM-DD)",
                        missing.join(" and ")
                    ),
                );
                continue;
            }
            if rule.service.is_none()
                && rule.finding_type.is_none()
                && rule.resource.is_none()
                && rule.account.is_none()
            {
                self.error(
                    at,
                    &path,
                    "matches every finding: give SERVICE, TYPE, RESOURCE or ACCOUNT",
                );
                continue;
            }
            out.push(rule);
        }
        out
    }

    pub(super) fn number(&mut self, key: &str, node: &Node, bounds: Bounds) -> Option<f64> {
        let parsed = match &node.kind {
            Kind::Scalar { text, .. } if !node.is_null() => {
                text.trim().parse::<f64>().ok().filter(|v| v.is_finite())
            }
            _ => None,
        };
        let Some(v) = parsed else {
            self.type_error(node, key, bounds.expected);
            return None;
        };
        if !bounds.contains(v) {
            self.error(
                node.pos,
                key,
                format!("out of range: expected {}, found {v}", bounds.expected),
            );
            None
        } else if bounds.whole && v.fract() != 0.0 {
            self.error(
                node.pos,
                key,
                format!("expected {}, found {v}", bounds.expected),
            );
            None
        } else {
            Some(v)
        }
    }
}

/// Event text could be a webhook URL; never echo one back whole.
pub(super) fn mask_if_url(text: &str) -> String {
    if text.contains("://") {
        mask_url(text)
    } else {
        text.to_string()
    }
}

/// Errors, then the warnings seen alongside them.
pub type Failed = (Vec<ConfigIssue>, Vec<ConfigIssue>);

/// Parses and validates; on failure returns the errors and the warnings seen so far.
pub fn parse_config(file: &str, text: &str) -> Result<(Config, Vec<ConfigIssue>), Failed> {
    let mut ctx = Ctx::new(file);
    let root = match yaml::parse(text) {
        Ok(root) => root,
        Err(e) => {
            ctx.error(e.pos, "", format!("invalid YAML: {}", e.message));
            return Err((ctx.errors, ctx.warnings));
        }
    };
    let mut cfg = Config::default();
    let entries = match root {
        None => Vec::new(),
        Some(Node {
            kind: Kind::Map(entries),
            ..
        }) => entries,
        Some(other) => {
            ctx.type_error(&other, "", "a mapping of KEY: value");
            return Err((ctx.errors, ctx.warnings));
        }
    };
    let mut seen: Vec<&str> = Vec::new();
    let mut prefix_s3_set = false;
    for (key_node, value) in &entries {
        let Some(key) = key_node.as_scalar() else {
            ctx.type_error(key_node, "", "a KEY name");
            continue;
        };
        let Some(spec) = schema::spec(key) else {
            let hint = schema::nearest(key)
                .map(|k| format!("; did you mean {k}?"))
                .unwrap_or_default();
            ctx.warnings.push(ConfigIssue {
                file: file.to_string(),
                pos: key_node.pos,
                key: mask_urls_in(key),
                message: format!("unknown key, ignored (kept when saving){hint}"),
            });
            continue;
        };
        if seen.contains(&key) {
            ctx.error(key_node.pos, key, "key appears twice");
            continue;
        }
        seen.push(key);
        if key == "PREFIX_S3" {
            prefix_s3_set = true;
        }
        if let Some(v) = spec.read(&mut ctx, value) {
            spec.set(&mut cfg, v);
        }
    }
    if !prefix_s3_set {
        cfg.prefix_s3 = cfg.prefix_service_name.to_ascii_lowercase();
    }
    for (key, node) in &entries {
        let Some(key) = key.as_scalar().filter(|k| REGION_KEYS.contains(k)) else {
            continue;
        };
        // As `Ctx::list` reads them; malformed values were reported already.
        let items: Vec<(String, Pos)> = match &node.kind {
            Kind::Seq(items) => items
                .iter()
                .filter_map(|i| Some((i.as_scalar()?.trim().to_string(), i.pos)))
                .collect(),
            Kind::Scalar { text, .. } => text
                .split(',')
                .map(|s| (s.trim().to_string(), node.pos))
                .collect(),
            Kind::Map(_) => Vec::new(),
        };
        for (name, pos) in items {
            if !crate::regions::is_known(&name) && crate::regions::check(&name).is_ok() {
                ctx.warnings.push(ConfigIssue {
                    file: file.to_string(),
                    pos,
                    key: key.to_string(),
                    message: format!("{name}: {}", crate::regions::UNLISTED),
                });
            }
        }
    }
    let pos_of = |key: &str| {
        entries
            .iter()
            .find(|(k, _)| k.as_scalar() == Some(key))
            .map(|(k, _)| k.pos)
            .unwrap_or_default()
    };
    for (key, message) in cross_checks(&cfg) {
        ctx.error(pos_of(&key), &key, message);
    }
    for (key, message) in cross_warnings(&cfg) {
        ctx.warnings.push(ConfigIssue {
            file: file.to_string(),
            pos: pos_of(key),
            key: key.to_string(),
            message,
        });
    }
    if ctx.errors.is_empty() {
        Ok((cfg, ctx.warnings))
    } else {
        Err((ctx.errors, ctx.warnings))
    }
}

pub(super) fn private_webhook_message(url: &WebhookUrl) -> String {
    format!(
        "{} is a private, link-local or metadata address; set ALLOW_PRIVATE_WEBHOOKS: true if that is really where Slack messages should go",
        url.masked()
    )
}

/// The rules between keys, as (key to report on, message).
/// The keys that hold region names (warned about when this build does not list them).
const REGION_KEYS: &[&str] = &["HOME_REGION", "REGIONS", "GUARDDUTY_GLOBAL_FINDINGS_REGION"];

fn cross_checks(cfg: &Config) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if !cfg.settings.allow_private_webhooks {
        for (key, list) in cfg.webhook_lists() {
            for url in list.iter().filter(|u| u.is_private()) {
                out.push((key.clone(), private_webhook_message(url)));
            }
        }
    }
    let gd = &cfg.settings.guardduty;
    if gd.mention_here_severity > gd.mention_channel_severity {
        out.push((
            "GUARDDUTY_MENTION_HERE_SEVERITY".to_string(),
            format!(
                "must not be above GUARDDUTY_MENTION_CHANNEL_SEVERITY ({} > {})",
                gd.mention_here_severity, gd.mention_channel_severity
            ),
        ));
    }
    if let RegionSelection::List(list) = &cfg.regions
        && list.is_empty()
    {
        out.push((
            "REGIONS".to_string(),
            "expected `all` or at least one region, found an empty list".to_string(),
        ));
    }
    out
}

/// Combinations that are allowed but probably not meant, as (key, message).
pub(crate) fn cross_warnings(cfg: &Config) -> Vec<(&'static str, String)> {
    let gd = &cfg.settings.guardduty;
    let mut out = Vec::new();
    if gd.min_severity > gd.mention_here_severity && gd.min_severity > gd.mention_channel_severity {
        out.push((
            "GUARDDUTY_MIN_SEVERITY",
            format!(
                "{} is above both mention severities (@here {}, @channel {}): every GuardDuty message will mention @channel",
                gd.min_severity, gd.mention_here_severity, gd.mention_channel_severity
            ),
        ));
    }
    let today = awsmon_notifier::time::today();
    for (i, rule) in cfg.settings.suppress.iter().enumerate() {
        if !rule.is_active(&today) {
            out.push((
                "SUPPRESS",
                format!(
                    "rule {} ({}) expired on {}: it suppresses nothing now; remove it, or extend EXPIRES if the reason still holds",
                    i + 1,
                    mask_urls_in(&rule.reason),
                    rule.expires
                ),
            ));
        }
    }
    let org = &cfg.org;
    if !org.enabled {
        for (key, set) in [
            ("ACCOUNTS", !org.accounts.is_empty()),
            ("EXCLUDE_ACCOUNTS", !org.exclude.is_empty()),
            ("DELEGATED_ADMIN_ACCOUNT", org.delegated_admin.is_some()),
        ] {
            if set {
                out.push((
                    key,
                    "has no effect without ORGANIZATION: true (awsmon sees one account)"
                        .to_string(),
                ));
            }
        }
    }
    if let Some(ou) = cfg
        .settings
        .overrides
        .keys()
        .find(|t| !org.enabled && !t.bytes().all(|b| b.is_ascii_digit()))
    {
        out.push((
            "ROUTING_OVERRIDES",
            format!("{ou} has no effect without ORGANIZATION: true (awsmon cannot see OUs)"),
        ));
    }
    if let Some(both) = org.accounts.iter().find(|a| org.exclude.contains(a)) {
        out.push((
            "EXCLUDE_ACCOUNTS",
            format!("{both} is also in ACCOUNTS; it is left out"),
        ));
    }
    out
}

/// The messages of [`cross_checks`], masked as the file's errors are.
pub(super) fn cross_check_messages(cfg: &Config) -> Vec<String> {
    cross_checks(cfg)
        .into_iter()
        .map(|(key, message)| format!("{key}: {}", mask_urls_in(&message)))
        .collect()
}
