//! Delivering prepared events: every URL of every event that is to be sent, each URL's failure
//! independent of the others. One structured log line per event, with masked routes.

use std::time::Instant;

use serde::Serialize;

use crate::decide::Decision;
use crate::deliver::{Deliverer, Delivery};
use crate::pipeline::Prepared;

#[derive(Debug, Clone, Serialize)]
pub struct EventReport {
    pub id: String,
    pub service: &'static str,
    pub decision: &'static str,
    pub reason: Option<String>,
    pub deliveries: Vec<Delivery>,
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
        let mut deliveries = Vec::new();
        if let (true, Some(payload)) = (p.decision.is_send(), &p.payload) {
            if p.routes.is_empty() {
                tracing::warn!(id = %p.id, service = p.service_name(), "no webhook configured for this route; message not sent");
            }
            deliveries = futures_join(p, payload, deliverer, deadline).await;
        }
        let routes: Vec<String> = p.routes.iter().map(crate::WebhookUrl::masked).collect();
        let results: Vec<String> = deliveries
            .iter()
            .map(|d| {
                format!(
                    "{} {} status={} attempts={} {}ms",
                    d.url,
                    if d.ok { "ok" } else { "failed" },
                    d.last_status()
                        .map_or_else(|| "-".to_string(), |s| s.to_string()),
                    d.attempts.len(),
                    d.total_ms
                )
            })
            .collect();
        tracing::info!(
            id = %p.id,
            kind = %p.kind,
            service = p.service_name(),
            decision,
            reason = reason.as_deref().unwrap_or(""),
            routes = ?routes,
            results = ?results,
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
            deliveries,
        });
    }
    report
}

async fn futures_join(
    p: &Prepared,
    payload: &serde_json::Value,
    deliverer: &Deliverer,
    deadline: Option<Instant>,
) -> Vec<Delivery> {
    futures::future::join_all(
        p.routes
            .iter()
            .map(|url| deliverer.post(url, payload, deadline)),
    )
    .await
}
