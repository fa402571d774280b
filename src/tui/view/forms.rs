//! The routing editor, the budget editor and the test-message screen.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::{fit, spinner};
use crate::tui::app::{App, ROUTES, route_name};
use crate::tui::editors::{self, BudgetField, RoutingRow};
use crate::tui::theme::Theme;

fn block<'a>(title: String, theme: Theme) -> Block<'a> {
    Block::bordered().title(title).border_style(theme.dim())
}

pub fn routing(frame: &mut Frame, app: &App, theme: Theme, area: Rect) {
    let rows = app.routing_rows();
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
            let own = editors::urls(&app.draft, r).len();
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
                let url = &editors::urls(&app.draft, *r)[*n];
                let shown = if app.reveal {
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
                editors::field_value(&app.draft, *f)
            ),
        };
        if i == app.routing_row {
            selected_line = lines.len();
        }
        let style = if i == app.routing_row {
            theme.selected()
        } else if matches!(row, RoutingRow::AddUrl(_)) {
            theme.dim()
        } else {
            ratatui::style::Style::default()
        };
        lines.push(Line::styled(fit(&text, width), style));
    }
    let mut title = String::from(" routing ");
    if app.reveal {
        title.push_str("· URLs REVEALED (v hides) ");
    }
    if app.dirty {
        title.push_str("· unsaved (s saves) ");
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

pub fn budget(frame: &mut Frame, app: &App, theme: Theme, area: Rect) {
    let mut lines = Vec::new();
    for (i, f) in BudgetField::ALL.iter().enumerate() {
        let value = editors::budget_value(&app.draft, *f);
        let value = if value.is_empty() {
            "(not set)".to_string()
        } else {
            value
        };
        let style = if i == app.budget_row {
            theme.selected()
        } else {
            ratatui::style::Style::default()
        };
        lines.push(Line::styled(format!("{:<54}{value}", f.label()), style));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("this month", theme.bold()));
    match &app.spend {
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
            let limit = app.draft.budget_limit.unwrap_or(s.limit);
            let draft = crate::findings::budget::Spend { limit, ..*s };
            let alerts = draft.alerts(app.draft.budget_threshold_percentage);
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
    if app.dirty {
        title.push_str("· changed (a applies) ");
    }
    frame.render_widget(
        Paragraph::new(lines)
            .block(block(title, theme))
            .wrap(Wrap { trim: false }),
        area,
    );
}

pub fn test_message(frame: &mut Frame, app: &App, theme: Theme, area: Rect) {
    let mut lines = vec![Line::from(vec![
        Span::styled("delivery: ", theme.bold()),
        Span::raw(if app.test.pipeline {
            "pipeline (EventBridge → notifier Lambda → Slack)"
        } else {
            "direct (from here, with the notifier's code)"
        }),
        Span::styled("  v switches", theme.dim()),
    ])];
    lines.push(Line::raw(""));
    for (i, route) in ROUTES.iter().enumerate() {
        // What a test sends with: the settings in force, not unsaved edits.
        let hooks = route.webhooks(&app.cfg.settings).len();
        let style = if i == app.test.route {
            theme.selected()
        } else {
            ratatui::style::Style::default()
        };
        lines.push(Line::styled(
            format!("{:<16}{hooks} webhook(s)", route.as_str()),
            style,
        ));
    }
    lines.push(Line::raw(""));
    if app.test.running {
        lines.push(Line::styled(
            format!("{} sending…", spinner(app)),
            theme.busy(),
        ));
    }
    for r in &app.test.results {
        let style = if r.starts_with("FAILED") {
            theme.err()
        } else {
            theme.ok()
        };
        lines.push(Line::styled(r.clone(), style));
    }
    frame.render_widget(
        Paragraph::new(lines)
            .block(block(" test message ".into(), theme))
            .wrap(Wrap { trim: false }),
        area,
    );
}
