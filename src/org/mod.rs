//! Org mode: the accounts of an AWS Organization with their names, OU paths and status, read
//! from Organizations (every page), and which of them awsmon covers (ACCOUNTS,
//! EXCLUDE_ACCOUNTS). The scan across them is in [`scan`].

pub mod enable;
pub mod routing;
pub mod scan;
pub mod spokes;

use std::collections::BTreeMap;

use futures::future::BoxFuture;
use serde::Serialize;
use tokio::sync::Semaphore;

use crate::aws::{Aws, AwsError};
use crate::config::OrgSettings;

/// An account as Organizations lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrgAccount {
    pub id: String,
    pub name: String,
    pub status: AccountStatus,
    /// OU names from the root down, `Root/Security/Prod`.
    pub ou_path: String,
    /// The ids of the root and OUs above it, root first.
    pub parents: Vec<String>,
}

/// Where an account is in its life. Only active accounts are scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AccountStatus {
    Active,
    Suspended,
    PendingClosure,
    Closed,
    PendingActivation,
    /// A state this build does not know: not scanned (fail closed).
    Unknown,
}

impl AccountStatus {
    /// From the account's `State` (newer) or `Status`.
    fn parse(state: Option<&str>, status: Option<&str>) -> AccountStatus {
        match state.or(status).unwrap_or("ACTIVE") {
            "ACTIVE" => AccountStatus::Active,
            "SUSPENDED" => AccountStatus::Suspended,
            "PENDING_CLOSURE" => AccountStatus::PendingClosure,
            "CLOSED" => AccountStatus::Closed,
            "PENDING_ACTIVATION" => AccountStatus::PendingActivation,
            _ => AccountStatus::Unknown,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Active => "active",
            AccountStatus::Suspended => "suspended",
            AccountStatus::PendingClosure => "pending closure",
            AccountStatus::Closed => "closed",
            AccountStatus::PendingActivation => "pending activation",
            AccountStatus::Unknown => "in an unknown state",
        }
    }
}

/// The organization: its accounts in OU order (by path, then name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Organization {
    pub id: String,
    pub management_account: String,
    pub accounts: Vec<OrgAccount>,
}

impl Organization {
    /// The accounts awsmon covers: those ACCOUNTS names (every account when empty), less
    /// EXCLUDE_ACCOUNTS. An OU or root id stands for every account below it.
    pub fn in_scope<'a>(&'a self, settings: &OrgSettings) -> Vec<&'a OrgAccount> {
        let covers = |account: &OrgAccount, target: &String| {
            account.id == *target || account.parents.contains(target)
        };
        self.accounts
            .iter()
            .filter(|a| {
                settings.accounts.is_empty() || settings.accounts.iter().any(|t| covers(a, t))
            })
            .filter(|a| !settings.exclude.iter().any(|t| covers(a, t)))
            .collect()
    }

    /// ACCOUNTS and EXCLUDE_ACCOUNTS entries that match no account or OU of the organization
    /// (a typo in EXCLUDE_ACCOUNTS would otherwise scan the account it meant to leave out).
    pub fn unmatched<'a>(&self, settings: &'a OrgSettings) -> Vec<(&'static str, &'a str)> {
        let known = |target: &String| {
            self.accounts
                .iter()
                .any(|a| a.id == *target || a.parents.contains(target))
        };
        let mut out = Vec::new();
        for (key, list) in [
            ("ACCOUNTS", &settings.accounts),
            ("EXCLUDE_ACCOUNTS", &settings.exclude),
        ] {
            out.extend(list.iter().filter(|t| !known(t)).map(|t| (key, t.as_str())));
        }
        out
    }
}

