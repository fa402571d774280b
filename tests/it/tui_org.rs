//! Org mode's console (issue 14) without a terminal or AWS: the accounts screen fed the org
//! scan's progress as the runtime would, then whole; `/` filters, Enter drills into one
//! account, Esc comes back. The same screen against a seeded organization in moto is in
//! `org.rs`.

use awsmon::inventory::{Cell, State};
use awsmon::org::scan::{AccountScan, AutoEnable, OrgProgress, OrgScan};
use awsmon::org::{AccountStatus, OrgAccount};
use awsmon::tui::app::{Action, App, Effect};
use awsmon::tui::screens::Screen;
use awsmon_notifier::Service;
use crossterm::event::KeyCode;

use crate::tui::{app, draw, key, keys, snapshots};

fn account(id: &str, name: &str, ou: &str, status: AccountStatus) -> OrgAccount {
    OrgAccount {
        id: id.into(),
        name: name.into(),
        status,
        ou_path: ou.into(),
        parents: vec!["r-ab12".into()],
    }
}

fn accounts() -> Vec<OrgAccount> {
    use AccountStatus::{Active, Suspended};
    vec![
        account("111111111111", "management", "Root", Active),
        account("222222222222", "security-tooling", "Root/Security", Active),
        account("444444444444", "prod-web", "Root/Prod", Active),
        account("333333333333", "prod-data", "Root/Prod", Active),
        account("555555555555", "prod-locked", "Root/Prod", Active),
        account("666666666666", "sandbox-old", "Root/Sandbox", Suspended),
    ]
}

const REGIONS: [&str; 2] = ["us-east-1", "eu-west-1"];

fn c(region: &str, service: Service, state: State, detail: &str) -> Cell {
    Cell {
        region: region.into(),
        service,
        state,
        managed: false,
        notifying: false,
        detail: detail.into(),
    }
}

/// Each active account's cells: GuardDuty on everywhere but prod-data's eu-west-1; Config
/// recording in us-east-1 only; Inspector partial for prod-data; Security Hub and Access
/// Analyzer in us-east-1 only; prod-locked's role denied.
/// The services an org scan covers: every regional one.
fn services_of_org() -> Vec<Service> {
    awsmon::services::REGIONAL.clone()
}

fn cells_of(id: &str) -> Vec<Cell> {
    let mut out = Vec::new();
    for region in REGIONS {
        if id == "555555555555" {
            for s in services_of_org() {
                out.push(c(
                    region,
                    s,
                    State::Error,
                    "cannot assume OrganizationAccountAccessRole: AccessDenied",
                ));
            }
            continue;
        }
        let gd_on = !(id == "333333333333" && region == "eu-west-1");
        out.push(if gd_on {
            c(
                region,
                Service::GuardDuty,
                State::Enabled,
                "member, Enabled",
            )
        } else {
            c(
                region,
                Service::GuardDuty,
                State::Disabled,
                "member, relationship Disabled",
            )
        });
        out.push(if region == "us-east-1" {
            c(
                region,
                Service::Config,
                State::Enabled,
                "recorder default, recording",
            )
        } else {
            c(region, Service::Config, State::Disabled, "no recorder")
        });
        out.push(if id == "333333333333" {
            c(
                region,
                Service::Inspector,
                State::Partial,
                "EC2 enabled, ECR+LAMBDA disabled",
            )
        } else {
            c(
                region,
                Service::Inspector,
                State::Enabled,
                "EC2+ECR+LAMBDA enabled",
            )
        });
        out.push(c(region, Service::Health, State::Enabled, "always on"));
        // Security Hub on in the home region only.
        out.push(if region == "us-east-1" {
            c(region, Service::SecurityHub, State::Enabled, "hub on, FSBP")
        } else {
            c(region, Service::SecurityHub, State::Disabled, "not enabled")
        });
        // Access Analyzer: an account analyzer in the home region only.
        out.push(if region == "us-east-1" {
            c(
                region,
                Service::AccessAnalyzer,
                State::Enabled,
                "analyzer awsmon-analyzer (ACCOUNT)",
            )
        } else {
            c(
                region,
                Service::AccessAnalyzer,
                State::Disabled,
                "no analyzer",
            )
        });
    }
    out
}

