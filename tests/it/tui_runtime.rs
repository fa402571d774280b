//! The console's effects against moto, without a terminal: a plan for several services at once
//! (shared hub steps once), and a save that keeps comments and unknown keys and pushes the
//! routing only when the hub is deployed.

use crate::common;

use std::sync::RwLock;

use awsmon::config::Config;
use awsmon::deploy::plan::Target;
use awsmon::tui::app::{Action, Effect};
use awsmon::tui::popups::plan::PlanRequest;
use awsmon::tui::runtime::{Shared, run_effect};
use awsmon_notifier::{Service, WebhookUrl};

pub(crate) fn shared(aws: awsmon::aws::Aws, dir: &std::path::Path, text: &str) -> Shared {
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
        routing_version: RwLock::new(None),
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
        editor: awsmon::tui::screens::Editor::Routing,
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
    awsmon_testbench::seed::stand_in_stack(&aws, "us-east-1", "awsmon-hub")
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

fn save(cfg: Config) -> Effect {
    Effect::SaveConfig {
        config: Box::new(cfg),
        push_routing: false,
        editor: awsmon::tui::screens::Editor::Routing,
    }
}

fn with_webhook(shared: &Shared, id: &str) -> Config {
    let mut cfg: Config = shared.cfg.read().expect("cfg").clone();
    cfg.settings.routes.default.push(
        WebhookUrl::parse(&format!(
            "https://hooks.slack.com/services/T0FAKE/B0FAKE/{id}"
        ))
        .expect("url"),
    );
    cfg
}

/// The security review's finding: two consoles each added a webhook to the same config.yml and
/// the second save silently dropped the first's. Now the second is refused and reloads.
#[tokio::test(flavor = "multi_thread")]
async fn a_second_console_saving_over_a_changed_file_is_refused_and_reloads() {
    let moto = common::start_moto();
    let aws = common::aws(&moto.endpoint).await;
    let dir = tempfile::tempdir().expect("dir");
    let text = "WEBHOOK_URLS: https://hooks.slack.com/services/T0FAKE/B0FAKE/FIRST\n";
    let one = shared(aws.clone(), dir.path(), text);
    let two = Shared {
        aws,
        cfg: RwLock::new(one.cfg.read().expect("cfg").clone()),
        config_path: one.config_path.clone(),
        config_text: RwLock::new(Some(text.to_string())),
        wanted: None,
        artifact: None,
        routing_version: RwLock::new(None),
    };
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let actions = run_effect(save(with_webhook(&one, "ALPHA")), &one, &tx).await;
    assert!(
        matches!(actions.as_slice(), [Action::Saved { result: Ok(_), .. }]),
        "{actions:?}"
    );

    let actions = run_effect(save(with_webhook(&two, "BRAVO")), &two, &tx).await;
    let [Action::ConfigReloaded { config, why, .. }] = actions.as_slice() else {
        panic!("{actions:?}");
    };
    assert!(
        why.starts_with(&format!(
            "{} changed on disk since it was read (another console or an editor saved it); nothing was written",
            one.config_path.display()
        )),
        "{why}"
    );
    let written = std::fs::read_to_string(&one.config_path).expect("read");
    assert!(
        written.contains("ALPHA") && !written.contains("BRAVO"),
        "{written}"
    );
    // The reloaded config is the file as it is now, so the next save starts from ALPHA.
    assert_eq!(config.settings.routes.default.len(), 2);
    let actions = run_effect(save(with_webhook(&two, "BRAVO")), &two, &tx).await;
    assert!(
        matches!(actions.as_slice(), [Action::Saved { result: Ok(_), .. }]),
        "{actions:?}"
    );
    let written = std::fs::read_to_string(&one.config_path).expect("read");
    assert!(
        written.contains("ALPHA") && written.contains("BRAVO"),
        "{written}"
    );
}

/// The security review's finding: a symlinked config.yml was replaced by a regular file.
#[tokio::test(flavor = "multi_thread")]
async fn a_symlinked_config_is_written_through_to_its_target() {
    let moto = common::start_moto();
    let aws = common::aws(&moto.endpoint).await;
    let dir = tempfile::tempdir().expect("dir");
    let real_dir = dir.path().join("dotfiles");
    std::fs::create_dir(&real_dir).expect("dir");
    let text = "WEBHOOK_URLS: https://hooks.slack.com/services/T0FAKE/B0FAKE/FIRST\n";
    let target = real_dir.join("awsmon.yml");
    std::fs::write(&target, text).expect("target");
    let link = dir.path().join("config.yml");
    std::os::unix::fs::symlink(&target, &link).expect("symlink");
    let cfg = awsmon::config::load_file(&link).expect("load").config;
    let shared = Shared {
        aws,
        cfg: RwLock::new(cfg),
        config_path: link.clone(),
        config_text: RwLock::new(Some(text.to_string())),
        wanted: None,
        artifact: None,
        routing_version: RwLock::new(None),
    };
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let actions = run_effect(save(with_webhook(&shared, "ALPHA")), &shared, &tx).await;
    assert!(
        matches!(actions.as_slice(), [Action::Saved { result: Ok(_), .. }]),
        "{actions:?}"
    );
    assert!(
        std::fs::symlink_metadata(&link)
            .expect("link")
            .file_type()
            .is_symlink(),
        "config.yml is still a link"
    );
    assert!(
        std::fs::read_to_string(&target)
            .expect("target")
            .contains("ALPHA")
    );
    assert!(
        real_dir.join("awsmon.yml.bak").exists(),
        "the backup sits beside the target"
    );
}

/// The security review's finding, for the routing parameter: a console pushing routing it read
/// before someone else's push would overwrite theirs. It compares the version it read.
#[tokio::test(flavor = "multi_thread")]
async fn a_push_over_routing_someone_else_changed_is_refused() {
    let moto = common::start_moto();
    let aws = common::aws(&moto.endpoint).await;
    awsmon_testbench::seed::stand_in_stack(&aws, "us-east-1", "awsmon-hub")
        .await
        .expect("hub");
    let (dir_a, dir_b) = (
        tempfile::tempdir().expect("a"),
        tempfile::tempdir().expect("b"),
    );
    let text = "WEBHOOK_URLS: https://hooks.slack.com/services/T0FAKE/B0FAKE/FIRST\n";
    let a = shared(aws.clone(), dir_a.path(), text);
    let b = shared(aws.clone(), dir_b.path(), text);
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let push = |cfg: Config| Effect::SaveConfig {
        config: Box::new(cfg),
        push_routing: true,
        editor: awsmon::tui::screens::Editor::Routing,
    };
    let result = |actions: Vec<Action>| match actions.as_slice() {
        [Action::Saved { result, .. }] => result.clone(),
        other => panic!("{other:?}"),
    };
    assert!(result(run_effect(push(with_webhook(&a, "ALPHA")), &a, &tx).await).is_ok());
    // B reads the routing (as every scan does), then A pushes again.
    run_effect(Effect::Scan, &b, &tx).await;
    assert_eq!(*b.routing_version.read().expect("v"), Some(Some(1)));
    assert!(result(run_effect(push(with_webhook(&a, "ALPHA2")), &a, &tx).await).is_ok());

    let refused = result(run_effect(push(with_webhook(&b, "BRAVO")), &b, &tx).await);
    let e = refused.expect_err("refused");
    assert!(
        e.contains("but the routing push failed: the routing parameter changed since it was read (version 1 then, version 2 now"),
        "{e}"
    );
    let value = common::routing_parameter(&aws)
        .await
        .and_then(|p| p.value)
        .unwrap_or_default();
    assert!(
        value.contains("ALPHA2") && !value.contains("BRAVO"),
        "A's push stays"
    );

    // After a rescan, B pushes knowingly.
    run_effect(Effect::Scan, &b, &tx).await;
    assert!(result(run_effect(push(with_webhook(&b, "BRAVO")), &b, &tx).await).is_ok());
}

/// Issue 13, item 3: the budget editor's keys are saved only once applied. A failed apply
/// leaves config.yml as it was (the old code saved the draft first, so the file held a limit
/// AWS never got); a successful one writes them, and only them.
#[tokio::test(flavor = "multi_thread")]
async fn the_budget_is_saved_only_once_applied() {
    use awsmon::deploy::plan::{Plan, Step};
    let moto = common::start_moto();
    let aws = common::aws(&moto.endpoint).await;
    let dir = tempfile::tempdir().expect("dir");
    let text = "# ours\nWEBHOOK_URLS: https://hooks.slack.com/services/T0FAKE/B0FAKE/OLDSECRET\nBUDGET_LIMIT: 100\n";
    let shared = shared(aws, dir.path(), text);
    let mut wanted = shared.cfg.read().expect("cfg").clone();
    wanted.budget_limit = Some(500.0);
    let request = |id| PlanRequest {
        id,
        groups: vec![(Target::Service(Service::Budget), Vec::new())],
        destroy: false,
        delete_data: false,
        cells: Vec::new(),
        config: Some(Box::new(wanted.clone())),
    };
    // A step that fails in the emulator: there is no such detector.
    let failing = Plan {
        steps: vec![Step::ResumeDetector {
            region: "eu-west-1".into(),
            detector_id: "00000000000000000000000000000000".into(),
        }],
        ..Plan::default()
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let actions = run_effect(
        Effect::Execute {
            request: request(1),
            plan: failing,
        },
        &shared,
        &tx,
    )
    .await;
    assert!(
        matches!(
            actions.as_slice(),
            [Action::JobFinished { result: Err(_), .. }]
        ),
        "{actions:?}"
    );
    while let Ok(sent) = rx.try_recv() {
        assert!(!matches!(sent, Action::Saved { .. }), "saved: {sent:?}");
    }
    assert_eq!(
        std::fs::read_to_string(&shared.config_path).expect("read"),
        text
    );

    // Applied: saved, comments kept, the limit written.
    let actions = run_effect(
        Effect::Execute {
            request: request(2),
            plan: Plan::default(),
        },
        &shared,
        &tx,
    )
    .await;
    assert!(
        matches!(
            actions.as_slice(),
            [Action::JobFinished { result: Ok(_), .. }]
        ),
        "{actions:?}"
    );
    let mut saved = Vec::new();
    while let Ok(sent) = rx.try_recv() {
        if let Action::Saved {
            editor, written, ..
        } = sent
        {
            saved.push((editor, written));
        }
    }
    assert_eq!(saved, vec![(awsmon::tui::screens::Editor::Budget, true)]);
    assert_eq!(
        std::fs::read_to_string(&shared.config_path).expect("read"),
        text.replace("BUDGET_LIMIT: 100", "BUDGET_LIMIT: 500")
    );
}
