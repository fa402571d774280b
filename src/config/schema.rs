//! The ONE table of config.yml keys. Each row says what the key means (help, sample example,
//! console label), what kind of value it takes with its bounds, and how to read and write it on
//! a [`Config`]. Parsing and validation (`parse.rs`), saving (`save.rs`), `config sample`,
//! `config show` and the console editors (`tui/editors.rs`) are all driven by these rows, so
//! the file and the editor cannot disagree on what a key accepts.
//!
//! Adding a key: add a row to [`KEYS`] (and the field to [`Config`] if it is new). The
//! per-service webhook keys (`WEBHOOK_URLS_<SUFFIX>`) are derived from [`Service::ALL`].

use std::collections::BTreeMap;
use std::sync::LazyLock;

use awsmon_notifier::secret::{mask_urls_in, mask_webhook};
use awsmon_notifier::settings::{
    INSPECTOR_RESOURCE_TYPES, InspectorSeverity, RouteOverride, SECURITYHUB_STANDARDS, Suppression,
    TRUSTED_ADVISOR_STATUSES,
};
use awsmon_notifier::{Service, WebhookUrl};

use super::yaml::{self, Kind as NodeKind, Node, Pos};
use super::{Config, RegionSelection, parse};
use crate::regions;

/// What a key's value is, with its bounds. The same rules apply to the file and the editor.
#[derive(Clone, Copy)]
pub enum Kind {
    /// A string; `check` gets the trimmed text and returns the stored form or what is wrong.
    /// `optional`: null leaves it unset, and so does an empty string `check` accepts.
    Text {
        check: fn(&str) -> Result<String, String>,
        optional: bool,
    },
    /// `true` or `false`; null is false.
    Bool,
    Number(Bounds),
    /// Slack webhook URLs: a YAML list or a comma-separated string.
    Webhooks,
    /// A mapping of tag names to values.
    Tags,
    /// A YAML list or a comma-separated string; `item` checks each item and returns its stored
    /// form. Null is empty.
    List(fn(&str) -> Result<String, String>),
    /// `all` (or null), or a list of regions.
    Regions,
    /// ROUTING_OVERRIDES: account or OU ids, each to `WEBHOOK_URLS` and/or `MIN_SEVERITY`.
    Overrides,
    /// SUPPRESS: a list of rules.
    Suppress,
}

/// A number's range and what the user is told is expected.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    pub min: f64,
    /// The minimum itself is refused (`(min, max]`).
    pub min_open: bool,
    pub max: f64,
    /// Only whole numbers.
    pub whole: bool,
    /// Null leaves it unset.
    pub optional: bool,
    pub expected: &'static str,
}

impl Bounds {
    pub fn contains(&self, v: f64) -> bool {
        let low_ok = if self.min_open {
            v > self.min
        } else {
            v >= self.min
        };
        v.is_finite() && low_ok && v <= self.max
    }
}

/// Where a key's value lives on a [`Config`].
#[derive(Clone, Copy)]
pub enum Slot {
    Field {
        get: fn(&Config) -> Value,
        set: fn(&mut Config, Value),
    },
    /// A route's own webhooks: `None` is the default route (WEBHOOK_URLS).
    Route(Option<Service>),
}

/// One config.yml key.
pub struct KeySpec {
    pub name: &'static str,
    pub help: &'static str,
    /// A commented example for config.yml.sample.
    pub example: &'static str,
    /// What the console's editors call it.
    pub label: &'static str,
    /// One of the old Serverless project's keys (listed first in the sample).
    pub old: bool,
    pub kind: Kind,
    pub slot: Slot,
}

impl KeySpec {
    /// The key's value on `cfg`.
    pub fn get(&self, cfg: &Config) -> Value {
        match self.slot {
            Slot::Field { get, .. } => get(cfg),
            Slot::Route(route) => Value::Urls(
                route_urls(cfg, route)
                    .iter()
                    .map(|u| u.expose().to_string())
                    .collect(),
            ),
        }
    }

    /// Stores a value [`read`](Self::read) or [`check_text`](Self::check_text) produced.
    pub fn set(&self, cfg: &mut Config, value: Value) {
        match self.slot {
            Slot::Field { set, .. } => set(cfg, value),
            Slot::Route(route) => {
                let urls = value
                    .into_list()
                    .iter()
                    .filter_map(|u| WebhookUrl::parse(u).ok())
                    .collect();
                match route {
                    None => cfg.settings.routes.default = urls,
                    // An empty list means the default route: left out, so the routing names no
                    // service an older notifier would not know.
                    Some(svc) if urls.is_empty() => {
                        cfg.settings.routes.per_service.remove(&svc);
                    }
                    Some(svc) => {
                        cfg.settings.routes.per_service.insert(svc, urls);
                    }
                }
            }
        }
    }

    /// The value as the console's editors show it: lists comma-separated, tags `Key=Value`.
    pub fn text(&self, cfg: &Config) -> String {
        self.get(cfg).editor_text()
    }

    /// Checks a value typed in the console, by the same rules as the file (a plain YAML
    /// scalar, so lists are comma-separated; tags are `Key=Value, ...`). The message is the one
    /// the file would give, without file, position and key.
    pub fn check_text(&self, text: &str) -> Result<Value, String> {
        let node = self.editor_node(text)?;
        let mut ctx = parse::Ctx::new("");
        let value = self.read(&mut ctx, &node);
        match (ctx.errors.into_iter().next(), value) {
            (Some(issue), _) => Err(issue.message),
            (None, Some(value)) => Ok(value),
            (None, None) => Err("not a valid value".to_string()),
        }
    }

    /// [`check_text`](Self::check_text), then the checks between keys on `cfg` with the value
    /// set (a mention threshold above the other one, a private webhook...): only problems the
    /// new value brings are reported. Returns the config with the value set.
    pub fn check_text_in(&self, cfg: &Config, text: &str) -> Result<Config, String> {
        let value = self.check_text(text)?;
        let mut next = cfg.clone();
        self.set(&mut next, value);
        let before = parse::cross_check_messages(cfg);
        match parse::cross_check_messages(&next)
            .into_iter()
            .find(|m| !before.contains(m))
        {
            Some(message) => Err(message),
            None => Ok(next),
        }
    }

    /// Sets the key from console text if [`check_text_in`](Self::check_text_in) accepts it.
    pub fn set_text(&self, cfg: &mut Config, text: &str) -> Result<(), String> {
        *cfg = self.check_text_in(cfg, text)?;
        Ok(())
    }

