//! CloudWatch Embedded Metric Format: one JSON line per invocation (plus one per drop reason)
//! on stdout, which CloudWatch Logs turns into metrics. No API call, so metrics cost nothing on
//! the hot path and keep working when the network to CloudWatch does not.
//!
//! Namespace `awsmon`, dimension `Function` (the function's name); the drop lines add `Reason`.

use serde_json::{Map, Value, json};

use crate::notify::Report;

pub const NAMESPACE: &str = "awsmon";

/// Metric names, shared with the console's `notifier status`, which reads them back.
pub mod name {
    pub const EVENTS_RECEIVED: &str = "EventsReceived";
    pub const EVENTS_SENT: &str = "EventsSent";
    pub const EVENTS_DROPPED: &str = "EventsDropped";
    /// Successful posts to a webhook.
    pub const DELIVERIES: &str = "Deliveries";
    pub const DELIVERY_FAILURES: &str = "DeliveryFailures";
    /// Attempts beyond the first, over all deliveries.
    pub const RETRIES: &str = "Retries";
    /// Each delivery's total time, retries included.
    pub const SLACK_LATENCY: &str = "SlackLatency";
}

/// Why an event was not sent, in a few stable words (a metric dimension must not carry free
/// text: every distinct value is a separate, billed metric).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DropReason {
    /// Not an event the notifier knows, or too malformed to read.
    Unrecognised,
    /// A filter said no (severity, status, archived, duplicate, resource type…).
    Filtered,
    /// Sent already within DEDUPE_HOURS (or being sent by another invocation).
    Deduplicated,
}

impl DropReason {
    pub fn as_str(self) -> &'static str {
        match self {
            DropReason::Unrecognised => "unrecognised",
            DropReason::Filtered => "filtered",
            DropReason::Deduplicated => "deduplicated",
        }
    }
}

/// The EMF documents for one invocation, each to be written as one line.
pub fn documents(report: &Report, function: &str, timestamp_ms: u64) -> Vec<Value> {
    let deliveries = report.events.iter().flat_map(|e| &e.deliveries);
    let ok = deliveries.clone().filter(|d| d.ok).count();
    let failed = deliveries.clone().filter(|d| !d.ok).count();
    let retries: usize = deliveries
        .clone()
        .map(|d| d.attempts.len().saturating_sub(1))
        .sum();
    let latencies: Vec<u64> = deliveries.map(|d| d.total_ms).collect();
    let dropped = report
        .events
        .iter()
        .filter(|e| e.decision == "drop")
        .count();

    let mut values: Vec<(&str, &str, Value)> = vec![
        (name::EVENTS_RECEIVED, "Count", json!(report.events.len())),
        (name::EVENTS_SENT, "Count", json!(report.sent())),
        (name::EVENTS_DROPPED, "Count", json!(dropped)),
        (name::DELIVERIES, "Count", json!(ok)),
        (name::DELIVERY_FAILURES, "Count", json!(failed)),
        (name::RETRIES, "Count", json!(retries)),
    ];
    // EMF takes up to 100 values in an array; an empty array is not a value.
    if !latencies.is_empty() {
        let capped: Vec<u64> = latencies.into_iter().take(100).collect();
        values.push((name::SLACK_LATENCY, "Milliseconds", json!(capped)));
    }
    let mut docs = vec![document(function, timestamp_ms, &[], &values)];

    let mut reasons: Vec<DropReason> = report.events.iter().filter_map(|e| e.drop_reason).collect();
    reasons.sort();
    for chunk in reasons.chunk_by(|a, b| a == b) {
        docs.push(document(
            function,
            timestamp_ms,
            &[("Reason", chunk[0].as_str())],
            &[(name::EVENTS_DROPPED, "Count", json!(chunk.len()))],
        ));
    }
    docs
}

