//! Deciding the steps: the hub when needed, then each service's spoke per region, adopting what
//! already exists. Destroying removes awsmon's wiring and touches service data only when asked,
//! and then only what awsmon created.
use super::artifact::Artifact;
use super::facts::Facts;
use super::plan::{Plan, StackAction, Step, Target};
use super::stack_ops::{self, StackSpec};
use super::templates::{self, Template};
use crate::config::Config;
use crate::naming;
use crate::services::{self, Planning};

pub(crate) fn exists(facts: &Facts, region: &str, stack: &str) -> bool {
    facts.stacks.get(region).is_some_and(|s| s.exists(stack))
}

fn action(facts: &Facts, region: &str, stack: &str) -> StackAction {
    if exists(facts, region, stack) {
        StackAction::Update
    } else {
        StackAction::Create
    }
}

pub(crate) fn stack(
    cfg: &Config,
    facts: &Facts,
    region: &str,
    name: String,
    template: Template,
    parameters: Vec<(&str, String)>,
    reason: String,
) -> Step {
    Step::Stack {
        action: action(facts, region, &name),
        spec: StackSpec {
            region: region.to_string(),
            name,
            template,
            parameters: parameters
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
            tags: cfg.stack_tags.clone(),
        },
        reason,
    }
}

/// "3eb8…": enough of an id to recognise it.
pub(crate) fn short(id: &str) -> String {
    id.chars().take(4).collect()
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
    let targets = target.expand();
    let mut p = Plan::default();
    let hub_missing = !exists(facts, cfg.home_region(), &naming::hub_stack(cfg));
    if targets.contains(&Target::Notifier) || hub_missing {
        hub_steps(
            cfg,
            facts,
            artifact,
            targets.contains(&Target::Notifier),
            &mut p,
        );
    }
    let at = Planning {
        cfg,
        facts,
        regions,
        optional: target == Target::All,
    };
    let wanted = Target::services(&targets);
    for &service in &wanted {
        services::ops(service).on_steps(at, &mut p);
    }
    // Org mode: the services with an organization switch are turned on for it, after each
    // region's own spoke (the administrator's detector comes first).
    if cfg.org.enabled {
        match &facts.org_enable {
            Some(org) => {
                crate::org::enable::plan_steps(cfg, org, &facts.account, &wanted, regions, &mut p);
            }
            None => crate::org::enable::left_alone(&wanted, &mut p),
        }
    }
    // Org mode: member accounts forward what no administrator API delivers (Config).
    if cfg.org.enabled
        && let Some(spokes) = &facts.org_spokes
    {
        crate::org::spokes::plan_steps(spokes, &mut p);
    }
    // What would change nothing is not planned: a second deploy plans nothing.
    p.steps.retain(|step| !unchanged(facts, step));
    p
}

/// A stack whose last deploy, by awsmon, had exactly this template, these parameters and
/// tags, and that completed; or routing the parameter already holds. The stack's parameters
/// are compared too, so a change made by hand is put back.
fn unchanged(facts: &Facts, step: &Step) -> bool {
    match step {
        Step::Stack {
            spec,
            action: StackAction::Update,
            ..
        } => facts
            .deployed
            .get(&(spec.region.clone(), spec.name.clone()))
            .is_some_and(|d| {
                let settled = matches!(d.status.as_str(), "CREATE_COMPLETE" | "UPDATE_COMPLETE");
                settled
                    && d.fingerprint.as_deref() == Some(stack_ops::fingerprint(spec).as_str())
                    && spec
                        .parameters
                        .iter()
                        .all(|(k, v)| d.params.get(k).is_some_and(|now| same_value(now, v)))
            }),
        Step::WriteRouting { .. } => facts.routing_current,
        _ => false,
    }
}

/// Parameter values as CloudFormation compares them: `90` and `90.0` are one Number.
fn same_value(now: &str, wanted: &str) -> bool {
    now == wanted
        || matches!(
            (now.parse::<f64>(), wanted.parse::<f64>()),
            (Ok(a), Ok(b)) if (a - b).abs() <= f64::EPSILON * a.abs().max(1.0)
        )
}

