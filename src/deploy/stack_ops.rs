//! Creating, updating and deleting one CloudFormation stack, waiting for it and reporting
//! each resource event as progress. "No updates" is success; a stack left in
//! ROLLBACK_COMPLETE is deleted and recreated; a stack already in progress is waited for, not
//! clobbered. Giving up on waiting never cancels CloudFormation.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use aws_sdk_cloudformation::types::{Capability, Parameter, Tag};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use tokio::sync::mpsc::UnboundedSender;

use super::engine::StepError;
use super::plan::StepKey;
use super::templates::Template;
use crate::aws::{Aws, AwsError};

/// What to deploy where.
#[derive(Debug, Clone)]
pub struct StackSpec {
    pub region: String,
    pub name: String,
    pub template: Template,
    pub parameters: Vec<(String, String)>,
    /// STACK_TAGS, on every stack.
    pub tags: Vec<(String, String)>,
}

/// Progress for the caller (CLI lines, the TUI's jobs pane).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    Resource {
        region: String,
        stack: String,
        resource: String,
        status: String,
        reason: Option<String>,
    },
    Note {
        region: String,
        stack: String,
        text: String,
    },
    /// A plan step began (so an interruption can say what was cut off).
    Started {
        key: StepKey,
        region: String,
        step: String,
    },
    /// A plan step finished (the engine's, not CloudFormation's).
    Step {
        key: StepKey,
        region: String,
        step: String,
        result: Result<String, StepError>,
    },
}

/// One step's outcome as people read it: `ok      <step> — <result>` or `FAILED  <step> — <why>`.
pub fn outcome_line(step: &str, result: &Result<String, StepError>) -> String {
    match result {
        Ok(what) => format!("ok      {step} — {what}"),
        Err(why) => format!("FAILED  {step} — {why}"),
    }
}

impl std::fmt::Display for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Progress::Resource {
                region,
                stack,
                resource,
                status,
                reason,
            } => {
                write!(f, "{region} {stack}: {resource} {status}")?;
                match reason {
                    Some(r) => write!(f, " ({r})"),
                    None => Ok(()),
                }
            }
            Progress::Note {
                region,
                stack,
                text,
            } => write!(f, "{region} {stack}: {text}"),
            Progress::Step { step, result, .. } => f.write_str(&outcome_line(step, result)),
            Progress::Started { step, .. } => write!(f, "started {step}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    Created,
    Updated,
    Unchanged,
    Deleted,
    /// Deleting a stack that did not exist.
    Absent,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackError {
    pub region: String,
    pub stack: String,
    pub message: String,
}

impl std::fmt::Display for StackError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} in {}: {}", self.stack, self.region, self.message)
    }
}

impl std::error::Error for StackError {}

/// How long to wait, and how often to look.
#[derive(Debug, Clone, Copy)]
pub struct Waiting {
    pub timeout: Duration,
    pub poll: Duration,
}

impl Default for Waiting {
    fn default() -> Self {
        Waiting {
            timeout: Duration::from_mins(30),
            poll: Duration::from_secs(3),
        }
    }
}

struct Ctx<'a> {
    aws: &'a Aws,
    region: &'a str,
    stack: &'a str,
    progress: &'a UnboundedSender<Progress>,
    waiting: Waiting,
}

