//! Drawing: reads the state, never changes it, never does I/O. The header, the screen, the
//! footer (from the command table), then toasts, the text field and popups on top.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};

use super::app::App;
use super::theme::Theme;
use super::{popups, screens, widgets};

pub fn draw(frame: &mut Frame, app: &App, theme: Theme) {
    let area = frame.area();
    let banner = u16::from(app.env.emulator || app.env.read_only || app.cfg.org.enabled);
    let health = u16::from(app.status.notifier.is_some());
    // Toasts get their own lines above the footer, so they never cover a border, a header
    // or a cell; the screen gives up those lines while they show.
    let toasts = u16::try_from(app.ui.toasts.len().min(widgets::TOAST_LINES)).unwrap_or(0);
    let [header, body, toast_area, footer] = Layout::vertical([
        Constraint::Length(1 + banner + health),
        Constraint::Min(3),
        Constraint::Length(toasts),
        Constraint::Length(1),
    ])
    .areas(area);
    widgets::header(frame, app, theme, header);
    screens::draw(frame, app, theme, body);
    widgets::footer(frame, app, theme, footer);
    widgets::toasts(frame, app, theme, toast_area);
    if app.ui.input.is_some() {
        widgets::input(frame, app, theme, footer, body);
    }
    if let Some(p) = &app.ui.popup {
        popups::draw(frame, app, p, theme, body);
    }
}
