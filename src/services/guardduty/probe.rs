//! GuardDuty: ListDetectors (every page), then GetDetector. A suspended detector is off.

use crate::aws::{Aws, AwsError};
use crate::inventory::{ServiceStatus, State, short_id};

pub async fn status(aws: &Aws, region: &str) -> Result<ServiceStatus, AwsError> {
    let client = aws.guardduty(region);
    let ids = detector_ids(aws, region).await?;
    let Some(id) = ids.first() else {
        return Ok(ServiceStatus::new(State::Disabled, "no detector"));
    };
    let detector = client
        .get_detector()
        .detector_id(id)
        .send()
        .await
        .map_err(|e| AwsError::classify("guardduty:GetDetector", &e))?;
    // The API says DISABLED for what the console calls a suspended detector.
    let status = match detector.status().map_or("UNKNOWN", |s| s.as_str()) {
        "DISABLED" => "SUSPENDED",
        other => other,
    };
    let state = if status == "ENABLED" {
        State::Enabled
    } else {
        State::Disabled
    };
    let mut detail = format!("detector {} {status}", short_id(id));
    if ids.len() > 1 {
        detail.push_str(&format!(" (+{} more)", ids.len() - 1));
    }
    Ok(ServiceStatus::new(state, detail))
}

/// Whether the detector is on (not suspended).
pub async fn is_enabled(aws: &Aws, region: &str, id: &str) -> Result<bool, AwsError> {
    let detector = aws
        .guardduty(region)
        .get_detector()
        .detector_id(id)
        .send()
        .await
        .map_err(|e| AwsError::classify("guardduty:GetDetector", &e))?;
    Ok(detector.status().is_none_or(|s| s.as_str() == "ENABLED"))
}

/// Every detector id in the region (there is at most one per account, but pages are read).
pub async fn detector_ids(aws: &Aws, region: &str) -> Result<Vec<String>, AwsError> {
    let mut ids = Vec::new();
    let mut pages = aws
        .guardduty(region)
        .list_detectors()
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::classify("guardduty:ListDetectors", &e))?;
        ids.extend(page.detector_ids().iter().cloned());
    }
    Ok(ids)
}
