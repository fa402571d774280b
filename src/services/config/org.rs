//! AWS Config across an organization, from an aggregator in the delegated administrator's home
//! region, so most accounts need no AssumeRole and three calls per region:
//! - DescribeConfigurationAggregatorSourcesStatus (read once per scan, every page) says, for
//!   every source account and region, whether the aggregator's last update from it SUCCEEDED,
//!   FAILED or is OUTDATED. AWS describes it as the aggregator's authorization and data
//!   movement, not the recorder's state, so it is never taken alone as "on";
//! - GetAggregateDiscoveredResourceCounts, grouped by account, once per region, says which
//!   accounts have resources recorded there.
//!
//! An account counts as on in a region when its source SUCCEEDED and it has resources recorded
//! there. Everything else (no row yet, OUTDATED, FAILED, nothing recorded, an organization
//! source that failed, a region not aggregated) is left unanswered, and the scan reads that
//! account's recorder through the access role: the aggregator can say "on", never "off".

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use aws_sdk_config::types::{
    AggregatedSourceStatus, ConfigurationAggregator, ResourceCountFilters, ResourceCountGroupKey,
};
use futures::FutureExt as _;
use futures::future::{BoxFuture, Shared};

use crate::aws::{Aws, AwsError};
use crate::config::Config;
use crate::inventory::{ServiceStatus, State};
use crate::services::{AccountList, OrgAnswer, OrgCx};

/// The aggregator's sources, as one scan read them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sources {
    pub aggregator: String,
    /// The regions it aggregates; `None`: all.
    pub regions: Option<Vec<String>>,
    /// (source id, region) → LastUpdateStatus. The source id is an account's, or the
    /// organization's (`o-…`) for the organization source itself.
    rows: HashMap<(String, String), String>,
}

/// One read per scan, shared by its region tasks. Spawned, so a region task that gives up
/// waiting does not cancel it for the others.
type SharedRead = Shared<BoxFuture<'static, Arc<Result<Option<Sources>, AwsError>>>>;

/// What the memo holds.
struct Read(SharedRead);

pub async fn sources(
    cx: OrgCx<'_>,
    region: &str,
    accounts: AccountList,
) -> Result<Option<OrgAnswer>, AwsError> {
    let read = cx
        .memo
        .once(async {
            let (admin, cfg) = (cx.admin.clone(), cx.cfg.clone());
            let task = tokio::spawn(async move { read(&admin, &cfg).await });
            Read(
                async move {
                    Arc::new(task.await.unwrap_or_else(|e| {
                        Err(AwsError {
                            kind: crate::aws::AwsErrorKind::Other,
                            action: "config:DescribeConfigurationAggregatorSourcesStatus".into(),
                            code: None,
                            message: Some(e.to_string()),
                            request_id: None,
                        })
                    }))
                }
                .boxed()
                .shared(),
            )
        })
        .await;
    // A listing that takes longer than this (thousands of accounts on a slow link) leaves
    // Config to the access role rather than timing out every cell.
    let budget = cx.admin.operation_timeout() * 3;
    let Ok(read) = tokio::time::timeout(budget, read.0.clone()).await else {
        tracing::warn!(
            "Config aggregator listing took over {budget:?}; reading Config through the access role"
        );
        return Ok(None);
    };
    let sources = match &*read {
        Ok(Some(sources)) => sources,
        Ok(None) => return Ok(None),
        Err(e) => return Err(e.clone()),
    };
    if !sources.covers(region) {
        return Ok(None);
    }
    let recorded = recorded_accounts(cx.admin, cx.cfg, &sources.aggregator, region).await?;
    let accounts = accounts.await;
    let mut answer = OrgAnswer::default();
    for account in accounts.iter() {
        if let Some(status) = sources.status(account, region, &recorded) {
            answer.accounts.insert(account.clone(), status);
        }
    }
    Ok(Some(answer))
}

/// The aggregator (CONFIG_AGGREGATOR, else the first organization aggregator) and every page
/// of its sources' status; `None` where there is none to read. Only a named aggregator's
/// failure is an error: without one, a lookup the administrator cannot make leaves Config to
/// the access role, as before aggregators were read.
async fn read(admin: &Aws, cfg: &Config) -> Result<Option<Sources>, AwsError> {
    let client = admin.configservice(cfg.home_region());
    let named = cfg.org.config_aggregator.clone();
    let mut found: Option<ConfigurationAggregator> = None;
    let mut pages = client
        .describe_configuration_aggregators()
        .set_configuration_aggregator_names(named.clone().map(|n| vec![n]))
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(page) => page,
            Err(e) => {
                let e = AwsError::classify("config:DescribeConfigurationAggregators", &e);
                if named.is_some() {
                    return Err(e);
                }
                tracing::warn!(
                    "no Config aggregator read ({e}); reading Config through the access role"
                );
                return Ok(None);
            }
        };
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

