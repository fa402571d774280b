//! Parsing a Lambda payload into events. Anything unknown or malformed is skipped with a
//! reason, never a panic: only delivery failures fail an invocation.

mod budget;
mod config;
mod guardduty;
mod inspector;
mod securityhub;
mod trustedadvisor;

use serde_json::Value;

pub use budget::BudgetAlert;
pub use config::{ConfigChange, PropertyChange};
pub use guardduty::GuardDutyFinding;
pub use inspector::InspectorFinding;
pub use securityhub::SecurityHubFinding;
pub use trustedadvisor::TrustedAdvisorCheck;

use crate::json::str_at;

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
pub enum Event {
    GuardDuty(GuardDutyFinding),
    ConfigChange(ConfigChange),
    Inspector(InspectorFinding),
    TrustedAdvisor(TrustedAdvisorCheck),
    SecurityHub(SecurityHubFinding),
    Budget(BudgetAlert),
    Test(TestMessage),
}

/// The tool's own end-to-end test event (source `awsmon.test`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestMessage {
    /// `default` or a service name.
    pub route: String,
    pub note: Option<String>,
    pub requested_by: Option<String>,
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
    match payload {
        Value::Array(items) => items.iter().flat_map(parse_one).collect(),
        other => parse_one(other),
    }
}

fn parse_one(v: &Value) -> Vec<Parsed> {
    if let Some(records) = v.get("Records").and_then(Value::as_array) {
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

fn parse_eventbridge(v: &Value) -> Vec<Parsed> {
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
    let one = |event: Option<Event>, what: &str| match event {
        Some(event) => Parsed::Event(Incoming {
            envelope: envelope.clone(),
            event,
        }),
        None => skip(
            envelope.detail_type.clone(),
            envelope.id.clone(),
            format!("malformed {what}"),
        ),
    };
    match (envelope.source.as_str(), envelope.detail_type.as_str()) {
        ("aws.guardduty", "GuardDuty Finding") => {
            vec![one(
                guardduty::parse(detail, &envelope).map(Event::GuardDuty),
                "GuardDuty finding",
            )]
        }
        ("aws.config", "Config Configuration Item Change") => {
            vec![one(
                config::parse(detail, &envelope).map(Event::ConfigChange),
                "Config change",
            )]
        }
        ("aws.inspector2", "Inspector2 Finding") => {
            vec![one(
                inspector::parse(detail, &envelope).map(Event::Inspector),
                "Inspector2 finding",
            )]
        }
        ("aws.trustedadvisor", "Trusted Advisor Check Item Refresh Notification") => {
            vec![one(
                trustedadvisor::parse(detail, &envelope).map(Event::TrustedAdvisor),
                "Trusted Advisor check",
            )]
        }
        ("aws.securityhub", "Security Hub Findings - Imported") => {
            let findings = securityhub::parse(detail, &envelope);
            if findings.is_empty() {
                return vec![skip(
                    envelope.detail_type.clone(),
                    envelope.id.clone(),
                    "no findings in the event",
                )];
            }
            findings
                .into_iter()
                .map(|f| {
                    Parsed::Event(Incoming {
                        envelope: envelope.clone(),
                        event: Event::SecurityHub(f),
                    })
                })
                .collect()
        }
        (TEST_SOURCE, TEST_DETAIL_TYPE) => vec![one(
            Some(Event::Test(TestMessage {
                route: str_at(detail, &["route"]).unwrap_or_else(|| "default".to_string()),
                note: str_at(detail, &["note"]),
                requested_by: str_at(detail, &["requestedBy"]),
            })),
            "test message",
        )],
        (source, kind) => vec![skip(
            kind,
            envelope.id.clone(),
            format!("not a monitored event type (source {source})"),
        )],
    }
}

fn parse_sns_record(record: &Value) -> Parsed {
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
        return parse_eventbridge(&inner)
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
