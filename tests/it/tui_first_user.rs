//! Issue 13, the console as a first user meets it: each editor owns its draft and saves only
//! its keys, leaving with unsaved edits asks, contradictions are caught as typed, a deploy the
//! service's own API does not confirm is never "done", read-only writes nothing, and `e` asks
//! where to write. Reducer tests: no terminal, no AWS.

use awsmon::inventory::State;
use awsmon::tui::app::{Action, App, Effect};
use awsmon::tui::editors::{self, BudgetField, Field, RoutingRow};
use awsmon::tui::jobs::JobState;
use awsmon::tui::popups::Popup;
use awsmon::tui::screens::{Editor, Screen};
use awsmon::tui::ui::{InputFor, Level};
use awsmon_notifier::Service;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::tui::{app, cell, draw, key, keys, run_eu_west_1_plan, scanned};

fn ctrl(app: &mut App, c: char) -> Vec<Effect> {
    app.update(Action::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::CONTROL,
    )))
}

/// Moves the routing editor's cursor to a filter row.
fn to_field(app: &mut App, f: Field) {
    let at = editors::routing_rows(&app.routing.draft.config)
        .iter()
        .position(|r| *r == RoutingRow::Field(f))
        .expect("a filter row");
    while app.routing.row < at {
        key(app, KeyCode::Down);
    }
    while app.routing.row > at {
        key(app, KeyCode::Up);
    }
}

/// Opens the field under the cursor, replaces its text and confirms it.
fn type_into(app: &mut App, text: &str) {
    key(app, KeyCode::Enter);
    ctrl(app, 'u');
    keys(app, text);
    key(app, KeyCode::Enter);
}

fn input_error(app: &App) -> Option<String> {
    app.ui.input.as_ref().and_then(|i| i.error.clone())
}

/// Item 3: editing TA statuses in routing, then applying the budget, wrote the routing edit
/// without pushing it; routing `s` wrote a budget limit that had failed to apply. On the old
/// code both editors shared one draft, so routing's save carried the budget's 500.
#[test]
fn each_editor_owns_its_draft_and_saves_only_its_keys() {
    let mut app = app(false);
    scanned(&mut app);
    keys(&mut app, "w");
    to_field(&mut app, Field::TrustedAdvisorStatuses);
    type_into(&mut app, "ERROR, WARN");
    assert!(app.routing.draft.dirty);
    assert!(!app.budget.draft.dirty);
    assert_eq!(app.cfg.budget_limit, Some(100.0));
    // A budget draft whose apply failed (its job ended in error) stays unsaved.
    app.budget.draft.config.budget_limit = Some(500.0);
    app.budget.draft.dirty = true;

    let effects = keys(&mut app, "s");
    let [
        Effect::SaveConfig {
            config,
            push_routing: true,
            editor: Editor::Routing,
        },
    ] = effects.as_slice()
    else {
        panic!("{effects:?}");
    };
    assert_eq!(
        config.settings.trusted_advisor.statuses,
        vec!["ERROR".to_string(), "WARN".to_string()]
    );
    assert_eq!(config.budget_limit, Some(100.0), "routing wrote the budget");

    // Saved: routing's draft is clean; the budget keeps its own edit on the new file.
    let saved = config.clone();
    app.update(Action::Saved {
        editor: Editor::Routing,
        config: saved,
        text: String::new(),
        written: true,
        result: Ok("saved config.yml".into()),
    });
    assert!(!app.routing.draft.dirty);
    assert!(app.budget.draft.dirty);
    assert_eq!(app.budget.draft.config.budget_limit, Some(500.0));
    assert_eq!(
        app.budget.draft.config.settings.trusted_advisor.statuses,
        vec!["ERROR".to_string(), "WARN".to_string()]
    );
    assert_eq!(
        app.ui.toasts.last().map(|t| t.text.as_str()),
        Some("✔ saved config.yml")
    );

    // The budget's apply plans its own keys on the config in force, nothing else.
    app.goto(Screen::Budget);
    let effects = keys(&mut app, "a");
    let [Effect::Plan(req)] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    let planned = req.config.as_deref().expect("the budget's config");
    assert_eq!(planned.budget_limit, Some(500.0));
    assert_eq!(
        planned.settings.trusted_advisor.statuses,
        vec!["ERROR".to_string(), "WARN".to_string()]
    );
}

