//! Org mode's member-account spokes as one CloudFormation StackSet with SERVICE_MANAGED
//! permissions and auto-deployment: created or updated from the delegated administrator (or
//! the management account), its instances put on the chosen OUs × regions with the operation
//! preferences from config.yml, waited for, and read back instance by instance (account,
//! region, status, and why a failed one failed). A retry re-runs only the failed instances.
//! New accounts in the OUs get the spoke from StackSets itself, without awsmon.

use std::time::Instant;

use aws_sdk_cloudformation::types::{
    AccountFilterType, AutoDeployment, CallAs, Capability, DeploymentTargets, ManagedExecution,
    Parameter, PermissionModels, RegionConcurrencyType, StackSetOperationPreferences, Tag,
};
use tokio::sync::mpsc::UnboundedSender;

use super::stack_ops::{Progress, Waiting};
use super::templates::Template;
use crate::aws::{Aws, AwsError};

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
    /// Accounts left out (EXCLUDE_ACCOUNTS).
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

/// One stack instance as StackSets reports it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Instance {
    pub account: String,
    pub region: String,
    /// CURRENT, OUTDATED or INOPERABLE.
    pub status: String,
    /// SUCCEEDED, FAILED, CANCELLED, PENDING, RUNNING… where reported.
    pub detailed: Option<String>,
    pub reason: Option<String>,
    /// The OU it was deployed through (service-managed).
    pub ou: Option<String>,
}

impl Instance {
    /// Failed, or left behind by a failed operation: what a retry re-runs.
    pub fn failed(&self) -> bool {
        self.detailed.as_deref() == Some("FAILED")
            || matches!(self.status.as_str(), "OUTDATED" | "INOPERABLE")
                && self.detailed.as_deref() != Some("RUNNING")
                && self.detailed.as_deref() != Some("PENDING")
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

fn call_as(spec: &StackSetSpec) -> CallAs {
    call_as_admin(spec.as_delegated_admin)
}

fn call_as_admin(as_delegated_admin: bool) -> CallAs {
    if as_delegated_admin {
        CallAs::DelegatedAdmin
    } else {
        CallAs::SelfValue
    }
}

/// Which StackSet, administered how: enough to read or delete it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackSetRef {
    pub region: String,
    pub name: String,
    pub as_delegated_admin: bool,
}

/// Deletes every instance (the spokes in member accounts: rules and roles, no data) through
/// the OUs they were deployed to, then the StackSet.
pub async fn delete(
    aws: &Aws,
    set: &StackSetRef,
    ous: &[String],
    regions: &[String],
    delete_set: bool,
    waiting: Waiting,
    progress: &UnboundedSender<Progress>,
) -> Result<String, AwsError> {
    let cf = aws.cloudformation(&set.region);
    let spec_like = StackSetSpec {
        region: set.region.clone(),
        name: set.name.clone(),
        template: super::templates::ORG_CONFIG,
        parameters: Vec::new(),
        tags: Vec::new(),
        ous: ous.to_vec(),
        exclude: Vec::new(),
        regions: regions.to_vec(),
        prefs: Preferences {
            max_concurrent_percent: 100,
            failure_tolerance_percent: 0,
        },
        as_delegated_admin: set.as_delegated_admin,
    };
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
            .deployment_targets(
                DeploymentTargets::builder()
                    .set_organizational_unit_ids(Some(ous.to_vec()))
                    .build(),
            )
            .set_regions(Some(regions.to_vec()))
            .retain_stacks(false)
            .call_as(call_as_admin(set.as_delegated_admin))
            .send()
            .await
            .map_err(|e| AwsError::classify("cloudformation:DeleteStackInstances", &e))?;
        wait(aws, &spec_like, op.operation_id(), waiting, &note).await?;
    }
    if !delete_set {
        return Ok(format!("instances in {} deleted", regions.join(", ")));
    }
    cf.delete_stack_set()
        .stack_set_name(&set.name)
        .call_as(call_as_admin(set.as_delegated_admin))
        .send()
        .await
        .map_err(|e| AwsError::classify("cloudformation:DeleteStackSet", &e))?;
    Ok("deleted, with its instances".to_string())
}

