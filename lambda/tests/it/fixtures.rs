//! Every documented sample event through the whole pipeline: decision, routes and the exact
//! Slack JSON, snapshotted; and every payload within Slack's limits.

use crate::common;

use awsmon_notifier::prepare;
use awsmon_notifier::slack::limit_violations;

#[test]
fn every_fixture_matches_its_snapshot() {
    let fixtures = common::fixtures();
    assert_eq!(
        fixtures.len(),
        34,
        "tests/fixtures/README.md lists 34 fixtures"
    );
    let settings = common::settings();
    for (name, payload) in fixtures {
        let lines: Vec<serde_json::Value> = prepare(&payload, &settings)
            .iter()
            .map(awsmon_notifier::Prepared::to_json)
            .collect();
        let text = serde_json::to_string_pretty(&lines).expect("json");
        assert!(
            !text.contains("XXXXXXXX") && !text.contains("YYYYYYYY"),
            "{name}: a webhook URL leaked"
        );
        insta::assert_snapshot!(name.clone(), text);
    }
}

#[test]
fn every_payload_stays_within_slack_limits() {
    let settings = common::settings();
    for (name, payload) in common::fixtures() {
        for p in prepare(&payload, &settings) {
            if let Some(slack) = &p.payload {
                assert_eq!(limit_violations(slack), Vec::<String>::new(), "{name}");
            }
        }
    }
}

/// The decisions in brief, so a change in filtering shows here plainly.
#[test]
fn decisions_per_fixture() {
    let settings = common::settings();
    let mut got = Vec::new();
    for (name, payload) in common::fixtures() {
        for p in prepare(&payload, &settings) {
            let json = p.to_json();
            got.push(format!(
                "{name}: {} {} ({})",
                json["service"].as_str().unwrap_or("?"),
                json["decision"].as_str().unwrap_or("?"),
                json["reason"].as_str().unwrap_or("?")
            ));
        }
    }
    insta::assert_snapshot!("decisions", got.join("\n"));
}

/// A Config item for a global resource (IAM) says `"awsRegion": "global"`; the message shows
/// and links the region of the event (where the recorder is) instead.
#[test]
fn a_global_config_item_shows_and_links_the_event_region() {
    let event = common::fixture("config-global-iam-role");
    assert_eq!(
        event["detail"]["configurationItem"]["awsRegion"], "global",
        "the fixture is about a global resource"
    );
    let p = &prepare(&event, &common::settings())[0];
    assert_eq!(p.region, "eu-west-1");
    let slack = p.payload.as_ref().expect("payload");
    let text = serde_json::to_string(slack).expect("json");
    assert!(!text.contains("global.console"), "{text}");
    assert!(!text.contains("region=global"), "{text}");
    assert!(
        text.contains(
            "<https://eu-west-1.console.aws.amazon.com/config/home?region=eu-west-1#/resources/details?resourceId=AROAEXAMPLEROLEID0001&resourceType=AWS%3A%3AIAM%3A%3ARole|Open in AWS Config>"
        ),
        "{text}"
    );
    let blocks = slack["attachments"][0]["blocks"]
        .as_array()
        .expect("blocks");
    let context = blocks.last().expect("context")["elements"][0]["text"]
        .as_str()
        .expect("context text");
    assert_eq!(
        context,
        "account 123456789012  ·  eu-west-1  ·  2026-11-23T14:21:52Z"
    );
    let top = slack["text"].as_str().expect("text");
    assert!(
        top.contains("eu-west-1") && !top.contains("global"),
        "{top}"
    );
}