/// Item 3: leaving an editor with unsaved edits asks: stay, discard, or save and go on.
#[test]
fn leaving_an_editor_with_unsaved_edits_asks() {
    let mut app = app(false);
    scanned(&mut app);
    keys(&mut app, "w");
    to_field(&mut app, Field::TrustedAdvisorStatuses);
    type_into(&mut app, "ERROR, WARN");

    assert!(key(&mut app, KeyCode::Esc).is_empty());
    assert!(matches!(
        app.ui.popup,
        Some(Popup::Unsaved {
            editor: Editor::Routing,
            ..
        })
    ));
    let frame = draw(&app, 120, 40);
    assert!(
        frame.contains("changed, not saved: TRUSTEDADVISOR_STATUSES"),
        "{frame}"
    );
    assert!(
        frame.contains("s saves them to config.yml and pushes them to the hub"),
        "{frame}"
    );
    // Esc stays, edits kept.
    key(&mut app, KeyCode::Esc);
    assert_eq!(
        (app.screen, app.ui.popup.is_none(), app.routing.draft.dirty),
        (Screen::Routing, true, true)
    );
    // d discards and goes on.
    key(&mut app, KeyCode::Esc);
    keys(&mut app, "d");
    assert_eq!(app.screen, Screen::Matrix);
    assert!(!app.routing.draft.dirty);
    assert!(app.routing.draft.config.settings.trusted_advisor.statuses == ["ERROR"]);

    // s saves (and pushes), then the waiting command runs: here `:matrix`.
    keys(&mut app, "w");
    to_field(&mut app, Field::TrustedAdvisorStatuses);
    type_into(&mut app, "ERROR, WARN");
    keys(&mut app, ":matrix");
    key(&mut app, KeyCode::Enter);
    assert!(matches!(app.ui.popup, Some(Popup::Unsaved { .. })));
    let effects = keys(&mut app, "s");
    assert!(
        matches!(
            effects.as_slice(),
            [Effect::SaveConfig {
                editor: Editor::Routing,
                ..
            }]
        ),
        "{effects:?}"
    );
    assert_eq!(app.screen, Screen::Matrix);

    // The budget is saved once applied: `s` plans applying it and stays; q does not quit.
    keys(&mut app, "b");
    type_into(&mut app, "250");
    assert!(app.budget.draft.dirty);
    keys(&mut app, "q");
    assert!(!app.quit);
    let effects = keys(&mut app, "s");
    assert!(
        matches!(effects.as_slice(), [Effect::Plan(r)] if r.config.as_ref().and_then(|c| c.budget_limit) == Some(250.0)),
        "{effects:?}"
    );
    assert_eq!(app.screen, Screen::Budget);
}

/// Item 4: a contradiction is caught while typing, naming the keys, and a toast about it
/// goes when the value is fixed; a minimum above both mentions is a warning, not an error.
#[test]
fn contradictions_are_caught_as_typed_and_their_toast_goes_when_fixed() {
    let mut app = app(false);
    scanned(&mut app);
    keys(&mut app, "w");
    to_field(&mut app, Field::GuardDutyChannel);
    key(&mut app, KeyCode::Enter);
    ctrl(&mut app, 'u');
    keys(&mut app, "3");
    let contradiction = "GUARDDUTY_MENTION_HERE_SEVERITY: must not be above GUARDDUTY_MENTION_CHANNEL_SEVERITY (4 > 3)";
    assert_eq!(input_error(&app).as_deref(), Some(contradiction));
    // Enter refuses it (the field stays open) with a toast.
    key(&mut app, KeyCode::Enter);
    assert!(app.ui.input.is_some());
    assert!(app.ui.toasts.iter().any(|t| t.text == contradiction));
    // Fixed: the error and its toast go.
    key(&mut app, KeyCode::Backspace);
    keys(&mut app, "8");
    assert_eq!(input_error(&app), None);
    assert!(
        !app.ui.toasts.iter().any(|t| t.text == contradiction),
        "{:?}",
        app.ui.toasts
    );
    key(&mut app, KeyCode::Enter);
    assert!(
        (app.routing
            .draft
            .config
            .settings
            .guardduty
            .mention_channel_severity
            - 8.0)
            .abs()
            < f64::EPSILON
    );

    to_field(&mut app, Field::GuardDutyMinSeverity);
    key(&mut app, KeyCode::Enter);
    ctrl(&mut app, 'u');
    keys(&mut app, "9");
    assert_eq!(input_error(&app), None);
    let warning = "GUARDDUTY_MIN_SEVERITY: 9 is above both mention severities (@here 4, @channel 8): every GuardDuty message will mention @channel";
    assert_eq!(
        app.ui.input.as_ref().and_then(|i| i.warning.as_deref()),
        Some(warning)
    );
    assert!(draw(&app, 160, 40).contains(warning));
    key(&mut app, KeyCode::Enter);
    assert!(app.ui.input.is_none(), "a warning does not block");
    assert!((app.routing.draft.config.settings.guardduty.min_severity - 9.0).abs() < f64::EPSILON);
}

