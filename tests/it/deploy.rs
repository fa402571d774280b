//! Deploying against the emulator: the notifier (bootstrap, artifact, routing, hub), then
//! GuardDuty in three regions with one detector adopted; then the same deploy again changes
//! nothing.

use crate::common;

use std::time::Duration;

use awsmon::config::Config;
use awsmon::deploy::engine;
use awsmon::deploy::plan::{self, Intent, Target};
use awsmon::deploy::stack_ops::Waiting;
use awsmon_notifier::{Service, WebhookUrl};

const HOOK: &str = "https://hooks.slack.com/services/T0FAKE/B0FAKE/SECRETSECRETSECRET";

fn config() -> Config {
    let mut cfg = Config {
        stack_tags: vec![("Owner".into(), "secops".into())],
        ..Config::default()
    };
    cfg.settings.routes.default = vec![WebhookUrl::parse(HOOK).expect("url")];
    cfg
}

fn waiting() -> Waiting {
    Waiting {
        timeout: Duration::from_secs(30),
        poll: Duration::from_millis(100),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn notifier_then_guardduty_in_three_regions_then_nothing_to_do() {
    let moto = common::start_moto();
    let aws = common::aws(&moto.endpoint).await;
    let dir = tempfile::tempdir().expect("dir");
    let zip = common::fake_zip(dir.path());
    let cfg = config();
    let regions: Vec<String> = ["us-east-1", "eu-west-1", "eu-central-1"]
        .iter()
        .map(|r| (*r).to_string())
        .collect();

    // An existing detector in eu-central-1, made outside awsmon.
    let adopted = aws
        .guardduty("eu-central-1")
        .create_detector()
        .enable(true)
        .send()
        .await
        .expect("detector");
    let adopted_id = adopted.detector_id().expect("id").to_string();

    let (_, the_plan) = plan::draw_up(
        &aws,
        &cfg,
        Target::Service(Service::GuardDuty),
        &regions,
        Intent::Deploy(&zip),
    )
    .await
    .expect("plan");
    let summary = the_plan.summary();
    assert!(
        summary.starts_with("create 5 stacks in us-east-1, eu-west-1, eu-central-1"),
        "{summary}"
    );
    assert!(
        summary.contains(&format!(
            "adopt existing detector {}…; add forwarding only",
            &adopted_id[..4]
        )),
        "{summary}"
    );
    assert!(
        summary.contains(
            "upload the notifier to s3://awsmon-artifacts-123456789012-us-east-1/notifier/"
        ),
        "{summary}"
    );

    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let report = engine::execute(&aws, &cfg, &the_plan, Some(&zip), waiting(), 8, tx.clone()).await;
    assert_eq!(report.failures(), Vec::<&engine::StepOutcome>::new());
    let results: Vec<String> = report
        .outcomes
        .iter()
        .map(|o| o.result.clone().unwrap_or_default())
        .collect();
    assert_eq!(
        results,
        vec![
            "created",
            &format!("uploaded {} bytes", zip.bytes.len()),
            "written",
            "created",
            "created",
            "created",
            "created"
        ]
    );

    // The Lambda runs the uploaded build.
    let conf = common::notifier_function(&aws, "us-east-1").await;
    assert_eq!(
        conf.code_size(),
        i64::try_from(zip.bytes.len()).expect("size")
    );

    // Routing: a SecureString holding the config's webhooks.
    let param = common::routing_parameter(&aws).await;
    let p = param.as_ref().expect("parameter");
    assert_eq!(
        p.r#type().map(aws_sdk_ssm::types::ParameterType::as_str),
        Some("SecureString")
    );
    let settings: awsmon_notifier::Settings =
        serde_json::from_str(p.value().expect("value")).expect("routing JSON");
    assert_eq!(settings.routes.default[0].expose(), HOOK);

    // Each spoke: tags, adopt/create choice, forwarding outside the home region.
    for (region, create, forward) in [
        ("us-east-1", "true", ""),
        (
            "eu-west-1",
            "true",
            "arn:aws:events:us-east-1:123456789012:event-bus/default",
        ),
        (
            "eu-central-1",
            "false",
            "arn:aws:events:us-east-1:123456789012:event-bus/default",
        ),
    ] {
        let out = aws
            .cloudformation(region)
            .describe_stacks()
            .stack_name("awsmon-guardduty")
            .send()
            .await
            .expect("spoke");
        let stack = &out.stacks()[0];
        assert_eq!(
            stack
                .stack_status()
                .map(aws_sdk_cloudformation::types::StackStatus::as_str),
            Some("CREATE_COMPLETE"),
            "{region}"
        );
        let param = |k: &str| {
            stack
                .parameters()
                .iter()
                .find(|p| p.parameter_key() == Some(k))
                .and_then(|p| p.parameter_value())
                .unwrap_or_default()
                .to_string()
        };
        assert_eq!(param("CreateDetector"), create, "{region}");
        assert_eq!(param("HubEventBusArn"), forward, "{region}");
        // STACK_TAGS, and awsmon's fingerprint of what the stack was deployed with.
        let tags: Vec<(&str, &str)> = stack
            .tags()
            .iter()
            .map(|t| (t.key().unwrap_or_default(), t.value().unwrap_or_default()))
            .collect();
        assert_eq!(tags.len(), 2, "{tags:?}");
        assert_eq!(tags[0], ("Owner", "secops"));
        assert_eq!(tags[1].0, "awsmon:spec");
        assert_eq!(tags[1].1.len(), 16);
    }
    let pattern = common::rule_pattern(&aws, "eu-west-1", "awsmon-guardduty-forward").await;
    assert_eq!(
        pattern,
        serde_json::json!({"source": ["aws.guardduty"], "detail-type": ["GuardDuty Finding"]})
    );

    // No webhook URL in any template, parameter or output.
    for (region, stack) in [
        ("us-east-1", "awsmon-bootstrap"),
        ("us-east-1", "awsmon-hub"),
        ("us-east-1", "awsmon-guardduty"),
        ("eu-west-1", "awsmon-guardduty"),
        ("eu-central-1", "awsmon-guardduty"),
    ] {
        let cfn = aws.cloudformation(region);
        let template = cfn
            .get_template()
            .stack_name(stack)
            .send()
            .await
            .expect("template");
        let described = cfn
            .describe_stacks()
            .stack_name(stack)
            .send()
            .await
            .expect("describe");
        let text = format!(
            "{} {:?}",
            template.template_body().unwrap_or_default(),
            described.stacks()[0]
        );
        assert!(
            !text.contains("SECRETSECRET") && !text.contains("hooks.slack.com"),
            "{region} {stack}"
        );
    }

    // The same deploy again plans nothing: each stack carries the fingerprint of what it was
    // deployed with (issue 13: a second dry run used to plan three updates).
    let (_, again) = plan::draw_up(
        &aws,
        &cfg,
        Target::Service(Service::GuardDuty),
        &regions,
        Intent::Deploy(&zip),
    )
    .await
    .expect("plan");
    assert_eq!(again.summary(), "no stack changes\n  nothing to do");

    // New stack tags change every stack: all three are planned again.
    let (_, drifted) = plan::draw_up(
        &aws,
        &Config {
            stack_tags: vec![("team".into(), "secops".into())],
            ..cfg.clone()
        },
        Target::Service(Service::GuardDuty),
        &regions,
        Intent::Deploy(&zip),
    )
    .await
    .expect("plan");
    assert!(
        drifted.summary().starts_with("update 3 stacks\n"),
        "{}",
        drifted.summary()
    );
    let report = engine::execute(&aws, &cfg, &again, Some(&zip), waiting(), 8, tx).await;
    assert!(report.outcomes.is_empty());

    // Turning GuardDuty off removes the wiring everywhere and keeps the adopted detector.
    let (_, off) = plan::draw_up(
        &aws,
        &cfg,
        Target::Service(Service::GuardDuty),
        &regions,
        Intent::Destroy {
            delete_service_data: true,
        },
    )
    .await
    .expect("plan");
    assert!(
        off.summary().starts_with("delete 3 stacks\n"),
        "{}",
        off.summary()
    );
    let report = engine::execute(&aws, &cfg, &off, Some(&zip), waiting(), 8, tx_off()).await;
    let results: Vec<String> = report
        .outcomes
        .iter()
        .map(|o| o.result.clone().unwrap_or_else(|e| e.to_string()))
        .collect();
    assert_eq!(results, vec!["deleted", "deleted", "deleted"]);
    let left = aws
        .guardduty("eu-central-1")
        .list_detectors()
        .send()
        .await
        .expect("detectors");
    assert_eq!(left.detector_ids(), std::slice::from_ref(&adopted_id));
    for region in &regions {
        let stacks = awsmon::inventory::stacks::list(&aws, region)
            .await
            .expect("stacks");
        assert!(!stacks.exists("awsmon-guardduty"), "{region}");
    }
    assert!(
        awsmon::inventory::stacks::list(&aws, "us-east-1")
            .await
            .expect("stacks")
            .exists("awsmon-hub")
    );
}

fn tx_off() -> tokio::sync::mpsc::UnboundedSender<awsmon::deploy::stack_ops::Progress> {
    tokio::sync::mpsc::unbounded_channel().0
}
