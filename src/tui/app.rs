//! The console's state and its one `update`: actions in (keys, and results the runtime sends
//! back), effects out (work for the runtime). No I/O here, so tests drive it without a
//! terminal or AWS. `App` routes: a key goes to the text field, else the open popup, else
//! the command table gives a command for the screen in focus (or for the app itself).

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::aws::regions::RegionInfo;
use crate::config::Config;
use crate::deploy::plan::Plan;
use crate::findings::Finding;
use crate::findings::budget::Spend;
use crate::inventory::Cell;
use crate::notifier::health::Health;
use crate::notifier::redrive::Replayed;
use crate::test_message::{Route, Via};

use super::command::{self, Command, Scope};
use super::jobs::{JobState, Jobs};
use super::popups::plan::PlanRequest;
use super::popups::{self, Popup};
use super::screens::accounts::AccountsState;
use super::screens::budget::BudgetState;
use super::screens::findings::FindingsState;
use super::screens::matrix::MatrixState;
use super::screens::routing::RoutingState;
use super::screens::test_message::TestState;
use super::screens::{Draft, Editor, Screen};
use super::ui::{Input, InputFor, Level, Ui};

/// What the console runs against, fixed at start.
#[derive(Debug, Clone, Default)]
pub struct Env {
    pub profile: Option<String>,
    pub endpoint: Option<String>,
    /// The demo's emulator: said plainly on screen.
    pub emulator: bool,
    pub read_only: bool,
    /// "notifier 3f9a…" or "no notifier bundled".
    pub notifier: String,
    /// Where saves go.
    pub config_path: PathBuf,
    /// The file's text when loaded, so saves keep comments and unknown keys.
    pub config_text: Option<String>,
    /// A line about the demo's Slack receiver, if any.
    pub slack_note: Option<String>,
    /// Where `e` offers to write a finding (the user's data directory).
    pub export_dir: PathBuf,
}

/// The account as the last scan saw it, for the header.
#[derive(Debug, Default)]
pub struct Status {
    pub account: Option<String>,
    pub hub: Option<String>,
    /// The deployed notifier's health, read with each scan.
    pub notifier: Option<Box<Health>>,
    pub scanning: bool,
    pub scan_error: Option<String>,
}

/// Everything the console shows.
pub struct App {
    pub env: Env,
    /// The config in force (last loaded or saved). Each editor keeps its own draft.
    pub cfg: Config,
    pub screen: Screen,
    pub ui: Ui,
    pub status: Status,
    pub jobs: Jobs,
    pub matrix: MatrixState,
    /// Org mode: the Organization's accounts.
    pub accounts: AccountsState,
    pub findings: FindingsState,
    pub routing: RoutingState,
    pub budget: BudgetState,
    pub test: TestState,
    pub spinner: usize,
    pub quit: bool,
    /// Quit once the save in flight is written (asked when leaving with unsaved edits).
    pub quit_after_save: bool,
    /// Something changed since the last frame.
    pub redraw: bool,
}

/// Results and events the runtime feeds back.
#[derive(Debug)]
pub enum Action {
    Key(KeyEvent),
    Resize,
    Tick,
    ScanStarted {
        account: String,
        regions: Vec<RegionInfo>,
    },
    ScanCell(Cell),
    ScanFinished(Result<(), String>),
    /// Org mode: the Organization's scan, as its answers arrive, then whole.
    OrgProgress(crate::org::scan::OrgProgress),
    OrgScanFinished(Result<Box<crate::org::scan::OrgScan>, String>),
    Hub(String),
    NotifierHealth(Box<crate::notifier::health::Health>),
    /// The failure queue's summary, to confirm a redrive; `Err` when it cannot be read.
    RedriveReady(Result<Vec<String>, String>),
    /// One line per replayed message.
    RedriveDone(Result<Vec<Replayed>, String>),
    PlanReady {
        id: u64,
        result: Result<Plan, String>,
    },
    JobLog {
        id: u64,
        /// Error for a step that failed.
        level: Level,
        line: String,
        step_done: bool,
    },
    JobFinished {
        id: u64,
        result: Result<String, String>,
        warnings: Vec<String>,
    },
    Findings {
        items: Vec<Finding>,
        errors: Vec<String>,
    },
    BudgetSpend(Result<Option<Spend>, String>),
    /// Each SUPPRESS rule's matches over 7 days (`None`: the notifier keeps no state).
    RuleMatches(Result<Option<Vec<u64>>, String>),
    /// The digest each route would receive now.
    Digest(Result<Vec<awsmon_notifier::digest::Digest>, String>),
    Saved {
        editor: Editor,
        config: Box<Config>,
        text: String,
        /// The file was written (a routing push may still have failed: `result` says).
        written: bool,
        result: Result<String, String>,
    },
    /// A save found config.yml changed by someone else; this is the file as it is now.
    ConfigReloaded {
        config: Box<Config>,
        text: Option<String>,
        why: String,
    },
    TestResult(Result<crate::ops::test_message::TestReport, String>),
    /// Through the pipeline: what the notifier's log line says it did, per webhook.
    TestConfirmed(Vec<(bool, String)>),
    Notice(Level, String),
    /// Text pasted into the terminal (bracketed paste): into the open text field, if any.
    Paste(String),
}