/// Item 5: every step ran but GuardDuty is not on: the job is not "done", it says what is
/// wrong and what to do, and the cell offers a repair (a deploy), with `D` to remove the
/// wiring. On the old code the job was "done" and Enter only removed the wiring.
#[test]
fn an_unverified_deploy_is_not_done_and_the_cell_offers_a_repair() {
    let mut app = app(false);
    scanned(&mut app);
    let id = run_eu_west_1_plan(&mut app);
    let why = "eu-west-1: GuardDuty is not fully on after the deploy: no detector";
    app.update(Action::JobFinished {
        id,
        result: Ok("4 steps done".into()),
        warnings: vec![why.into()],
    });
    let job = app.jobs.get(id).expect("job");
    assert_eq!(job.state, JobState::Unverified(why.into()));
    let toast = app.ui.toasts.last().expect("toast");
    assert_eq!(toast.level, Level::Warn);
    assert_eq!(
        toast.text,
        format!(
            "⚠ not verified: turn on GuardDuty in eu-west-1 — {why}; Enter on the cell repairs it"
        )
    );
    assert!(!app.ui.toasts.iter().any(|t| t.text.contains("done")));
    assert!(matches!(app.ui.popup, Some(Popup::JobLog { .. })));
    let frame = draw(&app, 120, 40);
    assert!(frame.contains("applied, but not verified"), "{frame}");
    key(&mut app, KeyCode::Esc);

    // The rescan finds awsmon's wiring with GuardDuty off.
    app.update(Action::ScanCell(cell(
        "eu-west-1",
        Service::GuardDuty,
        State::Disabled,
        true,
        false,
        "no detector",
    )));
    assert!(draw(&app, 160, 40).contains("Enter repairs it"));
    let effects = key(&mut app, KeyCode::Enter);
    let [Effect::Plan(repair)] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert!(!repair.destroy, "Enter repairs: it deploys again");
    keys(&mut app, "n");
    let effects = keys(&mut app, "D");
    let [Effect::Plan(remove)] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert!(remove.destroy);
    assert_eq!(
        remove.cells,
        vec![("eu-west-1".to_string(), Service::GuardDuty)]
    );
}

/// Item 10: read-only means no writes: routing `s` does not save, `e` does not write, and
/// the routing screen does not promise a save.
#[test]
fn read_only_saves_and_writes_nothing() {
    let mut app = app(true);
    scanned(&mut app);
    keys(&mut app, "w");
    to_field(&mut app, Field::TrustedAdvisorStatuses);
    type_into(&mut app, "ERROR, WARN");
    assert!(keys(&mut app, "s").is_empty());
    assert_eq!(
        app.ui.toasts.last().map(|t| t.text.as_str()),
        Some(
            "read-only: saving config.yml and pushing the routing is not allowed; restart without --read-only"
        )
    );
    let frame = draw(&app, 120, 40);
    assert!(!frame.contains("s saves"), "{frame}");
    let footer = frame.lines().last().unwrap_or_default();
    assert!(
        !footer.contains("save") && !footer.contains("push"),
        "{footer}"
    );
    // Leaving asks, and cannot save.
    key(&mut app, KeyCode::Esc);
    assert!(draw(&app, 120, 40).contains("read-only: they cannot be saved"));
    assert!(keys(&mut app, "s").is_empty());
    keys(&mut app, "d");
    keys(&mut app, "f");
    assert!(keys(&mut app, "e").is_empty());
    assert!(app.ui.input.is_none());
}

