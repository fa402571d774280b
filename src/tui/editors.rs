//! The routing and budget editors' model: which rows exist, each field's current text, and
//! checking and applying an edit to the draft config. Pure, shared by update and the views.
//!
//! Every field is a row of the config schema (`config::schema::KEYS`): its label, current
//! text, check and set come from that row, so the editor accepts exactly what config.yml does.

use awsmon_notifier::settings::{MinSeverity, RouteOverride};
use awsmon_notifier::{Service, WebhookUrl};

use crate::config::Config;
use crate::config::schema::{self, KeySpec};

/// A per-service filter the routing editor edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    GuardDutyMinSeverity,
    GuardDutyHere,
    GuardDutyChannel,
    ConfigResourceTypes,
    ConfigExclude,
    TrustedAdvisorStatuses,
    TrustedAdvisorIgnore,
    InspectorMinSeverity,
}

impl Field {
    pub const ALL: [Field; 8] = [
        Field::GuardDutyMinSeverity,
        Field::GuardDutyHere,
        Field::GuardDutyChannel,
        Field::ConfigResourceTypes,
        Field::ConfigExclude,
        Field::TrustedAdvisorStatuses,
        Field::TrustedAdvisorIgnore,
        Field::InspectorMinSeverity,
    ];

    /// The config.yml key this field edits.
    pub fn key(self) -> &'static str {
        match self {
            Field::GuardDutyMinSeverity => "GUARDDUTY_MIN_SEVERITY",
            Field::GuardDutyHere => "GUARDDUTY_MENTION_HERE_SEVERITY",
            Field::GuardDutyChannel => "GUARDDUTY_MENTION_CHANNEL_SEVERITY",
            Field::ConfigResourceTypes => "CONFIG_RESOURCE_TYPES",
            Field::ConfigExclude => "CONFIG_EXCLUDE_RESOURCE_TYPES",
            Field::TrustedAdvisorStatuses => "TRUSTEDADVISOR_STATUSES",
            Field::TrustedAdvisorIgnore => "TRUSTEDADVISOR_IGNORE_CHECKS",
            Field::InspectorMinSeverity => "INSPECTOR_MIN_SEVERITY",
        }
    }

    pub fn spec(self) -> &'static KeySpec {
        row(self.key())
    }

    pub fn label(self) -> &'static str {
        self.spec().label
    }
}

fn row(key: &str) -> &'static KeySpec {
    schema::spec(key).expect("every editor field is a config key")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoutingRow {
    Url(Option<Service>, usize),
    AddUrl(Option<Service>),
    Field(Field),
    /// ROUTING_OVERRIDES, by the entry's place in key order: a webhook, the add row, the
    /// severity floor; then the row that adds an entry.
    OverrideUrl(usize, usize),
    OverrideAddUrl(usize),
    OverrideSeverity(usize),
    AddOverride,
}

/// The default route, then one per service, in [`Service::ALL`]'s order.
pub const ROUTE_KEYS: [Option<Service>; Service::ALL.len() + 1] = {
    let mut out = [None; Service::ALL.len() + 1];
    let mut i = 0;
    while i < Service::ALL.len() {
        out[i + 1] = Some(Service::ALL[i]);
        i += 1;
    }
    out
};

/// Checks one webhook typed for a route of `cfg`, by config.yml's rules (https; private
/// addresses only with ALLOW_PRIVATE_WEBHOOKS).
pub fn check_url(cfg: &Config, v: &str) -> Result<WebhookUrl, String> {
    if v.trim().is_empty() {
        return Err("type or paste a webhook URL".into());
    }
    schema::check_webhook(cfg, v)
}

/// A route's own webhooks (a service's may be empty: it then uses the default ones).
pub fn urls(cfg: &Config, route: Option<Service>) -> &[WebhookUrl] {
    schema::route_urls(cfg, route)
}

fn urls_mut(cfg: &mut Config, route: Option<Service>) -> &mut Vec<WebhookUrl> {
    match route {
        None => &mut cfg.settings.routes.default,
        Some(s) => cfg.settings.routes.per_service.entry(s).or_default(),
    }
}

pub fn add_url(cfg: &mut Config, route: Option<Service>, url: WebhookUrl) {
    urls_mut(cfg, route).push(url);
}

