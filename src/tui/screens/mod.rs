//! The screens. Each file holds one screen's state, its commands (from the command table)
//! and its drawing; `App` only routes keys and results to the screen in focus.

pub mod accounts;
pub mod budget;
pub mod findings;
pub mod matrix;
pub mod routing;
pub mod test_message;

use ratatui::Frame;
use ratatui::layout::Rect;

use super::app::App;
use super::theme::Theme;
use crate::config::Config;
use crate::config::schema::{KeySpec, Kind, Slot};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Screen {
    Matrix,
    /// Org mode's home: the Organization's accounts.
    Accounts,
    /// One account of the Organization: its regions × services.
    Account,
    Findings,
    Routing,
    Budget,
    TestMessage,
}

impl Screen {
    pub const ALL: [Screen; 7] = [
        Screen::Matrix,
        Screen::Accounts,
        Screen::Account,
        Screen::Findings,
        Screen::Routing,
        Screen::Budget,
        Screen::TestMessage,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Screen::Matrix => "matrix",
            Screen::Accounts => "accounts",
            Screen::Account => "account",
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
            Screen::Accounts => "the Organization's accounts (org mode)",
            Screen::Account => "one account's regions (Enter on the accounts)",
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
        Screen::Accounts => accounts::draw(frame, app, theme, area),
        Screen::Account => accounts::draw_account(frame, app, theme, area),
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

/// The two editors. Each owns its draft and saves exactly its own keys, so an edit in one is
/// never written, pushed or applied by the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Editor {
    Routing,
    Budget,
    /// SUPPRESS, written by `m` on a finding (one rule at a time, saved at once).
    Rules,
}

impl Editor {
    pub fn screen(self) -> Screen {
        match self {
            Editor::Routing => Screen::Routing,
            Editor::Budget => Screen::Budget,
            Editor::Rules => Screen::Findings,
        }
    }

    pub fn of(screen: Screen) -> Option<Editor> {
        match screen {
            Screen::Routing => Some(Editor::Routing),
            Screen::Budget => Some(Editor::Budget),
            _ => None,
        }
    }

    /// The config.yml keys this editor writes: routing's webhooks and filters, budget's rows.
    pub fn keys(self) -> Vec<&'static KeySpec> {
        match self {
            Editor::Routing => crate::config::KEYS
                .iter()
                .filter(|k| matches!(k.slot, Slot::Route(_)) || matches!(k.kind, Kind::Overrides))
                .chain(super::editors::Field::ALL.iter().map(|f| f.spec()))
                .collect(),
            Editor::Budget => super::editors::BudgetField::ALL
                .iter()
                .map(|f| f.spec())
                .collect(),
            Editor::Rules => crate::config::KEYS
                .iter()
                .filter(|k| matches!(k.kind, Kind::Suppress))
                .collect(),
        }
    }
}

/// An editor's working copy of the config, saved or applied on request.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub config: Config,
    pub dirty: bool,
}

impl Draft {
    pub fn clean(config: &Config) -> Draft {
        Draft {
            config: config.clone(),
            dirty: false,
        }
    }

    /// `base` with `editor`'s keys as this draft has them: what its save writes.
    pub fn onto(&self, editor: Editor, base: &Config) -> Config {
        let mut out = base.clone();
        for key in editor.keys() {
            key.set(&mut out, key.get(&self.config));
        }
        out
    }

    /// The config in force changed (another editor saved): start from it, keeping this
    /// editor's unsaved edits.
    pub fn rebase(&mut self, editor: Editor, base: &Config) {
        self.config = if self.dirty {
            self.onto(editor, base)
        } else {
            base.clone()
        };
    }
}
