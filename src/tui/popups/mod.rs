//! Popups: each takes the keys while it is open (its own scope in the command table) and
//! draws itself over the screen. `plan` asks before anything is deployed or destroyed; the
//! rest are for reading (help, a job's log, full error text) or confirm a redrive.

pub mod plan;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::app::{App, Effect};
use super::command::{self, Command, Scope};
use super::jobs::{JobState, Jobs};
use super::screens::{Editor, Screen};
use super::theme::Theme;
use super::ui::{Level, Ui};
use super::widgets::centred;
use plan::PlanPopup;

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
    /// A finding about to be posted: the webhooks it goes to and whom it pings; `y` sends.
    ConfirmSend(Box<awsmon_notifier::Prepared>),
    /// Leaving an editor with unsaved edits: `then` (with its `:` argument) waits for the answer.
    Unsaved {
        editor: Editor,
        then: Command,
        arg: Option<String>,
    },
}

impl Popup {
    /// Its keys in the command table.
    pub fn scope(&self) -> Scope {
        match self {
            Popup::Plan(_) => Scope::Plan,
            Popup::ConfirmData(_) => Scope::ConfirmData,
            Popup::Redrive { .. } => Scope::Redrive,
            Popup::ConfirmSend(_) => Scope::ConfirmSend,
            Popup::Unsaved { .. } => Scope::Unsaved,
            Popup::Help { .. } | Popup::JobLog { .. } | Popup::Message { .. } => Scope::Reading,
        }
    }
}

/// A key while `popup` is open (taken out of `ui`; put back unless it closes).
pub fn handle(popup: Popup, cmd: Option<Command>, ui: &mut Ui, jobs: &mut Jobs) -> Vec<Effect> {
    match popup {
        Popup::Plan(p) => plan::handle(p, cmd, ui, jobs),
        Popup::ConfirmData(p) => plan::confirm_data(p, cmd, ui, jobs),
        Popup::Redrive { lines, mut scroll } => match cmd {
            Some(Command::Confirm) => {
                ui.toast(Level::Info, "replaying the failure queue…");
                vec![Effect::Redrive]
            }
            Some(Command::Down | Command::Up) => {
                scroll = step(scroll, cmd);
                ui.popup = Some(Popup::Redrive { lines, scroll });
                Vec::new()
            }
            _ => {
                ui.toast(Level::Info, "not replayed; the queue is unchanged");
                Vec::new()
            }
        },
        // App answers this one itself: it may save and then run the waiting command.
        Popup::Unsaved { .. } => Vec::new(),
        Popup::ConfirmSend(prepared) => {
            if cmd == Some(Command::Confirm) {
                ui.toast(Level::Info, "sending to Slack…");
                vec![Effect::SendFinding(prepared)]
            } else {
                ui.toast(Level::Info, "not sent");
                Vec::new()
            }
        }
        Popup::Help { .. } | Popup::JobLog { .. } | Popup::Message { .. }
            if cmd == Some(Command::Close) =>
        {
            Vec::new()
        }
        mut reading => {
            if let Popup::Help { scroll }
            | Popup::Message { scroll, .. }
            | Popup::JobLog { scroll, .. } = &mut reading
            {
                *scroll = step(*scroll, cmd);
            }
            ui.popup = Some(reading);
            Vec::new()
        }
    }
}

fn step(scroll: u16, cmd: Option<Command>) -> u16 {
    match cmd {
        Some(Command::Down) => scroll.saturating_add(1),
        Some(Command::Up) => scroll.saturating_sub(1),
        Some(Command::PageDown) => scroll.saturating_add(10),
        Some(Command::PageUp) => scroll.saturating_sub(10),
        _ => scroll,
    }
}

