//! Org mode's home screen: the Organization's accounts × services, grouped by OU, filled in
//! as the scan's answers arrive. `/` filters by name, id or OU; Enter drills into one
//! account's region × service matrix; Esc comes back. It only reads: changes to member
//! accounts are not made from the console.

use std::collections::HashMap;

use awsmon_notifier::Service;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::inventory::{Cell, State};
use crate::org::scan::{self, AutoEnable, OrgProgress, OrgScan, Tally};
use crate::org::{AccountStatus, OrgAccount};
use crate::tui::app::{App, Effect};
use crate::tui::command::Command;
use crate::tui::screens::matrix::{Look, look_style};
use crate::tui::theme::Theme;
use crate::tui::ui::{InputFor, Ui};
use crate::tui::widgets::{fit, pane, spinner};

#[derive(Debug, Default)]
pub struct AccountsState {
    pub organization: Option<String>,
    pub regions: Vec<String>,
    /// In OU path order, then by name.
    pub accounts: Vec<OrgAccount>,
    /// Every account of the Organization, in scope or not: ROUTING_OVERRIDES resolve over
    /// these, as a push does.
    pub tree: Vec<OrgAccount>,
    /// Each account's `name id ou` in lower case, for the filter.
    haystacks: Vec<String>,
    pub cells: HashMap<String, Vec<Cell>>,
    pub auto_enable: Vec<AutoEnable>,
    pub notes: Vec<String>,
    pub scanning: bool,
    pub error: Option<String>,
    pub filter: String,
    /// Indices into `accounts` that the filter shows.
    view: Vec<usize>,
    /// Cursor over `view`.
    pub row: usize,
    /// The account drilled into, with its own cursor.
    pub drill: Option<Drill>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drill {
    pub account: String,
    pub row: usize,
    pub col: usize,
}

/// The columns: the regional services (account-wide ones are the hub account's).
fn services() -> &'static [Service] {
    &crate::services::REGIONAL
}

impl AccountsState {
    /// The accounts the routing resolves over: the whole tree once read (empty before).
    pub fn routing_accounts(&self) -> &[OrgAccount] {
        if self.tree.is_empty() {
            &self.accounts
        } else {
            &self.tree
        }
    }

    /// A scan starts: answers from the last one are dropped (they would pass for current),
    /// the accounts stay listed until the new tree replaces them.
    pub fn started(&mut self) {
        self.scanning = true;
        self.error = None;
        self.cells.clear();
        self.auto_enable.clear();
        self.notes.clear();
    }

    pub fn progress(&mut self, p: OrgProgress) {
        match p {
            OrgProgress::Regions(regions) => self.regions = regions,
            OrgProgress::Accounts {
                organization,
                accounts,
                tree,
            } => {
                self.organization = Some(organization);
                self.tree = tree;
                self.set_accounts(accounts);
            }
            OrgProgress::Cells(cells) => {
                for (account, cell) in cells {
                    self.cells.entry(account).or_default().push(cell);
                }
            }
            OrgProgress::AutoEnable(a) => self.auto_enable.push(a),
        }
    }

    /// The assembled scan replaces what was streamed (same answers, in order, with notes).
    pub fn finished(&mut self, result: Result<Box<OrgScan>, String>) {
        self.scanning = false;
        match result {
            Ok(scan) => {
                let scan = *scan;
                self.organization = Some(scan.organization);
                self.regions = scan.regions;
                self.auto_enable = scan.auto_enable;
                self.notes = scan.notes;
                let mut accounts = Vec::with_capacity(scan.accounts.len());
                self.cells = HashMap::with_capacity(scan.accounts.len());
                for a in scan.accounts {
                    self.cells.insert(a.account.id.clone(), a.cells);
                    accounts.push(a.account);
                }
                self.set_accounts(accounts);
            }
            Err(e) => self.error = Some(e),
        }
    }

