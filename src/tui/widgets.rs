//! The parts drawn on every screen: the header (account, home, hub, notifier health,
//! READ-ONLY and EMULATOR banners), the footer (from the command table), toasts and the text
//! field; and small drawing helpers.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::app::App;
use super::command::{self, Scope};
use super::theme::Theme;
use super::ui::Level;

const SPINNER: [&str; 4] = ["◐", "◓", "◑", "◒"];

pub fn spinner(app: &App) -> &'static str {
    SPINNER[app.spinner % SPINNER.len()]
}

pub fn header(frame: &mut Frame, app: &App, theme: Theme, area: Rect) {
    let mut spans = vec![Span::styled(" awsmon-tui ", theme.title())];
    // Compact enough for 80 columns: "secops@123456789012  home us-east-1  hub ready".
    spans.push(Span::raw(format!(
        "{}@{}  ",
        app.env.profile.as_deref().unwrap_or("default"),
        app.status.account.as_deref().unwrap_or("…")
    )));
    let mut part = |label: &str, value: String| {
        spans.push(Span::styled(format!("{label} "), theme.dim()));
        spans.push(Span::raw(format!("{value}  ")));
    };
    part("home", app.cfg.home_region().to_string());
    part("hub", app.status.hub.clone().unwrap_or_else(|| "…".into()));
    if let Some(e) = &app.env.endpoint {
        part("endpoint", e.clone());
    }
    spans.push(Span::styled(app.env.notifier.clone(), theme.dim()));
    if app.status.scanning {
        spans.push(Span::styled(
            format!("  {} scanning", spinner(app)),
            theme.busy(),
        ));
    }
    let mut lines = vec![Line::from(spans)];
    // The notifier's own health: red when anything needs a person (`:notifier` has detail).
    if let Some(h) = &app.status.notifier {
        let problems = h.problems();
        let (mark, style) = if problems.is_empty() {
            ("✔", theme.ok())
        } else {
            ("✖", theme.err())
        };
        let mut text = format!(" {mark} {}", h.summary());
        if let Some(first) = problems.first() {
            text.push_str(&format!("  — {first}"));
        }
        lines.push(Line::styled(text, style));
    }
    if app.env.emulator || app.env.read_only {
        let mut b = Vec::new();
        if app.env.read_only {
            b.push(Span::styled(
                " READ-ONLY: nothing will be changed ",
                theme.danger_banner(),
            ));
            b.push(Span::raw(" "));
        }
        if app.env.emulator {
            let note = app.env.slack_note.clone().unwrap_or_default();
            b.push(Span::styled(
                " EMULATOR: a local moto, not a real AWS account ",
                theme.banner(),
            ));
            b.push(Span::styled(format!(" {note}"), theme.dim()));
        }
        lines.push(Line::from(b));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

pub fn footer(frame: &mut Frame, app: &App, theme: Theme, area: Rect) {
    let mut spans = Vec::new();
    for h in command::footer(Scope::Screen(app.screen), app.env.read_only) {
        spans.push(Span::styled(h.keys, theme.bold()));
        spans.push(Span::styled(format!(" {}  ", h.label), theme.dim()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

pub fn toasts(frame: &mut Frame, app: &App, theme: Theme, body: Rect) {
    for (i, t) in app.ui.toasts.iter().rev().take(3).enumerate() {
        let (mark, style) = match t.level {
            Level::Info => ("✔", theme.ok()),
            Level::Warn => ("!", theme.warn()),
            Level::Error => ("✖", theme.err()),
        };
        let text = format!(" {mark} {} ", t.text);
        let width = u16::try_from(text.chars().count())
            .unwrap_or(u16::MAX)
            .min(body.width);
        let y = body.y + u16::try_from(i).unwrap_or(0);
        if y >= body.bottom() {
            break;
        }
        let area = Rect::new(body.right() - width, y, width, 1);
        frame.render_widget(Clear, area);
        frame.render_widget(
            Paragraph::new(Line::styled(
                text,
                style.add_modifier(ratatui::style::Modifier::REVERSED),
            )),
            area,
        );
    }
}

pub fn input(frame: &mut Frame, app: &App, theme: Theme, footer: Rect, body: Rect) {
    let Some(input) = &app.ui.input else { return };
    let error = input.error.as_deref();
    let line = Line::from(vec![
        Span::styled(format!("{} ", input.label), theme.bold()),
        Span::raw(input.value.clone()),
        Span::styled("▏", theme.busy()),
    ]);
    frame.render_widget(Clear, footer);
    frame.render_widget(Paragraph::new(line), footer);
    if let Some(e) = error
        && body.height > 0
    {
        let area = Rect::new(body.x, body.bottom() - 1, body.width, 1);
        frame.render_widget(Clear, area);
        frame.render_widget(
            Paragraph::new(Line::styled(format!("  {e}"), theme.err())),
            area,
        );
    }
}

/// A centred rectangle of at most `w`×`h` inside `area`.
pub fn centred(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// Cuts `s` to `width` characters, ending in "…" when cut.
pub fn fit(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    let mut out: String = s.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}
