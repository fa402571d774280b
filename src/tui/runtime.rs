//! The event loop and the effects. Keys, results and a tick go through `App::update`; effects
//! run as tokio tasks that report back over a channel, so the UI never waits on the network.
//! A frame is drawn only when something changed.

use std::io::{self, Stdout};
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use awsmon_notifier::deliver::{Deliverer, RetryPolicy};
use crossterm::event::{Event, EventStream, KeyEventKind};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use futures::StreamExt;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use tokio::sync::mpsc::{self, UnboundedSender};

use super::app::{Action, App, Effect};
use super::popups::plan::PlanRequest;
use super::screens::Editor;
use super::theme::Theme;
use super::ui::Level;
use super::view;
use crate::aws::Aws;
use crate::aws::regions::{self, RegionInfo};
use crate::config::{Config, SavePlan};
use crate::deploy::artifact::Artifact;
use crate::deploy::engine::{self, Expect};
use crate::deploy::plan::{Intent, Plan};
use crate::deploy::stack_ops::Progress;
use crate::findings::{self, Finding};
use crate::inventory::{self, Regions, ScanRequest};
use crate::naming;
use crate::ops::deploy::{self as ops, Check, PlanError};
use crate::ops::findings as ops_findings;
use crate::ops::notifier as ops_notifier;
use crate::ops::routing::{self, PushError, Pushed};
use crate::ops::test_message as ops_test;
use crate::test_message;

/// What the effects share: AWS, the config in force, where it is saved.
pub struct Shared {
    pub aws: Aws,
    pub cfg: RwLock<Config>,
    pub config_path: PathBuf,
    pub config_text: RwLock<Option<String>>,
    /// REGIONS from --regions or config.yml, else every enabled region.
    pub wanted: Option<Vec<String>>,
    /// The demo's stand-in notifier build; otherwise the bundled one (or AWSMON_NOTIFIER_ZIP).
    pub artifact: Option<Artifact>,
    /// The routing parameter's version when this console last read or wrote it (each scan):
    /// a push refuses to overwrite one that someone else changed since. `None`: not read yet.
    pub routing_version: RwLock<Option<Option<i64>>>,
}

impl Shared {
    fn cfg(&self) -> Config {
        self.cfg
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

type Term = Terminal<CrosstermBackend<Stdout>>;

fn enter() -> io::Result<Term> {
    take_terminal()?;
    Terminal::new(CrosstermBackend::new(io::stdout()))
}

/// Raw mode, the alternate screen, bracketed paste, no cursor: at start and after ctrl-z.
fn take_terminal() -> io::Result<()> {
    enable_raw_mode()?;
    execute!(
        io::stdout(),
        EnterAlternateScreen,
        crossterm::event::EnableBracketedPaste,
        crossterm::cursor::Hide
    )
}

/// Puts the terminal back as it was; safe to call more than once.
pub fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(
        io::stdout(),
        crossterm::event::DisableBracketedPaste,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
}

/// A panic restores the terminal before the message is printed.
fn restore_on_panic() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}

/// Holds the first scan until the account is ready (the demo seeds its emulator while the
/// console is already on screen); `Err` says why it is not, and the scan goes ahead anyway.
pub type Hold = tokio::sync::oneshot::Receiver<Result<(), String>>;

/// Runs the console until it quits.
pub async fn run(mut app: App, shared: Arc<Shared>, hold: Option<Hold>) -> io::Result<()> {
    restore_on_panic();
    let mut terminal = enter()?;
    let result = event_loop(&mut terminal, &mut app, shared, hold).await;
    restore();
    result
}

async fn event_loop(
    terminal: &mut Term,
    app: &mut App,
    shared: Arc<Shared>,
    hold: Option<Hold>,
) -> io::Result<()> {
    let theme = Theme::from_env();
    let (tx, mut rx) = mpsc::unbounded_channel::<Action>();
    // The first frame comes before any AWS call is made.
    terminal.draw(|f| view::draw(f, app, theme))?;
    let first = app.start();
    match hold {
        None => {
            for e in first {
                spawn(e, &shared, &tx);
            }
        }
        Some(hold) => {
            let (shared, tx) = (shared.clone(), tx.clone());
            tokio::spawn(async move {
                if let Ok(Err(why)) = hold.await {
                    let _ = tx.send(Action::Notice(Level::Error, why));
                }
                for e in first {
                    spawn(e, &shared, &tx);
                }
            });
        }
    }
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    loop {
        let action = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(Event::Key(k))) if k.kind != KeyEventKind::Release => Action::Key(k),
                Some(Ok(Event::Resize(..))) => Action::Resize,
                Some(Ok(Event::Paste(text))) => Action::Paste(text),
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(e),
                None => break,
            },
            Some(a) = rx.recv() => a,
            _ = tick.tick() => Action::Tick,
        };
        handle(app, action, &shared, &tx, terminal)?;
        // Everything already waiting goes in before one frame.
        while let Ok(a) = rx.try_recv() {
            handle(app, a, &shared, &tx, terminal)?;
        }
        if app.quit {
            break;
        }
        if app.redraw {
            terminal.draw(|f| view::draw(f, app, theme))?;
            app.redraw = false;
        }
    }
    Ok(())
}

