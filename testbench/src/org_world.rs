//! An AWS Organization for org mode's tests and benchmarks: moto's Organizations seeded with
//! OUs and accounts, and an overlay in front of moto for what it lacks:
//! - GuardDuty's delegated-administrator member listing (ListMembers, paged as AWS pages it)
//!   and DescribeOrganizationConfiguration, from recorded reply shapes;
//! - an AccessDenied from sts:AssumeRole for chosen accounts (moto lets any role be assumed).
//! - Config's DescribeConfigurationAggregatorSourcesStatus and
//!   GetAggregateDiscoveredResourceCounts (moto keeps aggregators but neither their sources'
//!   status nor aggregated resources), paged as AWS pages them.
//!
//! Everything else goes to moto, which keeps each account's state apart by the credentials
//! AssumeRole hands out.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use awsmon::aws::Aws;
use serde_json::json;

use crate::overlay::{Overlay, form_value};
use crate::stub::{StubRequest, StubResponse};

/// OUs under the root, each with the names of its accounts.
#[derive(Debug, Clone)]
pub struct OrgLayout {
    pub ous: Vec<(String, Vec<String>)>,
}

/// What was created: ids by name.
#[derive(Debug, Clone)]
pub struct SeededOrg {
    pub management: String,
    pub root: String,
    /// OU name → id.
    pub ous: HashMap<String, String>,
    /// Account name → id, in layout order.
    pub accounts: Vec<(String, String)>,
}

impl SeededOrg {
    pub fn id(&self, name: &str) -> String {
        self.accounts
            .iter()
            .find(|(n, _)| n == name)
            .map_or_else(|| panic!("no account named {name}"), |(_, id)| id.clone())
    }
}

/// Creates the organization (the caller's account is its management account), the OUs and
/// the accounts, and moves each account into its OU.
pub async fn seed(aws: &Aws, layout: &OrgLayout) -> SeededOrg {
    let orgs = aws.organizations("us-east-1");
    let created = orgs
        .create_organization()
        .send()
        .await
        .expect("create organization");
    let management = created
        .organization()
        .and_then(|o| o.master_account_id())
        .unwrap_or_default()
        .to_string();
    let roots = orgs.list_roots().send().await.expect("roots");
    let root = roots.roots()[0].id().unwrap_or_default().to_string();
    let mut ous = HashMap::new();
    let mut accounts = Vec::new();
    for (ou_name, names) in &layout.ous {
        let ou = orgs
            .create_organizational_unit()
            .parent_id(&root)
            .name(ou_name)
            .send()
            .await
            .expect("create OU");
        let ou_id = ou
            .organizational_unit()
            .and_then(|o| o.id())
            .unwrap_or_default()
            .to_string();
        for name in names {
            let made = orgs
                .create_account()
                .account_name(name)
                .email(format!("{name}@example.com"))
                .send()
                .await
                .expect("create account");
            let id = made
                .create_account_status()
                .and_then(|s| s.account_id())
                .unwrap_or_default()
                .to_string();
            orgs.move_account()
                .account_id(&id)
                .source_parent_id(&root)
                .destination_parent_id(&ou_id)
                .send()
                .await
                .expect("move account");
            accounts.push((name.clone(), id));
        }
        ous.insert(ou_name.clone(), ou_id);
    }
    SeededOrg {
        management,
        root,
        ous,
        accounts,
    }
}

/// Access to `account` as moto sees it: AssumeRole into it (moto lets any role be assumed) and
/// use the credentials it hands out, so calls land in that account's state.
pub async fn as_account(aws: &Aws, account: &str) -> Aws {
    aws.assume(
        &format!("arn:aws:iam::{account}:role/OrganizationAccountAccessRole"),
        None,
    )
    .await
}

