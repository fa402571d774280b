//! The notifier's state table in DynamoDB (the hub's, on-demand, encrypted, TTL on
//! `expires_at`): each event to send is claimed with one conditional UpdateItem before it is
//! posted, then marked sent or released. The verdicts are [`crate::dedupe`]'s; this file only
//! speaks DynamoDB. Attribute names all hold an underscore, so none is a reserved word.

use std::collections::HashMap;

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, ReturnValuesOnConditionCheckFailure};

use crate::dedupe::{self, Item, Verdict};
use crate::pipeline::Prepared;

type Attrs = HashMap<String, AttributeValue>;

/// One event's claim: what was decided and what settles it after delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub key: String,
    pub event_id: String,
    pub band: u8,
    pub verdict: Verdict,
}

pub struct StateStore {
    pub table: String,
    client: aws_sdk_dynamodb::Client,
}

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_string())
}

fn n(v: &impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

fn item_of(attrs: &Attrs) -> Item {
    let num = |k: &str| {
        attrs
            .get(k)
            .and_then(|v| v.as_n().ok())
            .and_then(|v| v.parse::<i64>().ok())
    };
    let text = |k: &str| attrs.get(k).and_then(|v| v.as_s().ok()).cloned();
    Item {
        sent_band: num("sent_band").and_then(|b| u8::try_from(b).ok()),
        sent_at: num("sent_at"),
        // Items written before the window had its own attribute: their TTL was its end.
        window_end: num("window_end").or_else(|| num("expires_at")),
        lease_until: num("lease_until"),
        claim_event: text("claim_event"),
        last_event: text("last_event"),
        last_update: text("last_update"),
        updates: num("update_count")
            .and_then(|c| u64::try_from(c).ok())
            .unwrap_or(0),
    }
}

/// An item's strings and numbers as text (what [`crate::digest`] reads).
fn texts(item: &Attrs) -> crate::digest::Attrs {
    item.iter()
        .filter_map(|(k, v)| match v {
            AttributeValue::S(s) | AttributeValue::N(s) => Some((k.clone(), s.clone())),
            _ => None,
        })
        .collect()
}

/// Why the state could not be read: callers tell a missing table (the notifier not deployed,
/// or older than its state) from a failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    NoTable,
    Failed(String),
}

impl ReadError {
    fn of<E: std::error::Error + aws_sdk_dynamodb::error::ProvideErrorMetadata + 'static>(
        op: &str,
        e: &SdkError<E, impl std::fmt::Debug>,
    ) -> Self {
        match e.as_service_error() {
            Some(se) if se.code() == Some("ResourceNotFoundException") => ReadError::NoTable,
            _ => ReadError::Failed(error_text(op, e)),
        }
    }
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::NoTable => f.write_str(
                "the notifier's state table does not exist (deploy the notifier: awsmon-tui deploy notifier)",
            ),
            ReadError::Failed(why) => f.write_str(why),
        }
    }
}

fn error_text(
    op: &str,
    e: &SdkError<impl std::error::Error + 'static, impl std::fmt::Debug>,
) -> String {
    format!(
        "dynamodb:{op}: {}",
        aws_sdk_dynamodb::error::DisplayErrorContext(e)
    )
}

impl StateStore {
    pub fn new(table: &str, client: aws_sdk_dynamodb::Client) -> Self {
        StateStore {
            table: table.to_string(),
            client,
        }
    }

    fn key(key: &str) -> Attrs {
        HashMap::from([("finding_key".to_string(), s(key))])
    }