    fn set_accounts(&mut self, mut accounts: Vec<OrgAccount>) {
        let keep = self.selected().map(|a| a.id.clone());
        accounts.sort_by(|a, b| a.ou_path.cmp(&b.ou_path).then(a.name.cmp(&b.name)));
        self.haystacks = accounts
            .iter()
            .map(|a| format!("{} {} {}", a.name, a.id, a.ou_path).to_lowercase())
            .collect();
        self.accounts = accounts;
        self.refilter(keep);
    }

    pub fn set_filter(&mut self, filter: &str) {
        let keep = self.selected().map(|a| a.id.clone());
        filter.clone_into(&mut self.filter);
        self.refilter(keep);
    }

    fn refilter(&mut self, keep: Option<String>) {
        let needle = self.filter.trim().to_lowercase();
        self.view = (0..self.accounts.len())
            .filter(|&i| needle.is_empty() || self.haystacks[i].contains(&needle))
            .collect();
        self.row = keep
            .and_then(|id| self.view.iter().position(|&i| self.accounts[i].id == id))
            .unwrap_or(self.row)
            .min(self.view.len().saturating_sub(1));
    }

    /// The accounts the filter shows, in order.
    pub fn visible(&self) -> impl Iterator<Item = &OrgAccount> {
        self.view.iter().map(|&i| &self.accounts[i])
    }

    pub fn selected(&self) -> Option<&OrgAccount> {
        self.view.get(self.row).map(|&i| &self.accounts[i])
    }

    fn account(&self, id: &str) -> Option<&OrgAccount> {
        self.accounts.iter().find(|a| a.id == id)
    }

    /// Regions that have answered for `account` and `service` so far.
    fn answered(&self, account: &str, service: Service) -> usize {
        self.cells
            .get(account)
            .map_or(0, |c| c.iter().filter(|c| c.service == service).count())
    }

    pub fn tally(&self, account: &str, service: Service) -> Tally {
        self.cells
            .get(account)
            .map(|c| scan::tally(c, service))
            .unwrap_or_default()
    }

    /// Esc on the list: the filter cleared; false when there was none.
    pub fn back(&mut self) -> bool {
        if self.filter.is_empty() {
            return false;
        }
        self.set_filter("");
        true
    }

    /// Opens the selected account's regions; false when no account is selected.
    pub fn open(&mut self) -> bool {
        let Some(a) = self.selected() else {
            return false;
        };
        self.drill = Some(Drill {
            account: a.id.clone(),
            row: 0,
            col: 0,
        });
        true
    }

    /// The account screen's moves.
    pub fn handle_drill(&mut self, cmd: Command) {
        let (rows, cols) = (self.regions.len(), services().len());
        if let Some(drill) = &mut self.drill {
            match cmd {
                Command::Left => drill.col = drill.col.saturating_sub(1),
                Command::Right => drill.col = (drill.col + 1).min(cols.saturating_sub(1)),
                _ => drill.row = super::step(drill.row, rows, cmd),
            }
        }
    }

    /// The list's commands (Enter is the app's: it changes screen).
    pub fn handle(&mut self, cmd: Command, ui: &mut Ui) -> Vec<Effect> {
        match cmd {
            Command::Up
            | Command::Down
            | Command::PageUp
            | Command::PageDown
            | Command::First
            | Command::Last => self.row = super::step(self.row, self.view.len(), cmd),
            Command::Filter => ui.open_input(InputFor::AccountsFilter, "/", self.filter.clone()),
            _ => {}
        }
        Vec::new()
    }
}

const ID_W: usize = 13;
// Narrow enough that the list (90 columns) and the detail pane (30) sit side by side in 120
// columns, wide enough for a name like "security-tooling" whole.
const NAME_W: usize = 17;
const CELL_W: usize = 10;

