//! Security Hub (CSPM): no CloudFormation resource that moto or an adopting user could share,
//! so, as for Inspector, the planner turns the hub and the missing standards on with the API,
//! then deploys the forwarding spoke, which records what awsmon turned on: the hub itself
//! (`CreatedHub`) and the standards (`EnabledStandards`), the only things
//! --delete-service-data may turn off. An existing hub is adopted as it is.

pub mod probe;
pub mod recent;

use futures::future::BoxFuture;
use serde_json::Value;

use awsmon_notifier::settings::SECURITYHUB_STANDARDS;

use super::{Cx, FactsPatch, Off, Planning, Service, ServiceOps};
use crate::aws::{Aws, AwsError};
use crate::config::Config;
use crate::deploy::facts::Facts;
use crate::deploy::plan::{Plan, Step};
use crate::deploy::planner::{creates, forward_to, stack, with_forwarding};
use crate::deploy::templates;
use crate::inventory::ServiceStatus;
use crate::naming;

pub use probe::HubFacts;

pub struct SecurityHub;

/// What awsmon's spoke in `region` recorded: whether it created the hub and the standards it
/// enabled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ours {
    pub hub: bool,
    pub standards: Vec<String>,
}

fn ours(facts: &Facts, region: &str) -> Ours {
    let param = |k| facts.spoke_param(region, Service::SecurityHub, k);
    Ours {
        hub: param("CreatedHub") == Some("true"),
        standards: param("EnabledStandards")
            .unwrap_or_default()
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
    }
}

impl ServiceOps for SecurityHub {
    fn probe_action(&self) -> &'static str {
        "securityhub:DescribeHub"
    }

    fn probe<'a>(
        &'a self,
        cx: Cx<'a>,
        region: &'a str,
    ) -> BoxFuture<'a, Result<ServiceStatus, AwsError>> {
        let wanted = &cx.cfg.settings.securityhub.standards;
        Box::pin(probe::status(cx.aws, region, wanted))
    }

    fn recent<'a>(
        &'a self,
        cx: Cx<'a>,
        region: &'a str,
        since_ms: i64,
    ) -> BoxFuture<'a, Result<Vec<Value>, AwsError>> {
        Box::pin(recent::events(cx.aws, region, since_ms))
    }

    fn region_facts<'a>(
        &'a self,
        cx: Cx<'a>,
        region: &'a str,
        _spoke: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Option<FactsPatch>, AwsError>> {
        Box::pin(async move {
            let hub = probe::facts(cx.aws, region).await?;
            let region = region.to_string();
            let patch: FactsPatch = Box::new(move |f: &mut Facts| {
                f.securityhub.insert(region, hub);
            });
            Ok(Some(patch))
        })
    }

    fn on_steps(&self, at: Planning<'_>, p: &mut Plan) {
        for region in at.regions {
            spoke(at.cfg, at.facts, region, p);
        }
    }

    fn off_steps(&self, cfg: &Config, facts: &Facts, region: &str) -> Off {
        let ours = ours(facts, region);
        let hub_now = facts
            .securityhub
            .get(region)
            .and_then(|h| h.subscribed_at.clone());
        let data_step = match (&hub_now, ours.hub) {
            (Some(_), true) => Some(Step::DisableSecurityHub {
                region: region.to_string(),
                standards: Vec::new(),
                // CloudFormation's record of awsmon's spoke, read with the other stacks.
                spoke_changed_at: facts
                    .deployed
                    .get(&(
                        region.to_string(),
                        naming::service_stack(cfg, Service::SecurityHub),
                    ))
                    .and_then(|d| d.changed_at.clone())
                    .unwrap_or_default(),
            }),
            (Some(_), false) if !ours.standards.is_empty() => Some(Step::DisableSecurityHub {
                region: region.to_string(),
                standards: ours.standards.clone(),
                spoke_changed_at: String::new(),
            }),
            _ => None,
        };
        Off {
            reason: match (ours.hub, ours.standards.is_empty()) {
                (true, _) => "remove awsmon's forwarding; the hub awsmon created stays on (disabling it deletes its findings)",
                (false, false) => "remove awsmon's forwarding; the adopted hub stays on, with the standards awsmon enabled",
                (false, true) => "remove awsmon's forwarding; the adopted hub is not touched",
            }
            .to_string(),
            data_step,
        }
    }
}

