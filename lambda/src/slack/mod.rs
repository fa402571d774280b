//! Slack Block Kit messages within Slack's limits. Text from events is always escaped for
//! mrkdwn (`&`, `<`, `>`), so an event can never ping a channel or forge a link; the only
//! markup in a message is what this crate writes.

mod message;

use serde_json::Value;

use std::borrow::Cow;

use message::Writer;
pub use message::{Block, Message};

use crate::decide::Mention;
use crate::json::is_blank;

pub const HEADER_MAX: usize = 150;
pub const SECTION_TEXT_MAX: usize = 3000;
pub const FIELD_TEXT_MAX: usize = 2000;
pub const FIELDS_PER_SECTION: usize = 10;
pub const BLOCKS_MAX: usize = 50;
pub const TEXT_MAX: usize = 40_000;

/// Escapes text for mrkdwn and plain_text.
pub fn escape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len() + 8);
    escape_into(&mut out, raw);
    out
}

/// [`escape`], appending to `out` (messages are built from many small pieces). Runs of plain
/// text are copied whole: only `&`, `<`, `>` and the lead bytes of the invisible characters
/// (U+061C starts with D8, U+200B..U+2069 with E2, U+FEFF with EF) need a closer look, and
/// those bytes are never inside another character.
pub fn escape_into(out: &mut String, raw: &str) {
    let bytes = raw.as_bytes();
    if !may_need_escaping(raw) {
        out.push_str(raw);
        return;
    }
    let (mut copied, mut i) = (0, 0);
    while i < bytes.len() {
        let (skip, with) = match bytes[i] {
            b'&' => (1, "&amp;"),
            b'<' => (1, "&lt;"),
            b'>' => (1, "&gt;"),
            0xD8 | 0xE2 | 0xEF => match raw[i..].chars().next() {
                Some(c) if is_invisible(c) => (c.len_utf8(), ""),
                _ => {
                    i += 1;
                    continue;
                }
            },
            _ => {
                i += 1;
                continue;
            }
        };
        out.push_str(&raw[copied..i]);
        out.push_str(with);
        i += skip;
        copied = i;
    }
    out.push_str(&raw[copied..]);
}

/// Whether [`escape`] could change `raw`: it holds `&`, `<`, `>` or a lead byte of an
/// invisible character. Most event text has none of them: one pass without an early exit (it
/// vectorises).
pub fn may_need_escaping(raw: &str) -> bool {
    raw.as_bytes().iter().fold(false, |any, &b| {
        any | matches!(b, b'&' | b'<' | b'>' | 0xD8 | 0xE2 | 0xEF)
    })
}

/// Zero-width and bidirectional-control characters: invisible in Slack, and able to make event
/// text read differently from what it is (a reversed file name, a hidden word).
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{061C}'
    )
}

/// Hosts a link may point at: the AWS console and documentation (any region's), and the
/// vulnerability databases and vendor advisories that AWS findings cite. A finding's own URL
/// field is event data; a forged event must not turn it into a button to anywhere.
const LINK_HOSTS: &[&str] = &[
    "aws.amazon.com",
    "amazonaws.com",
    "amazonaws.cn",
    "amazonaws-us-gov.com",
    "nvd.nist.gov",
    "cve.mitre.org",
    "cve.org",
    "ubuntu.com",
    "security-tracker.debian.org",
    "access.redhat.com",
    "github.com",
    "cwe.mitre.org",
];

/// The host of an `https://` URL when it is one a link may point at.
fn allowed_host(rest: &str) -> bool {
    let rest = rest.as_bytes();
    let end = rest
        .iter()
        .position(|b| matches!(b, b'/' | b'?' | b'#'))
        .unwrap_or(rest.len());
    let host = &rest[..end];
    // Userinfo (`user@host`) and ports have no business in an advisory link.
    if host.iter().any(|b| matches!(b, b'@' | b':' | b'\\')) {
        return false;
    }
    LINK_HOSTS.iter().any(|h| {
        let h = h.as_bytes();
        host.len() >= h.len()
            && host[host.len() - h.len()..].eq_ignore_ascii_case(h)
            && (host.len() == h.len() || host[host.len() - h.len() - 1] == b'.')
    })
}

