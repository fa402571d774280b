//! Org mode's member-account spokes as one CloudFormation StackSet with SERVICE_MANAGED
//! permissions and auto-deployment: created (or its template updated) from the delegated
//! administrator or the management account, its instances put on the chosen OUs × regions
//! with the operation preferences from config.yml, each operation waited for and judged, and
//! the instances read back one by one (account, region, status, and why a failed one failed).
//! A retry re-runs only the failed instances, region by region, through their own OUs. New
//! accounts in the OUs get the spoke from StackSets itself, without awsmon.

use std::collections::HashSet;
use std::time::Instant;

use aws_sdk_cloudformation::types::{
    AccountFilterType, AutoDeployment, CallAs, Capability, ConcurrencyMode, DeploymentTargets,
    ManagedExecution, OperationResultFilter, OperationResultFilterName, Parameter,
    PermissionModels, RegionConcurrencyType, StackSetOperationPreferences, Tag,
};
use tokio::sync::mpsc::UnboundedSender;

use super::stack_ops::{Progress, Waiting};
use super::templates::Template;
use crate::aws::{Aws, AwsError};

/// The tag that marks a StackSet as awsmon's: one without it is never updated or deleted.
pub const OWNER_TAG: &str = "awsmon:stackset";

/// Where the spoke goes and how fast.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackSetSpec {
    /// Where the StackSet is administered (the home region).
    pub region: String,
    pub name: String,
    pub template: Template,
    pub parameters: Vec<(String, String)>,
    pub tags: Vec<(String, String)>,
    /// OU ids, or the root id, the instances go to (and new accounts there, automatically).
    pub ous: Vec<String>,
    /// Accounts left out: EXCLUDE_ACCOUNTS and the account awsmon runs as (its own spokes
    /// forward its changes).
    pub exclude: Vec<String>,
    /// In this order, one after another.
    pub regions: Vec<String>,
    pub prefs: Preferences,
    /// Administered as the Organization's StackSets delegated administrator, not as the
    /// management account.
    pub as_delegated_admin: bool,
}

/// ORG_MAX_CONCURRENT_PERCENT and ORG_FAILURE_TOLERANCE_PERCENT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preferences {
    pub max_concurrent_percent: u8,
    pub failure_tolerance_percent: u8,
}

/// Which StackSet, administered how: enough to read or delete it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackSetRef {
    pub region: String,
    pub name: String,
    pub as_delegated_admin: bool,
    pub prefs: Preferences,
}

/// One stack instance as StackSets reports it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Instance {
    pub account: String,
    pub region: String,
    /// CURRENT, OUTDATED or INOPERABLE.
    pub status: String,
    /// SUCCEEDED, FAILED, CANCELLED, PENDING, RUNNING, SKIPPED_SUSPENDED_ACCOUNT… where
    /// reported.
    pub detailed: Option<String>,
    pub reason: Option<String>,
    /// The OU it was deployed through (service-managed).
    pub ou: Option<String>,
}

impl Instance {
    /// Failed or cancelled by an operation: what a retry re-runs. A suspended account's
    /// skip and an INOPERABLE instance are not (a retry cannot change them).
    pub fn failed(&self) -> bool {
        matches!(self.detailed.as_deref(), Some("FAILED" | "CANCELLED"))
    }

    /// StackSets skipped it: the account is suspended.
    pub fn skipped(&self) -> bool {
        self.detailed.as_deref() == Some("SKIPPED_SUSPENDED_ACCOUNT")
    }

    /// Cut loose from the StackSet by a failed deletion: only deleting it (keeping its
    /// stack) or fixing the stack by hand clears it.
    pub fn inoperable(&self) -> bool {
        self.status == "INOPERABLE"
    }

    pub fn line(&self) -> String {
        let mut out = format!(
            "{} {}: {}",
            self.account,
            self.region,
            self.detailed.as_deref().unwrap_or(&self.status)
        );
        if let Some(r) = &self.reason {
            out.push_str(&format!(" ({r})"));
        }
        out
    }
}

/// What happens to the StackSet itself before its instances are put on the targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetChange {
    Create,
    /// Its template or parameters changed: every instance is updated.
    Update,
    /// Unchanged: only missing instances are added.
    Keep,
}

