//! De-duplication over time, decided from the state item a finding left (the store itself,
//! DynamoDB, is in `state_store.rs`, Lambda-only). GuardDuty re-publishes a finding as its
//! count grows, and Lambda and EventBridge deliver at least once; within DEDUPE_HOURS of a
//! message, a finding is sent again only when its severity band rose ("escalated").
//!
//! One item per finding (by its own id, or the event's for kinds without one):
//! - `claim_event`, `claim_band`, `lease_until`: an invocation is sending it now (the lease
//!   ends with that invocation's deadline, so a crashed one does not block the retry);
//! - `sent_band`, `sent_at`, `last_event`: the last message that reached Slack;
//! - `updates`, `last_update`: updates folded into it since (not sent);
//! - `window_end`: the window's end;
//! - `expires_at`: the table's TTL attribute, no earlier than a day after the message so the
//!   daily digest still finds it ([`KEEP_SECS`]).

use serde_json::Value;

use crate::pipeline::Prepared;
use crate::slack::Message;

/// The state table's name in the function's environment; without it nothing is de-duplicated.
pub const STATE_TABLE_ENV: &str = "AWSMON_STATE_TABLE";
/// DEDUPE_HOURS when config.yml does not set it.
pub const DEFAULT_HOURS: u32 = 24;
/// How long a sent finding's item is kept at least (past its window): the daily digest reads
/// the last 24 hours' messages from the table, and TTL must not take them first.
pub const KEEP_SECS: i64 = 26 * 3600;

/// The state item's key for `p`: its route, account, region and id (the finding's own id,
/// else the event's), so the same finding from two accounts or regions is two items.
pub fn key(p: &Prepared) -> String {
    format!("{}#{}#{}#{}", p.service_name(), p.account, p.region, p.id)
}

const BANDS: [&str; 5] = ["UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL"];

/// A severity label's band (its first word: "High 8.0" is HIGH): 1 LOW to 4 CRITICAL, 0 for
/// anything else (Config changes, budgets).
pub fn band(severity: Option<&str>) -> u8 {
    let word = severity
        .and_then(|s| s.split_whitespace().next())
        .unwrap_or_default()
        .to_ascii_uppercase();
    match word.as_str() {
        "LOW" => 1,
        "MEDIUM" => 2,
        "HIGH" => 3,
        "CRITICAL" => 4,
        _ => 0,
    }
}

pub fn band_name(band: u8) -> &'static str {
    BANDS.get(usize::from(band)).copied().unwrap_or("UNKNOWN")
}

/// The item as a claim found it (absent attributes are `None`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Item {
    pub sent_band: Option<u8>,
    pub sent_at: Option<i64>,
    pub window_end: Option<i64>,
    pub lease_until: Option<i64>,
    pub claim_event: Option<String>,
    pub last_event: Option<String>,
    pub last_update: Option<String>,
    pub updates: u64,
}

impl Item {
    /// Whether a message sent within the window stands (sent, and the window not over).
    pub fn sent_within(&self, now: i64) -> bool {
        self.sent_band.is_some() && self.window_end.is_some_and(|e| e >= now)
    }

    /// Whether the conditional claim would take this item at `band`: no live lease, and
    /// nothing sent in the window at this band or above. The store's condition expression
    /// says the same; this is what its refusal is read with.
    pub fn claimable(&self, band: u8, now: i64) -> bool {
        let leased = self.lease_until.is_some_and(|l| l >= now);
        let covered = self.sent_within(now) && self.sent_band.is_some_and(|b| b >= band);
        !leased && !covered
    }
}

/// What the state says about an event that is to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing sent in the window: send.
    Fresh,
    /// Sent in the window at a lower band: send, marked escalated.
    Escalated { from: u8 },
    /// Sent in the window at this band or above: drop. `repeat`: this very event was seen
    /// before (a retried invocation or a duplicate delivery), so it is not counted again.
    Duplicate {
        sent_at: i64,
        updates: u64,
        repeat: bool,
    },
    /// Another invocation is sending it now (a duplicate delivery in flight): drop.
    InFlight,
}

/// The verdict once the claim succeeded, from the item as it was before.
pub fn claimed(before: Option<&Item>, now: i64) -> Verdict {
    match before {
        Some(item) if item.sent_within(now) => Verdict::Escalated {
            from: item.sent_band.unwrap_or(0),
        },
        _ => Verdict::Fresh,
    }
}

/// The verdict once the claim was refused, from the item that refused it.
pub fn refused(item: &Item, event_id: &str, now: i64) -> Verdict {
    if item.lease_until.is_some_and(|l| l >= now) && !item.sent_within(now) {
        return Verdict::InFlight;
    }
    let repeat = [&item.claim_event, &item.last_event, &item.last_update]
        .iter()
        .any(|e| e.as_deref() == Some(event_id));
    Verdict::Duplicate {
        sent_at: item.sent_at.unwrap_or_default(),
        updates: item.updates + u64::from(!repeat),
        repeat,
    }
}

