//! The console without a terminal or AWS: key sequences through `update` (state and effects),
//! and every screen drawn into a TestBackend and compared with a snapshot at 80×24 and 120×40.

use awsmon::aws::regions::RegionInfo;
use awsmon::config::Config;
use awsmon::deploy::artifact::{Artifact, Origin};
use awsmon::deploy::plan::{self, Facts, Target};
use awsmon::inventory::{Cell, State};
use awsmon::notifier::redrive::{Replay, Replayed};
use awsmon::tui::app::{Action, App, Effect, Env};
use awsmon::tui::popups::Popup;
use awsmon::tui::screens::{Editor, Screen};
use awsmon::tui::theme::Theme;
use awsmon::tui::ui::Level;
use awsmon::tui::view;
use awsmon_notifier::{Service, WebhookUrl};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const HOOK: &str = "https://hooks.slack.com/services/T0FAKE/B0FAKE/SECRETSECRETSECRET";

pub(crate) fn config() -> Config {
    let mut cfg = Config::default();
    cfg.settings.routes.default = vec![WebhookUrl::parse(HOOK).expect("url")];
    cfg.budget_limit = Some(100.0);
    cfg
}

pub(crate) fn app(read_only: bool) -> App {
    let env = Env {
        profile: Some("secops".into()),
        endpoint: None,
        emulator: false,
        read_only,
        notifier: "notifier 0123456789ab".into(),
        config_path: "config.yml".into(),
        config_text: None,
        slack_note: None,
        export_dir: std::path::PathBuf::from("/data/awsmon/findings"),
    };
    let cfg = config();
    let samples = awsmon::findings::samples::findings(&cfg.settings);
    App::new(env, cfg, samples)
}

