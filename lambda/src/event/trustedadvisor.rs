//! Trusted Advisor check item refreshes. `check-item-detail` values are often `null`.

use std::borrow::Cow;

use crate::json::Json;

use super::{Envelope, Kind};
use crate::decide::{Decision, Mention};
use crate::format::{AMBER, GREEN, RED, upper};
use crate::json::str_at;
use crate::service::Service;
use crate::settings::Settings;
use crate::slack::{Card, Field};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedAdvisorCheck<'t> {
    pub check_name: Cow<'t, str>,
    pub check_id: Option<Cow<'t, str>>,
    /// ERROR, WARN or OK.
    pub status: Cow<'t, str>,
    pub resource_id: Option<Cow<'t, str>>,
    /// The region the item is about (from its details), else the event's.
    pub region: Cow<'t, str>,
    /// The item names a region other than the event's (always us-east-1): only then is it a
    /// field, since the message's context line already says the event's.
    pub own_region: bool,
    /// Each detail with its value, `None` for nulls, in the event's order.
    pub details: Vec<(Cow<'t, str>, Option<Cow<'t, str>>)>,
    pub uuid: Option<Cow<'t, str>>,
}

impl<'t> Kind<'t> for TrustedAdvisorCheck<'t> {
    const EVENTBRIDGE: Option<(&'static str, &'static str)> = Some((
        "aws.trustedadvisor",
        "Trusted Advisor Check Item Refresh Notification",
    ));
    const UNREADABLE: &'static str = "malformed Trusted Advisor check";

    fn parse(detail: &'t Json<'t>, envelope: &Envelope<'t>) -> Vec<Self> {
        read(detail, envelope).into_iter().collect()
    }

    fn decide(&self, settings: &Settings) -> Decision {
        let ta = &settings.trusted_advisor;
        if !ta
            .statuses
            .iter()
            .any(|s| s.eq_ignore_ascii_case(&self.status))
        {
            return Decision::drop(format!(
                "status {} is not in TRUSTEDADVISOR_STATUSES",
                self.status
            ));
        }
        let ignored = ta.ignore_checks.iter().any(|i| {
            i.eq_ignore_ascii_case(&self.check_name)
                || self.check_id.as_deref().is_some_and(|id| *i == *id)
        });
        if ignored {
            return Decision::drop(format!(
                "check \"{}\" is in TRUSTEDADVISOR_IGNORE_CHECKS",
                self.check_name
            ));
        }
        let mention = if self.status == "ERROR" {
            Mention::Channel
        } else {
            Mention::None
        };
        Decision::Send { mention }
    }

    /// Each part adds something: the notification text is the severity, the title and the
    /// region; the header is the title; the body is what the title does not say already; the
    /// fields are the details the header does not carry.
    fn card(&self) -> Card<'_> {
        let mut fields: Vec<Field> = Vec::with_capacity(20);
        fields.push(("Status".into(), (*self.status).into()));
        if self.own_region {
            fields.push(("Region".into(), (*self.region).into()));
        }
        if let Some(r) = &self.resource_id {
            fields.push(("Resource".into(), (**r).into()));
        }
        for (k, v) in &self.details {
            if fields.len() >= 20 {
                break;
            }
            let v = v.as_deref().unwrap_or("—");
            // The item's Region is the Region field, or the context line's.
            if (k.eq_ignore_ascii_case("region") && (self.own_region || v == &*self.region))
                || fields
                    .iter()
                    .any(|(label, value)| label.eq_ignore_ascii_case(k) && *value == v)
            {
                continue;
            }
            fields.push(((**k).into(), v.into()));
        }
        Card {
            colour: match &*self.status {
                "ERROR" => RED,
                "WARN" => AMBER,
                _ => GREEN,
            },
            summary: format!("Trusted Advisor {}: {}", self.status, self.check_name),
            header: format!("Trusted Advisor: {}", self.check_name).into(),
            body: Vec::new(),
            fields,
            links: vec![(
                "Open in Trusted Advisor".into(),
                "https://console.aws.amazon.com/trustedadvisor/home#/dashboard".into(),
            )],
            ..Card::default()
        }
    }

    fn severity(&self) -> Option<String> {
        Some(self.status.to_string())
    }

    fn service(&self) -> Option<Service> {
        Some(Service::TrustedAdvisor)
    }

    fn types(&self) -> [Option<&str>; 2] {
        [Some(&self.check_name), None]
    }

    fn resource(&self) -> Option<&str> {
        self.resource_id.as_deref()
    }
}

fn read<'t>(d: &'t Json<'t>, env: &Envelope<'t>) -> Option<TrustedAdvisorCheck<'t>> {
    let check_name = str_at(d, &["check-name"])?;
    let details: Vec<(Cow<str>, Option<Cow<str>>)> = match d.get("check-item-detail") {
        Some(Json::Object(map)) => map
            .iter()
            .map(|(k, v)| {
                let value = match v {
                    Json::Null => None,
                    Json::String(s) if s.trim().is_empty() => None,
                    Json::String(s) => Some(Cow::Borrowed(&**s)),
                    other => Some(Cow::Owned(other.to_string())),
                };
                (Cow::Borrowed(&**k), value)
            })
            .collect(),
        _ => Vec::new(),
    };
    let region = details
        .iter()
        .find(|(k, v)| k.eq_ignore_ascii_case("region") && v.is_some())
        .and_then(|(_, v)| v.clone())
        .unwrap_or_else(|| env.region.clone());
    let own_region = region != env.region;
    Some(TrustedAdvisorCheck {
        check_name,
        check_id: str_at(d, &["check-id"]).or_else(|| str_at(d, &["checkId"])),
        status: str_at(d, &["status"]).map_or(Cow::Borrowed("UNKNOWN"), upper),
        resource_id: str_at(d, &["resource_id"]).or_else(|| str_at(d, &["resource-id"])),
        region,
        own_region,
        details,
        uuid: str_at(d, &["uuid"]),
    })
}
