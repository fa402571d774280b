//! The one command table. Each row binds keys in a scope (everywhere, a screen, a popup) to a
//! command, with its label, whether the footer shows it, and its names on the `:` line.
//! Dispatch, the footer, the `?` help and the `:` line all read this table, so a key cannot
//! work without being listed; `Command::mutates` is the one read-only rule.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::screens::Screen;

/// What a key or a `:` name asks for. Screens and popups interpret the movement commands in
/// their own terms (a row, a cell, a scroll offset).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Command {
    Help,
    CommandLine,
    Rescan,
    Back,
    Quit,
    Suspend,
    Goto(Screen),
    /// `:region NAME`: the cursor to a region's row.
    Region,
    Redrive,
    NotifierHealth,
    /// `:digest`: the daily digest each route would receive now.
    Digest,
    SourceErrors,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    First,
    Last,
    /// Matrix: plan turning the marked cells (or the cursor's) on, off, or repairing them.
    Toggle,
    /// Matrix: plan removing awsmon's wiring from the marked cells (or the cursor's), whatever
    /// their state.
    RemoveWiring,
    Mark,
    /// Mark (or unmark) every cell of the cursor's row.
    MarkRow,
    /// Mark (or unmark) the cursor's service in every enabled region.
    MarkColumn,
    /// `:mark SERVICE all`: mark a service in every enabled region.
    MarkService,
    JobLog,
    Filter,
    Sort,
    /// Findings: send the selected finding to its routes.
    Send,
    /// Findings: scroll the Slack preview.
    PreviewDown,
    PreviewUp,
    Export,
    /// Findings: make a SUPPRESS rule from the selected finding.
    Mute,
    AddUrl,
    Edit,
    RemoveUrl,
    Reveal,
    Save,
    ApplyBudget,
    /// Test message: direct ↔ pipeline; or one of them.
    SwitchVia,
    ViaPipeline,
    ViaDirect,
    SendTest,
    /// Unsaved edits: drop them.
    Discard,
    /// Popups: apply, the service-data switch, cancel, close.
    Confirm,
    DeleteData,
    Cancel,
    Close,
}

impl Command {
    /// Changes AWS, sends a message or writes a file: hidden and refused under --read-only.
    pub fn mutates(self) -> bool {
        self.doing().is_some()
    }

    /// For a mutating command, what it does, for the read-only refusal.
    pub fn doing(self) -> Option<&'static str> {
        Some(match self {
            Command::Save => "saving config.yml and pushing the routing",
            Command::Export => "writing a file",
            Command::Mute => "saving a SUPPRESS rule and pushing the routing",
            Command::Toggle => "toggling a service",
            Command::RemoveWiring => "removing awsmon's wiring",
            Command::Mark | Command::MarkRow | Command::MarkColumn | Command::MarkService => {
                "marking cells to toggle"
            }
            Command::Send => "sending a message",
            Command::ApplyBudget => "applying the budget",
            Command::SendTest => "sending a test message",
            Command::Redrive => "replaying the failure queue",
            Command::Confirm => "applying a plan",
            Command::DeleteData => "deleting service data",
            _ => return None,
        })
    }
}

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Global,
    Screen(Screen),
    /// The plan popup (deploy or destroy, before it runs).
    Plan,
    /// The red second confirmation before service data is deleted.
    ConfirmData,
    /// What waits in the failure queue, before it is replayed.
    Redrive,
    /// A finding, its routes and its mention, before it is sent to Slack.
    ConfirmSend,
    /// Leaving an editor with unsaved edits.
    Unsaved,
    /// Help, a job's log, error text: popups for reading.
    Reading,
}

impl Scope {
    pub fn title(self) -> &'static str {
        match self {
            Scope::Global => "everywhere",
            Scope::Screen(s) => s.title(),
            Scope::Plan => "plan",
            Scope::ConfirmData => "delete service data?",
            Scope::Redrive => "redrive",
            Scope::ConfirmSend => "send to Slack?",
            Scope::Unsaved => "unsaved edits",
            Scope::Reading => "help, logs and messages",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

const fn ch(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: false,
    }
}

const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: true,
    }
}

