//! Webhook URLs are secrets: anyone holding one can post to the channel. This type keeps the
//! full URL out of every Display and Debug, so logs, frames and errors only ever see the mask.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What a masked URL shows instead of its secret part.
pub const MASK: &str = "••••";

#[derive(Clone, PartialEq, Eq, Hash)]
pub struct WebhookUrl(String);

impl WebhookUrl {
    /// Wraps a URL without checking it; use [`WebhookUrl::parse`] for user input.
    pub fn new_unchecked(url: impl Into<String>) -> Self {
        WebhookUrl(url.into())
    }

    /// Accepts `https://` URLs, and plain `http://` only to a loopback host (local receivers in
    /// tests and the demo).
    pub fn parse(url: &str) -> Result<Self, WebhookUrlError> {
        let url = url.trim();
        let Some((scheme, rest)) = url.split_once("://") else {
            return Err(WebhookUrlError::NotAUrl);
        };
        let host = authority_host(rest);
        if host.is_empty() {
            return Err(WebhookUrlError::NotAUrl);
        }
        match scheme {
            "https" => Ok(WebhookUrl(url.to_string())),
            "http" if is_loopback(host) => Ok(WebhookUrl(url.to_string())),
            _ => Err(WebhookUrlError::NotHttps),
        }
    }

    /// The real URL, for the one place that sends to it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// A short, stable name for this webhook that reveals nothing of it: the first 12 hex
    /// digits of its SHA-256. Failed deliveries are recorded by it, never by the URL.
    pub fn fingerprint(&self) -> String {
        use sha2::Digest as _;
        use std::fmt::Write as _;
        sha2::Sha256::digest(self.0.as_bytes())[..6].iter().fold(
            String::with_capacity(12),
            |mut s, b| {
                let _ = write!(s, "{b:02x}");
                s
            },
        )
    }

    /// `https://hooks.slack.com/services/T…/B…/••••` for Slack URLs; scheme and host plus the
    /// mask for anything else.
    pub fn masked(&self) -> String {
        mask_url(&self.0)
    }
}

/// Masks any string that may be a webhook URL.
pub fn mask_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return MASK.to_string();
    };
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
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

fn authority_host(rest: &str) -> &str {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let authority = authority.rsplit('@').next().unwrap_or_default();
    if let Some(v6) = authority.strip_prefix('[') {
        return v6.split(']').next().unwrap_or_default();
    }
    authority.split(':').next().unwrap_or_default()
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookUrlError {
    NotAUrl,
    NotHttps,
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
        }
    }
}

impl std::error::Error for WebhookUrlError {}

impl fmt::Debug for WebhookUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WebhookUrl({})", self.masked())
    }
}

impl fmt::Display for WebhookUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

// Serialisation writes the real URL: it is only used for the routing parameter (an SSM
// SecureString) and config.yml, both of which must hold the secret.
impl Serialize for WebhookUrl {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
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
            "https://hooks.slack.com/services/T…/B…/••••"
        );
        assert_eq!(
            format!("{url:?}"),
            "WebhookUrl(https://hooks.slack.com/services/T…/B…/••••)"
        );
        assert!(!format!("{url} {url:?}").contains("XXXX"));
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
}
