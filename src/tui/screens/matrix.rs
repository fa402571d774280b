//! The home screen: the region × service matrix, the selected cell's detail and the jobs.
//! Enter plans turning the marked cells (or the cursor's) on or off; Space marks.

use std::collections::{BTreeSet, HashMap};

use awsmon_notifier::Service;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::aws::regions::RegionInfo;
use crate::deploy::plan::Target;
use crate::inventory::{Cell, GLOBAL, State};
use crate::tui::app::{App, Effect};
use crate::tui::command::Command;
use crate::tui::jobs::{Job, JobState, Jobs};
use crate::tui::popups::Popup;
use crate::tui::popups::plan::PlanRequest;
use crate::tui::theme::Theme;
use crate::tui::ui::{Level, Ui};
use crate::tui::widgets::{fit, pane, spinner};

pub type CellKey = (String, Service);

/// The columns: regional services, then account-wide ones (from the registry).
pub use crate::services::{GLOBALS, REGIONAL};

#[derive(Debug, Default)]
pub struct MatrixState {
    pub regions: Vec<RegionInfo>,
    pub cells: HashMap<CellKey, Cell>,
    /// Cursor: row (regions, then the global row) and column.
    pub row: usize,
    pub col: usize,
    pub marked: BTreeSet<CellKey>,
}

impl MatrixState {
    /// Rows: each region, then the global row.
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

    /// Every cell of the cursor's row.
    fn row_keys(&self) -> Vec<CellKey> {
        if self.row < self.regions.len() {
            let region = &self.regions[self.row].name;
            REGIONAL.iter().map(|s| (region.clone(), *s)).collect()
        } else {
            GLOBALS.iter().map(|s| (GLOBAL.to_string(), *s)).collect()
        }
    }

    /// `:mark SERVICE all`: the service marked in every enabled region; how many regions.
    pub fn mark_everywhere(&mut self, service: Service) -> usize {
        let keys: Vec<CellKey> = self
            .regions
            .iter()
            .filter(|r| r.enabled)
            .map(|r| (r.name.clone(), service))
            .collect();
        let n = keys.len();
        self.marked.extend(keys);
        n
    }

    /// The cursor's service in every region that is enabled (a global service: its one cell).
    fn column_keys(&self) -> Vec<CellKey> {
        match self.cursor_key() {
            Some((_, service)) if self.row < self.regions.len() => self
                .regions
                .iter()
                .filter(|r| r.enabled)
                .map(|r| (r.name.clone(), service))
                .collect(),
            other => other.into_iter().collect(),
        }
    }

    fn columns_in_row(&self) -> usize {
        if self.row < self.regions.len() {
            REGIONAL.len()
        } else {
            GLOBALS.len()
        }
    }

    pub fn set_regions(&mut self, regions: Vec<RegionInfo>) {
        self.regions = regions;
        self.row = self.row.min(self.row_count().saturating_sub(1));
    }

    pub fn insert(&mut self, cell: Cell) {
        let region = if cell.service.is_global() {
            GLOBAL.to_string()
        } else {
            cell.region.clone()
        };
        self.cells.insert((region, cell.service), cell);
    }

    /// `:region NAME`: true when the region is in the matrix.
    pub fn goto_region(&mut self, name: &str) -> bool {
        match self.regions.iter().position(|r| r.name == name) {
            Some(i) => {
                self.row = i;
                true
            }
            None => false,
        }
    }

    fn managed(&self, key: &CellKey) -> bool {
        self.cells.get(key).is_some_and(|c| c.managed)
    }

    /// Which way Enter takes a cell: off only when awsmon manages it and it is fully on; a
    /// managed cell that is not on (suspended, half-deployed, unreadable) is repaired.
    fn enter_goes(&self, key: &CellKey) -> Way {
        match self.cells.get(key) {
            Some(c) if c.managed && c.state == State::Enabled => Way::Off,
            Some(c) if c.managed => Way::Repair,
            _ => Way::On,
        }
    }

