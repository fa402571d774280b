//! After a deploy: ask each service's own API whether it really is on (a stack can complete
//! while the service is not, e.g. a recorder without a channel). Mismatches are warnings.

use awsmon_notifier::Service;

use super::engine::Report;
use super::plan::{Plan, Step};
use crate::aws::Aws;
use crate::config::Config;
use crate::inventory::State;
use crate::naming;
use crate::services::{self, Cx};

/// The (region, service) pairs whose spoke was deployed successfully.
pub fn deployed(cfg: &Config, plan: &Plan, report: &Report) -> Vec<(String, Service)> {
    plan.steps
        .iter()
        .filter_map(|step| {
            let Step::Stack { spec, .. } = step else {
                return None;
            };
            let service = Service::ALL
                .into_iter()
                .find(|&s| naming::service_stack(cfg, s) == spec.name)?;
            let ok = report
                .outcomes
                .iter()
                .any(|o| o.key == step.key() && o.result.is_ok());
            ok.then(|| (spec.region.clone(), service))
        })
        .collect()
}

/// One warning per service that is not on where it was just deployed.
pub async fn verify(
    aws: &Aws,
    cfg: &Config,
    account: &str,
    deployed: &[(String, Service)],
) -> Vec<String> {
    let checks = deployed.iter().map(|(region, service)| async move {
        let ops = services::ops(*service);
        if !ops.verify_after_deploy() {
            return None;
        }
        let cx = Cx { aws, cfg, account };
        let status = ops.probe(cx, region).await;
        match status {
            Ok(s) if s.state == State::Enabled => None,
            Ok(s) => Some(format!(
                "{region}: {} is not fully on after the deploy: {}",
                service.display_name(),
                s.detail
            )),
            Err(e) => Some(format!(
                "{region}: could not check {}: {e}",
                service.display_name()
            )),
        }
    });
    futures::future::join_all(checks)
        .await
        .into_iter()
        .flatten()
        .collect()
}
