//! The demo's world (issue 13, "the demo is complete"): moto plus the overlays the demo puts in
//! front of it. Every source of findings answers (GuardDuty from several regions, Trusted
//! Advisor), and turning a service on through awsmon's own deploy path leaves it on, so the
//! check afterwards passes. The overlays serve recorded AWS JSON where moto has no API
//! (GuardDuty ListFindings/GetFindings, Support's Trusted Advisor results) and seed what moto's
//! CloudFormation skips (detector, recorder, budget).

use crate::common;

use std::time::Duration;

use awsmon::aws::Aws;
use awsmon::config::Config;
use awsmon::deploy::plan::{self, Intent, Target};
use awsmon::deploy::stack_ops::Waiting;
use awsmon::deploy::{engine, verify};
use awsmon::findings::{self, Request};
use awsmon_notifier::Service;
use awsmon_testbench::demo_world::DemoWorld;
use awsmon_testbench::seed;

async fn demo_aws(moto: &awsmon_testbench::Moto) -> (Aws, DemoWorld) {
    let direct = common::aws(&moto.endpoint).await;
    let world = DemoWorld::start(&moto.endpoint, direct)
        .await
        .expect("overlays");
    let mut options = common::options(&moto.endpoint);
    for (service, endpoint) in &world.endpoints {
        options.service_endpoints.insert(*service, endpoint.clone());
    }
    (Aws::load(options, "us-east-1").await, world)
}

#[tokio::test(flavor = "multi_thread")]
async fn every_source_answers_and_turning_services_on_leaves_them_on() {
    let moto = common::start_moto();
    let (aws, _world) = demo_aws(&moto).await;
    seed::services(&aws).await.expect("seed");
    let mut cfg = Config {
        budget_limit: Some(100.0),
        budget_threshold_percentage: 80.0,
        ..Config::default()
    };
    cfg.settings.routes.default = vec![
        awsmon_notifier::WebhookUrl::parse(
            "https://hooks.slack.com/services/T0FAKE/B0FAKE/XXXXXXXX",
        )
        .expect("url"),
    ];

    let req = Request {
        regions: vec![
            "us-east-1".into(),
            "eu-central-1".into(),
            "eu-west-1".into(),
        ],
        services: vec![Service::GuardDuty, Service::TrustedAdvisor, Service::Health],
        since: Duration::from_hours(24),
        concurrency: 8,
    };
    let fetched = findings::fetch(&aws, &cfg, seed::ACCOUNT, &req).await;
    assert_eq!(fetched.errors, Vec::<String>::new());
    let mut seen: Vec<(String, &str)> = fetched
        .findings
        .iter()
        .map(|f| (f.summary.region.clone(), f.service()))
        .collect();
    seen.sort();
    seen.dedup();
    assert_eq!(
        seen,
        vec![
            ("eu-central-1".to_string(), "guardduty"),
            ("eu-west-1".to_string(), "guardduty"),
            // The scheduled retirement AWS Health reports there (and only there).
            ("eu-west-1".to_string(), "health"),
            ("us-east-1".to_string(), "guardduty"),
            ("us-east-1".to_string(), "trustedadvisor"),
        ]
    );
    assert_eq!(
        fetched
            .findings
            .iter()
            .filter(|f| f.service() == "guardduty")
            .count(),
        9,
        "three samples in each region with a detector"
    );

    // On through awsmon's own plan and engine: GuardDuty where there is no detector, Config
    // where there is no recorder, the budget. The check afterwards finds every one on.
    let dir = tempfile::tempdir().expect("dir");
    let zip = common::fake_zip(dir.path());
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let waiting = Waiting {
        timeout: Duration::from_secs(30),
        poll: Duration::from_millis(100),
    };
    for (service, region) in [
        (Service::GuardDuty, "ap-southeast-2"),
        (Service::Config, "eu-central-1"),
        (Service::Budget, "us-east-1"),
    ] {
        let regions = vec![region.to_string()];
        let (_, p) = plan::draw_up(
            &aws,
            &cfg,
            Target::Service(service),
            &regions,
            Intent::Deploy(&zip),
        )
        .await
        .expect("plan");
        let report = engine::execute(&aws, &cfg, &p, Some(&zip), waiting, 8, tx.clone()).await;
        assert_eq!(
            report.failures(),
            Vec::<&engine::StepOutcome>::new(),
            "{service}"
        );
        let deployed = verify::deployed(&cfg, &p, &report);
        assert!(!deployed.is_empty(), "{service}: nothing deployed");
        assert_eq!(
            verify::verify(&aws, &cfg, seed::ACCOUNT, &deployed).await,
            Vec::<String>::new(),
            "{service} in {region}"
        );
    }
}

/// The demo's pipeline: a test message put on the bus reaches the real notifier binary (run
/// with the deployed function's environment under the local runtime API), which posts it to
/// the local Slack receiver and logs it, and awsmon confirms delivery from that log line, as
/// against AWS. Needs the host notifier binary (`scripts/test` builds it first).
#[tokio::test(flavor = "multi_thread")]
async fn a_pipeline_test_message_reaches_slack_through_the_real_notifier() {
    let bootstrap = std::env::current_exe()
        .expect("exe")
        .parent()
        .and_then(std::path::Path::parent)
        .map(|dir| dir.join("bootstrap"))
        .expect("target dir");
    assert!(
        bootstrap.exists(),
        "{} is missing: build it with `cargo build -p awsmon-notifier --bin bootstrap --features lambda` (scripts/test does)",
        bootstrap.display()
    );
    let moto = common::start_moto();
    let slack = awsmon_testbench::receiver::SlackReceiver::start()
        .await
        .expect("receiver");
    let direct = common::aws(&moto.endpoint).await;
    let (aws, mut world) = demo_aws(&moto).await;
    let mut cfg = Config::default();
    cfg.settings.routes.default = vec![slack.url("default")];
    let dir = tempfile::tempdir().expect("dir");
    let zip = common::fake_zip(dir.path());
    let (_, p) = plan::draw_up(&aws, &cfg, Target::Notifier, &[], Intent::Deploy(&zip))
        .await
        .expect("plan");
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let waiting = Waiting {
        timeout: Duration::from_secs(30),
        poll: Duration::from_millis(100),
    };
    let report = engine::execute(&aws, &cfg, &p, Some(&zip), waiting, 8, tx).await;
    assert_eq!(report.failures(), Vec::<&engine::StepOutcome>::new());
    world
        .start_notifier(
            &direct,
            &moto.endpoint,
            &bootstrap,
            &awsmon::naming::notifier_function(&cfg),
            &awsmon::naming::notifier_log_group(&cfg),
        )
        .await
        .expect("notifier");

    let sent_at = std::time::SystemTime::now();
    let sent = awsmon::ops::test_message::send(
        &aws,
        &cfg,
        awsmon::test_message::Route::Default,
        awsmon::test_message::Via::Pipeline,
        Duration::from_secs(10),
    )
    .await
    .expect("sent");
    let awsmon::ops::test_message::Sent::Pipeline { event_id, .. } = sent else {
        panic!("{sent:?}");
    };
    let seen = awsmon::notifier::confirm::await_event(
        &aws,
        &cfg,
        &event_id,
        sent_at,
        Duration::from_secs(30),
        Duration::from_millis(200),
    )
    .await;
    assert!(seen.delivered(), "{:?}", seen.lines());
    let bodies = slack.bodies("default");
    assert_eq!(bodies.len(), 1, "{bodies:?}");
    assert!(
        bodies[0].contains("awsmon test message for the default route"),
        "{}",
        bodies[0]
    );
}
