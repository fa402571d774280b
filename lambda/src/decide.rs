//! Whether an event becomes a message, and whom it pings. Pure: settings in, decision out.
//! Each kind's rule is in its own file, `event/<svc>.rs`; this module holds what they share.

use serde::Serialize;

use crate::event::{Event, Incoming};
use crate::service::Service;
use crate::settings::Settings;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mention {
    None,
    Here,
    Channel,
}

impl Mention {
    pub fn as_str(self) -> &'static str {
        match self {
            Mention::None => "none",
            Mention::Here => "here",
            Mention::Channel => "channel",
        }
    }

    /// The Slack mention markup, the only `<!` our messages ever contain.
    pub fn markup(self) -> Option<&'static str> {
        match self {
            Mention::None => None,
            Mention::Here => Some("<!here>"),
            Mention::Channel => Some("<!channel>"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "decision", rename_all = "lowercase")]
pub enum Decision {
    Send { mention: Mention },
    Drop { reason: String },
}

impl Decision {
    pub fn is_send(&self) -> bool {
        matches!(self, Decision::Send { .. })
    }

    pub fn mention(&self) -> Mention {
        match self {
            Decision::Send { mention } => *mention,
            Decision::Drop { .. } => Mention::None,
        }
    }

    pub(crate) fn drop(reason: impl Into<String>) -> Self {
        Decision::Drop {
            reason: reason.into(),
        }
    }
}

/// Services whose API calls CloudTrail records as global events, which GuardDuty replicates
/// into every enabled region.
pub const GLOBAL_SERVICES: &[&str] = &[
    "iam",
    "sts",
    "organizations",
    "cloudfront",
    "route53",
    "route53domains",
    "signin",
    "support",
    "account",
    "globalaccelerator",
    "shield",
    "waf",
    "health",
    "budgets",
    "ce",
    "aws-portal",
    "billingconsole",
];

/// `iam.amazonaws.com` → true.
pub fn is_global_service(service_name: &str) -> bool {
    let host = service_name.trim().to_ascii_lowercase();
    let name = host.strip_suffix(".amazonaws.com").unwrap_or(&host);
    GLOBAL_SERVICES.contains(&name)
}

/// GuardDuty's bands, without gaps: Low below 4.0, Medium to 7.0, High to 9.0, then Critical.
pub fn guardduty_band(severity: f64) -> &'static str {
    match severity {
        s if s >= 9.0 => "Critical",
        s if s >= 7.0 => "High",
        s if s >= 4.0 => "Medium",
        _ => "Low",
    }
}

/// Send or drop, and whom it pings: the event kind's own rule (see [`crate::event::Kind`]).
pub fn decide(incoming: &Incoming, settings: &Settings) -> Decision {
    incoming.event.decide(settings)
}

/// The routing key: a service's webhooks, or the default ones.
pub fn route_of(event: &Event) -> Option<Service> {
    event.service()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_have_no_gaps() {
        assert_eq!(guardduty_band(0.0), "Low");
        assert_eq!(guardduty_band(3.95), "Low");
        assert_eq!(guardduty_band(3.999), "Low");
        assert_eq!(guardduty_band(4.0), "Medium");
        assert_eq!(guardduty_band(6.99), "Medium");
        assert_eq!(guardduty_band(7.0), "High");
        assert_eq!(guardduty_band(8.95), "High");
        assert_eq!(guardduty_band(9.0), "Critical");
        assert_eq!(guardduty_band(10.0), "Critical");
    }

    #[test]
    fn global_services_are_recognised_by_endpoint_name() {
        assert!(is_global_service("iam.amazonaws.com"));
        assert!(is_global_service("sts.amazonaws.com"));
        assert!(!is_global_service("ec2.amazonaws.com"));
        assert!(!is_global_service("s3.amazonaws.com"));
    }
}
