//! GuardDuty across an organization, from its delegated administrator in one region: the
//! administrator's detector, its members (ListMembers, every page, associated or not) and the
//! organization's auto-enable setting (DescribeOrganizationConfiguration). A handful of calls
//! per region, whatever the number of accounts. Where the account asked is not GuardDuty's
//! delegated administrator there (no detector, or the organization configuration refused), the
//! member list says nothing about the others: the answer is `None`, and each account is probed
//! through the access role instead of being reported off.

use std::collections::HashMap;

use super::probe;
use crate::aws::AwsError;
use crate::inventory::{ServiceStatus, State};
use crate::services::{AccountList, OrgAnswer, OrgCx};

pub async fn members(
    cx: OrgCx<'_>,
    region: &str,
    accounts: AccountList,
) -> Result<Option<OrgAnswer>, AwsError> {
    let ids = probe::detector_ids(cx.admin, region).await?;
    let Some(detector) = ids.first() else {
        return Ok(None);
    };
    let client = cx.admin.guardduty(region);
    let list = async {
        let mut relationships = HashMap::new();
        let mut pages = client
            .list_members()
            .detector_id(detector)
            .only_associated("false")
            .max_results(50)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| AwsError::classify("guardduty:ListMembers", &e))?;
            for m in page.members() {
                relationships.insert(
                    m.account_id().unwrap_or_default().to_string(),
                    m.relationship_status().unwrap_or_default().to_string(),
                );
            }
        }
        Ok::<_, AwsError>(relationships)
    };
    let org_config = async {
        client
            .describe_organization_configuration()
            .detector_id(detector)
            .send()
            .await
            .map_err(|e| AwsError::classify("guardduty:DescribeOrganizationConfiguration", &e))
    };
    let (own, relationships, org_config) = tokio::join!(
        probe::is_enabled(cx.admin, region, detector),
        list,
        org_config
    );
    // Refused: this account is not the organization's GuardDuty administrator here.
    let Ok(org_config) = org_config else {
        return Ok(None);
    };
    let relationships = relationships?;
    let own = own?;
    let accounts = accounts.await;
    let mut answer = OrgAnswer {
        auto_enable: Some(
            org_config
                .auto_enable_organization_members()
                .map_or("NONE", |a| a.as_str())
                .to_string(),
        ),
        ..OrgAnswer::default()
    };
    for account in accounts.iter() {
        let status = if account == cx.admin_account {
            if own {
                ServiceStatus::new(State::Enabled, "the delegated administrator's detector")
            } else {
                ServiceStatus::new(
                    State::Disabled,
                    "the delegated administrator's detector is SUSPENDED",
                )
            }
        } else {
            match relationships.get(account).map(String::as_str) {
                Some("Enabled") => ServiceStatus::new(State::Enabled, "member, enabled"),
                Some(other) => ServiceStatus::new(
                    State::Disabled,
                    format!("member, {}", other.to_ascii_lowercase()),
                ),
                None => ServiceStatus::new(
                    State::Disabled,
                    "not a member of the delegated administrator",
                ),
            }
        };
        answer.accounts.insert(account.clone(), status);
    }
    Ok(Some(answer))
}

/// GuardDuty's organization switch: EnableOrganizationAdminAccount from the management
/// account, then UpdateOrganizationConfiguration on the administrator's detector.
pub struct Admin;

impl crate::services::OrgAdmin for Admin {
    fn registered<'a>(
        &'a self,
        management: &'a crate::aws::Aws,
        region: &'a str,
    ) -> futures::future::BoxFuture<'a, Result<Option<(String, String)>, AwsError>> {
        Box::pin(async move {
            let mut pages = management
                .guardduty(region)
                .list_organization_admin_accounts()
                .into_paginator()
                .send();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| {
                    AwsError::classify("guardduty:ListOrganizationAdminAccounts", &e)
                })?;
                // Any listed administrator counts: one being removed is not "none".
                if let Some(admin) = page.admin_accounts().first() {
                    return Ok(Some((
                        admin.admin_account_id().unwrap_or_default().to_string(),
                        admin
                            .admin_status()
                            .map_or("ENABLED", aws_sdk_guardduty::types::AdminStatus::as_str)
                            .to_string(),
                    )));
                }
            }
            Ok(None)
        })
    }

    /// Its organization configuration hangs off its own detector.
    fn admin_ready<'a>(
        &'a self,
        admin: &'a crate::aws::Aws,
        region: &'a str,
    ) -> futures::future::BoxFuture<'a, Result<bool, AwsError>> {
        Box::pin(async move { Ok(!probe::detector_ids(admin, region).await?.is_empty()) })
    }

    fn register<'a>(
        &'a self,
        management: &'a crate::aws::Aws,
        region: &'a str,
        account: &'a str,
    ) -> futures::future::BoxFuture<'a, Result<(), AwsError>> {
        Box::pin(async move {
            management
                .guardduty(region)
                .enable_organization_admin_account()
                .admin_account_id(account)
                .send()
                .await
                .map_err(|e| AwsError::classify("guardduty:EnableOrganizationAdminAccount", &e))?;
            Ok(())
        })
    }

    /// `ALL` covers existing members too: GuardDuty adds and enables them itself. NEW where
    /// ALL is set is never planned (`auto_enable_matches`), so this never narrows it.
    fn auto_enable<'a>(
        &'a self,
        admin: &'a crate::aws::Aws,
        _cfg: &'a crate::config::Config,
        region: &'a str,
        change: crate::services::AutoEnableChange<'a>,
    ) -> futures::future::BoxFuture<'a, Result<String, AwsError>> {
        Box::pin(async move {
            let ids = probe::detector_ids(admin, region).await?;
            let Some(detector) = ids.first() else {
                return Err(AwsError::other(
                    "guardduty:UpdateOrganizationConfiguration",
                    "the delegated administrator has no detector in this region",
                ));
            };
            admin
                .guardduty(region)
                .update_organization_configuration()
                .detector_id(detector)
                .auto_enable_organization_members(change.mode.as_str().into())
                .send()
                .await
                .map_err(|e| AwsError::classify("guardduty:UpdateOrganizationConfiguration", &e))?;
            Ok(format!("auto-enable {}", change.mode.as_str()))
        })
    }

    fn all_covers_existing(&self) -> bool {
        true
    }

    fn auto_enable_matches(
        &self,
        current: &str,
        mode: crate::config::AutoEnableMode,
        _cfg: &crate::config::Config,
    ) -> bool {
        // ALL covers what NEW asks for: never narrowed by awsmon.
        current == mode.as_str() || current == "ALL"
    }
}