    /// The typed text as the YAML node the file would hold after `KEY: `.
    fn editor_node(&self, text: &str) -> Result<Node, String> {
        let scalar = |text: &str| Node {
            kind: NodeKind::Scalar {
                text: text.trim().to_string(),
                quoted: false,
            },
            pos: Pos::default(),
        };
        if !matches!(self.kind, Kind::Tags) || text.trim().is_empty() {
            return Ok(scalar(text));
        }
        let mut entries = Vec::new();
        for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let Some((k, v)) = item.split_once('=') else {
                return Err(format!(
                    "expected Key=Value pairs, comma-separated, found {item:?}"
                ));
            };
            entries.push((scalar(k), scalar(v)));
        }
        Ok(Node {
            kind: NodeKind::Map(entries),
            pos: Pos::default(),
        })
    }

    /// Reads the key's YAML value by its kind, reporting problems to `ctx`. `None`: invalid.
    pub(super) fn read(&self, ctx: &mut parse::Ctx, node: &Node) -> Option<Value> {
        let key = self.name;
        let errors = ctx.errors.len();
        let value = match self.kind {
            Kind::Text { optional: true, .. } | Kind::Number(Bounds { optional: true, .. })
                if node.is_null() =>
            {
                Value::Absent
            }
            Kind::Text { check, optional } => {
                let text = ctx.string(key, node)?;
                match check(&text) {
                    Ok(v) if v.is_empty() && optional => Value::Absent,
                    Ok(v) => Value::Str(v),
                    Err(message) => {
                        ctx.error(node.pos, key, message);
                        return None;
                    }
                }
            }
            Kind::Bool => Value::Bool(ctx.boolean(key, node)?),
            Kind::Number(bounds) => Value::Num(ctx.number(key, node, bounds)?),
            Kind::Webhooks => Value::Urls(
                ctx.webhooks(key, node)
                    .iter()
                    .map(|u| u.expose().to_string())
                    .collect(),
            ),
            Kind::Tags => Value::Map(ctx.tags(key, node)),
            Kind::Overrides => Value::Overrides(ctx.overrides(key, node)),
            Kind::Suppress => Value::Suppress(ctx.suppress(key, node)),
            Kind::Regions
                if node.is_null()
                    || node
                        .as_scalar()
                        .is_some_and(|t| t.trim().eq_ignore_ascii_case("all")) =>
            {
                Value::Str("all".to_string())
            }
            Kind::Regions => {
                let mut picked: Vec<String> = Vec::new();
                for (item, pos) in ctx.list(key, node) {
                    match regions::check(&item) {
                        Ok(r) if !picked.contains(&r) => picked.push(r),
                        Ok(_) => {}
                        Err(message) => ctx.error(pos, key, message),
                    }
                }
                Value::List(picked)
            }
            Kind::List(check) => {
                let mut out = Vec::new();
                for (item, pos) in ctx.list(key, node) {
                    match check(&item) {
                        Ok(v) => out.push(v),
                        Err(message) => ctx.error(pos, key, message),
                    }
                }
                Value::List(out)
            }
        };
        (ctx.errors.len() == errors).then_some(value)
    }
}

/// A route's own webhooks (`None`: WEBHOOK_URLS).
pub fn route_urls(cfg: &Config, route: Option<Service>) -> &[WebhookUrl] {
    match route {
        None => &cfg.settings.routes.default,
        Some(s) => cfg
            .settings
            .routes
            .per_service
            .get(&s)
            .map_or(&[], Vec::as_slice),
    }
}

/// A key's value in a uniform shape, for comparing, printing and writing.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Absent,
    Str(String),
    Bool(bool),
    Num(f64),
    List(Vec<String>),
    /// Webhook URLs: secrets, masked whenever shown.
    Urls(Vec<String>),
    Map(Vec<(String, String)>),
    /// ROUTING_OVERRIDES by account or OU id: webhooks inside, masked whenever shown.
    Overrides(BTreeMap<String, RouteOverride>),
    /// SUPPRESS rules, in order.
    Suppress(Vec<Suppression>),
}

impl Value {
    fn into_str(self) -> Option<String> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    fn into_num(self) -> Option<f64> {
        match self {
            Value::Num(n) => Some(n),
            _ => None,
        }
    }

    fn into_list(self) -> Vec<String> {
        match self {
            Value::List(items) | Value::Urls(items) => items,
            _ => Vec::new(),
        }
    }

    /// What `config show` prints: webhooks masked.
    pub fn display_masked(&self) -> String {
        match self {
            Value::Absent => "(not set)".to_string(),
            // A webhook pasted under the wrong key is still a secret.
            Value::Str(s) => mask_urls_in(s),
            Value::Bool(b) => b.to_string(),
            Value::Num(n) => n.to_string(),
            Value::List(items) => mask_urls_in(&format!("[{}]", items.join(", "))),
            Value::Urls(urls) if urls.is_empty() => "(default)".to_string(),
            Value::Urls(urls) => urls
                .iter()
                .map(|u| mask_webhook(u))
                .collect::<Vec<_>>()
                .join(", "),
            Value::Map(entries) => {
                let parts: Vec<String> = entries.iter().map(|(k, v)| format!("{k}={v}")).collect();
                mask_urls_in(&format!("{{{}}}", parts.join(", ")))
            }
            Value::Overrides(map) if map.is_empty() => "(none)".to_string(),
            Value::Overrides(map) => map
                .iter()
                .map(|(target, o)| format!("{target}: {}", override_summary(o)))
                .collect::<Vec<_>>()
                .join("; "),
            Value::Suppress(rules) if rules.is_empty() => "(none)".to_string(),
            Value::Suppress(rules) => rules
                .iter()
                .enumerate()
                .map(|(i, r)| format!("{}: {}", i + 1, rule_summary(r)))
                .collect::<Vec<_>>()
                .join("; "),
        }
    }