pub fn replace_url(cfg: &mut Config, route: Option<Service>, i: usize, url: WebhookUrl) {
    if let Some(slot) = urls_mut(cfg, route).get_mut(i) {
        *slot = url;
    }
}

pub fn remove_url(cfg: &mut Config, route: Option<Service>, i: usize) {
    let list = urls_mut(cfg, route);
    if i < list.len() {
        list.remove(i);
    }
}

pub fn routing_rows(cfg: &Config) -> Vec<RoutingRow> {
    let mut rows = Vec::new();
    for route in ROUTE_KEYS {
        rows.extend((0..urls(cfg, route).len()).map(|i| RoutingRow::Url(route, i)));
        rows.push(RoutingRow::AddUrl(route));
    }
    rows.extend(Field::ALL.map(RoutingRow::Field));
    for (i, over) in cfg.settings.overrides.values().enumerate() {
        rows.extend((0..over.webhooks.len()).map(|j| RoutingRow::OverrideUrl(i, j)));
        rows.push(RoutingRow::OverrideAddUrl(i));
        rows.push(RoutingRow::OverrideSeverity(i));
    }
    rows.push(RoutingRow::AddOverride);
    rows
}

/// The `i`th ROUTING_OVERRIDES entry, in key order.
pub fn override_at(cfg: &Config, i: usize) -> Option<(&String, &RouteOverride)> {
    cfg.settings.overrides.iter().nth(i)
}

/// An entry's target typed in the console: an account, OU or root id not already there.
pub fn check_override_target(cfg: &Config, v: &str) -> Result<String, String> {
    if v.is_empty() {
        return Err("type an account id, an OU id (ou-...) or the root id (r-...)".into());
    }
    let target = schema::org_target(v)?;
    if cfg.settings.overrides.contains_key(&target) {
        return Err(format!("{target} has an entry already"));
    }
    Ok(target)
}

/// An OU entry outside org mode does nothing: said as it is typed.
pub fn warn_override_target(cfg: &Config, v: &str) -> Option<String> {
    (!cfg.org.enabled && v.starts_with(['o', 'r']))
        .then(|| "OU and root entries need ORGANIZATION: true (awsmon cannot see OUs)".into())
}

/// A severity floor typed in the console; empty clears it.
pub fn check_min_severity(v: &str) -> Result<Option<MinSeverity>, String> {
    if v.is_empty() {
        return Ok(None);
    }
    v.parse().map(Some)
}

/// A field of a SUPPRESS rule made with `m`, asked in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleField {
    Type,
    Resource,
    Reason,
    Expires,
}

/// A rule field as typed, checked as config.yml's SUPPRESS reads it (an empty TYPE or
/// RESOURCE matches anything; EXPIRES may not be past).
pub fn check_rule_field(field: RuleField, v: &str) -> Result<(), String> {
    match field {
        RuleField::Type | RuleField::Resource if v.is_empty() => Ok(()),
        RuleField::Type | RuleField::Resource => awsmon_notifier::settings::check_glob(v),
        RuleField::Reason if v.is_empty() => Err("say why this finding is accepted".to_string()),
        RuleField::Reason if v.chars().count() > 200 => Err("at most 200 characters".to_string()),
        RuleField::Reason => Ok(()),
        RuleField::Expires => {
            let day = crate::config::schema::date(v)?;
            let today = awsmon_notifier::time::today();
            if day < today {
                Err(format!("{day} has passed (today is {today}, UTC)"))
            } else {
                Ok(())
            }
        }
    }
}

/// Adds an entry with nothing set yet (an entry still empty at save is dropped).
pub fn add_override(cfg: &mut Config, target: String) {
    cfg.settings.overrides.entry(target).or_default();
}

pub fn override_mut<'c>(cfg: &'c mut Config, target: &str) -> Option<&'c mut RouteOverride> {
    cfg.settings.overrides.get_mut(target)
}

/// Drops the entries that set nothing; returns how many.
pub fn drop_empty_overrides(cfg: &mut Config) -> usize {
    let before = cfg.settings.overrides.len();
    cfg.settings.overrides.retain(|_, o| !o.is_empty());
    before - cfg.settings.overrides.len()
}

pub fn field_value(cfg: &Config, f: Field) -> String {
    f.spec().text(cfg)
}

