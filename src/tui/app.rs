//! The console's state and its one `update`: actions in (keys, and results the runtime sends
//! back), effects out (work for the runtime). No I/O here, so tests drive it without a
//! terminal or AWS.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

use awsmon_notifier::{Service, WebhookUrl};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::aws::regions::RegionInfo;
use crate::config::Config;
use crate::deploy::plan::{Plan, Target};
use crate::findings::Finding;
use crate::findings::budget::Spend;
use crate::inventory::{Cell, GLOBAL, State};
use crate::notifier::redrive::Replayed;
use crate::test_message::{Route, Via};

use super::editors::{self, BudgetField, Field, RoutingRow};

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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Matrix,
    Findings,
    Routing,
    Budget,
    TestMessage,
}

pub type CellKey = (String, Service);

pub const REGIONAL: [Service; 3] = [Service::GuardDuty, Service::Config, Service::Inspector];
pub const GLOBALS: [Service; 2] = [Service::TrustedAdvisor, Service::Budget];

/// A deploy or destroy being planned, confirmed, or run.
#[derive(Debug, Clone)]
pub struct PlanRequest {
    pub id: u64,
    /// One target per service, each with its regions.
    pub groups: Vec<(Target, Vec<String>)>,
    pub destroy: bool,
    pub delete_data: bool,
    /// The cells that show the job's progress.
    pub cells: Vec<CellKey>,
    /// The config to deploy with (the budget editor's draft), saved first when applied.
    pub config: Option<Box<Config>>,
}

impl PlanRequest {
    pub fn title(&self) -> String {
        let verb = if self.destroy { "turn off" } else { "turn on" };
        let what: Vec<String> = self
            .groups
            .iter()
            .map(|(t, regions)| match t {
                Target::Service(s) if s.is_global() => s.display_name().to_string(),
                Target::Service(s) => format!("{} in {}", s.display_name(), regions.join(", ")),
                other => other.as_str().to_string(),
            })
            .collect();
        format!("{verb} {}", what.join("; "))
    }
}

#[derive(Debug, Clone)]
pub struct PlanPopup {
    pub request: PlanRequest,
    /// `None` while the plan is computed.
    pub plan: Option<Result<Plan, String>>,
    pub scroll: u16,
}