const fn named(code: KeyCode) -> Key {
    Key { code, ctrl: false }
}

const UP: Key = named(KeyCode::Up);
const DOWN: Key = named(KeyCode::Down);
const LEFT: Key = named(KeyCode::Left);
const RIGHT: Key = named(KeyCode::Right);
const PGUP: Key = named(KeyCode::PageUp);
const PGDN: Key = named(KeyCode::PageDown);
const HOME: Key = named(KeyCode::Home);
const END: Key = named(KeyCode::End);
const ENTER: Key = named(KeyCode::Enter);
const ESC: Key = named(KeyCode::Esc);

impl Key {
    /// Letters match in either case (caps lock); ctrl must match; shift is ignored (`?`).
    pub fn matches(self, event: &KeyEvent) -> bool {
        let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl != self.ctrl {
            return false;
        }
        match (self.code, event.code) {
            (KeyCode::Char(a), KeyCode::Char(b)) => a.eq_ignore_ascii_case(&b),
            (a, b) => a == b,
        }
    }

    pub fn label(self) -> String {
        let name = match self.code {
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Char(' ') => "Space".into(),
            KeyCode::Char(c) => c.to_string(),
            other => format!("{other:?}"),
        };
        if self.ctrl {
            format!("ctrl-{name}")
        } else {
            name
        }
    }

    fn is_arrow(self) -> bool {
        matches!(
            self.code,
            KeyCode::Up | KeyCode::Down | KeyCode::Left | KeyCode::Right
        )
    }

    fn is_letter(self) -> bool {
        !self.ctrl && matches!(self.code, KeyCode::Char(c) if c.is_ascii_alphabetic())
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub scope: Scope,
    pub keys: &'static [Key],
    pub command: Command,
    pub label: &'static str,
    /// Shown in the footer (every binding is in the help).
    pub footer: bool,
    /// Its names on the `:` line, the first one shown; they work from every screen.
    pub names: &'static [&'static str],
}

const fn b(
    scope: Scope,
    keys: &'static [Key],
    command: Command,
    label: &'static str,
    footer: bool,
    names: &'static [&'static str],
) -> Binding {
    Binding {
        scope,
        keys,
        command,
        label,
        footer,
        names,
    }
}

const G: Scope = Scope::Global;
const MATRIX: Scope = Scope::Screen(Screen::Matrix);
const ACCOUNTS: Scope = Scope::Screen(Screen::Accounts);
const ACCOUNT: Scope = Scope::Screen(Screen::Account);
const FINDINGS: Scope = Scope::Screen(Screen::Findings);
const ROUTING: Scope = Scope::Screen(Screen::Routing);
const BUDGET: Scope = Scope::Screen(Screen::Budget);
const TEST: Scope = Scope::Screen(Screen::TestMessage);