/// Reads the organization: DescribeOrganization beside the tree, read from the roots down,
/// each OU's accounts and child OUs at once, and each child as soon as its parent has named it
/// (the depth of the tree, not its size, sets the time). Every page is read. Call it with the
/// management account's access, or a delegated administrator's for Organizations.
pub async fn load(aws: &Aws, region: &str) -> Result<Organization, AwsError> {
    let client = aws.organizations(region);
    // Organizations allows a few requests a second: a wide tree must not be read all at once.
    let limit = Semaphore::new(TREE_CALLS_IN_FLIGHT);
    let describe = async {
        client
            .describe_organization()
            .send()
            .await
            .map_err(|e| AwsError::classify("organizations:DescribeOrganization", &e))
    };
    let tree = async {
        let mut roots = Vec::new();
        let mut pages = client.list_roots().into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| AwsError::classify("organizations:ListRoots", &e))?;
            for root in page.roots() {
                if let Some(id) = root.id() {
                    roots.push(Parent {
                        id: id.to_string(),
                        path: root.name().unwrap_or("Root").to_string(),
                        chain: vec![id.to_string()],
                    });
                }
            }
        }
        let below = futures::future::try_join_all(
            roots
                .into_iter()
                .map(|root| subtree(aws, region, root, &limit)),
        )
        .await?;
        Ok::<_, AwsError>(below.into_iter().flatten().collect::<Vec<_>>())
    };
    let (described, accounts) = tokio::join!(describe, tree);
    let described = described?;
    let mut accounts = accounts?;
    let org = described.organization();
    accounts.sort_by(|a: &OrgAccount, b| a.ou_path.cmp(&b.ou_path).then(a.name.cmp(&b.name)));
    Ok(Organization {
        id: org.and_then(|o| o.id()).unwrap_or_default().to_string(),
        management_account: org
            .and_then(|o| o.master_account_id())
            .unwrap_or_default()
            .to_string(),
        accounts,
    })
}

/// A root or OU, with its path of names and chain of ids.
struct Parent {
    id: String,
    path: String,
    chain: Vec<String>,
}

/// Organizations calls in flight at once while the tree is read.
const TREE_CALLS_IN_FLIGHT: usize = 4;

/// Every account at or below `parent`.
fn subtree<'a>(
    aws: &'a Aws,
    region: &'a str,
    parent: Parent,
    limit: &'a Semaphore,
) -> BoxFuture<'a, Result<Vec<OrgAccount>, AwsError>> {
    Box::pin(async move {
        let below = async {
            let ous = {
                let _permit = limit.acquire().await;
                child_ous(aws, region, &parent).await?
            };
            let nested = futures::future::try_join_all(
                ous.into_iter().map(|ou| subtree(aws, region, ou, limit)),
            )
            .await?;
            Ok::<_, AwsError>(nested.into_iter().flatten().collect::<Vec<_>>())
        };
        let own = async {
            let _permit = limit.acquire().await;
            accounts_in(aws, region, &parent).await
        };
        let (own, below) = tokio::join!(own, below);
        let mut all = own?;
        all.extend(below?);
        Ok(all)
    })
}

/// A parent's child OUs, every page.
async fn child_ous(aws: &Aws, region: &str, parent: &Parent) -> Result<Vec<Parent>, AwsError> {
    let mut ous = Vec::new();
    let mut pages = aws
        .organizations(region)
        .list_organizational_units_for_parent()
        .parent_id(&parent.id)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| {
            AwsError::classify("organizations:ListOrganizationalUnitsForParent", &e)
        })?;
        for ou in page.organizational_units() {
            let Some(id) = ou.id() else { continue };
            let mut chain = parent.chain.clone();
            chain.push(id.to_string());
            ous.push(Parent {
                id: id.to_string(),
                path: format!("{}/{}", parent.path, ou.name().unwrap_or(id)),
                chain,
            });
        }
    }
    Ok(ous)
}

/// The accounts directly in a parent, every page.
async fn accounts_in(
    aws: &Aws,
    region: &str,
    parent: &Parent,
) -> Result<Vec<OrgAccount>, AwsError> {
    let mut accounts = Vec::new();
    let mut pages = aws
        .organizations(region)
        .list_accounts_for_parent()
        .parent_id(&parent.id)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page =
            page.map_err(|e| AwsError::classify("organizations:ListAccountsForParent", &e))?;
        for account in page.accounts() {
            let Some(id) = account.id() else { continue };
            accounts.push(OrgAccount {
                id: id.to_string(),
                name: account.name().unwrap_or(id).to_string(),
                status: AccountStatus::parse(
                    account
                        .state()
                        .map(aws_sdk_organizations::types::AccountState::as_str),
                    account
                        .status()
                        .map(aws_sdk_organizations::types::AccountStatus::as_str),
                ),
                ou_path: parent.path.clone(),
                parents: parent.chain.clone(),
            });
        }
    }
    Ok(accounts)
}

