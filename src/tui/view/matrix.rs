//! The home screen: region × service matrix, the selected cell's detail, and the jobs.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::{fit, spinner};
use crate::inventory::GLOBAL;
use crate::tui::app::{App, GLOBALS, JobState, Look, REGIONAL};
use crate::tui::theme::Theme;

const REGION_W: usize = 16;
const CELL_W: usize = 14;

pub fn draw(frame: &mut Frame, app: &App, theme: Theme, area: Rect) {
    let jobs_h = u16::try_from(app.jobs.len().min(3)).unwrap_or(3);
    let [main, jobs] =
        Layout::vertical([Constraint::Min(5), Constraint::Length(jobs_h)]).areas(area);
    let columns = REGIONAL.len().max(GLOBALS.len());
    let matrix_w = u16::try_from(REGION_W + CELL_W * columns + 2).unwrap_or(60);
    let (grid, detail) = if main.width >= matrix_w + 40 {
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

fn look_style(look: Look, theme: Theme) -> Style {
    match look {
        Look::Notifying => theme.ok(),
        Look::OnNotNotified => theme.warn(),
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
    if app.regions.is_empty() {
        let text = if app.scanning {
            format!("{} discovering regions…", spinner(app))
        } else {
            app.scan_error
                .clone()
                .unwrap_or_else(|| "no regions".to_string())
        };
        lines.push(Line::styled(text, theme.dim()));
    }
    // Keep the cursor in view: the header and the global rows stay.
    let visible = usize::from(area.height).saturating_sub(4).max(1);
    let offset = app
        .row
        .min(app.regions.len().saturating_sub(1))
        .saturating_sub(visible - 1);
    for (i, region) in app.regions.iter().enumerate().skip(offset).take(visible) {
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
                i == app.row && c == app.col,
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
    let global_row = app.row == app.regions.len();
    for (c, service) in GLOBALS.iter().enumerate() {
        spans.push(cell_span(
            app,
            theme,
            GLOBAL,
            *service,
            global_row && c == app.col,
        ));
    }
    lines.push(Line::from(spans));
    lines.push(Line::styled(
        "● notifying ◐ silent ○ off ✖ error ⟳ busy +opt-in *marked",
        theme.dim(),
    ));
    frame.render_widget(Paragraph::new(lines), area);
}

fn cell_span<'a>(
    app: &App,
    theme: Theme,
    region: &str,
    service: awsmon_notifier::Service,
    selected: bool,
) -> Span<'a> {
    let key = (region.to_string(), service);
    let look = Look::of(app.cells.get(&key), app.job_for(&key));
    let mark = if app.marked.contains(&key) { "*" } else { "" };
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
    let Some(key) = app.cursor_key() else {
        return;
    };
    let (region, service) = &key;
    let mut lines = vec![Line::from(vec![Span::styled(
        format!("{region} · {}", service.display_name()),
        theme.bold(),
    )])];
    match app.cells.get(&key) {
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
                    (true, _) => "Enter removes awsmon's wiring (the plan comes first)",
                    (
                        false,
                        crate::inventory::State::Enabled | crate::inventory::State::Partial,
                    ) => "Enter adopts it into awsmon (the plan comes first)",
                    (false, _) => "Enter turns it on (the plan comes first)",
                };
                lines.push(Line::styled(what, theme.dim()));
            }
        }
    }
    if let Some(job) = app.job_for(&key) {
        lines.push(Line::styled(
            format!("{} {}% {}", spinner(app), job.percent(), job.title),
            theme.busy(),
        ));
    }
    let block = Block::bordered()
        .title(" detail ")
        .border_style(theme.dim());
    frame.render_widget(
        Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
        area,
    );
}

fn draw_jobs(frame: &mut Frame, app: &App, theme: Theme, area: Rect) {
    let lines: Vec<Line> = app
        .jobs
        .iter()
        .rev()
        .take(usize::from(area.height))
        .map(|j| {
            let last = j.log.last().cloned().unwrap_or_default();
            let (head, style) = match &j.state {
                JobState::Running => (
                    format!("{} {:>3}%", spinner(app), j.percent()),
                    theme.busy(),
                ),
                JobState::Succeeded(s) => (format!("✔ done: {s}"), theme.ok()),
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
