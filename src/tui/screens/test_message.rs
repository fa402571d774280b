//! The test-message screen: pick a route and a way (direct from here, or through the
//! deployed pipeline), send, and see each webhook's answer.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::test_message::{Route, Via};
use crate::tui::app::{App, Effect};
use crate::tui::command::Command;
use crate::tui::theme::Theme;
use crate::tui::widgets::spinner;

#[derive(Debug, Clone, Default)]
pub struct TestState {
    pub route: usize,
    pub pipeline: bool,
    pub running: bool,
    /// Through the pipeline: accepted, waiting for the notifier's log line.
    pub confirming: bool,
    /// Each webhook's answer, with whether it took the message.
    pub results: Vec<(bool, String)>,
}

impl TestState {
    /// Coming back to the screen starts clean: answers from an earlier visit are gone.
    pub fn open(&mut self) {
        if !self.running && !self.confirming {
            self.results.clear();
        }
    }

    /// `routes` are [`Route::all`] under the settings in force.
    pub fn handle(&mut self, cmd: Command, routes: &[Route]) -> Vec<Effect> {
        self.route = self.route.min(routes.len().saturating_sub(1));
        match cmd {
            Command::Up | Command::Down => self.route = super::step(self.route, routes.len(), cmd),
            Command::SwitchVia => self.pipeline = !self.pipeline,
            Command::ViaPipeline => self.pipeline = true,
            Command::ViaDirect => self.pipeline = false,
            Command::SendTest if !self.running => {
                self.running = true;
                self.results.clear();
                return vec![Effect::TestMessage {
                    route: routes[self.route].clone(),
                    via: if self.pipeline {
                        Via::Pipeline
                    } else {
                        Via::Direct
                    },
                }];
            }
            _ => {}
        }
        Vec::new()
    }
}

fn block<'a>(title: String, theme: Theme) -> Block<'a> {
    Block::bordered().title(title).border_style(theme.dim())
}

pub fn draw(frame: &mut Frame, app: &App, theme: Theme, area: Rect) {
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
    let routes = Route::all(&app.cfg.settings);
    let width = routes.iter().map(|r| r.as_str().len()).max().unwrap_or(0) + 2;
    for (i, route) in routes.iter().enumerate() {
        // What a test sends with: the settings in force, not unsaved edits.
        let hooks = crate::text::count(
            route.webhooks(&app.cfg.settings).len(),
            "webhook",
            "webhooks",
        );
        let inherits = route.service().is_some()
            && crate::config::schema::route_urls(&app.cfg, route.service()).is_empty();
        let style = if i == app.test.route {
            theme.selected()
        } else {
            ratatui::style::Style::default()
        };
        let from = match route {
            _ if inherits => " (the default's)",
            Route::Override(_) => " (ROUTING_OVERRIDES)",
            _ => "",
        };
        lines.push(Line::styled(
            format!("{:<width$}{hooks}{from}", route.as_str()),
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
    for (ok, r) in &app.test.results {
        let style = if *ok { theme.ok() } else { theme.err() };
        lines.push(Line::styled(r.clone(), style));
    }
    if app.test.confirming {
        lines.push(Line::styled(
            format!(
                "{} waiting for the notifier's log line (up to a minute)…",
                spinner(app)
            ),
            theme.busy(),
        ));
    }
    frame.render_widget(
        Paragraph::new(lines)
            .block(block(" test message ".into(), theme))
            .wrap(Wrap { trim: false }),
        area,
    );
}