impl Ctx<'_> {
    fn err(&self, message: impl Into<String>) -> StackError {
        StackError {
            region: self.region.to_string(),
            stack: self.stack.to_string(),
            message: message.into(),
        }
    }

    fn note(&self, text: impl Into<String>) {
        let _ = self.progress.send(Progress::Note {
            region: self.region.to_string(),
            stack: self.stack.to_string(),
            text: text.into(),
        });
    }

    /// The stack's status, `None` when it does not exist.
    async fn status(&self) -> Result<Option<String>, StackError> {
        match self
            .aws
            .cloudformation(self.region)
            .describe_stacks()
            .stack_name(self.stack)
            .send()
            .await
        {
            Ok(out) => Ok(out
                .stacks()
                .first()
                .and_then(|s| s.stack_status())
                .map(|s| s.as_str().to_string())
                .filter(|s| s != "DELETE_COMPLETE")),
            Err(e) if e.message().is_some_and(|m| m.contains("does not exist")) => Ok(None),
            Err(e) => {
                Err(self.err(AwsError::classify("cloudformation:DescribeStacks", &e).to_string()))
            }
        }
    }

    /// Polls until the stack leaves `*_IN_PROGRESS`, reporting new events; returns the final
    /// status (`None` if it is gone).
    async fn wait(&self, seen: &mut HashSet<String>) -> Result<Option<String>, StackError> {
        let until = Instant::now() + self.waiting.timeout;
        loop {
            self.report_events(seen).await;
            let status = self.status().await?;
            match &status {
                Some(s) if s.ends_with("_IN_PROGRESS") => {
                    if Instant::now() >= until {
                        return Err(self.err(format!(
                            "still {s} after {} s; stopped waiting (CloudFormation carries on; `awsmon-tui status` shows where it got to)",
                            self.waiting.timeout.as_secs()
                        )));
                    }
                    tokio::time::sleep(self.waiting.poll).await;
                }
                _ => return Ok(status),
            }
        }
    }

    async fn report_events(&self, seen: &mut HashSet<String>) {
        let Ok(out) = self
            .aws
            .cloudformation(self.region)
            .describe_stack_events()
            .stack_name(self.stack)
            .send()
            .await
        else {
            return;
        };
        // Newest first from the API; report oldest first.
        for e in out.stack_events().iter().rev() {
            let Some(id) = e.event_id() else { continue };
            if !seen.insert(id.to_string()) {
                continue;
            }
            let _ = self.progress.send(Progress::Resource {
                region: self.region.to_string(),
                stack: self.stack.to_string(),
                resource: e.logical_resource_id().unwrap_or_default().to_string(),
                status: e
                    .resource_status()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
                reason: e.resource_status_reason().map(str::to_string),
            });
        }
    }

    /// The first resource that failed, with CloudFormation's reason.
    async fn first_failure(&self) -> Option<String> {
        let out = self
            .aws
            .cloudformation(self.region)
            .describe_stack_events()
            .stack_name(self.stack)
            .send()
            .await
            .ok()?;
        out.stack_events()
            .iter()
            .rev()
            .find(|e| {
                e.resource_status()
                    .is_some_and(|s| s.as_str().ends_with("_FAILED"))
                    && e.logical_resource_id() != Some(self.stack)
            })
            .map(|e| {
                format!(
                    "{} {}: {}",
                    e.logical_resource_id().unwrap_or("?"),
                    e.resource_status().map_or("", |s| s.as_str()),
                    e.resource_status_reason().unwrap_or("no reason given")
                )
            })
    }

    async fn delete_and_wait(&self, seen: &mut HashSet<String>) -> Result<(), StackError> {
        self.aws
            .cloudformation(self.region)
            .delete_stack()
            .stack_name(self.stack)
            .send()
            .await
            .map_err(|e| {
                self.err(AwsError::classify("cloudformation:DeleteStack", &e).to_string())
            })?;
        match self.wait(seen).await? {
            None => Ok(()),
            Some(s) => Err(self.err(format!("delete ended in {s}"))),
        }
    }
}

fn params(spec: &StackSpec) -> Vec<Parameter> {
    spec.parameters
        .iter()
        .map(|(k, v)| {
            Parameter::builder()
                .parameter_key(k)
                .parameter_value(v)
                .build()
        })
        .collect()
}

/// The tag that records what a stack was deployed with (see [`fingerprint`]).
pub const FINGERPRINT_TAG: &str = "awsmon:spec";

/// A short digest of the template, parameters and tags a stack is deployed with: the same
/// digest on the stack means a deploy would change nothing.
pub fn fingerprint(spec: &StackSpec) -> String {
    let mut text = String::from(spec.template.body);
    let mut params = spec.parameters.clone();
    params.sort();
    let mut tags = spec.tags.clone();
    tags.sort();
    for (k, v) in params
        .iter()
        .chain([(String::new(), String::new())].iter())
        .chain(&tags)
    {
        text.push('\0');
        text.push_str(k);
        text.push('=');
        text.push_str(v);
    }
    super::artifact::sha256_hex(text.as_bytes())[..16].to_string()
}