    pub fn handle(&mut self, cmd: Command, ui: &mut Ui, jobs: &Jobs) -> Vec<Effect> {
        match cmd {
            Command::Up => self.row = self.row.saturating_sub(1),
            Command::Down => self.row = (self.row + 1).min(self.row_count().saturating_sub(1)),
            Command::Left => self.col = self.col.saturating_sub(1),
            Command::Right => self.col += 1,
            Command::Mark => {
                if let Some(k) = self.cursor_key()
                    && !self.marked.remove(&k)
                {
                    self.marked.insert(k);
                }
            }
            Command::MarkRow | Command::MarkColumn => {
                let keys = if cmd == Command::MarkRow {
                    self.row_keys()
                } else {
                    self.column_keys()
                };
                // Marking GuardDuty in 17 regions is the common case: one key, not 17.
                if keys.iter().all(|k| self.marked.contains(k)) {
                    for k in &keys {
                        self.marked.remove(k);
                    }
                } else {
                    self.marked.extend(keys);
                }
            }
            Command::Toggle => return self.toggle(ui, jobs, None),
            Command::RemoveWiring => return self.toggle(ui, jobs, Some(Way::Off)),
            Command::JobLog => match jobs.list.last() {
                Some(job) => {
                    ui.popup = Some(Popup::JobLog {
                        job: job.id,
                        scroll: 0,
                    });
                }
                None => ui.toast(Level::Info, "no jobs yet"),
            },
            _ => {}
        }
        self.col = self.col.min(self.columns_in_row() - 1);
        Vec::new()
    }

    /// Plans the marked cells (or the cursor's) the way Enter takes the first of them (`way`
    /// forces one: `D` removes the wiring). Cells going another way stay marked for a plan of
    /// their own, and a toast says which. Marks are cleared when the plan runs (Esc on the plan
    /// keeps them).
    fn toggle(&mut self, ui: &mut Ui, jobs: &Jobs, way: Option<Way>) -> Vec<Effect> {
        let mut keys: Vec<CellKey> = self.marked.iter().cloned().collect();
        if keys.is_empty() {
            keys.extend(self.cursor_key());
        }
        let Some(first) = keys.first().cloned() else {
            return Vec::new();
        };
        if jobs.for_cell(&first).is_some() {
            ui.toast(Level::Info, "a job is already running for this cell");
            return Vec::new();
        }
        if way.is_none()
            && keys.len() == 1
            && self
                .cells
                .get(&first)
                .is_some_and(|c| c.state == State::Error && !c.managed)
        {
            ui.toast(
                Level::Warn,
                "its state could not be read, so there is nothing to plan: ctrl-r scans again",
            );
            return Vec::new();
        }
        let forced = way.is_some();
        let way = way.unwrap_or_else(|| self.enter_goes(&first));
        // Removing goes only where awsmon has wiring; turning on and repairing both deploy, so
        // they share a plan.
        let fits = |k: &CellKey| match way {
            Way::Off if forced => self.managed(k),
            Way::Off => self.enter_goes(k) == Way::Off,
            Way::On | Way::Repair => self.enter_goes(k) != Way::Off,
        };
        let (keys, other_way): (Vec<CellKey>, Vec<CellKey>) = keys.into_iter().partition(fits);
        if keys.is_empty() {
            ui.toast(Level::Info, "awsmon has no wiring there to remove");
            return Vec::new();
        }
        let destroy = way == Way::Off;
        if !other_way.is_empty() {
            let names: Vec<String> = other_way
                .iter()
                .take(3)
                .map(|(region, service)| format!("{service} in {region}"))
                .collect();
            let more = other_way.len().saturating_sub(names.len());
            let one = other_way.len() == 1;
            let why = match (destroy, forced, one) {
                (true, true, _) => "awsmon has no wiring there",
                (true, false, true) => "it needs turning on or repairing, not removing",
                (true, false, false) => "they need turning on or repairing, not removing",
                (false, _, true) => "it is on and managed by awsmon",
                (false, _, false) => "they are on and managed by awsmon",
            };
            ui.toast(
                Level::Info,
                format!(
                    "{} left out of this plan because {why} ({}{}); {}: Enter again plans {}",
                    crate::text::count(other_way.len(), "marked cell", "marked cells"),
                    names.join(", "),
                    if more > 0 {
                        format!(" and {more} more")
                    } else {
                        String::new()
                    },
                    if one {
                        "it stays marked"
                    } else {
                        "they stay marked"
                    },
                    if one { "it" } else { "them" },
                ),
            );
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
            id: ui.id(),
            groups,
            destroy,
            delete_data: false,
            cells: keys,
            config: None,
        };
        ui.open_plan(request)
    }
}

/// Where a plan takes a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Way {
    On,
    /// Deploy again over awsmon's wiring: the service is not on although awsmon manages it.
    Repair,
    Off,
}