fn spoke(cfg: &Config, facts: &Facts, region: &str, p: &mut Plan) {
    let hub = facts.securityhub.get(region).cloned().unwrap_or_default();
    let earlier = facts.spoke_param(region, Service::SecurityHub, "CreatedHub");
    let create = creates(earlier, hub.subscribed_at.as_ref());
    let mut ours = ours(facts, region);
    let wanted = &cfg.settings.securityhub.standards;
    // Standards that cannot be read are not enabled blind: the plan says so instead.
    let missing: Vec<String> = if hub.standards_unread.is_some() {
        Vec::new()
    } else {
        wanted
            .iter()
            .filter(|s| !hub.standards.contains(s))
            .cloned()
            .collect()
    };
    let adopted: Vec<&str> = hub
        .standards
        .iter()
        .filter(|s| !ours.standards.contains(s))
        .map(|s| probe::short_name(s))
        .collect();
    let mut reason = Vec::new();
    match (hub.subscribed_at.is_some(), create) {
        (false, _) => reason.push("hub created by awsmon".to_string()),
        (true, true) => reason.push("hub created by awsmon earlier".to_string()),
        (true, false) => reason.push(if adopted.is_empty() {
            "adopt the existing hub".to_string()
        } else {
            format!("adopt the existing hub with {}", adopted.join(", "))
        }),
    }
    if let Some(why) = &hub.standards_unread {
        reason.push(format!("standards not read ({why}), none enabled"));
    }
    if hub.subscribed_at.is_none() || !missing.is_empty() {
        p.steps.push(Step::EnableSecurityHub {
            region: region.to_string(),
            hub: hub.subscribed_at.is_none(),
            standards: missing.clone(),
        });
    }
    if !missing.is_empty() {
        let names: Vec<&str> = missing.iter().map(|s| probe::short_name(s)).collect();
        reason.push(format!("standards enabled by awsmon: {}", names.join(", ")));
        for s in missing {
            if !ours.standards.contains(&s) {
                ours.standards.push(s);
            }
        }
    }
    p.steps.push(stack(
        cfg,
        facts,
        region,
        naming::service_stack(cfg, Service::SecurityHub),
        templates::SECURITYHUB,
        vec![
            ("Prefix", cfg.prefix_service_name.clone()),
            ("HubEventBusArn", forward_to(cfg, facts, region)),
            ("CreatedHub", create.to_string()),
            ("EnabledStandards", ours.standards.join(",")),
        ],
        with_forwarding(cfg, region, &reason.join("; ")),
    ));
}

/// The planner's `EnableSecurityHub` step: the hub (without AWS's default standards, so only
/// the chosen ones run), then the missing standards.
pub async fn enable(
    aws: &Aws,
    region: &str,
    hub: bool,
    standards: &[String],
) -> Result<String, AwsError> {
    let client = aws.securityhub(region);
    let mut done = Vec::new();
    if hub {
        client
            .enable_security_hub()
            .enable_default_standards(false)
            .control_finding_generator(
                aws_sdk_securityhub::types::ControlFindingGenerator::SecurityControl,
            )
            .send()
            .await
            .map_err(|e| AwsError::classify("securityhub:EnableSecurityHub", &e))?;
        done.push("hub enabled".to_string());
    }
    if !standards.is_empty() {
        let partition = crate::regions::partition(region).unwrap_or("aws");
        let requests = standards
            .iter()
            .filter_map(|name| SECURITYHUB_STANDARDS.iter().find(|s| s.name == name))
            .map(|s| {
                aws_sdk_securityhub::types::StandardsSubscriptionRequest::builder()
                    .standards_arn(probe::arn(s, partition, region))
                    .build()
            })
            .collect::<Vec<_>>();
        client
            .batch_enable_standards()
            .set_standards_subscription_requests(Some(requests))
            .send()
            .await
            .map_err(|e| AwsError::classify("securityhub:BatchEnableStandards", &e))?;
        let names: Vec<&str> = standards.iter().map(|s| probe::short_name(s)).collect();
        done.push(format!("standards {} enabled", names.join(", ")));
    }
    Ok(done.join("; "))
}

/// The `DisableSecurityHub` step (--delete-service-data). With no `standards`: the hub awsmon
/// created, and only if it was subscribed no later than awsmon's spoke last changed (a hub
/// turned off and on again by someone else since is theirs). With `standards`: only those
/// subscriptions, on a hub awsmon adopted.
pub async fn disable(
    aws: &Aws,
    region: &str,
    standards: &[String],
    spoke_changed_at: &str,
) -> Result<String, AwsError> {
    let client = aws.securityhub(region);
    let Some(subscribed) = probe::subscribed_at(aws, region).await? else {
        return Ok("already off".into());
    };
    if standards.is_empty() {
        if !super::made_before(&subscribed, spoke_changed_at) {
            return Err(AwsError::other(
                "securityhub:DisableSecurityHub",
                format!(
                    "the hub was subscribed at {subscribed}, after awsmon's spoke last changed ({}); it is not the hub awsmon created, so it is left on",
                    if spoke_changed_at.is_empty() {
                        "unknown"
                    } else {
                        spoke_changed_at
                    }
                ),
            ));
        }
        client
            .disable_security_hub()
            .send()
            .await
            .map_err(|e| AwsError::classify("securityhub:DisableSecurityHub", &e))?;
        return Ok("hub disabled".into());
    }
    // Only the subscriptions awsmon recorded, by the ARNs Security Hub gives them now.
    let arns: Vec<String> = probe::subscriptions(aws, region)
        .await?
        .into_iter()
        .filter(|(name, _)| standards.iter().any(|s| s == name))
        .map(|(_, arn)| arn)
        .collect();
    if arns.is_empty() {
        return Ok("the standards awsmon enabled are already off".into());
    }
    client
        .batch_disable_standards()
        .set_standards_subscription_arns(Some(arns))
        .send()
        .await
        .map_err(|e| AwsError::classify("securityhub:BatchDisableStandards", &e))?;
    let names: Vec<&str> = standards.iter().map(|s| probe::short_name(s)).collect();
    Ok(format!("standards {} disabled", names.join(", ")))
}