/// Inline code, for ids and values: escaped, with backticks that would end the span replaced.
pub fn code(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len() + 2);
    code_into(&mut out, raw);
    out
}

/// [`code`], appending to `out`.
pub fn code_into(out: &mut String, raw: &str) {
    wrapped_into(out, raw, '`', "'");
}

pub fn bold(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len() + 2);
    bold_into(&mut out, raw);
    out
}

/// [`bold`], appending to `out`.
pub fn bold_into(out: &mut String, raw: &str) {
    wrapped_into(out, raw, '*', "∗");
}

/// `raw` escaped between two `mark`s, any `mark` inside it written as `instead`.
fn wrapped_into(out: &mut String, raw: &str, mark: char, instead: &str) {
    out.push(mark);
    if raw.contains(mark) {
        escape_into(out, &raw.replace(mark, instead));
    } else {
        escape_into(out, raw);
    }
    out.push(mark);
}

/// Whether `target` may be a link target: an `https://` URL with an expected host (see
/// [`LINK_HOSTS`]), in printable ASCII, without anything that would end or split `<url|label>`
/// (`|`, `<`, `>`, spaces).
// Bitwise on purpose: no branch per byte, so the check vectorises.
#[allow(clippy::needless_bitwise_bool)]
pub fn is_link_target(target: &str) -> bool {
    target.strip_prefix("https://").is_some_and(|rest| {
        !rest.is_empty()
            && !rest.starts_with(['/', '?', '#'])
            // Without an early exit, so it vectorises: links are long and nearly always fine.
            && target.bytes().fold(true, |ok, b| {
                ok & b.is_ascii_graphic() & (b != b'|') & (b != b'<') & (b != b'>')
            })
            && allowed_host(rest)
    })
}

/// A link, the only way this crate writes one. The target must pass [`is_link_target`];
/// anything else (`false`, a number, `javascript:…`, `http://…`, text with spaces or `|<>`)
/// is shown as the label followed by the value as escaped inline code, and an empty target
/// leaves the label alone.
pub fn link(url: &str, label: &str) -> String {
    let mut out = String::with_capacity(url.len() + label.len() + 8);
    link_into(&mut out, url, label);
    out
}

/// [`link`], appending to `out`.
pub fn link_into(out: &mut String, url: &str, label: &str) {
    if is_link_target(url) {
        out.push('<');
        out.push_str(url);
        out.push('|');
        escape_into(out, label);
        out.push('>');
    } else if url.trim().is_empty() {
        escape_into(out, label);
    } else {
        escape_into(out, label);
        out.push_str(": ");
        code_into(out, url);
    }
}

/// Shortens already-escaped text to at most `max` characters, ending in an ellipsis, without
/// cutting an entity (`&amp;`) or a link (`<…>`) in half.
pub fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max || text.chars().count() <= max {
        return text.to_string();
    }
    cut(text, max)
}

