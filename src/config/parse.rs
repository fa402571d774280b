//! From the positioned YAML tree to a validated [`Config`], collecting every issue.

use awsmon_notifier::secret::{mask_url, mask_urls_in};
use awsmon_notifier::settings::{
    INSPECTOR_RESOURCE_TYPES, InspectorSeverity, TRUSTED_ADVISOR_STATUSES,
};
use awsmon_notifier::{Service, WebhookUrl};

use super::yaml::{self, Kind, Node, Pos};
use super::{Config, ConfigIssue, RegionSelection, keys};
use crate::regions;

struct Ctx<'a> {
    file: &'a str,
    errors: Vec<ConfigIssue>,
    warnings: Vec<ConfigIssue>,
}

impl Ctx<'_> {
    /// Every message is masked here, whatever key it is about: a webhook URL typed under the
    /// wrong key must not be echoed back whole.
    fn error(&mut self, pos: Pos, key: &str, message: impl Into<String>) {
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
}

/// Event text could be a webhook URL; never echo one back whole.
fn mask_if_url(text: &str) -> String {
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
    let mut ctx = Ctx {
        file,
        errors: Vec::new(),
        warnings: Vec::new(),
    };
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
        if !keys::is_known(key) {
            let hint = keys::nearest(key)
                .map(|k| format!("; did you mean {k}?"))
                .unwrap_or_default();
            ctx.warnings.push(ConfigIssue {
                file: file.to_string(),
                pos: key_node.pos,
                key: mask_urls_in(key),
                message: format!("unknown key, ignored (kept when saving){hint}"),
            });
            continue;
        }
        if seen.contains(&key) {
            ctx.error(key_node.pos, key, "key appears twice");
            continue;
        }
        seen.push(key);
        if key == "PREFIX_S3" {
            prefix_s3_set = true;
        }
        apply(&mut ctx, &mut cfg, key, value);
    }
    if !prefix_s3_set {
        cfg.prefix_s3 = cfg.prefix_service_name.to_ascii_lowercase();
    }
    cross_checks(&mut ctx, &cfg, &entries);
    if ctx.errors.is_empty() {
        Ok((cfg, ctx.warnings))
    } else {
        Err((ctx.errors, ctx.warnings))
    }
}

