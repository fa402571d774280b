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
    /// Each SUPPRESS rule's matches over the last 7 days, once read from the notifier's state.
    pub rule_matches: Option<Result<Option<Vec<u64>>, String>>,
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
            Command::AddUrl => match row {
                Some(
                    RoutingRow::OverrideUrl(i, _)
                    | RoutingRow::OverrideAddUrl(i)
                    | RoutingRow::OverrideSeverity(i),
                ) => add_override_url(ui, &draft.config, i),
                Some(RoutingRow::AddOverride) => add_override(ui),
                Some(RoutingRow::Url(r, _) | RoutingRow::AddUrl(r)) => add_url(ui, r),
                _ => add_url(ui, None),
            },
            Command::Edit => {
                match row {
                    Some(RoutingRow::OverrideAddUrl(i)) => add_override_url(ui, &draft.config, i),
                    Some(RoutingRow::OverrideUrl(i, j)) => {
                        if let Some((target, over)) = editors::override_at(&draft.config, i) {
                            let current = over
                                .webhooks
                                .get(j)
                                .map(|u| u.expose().to_string())
                                .unwrap_or_default();
                            ui.open_input(
                                InputFor::OverrideUrl(target.clone(), Some(j)),
                                &format!("edit a webhook of {target}"),
                                if self.reveal { current } else { String::new() },
                            );
                        }
                    }
                    Some(RoutingRow::OverrideSeverity(i)) => {
                        if let Some((target, over)) = editors::override_at(&draft.config, i) {
                            ui.open_input(
                            InputFor::OverrideSeverity(target.clone()),
                            &format!("min severity for {target}: LOW, MEDIUM, HIGH, CRITICAL or empty"),
                            over.min_severity.map(|s| s.to_string()).unwrap_or_default(),
                        );
                        }
                    }
                    Some(RoutingRow::AddOverride) => add_override(ui),
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
                }
            }
            Command::RemoveUrl => match row {
                Some(RoutingRow::Url(r, i)) => {
                    editors::remove_url(&mut draft.config, r, i);
                    draft.dirty = true;
                    ui.toast(Level::Info, "webhook removed (s saves)");
                }
                Some(RoutingRow::OverrideUrl(i, j)) => {
                    let target = editors::override_at(&draft.config, i).map(|(t, _)| t.clone());
                    if let Some(over) =
                        target.and_then(|t| editors::override_mut(&mut draft.config, &t))
                    {
                        if j < over.webhooks.len() {
                            over.webhooks.remove(j);
                        }
                        draft.dirty = true;
                        ui.toast(Level::Info, "webhook removed (s saves)");
                    }
                }
                Some(RoutingRow::OverrideAddUrl(i)) => {
                    // The entry's own row: the whole entry goes (the draft is unsaved).
                    if let Some(target) =
                        editors::override_at(&draft.config, i).map(|(t, _)| t.clone())
                    {
                        draft.config.settings.overrides.remove(&target);
                        draft.dirty = true;
                        self.row = self.row.min(editors::routing_rows(&draft.config).len() - 1);
                        ui.toast(
                            Level::Info,
                            format!("override for {target} removed (s saves)"),
                        );
                    }
                }
                Some(RoutingRow::OverrideSeverity(i)) => {
                    let target = editors::override_at(&draft.config, i).map(|(t, _)| t.clone());
                    if let Some(over) =
                        target.and_then(|t| editors::override_mut(&mut draft.config, &t))
                    {
                        over.min_severity = None;
                        draft.dirty = true;
                        ui.toast(Level::Info, "min severity cleared (s saves)");
                    }
                }
                _ => {}
            },
            // Only routing's keys, onto the config in force; read-only never gets here.
            Command::Save => {
                // An entry that sets nothing would not load back: it goes, and the user is told.
                let dropped = editors::drop_empty_overrides(&mut self.draft.config);
                if dropped > 0 {
                    ui.toast(
                        Level::Info,
                        format!(
                            "{} left out: no webhook and no min severity",
                            crate::text::count(dropped, "override entry", "override entries")
                        ),
                    );
                    self.row = self
                        .row
                        .min(editors::routing_rows(&self.draft.config).len() - 1);
                }
                return vec![self.save(cfg)];
            }
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
        // A webhook added above the selected row moves it down: the selection follows it.
        let selected = editors::routing_rows(&self.draft.config)
            .get(self.row)
            .copied();
        self.apply_input(purpose, value, ui);
        if let Some(at) = selected.and_then(|r| {
            editors::routing_rows(&self.draft.config)
                .iter()
                .position(|x| *x == r)
        }) && !matches!(purpose, InputFor::AddOverride)
        {
            self.row = at;
        }
    }

    fn apply_input(&mut self, purpose: &InputFor, value: &str, ui: &mut Ui) {
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
            InputFor::AddOverride => {
                if let Ok(target) = editors::check_override_target(&draft.config, value) {
                    editors::add_override(&mut draft.config, target.clone());
                    draft.dirty = true;
                    // On the new entry's add-webhook row, ready for `a` or Enter.
                    let at = editors::routing_rows(&draft.config).iter().position(|r| {
                        matches!(r, RoutingRow::OverrideAddUrl(i)
                            if editors::override_at(&draft.config, *i).is_some_and(|(t, _)| *t == target))
                    });
                    self.row = at.unwrap_or(self.row);
                    ui.toast(
                        Level::Info,
                        format!(
                            "{target} added: give it a webhook (Enter) or a min severity (↓ Enter)"
                        ),
                    );
                }
            }
            InputFor::OverrideUrl(target, at) => {
                if let (Ok(url), Some(over)) = (
                    WebhookUrl::parse(value),
                    editors::override_mut(&mut draft.config, target),
                ) {
                    match at {
                        Some(j) if *j < over.webhooks.len() => over.webhooks[*j] = url,
                        _ => over.webhooks.push(url),
                    }
                    draft.dirty = true;
                }
            }
            InputFor::OverrideSeverity(target) => {
                if let (Ok(sev), Some(over)) = (
                    editors::check_min_severity(value),
                    editors::override_mut(&mut draft.config, target),
                ) {
                    over.min_severity = sev;
                    draft.dirty = true;
                }
            }
            _ => {}
        }
    }
}

