//! Findings: the list (filtered, sorted) and the selected one as Slack will show it, with the
//! notifier's decision and the routes (masked). Only visible rows are drawn.

use std::path::{Path, PathBuf};

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::findings::{Finding, Origin};
use crate::slack_view;
use crate::tui::app::{App, Effect};
use crate::tui::command::Command;
use crate::tui::editors::RuleField;
use crate::tui::popups::Popup;
use crate::tui::theme::Theme;
use crate::tui::ui::{InputFor, Level, Ui};
use crate::tui::widgets::{fit, spinner};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    Time,
    Severity,
}

#[derive(Debug, Default)]
pub struct FindingsState {
    pub items: Vec<Finding>,
    /// Indices into `items`, filtered and sorted.
    pub view: Vec<usize>,
    pub filter: String,
    pub sort: Option<SortBy>,
    pub selected: usize,
    pub loading: bool,
    pub loaded: bool,
    pub errors: Vec<String>,
    /// The selected finding through the notifier's pipeline (item index, result), made when
    /// the selection changes so that drawing stays pure and cheap.
    pub current: Option<(usize, Option<awsmon_notifier::Prepared>)>,
    /// How far the Slack preview is scrolled (back to the top for each finding).
    pub preview_scroll: u16,
    /// The SUPPRESS rule `m` is making from the selected finding, asked field by field.
    pub rule: Option<awsmon_notifier::settings::Suppression>,
}

impl FindingsState {
    pub fn new(samples: Vec<Finding>) -> FindingsState {
        let mut f = FindingsState {
            items: samples,
            ..FindingsState::default()
        };
        f.refilter();
        f
    }

    /// Asks for the live findings unless they are loaded or loading.
    pub fn load(&mut self, again: bool) -> Vec<Effect> {
        if self.loading || (self.loaded && !again) {
            return Vec::new();
        }
        self.loading = true;
        vec![Effect::LoadFindings]
    }

    /// Live findings arrived: they go first, the samples stay at the end. The selected finding
    /// stays selected (its row moves), and the preview is made again for whatever is selected.
    pub fn loaded(&mut self, items: Vec<Finding>, errors: Vec<String>, ui: &mut Ui) {
        self.loading = false;
        self.loaded = true;
        let keep = self.selected_key();
        // Item indices change: a preview kept by index would show another finding.
        self.current = None;
        let live = items.len();
        let samples: Vec<Finding> = self
            .items
            .drain(..)
            .filter(|f| f.origin == Origin::Sample)
            .collect();
        self.items = items;
        self.items.extend(samples);
        self.errors = errors;
        self.refilter();
        self.reselect(keep);
        let found = match live {
            0 => "no recent findings".to_string(),
            n => crate::text::count(n, "recent finding", "recent findings"),
        };
        let note = if self.errors.is_empty() {
            format!("{found} loaded")
        } else {
            format!(
                "{found}; {} unreadable (:errors says why)",
                crate::text::count(self.errors.len(), "source", "sources")
            )
        };
        ui.toast(Level::Info, note);
    }

    /// Keeps `current` in step with the selection (and the settings in force).
    /// In org mode `org` is the Organization's accounts, so an OU's routing override applies
    /// to its accounts as the notifier will apply it.
    pub fn refresh_current(
        &mut self,
        settings: &awsmon_notifier::Settings,
        org: Option<&[crate::org::OrgAccount]>,
    ) {
        let selected = self.view.get(self.selected).copied();
        match (selected, &self.current) {
            (Some(i), Some((j, _))) if i == *j => {}
            (Some(i), _) => {
                let settings = crate::org::routing::effective(settings, org);
                let prepared = self.items[i].prepare(&settings);
                self.current = Some((i, prepared));
                self.preview_scroll = 0;
            }
            (None, _) => self.current = None,
        }
    }

    /// The list's decisions again: a save, or the Organization's accounts arriving, changed
    /// what the notifier would do. The selection stays on the same finding.
    pub fn reread(
        &mut self,
        settings: &awsmon_notifier::Settings,
        org: Option<&[crate::org::OrgAccount]>,
    ) {
        let settings = crate::org::routing::effective(settings, org);
        for f in &mut self.items {
            if let Some(again) =
                crate::findings::Finding::from_event(f.origin, &f.event(), &settings)
            {
                f.summary = again.summary;
                f.rank = again.rank;
            }
        }
        self.current = None;
        self.refilter();
    }

    pub fn set_filter(&mut self, filter: &str) {
        filter.clone_into(&mut self.filter);
        self.refilter();
    }

    /// The view again after the filter or sort changed, with the selected finding kept
    /// selected when it is still shown.
    pub fn refilter(&mut self) {
        let keep = self.selected_key();
        self.rebuild_view();
        self.reselect(keep);
    }