pub(crate) fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    app.update(Action::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

pub(crate) fn keys(app: &mut App, text: &str) -> Vec<Effect> {
    text.chars()
        .flat_map(|c| key(app, KeyCode::Char(c)))
        .collect()
}

pub(crate) fn cell(
    region: &str,
    service: Service,
    state: State,
    managed: bool,
    notifying: bool,
    detail: &str,
) -> Cell {
    Cell {
        region: region.into(),
        service,
        state,
        managed,
        notifying,
        detail: detail.into(),
    }
}

/// A scanned account: the hub in us-east-1, GuardDuty managed there, an AccessDenied cell.
pub(crate) fn scanned(app: &mut App) {
    let _ = app.start();
    let region = |name: &str, opt_in: bool| RegionInfo {
        name: name.into(),
        enabled: true,
        opt_in,
    };
    app.update(Action::ScanStarted {
        account: "123456789012".into(),
        regions: vec![
            region("us-east-1", false),
            region("eu-west-1", false),
            region("me-central-1", true),
        ],
    });
    app.update(Action::Hub("ready".into()));
    for c in [
        cell(
            "us-east-1",
            Service::GuardDuty,
            State::Enabled,
            true,
            true,
            "detector 3eb8… ENABLED",
        ),
        cell(
            "us-east-1",
            Service::Config,
            State::Enabled,
            false,
            true,
            "recorder default, recording",
        ),
        cell(
            "us-east-1",
            Service::Inspector,
            State::Partial,
            false,
            true,
            "EC2+ECR enabled, LAMBDA disabled",
        ),
        cell(
            "eu-west-1",
            Service::GuardDuty,
            State::Disabled,
            false,
            false,
            "no detector",
        ),
        cell(
            "eu-west-1",
            Service::Config,
            State::Error,
            false,
            false,
            "AccessDenied: config:DescribeConfigurationRecorders",
        ),
        cell(
            "eu-west-1",
            Service::Inspector,
            State::Disabled,
            false,
            false,
            "not enabled",
        ),
        cell(
            "me-central-1",
            Service::GuardDuty,
            State::Enabled,
            false,
            false,
            "detector 91ac… ENABLED",
        ),
        cell(
            "global",
            Service::TrustedAdvisor,
            State::Enabled,
            false,
            false,
            "Business support",
        ),
        cell(
            "global",
            Service::Budget,
            State::Enabled,
            true,
            true,
            "limit 100.00 USD",
        ),
    ] {
        app.update(Action::ScanCell(cell_fix(c)));
    }
    app.update(Action::ScanFinished(Ok(())));
}

/// Global cells carry their stack's region in the scan; the matrix keys them as "global".
pub(crate) fn cell_fix(mut c: Cell) -> Cell {
    if c.region == "global" {
        c.region = "us-east-1".into();
    }
    c
}

pub(crate) fn draw(app: &App, w: u16, h: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    terminal
        .draw(|f| view::draw(f, app, Theme { color: false }))
        .expect("draw");
    let buf = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..h {
        let mut line = String::new();
        for x in 0..w {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

pub(crate) fn snapshots(name: &str, app: &App) {
    for (w, h) in [(80, 24), (120, 40)] {
        let frame = draw(app, w, h);
        assert!(
            !frame.contains("SECRETSECRET"),
            "{name}: a webhook leaked:\n{frame}"
        );
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), frame);
    }
}

pub(crate) fn zip() -> Artifact {
    Artifact {
        bytes: std::borrow::Cow::Borrowed(b"PK\x03\x04 a test build for the plan only"),
        sha256: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef".into(),
        origin: Origin::Bundled,
    }
}

/// A plan drawn by the real planner from facts: the hub exists, eu-west-1 has no detector.
pub(crate) fn plan_for_eu_west_1() -> plan::Plan {
    let mut facts = Facts {
        account: "123456789012".into(),
        ..Facts::default()
    };
    let mut home = awsmon::inventory::Stacks::default();
    home.by_name.insert(
        "awsmon-hub".into(),
        awsmon::inventory::StackStatusSummary {
            status: "CREATE_COMPLETE".into(),
            reason: None,
        },
    );
    facts.stacks.insert("us-east-1".into(), home);
    plan::plan(
        &config(),
        &facts,
        Target::Service(Service::GuardDuty),
        &["eu-west-1".to_string()],
        &zip(),
    )
}

#[test]
fn the_first_frame_is_drawn_before_any_reply() {
    let mut app = app(false);
    assert_eq!(app.start().len(), 1);
    snapshots("loading", &app);
}

#[test]
fn the_matrix_shows_states_as_symbols_and_error_cells() {
    let mut app = app(false);
    scanned(&mut app);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Right);
    snapshots("matrix_error_cell", &app);
}

#[test]
fn enter_plans_confirm_runs_and_the_cell_shows_progress() {
    let mut app = app(false);
    scanned(&mut app);
    key(&mut app, KeyCode::Char('j'));
    let effects = key(&mut app, KeyCode::Enter);
    let Some(Effect::Plan(req)) = effects.first() else {
        panic!("expected a plan, got {effects:?}");
    };
    assert_eq!(
        req.groups,
        vec![(
            Target::Service(Service::GuardDuty),
            vec!["eu-west-1".to_string()]
        )]
    );
    assert!(!req.destroy);
    let id = req.id;
    app.update(Action::PlanReady {
        id,
        result: Ok(plan_for_eu_west_1()),
    });
    snapshots("plan_popup", &app);

    let effects = key(&mut app, KeyCode::Enter);
    assert!(
        matches!(effects.as_slice(), [Effect::Execute { .. }]),
        "{effects:?}"
    );
    assert!(app.ui.popup.is_none());
    app.update(Action::JobLog {
        level: Level::Info,
        id,
        line: "eu-west-1 awsmon-guardduty: ForwardRule CREATE_IN_PROGRESS".into(),
        step_done: false,
    });
    snapshots("deploy_progress", &app);

    let effects = app.update(Action::JobFinished {
        id,
        result: Ok("1 step done".into()),
        warnings: vec![],
    });
    assert!(
        matches!(effects.as_slice(), [Effect::Scan]),
        "a finished job rescans"
    );
    assert_eq!(app.ui.toasts.last().map(|t| t.level), Some(Level::Info));
}

/// GuardDuty in eu-west-1 (the row under the first), planned and confirmed: the job's id.
pub(crate) fn run_eu_west_1_plan(app: &mut App) -> u64 {
    key(app, KeyCode::Char('j'));
    let Some(Effect::Plan(req)) = key(app, KeyCode::Enter).first().cloned() else {
        panic!("no plan");
    };
    app.update(Action::PlanReady {
        id: req.id,
        result: Ok(plan_for_eu_west_1()),
    });
    key(app, KeyCode::Char('y'));
    req.id
}

#[test]
fn a_failed_job_keeps_its_log_open() {
    let mut app = app(false);
    scanned(&mut app);
    let id = run_eu_west_1_plan(&mut app);
    app.update(Action::JobFinished {
        id,
        result: Err("create stack awsmon-guardduty in eu-west-1 — ForwardRule: CREATE_FAILED (AccessDenied)".into()),
        warnings: vec![],
    });
    assert!(matches!(app.ui.popup, Some(Popup::JobLog { .. })));
    let frame = draw(&app, 120, 40);
    assert!(frame.contains("failed: create stack awsmon-guardduty in eu-west-1 — ForwardRule: CREATE_FAILED (AccessDenied)"), "{frame}");
}

#[test]
fn space_marks_cells_for_one_batch() {
    let mut app = app(false);
    scanned(&mut app);
    // eu-west-1 GuardDuty and Inspector, both off.
    key(&mut app, KeyCode::Down);
    keys(&mut app, " ll ");
    let effects = key(&mut app, KeyCode::Enter);
    let Some(Effect::Plan(req)) = effects.first() else {
        panic!("{effects:?}");
    };
    assert_eq!(
        req.groups,
        vec![
            (
                Target::Service(Service::GuardDuty),
                vec!["eu-west-1".to_string()]
            ),
            (
                Target::Service(Service::Inspector),
                vec!["eu-west-1".to_string()]
            ),
        ]
    );
    // Esc on the plan keeps the marks (they used to be spent when the plan opened).
    assert_eq!(app.matrix.marked.len(), 2);
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.matrix.marked.len(), 2, "Esc keeps the marks");
    // They are spent when the plan runs.
    let Some(Effect::Plan(req)) = key(&mut app, KeyCode::Enter).first().cloned() else {
        panic!("no plan");
    };
    app.update(Action::PlanReady {
        id: req.id,
        result: Ok(plan::Plan::default()),
    });
    let effects = key(&mut app, KeyCode::Enter);
    assert!(
        matches!(effects.as_slice(), [Effect::Execute { .. }]),
        "{effects:?}"
    );
    assert!(app.matrix.marked.is_empty());
}

/// A batch of marks going both ways: the plan takes the ones going the first cell's way, and
/// a toast names the ones left out, which stay marked for their own plan.
#[test]
fn marks_going_the_other_way_are_named_and_stay_marked() {
    let mut app = app(false);
    scanned(&mut app);
    // us-east-1 GuardDuty is managed (on); eu-west-1 GuardDuty is off.
    keys(&mut app, " ");
    key(&mut app, KeyCode::Down);
    keys(&mut app, " ");
    let effects = key(&mut app, KeyCode::Enter);
    let Some(Effect::Plan(req)) = effects.first() else {
        panic!("{effects:?}");
    };
    // The first marked cell (eu-west-1) is off: the plan turns it on, and the managed one
    // is named as left out.
    assert!(!req.destroy);
    assert_eq!(
        req.cells,
        vec![("eu-west-1".to_string(), Service::GuardDuty)]
    );
    assert_eq!(
        app.ui.toasts.last().map(|t| t.text.as_str()),
        Some(
            "1 marked cell left out of this plan because it is on and managed by awsmon (guardduty in us-east-1); it stays marked: Enter again plans it"
        )
    );
    assert_eq!(app.matrix.marked.len(), 2);
}

