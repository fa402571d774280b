//! What a deploy will change, computed before anything changes: an ordered list of steps, each
//! with its reason. Pure: the facts are gathered first (`gather`), then `plan` decides.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use awsmon_notifier::Service;

use super::artifact::Artifact;
use super::stack_ops::StackSpec;
use super::templates;
use crate::aws::{Aws, AwsError};
use crate::config::Config;
use crate::inventory::Stacks;
use crate::naming;

/// What `deploy` was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Notifier,
    Service(Service),
}

impl FromStr for Target {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("notifier") {
            return Ok(Target::Notifier);
        }
        s.parse::<Service>()
            .map(Target::Service)
            .map_err(|e| format!("{e}, or notifier"))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StackAction {
    Create,
    /// CloudFormation decides whether anything changed; "no updates" is success.
    Update,
}

#[derive(Debug, Clone)]
pub enum Step {
    Stack {
        spec: StackSpec,
        action: StackAction,
        reason: String,
    },
    UploadArtifact {
        region: String,
        bucket: String,
        key: String,
    },
    WriteRouting {
        region: String,
        parameter: String,
    },
    DeleteStack {
        region: String,
        name: String,
        reason: String,
    },
    DeleteRouting {
        region: String,
        parameter: String,
    },
    /// Destroys service data: only with `--delete-service-data`, only for what awsmon created.
    DeleteDetector {
        region: String,
        detector_id: String,
    },
}

impl Step {
    /// The hub's steps (bootstrap, artifact, routing, hub) run first and in order.
    pub fn is_hub(&self) -> bool {
        match self {
            Step::Stack { spec, .. } => {
                spec.template == templates::BOOTSTRAP || spec.template == templates::HUB
            }
            Step::UploadArtifact { .. }
            | Step::WriteRouting { .. }
            | Step::DeleteRouting { .. } => true,
            Step::DeleteStack { name, .. } => {
                name.ends_with("-hub") || name.ends_with("-bootstrap")
            }
            Step::DeleteDetector { .. } => false,
        }
    }

    /// Loses data that cannot be recreated (drawn in red, confirmed twice).
    pub fn is_destructive(&self) -> bool {
        matches!(self, Step::DeleteDetector { .. })
    }

