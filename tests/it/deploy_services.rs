//! Deploying every service against the emulator: Config and Inspector adopted where they
//! already exist, Trusted Advisor in us-east-1 only, the budget; the check afterwards; destroy
//! with service data removed only where awsmon created it; one failing region among others.

use crate::common::{self, routed, waiting};

use std::time::Duration;

use aws_sdk_config::types::{ConfigurationRecorder, DeliveryChannel, RecordingGroup};
use aws_sdk_inspector2::types::ResourceScanType;
use awsmon::aws::Aws;
use awsmon::config::Config;
use awsmon::deploy::plan::{self, Intent, Target};
use awsmon::deploy::{engine, verify};
use awsmon::inventory::{configservice, inspector};
use awsmon_notifier::Service;

const ACCOUNT: &str = "123456789012";

fn regions(list: &[&str]) -> Vec<String> {
    list.iter().map(|r| (*r).to_string()).collect()
}

fn results(report: &engine::Report) -> Vec<String> {
    report
        .outcomes
        .iter()
        .map(|o| match &o.result {
            Ok(r) => format!("{} {}: {r}", o.region, short(&o.step)),
            Err(e) => format!("{} {}: FAILED {e}", o.region, short(&o.step)),
        })
        .collect()
}

/// "create stack awsmon-config in eu-west-1: …" → "create stack awsmon-config".
fn short(step: &str) -> String {
    step.split(" in ").next().unwrap_or(step).to_string()
}

/// A Config recorder (not recording) and delivery channel made outside awsmon.
async fn someone_elses_config(aws: &Aws, region: &str, recorder: &str, channel: &str) {
    let config = aws.configservice(region);
    config
        .put_configuration_recorder()
        .configuration_recorder(
            ConfigurationRecorder::builder()
                .name(recorder)
                .role_arn(format!("arn:aws:iam::{ACCOUNT}:role/config"))
                .recording_group(RecordingGroup::builder().all_supported(true).build())
                .build(),
        )
        .send()
        .await
        .expect("recorder");
    config
        .put_delivery_channel()
        .delivery_channel(
            DeliveryChannel::builder()
                .name(channel)
                .s3_bucket_name(format!("{channel}-bucket"))
                .build(),
        )
        .send()
        .await
        .expect("channel");
}

/// A recorder and channel made outside awsmon, the recorder stopped; Inspector on for EC2.
async fn existing_services(aws: &Aws, region: &str) {
    someone_elses_config(aws, region, "org-recorder", "org-channel").await;
    aws.inspector2(region)
        .enable()
        .account_ids(ACCOUNT)
        .resource_types(ResourceScanType::Ec2)
        .send()
        .await
        .expect("inspector");
}