fn add_override(ui: &mut Ui) {
    ui.open_input(
        InputFor::AddOverride,
        "override the routing for an account id, OU id (ou-...) or the root (r-...)",
        String::new(),
    );
}

fn add_override_url(ui: &mut Ui, cfg: &Config, i: usize) {
    if let Some((target, _)) = editors::override_at(cfg, i) {
        ui.open_input(
            InputFor::OverrideUrl(target.clone(), None),
            &format!("add a webhook to {target}"),
            String::new(),
        );
    }
}

fn add_url(ui: &mut Ui, route: Option<Service>) {
    ui.open_input(
        InputFor::AddUrl(route),
        &format!("add a webhook to {}", route_name(route)),
        String::new(),
    );
}

/// The lines above row `i` when it starts ROUTING_OVERRIDES or one of its entries: the
/// section's heading, then the entry's target with what the Organization calls it and how
/// many active accounts it decides something for.
fn override_heading<'a>(
    app: &App,
    rows: &[RoutingRow],
    i: usize,
    theme: Theme,
) -> Option<Vec<Line<'a>>> {
    let entry = |r: &RoutingRow| match r {
        RoutingRow::OverrideUrl(o, _)
        | RoutingRow::OverrideAddUrl(o)
        | RoutingRow::OverrideSeverity(o) => Some(Some(*o)),
        RoutingRow::AddOverride => Some(None),
        _ => None,
    };
    let this = entry(&rows[i])?;
    let before = i.checked_sub(1).and_then(|p| entry(&rows[p]));
    let mut lines = Vec::new();
    if before.is_none() {
        lines.push(Line::from(vec![
            Span::styled("overrides", theme.bold()),
            Span::styled(" (ROUTING_OVERRIDES, per account or OU)", theme.dim()),
        ]));
        lines.push(Line::styled(
            "  each from the account's own entry, else its nearest OU's, else the root's · webhooks: every service",
            theme.dim(),
        ));
    }
    let Some(o) = this.filter(|o| before != Some(Some(*o))) else {
        return Some(lines);
    };
    let cfg = &app.routing.draft.config;
    let (target, _) = editors::override_at(cfg, o)?;
    let org = app.accounts.routing_accounts();
    let mut spans = vec![Span::styled(format!("  {target}"), theme.bold())];
    if let Some(name) = crate::org::routing::target_name(target, org) {
        spans.push(Span::raw(format!(" · {name}")));
    }
    if !org.is_empty() {
        let n = crate::org::routing::covered(&cfg.settings, org, target);
        if n == 0 {
            spans.push(Span::styled(
                " · decides nothing for any active account",
                theme.warn(),
            ));
        } else {
            spans.push(Span::styled(
                format!(" · {}", crate::text::count(n, "account", "accounts")),
                theme.dim(),
            ));
        }
    }
    lines.push(Line::from(spans));
    Some(lines)
}

