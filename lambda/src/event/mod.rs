//! Parsing a Lambda payload into events. Anything unknown or malformed is skipped with a
//! reason, never a panic: only delivery failures fail an invocation.

mod budget;
mod config;
mod guardduty;
mod inspector;
mod securityhub;
mod test;
mod trustedadvisor;

use serde_json::Value;

pub use budget::BudgetAlert;
pub use config::{ConfigChange, PropertyChange};
pub use guardduty::GuardDutyFinding;
pub use inspector::InspectorFinding;
pub use securityhub::SecurityHubFinding;
pub use test::TestMessage;
pub use trustedadvisor::TrustedAdvisorCheck;

use crate::decide::Decision;
use crate::json::{Json, str_at};
use crate::service::Service;
use crate::settings::Settings;
use crate::slack::Card;

/// One kind of event: everything the notifier does with it, in the kind's own file
/// (`event/<svc>.rs`). A new kind implements this and adds one line to [`kinds!`] below.
pub trait Kind: Sized {
    /// The `(source, detail-type)` of the EventBridge events this kind is read from, or `None`
    /// when it arrives another way (AWS Budgets notifications come over SNS as text).
    const EVENTBRIDGE: Option<(&'static str, &'static str)>;
    /// Why a matching event that yields no event of this kind is skipped.
    const UNREADABLE: &'static str;
    /// A matching event's `detail` → its events (Security Hub batches findings; most kinds
    /// give one). Lenient: a missing field is a default, never an error.
    fn parse(detail: &Json, envelope: &Envelope) -> Vec<Self>;
    /// Send or drop, and whom a sent message pings. Pure: settings in, decision out.
    fn decide(&self, settings: &Settings) -> Decision;
    /// The Slack message, before the mention and the envelope's context are added.
    fn card(&self) -> Card;
    /// The id shown for the event when it has its own (a finding id or ARN); else the
    /// envelope's id is used.
    fn id(&self) -> Option<String> {
        None
    }
    /// A severity label for sorting and display, when the kind has one.
    fn severity(&self) -> Option<String> {
        None
    }
    /// The routing key: a service's webhooks, or `None` for the default ones.
    fn service(&self) -> Option<Service>;
}

/// The one place event kinds are registered: the [`Event`] enum and its delegation to each
/// kind's [`Kind`] impl. A variant whose type lacks an impl does not compile.
macro_rules! kinds {
    ($($variant:ident($ty:ty)),+ $(,)?) => {
        #[derive(Debug, Clone, PartialEq)]
        pub enum Event {
            $($variant($ty)),+
        }

        impl Event {
            pub fn decide(&self, settings: &Settings) -> Decision {
                match self { $(Event::$variant(e) => Kind::decide(e, settings)),+ }
            }
            pub fn card(&self) -> Card {
                match self { $(Event::$variant(e) => Kind::card(e)),+ }
            }
            pub fn id(&self) -> Option<String> {
                match self { $(Event::$variant(e) => Kind::id(e)),+ }
            }
            pub fn severity(&self) -> Option<String> {
                match self { $(Event::$variant(e) => Kind::severity(e)),+ }
            }
            pub fn service(&self) -> Option<Service> {
                match self { $(Event::$variant(e) => Kind::service(e)),+ }
            }
        }

        /// The events in `detail` when some kind is read from `(source, detail_type)`, with
        /// the reason to skip the event when it yields none.
        fn parse_detail(
            source: &str,
            detail_type: &str,
            detail: &Json,
            envelope: &Envelope,
        ) -> Option<(Vec<Event>, &'static str)> {
            $(
                if <$ty as Kind>::EVENTBRIDGE == Some((source, detail_type)) {
                    let events = <$ty as Kind>::parse(detail, envelope)
                        .into_iter()
                        .map(Event::$variant)
                        .collect();
                    return Some((events, <$ty as Kind>::UNREADABLE));
                }
            )+
            None
        }

        /// Every `(source, detail-type)` some kind is read from.
        pub fn eventbridge_kinds() -> Vec<(&'static str, &'static str)> {
            [$(<$ty as Kind>::EVENTBRIDGE),+].into_iter().flatten().collect()
        }
    };
}