    pub fn region(&self) -> &str {
        match self {
            Step::Stack { spec, .. } => &spec.region,
            Step::UploadArtifact { region, .. }
            | Step::WriteRouting { region, .. }
            | Step::DeleteStack { region, .. }
            | Step::DeleteRouting { region, .. }
            | Step::DeleteDetector { region, .. } => region,
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Stack {
                spec,
                action,
                reason,
            } => {
                let verb = match action {
                    StackAction::Create => "create",
                    StackAction::Update => "update",
                };
                write!(f, "{verb} stack {} in {}: {reason}", spec.name, spec.region)
            }
            Step::UploadArtifact {
                bucket,
                key,
                region,
            } => write!(f, "upload the notifier to s3://{bucket}/{key} ({region})"),
            Step::WriteRouting { parameter, region } => {
                write!(
                    f,
                    "write the routing parameter {parameter} in {region} (SecureString; webhooks from config.yml)"
                )
            }
            Step::DeleteStack {
                region,
                name,
                reason,
            } => {
                write!(f, "delete stack {name} in {region}: {reason}")
            }
            Step::DeleteRouting { region, parameter } => {
                write!(f, "delete the routing parameter {parameter} in {region}")
            }
            Step::DeleteDetector {
                region,
                detector_id,
            } => write!(
                f,
                "DESTRUCTIVE: delete detector {detector_id} in {region}, with its findings history"
            ),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// In order. Spokes run concurrently across regions.
    pub steps: Vec<Step>,
    /// Destroying: spokes go before the hub they send to.
    pub spokes_first: bool,
}

impl Plan {
    /// "create 3 stacks in eu-west-1, eu-central-1, us-east-1: …" and one line per step.
    pub fn summary(&self) -> String {
        let creates: Vec<&str> = self
            .steps
            .iter()
            .filter(|s| {
                matches!(
                    s,
                    Step::Stack {
                        action: StackAction::Create,
                        ..
                    }
                )
            })
            .map(Step::region)
            .collect();
        let updates = self
            .steps
            .iter()
            .filter(|s| {
                matches!(
                    s,
                    Step::Stack {
                        action: StackAction::Update,
                        ..
                    }
                )
            })
            .count();
        let deletes = self
            .steps
            .iter()
            .filter(|s| matches!(s, Step::DeleteStack { .. }))
            .count();
        let mut regions: Vec<&str> = creates.clone();
        regions.dedup();
        let mut out = format!(
            "create {} stack(s) in {}, update {updates}, delete {deletes}",
            creates.len(),
            if regions.is_empty() {
                "no region".to_string()
            } else {
                regions.join(", ")
            }
        );
        for step in &self.steps {
            out.push_str("\n  - ");
            out.push_str(&step.to_string());
        }
        out
    }
}

/// What exists now, as far as the plan needs to know.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub account: String,
    pub stacks: HashMap<String, Stacks>,
    /// Detector ids per region.
    pub detectors: HashMap<String, Vec<String>>,
    /// The artifact object already exists.
    pub artifact_uploaded: bool,
    /// Parameters of awsmon's existing GuardDuty spokes, by region.
    pub spoke_params: HashMap<String, HashMap<String, String>>,
    /// The detector an awsmon spoke created, by region (its stack's `Detector` resource).
    pub spoke_detectors: HashMap<String, String>,
}

/// Reads what the plan depends on, for the home region and `regions`.
pub async fn gather(
    aws: &Aws,
    cfg: &Config,
    regions: &[String],
    artifact: Option<&Artifact>,
) -> Result<Facts, AwsError> {
    let home = cfg.home_region().to_string();
    let account = crate::inventory::account_id(aws, &home).await?;
    let mut facts = Facts {
        account: account.clone(),
        ..Facts::default()
    };
    let mut all: Vec<String> = regions.to_vec();
    if !all.contains(&home) {
        all.push(home.clone());
    }
    let fetched = futures::future::join_all(all.iter().map(|r| async move {
        let stacks = crate::inventory::stacks::list(aws, r).await;
        let detectors = aws.guardduty(r).list_detectors().send().await;
        (r.clone(), stacks, detectors)
    }))
    .await;
    for (region, stacks, detectors) in fetched {
        let stacks = stacks?;
        let spoke = naming::service_stack(cfg, Service::GuardDuty);
        if stacks.exists(&spoke) {
            let out = aws
                .cloudformation(&region)
                .describe_stacks()
                .stack_name(&spoke)
                .send()
                .await
                .map_err(|e| AwsError::classify("cloudformation:DescribeStacks", &e))?;
            let params = out
                .stacks()
                .first()
                .map(|s| {
                    s.parameters()
                        .iter()
                        .map(|p| {
                            (
                                p.parameter_key().unwrap_or_default().to_string(),
                                p.parameter_value().unwrap_or_default().to_string(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            facts.spoke_params.insert(region.clone(), params);
            if let Ok(res) = aws
                .cloudformation(&region)
                .describe_stack_resource()
                .stack_name(&spoke)
                .logical_resource_id("Detector")
                .send()
                .await
                && let Some(id) = res
                    .stack_resource_detail()
                    .and_then(|d| d.physical_resource_id())
            {
                facts.spoke_detectors.insert(region.clone(), id.to_string());
            }
        }
        facts.stacks.insert(region.clone(), stacks);
        let ids = detectors
            .map_err(|e| AwsError::classify("guardduty:ListDetectors", &e))?
            .detector_ids()
            .to_vec();
        facts.detectors.insert(region, ids);
    }
    if let Some(a) = artifact {
        let bucket = naming::artifact_bucket(cfg, &account, &home);
        facts.artifact_uploaded = aws
            .s3(&home)
            .head_object()
            .bucket(bucket)
            .key(a.key())
            .send()
            .await
            .is_ok();
    }
    Ok(facts)
}

fn exists(facts: &Facts, region: &str, stack: &str) -> bool {
    facts.stacks.get(region).is_some_and(|s| s.exists(stack))
}

fn action(facts: &Facts, region: &str, stack: &str) -> StackAction {
    if exists(facts, region, stack) {
        StackAction::Update
    } else {
        StackAction::Create
    }
}

fn spec(
    cfg: &Config,
    region: &str,
    name: String,
    template: templates::Template,
    parameters: Vec<(&str, String)>,
) -> StackSpec {
    StackSpec {
        region: region.to_string(),
        name,
        template,
        parameters: parameters
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        tags: cfg.stack_tags.clone(),
    }
}

/// The steps for `target` in `regions`. Deploying a service plans the bootstrap and hub first
/// when they are missing; deploying the notifier always refreshes them.
pub fn plan(
    cfg: &Config,
    facts: &Facts,
    target: Target,
    regions: &[String],
    artifact: &Artifact,
) -> Plan {
    let home = cfg.home_region();
    let mut steps = Vec::new();
    let bootstrap = naming::bootstrap_stack(cfg);
    let hub = naming::hub_stack(cfg);
    let bucket = naming::artifact_bucket(cfg, &facts.account, home);
    let hub_missing = !exists(facts, home, &hub);
    if target == Target::Notifier || hub_missing {
        let why = if target == Target::Notifier {
            "the notifier's artifact bucket"
        } else {
            "missing; every service needs the hub"
        };
        steps.push(Step::Stack {
            spec: spec(
                cfg,
                home,
                bootstrap.clone(),
                templates::BOOTSTRAP,
                vec![("BucketName", bucket.clone())],
            ),
            action: action(facts, home, &bootstrap),
            reason: why.to_string(),
        });
        if !facts.artifact_uploaded {
            steps.push(Step::UploadArtifact {
                region: home.to_string(),
                bucket: bucket.clone(),
                key: artifact.key(),
            });
        }
        steps.push(Step::WriteRouting {
            region: home.to_string(),
            parameter: naming::routing_parameter(cfg),
        });
        steps.push(Step::Stack {
            spec: spec(
                cfg,
                home,
                hub.clone(),
                templates::HUB,
                vec![
                    ("Prefix", cfg.prefix_service_name.clone()),
                    ("ArtifactBucket", bucket.clone()),
                    ("ArtifactKey", artifact.key()),
                    ("RoutingParameterName", naming::routing_parameter(cfg)),
                    // Explicit, so that an unchanged hub is recognised as unchanged.
                    ("LogRetentionDays", "90".to_string()),
                    ("MaximumRetryAttempts", "2".to_string()),
                    ("MaximumEventAgeSeconds", "21600".to_string()),
                ],
            ),
            action: action(facts, home, &hub),
            reason: format!("notifier build {}…", &artifact.sha256[..12]),
        });
    }
    if let Target::Service(Service::GuardDuty) = target {
        let bus = format!("arn:aws:events:{home}:{}:event-bus/default", facts.account);
        for region in regions {
            let name = naming::service_stack(cfg, Service::GuardDuty);
            let existing = facts.detectors.get(region).cloned().unwrap_or_default();
            // An existing spoke keeps its choice: flipping it would orphan or duplicate a detector.
            let earlier = facts
                .spoke_params
                .get(region)
                .and_then(|p| p.get("CreateDetector"))
                .map(|v| v == "true");
            let short = |id: &str| id.chars().take(4).collect::<String>();
            let (create, reason) = match (earlier, existing.first()) {
                (Some(true), _) => (
                    true,
                    "detector created by awsmon; refresh the wiring".to_string(),
                ),
                (Some(false), Some(id)) => (
                    false,
                    format!(
                        "keep adopted detector {}…; refresh the forwarding",
                        short(id)
                    ),
                ),
                (_, Some(id)) => (
                    false,
                    format!(
                        "adopt existing detector {}…; add forwarding only",
                        short(id)
                    ),
                ),
                (_, None) => (true, "create a detector".to_string()),
            };
            let forward = if region == home {
                String::new()
            } else {
                bus.clone()
            };
            let reason = if region == home {
                format!("{reason}; the hub's rules forward here")
            } else {
                reason
            };
            steps.push(Step::Stack {
                spec: spec(
                    cfg,
                    region,
                    name.clone(),
                    templates::GUARDDUTY,
                    vec![
                        ("Prefix", cfg.prefix_service_name.clone()),
                        ("CreateDetector", create.to_string()),
                        ("HubEventBusArn", forward),
                    ],
                ),
                action: action(facts, region, &name),
                reason,
            });
        }
    }
    Plan {
        steps,
        spokes_first: false,
    }
}

/// The steps that turn `target` off in `regions`: awsmon's wiring goes; detectors stay unless
/// `delete_service_data`, and even then only the ones awsmon created (never adopted ones).
pub fn plan_destroy(
    cfg: &Config,
    facts: &Facts,
    target: Target,
    regions: &[String],
    delete_service_data: bool,
) -> Plan {
    let home = cfg.home_region();
    let mut steps = Vec::new();
    match target {
        Target::Service(Service::GuardDuty) => {
            let name = naming::service_stack(cfg, Service::GuardDuty);
            for region in regions.iter().filter(|r| exists(facts, r, &name)) {
                let created = facts
                    .spoke_params
                    .get(region)
                    .and_then(|p| p.get("CreateDetector"))
                    .is_some_and(|v| v == "true");
                let reason = if created {
                    "remove awsmon's wiring; the detector it created is kept (its findings history)"
                } else {
                    "remove awsmon's wiring; the adopted detector is not touched"
                };
                steps.push(Step::DeleteStack {
                    region: region.clone(),
                    name: name.clone(),
                    reason: reason.to_string(),
                });
                if let (true, true, Some(id)) = (
                    delete_service_data,
                    created,
                    facts.spoke_detectors.get(region),
                ) {
                    steps.push(Step::DeleteDetector {
                        region: region.clone(),
                        detector_id: id.clone(),
                    });
                }
            }
        }
        Target::Notifier => {
            let hub = naming::hub_stack(cfg);
            if exists(facts, home, &hub) {
                steps.push(Step::DeleteStack {
                    region: home.to_string(),
                    name: hub,
                    reason: "remove the notifier, its rules and topic (spokes stop delivering)"
                        .to_string(),
                });
            }
            steps.push(Step::DeleteRouting {
                region: home.to_string(),
                parameter: naming::routing_parameter(cfg),
            });
        }
        Target::Service(_) => {}
    }
    Plan {
        steps,
        spokes_first: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::StackStatusSummary;

    fn facts() -> Facts {
        let spoke = || {
            let mut s = Stacks::default();
            s.by_name.insert(
                "awsmon-guardduty".into(),
                StackStatusSummary {
                    status: "CREATE_COMPLETE".into(),
                    reason: None,
                },
            );
            s
        };
        let mut f = Facts {
            account: "123456789012".into(),
            ..Facts::default()
        };
        for (region, created) in [("eu-west-1", "true"), ("eu-central-1", "false")] {
            f.stacks.insert(region.into(), spoke());
            f.spoke_params.insert(
                region.into(),
                HashMap::from([("CreateDetector".to_string(), created.to_string())]),
            );
        }
        f.stacks.insert("us-east-1".into(), Stacks::default());
        f.spoke_detectors
            .insert("eu-west-1".into(), "d0a1b2".into());
        f
    }

    fn regions() -> Vec<String> {
        vec![
            "us-east-1".into(),
            "eu-west-1".into(),
            "eu-central-1".into(),
        ]
    }

    #[test]
    fn destroy_removes_wiring_and_keeps_detectors_by_default() {
        let p = plan_destroy(
            &Config::default(),
            &facts(),
            Target::Service(Service::GuardDuty),
            &regions(),
            false,
        );
        let lines: Vec<String> = p.steps.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            vec![
                "delete stack awsmon-guardduty in eu-west-1: remove awsmon's wiring; the detector it created is kept (its findings history)",
                "delete stack awsmon-guardduty in eu-central-1: remove awsmon's wiring; the adopted detector is not touched",
            ]
        );
        assert!(p.spokes_first);
        assert!(!p.steps.iter().any(Step::is_destructive));
    }

    #[test]
    fn deleting_service_data_never_touches_adopted_detectors() {
        let p = plan_destroy(
            &Config::default(),
            &facts(),
            Target::Service(Service::GuardDuty),
            &regions(),
            true,
        );
        let destructive: Vec<String> = p
            .steps
            .iter()
            .filter(|s| s.is_destructive())
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            destructive,
            vec!["DESTRUCTIVE: delete detector d0a1b2 in eu-west-1, with its findings history"]
        );
    }
}
