//! The whole pipeline short of delivery: parse → decide → route → format. The Lambda and the
//! TUI's preview both call [`prepare`], so the preview shows exactly what would be sent.

use serde_json::Value;

use crate::decide::Decision;
use crate::event::{self, Parsed};
use crate::format;
use crate::secret::WebhookUrl;
use crate::service::Service;
use crate::settings::Settings;

/// One event, ready to send (or not).
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    pub id: String,
    /// The detail-type, `AWS Budgets Notification`, or what a skipped item looked like.
    pub kind: String,
    /// The route: a service, or `None` for the default webhooks.
    pub service: Option<Service>,
    pub region: String,
    pub time: String,
    pub title: String,
    /// Severity label for sorting and display, when the event has one.
    pub severity: Option<String>,
    pub decision: Decision,
    pub routes: Vec<WebhookUrl>,
    /// The Slack message; `None` only for events that could not be parsed.
    pub payload: Option<Value>,
}

impl Prepared {
    /// `service` as shown in JSON: a service name, `default`, or `unknown` for skipped items.
    pub fn service_name(&self) -> &'static str {
        match (self.service, &self.payload) {
            (Some(s), _) => s.as_str(),
            (None, Some(_)) => "default",
            (None, None) => "unknown",
        }
    }

    /// The preview CLI's JSON line, webhooks masked.
    pub fn to_json(&self) -> Value {
        let (decision, reason) = match &self.decision {
            Decision::Send { mention } => ("send", format!("mention {}", mention.as_str())),
            Decision::Drop { reason } => ("drop", reason.clone()),
        };
        serde_json::json!({
            "service": self.service_name(),
            "id": self.id,
            "kind": self.kind,
            "region": self.region,
            "decision": decision,
            "reason": reason,
            "routes": self.routes.iter().map(WebhookUrl::masked).collect::<Vec<_>>(),
            "payload": self.payload,
        })
    }
}

pub fn prepare(payload: &Value, settings: &Settings) -> Vec<Prepared> {
    prepare_with(payload, settings, false)
}

/// A built-in sample as it would be sent on request: `SAMPLE` in the header and no mention, so
/// nobody mistakes it for a real finding or gets paged by it.
pub fn prepare_sample(payload: &Value, settings: &Settings) -> Vec<Prepared> {
    prepare_with(payload, settings, true)
}

fn prepare_with(payload: &Value, settings: &Settings, sample: bool) -> Vec<Prepared> {
    event::parse_payload(payload)
        .into_iter()
        .map(|parsed| match parsed {
            Parsed::Event(incoming) => {
                let mut decision = incoming.event.decide(settings);
                if sample && decision.is_send() {
                    decision = Decision::Send {
                        mention: crate::decide::Mention::None,
                    };
                }
                let service = incoming.event.service();
                let routes = match service {
                    Some(s) => settings.routes.for_service(s).to_vec(),
                    None => settings.routes.default.clone(),
                };
                let mut card = format::card(&incoming.envelope, &incoming.event, &decision);
                if sample {
                    card.header = format!("SAMPLE · {}", card.header);
                    card.summary = format!("SAMPLE · {}", card.summary);
                }
                Prepared {
                    id: incoming
                        .event
                        .id()
                        .unwrap_or_else(|| incoming.envelope.id.clone()),
                    kind: incoming.envelope.detail_type.clone(),
                    service,
                    region: incoming.envelope.region.clone(),
                    time: incoming.envelope.time.clone(),
                    title: card.header.clone(),
                    severity: incoming.event.severity(),
                    decision,
                    routes,
                    payload: Some(card.to_slack()),
                }
            }
            Parsed::Skipped(s) => Prepared {
                id: s.id,
                kind: s.kind,
                service: None,
                region: String::new(),
                time: String::new(),
                title: String::new(),
                severity: None,
                decision: Decision::Drop { reason: s.reason },
                routes: Vec::new(),
                payload: None,
            },
        })
        .collect()
}