kinds! {
    GuardDuty(GuardDutyFinding),
    ConfigChange(ConfigChange),
    Inspector(InspectorFinding),
    TrustedAdvisor(TrustedAdvisorCheck),
    SecurityHub(SecurityHubFinding),
    Budget(BudgetAlert),
    Test(TestMessage),
}

/// The EventBridge envelope (or what stands for it in an SNS record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    pub id: String,
    pub source: String,
    pub detail_type: String,
    pub account: String,
    pub region: String,
    /// Normalised to RFC 3339 UTC when it could be read.
    pub time: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Incoming {
    pub envelope: Envelope,
    pub event: Event,
}

/// Something in the payload that is not an event we handle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// What it looked like: a detail-type, `SNS`, or `unknown`.
    pub kind: String,
    pub id: String,
    pub reason: String,
}

// Skipped items are rare and short-lived; boxing every event would cost more.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    Event(Incoming),
    Skipped(Skipped),
}

pub const TEST_SOURCE: &str = "awsmon.test";
pub const TEST_DETAIL_TYPE: &str = "awsmon Test Message";

/// The `detail` of an `awsmon.test` event: what `test-message --via pipeline` puts on the bus.
pub fn test_detail(route: &str, note: Option<&str>, requested_by: Option<&str>) -> Value {
    let mut detail = serde_json::json!({ "route": route });
    if let Some(n) = note {
        detail["note"] = Value::from(n);
    }
    if let Some(by) = requested_by {
        detail["requestedBy"] = Value::from(by);
    }
    detail
}

/// A whole `awsmon.test` EventBridge event, as the notifier receives it from the bus.
pub fn test_event(detail: &Value, region: &str, account: &str, time: &str) -> Value {
    serde_json::json!({
        "version": "0",
        "id": format!("awsmon-test-{time}"),
        "detail-type": TEST_DETAIL_TYPE,
        "source": TEST_SOURCE,
        "account": account,
        "time": time,
        "region": region,
        "resources": [],
        "detail": detail,
    })
}

/// Splits a payload (one EventBridge event, an SNS Lambda event, or a JSON array of either)
/// into events.
pub fn parse_payload(payload: &Value) -> Vec<Parsed> {
    match Json::from_value(payload) {
        Json::Array(items) => items.iter().flat_map(parse_one).collect(),
        other => parse_one(&other),
    }
}

/// One item of a payload (an element of a JSON array, or the whole payload when it is not
/// one): an EventBridge event or an SNS Lambda event. A nested array is not an event.
pub fn parse_item(v: &Json) -> Vec<Parsed> {
    parse_one(v)
}

fn parse_one(v: &Json) -> Vec<Parsed> {
    if let Some(records) = v.get("Records").and_then(Json::as_array) {
        return records.iter().map(parse_sns_record).collect();
    }
    if v.get("detail-type").is_some() && v.get("source").is_some() {
        return parse_eventbridge(v);
    }
    vec![skip(
        "unknown",
        str_at(v, &["id"]).unwrap_or_default(),
        "neither an EventBridge event nor an SNS Lambda event",
    )]
}

fn skip(kind: impl Into<String>, id: impl Into<String>, reason: impl Into<String>) -> Parsed {
    Parsed::Skipped(Skipped {
        kind: kind.into(),
        id: id.into(),
        reason: reason.into(),
    })
}

fn parse_eventbridge(v: &Json) -> Vec<Parsed> {
    let time_raw = str_at(v, &["time"]).unwrap_or_default();
    let envelope = Envelope {
        id: str_at(v, &["id"]).unwrap_or_default(),
        source: str_at(v, &["source"]).unwrap_or_default(),
        detail_type: str_at(v, &["detail-type"]).unwrap_or_default(),
        account: str_at(v, &["account"]).unwrap_or_default(),
        region: str_at(v, &["region"]).unwrap_or_default(),
        time: crate::time::normalise(&time_raw).unwrap_or(time_raw),
    };
    let Some(detail) = v.get("detail").filter(|d| d.is_object()) else {
        return vec![skip(
            envelope.detail_type,
            envelope.id,
            "event has no detail object",
        )];
    };
    match parse_detail(&envelope.source, &envelope.detail_type, detail, &envelope) {
        Some((events, _)) if !events.is_empty() => events
            .into_iter()
            .map(|event| {
                Parsed::Event(Incoming {
                    envelope: envelope.clone(),
                    event,
                })
            })
            .collect(),
        Some((_, reason)) => vec![skip(
            envelope.detail_type.clone(),
            envelope.id.clone(),
            reason,
        )],
        None => vec![skip(
            envelope.detail_type.clone(),
            envelope.id.clone(),
            format!("not a monitored event type (source {})", envelope.source),
        )],
    }
}

