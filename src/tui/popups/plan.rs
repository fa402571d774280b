//! The plan popup: a deploy or destroy is computed, shown, and applied only on confirmation;
//! a plan that deletes service data asks a second, red time.

use ratatui::text::Line;

use crate::config::Config;
use crate::deploy::plan::{Plan, Step, Target};
use crate::tui::app::{App, Effect};
use crate::tui::command::Command;
use crate::tui::jobs::{Job, JobState, Jobs};
use crate::tui::screens::matrix::CellKey;
use crate::tui::theme::Theme;
use crate::tui::ui::{Level, Ui};
use crate::tui::widgets::spinner;

use super::Popup;

/// A deploy or destroy being planned, confirmed, or run.
#[derive(Debug, Clone)]
pub struct PlanRequest {
    pub id: u64,
    /// One target per service, each with its regions.
    pub groups: Vec<(Target, Vec<String>)>,
    pub destroy: bool,
    pub delete_data: bool,
    /// The cells that show the job's progress.
    pub cells: Vec<CellKey>,
    /// The config to deploy with (the budget editor's keys on the config in force), saved once applied.
    pub config: Option<Box<Config>>,
}

impl PlanRequest {
    pub fn title(&self) -> String {
        let verb = if self.destroy { "turn off" } else { "turn on" };
        let what: Vec<String> = self
            .groups
            .iter()
            .map(|(t, regions)| match t {
                Target::Service(s) if s.is_global() => s.display_name().to_string(),
                Target::Service(s) => format!("{} in {}", s.display_name(), regions.join(", ")),
                other => other.as_str().to_string(),
            })
            .collect();
        format!("{verb} {}", what.join("; "))
    }
}

#[derive(Debug, Clone)]
pub struct PlanPopup {
    pub request: PlanRequest,
    /// `None` while the plan is computed.
    pub plan: Option<Result<Plan, String>>,
    pub scroll: u16,
}

/// The plan popup's commands; it stays open unless cancelled or applied.
pub fn handle(mut p: PlanPopup, cmd: Option<Command>, ui: &mut Ui, jobs: &mut Jobs) -> Vec<Effect> {
    match cmd {
        Some(Command::Cancel) => {
            ui.toast(Level::Info, "cancelled; nothing changed");
            Vec::new()
        }
        // Offered only where awsmon created service data (the plan lists it as kept).
        Some(Command::DeleteData)
            if p.request.destroy
                && !p.request.delete_data
                && !matches!(&p.plan, Some(Ok(plan)) if !plan.kept_data.is_empty()) =>
        {
            ui.toast(
                Level::Info,
                if p.plan.is_none() {
                    "wait for the plan: it says whether awsmon created service data here"
                } else {
                    "awsmon created no service data here: there is nothing it may delete"
                },
            );
            ui.popup = Some(Popup::Plan(p));
            Vec::new()
        }
        Some(Command::DeleteData) if p.request.destroy => {
            // Re-plan with (or without) the service data.
            p.request.delete_data = !p.request.delete_data;
            p.request.id = ui.id();
            p.plan = None;
            let effect = Effect::Plan(p.request.clone());
            ui.popup = Some(Popup::Plan(p));
            vec![effect]
        }
        Some(Command::Confirm) => match &p.plan {
            Some(Ok(plan)) if !plan.blockers.is_empty() => {
                ui.popup = Some(Popup::Plan(p));
                ui.toast(Level::Warn, "blocked: see the plan");
                Vec::new()
            }
            Some(Ok(plan)) if plan.steps.iter().any(Step::is_destructive) => {
                ui.popup = Some(Popup::ConfirmData(p));
                Vec::new()
            }
            Some(Ok(_)) => execute(p, jobs),
            _ => {
                ui.popup = Some(Popup::Plan(p));
                Vec::new()
            }
        },
        Some(Command::Down) => {
            p.scroll = p.scroll.saturating_add(1);
            ui.popup = Some(Popup::Plan(p));
            Vec::new()
        }
        Some(Command::Up) => {
            p.scroll = p.scroll.saturating_sub(1);
            ui.popup = Some(Popup::Plan(p));
            Vec::new()
        }
        _ => {
            ui.popup = Some(Popup::Plan(p));
            Vec::new()
        }
    }
}

/// The second confirmation: only `y` deletes; any other key keeps the data.
pub fn confirm_data(
    p: PlanPopup,
    cmd: Option<Command>,
    ui: &mut Ui,
    jobs: &mut Jobs,
) -> Vec<Effect> {
    if cmd == Some(Command::Confirm) {
        return execute(p, jobs);
    }
    ui.toast(Level::Info, "not applied: service data kept");
    Vec::new()
}

fn execute(p: PlanPopup, jobs: &mut Jobs) -> Vec<Effect> {
    let Some(Ok(plan)) = p.plan else {
        return Vec::new();
    };
    jobs.list.push(Job {
        id: p.request.id,
        title: p.request.title(),
        cells: p.request.cells.clone(),
        total: plan.steps.len(),
        done: 0,
        state: JobState::Running,
        log: Vec::new(),
    });
    vec![Effect::Execute {
        request: p.request,
        plan,
    }]
}

pub fn lines(app: &App, p: &PlanPopup, theme: Theme, second: bool) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    match &p.plan {
        None => lines.push(Line::styled(
            format!("{} reading the account to plan…", spinner(app)),
            theme.busy(),
        )),
        Some(Err(e)) => {
            lines.push(Line::styled("cannot plan:", theme.err()));
            lines.extend(e.lines().map(|l| Line::raw(l.to_string())));
            lines.push(Line::styled("Esc closes", theme.dim()));
        }
        Some(Ok(plan)) => {
            let summary = plan.summary();
            let mut it = summary.lines();
            if let Some(head) = it.next() {
                lines.push(Line::styled(head.to_string(), theme.bold()));
            }
            for l in it {
                let style = if l.contains("DESTRUCTIVE") || l.contains("BLOCKED") {
                    theme.err()
                } else if l.contains("note:") {
                    theme.warn()
                } else {
                    ratatui::style::Style::default()
                };
                lines.push(Line::styled(l.to_string(), style));
            }
            lines.push(Line::raw(""));
            if second {
                lines.push(Line::styled(
                    "The red steps delete service data and its history for good.",
                    theme.err(),
                ));
                lines.push(Line::styled(
                    "y deletes · any other key keeps the data",
                    theme.err(),
                ));
            } else if !plan.blockers.is_empty() {
                lines.push(Line::styled(
                    "cannot apply: see BLOCKED · Esc closes",
                    theme.err(),
                ));
            } else {
                let mut hint = String::from("Enter/y applies · n/Esc cancels");
                if p.request.destroy && p.request.delete_data {
                    hint.push_str(" · x keeps service data");
                } else if p.request.destroy && !plan.kept_data.is_empty() {
                    hint.push_str(" · x also deletes the service data awsmon created (kept:)");
                }
                lines.push(Line::styled(hint, theme.bold()));
            }
        }
    }
    lines
}
