//! Webhook URLs are secrets: anyone holding one can post to the channel. This type keeps the
//! full URL out of every Display and Debug, so logs, frames and errors only ever see the mask.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What a masked URL shows instead of its secret part.
pub const MASK: &str = "••••";

/// Shared, so that the routes copied onto every prepared event cost a count, and masked once.
#[derive(Clone)]
pub struct WebhookUrl(std::sync::Arc<Shared>);

struct Shared {
    url: String,
    masked: std::sync::OnceLock<String>,
}

impl PartialEq for WebhookUrl {
    fn eq(&self, other: &Self) -> bool {
        self.0.url == other.0.url
    }
}

impl Eq for WebhookUrl {}

impl std::hash::Hash for WebhookUrl {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.url.hash(state);
    }
}

impl WebhookUrl {
    /// Wraps a URL without checking it; use [`WebhookUrl::parse`] for user input.
    pub fn new_unchecked(url: impl Into<String>) -> Self {
        WebhookUrl(std::sync::Arc::new(Shared {
            url: url.into(),
            masked: std::sync::OnceLock::new(),
        }))
    }

    /// Accepts `https://` URLs, and plain `http://` only to a loopback host (local receivers in
    /// tests and the demo). The URL is read by the same parser the HTTP client uses, so the
    /// host checked here is the host posted to; userinfo and backslashes (which parsers read
    /// differently) are refused outright.
    pub fn parse(url: &str) -> Result<Self, WebhookUrlError> {
        let url = url.trim();
        if url.contains('\\') || url.chars().any(char::is_whitespace) {
            return Err(WebhookUrlError::NotAUrl);
        }
        let parsed = reqwest::Url::parse(url).map_err(|_| WebhookUrlError::NotAUrl)?;
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(WebhookUrlError::Userinfo);
        }
        let Some(host) = parsed.host() else {
            return Err(WebhookUrlError::NotAUrl);
        };
        let loopback = match host {
            url::Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
            url::Host::Ipv4(ip) => ip.is_loopback(),
            url::Host::Ipv6(ip) => ip.is_loopback(),
        };
        match parsed.scheme() {
            "https" => Ok(WebhookUrl::new_unchecked(url)),
            "http" if loopback => Ok(WebhookUrl::new_unchecked(url)),
            _ => Err(WebhookUrlError::NotHttps),
        }
    }

    /// The host's address when the URL names one by IP, for the private-address rule.
    pub fn ip(&self) -> Option<std::net::IpAddr> {
        match reqwest::Url::parse(&self.0.url).ok()?.host()? {
            url::Host::Ipv4(ip) => Some(ip.into()),
            url::Host::Ipv6(ip) => Some(ip.into()),
            url::Host::Domain(_) => None,
        }
    }

    /// A link-local, private or metadata address (169.254.0.0/16, 10/8, 172.16/12,
    /// 192.168/16, fc00::/7, fe80::/10), where a webhook has no business unless
    /// ALLOW_PRIVATE_WEBHOOKS says so. Loopback is not in it (local receivers).
    pub fn is_private(&self) -> bool {
        self.ip().is_some_and(is_private_ip)
    }

    /// The real URL, for the one place that sends to it.
    pub fn expose(&self) -> &str {
        &self.0.url
    }

    /// A short, stable name for this webhook that reveals nothing of it: the first 12 hex
    /// digits of its SHA-256. Failed deliveries are recorded by it, never by the URL.
    pub fn fingerprint(&self) -> String {
        fingerprint_of(&self.0.url)
    }

    /// `https://hooks.slack.com/services/T…/B…/••••#1a2b3c` for Slack URLs (scheme and host
    /// plus the mask for anything else), ending in the first six digits of the
    /// [`WebhookUrl::fingerprint`]: two webhooks on one route never print the same, and
    /// nothing of the secret shows.
    pub fn masked(&self) -> String {
        self.masked_str().to_string()
    }

    /// [`WebhookUrl::masked`], borrowed (worked out once per URL).
    pub fn masked_str(&self) -> &str {
        self.0.masked.get_or_init(|| mask_webhook(&self.0.url))
    }
}