fn apply(ctx: &mut Ctx, cfg: &mut Config, key: &str, value: &Node) {
    let s = &mut cfg.settings;
    match key {
        "PREFIX_SERVICE_NAME" => {
            if let Some(v) = string(ctx, key, value) {
                if is_name_prefix(&v) {
                    cfg.prefix_service_name = v;
                } else {
                    ctx.error(value.pos, key, format!("expected 1-40 letters, digits or '-', starting with a letter, found {v:?}"));
                }
            }
        }
        "PREFIX_S3" => {
            if let Some(v) = string(ctx, key, value) {
                if is_bucket_prefix(&v) {
                    cfg.prefix_s3 = v;
                } else {
                    ctx.error(value.pos, key, format!("expected 3-40 lowercase letters, digits or '-' (an S3 bucket name prefix), found {v:?}"));
                }
            }
        }
        "STACK_TAGS" => cfg.stack_tags = tags(ctx, key, value),
        "WEBHOOK_URLS" => s.routes.default = webhooks(ctx, key, value),
        "BUDGET_LIMIT" => {
            if !value.is_null() {
                cfg.budget_limit = number(
                    ctx,
                    key,
                    value,
                    0.0,
                    f64::MAX,
                    "a positive amount in USD",
                    false,
                );
            }
        }
        "BUDGET_TAGKEYVALUE" => {
            for (item, pos) in list(ctx, key, value) {
                if is_tag_filter(&item) {
                    cfg.budget_tag_filters.push(item);
                } else {
                    ctx.error(
                        pos,
                        key,
                        format!(
                            "expected a tag filter of the form \"user:key$value\", found {item:?}"
                        ),
                    );
                }
            }
        }
        "BUDGET_THRESHOLD_PERCENTAGE" => {
            if let Some(v) = number(
                ctx,
                key,
                value,
                0.0,
                100.0,
                "a percentage above 0 and at most 100",
                false,
            ) {
                cfg.budget_threshold_percentage = v;
            }
        }
        "NOTIFIER_RESERVED_CONCURRENCY" => {
            match number(
                ctx,
                key,
                value,
                1.0,
                1000.0,
                "a whole number from 1 to 1000",
                true,
            ) {
                Some(v) if v.fract() == 0.0 => {
                    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                    let n = v as u32;
                    cfg.notifier_reserved_concurrency = n;
                }
                Some(v) => ctx.error(
                    value.pos,
                    key,
                    format!("expected a whole number from 1 to 1000, found {v}"),
                ),
                None => {}
            }
        }
        "ALLOW_PRIVATE_WEBHOOKS" => {
            if let Some(b) = boolean(ctx, key, value) {
                s.allow_private_webhooks = b;
            }
        }
        "ALERT_EMAIL" => {
            if !value.is_null()
                && let Some(v) = string(ctx, key, value)
            {
                if is_email(&v) {
                    cfg.alert_email = Some(v);
                } else if !v.is_empty() {
                    ctx.error(
                        value.pos,
                        key,
                        format!("expected an email address, found {:?}", mask_if_url(&v)),
                    );
                }
            }
        }
        "HOME_REGION" => {
            if let Some(r) = region(ctx, key, value) {
                s.home_region = r;
            }
        }
        "REGIONS" => {
            if value
                .as_scalar()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("all"))
                || value.is_null()
            {
                cfg.regions = RegionSelection::All;
            } else {
                let mut picked = Vec::new();
                for (item, pos) in list(ctx, key, value) {
                    if check_region(ctx, key, &item, pos) && !picked.contains(&item) {
                        picked.push(item);
                    }
                }
                cfg.regions = RegionSelection::List(picked);
            }
        }
        "GUARDDUTY_MIN_SEVERITY" => severity(ctx, key, value, &mut s.guardduty.min_severity),
        "GUARDDUTY_MENTION_HERE_SEVERITY" => {
            severity(ctx, key, value, &mut s.guardduty.mention_here_severity);
        }
        "GUARDDUTY_MENTION_CHANNEL_SEVERITY" => {
            severity(ctx, key, value, &mut s.guardduty.mention_channel_severity);
        }
        "GUARDDUTY_GLOBAL_FINDINGS_REGION" => {
            if !value.is_null() {
                s.guardduty.global_findings_region = region(ctx, key, value);
            }
        }
        "CONFIG_RESOURCE_TYPES" => s.config.resource_types = resource_types(ctx, key, value),
        "CONFIG_EXCLUDE_RESOURCE_TYPES" => {
            s.config.exclude_resource_types = resource_types(ctx, key, value);
        }
        "TRUSTEDADVISOR_STATUSES" => {
            let mut statuses = Vec::new();
            for (item, pos) in list(ctx, key, value) {
                let up = item.to_ascii_uppercase();
                if TRUSTED_ADVISOR_STATUSES.contains(&up.as_str()) {
                    statuses.push(up);
                } else {
                    ctx.error(
                        pos,
                        key,
                        format!("expected ERROR, WARN or OK, found {item:?}"),
                    );
                }
            }
            s.trusted_advisor.statuses = statuses;
        }
        "TRUSTEDADVISOR_IGNORE_CHECKS" => {
            s.trusted_advisor.ignore_checks =
                list(ctx, key, value).into_iter().map(|(v, _)| v).collect();
        }
        "INSPECTOR_MIN_SEVERITY" => {
            if let Some(v) = string(ctx, key, value) {
                match v.parse::<InspectorSeverity>() {
                    Ok(sev) => s.inspector.min_severity = sev,
                    Err(_) => ctx.error(
                        value.pos,
                        key,
                        format!("severity out of range: expected INFORMATIONAL, LOW, MEDIUM, HIGH or CRITICAL, found {v:?}"),
                    ),
                }
            }
        }
        "INSPECTOR_RESOURCE_TYPES" => {
            let mut types = Vec::new();
            for (item, pos) in list(ctx, key, value) {
                let up = item.to_ascii_uppercase();
                if INSPECTOR_RESOURCE_TYPES.contains(&up.as_str()) {
                    types.push(up);
                } else {
                    ctx.error(
                        pos,
                        key,
                        format!(
                            "expected one of {}, found {item:?}",
                            INSPECTOR_RESOURCE_TYPES.join(", ")
                        ),
                    );
                }
            }
            s.inspector.resource_types = types;
        }
        other => {
            let service = other.strip_prefix("WEBHOOK_URLS_").and_then(|suffix| {
                Service::ALL
                    .into_iter()
                    .find(|svc| svc.config_suffix() == suffix)
            });
            if let Some(svc) = service {
                let urls = webhooks(ctx, key, value);
                s.routes.per_service.insert(svc, urls);
            }
        }
    }
}