#[derive(Debug, Clone)]
pub enum Popup {
    Help {
        scroll: u16,
    },
    Plan(PlanPopup),
    /// The second, red confirmation before service data is deleted.
    ConfirmData(PlanPopup),
    JobLog {
        job: u64,
        scroll: u16,
    },
    Message {
        title: String,
        text: String,
        scroll: u16,
    },
    /// What waits in the notifier's failure queue; `y` replays it.
    Redrive {
        lines: Vec<String>,
        scroll: u16,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobState {
    Running,
    Succeeded(String),
    Failed(String),
}

#[derive(Debug, Clone)]
pub struct Job {
    pub id: u64,
    pub title: String,
    pub cells: Vec<CellKey>,
    pub total: usize,
    pub done: usize,
    pub state: JobState,
    pub log: Vec<String>,
}

impl Job {
    pub fn percent(&self) -> u16 {
        let total = self.total.max(1);
        let pct = self.done * 100 / total;
        u16::try_from(pct.clamp(1, 99)).unwrap_or(99)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Warn,
    Error,
}

#[derive(Debug, Clone)]
pub struct Toast {
    pub level: Level,
    pub text: String,
    /// Ticks left before it clears itself.
    pub ttl: u16,
}

/// What a text field is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputFor {
    Command,
    FindingsFilter,
    AddUrl(Option<Service>),
    EditUrl(Option<Service>, usize),
    Field(Field),
    Budget(BudgetField),
}

#[derive(Debug, Clone)]
pub struct Input {
    pub purpose: InputFor,
    pub label: String,
    pub value: String,
    /// Validated as typed.
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    Time,
    Severity,
}

#[derive(Debug, Default)]
pub struct FindingsState {
    pub items: Vec<Finding>,
    /// Indices into `items`, filtered and sorted.
    pub view: Vec<usize>,
    pub filter: String,
    pub sort: Option<SortBy>,
    pub selected: usize,
    pub loading: bool,
    pub loaded: bool,
    pub errors: Vec<String>,
    /// The selected finding through the notifier's pipeline (item index, result), made when
    /// the selection changes so that drawing stays pure and cheap.
    pub current: Option<(usize, Option<awsmon_notifier::Prepared>)>,
}

#[derive(Debug, Clone, Default)]
pub struct TestState {
    pub route: usize,
    pub pipeline: bool,
    pub running: bool,
    pub results: Vec<String>,
}

/// Everything the console shows.
// Independent flags, each read by the views; a state machine would not make them clearer.
#[allow(clippy::struct_excessive_bools)]
pub struct App {
    pub env: Env,
    /// The config in force (last loaded or saved).
    pub cfg: Config,
    /// The routing and budget editors' working copy.
    pub draft: Config,
    pub dirty: bool,
    pub screen: Screen,
    pub popup: Option<Popup>,
    pub input: Option<Input>,
    pub account: Option<String>,
    pub hub: Option<String>,
    /// The deployed notifier's health, read with each scan.
    pub notifier: Option<Box<crate::notifier::health::Health>>,
    pub regions: Vec<RegionInfo>,
    pub cells: HashMap<CellKey, Cell>,
    pub scanning: bool,
    pub scan_error: Option<String>,
    /// Matrix cursor: row (regions, then the global row) and column.
    pub row: usize,
    pub col: usize,
    pub marked: BTreeSet<CellKey>,
    pub jobs: Vec<Job>,
    pub toasts: Vec<Toast>,
    pub findings: FindingsState,
    pub routing_row: usize,
    pub reveal: bool,
    pub budget_row: usize,
    pub spend: Option<Result<Option<Spend>, String>>,
    pub test: TestState,
    pub spinner: usize,
    pub quit: bool,
    next_id: u64,
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
    Saved {
        config: Box<Config>,
        text: String,
        result: Result<String, String>,
    },
    /// A save found config.yml changed by someone else; this is the file as it is now.
    ConfigReloaded {
        config: Box<Config>,
        text: Option<String>,
        why: String,
    },
    TestResult(Result<crate::ops::test_message::TestReport, String>),
    Notice(Level, String),
}

/// Work for the runtime.
#[derive(Debug, Clone)]
pub enum Effect {
    Scan,
    Plan(PlanRequest),
    Execute {
        request: PlanRequest,
        plan: Plan,
    },
    LoadFindings,
    LoadBudget,
    SaveConfig {
        config: Box<Config>,
        push_routing: bool,
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

pub const ROUTES: [Route; 6] = [
    Route(None),
    Route(Some(Service::GuardDuty)),
    Route(Some(Service::Config)),
    Route(Some(Service::Inspector)),
    Route(Some(Service::TrustedAdvisor)),
    Route(Some(Service::Budget)),
];

const TOAST_TICKS: u16 = 16;

impl App {
    pub fn new(env: Env, cfg: Config, samples: Vec<Finding>) -> App {
        let mut app = App {
            env,
            draft: cfg.clone(),
            cfg,
            dirty: false,
            screen: Screen::Matrix,
            popup: None,
            input: None,
            account: None,
            hub: None,
            notifier: None,
            regions: Vec::new(),
            cells: HashMap::new(),
            scanning: false,
            scan_error: None,
            row: 0,
            col: 0,
            marked: BTreeSet::new(),
            jobs: Vec::new(),
            toasts: Vec::new(),
            findings: FindingsState::default(),
            routing_row: 0,
            reveal: false,
            budget_row: 0,
            spend: None,
            test: TestState::default(),
            spinner: 0,
            quit: false,
            next_id: 1,
            redraw: true,
        };
        app.findings.items = samples;
        app.refilter();
        app
    }

    /// The first effects: scan at once.
    pub fn start(&mut self) -> Vec<Effect> {
        self.scanning = true;
        vec![Effect::Scan]
    }

    fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    pub fn toast(&mut self, level: Level, text: impl Into<String>) {
        self.toasts.push(Toast {
            level,
            text: text.into(),
            ttl: TOAST_TICKS,
        });
        if self.toasts.len() > 4 {
            self.toasts.remove(0);
        }
    }

    /// Rows of the matrix: each region, then the global row.
    pub fn row_count(&self) -> usize {
        self.regions.len() + 1
    }

    /// The cell under the cursor.
    pub fn cursor_key(&self) -> Option<CellKey> {
        if self.row < self.regions.len() {
            let service = *REGIONAL.get(self.col)?;
            Some((self.regions[self.row].name.clone(), service))
        } else {
            let service = *GLOBALS.get(self.col)?;
            Some((GLOBAL.to_string(), service))
        }
    }

    fn columns_in_row(&self) -> usize {
        if self.row < self.regions.len() {
            REGIONAL.len()
        } else {
            GLOBALS.len()
        }
    }

    /// The running job that covers a cell, if any.
    pub fn job_for(&self, key: &CellKey) -> Option<&Job> {
        self.jobs
            .iter()
            .rev()
            .find(|j| j.state == JobState::Running && j.cells.contains(key))
    }

    pub fn busy(&self) -> bool {
        self.scanning
            || self.findings.loading
            || self.test.running
            || self.jobs.iter().any(|j| j.state == JobState::Running)
    }

    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        let effects = self.apply(action);
        self.refresh_current();
        effects
    }

    /// Keeps `findings.current` in step with the selection (and the settings in force).
    fn refresh_current(&mut self) {
        if self.screen != Screen::Findings {
            return;
        }
        let selected = self.findings.view.get(self.findings.selected).copied();
        match (selected, &self.findings.current) {
            (Some(i), Some((j, _))) if i == *j => {}
            (Some(i), _) => {
                let prepared = self.findings.items[i].prepare(&self.cfg.settings);
                self.findings.current = Some((i, prepared));
            }
            (None, _) => self.findings.current = None,
        }
    }

    fn apply(&mut self, action: Action) -> Vec<Effect> {
        self.redraw = true;
        match action {
            Action::Key(key) => self.key(key),
            Action::Resize => Vec::new(),
            Action::Tick => {
                self.redraw = self.busy() || !self.toasts.is_empty();
                self.spinner = self.spinner.wrapping_add(1);
                for t in &mut self.toasts {
                    t.ttl = t.ttl.saturating_sub(1);
                }
                self.toasts.retain(|t| t.ttl > 0);
                Vec::new()
            }
            Action::ScanStarted { account, regions } => {
                self.account = Some(account);
                self.regions = regions;
                self.row = self.row.min(self.row_count().saturating_sub(1));
                Vec::new()
            }
            Action::ScanCell(cell) => {
                let region = if cell.service.is_global() {
                    GLOBAL.to_string()
                } else {
                    cell.region.clone()
                };
                self.cells.insert((region, cell.service), cell);
                Vec::new()
            }
            Action::ScanFinished(result) => {
                self.scanning = false;
                self.scan_error = result.err();
                if let Some(e) = &self.scan_error {
                    let e = e.clone();
                    self.toast(Level::Error, format!("scan failed: {e}"));
                }
                Vec::new()
            }
            Action::Hub(status) => {
                self.hub = Some(status);
                Vec::new()
            }
            Action::NotifierHealth(health) => {
                self.notifier = Some(health);
                Vec::new()
            }
            Action::RedriveReady(Ok(lines)) if lines.is_empty() => {
                self.toast(Level::Info, "the failure queue is empty: nothing to replay");
                Vec::new()
            }
            Action::RedriveReady(Ok(lines)) => {
                self.popup = Some(Popup::Redrive { lines, scroll: 0 });
                Vec::new()
            }
            Action::RedriveReady(Err(e)) | Action::RedriveDone(Err(e)) => {
                self.toast(Level::Error, format!("redrive: {e}"));
                Vec::new()
            }
            Action::RedriveDone(Ok(replayed)) => {
                let failed = replayed.iter().filter(|r| !r.result.succeeded()).count();
                let lines: Vec<String> = replayed
                    .iter()
                    .map(crate::notifier::redrive::replayed_line)
                    .collect();
                if failed == 0 {
                    self.toast(Level::Info, format!("replayed {} message(s)", lines.len()));
                } else {
                    self.toast(
                        Level::Error,
                        format!(
                            "{failed} of {} message(s) stay in the failure queue",
                            lines.len()
                        ),
                    );
                }
                self.popup = Some(Popup::Message {
                    title: "redrive".into(),
                    text: lines.join("\n"),
                    scroll: 0,
                });
                // The queue's depth changed: read the health again.
                self.rescan()
            }
            Action::PlanReady { id, result } => {
                if let Some(Popup::Plan(p)) = &mut self.popup
                    && p.request.id == id
                {
                    p.plan = Some(result);
                }
                Vec::new()
            }
            Action::JobLog {
                id,
                line,
                step_done,
            } => {
                if let Some(job) = self.jobs.iter_mut().find(|j| j.id == id) {
                    if step_done {
                        job.done += 1;
                    }
                    job.log.push(line);
                }
                Vec::new()
            }
            Action::JobFinished {
                id,
                result,
                warnings,
            } => self.job_finished(id, result, warnings),
            Action::Findings { items, errors } => {
                self.findings.loading = false;
                self.findings.loaded = true;
                let live = items.len();
                // Live findings first; the samples stay at the end.
                let samples: Vec<Finding> = self
                    .findings
                    .items
                    .drain(..)
                    .filter(|f| f.origin == crate::findings::Origin::Sample)
                    .collect();
                self.findings.items = items;
                self.findings.items.extend(samples);
                self.findings.errors = errors;
                self.refilter();
                let note = if self.findings.errors.is_empty() {
                    format!("{live} recent finding(s) loaded")
                } else {
                    format!(
                        "{live} recent finding(s); {} source(s) unreadable",
                        self.findings.errors.len()
                    )
                };
                self.toast(Level::Info, note);
                Vec::new()
            }
            Action::BudgetSpend(spend) => {
                self.spend = Some(spend);
                Vec::new()
            }
            Action::Saved {
                config,
                text,
                result,
            } => {
                match result {
                    Ok(msg) => {
                        self.cfg = (*config).clone();
                        // Decisions and routes may have changed.
                        self.findings.current = None;
                        self.env.config_text = Some(text);
                        self.dirty = false;
                        self.toast(Level::Info, msg);
                    }
                    Err(e) => self.error_popup("Save failed", e),
                }
                Vec::new()
            }
            Action::ConfigReloaded { config, text, why } => {
                self.cfg = (*config).clone();
                self.draft = *config;
                self.env.config_text = text;
                self.dirty = false;
                self.findings.current = None;
                self.error_popup("Not saved", why);
                Vec::new()
            }
            Action::TestResult(result) => {
                self.test.running = false;
                match result {
                    Ok(report) => {
                        self.test.results = report.lines;
                        if report.refused > 0 {
                            self.toast(Level::Error, "test message: a webhook refused it");
                        } else {
                            self.toast(Level::Info, "test message sent");
                        }
                    }
                    Err(e) => {
                        self.test.results = vec![format!("FAILED {e}")];
                        self.toast(Level::Error, format!("test message: {e}"));
                    }
                }
                Vec::new()
            }
            Action::Notice(level, text) => {
                self.toast(level, text);
                Vec::new()
            }
        }
    }

    fn error_popup(&mut self, title: &str, text: String) {
        self.toast(Level::Error, format!("{title}: {}", first_line(&text)));
        self.popup = Some(Popup::Message {
            title: title.to_string(),
            text,
            scroll: 0,
        });
    }

    fn job_finished(
        &mut self,
        id: u64,
        result: Result<String, String>,
        warnings: Vec<String>,
    ) -> Vec<Effect> {
        let Some(job) = self.jobs.iter_mut().find(|j| j.id == id) else {
            return Vec::new();
        };
        job.log
            .extend(warnings.iter().map(|w| format!("warning {w}")));
        let title = job.title.clone();
        match result {
            Ok(summary) => {
                job.done = job.total;
                job.state = JobState::Succeeded(summary.clone());
                let level = if warnings.is_empty() {
                    Level::Info
                } else {
                    Level::Warn
                };
                self.toast(level, format!("done: {title} — {summary}"));
                for w in warnings {
                    self.toast(Level::Warn, w);
                }
            }
            Err(reason) => {
                job.state = JobState::Failed(reason.clone());
                self.toast(
                    Level::Error,
                    format!("failed: {title} — {}", first_line(&reason)),
                );
                // The log stays open to read.
                self.popup = Some(Popup::JobLog { job: id, scroll: 0 });
            }
        }
        self.scanning = true;
        vec![Effect::Scan]
    }

    /// Keys, by what has focus: a text field, a popup, then the screen.
    fn key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl && key.code == KeyCode::Char('c') {
            self.quit = true;
            return Vec::new();
        }
        if self.input.is_some() {
            return self.input_key(key);
        }
        if ctrl {
            return match key.code {
                KeyCode::Char('r') => self.rescan(),
                KeyCode::Char('z') => vec![Effect::Suspend],
                _ => Vec::new(),
            };
        }
        if self.popup.is_some() {
            return self.popup_key(key);
        }
        match key.code {
            KeyCode::Char('q') => {
                self.quit = true;
                return Vec::new();
            }
            KeyCode::Char('?') => {
                self.popup = Some(Popup::Help { scroll: 0 });
                return Vec::new();
            }
            KeyCode::Char(':') => {
                self.open_input(InputFor::Command, ":", String::new());
                return Vec::new();
            }
            KeyCode::Esc if self.screen != Screen::Matrix => {
                if self.screen == Screen::Findings && !self.findings.filter.is_empty() {
                    self.findings.filter.clear();
                    self.refilter();
                } else {
                    self.screen = Screen::Matrix;
                }
                return Vec::new();
            }
            _ => {}
        }
        match self.screen {
            Screen::Matrix => self.matrix_key(key),
            Screen::Findings => self.findings_key(key),
            Screen::Routing => self.routing_key(key),
            Screen::Budget => self.budget_key(key),
            Screen::TestMessage => self.test_key(key),
        }
    }

    fn rescan(&mut self) -> Vec<Effect> {
        if self.screen == Screen::Findings {
            if self.findings.loading {
                return Vec::new();
            }
            self.findings.loading = true;
            return vec![Effect::LoadFindings];
        }
        if self.scanning {
            self.toast(Level::Info, "a scan is already running");
            return Vec::new();
        }
        self.scanning = true;
        vec![Effect::Scan]
    }

    /// Under --read-only: explain, do nothing.
    fn refuse(&mut self, what: &str) -> Vec<Effect> {
        self.toast(
            Level::Warn,
            format!("read-only: {what} would change AWS; restart without --read-only"),
        );
        Vec::new()
    }

    fn open_input(&mut self, purpose: InputFor, label: &str, value: String) {
        let mut input = Input {
            purpose,
            label: label.to_string(),
            value,
            error: None,
        };
        input.error = validate(&input);
        self.input = Some(input);
    }

    pub fn goto(&mut self, screen: Screen) -> Vec<Effect> {
        self.screen = screen;
        match screen {
            Screen::Findings if !self.findings.loaded && !self.findings.loading => {
                self.findings.loading = true;
                vec![Effect::LoadFindings]
            }
            Screen::Budget => {
                self.spend = None;
                vec![Effect::LoadBudget]
            }
            _ => Vec::new(),
        }
    }

    fn matrix_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        match key.code {
            KeyCode::Up | KeyCode::Char('k') => self.row = self.row.saturating_sub(1),
            KeyCode::Down | KeyCode::Char('j') => {
                self.row = (self.row + 1).min(self.row_count().saturating_sub(1));
            }
            KeyCode::Left | KeyCode::Char('h') => self.col = self.col.saturating_sub(1),
            KeyCode::Right | KeyCode::Char('l') => self.col += 1,
            KeyCode::Char(' ') if self.env.read_only => {
                return self.refuse("marking cells to toggle");
            }
            KeyCode::Char(' ') => {
                if let Some(k) = self.cursor_key()
                    && !self.marked.remove(&k)
                {
                    self.marked.insert(k);
                }
            }
            KeyCode::Enter if self.env.read_only => return self.refuse("toggling a service"),
            KeyCode::Enter => return self.toggle(),
            KeyCode::Char('f') => return self.goto(Screen::Findings),
            KeyCode::Char('w') => return self.goto(Screen::Routing),
            KeyCode::Char('b') => return self.goto(Screen::Budget),
            KeyCode::Char('t') => return self.goto(Screen::TestMessage),
            KeyCode::Char('o') => {
                if let Some(job) = self.jobs.last() {
                    self.popup = Some(Popup::JobLog {
                        job: job.id,
                        scroll: 0,
                    });
                } else {
                    self.toast(Level::Info, "no jobs yet");
                }
            }
            _ => {}
        }
        self.col = self.col.min(self.columns_in_row() - 1);
        Vec::new()
    }

    fn managed(&self, key: &CellKey) -> bool {
        self.cells.get(key).is_some_and(|c| c.managed)
    }

    /// Enter: plan turning the marked cells (or the cursor's) on, or off when awsmon manages
    /// the first of them. Cells going the other way are left marked.
    fn toggle(&mut self) -> Vec<Effect> {
        let mut keys: Vec<CellKey> = self.marked.iter().cloned().collect();
        if keys.is_empty() {
            keys.extend(self.cursor_key());
        }
        let Some(first) = keys.first().cloned() else {
            return Vec::new();
        };
        if self.job_for(&first).is_some() {
            self.toast(Level::Info, "a job is already running for this cell");
            return Vec::new();
        }
        let destroy = self.managed(&first);
        let keys: Vec<CellKey> = keys
            .into_iter()
            .filter(|k| self.managed(k) == destroy)
            .collect();
        for k in &keys {
            self.marked.remove(k);
        }
        let mut groups: Vec<(Target, Vec<String>)> = Vec::new();
        for (region, service) in &keys {
            let target = Target::Service(*service);
            match groups.iter_mut().find(|(t, _)| *t == target) {
                Some((_, regions)) => regions.push(region.clone()),
                None => groups.push((target, vec![region.clone()])),
            }
        }
        for (target, regions) in &mut groups {
            if matches!(target, Target::Service(s) if s.is_global()) {
                regions.clear();
            }
        }
        let request = PlanRequest {
            id: self.id(),
            groups,
            destroy,
            delete_data: false,
            cells: keys,
            config: None,
        };
        self.open_plan(request)
    }

    fn open_plan(&mut self, request: PlanRequest) -> Vec<Effect> {
        self.popup = Some(Popup::Plan(PlanPopup {
            request: request.clone(),
            plan: None,
            scroll: 0,
        }));
        vec![Effect::Plan(request)]
    }

    fn popup_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Some(popup) = self.popup.take() else {
            return Vec::new();
        };
        let closes = matches!(
            key.code,
            KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q' | '?' | 'o')
        );
        match popup {
            Popup::Plan(p) => return self.plan_key(p, key),
            Popup::ConfirmData(p) => match key.code {
                KeyCode::Char('y' | 'Y') => return self.execute(p),
                _ => self.toast(Level::Info, "not applied: service data kept"),
            },
            Popup::Redrive { lines, scroll } => match key.code {
                KeyCode::Char('y' | 'Y') if self.env.read_only => {
                    return self.refuse("replaying the failure queue");
                }
                KeyCode::Char('y' | 'Y') => {
                    self.toast(Level::Info, "replaying the failure queue…");
                    return vec![Effect::Redrive];
                }
                KeyCode::Down | KeyCode::Char('j') => {
                    self.popup = Some(Popup::Redrive {
                        lines,
                        scroll: scroll.saturating_add(1),
                    });
                }
                KeyCode::Up | KeyCode::Char('k') => {
                    self.popup = Some(Popup::Redrive {
                        lines,
                        scroll: scroll.saturating_sub(1),
                    });
                }
                _ => self.toast(Level::Info, "not replayed; the queue is unchanged"),
            },
            // Help, a job's log and error text are for reading: keys scroll or close them.
            _ if closes => {}
            mut reading => {
                if let Popup::Help { scroll }
                | Popup::Message { scroll, .. }
                | Popup::JobLog { scroll, .. } = &mut reading
                {
                    match key.code {
                        KeyCode::Down | KeyCode::Char('j') => *scroll = scroll.saturating_add(1),
                        KeyCode::Up | KeyCode::Char('k') => *scroll = scroll.saturating_sub(1),
                        KeyCode::PageDown => *scroll = scroll.saturating_add(10),
                        KeyCode::PageUp => *scroll = scroll.saturating_sub(10),
                        _ => {}
                    }
                }
                self.popup = Some(reading);
            }
        }
        Vec::new()
    }