    /// What `config show --json` prints: webhooks masked.
    pub fn to_json_masked(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Absent => J::Null,
            Value::Str(s) => J::String(mask_urls_in(s)),
            Value::Bool(b) => J::Bool(*b),
            Value::Num(n) => serde_json::Number::from_f64(*n).map_or(J::Null, J::Number),
            Value::List(items) => {
                J::Array(items.iter().map(|i| J::String(mask_urls_in(i))).collect())
            }
            Value::Urls(urls) => {
                J::Array(urls.iter().map(|u| J::String(mask_webhook(u))).collect())
            }
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| (mask_urls_in(k), J::String(mask_urls_in(v))))
                    .collect(),
            ),
            Value::Overrides(map) => J::Object(
                map.iter()
                    .map(|(target, o)| {
                        let mut entry = serde_json::Map::new();
                        if !o.webhooks.is_empty() {
                            entry.insert(
                                "WEBHOOK_URLS".into(),
                                J::Array(
                                    o.webhooks.iter().map(|u| J::String(u.masked())).collect(),
                                ),
                            );
                        }
                        if let Some(sev) = o.min_severity {
                            entry.insert("MIN_SEVERITY".into(), J::String(sev.to_string()));
                        }
                        (target.clone(), J::Object(entry))
                    })
                    .collect(),
            ),
            Value::Suppress(rules) => J::Array(
                rules
                    .iter()
                    .map(|r| {
                        J::Object(
                            rule_fields(r)
                                .into_iter()
                                .map(|(k, v)| (k.to_string(), J::String(mask_urls_in(&v))))
                                .collect(),
                        )
                    })
                    .collect(),
            ),
        }
    }

    /// The console's text for the value (webhooks unmasked: the caller masks).
    pub fn editor_text(&self) -> String {
        match self {
            Value::Absent => String::new(),
            Value::Str(s) => s.clone(),
            Value::Bool(b) => b.to_string(),
            Value::Num(n) => n.to_string(),
            Value::List(items) | Value::Urls(items) => items.join(", "),
            Value::Map(entries) => entries
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(", "),
            // Edited entry by entry in the routing editor, never as one text.
            Value::Overrides(_) | Value::Suppress(_) => self.display_masked(),
        }
    }

    /// The YAML lines for `key: value`. `comma_string` writes URL lists in the old project's
    /// comma-separated form.
    pub(super) fn render(&self, key: &str, comma_string: bool) -> Option<String> {
        let list = |items: &[String]| {
            if items.is_empty() {
                format!("{key}: []\n")
            } else {
                let mut out = format!("{key}:\n");
                for item in items {
                    out.push_str(&format!("  - {}\n", yaml::scalar(item)));
                }
                out
            }
        };
        Some(match self {
            Value::Absent => return None,
            Value::Str(s) => format!("{key}: {}\n", yaml::scalar(s)),
            Value::Bool(b) => format!("{key}: {b}\n"),
            Value::Num(n) => format!("{key}: {n}\n"),
            Value::Urls(urls) if comma_string || urls.is_empty() => {
                format!("{key}: {}\n", yaml::scalar(&urls.join(",")))
            }
            Value::List(items) | Value::Urls(items) => list(items),
            Value::Map(entries) if entries.is_empty() => format!("{key}: {{}}\n"),
            Value::Map(entries) => {
                let mut out = format!("{key}:\n");
                for (k, v) in entries {
                    out.push_str(&format!("  {}: {}\n", yaml::scalar(k), yaml::scalar(v)));
                }
                out
            }
            Value::Overrides(map) if map.is_empty() => format!("{key}: {{}}\n"),
            Value::Overrides(map) => {
                let mut out = format!("{key}:\n");
                for (target, o) in map {
                    // Quoted: an account id must stay a string.
                    out.push_str(&format!("  \"{target}\":\n"));
                    if !o.webhooks.is_empty() {
                        out.push_str("    WEBHOOK_URLS:\n");
                        for url in &o.webhooks {
                            out.push_str(&format!("      - {}\n", yaml::scalar(url.expose())));
                        }
                    }
                    if let Some(sev) = o.min_severity {
                        out.push_str(&format!("    MIN_SEVERITY: {sev}\n"));
                    }
                }
                out
            }
            Value::Suppress(rules) if rules.is_empty() => format!("{key}: []\n"),
            Value::Suppress(rules) => {
                let mut out = format!("{key}:\n");
                for rule in rules {
                    for (n, (k, v)) in rule_fields(rule).into_iter().enumerate() {
                        let lead = if n == 0 { "  - " } else { "    " };
                        // Quoted where needed: an account id must stay a string.
                        out.push_str(&format!("{lead}{k}: {}\n", yaml::scalar(&v)));
                    }
                }
                out
            }
        })
    }
}

/// A SUPPRESS rule's fields as config.yml spells them, in order, those set only.
pub fn rule_fields(r: &Suppression) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some(svc) = r.service {
        out.push(("SERVICE", svc.as_str().to_string()));
    }
    if let Some(t) = &r.finding_type {
        out.push(("TYPE", t.clone()));
    }
    if let Some(res) = &r.resource {
        out.push(("RESOURCE", res.clone()));
    }
    if let Some(a) = &r.account {
        out.push(("ACCOUNT", a.clone()));
    }
    if let Some(sev) = r.min_severity {
        out.push(("MIN_SEVERITY", sev.to_string()));
    }
    out.push(("REASON", r.reason.clone()));
    out.push(("EXPIRES", r.expires.clone()));
    out
}

/// One rule as shown: what it matches, then why and until when.
pub fn rule_summary(r: &Suppression) -> String {
    let matched: Vec<String> = rule_fields(r)
        .iter()
        .filter(|(k, _)| !matches!(*k, "REASON" | "EXPIRES"))
        .map(|(k, v)| {
            format!(
                "{} {}",
                k.to_ascii_lowercase().replace('_', " "),
                mask_urls_in(v)
            )
        })
        .collect();
    format!(
        "{} ({}, until {})",
        matched.join(", "),
        mask_urls_in(&r.reason),
        r.expires
    )
}

/// One override as shown: webhooks masked, then the floor.
pub fn override_summary(o: &RouteOverride) -> String {
    let mut parts = Vec::new();
    if !o.webhooks.is_empty() {
        let urls: Vec<String> = o.webhooks.iter().map(WebhookUrl::masked).collect();
        parts.push(format!("webhooks {}", urls.join(", ")));
    }
    if let Some(sev) = o.min_severity {
        parts.push(format!("min severity {sev}"));
    }
    if parts.is_empty() {
        "nothing (dropped on save)".to_string()
    } else {
        parts.join(", ")
    }
}

// ---- validators: the one definition of what each key accepts -------------------------------

fn name_prefix(v: &str) -> Result<String, String> {
    if (1..=40).contains(&v.len())
        && v.starts_with(|c: char| c.is_ascii_alphabetic())
        && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        Ok(v.to_string())
    } else {
        Err(format!(
            "expected 1-40 letters, digits or '-', starting with a letter, found {v:?}"
        ))
    }
}

fn bucket_prefix(v: &str) -> Result<String, String> {
    if (3..=40).contains(&v.len())
        && v.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && !v.ends_with('-')
        && v.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        Ok(v.to_string())
    } else {
        Err(format!(
            "expected 3-40 lowercase letters, digits or '-' (an S3 bucket name prefix), found {v:?}"
        ))
    }
}

/// `user:key$value` (user-defined cost allocation tags) or `aws:key$value` (AWS-generated).
fn tag_filter(v: &str) -> Result<String, String> {
    let ok = v
        .strip_prefix("user:")
        .or_else(|| v.strip_prefix("aws:"))
        .is_some_and(|rest| matches!(rest.split_once('$'), Some((key, _)) if !key.is_empty()));
    if ok {
        Ok(v.to_string())
    } else {
        Err(format!(
            "expected a tag filter of the form \"user:key$value\", found {v:?}"
        ))
    }
}

/// One address, `local@domain.tld`, as SNS email subscriptions take it. Empty: not set.
/// `HH:MM`, 24-hour.
fn digest_time(v: &str) -> Result<String, String> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(String::new());
    }
    let parsed = v.split_once(':').and_then(|(h, m)| {
        let ok = |s: &str, max: u32| {
            (s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse::<u32>().ok())
                .flatten()
                .filter(|n| *n <= max)
        };
        Some((ok(h, 23)?, ok(m, 59)?))
    });
    match parsed {
        Some((h, m)) => Ok(format!("{h:02}:{m:02}")),
        None => Err(format!(
            "expected a time of day as HH:MM (00:00 to 23:59), found {:?}",
            parse::mask_if_url(v)
        )),
    }
}

