//! Org mode's member-account spokes: what no delegated-administrator API delivers to the hub
//! (AWS Config's configuration changes) is forwarded by a spoke in each member account,
//! deployed as one service-managed StackSet to the in-scope OUs × regions. The facts say
//! whether it exists, what it was deployed with and which instances failed; the plan creates
//! or updates it, or retries only the failed instances.

use std::collections::HashMap;

use awsmon_notifier::Service;

use super::Organization;
use crate::aws::{Aws, AwsError};
use crate::config::Config;
use crate::deploy::plan::{Plan, StackAction, Step};
use crate::deploy::stackset_ops::{self, Instance, Preferences, StackSetRef, StackSetSpec};
use crate::deploy::templates;
use crate::naming;

/// The services whose events member accounts forward through a StackSet spoke.
pub const SPOKE_SERVICES: [Service; 1] = [Service::Config];

/// What the plan needs: the spec it would deploy (or why it cannot), and what exists.
#[derive(Debug, Clone)]
pub struct SpokeFacts {
    /// The StackSet by name, whatever the spec.
    pub set: StackSetRef,
    pub spec: Result<StackSetSpec, String>,
    pub exists: bool,
    /// The deployed template body and parameters, to plan nothing when they are the same.
    pub deployed: Option<(String, HashMap<String, String>)>,
    pub instances: Vec<Instance>,
    /// Why the StackSet could not be read, if it could not.
    pub error: Option<String>,
}

