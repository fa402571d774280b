//! Confirming that an event went through the deployed notifier: its log line for that event id
//! (CloudWatch Logs, FilterLogEvents), waited for within a bound, says what it did per webhook.

use std::time::{Duration, Instant, SystemTime};

use awsmon_notifier::notify::LoggedEvent;

use crate::aws::{Aws, AwsError};
use crate::config::Config;
use crate::naming;

#[derive(Debug, Clone, PartialEq)]
pub enum Confirmation {
    /// The notifier logged the event: what it decided and what each webhook answered.
    Seen(LoggedEvent),
    /// No log line within the wait; `why` says what to check.
    NotSeen { waited: Duration, why: String },
}

impl Confirmation {
    /// Delivered to every webhook of its route (and there was at least one).
    pub fn delivered(&self) -> bool {
        match self {
            Confirmation::Seen(e) => {
                e.decision == "send"
                    && !e.deliveries.is_empty()
                    && e.deliveries.iter().all(|d| d.ok)
            }
            Confirmation::NotSeen { .. } => false,
        }
    }

    /// Lines for people: one per webhook, or why it could not be confirmed.
    pub fn lines(&self) -> Vec<String> {
        match self {
            Confirmation::Seen(e) if e.deliveries.is_empty() => vec![format!(
                "the notifier {} it{}",
                if e.decision == "send" {
                    "had no webhook for"
                } else {
                    "dropped"
                },
                if e.reason.is_empty() {
                    String::new()
                } else {
                    format!(": {}", e.reason)
                }
            )],
            Confirmation::Seen(e) => e
                .deliveries
                .iter()
                .map(|d| {
                    format!(
                        "{:<7} {}  {}  {} ms{}{}",
                        if d.ok { "ok" } else { "FAILED" },
                        d.webhook,
                        d.status.map_or("-".to_string(), |s| s.to_string()),
                        d.ms,
                        if d.attempts > 1 {
                            format!(" after {} attempts", d.attempts)
                        } else {
                            String::new()
                        },
                        d.error
                            .as_deref()
                            .map(|e| format!("  {e}"))
                            .unwrap_or_default()
                    )
                })
                .collect(),
            Confirmation::NotSeen { waited, why } => vec![format!(
                "could not confirm delivery within {:.0} s: {why}",
                waited.as_secs_f64()
            )],
        }
    }
}

/// Polls the notifier's log group for `event_id` from `since` until it appears or `timeout`.
pub async fn await_event(
    aws: &Aws,
    cfg: &Config,
    event_id: &str,
    since: SystemTime,
    timeout: Duration,
    poll: Duration,
) -> Confirmation {
    let started = Instant::now();
    let group = naming::notifier_log_group(cfg);
    let start_ms = since
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        // Lambda's clock and ours may differ a little.
        .saturating_sub(60_000);
    let mut why = format!(
        "no log line for event {event_id} in {group} yet: the rule may not match, the notifier may not have run (check `awsmon-tui notifier status`), or logs may lag"
    );
    loop {
        match find(aws, cfg, &group, event_id, start_ms).await {
            Ok(Some(seen)) => return Confirmation::Seen(seen),
            Ok(None) => {}
            Err(e) => {
                why = if e.code.as_deref() == Some("ResourceNotFoundException") {
                    format!("the log group {group} does not exist: is the notifier deployed?")
                } else {
                    format!("cannot read {group}: {e}")
                };
                if e.kind == crate::aws::AwsErrorKind::AccessDenied {
                    break;
                }
            }
        }
        let left = timeout.saturating_sub(started.elapsed());
        if left.is_zero() {
            break;
        }
        tokio::time::sleep(poll.min(left)).await;
    }
    Confirmation::NotSeen {
        waited: started.elapsed(),
        why,
    }
}

async fn find(
    aws: &Aws,
    cfg: &Config,
    group: &str,
    event_id: &str,
    start_ms: i64,
) -> Result<Option<LoggedEvent>, AwsError> {
    let mut pages = aws
        .logs(cfg.home_region())
        .filter_log_events()
        .log_group_name(group)
        .filter_pattern(format!("\"{event_id}\""))
        .start_time(start_ms)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::classify("logs:FilterLogEvents", &e))?;
        for e in page.events() {
            if let Some(seen) = e.message().and_then(LoggedEvent::parse)
                && seen.id == event_id
            {
                return Ok(Some(seen));
            }
        }
    }
    Ok(None)
}