fn call_as(as_delegated_admin: bool) -> CallAs {
    if as_delegated_admin {
        CallAs::DelegatedAdmin
    } else {
        CallAs::SelfValue
    }
}

impl StackSetSpec {
    pub fn set_ref(&self) -> StackSetRef {
        StackSetRef {
            region: self.region.clone(),
            name: self.name.clone(),
            as_delegated_admin: self.as_delegated_admin,
            prefs: self.prefs,
        }
    }
}

/// The operation preferences, `regions` in their order (an update of the whole StackSet
/// reaches regions beyond those asked, so it names none). Soft failure tolerance: with the
/// default strict mode, StackSets caps the accounts at once at the tolerance plus one, so a
/// tolerance of 0 would deploy one account at a time whatever ORG_MAX_CONCURRENT_PERCENT says.
fn prefs(p: Preferences, regions: Option<&[String]>) -> StackSetOperationPreferences {
    StackSetOperationPreferences::builder()
        .region_concurrency_type(RegionConcurrencyType::Sequential)
        .set_region_order(regions.map(<[String]>::to_vec))
        .max_concurrent_percentage(i32::from(p.max_concurrent_percent))
        .failure_tolerance_percentage(i32::from(p.failure_tolerance_percent))
        .concurrency_mode(ConcurrencyMode::SoftFailureTolerance)
        .build()
}

/// OUs, and either only `accounts` of them (INTERSECTION) or all but `exclude` (DIFFERENCE).
fn targets(ous: &[String], accounts: &[String], exclude: &[String]) -> DeploymentTargets {
    let b = DeploymentTargets::builder().set_organizational_unit_ids(Some(ous.to_vec()));
    if !accounts.is_empty() {
        b.set_accounts(Some(accounts.to_vec()))
            .account_filter_type(AccountFilterType::Intersection)
            .build()
    } else if !exclude.is_empty() {
        b.set_accounts(Some(exclude.to_vec()))
            .account_filter_type(AccountFilterType::Difference)
            .build()
    } else {
        b.build()
    }
}

/// Every instance, every page.
pub async fn instances(aws: &Aws, set: &StackSetRef) -> Result<Vec<Instance>, AwsError> {
    let mut out = Vec::new();
    let mut pages = aws
        .cloudformation(&set.region)
        .list_stack_instances()
        .stack_set_name(&set.name)
        .call_as(call_as(set.as_delegated_admin))
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::classify("cloudformation:ListStackInstances", &e))?;
        for s in page.summaries() {
            out.push(Instance {
                account: s.account().unwrap_or_default().to_string(),
                region: s.region().unwrap_or_default().to_string(),
                status: s
                    .status()
                    .map(|x| x.as_str().to_string())
                    .unwrap_or_default(),
                detailed: s
                    .stack_instance_status()
                    .and_then(|d| d.detailed_status())
                    .map(|d| d.as_str().to_string()),
                reason: s.status_reason().map(str::to_string),
                ou: s.organizational_unit_id().map(str::to_string),
            });
        }
    }
    out.sort_by(|a, b| a.account.cmp(&b.account).then(a.region.cmp(&b.region)));
    Ok(out)
}