/// What a cell looks like: a symbol and a word (readable without colour).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Look {
    Loading,
    /// On, with awsmon's wiring not read (a member account in org mode).
    On,
    Notifying,
    OnNotNotified,
    /// On for only part of what it covers (Inspector with some resource types off): never
    /// shown as fully notifying.
    Partial,
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
            State::Partial => Look::Partial,
            // The home region's hub rules notify without a spoke.
            State::Enabled if c.notifying => Look::Notifying,
            State::Enabled => Look::OnNotNotified,
            State::Disabled if c.managed => Look::OffWired,
            State::Disabled => Look::Off,
        }
    }

    pub fn text(self) -> String {
        match self {
            Look::Loading => "… scan".into(),
            Look::On => "✓ on".into(),
            Look::Notifying => "● notify".into(),
            Look::OnNotNotified => "◐ silent".into(),
            Look::Partial => "◑ partial".into(),
            Look::Off => "○ off".into(),
            Look::OffWired => "○ wired".into(),
            Look::Error => "✖ error".into(),
            Look::Deploying(p) => format!("⟳ {p}%"),
            Look::NotOptedIn => "– opt-in".into(),
            Look::Unsupported => "· n/a".into(),
        }
    }
}

const REGION_W: usize = 16;
// The longest state ("◑ partial") and a space: six services fit 80 columns, and the detail
// pane still fits beside them in 120.
const CELL_W: usize = 10;

pub fn draw(frame: &mut Frame, app: &App, theme: Theme, area: Rect) {
    let jobs_h = u16::try_from(app.jobs.list.len().min(3)).unwrap_or(3);
    let [main, jobs] =
        Layout::vertical([Constraint::Min(5), Constraint::Length(jobs_h)]).areas(area);
    let columns = REGIONAL.len().max(GLOBALS.len());
    let matrix_w = u16::try_from(REGION_W + CELL_W * columns + 2).unwrap_or(60);
    let (grid, detail) = if main.width >= matrix_w + 36 {
        let [g, d] =
            Layout::horizontal([Constraint::Length(matrix_w), Constraint::Min(20)]).areas(main);
        (g, d)
    } else {
        let [g, d] = Layout::vertical([Constraint::Min(4), Constraint::Length(6)]).areas(main);
        (g, d)
    };
    draw_grid(frame, app, theme, grid);
    draw_detail(frame, app, theme, detail);
    draw_jobs(frame, app, theme, jobs);
}

pub fn look_style(look: Look, theme: Theme) -> Style {
    match look {
        Look::Notifying | Look::On => theme.ok(),
        Look::OnNotNotified | Look::Partial => theme.warn(),
        Look::Error => theme.err(),
        Look::Deploying(_) => theme.busy(),
        Look::Off | Look::OffWired | Look::Loading | Look::NotOptedIn | Look::Unsupported => {
            theme.dim()
        }
    }
}

fn draw_grid(frame: &mut Frame, app: &App, theme: Theme, area: Rect) {
    let mut lines = Vec::new();
    let mut head = format!("{:<REGION_W$}", "REGION");
    for s in REGIONAL.iter() {
        head.push_str(&format!("{:<CELL_W$}", s.label()));
    }
    lines.push(Line::styled(head, theme.bold()));
    if app.matrix.regions.is_empty() {
        let text = if app.status.scanning {
            format!("{} discovering regions…", spinner(app))
        } else {
            app.status
                .scan_error
                .clone()
                .unwrap_or_else(|| "no regions".to_string())
        };
        lines.push(Line::styled(text, theme.dim()));
    }
    // Keep the cursor in view: the header and the global rows stay.
    let visible = usize::from(area.height).saturating_sub(4).max(1);
    let offset = app
        .matrix
        .row
        .min(app.matrix.regions.len().saturating_sub(1))
        .saturating_sub(visible - 1);
    for (i, region) in app
        .matrix
        .regions
        .iter()
        .enumerate()
        .skip(offset)
        .take(visible)
    {
        let name = if region.opt_in {
            format!("{}+", region.name)
        } else {
            region.name.clone()
        };
        let mut spans = vec![Span::raw(format!(
            "{:<REGION_W$}",
            fit(&name, REGION_W - 1)
        ))];
        for (c, service) in REGIONAL.iter().enumerate() {
            spans.push(cell_span(
                app,
                theme,
                &region.name,
                *service,
                i == app.matrix.row && c == app.matrix.col,
            ));
        }
        lines.push(Line::from(spans));
    }
    let mut head = format!("{:<REGION_W$}", "");
    for s in GLOBALS.iter() {
        head.push_str(&format!("{:<CELL_W$}", s.label()));
    }
    lines.push(Line::styled(head, theme.bold()));
    let mut spans = vec![Span::raw(format!("{:<REGION_W$}", "global"))];
    let global_row = app.matrix.row == app.matrix.regions.len();
    for (c, service) in GLOBALS.iter().enumerate() {
        spans.push(cell_span(
            app,
            theme,
            GLOBAL,
            *service,
            global_row && c == app.matrix.col,
        ));
    }
    lines.push(Line::from(spans));
    // Within the grid's width (78 columns beside the detail pane); error and busy cells
    // spell themselves out.
    lines.push(Line::styled(
        "● notifying ◐ on, silent ◑ partial ○ off (wired: rules left) +opt-in *marked",
        theme.dim(),
    ));
    frame.render_widget(Paragraph::new(lines), area);
}

