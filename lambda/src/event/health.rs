//! AWS Health events about this account: open issues, scheduled changes and notifications,
//! each with the affected resources and its time window. Public events (about a service in a
//! region, not about this account's resources) are dropped.
//!
//! Health delivers an account-specific event to the affected region and again to a backup
//! region (us-west-2; us-east-1 for us-west-2's own): the event is keyed by its ARN, status and
//! region it is about, so the copy is de-duplicated as the same finding.

use std::borrow::Cow;

use crate::json::{Json, array_at, str_at};

use super::{Envelope, Kind};
use crate::decide::{Decision, Mention};
use crate::format::{AMBER, BLUE, GREEN, RED, description_body};
use crate::service::Service;
use crate::settings::Settings;
use crate::slack::{Card, Context, Field};

/// Affected resources named in the message; the rest are counted.
const ENTITIES_SHOWN: usize = 10;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthEvent<'t> {
    pub arn: Cow<'t, str>,
    /// The AWS service it is about (`EC2`, `LAMBDA`).
    pub service: Cow<'t, str>,
    pub type_code: Cow<'t, str>,
    /// `issue`, `scheduledChange`, `accountNotification` or `investigation`.
    pub category: Cow<'t, str>,
    /// `ACCOUNT_SPECIFIC` or `PUBLIC`.
    pub scope: Cow<'t, str>,
    /// `open`, `closed` or `upcoming`.
    pub status: Cow<'t, str>,
    /// The region it is about (`global` for global services), else the delivering one.
    pub region: Cow<'t, str>,
    pub start: Option<Cow<'t, str>>,
    pub end: Option<Cow<'t, str>>,
    pub description: Cow<'t, str>,
    /// Each affected resource with its status, where given.
    pub entities: Vec<(Cow<'t, str>, Option<Cow<'t, str>>)>,
    pub account: Option<Cow<'t, str>>,
    /// (page, pages) when Health split the event.
    pub page: Option<(Cow<'t, str>, Cow<'t, str>)>,
    /// The key this event is de-duplicated by: ARN, status.
    pub key: String,
    pub time: Cow<'t, str>,
}