fn whole_scan() -> OrgScan {
    OrgScan {
        organization: "o-exampleorgid".into(),
        management_account: "111111111111".into(),
        admin_account: "222222222222".into(),
        regions: REGIONS.iter().map(ToString::to_string).collect(),
        services: services_of_org(),
        accounts: accounts()
            .into_iter()
            .map(|a| AccountScan {
                skipped: (a.status != AccountStatus::Active).then(|| "suspended: not scanned".into()),
                cells: if a.status == AccountStatus::Active {
                    cells_of(&a.id)
                } else {
                    Vec::new()
                },
                account: a,
            })
            .collect(),
        auto_enable: REGIONS
            .iter()
            .map(|r| AutoEnable {
                region: (*r).into(),
                service: Service::GuardDuty,
                setting: "ALL".into(),
            })
            .collect(),
        notes: vec!["EXCLUDE_ACCOUNTS names 999999999999, which matches no account or OU of the organization".into()],
    }
}

fn org_app() -> App {
    let mut app = app(false);
    app.cfg.org.enabled = true;
    // As App::new would have chosen for this config.
    app.screen = app.home();
    app
}

/// The Organization's accounts listed, no answers yet.
pub(crate) fn listed(app: &mut App) {
    app.update(Action::OrgProgress(OrgProgress::Accounts {
        organization: "o-exampleorgid".into(),
        accounts: accounts(),
        tree: accounts(),
    }));
}

/// The org scan as the runtime streams it: regions, the tree, then GuardDuty's answers.
fn streamed(app: &mut App) {
    app.update(Action::OrgProgress(OrgProgress::Regions(
        REGIONS.iter().map(ToString::to_string).collect(),
    )));
    listed(app);
    for region in REGIONS {
        let cells = accounts()
            .iter()
            .filter(|a| a.status == AccountStatus::Active)
            .flat_map(|a| {
                cells_of(&a.id)
                    .into_iter()
                    .filter(|c| c.region == region && c.service == Service::GuardDuty)
                    .map(|c| (a.id.clone(), c))
                    .collect::<Vec<_>>()
            })
            .collect();
        app.update(Action::OrgProgress(OrgProgress::Cells(cells)));
    }
}

#[test]
fn org_mode_opens_on_the_accounts_grouped_by_ou_as_answers_arrive() {
    let mut app = org_app();
    assert_eq!(app.screen, Screen::Accounts);
    let effects = app.start();
    assert!(
        matches!(effects[..], [Effect::Scan, Effect::OrgScan]),
        "{effects:?}"
    );
    let frame = draw(&app, 120, 40);
    assert!(frame.contains("reading the Organization"), "{frame}");

    streamed(&mut app);
    // GuardDuty has answered, Config and Inspector not yet: "…", never a number.
    snapshots("org_streaming", &app);
    let frame = draw(&app, 120, 40);
    let web = frame
        .lines()
        .find(|l| l.contains("prod-web"))
        .expect("prod-web's row");
    assert!(web.contains("2/2") && web.contains('…'), "{web}");

    app.update(Action::OrgScanFinished(Ok(Box::new(whole_scan()))));
    assert!(!app.accounts.scanning);
    snapshots("org_accounts", &app);
    let frame = draw(&app, 120, 40);
    // OU order, then name; the OU heading counts its accounts.
    let order: Vec<usize> = [
        "▾ Root ·",
        "management",
        "▾ Root/Prod · 3 accounts",
        "prod-data",
        "prod-locked",
        "prod-web",
        "▾ Root/Sandbox",
        "sandbox-old",
        "▾ Root/Security",
        "security-tooling",
    ]
    .iter()
    .map(|s| {
        frame
            .find(s)
            .unwrap_or_else(|| panic!("{s} missing:\n{frame}"))
    })
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{frame}");
    let row = |name: &str| {
        frame
            .lines()
            .find(|l| l.contains(name))
            .expect("row")
            .to_string()
    };
    assert!(row("prod-data").contains("1/2 ⚠"), "{}", row("prod-data"));
    assert!(
        row("prod-locked").contains("0/2 ✖"),
        "{}",
        row("prod-locked")
    );
    assert!(
        row("sandbox-old").contains("suspended"),
        "{}",
        row("sandbox-old")
    );
    // The pane wraps after "ALL" ("ALL │ in 2 regions"), so only the start is checked here.
    assert!(frame.contains("GuardDuty auto-enable: ALL"), "{frame}");
    assert!(
        frame.contains("ORG MODE: o-exampleorgid, 6 accounts in scope"),
        "{frame}"
    );
}