/// The role ARN awsmon assumes in `account` (ORG_ACCESS_ROLE, which may carry a path), in the
/// home region's partition.
pub fn access_role_arn(settings: &OrgSettings, account: &str, home_region: &str) -> String {
    let partition = crate::regions::partition(home_region).unwrap_or("aws");
    let role = settings.access_role.trim_start_matches('/');
    format!("arn:{partition}:iam::{account}:role/{role}")
}

/// Account names by id, for messages and the console.
pub fn names(org: &Organization) -> BTreeMap<String, String> {
    org.accounts
        .iter()
        .map(|a| (a.id.clone(), a.name.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(id: &str, parents: &[&str]) -> OrgAccount {
        OrgAccount {
            id: id.to_string(),
            name: format!("n{id}"),
            status: AccountStatus::Active,
            ou_path: "Root".to_string(),
            parents: parents.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn scope_takes_accounts_and_ous_and_leaves_out_exclusions() {
        let org = Organization {
            id: "o-abc".into(),
            management_account: "111111111111".into(),
            accounts: vec![
                account("111111111111", &["r-ab12"]),
                account("222222222222", &["r-ab12", "ou-ab12-prod0001"]),
                account(
                    "333333333333",
                    &["r-ab12", "ou-ab12-prod0001", "ou-ab12-web00001"],
                ),
                account("444444444444", &["r-ab12", "ou-ab12-sand0001"]),
            ],
        };
        let ids = |s: &OrgSettings| -> Vec<&str> {
            org.in_scope(s).iter().map(|a| a.id.as_str()).collect()
        };
        let mut s = OrgSettings::default();
        assert_eq!(ids(&s).len(), 4, "empty ACCOUNTS means every account");
        s.accounts = vec!["ou-ab12-prod0001".into(), "111111111111".into()];
        assert_eq!(ids(&s), ["111111111111", "222222222222", "333333333333"]);
        s.exclude = vec!["ou-ab12-web00001".into()];
        assert_eq!(ids(&s), ["111111111111", "222222222222"]);
        s.accounts.clear();
        s.exclude = vec!["r-ab12".into()];
        assert!(ids(&s).is_empty());
    }

    #[test]
    fn entries_that_match_nothing_are_named() {
        let org = Organization {
            id: "o-abc".into(),
            management_account: "111111111111".into(),
            accounts: vec![account("222222222222", &["r-ab12", "ou-ab12-prod0001"])],
        };
        let s = OrgSettings {
            accounts: vec!["ou-ab12-prod0001".into(), "ou-ab12-typo0001".into()],
            exclude: vec!["222222222223".into(), "r-ab12".into()],
            ..OrgSettings::default()
        };
        assert_eq!(
            org.unmatched(&s),
            [
                ("ACCOUNTS", "ou-ab12-typo0001"),
                ("EXCLUDE_ACCOUNTS", "222222222223")
            ]
        );
    }

    #[test]
    fn an_unknown_account_state_is_not_scanned() {
        assert_eq!(
            AccountStatus::parse(Some("SOMETHING_NEW"), None),
            AccountStatus::Unknown
        );
    }

    #[test]
    fn the_access_role_is_in_the_home_regions_partition() {
        let mut s = OrgSettings::default();
        assert_eq!(
            access_role_arn(&s, "222222222222", "eu-west-1"),
            "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole"
        );
        s.access_role = "/security/AwsmonReader".into();
        assert_eq!(
            access_role_arn(&s, "222222222222", "us-gov-west-1"),
            "arn:aws-us-gov:iam::222222222222:role/security/AwsmonReader"
        );
    }

    #[test]
    fn status_reads_state_before_status() {
        assert_eq!(
            AccountStatus::parse(Some("CLOSED"), Some("SUSPENDED")),
            AccountStatus::Closed
        );
        assert_eq!(
            AccountStatus::parse(None, Some("SUSPENDED")),
            AccountStatus::Suspended
        );
        assert_eq!(AccountStatus::parse(None, None), AccountStatus::Active);
    }
}
