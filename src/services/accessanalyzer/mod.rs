//! IAM Access Analyzer: an external-access analyzer per region (zone of trust: the account,
//! or in org mode with ORG_AUTO_ENABLE the Organization, made by the delegated administrator:
//! [`org`]). An account may have one account analyzer per region, so an existing analyzer
//! (the account's or the Organization's) is adopted as it is; otherwise the planner creates
//! awsmon's with the API, tagged `awsmon=created`, then deploys the forwarding spoke, which
//! records the analyzer's name (`CreatedAnalyzer`). That is the only analyzer
//! --delete-service-data may delete, and only with awsmon's tag and a creation time no later
//! than the spoke's last change (one deleted and made again by someone else since is theirs).

pub mod org;
pub mod probe;
pub mod recent;

use aws_sdk_accessanalyzer::types::Type;
use futures::future::BoxFuture;
use serde_json::Value;

use super::{
    AccountList, Cx, FactsPatch, Off, OrgAnswer, OrgCx, Planning, Service, ServiceOps, made_before,
};
use crate::aws::{Aws, AwsError};
use crate::config::Config;
use crate::deploy::facts::Facts;
use crate::deploy::plan::{Plan, Step};
use crate::deploy::planner::{forward_to, stack, with_forwarding};
use crate::deploy::templates;
use crate::inventory::ServiceStatus;
use crate::naming;

pub use probe::Analyzer;

pub struct AccessAnalyzer;

/// When awsmon's spoke in `region` last changed (CloudFormation's record), RFC 3339.
fn spoke_changed_at(cfg: &Config, facts: &Facts, region: &str) -> String {
    facts
        .deployed
        .get(&(
            region.to_string(),
            naming::service_stack(cfg, Service::AccessAnalyzer),
        ))
        .and_then(|d| d.changed_at.clone())
        .unwrap_or_default()
}

/// The analyzer awsmon's spoke recorded, if it still exists and is the one awsmon created.
fn ours<'f>(cfg: &Config, facts: &'f Facts, region: &str) -> Option<&'f Analyzer> {
    let name = facts
        .spoke_param(region, Service::AccessAnalyzer, "CreatedAnalyzer")
        .filter(|n| !n.is_empty())?;
    let changed = spoke_changed_at(cfg, facts, region);
    facts
        .analyzers
        .get(region)?
        .iter()
        .find(|a| a.name == name && a.tagged_awsmon && made_before(&a.created_at, &changed))
}