/// Creates or updates the StackSet as planned, puts its instances on the OUs × regions,
/// waits for each operation and returns every instance. An operation that ends other than
/// SUCCEEDED with no instance to show for it is an error with its reason.
pub async fn apply(
    aws: &Aws,
    spec: &StackSetSpec,
    change: SetChange,
    waiting: Waiting,
    progress: &UnboundedSender<Progress>,
) -> Result<Vec<Instance>, AwsError> {
    let cf = aws.cloudformation(&spec.region);
    let parameters: Vec<Parameter> = spec
        .parameters
        .iter()
        .map(|(k, v)| {
            Parameter::builder()
                .parameter_key(k)
                .parameter_value(v)
                .build()
        })
        .collect();
    let tags: Vec<Tag> = spec
        .tags
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .chain(std::iter::once((OWNER_TAG, spec.name.as_str())))
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect();
    let note = |text: String| {
        let _ = progress.send(Progress::Note {
            region: spec.region.clone(),
            stack: spec.name.clone(),
            text,
        });
    };
    let set = spec.set_ref();
    let mut outcome = Operation::default();
    match change {
        SetChange::Create => {
            cf.create_stack_set()
                .stack_set_name(&spec.name)
                .description("awsmon org-mode spoke (see its template)")
                .template_body(spec.template.body)
                .set_parameters(Some(parameters))
                .set_tags(Some(tags))
                .capabilities(Capability::CapabilityNamedIam)
                .permission_model(PermissionModels::ServiceManaged)
                .auto_deployment(
                    AutoDeployment::builder()
                        .enabled(true)
                        .retain_stacks_on_account_removal(false)
                        .build(),
                )
                .managed_execution(ManagedExecution::builder().active(true).build())
                .call_as(call_as(spec.as_delegated_admin))
                .send()
                .await
                .map_err(|e| AwsError::classify("cloudformation:CreateStackSet", &e))?;
            note("StackSet created (service-managed, auto-deploys to new accounts)".into());
        }
        SetChange::Update => {
            let op = cf
                .update_stack_set()
                .stack_set_name(&spec.name)
                .template_body(spec.template.body)
                .set_parameters(Some(parameters))
                .set_tags(Some(tags))
                .capabilities(Capability::CapabilityNamedIam)
                .operation_preferences(prefs(spec.prefs, None))
                .call_as(call_as(spec.as_delegated_admin))
                .send()
                .await
                .map_err(|e| AwsError::classify("cloudformation:UpdateStackSet", &e))?;
            note("StackSet updated: every instance gets the new template".into());
            outcome = wait(aws, &set, op.operation_id(), waiting, &note, progress).await?;
        }
        SetChange::Keep => {}
    }
    if outcome.succeeded() {
        // Instances that exist already are left as they are by this call.
        let op = cf
            .create_stack_instances()
            .stack_set_name(&spec.name)
            .deployment_targets(targets(&spec.ous, &[], &spec.exclude))
            .set_regions(Some(spec.regions.clone()))
            .operation_preferences(prefs(spec.prefs, Some(&spec.regions)))
            .call_as(call_as(spec.as_delegated_admin))
            .send()
            .await
            .map_err(|e| AwsError::classify("cloudformation:CreateStackInstances", &e))?;
        outcome = wait(aws, &set, op.operation_id(), waiting, &note, progress).await?;
    }
    let all = report(aws, &set, progress).await?;
    outcome.judge(&all)?;
    Ok(all)
}

/// Re-runs only `failed` instances: one operation per region, each through the OUs those
/// instances were deployed through, naming exactly their accounts.
pub async fn retry(
    aws: &Aws,
    spec: &StackSetSpec,
    failed: &[Instance],
    waiting: Waiting,
    progress: &UnboundedSender<Progress>,
) -> Result<Vec<Instance>, AwsError> {
    let set = spec.set_ref();
    let note = |text: String| {
        let _ = progress.send(Progress::Note {
            region: spec.region.clone(),
            stack: spec.name.clone(),
            text,
        });
    };
    let mut regions: Vec<&str> = Vec::new();
    for i in failed {
        if !regions.contains(&i.region.as_str()) {
            regions.push(&i.region);
        }
    }
    let mut outcome = Operation::default();
    for region in regions {
        let here: Vec<&Instance> = failed.iter().filter(|i| i.region == region).collect();
        let mut accounts: Vec<String> = here.iter().map(|i| i.account.clone()).collect();
        accounts.dedup();
        let mut ous: Vec<String> = here.iter().filter_map(|i| i.ou.clone()).collect();
        ous.sort();
        ous.dedup();
        if ous.is_empty() {
            ous.clone_from(&spec.ous);
        }
        let only = [region.to_string()];
        let op = aws
            .cloudformation(&spec.region)
            .update_stack_instances()
            .stack_set_name(&spec.name)
            .deployment_targets(targets(&ous, &accounts, &[]))
            .set_regions(Some(only.to_vec()))
            .operation_preferences(prefs(spec.prefs, Some(&only)))
            .call_as(call_as(spec.as_delegated_admin))
            .send()
            .await
            .map_err(|e| AwsError::classify("cloudformation:UpdateStackInstances", &e))?;
        let done = wait(aws, &set, op.operation_id(), waiting, &note, progress).await?;
        if !done.succeeded() {
            outcome = done;
        }
    }
    let all = report(aws, &set, progress).await?;
    outcome.judge(&all)?;
    Ok(all)
}