#[tokio::test(flavor = "multi_thread")]
async fn every_service_adopts_what_exists_and_destroy_keeps_adopted_data() {
    let moto = common::start_moto();
    // Security Hub's standards APIs, which moto lacks, answered beside it.
    let standards = awsmon_testbench::securityhub::start(&moto.endpoint, ACCOUNT)
        .await
        .expect("standards overlay");
    let mut options = common::options(&moto.endpoint);
    options
        .service_endpoints
        .insert("securityhub", standards.overlay.endpoint.clone());
    let aws = Aws::load(options, "us-east-1").await;
    let dir = tempfile::tempdir().expect("dir");
    let zip = common::fake_zip(dir.path());
    let cfg = Config {
        budget_limit: Some(250.0),
        budget_tag_filters: vec!["user:Project$awsmon".into()],
        budget_threshold_percentage: 80.0,
        settings: routed(),
        ..Config::default()
    };
    let regions = regions(&["us-east-1", "eu-west-1"]);
    existing_services(&aws, "eu-west-1").await;
    // IAM Access Analyzer (the test bench's stand-in, moto has none): someone's analyzer in
    // eu-west-1, none in us-east-1.
    let analyzers = common::access_analyzer(&moto.endpoint);
    analyzers.add(
        "eu-west-1",
        "org-analyzer",
        "ACCOUNT",
        "ACTIVE",
        "2026-11-01T09:00:00Z",
    );

    let (_, the_plan) = plan::draw_up(&aws, &cfg, Target::All, &regions, Intent::Deploy(&zip))
        .await
        .expect("plan");
    let lines: Vec<String> = the_plan.steps.iter().map(ToString::to_string).collect();
    let hub_build = format!("notifier build {}…", &zip.sha256[..12]);
    assert_eq!(
        lines[4..],
        [
            "create stack awsmon-guardduty in us-east-1: create a detector; the hub's rules forward here",
            "create stack awsmon-guardduty in eu-west-1: create a detector; forward to the hub",
            "create stack awsmon-config in us-east-1: recorder by awsmon, delivery channel and bucket awsmon-config-123456789012-us-east-1 by awsmon, global resource types recorded here; the hub's rules forward here",
            "create stack awsmon-config in eu-west-1: adopt existing recorder org-recorder, adopt existing delivery channel org-channel; forward to the hub",
            "start the adopted recorder org-recorder in eu-west-1 (it exists but is not recording)",
            "enable Inspector in us-east-1 for EC2, ECR, LAMBDA",
            "create stack awsmon-inspector in us-east-1: enabled by awsmon for EC2, ECR, LAMBDA; the hub's rules forward here",
            "enable Inspector in eu-west-1 for ECR, LAMBDA",
            "create stack awsmon-inspector in eu-west-1: adopt Inspector already on for EC2; enabled by awsmon for ECR, LAMBDA; forward to the hub",
            "enable Security Hub in us-east-1 with FSBP",
            "create stack awsmon-securityhub in us-east-1: hub created by awsmon; standards enabled by awsmon: FSBP; the hub's rules forward here",
            "enable Security Hub in eu-west-1 with FSBP",
            "create stack awsmon-securityhub in eu-west-1: hub created by awsmon; standards enabled by awsmon: FSBP; forward to the hub",
            "create the IAM Access Analyzer analyzer awsmon-analyzer in us-east-1 (zone of trust: the account)",
            "create stack awsmon-accessanalyzer in us-east-1: analyzer awsmon-analyzer created by awsmon (zone of trust: the account); the hub's rules forward here",
            "create stack awsmon-accessanalyzer in eu-west-1: adopt the existing account analyzer org-analyzer; forward to the hub",
            "create stack awsmon-health in us-east-1: AWS Health is always on; the hub's rules forward here",
            "create stack awsmon-health in eu-west-1: AWS Health is always on; forward to the hub",
            "create stack awsmon-trustedadvisor in us-east-1: check items in ERROR straight to the notifier",
            "create stack awsmon-budget in us-east-1: monthly COST budget awsmon-monthly of 250 USD for user:Project$awsmon; alerts: forecast above 80 %, actual above 100 %",
        ],
        "{}",
        the_plan.summary()
    );
    assert!(lines[3].ends_with(&hub_build), "{}", lines[3]);
    assert!(the_plan.blockers.is_empty() && the_plan.notes.is_empty());

    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let report = engine::execute(
        &aws,
        &cfg,
        &the_plan,
        Some(&zip),
        waiting(30),
        8,
        tx.clone(),
    )
    .await;
    assert_eq!(report.failures(), Vec::<&engine::StepOutcome>::new());

    // What each stack was given.
    let (status, p) = common::stack_params(&aws, "eu-west-1", "awsmon-config").await;
    assert_eq!(status, "CREATE_COMPLETE");
    assert_eq!(
        (
            p["CreateRecorder"].as_str(),
            p["CreateDeliveryChannel"].as_str(),
            p["BucketName"].as_str(),
            p["RecordGlobalResources"].as_str()
        ),
        ("false", "false", "", "false")
    );
    let (_, p) = common::stack_params(&aws, "us-east-1", "awsmon-config").await;
    assert_eq!(
        (
            p["CreateRecorder"].as_str(),
            p["RecordGlobalResources"].as_str()
        ),
        ("true", "true")
    );
    let (_, p) = common::stack_params(&aws, "eu-west-1", "awsmon-inspector").await;
    assert_eq!(p["EnabledTypes"], "ECR,LAMBDA");
    // Security Hub: the hub and FSBP by awsmon in both regions, and the spoke records both.
    let (_, p) = common::stack_params(&aws, "eu-west-1", "awsmon-securityhub").await;
    assert_eq!(
        (p["CreatedHub"].as_str(), p["EnabledStandards"].as_str()),
        ("true", "aws-foundational-security-best-practices")
    );
    assert_eq!(
        standards.subscriptions.lock().expect("lock").get("eu-west-1"),
        Some(&vec![
            "arn:aws:securityhub:eu-west-1::standards/aws-foundational-security-best-practices/v/1.0.0".to_string()
        ])
    );
    // Access Analyzer: awsmon's analyzer in us-east-1, recorded by its spoke; eu-west-1's kept.
    let (_, p) = common::stack_params(&aws, "us-east-1", "awsmon-accessanalyzer").await;
    assert_eq!(p["CreatedAnalyzer"], "awsmon-analyzer");
    let (_, p) = common::stack_params(&aws, "eu-west-1", "awsmon-accessanalyzer").await;
    assert_eq!(p["CreatedAnalyzer"], "");
    assert_eq!(analyzers.names("us-east-1"), ["awsmon-analyzer"]);
    assert_eq!(analyzers.names("eu-west-1"), ["org-analyzer"]);
    let (_, p) = common::stack_params(&aws, "us-east-1", "awsmon-trustedadvisor").await;
    assert_eq!(
        (
            p["Statuses"].as_str(),
            p["HubInThisRegion"].as_str(),
            p["NotifierArn"].as_str()
        ),
        (
            "ERROR",
            "true",
            "arn:aws:lambda:us-east-1:123456789012:function:awsmon-notifier"
        )
    );
    let (_, p) = common::stack_params(&aws, "us-east-1", "awsmon-budget").await;
    assert_eq!(
        (
            p["LimitUsd"].as_str(),
            p["ThresholdPercentage"].as_str(),
            p["TagFilters"].as_str(),
            p["TopicArn"].as_str()
        ),
        (
            "250",
            "80",
            "user:Project$awsmon",
            "arn:aws:sns:us-east-1:123456789012:awsmon-budget-alerts"
        )
    );
    // The hub's topic really has the name the budget points at.
    let topics = hub_outputs(&aws).await;
    assert!(
        topics.contains(&"arn:aws:sns:us-east-1:123456789012:awsmon-budget-alerts".to_string()),
        "{topics:?}"
    );
    // The pattern Trusted Advisor's rule matches on.
    let pattern = common::rule_pattern(&aws, "us-east-1", "awsmon-trustedadvisor").await;
    assert_eq!(pattern["detail"]["status"], serde_json::json!(["ERROR"]));

    // The adopted recorder was started; Inspector is on for every wanted type.
    let eu = configservice::facts(&aws, "eu-west-1")
        .await
        .expect("config");
    assert!(eu.recording, "{eu:?}");
    assert_eq!(
        inspector::enabled_types(&aws, "eu-west-1", ACCOUNT)
            .await
            .expect("inspector"),
        vec!["EC2", "ECR", "LAMBDA"]
    );

    // The check afterwards: moto's CloudFormation does not create detectors, recorders or
    // budgets, so exactly those are reported as not on; adopted Config and Inspector pass.
    let deployed = verify::deployed(&cfg, &the_plan, &report);
    assert_eq!(deployed.len(), 14, "{deployed:?}");
    let mut warnings = verify::verify(&aws, &cfg, ACCOUNT, &deployed).await;
    warnings.sort();
    assert_eq!(
        warnings,
        vec![
            "eu-west-1: GuardDuty is not fully on after the deploy: no detector",
            "us-east-1: AWS Config is not fully on after the deploy: no recorder",
            "us-east-1: Budget is not fully on after the deploy: no budget awsmon-monthly",
            "us-east-1: GuardDuty is not fully on after the deploy: no detector",
        ]
    );

    // A new limit for the existing budget: the plan says it updates it, and from what.
    let raised = Config {
        budget_limit: Some(300.0),
        ..cfg.clone()
    };
    let (_, p) = plan::draw_up(
        &aws,
        &raised,
        Target::Service(Service::Budget),
        &[],
        Intent::Deploy(&zip),
    )
    .await
    .expect("plan");
    assert_eq!(
        p.steps.iter().map(ToString::to_string).collect::<Vec<_>>(),
        vec![
            "update stack awsmon-budget in us-east-1: update budget awsmon-monthly: 250 → 300 USD for user:Project$awsmon; alerts: forecast above 80 %, actual above 100 %"
        ]
    );

    // Off without service data: the plan keeps what awsmon switched on, and says what it is
    // (issue 13: the console offers `x` only then).
    let (_, keep) = plan::draw_up(
        &aws,
        &cfg,
        Target::All,
        &regions,
        Intent::Destroy {
            delete_service_data: false,
        },
    )
    .await
    .expect("plan");
    assert!(keep.destructive().is_empty());
    assert_eq!(
        keep.kept_data,
        vec![
            "disable Inspector in us-east-1 for EC2, ECR, LAMBDA, which deletes its findings",
            "disable Inspector in eu-west-1 for ECR, LAMBDA, which deletes its findings",
            "disable Security Hub in us-east-1 (the hub awsmon created), which deletes its findings",
            "disable Security Hub in eu-west-1 (the hub awsmon created), which deletes its findings",
            "delete the analyzer awsmon-analyzer in us-east-1 (created by awsmon), which deletes its findings and archive rules",
        ]
    );
    assert!(keep.summary().contains(
        "\n  kept: disable Inspector in eu-west-1 for ECR, LAMBDA, which deletes its findings (only with --delete-service-data, x in the console)"
    ));

    // Off, with service data: only what awsmon switched on goes; adopted data stays.
    let (_, off) = plan::draw_up(
        &aws,
        &cfg,
        Target::All,
        &regions,
        Intent::Destroy {
            delete_service_data: true,
        },
    )
    .await
    .expect("plan");
    let destructive = off.destructive();
    assert_eq!(
        destructive,
        vec![
            "DESTRUCTIVE: disable Inspector in us-east-1 for EC2, ECR, LAMBDA, which deletes its findings",
            "DESTRUCTIVE: disable Inspector in eu-west-1 for ECR, LAMBDA, which deletes its findings",
            "DESTRUCTIVE: disable Security Hub in us-east-1 (the hub awsmon created), which deletes its findings",
            "DESTRUCTIVE: disable Security Hub in eu-west-1 (the hub awsmon created), which deletes its findings",
            "DESTRUCTIVE: delete the analyzer awsmon-analyzer in us-east-1 (created by awsmon), which deletes its findings and archive rules",
        ]
    );
    let report = engine::execute(&aws, &cfg, &off, Some(&zip), waiting(30), 8, tx).await;
    assert_eq!(report.failures(), Vec::<&engine::StepOutcome>::new());
    let stacks = awsmon::inventory::stacks::list(&aws, "us-east-1")
        .await
        .expect("stacks");
    assert_eq!(
        stacks.by_name.keys().cloned().collect::<Vec<_>>(),
        vec!["awsmon-bootstrap".to_string()],
        "only the artifact bucket's stack stays"
    );
    let eu = configservice::facts(&aws, "eu-west-1")
        .await
        .expect("config");
    assert_eq!(
        (eu.recorder.as_deref(), eu.channel.as_deref()),
        (Some("org-recorder"), Some("org-channel"))
    );
    assert_eq!(
        inspector::enabled_types(&aws, "eu-west-1", ACCOUNT)
            .await
            .expect("inspector"),
        vec!["EC2"]
    );
    // The analyzer awsmon created is gone; the adopted one stays.
    assert_eq!(analyzers.names("us-east-1"), Vec::<String>::new());
    assert_eq!(analyzers.names("eu-west-1"), ["org-analyzer"]);
    // The hubs awsmon created are off, with their standards.
    for region in ["us-east-1", "eu-west-1"] {
        let hub = awsmon::services::securityhub::probe::facts(&aws, region)
            .await
            .expect("hub");
        assert_eq!(
            hub,
            awsmon::services::securityhub::HubFacts::default(),
            "{region}"
        );
    }
}

