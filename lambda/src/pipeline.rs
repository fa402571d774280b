//! The whole pipeline short of delivery: parse → decide → route → format. The Lambda and the
//! TUI's preview both call [`prepare`], so the preview shows exactly what would be sent.

use std::borrow::Cow;

use serde_json::Value;

use crate::decide::Decision;
use crate::event::{self, Event, Parsed};
use crate::format;
use crate::json::Pruned;
use crate::secret::WebhookUrl;
use crate::service::Service;
use crate::settings::{Applied, Settings};
use crate::slack::Message;
use crate::stream::{self, StreamError};

/// One event, ready to send (or not).
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    /// The finding's own id, else the event's.
    pub id: String,
    /// The delivered event's id (the envelope's, or the SNS message's): a retried or
    /// duplicated delivery carries the same one.
    pub event_id: String,
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
    /// The ROUTING_OVERRIDES entry (an account or OU id) that chose `routes` or the floor.
    pub via: Option<String>,
    /// The account the event is about (empty for skipped items).
    pub account: String,
    /// The card's first console link (the digest lists findings by it).
    pub link: Option<String>,
    /// The Slack message; `None` only for events that could not be parsed. It reads as a
    /// `serde_json::Value` too; [`Message::write_to`] gives the bytes posted.
    pub payload: Option<Message>,
}