fn tags(spec: &StackSpec) -> Vec<Tag> {
    spec.tags
        .iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .chain(std::iter::once(
            Tag::builder()
                .key(FINGERPRINT_TAG)
                .value(fingerprint(spec))
                .build(),
        ))
        .collect()
}

/// Creates or updates the stack and waits for it.
pub async fn apply(
    aws: &Aws,
    spec: &StackSpec,
    waiting: Waiting,
    progress: &UnboundedSender<Progress>,
) -> Result<Applied, StackError> {
    let ctx = Ctx {
        aws,
        region: &spec.region,
        stack: &spec.name,
        progress,
        waiting,
    };
    let mut seen = HashSet::new();
    let mut status = ctx.status().await?;
    if status
        .as_deref()
        .is_some_and(|s| s.ends_with("_IN_PROGRESS"))
    {
        ctx.note("another operation is in progress; waiting for it to finish first");
        // Events before now belong to that operation, not ours.
        ctx.report_events(&mut seen).await;
        status = ctx.wait(&mut seen).await?;
    }
    if status.as_deref() == Some("ROLLBACK_COMPLETE") {
        ctx.note("the stack's creation failed earlier (ROLLBACK_COMPLETE); deleting it and creating it again");
        ctx.delete_and_wait(&mut seen).await?;
        status = None;
    }
    let cfn = aws.cloudformation(&spec.region);
    let creating = status.is_none();
    let sent = if creating {
        cfn.create_stack()
            .stack_name(&spec.name)
            .template_body(spec.template.body)
            .set_parameters(Some(params(spec)))
            .set_tags(Some(tags(spec)))
            .capabilities(Capability::CapabilityIam)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| AwsError::classify("cloudformation:CreateStack", &e))
    } else {
        ctx.report_events(&mut seen).await;
        let result = cfn
            .update_stack()
            .stack_name(&spec.name)
            .template_body(spec.template.body)
            .set_parameters(Some(params(spec)))
            .set_tags(Some(tags(spec)))
            .capabilities(Capability::CapabilityIam)
            .send()
            .await;
        match result {
            Err(e)
                if e.message()
                    .is_some_and(|m| m.contains("No updates are to be performed")) =>
            {
                return Ok(Applied::Unchanged);
            }
            other => other
                .map(|_| ())
                .map_err(|e| AwsError::classify("cloudformation:UpdateStack", &e)),
        }
    };
    sent.map_err(|e| ctx.err(e.to_string()))?;
    match ctx.wait(&mut seen).await?.as_deref() {
        Some("CREATE_COMPLETE") if creating => Ok(Applied::Created),
        Some("UPDATE_COMPLETE") if !creating => Ok(Applied::Updated),
        Some(other) => {
            let cause = ctx
                .first_failure()
                .await
                .unwrap_or_else(|| "no failed resource reported".to_string());
            Err(ctx.err(format!("ended in {other}; first failure: {cause}")))
        }
        None => Err(ctx.err("the stack disappeared while it was being deployed")),
    }
}

/// Deletes the stack and waits; a stack that does not exist is `Absent`.
pub async fn delete(
    aws: &Aws,
    region: &str,
    name: &str,
    waiting: Waiting,
    progress: &UnboundedSender<Progress>,
) -> Result<Applied, StackError> {
    let ctx = Ctx {
        aws,
        region,
        stack: name,
        progress,
        waiting,
    };
    let mut seen = HashSet::new();
    let status = ctx.status().await?;
    if status.is_none() {
        return Ok(Applied::Absent);
    }
    if status
        .as_deref()
        .is_some_and(|s| s.ends_with("_IN_PROGRESS"))
    {
        ctx.note("another operation is in progress; waiting for it to finish first");
        ctx.wait(&mut seen).await?;
    }
    ctx.report_events(&mut seen).await;
    ctx.delete_and_wait(&mut seen).await?;
    Ok(Applied::Deleted)
}