/// The list beside the selected account's detail.
pub fn draw(frame: &mut Frame, app: &App, theme: Theme, area: Rect) {
    let (main, detail) = split(area);
    draw_list(frame, app, theme, main);
    draw_account_detail(frame, app, theme, detail);
}

/// One account's region × service matrix beside the cursor cell's detail.
pub fn draw_account(frame: &mut Frame, app: &App, theme: Theme, area: Rect) {
    let (main, detail) = split(area);
    if let Some(drill) = &app.accounts.drill {
        draw_account_grid(frame, app, theme, main, drill);
        draw_cell_detail(frame, app, theme, detail, drill);
    }
}

fn split(area: Rect) -> (Rect, Rect) {
    let table_w = u16::try_from(ID_W + NAME_W + CELL_W * services().len()).unwrap_or(80);
    if area.width >= table_w + 30 {
        let [m, d] =
            Layout::horizontal([Constraint::Length(table_w), Constraint::Min(30)]).areas(area);
        (m, d)
    } else {
        let [m, d] = Layout::vertical([Constraint::Min(4), Constraint::Length(7)]).areas(area);
        (m, d)
    }
}

/// A tally still filling in (regions yet to answer) is dim and ends in "…", so "1/1" after
/// one region never reads as "on everywhere".
fn tally_span(
    tally: Tally,
    skipped: Option<AccountStatus>,
    filling: bool,
    theme: Theme,
) -> Span<'static> {
    let (text, style) = match skipped {
        Some(status) => (status.as_str().to_string(), theme.dim()),
        None if tally.total == 0 && filling => ("…".to_string(), theme.dim()),
        None if filling => (format!("{}/{}…", tally.enabled, tally.total), theme.dim()),
        None => {
            let style = if tally.total == 0 || tally.errors > 0 {
                theme.err()
            } else if tally.enabled < tally.total {
                theme.warn()
            } else {
                theme.ok()
            };
            (tally.label(), style)
        }
    };
    Span::styled(format!("{:<CELL_W$}", fit(&text, CELL_W - 1)), style)
}

fn draw_list(frame: &mut Frame, app: &App, theme: Theme, area: Rect) {
    let state = &app.accounts;
    let mut head = format!("{:<ID_W$}{:<NAME_W$}", "ACCOUNT", "NAME");
    for s in services() {
        head.push_str(&format!("{:<CELL_W$}", s.label()));
    }
    let mut lines = vec![Line::styled(head, theme.bold())];
    if state.accounts.is_empty() {
        let text = match (&state.error, state.scanning) {
            (Some(e), _) => format!("✖ {e}"),
            (None, true) => format!("{} reading the Organization…", spinner(app)),
            (None, false) => "no accounts in scope (ACCOUNTS / EXCLUDE_ACCOUNTS)".to_string(),
        };
        lines.push(Line::styled(text, theme.dim()));
    } else if state.error.is_some() {
        // The whole error is in the detail pane, which wraps.
        lines.push(Line::styled(
            "✖ the last scan failed (why: in the account pane; ctrl-r scans again)",
            theme.err(),
        ));
    }
    if !state.accounts.is_empty() && state.view.is_empty() {
        lines.push(Line::styled(
            format!("no account matches /{}", state.filter),
            theme.dim(),
        ));
    }
    // The rows: an OU heading before its first account, then the accounts.
    let mut body: Vec<(Option<usize>, Line)> = Vec::new();
    let mut ou: Option<&str> = None;
    for (i, account) in state.visible().enumerate() {
        if ou != Some(account.ou_path.as_str()) {
            ou = Some(&account.ou_path);
            let n = state
                .visible()
                .skip(i)
                .take_while(|a| a.ou_path == account.ou_path)
                .count();
            body.push((
                None,
                Line::styled(
                    format!(
                        "▾ {} · {}",
                        account.ou_path,
                        crate::text::count(n, "account", "accounts")
                    ),
                    theme.dim().add_modifier(Modifier::BOLD),
                ),
            ));
        }
        let selected = i == state.row;
        let skipped = (account.status != AccountStatus::Active).then_some(account.status);
        let mut name_style = if skipped.is_some() {
            theme.dim()
        } else {
            Style::default()
        };
        if selected {
            name_style = name_style.add_modifier(Modifier::REVERSED);
        }
        let mut spans = vec![Span::styled(
            format!(
                "{:<ID_W$}{:<NAME_W$}",
                account.id,
                fit(&account.name, NAME_W - 1)
            ),
            name_style,
        )];
        for s in services() {
            let filling =
                state.scanning && state.answered(&account.id, *s) < state.regions.len().max(1);
            spans.push(tally_span(
                state.tally(&account.id, *s),
                skipped,
                filling,
                theme,
            ));
        }
        body.push((Some(i), Line::from(spans)));
    }
    // Keep the cursor's line in view, with its heading where it fits.
    let visible = usize::from(area.height)
        .saturating_sub(lines.len() + 1)
        .max(1);
    let at = body
        .iter()
        .position(|(i, _)| *i == Some(state.row))
        .unwrap_or(0);
    let offset = at.saturating_sub(visible - 1);
    lines.extend(body.into_iter().skip(offset).take(visible).map(|(_, l)| l));
    lines.push(Line::styled(
        "k/n regions on · ⚠ some off · ✖ some unreadable",
        theme.dim(),
    ));
    frame.render_widget(Paragraph::new(lines), area);
}

