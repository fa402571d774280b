//! Security Hub (CSPM): DescribeHub says whether the account is subscribed in the region;
//! GetEnabledStandards (every page) which of SECURITYHUB_STANDARDS run. A hub without some
//! wanted standard is `partial`.

use awsmon_notifier::settings::{SECURITYHUB_STANDARDS, Standard};

use crate::aws::{Aws, AwsError};
use crate::inventory::{ServiceStatus, State};

/// The region's hub as the planner and the probe need it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HubFacts {
    /// When the account subscribed (RFC 3339); `None`: no hub.
    pub subscribed_at: Option<String>,
    /// The table's standards that are enabled (any status but DELETING/FAILED), by name.
    pub standards: Vec<String>,
    /// Why the standards could not be read, if they could not (the hub itself could).
    pub standards_unread: Option<String>,
}

/// The hub, or `None` when the account is not subscribed in `region`.
pub async fn subscribed_at(aws: &Aws, region: &str) -> Result<Option<String>, AwsError> {
    match aws.securityhub(region).describe_hub().send().await {
        Ok(out) => Ok(Some(out.subscribed_at().unwrap_or_default().to_string())),
        Err(e) => {
            let err = AwsError::classify("securityhub:DescribeHub", &e);
            // "Account … is not subscribed to AWS Security Hub" is how AWS says off.
            match err.code.as_deref() {
                Some("InvalidAccessException" | "ResourceNotFoundException") => Ok(None),
                _ => Err(err),
            }
        }
    }
}

/// The standards of [`SECURITYHUB_STANDARDS`] enabled in `region` (the others are ignored).
pub async fn enabled_standards(aws: &Aws, region: &str) -> Result<Vec<String>, AwsError> {
    Ok(subscriptions(aws, region)
        .await?
        .into_iter()
        .map(|(name, _)| name.to_string())
        .collect())
}

/// The table's standards enabled in `region` (any status but DELETING or FAILED), with their
/// subscription ARNs, in table order.
pub async fn subscriptions(
    aws: &Aws,
    region: &str,
) -> Result<Vec<(&'static str, String)>, AwsError> {
    let mut pages = aws
        .securityhub(region)
        .get_enabled_standards()
        .into_paginator()
        .send();
    let mut subs = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::classify("securityhub:GetEnabledStandards", &e))?;
        for sub in page.standards_subscriptions() {
            let status = sub.standards_status().map_or("", |s| s.as_str());
            if !matches!(status, "DELETING" | "FAILED") {
                subs.push((
                    sub.standards_arn().unwrap_or_default().to_string(),
                    sub.standards_subscription_arn()
                        .unwrap_or_default()
                        .to_string(),
                ));
            }
        }
    }
    Ok(SECURITYHUB_STANDARDS
        .iter()
        .filter_map(|s| {
            subs.iter()
                .find(|(arn, _)| is_arn_of(s, arn))
                .map(|(_, sub)| (s.name, sub.clone()))
        })
        .collect())
}

/// Whether `arn` is `standard`'s in any partition and region.
pub fn is_arn_of(standard: &Standard, arn: &str) -> bool {
    let tail = standard.arn_tail.split_once("::").map_or("", |(_, t)| t);
    arn.starts_with("arn:") && arn.contains(":securityhub:") && arn.ends_with(&format!("::{tail}"))
}

/// `standard`'s ARN in `region` of `partition`.
pub fn arn(standard: &Standard, partition: &str, region: &str) -> String {
    format!(
        "arn:{partition}:securityhub:{}",
        standard.arn_tail.replace("{region}", region)
    )
}

/// The hub and its standards; standards that cannot be read leave the hub's answer standing.
pub async fn facts(aws: &Aws, region: &str) -> Result<HubFacts, AwsError> {
    let Some(subscribed_at) = subscribed_at(aws, region).await? else {
        return Ok(HubFacts::default());
    };
    let (standards, standards_unread) = match enabled_standards(aws, region).await {
        Ok(s) => (s, None),
        Err(e) => (Vec::new(), Some(e.short())),
    };
    Ok(HubFacts {
        subscribed_at: Some(subscribed_at),
        standards,
        standards_unread,
    })
}

pub async fn status(aws: &Aws, region: &str, wanted: &[String]) -> Result<ServiceStatus, AwsError> {
    Ok(judge(&facts(aws, region).await?, wanted))
}

/// A hub with every wanted standard is on; without some, partial.
pub fn judge(hub: &HubFacts, wanted: &[String]) -> ServiceStatus {
    if hub.subscribed_at.is_none() {
        return ServiceStatus::new(State::Disabled, "not enabled");
    }
    if let Some(why) = &hub.standards_unread {
        return ServiceStatus::new(State::Enabled, format!("hub on; standards unread ({why})"));
    }
    let missing: Vec<&str> = wanted
        .iter()
        .filter(|w| !hub.standards.contains(w))
        .map(|s| short_name(s))
        .collect();
    let on: Vec<&str> = hub.standards.iter().map(|s| short_name(s)).collect();
    let on = if on.is_empty() {
        "no standards".to_string()
    } else {
        on.join("+")
    };
    if missing.is_empty() {
        ServiceStatus::new(State::Enabled, format!("hub on, {on}"))
    } else {
        ServiceStatus::new(
            State::Partial,
            format!("hub on, {on}; {} off", missing.join("+")),
        )
    }
}

/// "FSBP", "CIS 3.0"…: what fits a status line.
pub fn short_name(name: &str) -> &str {
    SECURITYHUB_STANDARDS
        .iter()
        .find(|s| s.name == name)
        .map_or(name, |s| s.label)
}