    fn plan_key(&mut self, mut p: PlanPopup, key: KeyEvent) -> Vec<Effect> {
        match key.code {
            KeyCode::Esc | KeyCode::Char('n' | 'q') => {
                self.toast(Level::Info, "cancelled; nothing changed");
                Vec::new()
            }
            KeyCode::Char('x') if p.request.destroy => {
                // Re-plan with (or without) the service data.
                p.request.delete_data = !p.request.delete_data;
                p.request.id = self.id();
                p.plan = None;
                let effect = Effect::Plan(p.request.clone());
                self.popup = Some(Popup::Plan(p));
                vec![effect]
            }
            KeyCode::Enter | KeyCode::Char('y') => match &p.plan {
                Some(Ok(plan)) if !plan.blockers.is_empty() => {
                    self.popup = Some(Popup::Plan(p));
                    self.toast(Level::Warn, "blocked: see the plan");
                    Vec::new()
                }
                Some(Ok(plan))
                    if plan
                        .steps
                        .iter()
                        .any(crate::deploy::plan::Step::is_destructive) =>
                {
                    self.popup = Some(Popup::ConfirmData(p));
                    Vec::new()
                }
                Some(Ok(_)) => self.execute(p),
                _ => {
                    self.popup = Some(Popup::Plan(p));
                    Vec::new()
                }
            },
            KeyCode::Down | KeyCode::Char('j') => {
                p.scroll = p.scroll.saturating_add(1);
                self.popup = Some(Popup::Plan(p));
                Vec::new()
            }
            KeyCode::Up | KeyCode::Char('k') => {
                p.scroll = p.scroll.saturating_sub(1);
                self.popup = Some(Popup::Plan(p));
                Vec::new()
            }
            _ => {
                self.popup = Some(Popup::Plan(p));
                Vec::new()
            }
        }
    }

