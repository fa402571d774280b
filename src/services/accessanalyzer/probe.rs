//! IAM Access Analyzer: ListAnalyzers (every page) says which external-access analyzers the
//! account has in the region: its own (zone of trust: the account) or the Organization's
//! (created here by a delegated administrator). Unused- and internal-access analyzers are
//! other products and do not count.

use aws_sdk_accessanalyzer::types::{AnalyzerStatus, Type};

use crate::aws::{Aws, AwsError};
use crate::inventory::{ServiceStatus, State};

/// The tag awsmon puts on an analyzer it creates.
pub const AWSMON_TAG: (&str, &str) = ("awsmon", "created");

/// An external-access analyzer as the planner and the probe need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analyzer {
    pub name: String,
    pub arn: String,
    /// `ACCOUNT` or `ORGANIZATION`: its zone of trust.
    pub zone: String,
    /// `ACTIVE`, `CREATING`, `DISABLED` or `FAILED`.
    pub status: String,
    /// Why it is disabled or failed, where AWS says.
    pub reason: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// Tagged `awsmon=created`, as awsmon's CreateAnalyzer tags it: one half of the identity
    /// awsmon checks before deleting (the name its spoke recorded is the other).
    pub tagged_awsmon: bool,
}

impl Analyzer {
    pub fn is_active(&self) -> bool {
        self.status == AnalyzerStatus::Active.as_str()
    }

    /// "account analyzer awsmon-analyzer", "organization analyzer org-wide".
    pub fn describe(&self) -> String {
        format!("{} analyzer {}", zone_word(&self.zone), self.name)
    }
}

fn zone_word(zone: &str) -> &'static str {
    if zone == Type::Organization.as_str() {
        "organization"
    } else {
        "account"
    }
}

/// The region's external-access analyzers, account ones first.
pub async fn analyzers(aws: &Aws, region: &str) -> Result<Vec<Analyzer>, AwsError> {
    let client = aws.accessanalyzer(region);
    let mut out = Vec::new();
    for zone in [Type::Account, Type::Organization] {
        let mut pages = client
            .list_analyzers()
            .r#type(zone.clone())
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| AwsError::classify("access-analyzer:ListAnalyzers", &e))?;
            for a in page.analyzers() {
                // A filter AWS ignored (or a newer type) is not an external-access analyzer.
                if a.r#type() != &zone {
                    continue;
                }
                out.push(Analyzer {
                    name: a.name().to_string(),
                    arn: a.arn().to_string(),
                    zone: zone.as_str().to_string(),
                    status: a.status().as_str().to_string(),
                    reason: a.status_reason().map(|r| r.code().as_str().to_string()),
                    created_at: crate::text::iso_time(a.created_at()),
                    tagged_awsmon: a
                        .tags()
                        .and_then(|t| t.get(AWSMON_TAG.0))
                        .is_some_and(|v| v == AWSMON_TAG.1),
                });
            }
        }
    }
    Ok(out)
}

pub async fn status(aws: &Aws, region: &str) -> Result<ServiceStatus, AwsError> {
    Ok(judge(&analyzers(aws, region).await?))
}

/// An active analyzer is on; one that is creating, disabled or failed is partial.
pub fn judge(analyzers: &[Analyzer]) -> ServiceStatus {
    if let Some(a) = analyzers.iter().find(|a| a.is_active()) {
        return ServiceStatus::new(State::Enabled, a.describe());
    }
    match analyzers.first() {
        None => ServiceStatus::new(State::Disabled, "no external-access analyzer"),
        Some(a) => ServiceStatus::new(
            State::Partial,
            match &a.reason {
                Some(r) => format!("{} {} ({r})", a.describe(), a.status.to_lowercase()),
                None => format!("{} {}", a.describe(), a.status.to_lowercase()),
            },
        ),
    }
}
