//! The screens. Each file holds one screen's state, its commands (from the command table)
//! and its drawing; `App` only routes keys and results to the screen in focus.

pub mod budget;
pub mod findings;
pub mod matrix;
pub mod routing;
pub mod test_message;

use ratatui::Frame;
use ratatui::layout::Rect;

use super::app::App;
use super::theme::Theme;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Screen {
    Matrix,
    Findings,
    Routing,
    Budget,
    TestMessage,
}

impl Screen {
    pub const ALL: [Screen; 5] = [
        Screen::Matrix,
        Screen::Findings,
        Screen::Routing,
        Screen::Budget,
        Screen::TestMessage,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Screen::Matrix => "matrix",
            Screen::Findings => "findings",
            Screen::Routing => "routing",
            Screen::Budget => "budget",
            Screen::TestMessage => "test message",
        }
    }

    /// What `:name` opens, for the help.
    pub fn description(self) -> &'static str {
        match self {
            Screen::Matrix => "the region × service matrix",
            Screen::Findings => "recent findings and samples",
            Screen::Routing => "webhook routing and filters",
            Screen::Budget => "budget limit, threshold and spend",
            Screen::TestMessage => "send a test message",
        }
    }
}

pub fn draw(frame: &mut Frame, app: &App, theme: Theme, area: Rect) {
    match app.screen {
        Screen::Matrix => matrix::draw(frame, app, theme, area),
        Screen::Findings => findings::draw(frame, app, theme, area),
        Screen::Routing => routing::draw(frame, app, theme, area),
        Screen::Budget => budget::draw(frame, app, theme, area),
        Screen::TestMessage => test_message::draw(frame, app, theme, area),
    }
}

/// Moves a list cursor by a command; `len` rows.
pub fn step(selected: usize, len: usize, cmd: super::command::Command) -> usize {
    use super::command::Command;
    let last = len.saturating_sub(1);
    match cmd {
        Command::Down => (selected + 1).min(last),
        Command::Up => selected.saturating_sub(1),
        Command::PageDown => (selected + 10).min(last),
        Command::PageUp => selected.saturating_sub(10),
        Command::First => 0,
        Command::Last => last,
        _ => selected,
    }
}

/// The routing and budget editors' working copy of the config, saved or applied on request.
#[derive(Debug, Clone)]
pub struct Draft {
    pub config: crate::config::Config,
    pub dirty: bool,
}
