//! Security Hub against moto (the hub, findings) with the testbench's overlay for the standards
//! APIs moto lacks: adopting a hub someone else runs, the identity check before disabling a
//! hub, the probe when the standards cannot be read, and findings through the notifier.

use crate::common::{self, routed};

use aws_sdk_securityhub::types::StandardsSubscriptionRequest;
use awsmon::aws::Aws;
use awsmon::config::Config;
use awsmon::deploy::plan::{self, Intent, Target};
use awsmon::findings::{self, Request};
use awsmon::inventory::State;
use awsmon::services::securityhub::probe;
use awsmon_notifier::Service;
use awsmon_testbench::securityhub::StandardsOverlay;

const ACCOUNT: &str = "123456789012";
const CIS: &str = "arn:aws:securityhub:eu-west-1::standards/cis-aws-foundations-benchmark/v/3.0.0";
const FSBP: &str =
    "arn:aws:securityhub:eu-west-1::standards/aws-foundational-security-best-practices/v/1.0.0";

/// moto behind the standards overlay, and a client set that reaches Security Hub through it.
async fn hub_world(moto: &awsmon_testbench::Moto) -> (Aws, StandardsOverlay) {
    let standards = awsmon_testbench::securityhub::start(&moto.endpoint, ACCOUNT)
        .await
        .expect("standards overlay");
    let mut options = common::options(&moto.endpoint);
    options
        .service_endpoints
        .insert("securityhub", standards.overlay.endpoint.clone());
    (Aws::load(options, "us-east-1").await, standards)
}

/// A hub turned on outside awsmon, without AWS's default standards.
async fn someone_enables_hub(aws: &Aws, region: &str) {
    aws.securityhub(region)
        .enable_security_hub()
        .enable_default_standards(false)
        .send()
        .await
        .expect("enable hub");
}

fn cfg() -> Config {
    Config {
        settings: routed(),
        ..Config::default()
    }
}

async fn draw_up(aws: &Aws, cfg: &Config, region: &str, intent: Intent<'_>) -> plan::Plan {
    let (_, p) = plan::draw_up(
        aws,
        cfg,
        Target::Service(Service::SecurityHub),
        &[region.to_string()],
        intent,
    )
    .await
    .expect("plan");
    p
}

async fn destroy_with_data(aws: &Aws, cfg: &Config, region: &str) -> plan::Plan {
    draw_up(
        aws,
        cfg,
        region,
        Intent::Destroy {
            delete_service_data: true,
        },
    )
    .await
}

/// The plan's lines about Security Hub (the hub's own stacks left out).
fn hub_lines(p: &plan::Plan) -> Vec<String> {
    p.steps
        .iter()
        .map(ToString::to_string)
        .filter(|l| l.contains("Security Hub") || l.contains("awsmon-securityhub"))
        .collect()
}

async fn run(
    aws: &Aws,
    cfg: &Config,
    p: &plan::Plan,
    zip: &awsmon::deploy::artifact::Artifact,
) -> Vec<String> {
    common::execute_failures(aws, cfg, p, zip).await
}