impl<'t> Kind<'t> for HealthEvent<'t> {
    const EVENTBRIDGE: Option<(&'static str, &'static str)> =
        Some(("aws.health", "AWS Health Event"));
    const UNREADABLE: &'static str = "malformed AWS Health event (no eventArn)";

    fn parse(detail: &'t Json<'t>, envelope: &Envelope<'t>) -> Vec<Self> {
        let text = |key: &str| str_at(detail, &[key]);
        let Some(arn) = text("eventArn").filter(|a| !a.trim().is_empty()) else {
            return Vec::new();
        };
        let description = array_at(detail, &["eventDescription"])
            .iter()
            .find(|d| str_at(d, &["language"]).is_none_or(|l| l.starts_with("en")))
            .and_then(|d| str_at(d, &["latestDescription"]))
            .unwrap_or_default();
        let entities = array_at(detail, &["affectedEntities"])
            .iter()
            .filter_map(|e| Some((str_at(e, &["entityValue"])?, str_at(e, &["status"]))))
            .collect();
        let status = text("statusCode").unwrap_or(Cow::Borrowed("open"));
        let page = match (text("page"), text("totalPages")) {
            (Some(p), Some(n)) if n != "1" => Some((p, n)),
            _ => None,
        };
        let region = text("eventRegion")
            .filter(|r| !r.trim().is_empty())
            .unwrap_or_else(|| envelope.region.clone());
        let key = format!("{arn}#{status}");
        vec![HealthEvent {
            service: text("service").unwrap_or_default(),
            type_code: text("eventTypeCode").unwrap_or_default(),
            category: text("eventTypeCategory").unwrap_or_default(),
            scope: text("eventScopeCode").unwrap_or_default(),
            start: text("startTime").map(crate::time::normalised),
            end: text("endTime").map(crate::time::normalised),
            account: text("affectedAccount").filter(|a| !a.is_empty()),
            time: envelope.time.clone(),
            arn,
            status,
            region,
            description,
            entities,
            page,
            key,
        }]
    }

    fn decide(&self, _settings: &Settings) -> Decision {
        if let Some((page, pages)) = &self.page
            && page != "1"
        {
            return Decision::drop(format!(
                "page {page} of {pages} of an AWS Health event: its first page's message links to every resource"
            ));
        }
        if self.scope.eq_ignore_ascii_case("PUBLIC") {
            return Decision::drop(
                "a public AWS Health event (about a service, not this account's resources)",
            );
        }
        let mention = if self.category == "issue" && self.status == "open" {
            Mention::Here
        } else {
            Mention::None
        };
        Decision::Send { mention }
    }

    fn card(&self) -> Card<'_> {
        let what = self.what();
        let mut fields: Vec<Field> = Vec::with_capacity(8);
        fields.push(("Status".into(), status_word(&self.status).into()));
        fields.push(("When".into(), self.window().into()));
        if !self.entities.is_empty() {
            let mut shown: Vec<String> = self
                .entities
                .iter()
                .take(ENTITIES_SHOWN)
                .map(|(value, status)| match status {
                    Some(s) if !s.is_empty() => format!("{value} ({})", s.to_ascii_lowercase()),
                    _ => value.to_string(),
                })
                .collect();
            if self.entities.len() > ENTITIES_SHOWN {
                shown.push(format!(
                    "…and {} more",
                    self.entities.len() - ENTITIES_SHOWN
                ));
            }
            if let Some((page, pages)) = &self.page {
                shown.push(format!(
                    "(page {page} of {pages}: more in the Health dashboard)"
                ));
            }
            fields.push(("Affected resources".into(), shown.join("\n").into()));
        }
        fields.push(("Event type".into(), (*self.type_code).into()));
        let title = format!(
            "{} {}",
            self.service,
            humanise(&self.type_code, &self.service)
        );
        let header = format!("AWS Health: {title}");
        let mut url =
            String::from("https://health.aws.amazon.com/health/home#/account/event-log?eventID=");
        crate::format::enc_into(&mut url, &self.arn);
        url.push_str("&eventTab=details");
        Card {
            colour: match (&*self.status, &*self.category) {
                ("closed", _) => GREEN,
                (_, "issue") => RED,
                (_, "scheduledChange") => AMBER,
                _ => BLUE,
            },
            summary: format!("AWS Health {what} ({}): {title}", status_word(&self.status)),
            body: description_body(&header, &self.description),
            header: header.into(),
            fields,
            links: vec![("Open in the AWS Health Dashboard".into(), url.into())],
            context: Some(Context {
                account: self.account.as_deref().unwrap_or_default(),
                account_name: "",
                region: &self.region,
                time: &self.time,
            }),
            ..Card::default()
        }
    }

    fn id(&self) -> Option<&str> {
        Some(&self.key)
    }

    fn service(&self) -> Option<Service> {
        Some(Service::Health)
    }

    fn account(&self) -> Option<&str> {
        self.account.as_deref()
    }

    fn region(&self) -> Option<&str> {
        Some(&self.region)
    }

    fn types(&self) -> [Option<&str>; 2] {
        [Some(&self.type_code), Some(&self.category)]
    }

    fn resource(&self) -> Option<&str> {
        self.entities.first().map(|(v, _)| &**v)
    }
}

impl HealthEvent<'_> {
    fn what(&self) -> &'static str {
        match &*self.category {
            "issue" => "issue",
            "scheduledChange" => "scheduled change",
            "accountNotification" => "notification",
            "investigation" => "investigation",
            _ => "event",
        }
    }

    /// "2026-08-27T13:19:03Z → 2026-08-28T00:00:00Z", an open end as "(no end given)".
    fn window(&self) -> String {
        match (&self.start, &self.end) {
            (Some(s), Some(e)) => format!("{s} → {e}"),
            (Some(s), None) => format!("from {s} (no end given)"),
            (None, Some(e)) => format!("until {e}"),
            (None, None) => "—".to_string(),
        }
    }
}

fn status_word(status: &str) -> &str {
    match status {
        "open" => "open",
        "closed" => "resolved",
        "upcoming" => "upcoming",
        other => other,
    }
}

/// `AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED` → "instance retirement scheduled": the type code
/// less its `AWS_` and service prefix, in words.
fn humanise(code: &str, service: &str) -> String {
    let rest = code.strip_prefix("AWS_").unwrap_or(code);
    let rest = rest
        .strip_prefix(service)
        .and_then(|r| r.strip_prefix('_'))
        .unwrap_or(rest);
    rest.split('_')
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::humanise;

    #[test]
    fn type_codes_read_as_words() {
        assert_eq!(
            humanise("AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED", "EC2"),
            "instance retirement scheduled"
        );
        assert_eq!(
            humanise("AWS_LAMBDA_PLANNED_LIFECYCLE_EVENT", "LAMBDA"),
            "planned lifecycle event"
        );
        assert_eq!(humanise("ODD", "EC2"), "odd");
    }
}
