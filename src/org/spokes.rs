//! Org mode's member-account spokes: what no delegated-administrator API delivers to the hub
//! (AWS Config's configuration changes) is forwarded by a spoke in each member account,
//! deployed as one service-managed StackSet to the in-scope OUs × regions. The facts say
//! whether it exists and is awsmon's, what it was deployed with, which instances exist and
//! which failed, and which (account, region) pairs the scope wants; the plan creates,
//! updates or extends it, removes instances the scope no longer wants, and retries only the
//! failed instances. It converges: a second deploy plans nothing.

use std::collections::HashMap;

use awsmon_notifier::Service;

use super::{AccountStatus, Organization};
use crate::aws::{Aws, AwsError};
use crate::config::Config;
use crate::deploy::plan::{Plan, Step};
use crate::deploy::stackset_ops::{
    self, Instance, OWNER_TAG, Preferences, SetChange, StackSetRef, StackSetSpec,
};
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
    /// It carries awsmon's tag (one that does not is never touched).
    pub owned: bool,
    /// The deployed template body and parameters, to plan nothing when they are the same.
    pub deployed: Option<(String, HashMap<String, String>)>,
    pub instances: Vec<Instance>,
    /// The (account, region) pairs the scope wants an instance in: active accounts below the
    /// target OUs, less EXCLUDE_ACCOUNTS, the management account and awsmon's own.
    pub wanted: Vec<(String, String)>,
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
    let is_ou = |t: &&String| t.starts_with("ou-") || t.starts_with("r-");
    let accounts: Vec<&str> = cfg
        .org
        .accounts
        .iter()
        .filter(|t| !is_ou(t))
        .map(String::as_str)
        .collect();
    if !accounts.is_empty() {
        return Err(format!(
            "StackSets deploy to OUs: ACCOUNTS names accounts ({}); name their OUs instead (and leave accounts out with EXCLUDE_ACCOUNTS)",
            accounts.join(", ")
        ));
    }
    let excluded_ous: Vec<&str> = cfg
        .org
        .exclude
        .iter()
        .filter(is_ou)
        .map(String::as_str)
        .collect();
    if !excluded_ous.is_empty() {
        return Err(format!(
            "StackSets cannot leave an OU out: EXCLUDE_ACCOUNTS names {}; list the OUs to cover in ACCOUNTS instead",
            excluded_ous.join(", ")
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
    // awsmon's own account has its own spokes (and the hub's bus in its home region).
    let mut exclude = cfg.org.exclude.clone();
    if caller != org.management_account && !exclude.iter().any(|e| e == caller) {
        exclude.push(caller.to_string());
    }
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
        exclude,
        regions: regions.to_vec(),
        prefs: prefs(cfg),
        as_delegated_admin: caller != org.management_account,
    })
}

fn prefs(cfg: &Config) -> Preferences {
    Preferences {
        max_concurrent_percent: cfg.org.max_concurrent_percent,
        failure_tolerance_percent: cfg.org.failure_tolerance_percent,
    }
}

/// Which StackSet is awsmon's, administered how.
pub fn set_ref(cfg: &Config, org: &Organization, caller: &str) -> StackSetRef {
    StackSetRef {
        region: cfg.home_region().to_string(),
        name: naming::org_spoke_stackset(cfg, Service::Config),
        as_delegated_admin: caller != org.management_account,
        prefs: prefs(cfg),
    }
}

/// The (account, region) pairs `spec` should have instances in.
fn wanted(org: &Organization, spec: &StackSetSpec) -> Vec<(String, String)> {
    let accounts: Vec<&str> = org
        .accounts
        .iter()
        .filter(|a| a.status == AccountStatus::Active)
        .filter(|a| a.id != org.management_account)
        .filter(|a| !spec.exclude.contains(&a.id))
        .filter(|a| spec.ous.iter().any(|ou| a.parents.contains(ou)))
        .map(|a| a.id.as_str())
        .collect();
    spec.regions
        .iter()
        .flat_map(|r| accounts.iter().map(move |a| ((*a).to_string(), r.clone())))
        .collect()
}