    /// The selected finding's identity: where it came from and its id.
    fn selected_key(&self) -> Option<(Origin, String)> {
        self.selected().map(|f| (f.origin, f.summary.id.clone()))
    }

    fn reselect(&mut self, key: Option<(Origin, String)>) {
        let Some((origin, id)) = key else { return };
        if let Some(pos) = self.view.iter().position(|&i| {
            let f = &self.items[i];
            f.origin == origin && f.summary.id == id
        }) {
            self.selected = pos;
        }
    }

    fn rebuild_view(&mut self) {
        let needle = self.filter.to_lowercase();
        let items = &self.items;
        self.view = (0..items.len())
            .filter(|&i| {
                if needle.is_empty() {
                    return true;
                }
                let p = &items[i].summary;
                [
                    p.title.as_str(),
                    p.region.as_str(),
                    p.id.as_str(),
                    p.service,
                    p.severity.as_deref().unwrap_or_default(),
                ]
                .iter()
                .any(|s| s.to_lowercase().contains(&needle))
            })
            .collect();
        match self.sort {
            Some(SortBy::Time) => self
                .view
                .sort_by(|&a, &b| items[b].summary.time.cmp(&items[a].summary.time)),
            Some(SortBy::Severity) => self
                .view
                .sort_by(|&a, &b| items[b].rank.total_cmp(&items[a].rank)),
            None => {}
        }
        self.selected = self.selected.min(self.view.len().saturating_sub(1));
    }

    pub fn selected(&self) -> Option<&Finding> {
        self.view.get(self.selected).map(|&i| &self.items[i])
    }

    /// Esc: clears the filter first; false when there was none (the app goes back).
    pub fn back(&mut self) -> bool {
        if self.filter.is_empty() {
            return false;
        }
        self.filter.clear();
        self.refilter();
        true
    }

    pub fn handle(&mut self, cmd: Command, ui: &mut Ui, export_dir: &Path) -> Vec<Effect> {
        match cmd {
            Command::Up
            | Command::Down
            | Command::PageUp
            | Command::PageDown
            | Command::First
            | Command::Last => {
                self.selected = super::step(self.selected, self.view.len(), cmd);
            }
            Command::Filter => ui.open_input(InputFor::FindingsFilter, "/", self.filter.clone()),
            Command::PreviewDown => self.preview_scroll = self.preview_scroll.saturating_add(3),
            Command::PreviewUp => self.preview_scroll = self.preview_scroll.saturating_sub(3),
            Command::Sort => {
                self.sort = Some(match self.sort {
                    Some(SortBy::Time) => SortBy::Severity,
                    _ => SortBy::Time,
                });
                self.refilter();
            }
            // `current` is the selected finding's preview: made again after every change.
            Command::Send => match self.current.as_ref().and_then(|(_, p)| p.as_ref()) {
                Some(p) if p.routes.is_empty() => {
                    ui.toast(
                        Level::Warn,
                        "no webhook on this route: add one in routing (w)",
                    );
                }
                Some(p) if p.payload.is_none() || !p.decision.is_send() => {
                    ui.toast(Level::Warn, "the notifier would not send this one");
                }
                // Posting pages people: asked first, with the routes and the mention.
                Some(p) => ui.popup = Some(Popup::ConfirmSend(Box::new(p.clone()))),
                None => {}
            },
            // Asks where first: the user's data directory by default, the full path shown.
            Command::Export => {
                if let Some(f) = self.selected() {
                    let name = format!("awsmon-finding-{}.json", file_part(&f.summary.id));
                    let path = export_dir.join(name);
                    ui.open_input(
                        InputFor::ExportPath,
                        "write the finding's JSON to",
                        path.display().to_string(),
                    );
                }
            }
            _ => {}
        }
        Vec::new()
    }
}

impl FindingsState {
    /// `m`: a SUPPRESS rule from the selected finding, its service, type, resource and account
    /// filled in, then asked field by field: TYPE and RESOURCE (globs; cleared matches any),
    /// REASON (required) and EXPIRES (90 days on by default). The last Enter saves it.
    pub fn start_rule(&mut self, ui: &mut Ui) {
        let Some(f) = self.selected() else { return };
        let subject = awsmon_notifier::pipeline::rule_subject(&f.event());
        let Some(subject) = subject.filter(|s| s.service.is_some()) else {
            ui.toast(
                Level::Warn,
                "only a service's finding can be muted (not a test message or an unread event)",
            );
            return;
        };
        let rule = awsmon_notifier::settings::Suppression {
            service: subject.service,
            finding_type: subject.finding_type.clone(),
            resource: subject.resource,
            account: (!subject.account.is_empty()).then_some(subject.account),
            min_severity: None,
            reason: String::new(),
            expires: awsmon_notifier::time::date_of_day(awsmon_notifier::time::today_days() + 90),
        };
        self.rule = Some(rule);
        ui.open_input(
            InputFor::Rule(RuleField::Type),
            "mute · TYPE (a glob, * any run; empty: any type)",
            subject.finding_type.unwrap_or_default(),
        );
    }

