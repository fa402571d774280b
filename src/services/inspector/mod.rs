//! Amazon Inspector (v2): no CloudFormation resource turns it on, so the planner enables the
//! missing resource types with the API, then deploys the forwarding spoke, which records the
//! types awsmon enabled (the only ones --delete-service-data may disable).

pub mod org;
pub mod probe;
pub mod recent;

use futures::future::BoxFuture;
use serde_json::Value;

use super::{AccountList, Cx, FactsPatch, Off, OrgAnswer, OrgCx, Planning, Service, ServiceOps};
use crate::aws::{Aws, AwsError};
use crate::config::Config;
use crate::deploy::facts::Facts;
use crate::deploy::plan::{Plan, Step};
use crate::deploy::planner::{forward_to, stack, with_forwarding};
use crate::deploy::templates;
use crate::inventory::ServiceStatus;
use crate::naming;

pub struct Inspector;

/// The types awsmon's spoke in `region` says awsmon enabled.
fn enabled_by_awsmon(facts: &Facts, region: &str) -> Vec<String> {
    facts
        .spoke_param(region, Service::Inspector, "EnabledTypes")
        .unwrap_or_default()
        .split(',')
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

impl ServiceOps for Inspector {
    fn probe_action(&self) -> &'static str {
        "inspector2:BatchGetAccountStatus"
    }

    fn probe<'a>(
        &'a self,
        cx: Cx<'a>,
        region: &'a str,
    ) -> BoxFuture<'a, Result<ServiceStatus, AwsError>> {
        let wanted = &cx.cfg.settings.inspector.resource_types;
        Box::pin(probe::status(cx.aws, region, cx.account, wanted))
    }

    fn org_admin(&self) -> Option<&dyn crate::services::OrgAdmin> {
        Some(&org::Admin)
    }

    fn org_probe<'a>(
        &'a self,
        cx: OrgCx<'a>,
        region: &'a str,
        accounts: AccountList,
    ) -> BoxFuture<'a, Result<Option<OrgAnswer>, AwsError>> {
        Box::pin(org::accounts(cx, region, accounts))
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
            let on = probe::enabled_types(cx.aws, region, cx.account).await?;
            let region = region.to_string();
            let patch: FactsPatch = Box::new(move |f: &mut Facts| {
                f.inspector.insert(region, on);
            });
            Ok(Some(patch))
        })
    }

    fn on_steps(&self, at: Planning<'_>, p: &mut Plan) {
        for region in at.regions {
            spoke(at.cfg, at.facts, region, p);
        }
    }

    fn off_steps(&self, _cfg: &Config, facts: &Facts, region: &str) -> Off {
        let types = enabled_by_awsmon(facts, region);
        Off {
            reason: if types.is_empty() {
                "remove awsmon's forwarding; Inspector was on before awsmon and stays on"
            } else {
                "remove awsmon's forwarding; Inspector stays on (deactivating deletes its findings)"
            }
            .to_string(),
            data_step: (!types.is_empty()).then(|| Step::DisableInspector {
                region: region.to_string(),
                account: facts.account.clone(),
                types,
            }),
        }
    }
}

fn spoke(cfg: &Config, facts: &Facts, region: &str, p: &mut Plan) {
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
    let mut ours = enabled_by_awsmon(facts, region);
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

fn scan_types(types: &[String]) -> Vec<aws_sdk_inspector2::types::ResourceScanType> {
    types
        .iter()
        .map(|t| aws_sdk_inspector2::types::ResourceScanType::from(t.as_str()))
        .collect()
}

/// The planner's `EnableInspector` step: Enable for these resource types.
pub async fn enable(
    aws: &Aws,
    region: &str,
    account: &str,
    types: &[String],
) -> Result<String, AwsError> {
    aws.inspector2(region)
        .enable()
        .account_ids(account)
        .set_resource_types(Some(scan_types(types)))
        .send()
        .await
        .map_err(|e| AwsError::classify("inspector2:Enable", &e))?;
    Ok(format!("enabled for {}", types.join(", ")))
}

/// The `DisableInspector` step (--delete-service-data): only the types awsmon enabled.
pub async fn disable(
    aws: &Aws,
    region: &str,
    account: &str,
    types: &[String],
) -> Result<String, AwsError> {
    aws.inspector2(region)
        .disable()
        .account_ids(account)
        .set_resource_types(Some(scan_types(types)))
        .send()
        .await
        .map_err(|e| AwsError::classify("inspector2:Disable", &e))?;
    Ok(format!("disabled for {}", types.join(", ")))
}