/// [`WebhookUrl::fingerprint`] of a URL given as text.
fn fingerprint_of(url: &str) -> String {
    use sha2::Digest as _;
    use std::fmt::Write as _;
    sha2::Sha256::digest(url.as_bytes())[..6]
        .iter()
        .fold(String::with_capacity(12), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// A configured webhook as it is shown everywhere: [`mask_url`] plus `#` and the first six
/// digits of its fingerprint, so two webhooks never print the same.
pub fn mask_webhook(url: &str) -> String {
    let mut masked = mask_url(url);
    masked.push('#');
    masked.push_str(&fingerprint_of(url)[..6]);
    masked
}

/// Private, link-local and unique-local addresses (see [`WebhookUrl::is_private`]).
pub fn is_private_ip(ip: std::net::IpAddr) -> bool {
    match ip {
        std::net::IpAddr::V4(v4) => v4.is_private() || v4.is_link_local(),
        std::net::IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || v6
                    .to_ipv4_mapped()
                    .is_some_and(|v4| v4.is_private() || v4.is_link_local())
        }
    }
}

/// Every URL-looking token in `text` (`scheme://…` up to a space or quote) masked: for error
/// messages that quote what a user typed under any key.
pub fn mask_urls_in(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let start = rest[..at]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
            .map_or(0, |i| i + 1);
        let end = rest[at..]
            .find(|c: char| {
                c.is_whitespace() || matches!(c, '"' | '\'' | '`' | ',' | ')' | ']' | '}')
            })
            .map_or(rest.len(), |i| at + i);
        out.push_str(&rest[..start]);
        // A bare `https://` (in prose) names no host; anything after it is masked.
        if end == at + 3 {
            out.push_str(&rest[start..end]);
        } else {
            out.push_str(&mask_url(&rest[start..end]));
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Masks any string that may be a webhook URL: scheme, host and port stay (and a Slack URL's
/// team and bot id initials); userinfo, path, query and fragment never do.
pub fn mask_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return MASK.to_string();
    };
    // Only what the URL parser the client uses calls the host; nothing before an `@`.
    let Some(authority) = reqwest::Url::parse(url).ok().and_then(|u| {
        u.host_str().map(|h| match u.port() {
            Some(p) => format!("{h}:{p}"),
            None => h.to_string(),
        })
    }) else {
        return MASK.to_string();
    };
    let scheme = if scheme.chars().all(|c| c.is_ascii_alphanumeric()) {
        scheme
    } else {
        "?"
    };
    let path = rest.split_once('/').map_or("", |(_, p)| p);
    let path = path.split(['?', '#']).next().unwrap_or_default();
    if let Some(ids) = path.strip_prefix("services/") {
        let mut parts = ids.split('/');
        let team = parts.next().unwrap_or_default();
        let bot = parts.next().unwrap_or_default();
        let initial = |s: &str| {
            s.chars()
                .next()
                .map(|c| format!("{c}…"))
                .unwrap_or_default()
        };
        return format!(
            "{scheme}://{authority}/services/{}/{}/{MASK}",
            initial(team),
            initial(bot)
        );
    }
    format!("{scheme}://{authority}/{MASK}")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookUrlError {
    NotAUrl,
    NotHttps,
    /// `user:password@host`: never in a webhook, and a way to disguise the real host.
    Userinfo,
}

impl fmt::Display for WebhookUrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WebhookUrlError::NotAUrl => {
                f.write_str("not a URL (expected https://hooks.slack.com/services/...)")
            }
            WebhookUrlError::NotHttps => {
                f.write_str("webhook must use https:// (plain http is allowed only to localhost)")
            }
            WebhookUrlError::Userinfo => {
                f.write_str("a webhook URL must not carry a user name or password (user@host)")
            }
        }
    }
}

impl std::error::Error for WebhookUrlError {}

impl fmt::Debug for WebhookUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WebhookUrl({})", self.masked_str())
    }
}

impl fmt::Display for WebhookUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.masked_str())
    }
}

// Serialisation writes the real URL: it is only used for the routing parameter (an SSM
// SecureString) and config.yml, both of which must hold the secret.
impl Serialize for WebhookUrl {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0.url)
    }
}

impl<'de> Deserialize<'de> for WebhookUrl {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        WebhookUrl::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAKE: &str = "https://hooks.slack.com/services/T0FAKE/B0FAKE/XXXXXXXXXXXXXXXXXXXXXXXX";