/// Where `account` stands: OU, status, and per service which regions are off or unreadable.
fn draw_account_detail(frame: &mut Frame, app: &App, theme: Theme, area: Rect) {
    let state = &app.accounts;
    let mut lines = Vec::new();
    if let Some(e) = &state.error {
        lines.push(Line::styled(format!("✖ last scan: {e}"), theme.err()));
    }
    if let Some(a) = state.selected() {
        lines.push(Line::styled(format!("{} · {}", a.name, a.id), theme.bold()));
        lines.push(Line::raw(format!("{} · {}", a.ou_path, a.status.as_str())));
        if app.status.account.as_deref() == Some(a.id.as_str()) {
            lines.push(Line::styled(
                "awsmon runs here: :matrix toggles its services",
                theme.dim(),
            ));
        }
        let cells = state
            .cells
            .get(&a.id)
            .map(Vec::as_slice)
            .unwrap_or_default();
        for s in services() {
            let off: Vec<&str> = cells
                .iter()
                .filter(|c| c.service == *s && matches!(c.state, State::Disabled | State::Partial))
                .map(|c| c.region.as_str())
                .collect();
            let errors = cells
                .iter()
                .filter(|c| c.service == *s && c.state == State::Error)
                .count();
            let answered = state.answered(&a.id, *s);
            if state.scanning && answered < state.regions.len() {
                lines.push(Line::styled(
                    format!(
                        "{}: {answered} of {} regions answered…",
                        s.label(),
                        state.regions.len()
                    ),
                    theme.dim(),
                ));
                continue;
            }
            let mut text = format!("{}: {}", s.label(), state.tally(&a.id, *s).label());
            if !off.is_empty() {
                text.push_str(&format!(" · off or partial in {}", off.join(", ")));
            }
            if errors > 0 {
                text.push_str(&format!(" · {errors} unreadable"));
            }
            lines.push(Line::raw(text));
        }
    }
    // The Organization's own auto-enable settings, per service: new accounts covered or not.
    for s in services() {
        let settings: Vec<&AutoEnable> = state
            .auto_enable
            .iter()
            .filter(|a| a.service == *s)
            .collect();
        if settings.is_empty() {
            continue;
        }
        let mut by: Vec<(&str, usize)> = Vec::new();
        for a in &settings {
            match by.iter_mut().find(|(k, _)| *k == a.setting) {
                Some((_, n)) => *n += 1,
                None => by.push((&a.setting, 1)),
            }
        }
        let text: Vec<String> = by
            .iter()
            .map(|(k, n)| format!("{k} in {n} region{}", if *n == 1 { "" } else { "s" }))
            .collect();
        lines.push(Line::styled(
            format!("{} auto-enable: {}", s.label(), text.join(", ")),
            theme.dim(),
        ));
    }
    for note in &state.notes {
        lines.push(Line::styled(format!("⚠ {note}"), theme.warn()));
    }
    pane(frame, theme, "account", lines, area);
}