    /// A field of the rule was confirmed (already validated): the next one is asked, or, after
    /// EXPIRES, the rule is added to the config in force, saved and pushed.
    pub fn rule_input(
        &mut self,
        field: RuleField,
        value: &str,
        ui: &mut Ui,
        cfg: &crate::config::Config,
    ) -> Vec<Effect> {
        let Some(rule) = self.rule.as_mut() else {
            return Vec::new();
        };
        let given = |v: &str| (!v.is_empty()).then(|| v.to_string());
        match field {
            RuleField::Type => {
                rule.finding_type = given(value);
                ui.open_input(
                    InputFor::Rule(RuleField::Resource),
                    "mute · RESOURCE (a glob; empty: any resource)",
                    rule.resource.clone().unwrap_or_default(),
                );
            }
            RuleField::Resource => {
                rule.resource = given(value);
                ui.open_input(
                    InputFor::Rule(RuleField::Reason),
                    "mute · REASON (required: why it is accepted)",
                    String::new(),
                );
            }
            RuleField::Reason => {
                value.clone_into(&mut rule.reason);
                ui.open_input(
                    InputFor::Rule(RuleField::Expires),
                    "mute · EXPIRES (YYYY-MM-DD, the last day it applies)",
                    rule.expires.clone(),
                );
            }
            RuleField::Expires => {
                value.clone_into(&mut rule.expires);
                let Some(rule) = self.rule.take() else {
                    return Vec::new();
                };
                let mut config = cfg.clone();
                config.settings.suppress.push(rule);
                return vec![Effect::SaveConfig {
                    config: Box::new(config),
                    push_routing: true,
                    editor: crate::tui::screens::Editor::Rules,
                }];
            }
        }
        Vec::new()
    }

    /// The selected finding's event as a file to write at `path`.
    pub fn export(&self, path: &str) -> Option<Effect> {
        let f = self.selected()?;
        let contents = serde_json::to_string_pretty(&f.event()).unwrap_or_default() + "\n";
        Some(Effect::WriteFile {
            path: PathBuf::from(path),
            contents,
        })
    }
}

/// `2026-12-03T14:05:09Z` as `12-03 14:05` (UTC, as the notifier writes times); anything else
/// cut to fit.
fn short_time(iso: &str) -> String {
    match (iso.get(5..10), iso.get(11..16)) {
        (Some(day), Some(time)) if iso.as_bytes().get(10) == Some(&b'T') => {
            format!("{day} {time}")
        }
        _ => fit(iso, 11),
    }
}

/// The last 40 characters of an id, safe in a file name.
fn file_part(id: &str) -> String {
    let safe: Vec<char> = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    safe[safe.len().saturating_sub(40)..].iter().collect()
}

