//! Amazon Inspector (v2): BatchGetAccountStatus for this account. ENABLED with some of
//! INSPECTOR_RESOURCE_TYPES off is `partial`; an empty answer is `disabled`.

use aws_sdk_inspector2::types::{AccountState, ResourceState};

use crate::aws::{Aws, AwsError};
use crate::inventory::{ServiceStatus, State};

pub async fn status(
    aws: &Aws,
    region: &str,
    account: &str,
    wanted: &[String],
) -> Result<ServiceStatus, AwsError> {
    let out = account_status(aws, region, account).await?;
    Ok(match out.accounts().first() {
        Some(acct) => judge(acct, wanted),
        None => ServiceStatus::new(State::Disabled, "not enabled"),
    })
}

/// One account's Inspector status: ENABLED with some of `wanted` off is partial.
pub fn judge(acct: &AccountState, wanted: &[String]) -> ServiceStatus {
    let account_status = acct.state().map_or("UNKNOWN", |s| s.status().as_str());
    if account_status != "ENABLED" {
        let state = if matches!(account_status, "ENABLING" | "DISABLING") {
            State::Partial
        } else {
            State::Disabled
        };
        return ServiceStatus::new(state, format!("account {account_status}"));
    }
    let (on, off): (Vec<&String>, Vec<&String>) = wanted
        .iter()
        .partition(|t| resource_status(acct.resource_state(), t) == Some("ENABLED"));
    let join = |v: &[&String]| v.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("+");
    match (on.is_empty(), off.is_empty()) {
        (_, true) => ServiceStatus::new(State::Enabled, format!("{} enabled", join(&on))),
        (true, false) => ServiceStatus::new(
            State::Partial,
            format!("account enabled, {} disabled", join(&off)),
        ),
        (false, false) => ServiceStatus::new(
            State::Partial,
            format!("{} enabled, {} disabled", join(&on), join(&off)),
        ),
    }
}

fn resource_status<'a>(state: Option<&'a ResourceState>, kind: &str) -> Option<&'a str> {
    let state = state?;
    let s = match kind {
        "EC2" => state.ec2(),
        "ECR" => state.ecr(),
        "LAMBDA" => state.lambda(),
        "LAMBDA_CODE" => state.lambda_code(),
        "CODE_REPOSITORY" => state.code_repository(),
        _ => None,
    }?;
    Some(s.status().as_str())
}

async fn account_status(
    aws: &Aws,
    region: &str,
    account: &str,
) -> Result<
    aws_sdk_inspector2::operation::batch_get_account_status::BatchGetAccountStatusOutput,
    AwsError,
> {
    aws.inspector2(region)
        .batch_get_account_status()
        .account_ids(account)
        .send()
        .await
        .map_err(|e| AwsError::classify("inspector2:BatchGetAccountStatus", &e))
}

/// The resource types (of INSPECTOR_RESOURCE_TYPES) that are ENABLED for this account.
pub async fn enabled_types(
    aws: &Aws,
    region: &str,
    account: &str,
) -> Result<Vec<String>, AwsError> {
    let out = account_status(aws, region, account).await?;
    let state = out.accounts().first().and_then(|a| a.resource_state());
    Ok(awsmon_notifier::settings::INSPECTOR_RESOURCE_TYPES
        .iter()
        .filter(|t| resource_status(state, t) == Some("ENABLED"))
        .map(|t| (*t).to_string())
        .collect())
}
