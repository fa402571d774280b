//! The routing and budget editors' model: which rows exist, each field's current text, and
//! checking and applying an edit to the draft config. Pure, shared by update and the views.

use awsmon_notifier::settings::{InspectorSeverity, TRUSTED_ADVISOR_STATUSES};
use awsmon_notifier::{Service, WebhookUrl};

use crate::config::Config;

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

    pub fn label(self) -> &'static str {
        match self {
            Field::GuardDutyMinSeverity => "GuardDuty min severity (0-10)",
            Field::GuardDutyHere => "GuardDuty @here from severity",
            Field::GuardDutyChannel => "GuardDuty @channel from severity",
            Field::ConfigResourceTypes => "Config resource types (empty = all)",
            Field::ConfigExclude => "Config excluded types",
            Field::TrustedAdvisorStatuses => "Trusted Advisor statuses",
            Field::TrustedAdvisorIgnore => "Trusted Advisor ignored checks",
            Field::InspectorMinSeverity => "Inspector min severity",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoutingRow {
    Url(Option<Service>, usize),
    AddUrl(Option<Service>),
    Field(Field),
}

pub const ROUTE_KEYS: [Option<Service>; 6] = [
    None,
    Some(Service::GuardDuty),
    Some(Service::Config),
    Some(Service::Inspector),
    Some(Service::TrustedAdvisor),
    Some(Service::Budget),
];

/// A route's own webhooks (a service's may be empty: it then uses the default ones).
pub fn urls(cfg: &Config, route: Option<Service>) -> &[WebhookUrl] {
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
    rows
}

fn list(items: &[String]) -> String {
    items.join(", ")
}

fn split(v: &str) -> Vec<String> {
    v.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

pub fn field_value(cfg: &Config, f: Field) -> String {
    let s = &cfg.settings;
    match f {
        Field::GuardDutyMinSeverity => s.guardduty.min_severity.to_string(),
        Field::GuardDutyHere => s.guardduty.mention_here_severity.to_string(),
        Field::GuardDutyChannel => s.guardduty.mention_channel_severity.to_string(),
        Field::ConfigResourceTypes => list(&s.config.resource_types),
        Field::ConfigExclude => list(&s.config.exclude_resource_types),
        Field::TrustedAdvisorStatuses => list(&s.trusted_advisor.statuses),
        Field::TrustedAdvisorIgnore => list(&s.trusted_advisor.ignore_checks),
        Field::InspectorMinSeverity => s.inspector.min_severity.as_str().to_string(),
    }
}

fn severity(v: &str) -> Result<f64, String> {
    match v.parse::<f64>() {
        Ok(n) if (0.0..=10.0).contains(&n) => Ok(n),
        _ => Err(format!("{v:?}: expected a number from 0 to 10")),
    }
}

fn resource_types(v: &str) -> Result<Vec<String>, String> {
    let items = split(v);
    match items.iter().find(|t| t.split("::").count() != 3) {
        Some(bad) => Err(format!("{bad:?}: expected AWS::Service::Type")),
        None => Ok(items),
    }
}

/// Checks a field's text; the error says what is expected.
pub fn check_field(f: Field, v: &str) -> Result<(), String> {
    match f {
        Field::GuardDutyMinSeverity | Field::GuardDutyHere | Field::GuardDutyChannel => {
            severity(v).map(|_| ())
        }
        Field::ConfigResourceTypes | Field::ConfigExclude => resource_types(v).map(|_| ()),
        Field::TrustedAdvisorStatuses => {
            let items = split(v);
            if items.is_empty() {
                return Err(format!(
                    "at least one of {}",
                    TRUSTED_ADVISOR_STATUSES.join(", ")
                ));
            }
            match items
                .iter()
                .find(|s| !TRUSTED_ADVISOR_STATUSES.contains(&s.to_ascii_uppercase().as_str()))
            {
                Some(bad) => Err(format!(
                    "{bad:?}: expected {}",
                    TRUSTED_ADVISOR_STATUSES.join(", ")
                )),
                None => Ok(()),
            }
        }
        Field::TrustedAdvisorIgnore => Ok(()),
        Field::InspectorMinSeverity => v
            .to_ascii_uppercase()
            .parse::<InspectorSeverity>()
            .map(|_| ())
            .map_err(|_| {
                format!(
                    "{v:?}: expected one of {}",
                    InspectorSeverity::ALL
                        .map(InspectorSeverity::as_str)
                        .join(", ")
                )
            }),
    }
}

pub fn set_field(cfg: &mut Config, f: Field, v: &str) -> Result<(), String> {
    check_field(f, v)?;
    let s = &mut cfg.settings;
    match f {
        Field::GuardDutyMinSeverity => s.guardduty.min_severity = severity(v)?,
        Field::GuardDutyHere => s.guardduty.mention_here_severity = severity(v)?,
        Field::GuardDutyChannel => s.guardduty.mention_channel_severity = severity(v)?,
        Field::ConfigResourceTypes => s.config.resource_types = resource_types(v)?,
        Field::ConfigExclude => s.config.exclude_resource_types = resource_types(v)?,
        Field::TrustedAdvisorStatuses => {
            s.trusted_advisor.statuses = split(v).iter().map(|x| x.to_ascii_uppercase()).collect();
        }
        Field::TrustedAdvisorIgnore => s.trusted_advisor.ignore_checks = split(v),
        Field::InspectorMinSeverity => {
            s.inspector.min_severity = v.to_ascii_uppercase().parse().map_err(|e: String| e)?;
        }
    }
    Ok(())
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

    pub fn label(self) -> &'static str {
        match self {
            BudgetField::Limit => "BUDGET_LIMIT (USD per month)",
            BudgetField::Threshold => "BUDGET_THRESHOLD_PERCENTAGE (forecast alert)",
            BudgetField::TagFilters => "BUDGET_TAGKEYVALUE (user:key$value, comma-separated)",
        }
    }
}

pub fn budget_value(cfg: &Config, f: BudgetField) -> String {
    match f {
        BudgetField::Limit => cfg.budget_limit.map(|l| l.to_string()).unwrap_or_default(),
        BudgetField::Threshold => cfg.budget_threshold_percentage.to_string(),
        BudgetField::TagFilters => list(&cfg.budget_tag_filters),
    }
}

pub fn check_budget(f: BudgetField, v: &str) -> Result<(), String> {
    match f {
        BudgetField::Limit => match v.parse::<f64>() {
            Ok(n) if n > 0.0 && n.is_finite() => Ok(()),
            _ => Err(format!("{v:?}: expected an amount in USD above 0")),
        },
        BudgetField::Threshold => match v.parse::<f64>() {
            Ok(n) if (1.0..=100.0).contains(&n) => Ok(()),
            _ => Err(format!("{v:?}: expected a percentage from 1 to 100")),
        },
        BudgetField::TagFilters => match split(v).iter().find(|t| {
            let Some((key, _)) = t.split_once('$') else {
                return true;
            };
            !key.starts_with("user:") || key.len() <= 5
        }) {
            Some(bad) => Err(format!("{bad:?}: expected user:key$value")),
            None => Ok(()),
        },
    }
}

pub fn set_budget(cfg: &mut Config, f: BudgetField, v: &str) -> Result<(), String> {
    check_budget(f, v)?;
    match f {
        BudgetField::Limit => cfg.budget_limit = v.parse().ok(),
        BudgetField::Threshold => {
            cfg.budget_threshold_percentage = v.parse().map_err(|_| "not a number".to_string())?;
        }
        BudgetField::TagFilters => cfg.budget_tag_filters = split(v),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_say_what_they_expect() {
        assert_eq!(
            check_field(Field::GuardDutyHere, "11"),
            Err("\"11\": expected a number from 0 to 10".to_string())
        );
        assert_eq!(
            check_field(Field::TrustedAdvisorStatuses, "ERROR, BAD"),
            Err("\"BAD\": expected ERROR, WARN, OK".to_string())
        );
        assert_eq!(
            check_budget(BudgetField::TagFilters, "Project$x"),
            Err("\"Project$x\": expected user:key$value".to_string())
        );
        assert!(check_field(Field::InspectorMinSeverity, "high").is_ok());
    }
}