fn cross_checks(ctx: &mut Ctx, cfg: &Config, entries: &[(Node, Node)]) {
    let pos_of = |name: &str| {
        entries
            .iter()
            .find(|(k, _)| k.as_scalar() == Some(name))
            .map(|(k, _)| k.pos)
            .unwrap_or_default()
    };
    if !cfg.settings.allow_private_webhooks {
        let routes = std::iter::once(("WEBHOOK_URLS".to_string(), &cfg.settings.routes.default))
            .chain(
                cfg.settings
                    .routes
                    .per_service
                    .iter()
                    .map(|(svc, list)| (format!("WEBHOOK_URLS_{}", svc.config_suffix()), list)),
            );
        for (key, list) in routes {
            for url in list.iter().filter(|u| u.is_private()) {
                ctx.error(
                    pos_of(&key),
                    &key,
                    format!(
                        "{} is a private, link-local or metadata address; set ALLOW_PRIVATE_WEBHOOKS: true if that is really where Slack messages should go",
                        url.masked()
                    ),
                );
            }
        }
    }
    let gd = &cfg.settings.guardduty;
    if gd.mention_here_severity > gd.mention_channel_severity {
        ctx.error(
            pos_of("GUARDDUTY_MENTION_HERE_SEVERITY"),
            "GUARDDUTY_MENTION_HERE_SEVERITY",
            format!(
                "must not be above GUARDDUTY_MENTION_CHANNEL_SEVERITY ({} > {})",
                gd.mention_here_severity, gd.mention_channel_severity
            ),
        );
    }
    if let RegionSelection::List(list) = &cfg.regions
        && list.is_empty()
    {
        ctx.error(
            pos_of("REGIONS"),
            "REGIONS",
            "expected `all` or at least one region, found an empty list",
        );
    }
}

/// One address, `local@domain.tld`, as SNS email subscriptions take it.
fn is_email(v: &str) -> bool {
    let Some((local, domain)) = v.split_once('@') else {
        return false;
    };
    v.len() <= 254
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !v
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == ',')
        && !domain.contains('@')
}

fn boolean(ctx: &mut Ctx, key: &str, node: &Node) -> Option<bool> {
    match node.as_scalar().map(|t| t.trim().to_ascii_lowercase()) {
        _ if node.is_null() => Some(false),
        Some(t) if t == "true" => Some(true),
        Some(t) if t == "false" => Some(false),
        _ => {
            ctx.type_error(node, key, "true or false");
            None
        }
    }
}

fn string(ctx: &mut Ctx, key: &str, node: &Node) -> Option<String> {
    match &node.kind {
        Kind::Scalar { text, .. } if !node.is_null() => Some(text.trim().to_string()),
        _ => {
            ctx.type_error(node, key, "a string");
            None
        }
    }
}

/// A YAML list, or a comma-separated string (the old project's form). Null is empty.
fn list(ctx: &mut Ctx, key: &str, node: &Node) -> Vec<(String, Pos)> {
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
                    ctx.type_error(item, key, "a string in the list");
                    None
                }
            })
            .collect(),
        Kind::Map(_) => {
            ctx.type_error(node, key, "a list or a comma-separated string");
            Vec::new()
        }
    }
}

fn webhooks(ctx: &mut Ctx, key: &str, node: &Node) -> Vec<WebhookUrl> {
    list(ctx, key, node)
        .into_iter()
        .filter_map(|(raw, pos)| match WebhookUrl::parse(&raw) {
            Ok(url) => Some(url),
            Err(e) => {
                ctx.error(pos, key, format!("{e}, found {}", mask_url(&raw)));
                None
            }
        })
        .collect()
}

