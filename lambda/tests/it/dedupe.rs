//! De-duplication over time, as deployed: the real `bootstrap` binary, its real DynamoDB
//! client (the SDK, through the binary's own HTTP client) against moto's DynamoDB, a table
//! keyed as the hub template's, and a local Slack receiver.

use crate::bootstrap::start_bootstrap;
use crate::common;

use std::time::Duration;

use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType,
    ScalarAttributeType,
};
use awsmon_testbench::receiver::{Reply, SlackReceiver};
use awsmon_testbench::runtime_api::{Outcome, RuntimeApi};
use serde_json::{Value, json};

pub(crate) const TABLE: &str = "awsmon-notifier-state";

/// The crypto-mining finding as GuardDuty publishes it again: another event id, and the
/// finding's id and severity as given.
fn guardduty(event_id: &str, finding_id: &str, severity: f64) -> Value {
    let mut e = common::fixture("guardduty-crypto-high");
    e["id"] = Value::from(event_id);
    e["detail"]["id"] = Value::from(finding_id);
    e["detail"]["severity"] = Value::from(severity);
    e
}

pub(crate) async fn table(dynamodb: &aws_sdk_dynamodb::Client) {
    // The key the hub template gives the table (checked against the template below).
    dynamodb
        .create_table()
        .table_name(TABLE)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("finding_key")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .expect("attr"),
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("finding_key")
                .key_type(KeyType::Hash)
                .build()
                .expect("key"),
        )
        .send()
        .await
        .expect("create table");
}

/// The real bootstrap with its state table in moto at `endpoint` (and `extra` environment).
pub(crate) fn start_with_state(
    api: &RuntimeApi,
    slack: Option<&SlackReceiver>,
    endpoint: &str,
    extra: &[(&str, &str)],
) -> crate::bootstrap::Bootstrap {
    let mut env = vec![
        ("AWSMON_STATE_TABLE", TABLE),
        ("AWS_ENDPOINT_URL", endpoint),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "AKIAEMULATOR00000000"),
        ("AWS_SECRET_ACCESS_KEY", "emulator"),
    ];
    env.extend_from_slice(extra);
    start_bootstrap(api, slack, &env)
}

/// The item for `payload`'s (first) finding, attribute by attribute as text.
async fn item(dynamodb: &aws_sdk_dynamodb::Client, payload: &Value) -> Vec<(String, String)> {
    let p = &awsmon_notifier::prepare(payload, &common::settings())[0];
    let out = dynamodb
        .get_item()
        .table_name(TABLE)
        .key(
            "finding_key",
            AttributeValue::S(awsmon_notifier::dedupe::key(p)),
        )
        .consistent_read(true)
        .send()
        .await
        .expect("get item");
    let mut attrs: Vec<(String, String)> = out
        .item()
        .into_iter()
        .flatten()
        .map(|(k, v)| {
            let text = match v {
                AttributeValue::S(s) | AttributeValue::N(s) => s.clone(),
                other => format!("{other:?}"),
            };
            (k.clone(), text)
        })
        .collect();
    attrs.sort();
    attrs
}

fn attr<'a>(item: &'a [(String, String)], name: &str) -> Option<&'a str> {
    item.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn num(item: &[(String, String)], name: &str) -> i64 {
    attr(item, name)
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{name} in {item:?}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_finding_is_sent_once_per_window_unless_it_escalates() {
    let template = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/templates/hub.yaml"),
    )
    .expect("hub template");
    assert!(
        template.contains("AttributeName: finding_key")
            && template.contains("TimeToLiveSpecification:\n        AttributeName: expires_at"),
        "the template keys the table and expires items as the notifier writes them"
    );
    let moto = awsmon_testbench::Moto::start().expect("moto (scripts/bench setup)");
    let aws = awsmon_testbench::bench_aws(&moto.endpoint).await;
    let dynamodb = aws.dynamodb("us-east-1");
    table(&dynamodb).await;
    let slack = SlackReceiver::start().await.expect("receiver");
    let api = RuntimeApi::start().await.expect("runtime api");
    let _boot = start_with_state(&api, Some(&slack), &moto.endpoint, &[]);
    let wait = Duration::from_secs(30);
    let invoke = |payload: Value| {
        let api = &api;
        async move {
            let id = api.invoke(payload);
            api.outcome(&id, wait).await
        }
    };
    let sent = |n: usize| {
        Some(Outcome::Response(
            json!({"events": 1, "sent": n, "deliveries": n}),
        ))
    };

    // 1. First sight: sent, and the window (24 h by default) starts.
    let first = guardduty("ev-1", "finding-a", 8.0);
    assert_eq!(invoke(first.clone()).await, sent(1));
    let it = item(&dynamodb, &first).await;
    assert_eq!(
        (
            attr(&it, "sent_band"),
            attr(&it, "last_event"),
            attr(&it, "update_count"),
            attr(&it, "claim_event"),
            attr(&it, "svc_name")
        ),
        (Some("3"), Some("ev-1"), Some("0"), None, Some("guardduty"))
    );
    assert_eq!(
        (
            num(&it, "window_end") - num(&it, "sent_at"),
            num(&it, "expires_at") - num(&it, "sent_at")
        ),
        (24 * 3600, 26 * 3600),
        "the window's end, and TTL a little past a day so the digest still reads it"
    );

    // 2. The same event delivered again (EventBridge's at-least-once): nothing, not counted.
    assert_eq!(invoke(first.clone()).await, sent(0));
    // 3. GuardDuty publishes the finding again (its count grew): nothing, counted.
    assert_eq!(invoke(guardduty("ev-2", "finding-a", 8.0)).await, sent(0));
    assert_eq!(invoke(guardduty("ev-3", "finding-a", 7.5)).await, sent(0));
    assert_eq!(slack.bodies("guardduty").len(), 1);
    let it = item(&dynamodb, &first).await;
    assert_eq!(attr(&it, "update_count"), Some("2"));

    // 4. Its severity rises to CRITICAL: sent again, marked escalated.
    assert_eq!(invoke(guardduty("ev-4", "finding-a", 9.2)).await, sent(1));
    let bodies = slack.bodies("guardduty");
    assert_eq!(bodies.len(), 2);
    let escalated: Value = serde_json::from_str(&bodies[1]).expect("json");
    assert!(
        escalated["text"]
            .as_str()
            .is_some_and(|t| t.starts_with("<!channel> Escalated HIGH → CRITICAL · ")),
        "{escalated}"
    );
    let it = item(&dynamodb, &first).await;
    assert_eq!(
        (attr(&it, "sent_band"), attr(&it, "update_count")),
        (Some("4"), Some("2"))
    );
    // ...and back down to HIGH: folded into the CRITICAL message.
    assert_eq!(invoke(guardduty("ev-5", "finding-a", 8.0)).await, sent(0));

    // 5. A post Slack refuses fails the invocation and releases the claim; Lambda's retry of
    //    the same event then sends it, once.
    slack.script("guardduty", vec![Reply::invalid_payload()]);
    let other = guardduty("ev-10", "finding-b", 8.0);
    let Some(Outcome::Error(err)) = invoke(other.clone()).await else {
        panic!("expected the invocation to fail");
    };
    assert_eq!(err["errorType"], "awsmon.DeliveryFailed");
    let it = item(&dynamodb, &other).await;
    assert_eq!(
        (attr(&it, "sent_band"), attr(&it, "claim_event")),
        (None, None),
        "released: {it:?}"
    );
    assert_eq!(invoke(other.clone()).await, sent(1));
    assert_eq!(invoke(other.clone()).await, sent(0));
    // Posted: the first finding, its escalation, the refused attempt and the retry.
    assert_eq!(slack.bodies("guardduty").len(), 4);

    // 6. Test messages are never de-duplicated.
    let test = common::fixture("awsmon-test");
    assert_eq!(invoke(test.clone()).await, sent(1));
    assert_eq!(invoke(test).await, sent(1));
}