    fn execute(&mut self, p: PlanPopup) -> Vec<Effect> {
        let Some(Ok(plan)) = p.plan else {
            return Vec::new();
        };
        if self.env.read_only {
            return self.refuse("applying a plan");
        }
        self.jobs.push(Job {
            id: p.request.id,
            title: p.request.title(),
            cells: p.request.cells.clone(),
            total: plan.steps.len(),
            done: 0,
            state: JobState::Running,
            log: Vec::new(),
        });
        vec![Effect::Execute {
            request: p.request,
            plan,
        }]
    }

    pub fn refilter(&mut self) {
        let f = &mut self.findings;
        let needle = f.filter.to_lowercase();
        f.view = (0..f.items.len())
            .filter(|&i| {
                if needle.is_empty() {
                    return true;
                }
                let p = &f.items[i].summary;
                [
                    p.title.as_str(),
                    p.region.as_str(),
                    p.id.as_str(),
                    p.service,
                    p.severity.as_deref().unwrap_or_default(),
                ]
                .iter()
                .any(|s| s.to_lowercase().contains(&needle))
            })
            .collect();
        match f.sort {
            Some(SortBy::Time) => {
                let items = &f.items;
                f.view
                    .sort_by(|&a, &b| items[b].summary.time.cmp(&items[a].summary.time));
            }
            Some(SortBy::Severity) => {
                let items = &f.items;
                f.view
                    .sort_by(|&a, &b| items[b].rank.total_cmp(&items[a].rank));
            }
            None => {}
        }
        f.selected = f.selected.min(f.view.len().saturating_sub(1));
    }

