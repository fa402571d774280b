//! Events to Slack cards: what a person needs to act, and a link to the console.

use crate::decide::{Decision, guardduty_band};
use crate::event::{
    BudgetAlert, ConfigChange, Envelope, Event, GuardDutyFinding, InspectorFinding,
    SecurityHubFinding, TestMessage, TrustedAdvisorCheck,
};
use crate::json::compact;
use crate::slack::{Card, bold, code, escape, truncate};

const RED: &str = "#E01E5A";
const DARK_RED: &str = "#8B0000";
const AMBER: &str = "#ECB22E";
const BLUE: &str = "#439FE0";
const GREEN: &str = "#2EB67D";

/// Longest inline value in a Config diff line.
const DIFF_VALUE_MAX: usize = 300;

pub fn card(envelope: &Envelope, event: &Event, decision: &Decision) -> Card {
    let mut card = match event {
        Event::GuardDuty(f) => guardduty(f),
        Event::ConfigChange(c) => config(c),
        Event::Inspector(f) => inspector(f),
        Event::TrustedAdvisor(c) => trusted_advisor(c),
        Event::SecurityHub(f) => security_hub(f),
        Event::Budget(b) => budget(b),
        Event::Test(t) => test(t),
    };
    card.mention = Some(decision.mention());
    if card.context.is_empty() {
        card.context = context(&envelope.account, &envelope.region, &envelope.time);
    }
    card
}

/// The colour bar for a severity label, the same for every service.
fn severity_colour(label: &str) -> &'static str {
    match label {
        "CRITICAL" => DARK_RED,
        "HIGH" => RED,
        "MEDIUM" => AMBER,
        _ => BLUE,
    }
}

fn context(account: &str, region: &str, time: &str) -> Vec<String> {
    [
        format!("account {account}"),
        region.to_string(),
        time.to_string(),
    ]
    .into_iter()
    .filter(|s| !s.trim().is_empty() && s != "account ")
    .collect()
}

fn console(region: &str, path: &str) -> String {
    format!("https://{region}.console.aws.amazon.com/{path}")
}

/// Percent-encodes a query value.
fn enc(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
    out
}

fn guardduty(f: &GuardDutyFinding) -> Card {
    let band = guardduty_band(f.severity);
    let mut fields = vec![
        (
            "Severity".to_string(),
            format!("{band} ({:.1})", f.severity),
        ),
        ("Type".to_string(), f.finding_type.clone()),
        ("Account".to_string(), f.account.clone()),
        ("Region".to_string(), f.region.clone()),
    ];
    if let Some(r) = &f.resource {
        fields.push(("Resource".into(), r.clone()));
    }
    if let Some(a) = &f.action {
        fields.push(("Activity".into(), a.clone()));
    }
    if let Some(c) = f.count {
        fields.push(("Count".into(), c.to_string()));
    }
    if let Some(t) = &f.first_seen {
        fields.push(("First seen".into(), t.clone()));
    }
    if let Some(t) = &f.last_seen {
        fields.push(("Last seen".into(), t.clone()));
    }
    let url = console(
        &f.region,
        &format!(
            "guardduty/home?region={}#/findings?macros=current&fId={}",
            f.region,
            enc(&f.id)
        ),
    );
    Card {
        colour: severity_colour(&band.to_ascii_uppercase()),
        summary: format!(
            "GuardDuty {band} ({:.1}): {} in {}",
            f.severity, f.title, f.region
        ),
        header: f.title.clone(),
        body: vec![escape(&f.description)],
        fields,
        links: vec![("Open in GuardDuty".into(), url)],
        context: context(
            &f.account,
            &f.region,
            f.last_seen.as_deref().unwrap_or_default(),
        ),
        ..Card::default()
    }
}