/// Deletes the instances of `ous` in `regions` (only `accounts` of them when named): the
/// spokes in member accounts, rules and roles, no data. Then, with `delete_set`, the
/// StackSet. A deletion that does not succeed stops there, with its reason.
pub async fn delete(
    aws: &Aws,
    set: &StackSetRef,
    targets_of: (&[String], &[String], &[String]),
    regions: &[String],
    delete_set: bool,
    waiting: Waiting,
    progress: &UnboundedSender<Progress>,
) -> Result<String, AwsError> {
    let (ous, accounts, retain) = targets_of;
    let cf = aws.cloudformation(&set.region);
    let note = |text: String| {
        let _ = progress.send(Progress::Note {
            region: set.region.clone(),
            stack: set.name.clone(),
            text,
        });
    };
    if !ous.is_empty() && !regions.is_empty() {
        let op = cf
            .delete_stack_instances()
            .stack_set_name(&set.name)
            .deployment_targets(targets(ous, accounts, &[]))
            .set_regions(Some(regions.to_vec()))
            .retain_stacks(false)
            .operation_preferences(prefs(set.prefs, Some(regions)))
            .call_as(call_as(set.as_delegated_admin))
            .send()
            .await
            .map_err(|e| AwsError::classify("cloudformation:DeleteStackInstances", &e))?;
        let done = wait(aws, set, op.operation_id(), waiting, &note, progress).await?;
        done.judge(&[])?;
    }
    if !delete_set {
        return Ok(format!("instances in {} deleted", regions.join(", ")));
    }
    // What the deletion skipped (suspended accounts) or cannot reach (INOPERABLE) leaves the
    // StackSet only with its stacks kept.
    if !retain.is_empty() && !ous.is_empty() && !regions.is_empty() {
        let op = cf
            .delete_stack_instances()
            .stack_set_name(&set.name)
            .deployment_targets(targets(ous, retain, &[]))
            .set_regions(Some(regions.to_vec()))
            .retain_stacks(true)
            .operation_preferences(prefs(set.prefs, Some(regions)))
            .call_as(call_as(set.as_delegated_admin))
            .send()
            .await
            .map_err(|e| AwsError::classify("cloudformation:DeleteStackInstances", &e))?;
        let done = wait(aws, set, op.operation_id(), waiting, &note, progress).await?;
        done.judge(&[])?;
    }
    cf.delete_stack_set()
        .stack_set_name(&set.name)
        .call_as(call_as(set.as_delegated_admin))
        .send()
        .await
        .map_err(|e| AwsError::classify("cloudformation:DeleteStackSet", &e))?;
    Ok("deleted, with its instances".to_string())
}

/// Every instance, each one a progress line.
async fn report(
    aws: &Aws,
    set: &StackSetRef,
    progress: &UnboundedSender<Progress>,
) -> Result<Vec<Instance>, AwsError> {
    let all = instances(aws, set).await?;
    for i in &all {
        let _ = progress.send(Progress::Resource {
            region: i.region.clone(),
            stack: set.name.clone(),
            resource: format!("instance {}", i.account),
            status: i.detailed.clone().unwrap_or_else(|| i.status.clone()),
            reason: i.reason.clone(),
        });
    }
    Ok(all)
}

/// How an operation ended: its status and StatusReason (none ran: succeeded).
#[derive(Debug, Clone, Default)]
struct Operation {
    status: Option<String>,
    reason: Option<String>,
}

impl Operation {
    fn succeeded(&self) -> bool {
        self.status.as_deref().is_none_or(|s| s == "SUCCEEDED")
    }