    pub fn selected_finding(&self) -> Option<&Finding> {
        self.findings
            .view
            .get(self.findings.selected)
            .map(|&i| &self.findings.items[i])
    }

    fn findings_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let len = self.findings.view.len();
        let sel = &mut self.findings.selected;
        match key.code {
            KeyCode::Down | KeyCode::Char('j') => *sel = (*sel + 1).min(len.saturating_sub(1)),
            KeyCode::Up | KeyCode::Char('k') => *sel = sel.saturating_sub(1),
            KeyCode::PageDown => *sel = (*sel + 10).min(len.saturating_sub(1)),
            KeyCode::PageUp => *sel = sel.saturating_sub(10),
            KeyCode::Home => *sel = 0,
            KeyCode::End => *sel = len.saturating_sub(1),
            KeyCode::Char('/') => {
                let current = self.findings.filter.clone();
                self.open_input(InputFor::FindingsFilter, "/", current);
            }
            KeyCode::Char('s') => {
                self.findings.sort = Some(match self.findings.sort {
                    Some(SortBy::Time) => SortBy::Severity,
                    _ => SortBy::Time,
                });
                self.refilter();
            }
            KeyCode::Char('x') if self.env.read_only => return self.refuse("sending a message"),
            KeyCode::Char('x') => {
                match self.findings.current.as_ref().and_then(|(_, p)| p.as_ref()) {
                    Some(p) if p.routes.is_empty() => {
                        self.toast(
                            Level::Warn,
                            "no webhook on this route: add one in routing (w)",
                        );
                    }
                    Some(p) if p.payload.is_none() || !p.decision.is_send() => {
                        self.toast(Level::Warn, "the notifier would not send this one");
                    }
                    Some(p) => return vec![Effect::SendFinding(Box::new(p.clone()))],
                    None => {}
                }
            }
            KeyCode::Char('e') => {
                if let Some(f) = self.selected_finding() {
                    let name: String = f
                        .summary
                        .id
                        .chars()
                        .map(|c| {
                            if c.is_ascii_alphanumeric() || c == '-' {
                                c
                            } else {
                                '_'
                            }
                        })
                        .rev()
                        .take(40)
                        .collect::<Vec<_>>()
                        .into_iter()
                        .rev()
                        .collect();
                    let contents =
                        serde_json::to_string_pretty(&f.event()).unwrap_or_default() + "\n";
                    return vec![Effect::WriteFile {
                        path: PathBuf::from(format!("awsmon-finding-{name}.json")),
                        contents,
                    }];
                }
            }
            _ => {}
        }
        Vec::new()
    }

    pub fn routing_rows(&self) -> Vec<RoutingRow> {
        editors::routing_rows(&self.draft)
    }

    fn routing_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let rows = self.routing_rows();
        let row = rows.get(self.routing_row).copied();
        match key.code {
            KeyCode::Down | KeyCode::Char('j') => {
                self.routing_row = (self.routing_row + 1).min(rows.len().saturating_sub(1));
            }
            KeyCode::Up | KeyCode::Char('k') => {
                self.routing_row = self.routing_row.saturating_sub(1);
            }
            KeyCode::Char('v') => self.reveal = !self.reveal,
            KeyCode::Char('a') => {
                let route = match row {
                    Some(RoutingRow::Url(r, _) | RoutingRow::AddUrl(r)) => r,
                    _ => None,
                };
                self.open_input(
                    InputFor::AddUrl(route),
                    &format!("add a webhook to {}", route_name(route)),
                    String::new(),
                );
            }
            KeyCode::Enter => match row {
                Some(RoutingRow::AddUrl(r)) => self.open_input(
                    InputFor::AddUrl(r),
                    &format!("add a webhook to {}", route_name(r)),
                    String::new(),
                ),
                Some(RoutingRow::Url(r, i)) => {
                    let current = editors::urls(&self.draft, r)
                        .get(i)
                        .map(|u| u.expose().to_string())
                        .unwrap_or_default();
                    self.open_input(
                        InputFor::EditUrl(r, i),
                        &format!("edit a webhook of {}", route_name(r)),
                        if self.reveal { current } else { String::new() },
                    );
                }
                Some(RoutingRow::Field(f)) => {
                    let current = editors::field_value(&self.draft, f);
                    self.open_input(InputFor::Field(f), f.label(), current);
                }
                None => {}
            },
            KeyCode::Char('d') => {
                if let Some(RoutingRow::Url(r, i)) = row {
                    editors::remove_url(&mut self.draft, r, i);
                    self.dirty = true;
                    self.toast(Level::Info, "webhook removed (s saves)");
                }
            }
            KeyCode::Char('s') => return self.save(true),
            _ => {}
        }
        Vec::new()
    }

    fn save(&mut self, push_routing: bool) -> Vec<Effect> {
        vec![Effect::SaveConfig {
            config: Box::new(self.draft.clone()),
            push_routing: push_routing && !self.env.read_only,
        }]
    }

    fn budget_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        match key.code {
            KeyCode::Down | KeyCode::Char('j') => {
                self.budget_row = (self.budget_row + 1).min(BudgetField::ALL.len() - 1);
            }
            KeyCode::Up | KeyCode::Char('k') => self.budget_row = self.budget_row.saturating_sub(1),
            KeyCode::Enter => {
                let f = BudgetField::ALL[self.budget_row];
                let current = editors::budget_value(&self.draft, f);
                self.open_input(InputFor::Budget(f), f.label(), current);
            }
            KeyCode::Char('a') if self.env.read_only => return self.refuse("applying the budget"),
            KeyCode::Char('a') => {
                let request = PlanRequest {
                    id: self.id(),
                    groups: vec![(Target::Service(Service::Budget), Vec::new())],
                    destroy: false,
                    delete_data: false,
                    cells: vec![(GLOBAL.to_string(), Service::Budget)],
                    config: Some(Box::new(self.draft.clone())),
                };
                return self.open_plan(request);
            }
            _ => {}
        }
        Vec::new()
    }

    fn test_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        match key.code {
            KeyCode::Down | KeyCode::Char('j') => {
                self.test.route = (self.test.route + 1).min(ROUTES.len() - 1);
            }
            KeyCode::Up | KeyCode::Char('k') => self.test.route = self.test.route.saturating_sub(1),
            KeyCode::Char('v' | 'p' | 'd') => self.test.pipeline = !self.test.pipeline,
            KeyCode::Enter if self.env.read_only => return self.refuse("sending a test message"),
            KeyCode::Enter if !self.test.running => {
                self.test.running = true;
                self.test.results.clear();
                return vec![Effect::TestMessage {
                    route: ROUTES[self.test.route],
                    via: if self.test.pipeline {
                        Via::Pipeline
                    } else {
                        Via::Direct
                    },
                }];
            }
            _ => {}
        }
        Vec::new()
    }

    fn input_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Some(mut input) = self.input.take() else {
            return Vec::new();
        };
        match key.code {
            KeyCode::Esc => {
                if input.purpose == InputFor::FindingsFilter {
                    self.findings.filter.clear();
                    self.refilter();
                }
                return Vec::new();
            }
            KeyCode::Enter => return self.commit(input),
            KeyCode::Backspace => {
                input.value.pop();
            }
            KeyCode::Char(c) => input.value.push(c),
            _ => {}
        }
        input.error = validate(&input);
        if input.purpose == InputFor::FindingsFilter {
            self.findings.filter.clone_from(&input.value);
            self.refilter();
        }
        self.input = Some(input);
        Vec::new()
    }

    fn commit(&mut self, input: Input) -> Vec<Effect> {
        if let Some(e) = validate(&input) {
            self.toast(Level::Warn, e);
            self.input = Some(Input {
                error: validate(&input),
                ..input
            });
            return Vec::new();
        }
        let value = input.value.trim().to_string();
        match input.purpose {
            InputFor::Command => return self.command(&value),
            InputFor::FindingsFilter => {}
            InputFor::AddUrl(route) => {
                if let Ok(url) = WebhookUrl::parse(&value) {
                    editors::add_url(&mut self.draft, route, url);
                    self.dirty = true;
                    self.toast(Level::Info, "webhook added (s saves)");
                }
            }
            InputFor::EditUrl(route, i) => {
                if let Ok(url) = WebhookUrl::parse(&value) {
                    editors::replace_url(&mut self.draft, route, i, url);
                    self.dirty = true;
                }
            }
            InputFor::Field(f) => {
                if editors::set_field(&mut self.draft, f, &value).is_ok() {
                    self.dirty = true;
                }
            }
            InputFor::Budget(f) => {
                if editors::set_budget(&mut self.draft, f, &value).is_ok() {
                    self.dirty = true;
                }
            }
        }
        Vec::new()
    }

    fn command(&mut self, line: &str) -> Vec<Effect> {
        let mut words = line.trim_start_matches(':').split_whitespace();
        match (words.next().unwrap_or_default(), words.next()) {
            ("matrix" | "m", _) => self.goto(Screen::Matrix),
            ("findings" | "f", _) => self.goto(Screen::Findings),
            ("routing" | "r", _) => self.goto(Screen::Routing),
            ("budget" | "b", _) => self.goto(Screen::Budget),
            ("test" | "t", _) => self.goto(Screen::TestMessage),
            ("help", _) => {
                self.popup = Some(Popup::Help { scroll: 0 });
                Vec::new()
            }
            ("rescan", _) => self.rescan(),
            ("redrive", _) if self.env.read_only => self.refuse("replaying the failure queue"),
            ("redrive", _) => {
                self.toast(Level::Info, "reading the failure queue…");
                vec![Effect::RedrivePreview]
            }
            ("notifier", _) => {
                let text = match &self.notifier {
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
                self.popup = Some(Popup::Message {
                    title: "notifier health".into(),
                    text,
                    scroll: 0,
                });
                Vec::new()
            }
            ("errors", _) => {
                let text = if self.findings.errors.is_empty() {
                    "every source of findings answered".to_string()
                } else {
                    self.findings.errors.join("\n")
                };
                self.popup = Some(Popup::Message {
                    title: "unreadable sources of findings".into(),
                    text,
                    scroll: 0,
                });
                Vec::new()
            }
            ("q" | "quit", _) => {
                self.quit = true;
                Vec::new()
            }
            ("region", Some(name)) => {
                if let Some(i) = self.regions.iter().position(|r| r.name == name) {
                    self.screen = Screen::Matrix;
                    self.row = i;
                } else {
                    self.toast(Level::Warn, format!("no region {name} in the matrix"));
                }
                Vec::new()
            }
            (other, _) => {
                self.toast(
                    Level::Warn,
                    format!("unknown command :{other} (? lists them)"),
                );
                Vec::new()
            }
        }
    }
}

