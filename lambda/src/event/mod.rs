//! Parsing a Lambda payload into events. Anything unknown or malformed is skipped with a
//! reason, never a panic: only delivery failures fail an invocation.

mod accessanalyzer;
mod budget;
mod config;
mod guardduty;
mod health;
mod inspector;
mod securityhub;
mod test;
mod trustedadvisor;
mod turned_off;

use std::borrow::Cow;

use serde_json::Value;

pub use accessanalyzer::{Access, AccessFinding};
pub use budget::BudgetAlert;
pub use config::{ConfigChange, PropertyChange};
pub use guardduty::GuardDutyFinding;
pub use health::HealthEvent;
pub use inspector::InspectorFinding;
pub use securityhub::SecurityHubFinding;
pub use test::TestMessage;
pub use trustedadvisor::TrustedAdvisorCheck;
pub use turned_off::{CLOUDTRAIL_DETAIL_TYPE, OFF_CALLS, TurnedOff};

use crate::decide::Decision;
use crate::json::{Json, str_at};
use crate::service::Service;
use crate::settings::Settings;
use crate::slack::Card;

/// One kind of event: everything the notifier does with it, in the kind's own file
/// (`event/<svc>.rs`). A new kind implements this and adds one line to [`kinds!`] below.
/// `'t` is the parsed input's: an event's text borrows from it, so reading an event copies
/// no strings (the notifier's hot path).
pub trait Kind<'t>: Sized {
    /// The `(source, detail-type)` of the EventBridge events this kind is read from, or `None`
    /// when it arrives another way (AWS Budgets notifications come over SNS as text).
    const EVENTBRIDGE: Option<(&'static str, &'static str)>;
    /// More `(source, detail-type)` pairs read by the same kind (CloudTrail's records of API
    /// calls come with each service's own source).
    const ALSO: &'static [(&'static str, &'static str)] = &[];
    /// Why a matching event that yields no event of this kind is skipped.
    const UNREADABLE: &'static str;
    /// A matching event's `detail` → its events (Security Hub batches findings; most kinds
    /// give one). Lenient: a missing field is a default, never an error.
    fn parse(detail: &'t Json<'t>, envelope: &Envelope<'t>) -> Vec<Self>;
    /// Send or drop, and whom a sent message pings. Pure: settings in, decision out.
    fn decide(&self, settings: &Settings) -> Decision;
    /// The Slack message, before the mention and the envelope's context are added.
    fn card(&self) -> Card<'_>;
    /// The id shown for the event when it has its own (a finding id or ARN); else the
    /// envelope's id is used.
    fn id(&self) -> Option<&str> {
        None
    }
    /// A severity label for sorting and display, when the kind has one.
    fn severity(&self) -> Option<String> {
        None
    }
    /// The routing key: a service's webhooks, or `None` for the default ones.
    fn service(&self) -> Option<Service>;
    /// The account the event is about (a member's finding reaches the administrator), for
    /// ROUTING_OVERRIDES; `None`: the envelope's account.
    fn account(&self) -> Option<&str> {
        None
    }
    /// The region the event is about, where it differs from the delivering one (AWS Health
    /// delivers a copy to a backup region); `None`: the envelope's.
    fn region(&self) -> Option<&str> {
        None
    }
    /// What a SUPPRESS rule's TYPE matches (a kind may give two, such as Inspector's type and
    /// its CVE); none: only rules without TYPE match it.
    fn types(&self) -> [Option<&str>; 2] {
        [None, None]
    }
    /// What a SUPPRESS rule's RESOURCE matches.
    fn resource(&self) -> Option<&str> {
        None
    }
}

