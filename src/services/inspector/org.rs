//! Inspector across an organization, from its delegated administrator in one region:
//! BatchGetAccountStatus for the accounts in batches of ten (the API's limit), eight at once,
//! and the organization's auto-enable setting (DescribeOrganizationConfiguration).

use futures::StreamExt as _;

use super::probe;
use crate::aws::AwsError;
use crate::inventory::{ServiceStatus, State};
use crate::services::{AccountList, OrgAnswer, OrgCx};

/// The most account ids BatchGetAccountStatus takes.
const BATCH: usize = 10;

/// Batches in flight at once, per region.
const IN_FLIGHT: usize = 8;

pub async fn accounts(
    cx: OrgCx<'_>,
    region: &str,
    accounts: AccountList,
) -> Result<Option<OrgAnswer>, AwsError> {
    let client = cx.admin.inspector2(region);
    let wanted = &cx.cfg.settings.inspector.resource_types;
    // Refused: this account is not Inspector's delegated administrator here, and its batch
    // answers would only say so for each account. Each is probed through the access role.
    let (org_config, accounts) = tokio::join!(
        client.describe_organization_configuration().send(),
        accounts
    );
    let Ok(org_config) = org_config else {
        return Ok(None);
    };
    // Owned batches: a closure over borrowed slices is not general enough for a boxed future.
    let owned: Vec<Vec<String>> = accounts.chunks(BATCH).map(<[String]>::to_vec).collect();
    let batches = owned.into_iter().map(|batch| async {
        let out = client
            .batch_get_account_status()
            .set_account_ids(Some(batch.clone()))
            .send()
            .await;
        (batch, out)
    });
    // A few batches at once: a thousand accounts must not become a hundred calls in flight.
    let answers = futures::stream::iter(batches)
        .buffer_unordered(IN_FLIGHT)
        .collect::<Vec<_>>()
        .await;
    let mut answer = OrgAnswer {
        auto_enable: org_config.auto_enable().map(|a| {
            let on: Vec<&str> = [
                ("EC2", a.ec2()),
                ("ECR", a.ecr()),
                ("LAMBDA", a.lambda() == Some(true)),
                ("LAMBDA_CODE", a.lambda_code() == Some(true)),
                ("CODE_REPOSITORY", a.code_repository() == Some(true)),
            ]
            .into_iter()
            .filter_map(|(name, on)| on.then_some(name))
            .collect();
            if on.is_empty() {
                "NONE".to_string()
            } else {
                on.join("+")
            }
        }),
        ..OrgAnswer::default()
    };
    for (batch, out) in answers {
        let out = match out {
            Ok(out) => out,
            // One failed batch is its own accounts' error, not the region's.
            Err(e) => {
                let e = AwsError::classify("inspector2:BatchGetAccountStatus", &e);
                for account in batch {
                    answer
                        .accounts
                        .insert(account, ServiceStatus::new(State::Error, e.to_string()));
                }
                continue;
            }
        };
        for acct in out.accounts() {
            answer
                .accounts
                .insert(acct.account_id().to_string(), probe::judge(acct, wanted));
        }
        for failed in out.failed_accounts() {
            let status = ServiceStatus::new(
                State::Error,
                format!(
                    "{}: {}",
                    failed.error_code().as_str(),
                    failed.error_message()
                ),
            );
            answer
                .accounts
                .insert(failed.account_id().to_string(), status);
        }
    }
    for account in accounts.iter() {
        answer
            .accounts
            .entry(account.clone())
            .or_insert_with(|| ServiceStatus::new(State::Disabled, "not enabled"));
    }
    Ok(Some(answer))
}

/// The most account ids Enable takes at once.
const ENABLE_BATCH: usize = 100;

/// The resource types Inspector's organization auto-enable knows, as the org probe names
/// them.
const AUTO_TYPES: [&str; 5] = ["EC2", "ECR", "LAMBDA", "LAMBDA_CODE", "CODE_REPOSITORY"];

/// Inspector's organization switch: EnableDelegatedAdminAccount from the management account,
/// then UpdateOrganizationConfiguration from the administrator. Inspector's auto-enable covers
/// accounts that join later; with `ALL` the existing members are enabled by Enable.
pub struct Admin;