/// An IANA time zone name (`Europe/Berlin`, `UTC`), as EventBridge Scheduler takes it.
fn time_zone(v: &str) -> Result<String, String> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(String::new());
    }
    match jiff::tz::TimeZone::get(v) {
        // The database's own spelling: EventBridge Scheduler matches names exactly.
        Ok(tz)
            if v.chars()
                .all(|c| c.is_ascii_alphanumeric() || "/_+-".contains(c)) =>
        {
            Ok(tz.iana_name().unwrap_or(v).to_string())
        }
        _ => Err(format!(
            "expected an IANA time zone name such as UTC or Europe/Berlin, found {:?}",
            parse::mask_if_url(v)
        )),
    }
}

fn email(v: &str) -> Result<String, String> {
    if v.is_empty() {
        return Ok(String::new());
    }
    let ok = v.split_once('@').is_some_and(|(local, domain)| {
        v.len() <= 254
            && !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !v
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == ',')
            && !domain.contains('@')
    });
    if ok {
        Ok(v.to_string())
    } else {
        Err(format!(
            "expected an email address, found {:?}",
            parse::mask_if_url(v)
        ))
    }
}

fn resource_type(item: &str) -> Result<String, String> {
    let parts: Vec<&str> = item.split("::").collect();
    let shaped = parts.len() == 3
        && parts[0] == "AWS"
        && parts[1..]
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if shaped {
        Ok(item.to_string())
    } else {
        Err(format!(
            "expected a resource type like AWS::IAM::Role, found {item:?}"
        ))
    }
}

fn trusted_advisor_status(item: &str) -> Result<String, String> {
    let up = item.to_ascii_uppercase();
    if TRUSTED_ADVISOR_STATUSES.contains(&up.as_str()) {
        Ok(up)
    } else {
        Err(format!("expected ERROR, WARN or OK, found {item:?}"))
    }
}

fn auto_enable_mode(v: &str) -> Result<String, String> {
    if v.trim().is_empty() {
        return Ok(String::new());
    }
    super::AutoEnableMode::parse(v).map(|m| m.as_str().to_string())
}

/// A 12-digit AWS account id.
pub fn account_id(v: &str) -> Result<String, String> {
    if v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit()) {
        Ok(v.to_string())
    } else {
        Err(format!("expected a 12-digit account id, found {v:?}"))
    }
}

fn account_id_or_empty(v: &str) -> Result<String, String> {
    if v.is_empty() {
        Ok(String::new())
    } else {
        account_id(v)
    }
}

/// A Config aggregator's name as AWS allows it (`[\w\-]+`, 1–256 characters), or empty.
fn aggregator_name_or_empty(v: &str) -> Result<String, String> {
    let ok = v.len() <= 256
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ok {
        Ok(v.to_string())
    } else {
        Err(format!(
            "expected a Config aggregator name (letters, digits, _ and -, up to 256), found {v:?}"
        ))
    }
}

/// A calendar date, `YYYY-MM-DD` (a real day).
pub fn date(v: &str) -> Result<String, String> {
    let bad = || format!("expected a date as YYYY-MM-DD, found {v:?}");
    let parts: Vec<&str> = v.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return Err(bad());
    };
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if !(digits(y, 4) && digits(m, 2) && digits(d, 2)) {
        return Err(bad());
    }
    let (y, m, d): (u32, u32, u32) = (
        y.parse().map_err(|_| bad())?,
        m.parse().map_err(|_| bad())?,
        d.parse().map_err(|_| bad())?,
    );
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(bad()),
    };
    if d == 0 || d > days {
        return Err(bad());
    }
    Ok(v.to_string())
}

/// An account id, an OU id (`ou-` root part `-` 8–32 characters) or the root (`r-` 4–32).
pub fn org_target(item: &str) -> Result<String, String> {
    let lower_alnum = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    };
    let ou = item
        .strip_prefix("ou-")
        .and_then(|rest| rest.split_once('-'))
        .is_some_and(|(root, id)| {
            (4..=32).contains(&root.len())
                && (8..=32).contains(&id.len())
                && lower_alnum(root)
                && lower_alnum(id)
        });
    let root = item
        .strip_prefix("r-")
        .is_some_and(|id| (4..=32).contains(&id.len()) && lower_alnum(id));
    if ou || root || account_id(item).is_ok() {
        Ok(item.to_string())
    } else {
        Err(format!(
            "expected a 12-digit account id, an OU id (ou-xxxx-xxxxxxxx) or the root id (r-xxxx), found {item:?}"
        ))
    }
}

/// An IAM role name (1–64 of letters, digits and `+=,.@_-`), or a path and name.
fn role_name(v: &str) -> Result<String, String> {
    let name = v.rsplit('/').next().unwrap_or_default();
    let ok = (1..=64).contains(&name.len())
        && v.len() <= 512
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-/".contains(c));
    if ok {
        Ok(v.to_string())
    } else {
        Err(format!(
            "expected an IAM role name (letters, digits and +=,.@_-), found {v:?}"
        ))
    }
}

// A list item's check, like the others: this one accepts anything.
#[allow(clippy::unnecessary_wraps)]
fn any_item(item: &str) -> Result<String, String> {
    Ok(item.to_string())
}

fn inspector_severity(v: &str) -> Result<String, String> {
    v.parse::<InspectorSeverity>()
        .map(|s| s.as_str().to_string())
        .map_err(|_| {
            format!("severity out of range: expected INFORMATIONAL, LOW, MEDIUM, HIGH or CRITICAL, found {v:?}")
        })
}

fn inspector_resource_type(item: &str) -> Result<String, String> {
    let up = item.to_ascii_uppercase();
    if INSPECTOR_RESOURCE_TYPES.contains(&up.as_str()) {
        Ok(up)
    } else {
        Err(format!(
            "expected one of {}, found {item:?}",
            INSPECTOR_RESOURCE_TYPES.join(", ")
        ))
    }
}

fn securityhub_standard(item: &str) -> Result<String, String> {
    let names: Vec<&str> = SECURITYHUB_STANDARDS.iter().map(|s| s.name).collect();
    names
        .iter()
        .find(|n| n.eq_ignore_ascii_case(item.trim()))
        .map(|n| (*n).to_string())
        .ok_or_else(|| format!("expected one of {}, found {item:?}", names.join(", ")))
}

const PERCENT_AT_ONCE: Bounds = Bounds {
    min: 1.0,
    min_open: false,
    max: 100.0,
    whole: true,
    optional: false,
    expected: "a whole percentage from 1 to 100",
};

const PERCENT_FAILING: Bounds = Bounds {
    min: 0.0,
    min_open: false,
    max: 100.0,
    whole: true,
    optional: false,
    expected: "a whole percentage from 0 to 100",
};