/// The operation preferences; `regions` in their order (an update of the whole StackSet
/// reaches regions beyond those asked, so it names none).
fn prefs_for(spec: &StackSetSpec, regions: Option<&[String]>) -> StackSetOperationPreferences {
    StackSetOperationPreferences::builder()
        .region_concurrency_type(RegionConcurrencyType::Sequential)
        .set_region_order(regions.map(<[String]>::to_vec))
        .max_concurrent_percentage(i32::from(spec.prefs.max_concurrent_percent))
        .failure_tolerance_percentage(i32::from(spec.prefs.failure_tolerance_percent))
        .build()
}

fn prefs(spec: &StackSetSpec) -> StackSetOperationPreferences {
    prefs_for(spec, Some(&spec.regions))
}

fn targets(spec: &StackSetSpec, only: &[String]) -> DeploymentTargets {
    let b = DeploymentTargets::builder().set_organizational_unit_ids(Some(spec.ous.clone()));
    if !only.is_empty() {
        b.set_accounts(Some(only.to_vec()))
            .account_filter_type(AccountFilterType::Intersection)
            .build()
    } else if !spec.exclude.is_empty() {
        b.set_accounts(Some(spec.exclude.clone()))
            .account_filter_type(AccountFilterType::Difference)
            .build()
    } else {
        b.build()
    }
}

/// Whether the StackSet exists.
pub async fn exists(aws: &Aws, set: &StackSetRef) -> Result<bool, AwsError> {
    match aws
        .cloudformation(&set.region)
        .describe_stack_set()
        .stack_set_name(&set.name)
        .call_as(call_as_admin(set.as_delegated_admin))
        .send()
        .await
    {
        Ok(_) => Ok(true),
        Err(e)
            if e.as_service_error().is_some_and(
                aws_sdk_cloudformation::operation::describe_stack_set::DescribeStackSetError::is_stack_set_not_found_exception,
            ) =>
        {
            Ok(false)
        }
        Err(e) => Err(AwsError::classify("cloudformation:DescribeStackSet", &e)),
    }
}

impl StackSetSpec {
    pub fn set_ref(&self) -> StackSetRef {
        StackSetRef {
            region: self.region.clone(),
            name: self.name.clone(),
            as_delegated_admin: self.as_delegated_admin,
        }
    }
}