/// Checks a field's text by the key's config.yml rule; the error is the file's message.
pub fn check_field(f: Field, v: &str) -> Result<(), String> {
    f.spec().check_text(v).map(|_| ())
}

/// [`check_field`], and the rules between keys on `cfg` (the @here severity not above the
/// @channel one).
pub fn check_field_in(cfg: &Config, f: Field, v: &str) -> Result<(), String> {
    f.spec().check_text_in(cfg, v).map(|_| ())
}

/// A warning the value would bring (allowed, probably not meant), naming the key.
pub fn warn_field_in(cfg: &Config, f: Field, v: &str) -> Option<String> {
    let next = f.spec().check_text_in(cfg, v).ok()?;
    let before = crate::config::parse::cross_warnings(cfg);
    crate::config::parse::cross_warnings(&next)
        .into_iter()
        .find(|w| !before.contains(w) || f.key() == w.0)
        .map(|(key, message)| format!("{key}: {message}"))
}

pub fn set_field(cfg: &mut Config, f: Field, v: &str) -> Result<(), String> {
    f.spec().set_text(cfg, v)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BudgetField {
    Limit,
    Threshold,
    TagFilters,
}

impl BudgetField {
    pub const ALL: [BudgetField; 3] = [
        BudgetField::Limit,
        BudgetField::Threshold,
        BudgetField::TagFilters,
    ];

    /// The config.yml key this field edits.
    pub fn key(self) -> &'static str {
        match self {
            BudgetField::Limit => "BUDGET_LIMIT",
            BudgetField::Threshold => "BUDGET_THRESHOLD_PERCENTAGE",
            BudgetField::TagFilters => "BUDGET_TAGKEYVALUE",
        }
    }

    pub fn spec(self) -> &'static KeySpec {
        row(self.key())
    }

    pub fn label(self) -> &'static str {
        self.spec().label
    }
}

pub fn budget_value(cfg: &Config, f: BudgetField) -> String {
    f.spec().text(cfg)
}

pub fn check_budget(f: BudgetField, v: &str) -> Result<(), String> {
    f.spec().check_text(v).map(|_| ())
}

pub fn check_budget_in(cfg: &Config, f: BudgetField, v: &str) -> Result<(), String> {
    f.spec().check_text_in(cfg, v).map(|_| ())
}

pub fn set_budget(cfg: &mut Config, f: BudgetField, v: &str) -> Result<(), String> {
    f.spec().set_text(cfg, v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_say_what_they_expect() {
        assert_eq!(
            check_field(Field::GuardDutyHere, "11"),
            Err("out of range: expected a GuardDuty severity from 0 to 10, found 11".to_string())
        );
        assert_eq!(
            check_field(Field::TrustedAdvisorStatuses, "ERROR, BAD"),
            Err("expected ERROR, WARN or OK, found \"BAD\"".to_string())
        );
        assert_eq!(
            check_budget(BudgetField::TagFilters, "Project$x"),
            Err(
                "expected a tag filter of the form \"user:key$value\", found \"Project$x\""
                    .to_string()
            )
        );
        assert!(check_field(Field::InspectorMinSeverity, "high").is_ok());
    }

    #[test]
    fn the_mention_thresholds_are_checked_against_each_other() {
        let cfg = Config::default();
        assert_eq!(
            check_field_in(&cfg, Field::GuardDutyHere, "9"),
            Err(
                "GUARDDUTY_MENTION_HERE_SEVERITY: must not be above GUARDDUTY_MENTION_CHANNEL_SEVERITY (9 > 7)"
                    .to_string()
            )
        );
        let mut cfg = cfg;
        set_field(&mut cfg, Field::GuardDutyChannel, "9.5").expect("channel");
        set_field(&mut cfg, Field::GuardDutyHere, "9").expect("here");
        assert!(set_field(&mut cfg, Field::GuardDutyChannel, "8").is_err());
        assert!((cfg.settings.guardduty.mention_channel_severity - 9.5).abs() < f64::EPSILON);
    }

    #[test]
    fn routes_follow_the_services() {
        assert_eq!(ROUTE_KEYS[0], None);
        assert_eq!(&ROUTE_KEYS[1..], Service::ALL.map(Some).as_slice());
    }
}