const SEVERITY: Bounds = Bounds {
    min: 0.0,
    min_open: false,
    max: 10.0,
    whole: false,
    optional: false,
    expected: "a GuardDuty severity from 0 to 10",
};

pub const BUDGET_LIMIT: Bounds = Bounds {
    min: 0.0,
    min_open: true,
    max: f64::MAX,
    whole: false,
    optional: true,
    expected: "a positive amount in USD",
};

pub const BUDGET_THRESHOLD: Bounds = Bounds {
    min: 0.0,
    min_open: true,
    max: 100.0,
    whole: false,
    optional: false,
    expected: "a percentage above 0 and at most 100",
};

const DEDUPE_HOURS: Bounds = Bounds {
    min: 0.0,
    min_open: false,
    max: 168.0,
    whole: true,
    optional: false,
    expected: "a whole number of hours from 0 (off) to 168",
};

pub const RESERVED_CONCURRENCY: Bounds = Bounds {
    min: 1.0,
    min_open: false,
    max: 1000.0,
    whole: true,
    optional: false,
    expected: "a whole number from 1 to 1000",
};

fn text(check: fn(&str) -> Result<String, String>) -> Kind {
    Kind::Text {
        check,
        optional: false,
    }
}

fn optional_text(check: fn(&str) -> Result<String, String>) -> Kind {
    Kind::Text {
        check,
        optional: true,
    }
}

fn field(get: fn(&Config) -> Value, set: fn(&mut Config, Value)) -> Slot {
    Slot::Field { get, set }
}

fn num(v: Value) -> f64 {
    v.into_num().unwrap_or_default()
}

/// A number its key's bounds already read as whole and in range, as an integer.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn whole(v: Value) -> u32 {
    num(v) as u32
}

