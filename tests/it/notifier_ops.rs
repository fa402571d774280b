//! The deployed notifier seen from outside, against the emulator: the hub's alarms (and the
//! email subscription only with ALERT_EMAIL), `notifier status` from seeded metrics and queue,
//! redrive of seeded failure-queue messages to the local Slack receiver, and the pipeline test
//! message confirmed from a seeded log group (or not, with a clear reason).

use crate::common;

use std::time::{Duration, SystemTime};

use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit};
use awsmon::aws::Aws;
use awsmon::config::Config;
use awsmon::deploy::engine;
use awsmon::deploy::plan::{self, Intent, Target};
use awsmon::deploy::stack_ops::Waiting;
use awsmon::naming;
use awsmon::notifier::confirm::{self, Confirmation};
use awsmon::notifier::{health, redrive};
use awsmon_notifier::deliver::{Deliverer, RetryPolicy};
use awsmon_notifier::{Service, WebhookUrl};
use awsmon_testbench::receiver::{Reply, SlackReceiver};
use serde_json::{Value, json};

fn fixture(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("lambda/tests/fixtures")
        .join(format!("{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json")
}

async fn deploy_hub(aws: &Aws, cfg: &Config) -> awsmon::deploy::artifact::Artifact {
    let dir = tempfile::tempdir().expect("dir");
    let zip = common::fake_zip(dir.path());
    let regions = vec!["us-east-1".to_string()];
    let (_, the_plan) = plan::draw_up(aws, cfg, Target::Notifier, &regions, Intent::Deploy(&zip))
        .await
        .expect("plan");
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let waiting = Waiting {
        timeout: Duration::from_secs(30),
        poll: Duration::from_millis(100),
    };
    let report = engine::execute(aws, cfg, &the_plan, Some(&zip), waiting, 4, tx).await;
    assert!(report.failures().is_empty(), "{:?}", report.failures());
    zip
}

/// The emulator with the hub deployed, routed to a local Slack receiver, and CloudWatch through
/// the bridge.
struct Hub {
    moto: awsmon_testbench::Moto,
    aws: Aws,
    bridge: awsmon_testbench::CborBridge,
    slack: SlackReceiver,
    cfg: Config,
}

impl Hub {
    async fn start() -> Hub {
        let moto = common::start_moto();
        let (aws, bridge) = common::aws_with_cloudwatch(&moto.endpoint).await;
        let slack = SlackReceiver::start().await.expect("receiver");
        let cfg = cfg_routed_to(&slack);
        deploy_hub(&aws, &cfg).await;
        Hub {
            moto,
            aws,
            bridge,
            slack,
            cfg,
        }
    }
}

fn cfg_routed_to(slack: &SlackReceiver) -> Config {
    let mut cfg = Config::default();
    cfg.settings.routes.default = vec![slack.url("default")];
    cfg.settings
        .routes
        .per_service
        .insert(Service::GuardDuty, vec![slack.url("guardduty")]);
    cfg
}

async fn stack_resources(aws: &Aws, stack: &str) -> Vec<String> {
    aws.cloudformation("us-east-1")
        .list_stack_resources()
        .stack_name(stack)
        .send()
        .await
        .expect("resources")
        .stack_resource_summaries()
        .iter()
        .filter_map(|r| r.logical_resource_id().map(str::to_string))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_hub_alarms_on_errors_throttles_and_undelivered_events_by_email_only_when_asked() {
    let moto = common::start_moto();
    let (aws, _bridge) = common::aws_with_cloudwatch(&moto.endpoint).await;
    let mut cfg = Config::default();
    cfg.settings.routes.default =
        vec![WebhookUrl::parse("https://hooks.slack.com/services/T000/B000/XXXX").expect("url")];
    deploy_hub(&aws, &cfg).await;

    // moto's CloudFormation skips AWS::CloudWatch::Alarm (it only models dashboards), so the
    // alarms are read from the template CloudFormation holds for the deployed hub stack.
    let body = aws
        .cloudformation("us-east-1")
        .get_template()
        .stack_name(naming::hub_stack(&cfg))
        .send()
        .await
        .expect("template")
        .template_body
        .expect("body");
    let doc = &yaml_rust2::YamlLoader::load_from_str(&body).expect("yaml")[0];
    let resources = doc["Resources"].as_hash().expect("resources");
    let mut seen: Vec<String> = Vec::new();
    for (name, r) in resources {
        if r["Type"].as_str() != Some("AWS::CloudWatch::Alarm") {
            continue;
        }
        let p = &r["Properties"];
        let dims: Vec<String> = p["Dimensions"]
            .as_vec()
            .expect("dimensions")
            .iter()
            .map(|d| {
                format!(
                    "{}={}",
                    d["Name"].as_str().unwrap_or("?"),
                    d["Value"].as_str().unwrap_or("?")
                )
            })
            .collect();
        let actions = |k: &str| -> Vec<String> {
            p[k].as_vec()
                .expect("actions")
                .iter()
                .map(|a| a.as_str().unwrap_or("?").to_string())
                .collect()
        };
        assert_eq!(actions("AlarmActions"), vec!["AlertTopic"], "{name:?}");
        assert_eq!(actions("OKActions"), vec!["AlertTopic"], "{name:?}");
        seen.push(format!(
            "{} {}/{} {} {} {} period={} > {} missing={}",
            name.as_str().unwrap_or("?"),
            p["Namespace"].as_str().unwrap_or("?"),
            p["MetricName"].as_str().unwrap_or("?"),
            dims.join(","),
            p["Statistic"].as_str().unwrap_or("?"),
            p["ComparisonOperator"].as_str().unwrap_or("?"),
            p["Period"].as_i64().unwrap_or(-1),
            p["Threshold"].as_i64().unwrap_or(-1),
            p["TreatMissingData"].as_str().unwrap_or("?"),
        ));
    }
    seen.sort();
    assert_eq!(
        seen,
        vec![
            "ErrorsAlarm AWS/Lambda/Errors FunctionName=Notifier Sum GreaterThanThreshold period=300 > 0 missing=notBreaching",
            "FailureQueueAlarm AWS/SQS/ApproximateNumberOfMessagesVisible QueueName=FailureQueue.QueueName Maximum GreaterThanThreshold period=300 > 0 missing=notBreaching",
            "ThrottlesAlarm AWS/Lambda/Throttles FunctionName=Notifier Sum GreaterThanThreshold period=300 > 0 missing=notBreaching",
        ]
    );
    let resources = stack_resources(&aws, &naming::hub_stack(&cfg)).await;
    assert!(
        resources.contains(&"AlertTopic".to_string()),
        "{resources:?}"
    );
    // moto lists SNS subscriptions and topic policies without their logical ids, so the email
    // subscription is checked as CloudFormation decides it: a condition on the parameter.
    let sub = &doc["Resources"]["AlertSubscription"];
    assert_eq!(sub["Condition"].as_str(), Some("HasAlertEmail"));
    assert_eq!(sub["Properties"]["Protocol"].as_str(), Some("email"));
    assert_eq!(sub["Properties"]["Endpoint"].as_str(), Some("AlertEmail"));
    assert!(!doc["Conditions"]["HasAlertEmail"].is_badvalue());
    let (_, params) = common::stack_params(&aws, "us-east-1", &naming::hub_stack(&cfg)).await;
    assert_eq!(params["AlertEmail"], "", "no email without ALERT_EMAIL");
    // A flood of findings cannot take the account's whole Lambda pool.
    assert_eq!(params["ReservedConcurrency"], "5");
    let notifier = &doc["Resources"]["Notifier"]["Properties"];
    assert_eq!(
        notifier["ReservedConcurrentExecutions"].as_str(),
        Some("ReservedConcurrency")
    );

    // With ALERT_EMAIL, the hub gains the email subscription.
    cfg.alert_email = Some("oncall@example.com".into());
    deploy_hub(&aws, &cfg).await;
    let (_, params) = common::stack_params(&aws, "us-east-1", &naming::hub_stack(&cfg)).await;
    assert_eq!(params["AlertEmail"], "oncall@example.com");
    assert_eq!(
        (
            params["DigestSchedule"].as_str(),
            params["DigestTimezone"].as_str()
        ),
        ("", "UTC"),
        "no digest without DIGEST_TIME"
    );

    // With DIGEST_TIME, a daily schedule invokes the notifier with the digest request. moto's
    // CloudFormation skips AWS::Scheduler::Schedule (it has no model for it), so the schedule
    // is checked as CloudFormation would create it: the parameters and the resource's
    // condition and properties in the deployed template.
    cfg.digest_time = Some("07:30".into());
    cfg.digest_tz = Some("Europe/Berlin".into());
    deploy_hub(&aws, &cfg).await;
    let (_, params) = common::stack_params(&aws, "us-east-1", &naming::hub_stack(&cfg)).await;
    assert_eq!(
        (
            params["DigestSchedule"].as_str(),
            params["DigestTimezone"].as_str()
        ),
        ("cron(30 7 * * ? *)", "Europe/Berlin")
    );
    let schedule = &doc["Resources"]["DailyDigest"];
    assert_eq!(schedule["Type"].as_str(), Some("AWS::Scheduler::Schedule"));
    assert_eq!(schedule["Condition"].as_str(), Some("HasDigest"));
    let props = &schedule["Properties"];
    assert_eq!(props["ScheduleExpression"].as_str(), Some("DigestSchedule"));
    assert_eq!(
        props["ScheduleExpressionTimezone"].as_str(),
        Some("DigestTimezone")
    );
    assert_eq!(
        props["Target"]["Input"].as_str(),
        Some(awsmon_notifier::digest::SCHEDULED_INPUT)
    );
    let resources = stack_resources(&aws, &naming::hub_stack(&cfg)).await;
    assert!(
        resources.contains(&"DigestRole".to_string()),
        "the scheduler's role to invoke the notifier: {resources:?}"
    );
}

async fn seed_queue(aws: &Aws, cfg: &Config, bodies: &[String]) -> String {
    let url = awsmon::notifier::failure_queue_url(aws, cfg)
        .await
        .expect("queue url")
        .expect("the hub's queue");
    for b in bodies {
        aws.sqs("us-east-1")
            .send_message()
            .queue_url(&url)
            .message_body(b)
            .send()
            .await
            .expect("send");
    }
    url
}

async fn queue_depth(aws: &Aws, cfg: &Config) -> u64 {
    health::fetch(aws, cfg, None)
        .await
        .queue_depth
        .expect("queue depth")
}

/// Lambda's on-failure record for an async invocation, as the docs show it.
fn failure_record(payload: &Value) -> String {
    json!({
        "version": "1.0",
        "timestamp": "2026-12-01T10:00:00.000Z",
        "requestContext": {
            "requestId": "e4b46cbf-b738-xmpl-8880-a18cdf61200e",
            "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:awsmon-notifier:$LATEST",
            "condition": "RetriesExhausted",
            "approximateInvokeCount": 3
        },
        "requestPayload": payload,
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
        "responsePayload": {"errorType": "awsmon.DeliveryFailed", "errorMessage": "1 of 1 deliveries failed"}
    })
    .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn status_reads_errors_throttles_queue_last_delivery_and_build() {
    let moto = common::start_moto();
    let (aws, _bridge) = common::aws_with_cloudwatch(&moto.endpoint).await;
    let slack = SlackReceiver::start().await.expect("receiver");
    let cfg = cfg_routed_to(&slack);

    // Before the hub exists: not deployed, and that is the only problem named.
    let h = health::fetch(&aws, &cfg, None).await;
    assert!(!h.deployed);
    assert_eq!(
        h.problems(),
        vec!["awsmon-notifier is not deployed: run `awsmon-tui deploy notifier`"]
    );

    let zip = deploy_hub(&aws, &cfg).await;
    let healthy = health::fetch(&aws, &cfg, Some(zip.sha256.clone())).await;
    assert_eq!(healthy.deployed_build.as_deref(), Some(zip.sha256.as_str()));
    assert_eq!(
        (
            healthy.errors_24h,
            healthy.throttles_24h,
            healthy.queue_depth
        ),
        (Some(0.0), Some(0.0), Some(0))
    );
    assert!(healthy.is_healthy(), "{:?}", healthy.problems());

    // Seed what a bad day looks like: 2 errors an hour ago, 3 deliveries 30 min ago, 2
    // undelivered events.
    let now = SystemTime::now();
    let datum = |name: &str, dim: &str, value: f64, ago: u64| {
        MetricDatum::builder()
            .metric_name(name)
            .dimensions(
                Dimension::builder()
                    .name(dim)
                    .value("awsmon-notifier")
                    .build(),
            )
            .value(value)
            .unit(StandardUnit::Count)
            .timestamp((now - Duration::from_secs(ago)).into())
            .build()
    };
    let cw = aws.cloudwatch("us-east-1");
    cw.put_metric_data()
        .namespace("AWS/Lambda")
        .metric_data(datum("Errors", "FunctionName", 2.0, 3600))
        .send()
        .await
        .expect("errors");
    cw.put_metric_data()
        .namespace("awsmon")
        .metric_data(datum("Deliveries", "Function", 3.0, 1800))
        .send()
        .await
        .expect("deliveries");
    let body = failure_record(&fixture("guardduty-crypto-high"));
    seed_queue(&aws, &cfg, &[body.clone(), body]).await;

    let h = health::fetch_at(&aws, &cfg, Some("0".repeat(64)), now).await;
    assert_eq!(h.errors_24h, Some(2.0));
    assert_eq!(h.throttles_24h, Some(0.0));
    assert_eq!(h.queue_depth, Some(2));
    let last = h.last_delivery.clone().expect("last delivery");
    assert!(
        last.starts_with(
            &aws_smithy_types::DateTime::from(now - Duration::from_mins(30))
                .fmt(aws_smithy_types::date_time::Format::DateTime)
                .expect("fmt")[..13]
        ),
        "{last}"
    );
    assert_eq!(
        h.problems(),
        vec![
            "2 undelivered event(s) in the failure queue: fix the cause, then `awsmon-tui notifier redrive`".to_string(),
            "2 failed invocation(s) in the last 24 h".to_string(),
            format!(
                "deployed build {} differs from this binary's 000000000000: `awsmon-tui deploy notifier` updates it",
                &zip.sha256[..12]
            ),
        ]
    );
    assert!(
        h.summary()
            .starts_with("notifier: 2 errors, 0 throttles /24h · queue 2 · last delivery "),
        "{}",
        h.summary()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn redrive_replays_through_the_pipeline_and_deletes_exactly_what_succeeded() {
    let hub = Hub::start().await;
    let (aws, slack, cfg) = (&hub.aws, &hub.slack, &hub.cfg);
    // GuardDuty's webhook is still broken; the default one is fixed.
    slack.script("guardduty", vec![Reply::invalid_payload(); 5]);
    seed_queue(
        aws,
        cfg,
        &[
            failure_record(&fixture("guardduty-crypto-high")),
            failure_record(&fixture("budget-forecasted-sns")),
            // A dead-letter queue holds the bare event.
            fixture("inspector2-ecr-critical").to_string(),
            "not an event".to_string(),
            // A digest no route took, after Lambda's retries.
            failure_record(&json!({"awsmon": "digest", "at": "2026-12-01T09:00:00Z"})),
        ],
    )
    .await;
    let settings = awsmon::notifier::deployed_routing(aws, cfg)
        .await
        .expect("deployed routing");

    // Look first: held, summarised, released untouched.
    let held = redrive::hold(aws, cfg, 100, Duration::from_mins(1))
        .await
        .expect("hold");
    assert_eq!(held.messages.len(), 5);
    let summary: Vec<(String, usize)> = held.summary(&settings).into_iter().collect();
    assert_eq!(
        summary,
        vec![
            ("budget · AWS Budgets Notification".to_string(), 1),
            ("default · awsmon Digest".to_string(), 1),
            ("guardduty · GuardDuty Finding".to_string(), 1),
            ("inspector · Inspector2 Finding".to_string(), 1),
            ("unreadable".to_string(), 1),
        ]
    );
    assert!(
        held.messages
            .iter()
            .any(|m| m.why.as_deref() == Some("RetriesExhausted: 1 of 1 deliveries failed"))
    );
    let all: Vec<&redrive::FailedMessage> = held.messages.iter().collect();
    redrive::release(aws, cfg, &held.queue_url, &all).await;
    assert_eq!(queue_depth(aws, cfg).await, 5, "a dry run changes nothing");
    assert!(slack.received().is_empty());

    // Replay: two delivered and deleted, GuardDuty refused again and kept, unreadable kept.
    let held = redrive::hold(aws, cfg, 100, Duration::from_mins(1))
        .await
        .expect("hold");
    let deliverer = Deliverer::new(RetryPolicy::default()).expect("client");
    let results = redrive::replay(
        aws,
        cfg,
        &held,
        &settings,
        &deliverer,
        Duration::from_secs(20),
    )
    .await;
    let mut outcome: Vec<(String, bool)> = results
        .iter()
        .map(|r| (r.kinds.join(","), r.result.succeeded()))
        .collect();
    outcome.sort();
    assert_eq!(
        outcome,
        vec![
            ("budget · AWS Budgets Notification".to_string(), true),
            ("default · awsmon Digest".to_string(), true),
            ("guardduty · GuardDuty Finding".to_string(), false),
            ("inspector · Inspector2 Finding".to_string(), true),
            ("unreadable".to_string(), false),
        ]
    );
    assert_eq!(
        slack.bodies("default").len(),
        2,
        "budget and inspector delivered once each"
    );
    assert_eq!(
        slack.bodies("guardduty").len(),
        1,
        "refused once, not retried (400)"
    );
    assert_eq!(queue_depth(aws, cfg).await, 2, "the two failures stay");
    let lines: Vec<String> = results.iter().map(redrive::replayed_line).collect();
    assert!(
        lines.iter().any(|l| l
            .starts_with("FAILED     guardduty · GuardDuty Finding  kept in the queue: FAILED ")
            && l.contains("invalid_payload")),
        "{lines:#?}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("dropped    default · awsmon Digest  (a daily digest that no route took: not replayed late; the next digest covers its day); removed from the queue")),
        "{lines:#?}"
    );
    assert!(lines.iter().all(|l| !l.contains("B0TEST/")), "{lines:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_cli_redrive_shows_first_and_is_refused_read_only_or_without_a_terminal() {
    let hub = Hub::start().await;
    let (moto, aws, slack, cfg) = (&hub.moto, &hub.aws, &hub.slack, &hub.cfg);
    let bridge = &hub.bridge;
    seed_queue(
        aws,
        cfg,
        &[failure_record(&fixture("budget-forecasted-sns"))],
    )
    .await;
    let (_dir, config) = config_file(slack);
    let run = |args: &[&str]| cli(args, &config, &moto.endpoint, Some(&bridge.endpoint));
    let (code, _, err) =
        tokio::task::block_in_place(|| run(&["--read-only", "notifier", "redrive"]));
    assert_eq!(code, Some(2));
    assert!(
        err.contains("--read-only is set: notifier redrive would change AWS"),
        "{err}"
    );

    let (code, out, _) = tokio::task::block_in_place(|| run(&["notifier", "redrive", "--dry-run"]));
    assert_eq!(code, Some(0));
    assert_eq!(
        out,
        "1 undelivered message in awsmon-notifier-failures\n     1  budget · AWS Budgets Notification\n  \
         e4b46cbf-b738-xmpl-8880-a18cdf61200e: RetriesExhausted: 1 of 1 deliveries failed\n"
            .replace("e4b46cbf-b738-xmpl-8880-a18cdf61200e", &held_id(aws, cfg).await)
    );
    let (code, _, err) = tokio::task::block_in_place(|| run(&["notifier", "redrive"]));
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("refusing to replay without --yes"), "{err}");
    assert_eq!(queue_depth(aws, cfg).await, 1);
    assert!(slack.received().is_empty());

    let (code, out, err) = tokio::task::block_in_place(|| run(&["notifier", "redrive", "--yes"]));
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(
        out.contains(
            "delivered  budget · AWS Budgets Notification  to 1 webhook; removed from the queue"
        ),
        "{out}"
    );
    assert_eq!(queue_depth(aws, cfg).await, 0);
    assert_eq!(slack.bodies("default").len(), 1);

    // Status: healthy now except the build (no bundled notifier in a test binary).
    let (code, out, _) = tokio::task::block_in_place(|| run(&["notifier", "status", "--json"]));
    let doc: Value = serde_json::from_str(out.trim()).expect("one JSON document");
    assert_eq!(doc["queue_depth"], 0);
    assert_eq!(doc["deployed"], true);
    assert_eq!(
        (code, doc["healthy"].as_bool()),
        (Some(0), Some(true)),
        "{doc}"
    );
}

/// A config.yml routing everything to the receiver's `default` hook, in a directory of its own.
fn config_file(slack: &SlackReceiver) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("dir");
    let config = dir.path().join("config.yml");
    std::fs::write(
        &config,
        format!("WEBHOOK_URLS: {}\n", slack.url("default").expose()),
    )
    .expect("config");
    (dir, config)
}

/// The real CLI against the emulator (and CloudWatch through the bridge): exit code, stdout,
/// stderr. The endpoint comes from the environment, not --endpoint-url, so CloudWatch's own
/// endpoint takes precedence for that one service, as the SDK documents.
fn cli(
    args: &[&str],
    config: &std::path::Path,
    moto: &str,
    cloudwatch: Option<&str>,
) -> (Option<i32>, String, String) {
    let home = config.parent().expect("config dir");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_awsmon-tui"));
    cmd.args(args)
        .arg("--config")
        .arg(config)
        .env_clear()
        .env("HOME", home)
        .env("AWS_ENDPOINT_URL", moto)
        .env("AWS_ACCESS_KEY_ID", "AKIAEMULATOR00000000")
        .env("AWS_SECRET_ACCESS_KEY", "emulator")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_REGION", "us-east-1")
        .stdin(std::process::Stdio::null());
    if let Some(cw) = cloudwatch {
        cmd.env("AWS_ENDPOINT_URL_CLOUDWATCH", cw);
    }
    let out = cmd.output().expect("run");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The SQS message id of the one seeded message (ids are the emulator's).
async fn held_id(aws: &Aws, cfg: &Config) -> String {
    let held = redrive::hold(aws, cfg, 10, Duration::from_secs(1))
        .await
        .expect("hold");
    let all: Vec<&redrive::FailedMessage> = held.messages.iter().collect();
    redrive::release(aws, cfg, &held.queue_url, &all).await;
    held.messages[0].message_id.clone()
}

/// The notifier's log line for a prepared event, made by the notifier's own delivery code
/// under the same JSON log format the Lambda uses.
async fn notifier_log_line(event: &Value, slack: &SlackReceiver) -> String {
    #[derive(Clone, Default)]
    struct Sink(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
    impl std::io::Write for Sink {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("lock").extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let sink = Sink::default();
    let writer = sink.clone();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_current_span(false)
        .with_ansi(false)
        .without_time()
        .with_target(false)
        .with_writer(move || writer.clone())
        .finish();
    let mut settings = awsmon_notifier::Settings::default();
    settings.routes.default = vec![slack.url("default")];
    let prepared = awsmon_notifier::prepare(event, &settings);
    let deliverer = Deliverer::new(RetryPolicy::default()).expect("client");
    {
        let _guard = tracing::subscriber::set_default(subscriber);
        awsmon_notifier::notify::deliver_all(&prepared, &deliverer, None).await;
    }
    let text = String::from_utf8(sink.0.lock().expect("lock").clone()).expect("utf8");
    text.lines()
        .find(|l| l.contains("\"message\":\"event\""))
        .expect("an event line")
        .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pipeline_test_message_is_confirmed_from_the_notifiers_log_line() {
    let hub = Hub::start().await;
    let (aws, slack, cfg) = (&hub.aws, &hub.slack, &hub.cfg);
    // moto cannot run a Lambda (it needs Docker) and fails PutEvents when a rule targets one,
    // so the hub rule's target is removed; the notifier's side is its seeded log line below.
    aws.eventbridge("us-east-1")
        .remove_targets()
        .rule("awsmon-test-events")
        .ids("notifier")
        .send()
        .await
        .expect("remove target");
    let sent_at = SystemTime::now();
    let id = awsmon::test_message::pipeline(aws, cfg, &awsmon::test_message::Route::Default)
        .await
        .expect("event on the bus");

    // What the Lambda writes for that event (the emulator cannot run it): the test event as
    // EventBridge delivers it, through the notifier's own code.
    let mut event = awsmon_notifier::event::test_event(
        &awsmon_notifier::event::test_detail("default", None, Some("ci")),
        "us-east-1",
        "123456789012",
        "2026-12-01T10:00:00Z",
    );
    event["id"] = json!(id);
    let line = notifier_log_line(&event, slack).await;
    let group = naming::notifier_log_group(cfg);
    let logs = aws.logs("us-east-1");
    logs.create_log_stream()
        .log_group_name(&group)
        .log_stream_name("2026/12/01/[$LATEST]0123")
        .send()
        .await
        .expect("stream");
    let at = i64::try_from(
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .expect("clock")
            .as_millis(),
    )
    .expect("ms");
    logs.put_log_events()
        .log_group_name(&group)
        .log_stream_name("2026/12/01/[$LATEST]0123")
        .log_events(
            aws_sdk_cloudwatchlogs::types::InputLogEvent::builder()
                .timestamp(at)
                .message("{\"_aws\":{}}")
                .build()
                .expect("event"),
        )
        .log_events(
            aws_sdk_cloudwatchlogs::types::InputLogEvent::builder()
                .timestamp(at)
                .message(&line)
                .build()
                .expect("event"),
        )
        .send()
        .await
        .expect("put");

    let seen = confirm::await_event(
        aws,
        cfg,
        &id,
        sent_at,
        Duration::from_secs(5),
        Duration::from_millis(200),
    )
    .await;
    let Confirmation::Seen(e) = &seen else {
        panic!("not confirmed: {seen:?}");
    };
    assert_eq!(
        (e.id.as_str(), e.decision.as_str(), e.service.as_str()),
        (id.as_str(), "send", "default")
    );
    assert!(seen.delivered());
    assert_eq!(e.deliveries.len(), 1);
    assert_eq!(
        (e.deliveries[0].status, e.deliveries[0].attempts),
        (Some(200), 1)
    );
    assert_eq!(e.deliveries[0].webhook, slack.url("default").masked());
    let lines = seen.lines();
    assert!(
        lines[0].starts_with(&format!("ok      {}  200  ", slack.url("default").masked())),
        "{lines:?}"
    );

    // An event the notifier never logged: a bounded wait, then a clear reason.
    let started = std::time::Instant::now();
    let missing = confirm::await_event(
        aws,
        cfg,
        "0000-not-sent",
        sent_at,
        Duration::from_millis(1200),
        Duration::from_millis(300),
    )
    .await;
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(!missing.delivered());
    let text = missing.lines().join("\n");
    assert!(text.starts_with("could not confirm delivery within 1 s: no log line for event 0000-not-sent in /aws/lambda/awsmon-notifier yet"), "{text}");

    // No log group at all (another prefix): said so.
    let other = Config {
        prefix_service_name: "other".into(),
        ..Config::default()
    };
    let none = confirm::await_event(
        aws,
        &other,
        &id,
        sent_at,
        Duration::from_millis(500),
        Duration::from_millis(200),
    )
    .await;
    assert!(
        none.lines()[0].contains("the log group /aws/lambda/other-notifier does not exist"),
        "{:?}",
        none.lines()
    );
}

/// The security review's finding: `destroy notifier` deleted the failure queue with an
/// undelivered alert in it, and the log group, without a word. Now the plan says so, a waiting
/// alert blocks it until it is replayed, exported or discarded (service data, asked twice).
#[tokio::test(flavor = "multi_thread")]
async fn destroying_the_notifier_never_loses_undelivered_alerts_silently() {
    let hub = Hub::start().await;
    let (aws, cfg) = (&hub.aws, &hub.cfg);
    seed_queue(
        aws,
        cfg,
        &[failure_record(&fixture("guardduty-crypto-high"))],
    )
    .await;
    let regions = vec!["us-east-1".to_string()];
    let destroy = |delete_service_data| {
        plan::draw_up(
            aws,
            cfg,
            Target::Notifier,
            &regions,
            Intent::Destroy {
                delete_service_data,
            },
        )
    };

    let (_, blocked) = destroy(false).await.expect("plan");
    assert_eq!(
        blocked.blockers,
        vec![
            "1 undelivered alert waits in awsmon-notifier-failures, and deleting the notifier deletes them: replay them (`awsmon-tui notifier redrive`), export them (`awsmon-tui notifier export FILE`), or discard them with --delete-service-data (asks again)"
        ]
    );
    let lines: Vec<String> = blocked.steps.iter().map(ToString::to_string).collect();
    assert!(
        lines.contains(&"delete stack awsmon-hub in us-east-1: remove the notifier, its rules and topic (spokes stop delivering), its failure queue, and its log group /aws/lambda/awsmon-notifier with the notifier's logs".to_string()),
        "{lines:#?}"
    );

    // Discarding is service data: destructive, so confirmed twice by the CLI and the console.
    let (_, discard) = destroy(true).await.expect("plan");
    assert!(discard.blockers.is_empty());
    assert_eq!(
        discard.destructive(),
        vec![
            "DESTRUCTIVE: discard 1 undelivered alert in awsmon-notifier-failures (us-east-1); nobody has seen them"
        ]
    );

    // An alert that arrives after an empty-queue plan stops the hub's removal.
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("undelivered.json");
    let held = redrive::hold(aws, cfg, 10, Duration::from_secs(30))
        .await
        .expect("hold");
    let doc = redrive::export_document(&held, "awsmon-notifier-failures");
    std::fs::write(&file, doc.to_string()).expect("write");
    redrive::delete(aws, cfg, &held.queue_url, &held.messages)
        .await
        .expect("delete");
    let (_, clean) = destroy(false).await.expect("plan");
    assert!(clean.blockers.is_empty(), "{:?}", clean.blockers);
    seed_queue(
        aws,
        cfg,
        &[failure_record(&fixture("budget-forecasted-sns"))],
    )
    .await;
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let waiting = Waiting {
        timeout: Duration::from_secs(30),
        poll: Duration::from_millis(100),
    };
    let report = engine::execute(aws, cfg, &clean, None, waiting, 4, tx.clone()).await;
    let failures: Vec<String> = report
        .failures()
        .iter()
        .filter_map(|o| o.result.clone().err().map(|e| e.to_string()))
        .collect();
    assert_eq!(
        failures,
        vec![
            "1 undelivered alert arrived in awsmon-notifier-failures: replay them (`awsmon-tui notifier redrive`) or export them first; the notifier was not removed",
            "skipped: an earlier step in this region failed",
            "skipped: an earlier step in this region failed",
        ],
        "the hub and the routing parameter stay"
    );
    assert!(
        awsmon::inventory::stacks::hub_exists(aws, cfg)
            .await
            .expect("stacks"),
        "the hub stays"
    );
    assert_eq!(queue_depth(aws, cfg).await, 1);

    // With the second confirmation given: discarded, then removed.
    let (_, discard) = destroy(true).await.expect("plan");
    let report = engine::execute(aws, cfg, &discard, None, waiting, 4, tx).await;
    assert_eq!(report.failures().len(), 0, "{:?}", report.failures());
    assert!(
        !awsmon::inventory::stacks::hub_exists(aws, cfg)
            .await
            .expect("stacks")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn export_writes_the_file_first_then_removes_exactly_those_messages() {
    let moto = common::start_moto();
    let aws = common::aws(&moto.endpoint).await;
    let slack = SlackReceiver::start().await.expect("receiver");
    let cfg = cfg_routed_to(&slack);
    deploy_hub(&aws, &cfg).await;
    seed_queue(
        &aws,
        &cfg,
        &[
            failure_record(&fixture("guardduty-crypto-high")),
            "not an event".to_string(),
        ],
    )
    .await;
    let (dir, config) = config_file(&slack);
    let file = dir.path().join("undelivered.json");
    let run = |args: &[&str]| cli(args, &config, &moto.endpoint, None);
    let path = file.display().to_string();
    let (code, _, err) =
        tokio::task::block_in_place(|| run(&["--read-only", "notifier", "export", &path]));
    assert_eq!(code, Some(2), "{err}");
    let (code, out, err) = tokio::task::block_in_place(|| run(&["destroy", "notifier", "--yes"]));
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(
        err.contains("2 undelivered alerts wait in awsmon-notifier-failures"),
        "{err}"
    );

    let (code, out, err) = tokio::task::block_in_place(|| run(&["notifier", "export", &path]));
    assert_eq!(code, Some(0), "{out}{err}");
    assert_eq!(
        out.trim(),
        format!(
            "exported 2 undelivered messages from awsmon-notifier-failures to {path} and removed them from the queue"
        )
    );
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("file")).expect("json");
    let messages = doc["messages"].as_array().expect("messages");
    assert_eq!(messages.len(), 2);
    assert!(
        messages
            .iter()
            .any(|m| m["event"]["detail-type"] == "GuardDuty Finding")
    );
    assert!(
        messages
            .iter()
            .any(|m| m["event"].is_null() && m["body"] == "not an event"),
        "an unreadable body is kept as it was"
    );
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(&file).expect("meta").permissions(),
    );
    assert_eq!(mode & 0o777, 0o600);
    assert_eq!(queue_depth(&aws, &cfg).await, 0);
    // Never over an existing file.
    let (code, _, err) = tokio::task::block_in_place(|| run(&["notifier", "export", &path]));
    assert_eq!(code, Some(2));
    assert!(err.contains("exists; name a new file"), "{err}");

    let (code, out, err) = tokio::task::block_in_place(|| run(&["destroy", "notifier", "--yes"]));
    assert_eq!(code, Some(0), "{out}{err}");
}

/// `notifier digest` and the console's `:digest` build what the notifier would send from the
/// deployed hub's state table, written here by the notifier's own state code (claims settled
/// as sent, and an hour's tally) as its invocations write it; nothing is posted.
#[tokio::test(flavor = "multi_thread")]
async fn the_digest_preview_reads_the_deployed_state_as_the_notifier_would() {
    use awsmon::tui::app::{Action, Effect};
    use awsmon::tui::popups::Popup;
    use awsmon_notifier::state_store::StateStore;

    let hub = Hub::start().await;
    let store = StateStore::new(
        &naming::state_table(&hub.cfg),
        hub.aws.dynamodb("us-east-1"),
    );
    let now = awsmon_notifier::time::epoch_now();
    for name in [
        "guardduty-crypto-high",
        "guardduty-s3-critical",
        "config-change-with-diff",
    ] {
        let p = &awsmon_notifier::prepare(&fixture(name), &hub.cfg.settings)[0];
        let claim = store.claim(p, now, now + 60, 86_400).await.expect("claim");
        store.sent(&claim, now, 86_400).await.expect("sent");
    }
    store
        .tally(
            &[(awsmon_notifier::digest::deduplicated_attr("guardduty"), 5)],
            now,
        )
        .await
        .expect("tally");

    // The CLI: one JSON line per route, webhooks masked.
    let (_dir, config) = config_file(&hub.slack);
    let (code, out, err) = cli(
        &["notifier", "digest", "--json"],
        &config,
        &hub.moto.endpoint,
        None,
    );
    assert_eq!(code, Some(0), "{err}");
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 1, "{out}");
    assert_eq!(
        (lines[0]["route"].as_str(), lines[0]["findings"].as_u64()),
        (Some("default"), Some(3))
    );
    let text = lines[0]["payload"]["text"].as_str().unwrap_or_default();
    assert!(
        text.starts_with("awsmon daily digest: 3 findings sent in the last 24 h ("),
        "{text}"
    );
    // The receiver's webhook path: what a real webhook keeps secret.
    let token = "T0TEST/B0TEST/";
    assert!(!out.contains(token) && !err.contains(token));
    let (code, out, _) = cli(&["notifier", "digest"], &config, &hub.moto.endpoint, None);
    assert_eq!(code, Some(0));
    assert!(
        out.starts_with("schedule: off (set DIGEST_TIME to send one)\n"),
        "{out}"
    );
    assert!(out.contains("5 events not sent again"), "{out}");
    assert!(hub.slack.received().is_empty(), "a preview sends nothing");

    // The console: `:digest` asks for it, and the popup shows each route as Slack would.
    let mut app = crate::tui::app(true);
    crate::tui::keys(&mut app, ":digest");
    let effects = crate::tui::key(&mut app, crossterm::event::KeyCode::Enter);
    assert!(
        effects.iter().any(|e| matches!(e, Effect::LoadDigest)),
        "read-only may preview: {effects:?}"
    );
    let digests = awsmon::notifier::state::digest(&hub.aws, &hub.cfg).await;
    app.update(Action::Digest(digests));
    let Some(Popup::Message { title, text, .. }) = &app.ui.popup else {
        panic!("no popup: {:?}", app.ui.popup);
    };
    assert_eq!(title, "daily digest preview");
    assert!(
        text.contains("── route guardduty") && text.contains("── route default"),
        "{text}"
    );
    assert!(!text.contains(token), "{text}");
}