#[test]
fn destroying_service_data_needs_a_second_red_yes() {
    let mut app = app(false);
    scanned(&mut app);
    // us-east-1 GuardDuty is managed: Enter plans turning it off.
    let Some(Effect::Plan(req)) = key(&mut app, KeyCode::Enter).first().cloned() else {
        panic!("no plan");
    };
    assert!(req.destroy && !req.delete_data);
    // x is offered only where awsmon created service data (issue 13): not before the plan
    // says so, not when it has none.
    assert!(key(&mut app, KeyCode::Char('x')).is_empty());
    let without = plan::Plan {
        steps: vec![plan::Step::DeleteStack {
            region: "us-east-1".into(),
            name: "awsmon-guardduty".into(),
            reason: "remove awsmon's wiring; the adopted detector is not touched".into(),
        }],
        spokes_first: true,
        ..plan::Plan::default()
    };
    app.update(Action::PlanReady {
        id: req.id,
        result: Ok(without.clone()),
    });
    assert!(!draw(&app, 120, 40).contains("x also deletes"));
    assert!(key(&mut app, KeyCode::Char('x')).is_empty());
    assert_eq!(
        app.ui.toasts.last().map(|t| t.text.as_str()),
        Some("awsmon created no service data here: there is nothing it may delete")
    );
    let with = plan::Plan {
        kept_data: vec!["delete detector 3eb8a1 in us-east-1, with its findings history".into()],
        ..without
    };
    app.update(Action::PlanReady {
        id: req.id,
        result: Ok(with),
    });
    let frame = draw(&app, 120, 40);
    assert!(
        frame.contains("x also deletes the service data awsmon created"),
        "{frame}"
    );
    assert!(
        frame.contains("kept: delete detector 3eb8a1 in us-east-1"),
        "{frame}"
    );
    let Some(Effect::Plan(again)) = key(&mut app, KeyCode::Char('x')).first().cloned() else {
        panic!("x re-plans");
    };
    assert!(again.delete_data);
    let destructive = plan::Plan {
        steps: vec![plan::Step::DeleteDetector {
            region: "us-east-1".into(),
            detector_id: "3eb8a1".into(),
        }],
        spokes_first: true,
        ..plan::Plan::default()
    };
    app.update(Action::PlanReady {
        id: again.id,
        result: Ok(destructive.clone()),
    });
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    assert!(matches!(app.ui.popup, Some(Popup::ConfirmData(_))));
    let frame = draw(&app, 80, 24);
    assert!(frame.contains("DELETE SERVICE DATA?"), "{frame}");
    // Anything but y keeps the data.
    assert!(key(&mut app, KeyCode::Char('n')).is_empty());
    assert!(app.ui.popup.is_none());

    let Some(Effect::Plan(req)) = key(&mut app, KeyCode::Enter).first().cloned() else {
        panic!("no plan");
    };
    app.update(Action::PlanReady {
        id: req.id,
        result: Ok(destructive),
    });
    key(&mut app, KeyCode::Enter);
    let effects = key(&mut app, KeyCode::Char('y'));
    assert!(
        matches!(effects.as_slice(), [Effect::Execute { .. }]),
        "{effects:?}"
    );
}

#[test]
fn routing_is_masked_validated_as_typed_and_saved() {
    let mut app = app(false);
    scanned(&mut app);
    assert!(key(&mut app, KeyCode::Char('w')).is_empty());
    assert_eq!(app.screen, Screen::Routing);
    snapshots("routing_masked", &app);

    keys(&mut app, "a");
    keys(&mut app, "http://example.com/x");
    assert_eq!(
        app.ui.input.as_ref().and_then(|i| i.error.clone()),
        Some("webhook must use https:// (plain http is allowed only to localhost)".to_string())
    );
    // Enter on an invalid URL keeps the field open.
    key(&mut app, KeyCode::Enter);
    assert!(app.ui.input.is_some());
    for _ in 0.."http://example.com/x".len() {
        key(&mut app, KeyCode::Backspace);
    }
    keys(
        &mut app,
        "https://hooks.slack.com/services/T0NEW/B0NEW/NEWSECRET",
    );
    assert_eq!(app.ui.input.as_ref().and_then(|i| i.error.clone()), None);
    key(&mut app, KeyCode::Enter);
    assert!(app.routing.draft.dirty);
    assert_eq!(app.routing.draft.config.settings.routes.default.len(), 2);
    let effects = keys(&mut app, "s");
    let [
        Effect::SaveConfig {
            config,
            push_routing,
            editor: Editor::Routing,
        },
    ] = effects.as_slice()
    else {
        panic!("{effects:?}");
    };
    assert!(*push_routing);
    assert_eq!(config.settings.routes.default.len(), 2);
    assert!(!draw(&app, 120, 40).contains("NEWSECRET"));
}