fn string(v: Value) -> String {
    v.into_str().unwrap_or_default()
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// Every config.yml key, in the sample's order: the old Serverless project's keys first (they
/// keep their meaning), then the newer optional ones.
pub static KEYS: LazyLock<Vec<KeySpec>> = LazyLock::new(|| {
    let mut keys = vec![
        KeySpec {
            name: "PREFIX_SERVICE_NAME",
            help: "prefix of every stack and resource name awsmon creates",
            example: "PREFIX_SERVICE_NAME: awsmon",
            label: "PREFIX_SERVICE_NAME (stack and resource names)",
            old: true,
            kind: text(name_prefix),
            slot: field(
                |c| Value::Str(c.prefix_service_name.clone()),
                |c, v| c.prefix_service_name = string(v),
            ),
        },
        KeySpec {
            name: "PREFIX_S3",
            help: "prefix of the artifact bucket name (lowercase)",
            example: "PREFIX_S3: awsmon",
            label: "PREFIX_S3 (artifact bucket prefix)",
            old: true,
            kind: text(bucket_prefix),
            slot: field(
                |c| Value::Str(c.prefix_s3.clone()),
                |c, v| c.prefix_s3 = string(v),
            ),
        },
        KeySpec {
            name: "STACK_TAGS",
            help: "tags put on every stack",
            example: "STACK_TAGS:\n  Owner: security\n  Project: awsmon",
            label: "STACK_TAGS (Key=Value, comma-separated)",
            old: true,
            kind: Kind::Tags,
            slot: field(
                |c| Value::Map(c.stack_tags.clone()),
                |c, v| {
                    if let Value::Map(m) = v {
                        c.stack_tags = m;
                    }
                },
            ),
        },
        KeySpec {
            name: "WEBHOOK_URLS",
            help: "default Slack webhooks, comma-separated or a list",
            example: "WEBHOOK_URLS: https://hooks.slack.com/services/T000/B000/XXXX",
            label: "default webhooks",
            old: true,
            kind: Kind::Webhooks,
            slot: Slot::Route(None),
        },
    ];
    keys.extend(Service::ALL.into_iter().map(|svc| {
        let name = leak(format!("WEBHOOK_URLS_{}", svc.config_suffix()));
        KeySpec {
            name,
            help: leak(format!(
                "{} webhooks; empty means WEBHOOK_URLS",
                svc.display_name()
            )),
            example: leak(format!("{name}: \"\"")),
            label: leak(format!("{} webhooks", svc.display_name())),
            old: true,
            kind: Kind::Webhooks,
            slot: Slot::Route(Some(svc)),
        }
    }));
    keys.extend([
        KeySpec {
            name: "BUDGET_LIMIT",
            help: "monthly cost budget in USD; no budget is deployed without it",
            example: "BUDGET_LIMIT: 100",
            label: "BUDGET_LIMIT (USD per month)",
            old: true,
            kind: Kind::Number(BUDGET_LIMIT),
            slot: field(
                |c| c.budget_limit.map_or(Value::Absent, Value::Num),
                |c, v| c.budget_limit = v.into_num(),
            ),
        },
        KeySpec {
            name: "BUDGET_TAGKEYVALUE",
            help: "cost filters, each \"user:key$value\" (or \"aws:key$value\" for AWS-generated tags)",
            example: "BUDGET_TAGKEYVALUE:\n  - user:Project$awsmon",
            label: "BUDGET_TAGKEYVALUE (user:key$value, comma-separated)",
            old: true,
            kind: Kind::List(tag_filter),
            slot: field(
                |c| Value::List(c.budget_tag_filters.clone()),
                |c, v| c.budget_tag_filters = v.into_list(),
            ),
        },
        KeySpec {
            name: "BUDGET_THRESHOLD_PERCENTAGE",
            help: "alert when the forecast exceeds this % of the limit (above 0, at most 100)",
            example: "BUDGET_THRESHOLD_PERCENTAGE: 80",
            label: "BUDGET_THRESHOLD_PERCENTAGE (forecast alert)",
            old: true,
            kind: Kind::Number(BUDGET_THRESHOLD),
            slot: field(
                |c| Value::Num(c.budget_threshold_percentage),
                |c, v| c.budget_threshold_percentage = num(v),
            ),
        },
        KeySpec {
            name: "HOME_REGION",
            help: "where the notifier runs (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's region, else us-east-1)",
            example: "HOME_REGION: us-east-1",
            label: "HOME_REGION",
            old: false,
            kind: text(regions::check),
            slot: field(
                |c| Value::Str(c.settings.home_region.clone()),
                |c, v| {
                    c.settings.home_region = string(v);
                    c.home_region_in_file = true;
                },
            ),
        },
        KeySpec {
            name: "REGIONS",
            help: "regions to monitor: all, or a list",
            example: "REGIONS: all",
            label: "REGIONS (all, or comma-separated)",
            old: false,
            kind: Kind::Regions,
            slot: field(
                |c| match &c.regions {
                    RegionSelection::All => Value::Str("all".to_string()),
                    RegionSelection::List(list) => Value::List(list.clone()),
                },
                |c, v| {
                    c.regions = match v {
                        Value::List(list) => RegionSelection::List(list),
                        _ => RegionSelection::All,
                    };
                },
            ),
        },
        KeySpec {
            name: "GUARDDUTY_MIN_SEVERITY",
            help: "drop GuardDuty findings below this severity (0-10)",
            example: "GUARDDUTY_MIN_SEVERITY: 0",
            label: "GuardDuty min severity (0-10)",
            old: false,
            kind: Kind::Number(SEVERITY),
            slot: field(
                |c| Value::Num(c.settings.guardduty.min_severity),
                |c, v| c.settings.guardduty.min_severity = num(v),
            ),
        },
        KeySpec {
            name: "GUARDDUTY_MENTION_HERE_SEVERITY",
            help: "add <!here> from this severity",
            example: "GUARDDUTY_MENTION_HERE_SEVERITY: 4.0",
            label: "GuardDuty @here from severity",
            old: false,
            kind: Kind::Number(SEVERITY),
            slot: field(
                |c| Value::Num(c.settings.guardduty.mention_here_severity),
                |c, v| c.settings.guardduty.mention_here_severity = num(v),
            ),
        },
        KeySpec {
            name: "GUARDDUTY_MENTION_CHANNEL_SEVERITY",
            help: "add <!channel> from this severity",
            example: "GUARDDUTY_MENTION_CHANNEL_SEVERITY: 7.0",
            label: "GuardDuty @channel from severity",
            old: false,
            kind: Kind::Number(SEVERITY),
            slot: field(
                |c| Value::Num(c.settings.guardduty.mention_channel_severity),
                |c, v| c.settings.guardduty.mention_channel_severity = num(v),
            ),
        },
        KeySpec {
            name: "GUARDDUTY_GLOBAL_FINDINGS_REGION",
            help: "send findings about global services (IAM, STS...) only from this region (default HOME_REGION)",
            example: "GUARDDUTY_GLOBAL_FINDINGS_REGION: us-east-1",
            label: "GuardDuty global findings region",
            old: false,
            kind: optional_text(regions::check),
            slot: field(
                |c| {
                    c.settings
                        .guardduty
                        .global_findings_region
                        .clone()
                        .map_or(Value::Absent, Value::Str)
                },
                |c, v| c.settings.guardduty.global_findings_region = v.into_str(),
            ),
        },
        KeySpec {
            name: "CONFIG_RESOURCE_TYPES",
            help: "only notify for these resource types; empty means all",
            example: "CONFIG_RESOURCE_TYPES: []",
            label: "Config resource types (empty = all)",
            old: false,
            kind: Kind::List(resource_type),
            slot: field(
                |c| Value::List(c.settings.config.resource_types.clone()),
                |c, v| c.settings.config.resource_types = v.into_list(),
            ),
        },
        KeySpec {
            name: "CONFIG_EXCLUDE_RESOURCE_TYPES",
            help: "never notify for these resource types",
            example: "CONFIG_EXCLUDE_RESOURCE_TYPES: []",
            label: "Config excluded types",
            old: false,
            kind: Kind::List(resource_type),
            slot: field(
                |c| Value::List(c.settings.config.exclude_resource_types.clone()),
                |c, v| c.settings.config.exclude_resource_types = v.into_list(),
            ),
        },
        KeySpec {
            name: "TRUSTEDADVISOR_STATUSES",
            help: "check statuses to notify: ERROR, WARN, OK",
            example: "TRUSTEDADVISOR_STATUSES: [ERROR]",
            label: "Trusted Advisor statuses",
            old: false,
            kind: Kind::List(trusted_advisor_status),
            slot: field(
                |c| Value::List(c.settings.trusted_advisor.statuses.clone()),
                |c, v| c.settings.trusted_advisor.statuses = v.into_list(),
            ),
        },
        KeySpec {
            name: "TRUSTEDADVISOR_IGNORE_CHECKS",
            help: "check names or ids never to notify",
            example: "TRUSTEDADVISOR_IGNORE_CHECKS: []",
            label: "Trusted Advisor ignored checks",
            old: false,
            kind: Kind::List(any_item),
            slot: field(
                |c| Value::List(c.settings.trusted_advisor.ignore_checks.clone()),
                |c, v| c.settings.trusted_advisor.ignore_checks = v.into_list(),
            ),
        },
        KeySpec {
            name: "INSPECTOR_MIN_SEVERITY",
            help: "drop Inspector findings below this (INFORMATIONAL..CRITICAL)",
            example: "INSPECTOR_MIN_SEVERITY: MEDIUM",
            label: "Inspector min severity",
            old: false,
            kind: text(inspector_severity),
            slot: field(
                |c| Value::Str(c.settings.inspector.min_severity.to_string()),
                |c, v| {
                    if let Ok(sev) = string(v).parse() {
                        c.settings.inspector.min_severity = sev;
                    }
                },
            ),
        },
        KeySpec {
            name: "INSPECTOR_RESOURCE_TYPES",
            help: "what Inspector scans when awsmon enables it",
            example: "INSPECTOR_RESOURCE_TYPES: [EC2, ECR, LAMBDA]",
            label: "Inspector resource types",
            old: false,
            kind: Kind::List(inspector_resource_type),
            slot: field(
                |c| Value::List(c.settings.inspector.resource_types.clone()),
                |c, v| c.settings.inspector.resource_types = v.into_list(),
            ),
        },
        KeySpec {
            name: "SECURITYHUB_MIN_SEVERITY",
            help: "drop Security Hub findings below this (INFORMATIONAL..CRITICAL); copies of GuardDuty and Inspector findings are always dropped, as those are sent directly",
            example: "SECURITYHUB_MIN_SEVERITY: MEDIUM",
            label: "Security Hub min severity",
            old: false,
            kind: text(inspector_severity),
            slot: field(
                |c| Value::Str(c.settings.securityhub.min_severity.to_string()),
                |c, v| {
                    if let Ok(sev) = string(v).parse() {
                        c.settings.securityhub.min_severity = sev;
                    }
                },
            ),
        },
        KeySpec {
            name: "SECURITYHUB_STANDARDS",
            help: "the standards awsmon enables with Security Hub (an adopted hub keeps its own and gains only these)",
            example: "SECURITYHUB_STANDARDS: [aws-foundational-security-best-practices]",
            label: "Security Hub standards",
            old: false,
            kind: Kind::List(securityhub_standard),
            slot: field(
                |c| Value::List(c.settings.securityhub.standards.clone()),
                |c, v| c.settings.securityhub.standards = v.into_list(),
            ),
        },
        KeySpec {
            name: "DEDUPE_HOURS",
            help: "a finding sent is not sent again within this many hours unless its severity rose (then marked escalated); updates are counted instead; 0 sends every update",
            example: "DEDUPE_HOURS: 24",
            label: "DEDUPE_HOURS (0-168)",
            old: false,
            kind: Kind::Number(DEDUPE_HOURS),
            slot: field(
                |c| Value::Num(f64::from(c.settings.dedupe_hours)),
                // Read only as a whole number from 0 to 168.
                |c, v| c.settings.dedupe_hours = whole(v),
            ),
        },
        KeySpec {
            name: "DIGEST_TIME",
            help: "a daily digest to every route at this time (HH:MM in DIGEST_TZ): the last 24 hours' findings by service and severity, the worst with links, what was suppressed or de-duplicated; unset for none",
            example: "DIGEST_TIME: \"09:00\"",
            label: "DIGEST_TIME (HH:MM)",
            old: false,
            kind: optional_text(digest_time),
            slot: field(
                |c| c.digest_time.clone().map_or(Value::Absent, Value::Str),
                |c, v| c.digest_time = v.into_str().filter(|t| !t.is_empty()),
            ),
        },
        KeySpec {
            name: "DIGEST_TZ",
            help: "the time zone of DIGEST_TIME, an IANA name (default UTC); the schedule follows its daylight saving",
            example: "DIGEST_TZ: Europe/Berlin",
            label: "DIGEST_TZ",
            old: false,
            kind: optional_text(time_zone),
            slot: field(
                |c| c.digest_tz.clone().map_or(Value::Absent, Value::Str),
                |c, v| c.digest_tz = v.into_str().filter(|t| !t.is_empty()),
            ),
        },
        KeySpec {
            name: "ALLOW_PRIVATE_WEBHOOKS",
            help: "allow webhooks on private, link-local or metadata addresses (a proxy inside your network)",
            example: "ALLOW_PRIVATE_WEBHOOKS: false",
            label: "ALLOW_PRIVATE_WEBHOOKS",
            old: false,
            kind: Kind::Bool,
            slot: field(
                |c| Value::Bool(c.settings.allow_private_webhooks),
                |c, v| c.settings.allow_private_webhooks = v == Value::Bool(true),
            ),
        },
        KeySpec {
            name: "NOTIFIER_RESERVED_CONCURRENCY",
            help: "the most notifier invocations at once (1-1000), so a flood cannot take the account's Lambda pool",
            example: "NOTIFIER_RESERVED_CONCURRENCY: 5",
            label: "NOTIFIER_RESERVED_CONCURRENCY (1-1000)",
            old: false,
            kind: Kind::Number(RESERVED_CONCURRENCY),
            slot: field(
                |c| Value::Num(f64::from(c.notifier_reserved_concurrency)),
                // Read only as a whole number from 1 to 1000.
                |c, v| c.notifier_reserved_concurrency = whole(v),
            ),
        },
        KeySpec {
            name: "ALERT_EMAIL",
            help: "email told when the notifier itself fails (alarms on its errors, throttles and failure queue; not through Slack)",
            example: "ALERT_EMAIL: security-oncall@example.com",
            label: "ALERT_EMAIL (notifier failures)",
            old: false,
            kind: optional_text(email),
            slot: field(
                |c| c.alert_email.clone().map_or(Value::Absent, Value::Str),
                |c, v| c.alert_email = v.into_str(),
            ),
        },
        KeySpec {
            name: "ORGANIZATION",
            help: "true: the whole AWS Organization is the unit (accounts from Organizations, services scanned through their delegated administrator)",
            example: "ORGANIZATION: false",
            label: "ORGANIZATION (org mode)",
            old: false,
            kind: Kind::Bool,
            slot: field(
                |c| Value::Bool(c.org.enabled),
                |c, v| c.org.enabled = v == Value::Bool(true),
            ),
        },
        KeySpec {
            name: "ACCOUNTS",
            help: "in org mode, the accounts to include: account ids, OU ids (ou-...) or the root (r-...); empty means every account",
            example: "ACCOUNTS: []",
            label: "ACCOUNTS (ids, OU ids; empty: all)",
            old: false,
            kind: Kind::List(org_target),
            slot: field(
                |c| Value::List(c.org.accounts.clone()),
                |c, v| c.org.accounts = v.into_list(),
            ),
        },
        KeySpec {
            name: "EXCLUDE_ACCOUNTS",
            help: "in org mode, accounts or OUs left out, even when ACCOUNTS includes them",
            example: "EXCLUDE_ACCOUNTS: []",
            label: "EXCLUDE_ACCOUNTS (ids, OU ids)",
            old: false,
            kind: Kind::List(org_target),
            slot: field(
                |c| Value::List(c.org.exclude.clone()),
                |c, v| c.org.exclude = v.into_list(),
            ),
        },
        KeySpec {
            name: "ORG_ACCESS_ROLE",
            help: "in org mode, the role awsmon assumes in member accounts for what no organization API answers",
            example: "ORG_ACCESS_ROLE: OrganizationAccountAccessRole",
            label: "ORG_ACCESS_ROLE (role name)",
            old: false,
            kind: text(role_name),
            slot: field(
                |c| Value::Str(c.org.access_role.clone()),
                |c, v| c.org.access_role = string(v),
            ),
        },
        KeySpec {
            name: "DELEGATED_ADMIN_ACCOUNT",
            help: "in org mode, the security-tooling account that is the services' delegated administrator, which the scan asks about every account; empty means the account awsmon runs as",
            example: "DELEGATED_ADMIN_ACCOUNT: \"\"",
            label: "DELEGATED_ADMIN_ACCOUNT (12 digits)",
            old: false,
            kind: optional_text(account_id_or_empty),
            slot: field(
                |c| c.org.delegated_admin.clone().map_or(Value::Absent, Value::Str),
                |c, v| c.org.delegated_admin = v.into_str(),
            ),
        },
        KeySpec {
            name: "CONFIG_AGGREGATOR",
            help: "in org mode, the AWS Config organization aggregator in DELEGATED_ADMIN_ACCOUNT's REGION whose source status the scan reads for Config, one listing for every account and region; empty: the first organization aggregator found there (none: each account's recorder through ORG_ACCESS_ROLE)",
            example: "CONFIG_AGGREGATOR: \"\"",
            label: "CONFIG_AGGREGATOR (aggregator name)",
            old: false,
            kind: optional_text(aggregator_name_or_empty),
            slot: field(
                |c| c.org.config_aggregator.clone().map_or(Value::Absent, Value::Str),
                |c, v| c.org.config_aggregator = v.into_str().filter(|s| !s.is_empty()),
            ),
        },
        KeySpec {
            name: "ORG_MAX_CONCURRENT_PERCENT",
            help: "in org mode, the share of accounts a StackSet operation deploys to at once (1-100)",
            example: "ORG_MAX_CONCURRENT_PERCENT: 25",
            label: "ORG_MAX_CONCURRENT_PERCENT (1-100)",
            old: false,
            kind: Kind::Number(PERCENT_AT_ONCE),
            slot: field(
                |c| Value::Num(f64::from(c.org.max_concurrent_percent)),
                // Read only as a whole number from 1 to 100.
                |c, v| c.org.max_concurrent_percent = u8::try_from(whole(v)).unwrap_or(u8::MAX),
            ),
        },
        KeySpec {
            name: "ORG_FAILURE_TOLERANCE_PERCENT",
            help: "in org mode, the share of accounts whose StackSet deploy may fail in a region before the operation stops (0-100)",
            example: "ORG_FAILURE_TOLERANCE_PERCENT: 10",
            label: "ORG_FAILURE_TOLERANCE_PERCENT (0-100)",
            old: false,
            kind: Kind::Number(PERCENT_FAILING),
            slot: field(
                |c| Value::Num(f64::from(c.org.failure_tolerance_percent)),
                // Read only as a whole number from 0 to 100.
                |c, v| c.org.failure_tolerance_percent = u8::try_from(whole(v)).unwrap_or(u8::MAX),
            ),
        },
        KeySpec {
            name: "ORG_AUTO_ENABLE",
            help: "in org mode, have a GuardDuty, Inspector or IAM Access Analyzer deploy register DELEGATED_ADMIN_ACCOUNT as its delegated administrator and set the Organization's auto-enable: NEW (accounts that join from now on) or ALL (every existing member too, each billed); Access Analyzer's organization analyzer covers every account either way; empty leaves the Organization's settings alone",
            example: "ORG_AUTO_ENABLE: \"\"",
            label: "ORG_AUTO_ENABLE (ALL, NEW or empty)",
            old: false,
            kind: optional_text(auto_enable_mode),
            slot: field(
                |c| {
                    c.org
                        .auto_enable
                        .map_or(Value::Absent, |m| Value::Str(m.as_str().to_string()))
                },
                |c, v| {
                    c.org.auto_enable = v
                        .into_str()
                        .and_then(|s| super::AutoEnableMode::parse(&s).ok());
                },
            ),
        },
        KeySpec {
            name: "ROUTING_OVERRIDES",
            help: "other webhooks (WEBHOOK_URLS, for every service) or another severity floor (MIN_SEVERITY: LOW, MEDIUM, HIGH or CRITICAL, for GuardDuty, Inspector, Security Hub and Access Analyzer) for some accounts, by account id, or for every account below an OU (ou-...) or the root (r-..., org mode); an account's own entry wins, then the nearest OU's",
            example: "# ROUTING_OVERRIDES:\n#   \"ou-ab12-prod0001\":\n#     WEBHOOK_URLS: https://hooks.slack.com/services/T000/B000/XXXXXXXX\n#   \"ou-ab12-sandbox1\":\n#     MIN_SEVERITY: HIGH\nROUTING_OVERRIDES: {}",
            label: "ROUTING_OVERRIDES (per account or OU)",
            old: false,
            kind: Kind::Overrides,
            slot: field(
                |c| Value::Overrides(c.settings.overrides.clone()),
                |c, v| {
                    if let Value::Overrides(map) = v {
                        c.settings.overrides = map;
                    }
                },
            ),
        },
        KeySpec {
            name: "SUPPRESS",
            help: "findings known and accepted, muted until a date: a list of rules, each matching SERVICE, TYPE (glob, * and ?: GuardDuty's type, Inspector's type or CVE, Security Hub's title, Config's resource type, Trusted Advisor's check, AWS Health's event type code or category, Access Analyzer's resource type or principal), RESOURCE (glob), ACCOUNT, optionally only below MIN_SEVERITY, with a REASON and an EXPIRES date (YYYY-MM-DD, the last day it applies; required)",
            example: "# SUPPRESS:\n#   - SERVICE: guardduty\n#     TYPE: \"Recon:EC2/PortProbeUnprotectedPort\"\n#     RESOURCE: \"i-0bastion*\"\n#     REASON: bastion hosts are probed all day\n#     EXPIRES: 2027-06-30\nSUPPRESS: []",
            label: "SUPPRESS (rules)",
            old: false,
            kind: Kind::Suppress,
            slot: field(
                |c| Value::Suppress(c.settings.suppress.clone()),
                |c, v| {
                    if let Value::Suppress(rules) = v {
                        c.settings.suppress = rules;
                    }
                },
            ),
        },
    ]);
    keys
});

/// The row for `name`.
pub fn spec(name: &str) -> Option<&'static KeySpec> {
    KEYS.iter().find(|k| k.name == name)
}

