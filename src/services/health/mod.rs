//! AWS Health: always on, nothing to enable or delete. Its events about this account reach
//! the default bus of the region they concern; awsmon's spoke forwards them to the hub from
//! every region but the home one, where the hub's own rule sees them. Reading past events
//! (the findings screen) needs a Business, Enterprise On-Ramp or Enterprise support plan;
//! the events themselves do not.

pub mod recent;

use futures::future::BoxFuture;
use serde_json::Value;

use super::{Cx, Off, Planning, Service, ServiceOps};
use crate::aws::AwsError;
use crate::config::Config;
use crate::deploy::facts::Facts;
use crate::deploy::plan::Plan;
use crate::deploy::planner::{forward_to, stack, with_forwarding};
use crate::deploy::templates;
use crate::inventory::{ServiceStatus, State};
use crate::naming;

pub struct Health;

/// Where AWS Health puts its events about global services.
pub const GLOBAL_EVENTS_REGION: &str = "us-east-1";

impl ServiceOps for Health {
    fn probe_action(&self) -> &'static str {
        "health (no call)"
    }

    /// AWS Health cannot be turned off; what matters is awsmon's forwarding, which the
    /// matrix's managed and notifying marks show.
    fn probe<'a>(
        &'a self,
        _cx: Cx<'a>,
        _region: &'a str,
    ) -> BoxFuture<'a, Result<ServiceStatus, AwsError>> {
        Box::pin(async {
            Ok(ServiceStatus::new(
                State::Enabled,
                "always on: its events about this account need no support plan",
            ))
        })
    }

    fn recent<'a>(
        &'a self,
        cx: Cx<'a>,
        region: &'a str,
        since_ms: i64,
    ) -> BoxFuture<'a, Result<Vec<Value>, AwsError>> {
        Box::pin(recent::events(cx.aws, cx.cfg, region, cx.account, since_ms))
    }

    fn on_steps(&self, at: Planning<'_>, p: &mut Plan) {
        let (cfg, facts) = (at.cfg, at.facts);
        // Events about global services (IAM, billing) arrive in us-east-1 only.
        let mut regions: Vec<String> = at.regions.to_vec();
        if !regions.iter().any(|r| r == GLOBAL_EVENTS_REGION) {
            p.notes.push(format!(
                "AWS Health's spoke also goes to {GLOBAL_EVENTS_REGION}, where its events about global services (IAM, billing) arrive"
            ));
            regions.push(GLOBAL_EVENTS_REGION.to_string());
        }
        for region in &regions {
            p.steps.push(stack(
                cfg,
                facts,
                region,
                naming::service_stack(cfg, Service::Health),
                templates::HEALTH,
                vec![
                    ("Prefix", cfg.prefix_service_name.clone()),
                    ("HubEventBusArn", forward_to(cfg, facts, region)),
                ],
                with_forwarding(cfg, region, "AWS Health is always on"),
            ));
        }
    }

    fn off_steps(&self, _cfg: &Config, _facts: &Facts, _region: &str) -> Off {
        Off {
            reason: "remove awsmon's forwarding; AWS Health itself cannot be turned off"
                .to_string(),
            data_step: None,
        }
    }
}
