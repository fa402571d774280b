//! Trusted Advisor check item refreshes. `check-item-detail` values are often `null`.

use crate::json::Json;

use super::{Envelope, Kind};
use crate::decide::{Decision, Mention};
use crate::format::{AMBER, GREEN, RED};
use crate::json::str_at;
use crate::service::Service;
use crate::settings::Settings;
use crate::slack::{Card, Field};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedAdvisorCheck {
    pub check_name: String,
    pub check_id: Option<String>,
    /// ERROR, WARN or OK.
    pub status: String,
    pub resource_id: Option<String>,
    /// The region the item is about (from its details), else the event's.
    pub region: String,
    /// Each detail with its value, `None` for nulls, in the event's order.
    pub details: Vec<(String, Option<String>)>,
    pub uuid: Option<String>,
}

impl Kind for TrustedAdvisorCheck {
    const EVENTBRIDGE: Option<(&'static str, &'static str)> = Some((
        "aws.trustedadvisor",
        "Trusted Advisor Check Item Refresh Notification",
    ));
    const UNREADABLE: &'static str = "malformed Trusted Advisor check";

    fn parse(detail: &Json, envelope: &Envelope) -> Vec<Self> {
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
                || self.check_id.as_deref().is_some_and(|id| i == id)
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
    fn card(&self) -> Card {
        let mut fields: Vec<Field> = vec![
            ("Status".into(), self.status.clone()),
            ("Region".into(), self.region.clone()),
        ];
        if let Some(r) = &self.resource_id {
            fields.push(("Resource".into(), r.clone()));
        }
        for (k, v) in &self.details {
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
            fields.push((k.clone().into(), v));
        }
        Card {
            colour: match self.status.as_str() {
                "ERROR" => RED,
                "WARN" => AMBER,
                _ => GREEN,
            },
            summary: format!("Trusted Advisor {}: {}", self.status, self.check_name),
            header: format!("Trusted Advisor: {}", self.check_name),
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
        Some(self.status.clone())
    }

    fn service(&self) -> Option<Service> {
        Some(Service::TrustedAdvisor)
    }
}

fn read(d: &Json, env: &Envelope) -> Option<TrustedAdvisorCheck> {
    let check_name = str_at(d, &["check-name"])?;
    let details: Vec<(String, Option<String>)> = match d.get("check-item-detail") {
        Some(Json::Object(map)) => map
            .iter()
            .map(|(k, v)| {
                let value = match v {
                    Json::Null => None,
                    Json::String(s) if s.trim().is_empty() => None,
                    Json::String(s) => Some(s.to_string()),
                    other => Some(other.to_string()),
                };
                (k.to_string(), value)
            })
            .collect(),
        _ => Vec::new(),
    };
    let region = details
        .iter()
        .find(|(k, v)| k.eq_ignore_ascii_case("region") && v.is_some())
        .and_then(|(_, v)| v.clone())
        .unwrap_or_else(|| env.region.clone());
    Some(TrustedAdvisorCheck {
        check_name,
        check_id: str_at(d, &["check-id"]).or_else(|| str_at(d, &["checkId"])),
        status: str_at(d, &["status"]).map_or_else(|| "UNKNOWN".into(), |s| s.to_ascii_uppercase()),
        resource_id: str_at(d, &["resource_id"]).or_else(|| str_at(d, &["resource-id"])),
        region,
        details,
        uuid: str_at(d, &["uuid"]),
    })
}