async fn hub_outputs(aws: &Aws) -> Vec<String> {
    // The hub's outputs name the topic; no SNS client is needed.
    let out = aws
        .cloudformation("us-east-1")
        .describe_stacks()
        .stack_name("awsmon-hub")
        .send()
        .await
        .expect("hub");
    out.stacks()[0]
        .outputs()
        .iter()
        .filter_map(|o| o.output_value().map(str::to_string))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_budget_needs_a_limit_and_its_own_name() {
    let moto = common::start_moto();
    let aws = common::aws(&moto.endpoint).await;
    let cfg = Config {
        settings: routed(),
        ..Config::default()
    };
    let facts = plan::gather(&aws, &cfg, Target::Service(Service::Budget), &[], None)
        .await
        .expect("facts");
    let dir = tempfile::tempdir().expect("dir");
    let zip = common::fake_zip(dir.path());
    let p = plan::plan(&cfg, &facts, Target::Service(Service::Budget), &[], &zip);
    assert_eq!(
        p.blockers,
        vec!["BUDGET_LIMIT is not set in config.yml (the monthly limit in USD)"]
    );
    // `all` skips the budget with a note instead.
    let p = plan::plan(&cfg, &facts, Target::All, &[], &zip);
    assert_eq!(
        p.notes,
        vec![
            "AWS Health's spoke also goes to us-east-1, where its events about global services (IAM, billing) arrive",
            "Trusted Advisor's rule goes to us-east-1, the only region with its events",
            "budget skipped: BUDGET_LIMIT is not set in config.yml (the monthly limit in USD)"
        ]
    );
    assert!(p.blockers.is_empty());

    // A budget of the same name made by hand is never taken over.
    awsmon_testbench::seed::budget(&aws, "awsmon-monthly", "100")
        .await
        .expect("budget");
    let cfg = Config {
        budget_limit: Some(100.0),
        settings: routed(),
        ..Config::default()
    };
    let facts = plan::gather(&aws, &cfg, Target::Service(Service::Budget), &[], None)
        .await
        .expect("facts");
    let p = plan::plan(&cfg, &facts, Target::Service(Service::Budget), &[], &zip);
    assert_eq!(
        p.blockers,
        vec![
            "a budget named awsmon-monthly already exists outside awsmon; delete or rename it, or change PREFIX_SERVICE_NAME"
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn one_region_stuck_in_progress_fails_and_the_others_finish() {
    let moto = common::start_moto();
    let aws = common::aws(&moto.endpoint).await;
    let dir = tempfile::tempdir().expect("dir");
    let zip = common::fake_zip(dir.path());
    let cfg = Config {
        settings: routed(),
        ..Config::default()
    };
    let regions = regions(&["us-east-1", "eu-west-1", "ap-southeast-2"]);
    // Someone's deploy of the eu-west-1 spoke is still running (moto never finishes it).
    awsmon_testbench::seed::hanging_stack(&aws, "eu-west-1", "awsmon-guardduty")
        .await
        .expect("hanging stack");

    let target = Target::Service(Service::GuardDuty);
    let (_, the_plan) = plan::draw_up(&aws, &cfg, target, &regions, Intent::Deploy(&zip))
        .await
        .expect("plan");
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let started = std::time::Instant::now();
    let report = engine::execute(&aws, &cfg, &the_plan, Some(&zip), waiting(3), 8, tx).await;
    let results = results(&report);
    assert_eq!(
        results[4..],
        [
            "us-east-1 create stack awsmon-guardduty: created",
            "eu-west-1 update stack awsmon-guardduty: FAILED still CREATE_IN_PROGRESS after 3 s; stopped waiting (CloudFormation carries on; `awsmon-tui status` shows where it got to)",
            "ap-southeast-2 create stack awsmon-guardduty: created",
        ],
        "{results:#?}"
    );
    // Waited for, not clobbered: the regions ran side by side, bounded by the one timeout.
    assert!(
        started.elapsed() < Duration::from_secs(12),
        "{:?}",
        started.elapsed()
    );
    let (status, _) = common::stack_params(&aws, "ap-southeast-2", "awsmon-guardduty").await;
    assert_eq!(status, "CREATE_COMPLETE");
}

/// The security review's finding: awsmon's Config spoke was deployed (creating a recorder, which
/// moto's CloudFormation skips), then someone else's recorder and channel appeared in the
/// region. `destroy --delete-service-data` must leave them alone: only what the stack recorded
/// as created by awsmon is deleted.
#[tokio::test(flavor = "multi_thread")]
async fn deleting_config_data_never_deletes_someone_elses_recorder() {
    let moto = common::start_moto();
    let aws = common::aws(&moto.endpoint).await;
    let cfg = Config {
        settings: routed(),
        ..Config::default()
    };
    let dir = tempfile::tempdir().expect("dir");
    let zip = common::fake_zip(dir.path());
    let regions = regions(&["us-east-1"]);
    let target = Target::Service(Service::Config);
    let (_, on) = plan::draw_up(&aws, &cfg, target, &regions, Intent::Deploy(&zip))
        .await
        .expect("plan");
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let report = engine::execute(&aws, &cfg, &on, Some(&zip), waiting(30), 8, tx.clone()).await;
    assert_eq!(report.failures(), Vec::<&engine::StepOutcome>::new());
    let (_, params) = common::stack_params(&aws, "us-east-1", "awsmon-config").await;
    assert_eq!(
        params["CreateRecorder"], "true",
        "awsmon created the recorder"
    );

    // Someone else's recorder and channel, made afterwards.
    someone_elses_config(
        &aws,
        "us-east-1",
        "team-security-recorder",
        "team-security-channel",
    )
    .await;

    let (_, off) = plan::draw_up(
        &aws,
        &cfg,
        target,
        &regions,
        Intent::Destroy {
            delete_service_data: true,
        },
    )
    .await
    .expect("plan");
    assert_eq!(off.destructive(), Vec::<String>::new(), "{}", off.summary());
    let report = engine::execute(&aws, &cfg, &off, None, waiting(30), 8, tx).await;
    assert_eq!(report.failures(), Vec::<&engine::StepOutcome>::new());
    let now = configservice::facts(&aws, "us-east-1")
        .await
        .expect("config");
    assert_eq!(
        (now.recorder.as_deref(), now.channel.as_deref()),
        (
            Some("team-security-recorder"),
            Some("team-security-channel")
        )
    );
}

/// Issue 13, item 6: a suspended GuardDuty detector (made outside awsmon) is adopted and
/// resumed, and the plan says so, as a stopped Config recorder is started. On the old code
/// the plan only adopted it, and the check afterwards found GuardDuty still off (SUSPENDED).
#[tokio::test(flavor = "multi_thread")]
async fn a_suspended_detector_is_adopted_and_resumed() {
    let moto = common::start_moto();
    let aws = common::aws(&moto.endpoint).await;
    let dir = tempfile::tempdir().expect("dir");
    let zip = common::fake_zip(dir.path());
    let cfg = Config {
        settings: routed(),
        ..Config::default()
    };
    let made = aws
        .guardduty("eu-west-1")
        .create_detector()
        .enable(false)
        .send()
        .await
        .expect("detector");
    let id = made.detector_id().expect("id").to_string();
    let short: String = id.chars().take(4).collect();

    let regions = regions(&["eu-west-1"]);
    let (_, the_plan) = plan::draw_up(
        &aws,
        &cfg,
        Target::Service(Service::GuardDuty),
        &regions,
        Intent::Deploy(&zip),
    )
    .await
    .expect("plan");
    let lines: Vec<String> = the_plan.steps.iter().map(ToString::to_string).collect();
    let stack = format!(
        "create stack awsmon-guardduty in eu-west-1: adopt existing detector {short}…; add forwarding only; forward to the hub"
    );
    let resume = format!(
        "resume suspended detector {short}… in eu-west-1 (it exists but finds nothing while suspended)"
    );
    assert_eq!(lines[lines.len() - 2..], [stack, resume], "{lines:#?}");

    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let report = engine::execute(&aws, &cfg, &the_plan, Some(&zip), waiting(30), 8, tx).await;
    assert_eq!(report.failures(), Vec::<&engine::StepOutcome>::new());
    let resumed = aws
        .guardduty("eu-west-1")
        .get_detector()
        .detector_id(&id)
        .send()
        .await
        .expect("get");
    assert_eq!(
        resumed
            .status()
            .map(aws_sdk_guardduty::types::DetectorStatus::as_str),
        Some("ENABLED")
    );
    // The check afterwards finds it on: no warning.
    let deployed = verify::deployed(&cfg, &the_plan, &report);
    assert_eq!(
        verify::verify(&aws, &cfg, ACCOUNT, &deployed).await,
        Vec::<String>::new()
    );
    // Deploying again plans no second resume.
    let (_, again) = plan::draw_up(
        &aws,
        &cfg,
        Target::Service(Service::GuardDuty),
        &regions,
        Intent::Deploy(&zip),
    )
    .await
    .expect("plan");
    assert!(
        !again
            .steps
            .iter()
            .any(|s| s.to_string().starts_with("resume")),
        "{}",
        again.summary()
    );
}

/// AWS Health's events about global services arrive in us-east-1 only: its spoke goes there
/// too, whatever the regions asked for, and the plan says why.
#[tokio::test(flavor = "multi_thread")]
async fn health_also_listens_in_us_east_1() {
    let moto = common::start_moto();
    let aws = common::aws(&moto.endpoint).await;
    let dir = tempfile::tempdir().expect("dir");
    let zip = common::fake_zip(dir.path());
    let mut cfg = Config {
        settings: routed(),
        ..Config::default()
    };
    cfg.settings.home_region = "eu-west-1".into();
    let (_, p) = plan::draw_up(
        &aws,
        &cfg,
        Target::Service(Service::Health),
        &regions(&["eu-west-1"]),
        Intent::Deploy(&zip),
    )
    .await
    .expect("plan");
    let health: Vec<String> = p
        .steps
        .iter()
        .map(ToString::to_string)
        .filter(|s| s.contains("awsmon-health"))
        .collect();
    assert_eq!(
        health,
        [
            "create stack awsmon-health in eu-west-1: AWS Health is always on; the hub's rules forward here",
            "create stack awsmon-health in us-east-1: AWS Health is always on; forward to the hub",
        ]
    );
    assert!(
        p.notes.iter().any(|n| n.contains("also goes to us-east-1")),
        "{:?}",
        p.notes
    );
}
