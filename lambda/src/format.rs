//! Events to Slack cards: what a person needs to act, and a link to the console. Each kind's
//! card is in its own file, `event/<svc>.rs`; this module holds what they share.

use crate::decide::Decision;
use crate::event::{Envelope, Event};
use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::slack::{Card, Context, escape};

pub(crate) const RED: &str = "#E01E5A";
pub(crate) const DARK_RED: &str = "#8B0000";
pub(crate) const AMBER: &str = "#ECB22E";
pub(crate) const BLUE: &str = "#439FE0";
pub(crate) const GREEN: &str = "#2EB67D";

/// Each part of a card adds something: the notification text is who is pinged, the severity,
/// the title and the region; the header is the title; the body is what the title does not say
/// already; the fields are the details the header does not carry.
/// `accounts` names accounts by id (org mode), for the context line.
pub fn card<'c>(
    envelope: &'c Envelope<'_>,
    event: &'c Event<'_>,
    decision: &Decision,
    accounts: &'c BTreeMap<String, String>,
) -> Card<'c> {
    let mut card = event.card();
    card.mention = Some(decision.mention());
    if card.context.is_none_or(|c| c.is_empty()) {
        card.context = Some(context(&envelope.account, &envelope.region, &envelope.time));
    }
    if let Some(ctx) = card.context.as_mut()
        && let Some(name) = accounts.get(ctx.account)
    {
        ctx.account_name = name;
    }
    card
}

/// The colour bar for a severity label, the same for every service.
pub(crate) fn severity_colour(label: &str) -> &'static str {
    match label {
        "CRITICAL" => DARK_RED,
        "HIGH" => RED,
        "MEDIUM" => AMBER,
        _ => BLUE,
    }
}

pub(crate) fn context<'a>(account: &'a str, region: &'a str, time: &'a str) -> Context<'a> {
    Context {
        account,
        account_name: "",
        region,
        time,
    }
}

/// A console URL in `region`, or the region-less console when `region` is not a region name
/// (empty, `global`, or anything odd from an event): never `global.console.aws.amazon.com`.
#[cfg(test)]
pub(crate) fn console(region: &str, path: &str) -> String {
    console_url(region, &[(path, "")])
}

/// [`console`] with a path of `(text, value)` pairs: each text as it is, each value
/// percent-encoded, written into one string.
pub(crate) fn console_url(region: &str, path: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(192);
    out.push_str("https://");
    // GovCloud and China have consoles of their own (the paths carry `?region=`).
    if is_region(region) && region.starts_with("us-gov-") {
        out.push_str("console.amazonaws-us-gov.com/");
    } else if is_region(region) && region.starts_with("cn-") {
        out.push_str("console.amazonaws.cn/");
    } else {
        if is_region(region) {
            out.push_str(region);
            out.push('.');
        }
        out.push_str("console.aws.amazon.com/");
    }
    for (text, value) in path {
        out.push_str(text);
        enc_into(&mut out, value);
    }
    out
}

/// `eu-west-1`, `us-gov-west-1`: letters, a hyphen, words, and a number.
fn is_region(region: &str) -> bool {
    let Some((words, number)) = region.rsplit_once('-') else {
        return false;
    };
    let mut parts = 0;
    let words_ok = words.split('-').enumerate().all(|(i, p)| {
        parts += 1;
        !p.is_empty() && (i > 0 || p.len() == 2) && p.bytes().all(|b| b.is_ascii_lowercase())
    });
    words_ok && parts >= 2 && !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit())
}

/// The description as the body, less what the header says already: nothing when it is the
/// title, the rest when its first sentence is the title (GuardDuty's often is).
pub(crate) fn description_body<'a>(title: &str, description: &'a str) -> Vec<Cow<'a, str>> {
    let t = title.trim().trim_end_matches(['.', '!', '?']);
    let after_title = description
        .trim()
        .strip_prefix(t)
        .filter(|_| !t.is_empty())
        .and_then(|r| match r.strip_prefix(['.', '!', '?']) {
            _ if r.is_empty() => Some(""),
            // The title's sentence ends here; otherwise the title only starts a longer one.
            Some(after) if after.is_empty() || after.starts_with(char::is_whitespace) => {
                Some(after.trim())
            }
            _ => None,
        });
    match after_title.unwrap_or(description) {
        "" => Vec::new(),
        rest => vec![escaped(rest)],
    }
}

/// Text escaped for mrkdwn, borrowed when it needs no escaping (most does not).
pub(crate) fn escaped(raw: &str) -> Cow<'_, str> {
    if crate::slack::may_need_escaping(raw) {
        Cow::Owned(escape(raw))
    } else {
        Cow::Borrowed(raw)
    }
}

/// `s` in ASCII upper case, borrowed when it is already.
pub(crate) fn upper(s: Cow<'_, str>) -> Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_lowercase()) {
        Cow::Owned(s.to_ascii_uppercase())
    } else {
        s
    }
}

/// Percent-encodes a query value.
pub(crate) fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    enc_into(&mut out, s);
    out
}

/// [`enc`], appending to `out`.
pub(crate) fn enc_into(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn console_links_need_a_region_name() {
        assert_eq!(
            console("eu-west-1", "config/home"),
            "https://eu-west-1.console.aws.amazon.com/config/home"
        );
        // Other partitions' consoles: a link to the commercial one would not sign in.
        assert_eq!(
            console("us-gov-west-1", "x"),
            "https://console.amazonaws-us-gov.com/x"
        );
        assert_eq!(console("cn-north-1", "x"), "https://console.amazonaws.cn/x");
        for region in ["us-gov-west-1", "cn-northwest-1", "eu-west-1"] {
            let url = console(region, "guardduty/home");
            assert!(crate::slack::is_link_target(&url), "{url} is not a link");
        }
        for odd in [
            "global",
            "",
            "GLOBAL",
            "eu-west",
            "eu-west-1.evil.example/",
            "e-west-1",
        ] {
            assert_eq!(
                console(odd, "x"),
                "https://console.aws.amazon.com/x",
                "{odd:?}"
            );
        }
    }

    #[test]
    fn the_body_leaves_out_the_title() {
        let title = "198.51.100.23 is performing SSH brute force attacks against i-0a1.";
        assert_eq!(
            description_body(
                title,
                "198.51.100.23 is performing SSH brute force attacks against i-0a1. Brute force attacks are used."
            ),
            vec!["Brute force attacks are used."]
        );
        assert!(description_body(title, title).is_empty());
        assert!(description_body("Port 22 is reachable", "Port 22 is reachable").is_empty());
        // A title that only starts a longer sentence, or differs: the whole description.
        assert_eq!(
            description_body("Port 22", "Port 22222 is open. More."),
            vec!["Port 22222 is open. More."]
        );
        assert_eq!(
            description_body("Port 22", "Port 22 is open <here>."),
            vec!["Port 22 is open &lt;here&gt;."]
        );
        assert!(description_body("Title", "").is_empty());
    }
}