/// What the overlay answers in place of AWS.
#[derive(Debug, Default)]
pub struct OrgFaults {
    /// GuardDuty members of the delegated administrator, with their relationship status
    /// (`Enabled`, `Disabled`, `Invited`...).
    pub guardduty_members: Mutex<Vec<(String, String)>>,
    /// GuardDuty's AutoEnableOrganizationMembers: `ALL`, `NEW` or `NONE`.
    pub guardduty_auto_enable: Mutex<String>,
    /// The Config aggregator's sources' status rows, as AWS lists them.
    pub config_sources: Mutex<Vec<ConfigSource>>,
    /// Resources the aggregator holds per (account, region).
    pub config_counts: Mutex<Vec<(String, String, i64)>>,
    /// Accounts whose access role cannot be assumed.
    pub deny_assume_role: Mutex<Vec<String>>,
    /// A StackSet instance (account, region) that fails with this reason until a retry
    /// (UpdateStackInstances naming its account and region) runs: moto reports every
    /// instance as succeeded and has no per-instance status details.
    pub failing_instance: Mutex<Option<(String, String, String)>>,
    /// Accounts StackSets skips as suspended (SKIPPED_SUSPENDED_ACCOUNT); moto deploys to them.
    pub suspended: Mutex<Vec<String>>,
    /// Each account's OU, for the instances' OrganizationalUnitId (moto reports none).
    pub account_ous: Mutex<HashMap<String, String>>,
    /// The StackSet's instances as moto made them (read back after each instances call):
    /// (stack set name, account, region). ListStackInstances is answered from these once
    /// `stackset_details` is on.
    pub stack_instances: Mutex<Vec<(String, String, String)>>,
    /// Answer ListStackInstances and ListStackSetOperationResults here, with statuses, OUs,
    /// skips and the failure.
    pub stackset_details: std::sync::atomic::AtomicBool,
    /// DescribeStackSetOperation answers RUNNING this many more times (moto's operations
    /// end at once), so a caller's in-progress path runs.
    pub running_polls: std::sync::atomic::AtomicUsize,
    /// The form bodies of every CreateStackSet, CreateStackInstances, UpdateStackInstances
    /// and DeleteStackInstances call, in order.
    pub stackset_calls: Mutex<Vec<String>>,
    /// Every request seen, as `METHOD path action` (the action from `X-Amz-Target` or the
    /// Query protocol's `Action`; empty for REST APIs).
    pub requests: Mutex<Vec<String>>,
}

/// One row of DescribeConfigurationAggregatorSourcesStatus.
#[derive(Debug, Clone)]
pub struct ConfigSource {
    /// An account id, or the organization's id for `ORGANIZATION`.
    pub source_id: String,
    /// `ACCOUNT` or `ORGANIZATION`.
    pub source_type: &'static str,
    pub region: String,
    /// `SUCCEEDED`, `FAILED` or `OUTDATED`.
    pub status: &'static str,
    /// LastErrorCode and LastErrorMessage, for `FAILED`.
    pub error: Option<(String, String)>,
}

/// The overlay in front of moto at `moto_endpoint`.
pub async fn overlay(moto_endpoint: &str, faults: Arc<OrgFaults>) -> std::io::Result<Overlay> {
    let (seen, moto) = (faults.clone(), moto_endpoint.to_string());
    let after: crate::overlay::After = Arc::new(move |req: StubRequest| {
        let (faults, moto) = (seen.clone(), moto.clone());
        Box::pin(async move { after_moto(&req, &faults, &moto).await })
    });
    Overlay::start(moto_endpoint, move |req| answer(req, &faults), Some(after)).await
}