pub fn draw(frame: &mut Frame, app: &App, popup: &Popup, theme: Theme, body: Rect) {
    let (title, lines, scroll, border) = match popup {
        Popup::Help { scroll } => (
            " help (Esc closes) ".to_string(),
            help(app, theme),
            *scroll,
            theme.dim(),
        ),
        Popup::Plan(p) => (
            format!(" plan: {} ", p.request.title()),
            plan::lines(app, p, theme, false),
            p.scroll,
            theme.title(),
        ),
        Popup::ConfirmData(p) => (
            " DELETE SERVICE DATA? ".to_string(),
            plan::lines(app, p, theme, true),
            p.scroll,
            theme.err(),
        ),
        Popup::JobLog { job, scroll } => (
            " job log (Esc closes) ".to_string(),
            job_log(&app.jobs, *job, theme),
            *scroll,
            theme.dim(),
        ),
        Popup::Redrive { lines, scroll } => (
            " replay the failure queue? (y replays, Esc cancels) ".to_string(),
            lines.iter().map(|l| Line::raw(l.clone())).collect(),
            *scroll,
            theme.warn(),
        ),
        Popup::ConfirmSend(p) => (
            " send this finding to Slack? (y sends, any other key cancels) ".to_string(),
            confirm_send(p, theme),
            0,
            theme.warn(),
        ),
        Popup::Unsaved { editor, .. } => (
            format!(" unsaved {} edits ", editor.screen().title()),
            unsaved(app, *editor, theme),
            0,
            theme.warn(),
        ),
        Popup::Message {
            title,
            text,
            scroll,
        } => (
            format!(" {title} (Esc closes) "),
            text.lines().map(|l| Line::raw(l.to_string())).collect(),
            *scroll,
            theme.err(),
        ),
    };
    // As tall as the text (wrapped), at most the body.
    let width = body.width.min(100);
    let inner_w = usize::from(width.saturating_sub(2)).max(1);
    let rows: usize = lines
        .iter()
        .map(|l| l.width().max(1).div_ceil(inner_w))
        .sum();
    let height = u16::try_from(rows + 2).unwrap_or(u16::MAX).max(5);
    let area = centred(body, width, height);
    frame.render_widget(Clear, area);
    // Scrolling stops at the end; a cue says when more is below or above.
    let inner_h = usize::from(area.height.saturating_sub(2));
    let max = u16::try_from(rows.saturating_sub(inner_h)).unwrap_or(u16::MAX);
    let scroll = scroll.min(max);
    // A long title (a plan for many regions) ends in "…" rather than at the border; the plan's
    // first line says it whole.
    let title = super::widgets::fit(&title, usize::from(area.width.saturating_sub(4)));
    let mut block = Block::bordered().title(title).border_style(border);
    if max > 0 {
        let cue = match (scroll > 0, scroll < max) {
            (_, true) => " ↓ more (↓ PgDn) ",
            (true, false) => " ↑ more above · the end ",
            (false, false) => "",
        };
        block = block.title_bottom(Line::styled(cue, theme.dim()).right_aligned());
    }
    // What to press is always visible, however long the plan.
    if let Popup::Plan(p) | Popup::ConfirmData(p) = popup
        && let Some(Ok(_)) = &p.plan
    {
        let keys = if matches!(popup, Popup::ConfirmData(_)) {
            " y deletes · any other key keeps the data "
        } else {
            " Enter/y applies · n/Esc cancels · ↑↓ scroll "
        };
        block = block.title_bottom(Line::styled(keys, theme.bold()));
    }
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        area,
    );
}

