//! Recent findings from every region, as the events the notifier would receive, each run
//! through the notifier's own pipeline so the console shows exactly what Slack would get.
//! The same fetch backs `awsmon-tui findings` and the console's findings screen.

pub mod samples;

// Each service's fetch lives with it (`src/services/<svc>/recent.rs`); the budget's spend
// stays reachable here for the console's budget editor.
pub use crate::services::budget::recent as budget;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use awsmon_notifier::{Prepared, Service, Settings};
use serde_json::Value;
use tokio::sync::Semaphore;

use crate::aws::Aws;
use crate::config::Config;
use crate::services::{self, Cx};

/// Where a finding came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Read from the account just now.
    Live,
    /// One of the notifier's sample events, built into the binary.
    Sample,
}

/// What the list needs about a finding: the notifier's reading of it, without the message.
#[derive(Debug, Clone)]
pub struct Summary {
    /// A service name, `default`, or `unknown`.
    pub service: &'static str,
    pub region: String,
    pub id: String,
    pub time: String,
    pub severity: Option<String>,
    pub title: String,
    pub send: bool,
    /// The mention when sent, the reason when dropped.
    pub reason: String,
    /// Where the notifier keeps its de-duplication record of this finding.
    pub state_key: String,
}

/// One finding. Thousands may be loaded, so only compact JSON and a summary are kept; the
/// Slack message is made again (the notifier's pipeline, ~20 µs) when one is shown.
#[derive(Debug, Clone)]
pub struct Finding {
    pub origin: Origin,
    /// The event as the notifier would receive it, as compact JSON.
    pub event: Box<str>,
    pub summary: Summary,
    /// For sorting: higher is more severe.
    pub rank: f64,
    /// What the deployed notifier recorded: when it sent this finding and how many updates it
    /// folded into that message since; `None` when it has no record (not sent, or no state).
    pub delivered: Option<crate::notifier::state::Delivered>,
}

/// Samples are marked as samples and never mention anyone; live findings go as they are.
fn prepare_as(origin: Origin, event: &Value, settings: &Settings) -> Vec<Prepared> {
    if origin == Origin::Sample {
        awsmon_notifier::prepare_sample(event, settings)
    } else {
        awsmon_notifier::prepare(event, settings)
    }
}

impl Finding {
    /// Runs `event` through the notifier's pipeline; `None` when it yields nothing.
    pub fn from_event(origin: Origin, event: &Value, settings: &Settings) -> Option<Finding> {
        let prepared = prepare_as(origin, event, settings).into_iter().next()?;
        let rank = rank(prepared.severity.as_deref());
        let (send, reason) = match &prepared.decision {
            awsmon_notifier::Decision::Send { mention } => {
                (true, format!("mention {}", mention.as_str()))
            }
            awsmon_notifier::Decision::Drop { reason } => (false, reason.clone()),
        };
        let state_key = awsmon_notifier::dedupe::key(&prepared);
        Some(Finding {
            origin,
            event: event.to_string().into_boxed_str(),
            delivered: None,
            summary: Summary {
                state_key,
                service: prepared.service_name(),
                region: prepared.region,
                id: prepared.id,
                time: prepared.time,
                severity: prepared.severity,
                title: prepared.title,
                send,
                reason,
            },
            rank,
        })
    }

    /// The event, parsed again.
    pub fn event(&self) -> Value {
        serde_json::from_str(&self.event).unwrap_or(Value::Null)
    }

    /// What the notifier makes of it under `settings`: decision, routes, the Slack message.
    pub fn prepare(&self, settings: &Settings) -> Option<Prepared> {
        prepare_as(self.origin, &self.event(), settings)
            .into_iter()
            .next()
    }

    pub fn service(&self) -> &'static str {
        self.summary.service
    }

    /// The `findings` CLI's JSON line.
    pub fn to_json(&self) -> Value {
        let s = &self.summary;
        serde_json::json!({
            "service": s.service,
            "region": s.region,
            "id": s.id,
            "time": s.time,
            "severity": s.severity,
            "title": s.title,
            "decision": if s.send { "send" } else { "drop" },
            "reason": s.reason,
            "sample": self.origin == Origin::Sample,
            "delivered": self.delivered.map(|d| serde_json::json!({
                "sent_at": awsmon_notifier::time::utc_of_epoch(d.sent_at),
                "severity_band": awsmon_notifier::dedupe::band_name(d.band),
                "updates_folded": d.updates,
            })),
        })
    }
}

/// Severity words across services on one scale.
pub fn rank(severity: Option<&str>) -> f64 {
    let Some(s) = severity else { return 0.0 };
    let word = s.split_whitespace().next().unwrap_or_default();
    let base = match word.to_ascii_uppercase().as_str() {
        "CRITICAL" => 4.0,
        "HIGH" | "ERROR" => 3.0,
        "MEDIUM" | "WARN" | "WARNING" => 2.0,
        "LOW" => 1.0,
        _ => 0.5,
    };
    // A numeric score after the word ("High 7.5") orders within the band.
    let score: f64 = s
        .split_whitespace()
        .nth(1)
        .and_then(|n| {
            n.trim_matches(|c: char| !c.is_ascii_digit() && c != '.')
                .parse()
                .ok()
        })
        .unwrap_or(0.0);
    base + score / 100.0
}