/// The one place event kinds are registered: the [`Event`] enum and its delegation to each
/// kind's [`Kind`] impl. A variant whose type lacks an impl does not compile.
macro_rules! kinds {
    ($($variant:ident($ty:ty)),+ $(,)?) => {
        #[derive(Debug, Clone, PartialEq)]
        pub enum Event<'t> {
            $($variant($ty)),+
        }

        impl<'t> Event<'t> {
            pub fn decide(&self, settings: &Settings) -> Decision {
                match self { $(Event::$variant(e) => Kind::decide(e, settings)),+ }
            }
            pub fn card(&self) -> Card<'_> {
                match self { $(Event::$variant(e) => Kind::card(e)),+ }
            }
            pub fn id(&self) -> Option<&str> {
                match self { $(Event::$variant(e) => Kind::id(e)),+ }
            }
            pub fn severity(&self) -> Option<String> {
                match self { $(Event::$variant(e) => Kind::severity(e)),+ }
            }
            pub fn service(&self) -> Option<Service> {
                match self { $(Event::$variant(e) => Kind::service(e)),+ }
            }
            pub fn account(&self) -> Option<&str> {
                match self { $(Event::$variant(e) => Kind::account(e)),+ }
            }
            pub fn region(&self) -> Option<&str> {
                match self { $(Event::$variant(e) => Kind::region(e)),+ }
            }
            pub fn types(&self) -> [Option<&str>; 2] {
                match self { $(Event::$variant(e) => Kind::types(e)),+ }
            }
            pub fn resource(&self) -> Option<&str> {
                match self { $(Event::$variant(e) => Kind::resource(e)),+ }
            }
        }

        /// The events in `detail` when some kind is read from `(source, detail_type)`, with
        /// the reason to skip the event when it yields none.
        fn parse_detail<'t>(
            detail: &'t Json<'t>,
            envelope: &Envelope<'t>,
        ) -> Option<(Vec<Event<'t>>, &'static str)> {
            let key = Some((&*envelope.source, &*envelope.detail_type));
            $(
                if <$ty as Kind<'t>>::EVENTBRIDGE == key
                    || key.is_some_and(|k| <$ty as Kind<'t>>::ALSO.contains(&k))
                {
                    let events = <$ty as Kind<'t>>::parse(detail, envelope)
                        .into_iter()
                        .map(Event::$variant)
                        .collect();
                    return Some((events, <$ty as Kind<'t>>::UNREADABLE));
                }
            )+
            None
        }

        /// Every `(source, detail-type)` some kind is read from.
        pub fn eventbridge_kinds() -> Vec<(&'static str, &'static str)> {
            // The kinds are written with `'t`; any lifetime names them here.
            #[allow(clippy::extra_unused_lifetimes)]
            fn kinds<'t>() -> Vec<(&'static str, &'static str)> {
                let mut out: Vec<(&'static str, &'static str)> =
                    [$(<$ty as Kind<'t>>::EVENTBRIDGE),+].into_iter().flatten().collect();
                $(out.extend_from_slice(<$ty as Kind<'t>>::ALSO);)+
                out
            }
            kinds()
        }
    };
}

kinds! {
    GuardDuty(GuardDutyFinding<'t>),
    ConfigChange(ConfigChange<'t>),
    Inspector(InspectorFinding<'t>),
    TrustedAdvisor(TrustedAdvisorCheck<'t>),
    SecurityHub(SecurityHubFinding<'t>),
    AccessAnalyzer(AccessFinding<'t>),
    Health(HealthEvent<'t>),
    TurnedOff(TurnedOff<'t>),
    Budget(BudgetAlert),
    Test(TestMessage<'t>),
}

/// The EventBridge envelope (or what stands for it in an SNS record).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Envelope<'t> {
    pub id: Cow<'t, str>,
    pub source: Cow<'t, str>,
    pub detail_type: Cow<'t, str>,
    pub account: Cow<'t, str>,
    pub region: Cow<'t, str>,
    /// Normalised to RFC 3339 UTC when it could be read.
    pub time: Cow<'t, str>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Incoming<'t> {
    pub envelope: Envelope<'t>,
    pub event: Event<'t>,
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
pub enum Parsed<'t> {
    Event(Incoming<'t>),
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
/// into events, handing each to `each` while the text it borrows is alive.
pub fn parse_payload(payload: &Value, each: &mut dyn FnMut(Parsed<'_>)) {
    match Json::from_value(payload) {
        Json::Array(items) => items.iter().for_each(|item| parse_one(item, each)),
        other => parse_one(&other, each),
    }
}

/// One item of a payload (an element of a JSON array, or the whole payload when it is not
/// one): an EventBridge event or an SNS Lambda event. A nested array is not an event.
pub fn parse_item<'t>(v: &'t Json<'t>, each: &mut dyn FnMut(Parsed<'_>)) {
    parse_one(v, each);
}

fn parse_one<'t>(v: &'t Json<'t>, each: &mut dyn FnMut(Parsed<'_>)) {
    if let Some(records) = v.get("Records").and_then(Json::as_array) {
        for record in records {
            parse_sns_record(record, each);
        }
    } else if v.get("detail-type").is_some() && v.get("source").is_some() {
        parse_eventbridge(v, each, usize::MAX);
    } else {
        each(skip(
            "unknown",
            str_at(v, &["id"]).unwrap_or_default(),
            "neither an EventBridge event nor an SNS Lambda event",
        ));
    }
}

fn skip(
    kind: impl Into<String>,
    id: impl Into<String>,
    reason: impl Into<String>,
) -> Parsed<'static> {
    Parsed::Skipped(Skipped {
        kind: kind.into(),
        id: id.into(),
        reason: reason.into(),
    })
}

/// The envelope's fields, borrowed; `None` for a missing one.
fn envelope_of<'t>(v: &'t Json<'t>) -> Envelope<'t> {
    let text = |key: &str| str_at(v, &[key]).unwrap_or_default();
    Envelope {
        id: text("id"),
        source: text("source"),
        detail_type: text("detail-type"),
        account: text("account"),
        region: text("region"),
        time: crate::time::normalised(text("time")),
    }
}

/// The events of one EventBridge event, at most `limit` of them, each handed to `each`.
fn parse_eventbridge<'t>(v: &'t Json<'t>, each: &mut dyn FnMut(Parsed<'_>), limit: usize) {
    let envelope = envelope_of(v);
    let Some(detail) = v.get("detail").filter(|d| d.is_object()) else {
        return each(skip(
            envelope.detail_type,
            envelope.id,
            "event has no detail object",
        ));
    };
    match parse_detail(detail, &envelope) {
        Some((events, _)) if !events.is_empty() => {
            for event in events.into_iter().take(limit) {
                each(Parsed::Event(Incoming {
                    envelope: envelope.clone(),
                    event,
                }));
            }
        }
        Some((_, reason)) => each(skip(envelope.detail_type, envelope.id, reason)),
        None => each(skip(
            envelope.detail_type,
            envelope.id,
            format!("not a monitored event type (source {})", envelope.source),
        )),
    }
}

fn parse_sns_record<'t>(record: &'t Json<'t>, each: &mut dyn FnMut(Parsed<'_>)) {
    let id = str_at(record, &["Sns", "MessageId"]).unwrap_or_default();
    if str_at(record, &["EventSource"]).as_deref() != Some("aws:sns") {
        return each(skip("unknown", id, "a Records entry that is not from SNS"));
    }
    let Some(message) = str_at(record, &["Sns", "Message"]) else {
        return each(skip("SNS", id, "SNS record without a message"));
    };
    let subject = str_at(record, &["Sns", "Subject"]).unwrap_or_default();
    let topic = str_at(record, &["Sns", "TopicArn"]).unwrap_or_default();
    // An SNS-wrapped EventBridge event (a topic target) is handled like a direct one: its
    // first event.
    if let Ok(inner @ Value::Object(_)) = serde_json::from_str::<Value>(&message)
        && inner.get("detail-type").is_some()
    {
        let tree = Json::from_value(&inner);
        let mut any = false;
        parse_eventbridge(
            &tree,
            &mut |parsed| {
                any = true;
                each(parsed);
            },
            1,
        );
        if !any {
            each(skip("SNS", id, "empty event"));
        }
        return;
    }
    let Some(alert) = budget::parse(&subject, &message) else {
        return each(skip(
            "SNS",
            id,
            "SNS message is not an AWS Budgets notification",
        ));
    };
    let time = crate::time::normalised(str_at(record, &["Sns", "Timestamp"]).unwrap_or_default());
    let region = topic.split(':').nth(3).unwrap_or_default();
    let topic_account = topic.split(':').nth(4).unwrap_or_default();
    let account = match &alert.account {
        Some(a) => Cow::Owned(a.clone()),
        None => Cow::Borrowed(topic_account),
    };
    each(Parsed::Event(Incoming {
        envelope: Envelope {
            id,
            source: Cow::Borrowed("aws.budgets"),
            detail_type: Cow::Borrowed("AWS Budgets Notification"),
            account,
            region: Cow::Borrowed(region),
            time,
        },
        event: Event::Budget(alert),
    }));
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

    /// What each item became: its skip, or `None` for an event.
    fn skips(payload: &Value) -> Vec<Option<Skipped>> {
        let mut out = Vec::new();
        parse_payload(payload, &mut |p| {
            out.push(match p {
                Parsed::Skipped(s) => Some(s),
                Parsed::Event(_) => None,
            });
        });
        out
    }

    fn skipped(kind: &str, id: &str, reason: &str) -> Option<Skipped> {
        match skip(kind, id, reason) {
            Parsed::Skipped(s) => Some(s),
            Parsed::Event(_) => None,
        }
    }

    #[test]
    fn junk_is_skipped_with_a_reason() {
        let parsed = skips(&json!({"hello": "world"}));
        assert_eq!(
            parsed,
            vec![skipped(
                "unknown",
                "",
                "neither an EventBridge event nor an SNS Lambda event"
            )]
        );
        let parsed = skips(&json!([1, "x", null]));
        assert_eq!(parsed.len(), 3);
        assert!(parsed.iter().all(Option::is_some));
    }

    #[test]
    fn an_event_without_detail_is_skipped() {
        let parsed = skips(
            &json!({"id": "e1", "source": "aws.guardduty", "detail-type": "GuardDuty Finding", "detail": null}),
        );
        assert_eq!(
            parsed,
            vec![skipped(
                "GuardDuty Finding",
                "e1",
                "event has no detail object"
            )]
        );
    }
}