#[test]
fn slash_filters_enter_drills_into_an_account_and_esc_comes_back() {
    let mut app = org_app();
    let _ = app.start();
    streamed(&mut app);
    app.update(Action::OrgScanFinished(Ok(Box::new(whole_scan()))));

    keys(&mut app, "/prod");
    let frame = draw(&app, 120, 40);
    for hidden in ["management", "security-tooling", "sandbox-old"] {
        assert!(!frame.contains(hidden), "{hidden} passed /prod:\n{frame}");
    }
    assert_eq!(app.accounts.visible().count(), 3);
    key(&mut app, KeyCode::Enter); // closes the filter field, keeps the filter
    // By id and by OU too.
    app.accounts.set_filter("4444");
    assert_eq!(
        app.accounts
            .visible()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>(),
        ["prod-web"]
    );
    app.accounts.set_filter("root/sandbox");
    assert_eq!(
        app.accounts
            .visible()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>(),
        ["sandbox-old"]
    );
    app.accounts.set_filter("prod");
    snapshots("org_filtered", &app);

    // prod-data, prod-locked, prod-web: the third.
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down); // stays on the last
    assert_eq!(
        app.accounts.selected().map(|a| a.name.as_str()),
        Some("prod-web")
    );
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Account);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Right);
    snapshots("org_drilled", &app);
    let frame = draw(&app, 120, 40);
    assert!(
        frame.contains("prod-web · 444444444444 · Root/Prod"),
        "{frame}"
    );
    assert!(frame.contains("eu-west-1 · AWS Config"), "{frame}");
    assert!(frame.contains("disabled: no recorder"), "{frame}");

    // Esc: out of the account, then the filter cleared, then nowhere further (home).
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.screen, Screen::Accounts);
    assert!(app.accounts.drill.is_none());
    assert_eq!(app.accounts.visible().count(), 3);
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.accounts.visible().count(), 6);
    assert_eq!(
        app.accounts.selected().map(|a| a.name.as_str()),
        Some("prod-web")
    );
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.screen, Screen::Accounts);

    // m: the account awsmon runs as, said so; Esc returns to the Organization.
    keys(&mut app, "m");
    assert_eq!(app.screen, Screen::Matrix);
    let frame = draw(&app, 120, 40);
    assert!(
        frame.contains(
            "ORG MODE: this screen is the account awsmon runs as; :accounts shows the Organization"
        ),
        "{frame}"
    );
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.screen, Screen::Accounts);
}

#[test]
fn ctrl_r_on_the_accounts_scans_the_organization_again_and_drops_old_answers() {
    let mut app = org_app();
    let _ = app.start();
    streamed(&mut app);
    app.update(Action::OrgScanFinished(Ok(Box::new(whole_scan()))));
    let effects = app.update(Action::Key(crossterm::event::KeyEvent::new(
        KeyCode::Char('r'),
        crossterm::event::KeyModifiers::CONTROL,
    )));
    assert!(matches!(effects[..], [Effect::OrgScan]), "{effects:?}");
    // The accounts stay listed; their answers are gone until the new ones arrive.
    assert_eq!(app.accounts.accounts.len(), 6);
    assert!(app.accounts.cells.is_empty());
    let frame = draw(&app, 120, 40);
    let row = frame.lines().find(|l| l.contains("prod-web")).expect("row");
    assert!(!row.contains("2/2") && row.contains('…'), "{row}");
    // A failed scan says why and keeps the list.
    app.update(Action::OrgScanFinished(Err(
        "AccessDeniedException: organizations:ListRoots".into(),
    )));
    assert_eq!(
        app.accounts.error.as_deref(),
        Some("AccessDeniedException: organizations:ListRoots")
    );
    assert!(
        app.ui
            .toasts
            .iter()
            .any(|t| t.text.contains("organization scan failed")),
        "{:?}",
        app.ui.toasts
    );
}

