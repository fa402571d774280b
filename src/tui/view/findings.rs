//! Findings: the list (filtered, sorted), and the selected one as Slack will show it, with the
//! notifier's decision and the routes (masked). Only visible rows are drawn.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::{fit, spinner};
use crate::findings::Origin;
use crate::slack_view;
use crate::tui::app::{App, SortBy};
use crate::tui::theme::Theme;

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
            "· {} source(s) unreadable (:errors) ",
            f.errors.len()
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
        let send = if p.send { "send" } else { "drop" };
        let head = format!(
            "{:<9}{:<15}{:<15}{:<5}",
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
    let Some((_, Some(p))) = &app.findings.current else {
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
    let routes: Vec<String> = p
        .routes
        .iter()
        .map(awsmon_notifier::WebhookUrl::masked)
        .collect();
    lines.push(Line::styled(
        format!(
            "routes ({}): {}",
            p.service_name(),
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
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}