/// How every drop reason of de-duplication starts (and no other drop reason does).
pub const REASON_PREFIX: &str = "duplicate: sent ";

/// The drop reason a de-duplicated event is logged and previewed with.
pub fn reason(verdict: &Verdict, hours: u32) -> Option<String> {
    match verdict {
        Verdict::Duplicate {
            sent_at,
            updates,
            repeat,
        } => Some(format!(
            "{REASON_PREFIX}{} (DEDUPE_HOURS {hours}); {}",
            crate::time::utc_of_epoch(*sent_at),
            if *repeat {
                "this event was seen already".to_string()
            } else {
                format!(
                    "{updates} update{} folded in",
                    if *updates == 1 { "" } else { "s" }
                )
            }
        )),
        Verdict::InFlight => Some(format!("{REASON_PREFIX}by another invocation just now")),
        Verdict::Fresh | Verdict::Escalated { .. } => None,
    }
}

/// `message` marked as an escalation from band `from` to `to`: the notification text and the
/// header say so first.
pub fn escalate(message: &Message, from: u8, to: u8) -> Message {
    let mark = format!("Escalated {} → {}", band_name(from), band_name(to));
    let mut v = message.value().clone();
    if let Some(text) = v.get("text").and_then(Value::as_str) {
        // A mention (`<!here> `) stays first so it still notifies.
        let (mention, rest) = match text.split_once("> ") {
            Some((m, r)) if m.starts_with("<!") => (format!("{m}> "), r),
            _ => (String::new(), text),
        };
        let marked = format!("{mention}{mark} · {rest}");
        v["text"] = Value::from(crate::slack::truncate(&marked, crate::slack::TEXT_MAX));
    }
    if let Some(header) = v
        .pointer_mut("/attachments/0/blocks/0/text/text")
        .filter(|_| {
            message
                .value()
                .pointer("/attachments/0/blocks/0/type")
                .and_then(Value::as_str)
                == Some("header")
        })
    {
        let marked = format!("{mark} · {}", header.as_str().unwrap_or_default());
        *header = Value::from(crate::slack::truncate(&marked, crate::slack::HEADER_MAX));
    }
    Message::from_value(&v)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_795_500_000;

    fn sent(band: u8) -> Item {
        Item {
            sent_band: Some(band),
            sent_at: Some(NOW - 3600),
            window_end: Some(NOW + 3600),
            last_event: Some("ev-1".into()),
            ..Item::default()
        }
    }

    #[test]
    fn bands_read_the_first_word() {
        assert_eq!(
            [
                band(Some("High 8.0")),
                band(Some("CRITICAL")),
                band(Some("low")),
                band(None),
                band(Some("ERROR"))
            ],
            [3, 4, 1, 0, 0]
        );
    }

    #[test]
    fn a_claim_on_nothing_or_an_expired_window_is_fresh() {
        assert_eq!(claimed(None, NOW), Verdict::Fresh);
        let mut old = sent(3);
        old.window_end = Some(NOW - 1);
        assert_eq!(claimed(Some(&old), NOW), Verdict::Fresh);
        assert!(old.claimable(1, NOW));
        assert_eq!(claimed(Some(&sent(2)), NOW), Verdict::Escalated { from: 2 });
    }

    #[test]
    fn a_refusal_counts_updates_but_not_repeats() {
        let item = sent(3);
        assert!(!item.claimable(3, NOW) && item.claimable(4, NOW));
        assert_eq!(
            refused(&item, "ev-2", NOW),
            Verdict::Duplicate {
                sent_at: NOW - 3600,
                updates: 1,
                repeat: false
            }
        );
        assert_eq!(
            refused(&item, "ev-1", NOW),
            Verdict::Duplicate {
                sent_at: NOW - 3600,
                updates: 0,
                repeat: true
            }
        );
        let leased = Item {
            lease_until: Some(NOW + 60),
            claim_event: Some("ev-9".into()),
            ..Item::default()
        };
        assert_eq!(refused(&leased, "ev-9", NOW), Verdict::InFlight);
        assert_eq!(
            reason(&refused(&item, "ev-2", NOW), 24).as_deref(),
            Some("duplicate: sent 2026-11-24T05:00:00Z (DEDUPE_HOURS 24); 1 update folded in")
        );
    }

    #[test]
    fn an_escalation_says_so_first_and_keeps_the_mention() {
        let msg = crate::slack::Card {
            colour: "#d00000",
            mention: Some(crate::decide::Mention::Here),
            summary: "GuardDuty HIGH: something".into(),
            header: "Something happened".into(),
            ..crate::slack::Card::default()
        }
        .to_message();
        let up = escalate(&msg, 2, 3);
        assert_eq!(
            up.value()["text"],
            "<!here> Escalated MEDIUM → HIGH · GuardDuty HIGH: something"
        );
        assert_eq!(
            up.value()
                .pointer("/attachments/0/blocks/0/text/text")
                .and_then(Value::as_str),
            Some("Escalated MEDIUM → HIGH · Something happened")
        );
    }
}