#[test]
fn outside_org_mode_the_accounts_screen_says_how_to_turn_it_on() {
    let mut app = app(false);
    assert_eq!(app.screen, Screen::Matrix);
    assert_eq!(app.start().len(), 1);
    keys(&mut app, ":accounts");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Matrix);
    assert!(
        app.ui
            .toasts
            .iter()
            .any(|t| t.text.contains("ORGANIZATION: true")),
        "{:?}",
        app.ui.toasts
    );
}

/// The review's findings: a tally still filling in never reads as complete ("1/1" after one
/// region was green); ctrl-r on one account rescans the Organization; a failed rescan stays
/// on screen, not only in a toast.
#[test]
fn partial_answers_read_as_partial_and_a_failed_rescan_stays_on_screen() {
    let mut app = org_app();
    let _ = app.start();
    listed(&mut app);
    app.update(Action::OrgProgress(OrgProgress::Regions(
        REGIONS.iter().map(ToString::to_string).collect(),
    )));
    let first: Vec<(String, Cell)> = accounts()
        .iter()
        .filter(|a| a.status == AccountStatus::Active)
        .flat_map(|a| {
            cells_of(&a.id)
                .into_iter()
                .filter(|c| c.region == "us-east-1" && c.service == Service::GuardDuty)
                .map(|c| (a.id.clone(), c))
                .collect::<Vec<_>>()
        })
        .collect();
    app.update(Action::OrgProgress(OrgProgress::Cells(first)));
    let frame = draw(&app, 120, 40);
    let web = frame
        .lines()
        .find(|l| l.contains("prod-web"))
        .expect("prod-web's row");
    assert!(web.contains("1/1…"), "{web}");
    assert!(!web.contains("1/1 "), "{web}");

    app.update(Action::OrgScanFinished(Ok(Box::new(whole_scan()))));
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Account);
    let effects = app.update(Action::Key(crossterm::event::KeyEvent::new(
        KeyCode::Char('r'),
        crossterm::event::KeyModifiers::CONTROL,
    )));
    assert!(matches!(effects[..], [Effect::OrgScan]), "{effects:?}");
    app.update(Action::OrgScanFinished(Err(
        "ThrottlingException: Rate exceeded".into(),
    )));
    key(&mut app, KeyCode::Esc);
    let frame = draw(&app, 120, 40);
    assert!(
        frame.contains("✖ the last scan failed (why: in the account pane; ctrl-r scans again)")
            && frame.contains("✖ last scan:")
            && frame.contains("ThrottlingException: Rate"),
        "{frame}"
    );
    // Nothing matches: Enter says so.
    app.accounts.set_filter("no-such-account");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Accounts);
    assert!(
        app.ui
            .toasts
            .iter()
            .any(|t| t.text == "no account matches the filter"),
        "{:?}",
        app.ui.toasts
    );
}

const PROD_OU: &str = "ou-ab12-prod0001";
const PROD_HOOK: &str = "https://hooks.slack.com/services/T0PROD/B0PROD/PRODSECRETPRODSECRET";

/// The samples' account (123456789012) below the Prod OU, with a sibling in Sandbox.
fn tree() -> Vec<OrgAccount> {
    let mut prod = account(
        "123456789012",
        "prod-web",
        "Root/Prod",
        AccountStatus::Active,
    );
    prod.parents.push(PROD_OU.into());
    let mut sandbox = account(
        "777777777777",
        "sandbox-1",
        "Root/Sandbox",
        AccountStatus::Active,
    );
    sandbox.parents.push("ou-ab12-sandbox1".into());
    vec![prod, sandbox]
}

