//! The monitored services, named the same way everywhere (CLI, JSON, config keys, logs).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Service {
    GuardDuty,
    Config,
    Inspector,
    TrustedAdvisor,
    Budget,
}

impl Service {
    pub const ALL: [Service; 5] = [
        Service::GuardDuty,
        Service::Config,
        Service::Inspector,
        Service::TrustedAdvisor,
        Service::Budget,
    ];

    /// The lowercase name used on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Service::GuardDuty => "guardduty",
            Service::Config => "config",
            Service::Inspector => "inspector",
            Service::TrustedAdvisor => "trustedadvisor",
            Service::Budget => "budget",
        }
    }

    /// The suffix of the old project's per-service webhook key (`WEBHOOK_URLS_GUARDDUTY`, ...).
    pub fn config_suffix(self) -> &'static str {
        match self {
            Service::GuardDuty => "GUARDDUTY",
            Service::Config => "CONFIG",
            Service::Inspector => "INSPECTOR",
            Service::TrustedAdvisor => "TRUSTEDADVISOR",
            Service::Budget => "BUDGET",
        }
    }

    /// Human name for messages and the UI.
    pub fn display_name(self) -> &'static str {
        match self {
            Service::GuardDuty => "GuardDuty",
            Service::Config => "AWS Config",
            Service::Inspector => "Inspector",
            Service::TrustedAdvisor => "Trusted Advisor",
            Service::Budget => "Budget",
        }
    }

    /// Trusted Advisor and Budgets are account-wide: one cell, region "global".
    pub fn is_global(self) -> bool {
        matches!(self, Service::TrustedAdvisor | Service::Budget)
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
        write!(
            f,
            "unknown service {:?}; expected one of guardduty, config, inspector, trustedadvisor, budget",
            self.0
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
}