fn cell_span<'a>(
    app: &App,
    theme: Theme,
    region: &str,
    service: Service,
    selected: bool,
) -> Span<'a> {
    let key = (region.to_string(), service);
    let look = Look::of(app.matrix.cells.get(&key), app.jobs.for_cell(&key));
    let mark = if app.matrix.marked.contains(&key) {
        "*"
    } else {
        ""
    };
    let text = format!("{mark}{}", look.text());
    let mut style = look_style(look, theme);
    if selected {
        style = style.add_modifier(Modifier::REVERSED);
    }
    if !mark.is_empty() {
        style = style.add_modifier(Modifier::BOLD);
    }
    Span::styled(format!("{:<CELL_W$}", fit(&text, CELL_W - 1)), style)
}

fn draw_detail(frame: &mut Frame, app: &App, theme: Theme, area: Rect) {
    let Some(key) = app.matrix.cursor_key() else {
        return;
    };
    let (region, service) = &key;
    let mut lines = vec![Line::from(vec![Span::styled(
        format!("{region} · {}", service.display_name()),
        theme.bold(),
    )])];
    match app.matrix.cells.get(&key) {
        None => lines.push(Line::styled("waiting for the scan…", theme.dim())),
        Some(c) => {
            lines.push(Line::raw(format!("{}: {}", c.state.as_str(), c.detail)));
            let yes = |b: bool| if b { "yes" } else { "no" };
            lines.push(Line::styled(
                format!(
                    "managed by awsmon: {} · notifying: {}",
                    yes(c.managed),
                    yes(c.notifying)
                ),
                theme.dim(),
            ));
            if !app.env.read_only {
                let what = match (c.managed, c.state) {
                    (true, State::Enabled) => {
                        "Enter removes awsmon's wiring (the plan comes first)"
                    }
                    (true, _) => {
                        "Enter repairs it: deploys again from what exists · D removes awsmon's wiring (plans first)"
                    }
                    (false, State::Error) => "its state could not be read: ctrl-r scans again",
                    (false, State::Enabled | State::Partial) => {
                        "Enter adopts it into awsmon (the plan comes first)"
                    }
                    (false, _) => "Enter turns it on (the plan comes first)",
                };
                lines.push(Line::styled(what, theme.dim()));
            }
        }
    }
    if let Some(job) = app.jobs.for_cell(&key) {
        lines.push(Line::styled(
            format!("{} {}% {}", spinner(app), job.percent(), job.title),
            theme.busy(),
        ));
    }
    pane(frame, theme, "detail", lines, area);
}

fn draw_jobs(frame: &mut Frame, app: &App, theme: Theme, area: Rect) {
    let lines: Vec<Line> = app
        .jobs
        .list
        .iter()
        .rev()
        .take(usize::from(area.height))
        .map(|j| {
            let mut last = j.log.last().map(|(_, l)| l.clone()).unwrap_or_default();
            let (head, style) = match &j.state {
                JobState::Running => (
                    format!("{} {:>3}%", spinner(app), j.percent()),
                    theme.busy(),
                ),
                JobState::Succeeded(s) => (format!("✔ done: {s}"), theme.ok()),
                JobState::Unverified(w) => {
                    last.clone_from(w);
                    ("⚠ not verified".to_string(), theme.warn())
                }
                JobState::Failed(r) => (
                    format!("✖ failed: {}", r.lines().next().unwrap_or_default()),
                    theme.err(),
                ),
            };
            Line::from(vec![
                Span::styled(format!("{head} "), style),
                Span::raw(j.title.clone()),
                Span::styled(format!("  {last}"), theme.dim()),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
}