    #[test]
    fn slack_urls_mask_to_the_documented_shape() {
        let url = WebhookUrl::parse(FAKE).expect("valid");
        assert_eq!(
            url.to_string(),
            "https://hooks.slack.com/services/T…/B…/••••#210f89"
        );
        assert_eq!(
            format!("{url:?}"),
            "WebhookUrl(https://hooks.slack.com/services/T…/B…/••••#210f89)"
        );
        assert!(!format!("{url} {url:?}").contains("XXXX"));
        assert!(url.fingerprint().starts_with("210f89"));
    }

    /// Two webhooks of one team and channel (a token regenerated, a second app) print apart,
    /// so a failed delivery names which one.
    #[test]
    fn two_webhooks_never_mask_the_same() {
        let a = WebhookUrl::parse(FAKE).expect("valid");
        let b = WebhookUrl::parse(&FAKE.replace("XXXX", "YYYY")).expect("valid");
        assert_eq!(mask_url(a.expose()), mask_url(b.expose()));
        assert_ne!(a.masked(), b.masked());
        for m in [a.masked(), b.masked()] {
            assert!(!m.contains("XXXX") && !m.contains("YYYY"), "{m}");
        }
    }

    #[test]
    fn other_urls_keep_only_scheme_and_host() {
        assert_eq!(
            mask_url("http://127.0.0.1:8080/hook/secret"),
            "http://127.0.0.1:8080/••••"
        );
        assert_eq!(mask_url("garbage"), "••••");
    }

    #[test]
    fn only_https_or_loopback_http_is_accepted() {
        assert_eq!(
            WebhookUrl::parse("http://hooks.slack.com/services/a/b/c"),
            Err(WebhookUrlError::NotHttps)
        );
        assert_eq!(
            WebhookUrl::parse("hooks.slack.com/services"),
            Err(WebhookUrlError::NotAUrl)
        );
        assert!(WebhookUrl::parse("http://127.0.0.1:9/x").is_ok());
        assert!(WebhookUrl::parse("http://[::1]:9/x").is_ok());
        assert_eq!(
            WebhookUrl::parse("http://127.evil.example/x"),
            Err(WebhookUrlError::NotHttps)
        );
    }

    /// The security review's findings: masking kept userinfo, query and fragment.
    #[test]
    fn masking_drops_userinfo_query_and_fragment() {
        assert_eq!(
            mask_url("https://user:PASS@hooks.example.com:8443/x/y?token=abc#frag"),
            "https://hooks.example.com:8443/••••"
        );
        assert_eq!(
            mask_url("https://hooks.slack.com/services/T0/B0/SECRET?x=1"),
            "https://hooks.slack.com/services/T…/B…/••••"
        );
        let text = mask_urls_in(
            r#"unknown region "https://hooks.slack.com/services/T0FAKE/B0FAKE/SECRETSECRET", see https:// docs"#,
        );
        assert_eq!(
            text,
            r#"unknown region "https://hooks.slack.com/services/T…/B…/••••", see https:// docs"#
        );
    }

    /// The security review's finding: `http://192.0.2.2:18090\@localhost/…` passed the
    /// https-only rule (the validator saw localhost, the client posted to 192.0.2.2).
    #[test]
    fn the_host_checked_is_the_host_posted_to() {
        for bad in [
            "http://192.0.2.2:18090\\@localhost/hook",
            "http://192.0.2.2:18090\\@127.0.0.1/hook",
            "https://user@hooks.slack.com/services/T/B/X",
            "https://u:p@hooks.slack.com/services/T/B/X",
            "http://localhost@192.0.2.2/x",
            "http://127.0.0.1.evil.example/x",
        ] {
            assert!(WebhookUrl::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            WebhookUrl::parse("https://a@hooks.slack.com/x"),
            Err(WebhookUrlError::Userinfo)
        );
    }

    #[test]
    fn private_and_metadata_addresses_are_marked() {
        for private in [
            "https://169.254.169.254/latest",
            "https://10.0.0.5/hook",
            "https://172.16.3.4/hook",
            "https://192.168.1.1/hook",
            "https://[fd00::1]/hook",
            "https://[fe80::1]/hook",
        ] {
            assert!(
                WebhookUrl::parse(private).expect("url").is_private(),
                "{private}"
            );
        }
        for public in [
            "https://hooks.slack.com/services/T/B/X",
            "http://127.0.0.1:9/x",
            "https://8.8.8.8/x",
        ] {
            assert!(
                !WebhookUrl::parse(public).expect("url").is_private(),
                "{public}"
            );
        }
    }
}