/// The StackSet awsmon would deploy for `cfg` in `regions`, or why it cannot: StackSets
/// target OUs (or the root), so ACCOUNTS may name OUs only, and EXCLUDE_ACCOUNTS accounts
/// only.
pub fn spec(
    cfg: &Config,
    org: &Organization,
    caller: &str,
    regions: &[String],
) -> Result<StackSetSpec, String> {
    let accounts: Vec<&String> = cfg
        .org
        .accounts
        .iter()
        .filter(|t| !t.starts_with("ou-") && !t.starts_with("r-"))
        .collect();
    if !accounts.is_empty() {
        return Err(format!(
            "StackSets deploy to OUs: ACCOUNTS names accounts ({}); name their OUs instead (and leave accounts out with EXCLUDE_ACCOUNTS)",
            accounts
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let excluded_ous: Vec<&String> = cfg
        .org
        .exclude
        .iter()
        .filter(|t| t.starts_with("ou-") || t.starts_with("r-"))
        .collect();
    if !excluded_ous.is_empty() {
        return Err(format!(
            "StackSets cannot leave an OU out: EXCLUDE_ACCOUNTS names {}; list the OUs to cover in ACCOUNTS instead",
            excluded_ous
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let ous = if cfg.org.accounts.is_empty() {
        let root = org
            .accounts
            .iter()
            .find_map(|a| a.parents.first().cloned())
            .ok_or("the Organization's root could not be read")?;
        vec![root]
    } else {
        cfg.org.accounts.clone()
    };
    let home = cfg.home_region();
    let hub_bus = format!(
        "arn:{}:events:{home}:{caller}:event-bus/default",
        crate::regions::partition(home).unwrap_or("aws")
    );
    Ok(StackSetSpec {
        region: home.to_string(),
        name: naming::org_spoke_stackset(cfg, Service::Config),
        template: templates::ORG_CONFIG,
        parameters: vec![
            ("Prefix".to_string(), cfg.prefix_service_name.clone()),
            ("HubEventBusArn".to_string(), hub_bus),
        ],
        tags: cfg.stack_tags.clone(),
        ous,
        exclude: cfg.org.exclude.clone(),
        regions: regions.to_vec(),
        prefs: Preferences {
            max_concurrent_percent: cfg.org.max_concurrent_percent,
            failure_tolerance_percent: cfg.org.failure_tolerance_percent,
        },
        as_delegated_admin: caller != org.management_account,
    })
}

/// Which StackSet is awsmon's, administered how.
pub fn set_ref(cfg: &Config, org: &Organization, caller: &str) -> StackSetRef {
    StackSetRef {
        region: cfg.home_region().to_string(),
        name: naming::org_spoke_stackset(cfg, Service::Config),
        as_delegated_admin: caller != org.management_account,
    }
}

/// Reads awsmon's StackSet: whether it exists, what it was deployed with, its instances.
pub async fn gather(
    aws: &Aws,
    cfg: &Config,
    org: &Organization,
    caller: &str,
    regions: &[String],
) -> SpokeFacts {
    let set = set_ref(cfg, org, caller);
    let mut facts = SpokeFacts {
        set: set.clone(),
        spec: spec(cfg, org, caller, regions),
        exists: false,
        deployed: None,
        instances: Vec::new(),
        error: None,
    };
    let read = async {
        let described = aws
            .cloudformation(&set.region)
            .describe_stack_set()
            .stack_set_name(&set.name)
            .call_as(if set.as_delegated_admin {
                aws_sdk_cloudformation::types::CallAs::DelegatedAdmin
            } else {
                aws_sdk_cloudformation::types::CallAs::SelfValue
            })
            .send()
            .await;
        let found = match described {
            Ok(out) => out.stack_set,
            Err(e)
                if e.as_service_error().is_some_and(
                    aws_sdk_cloudformation::operation::describe_stack_set::DescribeStackSetError::is_stack_set_not_found_exception,
                ) =>
            {
                None
            }
            Err(e) => return Err(AwsError::classify("cloudformation:DescribeStackSet", &e)),
        };
        // A deleted StackSet is still described (status DELETED) for a while.
        let Some(found) = found.filter(|s| {
            s.status()
                .map(aws_sdk_cloudformation::types::StackSetStatus::as_str)
                != Some("DELETED")
        }) else {
            return Ok((false, None, Vec::new()));
        };
        let params = found
            .parameters()
            .iter()
            .map(|p| {
                (
                    p.parameter_key().unwrap_or_default().to_string(),
                    p.parameter_value().unwrap_or_default().to_string(),
                )
            })
            .collect();
        let deployed = found.template_body().map(|t| (t.to_string(), params));
        let instances = stackset_ops::instances(aws, &set).await?;
        Ok((true, deployed, instances))
    };
    match read.await {
        Ok((exists, deployed, instances)) => {
            facts.exists = exists;
            facts.deployed = deployed;
            facts.instances = instances;
        }
        Err(e) => facts.error = Some(e.to_string()),
    }
    facts
}

/// Destroying: the StackSet and its instances go (rules and roles in member accounts, no
/// data), through the OUs and regions they were deployed to.
pub fn destroy_steps(facts: &SpokeFacts, asked: &[String], p: &mut Plan) {
    if let Some(why) = &facts.error {
        p.blockers.push(format!(
            "the StackSet {} cannot be read ({why}), so its spokes in member accounts cannot be removed",
            facts.set.name
        ));
        return;
    }
    if !facts.exists {
        return;
    }
    let mut ous: Vec<String> = facts
        .instances
        .iter()
        .filter_map(|i| i.ou.clone())
        .collect();
    ous.sort();
    ous.dedup();
    if ous.is_empty()
        && let Ok(spec) = &facts.spec
    {
        ous.clone_from(&spec.ous);
    }
    let mut regions: Vec<String> = Vec::new();
    for i in &facts.instances {
        if !regions.contains(&i.region) {
            regions.push(i.region.clone());
        }
    }
    // Turning the service off in some regions removes those regions' instances; the StackSet
    // goes only with its last region.
    let delete_set = regions.iter().all(|r| asked.contains(r));
    regions.retain(|r| asked.contains(r));
    if regions.is_empty() && !delete_set {
        return;
    }
    let instances = facts
        .instances
        .iter()
        .filter(|i| regions.contains(&i.region))
        .count();
    // In REGIONS order where it names them.
    if let Ok(spec) = &facts.spec {
        regions.sort_by_key(|r| {
            spec.regions
                .iter()
                .position(|x| x == r)
                .unwrap_or(usize::MAX)
        });
    }
    p.steps.push(Step::DeleteStackSet {
        set: facts.set.clone(),
        ous,
        regions,
        instances,
        delete_set,
    });
}

/// The StackSet step (create, or update when what it was deployed with differs) and a retry
/// of the failed instances; blockers where the spec cannot be made or the StackSet read.
pub fn plan_steps(facts: &SpokeFacts, p: &mut Plan) {
    let spec = match &facts.spec {
        Ok(spec) => spec,
        Err(why) => {
            p.blockers.push(why.clone());
            return;
        }
    };
    if let Some(why) = &facts.error {
        p.blockers.push(format!(
            "the StackSet {} cannot be read ({why}): StackSets with service-managed permissions need trusted access for CloudFormation StackSets in the Organization, and awsmon to run as the management account or a registered StackSets delegated administrator",
            spec.name
        ));
        return;
    }
    let same = facts.deployed.as_ref().is_some_and(|(body, params)| {
        body == spec.template.body
            && spec
                .parameters
                .iter()
                .all(|(k, v)| params.get(k) == Some(v))
    });
    let missing: Vec<&str> = spec
        .regions
        .iter()
        .filter(|r| !facts.instances.iter().any(|i| &i.region == *r))
        .map(String::as_str)
        .collect();
    if !facts.exists || !same || !missing.is_empty() {
        p.steps.push(Step::StackSet {
            spec: spec.clone(),
            action: if facts.exists {
                StackAction::Update
            } else {
                StackAction::Create
            },
            reason: if facts.exists && same {
                format!("add {}", missing.join(", "))
            } else if facts.exists {
                "its template or parameters changed".to_string()
            } else {
                "forwards AWS Config changes from member accounts to the hub".to_string()
            },
        });
    }
    let failed: Vec<Instance> = facts
        .instances
        .iter()
        .filter(|i| i.failed())
        .cloned()
        .collect();
    if !failed.is_empty() {
        p.steps.push(Step::RetryStackInstances {
            spec: spec.clone(),
            failed,
        });
    }
    if spec.as_delegated_admin {
        p.notes.push(format!(
            "the StackSet {} is administered as the Organization's StackSets delegated administrator (this account); the management account itself gets no instance",
            spec.name
        ));
    } else {
        p.notes.push(format!(
            "service-managed StackSets never deploy to the management account: {} does not forward its Config changes",
            spec.name
        ));
    }
}
