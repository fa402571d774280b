//! The console without a terminal or AWS: key sequences through `update` (state and effects),
//! and every screen drawn into a TestBackend and compared with a snapshot at 80×24 and 120×40.

use awsmon::aws::regions::RegionInfo;
use awsmon::config::Config;
use awsmon::deploy::artifact::{Artifact, Origin};
use awsmon::deploy::plan::{self, Facts, Target};
use awsmon::inventory::{Cell, State};
use awsmon::notifier::redrive::{Replay, Replayed};
use awsmon::tui::app::{Action, App, Effect, Env, Level, Popup, Screen};
use awsmon::tui::theme::Theme;
use awsmon::tui::view;
use awsmon_notifier::{Service, WebhookUrl};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const HOOK: &str = "https://hooks.slack.com/services/T0FAKE/B0FAKE/SECRETSECRETSECRET";

fn config() -> Config {
    let mut cfg = Config::default();
    cfg.settings.routes.default = vec![WebhookUrl::parse(HOOK).expect("url")];
    cfg.budget_limit = Some(100.0);
    cfg
}

fn app(read_only: bool) -> App {
    let env = Env {
        profile: Some("secops".into()),
        endpoint: None,
        emulator: false,
        read_only,
        notifier: "notifier 0123456789ab".into(),
        config_path: "config.yml".into(),
        config_text: None,
        slack_note: None,
    };
    let cfg = config();
    let samples = awsmon::findings::samples::findings(&cfg.settings);
    App::new(env, cfg, samples)
}

fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    app.update(Action::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn keys(app: &mut App, text: &str) -> Vec<Effect> {
    text.chars()
        .flat_map(|c| key(app, KeyCode::Char(c)))
        .collect()
}

fn cell(
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
fn scanned(app: &mut App) {
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
fn cell_fix(mut c: Cell) -> Cell {
    if c.region == "global" {
        c.region = "us-east-1".into();
    }
    c
}

fn draw(app: &App, w: u16, h: u16) -> String {
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

fn snapshots(name: &str, app: &App) {
    for (w, h) in [(80, 24), (120, 40)] {
        let frame = draw(app, w, h);
        assert!(
            !frame.contains("SECRETSECRET"),
            "{name}: a webhook leaked:\n{frame}"
        );
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), frame);
    }
}

fn zip() -> Artifact {
    Artifact {
        bytes: std::borrow::Cow::Borrowed(b"PK\x03\x04 a test build for the plan only"),
        sha256: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef".into(),
        origin: Origin::Bundled,
    }
}

/// A plan drawn by the real planner from facts: the hub exists, eu-west-1 has no detector.
fn plan_for_eu_west_1() -> plan::Plan {
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
    assert!(app.popup.is_none());
    app.update(Action::JobLog {
        id,
        line: "eu-west-1 awsmon-guardduty: ForwardRule CREATE_IN_PROGRESS".into(),
        step_done: false,
    });
    snapshots("deploy_progress", &app);

    let effects = app.update(Action::JobFinished {
        id,
        result: Ok("1 step(s) done".into()),
        warnings: vec![],
    });
    assert!(
        matches!(effects.as_slice(), [Effect::Scan]),
        "a finished job rescans"
    );
    assert_eq!(app.toasts.last().map(|t| t.level), Some(Level::Info));
}

#[test]
fn a_failed_job_keeps_its_log_open() {
    let mut app = app(false);
    scanned(&mut app);
    key(&mut app, KeyCode::Char('j'));
    let Some(Effect::Plan(req)) = key(&mut app, KeyCode::Enter).first().cloned() else {
        panic!("no plan");
    };
    app.update(Action::PlanReady {
        id: req.id,
        result: Ok(plan_for_eu_west_1()),
    });
    key(&mut app, KeyCode::Char('y'));
    app.update(Action::JobFinished {
        id: req.id,
        result: Err("create stack awsmon-guardduty in eu-west-1 — ForwardRule: CREATE_FAILED (AccessDenied)".into()),
        warnings: vec![],
    });
    assert!(matches!(app.popup, Some(Popup::JobLog { .. })));
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
    assert!(app.marked.is_empty());
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
    assert!(matches!(app.popup, Some(Popup::ConfirmData(_))));
    let frame = draw(&app, 80, 24);
    assert!(frame.contains("DELETE SERVICE DATA?"), "{frame}");
    // Anything but y keeps the data.
    assert!(key(&mut app, KeyCode::Char('n')).is_empty());
    assert!(app.popup.is_none());

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
        app.input.as_ref().and_then(|i| i.error.clone()),
        Some("webhook must use https:// (plain http is allowed only to localhost)".to_string())
    );
    // Enter on an invalid URL keeps the field open.
    key(&mut app, KeyCode::Enter);
    assert!(app.input.is_some());
    for _ in 0.."http://example.com/x".len() {
        key(&mut app, KeyCode::Backspace);
    }
    keys(
        &mut app,
        "https://hooks.slack.com/services/T0NEW/B0NEW/NEWSECRET",
    );
    assert_eq!(app.input.as_ref().and_then(|i| i.error.clone()), None);
    key(&mut app, KeyCode::Enter);
    assert!(app.dirty);
    assert_eq!(app.draft.settings.routes.default.len(), 2);
    let effects = keys(&mut app, "s");
    let [
        Effect::SaveConfig {
            config,
            push_routing,
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
    let first = app.selected_finding().map(|f| f.rank).unwrap_or_default();
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
        app.toasts.first().map(|t| t.text.as_str()),
        Some("read-only: toggling a service would change AWS; restart without --read-only")
    );
    keys(&mut app, "t");
    assert!(key(&mut app, KeyCode::Enter).is_empty(), "no test message");
    key(&mut app, KeyCode::Esc);
    keys(&mut app, "b");
    assert!(keys(&mut app, "a").is_empty(), "no budget apply");
    keys(&mut app, ":findings");
    key(&mut app, KeyCode::Enter);
    assert!(keys(&mut app, "x").is_empty(), "no send");
    assert!(app.popup.is_none());
}

#[test]
fn commands_and_quitting() {
    let mut app = app(false);
    scanned(&mut app);
    keys(&mut app, ":region me-central-1");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.row, 2);
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
        app.input.as_ref().and_then(|i| i.error.clone()),
        Some("\"200\": expected a percentage from 1 to 100".to_string())
    );
    for _ in 0..3 {
        key(&mut app, KeyCode::Backspace);
    }
    keys(&mut app, "95");
    key(&mut app, KeyCode::Enter);
    assert!((app.draft.budget_threshold_percentage - 95.0).abs() < f64::EPSILON);
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
            "ok     https://hooks.slack.com/services/T…/B…/••••  200  143 ms  1 attempt(s)".into(),
            "FAILED https://hooks.slack.com/services/T…/B…/••••  400  12 ms  1 attempt(s)  Slack refused the message: HTTP 400 invalid_payload".into(),
        ],
        refused: 1,
    })));
    snapshots("test_message", &app);
    assert_eq!(app.toasts.last().map(|t| t.level), Some(Level::Error));
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
    let Some(Popup::Message { title, text, .. }) = &app.popup else {
        panic!("no popup: {:?}", app.popup);
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
    assert!(app.popup.is_none());
    assert!(app.toasts.iter().any(
        |t| t.level == Level::Info && t.text == "the failure queue is empty: nothing to replay"
    ));
    app.update(Action::RedriveReady(Ok(vec![
        "2 undelivered message(s) in awsmon-notifier-failures:".into(),
        "    2  guardduty · GuardDuty Finding".into(),
    ])));
    assert!(matches!(app.popup, Some(Popup::Redrive { .. })));
    // Esc: nothing replayed.
    assert!(key(&mut app, KeyCode::Esc).is_empty());
    assert!(app.popup.is_none());
    assert!(
        app.toasts
            .iter()
            .any(|t| t.text == "not replayed; the queue is unchanged")
    );
    // y: replay.
    app.update(Action::RedriveReady(Ok(vec![
        "1 undelivered message(s)".into(),
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
    assert!(app.toasts.iter().any(
        |t| t.level == Level::Error && t.text == "1 of 2 message(s) stay in the failure queue"
    ));

    // Read-only: refused before anything is read.
    let mut ro = crate::app(true);
    scanned(&mut ro);
    keys(&mut ro, ":redrive");
    assert!(key(&mut ro, KeyCode::Enter).is_empty());
    assert!(ro.toasts.iter().any(|t| {
        t.text
            .starts_with("read-only: replaying the failure queue would change AWS")
    }));
}