#[test]
fn findings_show_the_slack_message_and_filter() {
    let mut app = app(false);
    scanned(&mut app);
    let effects = keys(&mut app, "f");
    assert!(matches!(effects.as_slice(), [Effect::LoadFindings]));
    app.update(Action::Findings {
        items: Vec::new(),
        errors: vec![],
    });
    // The crypto-mining sample, found by filtering.
    keys(&mut app, "/bitcoin");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.findings.view.len(), 1);
    snapshots("findings_detail", &app);
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.findings.view.len(), app.findings.items.len());
    assert_eq!(app.screen, Screen::Findings);
    keys(&mut app, "ss");
    // Sorted by severity: the first row is the most severe (the selection stays on its
    // finding, wherever that moved).
    let first = app.findings.items[app.findings.view[0]].rank;
    assert!(app.findings.items.iter().all(|f| f.rank <= first));
}

#[test]
fn help_comes_from_the_key_table() {
    let mut app = app(false);
    scanned(&mut app);
    keys(&mut app, "?");
    snapshots("help", &app);
}

#[test]
fn read_only_hides_and_refuses_mutating_keys() {
    let mut app = app(true);
    scanned(&mut app);
    snapshots("read_only", &app);
    let frame = draw(&app, 120, 40);
    assert!(!frame.contains("Enter toggle"), "{frame}");
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    assert!(keys(&mut app, " ").is_empty());
    assert_eq!(
        app.ui.toasts.first().map(|t| t.text.as_str()),
        Some("read-only: toggling a service is not allowed; restart without --read-only")
    );
    keys(&mut app, "t");
    assert!(key(&mut app, KeyCode::Enter).is_empty(), "no test message");
    key(&mut app, KeyCode::Esc);
    keys(&mut app, "b");
    assert!(keys(&mut app, "a").is_empty(), "no budget apply");
    keys(&mut app, ":findings");
    key(&mut app, KeyCode::Enter);
    assert!(keys(&mut app, "x").is_empty(), "no send");
    assert!(app.ui.popup.is_none());
}

#[test]
fn commands_and_quitting() {
    let mut app = app(false);
    scanned(&mut app);
    keys(&mut app, ":region me-central-1");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.matrix.row, 2);
    keys(&mut app, ":budget");
    let effects = key(&mut app, KeyCode::Enter);
    assert!(matches!(effects.as_slice(), [Effect::LoadBudget]));
    assert_eq!(app.screen, Screen::Budget);
    let ctrl_r = app.update(Action::Key(KeyEvent::new(
        KeyCode::Char('r'),
        KeyModifiers::CONTROL,
    )));
    assert!(matches!(ctrl_r.as_slice(), [Effect::Scan]));
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.screen, Screen::Matrix);
    keys(&mut app, "q");
    assert!(app.quit);
}

#[test]
fn budget_editor_validates_and_shows_the_alerts_the_numbers_would_send() {
    let mut app = app(false);
    scanned(&mut app);
    let effects = keys(&mut app, "b");
    assert!(matches!(effects.as_slice(), [Effect::LoadBudget]));
    app.update(Action::BudgetSpend(Ok(Some(
        awsmon::findings::budget::Spend {
            limit: 100.0,
            actual: 64.1,
            forecast: 91.75,
        },
    ))));
    // Threshold 95 %: the forecast no longer crosses it; 200 % is refused as typed.
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Enter);
    for _ in 0..4 {
        key(&mut app, KeyCode::Backspace);
    }
    keys(&mut app, "200");
    assert_eq!(
        app.ui.input.as_ref().and_then(|i| i.error.clone()),
        Some("out of range: expected a percentage above 0 and at most 100, found 200".to_string())
    );
    for _ in 0..3 {
        key(&mut app, KeyCode::Backspace);
    }
    keys(&mut app, "95");
    key(&mut app, KeyCode::Enter);
    assert!((app.budget.draft.config.budget_threshold_percentage - 95.0).abs() < f64::EPSILON);
    snapshots("budget", &app);
    let effects = keys(&mut app, "a");
    let [Effect::Plan(req)] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(
        req.config.as_ref().map(|c| c.budget_threshold_percentage),
        Some(95.0)
    );
}

/// Issue 11: the budget editor took 1-100 and refused `aws:` tag filters while config.yml took
/// (0, 100] and `aws:`. The console now takes what the file takes, as typed.
#[test]
fn the_budget_editor_takes_what_config_yml_takes() {
    let mut app = app(false);
    scanned(&mut app);
    keys(&mut app, "b");
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Enter);
    for _ in 0..4 {
        key(&mut app, KeyCode::Backspace);
    }
    keys(&mut app, "0");
    assert_eq!(
        app.ui.input.as_ref().and_then(|i| i.error.clone()),
        Some("out of range: expected a percentage above 0 and at most 100, found 0".to_string())
    );
    keys(&mut app, ".5");
    assert_eq!(app.ui.input.as_ref().and_then(|i| i.error.clone()), None);
    key(&mut app, KeyCode::Enter);
    assert!((app.budget.draft.config.budget_threshold_percentage - 0.5).abs() < f64::EPSILON);

    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "user:Project$acme, aws:createdBy$ci");
    assert_eq!(app.ui.input.as_ref().and_then(|i| i.error.clone()), None);
    key(&mut app, KeyCode::Enter);
    assert_eq!(
        app.budget.draft.config.budget_tag_filters,
        vec![
            "user:Project$acme".to_string(),
            "aws:createdBy$ci".to_string()
        ]
    );
}

/// A webhook on a private address is refused as typed unless ALLOW_PRIVATE_WEBHOOKS, as in
/// config.yml (the save used to fail only afterwards).
#[test]
fn the_routing_editor_refuses_a_private_webhook_as_config_yml_does() {
    let mut app = app(false);
    scanned(&mut app);
    keys(&mut app, "w");
    keys(&mut app, "a");
    keys(&mut app, "https://10.1.2.3/hook");
    assert_eq!(
        app.ui.input.as_ref().and_then(|i| i.error.clone()),
        Some("https://10.1.2.3/••••#30b40b is a private, link-local or metadata address; set ALLOW_PRIVATE_WEBHOOKS: true if that is really where Slack messages should go".to_string())
    );
    key(&mut app, KeyCode::Enter);
    assert!(app.ui.input.is_some());
    assert_eq!(app.routing.draft.config.settings.routes.default.len(), 1);
}

