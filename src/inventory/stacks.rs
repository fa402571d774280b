//! awsmon's CloudFormation stacks in one region (ListStacks, every page).

use std::collections::HashMap;

use aws_sdk_cloudformation::types::StackStatus;

use crate::aws::{Aws, AwsError};
use crate::config::Config;
use crate::naming;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stacks {
    /// Live stacks (not DELETE_COMPLETE) by name.
    pub by_name: HashMap<String, StackStatusSummary>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackStatusSummary {
    pub status: String,
    pub reason: Option<String>,
}

pub async fn list(aws: &Aws, region: &str) -> Result<Stacks, AwsError> {
    let live: Vec<StackStatus> = StackStatus::values()
        .iter()
        .filter(|s| **s != "DELETE_COMPLETE")
        .map(|s| StackStatus::from(*s))
        .collect();
    let mut pages = aws
        .cloudformation(region)
        .list_stacks()
        .set_stack_status_filter(Some(live))
        .into_paginator()
        .send();
    let mut out = Stacks::default();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::classify("cloudformation:ListStacks", &e))?;
        for summary in page.stack_summaries() {
            let (Some(name), Some(status)) = (summary.stack_name(), summary.stack_status()) else {
                continue;
            };
            if status.as_str() == "DELETE_COMPLETE" {
                continue;
            }
            out.by_name.insert(
                name.to_string(),
                StackStatusSummary {
                    status: status.as_str().to_string(),
                    reason: summary.stack_status_reason().map(str::to_string),
                },
            );
        }
    }
    Ok(out)
}

impl Stacks {
    pub fn exists(&self, name: &str) -> bool {
        self.by_name.contains_key(name)
    }

    /// The stack's resources are in place: created, updated, or an update rolled back to the
    /// previous, working template.
    pub fn is_ready(&self, name: &str) -> bool {
        self.by_name.get(name).is_some_and(|s| {
            matches!(
                s.status.as_str(),
                "CREATE_COMPLETE"
                    | "UPDATE_COMPLETE"
                    | "UPDATE_ROLLBACK_COMPLETE"
                    | "IMPORT_COMPLETE"
            )
        })
    }

    /// A note for a stack that exists but is not ready (in progress or failed).
    pub fn problem(&self, name: &str) -> Option<String> {
        let s = self.by_name.get(name)?;
        if self.is_ready(name) {
            None
        } else {
            Some(format!("stack {name} {}", s.status))
        }
    }
}

/// Whether awsmon's hub stack exists in the home region (whatever its state).
pub async fn hub_exists(aws: &Aws, cfg: &Config) -> Result<bool, AwsError> {
    Ok(list(aws, cfg.home_region())
        .await?
        .exists(&naming::hub_stack(cfg)))
}