pub fn draw(frame: &mut Frame, app: &App, theme: Theme, area: Rect) {
    let (list, detail) = if area.width >= 120 {
        let [l, d] = Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
            .areas(area);
        (l, d)
    } else {
        let [l, d] =
            Layout::vertical([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(area);
        (l, d)
    };
    draw_list(frame, app, theme, list);
    draw_detail(frame, app, theme, detail);
}

fn draw_list(frame: &mut Frame, app: &App, theme: Theme, area: Rect) {
    let f = &app.findings;
    let sort = match f.sort {
        Some(SortBy::Time) => "newest first",
        Some(SortBy::Severity) => "most severe first",
        None => "as fetched",
    };
    let mut title = format!(" findings {}/{} · {sort} ", f.view.len(), f.items.len());
    if !f.filter.is_empty() {
        title.push_str(&format!("· /{} ", f.filter));
    }
    if !f.errors.is_empty() {
        title.push_str(&format!(
            "· {} unreadable (:errors) ",
            crate::text::count(f.errors.len(), "source", "sources")
        ));
    }
    if f.loading {
        title.push_str(&format!("· {} loading ", spinner(app)));
    }
    let block = Block::bordered().title(title).border_style(theme.dim());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = usize::from(inner.width);
    let rows = usize::from(inner.height);
    let offset = f.selected.saturating_sub(rows.saturating_sub(1));
    let mut lines = Vec::with_capacity(rows);
    for (pos, &i) in f.view.iter().enumerate().skip(offset).take(rows) {
        let item = &f.items[i];
        let p = &item.summary;
        let sev = p.severity.as_deref().unwrap_or("-");
        let sev = sev.split_whitespace().next().unwrap_or("-");
        let tag = if item.origin == Origin::Sample {
            "sample"
        } else {
            p.region.as_str()
        };
        // "sent": the deployed notifier's state records the message.
        let send = match (item.delivered, p.send) {
            (Some(_), _) => "sent",
            (None, true) => "send",
            (None, false) => "drop",
        };
        let head = format!(
            "{:<12}{:<9}{:<15}{:<15}{:<5}",
            short_time(&p.time),
            fit(sev, 8),
            fit(item.service(), 14),
            fit(tag, 14),
            send
        );
        let title = fit(&p.title, width.saturating_sub(head.chars().count()));
        let style = if pos == f.selected {
            theme.selected()
        } else if p.send {
            ratatui::style::Style::default()
        } else {
            theme.dim()
        };
        lines.push(Line::styled(format!("{head}{title}"), style));
    }
    if f.view.is_empty() {
        lines.push(Line::styled("no findings match", theme.dim()));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn draw_detail(frame: &mut Frame, app: &App, theme: Theme, area: Rect) {
    let block = Block::bordered()
        .title(" as Slack will show it ")
        .border_style(theme.dim());
    let Some((index, Some(p))) = &app.findings.current else {
        frame.render_widget(block, area);
        return;
    };
    let mut lines = Vec::new();
    match &p.decision {
        awsmon_notifier::Decision::Send { mention } => lines.push(Line::styled(
            format!("send · mention {}", mention.as_str()),
            theme.ok(),
        )),
        awsmon_notifier::Decision::Drop { reason } => {
            lines.push(Line::styled(format!("drop · {reason}"), theme.warn()));
        }
    }
    if let Some(d) = app.findings.items.get(*index).and_then(|f| f.delivered) {
        lines.push(Line::styled(
            format!("notifier: {}", d.describe()),
            theme.dim(),
        ));
    }
    let routes: Vec<String> = p
        .routes
        .iter()
        .map(awsmon_notifier::WebhookUrl::masked)
        .collect();
    if app.routing_unresolved() {
        lines.push(Line::styled(
            "ROUTING_OVERRIDES' OU entries are not applied yet: the Organization is still being read",
            theme.warn(),
        ));
    }
    let route = match &p.via {
        Some(target) => format!("{} · ROUTING_OVERRIDES {target}", p.service_name()),
        None => p.service_name().to_string(),
    };
    lines.push(Line::styled(
        format!(
            "routes ({route}): {}",
            if routes.is_empty() {
                "none configured".to_string()
            } else {
                routes.join(", ")
            }
        ),
        theme.dim(),
    ));
    lines.push(Line::raw(""));
    if let Some(payload) = &p.payload {
        let bar = theme.hex(slack_view::colour(payload).unwrap_or("#888888"));
        for l in slack_view::render(payload) {
            let (text, style) = match l {
                slack_view::Line::Text(t) => {
                    lines.push(Line::styled(t, theme.bold()));
                    continue;
                }
                slack_view::Line::Header(t) => (t, theme.bold()),
                slack_view::Line::Body(t) => (t, ratatui::style::Style::default()),
                slack_view::Line::Field(k, v) => {
                    lines.push(Line::from(vec![
                        Span::styled("▌ ", bar),
                        Span::styled(format!("{k}: "), theme.bold()),
                        Span::raw(v),
                    ]));
                    continue;
                }
                slack_view::Line::Link(label, url) => (
                    format!("{label} <{url}>"),
                    theme.busy().add_modifier(Modifier::UNDERLINED),
                ),
                slack_view::Line::Context(t) => (t, theme.dim()),
                slack_view::Line::Blank => (String::new(), theme.dim()),
            };
            lines.push(Line::from(vec![
                Span::styled("▌ ", bar),
                Span::styled(text, style),
            ]));
        }
    } else {
        lines.push(Line::styled(
            "(no message: the event could not be read)",
            theme.dim(),
        ));
    }
    // Scrolls with ] and [, stopping at the end; a cue says when more is below.
    let inner_w = usize::from(area.width.saturating_sub(2)).max(1);
    let inner_h = usize::from(area.height.saturating_sub(2));
    let rows: usize = lines
        .iter()
        .map(|l| l.width().max(1).div_ceil(inner_w))
        .sum();
    let max = u16::try_from(rows.saturating_sub(inner_h)).unwrap_or(u16::MAX);
    let scroll = app.findings.preview_scroll.min(max);
    let block = if scroll < max {
        block.title_bottom(Line::styled(" ↓ more (]) ", theme.dim()).right_aligned())
    } else {
        block
    };
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        area,
    );
}