fn hub_steps(cfg: &Config, facts: &Facts, artifact: &Artifact, asked: bool, p: &mut Plan) {
    let home = cfg.home_region();
    let bucket = naming::artifact_bucket(cfg, &facts.account, home);
    let why = if asked {
        "the notifier's artifact bucket"
    } else {
        "missing; every service needs the hub"
    };
    p.steps.push(stack(
        cfg,
        facts,
        home,
        naming::bootstrap_stack(cfg),
        templates::BOOTSTRAP,
        vec![("BucketName", bucket.clone())],
        why.to_string(),
    ));
    if !facts.artifact_uploaded {
        p.steps.push(Step::UploadArtifact {
            region: home.to_string(),
            bucket: bucket.clone(),
            key: artifact.key(),
            owner: facts.account.clone(),
        });
    }
    if let Some(gap) = cfg.routing_gap() {
        p.blockers.push(gap);
    }
    if let Some(why) = &facts.routing_unwritable {
        p.blockers.push(why.clone());
    }
    // Org mode: the hub's bus takes events from the Organization's accounts, and only from
    // them; without the Organization's id it would take them from no one, so say why.
    let organization = match &facts.organization {
        Some(Ok(id)) => id.clone(),
        Some(Err(why)) => {
            p.blockers.push(format!(
                "ORGANIZATION is true but the Organization cannot be read ({why}): the hub's bus needs its id; allow organizations:DescribeOrganization, or set ORGANIZATION: false"
            ));
            String::new()
        }
        None => String::new(),
    };
    p.steps.push(Step::WriteRouting {
        region: home.to_string(),
        parameter: naming::routing_parameter(cfg),
    });
    p.steps.push(stack(
        cfg,
        facts,
        home,
        naming::hub_stack(cfg),
        templates::hub(),
        vec![
            ("Prefix", cfg.prefix_service_name.clone()),
            ("ArtifactBucket", bucket),
            ("ArtifactKey", artifact.key()),
            ("RoutingParameterName", naming::routing_parameter(cfg)),
            // Explicit, so that an unchanged hub is recognised as unchanged.
            ("LogRetentionDays", "90".to_string()),
            ("MaximumRetryAttempts", "2".to_string()),
            ("MaximumEventAgeSeconds", "21600".to_string()),
            ("AlertEmail", cfg.alert_email.clone().unwrap_or_default()),
            ("DigestSchedule", cfg.digest_schedule().unwrap_or_default()),
            (
                "DigestTimezone",
                cfg.digest_tz.clone().unwrap_or_else(|| "UTC".to_string()),
            ),
            (
                "ReservedConcurrency",
                cfg.notifier_reserved_concurrency.to_string(),
            ),
            ("OrganizationId", organization),
        ],
        artifact.describe(),
    ));
}

/// The hub's bus outside the home region; empty in it, where the hub's own rules see events.
pub(crate) fn forward_to(cfg: &Config, facts: &Facts, region: &str) -> String {
    if region == cfg.home_region() {
        String::new()
    } else {
        naming::hub_bus_arn(cfg, &facts.account)
    }
}

pub(crate) fn with_forwarding(cfg: &Config, region: &str, reason: &str) -> String {
    if region == cfg.home_region() {
        format!("{reason}; the hub's rules forward here")
    } else {
        format!("{reason}; forward to the hub")
    }
}

/// Whether awsmon creates the resource: an existing spoke keeps its earlier choice (flipping it
/// would orphan or duplicate the resource); otherwise create only when none exists.
pub(crate) fn creates(earlier: Option<&str>, existing: Option<&String>) -> bool {
    match earlier {
        Some(v) => v == "true",
        None => existing.is_none(),
    }
}

