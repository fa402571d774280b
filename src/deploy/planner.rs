//! Deciding the steps: the hub when needed, then each service's spoke per region, adopting what
//! already exists. Destroying removes awsmon's wiring and touches service data only when asked,
//! and then only what awsmon created.

use awsmon_notifier::Service;

use super::artifact::Artifact;
use super::facts::{Facts, TRUSTED_ADVISOR_REGION};
use super::plan::{Plan, StackAction, Step, Target};
use super::stack_ops::StackSpec;
use super::templates::{self, Template};
use crate::config::Config;
use crate::naming;

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

fn stack(
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
fn short(id: &str) -> String {
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
    for service in Target::services(&targets) {
        match service {
            Service::GuardDuty => {
                for region in regions {
                    p.steps.push(guardduty_spoke(cfg, facts, region));
                }
            }
            Service::Config => {
                for region in regions {
                    config_spoke(cfg, facts, region, &mut p);
                }
            }
            Service::Inspector => {
                for region in regions {
                    inspector_spoke(cfg, facts, region, &mut p);
                }
            }
            Service::TrustedAdvisor => trusted_advisor_spoke(cfg, facts, regions, &mut p),
            Service::Budget => budget_stack(cfg, facts, target == Target::All, &mut p),
        }
    }
    p
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
    p.steps.push(Step::WriteRouting {
        region: home.to_string(),
        parameter: naming::routing_parameter(cfg),
    });
    p.steps.push(stack(
        cfg,
        facts,
        home,
        naming::hub_stack(cfg),
        templates::HUB,
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
            (
                "ReservedConcurrency",
                cfg.notifier_reserved_concurrency.to_string(),
            ),
        ],
        format!(
            "notifier build {}…",
            &artifact.sha256[..12.min(artifact.sha256.len())]
        ),
    ));
}

/// The hub's bus outside the home region; empty in it, where the hub's own rules see events.
fn forward_to(cfg: &Config, facts: &Facts, region: &str) -> String {
    if region == cfg.home_region() {
        String::new()
    } else {
        naming::hub_bus_arn(cfg, &facts.account)
    }
}

fn with_forwarding(cfg: &Config, region: &str, reason: &str) -> String {
    if region == cfg.home_region() {
        format!("{reason}; the hub's rules forward here")
    } else {
        format!("{reason}; forward to the hub")
    }
}

/// Whether awsmon creates the resource: an existing spoke keeps its earlier choice (flipping it
/// would orphan or duplicate the resource); otherwise create only when none exists.
fn creates(earlier: Option<&str>, existing: Option<&String>) -> bool {
    match earlier {
        Some(v) => v == "true",
        None => existing.is_none(),
    }
}

fn guardduty_spoke(cfg: &Config, facts: &Facts, region: &str) -> Step {
    let existing = facts.detectors.get(region).and_then(|d| d.first());
    let earlier = facts.spoke_param(region, Service::GuardDuty, "CreateDetector");
    let create = creates(earlier, existing);
    let reason = match (create, earlier.is_some(), existing) {
        (true, true, _) => "detector created by awsmon; refresh the wiring".to_string(),
        (true, false, _) => "create a detector".to_string(),
        (false, true, Some(id)) => format!("keep adopted detector {}…", short(id)),
        (false, _, Some(id)) => format!(
            "adopt existing detector {}…; add forwarding only",
            short(id)
        ),
        (false, _, None) => "the adopted detector is gone; forwarding only".to_string(),
    };
    stack(
        cfg,
        facts,
        region,
        naming::service_stack(cfg, Service::GuardDuty),
        templates::GUARDDUTY,
        vec![
            ("Prefix", cfg.prefix_service_name.clone()),
            ("CreateDetector", create.to_string()),
            ("HubEventBusArn", forward_to(cfg, facts, region)),
        ],
        with_forwarding(cfg, region, &reason),
    )
}