fn document(
    function: &str,
    timestamp_ms: u64,
    extra_dimensions: &[(&str, &str)],
    values: &[(&str, &str, Value)],
) -> Value {
    let mut dims = vec!["Function"];
    dims.extend(extra_dimensions.iter().map(|(k, _)| *k));
    let metrics: Vec<Value> = values
        .iter()
        .map(|(n, unit, _)| json!({"Name": n, "Unit": unit}))
        .collect();
    let mut root = Map::new();
    root.insert(
        "_aws".into(),
        json!({
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [dims],
                "Metrics": metrics,
            }],
        }),
    );
    root.insert("Function".into(), json!(function));
    for (k, v) in extra_dimensions {
        root.insert((*k).into(), json!(v));
    }
    for (n, _, v) in values {
        root.insert((*n).into(), v.clone());
    }
    Value::Object(root)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deliver::{Attempt, Delivery};
    use crate::notify::EventReport;

    fn delivery(ok: bool, attempts: usize, ms: u64) -> Delivery {
        Delivery {
            url: "https://hooks.slack.com/services/T…/B…/••••".into(),
            webhook: "0123456789ab".into(),
            ok,
            attempts: vec![
                Attempt {
                    status: Some(200),
                    error: None,
                    latency_ms: 1,
                    wait_ms: None,
                };
                attempts
            ],
            failure: None,
            total_ms: ms,
        }
    }

    fn event(decision: &'static str, drop: Option<DropReason>, d: Vec<Delivery>) -> EventReport {
        EventReport {
            id: "id".into(),
            service: "guardduty",
            decision,
            reason: None,
            drop_reason: drop,
            deliveries: d,
        }
    }

    #[test]
    fn one_document_with_totals_and_one_per_drop_reason() {
        let report = Report {
            events: vec![
                event(
                    "send",
                    None,
                    vec![delivery(true, 2, 40), delivery(false, 1, 7)],
                ),
                event("drop", Some(DropReason::Filtered), vec![]),
                event("drop", Some(DropReason::Unrecognised), vec![]),
                event("drop", Some(DropReason::Filtered), vec![]),
            ],
        };
        let docs = documents(&report, "awsmon-notifier", 1_700_000_000_000);
        assert_eq!(docs.len(), 3);
        let main = &docs[0];
        assert_eq!(main["_aws"]["Timestamp"], 1_700_000_000_000_u64);
        assert_eq!(main["_aws"]["CloudWatchMetrics"][0]["Namespace"], "awsmon");
        assert_eq!(
            main["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
            json!([["Function"]])
        );
        assert_eq!(main["Function"], "awsmon-notifier");
        assert_eq!(main["EventsReceived"], 4);
        assert_eq!(main["EventsSent"], 1);
        assert_eq!(main["EventsDropped"], 3);
        assert_eq!(main["Deliveries"], 1);
        assert_eq!(main["DeliveryFailures"], 1);
        assert_eq!(main["Retries"], 1);
        assert_eq!(main["SlackLatency"], json!([40, 7]));
        // Every metric a directive names is a root member.
        for m in main["_aws"]["CloudWatchMetrics"][0]["Metrics"]
            .as_array()
            .expect("metrics")
        {
            let n = m["Name"].as_str().expect("name");
            assert!(main.get(n).is_some(), "{n} missing");
        }
        assert_eq!(docs[1]["Reason"], "unrecognised");
        assert_eq!(docs[1]["EventsDropped"], 1);
        assert_eq!(docs[2]["Reason"], "filtered");
        assert_eq!(docs[2]["EventsDropped"], 2);
        assert_eq!(
            docs[2]["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
            json!([["Function", "Reason"]])
        );
    }

    #[test]
    fn no_latency_member_without_deliveries() {
        let report = Report {
            events: vec![event("drop", Some(DropReason::Filtered), vec![])],
        };
        let docs = documents(&report, "f", 0);
        assert!(docs[0].get("SlackLatency").is_none());
        assert!(!docs[0].to_string().contains("SlackLatency"), "{}", docs[0]);
    }
}