#[tokio::test(flavor = "multi_thread")]
async fn an_adopted_hub_with_cis_gains_fsbp_and_destroy_disables_only_fsbp() {
    let moto = common::start_moto();
    let (aws, standards) = hub_world(&moto).await;
    let dir = tempfile::tempdir().expect("dir");
    let zip = common::fake_zip(dir.path());
    let cfg = cfg();
    // Someone runs a hub in eu-west-1 with CIS 3.0 only.
    someone_enables_hub(&aws, "eu-west-1").await;
    aws.securityhub("eu-west-1")
        .batch_enable_standards()
        .standards_subscription_requests(
            StandardsSubscriptionRequest::builder()
                .standards_arn(CIS)
                .build(),
        )
        .send()
        .await
        .expect("enable CIS");
    assert_eq!(
        probe::status(&aws, "eu-west-1", &cfg.settings.securityhub.standards)
            .await
            .expect("status")
            .detail,
        "hub on, CIS 3.0; FSBP off"
    );

    let on = draw_up(&aws, &cfg, "eu-west-1", Intent::Deploy(&zip)).await;
    assert_eq!(
        hub_lines(&on),
        [
            "enable FSBP on the existing Security Hub in eu-west-1",
            "create stack awsmon-securityhub in eu-west-1: adopt the existing hub with CIS 3.0; standards enabled by awsmon: FSBP; forward to the hub",
        ],
        "{}",
        on.summary()
    );
    assert_eq!(run(&aws, &cfg, &on, &zip).await, Vec::<String>::new());
    assert_eq!(
        standards
            .subscriptions
            .lock()
            .expect("lock")
            .get("eu-west-1"),
        Some(&vec![CIS.to_string(), FSBP.to_string()])
    );
    let (_, p) = common::stack_params(&aws, "eu-west-1", "awsmon-securityhub").await;
    assert_eq!(
        (p["CreatedHub"].as_str(), p["EnabledStandards"].as_str()),
        ("false", "aws-foundational-security-best-practices")
    );
    let status = probe::status(&aws, "eu-west-1", &cfg.settings.securityhub.standards)
        .await
        .expect("status");
    assert_eq!(
        (status.state, status.detail.as_str()),
        (State::Enabled, "hub on, FSBP+CIS 3.0")
    );

    // Deploying again changes nothing about the hub: FSBP is now recorded as awsmon's.
    let again = draw_up(&aws, &cfg, "eu-west-1", Intent::Deploy(&zip)).await;
    assert!(
        !hub_lines(&again).iter().any(|l| l.starts_with("enable")),
        "{}",
        again.summary()
    );

    // Off with service data: only the standard awsmon enabled goes; the hub and CIS stay.
    let off = destroy_with_data(&aws, &cfg, "eu-west-1").await;
    assert_eq!(
        off.destructive(),
        vec![
            "DESTRUCTIVE: disable FSBP in eu-west-1 (enabled by awsmon on the adopted hub), which archives their control findings"
        ]
    );
    assert_eq!(run(&aws, &cfg, &off, &zip).await, Vec::<String>::new());
    assert_eq!(
        standards
            .subscriptions
            .lock()
            .expect("lock")
            .get("eu-west-1"),
        Some(&vec![CIS.to_string()])
    );
    let hub = probe::facts(&aws, "eu-west-1").await.expect("hub");
    assert!(hub.subscribed_at.is_some(), "the adopted hub stays on");
    assert_eq!(hub.standards, vec!["cis-aws-foundations-benchmark-v3.0.0"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hub_switched_off_and_on_by_someone_else_is_not_disabled() {
    let moto = common::start_moto();
    let (aws, _standards) = hub_world(&moto).await;
    let dir = tempfile::tempdir().expect("dir");
    let zip = common::fake_zip(dir.path());
    let cfg = cfg();
    let on = draw_up(&aws, &cfg, "us-east-1", Intent::Deploy(&zip)).await;
    assert_eq!(
        hub_lines(&on)[0],
        "enable Security Hub in us-east-1 with FSBP"
    );
    assert_eq!(run(&aws, &cfg, &on, &zip).await, Vec::<String>::new());

    // Later, someone else disables the hub and enables their own: a newer subscription than
    // awsmon's spoke records (timestamps have second resolution somewhere on the way).
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    aws.securityhub("us-east-1")
        .disable_security_hub()
        .send()
        .await
        .expect("disable");
    someone_enables_hub(&aws, "us-east-1").await;

    let off = destroy_with_data(&aws, &cfg, "us-east-1").await;
    assert_eq!(
        off.destructive(),
        vec![
            "DESTRUCTIVE: disable Security Hub in us-east-1 (the hub awsmon created), which deletes its findings"
        ]
    );
    let failures = run(&aws, &cfg, &off, &zip).await;
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(
        failures[0].contains("it is not the hub awsmon created, so it is left on"),
        "{failures:?}"
    );
    assert!(
        probe::subscribed_at(&aws, "us-east-1")
            .await
            .expect("hub")
            .is_some(),
        "their hub stays on"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn standards_that_cannot_be_read_are_said_and_never_enabled_blind() {
    // moto alone: the hub answers, GetEnabledStandards does not exist there.
    let moto = common::start_moto();
    let aws = common::aws(&moto.endpoint).await;
    let dir = tempfile::tempdir().expect("dir");
    let zip = common::fake_zip(dir.path());
    let cfg = cfg();
    someone_enables_hub(&aws, "eu-west-1").await;
    let status = probe::status(&aws, "eu-west-1", &cfg.settings.securityhub.standards)
        .await
        .expect("status");
    assert_eq!(status.state, State::Enabled);
    assert!(
        status.detail.starts_with("hub on; standards unread ("),
        "{}",
        status.detail
    );
    let on = draw_up(&aws, &cfg, "eu-west-1", Intent::Deploy(&zip)).await;
    let lines = hub_lines(&on);
    assert_eq!(lines.len(), 1, "no enable step: {lines:?}");
    assert!(
        lines[0].starts_with(
            "create stack awsmon-securityhub in eu-west-1: adopt the existing hub; standards not read ("
        ) && lines[0].ends_with("), none enabled; forward to the hub"),
        "{}",
        lines[0]
    );
}

/// On a runtime whose threads have the console's stack (`awsmon::STACK_BYTES`): reading an
/// ASFF finding with resource details overflows the default 2 MiB in a debug build.
#[test]
fn findings_are_read_back_and_decided_by_the_notifier() {
    std::thread::Builder::new()
        .stack_size(awsmon::STACK_BYTES)
        .spawn(|| {
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .thread_stack_size(awsmon::STACK_BYTES)
                .build()
                .expect("runtime")
                .block_on(findings_read_back());
        })
        .expect("thread")
        .join()
        .expect("the test passed");
}

async fn findings_read_back() {
    let moto = common::start_moto();
    let aws = common::aws(&moto.endpoint).await;
    someone_enables_hub(&aws, "us-east-1").await;
    awsmon_testbench::seed::securityhub_findings(&moto.endpoint, "us-east-1")
        .await
        .expect("seed");
    let hook = "https://hooks.slack.com/services/T0FAKE/B0HUB/SECURITYHUBSECURITYHUB";
    let request = Request {
        regions: vec!["us-east-1".into()],
        services: vec![Service::SecurityHub],
        since: std::time::Duration::from_hours(24),
        concurrency: 4,
    };
    let read = |text: String| {
        let (cfg, _) = awsmon::config::load_str("config.yml", &text).expect("config");
        cfg
    };
    let base = format!(
        "REGIONS: [us-east-1]\nWEBHOOK_URLS: https://hooks.slack.com/services/T0FAKE/B0FAKE/DEFAULTDEFAULT\nWEBHOOK_URLS_SECURITYHUB: {hook}\n"
    );

    // As configured: the HIGH control finding goes to Security Hub's webhook; GuardDuty's copy
    // of its own finding is dropped (GuardDuty's rule sends it).
    let cfg = read(base.clone());
    let fetched = findings::fetch(&aws, &cfg, ACCOUNT, &request).await;
    assert_eq!(fetched.errors, Vec::<String>::new());
    let mut rows: Vec<(String, bool, String)> = fetched
        .findings
        .iter()
        .map(|f| {
            (
                f.summary.title.clone(),
                f.summary.send,
                f.summary.reason.clone(),
            )
        })
        .collect();
    rows.sort();
    assert_eq!(
        rows,
        vec![
            (
                "198.51.100.197 is performing SSH brute force attacks against i-0c10c2c7863d1a3ab.".to_string(),
                false,
                "duplicate: GuardDuty findings are sent directly".to_string()
            ),
            (
                "Security groups should only allow unrestricted incoming traffic for authorized ports".to_string(),
                true,
                "mention here".to_string()
            ),
        ]
    );
    let sent = fetched
        .findings
        .iter()
        .find(|f| f.summary.send)
        .expect("sent");
    let prepared = sent.prepare(&cfg.settings).expect("prepared");
    assert_eq!(
        prepared.routes,
        vec![awsmon_notifier::WebhookUrl::parse(hook).expect("url")]
    );
    assert_eq!(sent.summary.severity.as_deref(), Some("HIGH"));

    // With SECURITYHUB_MIN_SEVERITY above it, the same finding is dropped and says why.
    let cfg = read(format!("{base}SECURITYHUB_MIN_SEVERITY: CRITICAL\n"));
    let fetched = findings::fetch(&aws, &cfg, ACCOUNT, &request).await;
    let control = fetched
        .findings
        .iter()
        .find(|f| f.summary.title.starts_with("Security groups"))
        .expect("control finding");
    assert_eq!(
        (control.summary.send, control.summary.reason.as_str()),
        (
            false,
            "severity HIGH is below SECURITYHUB_MIN_SEVERITY CRITICAL"
        )
    );
}