/// Org mode (issue 14): with account names in the routing, every kind's message names the
/// account by name and id; an account the routing does not name is shown by id alone, and
/// a name is escaped like any text.
#[test]
fn messages_name_the_account_when_the_routing_knows_it() {
    let context_of = |fixture: &str, settings: &awsmon_notifier::Settings| -> String {
        let p = &prepare(&common::fixture(fixture), settings)[0];
        let slack = p.payload.as_ref().expect("payload");
        let blocks = slack["attachments"][0]["blocks"]
            .as_array()
            .expect("blocks");
        blocks.last().expect("context")["elements"][0]["text"]
            .as_str()
            .expect("context text")
            .to_string()
    };
    let mut settings = common::settings();
    settings
        .accounts
        .insert("123456789012".into(), "prod-web <eu>".into());
    assert_eq!(
        context_of("config-global-iam-role", &settings),
        "account prod-web &lt;eu&gt; (123456789012)  ·  eu-west-1  ·  2026-11-23T14:21:52Z"
    );
    let mut named = 0;
    for (name, event) in common::fixtures() {
        let settings_for = |accounts: &[(&str, &str)]| {
            let mut s = common::settings();
            for (id, n) in accounts {
                s.accounts.insert((*id).to_string(), (*n).to_string());
            }
            s
        };
        let Some(account) = event["account"].as_str().map(str::to_string) else {
            continue;
        };
        let p = prepare(&event, &settings_for(&[(&account, "named-account")]));
        let Some(slack) = p.first().and_then(|p| p.payload.as_ref()) else {
            continue;
        };
        let text = serde_json::to_string(slack).expect("json");
        if text.contains(&format!("account {account}")) || text.contains("named-account") {
            assert!(
                text.contains(&format!("account named-account ({account})")),
                "{name}: {text}"
            );
            named += 1;
        }
    }
    assert!(named >= 10, "only {named} fixtures carried an account");
    settings.accounts.clear();
    settings
        .accounts
        .insert("999999999999".into(), "someone-else".into());
    assert_eq!(
        context_of("config-global-iam-role", &settings),
        "account 123456789012  ·  eu-west-1  ·  2026-11-23T14:21:52Z"
    );
}

/// Sentences of a Slack text: split at sentence ends and line breaks, trimmed, without a
/// final full stop, whitespace collapsed.
fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let end = c == '\n'
            || (matches!(c, '.' | '!' | '?') && chars.peek().is_none_or(|n| n.is_whitespace()));
        if !end {
            current.push(c);
        }
        if end || chars.peek().is_none() {
            let s = current.split_whitespace().collect::<Vec<_>>().join(" ");
            if !s.is_empty() {
                out.push(s);
            }
            current.clear();
        }
    }
    out
}