/// After moto made, updated or deleted stack instances: emulate the account filters moto
/// ignores, read the instances back (so ListStackInstances can be answered with per-instance
/// status), and let a retry naming the failing account and region succeed.
async fn after_moto(req: &StubRequest, faults: &OrgFaults, moto: &str) {
    let action = form_value(&req.body, "Action").unwrap_or_default();
    if !matches!(
        action.as_str(),
        "CreateStackSet"
            | "CreateStackInstances"
            | "UpdateStackInstances"
            | "UpdateStackSet"
            | "DeleteStackInstances"
    ) {
        return;
    }
    let name = form_value(&req.body, "StackSetName").unwrap_or_default();
    if action != "UpdateStackSet"
        && let Ok(mut calls) = faults.stackset_calls.lock()
    {
        calls.push(req.body.clone());
    }
    let list = |key: &str| -> Vec<String> {
        (1..)
            .map_while(|n| form_value(&req.body, &format!("{key}.member.{n}")))
            .collect()
    };
    let regions = list("Regions");
    let accounts = list("DeploymentTargets.Accounts");
    let filter = form_value(&req.body, "DeploymentTargets.AccountFilterType").unwrap_or_default();
    let aws = crate::bench_aws(moto).await;
    let delete_in_moto = |accounts: Vec<String>, regions: Vec<String>| {
        let (aws, name) = (aws.clone(), name.clone());
        async move {
            if accounts.is_empty() || regions.is_empty() {
                return;
            }
            let _ = aws
                .cloudformation("us-east-1")
                .delete_stack_instances()
                .stack_set_name(&name)
                .set_accounts(Some(accounts))
                .set_regions(Some(regions))
                .retain_stacks(false)
                .send()
                .await;
        }
    };
    match action.as_str() {
        // moto ignores AccountFilterType: the DIFFERENCE accounts it deployed to are taken
        // back out, as StackSets would never have deployed there.
        "CreateStackInstances" if filter == "DIFFERENCE" => {
            delete_in_moto(accounts.clone(), regions.clone()).await;
        }
        // moto deletes by account only; a service-managed deletion names OUs (and maybe
        // INTERSECTION accounts): the instances it means are deleted here.
        "DeleteStackInstances" => {
            // As StackSets does: a suspended account's instance is skipped by a deletion,
            // and only a deletion that keeps its stack (RetainStacks) removes it.
            let retain = form_value(&req.body, "RetainStacks").as_deref() == Some("true");
            let suspended = faults
                .suspended
                .lock()
                .map(|s| s.clone())
                .unwrap_or_default();
            let ous = list("DeploymentTargets.OrganizationalUnitIds");
            let known_ous = faults
                .account_ous
                .lock()
                .map(|m| m.clone())
                .unwrap_or_default();
            let meant: Vec<String> = faults
                .stack_instances
                .lock()
                .map(|k| {
                    let mut a: Vec<String> = k
                        .iter()
                        .filter(|(n, a, r)| {
                            *n == name
                                && regions.contains(r)
                                && known_ous.get(a).is_some_and(|ou| ous.contains(ou))
                                && (filter != "INTERSECTION" || accounts.contains(a))
                                && (retain || !suspended.contains(a))
                        })
                        .map(|(_, a, _)| a.clone())
                        .collect();
                    a.sort();
                    a.dedup();
                    a
                })
                .unwrap_or_default();
            delete_in_moto(meant, regions.clone()).await;
        }
        "UpdateStackInstances" => {
            let mut failing = faults
                .failing_instance
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if failing
                .as_ref()
                .is_some_and(|(a, r, _)| accounts.contains(a) && regions.contains(r))
            {
                *failing = None;
            }
        }
        _ => {}
    }
    let Ok(listed) = aws
        .cloudformation("us-east-1")
        .list_stack_instances()
        .stack_set_name(&name)
        .send()
        .await
    else {
        return;
    };
    let mut all: Vec<(String, String, String)> = listed
        .summaries()
        .iter()
        .map(|s| {
            (
                name.clone(),
                s.account().unwrap_or_default().to_string(),
                s.region().unwrap_or_default().to_string(),
            )
        })
        .collect();
    if let Ok(mut known) = faults.stack_instances.lock() {
        known.retain(|(n, _, _)| *n != name);
        known.append(&mut all);
    }
}

/// The instances moto made for StackSet `name`, as (account, region, the failing instance's
/// reason).
fn set_instances(faults: &OrgFaults, name: &str) -> Vec<(String, String, Option<String>)> {
    let failing = faults
        .failing_instance
        .lock()
        .map(|f| f.clone())
        .unwrap_or_default();
    let known = faults
        .stack_instances
        .lock()
        .map(|k| k.clone())
        .unwrap_or_default();
    known
        .into_iter()
        .filter(|(n, _, _)| n == name)
        .map(|(_, account, region)| {
            let reason = failing
                .as_ref()
                .filter(|(a, r, _)| *a == account && *r == region)
                .map(|(_, _, reason)| reason.clone());
            (account, region, reason)
        })
        .collect()
}