fn config(c: &ConfigChange) -> Card {
    let name = c
        .resource_name
        .clone()
        .unwrap_or_else(|| c.resource_id.clone());
    let mut lines: Vec<String> = Vec::new();
    let mut used = 0;
    for (i, ch) in c.changes.iter().enumerate() {
        let value =
            |v: &Option<serde_json::Value>| v.as_ref().map_or_else(|| "—".to_string(), compact);
        let line = match ch.change_type.as_str() {
            "CREATE" => format!(
                "{} {} {}",
                code(&ch.path),
                bold("added"),
                code(&clip(&value(&ch.updated)))
            ),
            "DELETE" => format!(
                "{} {} {}",
                code(&ch.path),
                bold("removed"),
                code(&clip(&value(&ch.previous)))
            ),
            _ => format!(
                "{} {} → {}",
                code(&ch.path),
                code(&clip(&value(&ch.previous))),
                code(&clip(&value(&ch.updated)))
            ),
        };
        // Leave room for the "and N more" line within one section.
        if used + line.len() + 40 > crate::slack::SECTION_TEXT_MAX {
            lines.push(format!(
                "…and {} more changed properties",
                c.changes.len() - i
            ));
            break;
        }
        used += line.len() + 1;
        lines.push(line);
    }
    if lines.is_empty() {
        lines.push(format!(
            "Resource {}",
            escape(&c.change_type.to_lowercase())
        ));
    }
    let mut fields = vec![
        ("Change".to_string(), c.change_type.clone()),
        ("Resource type".to_string(), c.resource_type.clone()),
        ("Resource id".to_string(), c.resource_id.clone()),
    ];
    if let Some(n) = &c.resource_name {
        fields.push(("Name".into(), n.clone()));
    }
    fields.push(("Changed properties".into(), c.changes.len().to_string()));
    let url = console(
        &c.region,
        &format!(
            "config/home?region={}#/resources/details?resourceId={}&resourceType={}",
            c.region,
            enc(&c.resource_id),
            enc(&c.resource_type)
        ),
    );
    Card {
        colour: if c.change_type == "DELETE" {
            AMBER
        } else {
            BLUE
        },
        summary: format!(
            "Config: {} {} {} in {}",
            c.resource_type,
            name,
            c.change_type.to_lowercase(),
            c.region
        ),
        header: format!("{} {} ({})", c.resource_type, name, c.change_type),
        body: vec![lines.join("\n")],
        fields,
        links: vec![("Open in AWS Config".into(), url)],
        context: context(
            &c.account,
            &c.region,
            c.capture_time.as_deref().unwrap_or_default(),
        ),
        ..Card::default()
    }
}

fn clip(s: &str) -> String {
    truncate(s, DIFF_VALUE_MAX)
}

fn inspector(f: &InspectorFinding) -> Card {
    let mut fields = vec![(
        "Severity".to_string(),
        match f.score {
            Some(s) => format!("{} (score {s:.1})", f.severity),
            None => f.severity.clone(),
        },
    )];
    match (&f.vulnerability_id, &f.package) {
        (Some(v), _) => fields.push(("Vulnerability".into(), v.clone())),
        (None, _) => fields.push(("Finding type".into(), f.finding_type.clone())),
    }
    if let Some(p) = &f.package {
        let more = if f.more_packages > 0 {
            format!(" (+{} more)", f.more_packages)
        } else {
            String::new()
        };
        fields.push(("Package".into(), format!("{p}{more}")));
    }
    if let Some(r) = &f.resource {
        fields.push(("Resource".into(), r.clone()));
    }
    if let Some(fix) = &f.fix_available {
        fields.push(("Fix available".into(), fix.clone()));
    }
    if let Some(x) = &f.exploit_available {
        fields.push(("Exploit available".into(), x.clone()));
    }
    fields.push(("Account".into(), f.account.clone()));
    fields.push(("Region".into(), f.region.clone()));
    if let Some(t) = &f.first_observed {
        fields.push(("First observed".into(), t.clone()));
    }
    let mut links = vec![(
        "Open in Inspector".to_string(),
        console(
            &f.region,
            &format!(
                "inspector/v2/home?region={}#/findings/all?findingArn={}",
                f.region,
                enc(&f.arn)
            ),
        ),
    )];
    if let Some(u) = &f.reference_url {
        links.push(("Advisory".into(), u.clone()));
    }
    Card {
        colour: severity_colour(&f.severity),
        summary: format!("Inspector {}: {} in {}", f.severity, f.title, f.region),
        header: f.title.clone(),
        body: vec![escape(&f.description)],
        fields,
        links,
        context: context(
            &f.account,
            &f.region,
            f.last_observed.as_deref().unwrap_or_default(),
        ),
        ..Card::default()
    }
}