/// Every key and `:` name the console answers. Order is the order of the footer and help.
pub const TABLE: &[Binding] = &[
    // Matrix.
    b(MATRIX, &[UP, ch('k')], Command::Up, "move", false, &[]),
    b(MATRIX, &[DOWN, ch('j')], Command::Down, "move", false, &[]),
    b(MATRIX, &[LEFT, ch('h')], Command::Left, "move", false, &[]),
    b(
        MATRIX,
        &[RIGHT, ch('l')],
        Command::Right,
        "move",
        false,
        &[],
    ),
    b(
        MATRIX,
        &[ENTER],
        Command::Toggle,
        "toggle (plan)",
        true,
        &[],
    ),
    b(MATRIX, &[ch(' ')], Command::Mark, "mark", true, &[]),
    b(
        MATRIX,
        &[ch('D')],
        Command::RemoveWiring,
        "remove awsmon's wiring (plan), even from a broken cell",
        false,
        &[],
    ),
    b(
        MATRIX,
        &[ch('R')],
        Command::MarkRow,
        "mark the whole row (again: unmark)",
        false,
        &[],
    ),
    b(
        MATRIX,
        &[ch('C')],
        Command::MarkColumn,
        "mark the service in every enabled region (again: unmark)",
        false,
        &[],
    ),
    b(
        MATRIX,
        &[ch('f')],
        Command::Goto(Screen::Findings),
        "findings",
        true,
        &["findings", "f"],
    ),
    b(
        MATRIX,
        &[ch('w')],
        Command::Goto(Screen::Routing),
        "routing",
        true,
        &["routing", "r"],
    ),
    b(
        MATRIX,
        &[ch('b')],
        Command::Goto(Screen::Budget),
        "budget",
        true,
        &["budget", "b"],
    ),
    b(
        MATRIX,
        &[ch('t')],
        Command::Goto(Screen::TestMessage),
        "test message",
        true,
        &["test", "t"],
    ),
    b(MATRIX, &[ch('o')], Command::JobLog, "job log", false, &[]),
    // Accounts (org mode).
    b(ACCOUNTS, &[UP, ch('k')], Command::Up, "move", false, &[]),
    b(
        ACCOUNTS,
        &[DOWN, ch('j')],
        Command::Down,
        "move",
        false,
        &[],
    ),
    b(ACCOUNTS, &[PGUP], Command::PageUp, "page", false, &[]),
    b(ACCOUNTS, &[PGDN], Command::PageDown, "page", false, &[]),
    b(ACCOUNTS, &[HOME], Command::First, "first/last", false, &[]),
    b(ACCOUNTS, &[END], Command::Last, "first/last", false, &[]),
    b(
        ACCOUNTS,
        &[ENTER],
        Command::Goto(Screen::Account),
        "its regions",
        true,
        &[],
    ),
    b(ACCOUNTS, &[ch('/')], Command::Filter, "filter", true, &[]),
    b(
        ACCOUNTS,
        &[ch('m')],
        Command::Goto(Screen::Matrix),
        "matrix (awsmon's own account)",
        true,
        &[],
    ),
    b(
        ACCOUNTS,
        &[ch('f')],
        Command::Goto(Screen::Findings),
        "findings",
        true,
        &[],
    ),
    b(
        ACCOUNTS,
        &[ch('w')],
        Command::Goto(Screen::Routing),
        "routing",
        true,
        &[],
    ),
    b(
        ACCOUNTS,
        &[ch('t')],
        Command::Goto(Screen::TestMessage),
        "test message",
        false,
        &[],
    ),
    // One account of the Organization.
    b(ACCOUNT, &[UP, ch('k')], Command::Up, "move", false, &[]),
    b(ACCOUNT, &[DOWN, ch('j')], Command::Down, "move", false, &[]),
    b(ACCOUNT, &[LEFT, ch('h')], Command::Left, "move", false, &[]),
    b(
        ACCOUNT,
        &[RIGHT, ch('l')],
        Command::Right,
        "move",
        false,
        &[],
    ),
    b(
        ACCOUNT,
        &[ESC],
        Command::Back,
        "back to the accounts",
        true,
        &[],
    ),
    b(
        ACCOUNT,
        &[ch('m')],
        Command::Goto(Screen::Matrix),
        "matrix (awsmon's own account)",
        true,
        &[],
    ),
    // Findings.
    b(FINDINGS, &[UP, ch('k')], Command::Up, "move", false, &[]),
    b(
        FINDINGS,
        &[DOWN, ch('j')],
        Command::Down,
        "move",
        false,
        &[],
    ),
    b(FINDINGS, &[PGUP], Command::PageUp, "page", false, &[]),
    b(FINDINGS, &[PGDN], Command::PageDown, "page", false, &[]),
    b(FINDINGS, &[HOME], Command::First, "first/last", false, &[]),
    b(FINDINGS, &[END], Command::Last, "first/last", false, &[]),
    b(FINDINGS, &[ch('/')], Command::Filter, "filter", true, &[]),
    b(
        FINDINGS,
        &[ch(']')],
        Command::PreviewDown,
        "scroll the Slack preview",
        false,
        &[],
    ),
    b(
        FINDINGS,
        &[ch('[')],
        Command::PreviewUp,
        "scroll the Slack preview",
        false,
        &[],
    ),
    b(
        FINDINGS,
        &[ch('s')],
        Command::Sort,
        "sort time/severity",
        true,
        &[],
    ),
    b(
        FINDINGS,
        &[ch('x')],
        Command::Send,
        "send to its routes",
        true,
        &[],
    ),
    b(
        FINDINGS,
        &[ch('e')],
        Command::Export,
        "write JSON to a file",
        true,
        &[],
    ),
    b(
        FINDINGS,
        &[ch('m')],
        Command::Mute,
        "mute: a SUPPRESS rule from it",
        true,
        &[],
    ),
    // Routing.
    b(ROUTING, &[UP, ch('k')], Command::Up, "move", false, &[]),
    b(ROUTING, &[DOWN, ch('j')], Command::Down, "move", false, &[]),
    b(ROUTING, &[ch('a')], Command::AddUrl, "add", true, &[]),
    b(ROUTING, &[ENTER], Command::Edit, "edit", true, &[]),
    b(ROUTING, &[ch('d')], Command::RemoveUrl, "remove", true, &[]),
    b(
        ROUTING,
        &[ch('v')],
        Command::Reveal,
        "reveal/mask URLs",
        true,
        &[],
    ),
    b(
        ROUTING,
        &[ch('s')],
        Command::Save,
        "save (and push to the hub)",
        true,
        &[],
    ),
    // Budget.
    b(BUDGET, &[UP, ch('k')], Command::Up, "move", false, &[]),
    b(BUDGET, &[DOWN, ch('j')], Command::Down, "move", false, &[]),
    b(BUDGET, &[ENTER], Command::Edit, "edit", true, &[]),
    b(
        BUDGET,
        &[ch('a')],
        Command::ApplyBudget,
        "apply (plan)",
        true,
        &[],
    ),
    // Test message.
    b(TEST, &[UP, ch('k')], Command::Up, "route", true, &[]),
    b(TEST, &[DOWN, ch('j')], Command::Down, "route", true, &[]),
    b(
        TEST,
        &[ch('v')],
        Command::SwitchVia,
        "direct/pipeline",
        true,
        &[],
    ),
    b(
        TEST,
        &[ch('p')],
        Command::ViaPipeline,
        "via the pipeline",
        false,
        &[],
    ),
    b(
        TEST,
        &[ch('d')],
        Command::ViaDirect,
        "direct to Slack",
        false,
        &[],
    ),
    b(TEST, &[ENTER], Command::SendTest, "send", true, &[]),
    // Popups.
    b(
        Scope::Plan,
        &[ENTER, ch('y')],
        Command::Confirm,
        "confirm",
        true,
        &[],
    ),
    b(
        Scope::Plan,
        &[ch('x')],
        Command::DeleteData,
        "also delete service data",
        true,
        &[],
    ),
    b(
        Scope::Plan,
        &[ch('n'), ESC, ch('q')],
        Command::Cancel,
        "cancel",
        true,
        &[],
    ),
    b(
        Scope::Plan,
        &[UP, ch('k')],
        Command::Up,
        "scroll",
        false,
        &[],
    ),
    b(
        Scope::Plan,
        &[DOWN, ch('j')],
        Command::Down,
        "scroll",
        false,
        &[],
    ),
    b(
        Scope::ConfirmData,
        &[ch('y')],
        Command::Confirm,
        "delete (any other key keeps the data)",
        true,
        &[],
    ),
    b(
        Scope::Redrive,
        &[ch('y')],
        Command::Confirm,
        "replay (any other key cancels)",
        true,
        &[],
    ),
    b(
        Scope::ConfirmSend,
        &[ch('y')],
        Command::Confirm,
        "send (any other key cancels)",
        true,
        &[],
    ),
    b(
        Scope::Unsaved,
        &[ch('s')],
        Command::Save,
        "save them (budget: plan applying them)",
        true,
        &[],
    ),
    b(
        Scope::Unsaved,
        &[ch('d')],
        Command::Discard,
        "discard them",
        true,
        &[],
    ),
    b(
        Scope::Unsaved,
        &[ESC, ch('n'), ch('q')],
        Command::Cancel,
        "stay",
        true,
        &[],
    ),
    b(
        Scope::Redrive,
        &[UP, ch('k')],
        Command::Up,
        "scroll",
        false,
        &[],
    ),
    b(
        Scope::Redrive,
        &[DOWN, ch('j')],
        Command::Down,
        "scroll",
        false,
        &[],
    ),
    b(
        Scope::Reading,
        &[UP, ch('k')],
        Command::Up,
        "scroll",
        false,
        &[],
    ),
    b(
        Scope::Reading,
        &[DOWN, ch('j')],
        Command::Down,
        "scroll",
        false,
        &[],
    ),
    b(Scope::Reading, &[PGUP], Command::PageUp, "page", false, &[]),
    b(
        Scope::Reading,
        &[PGDN],
        Command::PageDown,
        "page",
        false,
        &[],
    ),
    b(
        Scope::Reading,
        &[ESC, ENTER, ch('q'), ch('?'), ch('o')],
        Command::Close,
        "close",
        true,
        &[],
    ),
    // Everywhere (after a screen's own, so the footer ends with them).
    b(G, &[ch('?')], Command::Help, "help", true, &["help"]),
    b(G, &[ch(':')], Command::CommandLine, "command", false, &[]),
    b(
        G,
        &[ctrl('r')],
        Command::Rescan,
        "rescan (findings: fetch again)",
        false,
        &["rescan"],
    ),
    b(G, &[ESC], Command::Back, "back", false, &[]),
    b(G, &[ch('q')], Command::Quit, "quit", true, &["q", "quit"]),
    // Not in the footer; ctrl-c quits even from a text field.
    b(G, &[ctrl('c')], Command::Quit, "quit", false, &[]),
    b(G, &[ctrl('z')], Command::Suspend, "suspend", false, &[]),
    b(
        G,
        &[],
        Command::Goto(Screen::Matrix),
        "the region × service matrix",
        false,
        &["matrix", "m"],
    ),
    b(
        G,
        &[],
        Command::Goto(Screen::Accounts),
        "the Organization's accounts",
        false,
        &["accounts", "a"],
    ),
    b(
        G,
        &[],
        Command::Region,
        "jump to a region: :region NAME",
        false,
        &["region"],
    ),
    b(
        G,
        &[],
        Command::MarkService,
        "mark a service in every enabled region: :mark guardduty all",
        false,
        &["mark"],
    ),
    b(
        G,
        &[],
        Command::SourceErrors,
        "why some findings could not be read",
        false,
        &["errors"],
    ),
    b(
        G,
        &[],
        Command::NotifierHealth,
        "the notifier's health: errors, undelivered events, build",
        false,
        &["notifier"],
    ),
    b(
        G,
        &[],
        Command::Digest,
        "preview the daily digest each route would receive now",
        false,
        &["digest"],
    ),
    b(
        G,
        &[],
        Command::Redrive,
        "replay the notifier's failure queue (asks first)",
        false,
        &["redrive"],
    ),
];