/// Every instance, every page.
pub async fn instances(aws: &Aws, set: &StackSetRef) -> Result<Vec<Instance>, AwsError> {
    let mut out = Vec::new();
    let mut pages = aws
        .cloudformation(&set.region)
        .list_stack_instances()
        .stack_set_name(&set.name)
        .call_as(call_as_admin(set.as_delegated_admin))
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

/// Creates or updates the StackSet, puts its instances on the OUs × regions, waits for the
/// operations and returns every instance.
pub async fn apply(
    aws: &Aws,
    spec: &StackSetSpec,
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
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect();
    let note = |text: String| {
        let _ = progress.send(Progress::Note {
            region: spec.region.clone(),
            stack: spec.name.clone(),
            text,
        });
    };
    if exists(aws, &spec.set_ref()).await? {
        // The template and parameters reach every existing instance.
        let op = cf
            .update_stack_set()
            .stack_set_name(&spec.name)
            .template_body(spec.template.body)
            .set_parameters(Some(parameters))
            .set_tags(Some(tags))
            .capabilities(Capability::CapabilityNamedIam)
            .operation_preferences(prefs_for(spec, None))
            .call_as(call_as(spec))
            .send()
            .await
            .map_err(|e| AwsError::classify("cloudformation:UpdateStackSet", &e))?;
        note("StackSet updated".into());
        wait(aws, spec, op.operation_id(), waiting, &note).await?;
    } else {
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
            .call_as(call_as(spec))
            .send()
            .await
            .map_err(|e| AwsError::classify("cloudformation:CreateStackSet", &e))?;
        note("StackSet created (service-managed, auto-deploys to new accounts)".into());
    }
    // Instances that exist already are left as they are by this call.
    let op = cf
        .create_stack_instances()
        .stack_set_name(&spec.name)
        .deployment_targets(targets(spec, &[]))
        .set_regions(Some(spec.regions.clone()))
        .operation_preferences(prefs(spec))
        .call_as(call_as(spec))
        .send()
        .await
        .map_err(|e| AwsError::classify("cloudformation:CreateStackInstances", &e))?;
    wait(aws, spec, op.operation_id(), waiting, &note).await?;
    report(aws, spec, progress).await
}

/// Re-runs only `failed` (account, region) instances.
pub async fn retry(
    aws: &Aws,
    spec: &StackSetSpec,
    failed: &[(String, String)],
    waiting: Waiting,
    progress: &UnboundedSender<Progress>,
) -> Result<Vec<Instance>, AwsError> {
    let mut accounts: Vec<String> = failed.iter().map(|(a, _)| a.clone()).collect();
    accounts.sort();
    accounts.dedup();
    // The failed instances' regions, in REGIONS order where it names them.
    let mut regions: Vec<String> = Vec::new();
    for (_, r) in failed {
        if !regions.contains(r) {
            regions.push(r.clone());
        }
    }
    regions.sort_by_key(|r| {
        spec.regions
            .iter()
            .position(|x| x == r)
            .unwrap_or(usize::MAX)
    });
    let op = aws
        .cloudformation(&spec.region)
        .update_stack_instances()
        .stack_set_name(&spec.name)
        .deployment_targets(targets(spec, &accounts))
        .set_regions(Some(regions.clone()))
        .operation_preferences(prefs_for(spec, Some(&regions)))
        .call_as(call_as(spec))
        .send()
        .await
        .map_err(|e| AwsError::classify("cloudformation:UpdateStackInstances", &e))?;
    let note = |text: String| {
        let _ = progress.send(Progress::Note {
            region: spec.region.clone(),
            stack: spec.name.clone(),
            text,
        });
    };
    wait(aws, spec, op.operation_id(), waiting, &note).await?;
    report(aws, spec, progress).await
}

/// Every instance, each one a progress line.
async fn report(
    aws: &Aws,
    spec: &StackSetSpec,
    progress: &UnboundedSender<Progress>,
) -> Result<Vec<Instance>, AwsError> {
    let all = instances(aws, &spec.set_ref()).await?;
    for i in &all {
        let _ = progress.send(Progress::Resource {
            region: i.region.clone(),
            stack: spec.name.clone(),
            resource: format!("instance {}", i.account),
            status: i.detailed.clone().unwrap_or_else(|| i.status.clone()),
            reason: i.reason.clone(),
        });
    }
    Ok(all)
}

/// Until the operation ends; a FAILED operation is not an error here: the instances say which
/// failed and why.
async fn wait(
    aws: &Aws,
    spec: &StackSetSpec,
    operation: Option<&str>,
    waiting: Waiting,
    note: &impl Fn(String),
) -> Result<(), AwsError> {
    let Some(id) = operation else {
        return Ok(());
    };
    let started = Instant::now();
    let mut last = String::new();
    loop {
        let out = aws
            .cloudformation(&spec.region)
            .describe_stack_set_operation()
            .stack_set_name(&spec.name)
            .operation_id(id)
            .call_as(call_as(spec))
            .send()
            .await
            .map_err(|e| AwsError::classify("cloudformation:DescribeStackSetOperation", &e))?;
        let status = out
            .stack_set_operation()
            .and_then(|o| o.status())
            .map(|s| s.as_str().to_string())
            .unwrap_or_default();
        if status != last {
            note(format!("operation {id}: {status}"));
            last.clone_from(&status);
        }
        if matches!(status.as_str(), "SUCCEEDED" | "FAILED" | "STOPPED") {
            return Ok(());
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