fn trusted_advisor(c: &TrustedAdvisorCheck) -> Card {
    let mut fields = vec![
        ("Status".to_string(), c.status.clone()),
        ("Region".to_string(), c.region.clone()),
    ];
    if let Some(r) = &c.resource_id {
        fields.push(("Resource".into(), r.clone()));
    }
    for (k, v) in &c.details {
        if fields.len() >= 20 {
            break;
        }
        fields.push((k.clone(), v.clone().unwrap_or_else(|| "—".to_string())));
    }
    Card {
        colour: match c.status.as_str() {
            "ERROR" => RED,
            "WARN" => AMBER,
            _ => GREEN,
        },
        summary: format!("Trusted Advisor {}: {}", c.status, c.check_name),
        header: format!("Trusted Advisor: {}", c.check_name),
        body: Vec::new(),
        fields,
        links: vec![(
            "Open in Trusted Advisor".into(),
            "https://console.aws.amazon.com/trustedadvisor/home#/dashboard".into(),
        )],
        ..Card::default()
    }
}

fn security_hub(f: &SecurityHubFinding) -> Card {
    let mut fields = vec![
        ("Severity".to_string(), f.severity.clone()),
        ("Product".to_string(), f.product_name.clone()),
        ("Account".to_string(), f.account.clone()),
        ("Region".to_string(), f.region.clone()),
    ];
    if let Some(r) = &f.resource {
        fields.push(("Resource".into(), r.clone()));
    }
    if let Some(c) = &f.compliance {
        fields.push(("Compliance".into(), c.clone()));
    }
    if let Some(w) = &f.workflow_status {
        fields.push(("Workflow".into(), w.clone()));
    }
    let mut links = vec![(
        "Open in Security Hub".to_string(),
        console(
            &f.region,
            &format!("securityhub/home?region={}#/findings", f.region),
        ),
    )];
    if let Some(u) = &f.remediation_url {
        links.push(("Remediation".into(), u.clone()));
    }
    Card {
        colour: severity_colour(&f.severity),
        summary: format!("Security Hub {}: {} in {}", f.severity, f.title, f.region),
        header: f.title.clone(),
        body: vec![escape(&f.description)],
        fields,
        links,
        context: context(
            &f.account,
            &f.region,
            f.updated_at.as_deref().unwrap_or_default(),
        ),
        ..Card::default()
    }
}

fn budget(b: &BudgetAlert) -> Card {
    let name = b
        .budget_name
        .clone()
        .unwrap_or_else(|| "budget".to_string());
    let kind = b.alert_type.clone().unwrap_or_else(|| "ALERT".into());
    let mut fields = vec![
        ("Budget".to_string(), name.clone()),
        ("Alert type".to_string(), kind.clone()),
    ];
    for (label, value) in [
        ("Threshold", &b.threshold),
        ("Budgeted", &b.budgeted),
        ("Amount", &b.amount),
    ] {
        if let Some(v) = value {
            fields.push((label.to_string(), v.clone()));
        }
    }
    if let Some(a) = &b.account {
        fields.push(("Account".into(), a.clone()));
    }
    let amount = b
        .amount
        .as_deref()
        .map(|a| format!(" {a}"))
        .unwrap_or_default();
    let what = if kind == "FORECASTED" {
        "forecast"
    } else {
        "actual spend"
    };
    let body = if b.is_parsed() {
        Vec::new()
    } else {
        // Could not read the amounts: show the notification itself, readably.
        vec![escape(&b.text)]
    };
    Card {
        colour: RED,
        summary: format!("Budget {name}: {what}{amount} crossed its threshold"),
        header: format!("Budget alert: {name} ({kind})"),
        body,
        fields,
        links: vec![(
            "Open in Budgets".into(),
            format!(
                "https://us-east-1.console.aws.amazon.com/costmanagement/home#/budgets/details?name={}",
                enc(&name)
            ),
        )],
        ..Card::default()
    }
}

fn test(t: &TestMessage) -> Card {
    let mut fields = vec![("Route".to_string(), t.route.clone())];
    if let Some(by) = &t.requested_by {
        fields.push(("Requested by".into(), by.clone()));
    }
    Card {
        colour: GREEN,
        summary: format!("awsmon test message for the {} route", t.route),
        header: "awsmon test message".into(),
        body: vec![escape(
            t.note
                .as_deref()
                .unwrap_or("If you can read this, awsmon can reach this channel."),
        )],
        fields,
        ..Card::default()
    }
}