impl Prepared {
    /// `service` as shown in JSON: a service name, `default` (a test message for the default
    /// route), or `unknown` for skipped items.
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
        let mut json = serde_json::json!({
            "service": self.service_name(),
            "id": self.id,
            "kind": self.kind,
            "region": self.region,
            "decision": decision,
            "reason": reason,
            "routes": self.routes.iter().map(WebhookUrl::masked).collect::<Vec<_>>(),
            "payload": self.payload.as_ref().map(Message::value),
        });
        // Only when an override applies, so the usual line keeps its shape.
        if let (Some(via), Some(map)) = (&self.via, json.as_object_mut()) {
            map.insert("override".to_string(), Value::String(via.clone()));
        }
        json
    }

    /// [`Prepared::to_json`] written straight to `out` as one line of JSON (no newline): the
    /// same bytes (keys sorted, as a `Value` writes them), without building a `Value`.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        fn string(out: &mut Vec<u8>, s: &str) {
            crate::json::write_str(out, s);
        }
        let (decision, reason) = match &self.decision {
            Decision::Send { mention } => {
                ("send", Cow::Owned(format!("mention {}", mention.as_str())))
            }
            Decision::Drop { reason } => ("drop", Cow::Borrowed(reason.as_str())),
        };
        out.extend_from_slice(br#"{"decision":"#);
        string(out, decision);
        out.extend_from_slice(br#","id":"#);
        string(out, &self.id);
        out.extend_from_slice(br#","kind":"#);
        string(out, &self.kind);
        if let Some(via) = &self.via {
            out.extend_from_slice(br#","override":"#);
            string(out, via);
        }
        out.extend_from_slice(br#","payload":"#);
        match &self.payload {
            Some(m) => m.write_to(out),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(br#","reason":"#);
        string(out, &reason);
        out.extend_from_slice(br#","region":"#);
        string(out, &self.region);
        out.extend_from_slice(br#","routes":["#);
        for (i, url) in self.routes.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            string(out, url.masked_str());
        }
        out.extend_from_slice(br#"],"service":"#);
        string(out, self.service_name());
        out.push(b'}');
    }
}

impl Prepared {
    /// The exact bytes posted for this event, when it has a message.
    pub fn body(&self) -> Option<Vec<u8>> {
        self.payload.as_ref().map(Message::to_bytes)
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

/// Reads a payload from `reader` and hands each prepared event to `each` as soon as it is
/// ready: a JSON array is read one element at a time, so memory stays flat however many
/// events it holds. The same events, in the same order, as [`prepare`] on the whole payload.
///
/// # Errors
/// When the input cannot be read or is not JSON; events before the error have been handed on.
pub fn prepare_reader<R: std::io::Read>(
    reader: R,
    settings: &Settings,
    mut each: impl FnMut(Prepared),
) -> Result<(), StreamError> {
    stream::items_from_reader(reader, |item, _| prepare_item(item, settings, &mut each))
}

/// [`prepare_reader`] over bytes in memory (the Lambda's payload): the same events.
///
/// # Errors
/// When the bytes are not JSON; events before the error have been handed on.
pub fn prepare_slice(
    payload: &[u8],
    settings: &Settings,
    mut each: impl FnMut(Prepared),
) -> Result<(), StreamError> {
    stream::items_from_slice(payload, |item, _| prepare_item(item, settings, &mut each))
}

/// One item of a payload (an array element, or the whole payload): only the keys some parser
/// reads are built (see [`Pruned`]).
fn prepare_item(
    item: &[u8],
    settings: &Settings,
    each: &mut impl FnMut(Prepared),
) -> Result<(), serde_json::Error> {
    // The direct reader for the usual event; serde_json for anything unusual, and for errors.
    let fast = std::str::from_utf8(item)
        .ok()
        .and_then(crate::json::fast::parse);
    let value = if let Some(value) = fast {
        value
    } else {
        let mut de = serde_json::Deserializer::from_slice(item);
        let value = serde::de::DeserializeSeed::deserialize(Pruned { whole: false }, &mut de)?;
        de.end()?;
        value
    };
    event::parse_item(&value, &mut |parsed| {
        each(prepare_parsed(parsed, settings, false));
    });
    Ok(())
}

fn prepare_with(payload: &Value, settings: &Settings, sample: bool) -> Vec<Prepared> {
    let mut out = Vec::new();
    event::parse_payload(payload, &mut |parsed| {
        out.push(prepare_parsed(parsed, settings, sample));
    });
    out
}

/// The first active SUPPRESS rule that matches `event`, as a drop reason naming the rule (by
/// its place in config.yml, from 1), its reason and its last day.
fn suppressed(event: &Event<'_>, envelope_account: &str, settings: &Settings) -> Option<String> {
    let today = crate::time::today();
    let subject = crate::settings::Subject {
        service: event.service(),
        types: event.types(),
        resource: event.resource(),
        account: event.account().unwrap_or(envelope_account),
        severity: event.severity().and_then(|s| s.parse().ok()),
    };
    settings
        .suppress
        .iter()
        .enumerate()
        .find(|(_, rule)| {
            rule.is_active(&today)
                && rule.matches(&subject)
                // Monitoring turned off is muted only by a rule naming the call itself: a rule
                // written for an account's findings must not blind it.
                && (!matches!(event, Event::TurnedOff(_))
                    || rule.finding_type.as_deref() == subject.types[0])
        })
        .map(|(i, rule)| {
            format!(
                "suppressed by rule {} ({}, until {})",
                i + 1,
                rule.reason,
                rule.expires
            )
        })
}

/// Which SUPPRESS rule (its index) a drop reason names, when it is a suppression's.
pub fn suppressed_by(reason: &str) -> Option<usize> {
    let rest = reason.strip_prefix("suppressed by rule ")?;
    let n: usize = rest.split(' ').next()?.parse().ok()?;
    n.checked_sub(1)
}

/// What a SUPPRESS rule made from this event would match (the console's `m`): its first
/// event's service, type, resource, account and severity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSubject {
    pub service: Option<Service>,
    pub finding_type: Option<String>,
    pub resource: Option<String>,
    pub account: String,
    pub severity: Option<String>,
}

pub fn rule_subject(payload: &Value) -> Option<RuleSubject> {
    let mut out = None;
    event::parse_payload(payload, &mut |parsed| {
        if let (None, Parsed::Event(incoming)) = (&out, parsed) {
            let e = &incoming.event;
            out = Some(RuleSubject {
                service: e.service(),
                finding_type: e.types()[0].map(str::to_string),
                resource: e.resource().map(str::to_string),
                account: e
                    .account()
                    .unwrap_or(&incoming.envelope.account)
                    .to_string(),
                severity: e.severity(),
            });
        }
    });
    out
}

fn prepare_parsed(parsed: Parsed<'_>, settings: &Settings, sample: bool) -> Prepared {
    match parsed {
        Parsed::Event(incoming) => {
            let mut decision = incoming.event.decide(settings);
            if decision.is_send()
                && !settings.suppress.is_empty()
                && !matches!(incoming.event, Event::Test(_))
                && let Some(reason) =
                    suppressed(&incoming.event, &incoming.envelope.account, settings)
            {
                decision = Decision::Drop { reason };
            }
            if sample && decision.is_send() {
                decision = Decision::Send {
                    mention: crate::decide::Mention::None,
                };
            }
            let service = incoming.event.service();
            let applied = match &incoming.event {
                // A test message names its route, and may name an override's.
                Event::Test(t) => settings
                    .overrides
                    .get_key_value(&*t.route)
                    .map(|(target, over)| Applied { target, over }),
                event => {
                    settings.override_for(event.account().unwrap_or(&incoming.envelope.account))
                }
            };
            let routes = settings.webhooks_for(applied.as_ref(), service).to_vec();
            let via = applied.map(|a| a.target.to_string());
            let account = incoming
                .event
                .account()
                .unwrap_or(&incoming.envelope.account)
                .to_string();
            let mut card = format::card(
                &incoming.envelope,
                &incoming.event,
                &decision,
                &settings.accounts,
            );
            if sample {
                card.header = format!("SAMPLE · {}", card.header).into();
                card.summary = format!("SAMPLE · {}", card.summary);
            }
            let link = card
                .links
                .first()
                .map(|(_, url)| url.to_string())
                .filter(|url| crate::slack::is_link_target(url));
            let payload = Some(card.to_message());
            Prepared {
                id: incoming
                    .event
                    .id()
                    .unwrap_or(&incoming.envelope.id)
                    .to_string(),
                event_id: incoming.envelope.id.to_string(),
                kind: incoming.envelope.detail_type.to_string(),
                service,
                region: incoming
                    .event
                    .region()
                    .unwrap_or(&incoming.envelope.region)
                    .to_string(),
                time: incoming.envelope.time.to_string(),
                title: card.header.into_owned(),
                severity: incoming.event.severity(),
                decision,
                routes,
                via,
                account,
                link,
                payload,
            }
        }
        Parsed::Skipped(s) => Prepared {
            event_id: s.id.clone(),
            id: s.id,
            kind: s.kind,
            service: None,
            region: String::new(),
            time: String::new(),
            title: String::new(),
            severity: None,
            decision: Decision::Drop { reason: s.reason },
            routes: Vec::new(),
            via: None,
            account: String::new(),
            link: None,
            payload: None,
        },
    }
}