/// Reads awsmon's StackSet: whether it exists and is awsmon's, what it was deployed with,
/// its instances; and which instances the scope wants.
pub async fn gather(
    aws: &Aws,
    cfg: &Config,
    org: &Organization,
    caller: &str,
    regions: &[String],
) -> SpokeFacts {
    let set = set_ref(cfg, org, caller);
    let spec = spec(cfg, org, caller, regions);
    let mut facts = SpokeFacts {
        set: set.clone(),
        wanted: spec.as_ref().map(|s| wanted(org, s)).unwrap_or_default(),
        spec,
        exists: false,
        owned: false,
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
            return Ok(None);
        };
        let owned = found.tags().iter().any(|t| t.key() == Some(OWNER_TAG));
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
        Ok(Some((owned, deployed, instances)))
    };
    match read.await {
        Ok(Some((owned, deployed, instances))) => {
            facts.exists = true;
            facts.owned = owned;
            facts.deployed = deployed;
            facts.instances = instances;
        }
        Ok(None) => {}
        Err(e) => facts.error = Some(e.to_string()),
    }
    facts
}

/// Deploying: the StackSet created, updated (its template or parameters changed) or extended
/// (pairs the scope wants that have no instance), instances the scope no longer wants
/// removed, and the failed ones retried. Blockers where the spec cannot be made, the
/// StackSet cannot be read or is not awsmon's, or an instance is INOPERABLE.
#[allow(clippy::too_many_lines)]
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
    if facts.exists && !facts.owned {
        p.blockers.push(format!(
            "a StackSet named {} exists without awsmon's {OWNER_TAG} tag: awsmon does not take over a StackSet it did not create; rename PREFIX_SERVICE_NAME or delete it",
            spec.name
        ));
        return;
    }
    let inoperable: Vec<String> = facts
        .instances
        .iter()
        .filter(|i| i.inoperable())
        .map(Instance::line)
        .collect();
    if !inoperable.is_empty() {
        p.blockers.push(format!(
            "StackSet {} has INOPERABLE instances, which no operation reaches: {}; delete them keeping their stacks (DeleteStackInstances with RetainStacks) or fix them by hand, then deploy again",
            spec.name,
            inoperable.join("; ")
        ));
        return;
    }
    let skipped: Vec<String> = facts
        .instances
        .iter()
        .filter(|i| i.skipped())
        .filter(|i| !facts.wanted.iter().any(|(a, _)| *a == i.account))
        .map(|i| format!("{} {}", i.account, i.region))
        .collect();
    if !skipped.is_empty() {
        p.notes.push(format!(
            "StackSet {} skipped suspended accounts: {}",
            spec.name,
            crate::org::enable::some_names(&skipped)
        ));
    }
    let has = |account: &str, region: &str| {
        facts
            .instances
            .iter()
            .any(|i| i.account == account && i.region == region)
    };
    let missing = facts.wanted.iter().filter(|(a, r)| !has(a, r)).count();
    let same = facts.deployed.as_ref().is_some_and(|(body, params)| {
        body == spec.template.body
            && spec
                .parameters
                .iter()
                .all(|(k, v)| params.get(k) == Some(v))
    });
    let change = match (facts.exists, same) {
        (false, _) => Some(SetChange::Create),
        (true, false) => Some(SetChange::Update),
        (true, true) if missing > 0 => Some(SetChange::Keep),
        (true, true) => None,
    };
    match change {
        Some(SetChange::Create) if facts.wanted.is_empty() => p.notes.push(format!(
            "StackSet {}: no member account in scope to deploy to",
            spec.name
        )),
        Some(change) => p.steps.push(Step::StackSet {
            spec: spec.clone(),
            change,
            reason: match change {
                SetChange::Create => {
                    "forwards AWS Config changes from member accounts to the hub".to_string()
                }
                SetChange::Update => {
                    "its template or parameters changed; every instance is updated".to_string()
                }
                SetChange::Keep => format!(
                    "{} the scope wants have no instance yet",
                    crate::text::count(missing, "account-region", "account-regions")
                ),
            },
        }),
        None => {}
    }
    // Instances the scope no longer wants, in the regions asked (left out since, or in an
    // OU no longer listed).
    let extra: Vec<&Instance> = facts
        .instances
        .iter()
        .filter(|i| spec.regions.contains(&i.region) && !i.skipped())
        .filter(|i| {
            !facts
                .wanted
                .iter()
                .any(|(a, r)| *a == i.account && *r == i.region)
        })
        .collect();
    if !extra.is_empty() {
        let mut accounts: Vec<String> = extra.iter().map(|i| i.account.clone()).collect();
        accounts.sort();
        accounts.dedup();
        let mut regions: Vec<String> = extra.iter().map(|i| i.region.clone()).collect();
        regions.sort_by_key(|r| spec.regions.iter().position(|x| x == r));
        regions.dedup();
        p.steps.push(Step::DeleteStackSet {
            set: facts.set.clone(),
            ous: ous_of(&extra, &spec.ous),
            accounts,
            regions,
            instances: extra.len(),
            retain: Vec::new(),
            delete_set: false,
        });
    }
    // Failed ones, and skips of accounts active again (the scope wants them now).
    let failed: Vec<Instance> = facts
        .instances
        .iter()
        .filter(|i| i.failed() || i.skipped())
        .filter(|i| {
            facts
                .wanted
                .iter()
                .any(|(a, r)| *a == i.account && *r == i.region)
        })
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
            "the StackSet {} is administered as the Organization's StackSets delegated administrator (this account, which its own spokes cover); the management account gets no instance",
            spec.name
        ));
    } else {
        p.notes.push(format!(
            "service-managed StackSets never deploy to the management account: {} does not forward its Config changes",
            spec.name
        ));
    }
}

