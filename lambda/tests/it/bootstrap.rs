//! End to end: the real `bootstrap` binary, run against a local Lambda runtime API, posts to a
//! local Slack stand-in exactly the messages the library formats, and reports delivery
//! failures as invocation errors.

use crate::common;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use awsmon_testbench::receiver::{Reply, SlackReceiver};
use awsmon_testbench::runtime_api::{Outcome, RuntimeApi};
use serde_json::json;

pub(crate) struct Bootstrap(pub(crate) Child);

impl Drop for Bootstrap {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The bootstrap with routing from env: the receiver's `default` and `guardduty` hooks, or
/// no webhook at all; `extra` is added to its environment.
pub(crate) fn start_bootstrap(
    api: &RuntimeApi,
    slack: Option<&SlackReceiver>,
    extra: &[(&str, &str)],
) -> Bootstrap {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_bootstrap"));
    cmd.env_clear()
        .env("AWS_LAMBDA_RUNTIME_API", &api.address)
        .env("AWS_LAMBDA_FUNCTION_NAME", "awsmon-notifier")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .envs(extra.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(slack) = slack {
        cmd.env("AWSMON_WEBHOOK_URLS", slack.url("default").expose())
            .env(
                "AWSMON_WEBHOOK_URLS_GUARDDUTY",
                slack.url("guardduty").expose(),
            );
    }
    Bootstrap(cmd.spawn().expect("start bootstrap"))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_real_bootstrap_delivers_what_the_library_formats() {
    let slack = SlackReceiver::start().await.expect("receiver");
    let api = RuntimeApi::start().await.expect("runtime api");
    let mut boot = start_bootstrap(&api, Some(&slack), &[]);
    let wait = Duration::from_secs(20);

    // The library's own view of the same events, routed to the receiver's hooks.
    let mut settings = common::settings();
    settings.routes.default = vec![slack.url("default")];
    settings.routes.per_service.insert(
        awsmon_notifier::Service::GuardDuty,
        vec![slack.url("guardduty")],
    );
    let expect = |name: &str| -> String {
        let p = awsmon_notifier::prepare(&common::fixture(name), &settings);
        p[0].payload.as_ref().expect("payload").to_string()
    };

    let gd = api.invoke(common::fixture("guardduty-crypto-high"));
    assert_eq!(
        api.outcome(&gd, wait).await,
        Some(Outcome::Response(
            json!({"events": 1, "sent": 1, "deliveries": 1})
        ))
    );
    assert_eq!(
        slack.bodies("guardduty"),
        vec![expect("guardduty-crypto-high")]
    );

    let budget = api.invoke(common::fixture("budget-forecasted-sns"));
    assert_eq!(
        api.outcome(&budget, wait).await,
        Some(Outcome::Response(
            json!({"events": 1, "sent": 1, "deliveries": 1})
        ))
    );
    assert_eq!(
        slack.bodies("default"),
        vec![expect("budget-forecasted-sns")]
    );

    // Unknown events are dropped, and the invocation still succeeds.
    let unknown = api.invoke(common::fixture("unknown-event"));
    assert_eq!(
        api.outcome(&unknown, wait).await,
        Some(Outcome::Response(
            json!({"events": 1, "sent": 0, "deliveries": 0})
        ))
    );

    // A permanent Slack error fails the invocation, so Lambda retries and then keeps it.
    slack.script("default", vec![Reply::invalid_payload()]);
    let failing = api.invoke(common::fixture("awsmon-test"));
    let Some(Outcome::Error(err)) = api.outcome(&failing, wait).await else {
        panic!("expected an invocation error");
    };
    assert_eq!(err["errorType"], "awsmon.DeliveryFailed");
    assert_eq!(err["errorMessage"], "1 of 1 deliveries failed");
    assert_eq!(slack.bodies("default").len(), 2);
    assert!(api.init_error().is_none());

    // Logs (stdout, which Lambda sends to CloudWatch): JSON lines, never a webhook URL.
    let _ = boot.0.kill();
    let output = std::mem::replace(&mut boot.0, Command::new("true").spawn().expect("true"))
        .wait_with_output()
        .expect("bootstrap output");
    let logs = String::from_utf8_lossy(&output.stdout);
    let event_lines: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains(r#""message":"event""#))
        .collect();
    assert_eq!(event_lines.len(), 4, "one line per event:\n{logs}\n---");
    assert!(
        !logs.contains("B0TEST") && !logs.contains("/guardduty\""),
        "a URL leaked:\n{logs}"
    );
    assert!(
        logs.contains(r#""decision":"drop""#) && logs.contains("not a monitored event type"),
        "{logs}"
    );
}

/// The security review's finding: with no webhook configured the notifier reported
/// `{"deliveries":0,"sent":1}` as success, and the alert was lost. Now it fails the invocation.
#[tokio::test(flavor = "multi_thread")]
async fn an_event_without_a_webhook_fails_the_invocation() {
    let api = RuntimeApi::start().await.expect("runtime api");
    let _boot = start_bootstrap(&api, None, &[]);
    let id = api.invoke(common::fixture("guardduty-crypto-high"));
    let Some(Outcome::Error(err)) = api.outcome(&id, Duration::from_secs(20)).await else {
        panic!("expected an invocation error");
    };
    assert_eq!(err["errorType"], "awsmon.NoWebhook");
    assert_eq!(
        err["errorMessage"],
        "no webhook configured for the guardduty route: set WEBHOOK_URLS (or the service's own) and run `awsmon-tui routing push`"
    );
    // A dropped event needs no webhook.
    let id = api.invoke(common::fixture("unknown-event"));
    assert!(matches!(
        api.outcome(&id, Duration::from_secs(20)).await,
        Some(Outcome::Response(_))
    ));
}

/// Slack is HTTPS: the bootstrap's TLS (rustls with ring, Mozilla's roots plus those in
/// `SSL_CERT_FILE`) reaches a host whose certificate those roots sign, and refuses one whose
/// certificate they do not, which is then an invocation error.
#[tokio::test(flavor = "multi_thread")]
async fn the_real_bootstrap_posts_over_tls_and_checks_the_certificate() {
    let slack = SlackReceiver::start_tls().await.expect("tls receiver");
    let api = RuntimeApi::start().await.expect("runtime api");
    let dir = tempfile::tempdir().expect("dir");
    let roots = dir.path().join("roots.pem");
    std::fs::write(&roots, &slack.ca_pem).expect("roots");
    let wait = Duration::from_secs(20);

    let trusting = start_bootstrap(
        &api,
        Some(&slack),
        &[("SSL_CERT_FILE", roots.to_str().expect("utf-8"))],
    );
    let id = api.invoke(common::fixture("guardduty-crypto-high"));
    assert_eq!(
        api.outcome(&id, wait).await,
        Some(Outcome::Response(
            json!({"events": 1, "sent": 1, "deliveries": 1})
        ))
    );
    assert_eq!(slack.bodies("guardduty").len(), 1);
    drop(trusting);

    // Mozilla's roots do not include the bench's authority. A runtime API of its own: the
    // killed bootstrap's long poll for the next event could still be open on the first one
    // and take this invocation (it did, once in a few runs under load).
    let api = RuntimeApi::start().await.expect("runtime api");
    let _doubting = start_bootstrap(&api, Some(&slack), &[]);
    let id = api.invoke(common::fixture("guardduty-crypto-high"));
    let Some(Outcome::Error(err)) = api.outcome(&id, wait).await else {
        panic!("expected an invocation error");
    };
    assert_eq!(err["errorType"], "awsmon.DeliveryFailed");
    assert_eq!(
        slack.bodies("guardduty").len(),
        1,
        "nothing more was posted"
    );
}