/// ListStackInstances in CloudFormation's XML, from what moto made, with the failing
/// instance OUTDATED and FAILED with its reason.
fn list_stack_instances(faults: &OrgFaults, name: &str) -> StubResponse {
    let suspended = faults
        .suspended
        .lock()
        .map(|s| s.clone())
        .unwrap_or_default();
    let ous = faults
        .account_ous
        .lock()
        .map(|m| m.clone())
        .unwrap_or_default();
    let mut members = String::new();
    for (account, region, failed) in set_instances(faults, name) {
        let (status, detailed, reason) = match failed {
            Some(reason) => (
                "OUTDATED",
                "FAILED",
                format!("<StatusReason>{reason}</StatusReason>"),
            ),
            None if suspended.contains(&account) => {
                ("OUTDATED", "SKIPPED_SUSPENDED_ACCOUNT", String::new())
            }
            None => ("CURRENT", "SUCCEEDED", String::new()),
        };
        let ou = ous
            .get(&account)
            .map(|ou| format!("<OrganizationalUnitId>{ou}</OrganizationalUnitId>"))
            .unwrap_or_default();
        members.push_str(&format!(
            "<member><StackSetId>{name}:0000</StackSetId><Region>{region}</Region><Account>{account}</Account>\
             <Status>{status}</Status>{reason}<StackInstanceStatus><DetailedStatus>{detailed}</DetailedStatus></StackInstanceStatus>\
             {ou}<DriftStatus>NOT_CHECKED</DriftStatus></member>"
        ));
    }
    StubResponse {
        status: 200,
        content_type: "text/xml".into(),
        body: format!(
            "<ListStackInstancesResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\">\
             <ListStackInstancesResult><Summaries>{members}</Summaries></ListStackInstancesResult>\
             <ResponseMetadata><RequestId>overlay-stack-instances</RequestId></ResponseMetadata>\
             </ListStackInstancesResponse>"
        ),
        headers: Vec::new(),
    }
}

/// ListStackSetOperationResults in CloudFormation's XML: the set's instances, the failing one
/// FAILED with its reason, filtered by status as CloudFormation filters them.
fn operation_results(faults: &OrgFaults, name: &str, only: Option<&str>) -> StubResponse {
    let mut members = String::new();
    for (account, region, failed) in set_instances(faults, name) {
        let (status, reason) = match failed {
            Some(reason) => ("FAILED", format!("<StatusReason>{reason}</StatusReason>")),
            None => ("SUCCEEDED", String::new()),
        };
        if only.is_some_and(|o| o != status) {
            continue;
        }
        members.push_str(&format!(
            "<member><Account>{account}</Account><Region>{region}</Region><Status>{status}</Status>{reason}</member>"
        ));
    }
    StubResponse {
        status: 200,
        content_type: "text/xml".into(),
        body: format!(
            "<ListStackSetOperationResultsResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\">\
             <ListStackSetOperationResultsResult><Summaries>{members}</Summaries></ListStackSetOperationResultsResult>\
             <ResponseMetadata><RequestId>overlay-operation-results</RequestId></ResponseMetadata>\
             </ListStackSetOperationResultsResponse>"
        ),
        headers: Vec::new(),
    }
}

