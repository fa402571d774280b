//! The daily digest as deployed: the real `bootstrap`, its DynamoDB client against moto's, the
//! state its own invocations wrote (a finding sent, its updates folded, a suppressed one), then
//! the schedule's input, `{"awsmon":"digest"}`, as EventBridge Scheduler delivers it.

use crate::common;
use crate::dedupe::{start_with_state, table};

use std::time::Duration;

use awsmon_notifier::settings::Suppression;
use awsmon_notifier::{Service, Settings};
use awsmon_testbench::receiver::{Reply, SlackReceiver};
use awsmon_testbench::runtime_api::{Outcome, RuntimeApi};
use serde_json::{Value, json};

fn texts(m: &Value) -> String {
    let mut out = vec![m["text"].as_str().unwrap_or_default().to_string()];
    for b in m["attachments"][0]["blocks"]
        .as_array()
        .into_iter()
        .flatten()
    {
        out.extend(b["text"]["text"].as_str().map(str::to_string));
        for f in b["fields"].as_array().into_iter().flatten() {
            out.extend(f["text"].as_str().map(str::to_string));
        }
    }
    out.join("\n")
}

/// moto with the hub's state table, and the real bootstrap routed by `settings`.
struct World {
    _moto: awsmon_testbench::Moto,
    api: RuntimeApi,
    _boot: crate::bootstrap::Bootstrap,
}

async fn world(settings: &Settings) -> World {
    let moto = awsmon_testbench::Moto::start().expect("moto (scripts/bench setup)");
    let aws = awsmon_testbench::bench_aws(&moto.endpoint).await;
    table(&aws.dynamodb("us-east-1")).await;
    let settings_json = serde_json::to_string(settings).expect("settings");
    let api = RuntimeApi::start().await.expect("runtime api");
    let boot = start_with_state(
        &api,
        None,
        &moto.endpoint,
        &[("AWSMON_SETTINGS", &settings_json)],
    );
    World {
        _moto: moto,
        api,
        _boot: boot,
    }
}

impl World {
    async fn invoke(&self, payload: Value) -> Option<Outcome> {
        let id = self.api.invoke(payload);
        self.api.outcome(&id, Duration::from_secs(30)).await
    }
}

/// The schedule's request for one (fixed) time, as EventBridge Scheduler fills it in.
fn scheduled() -> Value {
    json!({"awsmon": "digest", "at": "2026-12-06T09:00:00Z"})
}

fn routed(slack: &SlackReceiver) -> Settings {
    let mut settings = Settings::default();
    settings.routes.default = vec![slack.url("default")];
    settings
        .routes
        .per_service
        .insert(Service::GuardDuty, vec![slack.url("guardduty")]);
    settings
}

