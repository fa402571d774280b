//! The routing editor: webhooks per route (masked unless revealed) and the per-service
//! filters. Edits go to the draft; `s` saves it (and pushes the routing to the hub).

use awsmon_notifier::{Service, WebhookUrl};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::{Draft, Editor};
use crate::config::Config;
use crate::tui::app::{App, Effect};
use crate::tui::command::Command;
use crate::tui::editors::{self, RoutingRow};
use crate::tui::theme::Theme;
use crate::tui::ui::{InputFor, Level, Ui};
use crate::tui::widgets::fit;

#[derive(Debug, Default)]
pub struct RoutingState {
    pub row: usize,
    pub reveal: bool,
    /// This editor's own working copy: `s` writes its keys and pushes them.
    pub draft: Draft,
}

pub fn route_name(route: Option<Service>) -> &'static str {
    route.map_or("default", Service::as_str)
}

impl RoutingState {
    pub fn handle(&mut self, cmd: Command, cfg: &Config, ui: &mut Ui) -> Vec<Effect> {
        let draft = &mut self.draft;
        let rows = editors::routing_rows(&draft.config);
        let row = rows.get(self.row).copied();
        match cmd {
            Command::Up | Command::Down => self.row = super::step(self.row, rows.len(), cmd),
            Command::Reveal => self.reveal = !self.reveal,
            Command::AddUrl => {
                let route = match row {
                    Some(RoutingRow::Url(r, _) | RoutingRow::AddUrl(r)) => r,
                    _ => None,
                };
                add_url(ui, route);
            }
            Command::Edit => match row {
                Some(RoutingRow::AddUrl(r)) => add_url(ui, r),
                Some(RoutingRow::Url(r, i)) => {
                    let current = editors::urls(&draft.config, r)
                        .get(i)
                        .map(|u| u.expose().to_string())
                        .unwrap_or_default();
                    ui.open_input(
                        InputFor::EditUrl(r, i),
                        &format!("edit a webhook of {}", route_name(r)),
                        if self.reveal { current } else { String::new() },
                    );
                }
                Some(RoutingRow::Field(f)) => {
                    let current = editors::field_value(&draft.config, f);
                    ui.open_input(InputFor::Field(f), f.label(), current);
                }
                None => {}
            },
            Command::RemoveUrl => {
                if let Some(RoutingRow::Url(r, i)) = row {
                    editors::remove_url(&mut draft.config, r, i);
                    draft.dirty = true;
                    ui.toast(Level::Info, "webhook removed (s saves)");
                }
            }
            // Only routing's keys, onto the config in force; read-only never gets here.
            Command::Save => return vec![self.save(cfg)],
            _ => {}
        }
        Vec::new()
    }

    /// Writes this editor's keys onto `cfg` and pushes the routing to the hub.
    pub fn save(&self, cfg: &Config) -> Effect {
        Effect::SaveConfig {
            config: Box::new(self.draft.onto(Editor::Routing, cfg)),
            push_routing: true,
            editor: Editor::Routing,
        }
    }

    /// A text field this screen opened was confirmed (already validated).
    pub fn commit(&mut self, purpose: &InputFor, value: &str, ui: &mut Ui) {
        let draft = &mut self.draft;
        match purpose {
            InputFor::AddUrl(route) => {
                if let Ok(url) = WebhookUrl::parse(value) {
                    editors::add_url(&mut draft.config, *route, url);
                    draft.dirty = true;
                    ui.toast(Level::Info, "webhook added (s saves)");
                }
            }
            InputFor::EditUrl(route, i) => {
                if let Ok(url) = WebhookUrl::parse(value) {
                    editors::replace_url(&mut draft.config, *route, *i, url);
                    draft.dirty = true;
                }
            }
            InputFor::Field(f) if editors::set_field(&mut draft.config, *f, value).is_ok() => {
                draft.dirty = true;
            }
            _ => {}
        }
    }
}

fn add_url(ui: &mut Ui, route: Option<Service>) {
    ui.open_input(
        InputFor::AddUrl(route),
        &format!("add a webhook to {}", route_name(route)),
        String::new(),
    );
}

fn block<'a>(title: String, theme: Theme) -> Block<'a> {
    Block::bordered().title(title).border_style(theme.dim())
}

pub fn draw(frame: &mut Frame, app: &App, theme: Theme, area: Rect) {
    let rows = editors::routing_rows(&app.routing.draft.config);
    let width = usize::from(area.width.saturating_sub(4));
    let mut lines: Vec<Line> = Vec::new();
    let mut selected_line = 0;
    let mut last_route: Option<Option<awsmon_notifier::Service>> = None;
    for (i, row) in rows.iter().enumerate() {
        let route = match row {
            RoutingRow::Url(r, _) | RoutingRow::AddUrl(r) => Some(*r),
            RoutingRow::Field(_) => None,
        };
        if route.is_some() && route != last_route {
            let r = route.flatten();
            let own = editors::urls(&app.routing.draft.config, r).len();
            let note = if r.is_some() && own == 0 {
                " (uses the default webhooks)"
            } else {
                ""
            };
            lines.push(Line::from(vec![
                Span::styled(format!("{} route", route_name(r)), theme.bold()),
                Span::styled(note, theme.dim()),
            ]));
            last_route = route;
        }
        if matches!(row, RoutingRow::Field(_))
            && i > 0
            && !matches!(rows[i - 1], RoutingRow::Field(_))
        {
            lines.push(Line::styled("filters", theme.bold()));
        }
        let text = match row {
            RoutingRow::Url(r, n) => {
                let url = &editors::urls(&app.routing.draft.config, *r)[*n];
                let shown = if app.routing.reveal {
                    url.expose().to_string()
                } else {
                    url.masked()
                };
                format!("  {shown}")
            }
            RoutingRow::AddUrl(_) => "  + add a webhook (a)".to_string(),
            RoutingRow::Field(f) => format!(
                "  {:<38}{}",
                f.label(),
                editors::field_value(&app.routing.draft.config, *f)
            ),
        };
        if i == app.routing.row {
            selected_line = lines.len();
        }
        let style = if i == app.routing.row {
            theme.selected()
        } else if matches!(row, RoutingRow::AddUrl(_)) {
            theme.dim()
        } else {
            ratatui::style::Style::default()
        };
        lines.push(Line::styled(fit(&text, width), style));
    }
    let mut title = String::from(" routing ");
    if app.routing.reveal {
        title.push_str("· URLs REVEALED (v hides) ");
    }
    if app.routing.draft.dirty {
        title.push_str(if app.env.read_only {
            "· unsaved (read-only: nothing is saved) "
        } else {
            "· unsaved (s saves and pushes to the hub) "
        });
    }
    let inner_h = usize::from(area.height.saturating_sub(2));
    let offset = selected_line.saturating_sub(inner_h.saturating_sub(1));
    let scroll = u16::try_from(offset).unwrap_or(0);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block(title, theme))
            .scroll((scroll, 0)),
        area,
    );
}