impl crate::services::OrgAdmin for Admin {
    fn registered<'a>(
        &'a self,
        management: &'a crate::aws::Aws,
        region: &'a str,
    ) -> futures::future::BoxFuture<'a, Result<Option<(String, String)>, AwsError>> {
        Box::pin(async move {
            let mut pages = management
                .inspector2(region)
                .list_delegated_admin_accounts()
                .into_paginator()
                .send();
            while let Some(page) = pages.next().await {
                let page = page
                    .map_err(|e| AwsError::classify("inspector2:ListDelegatedAdminAccounts", &e))?;
                // Any listed administrator counts: one being removed is not "none".
                if let Some(admin) = page.delegated_admin_accounts().first() {
                    return Ok(Some((
                        admin.account_id().unwrap_or_default().to_string(),
                        admin
                            .status()
                            .map_or(
                                "ENABLED",
                                aws_sdk_inspector2::types::DelegatedAdminStatus::as_str,
                            )
                            .to_string(),
                    )));
                }
            }
            Ok(None)
        })
    }

    fn register<'a>(
        &'a self,
        management: &'a crate::aws::Aws,
        region: &'a str,
        account: &'a str,
    ) -> futures::future::BoxFuture<'a, Result<(), AwsError>> {
        Box::pin(async move {
            management
                .inspector2(region)
                .enable_delegated_admin_account()
                .delegated_admin_account_id(account)
                .send()
                .await
                .map_err(|e| AwsError::classify("inspector2:EnableDelegatedAdminAccount", &e))?;
            Ok(())
        })
    }

    /// The setting becomes the union of what is on and what config.yml wants (awsmon never
    /// turns a type off); with ALL, existing members are enabled in batches, and any the API
    /// refuses fail the step by name.
    fn auto_enable<'a>(
        &'a self,
        admin: &'a crate::aws::Aws,
        cfg: &'a crate::config::Config,
        region: &'a str,
        change: crate::services::AutoEnableChange<'a>,
    ) -> futures::future::BoxFuture<'a, Result<String, AwsError>> {
        Box::pin(async move {
            let client = admin.inspector2(region);
            let wanted = &cfg.settings.inspector.resource_types;
            let on = union(change.current, wanted);
            let has = |t: &str| on.iter().any(|w| w == t);
            let auto = aws_sdk_inspector2::types::AutoEnable::builder()
                .ec2(has("EC2"))
                .ecr(has("ECR"))
                .lambda(has("LAMBDA"))
                .lambda_code(has("LAMBDA_CODE"))
                .code_repository(has("CODE_REPOSITORY"))
                .build()
                .map_err(|e| AwsError::other("inspector2:UpdateOrganizationConfiguration", e))?;
            client
                .update_organization_configuration()
                .auto_enable(auto)
                .send()
                .await
                .map_err(|e| {
                    AwsError::classify("inspector2:UpdateOrganizationConfiguration", &e)
                })?;
            if change.mode != crate::config::AutoEnableMode::All {
                return Ok(format!("auto-enable for new accounts: {}", on.join("+")));
            }
            let mut refused = Vec::new();
            for batch in change.uncovered.chunks(ENABLE_BATCH) {
                let out = client
                    .enable()
                    .set_account_ids(Some(batch.to_vec()))
                    .set_resource_types(Some(super::scan_types(wanted)))
                    .send()
                    .await
                    .map_err(|e| AwsError::classify("inspector2:Enable", &e))?;
                refused.extend(out.failed_accounts().iter().map(|f| {
                    format!(
                        "{} ({}: {})",
                        f.account_id(),
                        f.error_code().as_str(),
                        f.error_message()
                    )
                }));
            }
            if !refused.is_empty() {
                return Err(AwsError::other(
                    "inspector2:Enable",
                    format!(
                        "{} of {} refused: {}",
                        refused.len(),
                        change.uncovered.len(),
                        refused.join("; ")
                    ),
                ));
            }
            Ok(format!(
                "auto-enable {}; {} turned on",
                on.join("+"),
                crate::text::count(change.uncovered.len(), "account", "accounts")
            ))
        })
    }

    fn all_covers_existing(&self) -> bool {
        false
    }

    /// Inspector's setting is the resource types it turns on for new members.
    fn auto_enable_matches(
        &self,
        current: &str,
        _mode: crate::config::AutoEnableMode,
        cfg: &crate::config::Config,
    ) -> bool {
        let on: Vec<&str> = current.split('+').collect();
        cfg.settings
            .inspector
            .resource_types
            .iter()
            .all(|t| on.contains(&t.as_str()))
    }
}

/// What is on now (`EC2+ECR`, or `NONE`) with what is wanted, in the API's order.
fn union(current: Option<&str>, wanted: &[String]) -> Vec<String> {
    let now: Vec<&str> = current.unwrap_or_default().split('+').collect();
    AUTO_TYPES
        .iter()
        .filter(|t| now.contains(t) || wanted.iter().any(|w| w == *t))
        .map(ToString::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_setting_only_grows() {
        let wanted = vec!["EC2".to_string(), "ECR".to_string()];
        assert_eq!(
            super::union(Some("EC2+ECR+LAMBDA"), &wanted),
            ["EC2", "ECR", "LAMBDA"]
        );
        assert_eq!(super::union(Some("NONE"), &wanted), ["EC2", "ECR"]);
        assert_eq!(super::union(None, &wanted), ["EC2", "ECR"]);
        assert_eq!(
            super::union(Some("CODE_REPOSITORY"), &wanted),
            ["EC2", "ECR", "CODE_REPOSITORY"]
        );
    }
}
