//! What exists now, read before planning: stacks, the services' own resources (detectors,
//! recorders, Inspector's state, the budget), the parameters awsmon's spokes were deployed with,
//! and whether this notifier build is already uploaded.

use std::collections::HashMap;

use awsmon_notifier::Service;

use super::artifact::Artifact;
use super::plan::Target;
use crate::aws::{Aws, AwsError};
use crate::config::Config;
use crate::inventory::{ConfigFacts, Stacks};
use crate::naming;
use crate::services::{self, Cx, FactsPatch};

#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub account: String,
    pub stacks: HashMap<String, Stacks>,
    /// GuardDuty detector ids per region.
    pub detectors: HashMap<String, Vec<String>>,
    /// The region's detector when it is suspended (the API's DISABLED): turning GuardDuty on
    /// resumes it.
    pub suspended_detectors: HashMap<String, String>,
    pub config: HashMap<String, ConfigFacts>,
    /// Inspector resource types (EC2, ECR…) that are ENABLED, per region.
    pub inspector: HashMap<String, Vec<String>>,
    /// Security Hub's hub and standards, per region.
    pub securityhub: HashMap<String, crate::services::securityhub::HubFacts>,
    /// IAM Access Analyzer's external-access analyzers, per region.
    pub analyzers: HashMap<String, Vec<crate::services::accessanalyzer::Analyzer>>,
    /// A budget with awsmon's name exists (with or without awsmon's stack).
    pub budget_exists: bool,
    /// The artifact object already exists.
    pub artifact_uploaded: bool,
    /// Parameters of awsmon's existing spokes.
    pub spoke_params: HashMap<(String, Service), HashMap<String, String>>,
    /// The detector an awsmon spoke created, by region (its stack's `Detector` resource).
    pub spoke_detectors: HashMap<String, String>,
    /// The Config recorder and delivery channel an awsmon spoke created, by region: the names
    /// CloudFormation recorded for its `Recorder` and `DeliveryChannel` resources.
    pub spoke_config: HashMap<String, (Option<String>, Option<String>)>,
    /// Undelivered alerts in the notifier's failure queue (read when the notifier is a target
    /// and its queue exists).
    pub undelivered: Option<u64>,
    /// What awsmon's existing stacks were deployed with, by (region, stack name).
    pub deployed: HashMap<(String, String), Deployed>,
    /// The routing parameter already holds exactly this config's routing.
    pub routing_current: bool,
    /// Why this config's routing cannot be written as meant (ROUTING_OVERRIDES' OU entries
    /// unresolvable, or too big): the plan is blocked.
    pub routing_unwritable: Option<String>,
    /// Org mode: the Organization's id (its accounts may put events on the hub's bus), or why
    /// it could not be read.
    pub organization: Option<Result<String, String>>,
    /// Org mode, deploying a service with an organization switch: who administers it, its
    /// auto-enable and which accounts are on, per region.
    pub org_enable: Option<crate::org::enable::OrgEnableFacts>,
    /// Org mode, deploying a service with a member-account spoke: its StackSet.
    pub org_spokes: Option<crate::org::spokes::SpokeFacts>,
}

/// An existing stack as DescribeStacks reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Deployed {
    pub status: String,
    pub params: HashMap<String, String>,
    /// awsmon's fingerprint tag: what template, parameters and tags it was last deployed with.
    pub fingerprint: Option<String>,
    /// When the stack last changed (updated, else created), RFC 3339.
    pub changed_at: Option<String>,
}

impl Facts {
    pub fn spoke_param(&self, region: &str, service: Service, key: &str) -> Option<&str> {
        self.spoke_params
            .get(&(region.to_string(), service))
            .and_then(|p| p.get(key))
            .map(String::as_str)
    }
}

/// The regions a plan for `services` touches: the requested ones, the home region, and where
/// the account-wide ones are placed (us-east-1 for Trusted Advisor).
pub fn regions_touched(cfg: &Config, services: &[Service], regions: &[String]) -> Vec<String> {
    let mut all: Vec<String> = regions.to_vec();
    let mut add = |r: &str| {
        if !all.iter().any(|x| x == r) {
            all.push(r.to_string());
        }
    };
    add(cfg.home_region());
    for &service in services {
        if let Some(region) = services::fixed_region(service, cfg) {
            add(&region);
        }
    }
    all
}

