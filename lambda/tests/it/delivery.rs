//! Delivery against a local Slack stand-in: the exact attempts, waits and outcomes for each
//! way Slack answers, and no webhook URL in any log line.

use crate::common;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use awsmon_notifier::deliver::{Deliverer, RetryPolicy};
use awsmon_notifier::notify::deliver_all;
use awsmon_notifier::{Decision, Mention, Prepared, Service};
use awsmon_testbench::receiver::{Reply, SlackReceiver};
use serde_json::json;

fn policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_backoff: Duration::from_millis(100),
        max_backoff: Duration::from_millis(400),
        max_retry_after: Duration::from_secs(5),
        connect_timeout: Duration::from_secs(1),
        request_timeout: Duration::from_millis(500),
    }
}

fn deliverer() -> Deliverer {
    Deliverer::new(policy()).expect("client")
}

fn message() -> Vec<u8> {
    br#"{"text":"hello"}"#.to_vec()
}

#[tokio::test]
async fn a_200_is_delivered_in_one_attempt() {
    let slack = SlackReceiver::start().await.expect("receiver");
    let d = deliverer().post(&slack.url("a"), &message(), None).await;
    assert!(d.ok);
    assert_eq!(d.attempts.len(), 1);
    assert_eq!(d.last_status(), Some(200));
    assert_eq!(slack.bodies("a"), vec![r#"{"text":"hello"}"#]);
}

#[tokio::test]
async fn a_429_waits_for_retry_after_then_succeeds() {
    let slack = SlackReceiver::start().await.expect("receiver");
    slack.script("a", vec![Reply::rate_limited(1)]);
    let started = Instant::now();
    let d = deliverer().post(&slack.url("a"), &message(), None).await;
    assert!(d.ok);
    let statuses: Vec<Option<u16>> = d.attempts.iter().map(|a| a.status).collect();
    assert_eq!(statuses, vec![Some(429), Some(200)]);
    assert_eq!(d.attempts[0].wait_ms, Some(1000));
    assert_eq!(d.attempts[0].error.as_deref(), Some("rate_limited"));
    let received = slack.received();
    assert_eq!(received.len(), 2);
    let gap = received[1].at - received[0].at;
    assert!(gap >= Duration::from_secs(1), "retried after {gap:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn a_500_backs_off_then_succeeds() {
    let slack = SlackReceiver::start().await.expect("receiver");
    slack.script("a", vec![Reply::server_error()]);
    let d = deliverer().post(&slack.url("a"), &message(), None).await;
    assert!(d.ok);
    assert_eq!(d.attempts.len(), 2);
    assert_eq!(d.attempts[0].status, Some(500));
    assert_eq!(d.attempts[0].error.as_deref(), Some("rollup_error"));
    // First backoff step: half of 100 ms plus jitter up to the other half.
    let wait = d.attempts[0].wait_ms.expect("waited");
    assert!((50..=100).contains(&wait), "waited {wait} ms");
}

#[tokio::test]
async fn a_400_is_permanent_and_reported() {
    let slack = SlackReceiver::start().await.expect("receiver");
    slack.script("a", vec![Reply::invalid_payload()]);
    let d = deliverer().post(&slack.url("a"), &message(), None).await;
    assert!(!d.ok);
    assert_eq!(d.attempts.len(), 1, "no retry on 400");
    assert_eq!(d.slack_error(), Some("invalid_payload"));
    assert_eq!(
        d.failure.as_deref(),
        Some("Slack refused the message: HTTP 400 invalid_payload")
    );
    assert_eq!(slack.received().len(), 1);
}

#[tokio::test]
async fn a_receiver_that_never_answers_times_out_each_attempt() {
    let slack = SlackReceiver::start().await.expect("receiver");
    slack.script("a", vec![Reply::Hang, Reply::Hang, Reply::Hang]);
    let started = Instant::now();
    let d = deliverer().post(&slack.url("a"), &message(), None).await;
    assert!(!d.ok);
    assert_eq!(d.attempts.len(), 3);
    assert!(
        d.attempts
            .iter()
            .all(|a| a.error.as_deref() == Some("timed out") && a.status.is_none())
    );
    assert_eq!(
        d.failure.as_deref(),
        Some("gave up after 3 attempts (last: timed out)")
    );
    // 3 × 500 ms timeouts plus two backoffs of at most 100 and 200 ms.
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(1500) && took < Duration::from_millis(2500),
        "{took:?}"
    );
}

#[tokio::test]
async fn the_deadline_bounds_every_retry() {
    let slack = SlackReceiver::start().await.expect("receiver");
    slack.script("a", vec![Reply::rate_limited(5)]);
    let deadline = Instant::now() + Duration::from_secs(2);
    let d = deliverer()
        .post(&slack.url("a"), &message(), Some(deadline))
        .await;
    assert!(!d.ok);
    assert_eq!(d.attempts.len(), 1, "a 5 s Retry-After does not fit in 2 s");
    assert_eq!(
        d.failure.as_deref(),
        Some("out of time after 1 attempts (last: rate_limited)")
    );
    assert!(Instant::now() < deadline);
}

/// Captures log output as text.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn two_urls_where_one_fails_deliver_independently_and_logs_hold_no_url() {
    let slack = SlackReceiver::start().await.expect("receiver");
    slack.script("bad", vec![Reply::invalid_payload()]);
    let prepared = Prepared {
        id: "finding-1".into(),
        event_id: "event-1".into(),
        kind: "GuardDuty Finding".into(),
        service: Some(Service::GuardDuty),
        region: "us-east-1".into(),
        time: String::new(),
        title: "t".into(),
        severity: None,
        via: None,
        account: String::new(),
        link: None,
        decision: Decision::Send {
            mention: Mention::None,
        },
        routes: vec![slack.url("good"), slack.url("bad")],
        payload: Some(awsmon_notifier::slack::Message::new("hello", "", &[])),
    };
    let logs = Captured::default();
    let sink = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_writer(move || sink.clone())
        .with_max_level(tracing::Level::INFO)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let report = deliver_all(std::slice::from_ref(&prepared), &deliverer(), None).await;
    assert_eq!(report.deliveries(), 2);
    assert_eq!(report.failed_deliveries(), 1);
    let outcomes: Vec<(bool, Option<u16>)> = report.events[0]
        .deliveries
        .iter()
        .map(|d| (d.ok, d.last_status()))
        .collect();
    assert_eq!(outcomes, vec![(true, Some(200)), (false, Some(400))]);
    assert_eq!(slack.bodies("good").len(), 1);
    assert_eq!(slack.bodies("bad").len(), 1);

    let text = String::from_utf8(logs.0.lock().expect("lock").clone()).expect("utf8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.len(),
        2,
        "one event line and one failure line:\n{text}"
    );
    for line in &lines {
        let _: serde_json::Value = serde_json::from_str(line).expect("structured JSON log line");
    }
    assert!(
        lines[0].contains(r#""decision":"send""#) && lines[0].contains("finding-1"),
        "{}",
        lines[0]
    );
    assert!(text.contains("/services/T…/B…/••••"), "{text}");
    assert!(
        !text.contains("B0TEST") && !text.contains("/good") && !text.contains("/bad"),
        "a URL leaked:\n{text}"
    );
}

#[test]
fn the_same_iam_finding_from_four_regions_is_sent_once() {
    let settings = common::settings();
    let mut sends = Vec::new();
    for region in ["us-east-1", "eu-west-1", "eu-central-1", "ap-southeast-2"] {
        let mut event = common::fixture("guardduty-iam-api-call");
        event["region"] = json!(region);
        event["detail"]["region"] = json!(region);
        for p in awsmon_notifier::prepare(&event, &settings) {
            if p.decision.is_send() {
                sends.push(p.region.clone());
            } else {
                let Decision::Drop { reason } = &p.decision else {
                    unreachable!()
                };
                assert_eq!(
                    reason,
                    &format!(
                        "global-service finding (iam.amazonaws.com) is sent only from us-east-1, not {region}"
                    )
                );
            }
        }
    }
    assert_eq!(sends, vec!["us-east-1"]);
}

/// The security review's finding: a webhook that redirected had the message re-posted to
/// another host. Redirects are never followed.
#[tokio::test(flavor = "multi_thread")]
async fn a_redirect_is_not_followed() {
    let slack = SlackReceiver::start().await.expect("receiver");
    let elsewhere = slack.url("elsewhere");
    slack.script(
        "moved",
        vec![Reply::Redirect(elsewhere.expose().to_string())],
    );
    let d = deliverer()
        .post(&slack.url("moved"), br#"{"text":"hi"}"#, None)
        .await;
    assert!(!d.ok);
    assert_eq!(d.attempts.len(), 1);
    assert_eq!(d.last_status(), Some(307));
    assert!(slack.bodies("elsewhere").is_empty(), "nothing re-posted");
}