pub fn is_known(name: &str) -> bool {
    spec(name).is_some()
}

pub fn nearest(name: &str) -> Option<&'static str> {
    crate::text::nearest(name, KEYS.iter().map(|k| k.name))
}

/// The sample config: every key with its comment, old keys first.
pub fn sample() -> String {
    let mut out = String::from(
        "# awsmon-tui configuration. Copy to config/config.yml (or ./config.yml) and edit.\n\
         # The first block is the old Serverless project's keys, unchanged; the rest are optional.\n",
    );
    let mut old = true;
    for key in KEYS.iter() {
        if old && !key.old {
            out.push_str("\n# --- new, optional keys ---\n");
            old = false;
        }
        out.push_str(&format!("\n# {}\n{}\n", key.help, key.example));
    }
    out
}

/// Checks one webhook typed in the console for `cfg`, by the file's rules (https,
/// and private addresses only with ALLOW_PRIVATE_WEBHOOKS).
pub fn check_webhook(cfg: &Config, url: &str) -> Result<WebhookUrl, String> {
    let parsed = WebhookUrl::parse(url.trim()).map_err(|e| e.to_string())?;
    if parsed.is_private() && !cfg.settings.allow_private_webhooks {
        return Err(parse::private_webhook_message(&parsed));
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_per_service_webhook_keys_follow_service_all() {
        let routes: Vec<&str> = KEYS
            .iter()
            .filter(|k| matches!(k.slot, Slot::Route(Some(_))))
            .map(|k| k.name)
            .collect();
        let expected: Vec<String> = Service::ALL
            .iter()
            .map(|s| format!("WEBHOOK_URLS_{}", s.config_suffix()))
            .collect();
        assert_eq!(routes, expected);
        for svc in Service::ALL {
            let spec = spec(&format!("WEBHOOK_URLS_{}", svc.config_suffix())).expect("row");
            assert!(matches!(spec.slot, Slot::Route(Some(s)) if s == svc));
            assert!(matches!(spec.kind, Kind::Webhooks));
        }
    }

    #[test]
    fn bounds_are_open_or_closed_as_declared() {
        assert!(!BUDGET_THRESHOLD.contains(0.0));
        assert!(BUDGET_THRESHOLD.contains(0.5));
        assert!(BUDGET_THRESHOLD.contains(100.0));
        assert!(!BUDGET_THRESHOLD.contains(100.5));
        assert!(!BUDGET_LIMIT.contains(0.0));
        assert!(RESERVED_CONCURRENCY.contains(1.0));
        assert!(!RESERVED_CONCURRENCY.contains(f64::NAN));
    }

    #[test]
    fn names_are_unique_and_old_keys_come_first() {
        let mut names: Vec<&str> = KEYS.iter().map(|k| k.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), KEYS.len());
        let first_new = KEYS.iter().position(|k| !k.old).expect("new keys");
        assert!(KEYS[first_new..].iter().all(|k| !k.old));
    }
}