/// The accounts with resources recorded in `region`, as the aggregator counts them.
async fn recorded_accounts(
    admin: &Aws,
    cfg: &Config,
    aggregator: &str,
    region: &str,
) -> Result<HashSet<String>, AwsError> {
    let mut recorded = HashSet::new();
    let mut pages = admin
        .configservice(cfg.home_region())
        .get_aggregate_discovered_resource_counts()
        .configuration_aggregator_name(aggregator)
        .filters(ResourceCountFilters::builder().region(region).build())
        .group_by_key(ResourceCountGroupKey::AccountId)
        .limit(1000)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page
            .map_err(|e| AwsError::classify("config:GetAggregateDiscoveredResourceCounts", &e))?;
        recorded.extend(
            page.grouped_resource_counts()
                .iter()
                .filter(|g| g.resource_count() > 0)
                .map(|g| g.group_name().to_string()),
        );
    }
    Ok(recorded)
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
        let status = row
            .last_update_status()
            .map_or("UNKNOWN", |s| s.as_str())
            .to_string();
        self.rows
            .insert((id.to_string(), region.to_string()), status);
    }

    pub fn covers(&self, region: &str) -> bool {
        self.regions
            .as_ref()
            .is_none_or(|list| list.iter().any(|r| r == region))
    }

    /// The account's cell in `region` where the aggregator shows Config on there; `None`
    /// leaves the account to the access role.
    fn status(
        &self,
        account: &str,
        region: &str,
        recorded: &HashSet<String>,
    ) -> Option<ServiceStatus> {
        // A failing organization source speaks for every account below it: none is answered.
        let org_failed = self
            .rows
            .iter()
            .any(|((id, r), s)| id.starts_with("o-") && r == region && s != "SUCCEEDED");
        if org_failed {
            return None;
        }
        let row = self.rows.get(&(account.to_string(), region.to_string()))?;
        (row == "SUCCEEDED" && recorded.contains(account)).then(|| {
            ServiceStatus::new(
                State::Enabled,
                format!(
                    "aggregator {}: resources recorded, source up to date",
                    self.aggregator
                ),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_config::types::{AggregatedSourceStatusType, AggregatedSourceType};

    fn row(
        id: &str,
        kind: AggregatedSourceType,
        region: &str,
        status: &str,
    ) -> AggregatedSourceStatus {
        AggregatedSourceStatus::builder()
            .source_id(id)
            .source_type(kind)
            .aws_region(region)
            .last_update_status(AggregatedSourceStatusType::from(status))
            .build()
    }

    /// Only SUCCEEDED with resources recorded is "on"; every other answer goes to the role.
    /// Rows are keyed by source id, whatever their type, and a failing organization source
    /// leaves its region's accounts to the role.
    #[test]
    fn only_an_up_to_date_source_with_recorded_resources_counts_as_on() {
        let mut s = Sources {
            aggregator: "org-all".into(),
            ..Sources::default()
        };
        for (id, kind, region, status) in [
            (
                "111111111111",
                AggregatedSourceType::Account,
                "us-east-1",
                "SUCCEEDED",
            ),
            (
                "222222222222",
                AggregatedSourceType::Account,
                "us-east-1",
                "SUCCEEDED",
            ),
            (
                "333333333333",
                AggregatedSourceType::Account,
                "us-east-1",
                "OUTDATED",
            ),
            (
                "444444444444",
                AggregatedSourceType::Account,
                "us-east-1",
                "FAILED",
            ),
            // Typed ORGANIZATION but naming an account: that account's row.
            (
                "555555555555",
                AggregatedSourceType::Organization,
                "us-east-1",
                "SUCCEEDED",
            ),
            (
                "111111111111",
                AggregatedSourceType::Account,
                "eu-west-1",
                "SUCCEEDED",
            ),
            (
                "o-exampleorgid",
                AggregatedSourceType::Organization,
                "eu-west-1",
                "FAILED",
            ),
        ] {
            s.add(&row(id, kind, region, status));
        }
        let recorded: HashSet<String> = [
            "111111111111",
            "333333333333",
            "444444444444",
            "555555555555",
        ]
        .into_iter()
        .map(String::from)
        .collect();
        let on = |account: &str, region: &str| {
            s.status(account, region, &recorded)
                .map(|st| (st.state, st.detail))
        };
        assert_eq!(
            on("111111111111", "us-east-1"),
            Some((
                State::Enabled,
                "aggregator org-all: resources recorded, source up to date".to_string()
            ))
        );
        assert_eq!(on("222222222222", "us-east-1"), None, "nothing recorded");
        assert_eq!(on("333333333333", "us-east-1"), None, "outdated");
        assert_eq!(on("444444444444", "us-east-1"), None, "failed");
        assert!(on("555555555555", "us-east-1").is_some());
        assert_eq!(on("666666666666", "us-east-1"), None, "no row");
        assert_eq!(
            on("111111111111", "eu-west-1"),
            None,
            "the organization source failed there"
        );
    }
}