fn handle(
    app: &mut App,
    action: Action,
    shared: &Arc<Shared>,
    tx: &UnboundedSender<Action>,
    terminal: &mut Term,
) -> io::Result<()> {
    for effect in app.update(action) {
        if let Effect::Suspend = effect {
            suspend(terminal)?;
            app.redraw = true;
        } else {
            spawn(effect, shared, tx);
        }
    }
    Ok(())
}

/// ctrl-z: give the terminal back, stop, and take it again on `fg`.
fn suspend(terminal: &mut Term) -> io::Result<()> {
    restore();
    // SIGTSTP to ourselves, without a libc dependency; `kill` returns once we are continued.
    let _ = std::process::Command::new("kill")
        .args(["-TSTP", &std::process::id().to_string()])
        .status();
    take_terminal()?;
    terminal.clear()
}

pub fn spawn(effect: Effect, shared: &Arc<Shared>, tx: &UnboundedSender<Action>) {
    let (shared, tx) = (shared.clone(), tx.clone());
    tokio::spawn(async move {
        let actions = Box::pin(run_effect(effect, &shared, &tx)).await;
        for a in actions {
            let _ = tx.send(a);
        }
    });
}

async fn regions(shared: &Shared) -> Vec<RegionInfo> {
    let (all, _) = regions::discover(&shared.aws).await;
    regions::narrow(all, shared.wanted.as_deref())
}

fn enabled(list: &[RegionInfo]) -> Vec<String> {
    list.iter()
        .filter(|r| r.enabled)
        .map(|r| r.name.clone())
        .collect()
}