fn tags(ctx: &mut Ctx, key: &str, node: &Node) -> Vec<(String, String)> {
    if node.is_null() {
        return Vec::new();
    }
    let Kind::Map(entries) = &node.kind else {
        ctx.type_error(node, key, "a mapping of tag names to values");
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, v) in entries {
        match (k.as_scalar(), v.as_scalar()) {
            (Some(name), Some(value)) if !name.is_empty() => {
                let value = if v.is_null() { "" } else { value };
                if out.iter().any(|(n, _)| n == name) {
                    // CloudFormation would keep one of the two; which one is not the user's choice.
                    ctx.error(k.pos, key, format!("tag {name:?} appears twice"));
                } else if name.len() > 128 || value.len() > 256 || name.starts_with("aws:") {
                    ctx.error(k.pos, key, format!("tag {name:?}: keys are at most 128 characters and may not start with aws:, values at most 256"));
                } else {
                    out.push((name.to_string(), value.to_string()));
                }
            }
            (Some(_), Some(_)) | (None, _) => ctx.type_error(k, key, "a tag name"),
            (Some(_), None) => ctx.type_error(v, key, "a tag value (a string)"),
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn number(
    ctx: &mut Ctx,
    key: &str,
    node: &Node,
    min: f64,
    max: f64,
    expected: &str,
    min_inclusive: bool,
) -> Option<f64> {
    let parsed = match &node.kind {
        Kind::Scalar { text, .. } if !node.is_null() => {
            text.trim().parse::<f64>().ok().filter(|v| v.is_finite())
        }
        _ => None,
    };
    let Some(v) = parsed else {
        ctx.type_error(node, key, expected);
        return None;
    };
    let low_ok = if min_inclusive { v >= min } else { v > min };
    if low_ok && v <= max {
        Some(v)
    } else {
        ctx.error(
            node.pos,
            key,
            format!("out of range: expected {expected}, found {v}"),
        );
        None
    }
}

fn severity(ctx: &mut Ctx, key: &str, node: &Node, slot: &mut f64) {
    if let Some(v) = number(
        ctx,
        key,
        node,
        0.0,
        10.0,
        "a GuardDuty severity from 0 to 10",
        true,
    ) {
        *slot = v;
    }
}

fn region(ctx: &mut Ctx, key: &str, node: &Node) -> Option<String> {
    let name = string(ctx, key, node)?;
    check_region(ctx, key, &name, node.pos).then_some(name)
}

fn check_region(ctx: &mut Ctx, key: &str, name: &str, pos: Pos) -> bool {
    if regions::is_known(name) {
        return true;
    }
    let hint = regions::nearest(name)
        .map(|r| format!("; did you mean {r}?"))
        .unwrap_or_default();
    ctx.error(pos, key, format!("unknown region {name:?}{hint}"));
    false
}

fn resource_types(ctx: &mut Ctx, key: &str, node: &Node) -> Vec<String> {
    let mut out = Vec::new();
    for (item, pos) in list(ctx, key, node) {
        let parts: Vec<&str> = item.split("::").collect();
        let shaped = parts.len() == 3
            && parts[0] == "AWS"
            && parts[1..]
                .iter()
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric()));
        if shaped {
            out.push(item);
        } else {
            ctx.error(
                pos,
                key,
                format!("expected a resource type like AWS::IAM::Role, found {item:?}"),
            );
        }
    }
    out
}

fn is_name_prefix(v: &str) -> bool {
    (1..=40).contains(&v.len())
        && v.starts_with(|c: char| c.is_ascii_alphabetic())
        && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

fn is_bucket_prefix(v: &str) -> bool {
    (3..=40).contains(&v.len())
        && v.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && !v.ends_with('-')
        && v.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// `user:key$value` (user-defined cost allocation tags) or `aws:key$value` (AWS-generated).
fn is_tag_filter(v: &str) -> bool {
    let Some(rest) = v.strip_prefix("user:").or_else(|| v.strip_prefix("aws:")) else {
        return false;
    };
    matches!(rest.split_once('$'), Some((key, _)) if !key.is_empty())
}
