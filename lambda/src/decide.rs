//! Whether an event becomes a message, and whom it pings. Pure: settings in, decision out.

use serde::Serialize;

use crate::event::{Event, Incoming};
use crate::service::Service;
use crate::settings::{InspectorSeverity, Settings};

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

    fn drop(reason: impl Into<String>) -> Self {
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

pub fn decide(incoming: &Incoming, settings: &Settings) -> Decision {
    match &incoming.event {
        Event::GuardDuty(f) => {
            let gd = &settings.guardduty;
            if f.archived {
                return Decision::drop("archived finding");
            }
            if f.severity < gd.min_severity {
                return Decision::drop(format!(
                    "severity {:.1} is below GUARDDUTY_MIN_SEVERITY {:.1}",
                    f.severity, gd.min_severity
                ));
            }
            if let Some(service) = f.api_service.as_deref().filter(|s| is_global_service(s)) {
                let home = gd
                    .global_findings_region
                    .as_deref()
                    .unwrap_or(&settings.home_region);
                if f.region != home {
                    return Decision::drop(format!(
                        "global-service finding ({service}) is sent only from {home}, not {}",
                        f.region
                    ));
                }
            }
            let mention = if f.severity >= gd.mention_channel_severity {
                Mention::Channel
            } else if f.severity >= gd.mention_here_severity {
                Mention::Here
            } else {
                Mention::None
            };
            Decision::Send { mention }
        }
        Event::ConfigChange(c) => {
            let cs = &settings.config;
            if c.message_type == "OversizedConfigurationItemChangeNotification" {
                return Decision::drop("oversized configuration item: the event carries no diff");
            }
            if c.message_type != "ConfigurationItemChangeNotification" {
                return Decision::drop(format!(
                    "message type {} is not a configuration change",
                    c.message_type
                ));
            }
            if c.changes.is_empty() && c.change_type == "UPDATE" {
                return Decision::drop("no configuration diff");
            }
            let listed = |list: &[String]| {
                list.iter()
                    .any(|t| t.eq_ignore_ascii_case(&c.resource_type))
            };
            if !cs.resource_types.is_empty() && !listed(&cs.resource_types) {
                return Decision::drop(format!(
                    "{} is not in CONFIG_RESOURCE_TYPES",
                    c.resource_type
                ));
            }
            if listed(&cs.exclude_resource_types) {
                return Decision::drop(format!(
                    "{} is in CONFIG_EXCLUDE_RESOURCE_TYPES",
                    c.resource_type
                ));
            }
            Decision::Send {
                mention: Mention::None,
            }
        }
        Event::Inspector(f) => {
            if f.status != "ACTIVE" {
                return Decision::drop(format!("finding is {}", f.status));
            }
            let severity = f
                .severity
                .parse::<InspectorSeverity>()
                .unwrap_or(InspectorSeverity::Untriaged);
            let min = settings.inspector.min_severity;
            if severity < min {
                return Decision::drop(format!(
                    "severity {severity} is below INSPECTOR_MIN_SEVERITY {min}"
                ));
            }
            let mention = match severity {
                InspectorSeverity::Critical => Mention::Channel,
                InspectorSeverity::High => Mention::Here,
                _ => Mention::None,
            };
            Decision::Send { mention }
        }
        Event::TrustedAdvisor(c) => {
            let ta = &settings.trusted_advisor;
            if !ta
                .statuses
                .iter()
                .any(|s| s.eq_ignore_ascii_case(&c.status))
            {
                return Decision::drop(format!(
                    "status {} is not in TRUSTEDADVISOR_STATUSES",
                    c.status
                ));
            }
            let ignored = ta.ignore_checks.iter().any(|i| {
                i.eq_ignore_ascii_case(&c.check_name)
                    || c.check_id.as_deref().is_some_and(|id| i == id)
            });
            if ignored {
                return Decision::drop(format!(
                    "check \"{}\" is in TRUSTEDADVISOR_IGNORE_CHECKS",
                    c.check_name
                ));
            }
            let mention = if c.status == "ERROR" {
                Mention::Channel
            } else {
                Mention::None
            };
            Decision::Send { mention }
        }
        Event::SecurityHub(f) => {
            let product = format!("{} {}", f.product_name, f.product_arn).to_ascii_lowercase();
            for (needle, name) in [("guardduty", "GuardDuty"), ("inspector", "Inspector")] {
                if product.contains(needle) {
                    return Decision::drop(format!("duplicate: {name} findings are sent directly"));
                }
            }
            if f.record_state.as_deref() == Some("ARCHIVED") {
                return Decision::drop("archived finding");
            }
            if let Some(status @ ("RESOLVED" | "SUPPRESSED")) = f.workflow_status.as_deref() {
                return Decision::drop(format!("workflow status {status}"));
            }
            match f.severity.as_str() {
                "CRITICAL" => Decision::Send {
                    mention: Mention::Channel,
                },
                "HIGH" => Decision::Send {
                    mention: Mention::Here,
                },
                "MEDIUM" => Decision::Send {
                    mention: Mention::None,
                },
                other => Decision::drop(format!("severity {other} is below MEDIUM")),
            }
        }
        Event::Budget(_) => Decision::Send {
            mention: Mention::Channel,
        },
        Event::Test(_) => Decision::Send {
            mention: Mention::None,
        },
    }
}

/// The routing key: a service's webhooks, or the default ones.
pub fn route_of(event: &Event) -> Option<Service> {
    match event {
        Event::GuardDuty(_) => Some(Service::GuardDuty),
        Event::ConfigChange(_) => Some(Service::Config),
        Event::Inspector(_) => Some(Service::Inspector),
        Event::TrustedAdvisor(_) => Some(Service::TrustedAdvisor),
        Event::Budget(_) => Some(Service::Budget),
        Event::SecurityHub(_) => None,
        Event::Test(t) => t.route.parse().ok(),
    }
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
