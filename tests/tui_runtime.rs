//! The console's effects against moto, without a terminal: a plan for several services at once
//! (shared hub steps once), and a save that keeps comments and unknown keys and pushes the
//! routing only when the hub is deployed.

mod common;

use std::sync::RwLock;

use awsmon::config::Config;
use awsmon::deploy::plan::Target;
use awsmon::tui::app::{Action, Effect, PlanRequest};
use awsmon::tui::runtime::{Shared, run_effect};
use awsmon_notifier::{Service, WebhookUrl};

fn shared(aws: awsmon::aws::Aws, dir: &std::path::Path, text: &str) -> Shared {
    let path = dir.join("config.yml");
    std::fs::write(&path, text).expect("config");
    let cfg = awsmon::config::load_file(&path).expect("load").config;
    Shared {
        aws,
        cfg: RwLock::new(cfg),
        config_path: path,
        config_text: RwLock::new(Some(text.to_string())),
        wanted: Some(vec!["us-east-1".into(), "eu-west-1".into()]),
        artifact: Some(common::fake_zip(dir)),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn one_plan_for_several_services_lists_the_hub_once() {
    let moto = common::start_moto();
    let aws = common::aws(&moto.endpoint).await;
    let dir = tempfile::tempdir().expect("dir");
    let shared = shared(aws, dir.path(), "PREFIX_SERVICE_NAME: awsmon\n");
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let request = PlanRequest {
        id: 7,
        groups: vec![
            (
                Target::Service(Service::GuardDuty),
                vec!["eu-west-1".into()],
            ),
            (
                Target::Service(Service::Inspector),
                vec!["eu-west-1".into()],
            ),
        ],
        destroy: false,
        delete_data: false,
        cells: Vec::new(),
        config: None,
    };
    let actions = run_effect(Effect::Plan(request), &shared, &tx).await;
    let [
        Action::PlanReady {
            id: 7,
            result: Ok(plan),
        },
    ] = actions.as_slice()
    else {
        panic!("{actions:?}");
    };
    let lines: Vec<String> = plan.steps.iter().map(ToString::to_string).collect();
    let hub = lines
        .iter()
        .filter(|l| l.starts_with("create stack awsmon-hub in us-east-1"))
        .count();
    assert_eq!(hub, 1, "{lines:#?}");
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.contains("awsmon-bootstrap"))
            .count(),
        1
    );
    assert!(lines.contains(&"enable Inspector in eu-west-1 for EC2, ECR, LAMBDA".to_string()));
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("create stack awsmon-guardduty in eu-west-1"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn saving_keeps_the_file_and_pushes_routing_only_to_a_deployed_hub() {
    let moto = common::start_moto();
    let aws = common::aws(&moto.endpoint).await;
    let dir = tempfile::tempdir().expect("dir");
    let text = "# our settings\nPREFIX_SERVICE_NAME: awsmon\nTEAM_NOTE: keep me\nWEBHOOK_URLS: https://hooks.slack.com/services/T0FAKE/B0FAKE/OLDSECRET\n";
    let shared = shared(aws.clone(), dir.path(), text);
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let mut cfg: Config = shared.cfg.read().expect("cfg").clone();
    cfg.settings.routes.default.push(
        WebhookUrl::parse("https://hooks.slack.com/services/T0FAKE/B0FAKE/NEWSECRET").expect("url"),
    );

    let save = |cfg: Config| Effect::SaveConfig {
        config: Box::new(cfg),
        push_routing: true,
    };
    let actions = run_effect(save(cfg.clone()), &shared, &tx).await;
    let [Action::Saved { result, .. }] = actions.as_slice() else {
        panic!("{actions:?}");
    };
    assert_eq!(
        result.as_deref(),
        Ok(format!(
            "saved {}; the hub is not deployed, so nothing was pushed",
            shared.config_path.display()
        )
        .as_str())
    );
    let written = std::fs::read_to_string(&shared.config_path).expect("read");
    assert!(written.starts_with("# our settings\n"), "{written}");
    assert!(written.contains("TEAM_NOTE: keep me"), "{written}");
    assert!(written.contains("NEWSECRET"), "{written}");

    // With a hub, the same save pushes the routing parameter.
    awsmon::testbench::seed::stand_in_stack(&aws, "us-east-1", "awsmon-hub")
        .await
        .expect("hub");
    let actions = run_effect(save(cfg), &shared, &tx).await;
    let [Action::Saved { result, .. }] = actions.as_slice() else {
        panic!("{actions:?}");
    };
    assert!(
        result
            .as_deref()
            .is_ok_and(|r| r.ends_with("; routing pushed to the hub (written)")),
        "{result:?}"
    );
    let param = common::routing_parameter(&aws).await;
    let value = param.as_ref().and_then(|p| p.value()).unwrap_or_default();
    assert!(value.contains("NEWSECRET") && value.contains("OLDSECRET"));
}