/// Issue 14: an OU's routing override is added in the routing editor (its accounts counted
/// from the Organization), saved without the entry left empty, and the findings preview routes
/// the OU's account's finding to the OU's webhook, naming the override.
#[test]
fn an_ous_routing_override_is_edited_and_previewed_on_its_accounts() {
    use awsmon::tui::editors;
    use awsmon::tui::screens::Editor;
    use awsmon_notifier::settings::MinSeverity;

    let mut app = org_app();
    app.update(Action::OrgProgress(OrgProgress::Accounts {
        organization: "o-exampleorgid".into(),
        accounts: tree(),
        tree: tree(),
    }));
    key(&mut app, KeyCode::Char('w'));
    assert_eq!(app.screen, Screen::Routing);
    let last = editors::routing_rows(&app.routing.draft.config).len() - 1;
    for _ in 0..last {
        key(&mut app, KeyCode::Down);
    }
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "ou-ab12");
    let error = app.ui.input.as_ref().and_then(|i| i.error.clone());
    assert!(
        error
            .as_deref()
            .is_some_and(|e| e.contains("an OU id (ou-xxxx-xxxxxxxx)")),
        "{error:?}"
    );
    keys(&mut app, "-prod0001");
    assert_eq!(app.ui.input.as_ref().and_then(|i| i.error.clone()), None);
    key(&mut app, KeyCode::Enter);
    // On the new entry's add row: Enter asks for its webhook.
    key(&mut app, KeyCode::Enter);
    keys(&mut app, PROD_HOOK);
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "high");
    key(&mut app, KeyCode::Enter);
    let entry = &app.routing.draft.config.settings.overrides[PROD_OU];
    assert_eq!(entry.webhooks.len(), 1);
    assert_eq!(entry.min_severity, Some(MinSeverity::High));
    let frame = draw(&app, 120, 40);
    assert!(!frame.contains("PRODSECRET"), "{frame}");
    assert!(
        frame.contains("ou-ab12-prod0001 · Root/Prod · 1 account"),
        "{frame}"
    );
    snapshots("org_routing_override", &app);

    // An entry given nothing is left out on save, and said so.
    let last = editors::routing_rows(&app.routing.draft.config).len() - 1;
    while app.routing.row < last {
        key(&mut app, KeyCode::Down);
    }
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "777777777777");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.routing.draft.config.settings.overrides.len(), 2);
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
        config.settings.overrides.keys().collect::<Vec<_>>(),
        [PROD_OU]
    );
    assert!(
        app.ui
            .toasts
            .iter()
            .any(|t| t.text.contains("1 override entry left out")),
        "{:?}",
        app.ui.toasts
    );
    let text = awsmon::config::SavePlan::new("config.yml", None, config)
        .expect("plan")
        .text;
    assert!(
        text.contains("ROUTING_OVERRIDES:\n  \"ou-ab12-prod0001\":\n    WEBHOOK_URLS:\n"),
        "{text}"
    );
    app.update(Action::Saved {
        editor: Editor::Routing,
        config: config.clone(),
        text,
        written: true,
        result: Ok("saved".into()),
    });

    // The test-message screen offers the entry's webhook as a route of its own.
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('t'));
    assert_eq!(app.screen, Screen::TestMessage);
    let frame = draw(&app, 120, 40);
    assert!(
        frame.contains("ou-ab12-prod0001  1 webhook (ROUTING_OVERRIDES)"),
        "{frame}"
    );
    // Past the default route and one route per service.
    for _ in 0..=(awsmon::services::REGIONAL.len() + awsmon::services::GLOBALS.len()) {
        key(&mut app, KeyCode::Down);
    }
    let effects = key(&mut app, KeyCode::Enter);
    assert!(
        matches!(&effects[..], [Effect::TestMessage { route: awsmon::test_message::Route::Override(t), .. }] if t == PROD_OU),
        "{effects:?}"
    );
    app.update(Action::TestResult(Err("not sent in this test".into())));

    // The preview: the Prod account's HIGH GuardDuty sample goes to the OU's webhook.
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('f'));
    assert_eq!(app.screen, Screen::Findings);
    let mut seen = None;
    for _ in 0..app.findings.view.len() {
        if let Some((_, Some(p))) = &app.findings.current
            && p.kind == "GuardDuty Finding"
            && p.decision.is_send()
        {
            seen = Some(p.clone());
            break;
        }
        key(&mut app, KeyCode::Down);
    }
    let p = seen.expect("a GuardDuty sample that is sent");
    assert_eq!(p.via.as_deref(), Some(PROD_OU));
    assert_eq!(p.routes.len(), 1);
    assert_eq!(p.routes[0].expose(), PROD_HOOK);
    let frame = draw(&app, 160, 40);
    assert!(
        frame.contains("ROUTING_OVERRIDES ou-ab12-prod0001"),
        "{frame}"
    );
    assert!(!frame.contains("PRODSECRET"), "{frame}");
    // The list agrees: the LOW sample from the Prod account is dropped by the OU's floor.
    let low = app
        .findings
        .items
        .iter()
        .find(|f| f.summary.service == "guardduty" && f.summary.severity.as_deref() == Some("LOW"))
        .expect("the LOW GuardDuty sample");
    assert!(!low.summary.send);
    assert_eq!(
        low.summary.reason,
        "severity 2.0 is below MIN_SEVERITY HIGH (7.0) of ROUTING_OVERRIDES ou-ab12-prod0001"
    );
}