fn parse_sns_record(record: &Json) -> Parsed {
    let id = str_at(record, &["Sns", "MessageId"]).unwrap_or_default();
    if str_at(record, &["EventSource"]).as_deref() != Some("aws:sns") {
        return skip("unknown", id, "a Records entry that is not from SNS");
    }
    let Some(message) = str_at(record, &["Sns", "Message"]) else {
        return skip("SNS", id, "SNS record without a message");
    };
    let subject = str_at(record, &["Sns", "Subject"]).unwrap_or_default();
    let topic = str_at(record, &["Sns", "TopicArn"]).unwrap_or_default();
    // An SNS-wrapped EventBridge event (a topic target) is handled like a direct one.
    if let Ok(inner @ Value::Object(_)) = serde_json::from_str::<Value>(&message)
        && inner.get("detail-type").is_some()
    {
        return parse_eventbridge(&Json::from_value(&inner))
            .into_iter()
            .next()
            .unwrap_or_else(|| skip("SNS", id, "empty event"));
    }
    let Some(alert) = budget::parse(&subject, &message) else {
        return skip("SNS", id, "SNS message is not an AWS Budgets notification");
    };
    let time_raw = str_at(record, &["Sns", "Timestamp"]).unwrap_or_default();
    let region = topic.split(':').nth(3).unwrap_or_default().to_string();
    let topic_account = topic.split(':').nth(4).unwrap_or_default().to_string();
    Parsed::Event(Incoming {
        envelope: Envelope {
            id,
            source: "aws.budgets".to_string(),
            detail_type: "AWS Budgets Notification".to_string(),
            account: alert.account.clone().unwrap_or(topic_account),
            region,
            time: crate::time::normalise(&time_raw).unwrap_or(time_raw),
        },
        event: Event::Budget(alert),
    })
}

#[cfg(test)]
mod tests {
    /// The hub's rule is derived from the service table; every event it forwards must have a
    /// kind that reads it, or a new service's events would be skipped as unknown.
    #[test]
    fn every_service_on_the_bus_has_a_kind_that_reads_it() {
        let kinds = super::eventbridge_kinds();
        for svc in crate::Service::ALL {
            if let crate::service::Delivery::Bus {
                source,
                detail_types,
            } = svc.info().delivery
            {
                for dt in detail_types {
                    assert!(
                        kinds.contains(&(source, *dt)),
                        "{svc}: no event kind reads {source} / {dt}"
                    );
                }
            }
        }
    }

    use super::*;
    use serde_json::json;

    #[test]
    fn junk_is_skipped_with_a_reason() {
        let parsed = parse_payload(&json!({"hello": "world"}));
        assert_eq!(
            parsed,
            vec![skip(
                "unknown",
                "",
                "neither an EventBridge event nor an SNS Lambda event"
            )]
        );
        let parsed = parse_payload(&json!([1, "x", null]));
        assert_eq!(parsed.len(), 3);
        assert!(parsed.iter().all(|p| matches!(p, Parsed::Skipped(_))));
    }

    #[test]
    fn an_event_without_detail_is_skipped() {
        let parsed = parse_payload(
            &json!({"id": "e1", "source": "aws.guardduty", "detail-type": "GuardDuty Finding", "detail": null}),
        );
        assert_eq!(
            parsed,
            vec![skip(
                "GuardDuty Finding",
                "e1",
                "event has no detail object"
            )]
        );
    }
}