/// Reads what the plan for `target` depends on.
pub async fn gather(
    aws: &Aws,
    cfg: &Config,
    target: Target,
    regions: &[String],
    artifact: Option<&Artifact>,
) -> Result<Facts, AwsError> {
    let home = cfg.home_region().to_string();
    let account = crate::inventory::account_id(aws, &home).await?;
    let services = Target::services(&[target]);
    let mut facts = Facts {
        account: account.clone(),
        ..Facts::default()
    };
    let all = regions_touched(cfg, &services, regions);
    let fetched = futures::future::join_all(
        all.iter()
            .map(|r| Box::pin(region_facts(aws, cfg, &account, r, &services))),
    )
    .await;
    for (region, result) in all.iter().zip(fetched) {
        let one = result?;
        facts.stacks.insert(region.clone(), one.stacks);
        for (service, params) in one.spoke_params {
            facts.spoke_params.insert((region.clone(), service), params);
        }
        for (name, deployed) in one.deployed {
            facts.deployed.insert((region.clone(), name), deployed);
        }
        for patch in one.patches {
            patch(&mut facts);
        }
    }
    // Destroying (no build given) the notifier deletes its failure queue: count what waits.
    if artifact.is_none() && target.expand().contains(&Target::Notifier) {
        facts.undelivered = crate::notifier::health::failure_queue_depth(aws, cfg).await?;
    }
    if artifact.is_some() {
        match routing_is_current(aws, cfg, &home).await {
            Ok(current) => facts.routing_current = current,
            Err(why) => facts.routing_unwritable = Some(why),
        }
    }
    if cfg.org.enabled && artifact.is_some() {
        facts.organization = Some(
            aws.organizations(&home)
                .describe_organization()
                .send()
                .await
                .map_err(|e| {
                    AwsError::classify("organizations:DescribeOrganization", &e).to_string()
                })
                .map(|o| {
                    o.organization()
                        .and_then(|o| o.id())
                        .unwrap_or_default()
                        .to_string()
                }),
        );
    }
    if cfg.org.enabled {
        Box::pin(org_facts(
            aws,
            cfg,
            &services,
            regions,
            artifact.is_some(),
            &mut facts,
        ))
        .await;
    }
    if let Some(a) = artifact {
        let bucket = naming::artifact_bucket(cfg, &account, &home);
        facts.artifact_uploaded = aws
            .s3(&home)
            .head_object()
            .bucket(bucket)
            .expected_bucket_owner(&account)
            .key(a.key())
            .send()
            .await
            .is_ok();
    }
    Ok(facts)
}

/// Whether the routing parameter already holds this config's routing (any failure to read it
/// counts as no: the write step then runs and reports).
///
/// # Errors
/// When the routing cannot be written as meant ([`super::engine::routing_settings`]).
async fn routing_is_current(aws: &Aws, cfg: &Config, home: &str) -> Result<bool, String> {
    let settings = super::engine::routing_settings(aws, cfg).await?;
    let wanted = super::engine::routing_values(settings)?;
    let parameter = naming::routing_parameter(cfg);
    let main = aws
        .ssm(home)
        .get_parameter()
        .name(&parameter)
        .with_decryption(true)
        .send()
        .await
        .ok()
        .and_then(|out| out.parameter)
        .and_then(|p| p.value);
    if main.as_deref() != Some(wanted.main.as_str()) {
        return Ok(false);
    }
    if wanted.pages.is_empty() {
        return Ok(true);
    }
    let count = u32::try_from(wanted.pages.len()).unwrap_or(u32::MAX);
    let Ok(now) = super::engine::read_name_pages(aws, home, &parameter, count).await else {
        return Ok(false);
    };
    Ok((1..=count).zip(&wanted.pages).all(|(n, page)| {
        now.get(&awsmon_notifier::settings::account_names_parameter(
            &parameter, n,
        )) == Some(page)
    }))
}

#[derive(Default)]
struct RegionFacts {
    stacks: Stacks,
    spoke_params: Vec<(Service, HashMap<String, String>)>,
    deployed: Vec<(String, Deployed)>,
    /// What each service found, applied once every region has answered.
    patches: Vec<FactsPatch>,
}