pub fn route_name(route: Option<Service>) -> &'static str {
    route.map_or("default", Service::as_str)
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

/// The error to show under a text field as it is typed.
fn validate(input: &Input) -> Option<String> {
    let v = input.value.trim();
    match &input.purpose {
        InputFor::AddUrl(_) | InputFor::EditUrl(..) => {
            if v.is_empty() {
                return Some("type or paste a webhook URL".into());
            }
            WebhookUrl::parse(v).err().map(|e| e.to_string())
        }
        InputFor::Field(f) => editors::check_field(*f, v).err(),
        InputFor::Budget(f) => editors::check_budget(*f, v).err(),
        InputFor::Command | InputFor::FindingsFilter => None,
    }
}

/// What a cell looks like: a symbol and a word (readable without colour).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Look {
    Loading,
    Notifying,
    OnNotNotified,
    Off,
    /// Off, but awsmon's stack is there (e.g. an adopted detector that is suspended).
    OffWired,
    Error,
    Deploying(u16),
    NotOptedIn,
    Unsupported,
}

impl Look {
    pub fn of(cell: Option<&Cell>, job: Option<&Job>) -> Look {
        if let Some(j) = job {
            return Look::Deploying(j.percent());
        }
        let Some(c) = cell else { return Look::Loading };
        match c.state {
            State::Error => Look::Error,
            State::NotOptedIn => Look::NotOptedIn,
            State::Unsupported => Look::Unsupported,
            // The home region's hub rules notify without a spoke.
            State::Enabled | State::Partial if c.notifying => Look::Notifying,
            State::Enabled | State::Partial => Look::OnNotNotified,
            State::Disabled if c.managed => Look::OffWired,
            State::Disabled => Look::Off,
        }
    }

    pub fn text(self) -> String {
        match self {
            Look::Loading => "… scanning".into(),
            Look::Notifying => "● notifying".into(),
            Look::OnNotNotified => "◐ on, silent".into(),
            Look::Off => "○ off".into(),
            Look::OffWired => "○ off, wired".into(),
            Look::Error => "✖ error".into(),
            Look::Deploying(p) => format!("⟳ {p}%"),
            Look::NotOptedIn => "– opt-in".into(),
            Look::Unsupported => "· n/a".into(),
        }
    }
}
