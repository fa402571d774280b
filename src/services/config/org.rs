//! AWS Config across an organization, from an aggregator in the delegated administrator's
//! home region: DescribeConfigurationAggregatorSourcesStatus lists, for every source account
//! and region at once, whether the aggregator's last update from it SUCCEEDED, FAILED or is
//! OUTDATED. One listing (read once per scan, every page) answers every region, so the calls
//! grow with accounts × regions / 100, not with one AssumeRole and three calls per account and
//! region.
//!
//! What it says is the aggregator's view, not the recorder's: SUCCEEDED means the account's
//! Config data reached the aggregator lately, OUTDATED that it stopped arriving (a recorder
//! stopped or removed, or a region left out), FAILED carries AWS's error. Each cell says it
//! came from the aggregator. An account the aggregator has no source row for yet (one that just
//! joined), and a region it does not aggregate, are probed through the access role instead.

use std::collections::HashMap;

use aws_sdk_config::types::{
    AggregatedSourceStatus, AggregatedSourceType, ConfigurationAggregator,
};

use crate::aws::AwsError;
use crate::inventory::{ServiceStatus, State};
use crate::services::{AccountList, OrgAnswer, OrgCx};

/// The aggregator's sources, as one scan read them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sources {
    pub aggregator: String,
    /// The regions it aggregates; `None`: all.
    pub regions: Option<Vec<String>>,
    /// (account, region) → status.
    by_account: HashMap<(String, String), Row>,
    /// Region → the organization source's own status (a failure there covers every account).
    by_region: HashMap<String, Row>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Row {
    status: String,
    time: Option<String>,
    error: Option<String>,
}

/// What the memo holds: the read, once per scan.
struct Read(Result<Option<Sources>, AwsError>);

pub async fn sources(
    cx: OrgCx<'_>,
    region: &str,
    accounts: AccountList,
) -> Result<Option<OrgAnswer>, AwsError> {
    let read = cx.memo.once(async { Read(read(cx).await) }).await;
    let sources = match &read.0 {
        Ok(Some(sources)) => sources,
        Ok(None) => return Ok(None),
        Err(e) => return Err(e.clone()),
    };
    if !sources.covers(region) {
        return Ok(None);
    }
    let accounts = accounts.await;
    let mut answer = OrgAnswer::default();
    for account in accounts.iter() {
        if let Some(status) = sources.status(account, region) {
            answer.accounts.insert(account.clone(), status);
        }
    }
    Ok(Some(answer))
}

/// The aggregator (CONFIG_AGGREGATOR, else the first organization aggregator) and every page
/// of its sources' status; `None` where there is no aggregator to read.
async fn read(cx: OrgCx<'_>) -> Result<Option<Sources>, AwsError> {
    let client = cx.admin.configservice(cx.cfg.home_region());
    let named = cx.cfg.org.config_aggregator.clone();
    let mut found: Option<ConfigurationAggregator> = None;
    let mut pages = client
        .describe_configuration_aggregators()
        .set_configuration_aggregator_names(named.clone().map(|n| vec![n]))
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page =
            page.map_err(|e| AwsError::classify("config:DescribeConfigurationAggregators", &e))?;
        // A named one is used whatever its kind; found by looking, only an organization's.
        found = page
            .configuration_aggregators()
            .iter()
            .find(|a| named.is_some() || a.organization_aggregation_source().is_some())
            .cloned();
        if found.is_some() {
            break;
        }
    }
    let Some(aggregator) = found else {
        return Ok(None);
    };
    let name = aggregator
        .configuration_aggregator_name()
        .unwrap_or_default()
        .to_string();
    let mut sources = Sources {
        regions: aggregator_regions(&aggregator),
        aggregator: name.clone(),
        ..Sources::default()
    };
    let mut pages = client
        .describe_configuration_aggregator_sources_status()
        .configuration_aggregator_name(&name)
        .limit(100)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| {
            AwsError::classify("config:DescribeConfigurationAggregatorSourcesStatus", &e)
        })?;
        for row in page.aggregated_source_status_list() {
            sources.add(row);
        }
    }
    Ok(Some(sources))
}

/// The regions an aggregator collects from; `None`: all of them.
fn aggregator_regions(a: &ConfigurationAggregator) -> Option<Vec<String>> {
    if let Some(org) = a.organization_aggregation_source() {
        return (!org.all_aws_regions()).then(|| org.aws_regions().to_vec());
    }
    let sources = a.account_aggregation_sources();
    if sources
        .iter()
        .any(aws_sdk_config::types::AccountAggregationSource::all_aws_regions)
    {
        return None;
    }
    Some(
        sources
            .iter()
            .flat_map(|s| s.aws_regions().iter().cloned())
            .collect(),
    )
}

impl Sources {
    fn add(&mut self, row: &AggregatedSourceStatus) {
        let (Some(id), Some(region)) = (row.source_id(), row.aws_region()) else {
            return;
        };
        let error = match (row.last_error_code(), row.last_error_message()) {
            (Some(code), Some(message)) => Some(format!("{code}: {message}")),
            (Some(one), None) | (None, Some(one)) => Some(one.to_string()),
            (None, None) => None,
        };
        let entry = Row {
            status: row
                .last_update_status()
                .map_or("UNKNOWN", |s| s.as_str())
                .to_string(),
            time: row
                .last_update_time()
                .and_then(|t| t.fmt(aws_smithy_types::date_time::Format::DateTime).ok()),
            error,
        };
        if row.source_type() == Some(&AggregatedSourceType::Organization) {
            self.by_region.insert(region.to_string(), entry);
        } else {
            self.by_account
                .insert((id.to_string(), region.to_string()), entry);
        }
    }

    pub fn covers(&self, region: &str) -> bool {
        self.regions
            .as_ref()
            .is_none_or(|list| list.iter().any(|r| r == region))
    }

    /// The account's cell in `region`, where the aggregator says something about it.
    pub fn status(&self, account: &str, region: &str) -> Option<ServiceStatus> {
        let name = &self.aggregator;
        let row = self
            .by_account
            .get(&(account.to_string(), region.to_string()));
        // A failing organization source speaks for every account below it.
        let row = row.or_else(|| self.by_region.get(region).filter(|r| r.status == "FAILED"))?;
        let since = row
            .time
            .as_deref()
            .map(|t| format!(" (last update {t})"))
            .unwrap_or_default();
        Some(match row.status.as_str() {
            "SUCCEEDED" => ServiceStatus::new(
                State::Enabled,
                format!("aggregator {name}: data current{since}"),
            ),
            "OUTDATED" => ServiceStatus::new(
                State::Partial,
                format!("aggregator {name}: data outdated{since}; is the recorder stopped?"),
            ),
            other => ServiceStatus::new(
                State::Error,
                format!(
                    "aggregator {name}: {other}{}",
                    row.error
                        .as_deref()
                        .map(|e| format!(": {e}"))
                        .unwrap_or_default()
                ),
            ),
        })
    }
}