#[test]
fn test_message_shows_each_webhook_result() {
    let mut app = app(false);
    scanned(&mut app);
    keys(&mut app, "t");
    key(&mut app, KeyCode::Down);
    let effects = key(&mut app, KeyCode::Enter);
    let [Effect::TestMessage { route, via }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(route.as_str(), "guardduty");
    assert_eq!(*via, awsmon::test_message::Via::Direct);
    app.update(Action::TestResult(Ok(awsmon::ops::test_message::TestReport {
        lines: vec![
            (true, "ok     https://hooks.slack.com/services/T…/B…/••••  200  143 ms  1 attempt(s)".into()),
            (false, "FAILED https://hooks.slack.com/services/T…/B…/••••  400  12 ms  1 attempt(s)  Slack refused the message: HTTP 400 invalid_payload".into()),
        ],
        refused: 1,
    })));
    snapshots("test_message", &app);
    assert_eq!(app.ui.toasts.last().map(|t| t.level), Some(Level::Error));
}

fn unhealthy() -> awsmon::notifier::health::Health {
    awsmon::notifier::health::Health {
        function: "awsmon-notifier".into(),
        region: "us-east-1".into(),
        deployed: true,
        deployed_build: Some("a".repeat(64)),
        bundled_build: Some("a".repeat(64)),
        errors_24h: Some(3.0),
        throttles_24h: Some(0.0),
        queue_depth: Some(2),
        last_delivery: Some("2026-12-03T09:15:00Z".into()),
        unreadable: Vec::new(),
    }
}

#[test]
fn the_header_shows_the_notifiers_health_red_when_something_needs_a_person() {
    let mut app = app(false);
    scanned(&mut app);
    app.update(Action::NotifierHealth(Box::new(unhealthy())));
    let frame = draw(&app, 120, 40);
    let line = frame.lines().nth(1).expect("health line");
    assert!(
        line.starts_with(
            " ✖ notifier: 3 errors, 0 throttles /24h · queue 2 · last delivery 2026-12-03T09:15:00Z · current build  — 2 undelivered"
        ),
        "{frame}"
    );
    // Healthy: a green tick and no problem text.
    let mut fine = unhealthy();
    fine.errors_24h = Some(0.0);
    fine.queue_depth = Some(0);
    app.update(Action::NotifierHealth(Box::new(fine)));
    let frame = draw(&app, 120, 40);
    assert_eq!(
        frame.lines().nth(1).expect("health line").trim_end(),
        " ✔ notifier: 0 errors, 0 throttles /24h · queue 0 · last delivery 2026-12-03T09:15:00Z · current build"
    );
    app.update(Action::NotifierHealth(Box::new(unhealthy())));
    // `:notifier` shows every problem.
    keys(&mut app, ":notifier");
    key(&mut app, KeyCode::Enter);
    let Some(Popup::Message { title, text, .. }) = &app.ui.popup else {
        panic!("no popup: {:?}", app.ui.popup);
    };
    assert_eq!(title, "notifier health");
    assert_eq!(
        text.lines().skip(1).collect::<Vec<_>>(),
        vec![
            "✖ 2 undelivered event(s) in the failure queue: fix the cause, then `awsmon-tui notifier redrive`",
            "✖ 3 failed invocation(s) in the last 24 h",
        ]
    );
}

#[test]
fn redrive_shows_what_waits_then_replays_only_on_y_and_never_read_only() {
    let mut app = app(false);
    scanned(&mut app);
    keys(&mut app, ":redrive");
    let effects = key(&mut app, KeyCode::Enter);
    assert!(
        matches!(effects.as_slice(), [Effect::RedrivePreview]),
        "{effects:?}"
    );
    // An empty queue is news, not an error.
    app.update(Action::RedriveReady(Ok(Vec::new())));
    assert!(app.ui.popup.is_none());
    assert!(app.ui.toasts.iter().any(
        |t| t.level == Level::Info && t.text == "the failure queue is empty: nothing to replay"
    ));
    app.update(Action::RedriveReady(Ok(vec![
        "2 undelivered messages in awsmon-notifier-failures:".into(),
        "    2  guardduty · GuardDuty Finding".into(),
    ])));
    assert!(matches!(app.ui.popup, Some(Popup::Redrive { .. })));
    // Esc: nothing replayed.
    assert!(key(&mut app, KeyCode::Esc).is_empty());
    assert!(app.ui.popup.is_none());
    assert!(
        app.ui
            .toasts
            .iter()
            .any(|t| t.text == "not replayed; the queue is unchanged")
    );
    // y: replay.
    app.update(Action::RedriveReady(Ok(vec![
        "1 undelivered message".into(),
    ])));
    let effects = key(&mut app, KeyCode::Char('y'));
    assert!(
        matches!(effects.as_slice(), [Effect::Redrive]),
        "{effects:?}"
    );
    // One stays: an error toast, the lines in a popup, and a rescan for the new queue depth.
    let effects = app.update(Action::RedriveDone(Ok(vec![
        Replayed {
            message_id: "m1".into(),
            kinds: vec!["budget · AWS Budgets Notification".into()],
            result: Replay::Delivered(Vec::new()),
        },
        Replayed {
            message_id: "m2".into(),
            kinds: vec!["guardduty · GuardDuty Finding".into()],
            result: Replay::Failed(Vec::new()),
        },
    ])));
    assert!(matches!(effects.as_slice(), [Effect::Scan]), "{effects:?}");
    assert!(
        app.ui
            .toasts
            .iter()
            .any(|t| t.level == Level::Error
                && t.text == "1 of 2 messages stay in the failure queue")
    );

    // Read-only: refused before anything is read.
    let mut ro = self::app(true);
    scanned(&mut ro);
    keys(&mut ro, ":redrive");
    assert!(key(&mut ro, KeyCode::Enter).is_empty());
    assert!(ro.ui.toasts.iter().any(|t| {
        t.text
            .starts_with("read-only: replaying the failure queue is not allowed")
    }));
}

/// Every key the console could be sent: printable ASCII, the named keys, and ctrl-letters.
fn every_key() -> Vec<KeyEvent> {
    let mut all: Vec<KeyEvent> = (' '..='~')
        .map(|c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
        .collect();
    for code in [
        KeyCode::Up,
        KeyCode::Down,
        KeyCode::Left,
        KeyCode::Right,
        KeyCode::PageUp,
        KeyCode::PageDown,
        KeyCode::Home,
        KeyCode::End,
        KeyCode::Enter,
        KeyCode::Esc,
        KeyCode::Tab,
        KeyCode::Backspace,
        KeyCode::Delete,
        KeyCode::F(1),
    ] {
        all.push(KeyEvent::new(code, KeyModifiers::NONE));
    }
    all.extend(('a'..='z').map(|c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)));
    all
}

/// What a key could have changed, to tell a key that did something from one that did not.
fn fingerprint(app: &App) -> String {
    format!(
        "{:?} {:?} {:?} {} {} {} {} {} {} {} {} {} {:?} {:?} {:?}",
        app.screen,
        app.ui.popup.as_ref().map(|p| format!("{p:?}")),
        app.ui.input.as_ref().map(|i| i.label.clone()),
        app.ui.toasts.len(),
        app.quit,
        app.matrix.row,
        app.matrix.col,
        app.matrix.marked.len(),
        app.findings.selected,
        app.findings.filter,
        app.routing.row,
        app.routing.reveal,
        (app.budget.row, app.test.route, app.test.pipeline),
        (app.routing.draft.dirty, app.budget.draft.dirty),
        (
            app.accounts.row,
            &app.accounts.filter,
            &app.accounts.drill,
            app.accounts.scanning
        ),
    )
}

#[test]
fn no_key_works_without_being_in_the_command_table() {
    use awsmon::tui::command::{self, Scope};
    for screen in Screen::ALL {
        for k in every_key() {
            if command::for_key(Scope::Screen(screen), &k).is_some() {
                continue;
            }
            let mut app = app(false);
            // The accounts screens open only in org mode, the account's once one is listed.
            app.cfg.org.enabled = matches!(screen, Screen::Accounts | Screen::Account);
            scanned(&mut app);
            if app.cfg.org.enabled {
                crate::tui_org::listed(&mut app);
            }
            let _ = app.goto(screen);
            assert_eq!(app.screen, screen);
            let before = fingerprint(&app);
            let effects = app.update(Action::Key(k));
            assert!(
                effects.is_empty() && fingerprint(&app) == before,
                "{k:?} on {screen:?} is not in the command table but did something"
            );
        }
    }
    // And every bound key is in the help.
    let help = command::help(false);
    for b in command::TABLE {
        if b.keys.is_empty() {
            continue;
        }
        let (_, hints) = help.iter().find(|(s, _)| *s == b.scope).expect("scope");
        assert!(
            hints.iter().any(|h| h.label == b.label),
            "{:?} {} missing from help",
            b.scope,
            b.label
        );
    }
}

#[test]
fn read_only_refuses_every_mutating_binding_of_every_screen() {
    use awsmon::tui::command::{self, Scope};
    let mut refused = 0;
    for b in command::TABLE.iter().filter(|b| b.command.mutates()) {
        let Scope::Screen(screen) = b.scope else {
            continue;
        };
        for k in b.keys {
            let mut app = app(true);
            scanned(&mut app);
            let _ = app.goto(screen);
            let effects = app.update(Action::Key(KeyEvent::new(k.code, KeyModifiers::NONE)));
            assert!(effects.is_empty(), "{:?} ran under read-only", b.command);
            assert!(app.ui.popup.is_none());
            assert!(
                app.ui
                    .toasts
                    .last()
                    .is_some_and(|t| t.text.starts_with("read-only: ")),
                "{:?} was not refused with a reason",
                b.command
            );
            refused += 1;
        }
    }
    // toggle, remove wiring, mark, mark row, mark column, send, export, save, apply budget, mute,
    // send test
    assert_eq!(refused, 11);
    // The footer and help show none of them.
    for screen in Screen::ALL {
        let footer = command::footer(Scope::Screen(screen), true);
        assert!(footer.iter().all(|h| {
            ![
                "toggle (plan)",
                "mark",
                "send",
                "send to its routes",
                "apply (plan)",
            ]
            .contains(&h.label)
        }));
    }
    assert!(
        command::command_names(true)
            .iter()
            .all(|(name, _)| name != ":redrive")
    );
}

#[test]
fn test_message_keys_p_and_d_choose_the_way_v_switches() {
    let mut app = app(false);
    keys(&mut app, "t");
    keys(&mut app, "p");
    assert!(app.test.pipeline);
    keys(&mut app, "p");
    assert!(
        app.test.pipeline,
        "p chooses the pipeline, it does not switch"
    );
    keys(&mut app, "d");
    assert!(!app.test.pipeline);
    keys(&mut app, "v");
    assert!(app.test.pipeline);
}

#[test]
fn the_tick_that_clears_the_last_toast_redraws() {
    let mut app = app(false);
    keys(&mut app, "o"); // "no jobs yet"
    assert_eq!(app.ui.toasts.len(), 1);
    let mut ticks = 0;
    while !app.ui.toasts.is_empty() {
        app.update(Action::Tick);
        ticks += 1;
        assert!(app.redraw, "tick {ticks} must redraw while a toast shows");
    }
    assert_eq!(ticks, 16);
    app.update(Action::Tick);
    assert!(!app.redraw, "nothing left to change");
}

/// The first-user report: live findings arrived while a sample was selected, and the pane then
/// showed (and `x` sent) a different finding from the highlighted row. The selection is one
/// finding, kept by identity when rows arrive or re-sort; the preview and `x` follow it.
#[test]
fn the_preview_and_x_follow_the_highlighted_finding_when_rows_arrive() {
    use awsmon::findings::{Finding, Origin};
    let mut app = app(false);
    scanned(&mut app);
    keys(&mut app, "f");
    // A sample is selected and previewed before the live findings arrive.
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    let chosen = app
        .findings
        .selected()
        .expect("selected")
        .summary
        .id
        .clone();
    let settings = app.cfg.settings.clone();
    let live: Vec<Finding> = [
        "budget-actual-sns",
        "guardduty-iam-api-call",
        "config-change-with-diff",
    ]
    .iter()
    .map(|name| {
        let path = format!(
            "{}/lambda/tests/fixtures/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let event: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json");
        Finding::from_event(Origin::Live, &event, &settings).expect("finding")
    })
    .collect();
    app.update(Action::Findings {
        items: live,
        errors: vec![],
    });
    let shown = |app: &App| {
        let selected = app
            .findings
            .selected()
            .expect("selected")
            .summary
            .id
            .clone();
        let previewed = app
            .findings
            .current
            .as_ref()
            .and_then(|(_, p)| p.as_ref())
            .map(|p| p.id.clone())
            .expect("preview");
        (selected, previewed)
    };
    assert_eq!(
        shown(&app),
        (chosen.clone(), chosen.clone()),
        "kept across arrival"
    );
    // Re-sorting moves the row, not the selection.
    keys(&mut app, "s");
    assert_eq!(
        shown(&app),
        (chosen.clone(), chosen.clone()),
        "kept across sorting"
    );
    // Moving on previews the new row, and `x` sends exactly what is previewed and selected.
    key(&mut app, KeyCode::Up);
    let (selected, previewed) = shown(&app);
    assert_eq!(selected, previewed);
    // `x` asks first, showing whom it pings and where it goes; only `y` sends, and it sends
    // exactly the selected finding. Any other key sends nothing.
    let sendable = (0..app.findings.view.len()).find(|&pos| {
        app.findings.selected = pos;
        app.update(Action::Tick);
        app.findings
            .current
            .as_ref()
            .and_then(|(_, p)| p.as_ref())
            .is_some_and(|p| p.decision.is_send() && !p.routes.is_empty())
    });
    assert!(sendable.is_some(), "some finding is sent");
    let selected = app
        .findings
        .selected()
        .expect("selected")
        .summary
        .id
        .clone();
    assert!(keys(&mut app, "x").is_empty(), "x alone sends nothing");
    let text = draw(&app, 120, 40);
    assert!(text.contains("send this finding to Slack?"), "{text}");
    assert!(
        text.contains("hooks.slack.com/services/T…/B…/••••"),
        "{text}"
    );
    assert!(text.contains("mention: "), "{text}");
    assert!(keys(&mut app, "n").is_empty(), "any other key cancels");
    assert!(app.ui.popup.is_none());
    keys(&mut app, "x");
    let effects = keys(&mut app, "y");
    let [Effect::SendFinding(p)] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(p.id, selected);
}

/// `C` marks the cursor's service in every enabled region (the common case: GuardDuty
/// everywhere), `R` the whole row; the same key again unmarks them. Read-only refuses both.
#[test]
fn whole_rows_and_columns_can_be_marked() {
    let mut app = app(false);
    scanned(&mut app);
    key(&mut app, KeyCode::Down); // eu-west-1, GuardDuty
    keys(&mut app, "C");
    let guardduty: Vec<(String, Service)> = ["eu-west-1", "me-central-1", "us-east-1"]
        .iter()
        .map(|r| ((*r).to_string(), Service::GuardDuty))
        .collect();
    assert_eq!(
        app.matrix.marked.iter().cloned().collect::<Vec<_>>(),
        guardduty
    );
    keys(&mut app, "C");
    assert!(app.matrix.marked.is_empty(), "C again unmarks");
    keys(&mut app, "R");
    assert_eq!(app.matrix.marked.len(), awsmon::services::REGIONAL.len());
    assert!(app.matrix.marked.iter().all(|(r, _)| r == "eu-west-1"));
    keys(&mut app, "R");
    assert!(app.matrix.marked.is_empty(), "R again unmarks");

    let mut ro = app_read_only_scanned();
    assert!(keys(&mut ro, "C").is_empty());
    assert!(ro.matrix.marked.is_empty());
}

fn app_read_only_scanned() -> App {
    let mut app = app(true);
    scanned(&mut app);
    app
}

/// Inspector with some resource types off (LAMBDA here) is partial, even when its events are
/// wired: it used to read `● notifying`, as if everything were scanned.
#[test]
fn a_partial_service_never_reads_as_notifying() {
    use awsmon::tui::screens::matrix::Look;
    let mut app = app(false);
    scanned(&mut app);
    let key = ("us-east-1".to_string(), Service::Inspector);
    let cell = app.matrix.cells.get(&key).expect("cell");
    assert!(cell.notifying && cell.state == State::Partial);
    assert_eq!(Look::of(Some(cell), None), Look::Partial);
    let frame = draw(&app, 160, 45);
    assert!(frame.contains("◑ partial"), "{frame}");
}

/// `:mark guardduty all` marks GuardDuty in every enabled region from any screen, and says how
/// many; a global service or an unknown name gets the list of services instead.
#[test]
fn the_command_line_marks_a_service_everywhere() {
    let mut app = app(false);
    scanned(&mut app);
    keys(&mut app, "f");
    keys(&mut app, ":mark guardduty all");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Matrix);
    assert_eq!(app.matrix.marked.len(), 3);
    assert!(
        app.matrix
            .marked
            .iter()
            .all(|(_, s)| *s == Service::GuardDuty)
    );
    assert_eq!(
        app.ui.toasts.last().map(|t| t.text.as_str()),
        Some("marked guardduty in 3 regions; Enter plans")
    );
    keys(&mut app, ":mark shield all");
    key(&mut app, KeyCode::Enter);
    assert!(
        app.ui.toasts.last().is_some_and(|t| t
            .text
            .starts_with("which service? :mark SERVICE all, one of guardduty")),
        "{:?}",
        app.ui.toasts.last()
    );
    assert_eq!(app.matrix.marked.len(), 3);
}

