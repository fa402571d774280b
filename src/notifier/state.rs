//! What the deployed notifier recorded about each finding in its de-duplication table: when
//! the message went out, at which severity band, and how many updates were folded into it
//! since. Read with BatchGetItem (100 keys a call), by the keys the notifier writes.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes};

use awsmon_notifier::digest::{Digest, Tally};
use awsmon_notifier::state_store::{ReadError, StateStore};
use awsmon_notifier::time::epoch_now;

use crate::aws::{Aws, AwsError};
use crate::config::Config;
use crate::naming;

/// One finding's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivered {
    /// Epoch seconds of the last message sent.
    pub sent_at: i64,
    /// The severity band of that message (`awsmon_notifier::dedupe::band`).
    pub band: u8,
    /// Updates folded into it since (not sent).
    pub updates: u64,
}

impl Delivered {
    /// "sent 2026-12-05T10:00:00Z (HIGH); 3 updates folded in".
    pub fn describe(&self) -> String {
        let band = match self.band {
            0 => String::new(),
            b => format!(" ({})", awsmon_notifier::dedupe::band_name(b)),
        };
        let folded = match self.updates {
            0 => "no updates since".to_string(),
            1 => "1 update folded in".to_string(),
            n => format!("{n} updates folded in"),
        };
        format!(
            "sent {}{band}; {folded}",
            awsmon_notifier::time::utc_of_epoch(self.sent_at)
        )
    }
}

fn number(item: &HashMap<String, AttributeValue>, key: &str) -> Option<i64> {
    item.get(key)?.as_n().ok()?.parse().ok()
}

type Item = HashMap<String, AttributeValue>;

/// The items of `keys` (projected), 100 keys a call, unprocessed keys asked for again a few
/// times. `Ok(None)` when there is no table (the notifier is not deployed, or predates its
/// state).
async fn batch_get(
    aws: &Aws,
    cfg: &Config,
    keys: &[String],
    projection: &str,
) -> Result<Option<Vec<Item>>, AwsError> {
    let table = naming::state_table(cfg);
    let client = aws.dynamodb(cfg.home_region());
    let mut unique: Vec<&String> = keys.iter().collect();
    unique.sort();
    unique.dedup();
    let mut out = Vec::new();
    for chunk in unique.chunks(100) {
        let mut pending: Vec<Item> = chunk
            .iter()
            .map(|k| HashMap::from([("finding_key".to_string(), AttributeValue::S((*k).clone()))]))
            .collect();
        for _ in 0..3 {
            if pending.is_empty() {
                break;
            }
            let request = KeysAndAttributes::builder()
                .set_keys(Some(std::mem::take(&mut pending)))
                .projection_expression(projection)
                .build()
                .map_err(|e| AwsError::other("dynamodb:BatchGetItem", e.to_string()))?;
            let reply = match client
                .batch_get_item()
                .request_items(&table, request)
                .send()
                .await
            {
                Ok(r) => r,
                Err(e) => {
                    let err = AwsError::classify("dynamodb:BatchGetItem", &e);
                    if err.code.as_deref() == Some("ResourceNotFoundException") {
                        return Ok(None);
                    }
                    return Err(err);
                }
            };
            out.extend(
                reply
                    .responses()
                    .and_then(|r| r.get(&table))
                    .into_iter()
                    .flatten()
                    .cloned(),
            );
            pending = reply
                .unprocessed_keys()
                .and_then(|u| u.get(&table))
                .map(|k| k.keys().to_vec())
                .unwrap_or_default();
        }
    }
    Ok(Some(out))
}

/// The records of `keys` that were sent. `Ok(None)` without a state table.
pub async fn lookup(
    aws: &Aws,
    cfg: &Config,
    keys: &[String],
) -> Result<Option<HashMap<String, Delivered>>, AwsError> {
    let Some(items) = batch_get(
        aws,
        cfg,
        keys,
        "finding_key, sent_at, sent_band, update_count",
    )
    .await?
    else {
        return Ok(None);
    };
    let mut out = HashMap::new();
    for item in &items {
        let key = item.get("finding_key").and_then(|v| v.as_s().ok());
        if let (Some(key), Some(sent_at)) = (key, number(item, "sent_at")) {
            out.insert(
                key.clone(),
                Delivered {
                    sent_at,
                    band: number(item, "sent_band")
                        .and_then(|b| u8::try_from(b).ok())
                        .unwrap_or(0),
                    updates: number(item, "update_count")
                        .and_then(|n| u64::try_from(n).ok())
                        .unwrap_or(0),
                },
            );
        }
    }
    Ok(Some(out))
}

fn store(aws: &Aws, cfg: &Config) -> StateStore {
    StateStore::new(&naming::state_table(cfg), aws.dynamodb(cfg.home_region()))
}

/// Each SUPPRESS rule's matches over the last seven days (168 hourly tallies), as the notifier
/// counted them; `Ok(None)` without a state table.
pub async fn suppress_matches(
    aws: &Aws,
    cfg: &Config,
    rules: &[awsmon_notifier::settings::Suppression],
) -> Result<Option<Vec<u64>>, String> {
    let items = match store(aws, cfg).tallies(epoch_now(), 7 * 24).await {
        Ok((items, _)) => items,
        Err(ReadError::NoTable) => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    let mut tally = Tally::default();
    for item in &items {
        tally.add(item);
    }
    Ok(Some(
        rules
            .iter()
            .map(|r| tally.rule_matches(&r.fingerprint()))
            .collect(),
    ))
}

/// The digest each route would receive now, built by the notifier's own code from what its
/// state table holds, with the routing as a push writes it.
///
/// # Errors
/// Without a state table (the notifier is not deployed), or when it or the routing cannot be
/// read.
pub async fn digest(aws: &Aws, cfg: &Config) -> Result<Vec<Digest>, String> {
    let settings = crate::deploy::engine::routing_settings(aws, cfg).await?;
    let now = epoch_now();
    let (records, tally) = store(aws, cfg)
        .digest_input(now)
        .await
        .map_err(|e| e.to_string())?;
    Ok(awsmon_notifier::digest::build(
        &records, &tally, &settings, now,
    ))
}

/// The digest preview: when it is sent, then each route's message as Slack shows it
/// (webhooks masked).
pub fn digest_text(cfg: &Config, digests: &[Digest]) -> String {
    use std::fmt::Write as _;
    let mut out = format!("schedule: {}\n", cfg.digest_when());
    if digests.is_empty() {
        out.push_str("\nno route has a webhook: nothing would be sent\n");
    }
    for d in digests {
        let hooks: Vec<String> = d
            .webhooks
            .iter()
            .map(awsmon_notifier::WebhookUrl::masked)
            .collect();
        let _ = writeln!(
            out,
            "\n── route {} → {} ({})",
            d.route,
            hooks.join(", "),
            crate::text::count(d.findings, "finding", "findings")
        );
        out.push_str(&crate::slack_view::to_text(d.message.value()));
        out.push('\n');
    }
    out
}

/// One JSON line per route for `notifier digest --json`: the route, its webhooks masked, the
/// findings counted and the exact payload.
pub fn digest_json(d: &Digest) -> serde_json::Value {
    serde_json::json!({
        "route": d.route,
        "webhooks": d.webhooks.iter().map(awsmon_notifier::WebhookUrl::masked).collect::<Vec<_>>(),
        "findings": d.findings,
        "payload": d.message.value(),
    })
}