    /// Claims `p` for this invocation until `lease_until` (epoch seconds), or finds why not.
    /// The condition: no live lease, and nothing sent in the window at this band or above.
    pub async fn claim(
        &self,
        p: &Prepared,
        now: i64,
        lease_until: i64,
        window_secs: i64,
    ) -> Result<Claim, String> {
        let key = dedupe::key(p);
        let band = dedupe::band(p.severity.as_deref());
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(Self::key(&key)))
            .update_expression(
                "SET claim_event = :ev, claim_band = :band, lease_until = :lease, last_seen = :now, \
                 first_seen = if_not_exists(first_seen, :now), \
                 expires_at = if_not_exists(expires_at, :exp), \
                 svc_name = :svc, finding_title = :title, finding_severity = :sev, \
                 aws_region = :region, aws_account = :account, finding_link = :link, \
                 finding_kind = :kind",
            )
            .condition_expression(
                "(attribute_not_exists(lease_until) OR lease_until < :now) AND \
                 (attribute_not_exists(sent_band) OR window_end < :now OR sent_band < :band OR \
                  (attribute_not_exists(window_end) AND expires_at < :now))",
            )
            .expression_attribute_values(":ev", s(&p.event_id))
            .expression_attribute_values(":band", n(&band))
            .expression_attribute_values(":lease", n(&lease_until))
            .expression_attribute_values(":now", n(&now))
            .expression_attribute_values(":exp", n(&(now + window_secs)))
            .expression_attribute_values(":svc", s(p.service_name()))
            .expression_attribute_values(":title", s(&p.title))
            .expression_attribute_values(":sev", s(p.severity.as_deref().unwrap_or("")))
            .expression_attribute_values(":region", s(&p.region))
            .expression_attribute_values(":account", s(&p.account))
            .expression_attribute_values(":link", s(p.link.as_deref().unwrap_or_default()))
            .expression_attribute_values(":kind", s(&p.kind))
            .return_values(ReturnValue::AllOld)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        let verdict = match out {
            Ok(out) => dedupe::claimed(out.attributes().map(item_of).as_ref(), now),
            Err(SdkError::ServiceError(e))
                if matches!(e.err(), UpdateItemError::ConditionalCheckFailedException(_)) =>
            {
                let UpdateItemError::ConditionalCheckFailedException(refusal) = e.err() else {
                    unreachable!("matched above")
                };
                let item = refusal.item().map(item_of).unwrap_or_default();
                let verdict = dedupe::refused(&item, &p.event_id, now);
                if let Verdict::Duplicate { repeat: false, .. } = verdict {
                    self.fold(&key, &p.event_id, now).await;
                }
                verdict
            }
            Err(e) => return Err(error_text("UpdateItem", &e)),
        };
        Ok(Claim {
            key,
            event_id: p.event_id.clone(),
            band,
            verdict,
        })
    }

    /// Counts an update folded into the message already sent (once per event id).
    async fn fold(&self, key: &str, event_id: &str, now: i64) {
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(Self::key(key)))
            .update_expression("ADD update_count :one SET last_update = :ev, last_seen = :now")
            .condition_expression("attribute_not_exists(last_update) OR last_update <> :ev")
            .expression_attribute_values(":one", n(&1))
            .expression_attribute_values(":ev", s(event_id))
            .expression_attribute_values(":now", n(&now))
            .send()
            .await;
        if let Err(e) = out
            && !matches!(
                e.as_service_error(),
                Some(UpdateItemError::ConditionalCheckFailedException(_))
            )
        {
            tracing::warn!(error = %error_text("UpdateItem", &e), "could not count a folded update");
        }
    }

    /// The claimed message reached Slack: the window starts now. An escalation keeps the
    /// count of updates folded so far; a fresh message starts it again.
    pub async fn sent(&self, claim: &Claim, now: i64, window_secs: i64) -> Result<(), String> {
        let reset = if matches!(claim.verdict, Verdict::Fresh) {
            ", update_count = :zero"
        } else {
            ""
        };
        let mut req = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(Self::key(&claim.key)))
            .update_expression(format!(
                "SET sent_band = :band, sent_at = :now, window_end = :end, expires_at = :exp, \
                 last_event = :ev{reset} \
                 REMOVE lease_until, claim_event, claim_band"
            ))
            .condition_expression("claim_event = :ev")
            .expression_attribute_values(":band", n(&claim.band))
            .expression_attribute_values(":now", n(&now))
            // Without a window (DEDUPE_HOURS 0) it has ended already: the next update is sent.
            .expression_attribute_values(
                ":end",
                n(&if window_secs > 0 {
                    now + window_secs
                } else {
                    now - 1
                }),
            )
            .expression_attribute_values(":exp", n(&(now + window_secs.max(dedupe::KEEP_SECS))))
            .expression_attribute_values(":ev", s(&claim.event_id));
        if !reset.is_empty() {
            req = req.expression_attribute_values(":zero", n(&0));
        }
        req.send()
            .await
            .map(|_| ())
            .map_err(|e| error_text("UpdateItem", &e))
    }

    /// Adds `counts` (tally attribute → events) to the hour's tally item, kept eight days so
    /// the console can show each rule's matches over the last seven and the digest the day's.
    /// One UpdateItem; the names are [`crate::digest`]'s (letters, digits and underscores,
    /// never a reserved word).
    pub async fn tally(&self, counts: &[(String, u64)], now: i64) -> Result<(), String> {
        if counts.is_empty() {
            return Ok(());
        }
        let adds: Vec<String> = (0..counts.len()).map(|i| format!("#a{i} :a{i}")).collect();
        let mut req = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(Self::key(&crate::digest::tally_key(now))))
            .update_expression(format!("ADD {} SET expires_at = :exp", adds.join(", ")))
            .expression_attribute_values(":exp", n(&(now + 8 * 86_400)));
        for (i, (name, count)) in counts.iter().enumerate() {
            req = req
                .expression_attribute_names(format!("#a{i}"), name)
                .expression_attribute_values(format!(":a{i}"), n(count));
        }
        req.send()
            .await
            .map(|_| ())
            .map_err(|e| error_text("UpdateItem", &e))
    }

    /// What the digest at `now` reads: the messages of the last 24 hours, and this hour's and
    /// the 24 before's tallies (yesterday's digest hour is read again: only its first minutes
    /// were in yesterday's digest, and counting those twice loses nothing).
    pub async fn digest_input(
        &self,
        now: i64,
    ) -> Result<(Vec<crate::digest::Record>, crate::digest::Tally), ReadError> {
        let (sent, all_sent) = self.sent_since(now - crate::digest::WINDOW_SECS).await?;
        let (tallies, all_tallies) = self.tallies(now, 25).await?;
        let records = sent
            .iter()
            .filter_map(crate::digest::Record::from_attrs)
            .collect();
        let mut tally = crate::digest::Tally {
            incomplete: !(all_sent && all_tallies),
            ..crate::digest::Tally::default()
        };
        for t in &tallies {
            tally.add(t);
        }
        Ok((records, tally))
    }

    /// Every item holding a message sent after `since`, as text (the digest's reading). A
    /// Scan, filtered: the table holds only what TTL has not taken (a few days). At most 50
    /// pages.
    /// `true` with them when every page was read.
    pub async fn sent_since(
        &self,
        since: i64,
    ) -> Result<(Vec<crate::digest::Attrs>, bool), ReadError> {
        let mut sent = Vec::new();
        let mut start: Option<Attrs> = None;
        let mut complete = false;
        for _ in 0..50 {
            let out = self
                .client
                .scan()
                .table_name(&self.table)
                .filter_expression("sent_at > :since")
                .expression_attribute_values(":since", n(&since))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| ReadError::of("Scan", &e))?;
            sent.extend(out.items().iter().map(texts));
            match out.last_evaluated_key() {
                Some(k) if !k.is_empty() => start = Some(k.clone()),
                _ => {
                    complete = true;
                    break;
                }
            }
        }
        Ok((sent, complete))
    }

    /// The tally items of the `hours` hours up to `now`'s, as text (those with nothing kept
    /// quiet do not exist). BatchGetItem, 100 keys a call, unprocessed keys asked again;
    /// `true` with them when none was left unread.
    pub async fn tallies(
        &self,
        now: i64,
        hours: i64,
    ) -> Result<(Vec<crate::digest::Attrs>, bool), ReadError> {
        let keys = crate::digest::tally_keys(now, hours);
        let mut out = Vec::new();
        let mut complete = true;
        for chunk in keys.chunks(100) {
            let mut pending: Vec<Attrs> = chunk.iter().map(|k| Self::key(k)).collect();
            for _ in 0..3 {
                if pending.is_empty() {
                    break;
                }
                let request = aws_sdk_dynamodb::types::KeysAndAttributes::builder()
                    .set_keys(Some(std::mem::take(&mut pending)))
                    .build()
                    .map_err(|e| ReadError::Failed(format!("dynamodb:BatchGetItem: {e}")))?;
                let reply = self
                    .client
                    .batch_get_item()
                    .request_items(&self.table, request)
                    .send()
                    .await
                    .map_err(|e| ReadError::of("BatchGetItem", &e))?;
                if let Some(items) = reply.responses().and_then(|r| r.get(&self.table)) {
                    out.extend(items.iter().map(texts));
                }
                pending = reply
                    .unprocessed_keys()
                    .and_then(|u| u.get(&self.table))
                    .map(|k| k.keys().to_vec())
                    .unwrap_or_default();
                if !pending.is_empty() {
                    // Throttled: a moment before asking again.
                    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                }
            }
            complete &= pending.is_empty();
        }
        Ok((out, complete))
    }

    /// The claimed message did not reach Slack: the claim goes, so Lambda's retry sends it.
    pub async fn release(&self, claim: &Claim) -> Result<(), String> {
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(Self::key(&claim.key)))
            .update_expression("REMOVE lease_until, claim_event, claim_band")
            .condition_expression("claim_event = :ev")
            .expression_attribute_values(":ev", s(&claim.event_id))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| error_text("UpdateItem", &e))
    }
}