/// `m` on a finding makes a SUPPRESS rule from it: its service, type, resource and account
/// filled in and editable, a reason required, an expiry not in the past; saved and pushed at
/// once, without touching the routing editor's draft. The routing editor then lists the rule
/// with its matches over the last 7 days as the notifier counted them.
#[test]
fn m_mutes_a_finding_with_a_rule_that_routing_lists_with_its_matches() {
    let mut app = app(false);
    scanned(&mut app);
    keys(&mut app, "f");
    app.update(Action::Findings {
        items: Vec::new(),
        errors: vec![],
    });
    keys(&mut app, "/bitcoin");
    key(&mut app, KeyCode::Enter);
    assert!(keys(&mut app, "m").is_empty());
    let input = app.ui.input.clone().expect("TYPE asked");
    assert_eq!(input.value, "CryptoCurrency:EC2/BitcoinTool.B!DNS");
    key(&mut app, KeyCode::Enter);
    let resource = app.ui.input.clone().expect("RESOURCE asked").value;
    assert!(resource.contains("i-"), "{resource}");
    key(&mut app, KeyCode::Enter);
    // REASON is required.
    key(&mut app, KeyCode::Enter);
    assert_eq!(
        app.ui.input.as_ref().and_then(|i| i.error.clone()),
        Some("say why this finding is accepted".to_string())
    );
    keys(&mut app, "lab miner, isolated");
    key(&mut app, KeyCode::Enter);
    // EXPIRES: 90 days on by default; a past day is refused.
    let expires = app.ui.input.clone().expect("EXPIRES asked");
    assert!(expires.value.as_str() > "2026-01-01", "{}", expires.value);
    for _ in 0..expires.value.len() {
        key(&mut app, KeyCode::Backspace);
    }
    keys(&mut app, "2020-01-01");
    assert!(
        app.ui
            .input
            .as_ref()
            .and_then(|i| i.error.clone())
            .is_some_and(|e| e.starts_with("2020-01-01 has passed")),
        "{:?}",
        app.ui.input
    );
    for _ in 0.."2020-01-01".len() {
        key(&mut app, KeyCode::Backspace);
    }
    keys(&mut app, "2099-12-31");
    let effects = key(&mut app, KeyCode::Enter);
    let [
        Effect::SaveConfig {
            config,
            push_routing: true,
            editor: Editor::Rules,
        },
    ] = effects.as_slice()
    else {
        panic!("{effects:?}");
    };
    let rule = &config.settings.suppress[0];
    assert_eq!(
        (
            rule.service,
            rule.finding_type.as_deref(),
            rule.resource.as_deref(),
            rule.account.as_deref(),
            rule.reason.as_str(),
            rule.expires.as_str()
        ),
        (
            Some(Service::GuardDuty),
            Some("CryptoCurrency:EC2/BitcoinTool.B!DNS"),
            Some(resource.as_str()),
            Some("123456789012"),
            "lab miner, isolated",
            "2099-12-31"
        )
    );
    assert_eq!(config.settings.routes, app.cfg.settings.routes);
    app.update(Action::Saved {
        editor: Editor::Rules,
        config: config.clone(),
        text: String::new(),
        written: true,
        result: Ok("saved config.yml".into()),
    });
    // The sample is now dropped by the rule, and says so.
    let selected = app.findings.selected().expect("selected");
    assert_eq!(
        (selected.summary.send, selected.summary.reason.as_str()),
        (
            false,
            "suppressed by rule 1 (lab miner, isolated, until 2099-12-31)"
        )
    );

    // Routing lists it, with the matches the notifier counted.
    let effects = app.goto(Screen::Routing);
    assert!(
        matches!(effects.as_slice(), [Effect::LoadRuleMatches]),
        "{effects:?}"
    );
    app.update(Action::RuleMatches(Ok(Some(vec![3]))));
    let frame = draw(&app, 200, 60);
    assert!(
        frame.contains("SUPPRESS rules · matches in the last 7 days")
            && frame.contains(&format!(
                "1. guardduty · CryptoCurrency:EC2/BitcoinTool.B!DNS · {resource} · 123456789012 · until 2099-12-31 · 3 matches · lab miner, isolated"
            )),
        "{frame}"
    );
}
