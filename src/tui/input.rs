//! The one-line text field: editing like a shell line (cursor, Home/End, ctrl-u, ctrl-w,
//! ctrl-k, paste), the part of it that fits, and the error or warning shown as it is typed.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::editors;
use super::ui::{Input, InputFor};
use crate::config::Config;

/// The error to show under a text field as it is typed.
/// Checked against the draft, so rules that span keys (e.g. private webhooks) hold as typed.
pub fn validate(draft: &Config, input: &Input) -> Option<String> {
    let v = input.value.trim();
    match &input.purpose {
        InputFor::AddUrl(_) | InputFor::EditUrl(..) | InputFor::OverrideUrl(..) => {
            editors::check_url(draft, v).err()
        }
        InputFor::AddOverride => editors::check_override_target(draft, v).err(),
        InputFor::OverrideSeverity(_) => editors::check_min_severity(v).err(),
        InputFor::Field(f) => editors::check_field_in(draft, *f, v).err(),
        InputFor::Budget(f) => editors::check_budget_in(draft, *f, v).err(),
        InputFor::ExportPath if v.is_empty() => Some("type a file path".to_string()),
        InputFor::Rule(f) => editors::check_rule_field(*f, v).err(),
        InputFor::Command
        | InputFor::FindingsFilter
        | InputFor::AccountsFilter
        | InputFor::ExportPath => None,
    }
}

/// What is allowed but probably not meant, shown under the field (Enter still takes it).
pub fn warn(draft: &Config, input: &Input) -> Option<String> {
    match &input.purpose {
        InputFor::Field(f) => editors::warn_field_in(draft, *f, input.value.trim()),
        InputFor::AddOverride => editors::warn_override_target(draft, input.value.trim()),
        _ => None,
    }
}

impl Input {
    /// Applies an editing key; false when the key is not an editing key.
    pub fn edit(&mut self, key: &KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match (key.code, ctrl) {
            (KeyCode::Left, _) | (KeyCode::Char('b'), true) => self.cursor = self.prev(),
            (KeyCode::Right, _) | (KeyCode::Char('f'), true) => self.cursor = self.next(),
            (KeyCode::Home, _) | (KeyCode::Char('a'), true) => self.cursor = 0,
            (KeyCode::End, _) | (KeyCode::Char('e'), true) => self.cursor = self.value.len(),
            (KeyCode::Backspace, _) | (KeyCode::Char('h'), true) => {
                let from = self.prev();
                self.value.replace_range(from..self.cursor, "");
                self.cursor = from;
            }
            (KeyCode::Delete, _) | (KeyCode::Char('d'), true) => {
                let to = self.next();
                self.value.replace_range(self.cursor..to, "");
            }
            (KeyCode::Char('u'), true) => {
                self.value.replace_range(..self.cursor, "");
                self.cursor = 0;
            }
            (KeyCode::Char('k'), true) => self.value.truncate(self.cursor),
            // The word before the cursor, and the spaces after it, as a shell does.
            (KeyCode::Char('w'), true) => {
                let before = &self.value[..self.cursor];
                let trimmed = before.trim_end_matches(' ');
                let from = trimmed.rfind([' ', ',', '/']).map_or(0, |i| i + 1);
                self.value.replace_range(from..self.cursor, "");
                self.cursor = from;
            }
            (KeyCode::Char(c), false) => self.insert(&c.to_string()),
            _ => return false,
        }
        true
    }

    /// Pasted text, as one line (a newline in a URL is never meant).
    pub fn insert(&mut self, text: &str) {
        let line: String = text.chars().filter(|c| !c.is_control()).collect();
        self.value.insert_str(self.cursor, &line);
        self.cursor += line.len();
    }

    fn prev(&self) -> usize {
        self.value[..self.cursor]
            .char_indices()
            .next_back()
            .map_or(0, |(i, _)| i)
    }

    fn next(&self) -> usize {
        self.value[self.cursor..]
            .chars()
            .next()
            .map_or(self.cursor, |c| self.cursor + c.len_utf8())
    }

    /// The part of the value shown in `width` columns, split at the cursor, scrolled so the
    /// cursor is always visible (the start shows when it fits).
    pub fn window(&self, width: usize) -> (String, String) {
        let chars: Vec<char> = self.value.chars().collect();
        let at = self.value[..self.cursor].chars().count();
        let width = width.max(2);
        let start = (at + 1).saturating_sub(width);
        let end = (start + width - 1).min(chars.len());
        let before: String = chars[start..at].iter().collect();
        let after: String = chars[at..end.max(at)].iter().collect();
        (before, after)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(value: &str) -> Input {
        Input {
            purpose: InputFor::Command,
            label: String::new(),
            value: value.to_string(),
            cursor: value.len(),
            error: None,
            warning: None,
        }
    }

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn ctrl(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    #[test]
    fn edits_like_a_shell_line() {
        let mut i = input("https://hooks.slack.com/services/T0/B0/x");
        i.edit(&ctrl('w'));
        assert_eq!(i.value, "https://hooks.slack.com/services/T0/B0/");
        i.edit(&key(KeyCode::Home));
        i.edit(&key(KeyCode::Delete));
        assert_eq!(i.value, "ttps://hooks.slack.com/services/T0/B0/");
        i.edit(&key(KeyCode::Char('h')));
        assert_eq!(i.value, "https://hooks.slack.com/services/T0/B0/");
        i.edit(&key(KeyCode::End));
        i.insert("SECRET\n");
        assert_eq!(i.value, "https://hooks.slack.com/services/T0/B0/SECRET");
        for _ in 0..6 {
            i.edit(&key(KeyCode::Left));
        }
        i.edit(&ctrl('k'));
        assert_eq!(i.value, "https://hooks.slack.com/services/T0/B0/");
        i.edit(&key(KeyCode::Left));
        i.edit(&ctrl('u'));
        assert_eq!((i.value.as_str(), i.cursor), ("/", 0));
        assert!(!i.edit(&key(KeyCode::Enter)));
    }

    #[test]
    fn multibyte_text_moves_by_characters() {
        let mut i = input("né€");
        i.edit(&key(KeyCode::Backspace));
        assert_eq!(i.value, "né");
        i.edit(&key(KeyCode::Left));
        i.edit(&key(KeyCode::Backspace));
        assert_eq!((i.value.as_str(), i.cursor), ("é", 0));
    }

    #[test]
    fn the_window_keeps_the_cursor_in_view() {
        let mut i = input("abcdefghij");
        assert_eq!(i.window(5), ("ghij".to_string(), String::new()));
        i.edit(&key(KeyCode::Home));
        assert_eq!(i.window(5), (String::new(), "abcd".to_string()));
        i.edit(&key(KeyCode::Right));
        i.edit(&key(KeyCode::Right));
        assert_eq!(i.window(5), ("ab".to_string(), "cd".to_string()));
        assert_eq!(i.window(40), ("ab".to_string(), "cdefghij".to_string()));
    }
}
