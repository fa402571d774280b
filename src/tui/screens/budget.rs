//! The budget editor: limit, threshold and e-mail on the draft, this month's spend, and
//! which alerts the draft would send; `a` plans applying it.

use awsmon_notifier::Service;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::{Draft, Editor};
use crate::config::Config;
use crate::deploy::plan::Target;
use crate::findings::budget::Spend;
use crate::inventory::GLOBAL;
use crate::tui::app::{App, Effect};
use crate::tui::command::Command;
use crate::tui::editors::{self, BudgetField};
use crate::tui::popups::plan::PlanRequest;
use crate::tui::theme::Theme;
use crate::tui::ui::{InputFor, Ui};
use crate::tui::widgets::spinner;

#[derive(Debug, Default)]
pub struct BudgetState {
    pub row: usize,
    /// This month's spend, read when the screen opens.
    pub spend: Option<Result<Option<Spend>, String>>,
    /// This editor's own working copy: `a` plans applying its keys, saved once applied.
    pub draft: Draft,
}

impl BudgetState {
    /// Opening the screen reads the spend again.
    pub fn open(&mut self) -> Vec<Effect> {
        self.spend = None;
        vec![Effect::LoadBudget]
    }

    pub fn handle(&mut self, cmd: Command, cfg: &Config, ui: &mut Ui) -> Vec<Effect> {
        match cmd {
            Command::Up | Command::Down => {
                self.row = super::step(self.row, BudgetField::ALL.len(), cmd);
            }
            Command::Edit => {
                let f = BudgetField::ALL[self.row];
                let current = editors::budget_value(&self.draft.config, f);
                ui.open_input(InputFor::Budget(f), f.label(), current);
            }
            Command::ApplyBudget => return self.apply(cfg, ui),
            _ => {}
        }
        Vec::new()
    }

    /// Plans the budget with this editor's keys onto `cfg`; they are saved once applied.
    pub fn apply(&self, cfg: &Config, ui: &mut Ui) -> Vec<Effect> {
        let request = PlanRequest {
            id: ui.id(),
            groups: vec![(Target::Service(Service::Budget), Vec::new())],
            destroy: false,
            delete_data: false,
            cells: vec![(GLOBAL.to_string(), Service::Budget)],
            config: Some(Box::new(self.draft.onto(Editor::Budget, cfg))),
        };
        ui.open_plan(request)
    }

    pub fn commit(&mut self, purpose: &InputFor, value: &str) {
        if let InputFor::Budget(f) = purpose
            && editors::set_budget(&mut self.draft.config, *f, value).is_ok()
        {
            self.draft.dirty = true;
        }
    }
}

fn block<'a>(title: String, theme: Theme) -> Block<'a> {
    Block::bordered().title(title).border_style(theme.dim())
}

pub fn draw(frame: &mut Frame, app: &App, theme: Theme, area: Rect) {
    let mut lines = Vec::new();
    for (i, f) in BudgetField::ALL.iter().enumerate() {
        let value = editors::budget_value(&app.budget.draft.config, *f);
        let value = if value.is_empty() {
            "(not set)".to_string()
        } else {
            value
        };
        let style = if i == app.budget.row {
            theme.selected()
        } else {
            ratatui::style::Style::default()
        };
        lines.push(Line::styled(format!("{:<54}{value}", f.label()), style));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("this month", theme.bold()));
    match &app.budget.spend {
        None => lines.push(Line::styled(
            format!("{} reading the budget…", spinner(app)),
            theme.dim(),
        )),
        Some(Err(e)) => lines.push(Line::styled(
            format!("cannot read the budget: {e}"),
            theme.err(),
        )),
        Some(Ok(None)) => lines.push(Line::styled(
            "no awsmon budget yet: a applies these settings",
            theme.dim(),
        )),
        Some(Ok(Some(s))) => {
            lines.push(Line::raw(format!(
                "actual {:.2} USD · forecast {:.2} USD · current limit {:.2} USD",
                s.actual, s.forecast, s.limit
            )));
            let limit = app.budget.draft.config.budget_limit.unwrap_or(s.limit);
            let draft = Spend { limit, ..*s };
            let alerts = draft.alerts(app.budget.draft.config.budget_threshold_percentage);
            if alerts.is_empty() {
                lines.push(Line::styled(
                    "with these settings: no alert would be sent",
                    theme.ok(),
                ));
            }
            for (kind, amount, at) in alerts {
                lines.push(Line::styled(
                    format!("with these settings: {kind} alert ({amount:.2} USD > {at:.2} USD)"),
                    theme.warn(),
                ));
            }
        }
    }
    let mut title = " budget ".to_string();
    if app.budget.draft.dirty {
        title.push_str(if app.env.read_only {
            "· changed (read-only: nothing is applied) "
        } else {
            "· changed (a plans applying it) "
        });
    }
    frame.render_widget(
        Paragraph::new(lines)
            .block(block(title, theme))
            .wrap(Wrap { trim: false }),
        area,
    );
}