/// State that cannot be reached never stops a message: it is sent, and the failure logged.
#[tokio::test(flavor = "multi_thread")]
async fn without_its_state_table_the_notifier_still_sends() {
    let moto = awsmon_testbench::Moto::start().expect("moto (scripts/bench setup)");
    let slack = SlackReceiver::start().await.expect("receiver");
    let api = RuntimeApi::start().await.expect("runtime api");
    let mut boot = start_bootstrap(
        &api,
        Some(&slack),
        &[
            ("AWSMON_STATE_TABLE", "no-such-table"),
            ("AWS_ENDPOINT_URL", &moto.endpoint),
            ("AWS_REGION", "us-east-1"),
            ("AWS_ACCESS_KEY_ID", "AKIAEMULATOR00000000"),
            ("AWS_SECRET_ACCESS_KEY", "emulator"),
        ],
    );
    let payload = guardduty("ev-1", "finding-a", 8.0);
    for _ in 0..2 {
        let id = api.invoke(payload.clone());
        assert_eq!(
            api.outcome(&id, Duration::from_secs(30)).await,
            Some(Outcome::Response(
                json!({"events": 1, "sent": 1, "deliveries": 1})
            ))
        );
    }
    assert_eq!(slack.bodies("guardduty").len(), 2);
    let _ = boot.0.kill();
    let output = std::mem::replace(
        &mut boot.0,
        std::process::Command::new("true").spawn().expect("true"),
    )
    .wait_with_output()
    .expect("output");
    let logs = String::from_utf8_lossy(&output.stdout);
    assert!(
        logs.contains("de-duplication state unavailable; sending without it")
            && logs.contains("ResourceNotFoundException"),
        "{logs}"
    );
}

/// An item written before the window had its own attribute (`window_end`) kept the window's
/// end in its TTL attribute: once that has passed, the finding is sent again, without waiting
/// for TTL to delete the item (which takes up to two days).
#[tokio::test(flavor = "multi_thread")]
async fn an_item_from_before_window_end_expires_with_its_ttl() {
    let moto = awsmon_testbench::Moto::start().expect("moto (scripts/bench setup)");
    let aws = awsmon_testbench::bench_aws(&moto.endpoint).await;
    let dynamodb = aws.dynamodb("us-east-1");
    table(&dynamodb).await;
    let now = awsmon_notifier::time::epoch_now();
    let event = guardduty("ev-old", "finding-old", 8.0);
    let key =
        awsmon_notifier::dedupe::key(&awsmon_notifier::prepare(&event, &common::settings())[0]);
    let n = |v: i64| AttributeValue::N(v.to_string());
    dynamodb
        .put_item()
        .table_name(TABLE)
        .item("finding_key", AttributeValue::S(key))
        .item("sent_band", n(3))
        .item("sent_at", n(now - 2 * 86_400))
        .item("expires_at", n(now - 86_400))
        .item("last_event", AttributeValue::S("ev-before".into()))
        .send()
        .await
        .expect("old item");
    let slack = SlackReceiver::start().await.expect("receiver");
    let api = RuntimeApi::start().await.expect("runtime api");
    let _boot = start_with_state(&api, Some(&slack), &moto.endpoint, &[]);
    let id = api.invoke(event.clone());
    assert_eq!(
        api.outcome(&id, Duration::from_secs(30)).await,
        Some(Outcome::Response(
            json!({"events": 1, "sent": 1, "deliveries": 1})
        ))
    );
    let it = item(&dynamodb, &event).await;
    assert!(num(&it, "window_end") > now, "{it:?}");
}
