//! The monitored services, named the same way everywhere (CLI, JSON, config keys, logs).
//!
//! Everything the rest of the code needs to know about a service as data lives in ONE table:
//! [`Service::info`]. Adding a service means a name in `services!` (which also puts it in
//! [`Service::ALL`]), its row in `info` (the compiler asks for it), and the places the
//! compiler then points at (the notifier's event handling, the console's `src/services/`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Declares the enum and [`Service::ALL`] from one list, so a new variant is in `ALL` too.
macro_rules! services {
    ($($variant:ident),+ $(,)?) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "lowercase")]
        pub enum Service {
            $($variant),+
        }

        impl Service {
            /// Every service, in table order (the matrix's and the routes' order).
            pub const ALL: [Service; [$(Service::$variant),+].len()] = [$(Service::$variant),+];
        }
    };
}

services! {
    GuardDuty,
    Config,
    Inspector,
    SecurityHub,
    AccessAnalyzer,
    Health,
    TrustedAdvisor,
    Budget,
}

/// Where a service is turned on and shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// One cell per region; a spoke in each region forwards to the hub.
    Regional,
    /// Account-wide (one cell, region "global"), deployed in the home region.
    HomeRegion,
    /// Account-wide, deployed in this fixed region (where the service's events exist).
    Fixed(&'static str),
}

/// How the service's events reach the notifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// An EventBridge event matching this source and these detail-types.
    Bus {
        source: &'static str,
        detail_types: &'static [&'static str],
    },
    /// An SNS notification (AWS Budgets publishes to a topic, not to the bus).
    Sns,
}

/// One row of the service table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceInfo {
    /// Lowercase name: command line, JSON, stack names (`<prefix>-<name>`), route names.
    pub name: &'static str,
    /// Suffix of its webhook key: `WEBHOOK_URLS_<suffix>`, `AWSMON_WEBHOOK_URLS_<suffix>`.
    pub config_suffix: &'static str,
    /// Human name for messages and the UI.
    pub display_name: &'static str,
    /// Column title in the console's matrix (fits a cell).
    pub label: &'static str,
    pub placement: Placement,
    pub delivery: Delivery,
}

impl Service {
    /// This service's row of the table: the one match to extend for a new service.
    pub const fn info(self) -> &'static ServiceInfo {
        match self {
            Service::GuardDuty => &ServiceInfo {
                name: "guardduty",
                config_suffix: "GUARDDUTY",
                display_name: "GuardDuty",
                label: "GuardDuty",
                placement: Placement::Regional,
                delivery: Delivery::Bus {
                    source: "aws.guardduty",
                    detail_types: &["GuardDuty Finding"],
                },
            },
            Service::Config => &ServiceInfo {
                name: "config",
                config_suffix: "CONFIG",
                display_name: "AWS Config",
                label: "Config",
                placement: Placement::Regional,
                delivery: Delivery::Bus {
                    source: "aws.config",
                    detail_types: &["Config Configuration Item Change"],
                },
            },
            Service::Inspector => &ServiceInfo {
                name: "inspector",
                config_suffix: "INSPECTOR",
                display_name: "Inspector",
                label: "Inspector",
                placement: Placement::Regional,
                delivery: Delivery::Bus {
                    source: "aws.inspector2",
                    detail_types: &["Inspector2 Finding"],
                },
            },
            Service::SecurityHub => &ServiceInfo {
                name: "securityhub",
                config_suffix: "SECURITYHUB",
                display_name: "Security Hub",
                label: "SecHub",
                placement: Placement::Regional,
                delivery: Delivery::Bus {
                    source: "aws.securityhub",
                    detail_types: &["Security Hub Findings - Imported"],
                },
            },
            Service::AccessAnalyzer => &ServiceInfo {
                name: "accessanalyzer",
                config_suffix: "ACCESSANALYZER",
                display_name: "IAM Access Analyzer",
                label: "Analyzer",
                placement: Placement::Regional,
                delivery: Delivery::Bus {
                    source: "aws.access-analyzer",
                    detail_types: &["Access Analyzer Finding"],
                },
            },
            Service::Health => &ServiceInfo {
                name: "health",
                config_suffix: "HEALTH",
                display_name: "AWS Health",
                label: "Health",
                placement: Placement::Regional,
                delivery: Delivery::Bus {
                    source: "aws.health",
                    detail_types: &["AWS Health Event"],
                },
            },
            Service::TrustedAdvisor => &ServiceInfo {
                name: "trustedadvisor",
                config_suffix: "TRUSTEDADVISOR",
                display_name: "Trusted Advisor",
                label: "Advisor",
                placement: Placement::Fixed("us-east-1"),
                delivery: Delivery::Bus {
                    source: "aws.trustedadvisor",
                    detail_types: &["Trusted Advisor Check Item Refresh Notification"],
                },
            },
            Service::Budget => &ServiceInfo {
                name: "budget",
                config_suffix: "BUDGET",
                display_name: "Budget",
                label: "Budget",
                placement: Placement::HomeRegion,
                delivery: Delivery::Sns,
            },
        }
    }

    /// The lowercase name used on the command line and in JSON.
    pub const fn as_str(self) -> &'static str {
        self.info().name
    }

    /// The suffix of the old project's per-service webhook key (`WEBHOOK_URLS_GUARDDUTY`, ...).
    pub const fn config_suffix(self) -> &'static str {
        self.info().config_suffix
    }

    /// Human name for messages and the UI.
    pub const fn display_name(self) -> &'static str {
        self.info().display_name
    }

    /// The matrix column title.
    pub const fn label(self) -> &'static str {
        self.info().label
    }

    pub const fn placement(self) -> Placement {
        self.info().placement
    }

    /// Account-wide services (Trusted Advisor, Budgets): one cell, region "global".
    pub const fn is_global(self) -> bool {
        !matches!(self.info().placement, Placement::Regional)
    }

    /// The routing key: the route name in the routing parameter and the console.
    pub const fn route_key(self) -> &'static str {
        self.info().name
    }

    /// The services the hub's monitored-events rule matches: regional services on the bus
    /// (account-wide ones have their own rule or topic).
    pub fn hub_rule_services() -> impl Iterator<Item = Service> {
        Service::ALL
            .into_iter()
            .filter(|s| !s.is_global() && matches!(s.info().delivery, Delivery::Bus { .. }))
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownService(pub String);

impl fmt::Display for UnknownService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = Service::ALL.iter().map(|s| s.as_str()).collect();
        write!(
            f,
            "unknown service {:?}; expected one of {}",
            self.0,
            names.join(", ")
        )
    }
}

impl std::error::Error for UnknownService {}

impl FromStr for Service {
    type Err = UnknownService;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Service::ALL
            .into_iter()
            .find(|svc| svc.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownService(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for svc in Service::ALL {
            assert_eq!(svc.as_str().parse::<Service>(), Ok(svc));
        }
        assert_eq!("GuardDuty".parse::<Service>(), Ok(Service::GuardDuty));
        assert!("guard-duty".parse::<Service>().is_err());
    }

    #[test]
    fn the_table_is_consistent() {
        let mut seen = std::collections::HashSet::new();
        for svc in Service::ALL {
            let i = svc.info();
            assert!(seen.insert(i.name), "{} twice", i.name);
            assert_eq!(i.config_suffix, i.name.to_ascii_uppercase());
            assert!(i.label.len() < 10, "{} does not fit a matrix cell", i.label);
        }
        assert_eq!(
            UnknownService("x".into()).to_string(),
            "unknown service \"x\"; expected one of guardduty, config, inspector, securityhub, accessanalyzer, health, trustedadvisor, budget"
        );
    }
}