fn config_spoke(cfg: &Config, facts: &Facts, region: &str, p: &mut Plan) {
    let now = facts.config.get(region).cloned().unwrap_or_default();
    let create_recorder = creates(
        facts.spoke_param(region, Service::Config, "CreateRecorder"),
        now.recorder.as_ref(),
    );
    let create_channel = creates(
        facts.spoke_param(region, Service::Config, "CreateDeliveryChannel"),
        now.channel.as_ref(),
    );
    let bucket = naming::config_bucket(cfg, &facts.account, region);
    let mut parts = Vec::new();
    match (&now.recorder, create_recorder) {
        (_, true) => parts.push("recorder by awsmon".to_string()),
        (Some(r), false) => parts.push(format!("adopt existing recorder {r}")),
        (None, false) => parts.push("the adopted recorder is gone".to_string()),
    }
    match (&now.channel, create_channel) {
        (_, true) => parts.push(format!("delivery channel and bucket {bucket} by awsmon")),
        (Some(c), false) => parts.push(format!("adopt existing delivery channel {c}")),
        (None, false) => parts.push("the adopted delivery channel is gone".to_string()),
    }
    let global = region == cfg.home_region();
    if create_recorder {
        parts.push(if global {
            "global resource types recorded here".to_string()
        } else {
            "global resource types recorded in the home region only".to_string()
        });
    }
    p.steps.push(stack(
        cfg,
        facts,
        region,
        naming::service_stack(cfg, Service::Config),
        templates::CONFIG,
        vec![
            ("Prefix", cfg.prefix_service_name.clone()),
            (
                "BucketName",
                if create_channel {
                    bucket
                } else {
                    String::new()
                },
            ),
            ("CreateRecorder", create_recorder.to_string()),
            ("CreateDeliveryChannel", create_channel.to_string()),
            ("RecordGlobalResources", global.to_string()),
            ("HubEventBusArn", forward_to(cfg, facts, region)),
        ],
        with_forwarding(cfg, region, &parts.join(", ")),
    ));
    // Turning Config on means recording; an adopted recorder that is stopped is started (after
    // the stack, which may have created the delivery channel it needs).
    if let (Some(name), false, false) = (&now.recorder, now.recording, create_recorder) {
        if now.channel.is_some() || create_channel {
            p.steps.push(Step::StartRecorder {
                region: region.to_string(),
                name: name.clone(),
            });
        } else {
            p.notes.push(format!(
                "{region}: the adopted recorder {name} cannot record without a delivery channel"
            ));
        }
    }
}