/// The steps that turn `target` off in `regions`: awsmon's wiring goes; service data stays
/// unless `delete_service_data`, and even then only what awsmon created (never adopted).
pub fn plan_destroy(
    cfg: &Config,
    facts: &Facts,
    target: Target,
    regions: &[String],
    delete_service_data: bool,
) -> Plan {
    let targets = target.expand();
    let mut p = Plan {
        spokes_first: true,
        ..Plan::default()
    };
    for service in Target::services(&targets) {
        let name = naming::service_stack(cfg, service);
        let places = services::places(service, cfg, regions);
        for region in places.iter().filter(|r| exists(facts, r, &name)) {
            let off = services::ops(service).off_steps(cfg, facts, region);
            let (reason, data_step) = (off.reason, off.data_step);
            p.steps.push(Step::DeleteStack {
                region: region.clone(),
                name: name.clone(),
                reason,
            });
            match (delete_service_data, data_step) {
                (true, Some(step)) => p.steps.push(step),
                (false, Some(step)) => p.kept_data.push(
                    step.to_string()
                        .trim_start_matches("DESTRUCTIVE: ")
                        .to_string(),
                ),
                (_, None) => {}
            }
        }
    }
    // Org mode: the member accounts' spokes go with the service.
    if cfg.org.enabled
        && let Some(spokes) = &facts.org_spokes
    {
        crate::org::spokes::destroy_steps(spokes, regions, &mut p);
    }
    // Org mode: the organization's administrator and auto-enable are not awsmon's wiring;
    // turning them off changes every member account, so it is never part of a destroy.
    let switched = crate::org::enable::org_services(&Target::services(&targets));
    if cfg.org.enabled && !switched.is_empty() {
        p.notes.push(format!(
            "{}: the organization's delegated administrator and auto-enable are kept; turning them off is a separate choice for every member account (the service's console, or its UpdateOrganizationConfiguration)",
            services::names(&switched)
        ));
    }
    if targets.contains(&Target::Notifier) {
        let home = cfg.home_region();
        let hub = naming::hub_stack(cfg);
        if exists(facts, home, &hub) {
            let queue = naming::failure_queue(cfg);
            let waiting = facts.undelivered.unwrap_or(0);
            if waiting > 0 && !delete_service_data {
                p.blockers.push(format!(
                    "{} in {queue}, and deleting the notifier deletes them: replay them (`awsmon-tui notifier redrive`), export them (`awsmon-tui notifier export FILE`), or discard them with --delete-service-data (asks again)",
                    crate::text::count(
                        usize::try_from(waiting).unwrap_or(usize::MAX),
                        "undelivered alert waits",
                        "undelivered alerts wait"
                    )
                ));
            }
            p.steps.push(Step::FailureQueue {
                region: home.to_string(),
                queue,
                waiting,
                discard: delete_service_data && waiting > 0,
            });
            p.steps.push(Step::DeleteStack {
                region: home.to_string(),
                name: hub,
                reason: format!(
                    "remove the notifier, its rules and topic (spokes stop delivering), its failure queue, and its log group {} with the notifier's logs",
                    naming::notifier_log_group(cfg)
                ),
            });
        }
        p.steps.push(Step::DeleteRouting {
            region: home.to_string(),
            parameter: naming::routing_parameter(cfg),
        });
    }
    p
}
#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use awsmon_notifier::Service;

    use super::*;
    use crate::inventory::{StackStatusSummary, Stacks};

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
                (region.into(), Service::GuardDuty),
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

    /// Issue 14: in org mode the hub is told the Organization's id (its bus policy admits
    /// that Organization's accounts only); outside org mode it is told none; an unreadable
    /// Organization blocks the plan.
    #[test]
    fn the_hub_admits_the_organization_only_in_org_mode() {
        let hub_org_id = |cfg: &Config, f: &Facts| {
            let p = plan(cfg, f, Target::Notifier, &[], &Artifact::unbuilt());
            let id = p.steps.iter().find_map(|s| match s {
                Step::Stack { spec, .. } if spec.name == naming::hub_stack(cfg) => spec
                    .parameters
                    .iter()
                    .find(|(k, _)| k == "OrganizationId")
                    .map(|(_, v)| v.clone()),
                _ => None,
            });
            (id, p.blockers)
        };
        let mut f = Facts {
            account: "123456789012".into(),
            ..Facts::default()
        };
        let mut single = Config::default();
        single.settings.routes.default = vec![
            awsmon_notifier::WebhookUrl::parse("https://hooks.slack.com/services/T0/B0/XXXXXXXX")
                .expect("url"),
        ];
        assert_eq!(hub_org_id(&single, &f), (Some(String::new()), vec![]));
        let mut org = single.clone();
        org.org.enabled = true;
        f.organization = Some(Ok("o-a1b2c3d4e5".into()));
        assert_eq!(hub_org_id(&org, &f), (Some("o-a1b2c3d4e5".into()), vec![]));
        f.organization = Some(Err("AccessDeniedException".into()));
        let (_, blockers) = hub_org_id(&org, &f);
        assert_eq!(blockers.len(), 1);
        assert!(
            blockers[0].contains("AccessDeniedException"),
            "{blockers:?}"
        );
    }

    /// Issue 12: in GovCloud every ARN the plan hands a stack is in `aws-us-gov`.
    #[test]
    fn a_govcloud_plan_names_govcloud_arns() {
        let mut cfg = Config::default();
        cfg.settings.home_region = "us-gov-west-1".into();
        let f = Facts {
            account: "123456789012".into(),
            ..Facts::default()
        };
        let regions = vec!["us-gov-west-1".to_string(), "us-gov-east-1".to_string()];
        let p = plan(
            &cfg,
            &f,
            Target::Service(Service::GuardDuty),
            &regions,
            &Artifact::unbuilt(),
        );
        let arns: Vec<&str> = p
            .steps
            .iter()
            .filter_map(|s| match s {
                Step::Stack { spec, .. } => Some(spec),
                _ => None,
            })
            .flat_map(|spec| spec.parameters.iter().map(|(_, v)| v.as_str()))
            .filter(|v| v.starts_with("arn:"))
            .collect();
        assert!(
            arns.contains(&"arn:aws-us-gov:events:us-gov-west-1:123456789012:event-bus/default"),
            "{arns:?}"
        );
        assert!(
            arns.iter().all(|a| a.starts_with("arn:aws-us-gov:")),
            "{arns:?}"
        );
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
        let destructive = p.destructive();
        assert_eq!(
            destructive,
            vec!["DESTRUCTIVE: delete detector d0a1b2 in eu-west-1, with its findings history"]
        );
    }

    /// awsmon's Config spoke in eu-west-1 created a recorder and channel; the region now holds
    /// `now_recorder` / `now_channel`.
    fn config_facts(now_recorder: &str, now_channel: &str) -> Facts {
        let mut f = Facts {
            account: "123456789012".into(),
            ..Facts::default()
        };
        let mut s = Stacks::default();
        s.by_name.insert(
            "awsmon-config".into(),
            StackStatusSummary {
                status: "CREATE_COMPLETE".into(),
                reason: None,
            },
        );
        f.stacks.insert("eu-west-1".into(), s);
        f.stacks.insert("us-east-1".into(), Stacks::default());
        f.spoke_params.insert(
            ("eu-west-1".into(), Service::Config),
            HashMap::from([
                ("CreateRecorder".to_string(), "true".to_string()),
                ("CreateDeliveryChannel".to_string(), "true".to_string()),
            ]),
        );
        f.spoke_config.insert(
            "eu-west-1".into(),
            (
                Some("awsmon-recorder".into()),
                Some("awsmon-channel".into()),
            ),
        );
        f.config.insert(
            "eu-west-1".into(),
            crate::inventory::configservice::ConfigFacts {
                recorder: Some(now_recorder.into()),
                recording: true,
                channel: Some(now_channel.into()),
            },
        );
        f
    }

    #[test]
    fn deleting_config_data_touches_only_what_awsmons_stack_recorded() {
        let destroy = |f: &Facts| {
            plan_destroy(
                &Config::default(),
                f,
                Target::Service(Service::Config),
                &["eu-west-1".to_string()],
                true,
            )
            .destructive()
        };
        assert_eq!(
            destroy(&config_facts("awsmon-recorder", "awsmon-channel")).len(),
            1,
            "awsmon's own recorder and channel"
        );
        // Someone else's recorder and channel now (awsmon's were removed out of band): the
        // stack's record does not name them, so nothing is deleted.
        assert_eq!(
            destroy(&config_facts(
                "team-security-recorder",
                "team-security-channel"
            )),
            Vec::<String>::new()
        );
    }
}
