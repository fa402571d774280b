//! Delivering prepared events: every URL of every event that is to be sent, each URL's failure
//! independent of the others. One structured log line per event, with masked routes.

use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::decide::Decision;
use crate::deliver::{Deliverer, Delivery};
use crate::metrics::DropReason;
use crate::pipeline::Prepared;

#[derive(Debug, Clone, Serialize)]
pub struct EventReport {
    pub id: String,
    pub service: &'static str,
    pub decision: &'static str,
    pub reason: Option<String>,
    #[serde(skip)]
    pub drop_reason: Option<DropReason>,
    pub deliveries: Vec<Delivery>,
}

/// One webhook's result as the event log line records it: what `test-message --via pipeline`
/// reads back from CloudWatch Logs to confirm delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggedDelivery {
    /// The masked URL.
    pub webhook: String,
    pub ok: bool,
    pub status: Option<u16>,
    pub attempts: usize,
    pub ms: u64,
    pub error: Option<String>,
}

impl From<&Delivery> for LoggedDelivery {
    fn from(d: &Delivery) -> Self {
        LoggedDelivery {
            webhook: d.url.clone(),
            ok: d.ok,
            status: d.last_status(),
            attempts: d.attempts.len(),
            ms: d.total_ms,
            error: d.failure.clone(),
        }
    }
}

/// The notifier's per-event log line, read back: `{"fields": {"message": "event", "id": …,
/// "deliveries": "[…]"}}` as the JSON log format writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedEvent {
    pub id: String,
    pub service: String,
    pub decision: String,
    pub reason: String,
    pub deliveries: Vec<LoggedDelivery>,
}

impl LoggedEvent {
    /// `None` for any line that is not an event line.
    pub fn parse(line: &str) -> Option<LoggedEvent> {
        let v: serde_json::Value = serde_json::from_str(line.trim()).ok()?;
        let f = v.get("fields")?;
        if f.get("message")?.as_str()? != "event" {
            return None;
        }
        let text = |k: &str| {
            f.get(k)
                .and_then(|x| x.as_str())
                .unwrap_or_default()
                .to_string()
        };
        let deliveries = serde_json::from_str(&text("deliveries")).unwrap_or_default();
        Some(LoggedEvent {
            id: text("id"),
            service: text("service"),
            decision: text("decision"),
            reason: text("reason"),
            deliveries,
        })
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub events: Vec<EventReport>,
}

impl Report {
    pub fn sent(&self) -> usize {
        self.events.iter().filter(|e| e.decision == "send").count()
    }

    pub fn failed_deliveries(&self) -> usize {
        self.events
            .iter()
            .flat_map(|e| &e.deliveries)
            .filter(|d| !d.ok)
            .count()
    }

    pub fn deliveries(&self) -> usize {
        self.events.iter().map(|e| e.deliveries.len()).sum()
    }
}

/// Sends every event whose decision is `send` to each of its routes. Events go out in order;
/// an event's URLs are posted concurrently.
pub async fn deliver_all(
    prepared: &[Prepared],
    deliverer: &Deliverer,
    deadline: Option<Instant>,
) -> Report {
    let mut report = Report::default();
    for p in prepared {
        let (decision, reason) = match &p.decision {
            Decision::Send { .. } => ("send", None),
            Decision::Drop { reason } => ("drop", Some(reason.clone())),
        };
        let drop_reason = match (&p.decision, &p.payload) {
            (Decision::Send { .. }, _) => None,
            (Decision::Drop { .. }, None) => Some(DropReason::Unrecognised),
            (Decision::Drop { .. }, Some(_)) => Some(DropReason::Filtered),
        };
        let mut deliveries = Vec::new();
        if let (true, Some(payload)) = (p.decision.is_send(), &p.payload) {
            if p.routes.is_empty() {
                tracing::warn!(id = %p.id, service = p.service_name(), "no webhook configured for this route; message not sent");
            }
            deliveries = futures_join(p, payload, deliverer, deadline).await;
        }
        let routes: Vec<String> = p.routes.iter().map(crate::WebhookUrl::masked).collect();
        let logged: Vec<LoggedDelivery> = deliveries.iter().map(LoggedDelivery::from).collect();
        tracing::info!(
            id = %p.id,
            kind = %p.kind,
            service = p.service_name(),
            decision,
            reason = reason.as_deref().unwrap_or(""),
            routes = ?routes,
            r#override = p.via.as_deref().unwrap_or(""),
            deliveries = %serde_json::to_string(&logged).unwrap_or_default(),
            "event"
        );
        for d in deliveries.iter().filter(|d| !d.ok) {
            tracing::error!(id = %p.id, url = %d.url, failure = d.failure.as_deref().unwrap_or(""), "delivery failed");
        }
        report.events.push(EventReport {
            id: p.id.clone(),
            service: p.service_name(),
            decision,
            reason,
            drop_reason,
            deliveries,
        });
    }
    report
}

async fn futures_join(
    p: &Prepared,
    payload: &crate::slack::Message,
    deliverer: &Deliverer,
    deadline: Option<Instant>,
) -> Vec<Delivery> {
    futures::future::join_all(
        p.routes
            .iter()
            .map(|url| deliverer.post(url, payload.as_bytes(), deadline)),
    )
    .await
}

/// What the notifier keeps in its failure queue when some webhooks took a message and others
/// did not: the invocation's payload and, per failed delivery, the event and the webhook (by
/// fingerprint, never the URL). A redrive replays each event to its failed webhooks only, so
/// healthy channels get exactly one copy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Undelivered {
    /// Always [`Undelivered::MARKER`]: tells this record from Lambda's own failure records.
    pub awsmon: String,
    pub payload: serde_json::Value,
    pub failed: Vec<FailedDelivery>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedDelivery {
    /// The event's id (as in the log line).
    pub id: String,
    /// The webhook's fingerprint.
    pub webhook: String,
    /// The masked URL, for people.
    pub masked: String,
    pub error: Option<String>,
}

impl Undelivered {
    pub const MARKER: &'static str = "undelivered";

    /// The record for `report`'s failed deliveries; `None` when none failed.
    pub fn from_report(payload: &serde_json::Value, report: &Report) -> Option<Undelivered> {
        let failed: Vec<FailedDelivery> = report
            .events
            .iter()
            .flat_map(|e| {
                e.deliveries
                    .iter()
                    .filter(|d| !d.ok)
                    .map(|d| FailedDelivery {
                        id: e.id.clone(),
                        webhook: d.webhook.clone(),
                        masked: d.url.clone(),
                        error: d.failure.clone(),
                    })
            })
            .collect();
        (!failed.is_empty()).then(|| Undelivered {
            awsmon: Self::MARKER.to_string(),
            payload: payload.clone(),
            failed,
        })
    }

    /// `None` for anything that is not such a record.
    pub fn parse(body: &str) -> Option<Undelivered> {
        serde_json::from_str::<Undelivered>(body)
            .ok()
            .filter(|u| u.awsmon == Self::MARKER)
    }
}