/// Polish: `e` asks where to write, offering the user's data directory with the full path.
#[test]
fn export_asks_where_and_offers_the_data_directory() {
    let mut app = app(false);
    scanned(&mut app);
    keys(&mut app, "f");
    assert!(keys(&mut app, "e").is_empty());
    let input = app.ui.input.as_ref().expect("asks where");
    assert_eq!(input.purpose, InputFor::ExportPath);
    assert!(
        input
            .value
            .starts_with("/data/awsmon/findings/awsmon-finding-"),
        "{}",
        input.value
    );
    let offered = input.value.clone();
    let effects = key(&mut app, KeyCode::Enter);
    let [Effect::WriteFile { path, contents }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(path.display().to_string(), offered);
    assert!(contents.starts_with('{'));
}

/// Polish: the budget editor's text field edits like a shell line, and a paste goes in whole.
#[test]
fn text_fields_take_pastes_and_shell_keys() {
    let mut app = app(false);
    scanned(&mut app);
    keys(&mut app, "b");
    let BudgetField::Limit = BudgetField::ALL[app.budget.row] else {
        panic!("the limit is first");
    };
    key(&mut app, KeyCode::Enter);
    ctrl(&mut app, 'u');
    app.update(Action::Paste("1234\n".into()));
    key(&mut app, KeyCode::Home);
    keys(&mut app, "9");
    assert_eq!(
        app.ui.input.as_ref().map(|i| i.value.as_str()),
        Some("91234")
    );
    ctrl(&mut app, 'w');
    assert_eq!(
        app.ui.input.as_ref().map(|i| i.value.as_str()),
        Some("1234")
    );
}

/// Polish: `:region` completes region names by prefix with Tab, and command names too.
#[test]
fn the_command_line_completes_regions_and_commands_with_tab() {
    let mut app = app(false);
    scanned(&mut app);
    keys(&mut app, ":reg");
    key(&mut app, KeyCode::Tab);
    assert_eq!(
        app.ui.input.as_ref().map(|i| i.value.as_str()),
        Some("region ")
    );
    keys(&mut app, "eu");
    key(&mut app, KeyCode::Tab);
    assert_eq!(
        app.ui.input.as_ref().map(|i| i.value.as_str()),
        Some("region eu-west-1 ")
    );
    key(&mut app, KeyCode::Enter);
    assert_eq!((app.screen, app.matrix.row), (Screen::Matrix, 1));
    // Several matches: the shared part, and the candidates listed.
    keys(&mut app, ":region ");
    key(&mut app, KeyCode::Tab);
    assert_eq!(
        app.ui.toasts.last().map(|t| t.text.as_str()),
        Some("us-east-1  eu-west-1  me-central-1")
    );
}

/// The demo: a pipeline test message shows as accepted, then as the notifier's log line says
/// it was delivered; the screen says it is waiting in between.
#[test]
fn a_pipeline_test_message_shows_its_confirmation() {
    let mut app = app(false);
    scanned(&mut app);
    keys(&mut app, "tp");
    let effects = key(&mut app, KeyCode::Enter);
    assert_eq!(effects.len(), 1, "{effects:?}");
    app.update(Action::TestResult(Ok(
        awsmon::ops::test_message::TestReport {
            lines: vec![(true, "ok  event e-1 on the default bus in us-east-1".into())],
            refused: 0,
        },
    )));
    assert!(app.test.confirming);
    assert!(draw(&app, 120, 40).contains("waiting for the notifier's log line"));
    app.update(Action::TestConfirmed(vec![(
        true,
        "ok      https://hooks.slack.com/services/T…/B…/••••#99c149  200  3 ms".into(),
    )]));
    assert!(!app.test.confirming);
    assert_eq!(app.test.results.len(), 2);
    assert_eq!(
        app.ui.toasts.last().map(|t| t.text.as_str()),
        Some("✔ the notifier delivered the test message")
    );
    // Leaving and coming back starts clean: the old answers are not shown as new.
    key(&mut app, KeyCode::Esc);
    keys(&mut app, "t");
    assert!(app.test.results.is_empty());
    assert!(!draw(&app, 120, 40).contains("e-1"));
}
