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

/// Each part of a card adds something: the notification text is who is pinged, the severity,
/// the title and the region; the header is the title; the body is what the title does not say
/// already; the fields are the details the header does not carry.
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

/// A console URL in `region`, or the region-less console when `region` is not a region name
/// (empty, `global`, or anything odd from an event): never `global.console.aws.amazon.com`.
fn console(region: &str, path: &str) -> String {
    if is_region(region) {
        format!("https://{region}.console.aws.amazon.com/{path}")
    } else {
        format!("https://console.aws.amazon.com/{path}")
    }
}

/// `eu-west-1`, `us-gov-west-1`: letters, a hyphen, words, and a number.
fn is_region(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty()
}

/// The description as the body, less what the header says already: nothing when it is the
/// title, the rest when its first sentence is the title (GuardDuty's often is).
fn description_body(title: &str, description: &str) -> Vec<String> {
    let t = title.trim().trim_end_matches(['.', '!', '?']);
    let after_title = description
        .trim()
        .strip_prefix(t)
        .filter(|_| !t.is_empty())
        .and_then(|r| match r.strip_prefix(['.', '!', '?']) {
            _ if r.is_empty() => Some(""),
            // The title's sentence ends here; otherwise the title only starts a longer one.
            Some(after) if after.is_empty() || after.starts_with(char::is_whitespace) => {
                Some(after.trim())
            }
            _ => None,
        });
    match after_title.unwrap_or(description) {
        "" => Vec::new(),
        rest => vec![escape(rest)],
    }
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
            enc(&f.region),
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
        body: description_body(&f.title, &f.description),
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
    // The header names the type, the resource and the change; the fields add the rest.
    let mut fields = Vec::new();
    if c.resource_id != name {
        fields.push(("Resource id".to_string(), c.resource_id.clone()));
    }
    fields.push(("Changed properties".into(), c.changes.len().to_string()));
    let url = console(
        &c.region,
        &format!(
            "config/home?region={}#/resources/details?resourceId={}&resourceType={}",
            enc(&c.region),
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
    match &f.vulnerability_id {
        // Package findings are titled "CVE-… - package": the header says it already.
        Some(v) if f.title.contains(v.as_str()) => {}
        Some(v) => fields.push(("Vulnerability".into(), v.clone())),
        None => fields.push(("Finding type".into(), f.finding_type.clone())),
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
                enc(&f.region),
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
        body: description_body(&f.title, &f.description),
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
        let v = v.clone().unwrap_or_else(|| "—".to_string());
        // The item's Region is already the Region field.
        if fields
            .iter()
            .any(|(label, value)| label.eq_ignore_ascii_case(k) && *value == v)
        {
            continue;
        }
        fields.push((k.clone(), v));
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
            &format!("securityhub/home?region={}#/findings", enc(&f.region)),
        ),
    )];
    if let Some(u) = &f.remediation_url {
        links.push(("Remediation".into(), u.clone()));
    }
    Card {
        colour: severity_colour(&f.severity),
        summary: format!("Security Hub {}: {} in {}", f.severity, f.title, f.region),
        header: f.title.clone(),
        body: description_body(&f.title, &f.description),
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
    // The header names the budget and the alert type; the fields add the amounts.
    let mut fields = Vec::new();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn console_links_need_a_region_name() {
        assert_eq!(
            console("eu-west-1", "config/home"),
            "https://eu-west-1.console.aws.amazon.com/config/home"
        );
        assert_eq!(
            console("us-gov-west-1", "x"),
            "https://us-gov-west-1.console.aws.amazon.com/x"
        );
        for odd in [
            "global",
            "",
            "GLOBAL",
            "eu-west",
            "eu-west-1.evil.example/",
            "e-west-1",
        ] {
            assert_eq!(
                console(odd, "x"),
                "https://console.aws.amazon.com/x",
                "{odd:?}"
            );
        }
    }

    #[test]
    fn the_body_leaves_out_the_title() {
        let title = "198.51.100.23 is performing SSH brute force attacks against i-0a1.";
        assert_eq!(
            description_body(
                title,
                "198.51.100.23 is performing SSH brute force attacks against i-0a1. Brute force attacks are used."
            ),
            vec!["Brute force attacks are used.".to_string()]
        );
        assert_eq!(description_body(title, title), Vec::<String>::new());
        assert_eq!(
            description_body("Port 22 is reachable", "Port 22 is reachable"),
            Vec::<String>::new()
        );
        // A title that only starts a longer sentence, or differs: the whole description.
        assert_eq!(
            description_body("Port 22", "Port 22222 is open. More."),
            vec!["Port 22222 is open. More.".to_string()]
        );
        assert_eq!(
            description_body("Port 22", "Port 22 is open <here>."),
            vec!["Port 22 is open &lt;here&gt;.".to_string()]
        );
        assert_eq!(description_body("Title", ""), Vec::<String>::new());
    }
}