/// The command a key means in `scope`: the scope's own binding first, then (for screens) the
/// global one. Popups take only their own keys.
pub fn for_key(scope: Scope, key: &KeyEvent) -> Option<Command> {
    let own = TABLE
        .iter()
        .find(|b| b.scope == scope && b.keys.iter().any(|k| k.matches(key)));
    let global = || {
        TABLE
            .iter()
            .find(|b| b.scope == Scope::Global && b.keys.iter().any(|k| k.matches(key)))
    };
    match scope {
        Scope::Global | Scope::Screen(_) => own.or_else(global),
        _ => own,
    }
    .map(|b| b.command)
}

/// The command a `:` line names (its first word), with the rest as its argument.
pub fn for_name(line: &str) -> Result<(Command, Option<&str>), String> {
    let line = line.trim().trim_start_matches(':');
    let mut words = line.split_whitespace();
    let name = words.next().unwrap_or_default();
    let arg = words.next();
    TABLE
        .iter()
        .find(|b| b.names.contains(&name))
        .map(|b| (b.command, arg))
        .ok_or_else(|| format!("unknown command :{name} (? lists them)"))
}

/// A help or footer line: one label with every key bound to it in a scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    pub keys: String,
    pub label: &'static str,
}

/// Consecutive bindings with one label (the four moves) become one hint; keys are shown
/// arrows first, then letters in alphabetical order, then the rest.
fn hints<'a>(rows: impl Iterator<Item = &'a Binding>) -> Vec<Hint> {
    let mut groups: Vec<(&'static str, Vec<Key>)> = Vec::new();
    for row in rows {
        match groups.last_mut() {
            Some((label, keys)) if *label == row.label => keys.extend(row.keys),
            _ => groups.push((row.label, row.keys.to_vec())),
        }
    }
    groups
        .into_iter()
        .filter(|(_, keys)| !keys.is_empty())
        .map(|(label, keys)| Hint {
            keys: key_labels(&keys),
            label,
        })
        .collect()
}

fn key_labels(keys: &[Key]) -> String {
    let arrows: String = keys
        .iter()
        .filter(|k| k.is_arrow())
        .map(|k| k.label())
        .collect();
    let mut letters: Vec<String> = keys
        .iter()
        .filter(|k| k.is_letter())
        .map(|k| k.label())
        .collect();
    // hjkl reads better than kjhl; a single letter keeps its place.
    if !arrows.is_empty() {
        letters.sort();
    }
    let letters = if arrows.is_empty() {
        letters.join(" ")
    } else {
        letters.concat()
    };
    let rest = keys
        .iter()
        .filter(|k| !k.is_arrow() && !k.is_letter())
        .map(|k| k.label());
    [arrows, letters]
        .into_iter()
        .chain(rest)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn allowed(b: &Binding, read_only: bool) -> bool {
    !(read_only && b.command.mutates())
}

/// The footer: the scope's own hints, then the global ones (a popup's alone).
pub fn footer(scope: Scope, read_only: bool) -> Vec<Hint> {
    let shown = |s: Scope| {
        TABLE
            .iter()
            .filter(move |b| b.scope == s && b.footer && allowed(b, read_only))
    };
    let mut out = hints(shown(scope));
    if matches!(scope, Scope::Screen(_)) {
        out.extend(hints(shown(Scope::Global)));
    }
    out
}

/// The help: every scope's keys, then every `:` command.
pub fn help(read_only: bool) -> Vec<(Scope, Vec<Hint>)> {
    let mut scopes: Vec<Scope> = vec![Scope::Global];
    scopes.extend(Screen::ALL.iter().map(|s| Scope::Screen(*s)));
    scopes.extend([
        Scope::Plan,
        Scope::ConfirmData,
        Scope::Redrive,
        Scope::ConfirmSend,
        Scope::Unsaved,
        Scope::Reading,
    ]);
    scopes
        .into_iter()
        .map(|s| {
            let rows = TABLE
                .iter()
                .filter(|b| b.scope == s && allowed(b, read_only));
            (s, hints(rows))
        })
        .collect()
}

/// The `:` commands with what they do (hidden when read-only forbids them).
pub fn command_names(read_only: bool) -> Vec<(String, &'static str)> {
    TABLE
        .iter()
        .filter(|b| !b.names.is_empty() && allowed(b, read_only))
        .map(|b| {
            let mut name = format!(":{}", b.names[0]);
            if b.command == Command::Region {
                name.push_str(" NAME");
            }
            let what = match b.command {
                Command::Goto(s) => s.description(),
                _ => b.label,
            };
            (name, what)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_key_means_two_things_in_one_scope() {
        for a in TABLE {
            for b in TABLE {
                if std::ptr::eq(a, b) || a.scope != b.scope {
                    continue;
                }
                for k in a.keys {
                    assert!(
                        !b.keys.contains(k),
                        "{:?} is bound twice in {:?}",
                        k.code,
                        a.scope
                    );
                }
            }
        }
    }

    #[test]
    fn every_name_is_unique() {
        let mut names: Vec<&str> = TABLE.iter().flat_map(|b| b.names.iter().copied()).collect();
        let n = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), n);
    }

    #[test]
    fn moves_read_as_one_hint() {
        let help = help(false);
        let matrix = &help
            .iter()
            .find(|(s, _)| *s == Scope::Screen(Screen::Matrix))
            .expect("the matrix has keys")
            .1;
        assert_eq!(
            matrix[0],
            Hint {
                keys: "↑↓←→ hjkl".into(),
                label: "move"
            }
        );
    }
}
