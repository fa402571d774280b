//! IAM Access Analyzer across an Organization: one analyzer whose zone of trust is the
//! Organization, made in each region by the delegated administrator, covers every account,
//! existing and new, and reports only access from outside the Organization. The administrator
//! is the Organization's (Organizations' RegisterDelegatedAdministrator, one for every
//! region), not a per-region setting as with GuardDuty.

use std::sync::Arc;

use aws_sdk_accessanalyzer::types::Type;
use futures::future::BoxFuture;

use super::probe;
use crate::aws::{Aws, AwsError};
use crate::config::Config;
use crate::inventory::{ServiceStatus, State};
use crate::naming;
use crate::services::{AccountList, AutoEnableChange, OrgAnswer, OrgCx};

const PRINCIPAL: &str = "access-analyzer.amazonaws.com";

/// How the org probe words an active organization analyzer; the plan's "now …".
const ORG_ANALYZER: &str = "organization analyzer";

/// From the administrator: every account's status from its active organization analyzer in
/// `region`. Without one the answer is `None` and each account is probed through the access
/// role (its own account analyzer may be there).
pub async fn coverage(
    cx: OrgCx<'_>,
    region: &str,
    accounts: AccountList,
) -> Result<Option<OrgAnswer>, AwsError> {
    let list = probe::analyzers(cx.admin, region).await?;
    let Some(analyzer) = list
        .iter()
        .find(|a| a.zone == Type::Organization.as_str() && a.is_active())
    else {
        return Ok(None);
    };
    let accounts: Arc<Vec<String>> = accounts.await;
    let detail = format!(
        "{ORG_ANALYZER} {} in the delegated administrator {}",
        analyzer.name, cx.admin_account
    );
    Ok(Some(OrgAnswer {
        accounts: accounts
            .iter()
            .map(|id| (id.clone(), ServiceStatus::new(State::Enabled, &detail)))
            .collect(),
        auto_enable: Some(format!("{ORG_ANALYZER} {}", analyzer.name)),
    }))
}

/// Access Analyzer's organization switch: trusted access and the delegated administrator
/// from the management account, then an organization analyzer from the administrator.
pub struct Admin;

impl crate::services::OrgAdmin for Admin {
    fn registered<'a>(
        &'a self,
        management: &'a Aws,
        region: &'a str,
    ) -> BoxFuture<'a, Result<Option<(String, String)>, AwsError>> {
        Box::pin(async move {
            let mut pages = management
                .organizations(region)
                .list_delegated_administrators()
                .service_principal(PRINCIPAL)
                .into_paginator()
                .send();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| {
                    AwsError::classify("organizations:ListDelegatedAdministrators", &e)
                })?;
                if let Some(admin) = page.delegated_administrators().first() {
                    // The account's status: an active account administers.
                    let status = match admin
                        .status()
                        .map(aws_sdk_organizations::types::AccountStatus::as_str)
                    {
                        None | Some("ACTIVE") => "ENABLED".to_string(),
                        Some(other) => other.to_string(),
                    };
                    return Ok(Some((admin.id().unwrap_or_default().to_string(), status)));
                }
            }
            Ok(None)
        })
    }

    /// One registration serves every region, so a region's step may find it done by
    /// another's: already registered is success.
    fn register<'a>(
        &'a self,
        management: &'a Aws,
        region: &'a str,
        account: &'a str,
    ) -> BoxFuture<'a, Result<(), AwsError>> {
        Box::pin(async move {
            let org = management.organizations(region);
            org.enable_aws_service_access()
                .service_principal(PRINCIPAL)
                .send()
                .await
                .map_err(|e| AwsError::classify("organizations:EnableAWSServiceAccess", &e))?;
            match org
                .register_delegated_administrator()
                .account_id(account)
                .service_principal(PRINCIPAL)
                .send()
                .await
            {
                Ok(_) => Ok(()),
                Err(e) => {
                    let err =
                        AwsError::classify("organizations:RegisterDelegatedAdministrator", &e);
                    if err.code.as_deref() == Some("AccountAlreadyRegisteredException") {
                        Ok(())
                    } else {
                        Err(err)
                    }
                }
            }
        })
    }

    /// An organization analyzer covers every account whatever ORG_AUTO_ENABLE says: NEW and
    /// ALL plan the same analyzer.
    fn auto_enable<'a>(
        &'a self,
        admin: &'a Aws,
        cfg: &'a Config,
        region: &'a str,
        _change: AutoEnableChange<'a>,
    ) -> BoxFuture<'a, Result<String, AwsError>> {
        Box::pin(async move {
            let name = naming::org_analyzer(cfg);
            super::create_analyzer(admin, region, &name, Type::Organization).await?;
            Ok(format!("{ORG_ANALYZER} {name} created"))
        })
    }

    fn all_covers_existing(&self) -> bool {
        true
    }

    fn auto_enable_matches(
        &self,
        current: &str,
        _mode: crate::config::AutoEnableMode,
        _cfg: &Config,
    ) -> bool {
        current.starts_with(ORG_ANALYZER)
    }

    fn step_words(&self, region: &str, admin: &str, accounts: usize) -> Option<String> {
        Some(format!(
            "create an organization analyzer of IAM Access Analyzer in {region}, from the delegated administrator {admin} (zone of trust: the Organization): it covers every account, existing and new ({accounts} active now), and reports only access from outside the Organization"
        ))
    }
}
