//! GuardDuty: a detector per region (created by awsmon or adopted), its findings forwarded to
//! the hub.

pub mod org;
pub mod probe;
pub mod recent;

use futures::future::BoxFuture;
use serde_json::Value;

use super::{AccountList, Cx, FactsPatch, Off, OrgAnswer, OrgCx, Planning, Service, ServiceOps};
use crate::aws::{Aws, AwsError};
use crate::config::Config;
use crate::deploy::facts::{Facts, stack_resource};
use crate::deploy::plan::{Plan, Step};
use crate::deploy::planner::{creates, forward_to, short, stack, with_forwarding};
use crate::deploy::templates;
use crate::inventory::ServiceStatus;
use crate::naming;

pub struct GuardDuty;

impl ServiceOps for GuardDuty {
    fn probe_action(&self) -> &'static str {
        "guardduty:ListDetectors"
    }

    fn probe<'a>(
        &'a self,
        cx: Cx<'a>,
        region: &'a str,
    ) -> BoxFuture<'a, Result<ServiceStatus, AwsError>> {
        Box::pin(probe::status(cx.aws, region))
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
        Box::pin(org::members(cx, region, accounts))
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
        spoke: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Option<FactsPatch>, AwsError>> {
        Box::pin(async move {
            let detectors = probe::detector_ids(cx.aws, region).await?;
            let suspended = match detectors.first() {
                Some(id) if !probe::is_enabled(cx.aws, region, id).await? => Some(id.clone()),
                _ => None,
            };
            let created = match spoke {
                Some(spoke) => stack_resource(cx.aws, region, spoke, "Detector").await,
                None => None,
            };
            let region = region.to_string();
            let patch: FactsPatch = Box::new(move |f: &mut Facts| {
                f.detectors.insert(region.clone(), detectors);
                if let Some(id) = suspended {
                    f.suspended_detectors.insert(region.clone(), id);
                }
                if let Some(d) = created {
                    f.spoke_detectors.insert(region, d);
                }
            });
            Ok(Some(patch))
        })
    }

    fn on_steps(&self, at: Planning<'_>, p: &mut Plan) {
        for region in at.regions {
            p.steps.push(spoke(at.cfg, at.facts, region));
            // Turning GuardDuty on means finding: a suspended detector (adopted, or awsmon's
            // suspended by hand) is resumed after the stack, as a stopped recorder is started.
            if let Some(id) = at.facts.suspended_detectors.get(region) {
                p.steps.push(Step::ResumeDetector {
                    region: region.clone(),
                    detector_id: id.clone(),
                });
            }
        }
    }

    fn off_steps(&self, _cfg: &Config, facts: &Facts, region: &str) -> Off {
        let created =
            facts.spoke_param(region, Service::GuardDuty, "CreateDetector") == Some("true");
        Off {
            reason: if created {
                "remove awsmon's wiring; the detector it created is kept (its findings history)"
            } else {
                "remove awsmon's wiring; the adopted detector is not touched"
            }
            .to_string(),
            data_step: facts
                .spoke_detectors
                .get(region)
                .filter(|_| created)
                .map(|id| Step::DeleteDetector {
                    region: region.to_string(),
                    detector_id: id.clone(),
                }),
        }
    }
}

fn spoke(cfg: &Config, facts: &Facts, region: &str) -> Step {
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

/// The `ResumeDetector` step: a suspended detector finds again.
pub async fn resume_detector(
    aws: &Aws,
    region: &str,
    detector_id: &str,
) -> Result<String, AwsError> {
    aws.guardduty(region)
        .update_detector()
        .detector_id(detector_id)
        .enable(true)
        .send()
        .await
        .map_err(|e| AwsError::classify("guardduty:UpdateDetector", &e))?;
    Ok("resumed".into())
}

/// The `DeleteDetector` step (--delete-service-data): the detector awsmon's spoke created.
pub async fn delete_detector(
    aws: &Aws,
    region: &str,
    detector_id: &str,
) -> Result<String, AwsError> {
    aws.guardduty(region)
        .delete_detector()
        .detector_id(detector_id)
        .send()
        .await
        .map_err(|e| AwsError::classify("guardduty:DeleteDetector", &e))?;
    Ok("deleted".into())
}
