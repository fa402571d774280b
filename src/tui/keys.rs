//! The one key table: the footer hints and the help popup are both drawn from it, so they never
//! disagree. Mutating keys are marked; under --read-only they are hidden and refused.

use super::app::Screen;

#[derive(Debug, Clone, Copy)]
pub struct KeyHint {
    pub keys: &'static str,
    pub label: &'static str,
    /// Changes AWS or sends a message: hidden and refused under --read-only.
    pub mutating: bool,
    /// Shown in the footer (the rest only in help).
    pub footer: bool,
}

const fn k(keys: &'static str, label: &'static str, mutating: bool, footer: bool) -> KeyHint {
    KeyHint {
        keys,
        label,
        mutating,
        footer,
    }
}

pub const GLOBAL: &[KeyHint] = &[
    k("?", "help", false, true),
    k(":", "command", false, false),
    k("ctrl-r", "rescan", false, false),
    k("Esc", "back", false, false),
    k("q", "quit", false, true),
    k("ctrl-c", "quit", false, false),
    k("ctrl-z", "suspend", false, false),
];

pub const MATRIX: &[KeyHint] = &[
    k("↑↓←→ hjkl", "move", false, false),
    k("Enter", "toggle (plan)", true, true),
    k("Space", "mark", true, true),
    k("f", "findings", false, true),
    k("w", "routing", false, true),
    k("b", "budget", false, true),
    k("t", "test message", false, true),
    k("o", "job log", false, false),
];

pub const FINDINGS: &[KeyHint] = &[
    k("↑↓ PgUp PgDn", "move", false, false),
    k("/", "filter", false, true),
    k("s", "sort time/severity", false, true),
    k("x", "send to its routes", true, true),
    k("e", "write JSON to a file", false, true),
];

pub const ROUTING: &[KeyHint] = &[
    k("↑↓", "move", false, false),
    k("a", "add URL", false, true),
    k("Enter", "edit", false, true),
    k("d", "remove URL", false, true),
    k("v", "reveal/mask URLs", false, true),
    k("s", "save (and push to the hub)", false, true),
];

pub const BUDGET: &[KeyHint] = &[
    k("↑↓", "move", false, false),
    k("Enter", "edit", false, true),
    k("a", "apply (plan)", true, true),
];

pub const TEST_MESSAGE: &[KeyHint] = &[
    k("↑↓", "route", false, true),
    k("v", "direct/pipeline", false, true),
    k("Enter", "send", true, true),
];

pub const PLAN: &[KeyHint] = &[
    k("Enter y", "confirm", true, true),
    k("x", "also delete service data", true, true),
    k("n Esc", "cancel", false, true),
];

pub const COMMANDS: &[(&str, &str)] = &[
    (":matrix", "the region × service matrix"),
    (":findings", "recent findings and samples"),
    (":routing", "webhook routing and filters"),
    (":budget", "budget limit, threshold and spend"),
    (":test", "send a test message"),
    (":region NAME", "jump to a region"),
    (":rescan", "scan again (findings: fetch again)"),
    (":errors", "why some findings could not be read"),
    (
        ":notifier",
        "the notifier's health: errors, undelivered events, build",
    ),
    (
        ":redrive",
        "replay the notifier's failure queue (asks first)",
    ),
    (":q", "quit"),
];

pub fn for_screen(screen: Screen) -> &'static [KeyHint] {
    match screen {
        Screen::Matrix => MATRIX,
        Screen::Findings => FINDINGS,
        Screen::Routing => ROUTING,
        Screen::Budget => BUDGET,
        Screen::TestMessage => TEST_MESSAGE,
    }
}

/// The footer's hints for a screen: its own, then the global ones; mutating ones only when
/// allowed.
pub fn footer(screen: Screen, read_only: bool) -> Vec<KeyHint> {
    for_screen(screen)
        .iter()
        .chain(GLOBAL)
        .filter(|h| h.footer && !(read_only && h.mutating))
        .copied()
        .collect()
}
