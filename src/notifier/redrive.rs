//! Replaying the notifier's failure queue once the cause is fixed. Every message is read and
//! held (a visibility timeout), summarised by kind, and then either released untouched (dry
//! run) or replayed through the notifier's own pipeline with the deployed routing: a message
//! is deleted only after its replay succeeded, and a failing one is released for later.
//!
//! A message is Lambda's on-failure record (`requestPayload` holds the event) or, from a
//! dead-letter queue, the event itself.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use awsmon_notifier::deliver::{Deliverer, Delivery};
use awsmon_notifier::notify::{self, Undelivered};
use awsmon_notifier::{Decision, Settings};
use serde_json::Value;

use crate::aws::{Aws, AwsError};
use crate::config::Config;

#[derive(Debug)]
pub enum RedriveError {
    /// The hub's failure queue does not exist.
    NoQueue(String),
    Aws(AwsError),
    /// The deployed routing could not be read, so a replay would not know where to send.
    Routing(String),
    /// The HTTP client could not be built.
    Client(String),
}

impl std::fmt::Display for RedriveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RedriveError::NoQueue(name) => write!(
                f,
                "the failure queue {name} does not exist: is the notifier deployed here? (`awsmon-tui deploy notifier`)"
            ),
            RedriveError::Aws(e) => write!(f, "{e}"),
            RedriveError::Routing(e) => {
                write!(f, "cannot replay without the deployed routing: {e}")
            }
            RedriveError::Client(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for RedriveError {}

#[derive(Debug, Clone)]
pub struct FailedMessage {
    pub message_id: String,
    receipt: String,
    /// The Lambda payload that failed; `None` when the body is not one.
    pub payload: Option<Value>,
    /// Why Lambda gave up, when the record says (`RetriesExhausted: 1 of 1 deliveries failed`).
    pub why: Option<String>,
    /// The body as it was, when it is not an event (kept so an export loses nothing).
    pub raw: Option<String>,
    /// The notifier's own record of a partial failure: only these (event id, webhook
    /// fingerprint) pairs are replayed, so channels that got the message get no second copy.
    pub only: Option<Vec<(String, String)>>,
}

impl FailedMessage {
    fn from_body(message_id: String, receipt: String, body: &str) -> FailedMessage {
        if let Some(u) = Undelivered::parse(body) {
            let why = u
                .failed
                .iter()
                .map(|f| format!("{} {}", f.masked, f.error.as_deref().unwrap_or("failed")))
                .collect::<Vec<_>>()
                .join("; ");
            return FailedMessage {
                message_id,
                receipt,
                payload: Some(u.payload),
                why: Some(format!("not delivered to {why}")),
                raw: None,
                only: Some(u.failed.into_iter().map(|f| (f.id, f.webhook)).collect()),
            };
        }
        let parsed: Option<Value> = serde_json::from_str(body).ok();
        let (payload, why) = match parsed {
            Some(record) if record.get("requestPayload").is_some() => {
                let condition = record
                    .pointer("/requestContext/condition")
                    .and_then(Value::as_str);
                let error = record
                    .pointer("/responsePayload/errorMessage")
                    .and_then(Value::as_str);
                let why = match (condition, error) {
                    (Some(c), Some(e)) => Some(format!("{c}: {e}")),
                    (c, e) => c.or(e).map(str::to_string),
                };
                (record.get("requestPayload").cloned(), why)
            }
            Some(event @ Value::Object(_)) => (Some(event), None),
            _ => (None, None),
        };
        FailedMessage {
            raw: payload.is_none().then(|| body.to_string()),
            only: None,
            message_id,
            receipt,
            payload,
            why,
        }
    }

    /// `guardduty · GuardDuty Finding` for each event in the payload, or `unreadable`.
    pub fn kinds(&self, settings: &Settings) -> Vec<String> {
        match &self.payload {
            Some(p) if is_digest(p) => vec![format!("default · {}", awsmon_notifier::digest::KIND)],
            Some(p) => awsmon_notifier::prepare(p, settings)
                .iter()
                .map(|e| format!("{} · {}", e.service_name(), e.kind))
                .collect(),
            None => vec!["unreadable".to_string()],
        }
    }
}

fn is_digest(payload: &serde_json::Value) -> bool {
    awsmon_notifier::digest::is_request(payload.to_string().as_bytes())
}

/// The messages held from the queue.
#[derive(Debug, Clone)]
pub struct Held {
    pub queue_url: String,
    pub messages: Vec<FailedMessage>,
}

impl Held {
    /// How many events of each kind, for the summary shown before anything is replayed.
    pub fn summary(&self, settings: &Settings) -> BTreeMap<String, usize> {
        let mut out = BTreeMap::new();
        for m in &self.messages {
            for k in m.kinds(settings) {
                *out.entry(k).or_insert(0) += 1;
            }
        }
        out
    }
}

/// The most messages one redrive handles; run it again for more.
pub const MAX_MESSAGES: usize = 1000;

/// What the CLI and the console start a redrive with: the routing the deployed notifier uses
/// (not this machine's config.yml), and every waiting message held for `hold_for`.
pub async fn routing_and_held(
    aws: &Aws,
    cfg: &Config,
    hold_for: Duration,
) -> Result<(Settings, Held), RedriveError> {
    let settings = super::deployed_routing(aws, cfg)
        .await
        .map_err(RedriveError::Routing)?;
    let held = hold(aws, cfg, MAX_MESSAGES, hold_for).await?;
    Ok((settings, held))
}

/// [`replay`] as the CLI and the console run it: the notifier's own retry policy and a minute
/// per message.
pub async fn replay_held(
    aws: &Aws,
    cfg: &Config,
    held: &Held,
    settings: &Settings,
) -> Result<Vec<Replayed>, RedriveError> {
    let deliverer = Deliverer::new(awsmon_notifier::deliver::RetryPolicy::default())
        .map_err(|e| RedriveError::Client(e.to_string()))?;
    Ok(replay(aws, cfg, held, settings, &deliverer, Duration::from_mins(1)).await)
}

/// Reads up to `max` messages and holds them for `hold` (nobody else sees them meanwhile).
pub async fn hold(
    aws: &Aws,
    cfg: &Config,
    max: usize,
    hold: Duration,
) -> Result<Held, RedriveError> {
    let queue_url = super::failure_queue_url(aws, cfg)
        .await
        .map_err(RedriveError::Aws)?
        .ok_or_else(|| RedriveError::NoQueue(crate::naming::failure_queue(cfg)))?;
    let sqs = aws.sqs(cfg.home_region());
    let mut messages: Vec<FailedMessage> = Vec::new();
    let mut empty_replies = 0;
    // Short polls sample a subset of SQS's servers, so one empty reply is not proof of an empty
    // queue; two in a row, the second a 1 s long poll, is what the console can afford.
    while messages.len() < max && empty_replies < 2 {
        let out = sqs
            .receive_message()
            .queue_url(&queue_url)
            .max_number_of_messages(i32::try_from((max - messages.len()).min(10)).unwrap_or(10))
            .visibility_timeout(i32::try_from(hold.as_secs().max(1)).unwrap_or(60))
            .wait_time_seconds(empty_replies)
            .send()
            .await
            .map_err(|e| RedriveError::Aws(AwsError::classify("sqs:ReceiveMessage", &e)))?;
        let batch = out.messages();
        if batch.is_empty() {
            empty_replies += 1;
            continue;
        }
        empty_replies = 0;
        for m in batch {
            let (Some(id), Some(receipt)) = (m.message_id(), m.receipt_handle()) else {
                continue;
            };
            if messages.iter().any(|h| h.message_id == id) {
                continue;
            }
            messages.push(FailedMessage::from_body(
                id.to_string(),
                receipt.to_string(),
                m.body().unwrap_or_default(),
            ));
        }
    }
    Ok(Held {
        queue_url,
        messages,
    })
}

/// Makes held messages visible again at once (a dry run, or ones that failed again).
pub async fn release(aws: &Aws, cfg: &Config, queue_url: &str, messages: &[&FailedMessage]) {
    let sqs = aws.sqs(cfg.home_region());
    for m in messages {
        let result = sqs
            .change_message_visibility()
            .queue_url(queue_url)
            .receipt_handle(&m.receipt)
            .visibility_timeout(0)
            .send()
            .await;
        if let Err(e) = result {
            // It reappears when the hold ends anyway; nothing is lost.
            tracing::warn!(id = %m.message_id, error = %AwsError::classify("sqs:ChangeMessageVisibility", &e), "could not release a message");
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Replay {
    /// Sent to every webhook of its route; the message was deleted.
    Delivered(Vec<Delivery>),
    /// The notifier now drops it (filters changed, or not an event it knows); deleted, as a
    /// successful invocation would be.
    Dropped(String),
    /// A webhook refused it again; the message stays in the queue.
    Failed(Vec<Delivery>),
    /// The body is not an event; it stays in the queue for a person to look at.
    Unreadable,
    /// Replayed fine, but the queue would not let it go; it may be replayed twice.
    NotDeleted(String),
}

impl Replay {
    pub fn succeeded(&self) -> bool {
        matches!(self, Replay::Delivered(_) | Replay::Dropped(_))
    }
}

#[derive(Debug, Clone)]
pub struct Replayed {
    pub message_id: String,
    pub kinds: Vec<String>,
    pub result: Replay,
}

/// Replays each held message through the notifier's pipeline with `settings` (the deployed
/// routing), one at a time in queue order, and deletes exactly those that succeeded.
pub async fn replay(
    aws: &Aws,
    cfg: &Config,
    held: &Held,
    settings: &Settings,
    deliverer: &Deliverer,
    per_message: Duration,
) -> Vec<Replayed> {
    let sqs = aws.sqs(cfg.home_region());
    let mut out = Vec::new();
    let mut keep: Vec<&FailedMessage> = Vec::new();
    for m in &held.messages {
        let kinds = m.kinds(settings);
        let result = match &m.payload {
            None => Replay::Unreadable,
            // A daily digest that failed every route: said so, not replayed a day late (the
            // next digest covers its day), and removed.
            Some(payload) if is_digest(payload) => Replay::Dropped(
                "a daily digest that no route took: not replayed late; the next digest covers its day"
                    .to_string(),
            ),
            Some(payload) => {
                let mut prepared = awsmon_notifier::prepare(payload, settings);
                if let Some(only) = &m.only {
                    // Each event to the webhooks that did not take it, and nowhere else.
                    for p in &mut prepared {
                        let id = p.id.clone();
                        p.routes.retain(|w| {
                            only.iter().any(|(i, f)| *i == id && *f == w.fingerprint())
                        });
                    }
                    prepared.retain(|p| !p.routes.is_empty());
                }
                if m.only.as_ref().is_some_and(|o| !o.is_empty()) && prepared.is_empty() {
                    out.push(Replayed {
                        message_id: m.message_id.clone(),
                        kinds,
                        result: Replay::Failed(Vec::new()),
                    });
                    keep.push(m);
                    continue;
                }
                let report =
                    notify::deliver_all(&prepared, deliverer, Some(Instant::now() + per_message))
                        .await;
                let deliveries: Vec<Delivery> = report
                    .events
                    .iter()
                    .flat_map(|e| e.deliveries.clone())
                    .collect();
                if report.failed_deliveries() > 0 {
                    Replay::Failed(deliveries)
                } else if report.sent() == 0 {
                    let reason = prepared
                        .iter()
                        .find_map(|p| match &p.decision {
                            Decision::Drop { reason } => Some(reason.clone()),
                            Decision::Send { .. } => None,
                        })
                        .unwrap_or_else(|| "nothing to send".to_string());
                    Replay::Dropped(reason)
                } else {
                    Replay::Delivered(deliveries)
                }
            }
        };
        let result = if result.succeeded() {
            match sqs
                .delete_message()
                .queue_url(&held.queue_url)
                .receipt_handle(&m.receipt)
                .send()
                .await
            {
                Ok(_) => result,
                Err(e) => {
                    Replay::NotDeleted(AwsError::classify("sqs:DeleteMessage", &e).to_string())
                }
            }
        } else {
            keep.push(m);
            result
        };
        out.push(Replayed {
            message_id: m.message_id.clone(),
            kinds,
            result,
        });
    }
    release(aws, cfg, &held.queue_url, &keep).await;
    out
}

/// The held messages as a JSON document for people and tools: the event, why Lambda gave up,
/// and the raw body where it is not an event.
pub fn export_document(held: &Held, queue: &str) -> Value {
    let messages: Vec<Value> = held
        .messages
        .iter()
        .map(|m| {
            serde_json::json!({
                "message_id": m.message_id,
                "why": m.why,
                "event": m.payload,
                "body": m.raw,
            })
        })
        .collect();
    serde_json::json!({"queue": queue, "exported_at": crate::text::iso_now(), "messages": messages})
}

/// Deletes exactly these held messages (after they were exported); returns how many went.
pub async fn delete(
    aws: &Aws,
    cfg: &Config,
    queue_url: &str,
    messages: &[FailedMessage],
) -> Result<usize, AwsError> {
    let sqs = aws.sqs(cfg.home_region());
    for m in messages {
        sqs.delete_message()
            .queue_url(queue_url)
            .receipt_handle(&m.receipt)
            .send()
            .await
            .map_err(|e| AwsError::classify("sqs:DeleteMessage", &e))?;
    }
    Ok(messages.len())
}

/// One line per replayed message, for the CLI and the console's job log.
pub fn replayed_line(r: &Replayed) -> String {
    let kinds = r.kinds.join(", ");
    match &r.result {
        Replay::Delivered(d) => format!(
            "delivered  {kinds}  to {}; removed from the queue",
            crate::text::count(d.len(), "webhook", "webhooks")
        ),
        Replay::Dropped(why) => format!("dropped    {kinds}  ({why}); removed from the queue"),
        Replay::Failed(d) if d.is_empty() => format!(
            "FAILED     {kinds}  kept in the queue: the webhook it failed on is no longer in the routing"
        ),
        Replay::Failed(d) => {
            let failed: Vec<String> = d
                .iter()
                .filter(|d| !d.ok)
                .map(crate::test_message::delivery_line)
                .collect();
            format!(
                "FAILED     {kinds}  kept in the queue: {}",
                failed.join("; ")
            )
        }
        Replay::Unreadable => format!("unreadable message {}: kept in the queue", r.message_id),
        Replay::NotDeleted(e) => {
            format!("delivered  {kinds}  but not removed from the queue ({e})")
        }
    }
}
