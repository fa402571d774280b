//! Slack messages as a person sees them in the client, as plain lines: the mention, the colour
//! bar, the header, text, fields and links. Used by `preview` and the console.

use serde_json::Value;

/// One rendered line and what kind of text it is (for styling).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// The notification text, with mentions shown as Slack shows them (`@channel`).
    Text(String),
    Header(String),
    Body(String),
    /// Label and value.
    Field(String, String),
    Link(String, String),
    Context(String),
    Blank,
}

/// The message's colour bar, `#rrggbb`.
pub fn colour(payload: &Value) -> Option<&str> {
    payload["attachments"][0]["color"].as_str()
}

pub fn render(payload: &Value) -> Vec<Line> {
    let mut out = Vec::new();
    if let Some(text) = payload["text"].as_str() {
        out.push(Line::Text(mrkdwn_to_plain(text)));
    }
    let blocks = payload["attachments"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|a| a["blocks"].as_array().into_iter().flatten())
        .chain(payload["blocks"].as_array().into_iter().flatten());
    for b in blocks {
        match b["type"].as_str() {
            Some("header") => out.push(Line::Header(unescape(
                b["text"]["text"].as_str().unwrap_or_default(),
            ))),
            Some("section") => {
                if let Some(t) = b["text"]["text"].as_str() {
                    let (links, rest) = split_links(t);
                    for line in rest.lines().filter(|l| !l.trim().is_empty()) {
                        out.push(Line::Body(mrkdwn_to_plain(line)));
                    }
                    out.extend(links.into_iter().map(|(label, url)| Line::Link(label, url)));
                }
                for f in b["fields"].as_array().into_iter().flatten() {
                    let t = f["text"].as_str().unwrap_or_default();
                    let (label, value) = t.split_once('\n').unwrap_or((t, ""));
                    out.push(Line::Field(
                        mrkdwn_to_plain(label.trim_matches('*')),
                        mrkdwn_to_plain(value),
                    ));
                }
            }
            Some("context") => {
                for e in b["elements"].as_array().into_iter().flatten() {
                    out.push(Line::Context(mrkdwn_to_plain(
                        e["text"].as_str().unwrap_or_default(),
                    )));
                }
            }
            _ => {}
        }
    }
    out
}

/// Plain text for a terminal: one line per rendered line, `┃` standing for the colour bar.
pub fn to_text(payload: &Value) -> String {
    let mut s = String::new();
    for line in render(payload) {
        let text = match line {
            Line::Text(t) => t,
            Line::Header(h) => format!("┃ {h}"),
            Line::Body(b) => format!("┃ {b}"),
            Line::Field(l, v) => format!("┃ {l}: {v}"),
            Line::Link(l, u) => format!("┃ {l} → {u}"),
            Line::Context(c) => format!("┃ {c}"),
            Line::Blank => String::new(),
        };
        s.push_str(&text);
        s.push('\n');
    }
    s
}

/// Pulls `<url|label>` links out of mrkdwn.
fn split_links(text: &str) -> (Vec<(String, String)>, String) {
    let mut links = Vec::new();
    let mut rest = String::new();
    let mut cur = text;
    while let Some(start) = cur.find("<http") {
        rest.push_str(&cur[..start]);
        let Some(end) = cur[start..].find('>') else {
            break;
        };
        let inner = &cur[start + 1..start + end];
        let (url, label) = inner.split_once('|').unwrap_or((inner, inner));
        links.push((unescape(label), url.to_string()));
        cur = &cur[start + end + 1..];
    }
    rest.push_str(cur);
    let rest = rest.replace("  ·  ", "");
    (links, rest)
}

/// Mentions as Slack displays them, formatting marks dropped, entities decoded.
pub fn mrkdwn_to_plain(text: &str) -> String {
    let t = text
        .replace("<!channel>", "@channel")
        .replace("<!here>", "@here")
        .replace('`', "");
    unescape(&t)
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn renders_mentions_fields_links_and_context() {
        let payload = json!({
            "text": "<!channel> GuardDuty High: a &lt;b&gt;",
            "attachments": [{"color": "#E01E5A", "blocks": [
                {"type": "header", "text": {"type": "plain_text", "text": "Title &amp; more"}},
                {"type": "section", "text": {"type": "mrkdwn", "text": "line one\n`code` two"}},
                {"type": "section", "fields": [{"type": "mrkdwn", "text": "*Severity*\nHigh (8.0)"}]},
                {"type": "section", "text": {"type": "mrkdwn", "text": "<https://x.example/a?b=c|Open>  ·  <https://y.example|Docs>"}},
                {"type": "context", "elements": [{"type": "mrkdwn", "text": "account 1 · us-east-1"}]}
            ]}]
        });
        assert_eq!(colour(&payload), Some("#E01E5A"));
        assert_eq!(
            to_text(&payload),
            "@channel GuardDuty High: a <b>\n┃ Title & more\n┃ line one\n┃ code two\n┃ Severity: High (8.0)\n\
             ┃ Open → https://x.example/a?b=c\n┃ Docs → https://y.example\n┃ account 1 · us-east-1\n"
        );
    }
}
