//! AWS Config: one recorder and one delivery channel per region (created by awsmon or
//! adopted), global resource types recorded in the home region only.

pub mod org;
pub mod probe;
pub mod recent;

use futures::future::BoxFuture;
use serde_json::Value;

use super::{Cx, FactsPatch, Off, Planning, Service, ServiceOps};
use crate::aws::{Aws, AwsError};
use crate::config::Config;
use crate::deploy::facts::{Facts, stack_resource};
use crate::deploy::plan::{Plan, Step};
use crate::deploy::planner::{creates, forward_to, stack, with_forwarding};
use crate::deploy::templates;
use crate::inventory::ServiceStatus;
use crate::naming;

pub struct ConfigService;

impl ServiceOps for ConfigService {
    fn probe_action(&self) -> &'static str {
        "config:DescribeConfigurationRecorders"
    }

    fn probe<'a>(
        &'a self,
        cx: Cx<'a>,
        region: &'a str,
    ) -> BoxFuture<'a, Result<ServiceStatus, AwsError>> {
        // Three SDK futures joined are large; boxed, they stay off the stack.
        Box::pin(probe::status(cx.aws, region))
    }

    /// Through an aggregator, where the administrator has one: one listing for every
    /// account and region.
    fn org_probe<'a>(
        &'a self,
        cx: super::OrgCx<'a>,
        region: &'a str,
        accounts: super::AccountList,
    ) -> BoxFuture<'a, Result<Option<super::OrgAnswer>, AwsError>> {
        Box::pin(org::sources(cx, region, accounts))
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
            let now = probe::facts(cx.aws, region).await?;
            let made = match spoke {
                Some(spoke) => Some((
                    stack_resource(cx.aws, region, spoke, "Recorder").await,
                    stack_resource(cx.aws, region, spoke, "DeliveryChannel").await,
                )),
                None => None,
            };
            let region = region.to_string();
            let patch: FactsPatch = Box::new(move |f: &mut Facts| {
                f.config.insert(region.clone(), now);
                if let Some(made) = made {
                    f.spoke_config.insert(region, made);
                }
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
        let param = |k: &str| facts.spoke_param(region, Service::Config, k);
        let now = facts.config.get(region).cloned().unwrap_or_default();
        // Only what CloudFormation recorded as created by awsmon's stack, and only while the
        // region's recorder still is that one: never whatever recorder happens to be in the
        // region now.
        let (made_recorder, made_channel) =
            facts.spoke_config.get(region).cloned().unwrap_or_default();
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
        Off {
            reason: if ours {
                "remove awsmon's wiring; the recorder and channel it created are kept (configuration history)"
            } else {
                "remove awsmon's wiring; the adopted recorder is not touched"
            }
            .to_string(),
            data_step: ours.then(|| Step::DeleteRecorder {
                region: region.to_string(),
                recorder,
                channel,
            }),
        }
    }
}

fn spoke(cfg: &Config, facts: &Facts, region: &str, p: &mut Plan) {
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

/// The `StartRecorder` step: an adopted recorder that is stopped starts recording.
pub async fn start_recorder(aws: &Aws, region: &str, name: &str) -> Result<String, AwsError> {
    aws.configservice(region)
        .start_configuration_recorder()
        .configuration_recorder_name(name)
        .send()
        .await
        .map_err(|e| AwsError::classify("config:StartConfigurationRecorder", &e))?;
    Ok("recording".into())
}

/// The `DeleteRecorder` step (--delete-service-data): the recorder and channel awsmon created.
pub async fn delete_recorder(
    aws: &Aws,
    region: &str,
    recorder: Option<&str>,
    channel: Option<&str>,
) -> Result<String, AwsError> {
    let config = aws.configservice(region);
    if let Some(name) = recorder {
        // A recording recorder cannot be deleted.
        let _ = config
            .stop_configuration_recorder()
            .configuration_recorder_name(name)
            .send()
            .await;
        config
            .delete_configuration_recorder()
            .configuration_recorder_name(name)
            .send()
            .await
            .map_err(|e| AwsError::classify("config:DeleteConfigurationRecorder", &e))?;
    }
    if let Some(name) = channel {
        config
            .delete_delivery_channel()
            .delivery_channel_name(name)
            .send()
            .await
            .map_err(|e| AwsError::classify("config:DeleteDeliveryChannel", &e))?;
    }
    Ok("deleted".into())
}