    /// An operation that did not succeed is an error unless failed instances explain it
    /// (they fail the step by name, and a deploy again retries them).
    fn judge(&self, instances: &[Instance]) -> Result<(), AwsError> {
        if self.succeeded() || instances.iter().any(Instance::failed) {
            return Ok(());
        }
        Err(AwsError::other(
            "cloudformation:DescribeStackSetOperation",
            format!(
                "the operation ended {}{}",
                self.status.as_deref().unwrap_or_default(),
                self.reason
                    .as_deref()
                    .map(|r| format!(": {r}"))
                    .unwrap_or_default()
            ),
        ))
    }
}

/// Until the operation ends, reporting each change of its status and, as they happen, each
/// instance that failed with its reason: a person can act on a failure while the rest of a
/// long operation runs. Successes come with the final report (listing them on every poll
/// would cost a page per hundred instances).
async fn wait(
    aws: &Aws,
    set: &StackSetRef,
    operation: Option<&str>,
    waiting: Waiting,
    note: &impl Fn(String),
    progress: &UnboundedSender<Progress>,
) -> Result<Operation, AwsError> {
    let Some(id) = operation else {
        return Ok(Operation::default());
    };
    let started = Instant::now();
    let mut last = String::new();
    let mut failed_seen: HashSet<(String, String)> = HashSet::new();
    loop {
        let out = aws
            .cloudformation(&set.region)
            .describe_stack_set_operation()
            .stack_set_name(&set.name)
            .operation_id(id)
            .call_as(call_as(set.as_delegated_admin))
            .send()
            .await
            .map_err(|e| AwsError::classify("cloudformation:DescribeStackSetOperation", &e))?;
        let op = out.stack_set_operation();
        let status = op
            .and_then(|o| o.status())
            .map(|s| s.as_str().to_string())
            .unwrap_or_default();
        for (account, region, reason) in operation_failures(aws, set, id).await {
            if failed_seen.insert((account.clone(), region.clone())) {
                let _ = progress.send(Progress::Resource {
                    region,
                    stack: set.name.clone(),
                    resource: format!("instance {account}"),
                    status: "FAILED".into(),
                    reason,
                });
            }
        }
        if status != last {
            note(format!("operation {id}: {status}"));
            last.clone_from(&status);
        }
        if matches!(status.as_str(), "SUCCEEDED" | "FAILED" | "STOPPED") {
            return Ok(Operation {
                status: Some(status),
                reason: op.and_then(|o| o.status_reason()).map(str::to_string),
            });
        }
        if started.elapsed() > waiting.timeout {
            return Err(AwsError::other(
                "cloudformation:DescribeStackSetOperation",
                format!(
                    "still {status} after {} s; StackSets carries on",
                    waiting.timeout.as_secs()
                ),
            ));
        }
        tokio::time::sleep(waiting.poll).await;
    }
}

/// The operation's failed instances so far: (account, region, reason). Progress only: a
/// listing that fails reports nothing, and the final report still has every instance.
async fn operation_failures(
    aws: &Aws,
    set: &StackSetRef,
    id: &str,
) -> Vec<(String, String, Option<String>)> {
    // At most this many pages a poll: the failures beyond come with the final report.
    const PAGES: usize = 5;
    let filter = OperationResultFilter::builder()
        .name(OperationResultFilterName::OperationResultStatus)
        .values("FAILED")
        .build();
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..PAGES {
        let page = aws
            .cloudformation(&set.region)
            .list_stack_set_operation_results()
            .stack_set_name(&set.name)
            .operation_id(id)
            .filters(filter.clone())
            .set_next_token(token.take())
            .call_as(call_as(set.as_delegated_admin))
            .send()
            .await;
        let Ok(page) = page else {
            tracing::debug!(
                "cloudformation:ListStackSetOperationResults failed; failures come with the final report"
            );
            break;
        };
        out.extend(
            page.summaries()
                .iter()
                .filter(|r| r.status().is_some_and(|s| s.as_str() == "FAILED"))
                .map(|r| {
                    (
                        r.account().unwrap_or_default().to_string(),
                        r.region().unwrap_or_default().to_string(),
                        r.status_reason().map(str::to_string),
                    )
                }),
        );
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    out
}