/// What to fetch.
#[derive(Debug, Clone)]
pub struct Request {
    pub regions: Vec<String>,
    pub services: Vec<Service>,
    pub since: Duration,
    pub concurrency: usize,
}

/// The findings, and what could not be read (one line per service and region).
#[derive(Debug, Default)]
pub struct Fetched {
    pub findings: Vec<Finding>,
    pub errors: Vec<String>,
}

/// Epoch milliseconds `since` ago.
fn since_ms(since: Duration) -> i64 {
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(now.saturating_sub(since).as_millis()).unwrap_or(0)
}

/// Fetches every page from every region at once (bounded), newest first.
pub async fn fetch(aws: &Aws, cfg: &Config, account: &str, req: &Request) -> Fetched {
    let limit = Arc::new(Semaphore::new(req.concurrency.max(1)));
    let since = since_ms(req.since);
    let mut jobs: Vec<(Service, String)> = Vec::new();
    for &service in &req.services {
        jobs.extend(
            services::places(service, cfg, &req.regions)
                .into_iter()
                .map(|r| (service, r)),
        );
    }
    let cx = Cx { aws, cfg, account };
    let runs = jobs.into_iter().map(|(service, region)| {
        let limit = limit.clone();
        async move {
            let _permit = limit.acquire().await;
            let events = services::ops(service).recent(cx, &region, since).await;
            (service, region, events)
        }
    });
    let mut out = Fetched::default();
    // The console decides again once it has the Organization's tree; until then, and in the
    // CLI, as far as the routing applies without it.
    let (settings, _) = crate::org::routing::offline(cfg, "findings");
    for (service, region, events) in futures::future::join_all(runs).await {
        match events {
            Ok(events) => out.findings.extend(
                events
                    .into_iter()
                    .filter_map(|e| Finding::from_event(Origin::Live, &e, &settings)),
            ),
            Err(e) => out
                .errors
                .push(format!("{} in {region}: {e}", service.display_name())),
        }
    }
    out.findings
        .sort_by(|a, b| b.summary.time.cmp(&a.summary.time));
    if !out.findings.is_empty() {
        let keys: Vec<String> = out
            .findings
            .iter()
            .map(|f| f.summary.state_key.clone())
            .collect();
        // Boxed: the SDK's futures are large, and this one would sit on every caller's stack.
        match Box::pin(crate::notifier::state::lookup(aws, cfg, &keys)).await {
            Ok(Some(records)) => {
                for f in &mut out.findings {
                    f.delivered = records.get(&f.summary.state_key).copied();
                }
            }
            // No table: the notifier is not deployed here, or predates de-duplication.
            Ok(None) => {}
            Err(e) => out.errors.push(format!("the notifier's state: {e}")),
        }
    }
    out
}

/// An EventBridge envelope around a service's finding, as the bus delivers it.
pub(crate) fn envelope(
    (source, detail_type): (&str, &str),
    id: &str,
    region: &str,
    account: &str,
    time: &str,
    detail: &Value,
) -> Value {
    serde_json::json!({
        "version": "0",
        "id": format!("awsmon-fetched-{id}"),
        "detail-type": detail_type,
        "source": source,
        "account": account,
        "time": time,
        "region": region,
        "resources": [],
        "detail": detail,
    })
}

pub(crate) fn datetime(t: Option<&aws_smithy_types::DateTime>) -> Option<String> {
    t.map(crate::text::iso_time)
}

/// Parses "24h", "90m", "7d" or seconds.
pub fn parse_since(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: u64 = num
        .parse()
        .map_err(|_| format!("{s:?} is not a duration like 24h, 90m or 7d"))?;
    let secs = match unit {
        "" => {
            return Err(format!("{s:?} has no unit: write {n}h, {n}d, {n}m or {n}s"));
        }
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        _ => return Err(format!("{s:?}: the unit must be s, m, h or d")),
    };
    Ok(Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_order_across_services() {
        let mut words = [
            "LOW", "Critical", "High 7.5", "High 8.9", "WARN", "ERROR", "MEDIUM",
        ];
        words.sort_by(|a, b| rank(Some(b)).total_cmp(&rank(Some(a))));
        assert_eq!(
            words,
            [
                "Critical", "High 8.9", "High 7.5", "ERROR", "WARN", "MEDIUM", "LOW"
            ]
        );
    }

    #[test]
    fn durations_read_like_people_write_them() {
        assert_eq!(parse_since("24h"), Ok(Duration::from_hours(24)));
        assert_eq!(parse_since("90m"), Ok(Duration::from_mins(90)));
        assert_eq!(parse_since("7d"), Ok(Duration::from_hours(168)));
        assert_eq!(
            parse_since("1w"),
            Err("\"1w\": the unit must be s, m, h or d".to_string())
        );
        // A bare number is refused: 3 could mean days as easily as seconds.
        assert_eq!(
            parse_since("3"),
            Err("\"3\" has no unit: write 3h, 3d, 3m or 3s".to_string())
        );
    }
}