impl ServiceOps for AccessAnalyzer {
    fn probe_action(&self) -> &'static str {
        "access-analyzer:ListAnalyzers"
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
        Box::pin(org::coverage(cx, region, accounts))
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
            let list = probe::analyzers(cx.aws, region).await?;
            let region = region.to_string();
            let patch: FactsPatch = Box::new(move |f: &mut Facts| {
                f.analyzers.insert(region, list);
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
        match ours(cfg, facts, region) {
            Some(a) => Off {
                reason: format!(
                    "remove awsmon's forwarding; the analyzer {} awsmon created stays (deleting it deletes its findings and archive rules)",
                    a.name
                ),
                data_step: Some(Step::DeleteAnalyzer {
                    region: region.to_string(),
                    name: a.name.clone(),
                    spoke_changed_at: spoke_changed_at(cfg, facts, region),
                }),
            },
            None => Off {
                reason: "remove awsmon's forwarding; the adopted analyzer is not touched"
                    .to_string(),
                data_step: None,
            },
        }
    }
}

fn spoke(cfg: &Config, facts: &Facts, region: &str, p: &mut Plan) {
    let existing = facts.analyzers.get(region).cloned().unwrap_or_default();
    let (created, reason) = if let Some(a) = ours(cfg, facts, region) {
        (
            a.name.clone(),
            format!("analyzer {} created by awsmon earlier", a.name),
        )
    } else if let Some(a) = existing.iter().find(|a| a.is_active()).or(existing.first()) {
        let mut reason = format!("adopt the existing {}", a.describe());
        if !a.is_active() {
            reason.push_str(&format!(
                " ({}: no findings until it is active)",
                a.status.to_lowercase()
            ));
        }
        (String::new(), reason)
    } else if cfg.org.enabled && cfg.org.auto_enable.is_some() {
        // An account analyzer beside the Organization's would report every other member's
        // access to this account as external: noise the organization zone exists to remove.
        (
            String::new(),
            "the Organization's analyzer (ORG_AUTO_ENABLE) covers this account; no account analyzer is made"
                .to_string(),
        )
    } else {
        let name = naming::analyzer(cfg);
        p.steps.push(Step::CreateAnalyzer {
            region: region.to_string(),
            name: name.clone(),
        });
        let reason = format!("analyzer {name} created by awsmon (zone of trust: the account)");
        (name, reason)
    };
    p.steps.push(stack(
        cfg,
        facts,
        region,
        naming::service_stack(cfg, Service::AccessAnalyzer),
        templates::ACCESS_ANALYZER,
        vec![
            ("Prefix", cfg.prefix_service_name.clone()),
            ("HubEventBusArn", forward_to(cfg, facts, region)),
            ("CreatedAnalyzer", created),
        ],
        with_forwarding(cfg, region, &reason),
    ));
}

/// The planner's `CreateAnalyzer` step: an external-access analyzer whose zone of trust is
/// the account, tagged as awsmon's.
pub async fn create(aws: &Aws, region: &str, name: &str) -> Result<String, AwsError> {
    create_analyzer(aws, region, name, Type::Account).await?;
    Ok(format!("analyzer {name} created"))
}

/// CreateAnalyzer for either zone of trust, tagged as awsmon's. Only one analyzer of a zone
/// is allowed per region: one made since the plan was drawn is named as the reason.
pub(crate) async fn create_analyzer(
    aws: &Aws,
    region: &str,
    name: &str,
    zone: Type,
) -> Result<(), AwsError> {
    const ACTION: &str = "access-analyzer:CreateAnalyzer";
    let what = if zone == Type::Organization {
        "an organization analyzer"
    } else {
        "an analyzer"
    };
    aws.accessanalyzer(region)
        .create_analyzer()
        .analyzer_name(name)
        .r#type(zone)
        .tags(probe::AWSMON_TAG.0, probe::AWSMON_TAG.1)
        .send()
        .await
        .map_err(|e| {
            let err = AwsError::classify(ACTION, &e);
            match err.code.as_deref() {
                Some("ServiceQuotaExceededException" | "ConflictException") => AwsError::other(
                    ACTION,
                    format!(
                        "{what} appeared in {region} since the plan was drawn ({}); deploy again to adopt it",
                        err.short()
                    ),
                ),
                _ => err,
            }
        })?;
    Ok(())
}

/// The `DeleteAnalyzer` step (--delete-service-data): the analyzer awsmon recorded, and only
/// if it carries awsmon's tag and was created no later than awsmon's spoke last changed.
pub async fn delete(
    aws: &Aws,
    region: &str,
    name: &str,
    spoke_changed_at: &str,
) -> Result<String, AwsError> {
    let Some(analyzer) = probe::analyzers(aws, region)
        .await?
        .into_iter()
        .find(|a| a.name == name)
    else {
        return Ok("already gone".into());
    };
    if !analyzer.tagged_awsmon {
        return Err(AwsError::other(
            "access-analyzer:DeleteAnalyzer",
            format!(
                "the analyzer {name} lacks awsmon's tag ({}={}); it is not the analyzer awsmon created, so it is left",
                probe::AWSMON_TAG.0,
                probe::AWSMON_TAG.1
            ),
        ));
    }
    if !made_before(&analyzer.created_at, spoke_changed_at) {
        return Err(AwsError::other(
            "access-analyzer:DeleteAnalyzer",
            format!(
                "the analyzer {name} was created at {}, after awsmon's spoke last changed ({}); it is not the analyzer awsmon created, so it is left",
                analyzer.created_at,
                if spoke_changed_at.is_empty() {
                    "unknown"
                } else {
                    spoke_changed_at
                }
            ),
        ));
    }
    aws.accessanalyzer(region)
        .delete_analyzer()
        .analyzer_name(name)
        .send()
        .await
        .map_err(|e| AwsError::classify("access-analyzer:DeleteAnalyzer", &e))?;
    Ok(format!("analyzer {name} deleted"))
}