async fn region_facts(
    aws: &Aws,
    cfg: &Config,
    account: &str,
    region: &str,
    services: &[Service],
) -> Result<RegionFacts, AwsError> {
    let mut out = RegionFacts {
        stacks: crate::inventory::stacks::list(aws, region).await?,
        ..RegionFacts::default()
    };
    // awsmon's own stacks here: what each was deployed with, to tell an unchanged one.
    let mut names = vec![naming::bootstrap_stack(cfg), naming::hub_stack(cfg)];
    names.extend(
        services
            .iter()
            .map(|&service| naming::service_stack(cfg, service)),
    );
    for name in names.into_iter().filter(|n| out.stacks.exists(n)) {
        let deployed = describe(aws, region, &name).await?;
        out.deployed.push((name, deployed));
    }
    for &service in services {
        let spoke = naming::service_stack(cfg, service);
        if let Some((_, d)) = out.deployed.iter().find(|(n, _)| *n == spoke) {
            out.spoke_params.push((service, d.params.clone()));
        }
        let exists = out.stacks.exists(&spoke);
        let cx = Cx { aws, cfg, account };
        let found = services::ops(service)
            .region_facts(cx, region, exists.then_some(spoke.as_str()))
            .await?;
        out.patches.extend(found);
    }
    Ok(out)
}

async fn describe(aws: &Aws, region: &str, stack: &str) -> Result<Deployed, AwsError> {
    let out = aws
        .cloudformation(region)
        .describe_stacks()
        .stack_name(stack)
        .send()
        .await
        .map_err(|e| AwsError::classify("cloudformation:DescribeStacks", &e))?;
    Ok(out
        .stacks()
        .first()
        .map(|s| Deployed {
            status: s
                .stack_status()
                .map(|st| st.as_str().to_string())
                .unwrap_or_default(),
            params: s
                .parameters()
                .iter()
                .map(|p| {
                    (
                        p.parameter_key().unwrap_or_default().to_string(),
                        p.parameter_value().unwrap_or_default().to_string(),
                    )
                })
                .collect(),
            fingerprint: s
                .tags()
                .iter()
                .find(|t| t.key() == Some(super::stack_ops::FINGERPRINT_TAG))
                .and_then(|t| t.value().map(str::to_string)),
            changed_at: s
                .last_updated_time()
                .or(s.creation_time())
                .map(crate::text::iso_time),
        })
        .unwrap_or_default())
}

/// The physical id of `logical` in `stack`, if it exists.
pub(crate) async fn stack_resource(
    aws: &Aws,
    region: &str,
    stack: &str,
    logical: &str,
) -> Option<String> {
    let res = aws
        .cloudformation(region)
        .describe_stack_resource()
        .stack_name(stack)
        .logical_resource_id(logical)
        .send()
        .await
        .ok()?;
    res.stack_resource_detail()
        .and_then(|d| d.physical_resource_id())
        .map(str::to_string)
}

/// Org mode: the Organization, read once, then who administers the services with an
/// organization switch and the StackSet of the member-account spokes.
async fn org_facts(
    aws: &Aws,
    cfg: &Config,
    services: &[Service],
    regions: &[String],
    deploying: bool,
    facts: &mut Facts,
) {
    use crate::org::{enable, spokes};
    // Destroying keeps the organization's administrator and auto-enable: not read then.
    let switched = if deploying && cfg.org.auto_enable.is_some() {
        enable::org_services(services)
    } else {
        Vec::new()
    };
    let spoke = services.iter().any(|s| spokes::SPOKE_SERVICES.contains(s));
    if switched.is_empty() && !spoke {
        return;
    }
    let org = match crate::org::load(aws, cfg.home_region()).await {
        Ok(org) => org,
        Err(e) => {
            let why = e.to_string();
            facts.org_enable = (!switched.is_empty()).then(|| enable::OrgEnableFacts {
                error: Some(why.clone()),
                ..enable::OrgEnableFacts::default()
            });
            facts.org_spokes = spoke.then(|| spokes::SpokeFacts {
                set: crate::deploy::stackset_ops::StackSetRef {
                    region: cfg.home_region().to_string(),
                    name: naming::org_spoke_stackset(cfg, Service::Config),
                    as_delegated_admin: false,
                    prefs: crate::deploy::stackset_ops::Preferences {
                        max_concurrent_percent: cfg.org.max_concurrent_percent,
                        failure_tolerance_percent: cfg.org.failure_tolerance_percent,
                    },
                },
                error: (!deploying).then(|| why.clone()),
                owned: false,
                wanted: Vec::new(),
                spec: Err(format!(
                    "ORGANIZATION is true but the Organization cannot be read ({why}): the member accounts' spokes need its OUs"
                )),
                exists: false,
                deployed: None,
                instances: Vec::new(),
            });
            return;
        }
    };
    let account = facts.account.clone();
    if !switched.is_empty() {
        facts.org_enable =
            Some(Box::pin(enable::gather(aws, cfg, &org, &account, &switched, regions)).await);
    }
    if spoke {
        facts.org_spokes = Some(Box::pin(spokes::gather(aws, cfg, &org, &account, regions)).await);
    }
}
