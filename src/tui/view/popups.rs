//! Popups: help (from the key table), the plan with its confirmation, the red second
//! confirmation, a job's log, and full error text.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::{centred, spinner};
use crate::tui::app::{App, PlanPopup, Popup};
use crate::tui::keys::{self, KeyHint};
use crate::tui::theme::Theme;

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
            plan(app, p, theme, false),
            p.scroll,
            theme.title(),
        ),
        Popup::ConfirmData(p) => (
            " DELETE SERVICE DATA? ".to_string(),
            plan(app, p, theme, true),
            p.scroll,
            theme.err(),
        ),
        Popup::JobLog { job, scroll } => {
            let lines = app
                .jobs
                .iter()
                .find(|j| j.id == *job)
                .map(|j| {
                    let mut l: Vec<Line> = vec![Line::styled(j.title.clone(), theme.bold())];
                    l.extend(j.log.iter().map(|s| {
                        let style = if s.starts_with("FAILED") {
                            theme.err()
                        } else if s.starts_with("warning") {
                            theme.warn()
                        } else {
                            ratatui::style::Style::default()
                        };
                        Line::styled(s.clone(), style)
                    }));
                    if let crate::tui::app::JobState::Failed(r) = &j.state {
                        l.push(Line::styled(format!("failed: {r}"), theme.err()));
                    }
                    l
                })
                .unwrap_or_default();
            (
                " job log (Esc closes) ".to_string(),
                lines,
                *scroll,
                theme.dim(),
            )
        }
        Popup::Redrive { lines, scroll } => (
            " replay the failure queue? (y replays, Esc cancels) ".to_string(),
            lines.iter().map(|l| Line::raw(l.clone())).collect(),
            *scroll,
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
    // What to press is always visible, however long the plan.
    let mut block = Block::bordered().title(title).border_style(border);
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

fn hint_lines(hints: &[KeyHint], read_only: bool, theme: Theme) -> Vec<Line<'static>> {
    hints
        .iter()
        .filter(|h| !(read_only && h.mutating))
        .map(|h| {
            Line::from(vec![
                Span::styled(format!("  {:<14}", h.keys), theme.bold()),
                Span::raw(h.label.to_string()),
            ])
        })
        .collect()
}

fn help(app: &App, theme: Theme) -> Vec<Line<'static>> {
    let ro = app.env.read_only;
    let mut lines = Vec::new();
    for (name, hints) in [
        ("everywhere", keys::GLOBAL),
        ("matrix", keys::MATRIX),
        ("findings", keys::FINDINGS),
        ("routing", keys::ROUTING),
        ("budget", keys::BUDGET),
        ("test message", keys::TEST_MESSAGE),
        ("plan", keys::PLAN),
    ] {
        lines.push(Line::styled(name.to_string(), theme.title()));
        lines.extend(hint_lines(hints, ro, theme));
    }
    lines.push(Line::styled("commands", theme.title()));
    for (c, what) in keys::COMMANDS {
        lines.push(Line::from(vec![
            Span::styled(format!("  {c:<14}"), theme.bold()),
            Span::raw((*what).to_string()),
        ]));
    }
    if ro {
        lines.push(Line::styled(
            "read-only: keys that would change AWS or send messages are hidden",
            theme.warn(),
        ));
    }
    lines
}

fn plan(app: &App, p: &PlanPopup, theme: Theme, second: bool) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    match &p.plan {
        None => lines.push(Line::styled(
            format!("{} reading the account to plan…", spinner(app)),
            theme.busy(),
        )),
        Some(Err(e)) => {
            lines.push(Line::styled("cannot plan:", theme.err()));
            lines.extend(e.lines().map(|l| Line::raw(l.to_string())));
            lines.push(Line::styled("Esc closes", theme.dim()));
        }
        Some(Ok(plan)) => {
            let summary = plan.summary();
            let mut it = summary.lines();
            if let Some(head) = it.next() {
                lines.push(Line::styled(head.to_string(), theme.bold()));
            }
            for l in it {
                let style = if l.contains("DESTRUCTIVE") || l.contains("BLOCKED") {
                    theme.err()
                } else if l.contains("note:") {
                    theme.warn()
                } else {
                    ratatui::style::Style::default()
                };
                lines.push(Line::styled(l.to_string(), style));
            }
            lines.push(Line::raw(""));
            if second {
                lines.push(Line::styled(
                    "The red steps delete service data and its history for good.",
                    theme.err(),
                ));
                lines.push(Line::styled(
                    "y deletes · any other key keeps the data",
                    theme.err(),
                ));
            } else if !plan.blockers.is_empty() {
                lines.push(Line::styled(
                    "cannot apply: see BLOCKED · Esc closes",
                    theme.err(),
                ));
            } else {
                let mut hint = String::from("Enter/y applies · n/Esc cancels");
                if p.request.destroy {
                    hint.push_str(if p.request.delete_data {
                        " · x keeps service data"
                    } else {
                        " · x also deletes service data awsmon created"
                    });
                }
                lines.push(Line::styled(hint, theme.bold()));
            }
        }
    }
    lines
}