/// Work for the runtime.
#[derive(Debug, Clone)]
pub enum Effect {
    Scan,
    /// Org mode: scan the Organization's accounts.
    OrgScan,
    Plan(PlanRequest),
    Execute {
        request: PlanRequest,
        plan: Plan,
    },
    LoadFindings,
    LoadBudget,
    /// Each SUPPRESS rule's matches over the last 7 days, from the notifier's state.
    LoadRuleMatches,
    /// The daily digest as the notifier would build it now.
    LoadDigest,
    /// Write `config` (the config in force with one editor's keys) and maybe push routing.
    SaveConfig {
        config: Box<Config>,
        push_routing: bool,
        editor: Editor,
    },
    TestMessage {
        route: Route,
        via: Via,
    },
    SendFinding(Box<awsmon_notifier::Prepared>),
    /// Read the failure queue (and release it) to show what a redrive would replay.
    RedrivePreview,
    /// Replay the failure queue through the notifier's pipeline.
    Redrive,
    WriteFile {
        path: PathBuf,
        contents: String,
    },
    Suspend,
}

impl App {
    pub fn new(env: Env, cfg: Config, samples: Vec<Finding>) -> App {
        App {
            env,
            routing: RoutingState {
                draft: Draft::clean(&cfg),
                ..RoutingState::default()
            },
            budget: BudgetState {
                draft: Draft::clean(&cfg),
                ..BudgetState::default()
            },
            screen: home(&cfg),
            cfg,
            ui: Ui::default(),
            status: Status::default(),
            jobs: Jobs::default(),
            matrix: MatrixState::default(),
            accounts: AccountsState::default(),
            findings: FindingsState::new(samples),
            test: TestState::default(),
            spinner: 0,
            quit: false,
            quit_after_save: false,
            redraw: true,
        }
    }

    /// The first effects: scan at once (in org mode, the Organization too).
    pub fn start(&mut self) -> Vec<Effect> {
        self.status.scanning = true;
        let mut effects = vec![Effect::Scan];
        if self.cfg.org.enabled {
            self.accounts.started();
            effects.push(Effect::OrgScan);
        }
        effects
    }

    /// The screen Esc returns to: the Organization in org mode, else the matrix.
    pub fn home(&self) -> Screen {
        home(&self.cfg)
    }