fn answer(req: &StubRequest, faults: &OrgFaults) -> Option<StubResponse> {
    let path = req.path.split('?').next().unwrap_or_default();
    let action = req
        .header("x-amz-target")
        .map(str::to_string)
        .or_else(|| form_value(&req.body, "Action"))
        .unwrap_or_default();
    if let Ok(mut log) = faults.requests.lock() {
        log.push(format!("{} {path} {action}", req.method));
    }
    let query = req.path.split_once('?').map_or("", |(_, q)| q);
    if req.method == "GET" && path.starts_with("/detector/") && path.ends_with("/member") {
        return Some(list_members(faults, query));
    }
    if req.method == "GET" && path.starts_with("/detector/") && path.ends_with("/admin") {
        let setting = faults
            .guardduty_auto_enable
            .lock()
            .map(|s| s.clone())
            .unwrap_or_default();
        let setting = if setting.is_empty() {
            "NONE".to_string()
        } else {
            setting
        };
        return Some(StubResponse::json(
            200,
            json!({
                "autoEnable": setting != "NONE",
                "autoEnableOrganizationMembers": setting,
                "memberAccountLimitReached": false,
                "features": [
                    {"name": "S3_DATA_EVENTS", "autoEnable": "NEW"}
                ]
            })
            .to_string(),
        ));
    }
    if form_value(&req.body, "Action").as_deref() == Some("DescribeStackSetOperation")
        && faults
            .running_polls
            .fetch_update(
                std::sync::atomic::Ordering::SeqCst,
                std::sync::atomic::Ordering::SeqCst,
                |n| n.checked_sub(1),
            )
            .is_ok()
    {
        let id = form_value(&req.body, "OperationId").unwrap_or_default();
        let name = form_value(&req.body, "StackSetName").unwrap_or_default();
        return Some(StubResponse {
            status: 200,
            content_type: "text/xml".into(),
            body: format!(
                "<DescribeStackSetOperationResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\">\
                 <DescribeStackSetOperationResult><StackSetOperation><OperationId>{id}</OperationId>\
                 <StackSetId>{name}:0000</StackSetId><Action>CREATE</Action><Status>RUNNING</Status>\
                 </StackSetOperation></DescribeStackSetOperationResult>\
                 <ResponseMetadata><RequestId>overlay-running</RequestId></ResponseMetadata>\
                 </DescribeStackSetOperationResponse>"
            ),
            headers: Vec::new(),
        });
    }
    if faults
        .stackset_details
        .load(std::sync::atomic::Ordering::SeqCst)
        && form_value(&req.body, "Action").as_deref() == Some("ListStackSetOperationResults")
    {
        let name = form_value(&req.body, "StackSetName").unwrap_or_default();
        let only = form_value(&req.body, "Filters.member.1.Values.member.1")
            .or_else(|| form_value(&req.body, "Filters.member.1.Values"));
        return Some(operation_results(faults, &name, only.as_deref()));
    }
    // Once a test turns the details on, every listing comes from here.
    if faults
        .stackset_details
        .load(std::sync::atomic::Ordering::SeqCst)
        && form_value(&req.body, "Action").as_deref() == Some("ListStackInstances")
    {
        let name = form_value(&req.body, "StackSetName").unwrap_or_default();
        return Some(list_stack_instances(faults, &name));
    }
    // GuardDuty's UpdateOrganizationConfiguration (moto lacks it): the setting is kept, so
    // DescribeOrganizationConfiguration reads it back.
    if req.method == "POST" && path.starts_with("/detector/") && path.ends_with("/admin") {
        let body: serde_json::Value = serde_json::from_str(&req.body).unwrap_or_default();
        let Some(setting) = body["autoEnableOrganizationMembers"].as_str() else {
            return Some(StubResponse::json(
                400,
                json!({"__type": "BadRequestException", "message": "autoEnableOrganizationMembers is required"}).to_string(),
            ));
        };
        if let Ok(mut s) = faults.guardduty_auto_enable.lock() {
            setting.clone_into(&mut s);
        }
        return Some(StubResponse::json(200, "{}".to_string()));
    }
    if action == "StarlingDoveService.DescribeConfigurationAggregatorSourcesStatus" {
        return Some(config_sources(faults, &req.body));
    }
    if action == "StarlingDoveService.GetAggregateDiscoveredResourceCounts" {
        return Some(config_counts(faults, &req.body));
    }
    if req.method == "POST" && form_value(&req.body, "Action").as_deref() == Some("AssumeRole") {
        let role = form_value(&req.body, "RoleArn").unwrap_or_default();
        let denied = faults
            .deny_assume_role
            .lock()
            .is_ok_and(|d| d.iter().any(|a| role.contains(&format!(":{a}:"))));
        if denied {
            return Some(StubResponse {
                status: 403,
                content_type: "text/xml".into(),
                body: format!(
                    "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
                     <Error><Type>Sender</Type><Code>AccessDenied</Code>\
                     <Message>User: arn:aws:sts::123456789012:assumed-role/Audit/awsmon is not authorized to perform: sts:AssumeRole on resource: {role}</Message>\
                     </Error><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ErrorResponse>"
                ),
                headers: Vec::new(),
            });
        }
    }
    None
}