/// Accounts whose instances a deletion cannot remove: suspended (skipped) or INOPERABLE.
fn stuck(instances: &[&Instance]) -> Vec<String> {
    let mut out: Vec<String> = instances
        .iter()
        .filter(|i| i.skipped() || i.inoperable())
        .map(|i| i.account.clone())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The OUs `instances` were deployed through, else `fallback`.
fn ous_of(instances: &[&Instance], fallback: &[String]) -> Vec<String> {
    let mut ous: Vec<String> = instances.iter().filter_map(|i| i.ou.clone()).collect();
    // In ACCOUNTS order where it names them.
    ous.sort_by_key(|ou| (fallback.iter().position(|f| f == ou), ou.clone()));
    ous.dedup();
    if ous.is_empty() {
        fallback.to_vec()
    } else {
        ous
    }
}

/// Destroying: the instances in the regions asked go (rules and roles in member accounts, no
/// data), through the OUs they were deployed to; the StackSet goes with its last region.
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
    if !facts.owned {
        p.notes.push(format!(
            "a StackSet named {} exists without awsmon's {OWNER_TAG} tag: left alone",
            facts.set.name
        ));
        return;
    }
    let mut regions: Vec<String> = Vec::new();
    for i in &facts.instances {
        if !regions.contains(&i.region) {
            regions.push(i.region.clone());
        }
    }
    // With no instance left outside the regions asked, the StackSet goes too.
    let delete_set = regions.iter().all(|r| asked.contains(r));
    regions.retain(|r| asked.contains(r));
    if regions.is_empty() && !delete_set {
        return;
    }
    if let Ok(spec) = &facts.spec {
        regions.sort_by_key(|r| {
            spec.regions
                .iter()
                .position(|x| x == r)
                .unwrap_or(usize::MAX)
        });
    }
    let here: Vec<&Instance> = facts
        .instances
        .iter()
        .filter(|i| regions.contains(&i.region))
        .collect();
    let fallback = facts
        .spec
        .as_ref()
        .map(|s| s.ous.clone())
        .unwrap_or_default();
    p.steps.push(Step::DeleteStackSet {
        set: facts.set.clone(),
        ous: ous_of(&here, &fallback),
        accounts: Vec::new(),
        regions,
        instances: here.len(),
        // Only when the StackSet goes: it cannot while they hold on.
        retain: if delete_set { stuck(&here) } else { Vec::new() },
        delete_set,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::OrgAccount;

    fn org() -> Organization {
        let account = |id: &str, ou: &str, status| OrgAccount {
            id: id.into(),
            name: format!("n{id}"),
            status,
            ou_path: format!("Root/{ou}"),
            parents: vec!["r-ab12".into(), ou.into()],
        };
        Organization {
            id: "o-example".into(),
            management_account: "111111111111".into(),
            accounts: vec![
                OrgAccount {
                    parents: vec!["r-ab12".into()],
                    ..account("111111111111", "", AccountStatus::Active)
                },
                account("222222222222", "ou-ab12-security", AccountStatus::Active),
                account("333333333333", "ou-ab12-prod0001", AccountStatus::Active),
                account("444444444444", "ou-ab12-prod0001", AccountStatus::Active),
                account("555555555555", "ou-ab12-prod0001", AccountStatus::Suspended),
            ],
        }
    }

    /// Run as the delegated administrator: awsmon's own account is left out (its own spokes
    /// cover it) with EXCLUDE_ACCOUNTS, CallAs is DELEGATED_ADMIN, and the pairs wanted are
    /// the active accounts below the OUs less those, the management account never; ACCOUNTS
    /// naming an account, or EXCLUDE_ACCOUNTS naming an OU, cannot be a StackSet target.
    #[test]
    fn the_spec_targets_ous_and_leaves_out_the_caller_and_the_management_account() {
        let mut cfg = Config::default();
        cfg.org.enabled = true;
        cfg.org.exclude = vec!["444444444444".into()];
        let regions = vec!["us-east-1".to_string(), "eu-west-1".to_string()];
        let spec = spec(&cfg, &org(), "222222222222", &regions).expect("spec");
        assert_eq!(spec.ous, ["r-ab12"]);
        assert_eq!(spec.exclude, ["444444444444", "222222222222"]);
        assert!(spec.as_delegated_admin);
        assert_eq!(
            spec.parameters[1],
            (
                "HubEventBusArn".to_string(),
                "arn:aws:events:us-east-1:222222222222:event-bus/default".to_string()
            )
        );
        assert_eq!(
            wanted(&org(), &spec),
            [
                ("333333333333".to_string(), "us-east-1".to_string()),
                ("333333333333".to_string(), "eu-west-1".to_string())
            ]
        );
        let as_management = super::spec(&cfg, &org(), "111111111111", &regions).expect("spec");
        assert_eq!(as_management.exclude, ["444444444444"]);
        assert!(!as_management.as_delegated_admin);

        cfg.org.accounts = vec!["ou-ab12-prod0001".into(), "333333333333".into()];
        assert!(
            super::spec(&cfg, &org(), "222222222222", &regions)
                .expect_err("an account id")
                .starts_with("StackSets deploy to OUs: ACCOUNTS names accounts (333333333333)")
        );
        cfg.org.accounts = vec!["ou-ab12-prod0001".into()];
        cfg.org.exclude = vec!["ou-ab12-security".into()];
        assert!(
            super::spec(&cfg, &org(), "222222222222", &regions)
                .expect_err("an OU left out")
                .starts_with("StackSets cannot leave an OU out")
        );
    }

    /// The re-review's findings: an account active again whose instance was skipped while
    /// it was suspended is retried (not left "present" for ever), and the skip note names
    /// only accounts still suspended.
    #[test]
    fn a_skip_of_an_account_active_again_is_retried() {
        let cfg = Config::default();
        let regions = vec!["us-east-1".to_string()];
        let spec = spec(&cfg, &org(), "111111111111", &regions).expect("spec");
        let instance = |account: &str| Instance {
            account: account.into(),
            region: "us-east-1".into(),
            status: "OUTDATED".into(),
            detailed: Some("SKIPPED_SUSPENDED_ACCOUNT".into()),
            reason: None,
            ou: Some("ou-ab12-prod0001".into()),
        };
        let current = |account: &str| Instance {
            status: "CURRENT".into(),
            detailed: Some("SUCCEEDED".into()),
            ..instance(account)
        };
        let facts = SpokeFacts {
            set: spec.set_ref(),
            wanted: wanted(&org(), &spec),
            deployed: Some((
                spec.template.body.to_string(),
                spec.parameters.iter().cloned().collect(),
            )),
            spec: Ok(spec),
            exists: true,
            owned: true,
            instances: vec![
                current("222222222222"),
                instance("333333333333"),
                current("444444444444"),
                instance("555555555555"),
            ],
            error: None,
        };
        let mut p = Plan::default();
        plan_steps(&facts, &mut p);
        assert!(p.blockers.is_empty(), "{:?}", p.blockers);
        let retried: Vec<&str> = p
            .steps
            .iter()
            .flat_map(|s| match s {
                Step::RetryStackInstances { failed, .. } => {
                    failed.iter().map(|i| i.account.as_str()).collect()
                }
                _ => Vec::new(),
            })
            .collect();
        assert_eq!(retried, ["333333333333"], "{:?}", p.steps);
        assert!(
            p.notes
                .iter()
                .any(|n| n.ends_with("skipped suspended accounts: 555555555555 us-east-1")),
            "{:?}",
            p.notes
        );
    }
}