fn inspector_spoke(cfg: &Config, facts: &Facts, region: &str, p: &mut Plan) {
    let on = facts.inspector.get(region).cloned().unwrap_or_default();
    let missing: Vec<String> = cfg
        .settings
        .inspector
        .resource_types
        .iter()
        .filter(|t| !on.contains(t))
        .cloned()
        .collect();
    // What awsmon enabled, earlier or now: the only types --delete-service-data may disable.
    let mut ours: Vec<String> = facts
        .spoke_param(region, Service::Inspector, "EnabledTypes")
        .unwrap_or_default()
        .split(',')
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect();
    let adopted: Vec<&String> = on.iter().filter(|t| !ours.contains(t)).collect();
    for t in &missing {
        if !ours.contains(t) {
            ours.push(t.clone());
        }
    }
    let mut reason = Vec::new();
    if !adopted.is_empty() {
        reason.push(format!(
            "adopt Inspector already on for {}",
            adopted
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !missing.is_empty() {
        p.steps.push(Step::EnableInspector {
            region: region.to_string(),
            account: facts.account.clone(),
            types: missing.clone(),
        });
        reason.push(format!("enabled by awsmon for {}", missing.join(", ")));
    }
    if reason.is_empty() {
        reason.push("Inspector already on".to_string());
    }
    p.steps.push(stack(
        cfg,
        facts,
        region,
        naming::service_stack(cfg, Service::Inspector),
        templates::INSPECTOR,
        vec![
            ("Prefix", cfg.prefix_service_name.clone()),
            ("HubEventBusArn", forward_to(cfg, facts, region)),
            ("EnabledTypes", ours.join(",")),
        ],
        with_forwarding(cfg, region, &reason.join("; ")),
    ));
}

fn trusted_advisor_spoke(cfg: &Config, facts: &Facts, regions: &[String], p: &mut Plan) {
    let here = cfg.home_region() == TRUSTED_ADVISOR_REGION;
    if !regions.iter().any(|r| r == TRUSTED_ADVISOR_REGION) {
        p.notes.push(format!(
            "Trusted Advisor's rule goes to {TRUSTED_ADVISOR_REGION}, the only region with its events"
        ));
    }
    let statuses = cfg.settings.trusted_advisor.statuses.join(",");
    p.steps.push(stack(
        cfg,
        facts,
        TRUSTED_ADVISOR_REGION,
        naming::service_stack(cfg, Service::TrustedAdvisor),
        templates::TRUSTED_ADVISOR,
        vec![
            ("Prefix", cfg.prefix_service_name.clone()),
            ("Statuses", statuses.clone()),
            ("HubInThisRegion", here.to_string()),
            ("HubEventBusArn", naming::hub_bus_arn(cfg, &facts.account)),
            ("NotifierArn", naming::notifier_arn(cfg, &facts.account)),
        ],
        if here {
            format!("check items in {statuses} straight to the notifier")
        } else {
            format!("check items in {statuses} forwarded to the hub")
        },
    ));
}

fn budget_stack(cfg: &Config, facts: &Facts, optional: bool, p: &mut Plan) {
    let name = naming::budget_name(cfg);
    let stack_name = naming::service_stack(cfg, Service::Budget);
    let home = cfg.home_region();
    let Some(limit) = cfg.budget_limit else {
        let why = "BUDGET_LIMIT is not set in config.yml (the monthly limit in USD)";
        if optional {
            p.notes.push(format!("budget skipped: {why}"));
        } else {
            p.blockers.push(why.to_string());
        }
        return;
    };
    if facts.budget_exists && !exists(facts, home, &stack_name) {
        p.blockers.push(format!(
            "a budget named {name} already exists outside awsmon; delete or rename it, or change PREFIX_SERVICE_NAME"
        ));
        return;
    }
    let threshold = cfg.budget_threshold_percentage;
    let filters = if cfg.budget_tag_filters.is_empty() {
        "the whole account".to_string()
    } else {
        cfg.budget_tag_filters.join(", ")
    };
    p.steps.push(stack(
        cfg,
        facts,
        home,
        stack_name,
        templates::BUDGET,
        vec![
            ("BudgetName", name.clone()),
            ("LimitUsd", limit.to_string()),
            ("ThresholdPercentage", threshold.to_string()),
            ("TagFilters", cfg.budget_tag_filters.join(",")),
            ("TopicArn", naming::budget_topic_arn(cfg, &facts.account)),
        ],
        format!(
            "monthly COST budget {name} of {limit} USD for {filters}; alerts: forecast above {threshold} %, actual above 100 %"
        ),
    ));
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
        let places: Vec<String> = match service {
            Service::TrustedAdvisor => vec![TRUSTED_ADVISOR_REGION.to_string()],
            Service::Budget => vec![cfg.home_region().to_string()],
            _ => regions.to_vec(),
        };
        for region in places.iter().filter(|r| exists(facts, r, &name)) {
            let param = |k: &str| facts.spoke_param(region, service, k);
            let (reason, data_step) = match service {
                Service::GuardDuty => {
                    let created = param("CreateDetector") == Some("true");
                    (
                        if created {
                            "remove awsmon's wiring; the detector it created is kept (its findings history)"
                        } else {
                            "remove awsmon's wiring; the adopted detector is not touched"
                        },
                        facts
                            .spoke_detectors
                            .get(region.as_str())
                            .filter(|_| created)
                            .map(|id| Step::DeleteDetector {
                                region: region.clone(),
                                detector_id: id.clone(),
                            }),
                    )
                }
                Service::Config => {
                    let now = facts
                        .config
                        .get(region.as_str())
                        .cloned()
                        .unwrap_or_default();
                    // Only what CloudFormation recorded as created by awsmon's stack, and only
                    // while the region's recorder still is that one: never whatever recorder
                    // happens to be in the region now.
                    let (made_recorder, made_channel) = facts
                        .spoke_config
                        .get(region.as_str())
                        .cloned()
                        .unwrap_or_default();
                    let same = |now: Option<String>, made: Option<String>, created: bool| {
                        now.filter(|n| created && made.as_deref() == Some(n.as_str()))
                    };
                    let recorder = same(
                        now.recorder,
                        made_recorder,
                        param("CreateRecorder") == Some("true"),
                    );
                    let channel = same(
                        now.channel,
                        made_channel,
                        param("CreateDeliveryChannel") == Some("true"),
                    );
                    let ours = recorder.is_some() || channel.is_some();
                    (
                        if ours {
                            "remove awsmon's wiring; the recorder and channel it created are kept (configuration history)"
                        } else {
                            "remove awsmon's wiring; the adopted recorder is not touched"
                        },
                        ours.then(|| Step::DeleteRecorder {
                            region: region.clone(),
                            recorder,
                            channel,
                        }),
                    )
                }
                Service::Inspector => {
                    let types: Vec<String> = param("EnabledTypes")
                        .unwrap_or_default()
                        .split(',')
                        .filter(|t| !t.is_empty())
                        .map(str::to_string)
                        .collect();
                    (
                        if types.is_empty() {
                            "remove awsmon's forwarding; Inspector was on before awsmon and stays on"
                        } else {
                            "remove awsmon's forwarding; Inspector stays on (deactivating deletes its findings)"
                        },
                        (!types.is_empty()).then(|| Step::DisableInspector {
                            region: region.clone(),
                            account: facts.account.clone(),
                            types,
                        }),
                    )
                }
                Service::TrustedAdvisor => ("remove the Trusted Advisor rule", None),
                Service::Budget => ("delete the budget and its alerts", None),
            };
            p.steps.push(Step::DeleteStack {
                region: region.clone(),
                name: name.clone(),
                reason: reason.to_string(),
            });
            if let (true, Some(step)) = (delete_service_data, data_step) {
                p.steps.push(step);
            }
        }
    }
    if targets.contains(&Target::Notifier) {
        let home = cfg.home_region();
        let hub = naming::hub_stack(cfg);
        if exists(facts, home, &hub) {
            let queue = naming::failure_queue(cfg);
            let waiting = facts.undelivered.unwrap_or(0);
            if waiting > 0 && !delete_service_data {
                p.blockers.push(format!(
                    "{waiting} undelivered alert(s) wait in {queue}, and deleting the notifier deletes them: replay them (`awsmon-tui notifier redrive`), export them (`awsmon-tui notifier export FILE`), or discard them with --delete-service-data (asks again)"
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
