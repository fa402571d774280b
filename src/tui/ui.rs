//! What every screen may reach besides its own state: toasts, the open popup, the text field
//! and fresh job ids. Screens get `&mut Ui`, never the whole `App`.

use super::app::Effect;
use super::popups::Popup;
use super::popups::plan::{PlanPopup, PlanRequest};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Warn,
    Error,
}

#[derive(Debug, Clone)]
pub struct Toast {
    pub level: Level,
    pub text: String,
    /// Ticks left before it clears itself.
    pub ttl: u16,
}

/// What a text field is for; the screen that opened it takes its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputFor {
    Command,
    FindingsFilter,
    AccountsFilter,
    /// Where `e` writes the selected finding.
    ExportPath,
    AddUrl(Option<awsmon_notifier::Service>),
    EditUrl(Option<awsmon_notifier::Service>, usize),
    Field(super::editors::Field),
    Budget(super::editors::BudgetField),
    /// A new ROUTING_OVERRIDES entry's account or OU id.
    AddOverride,
    /// A webhook of an entry: a new one (`None`) or the `i`th.
    OverrideUrl(String, Option<usize>),
    OverrideSeverity(String),
    /// A field of the SUPPRESS rule `m` makes from a finding.
    Rule(super::editors::RuleField),
}

#[derive(Debug, Clone)]
pub struct Input {
    pub purpose: InputFor,
    pub label: String,
    pub value: String,
    /// Byte offset of the cursor in `value` (always on a character boundary).
    pub cursor: usize,
    /// Validated as typed: Enter refuses while it is set.
    pub error: Option<String>,
    /// Allowed, but probably not meant: shown, Enter still takes it.
    pub warning: Option<String>,
}

const TOAST_TICKS: u16 = 16;

#[derive(Debug)]
pub struct Ui {
    pub popup: Option<Popup>,
    pub input: Option<Input>,
    pub toasts: Vec<Toast>,
    next_id: u64,
}

impl Default for Ui {
    fn default() -> Self {
        Ui {
            popup: None,
            input: None,
            toasts: Vec::new(),
            next_id: 1,
        }
    }
}

impl Ui {
    pub fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    pub fn toast(&mut self, level: Level, text: impl Into<String>) {
        self.toasts.push(Toast {
            level,
            text: text.into(),
            ttl: TOAST_TICKS,
        });
        if self.toasts.len() > 4 {
            self.toasts.remove(0);
        }
    }

    /// Ages the toasts by one tick; true when there were any (the frame must change, also
    /// when the last one just cleared).
    pub fn tick(&mut self) -> bool {
        let had = !self.toasts.is_empty();
        for t in &mut self.toasts {
            t.ttl = t.ttl.saturating_sub(1);
        }
        self.toasts.retain(|t| t.ttl > 0);
        had
    }

    /// Opens a text field; `App::update` checks it against the draft before the next frame.
    pub fn open_input(&mut self, purpose: InputFor, label: &str, value: String) {
        self.input = Some(Input {
            purpose,
            label: label.to_string(),
            cursor: value.len(),
            value,
            error: None,
            warning: None,
        });
    }

    /// A toast with the first line, and the whole text in a popup to scroll.
    pub fn error_popup(&mut self, title: &str, text: String) {
        self.toast(
            Level::Error,
            format!("{title}: {}", text.lines().next().unwrap_or_default()),
        );
        self.message(title, text);
    }

    pub fn message(&mut self, title: &str, text: String) {
        self.popup = Some(Popup::Message {
            title: title.to_string(),
            text,
            scroll: 0,
        });
    }

    /// Shows the plan popup (computing) and asks the runtime for the plan.
    pub fn open_plan(&mut self, request: PlanRequest) -> Vec<Effect> {
        self.popup = Some(Popup::Plan(PlanPopup {
            request: request.clone(),
            plan: None,
            scroll: 0,
        }));
        vec![Effect::Plan(request)]
    }

    /// Under --read-only: explain, do nothing.
    pub fn refuse(&mut self, what: &str) -> Vec<Effect> {
        self.toast(
            Level::Warn,
            format!("read-only: {what} is not allowed; restart without --read-only"),
        );
        Vec::new()
    }
}
