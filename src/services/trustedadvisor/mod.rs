//! Trusted Advisor: account-wide; its events exist only in us-east-1, so its rule goes there
//! (straight to the notifier when the hub is there too, else forwarded to the hub).

pub mod probe;
pub mod recent;

use futures::future::BoxFuture;
use serde_json::Value;

use super::{Cx, Off, Planning, Service, ServiceOps};
use crate::aws::AwsError;
use crate::config::Config;
use crate::deploy::facts::Facts;
use crate::deploy::plan::Plan;
use crate::deploy::planner::stack;
use crate::deploy::templates;
use crate::inventory::ServiceStatus;
use crate::naming;
use crate::regions::TRUSTED_ADVISOR_REGION;

pub struct TrustedAdvisor;

impl ServiceOps for TrustedAdvisor {
    fn probe_action(&self) -> &'static str {
        "support:DescribeTrustedAdvisorChecks"
    }

    fn probe<'a>(
        &'a self,
        cx: Cx<'a>,
        _region: &'a str,
    ) -> BoxFuture<'a, Result<ServiceStatus, AwsError>> {
        Box::pin(probe::status(cx.aws))
    }

    /// Its results need a Business or Enterprise support plan; the rule is what awsmon adds.
    fn verify_after_deploy(&self) -> bool {
        false
    }

    fn recent<'a>(
        &'a self,
        cx: Cx<'a>,
        _region: &'a str,
        _since_ms: i64,
    ) -> BoxFuture<'a, Result<Vec<Value>, AwsError>> {
        Box::pin(recent::events(cx.aws, cx.account))
    }

    fn on_steps(&self, at: Planning<'_>, p: &mut Plan) {
        let (cfg, facts) = (at.cfg, at.facts);
        let here = cfg.home_region() == TRUSTED_ADVISOR_REGION;
        if !at.regions.iter().any(|r| r == TRUSTED_ADVISOR_REGION) {
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

    fn off_steps(&self, _cfg: &Config, _facts: &Facts, _region: &str) -> Off {
        Off {
            reason: "remove the Trusted Advisor rule".to_string(),
            data_step: None,
        }
    }
}