const REGION_W: usize = 16;

fn drilled_cell<'a>(
    app: &'a App,
    drill: &Drill,
    region: &str,
    service: Service,
) -> Option<&'a Cell> {
    app.accounts
        .cells
        .get(&drill.account)?
        .iter()
        .find(|c| c.region == region && c.service == service)
}

fn draw_account_grid(frame: &mut Frame, app: &App, theme: Theme, area: Rect, drill: &Drill) {
    let state = &app.accounts;
    let title = state.account(&drill.account).map_or_else(
        || drill.account.clone(),
        |a| format!("{} · {} · {}", a.name, a.id, a.ou_path),
    );
    let mut lines = vec![Line::styled(title, theme.bold())];
    let mut head = format!("{:<REGION_W$}", "REGION");
    for s in services() {
        head.push_str(&format!("{:<CELL_W$}", s.label()));
    }
    lines.push(Line::styled(head, theme.bold()));
    let skipped = state
        .account(&drill.account)
        .filter(|a| a.status != AccountStatus::Active);
    if let Some(a) = skipped {
        lines.push(Line::styled(
            format!("{}: not scanned", a.status.as_str()),
            theme.dim(),
        ));
    }
    let visible = usize::from(area.height).saturating_sub(3).max(1);
    let offset = drill.row.saturating_sub(visible - 1);
    for (r, region) in state.regions.iter().enumerate().skip(offset).take(visible) {
        let mut spans = vec![Span::raw(format!(
            "{:<REGION_W$}",
            fit(region, REGION_W - 1)
        ))];
        for (c, s) in services().iter().enumerate() {
            let cell = drilled_cell(app, drill, region, *s);
            // A member account's wiring is not read: "on", never "notifying" or "silent".
            let look = match cell {
                None if skipped.is_some() => Look::NotOptedIn,
                None if !state.scanning => Look::Error,
                Some(c) if c.state == State::Enabled => Look::On,
                other => Look::of(other, None),
            };
            let mut style = look_style(look, theme);
            if r == drill.row && c == drill.col {
                style = style.add_modifier(Modifier::REVERSED);
            }
            spans.push(Span::styled(
                format!("{:<CELL_W$}", fit(&look.text(), CELL_W - 1)),
                style,
            ));
        }
        lines.push(Line::from(spans));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

fn draw_cell_detail(frame: &mut Frame, app: &App, theme: Theme, area: Rect, drill: &Drill) {
    let state = &app.accounts;
    let mut lines = Vec::new();
    if let (Some(region), Some(service)) = (state.regions.get(drill.row), services().get(drill.col))
    {
        lines.push(Line::styled(
            format!("{region} · {}", service.display_name()),
            theme.bold(),
        ));
        lines.push(match drilled_cell(app, drill, region, *service) {
            Some(c) => Line::raw(format!("{}: {}", c.state.as_str(), c.detail)),
            None if state.scanning => Line::styled("waiting for the scan…", theme.dim()),
            None => Line::styled("no answer", theme.err()),
        });
    }
    let here = app.status.account.as_deref() == Some(drill.account.as_str());
    lines.push(Line::styled(
        if here {
            "awsmon runs in this account: :matrix toggles its services"
        } else {
            "read only here: member accounts change through deploys (the Organization's StackSet and auto-enable), shown in their plans"
        },
        theme.dim(),
    ));
    pane(frame, theme, "detail", lines, area);
}