#[tokio::test(flavor = "multi_thread")]
async fn the_digest_counts_what_was_sent_and_kept_quiet_and_is_sent_once() {
    let slack = SlackReceiver::start().await.expect("receiver");
    let mut settings = routed(&slack);
    settings.suppress.push(Suppression {
        service: Some(Service::Inspector),
        finding_type: Some("CVE-2023-*".into()),
        reason: "curl fixed in the next image".into(),
        expires: "2099-12-31".into(),
        ..Suppression::default()
    });
    let world = world(&settings).await;
    let invoke = |payload: Value| world.invoke(payload);
    let sent = |n: usize| {
        Some(Outcome::Response(
            json!({"events": 1, "sent": n, "deliveries": n}),
        ))
    };

    // The day: a GuardDuty finding sent, published again (folded) and delivered twice; an
    // Inspector finding suppressed; a Config change sent.
    let mut gd = common::fixture("guardduty-crypto-high");
    assert_eq!(invoke(gd.clone()).await, sent(1));
    assert_eq!(invoke(gd.clone()).await, sent(0));
    gd["id"] = Value::from("another-event-id");
    assert_eq!(invoke(gd).await, sent(0));
    let inspector = common::fixture("inspector2-ecr-critical");
    assert_eq!(
        invoke(inspector).await,
        Some(Outcome::Response(
            json!({"events": 1, "sent": 0, "deliveries": 0})
        )),
        "the rule suppresses the curl CVE"
    );
    assert_eq!(
        invoke(common::fixture("config-change-with-diff")).await,
        sent(1)
    );
    // ...and someone deleted a GuardDuty detector.
    assert_eq!(
        invoke(common::fixture("cloudtrail-guardduty-detector-deleted")).await,
        sent(1)
    );
    assert_eq!(
        (
            slack.bodies("guardduty").len(),
            slack.bodies("default").len()
        ),
        (2, 1)
    );

    // The schedule fires: one digest per route.
    let request = scheduled();
    assert_eq!(
        invoke(request.clone()).await,
        Some(Outcome::Response(
            json!({"digest": 2, "records": 3, "deliveries": 2, "failed": 0})
        ))
    );
    let gd_bodies = slack.bodies("guardduty");
    let default_bodies = slack.bodies("default");
    assert_eq!((gd_bodies.len(), default_bodies.len()), (3, 2));
    let gd_digest: Value = serde_json::from_str(&gd_bodies[2]).expect("json");
    let default_digest: Value = serde_json::from_str(&default_bodies[1]).expect("json");
    for d in [&gd_digest, &default_digest] {
        assert_eq!(
            awsmon_notifier::slack::limit_violations(d),
            Vec::<String>::new()
        );
    }
    let gd_text = texts(&gd_digest);
    assert!(
        gd_text.starts_with("awsmon daily digest: 1 monitoring change turned off or attempted; 1 finding sent in the last 24 h (1 high)"),
        "{gd_text}"
    );
    assert!(
        gd_text.contains("<https://us-east-1.console.aws.amazon.com/guardduty/"),
        "a link to the finding: {gd_text}"
    );
    assert!(
        gd_text.contains("*Monitoring turned off since yesterday*\n• `CRITICAL` <https://eu-west-1.console.aws.amazon.com/cloudtrailv2/")
            && gd_text.contains("|GuardDuty turned off in eu-west-1> · 123456789012 · eu-west-1"),
        "{gd_text}"
    );
    assert!(
        gd_text.contains("• 2 events not sent again: updates and repeated deliveries"),
        "{gd_text}"
    );
    let default_text = texts(&default_digest);
    assert!(
        default_text.contains("*AWS Config*\n1 other")
            && default_text.contains(
                "• 1 event suppressed by rule 1 (curl fixed in the next image, until 2099-12-31)"
            ),
        "{default_text}"
    );

    // Scheduler delivers at least once: a second delivery this hour sends nothing.
    assert_eq!(
        invoke(request).await,
        Some(Outcome::Response(json!({"digest": "sent already"})))
    );
    assert_eq!(
        (
            slack.bodies("guardduty").len(),
            slack.bodies("default").len()
        ),
        (3, 2)
    );
}

/// A route that refuses the digest fails the invocation; Lambda's retry of the same request
/// then posts to that route only.
#[tokio::test(flavor = "multi_thread")]
async fn a_retry_sends_the_digest_only_to_the_routes_that_missed_it() {
    let slack = SlackReceiver::start().await.expect("receiver");
    let world = world(&routed(&slack)).await;
    slack.script("default", vec![Reply::invalid_payload()]);
    let Some(Outcome::Error(err)) = world.invoke(scheduled()).await else {
        panic!("expected the invocation to fail");
    };
    assert_eq!(err["errorType"], "awsmon.DeliveryFailed");
    assert_eq!(
        (
            slack.bodies("guardduty").len(),
            slack.bodies("default").len()
        ),
        (1, 1),
        "each route tried once"
    );
    assert_eq!(
        world.invoke(scheduled()).await,
        Some(Outcome::Response(
            json!({"digest": 1, "records": 0, "deliveries": 1, "failed": 0})
        ))
    );
    assert_eq!(
        (
            slack.bodies("guardduty").len(),
            slack.bodies("default").len()
        ),
        (1, 2),
        "the GuardDuty route is not posted twice"
    );
}

/// DEDUPE_HOURS 0 sends every update, and the digest still counts what was sent.
#[tokio::test(flavor = "multi_thread")]
async fn without_de_duplication_sends_are_still_recorded_for_the_digest() {
    let slack = SlackReceiver::start().await.expect("receiver");
    let mut settings = routed(&slack);
    settings.dedupe_hours = 0;
    let world = world(&settings).await;
    let mut gd = common::fixture("guardduty-crypto-high");
    for id in ["update-1", "update-2"] {
        gd["id"] = Value::from(id);
        assert_eq!(
            world.invoke(gd.clone()).await,
            Some(Outcome::Response(
                json!({"events": 1, "sent": 1, "deliveries": 1})
            ))
        );
    }
    assert_eq!(
        world.invoke(scheduled()).await,
        Some(Outcome::Response(
            json!({"digest": 2, "records": 1, "deliveries": 2, "failed": 0})
        ))
    );
    let digest: Value =
        serde_json::from_str(slack.bodies("guardduty").last().expect("digest")).expect("json");
    assert!(
        digest["text"].as_str().is_some_and(
            |t| t.starts_with("awsmon daily digest: 1 finding sent in the last 24 h (1 high)")
        ),
        "{digest}"
    );
}