/// [`truncate`], borrowing when the text fits.
pub fn truncated(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    if text.len() <= max || text.chars().count() <= max {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(cut(text, max))
}

fn cut(text: &str, max: usize) -> String {
    let keep = max.saturating_sub(1);
    let mut cut = text.char_indices().nth(keep).map_or(text.len(), |(i, _)| i);
    let head = &text[..cut];
    if let Some(open) = head.rfind('<')
        && head[open..].find('>').is_none()
    {
        cut = open;
    }
    let head = &text[..cut];
    if let Some(amp) = head.rfind('&')
        && head[amp..].find(';').is_none()
    {
        cut = amp;
    }
    format!("{}…", text[..cut].trim_end())
}

/// A card's (label, value) or (label, url), borrowing the event's text where they can.
pub type Field<'a> = (Cow<'a, str>, Cow<'a, str>);

/// A message before it is laid out: every text is raw (escaped on output) except `body`,
/// which is mrkdwn built with [`escape`], [`code`], [`bold`] and [`link`]. Its texts borrow
/// from the event where they can.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Card<'a> {
    /// Attachment colour bar, `#rrggbb`.
    pub colour: &'static str,
    pub mention: Option<Mention>,
    /// The one-line notification text (raw).
    pub summary: String,
    pub header: Cow<'a, str>,
    /// mrkdwn paragraphs, one section each.
    pub body: Vec<Cow<'a, str>>,
    /// (label, value), raw.
    pub fields: Vec<Field<'a>>,
    /// (label, url), each made with [`link`]: a url that is not `https://` shows as text.
    pub links: Vec<Field<'a>>,
    /// The context line; the envelope's when `None` or empty.
    pub context: Option<Context<'a>>,
}

/// The context line's items, raw: `account …`, the region and the time, each left out when
/// empty.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Context<'a> {
    pub account: &'a str,
    /// The account's name where the routing knows it (org mode): `account prod-web (1111…)`.
    pub account_name: &'a str,
    pub region: &'a str,
    pub time: &'a str,
}

impl Context<'_> {
    pub fn is_empty(&self) -> bool {
        self.account.is_empty() && is_blank(self.region) && is_blank(self.time)
    }

    fn write(&self, out: &mut String) {
        let mut first = true;
        let mut separate = |out: &mut String| {
            if !first {
                out.push_str("  ·  ");
            }
            first = false;
        };
        if !self.account.is_empty() {
            separate(out);
            out.push_str("account ");
            if is_blank(self.account_name) {
                escape_into(out, self.account);
            } else {
                escape_into(out, self.account_name);
                out.push_str(" (");
                escape_into(out, self.account);
                out.push(')');
            }
        }
        for item in [self.region, self.time] {
            if !is_blank(item) {
                separate(out);
                escape_into(out, item);
            }
        }
    }
}

impl Card<'_> {
    /// The Slack message: top-level `text` (mention + summary, shown and used for
    /// notifications) and one attachment with the colour bar and the blocks. Each text is
    /// escaped into one reused buffer and written out as JSON from there.
    pub fn to_message(&self) -> Message {
        let mut w = Writer::new();
        let mut text = String::with_capacity(512);
        escape_into(&mut text, &self.header);
        w.header(&truncated(&text, HEADER_MAX));
        for para in self.body.iter().filter(|p| !is_blank(p)) {
            w.section(&truncated(para, SECTION_TEXT_MAX));
        }
        for chunk in self.fields.chunks(FIELDS_PER_SECTION) {
            w.fields_start();
            for (label, value) in chunk {
                let value = if is_blank(value) { "—" } else { value };
                text.clear();
                text.push('*');
                if label.contains('*') {
                    escape_into(&mut text, &label.replace('*', "∗"));
                } else {
                    escape_into(&mut text, label);
                }
                text.push_str("*\n");
                escape_into(&mut text, value);
                w.field(&truncated(&text, FIELD_TEXT_MAX));
            }
            w.fields_end();
        }
        if !self.links.is_empty() {
            text.clear();
            for (i, (label, url)) in self.links.iter().enumerate() {
                if i > 0 {
                    text.push_str("  ·  ");
                }
                link_into(&mut text, url, label);
            }
            w.section(&truncated(&text, SECTION_TEXT_MAX));
        }
        text.clear();
        if let Some(context) = &self.context {
            context.write(&mut text);
        }
        w.context(&truncated(&text, SECTION_TEXT_MAX));
        text.clear();
        if let Some(m) = self.mention.and_then(Mention::markup) {
            text.push_str(m);
            text.push(' ');
        }
        escape_into(&mut text, &self.summary);
        w.finish(self.colour, &truncated(&text, TEXT_MAX))
    }

    /// [`Card::to_message`] as a JSON value.
    pub fn to_slack(&self) -> Value {
        self.to_message().value().clone()
    }
}

