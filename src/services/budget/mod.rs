//! The budget: a monthly COST budget of BUDGET_LIMIT USD, its alerts sent to the hub's topic.
//! Account-wide, deployed in the home region.

pub mod probe;
pub mod recent;

use futures::future::BoxFuture;
use serde_json::Value;

use super::{Cx, FactsPatch, Off, Planning, Service, ServiceOps};
use crate::aws::AwsError;
use crate::config::Config;
use crate::deploy::facts::Facts;
use crate::deploy::plan::Plan;
use crate::deploy::planner::{exists, stack};
use crate::deploy::templates;
use crate::inventory::ServiceStatus;
use crate::naming;

pub struct Budget;

impl ServiceOps for Budget {
    fn probe_action(&self) -> &'static str {
        "budgets:DescribeBudget"
    }

    fn probe<'a>(
        &'a self,
        cx: Cx<'a>,
        _region: &'a str,
    ) -> BoxFuture<'a, Result<ServiceStatus, AwsError>> {
        Box::pin(
            async move { probe::status(cx.aws, cx.account, &naming::budget_name(cx.cfg)).await },
        )
    }

    fn recent<'a>(
        &'a self,
        cx: Cx<'a>,
        _region: &'a str,
        _since_ms: i64,
    ) -> BoxFuture<'a, Result<Vec<Value>, AwsError>> {
        Box::pin(recent::events(cx.aws, cx.cfg, cx.account))
    }

    /// Whether a budget with awsmon's name exists (read once, with the home region's facts).
    fn region_facts<'a>(
        &'a self,
        cx: Cx<'a>,
        region: &'a str,
        _spoke: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Option<FactsPatch>, AwsError>> {
        Box::pin(async move {
            if region != cx.cfg.home_region() {
                return Ok(None);
            }
            let found = probe::describe(cx.aws, cx.account, &naming::budget_name(cx.cfg))
                .await?
                .is_some();
            let patch: FactsPatch = Box::new(move |f: &mut Facts| f.budget_exists = found);
            Ok(Some(patch))
        })
    }

    fn on_steps(&self, at: Planning<'_>, p: &mut Plan) {
        let (cfg, facts) = (at.cfg, at.facts);
        let name = naming::budget_name(cfg);
        let stack_name = naming::service_stack(cfg, Service::Budget);
        let home = cfg.home_region();
        let Some(limit) = cfg.budget_limit else {
            let why = "BUDGET_LIMIT is not set in config.yml (the monthly limit in USD)";
            if at.optional {
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
        // An existing budget is updated, and the plan says from what.
        let what = match facts.spoke_param(home, Service::Budget, "LimitUsd") {
            Some(old) if exists(facts, home, &stack_name) => {
                let limit_text = limit.to_string();
                let change = if old == limit_text {
                    format!("{limit} USD")
                } else {
                    format!("{old} → {limit} USD")
                };
                format!("update budget {name}: {change} for {filters}")
            }
            _ => format!("monthly COST budget {name} of {limit} USD for {filters}"),
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
            format!("{what}; alerts: forecast above {threshold} %, actual above 100 %"),
        ));
    }

    fn off_steps(&self, _cfg: &Config, _facts: &Facts, _region: &str) -> Off {
        Off {
            reason: "delete the budget and its alerts".to_string(),
            data_step: None,
        }
    }
}
