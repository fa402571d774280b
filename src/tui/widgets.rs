//! The parts drawn on every screen: the header (account, home, hub, notifier health,
//! READ-ONLY and EMULATOR banners), the footer (from the command table), toasts and the text
//! field; and small drawing helpers.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

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
    if app.status.scanning || app.accounts.scanning {
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
    if app.env.emulator || app.env.read_only || app.cfg.org.enabled {
        let mut b = Vec::new();
        if app.cfg.org.enabled {
            // Say which of the two a screen shows, so one account never passes for the
            // Organization.
            let text = if matches!(
                app.screen,
                super::screens::Screen::Accounts | super::screens::Screen::Account
            ) {
                let org = app.accounts.organization.as_deref().unwrap_or("…");
                format!(
                    " ORG MODE: {org}, {} in scope ",
                    crate::text::count(app.accounts.accounts.len(), "account", "accounts")
                )
            } else {
                " ORG MODE: this screen is the account awsmon runs as; :accounts shows the Organization "
                    .to_string()
            };
            b.push(Span::styled(text, theme.banner()));
            b.push(Span::raw(" "));
        }
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

/// At most this many toasts show at once, newest last.
pub const TOAST_LINES: usize = 3;

/// The newest toasts, one full line each; a line too long ends in "…".
pub fn toasts(frame: &mut Frame, app: &App, theme: Theme, area: Rect) {
    let shown = app.ui.toasts.len().min(TOAST_LINES);
    let lines: Vec<Line> = app.ui.toasts[app.ui.toasts.len() - shown..]
        .iter()
        .map(|t| {
            // ✔ is for successes only, and those say so in their own text.
            let (mark, style) = match t.level {
                Level::Info => ("›", theme.dim()),
                Level::Warn => ("!", theme.warn()),
                Level::Error => ("✖", theme.err()),
            };
            Line::styled(
                fit(&format!(" {mark} {}", t.text), usize::from(area.width)),
                style,
            )
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
}

pub fn input(frame: &mut Frame, app: &App, theme: Theme, footer: Rect, body: Rect) {
    let Some(input) = &app.ui.input else { return };
    let label = format!("{} ", input.label);
    let room = usize::from(footer.width).saturating_sub(label.chars().count());
    let (before, after) = input.window(room);
    let line = Line::from(vec![
        Span::styled(label, theme.bold()),
        Span::raw(before),
        Span::styled("▏", theme.busy()),
        Span::raw(after),
    ]);
    frame.render_widget(Clear, footer);
    frame.render_widget(Paragraph::new(line), footer);
    let under = match (&input.error, &input.warning) {
        (Some(e), _) => Some((e.as_str(), theme.err())),
        (None, Some(w)) => Some((w.as_str(), theme.warn())),
        (None, None) => None,
    };
    if let Some((text, style)) = under
        && body.height > 0
    {
        let area = Rect::new(body.x, body.bottom() - 1, body.width, 1);
        frame.render_widget(Clear, area);
        frame.render_widget(
            Paragraph::new(Line::styled(
                fit(&format!("  {text}"), usize::from(body.width)),
                style,
            )),
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

/// A bordered pane of wrapped lines under ` title ` (the screens' detail panes).
pub fn pane(frame: &mut Frame, theme: Theme, title: &str, lines: Vec<Line<'_>>, area: Rect) {
    let block = Block::bordered()
        .title(format!(" {title} "))
        .border_style(theme.dim());
    frame.render_widget(
        Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
        area,
    );
}