/// ListMembers as AWS pages it: `maxResults` (default 50) per page, `nextToken` onwards.
fn list_members(faults: &OrgFaults, query: &str) -> StubResponse {
    let param = |key: &str| {
        query.split('&').find_map(|kv| {
            kv.split_once('=')
                .filter(|(k, _)| *k == key)
                .map(|(_, v)| v)
        })
    };
    let size: usize = param("maxResults")
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let from: usize = param("nextToken").and_then(|v| v.parse().ok()).unwrap_or(0);
    let members = faults
        .guardduty_members
        .lock()
        .map(|m| m.clone())
        .unwrap_or_default();
    let (page, next) = paged(&members, from, size);
    let page: Vec<_> = page
        .iter()
        .map(|(account, status)| {
            json!({
                "accountId": account,
                "detectorId": "5cb8b3a4e1f2a9c0d7e6f5a4b3c2d1e0",
                "masterId": "111122223333",
                "administratorId": "111122223333",
                "email": format!("{account}@example.com"),
                "relationshipStatus": status,
                "invitedAt": "2026-01-05T10:00:00.000Z",
                "updatedAt": "2026-01-05T10:05:00.000Z"
            })
        })
        .collect();
    let mut body = json!({ "members": page });
    if let Some(next) = next {
        body["nextToken"] = json!(next);
    }
    StubResponse::json(200, body.to_string())
}

/// One page of `items` from `from`, and the token of the next page where there is one (the
/// overlay's tokens are offsets).
fn paged<T>(items: &[T], from: usize, size: usize) -> (&[T], Option<String>) {
    let end = from.saturating_add(size).min(items.len());
    let page = items.get(from.min(end)..end).unwrap_or_default();
    (page, (end < items.len()).then(|| end.to_string()))
}

/// DescribeConfigurationAggregatorSourcesStatus as AWS pages it: `Limit` (at most 100) rows a
/// page, `NextToken` onwards. The time is fixed, so what the scan reports can be asserted.
fn config_sources(faults: &OrgFaults, body: &str) -> StubResponse {
    let body: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let size = body["Limit"]
        .as_u64()
        .filter(|n| (1..=100).contains(n))
        .unwrap_or(100);
    let size = usize::try_from(size).unwrap_or(100);
    let from: usize = body["NextToken"]
        .as_str()
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    let rows = faults
        .config_sources
        .lock()
        .map(|r| r.clone())
        .unwrap_or_default();
    let (page, next) = paged(&rows, from, size);
    let page: Vec<_> = page
        .iter()
        .map(|r| {
            let mut row = json!({
                "SourceId": r.source_id,
                "SourceType": r.source_type,
                "AwsRegion": r.region,
                "LastUpdateStatus": r.status,
                "LastUpdateTime": 1_764_900_000.0
            });
            if let Some((code, message)) = &r.error {
                row["LastErrorCode"] = json!(code);
                row["LastErrorMessage"] = json!(message);
            }
            row
        })
        .collect();
    let mut out = json!({ "AggregatedSourceStatusList": page });
    if let Some(next) = next {
        out["NextToken"] = json!(next);
    }
    StubResponse::json(200, out.to_string())
}

/// GetAggregateDiscoveredResourceCounts filtered by region and grouped by account, as the
/// scan asks it (one page: the scan's organizations stay under its 1,000 a page).
fn config_counts(faults: &OrgFaults, body: &str) -> StubResponse {
    let body: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    if body["GroupByKey"] != "ACCOUNT_ID" {
        return StubResponse::json(
            400,
            json!({"__type": "ValidationException", "message": "the overlay answers GroupByKey ACCOUNT_ID only"}).to_string(),
        );
    }
    let region = body["Filters"]["Region"].as_str().unwrap_or_default();
    let counts = faults
        .config_counts
        .lock()
        .map(|c| c.clone())
        .unwrap_or_default();
    let groups: Vec<_> = counts
        .iter()
        .filter(|(_, r, _)| r == region)
        .map(|(account, _, n)| json!({"GroupName": account, "ResourceCount": n}))
        .collect();
    let total: i64 = counts
        .iter()
        .filter(|(_, r, _)| r == region)
        .map(|(_, _, n)| n)
        .sum();
    StubResponse::json(
        200,
        json!({
            "TotalDiscoveredResources": total,
            "GroupByKey": "ACCOUNT_ID",
            "GroupedResourceCounts": groups
        })
        .to_string(),
    )
}