fn block<'a>(title: String, theme: Theme) -> Block<'a> {
    Block::bordered().title(title).border_style(theme.dim())
}

/// The SUPPRESS rules in force (config.yml; `m` on a finding adds one), each with its matches
/// over the last 7 days as the notifier counted them. Read-only here.
fn rule_lines(app: &App, theme: Theme, width: usize) -> Vec<Line<'static>> {
    let rules = &app.cfg.settings.suppress;
    if rules.is_empty() {
        return Vec::new();
    }
    let counts = match &app.routing.rule_matches {
        Some(Ok(Some(c))) => Some(c.as_slice()),
        _ => None,
    };
    let status = match &app.routing.rule_matches {
        None => " (reading matches…)".to_string(),
        Some(Ok(Some(_))) => " · matches in the last 7 days".to_string(),
        Some(Ok(None)) => " (no notifier state to count matches: deploy the notifier)".to_string(),
        Some(Err(e)) => format!(" (matches unreadable: {e})"),
    };
    let today = awsmon_notifier::time::today();
    let mut lines = vec![
        Line::raw(""),
        Line::from(vec![
            Span::styled("SUPPRESS rules", theme.bold()),
            Span::styled(status, theme.dim()),
        ]),
    ];
    for (i, rule) in rules.iter().enumerate() {
        let scope: Vec<String> = [
            rule.service.map(|s| s.as_str().to_string()),
            rule.finding_type.clone(),
            rule.resource.clone(),
            rule.account.clone(),
            rule.min_severity.map(|s| format!("below {s}")),
        ]
        .into_iter()
        .flatten()
        .collect();
        let expired = !rule.is_active(&today);
        let matches = counts
            .and_then(|c| c.get(i))
            .map(|n| {
                format!(
                    " · {}",
                    crate::text::count(
                        usize::try_from(*n).unwrap_or(usize::MAX),
                        "match",
                        "matches"
                    )
                )
            })
            .unwrap_or_default();
        let text = format!(
            "  {}. {} · {} {}{matches} · {}",
            i + 1,
            scope.join(" · "),
            if expired { "EXPIRED" } else { "until" },
            rule.expires,
            rule.reason
        );
        let style = if expired { theme.warn() } else { theme.dim() };
        lines.push(Line::styled(fit(&text, width), style));
    }
    lines
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
            _ => None,
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
        if let Some(heading) = override_heading(app, &rows, i, theme) {
            lines.extend(heading);
        }
        let text = match row {
            RoutingRow::OverrideUrl(o, n) => {
                let url = editors::override_at(&app.routing.draft.config, *o)
                    .and_then(|(_, over)| over.webhooks.get(*n));
                let shown = match url {
                    Some(u) if app.routing.reveal => u.expose().to_string(),
                    Some(u) => u.masked(),
                    None => String::new(),
                };
                format!("    {shown}")
            }
            RoutingRow::OverrideAddUrl(_) => {
                "    + add a webhook (a) · d removes this override".to_string()
            }
            RoutingRow::OverrideSeverity(o) => {
                let floor = editors::override_at(&app.routing.draft.config, *o)
                    .and_then(|(_, over)| over.min_severity)
                    .map_or_else(
                        || "not set (each service's own threshold)".to_string(),
                        |s| s.to_string(),
                    );
                format!("    {:<36}{floor}", "min severity (finding services)")
            }
            RoutingRow::AddOverride => {
                "  + override the routing for an account or OU (a)".to_string()
            }
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
        } else if matches!(
            row,
            RoutingRow::AddUrl(_) | RoutingRow::OverrideAddUrl(_) | RoutingRow::AddOverride
        ) {
            theme.dim()
        } else {
            ratatui::style::Style::default()
        };
        lines.push(Line::styled(fit(&text, width), style));
    }
    lines.extend(rule_lines(app, theme, width));
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