/// mrkdwn as read: each `<url|label>` is its label (a URL repeats nothing a reader sees).
fn link_labels(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('>') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let inner = &rest[open + 1..open + close];
        out.push_str(inner.split_once('|').map_or(inner, |(_, label)| label));
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

/// What a message shows: the header, then every section's text and field values, each as
/// (where, text).
fn shown(slack: &serde_json::Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let blocks = slack["attachments"][0]["blocks"]
        .as_array()
        .expect("blocks");
    for (i, b) in blocks.iter().enumerate() {
        match b["type"].as_str() {
            Some("header") => out.push((
                format!("header {i}"),
                b["text"]["text"].as_str().unwrap_or_default().to_string(),
            )),
            Some("section") => {
                if let Some(t) = b["text"]["text"].as_str() {
                    out.push((format!("section {i}"), link_labels(t)));
                }
                for (j, f) in b["fields"].as_array().into_iter().flatten().enumerate() {
                    let t = f["text"].as_str().unwrap_or_default();
                    // `*Label*\nvalue`: the value is what is said.
                    let value = t.split_once('\n').map_or(t, |(_, v)| v);
                    out.push((format!("section {i} field {j}"), value.to_string()));
                }
            }
            _ => {}
        }
    }
    out
}

/// Each message says each thing once: no sentence of 20 or more characters appears twice
/// across the header and the sections (the notification text, shown only in notifications,
/// may repeat the title), and no field repeats what the header or a paragraph says.
#[test]
fn no_message_repeats_a_sentence() {
    let settings = common::settings();
    let mut problems = Vec::new();
    for (name, payload) in common::fixtures() {
        for p in prepare(&payload, &settings) {
            let Some(slack) = &p.payload else { continue };
            let parts = shown(slack);
            let mut seen: Vec<(String, String)> = Vec::new();
            for (place, text) in &parts {
                for s in sentences(text) {
                    if s.chars().count() < 20 {
                        continue;
                    }
                    let key = s.to_lowercase();
                    if let Some((first, _)) = seen.iter().find(|(_, k)| *k == key) {
                        problems.push(format!("{name} {}: {s:?} in {first} and {place}", p.id));
                    } else {
                        seen.push((place.clone(), key));
                    }
                }
            }
            for (place, value) in parts.iter().filter(|(w, _)| w.contains("field")) {
                if value.chars().count() < 20 {
                    continue;
                }
                for (other, text) in parts.iter().filter(|(w, _)| !w.contains("field")) {
                    if text.contains(value.as_str()) {
                        problems.push(format!(
                            "{name} {}: {place} {value:?} repeats {other}",
                            p.id
                        ));
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The security review's finding: anyone in the account can put an `awsmon.test` event on the
/// bus. Whatever it carries, the notifier's test message mentions nobody.
#[test]
fn a_forged_test_event_never_mentions_anyone() {
    let detail = serde_json::json!({
        "route": "default",
        "note": "<!channel> <!here> <@U123> urgent",
        "mention": "channel",
        "requestedBy": "<!everyone>",
    });
    let event = awsmon_notifier::event::test_event(
        &detail,
        "us-east-1",
        "123456789012",
        "2026-12-01T00:00:00Z",
    );
    let prepared = awsmon_notifier::prepare(&event, &common::settings());
    assert_eq!(prepared.len(), 1);
    assert_eq!(
        prepared[0].decision,
        awsmon_notifier::Decision::Send {
            mention: awsmon_notifier::Mention::None
        }
    );
    let text = prepared[0].payload.as_ref().expect("payload").to_string();
    for ping in ["<!channel>", "<!here>", "<@U123>", "<!everyone>"] {
        assert!(!text.contains(ping), "{ping} in {text}");
    }
}

/// The message is written straight to bytes, and those are the bytes of the same message as a
/// JSON value (what was posted before); the preview line written straight out is `to_json`'s.
#[test]
fn messages_are_serialised_straight_to_the_same_bytes() {
    let settings = common::settings();
    for (name, payload) in common::fixtures() {
        for p in prepare(&payload, &settings) {
            if let Some(m) = &p.payload {
                let value = serde_json::to_vec(m.value()).expect("json");
                assert_eq!(
                    String::from_utf8(m.to_bytes()).expect("utf8"),
                    String::from_utf8(value).expect("utf8"),
                    "{name}"
                );
            }
            let mut line = Vec::new();
            p.write_json(&mut line);
            assert_eq!(
                String::from_utf8(line).expect("utf8"),
                p.to_json().to_string(),
                "{name}"
            );
        }
    }
}

/// `prepare_reader` reads an array one element at a time, and `prepare_slice` cuts it from
/// memory; both give what `prepare` gives on the parsed value.
#[test]
fn a_streamed_payload_prepares_the_same_events() {
    let settings = common::settings();
    let all: Vec<serde_json::Value> = common::fixtures().into_iter().map(|(_, v)| v).collect();
    let mut payloads = vec![serde_json::Value::Array(all.clone())];
    payloads.extend(all);
    payloads.push(serde_json::json!([[1], null, "x", {"a": 1}]));
    payloads.push(serde_json::json!("just a string"));
    for payload in payloads {
        let text = serde_json::to_string_pretty(&payload).expect("json");
        let mut streamed = Vec::new();
        awsmon_notifier::prepare_reader(text.as_bytes(), &settings, |p| streamed.push(p))
            .expect("streamed");
        let mut sliced = Vec::new();
        awsmon_notifier::prepare_slice(text.as_bytes(), &settings, |p| sliced.push(p))
            .expect("sliced");
        assert_eq!(streamed, sliced, "{text}");
        let whole = prepare(&payload, &settings);
        assert_eq!(streamed.len(), whole.len(), "{text}");
        for (s, w) in streamed.iter().zip(&whole) {
            let (a, b) = (format!("{s:?}"), format!("{w:?}"));
            let at = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
            assert_eq!(
                s,
                w,
                "streamed {:?} whole {:?}",
                a.get(at.saturating_sub(80)..)
                    .unwrap_or_default()
                    .chars()
                    .take(200)
                    .collect::<String>(),
                b.get(at.saturating_sub(80)..)
                    .unwrap_or_default()
                    .chars()
                    .take(200)
                    .collect::<String>()
            );
        }
    }
    assert!(awsmon_notifier::prepare_reader(&b"[{}, "[..], &settings, |_| {}).is_err());
}

/// Every fixture, as its bytes, goes through the direct reader (not the serde fallback) and
/// gives the serde path's tree: the fast path is the one real events take.
#[test]
fn every_fixture_takes_the_direct_reader() {
    use awsmon_notifier::json::{Pruned, fast};
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut read = 0;
    for entry in std::fs::read_dir(dir).expect("fixtures") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read");
        let ours = fast::parse(&text)
            .unwrap_or_else(|| panic!("{} fell back to serde", path.display()))
            .to_value();
        let mut de = serde_json::Deserializer::from_str(&text);
        let theirs = serde::de::DeserializeSeed::deserialize(Pruned { whole: false }, &mut de)
            .expect("serde")
            .to_value();
        assert_eq!(ours, theirs, "{}", path.display());
        read += 1;
    }
    assert_eq!(read, 34);
}

/// AWS Health delivers an account-specific event to the region it concerns and again to a
/// backup region: both copies are one finding to de-duplication (same key), and the message
/// names the region the event is about, not the backup's.
#[test]
fn a_health_events_later_pages_are_not_sent_again() {
    let settings = common::settings();
    let mut paged = common::fixture("health-lambda-lifecycle-paged");
    paged["detail"]["page"] = serde_json::Value::from("2");
    match &prepare(&paged, &settings)[0].decision {
        awsmon_notifier::Decision::Drop { reason } => assert_eq!(
            reason,
            "page 2 of 10 of an AWS Health event: its first page's message links to every resource"
        ),
        other @ awsmon_notifier::Decision::Send { .. } => panic!("{other:?}"),
    }
}

#[test]
fn a_health_events_backup_copy_is_the_same_finding() {
    let settings = common::settings();
    let backup = common::fixture("health-backup-copy");
    let mut primary = backup.clone();
    primary["id"] = serde_json::Value::from("another-envelope-id");
    primary["region"] = serde_json::Value::from("us-east-1");
    primary["detail"]["backupEvent"] = serde_json::Value::from("false");
    let (b, p) = (
        &prepare(&backup, &settings)[0],
        &prepare(&primary, &settings)[0],
    );
    assert_eq!(b.region, "us-east-1");
    assert_eq!(
        awsmon_notifier::dedupe::key(b),
        awsmon_notifier::dedupe::key(p)
    );
    // Resolved later: a new message (its own key), not folded into the open one.
    let mut closed = primary.clone();
    closed["detail"]["statusCode"] = serde_json::Value::from("closed");
    let c = &prepare(&closed, &settings)[0];
    assert_ne!(
        awsmon_notifier::dedupe::key(c),
        awsmon_notifier::dedupe::key(p)
    );
    assert!(
        c.payload.as_ref().expect("payload")["text"]
            .as_str()
            .is_some_and(|t| t.starts_with("AWS Health issue (resolved): EC2 ")),
        "{:?}",
        c.payload
    );
}

/// A GuardDuty filter hides findings only when it archives them: a NOOP filter (a saved
/// search) is not monitoring turned off.
#[test]
fn only_an_archiving_filter_is_monitoring_turned_off() {
    let settings = common::settings();
    let mut filter = common::fixture("cloudtrail-guardduty-archive-filter");
    assert!(prepare(&filter, &settings)[0].decision.is_send());
    filter["detail"]["requestParameters"]["action"] = serde_json::Value::from("NOOP");
    match &prepare(&filter, &settings)[0].decision {
        awsmon_notifier::Decision::Drop { reason } => assert_eq!(
            reason,
            "a CloudTrail API call that does not turn a monitoring service off"
        ),
        other @ awsmon_notifier::Decision::Send { .. } => panic!("{other:?}"),
    }
}