/// Carries out one effect; the returned actions go back to `update`.
pub async fn run_effect(
    effect: Effect,
    shared: &Shared,
    tx: &UnboundedSender<Action>,
) -> Vec<Action> {
    let cfg = shared.cfg();
    let aws = &shared.aws;
    match effect {
        Effect::Scan => vec![Box::pin(scan(shared, &cfg, tx)).await],
        Effect::OrgScan => vec![Box::pin(org_scan(shared, &cfg, tx)).await],
        Effect::Plan(req) => {
            let result = Box::pin(make_plan(shared, &req))
                .await
                .map_err(|e| e.to_string());
            vec![Action::PlanReady { id: req.id, result }]
        }
        Effect::Execute { request, plan } => vec![execute(shared, request, plan, tx).await],
        Effect::LoadFindings => {
            let regions = enabled(&regions(shared).await);
            let services = awsmon_notifier::Service::ALL.to_vec();
            match ops_findings::recent(aws, &cfg, regions, services, Duration::from_hours(24)).await
            {
                Ok(fetched) => vec![Action::Findings {
                    items: fetched.findings,
                    errors: fetched.errors,
                }],
                Err(e) => vec![Action::Findings {
                    items: Vec::new(),
                    errors: vec![e.to_string()],
                }],
            }
        }
        Effect::LoadBudget => {
            let spend = match inventory::account_id(aws, cfg.home_region()).await {
                Ok(account) => findings::budget::spend(aws, &cfg, &account)
                    .await
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            vec![Action::BudgetSpend(spend)]
        }
        Effect::SaveConfig {
            config,
            push_routing,
            editor,
        } => vec![save(shared, *config, push_routing, editor).await],
        Effect::LoadDigest => vec![Action::Digest(
            crate::notifier::state::digest(aws, &cfg).await,
        )],
        Effect::LoadRuleMatches => vec![Action::RuleMatches(
            crate::notifier::state::suppress_matches(aws, &cfg, &cfg.settings.suppress).await,
        )],
        Effect::TestMessage { route, via } => {
            let sent_at = std::time::SystemTime::now();
            let sent = ops_test::send(aws, &cfg, route, via, Duration::from_secs(30)).await;
            let event = match &sent {
                Ok(ops_test::Sent::Pipeline { event_id, .. }) => Some(event_id.clone()),
                _ => None,
            };
            let result = sent.map(|s| s.report()).map_err(|e| e.to_string());
            let Some(event_id) = event else {
                return vec![Action::TestResult(result)];
            };
            // Through the pipeline: shown as accepted, then as the notifier's log line says.
            let _ = tx.send(Action::TestResult(result));
            let seen = crate::notifier::confirm::await_event(
                aws,
                &cfg,
                &event_id,
                sent_at,
                Duration::from_mins(1),
                Duration::from_secs(1),
            )
            .await;
            let ok = seen.delivered();
            vec![Action::TestConfirmed(
                seen.lines().into_iter().map(|l| (ok, l)).collect(),
            )]
        }
        Effect::SendFinding(prepared) => {
            let deliverer = match Deliverer::new(RetryPolicy::default()) {
                Ok(d) => d,
                Err(e) => return vec![Action::Notice(Level::Error, e.to_string())],
            };
            let deadline = std::time::Instant::now() + Duration::from_secs(30);
            let report =
                awsmon_notifier::notify::deliver_all(&[*prepared], &deliverer, Some(deadline))
                    .await;
            report
                .events
                .iter()
                .flat_map(|e| &e.deliveries)
                .map(|d| {
                    let level = if d.ok { Level::Info } else { Level::Error };
                    Action::Notice(level, test_message::delivery_line(d))
                })
                .collect()
        }
        Effect::WriteFile { path, contents } => vec![write_new_file(&path, &contents)],
        Effect::RedrivePreview => vec![Action::RedriveReady(
            ops_notifier::waiting(aws, &cfg)
                .await
                .map(redrive_preview)
                .map_err(|e| e.to_string()),
        )],
        Effect::Redrive => vec![Action::RedriveDone(
            ops_notifier::redrive(aws, &cfg)
                .await
                .map_err(|e| e.to_string()),
        )],
        Effect::Suspend => Vec::new(),
    }
}

/// What a redrive would replay, as the confirmation shows it (empty: nothing waits).
fn redrive_preview(waiting: ops_notifier::Waiting) -> Vec<String> {
    if waiting.messages == 0 {
        return Vec::new();
    }
    let mut lines = vec![format!(
        "{} in {}:",
        crate::text::count(
            waiting.messages,
            "undelivered message",
            "undelivered messages"
        ),
        waiting.queue
    )];
    lines.extend(
        waiting
            .kinds
            .into_iter()
            .map(|(kind, n)| format!("{n:>5}  {kind}")),
    );
    lines.push(String::new());
    lines.push(
        "y replays them with the deployed routing; each is removed only once delivered. Esc cancels."
            .into(),
    );
    lines
}

async fn scan(shared: &Shared, cfg: &Config, tx: &UnboundedSender<Action>) -> Action {
    let aws = &shared.aws;
    let home = cfg.home_region().to_string();
    let (account, list) = tokio::join!(inventory::account_id(aws, &home), regions(shared));
    let account = match account {
        Ok(a) => a,
        Err(e) => return Action::ScanFinished(Err(e.to_string())),
    };
    let _ = tx.send(Action::ScanStarted {
        account,
        regions: list.clone(),
    });
    let hub = async {
        let name = naming::hub_stack(cfg);
        let status = match inventory::stacks::list(aws, &home).await {
            Ok(s) if s.is_ready(&name) => "ready".to_string(),
            Ok(s) => s
                .problem(&name)
                .unwrap_or_else(|| "not deployed".to_string()),
            Err(e) => format!("unknown ({e})"),
        };
        let _ = tx.send(Action::Hub(status));
        if let Ok(v) = engine::routing_version(aws, &home, &naming::routing_parameter(cfg)).await {
            *shared
                .routing_version
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(v);
        }
        let health = ops_notifier::health(aws, cfg).await;
        let _ = tx.send(Action::NotifierHealth(Box::new(health)));
    };
    let (cell_tx, mut cell_rx) = mpsc::unbounded_channel();
    let forward = async {
        while let Some(cell) = cell_rx.recv().await {
            let _ = tx.send(Action::ScanCell(cell));
        }
    };
    let req = ScanRequest {
        config: cfg,
        regions: Regions::Known(list),
        services: awsmon_notifier::Service::ALL.to_vec(),
        concurrency: 16,
    };
    let scanning = async {
        let r = inventory::scan_streaming(aws, req, cell_tx).await;
        r.map(|_| ()).map_err(|e| e.to_string())
    };
    let ((), (), result) = tokio::join!(hub, forward, scanning);
    Action::ScanFinished(result)
}

/// The Organization's accounts × regions × regional services, streamed as answers arrive.
/// Reads only: every role it assumes carries a read-only session policy.
async fn org_scan(shared: &Shared, cfg: &Config, tx: &UnboundedSender<Action>) -> Action {
    let (progress_tx, mut progress_rx) = mpsc::unbounded_channel();
    let forward = async {
        while let Some(p) = progress_rx.recv().await {
            let _ = tx.send(Action::OrgProgress(p));
        }
    };
    let req = crate::org::scan::OrgScanRequest {
        config: cfg,
        regions: Regions::Discover(shared.wanted.clone()),
        services: crate::services::REGIONAL.to_vec(),
        concurrency: 32,
        org_apis: true,
    };
    let scanning = async {
        crate::org::scan::scan_streaming(&shared.aws, req, Some(progress_tx))
            .await
            .map(Box::new)
            .map_err(|e| e.to_string())
    };
    let ((), result) = tokio::join!(forward, scanning);
    Action::OrgScanFinished(result)
}

/// One plan for every group of the request (steps shared by groups, like the hub, once).
async fn make_plan(shared: &Shared, req: &PlanRequest) -> Result<Plan, PlanError> {
    let cfg = req
        .config
        .as_deref()
        .cloned()
        .unwrap_or_else(|| shared.cfg());
    let zip = if req.destroy {
        None
    } else {
        Some(ops::artifact(shared.artifact.as_ref())?)
    };
    let intent = match &zip {
        Some(zip) => Intent::Deploy(zip),
        None => Intent::Destroy {
            delete_service_data: req.delete_data,
        },
    };
    ops::plan(&shared.aws, &cfg, &req.groups, intent)
        .await
        .map(|planned| planned.plan)
}

async fn execute(
    shared: &Shared,
    request: PlanRequest,
    the_plan: Plan,
    tx: &UnboundedSender<Action>,
) -> Action {
    let id = request.id;
    let fail = |reason: String| Action::JobFinished {
        id,
        result: Err(reason),
        warnings: Vec::new(),
    };
    // The budget editor's keys are deployed from its draft and saved only once applied, so
    // config.yml never holds a limit that failed to apply.
    let cfg = request
        .config
        .as_deref()
        .cloned()
        .unwrap_or_else(|| shared.cfg());
    // Destroying uploads nothing, so it needs no build.
    let zip = if request.destroy {
        None
    } else {
        match ops::artifact(shared.artifact.as_ref()) {
            Ok(z) => Some(z),
            Err(e) => return fail(e.to_string()),
        }
    };
    let (ptx, mut prx) = mpsc::unbounded_channel();
    let forward = async {
        while let Some(p) = prx.recv().await {
            if matches!(p, Progress::Started { .. }) {
                continue;
            }
            let step_done = matches!(p, Progress::Step { .. });
            let level = if matches!(p, Progress::Step { result: Err(_), .. }) {
                Level::Error
            } else {
                Level::Info
            };
            let _ = tx.send(Action::JobLog {
                id,
                level,
                line: p.to_string(),
                step_done,
            });
        }
    };
    let check = if request.destroy {
        Check::Nothing
    } else {
        Check::Verify { account: None }
    };
    let run = ops::run(&shared.aws, &cfg, &the_plan, zip.as_ref(), check, ptx);
    let ((), applied) = tokio::join!(forward, run);
    let mut warnings = applied.warnings.clone();
    let result = if applied.failed() == 0 {
        if request.config.is_some() {
            match save(shared, cfg, false, Editor::Budget).await {
                Action::Saved { result: Err(e), .. } => {
                    warnings.push(format!("applied, but config.yml was not saved: {e}"));
                }
                saved => {
                    let _ = tx.send(saved);
                }
            }
        }
        Ok(format!(
            "{} done",
            crate::text::count(applied.report.outcomes.len(), "step", "steps")
        ))
    } else {
        Err(applied.failure_lines().join("\n"))
    };
    Action::JobFinished {
        id,
        result,
        warnings,
    }
}

/// Writes an export: `~/` is the home directory, missing directories are made, an existing
/// file is never overwritten, and the toast shows the full path.
fn write_new_file(path: &std::path::Path, contents: &str) -> Action {
    let path = match (path.strip_prefix("~"), std::env::var_os("HOME")) {
        (Ok(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => path.to_path_buf(),
    };
    let path = std::path::absolute(&path).unwrap_or(path);
    if path.exists() {
        return Action::Notice(
            Level::Error,
            format!(
                "{} exists: not overwritten (e again, another name)",
                path.display()
            ),
        );
    }
    let made = path
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| crate::config::write_atomic(&path, contents.as_bytes()));
    match made {
        Ok(()) => Action::Notice(Level::Info, format!("✔ wrote {}", path.display())),
        Err(e) => Action::Notice(Level::Error, format!("{}: {e}", path.display())),
    }
}

/// Saves atomically (comments and unknown keys kept), then pushes the routing if the hub is
/// deployed.
async fn save(shared: &Shared, config: Config, push_routing: bool, editor: Editor) -> Action {
    let path = shared.config_path.clone();
    let old = shared
        .config_text
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    let planned = SavePlan::new(&path.display().to_string(), old.as_deref(), &config);
    let plan = match planned {
        Ok(p) => p,
        Err(e) => {
            return Action::Saved {
                editor,
                config: Box::new(config),
                text: String::new(),
                written: false,
                result: Err(e),
            };
        }
    };
    match crate::config::save_if_unchanged(&path, old.as_deref(), &plan.text) {
        Ok(_) => {}
        Err(e @ crate::config::SaveError::Changed { .. }) => {
            // Someone else saved: take their file as it is now, so the next edit starts there.
            return match crate::config::load_file(&path) {
                Ok(loaded) => {
                    *shared
                        .cfg
                        .write()
                        .unwrap_or_else(std::sync::PoisonError::into_inner) = loaded.config.clone();
                    shared
                        .config_text
                        .write()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .clone_from(&loaded.text);
                    Action::ConfigReloaded {
                        config: Box::new(loaded.config),
                        text: loaded.text,
                        why: format!("{e}; reloaded it: your unsaved edits were set aside"),
                    }
                }
                Err(load) => Action::Saved {
                    editor,
                    config: Box::new(config),
                    text: String::new(),
                    written: false,
                    result: Err(format!("{e}\n\nIt cannot be reloaded: {load}")),
                },
            };
        }
        Err(e) => {
            return Action::Saved {
                editor,
                config: Box::new(config),
                text: String::new(),
                written: false,
                result: Err(e.to_string()),
            };
        }
    }
    *shared
        .cfg
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = config.clone();
    *shared
        .config_text
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(plan.text.clone());
    let saved = format!("saved {}", path.display());
    let result = if push_routing {
        let read = *shared
            .routing_version
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let expect = read.map_or(Expect::Any, Expect::Version);
        match routing::push(&shared.aws, &config, expect).await {
            Ok(Pushed::Done { write, version, .. }) => {
                *shared
                    .routing_version
                    .write()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(version);
                Ok(format!("{saved}; routing pushed to the hub ({write})"))
            }
            Ok(Pushed::NoHub { .. }) => Ok(format!(
                "{saved}; the hub is not deployed, so nothing was pushed"
            )),
            Err(e @ PushError::Write(_)) => {
                Err(format!("{saved}, but the routing push failed: {e}"))
            }
            Err(e) => Err(format!("{saved}, but the routing was not pushed: {e}")),
        }
    } else {
        Ok(saved)
    };
    Action::Saved {
        editor,
        config: Box::new(config),
        text: plan.text,
        written: true,
        result,
    }
}

/// The sample findings, for `App::new`.
pub fn samples(cfg: &Config) -> Vec<Finding> {
    findings::samples::findings(&cfg.settings)
}