    pub fn busy(&self) -> bool {
        self.status.scanning
            || self.accounts.scanning
            || self.findings.loading
            || self.test.running
            || self.test.confirming
            || self.jobs.running()
    }

    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        let effects = self.apply(action);
        if let Some(input) = &mut self.ui.input {
            let draft = match input.purpose {
                InputFor::Budget(_) => &self.budget.draft,
                _ => &self.routing.draft,
            };
            let was = input.error.take();
            input.error = super::input::validate(&draft.config, input);
            input.warning = super::input::warn(&draft.config, input);
            // A toast about an error the value no longer has goes with it.
            if let Some(was) = was
                && input.error.as_ref() != Some(&was)
            {
                self.ui.toasts.retain(|t| t.text != was);
            }
        }
        if self.screen == Screen::Findings {
            self.findings.refresh_current(
                &self.cfg.settings,
                Self::routing_tree(&self.cfg, &self.accounts),
            );
        }
        effects
    }

    /// What ROUTING_OVERRIDES resolve over: `None` outside org mode, else the Organization's
    /// accounts (empty until read).
    fn routing_tree<'a>(
        cfg: &Config,
        accounts: &'a AccountsState,
    ) -> Option<&'a [crate::org::OrgAccount]> {
        cfg.org.enabled.then(|| accounts.routing_accounts())
    }

    /// Org mode with OU entries in ROUTING_OVERRIDES, and the Organization not read yet: the
    /// preview cannot route those accounts as the notifier will.
    pub fn routing_unresolved(&self) -> bool {
        self.cfg.org.enabled
            && crate::org::routing::needs_tree(&self.cfg.settings)
            && self.accounts.tree.is_empty()
    }

    /// The findings list's decisions under the config in force, resolved over the
    /// Organization's accounts in org mode.
    fn reread_findings(&mut self) {
        self.findings.reread(
            &self.cfg.settings,
            Self::routing_tree(&self.cfg, &self.accounts),
        );
    }

    fn apply(&mut self, action: Action) -> Vec<Effect> {
        self.redraw = true;
        match action {
            Action::Key(key) => self.key(key),
            Action::Resize => Vec::new(),
            Action::Tick => {
                let toasts = self.ui.tick();
                self.redraw = self.busy() || toasts;
                self.spinner = self.spinner.wrapping_add(1);
                Vec::new()
            }
            Action::ScanStarted { account, regions } => {
                self.status.account = Some(account);
                self.matrix.set_regions(regions);
                Vec::new()
            }
            Action::ScanCell(cell) => {
                self.matrix.insert(cell);
                Vec::new()
            }
            Action::ScanFinished(result) => {
                self.status.scanning = false;
                self.status.scan_error = result.err();
                if let Some(e) = &self.status.scan_error {
                    self.ui.toast(Level::Error, format!("scan failed: {e}"));
                }
                Vec::new()
            }
            Action::OrgProgress(p) => {
                let tree = matches!(p, crate::org::scan::OrgProgress::Accounts { .. });
                self.accounts.progress(p);
                if tree {
                    // The accounts ROUTING_OVERRIDES' OU entries cover are known now.
                    self.reread_findings();
                }
                Vec::new()
            }
            Action::OrgScanFinished(result) => {
                if let Err(e) = &result {
                    self.ui
                        .toast(Level::Error, format!("organization scan failed: {e}"));
                }
                self.accounts.finished(result);
                self.reread_findings();
                Vec::new()
            }
            Action::Hub(status) => {
                self.status.hub = Some(status);
                Vec::new()
            }
            Action::NotifierHealth(health) => {
                self.status.notifier = Some(health);
                Vec::new()
            }
            Action::RedriveReady(Ok(lines)) if lines.is_empty() => {
                self.ui
                    .toast(Level::Info, "the failure queue is empty: nothing to replay");
                Vec::new()
            }
            Action::RedriveReady(Ok(lines)) => {
                self.ui.popup = Some(Popup::Redrive { lines, scroll: 0 });
                Vec::new()
            }
            Action::RedriveReady(Err(e)) | Action::RedriveDone(Err(e)) => {
                self.ui.toast(Level::Error, format!("redrive: {e}"));
                Vec::new()
            }
            Action::RedriveDone(Ok(replayed)) => {
                let failed = replayed.iter().filter(|r| !r.result.succeeded()).count();
                let lines: Vec<String> = replayed
                    .iter()
                    .map(crate::notifier::redrive::replayed_line)
                    .collect();
                if failed == 0 {
                    self.ui.toast(
                        Level::Info,
                        format!(
                            "✔ replayed {}",
                            crate::text::count(lines.len(), "message", "messages")
                        ),
                    );
                } else {
                    self.ui.toast(
                        Level::Error,
                        format!(
                            "{failed} of {} stay in the failure queue",
                            crate::text::count(lines.len(), "message", "messages")
                        ),
                    );
                }
                self.ui.message("redrive", lines.join("\n"));
                // The queue's depth changed: read the health again.
                self.rescan()
            }
            Action::PlanReady { id, result } => {
                if let Some(Popup::Plan(p)) = &mut self.ui.popup
                    && p.request.id == id
                {
                    p.plan = Some(result);
                }
                Vec::new()
            }
            Action::JobLog {
                id,
                level,
                line,
                step_done,
            } => {
                if let Some(job) = self.jobs.get_mut(id) {
                    if step_done {
                        job.done += 1;
                    }
                    job.log.push((level, line));
                }
                Vec::new()
            }
            Action::JobFinished {
                id,
                result,
                warnings,
            } => self.job_finished(id, result, &warnings),
            Action::Findings { items, errors } => {
                self.findings.loaded(items, errors, &mut self.ui);
                // Read with the routing as pushed (OU entries resolved, or left out).
                if self.cfg.org.enabled || crate::org::routing::needs_tree(&self.cfg.settings) {
                    self.reread_findings();
                }
                Vec::new()
            }
            Action::BudgetSpend(spend) => {
                self.budget.spend = Some(spend);
                Vec::new()
            }
            Action::Digest(Ok(digests)) => {
                let text = crate::notifier::state::digest_text(&self.cfg, &digests);
                self.ui.message("daily digest preview", text);
                Vec::new()
            }
            Action::Digest(Err(e)) => {
                self.ui.toast(Level::Error, format!("digest: {e}"));
                Vec::new()
            }
            Action::RuleMatches(matches) => {
                self.routing.rule_matches = Some(matches);
                Vec::new()
            }
            Action::Saved {
                editor,
                config,
                text,
                written,
                result,
            } => {
                if written {
                    self.cfg = *config;
                    // Decisions and routes may have changed.
                    self.reread_findings();
                    self.env.config_text = Some(text);
                    let cfg = self.cfg.clone();
                    // The saving editor starts clean; the others keep their unsaved edits.
                    for each in [Editor::Routing, Editor::Budget] {
                        if each == editor {
                            *self.draft_mut(each) = Draft::clean(&cfg);
                        } else {
                            self.draft_mut(each).rebase(each, &cfg);
                        }
                    }
                    if editor == Editor::Rules {
                        self.routing.rule_matches = None;
                    }
                }
                self.quit = self.quit_after_save && written && result.is_ok();
                self.quit_after_save = false;
                match result {
                    Ok(msg) => self.ui.toast(Level::Info, format!("✔ {msg}")),
                    Err(e) if written => self.ui.error_popup("Saved, not pushed", e),
                    Err(e) => self.ui.error_popup("Save failed", e),
                }
                Vec::new()
            }
            Action::ConfigReloaded { config, text, why } => {
                self.cfg = (*config).clone();
                self.routing.draft = Draft::clean(&config);
                self.budget.draft = Draft::clean(&config);
                self.env.config_text = text;
                self.findings.current = None;
                self.ui.error_popup("Not saved", why);
                Vec::new()
            }
            Action::TestConfirmed(lines) => {
                self.test.confirming = false;
                let all_ok = !lines.is_empty() && lines.iter().all(|(ok, _)| *ok);
                self.test.results.extend(lines);
                if all_ok {
                    self.ui
                        .toast(Level::Info, "✔ the notifier delivered the test message");
                } else {
                    self.ui.toast(
                        Level::Warn,
                        "the notifier's delivery is not confirmed: see the lines",
                    );
                }
                Vec::new()
            }
            Action::TestResult(result) => {
                self.test.running = false;
                self.test.confirming = self.test.pipeline && result.is_ok();
                match result {
                    Ok(report) => {
                        self.test.results = report.lines;
                        if report.refused > 0 {
                            self.ui
                                .toast(Level::Error, "test message: a webhook refused it");
                        } else {
                            self.ui.toast(Level::Info, "✔ test message sent");
                        }
                    }
                    Err(e) => {
                        self.test.results = vec![(false, format!("FAILED {e}"))];
                        self.ui.toast(Level::Error, format!("test message: {e}"));
                    }
                }
                Vec::new()
            }
            Action::Notice(level, text) => {
                self.ui.toast(level, text);
                Vec::new()
            }
            Action::Paste(text) => {
                if let Some(input) = &mut self.ui.input {
                    input.insert(&text);
                    let (purpose, value) = (input.purpose.clone(), input.value.clone());
                    self.live_filter(&purpose, &value);
                }
                Vec::new()
            }
        }
    }

    fn job_finished(
        &mut self,
        id: u64,
        result: Result<String, String>,
        warnings: &[String],
    ) -> Vec<Effect> {
        let Some(job) = self.jobs.get_mut(id) else {
            return Vec::new();
        };
        job.log.extend(
            warnings
                .iter()
                .map(|w| (Level::Warn, format!("warning {w}"))),
        );
        let title = job.title.clone();
        match result {
            Ok(summary) if warnings.is_empty() => {
                job.done = job.total;
                job.state = JobState::Succeeded(summary.clone());
                self.ui
                    .toast(Level::Info, format!("✔ done: {title} — {summary}"));
            }
            // Applied but not verified: say what is wrong and what to do, and keep the log open.
            Ok(_) => {
                job.done = job.total;
                let what = warnings.first().cloned().unwrap_or_default();
                job.state = JobState::Unverified(what.clone());
                self.ui.toast(
                    Level::Warn,
                    format!("⚠ not verified: {title} — {what}; Enter on the cell repairs it"),
                );
                self.ui.popup = Some(Popup::JobLog { job: id, scroll: 0 });
            }
            Err(reason) => {
                job.state = JobState::Failed(reason.clone());
                self.ui.toast(
                    Level::Error,
                    format!(
                        "failed: {title} — {}",
                        reason.lines().next().unwrap_or_default()
                    ),
                );
                // The log stays open to read.
                self.ui.popup = Some(Popup::JobLog { job: id, scroll: 0 });
            }
        }
        self.status.scanning = true;
        vec![Effect::Scan]
    }

    /// A key, by what has focus: the text field, a popup, then the screen (through the
    /// command table). ctrl-c quits from anywhere.
    fn key(&mut self, key: KeyEvent) -> Vec<Effect> {
        if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
            self.quit = true;
            return Vec::new();
        }
        if self.ui.input.is_some() {
            return self.input_key(key);
        }
        if let Some(popup) = self.ui.popup.take() {
            if let Popup::Unsaved { editor, then, arg } = popup {
                let cmd = command::for_key(Scope::Unsaved, &key);
                if let Some(what) = cmd.and_then(Command::doing)
                    && self.env.read_only
                {
                    self.ui.popup = Some(Popup::Unsaved { editor, then, arg });
                    return self.ui.refuse(what);
                }
                return self.unsaved(editor, then, arg.as_deref(), cmd);
            }
            let cmd = command::for_key(popup.scope(), &key)
                // ctrl-r and ctrl-z work over a popup too.
                .or_else(|| {
                    command::for_key(Scope::Global, &key)
                        .filter(|c| matches!(c, Command::Rescan | Command::Suspend))
                });
            if let Some(c @ (Command::Rescan | Command::Suspend)) = cmd {
                self.ui.popup = Some(popup);
                return self.run(c, None);
            }
            if let Some(c) = cmd
                && let Some(what) = c.doing()
                && self.env.read_only
            {
                return self.ui.refuse(what);
            }
            let effects = popups::handle(popup, cmd, &mut self.ui, &mut self.jobs);
            // Marks are spent when their plan runs, not when it opens: Esc on a plan keeps them.
            for effect in &effects {
                if let Effect::Execute { request, .. } = effect {
                    for cell in &request.cells {
                        self.matrix.marked.remove(cell);
                    }
                }
            }
            return effects;
        }
        match command::for_key(Scope::Screen(self.screen), &key) {
            Some(cmd) => self.run(cmd, None),
            None => Vec::new(),
        }
    }

    /// Runs a command from a key or the `:` line; the one place read-only is enforced.
    pub fn run(&mut self, cmd: Command, arg: Option<&str>) -> Vec<Effect> {
        if let Some(what) = cmd.doing()
            && self.env.read_only
        {
            return self.ui.refuse(what);
        }
        // Leaving an editor with unsaved edits asks first (the command waits in the popup).
        if let Some(editor) = Editor::of(self.screen)
            && self.draft(editor).dirty
            && self.leaves(cmd)
        {
            self.ui.popup = Some(Popup::Unsaved {
                editor,
                then: cmd,
                arg: arg.map(str::to_string),
            });
            return Vec::new();
        }
        match cmd {
            Command::Help => {
                self.ui.popup = Some(Popup::Help { scroll: 0 });
                Vec::new()
            }
            Command::CommandLine => {
                self.ui.open_input(InputFor::Command, ":", String::new());
                Vec::new()
            }
            Command::Rescan => self.rescan(),
            Command::Suspend => vec![Effect::Suspend],
            Command::Quit => {
                self.quit = true;
                Vec::new()
            }
            Command::Back => {
                let consumed = match self.screen {
                    Screen::Findings => self.findings.back(),
                    Screen::Accounts => self.accounts.back(),
                    _ => false,
                };
                if self.screen == Screen::Account {
                    self.accounts.drill = None;
                    self.screen = Screen::Accounts;
                } else if !consumed {
                    self.screen = self.home();
                }
                Vec::new()
            }
            Command::Goto(screen) => self.goto(screen),
            Command::Region => {
                let name = arg.unwrap_or_default();
                if self.matrix.goto_region(name) {
                    self.screen = Screen::Matrix;
                } else if name.is_empty() {
                    self.ui.toast(Level::Warn, "which region? :region NAME");
                } else {
                    self.ui
                        .toast(Level::Warn, format!("no region {name} in the matrix"));
                }
                Vec::new()
            }
            Command::MarkService => {
                let mut words = arg.unwrap_or_default().split_whitespace();
                let service = words
                    .next()
                    .and_then(|s| s.parse::<awsmon_notifier::Service>().ok());
                match (service, words.next(), words.next()) {
                    (Some(s), None | Some("all"), None) if !s.is_global() => {
                        let n = self.matrix.mark_everywhere(s);
                        self.screen = Screen::Matrix;
                        self.ui.toast(
                            Level::Info,
                            format!(
                                "marked {s} in {}; Enter plans",
                                crate::text::count(n, "region", "regions")
                            ),
                        );
                    }
                    _ => self.ui.toast(
                        Level::Warn,
                        format!(
                            "which service? :mark SERVICE all, one of {}",
                            crate::services::REGIONAL
                                .iter()
                                .map(ToString::to_string)
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ),
                }
                Vec::new()
            }
            Command::Digest => {
                self.ui
                    .toast(Level::Info, "reading the notifier's state for the digest…");
                vec![Effect::LoadDigest]
            }
            Command::Redrive => {
                self.ui.toast(Level::Info, "reading the failure queue…");
                vec![Effect::RedrivePreview]
            }
            Command::NotifierHealth => {
                let text = match &self.status.notifier {
                    None => "not read yet (ctrl-r scans again)".to_string(),
                    Some(h) => {
                        let mut lines = vec![h.summary()];
                        let problems = h.problems();
                        if problems.is_empty() {
                            lines.push("✔ healthy".into());
                        }
                        lines.extend(problems.into_iter().map(|p| format!("✖ {p}")));
                        lines.join("\n")
                    }
                };
                self.ui.message("notifier health", text);
                Vec::new()
            }
            Command::SourceErrors => {
                let text = if self.findings.errors.is_empty() {
                    "every source of findings answered".to_string()
                } else {
                    self.findings.errors.join("\n")
                };
                self.ui.message("unreadable sources of findings", text);
                Vec::new()
            }
            cmd => match self.screen {
                Screen::Matrix => self.matrix.handle(cmd, &mut self.ui, &self.jobs),
                Screen::Accounts => self.accounts.handle(cmd, &mut self.ui),
                Screen::Account => {
                    self.accounts.handle_drill(cmd);
                    Vec::new()
                }
                // Sending before OU overrides can resolve could post to the wrong channel.
                Screen::Findings if cmd == Command::Send && self.routing_unresolved() => {
                    self.ui.toast(
                        Level::Warn,
                        "ROUTING_OVERRIDES' OU entries resolve once the Organization is read: wait for it (ctrl-r rescans)",
                    );
                    Vec::new()
                }
                // The rule is saved at once: unsaved routing edits would be lost on the way.
                Screen::Findings if cmd == Command::Mute && self.routing.draft.dirty => {
                    self.ui.toast(
                        Level::Warn,
                        "the routing editor has unsaved edits: save or discard them first (w)",
                    );
                    Vec::new()
                }
                Screen::Findings if cmd == Command::Mute => {
                    self.findings.start_rule(&mut self.ui);
                    Vec::new()
                }
                Screen::Findings => self
                    .findings
                    .handle(cmd, &mut self.ui, &self.env.export_dir),
                Screen::Routing => self.routing.handle(cmd, &self.cfg, &mut self.ui),
                Screen::Budget => self.budget.handle(cmd, &self.cfg, &mut self.ui),
                Screen::TestMessage => self.test.handle(cmd, &Route::all(&self.cfg.settings)),
            },
        }
    }

    /// Whether `cmd` takes the user away from the screen in focus (or out of the console).
    fn leaves(&self, cmd: Command) -> bool {
        match cmd {
            Command::Goto(screen) => screen != self.screen,
            Command::Back | Command::Quit | Command::Region | Command::MarkService => true,
            _ => false,
        }
    }

    /// A key over the unsaved-edits question: save (or, for the budget, plan applying) and go
    /// on; discard and go on; or stay.
    fn unsaved(
        &mut self,
        editor: Editor,
        then: Command,
        arg: Option<&str>,
        cmd: Option<Command>,
    ) -> Vec<Effect> {
        match (cmd, editor) {
            (Some(Command::Save), Editor::Routing) => {
                let mut effects = vec![self.routing.save(&self.cfg)];
                self.routing.draft.dirty = false;
                // Quitting now would cut the save off: quit once it is written.
                if then == Command::Quit {
                    self.quit_after_save = true;
                    self.ui.toast(Level::Info, "saving, then quitting…");
                } else {
                    effects.extend(self.run(then, arg));
                }
                effects
            }
            // A budget is saved once applied, so `s` plans applying it and stays here.
            (Some(Command::Save), Editor::Budget) => self.budget.apply(&self.cfg, &mut self.ui),
            (Some(Command::Discard), _) => {
                *self.draft_mut(editor) = Draft::clean(&self.cfg);
                self.ui.toast(Level::Info, "edits discarded");
                self.run(then, arg)
            }
            _ => {
                self.ui
                    .toast(Level::Info, "still editing: nothing was saved");
                Vec::new()
            }
        }
    }

    fn rescan(&mut self) -> Vec<Effect> {
        if self.screen == Screen::Findings {
            return self.findings.load(true);
        }
        if matches!(self.screen, Screen::Accounts | Screen::Account) {
            if self.accounts.scanning {
                self.ui
                    .toast(Level::Info, "the Organization's scan is already running");
                return Vec::new();
            }
            self.accounts.started();
            return vec![Effect::OrgScan];
        }
        if self.status.scanning {
            self.ui.toast(Level::Info, "a scan is already running");
            return Vec::new();
        }
        self.status.scanning = true;
        vec![Effect::Scan]
    }

    pub fn goto(&mut self, screen: Screen) -> Vec<Effect> {
        if matches!(screen, Screen::Accounts | Screen::Account) && !self.cfg.org.enabled {
            self.ui.toast(
                Level::Info,
                "org mode is off: ORGANIZATION: true in config.yml shows the Organization's accounts",
            );
            return Vec::new();
        }
        if screen == Screen::Account && !self.accounts.open() {
            let why = if self.accounts.accounts.is_empty() {
                "no account yet: the Organization is still being read"
            } else {
                "no account matches the filter"
            };
            self.ui.toast(Level::Info, why);
            return Vec::new();
        }
        self.screen = screen;
        match screen {
            Screen::Findings => self.findings.load(false),
            Screen::Routing if !self.cfg.settings.suppress.is_empty() => {
                vec![Effect::LoadRuleMatches]
            }
            Screen::Budget => self.budget.open(),
            Screen::TestMessage => {
                self.test.open();
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    /// An editor's draft; the rules `m` makes have none of their own (each is saved at
    /// once), so theirs is the routing editor's.
    pub fn draft(&self, editor: Editor) -> &Draft {
        match editor {
            Editor::Routing | Editor::Rules => &self.routing.draft,
            Editor::Budget => &self.budget.draft,
        }
    }

    fn draft_mut(&mut self, editor: Editor) -> &mut Draft {
        match editor {
            Editor::Routing | Editor::Rules => &mut self.routing.draft,
            Editor::Budget => &mut self.budget.draft,
        }
    }

    pub fn selected_finding(&self) -> Option<&Finding> {
        self.findings.selected()
    }

    fn input_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Some(mut input) = self.ui.input.take() else {
            return Vec::new();
        };
        match key.code {
            KeyCode::Esc => {
                self.live_filter(&input.purpose, "");
                return Vec::new();
            }
            KeyCode::Enter => return self.commit(input),
            KeyCode::Tab if input.purpose == InputFor::Command => self.complete(&mut input),
            _ => {
                input.edit(&key);
            }
        }
        self.live_filter(&input.purpose, &input.value);
        self.ui.input = Some(input);
        Vec::new()
    }

    /// A filter applies as it is typed; Esc clears it.
    fn live_filter(&mut self, purpose: &InputFor, value: &str) {
        match purpose {
            InputFor::FindingsFilter => self.findings.set_filter(value),
            InputFor::AccountsFilter => self.accounts.set_filter(value),
            _ => {}
        }
    }

    /// Tab on the `:` line: a command name, or a region name after `:region`, completed as
    /// far as the prefix is shared; the candidates are listed when there are several.
    fn complete(&mut self, input: &mut Input) {
        let line = input.value.trim_start_matches(':').to_string();
        let (head, word, candidates): (String, String, Vec<String>) = match line.split_once(' ') {
            Some((cmd, arg)) if command::for_name(cmd).map(|(c, _)| c) == Ok(Command::Region) => (
                format!("{cmd} "),
                arg.trim().to_string(),
                self.matrix.regions.iter().map(|r| r.name.clone()).collect(),
            ),
            Some(_) => return,
            None => (
                String::new(),
                line.clone(),
                command::TABLE
                    .iter()
                    .flat_map(|b| b.names.iter().map(|n| (*n).to_string()))
                    .collect(),
            ),
        };
        let matching: Vec<&String> = candidates.iter().filter(|c| c.starts_with(&word)).collect();
        let Some(first) = matching.first() else {
            self.ui
                .toast(Level::Warn, format!("nothing starts with {word:?}"));
            return;
        };
        // The longest prefix every match shares.
        let shared = matching.iter().fold(first.as_str(), |acc, c| {
            let n = acc
                .char_indices()
                .zip(c.chars())
                .take_while(|((_, a), b)| a == b)
                .count();
            &acc[..acc.char_indices().nth(n).map_or(acc.len(), |(i, _)| i)]
        });
        let done = if matching.len() == 1 { " " } else { "" };
        input.value = format!("{head}{shared}{done}");
        input.cursor = input.value.len();
        if matching.len() > 1 {
            let names: Vec<&str> = matching.iter().map(|c| c.as_str()).collect();
            self.ui.toast(Level::Info, names.join("  "));
        }
    }

    /// Enter in a text field: refused while invalid, else its value goes where it was for.
    fn commit(&mut self, input: Input) -> Vec<Effect> {
        let draft = match input.purpose {
            InputFor::Budget(_) => &self.budget.draft,
            _ => &self.routing.draft,
        };
        if let Some(e) = super::input::validate(&draft.config, &input) {
            self.ui.toast(Level::Warn, e.clone());
            self.ui.input = Some(Input {
                error: Some(e),
                ..input
            });
            return Vec::new();
        }
        let value = input.value.trim();
        match &input.purpose {
            InputFor::Command => match command::for_name(value) {
                Ok((cmd, arg)) => return self.run(cmd, arg),
                Err(e) => self.ui.toast(Level::Warn, e),
            },
            InputFor::FindingsFilter | InputFor::AccountsFilter => {}
            InputFor::ExportPath => return self.findings.export(value).into_iter().collect(),
            InputFor::AddUrl(_)
            | InputFor::EditUrl(..)
            | InputFor::Field(_)
            | InputFor::AddOverride
            | InputFor::OverrideUrl(..)
            | InputFor::OverrideSeverity(_) => {
                self.routing.commit(&input.purpose, value, &mut self.ui);
            }
            InputFor::Budget(_) => self.budget.commit(&input.purpose, value),
            InputFor::Rule(field) => {
                return self
                    .findings
                    .rule_input(*field, value, &mut self.ui, &self.cfg);
            }
        }
        Vec::new()
    }
}

/// Org mode opens on the Organization; otherwise on the matrix.
fn home(cfg: &Config) -> Screen {
    if cfg.org.enabled {
        Screen::Accounts
    } else {
        Screen::Matrix
    }
}
