//! One stack's lifecycle against the emulator: create with tags and progress events, update,
//! delete, and a stack that never finishes stops the wait with a clear error.

use crate::common;

use std::time::Duration;

use awsmon::deploy::stack_ops::{self, Applied, Progress, StackSpec, Waiting};
use awsmon::deploy::templates::{self, Template};

fn quick(timeout_secs: u64) -> Waiting {
    Waiting {
        timeout: Duration::from_secs(timeout_secs),
        poll: Duration::from_millis(100),
    }
}

fn bootstrap_spec(bucket: &str) -> StackSpec {
    StackSpec {
        region: "us-east-1".into(),
        name: "awsmon-bootstrap".into(),
        template: templates::BOOTSTRAP,
        parameters: vec![("BucketName".into(), bucket.into())],
        tags: vec![
            ("Owner".into(), "secops".into()),
            ("CostCenter".into(), "1234".into()),
        ],
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn create_update_delete_with_progress_and_tags() {
    let moto = common::start_moto();
    let aws = common::aws(&moto.endpoint).await;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();

    let spec = bootstrap_spec("awsmon-artifacts-123456789012-us-east-1");
    assert_eq!(
        stack_ops::apply(&aws, &spec, quick(30), &tx).await,
        Ok(Applied::Created)
    );
    let mut events = Vec::new();
    while let Ok(p) = rx.try_recv() {
        if let Progress::Resource {
            resource, status, ..
        } = p
        {
            events.push(format!("{resource} {status}"));
        }
    }
    // moto reports only the stack's own events (real CloudFormation adds one per resource);
    // each arrives once, oldest first.
    assert_eq!(
        events,
        vec![
            "awsmon-bootstrap CREATE_IN_PROGRESS",
            "awsmon-bootstrap CREATE_COMPLETE"
        ]
    );

    let described = aws
        .cloudformation("us-east-1")
        .describe_stacks()
        .stack_name("awsmon-bootstrap")
        .send()
        .await
        .expect("describe");
    let mut tags: Vec<(String, String)> = described.stacks()[0]
        .tags()
        .iter()
        .map(|t| {
            (
                t.key().unwrap_or_default().to_string(),
                t.value().unwrap_or_default().to_string(),
            )
        })
        .collect();
    tags.sort();
    // STACK_TAGS, and the fingerprint of what the stack was deployed with.
    assert_eq!(
        tags,
        vec![
            ("CostCenter".into(), "1234".into()),
            ("Owner".into(), "secops".into()),
            (
                stack_ops::FINGERPRINT_TAG.into(),
                stack_ops::fingerprint(&spec)
            ),
        ]
    );

    // The same stack again changes nothing; a changed parameter is an update.
    assert_eq!(
        stack_ops::apply(&aws, &spec, quick(30), &tx).await,
        Ok(Applied::Unchanged)
    );
    let changed = bootstrap_spec("awsmon-artifacts-123456789012-us-east-1-v2");
    assert_eq!(
        stack_ops::apply(&aws, &changed, quick(30), &tx).await,
        Ok(Applied::Updated)
    );

    assert_eq!(
        stack_ops::delete(&aws, "us-east-1", "awsmon-bootstrap", quick(30), &tx).await,
        Ok(Applied::Deleted)
    );
    assert_eq!(
        stack_ops::delete(&aws, "us-east-1", "awsmon-bootstrap", quick(30), &tx).await,
        Ok(Applied::Absent)
    );
}

/// A custom resource backed by a function the emulator cannot run (no Docker), so the
/// provider never answers.
#[tokio::test(flavor = "multi_thread")]
async fn a_stack_that_never_finishes_stops_the_wait_with_a_clear_error() {
    let moto = common::start_moto();
    let aws = common::aws(&moto.endpoint).await;
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    // A custom resource whose provider never answers: moto leaves the stack in progress.
    let spec = StackSpec {
        region: "us-east-1".into(),
        name: "awsmon-hub".into(),
        template: Template {
            file: "hang.yaml",
            body: awsmon_testbench::seed::HANGING_TEMPLATE,
        },
        parameters: Vec::new(),
        tags: Vec::new(),
    };
    let started = std::time::Instant::now();
    let err = stack_ops::apply(&aws, &spec, quick(2), &tx)
        .await
        .expect_err("must not finish");
    // The outcome is the message below; this only catches a wait that ignores its limit (a
    // generous bound, so a loaded machine cannot fail it).
    assert!(started.elapsed() < Duration::from_mins(1));
    assert_eq!(err.stack, "awsmon-hub");
    assert_eq!(err.region, "us-east-1");
    assert_eq!(
        err.message,
        "still CREATE_IN_PROGRESS after 2 s; stopped waiting (CloudFormation carries on; `awsmon-tui status` shows where it got to)"
    );
}

/// The security review's finding: after the emulator died mid-deploy, stacks that had completed
/// were reported FAILED. A failed stack step is looked at again: what CloudFormation says when
/// it can be asked, "unknown" when it cannot.
#[tokio::test(flavor = "multi_thread")]
async fn failed_stack_steps_are_reported_as_aws_sees_them_afterwards() {
    use awsmon::deploy::engine::{self, Report, StepError, StepOutcome};
    let moto = common::start_moto();
    let aws = common::aws(&moto.endpoint).await;
    let cfg = awsmon::config::Config {
        settings: {
            let mut s = awsmon_notifier::Settings::default();
            s.routes.default = vec![
                awsmon_notifier::WebhookUrl::parse("https://hooks.slack.com/services/T0/B0/X")
                    .expect("url"),
            ];
            s
        },
        ..awsmon::config::Config::default()
    };
    let dir = tempfile::tempdir().expect("dir");
    let zip = common::fake_zip(dir.path());
    let regions = vec!["us-east-1".to_string()];
    let (_, plan) = awsmon::deploy::plan::draw_up(
        &aws,
        &cfg,
        awsmon::deploy::plan::Target::Notifier,
        &regions,
        awsmon::deploy::plan::Intent::Deploy(&zip),
    )
    .await
    .expect("plan");
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let real = engine::execute(&aws, &cfg, &plan, Some(&zip), quick(30), 4, tx).await;
    assert!(real.failures().is_empty());
    // What a run whose connection died while waiting reports: every stack step failed.
    let lost = |r: &Report| Report {
        outcomes: r
            .outcomes
            .iter()
            .map(|o| StepOutcome {
                key: o.key.clone(),
                step: o.step.clone(),
                region: o.region.clone(),
                result: if o.key.is_stack() {
                    Err(StepError::Failed(
                        "unreachable: cloudformation:DescribeStacks".into(),
                    ))
                } else {
                    o.result.clone()
                },
            })
            .collect(),
    };
    let mut report = lost(&real);
    engine::reconcile(&aws, &plan, &mut report).await;
    assert!(report.failures().is_empty(), "{:?}", report.failures());
    assert!(
        report
            .outcomes
            .iter()
            .any(|o| o.result.as_deref().is_ok_and(|r| r.starts_with(
                "CREATE_COMPLETE (CloudFormation says so; the wait failed: unreachable"
            )))
    );

    // AWS still unreachable: unknown, not failed.
    let dead = awsmon::aws::Aws::load(common::options("http://127.0.0.1:9"), "us-east-1").await;
    let mut report = lost(&real);
    engine::reconcile(&dead, &plan, &mut report).await;
    let stack_results: Vec<StepError> = report
        .failures()
        .iter()
        .filter_map(|o| o.result.clone().err())
        .collect();
    assert_eq!(stack_results.len(), 2, "{stack_results:?}");
    assert!(
        stack_results
            .iter()
            .all(|r| matches!(r, StepError::Unknown(_)) && r.to_string().starts_with("unknown: ")),
        "{stack_results:?}"
    );
    assert_eq!(report.unknown(), 2);
}