/// Checks a payload against Slack's limits; returns what is wrong.
pub fn limit_violations(payload: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let len = |v: &Value| v.as_str().map_or(0, |s| s.chars().count());
    if len(&payload["text"]) > TEXT_MAX {
        out.push("text over 40000".to_string());
    }
    let mut all_blocks = Vec::new();
    if let Some(b) = payload["blocks"].as_array() {
        all_blocks.push(b);
    }
    for att in payload["attachments"].as_array().into_iter().flatten() {
        if let Some(b) = att["blocks"].as_array() {
            all_blocks.push(b);
        }
    }
    for blocks in all_blocks {
        if blocks.len() > BLOCKS_MAX {
            out.push(format!("{} blocks", blocks.len()));
        }
        for b in blocks {
            match b["type"].as_str() {
                Some("header") if len(&b["text"]["text"]) > HEADER_MAX => {
                    out.push("header too long".into());
                }
                Some("section") => {
                    if len(&b["text"]["text"]) > SECTION_TEXT_MAX {
                        out.push("section text too long".into());
                    }
                    let fields = b["fields"].as_array().map_or(&[][..], Vec::as_slice);
                    if fields.len() > FIELDS_PER_SECTION {
                        out.push(format!("{} fields", fields.len()));
                    }
                    if fields.iter().any(|f| len(&f["text"]) > FIELD_TEXT_MAX) {
                        out.push("field text too long".into());
                    }
                }
                Some("context")
                    if b["elements"]
                        .as_array()
                        .is_some_and(|e| e.iter().any(|x| len(&x["text"]) > SECTION_TEXT_MAX)) =>
                {
                    out.push("context too long".into());
                }
                _ => {}
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_neutralises_mentions_and_links() {
        assert_eq!(
            escape("<!channel> & <http://x|y>"),
            "&lt;!channel&gt; &amp; &lt;http://x|y&gt;"
        );
    }

    /// What a link to a target that is not an `https://` URL must look like: the label, then
    /// the target as an escaped inline value; never `<target|label>`.
    fn assert_plain(target: &str, expected: &str) {
        let got = link(target, "Remediation");
        assert_eq!(got, expected, "link({target:?})");
        assert!(!got.contains('<') && !got.contains('>'), "{got}");
    }

    #[test]
    fn an_https_url_is_a_link() {
        assert_eq!(
            link("https://docs.aws.amazon.com/x?a=1&b=2#c", "Docs"),
            "<https://docs.aws.amazon.com/x?a=1&b=2#c|Docs>"
        );
        assert_eq!(
            link("https://nvd.nist.gov/a", "x <y> & z"),
            "<https://nvd.nist.gov/a|x &lt;y&gt; &amp; z>"
        );
    }

    #[test]
    fn a_json_boolean_is_not_a_link_target() {
        assert_plain("false", "Remediation: `false`");
        assert_plain("true", "Remediation: `true`");
    }

    #[test]
    fn a_number_is_not_a_link_target() {
        assert_plain("42", "Remediation: `42`");
        assert_plain("-1.5e3", "Remediation: `-1.5e3`");
    }

    #[test]
    fn a_javascript_url_is_not_a_link_target() {
        assert_plain("javascript:alert(1)", "Remediation: `javascript:alert(1)`");
    }

    #[test]
    fn an_http_url_is_not_a_link_target() {
        assert_plain(
            "http://example.com/fix",
            "Remediation: `http://example.com/fix`",
        );
        assert_plain(
            "HTTPS://example.com/fix",
            "Remediation: `HTTPS://example.com/fix`",
        );
    }

    #[test]
    fn an_empty_target_leaves_the_label_alone() {
        assert_plain("", "Remediation");
        assert_plain("   ", "Remediation");
    }

    #[test]
    fn a_url_without_a_host_is_not_a_link_target() {
        assert_plain("https://", "Remediation: `https://`");
        assert_plain("https:///etc/passwd", "Remediation: `https:///etc/passwd`");
    }

    #[test]
    fn a_url_with_spaces_is_not_a_link_target() {
        assert_plain("https://e.x/a b", "Remediation: `https://e.x/a b`");
        assert_plain("https://e.x/a\nb", "Remediation: `https://e.x/a\nb`");
    }

    #[test]
    fn a_url_with_a_pipe_is_not_a_link_target() {
        assert_plain(
            "https://e.x/a|click me",
            "Remediation: `https://e.x/a|click me`",
        );
    }

    #[test]
    fn a_url_with_angle_brackets_is_not_a_link_target() {
        assert_plain(
            "https://e.x/<!channel>",
            "Remediation: `https://e.x/&lt;!channel&gt;`",
        );
        assert_plain("https://e.x/a>b", "Remediation: `https://e.x/a&gt;b`");
    }

    #[test]
    fn truncation_never_splits_entities_or_links() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("ab&amp;cd", 5), "ab…");
        assert_eq!(truncate("see <https://example.com|here> now", 12), "see…");
        assert_eq!(truncate("ééééé", 3), "éé…");
        assert_eq!(truncate("short", 10), "short");
    }

    /// The security review's finding: a forged event's URL field became a button to any host.
    #[test]
    fn links_go_only_to_expected_hosts() {
        for ok in [
            "https://nvd.nist.gov/vuln/detail/CVE-2023-1234",
            "https://docs.aws.amazon.com/securityhub/latest/userguide/x.html",
            "https://eu-west-1.console.aws.amazon.com/guardduty/home",
            "https://alas.aws.amazon.com/AL2/ALAS-2023-1.html",
            "https://ubuntu.com/security/CVE-2023-1234",
        ] {
            assert!(link(ok, "x").starts_with(&format!("<{ok}|")), "{ok}");
        }
        for bad in [
            "https://evil.example/aws-login",
            "https://console.aws.amazon.com.evil.example/x",
            "https://evilaws.amazon.com/x",
            "https://user:pass@docs.aws.amazon.com/x",
            "https://docs.aws.amazon.com:8443/x",
            "https://nvd.nist.gov\\@evil.example/",
        ] {
            assert!(!link(bad, "x").contains('<'), "{bad} became a link");
        }
    }

    /// The byte scanner against the plain definition, on every character class it treats
    /// apart: the three entities, each invisible character, neighbours of their lead bytes.
    #[test]
    fn escaping_matches_the_char_by_char_definition() {
        let plain = |raw: &str| -> String {
            raw.chars()
                .filter(|c| !is_invisible(*c))
                .map(|c| match c {
                    '&' => "&amp;".to_string(),
                    '<' => "&lt;".to_string(),
                    '>' => "&gt;".to_string(),
                    c => c.to_string(),
                })
                .collect()
        };
        let mut chars: Vec<char> = "a&<>é€😀\u{061B}\u{061C}\u{061D}\u{200A}\u{2010}\u{2029}\u{202F}\u{205F}\u{2065}\u{206A}\u{FEFE}\u{FEFF}\u{FFFD}"
            .chars()
            .collect();
        chars.extend(('\u{2000}'..='\u{2070}').chain('\u{0600}'..='\u{0620}'));
        for a in &chars {
            for b in &chars {
                let raw = format!("x{a}{b}y");
                assert_eq!(escape(&raw), plain(&raw), "{raw:?}");
            }
        }
    }

    #[test]
    fn zero_width_and_bidi_controls_are_dropped() {
        assert_eq!(
            escape("in\u{200b}voice\u{202e}fdp.exe\u{2066}x\u{feff}"),
            "invoicefdp.exex"
        );
    }
}
