//! Carrying out a plan: the home region's steps in order, then every spoke at once (bounded).
//! A failing region is reported and the others carry on.

use std::sync::Arc;

use aws_sdk_ssm::types::ParameterType;
use tokio::sync::Semaphore;
use tokio::sync::mpsc::UnboundedSender;

use super::artifact::Artifact;
use super::plan::{Plan, Step};
use super::stack_ops::{self, Applied, Progress, Waiting};
use crate::aws::{Aws, AwsError};
use crate::config::Config;

/// How one step ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepOutcome {
    pub step: String,
    pub region: String,
    /// What happened ("created", "unchanged"…) or why it failed.
    pub result: Result<String, String>,
}

#[derive(Debug, Clone, Default)]
pub struct Report {
    pub outcomes: Vec<StepOutcome>,
}

impl Report {
    pub fn failures(&self) -> Vec<&StepOutcome> {
        self.outcomes.iter().filter(|o| o.result.is_err()).collect()
    }
}

fn applied(a: Applied) -> String {
    match a {
        Applied::Created => "created",
        Applied::Updated => "updated",
        Applied::Unchanged => "unchanged",
        Applied::Deleted => "deleted",
        Applied::Absent => "absent",
    }
    .to_string()
}

async fn run_step(
    aws: &Aws,
    cfg: &Config,
    step: &Step,
    artifact: &Artifact,
    waiting: Waiting,
    progress: &UnboundedSender<Progress>,
) -> Result<String, String> {
    match step {
        Step::Stack { spec, .. } => stack_ops::apply(aws, spec, waiting, progress)
            .await
            .map(applied)
            .map_err(|e| e.message),
        Step::UploadArtifact {
            region,
            bucket,
            key,
        } => {
            aws.s3(region)
                .put_object()
                .bucket(bucket)
                .key(key)
                .content_type("application/zip")
                .body(aws_sdk_s3::primitives::ByteStream::from(
                    artifact.bytes.to_vec(),
                ))
                .send()
                .await
                .map_err(|e| AwsError::classify("s3:PutObject", &e).to_string())?;
            Ok(format!("uploaded {} bytes", artifact.bytes.len()))
        }
        Step::WriteRouting { region, parameter } => {
            let value = serde_json::to_string(&cfg.settings).map_err(|e| e.to_string())?;
            let ssm = aws.ssm(region);
            // Unchanged routing is not rewritten (and never logged: it holds webhook URLs).
            let current = ssm
                .get_parameter()
                .name(parameter)
                .with_decryption(true)
                .send()
                .await
                .ok();
            if current
                .as_ref()
                .and_then(|c| c.parameter())
                .and_then(|p| p.value())
                == Some(value.as_str())
            {
                return Ok("unchanged".into());
            }
            ssm.put_parameter()
                .name(parameter)
                .value(value)
                .r#type(ParameterType::SecureString)
                .overwrite(true)
                .description("awsmon notifier routing (webhook URLs); written by awsmon-tui")
                .send()
                .await
                .map_err(|e| AwsError::classify("ssm:PutParameter", &e).to_string())?;
            Ok("written".into())
        }
    }
}

/// Runs the plan. Steps in the home region run first, in order, and stop at the first
/// failure (spokes then report that the hub is missing); other regions run concurrently.
pub async fn execute(
    aws: &Aws,
    cfg: &Config,
    plan: &Plan,
    artifact: &Artifact,
    waiting: Waiting,
    concurrency: usize,
    progress: UnboundedSender<Progress>,
) -> Report {
    let mut report = Report::default();
    let (hub_steps, spoke_steps): (Vec<&Step>, Vec<&Step>) =
        plan.steps.iter().partition(|s| s.is_hub());
    let mut hub_ok = true;
    for step in hub_steps {
        let result = if hub_ok {
            run_step(aws, cfg, step, artifact, waiting, &progress).await
        } else {
            Err("skipped: an earlier hub step failed".into())
        };
        hub_ok &= result.is_ok();
        report.outcomes.push(StepOutcome {
            step: step.to_string(),
            region: step.region().to_string(),
            result,
        });
    }
    let limit = Arc::new(Semaphore::new(concurrency.max(1)));
    let runs = spoke_steps.into_iter().map(|step| {
        let (limit, progress) = (limit.clone(), progress.clone());
        async move {
            let _permit = limit.acquire().await;
            let result = if hub_ok {
                run_step(aws, cfg, step, artifact, waiting, &progress).await
            } else {
                Err("skipped: the hub could not be deployed".into())
            };
            StepOutcome {
                step: step.to_string(),
                region: step.region().to_string(),
                result,
            }
        }
    });
    report
        .outcomes
        .extend(futures::future::join_all(runs).await);
    report
}
