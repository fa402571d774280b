//! Which regions to look at: account:ListRegions (every page) when allowed, the built-in list
//! otherwise; then narrowed by REGIONS / `--regions`.

use aws_sdk_account::types::RegionOptStatus;

use super::{Aws, AwsError};
use crate::regions::KNOWN_REGIONS;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionInfo {
    pub name: String,
    /// Whether calls can be made there (enabled by default, or opted in).
    pub enabled: bool,
    /// An opt-in region (whatever its current status).
    pub opt_in: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionSource {
    ListRegions,
    /// ListRegions failed (no permission, or an emulator without it): the built-in list.
    BuiltIn(String),
}

/// Lists the account's regions, following every page.
pub async fn list_regions(aws: &Aws) -> Result<Vec<RegionInfo>, AwsError> {
    let client = aws.account("us-east-1");
    let mut pages = client
        .list_regions()
        .max_results(50)
        .into_paginator()
        .send();
    let mut out = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::classify("account:ListRegions", &e))?;
        for region in page.regions() {
            let Some(name) = region.region_name() else {
                continue;
            };
            let status = region.region_opt_status();
            let enabled = matches!(
                status,
                Some(RegionOptStatus::Enabled | RegionOptStatus::EnabledByDefault)
            );
            out.push(RegionInfo {
                name: name.to_string(),
                enabled,
                opt_in: !matches!(status, Some(RegionOptStatus::EnabledByDefault)),
            });
        }
    }
    Ok(out)
}

/// ListRegions, or the built-in list with the reason it was used.
pub async fn discover(aws: &Aws) -> (Vec<RegionInfo>, RegionSource) {
    match list_regions(aws).await {
        Ok(list) if !list.is_empty() => (list, RegionSource::ListRegions),
        Ok(_) => (
            built_in(),
            RegionSource::BuiltIn("ListRegions returned no regions".into()),
        ),
        Err(e) => (built_in(), RegionSource::BuiltIn(e.to_string())),
    }
}

/// Every known commercial region, assumed usable: a disabled opt-in region then shows up as
/// `not-opted-in` when its first call is refused.
pub fn built_in() -> Vec<RegionInfo> {
    KNOWN_REGIONS
        .iter()
        .map(|(name, opt_in)| RegionInfo {
            name: (*name).to_string(),
            enabled: true,
            opt_in: *opt_in,
        })
        .collect()
}

/// Keeps the regions a selection names, in the selection's order. Named regions that discovery
/// did not list are kept as disabled, so they show as `not-opted-in` rather than vanish.
pub fn narrow(all: Vec<RegionInfo>, wanted: Option<&[String]>) -> Vec<RegionInfo> {
    let Some(wanted) = wanted else { return all };
    wanted
        .iter()
        .map(|name| {
            all.iter()
                .find(|r| &r.name == name)
                .cloned()
                .unwrap_or_else(|| RegionInfo {
                    name: name.clone(),
                    enabled: false,
                    opt_in: true,
                })
        })
        .collect()
}