/// What `x` is about to do: the finding, whom it pings (a channel-wide mention in red), and
/// every webhook it goes to (masked).
fn confirm_send(p: &awsmon_notifier::Prepared, theme: Theme) -> Vec<Line<'static>> {
    let mention = match &p.decision {
        awsmon_notifier::Decision::Send { mention } => *mention,
        awsmon_notifier::Decision::Drop { .. } => awsmon_notifier::Mention::None,
    };
    let (who, style) = match mention {
        awsmon_notifier::Mention::Channel => {
            ("<!channel>: pings everyone in the channel", theme.err())
        }
        awsmon_notifier::Mention::Here => ("<!here>: pings everyone active", theme.warn()),
        awsmon_notifier::Mention::None => ("no mention", theme.dim()),
    };
    let mut lines = vec![
        Line::styled(crate::text::printable(&p.title).into_owned(), theme.bold()),
        Line::from(vec![
            Span::raw("mention: "),
            Span::styled(who.to_string(), style),
        ]),
        Line::raw(format!(
            "to {}{}:",
            crate::text::count(p.routes.len(), "webhook", "webhooks"),
            p.via
                .as_deref()
                .map(|v| format!(" (ROUTING_OVERRIDES {v})"))
                .unwrap_or_default()
        )),
    ];
    lines.extend(
        p.routes
            .iter()
            .map(|u| Line::raw(format!("  {}", u.masked_str()))),
    );
    lines
}

/// Which keys the editor changed, and what each answer does.
fn unsaved(app: &App, editor: Editor, theme: Theme) -> Vec<Line<'static>> {
    let draft = &app.draft(editor).config;
    let changed: Vec<&str> = editor
        .keys()
        .into_iter()
        .filter(|k| k.get(draft) != k.get(&app.cfg))
        .map(|k| k.name)
        .collect();
    let save = match (editor, app.env.read_only) {
        (_, true) => "read-only: they cannot be saved",
        (Editor::Routing | Editor::Rules, false) => {
            "s saves them to config.yml and pushes them to the hub"
        }
        (Editor::Budget, false) => "s plans applying them (saved once applied)",
    };
    vec![
        Line::styled(
            format!("changed, not saved: {}", changed.join(", ")),
            theme.bold(),
        ),
        Line::raw(save),
        Line::raw("d discards them · Esc stays here"),
    ]
}

fn job_log(jobs: &Jobs, id: u64, theme: Theme) -> Vec<Line<'static>> {
    let Some(j) = jobs.get(id) else {
        return Vec::new();
    };
    let mut l: Vec<Line> = vec![Line::styled(j.title.clone(), theme.bold())];
    // The verdict first: a long log must not hide how it ended.
    match &j.state {
        JobState::Failed(r) => l.push(Line::styled(format!("failed: {r}"), theme.err())),
        JobState::Unverified(_) => l.push(Line::styled(
            "applied, but not verified (the warnings below): Enter on the cell plans a repair, which deploys again from what exists",
            theme.warn(),
        )),
        JobState::Running | JobState::Succeeded(_) => {}
    }
    l.extend(j.log.iter().map(|(level, s)| {
        let style = match level {
            Level::Error => theme.err(),
            Level::Warn => theme.warn(),
            Level::Info => ratatui::style::Style::default(),
        };
        Line::styled(s.clone(), style)
    }));
    l
}

/// Every key and `:` command, from the command table.
fn help(app: &App, theme: Theme) -> Vec<Line<'static>> {
    let ro = app.env.read_only;
    let row = |keys: String, label: &str| {
        Line::from(vec![
            Span::styled(format!("  {keys:<14}"), theme.bold()),
            Span::raw(label.to_string()),
        ])
    };
    let mut lines = Vec::new();
    let org = app.cfg.org.enabled;
    for (scope, hints) in command::help(ro) {
        // The Organization's screens only exist in org mode.
        let org_only = matches!(scope, Scope::Screen(Screen::Accounts | Screen::Account));
        if hints.is_empty() || (org_only && !org) {
            continue;
        }
        lines.push(Line::styled(scope.title().to_string(), theme.title()));
        lines.extend(hints.into_iter().map(|h| row(h.keys, h.label)));
    }
    lines.push(Line::styled("commands", theme.title()));
    for (name, what) in command::command_names(ro) {
        lines.push(row(name, what));
    }
    if ro {
        lines.push(Line::styled(
            "read-only: keys that would change AWS or send messages are hidden",
            theme.warn(),
        ));
    }
    lines
}