/// `d` on an override's own row removes the entry from the draft; before the Organization is
/// read, a finding is not sent by hand (OU entries could not route it yet) and the preview
/// says why.
#[test]
fn an_override_is_removed_with_d_and_nothing_is_sent_before_the_tree_is_read() {
    use awsmon::tui::editors::{self, RoutingRow};
    use awsmon_notifier::settings::{MinSeverity, RouteOverride};

    let mut app = org_app();
    app.cfg.settings.overrides.insert(
        PROD_OU.into(),
        RouteOverride {
            min_severity: Some(MinSeverity::High),
            ..RouteOverride::default()
        },
    );
    app.routing.draft = awsmon::tui::screens::Draft::clean(&app.cfg);
    // The findings screen first: the tree is not read yet.
    key(&mut app, KeyCode::Char('f'));
    assert_eq!(app.screen, Screen::Findings);
    key(&mut app, KeyCode::Down);
    assert!(app.routing_unresolved());
    let effects = key(&mut app, KeyCode::Char('x'));
    assert!(effects.is_empty(), "{effects:?}");
    assert!(app.ui.popup.is_none());
    assert!(
        app.ui.toasts.iter().any(|t| t
            .text
            .starts_with("ROUTING_OVERRIDES' OU entries resolve once")),
        "{:?}",
        app.ui.toasts
    );
    let frame = draw(&app, 160, 40);
    assert!(frame.contains("OU entries are not applied yet"), "{frame}");
    app.update(Action::OrgProgress(OrgProgress::Accounts {
        organization: "o-exampleorgid".into(),
        accounts: tree(),
        tree: tree(),
    }));
    assert!(!app.routing_unresolved());

    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('w'));
    let rows = editors::routing_rows(&app.routing.draft.config);
    let at = rows
        .iter()
        .position(|r| *r == RoutingRow::OverrideAddUrl(0))
        .expect("the entry's row");
    while app.routing.row < at {
        key(&mut app, KeyCode::Down);
    }
    key(&mut app, KeyCode::Char('d'));
    assert!(app.routing.draft.config.settings.overrides.is_empty());
    assert!(app.routing.draft.dirty);
    assert!(
        app.ui
            .toasts
            .iter()
            .any(|t| t.text == "override for ou-ab12-prod0001 removed (s saves)"),
        "{:?}",
        app.ui.toasts
    );
}
