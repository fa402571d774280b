//! Carrying out a plan: the home region's steps in order, then every spoke at once (bounded).
//! A failing region is reported and the others carry on.

use std::sync::Arc;

use aws_sdk_ssm::types::ParameterType;
use tokio::sync::Semaphore;
use tokio::sync::mpsc::UnboundedSender;

use super::artifact::Artifact;
use super::plan::{Plan, Step, StepKey};
use super::stack_ops::{self, Applied, Progress, Waiting};
use crate::aws::{Aws, AwsError};
use crate::config::Config;

/// How one step ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepOutcome {
    /// Which step of the plan this is.
    pub key: StepKey,
    /// The step as people read it.
    pub step: String,
    pub region: String,
    /// What happened ("created", "unchanged"…) or why it did not.
    pub result: Result<String, StepError>,
}

/// Why a step did not succeed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    /// It ran and failed.
    #[error("{0}")]
    Failed(String),
    /// It never ran: an earlier step it depends on failed.
    #[error("skipped: {0}")]
    Skipped(String),
    /// It failed while waiting, and AWS could not be asked afterwards what became of it.
    #[error("unknown: {0}")]
    Unknown(String),
}

impl From<String> for StepError {
    fn from(why: String) -> Self {
        StepError::Failed(why)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Report {
    pub outcomes: Vec<StepOutcome>,
}

impl Report {
    pub fn failures(&self) -> Vec<&StepOutcome> {
        self.outcomes.iter().filter(|o| o.result.is_err()).collect()
    }

    /// The failures nobody can tell the end of (AWS could not be asked afterwards).
    pub fn unknown(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| matches!(o.result, Err(StepError::Unknown(_))))
            .count()
    }
}

/// After a run, each stack step that failed (not skipped) is looked at again: when AWS can be
/// read, the outcome is what it says (a stack that completed while the wait failed is a
/// success); when it cannot, the outcome says "unknown" rather than "failed".
pub async fn reconcile(aws: &Aws, plan: &Plan, report: &mut Report) {
    for outcome in &mut report.outcomes {
        let Err(StepError::Failed(why)) = &outcome.result else {
            continue;
        };
        let Some(step) = plan.steps.iter().find(|s| s.key() == outcome.key) else {
            continue;
        };
        let (Some(name), deleting) = (step.stack_name(), matches!(step, Step::DeleteStack { .. }))
        else {
            continue;
        };
        outcome.result = match crate::inventory::stacks::list(aws, step.region()).await {
            Err(read) => Err(StepError::Unknown(format!(
                "{why}; the stack could not be read afterwards either ({read})"
            ))),
            Ok(stacks) => match (
                stacks.by_name.get(name).map(|s| s.status.as_str()),
                deleting,
            ) {
                (None, true) => Ok(format!(
                    "deleted (CloudFormation says so; the wait failed: {why})"
                )),
                (Some(s @ ("CREATE_COMPLETE" | "UPDATE_COMPLETE")), false) => Ok(format!(
                    "{s} (CloudFormation says so; the wait failed: {why})"
                )),
                (Some(s), _) => Err(StepError::Failed(format!("{why}; the stack is now {s}"))),
                (None, false) => Err(StepError::Failed(format!(
                    "{why}; the stack does not exist"
                ))),
            },
        };
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
    artifact: Option<&Artifact>,
    waiting: Waiting,
    progress: &UnboundedSender<Progress>,
) -> Result<String, StepError> {
    match step {
        Step::Stack { spec, .. } => stack_ops::apply(aws, spec, waiting, progress)
            .await
            .map(applied)
            .map_err(|e| StepError::Failed(e.message)),
        Step::UploadArtifact {
            region,
            bucket,
            key,
            owner,
        } => {
            // Never an empty function: without a build there is nothing to upload.
            let artifact = artifact
                .filter(|a| a.origin != super::artifact::Origin::Unbuilt)
                .ok_or_else(|| super::artifact::ArtifactError::Missing.to_string())?;
            aws.s3(region)
                .put_object()
                .bucket(bucket)
                .expected_bucket_owner(owner)
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
            write_routing(aws, cfg, region, parameter, Expect::Any)
                .await
                .map(|(done, _)| done.to_string())
                .map_err(|e| StepError::Failed(e.to_string()))
        }
        Step::EnableInspector {
            region,
            account,
            types,
        } => crate::services::inspector::enable(aws, region, account, types)
            .await
            .map_err(|e| StepError::Failed(e.to_string())),
        Step::EnableSecurityHub {
            region,
            hub,
            standards,
        } => crate::services::securityhub::enable(aws, region, *hub, standards)
            .await
            .map_err(|e| StepError::Failed(e.to_string())),
        Step::DisableSecurityHub {
            region,
            standards,
            spoke_changed_at,
        } => crate::services::securityhub::disable(aws, region, standards, spoke_changed_at)
            .await
            .map_err(|e| StepError::Failed(e.to_string())),
        Step::CreateAnalyzer { region, name } => {
            crate::services::accessanalyzer::create(aws, region, name)
                .await
                .map_err(|e| StepError::Failed(e.to_string()))
        }
        Step::DeleteAnalyzer {
            region,
            name,
            spoke_changed_at,
        } => crate::services::accessanalyzer::delete(aws, region, name, spoke_changed_at)
            .await
            .map_err(|e| StepError::Failed(e.to_string())),
        Step::StartRecorder { region, name } => {
            crate::services::config::start_recorder(aws, region, name)
                .await
                .map_err(|e| StepError::Failed(e.to_string()))
        }
        Step::ResumeDetector {
            region,
            detector_id,
        } => crate::services::guardduty::resume_detector(aws, region, detector_id)
            .await
            .map_err(|e| StepError::Failed(e.to_string())),
        Step::DeleteStack { region, name, .. } => {
            stack_ops::delete(aws, region, name, waiting, progress)
                .await
                .map(applied)
                .map_err(|e| StepError::Failed(e.message))
        }
        Step::DeleteRouting { region, parameter } => {
            // The names pages it points at, read before it goes (none outside org mode).
            let pages = current_name_pages(aws, region, parameter).await;
            let deleted = match aws
                .ssm(region)
                .delete_parameter()
                .name(parameter)
                .send()
                .await
            {
                Ok(_) => "deleted",
                Err(e)
                    if e.as_service_error()
                        .is_some_and(aws_sdk_ssm::operation::delete_parameter::DeleteParameterError::is_parameter_not_found) =>
                {
                    "absent"
                }
                Err(e) => {
                    return Err(StepError::Failed(
                        AwsError::classify("ssm:DeleteParameter", &e).to_string(),
                    ));
                }
            };
            if pages == 0 {
                return Ok(deleted.into());
            }
            delete_name_pages(aws, region, parameter, 1..=pages)
                .await
                .map(|()| format!("{deleted}, with {pages} account-name pages"))
                .map_err(|e| StepError::Failed(e.to_string()))
        }
        Step::DeleteRecorder {
            region,
            recorder,
            channel,
        } => crate::services::config::delete_recorder(
            aws,
            region,
            recorder.as_deref(),
            channel.as_deref(),
        )
        .await
        .map_err(|e| StepError::Failed(e.to_string())),
        Step::DisableInspector {
            region,
            account,
            types,
        } => crate::services::inspector::disable(aws, region, account, types)
            .await
            .map_err(|e| StepError::Failed(e.to_string())),
        Step::DeleteDetector {
            region,
            detector_id,
        } => crate::services::guardduty::delete_detector(aws, region, detector_id)
            .await
            .map_err(|e| StepError::Failed(e.to_string())),
        Step::FailureQueue {
            region, discard, ..
        } => failure_queue(aws, cfg, region, *discard).await,
        Step::StackSet { spec, change, .. } => {
            let instances = Box::pin(super::stackset_ops::apply(
                aws, spec, *change, waiting, progress,
            ))
            .await
            .map_err(|e| StepError::Failed(e.to_string()))?;
            instances_outcome(&instances)
        }
        Step::DeleteStackSet {
            set,
            ous,
            accounts,
            retain,
            regions,
            delete_set,
            ..
        } => Box::pin(super::stackset_ops::delete(
            aws,
            set,
            (ous, accounts, retain),
            regions,
            *delete_set,
            waiting,
            progress,
        ))
        .await
        .map_err(|e| StepError::Failed(e.to_string())),
        Step::RetryStackInstances { spec, failed } => {
            let instances = Box::pin(super::stackset_ops::retry(
                aws, spec, failed, waiting, progress,
            ))
            .await
            .map_err(|e| StepError::Failed(e.to_string()))?;
            instances_outcome(&instances)
        }
        Step::RegisterDelegatedAdmin {
            region,
            service,
            account,
            ..
        } => Box::pin(crate::org::enable::register(aws, region, *service, account))
            .await
            .map_err(|e| StepError::Failed(e.to_string())),
        Step::OrgAutoEnable {
            region,
            service,
            via_role,
            mode,
            uncovered,
            was,
            ..
        } => Box::pin(crate::org::enable::auto_enable(
            aws,
            cfg,
            region,
            *service,
            via_role.as_deref(),
            crate::services::AutoEnableChange {
                mode: *mode,
                current: was.as_deref(),
                uncovered,
            },
        ))
        .await
        .map_err(|e| StepError::Failed(e.to_string())),
    }
}

/// A StackSet step's result: every instance current, or which failed and why (a deploy
/// again retries only those).
fn instances_outcome(instances: &[super::stackset_ops::Instance]) -> Result<String, StepError> {
    let failed: Vec<String> = instances
        .iter()
        .filter(|i| i.failed())
        .map(super::stackset_ops::Instance::line)
        .collect();
    if failed.is_empty() {
        Ok(format!(
            "{} current",
            crate::text::count(instances.len(), "instance", "instances")
        ))
    } else {
        Err(StepError::Failed(format!(
            "{} of {} failed: {}; deploying again retries only them",
            failed.len(),
            crate::text::count(instances.len(), "instance", "instances"),
            failed.join("; ")
        )))
    }
}

/// The last look before the hub's stack deletes the failure queue: empty, or discarded with
/// the user's second confirmation. Alerts that arrived since the plan stop the hub's removal.
async fn failure_queue(
    aws: &Aws,
    cfg: &Config,
    region: &str,
    discard: bool,
) -> Result<String, StepError> {
    let Some(url) = crate::notifier::failure_queue_url(aws, cfg)
        .await
        .map_err(|e| e.to_string())?
    else {
        return Ok("absent".into());
    };
    let now = crate::notifier::health::failure_queue_depth(aws, cfg)
        .await
        .map_err(|e| e.to_string())?
        .unwrap_or(0);
    if now == 0 {
        return Ok("empty".into());
    }
    if !discard {
        return Err(StepError::Failed(format!(
            "{} arrived in {}: replay them (`awsmon-tui notifier redrive`) or export them first; the notifier was not removed",
            crate::text::count(
                usize::try_from(now).unwrap_or(usize::MAX),
                "undelivered alert",
                "undelivered alerts"
            ),
            crate::naming::failure_queue(cfg)
        )));
    }
    aws.sqs(region)
        .purge_queue()
        .queue_url(url)
        .send()
        .await
        .map_err(|e| AwsError::classify("sqs:PurgeQueue", &e).to_string())?;
    Ok(format!(
        "discarded {}",
        crate::text::count(
            usize::try_from(now).unwrap_or(usize::MAX),
            "undelivered alert",
            "undelivered alerts"
        )
    ))
}

/// What a routing push expects to find: anything (a deploy, `routing push`, which read it just
/// now), or the version the console read (`None`: there was no parameter).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    Any,
    Version(Option<i64>),
}

/// What a routing write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoutingWrite {
    Written,
    /// The parameter already held this routing; it was not rewritten.
    Unchanged,
}

impl std::fmt::Display for RoutingWrite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RoutingWrite::Written => "written",
            RoutingWrite::Unchanged => "unchanged",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoutingError {
    /// Someone else wrote the parameter since it was read; nothing was written.
    Changed {
        read: Option<i64>,
        now: Option<i64>,
        by: Option<String>,
    },
    Aws(String),
    /// ROUTING_OVERRIDES cannot be written as meant (its OUs unreadable, or too big).
    Unresolved(String),
}

impl std::fmt::Display for RoutingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v = |x: &Option<i64>| x.map_or("none".to_string(), |n| format!("version {n}"));
        match self {
            RoutingError::Changed { read, now, by } => write!(
                f,
                "the routing parameter changed since it was read ({} then, {} now{}): nothing was pushed; rescan (ctrl-r) to read it again, then save to push",
                v(read),
                v(now),
                by.as_deref()
                    .map(|b| format!(", written by {b}"))
                    .unwrap_or_default()
            ),
            RoutingError::Aws(e) | RoutingError::Unresolved(e) => f.write_str(e),
        }
    }
}

impl std::error::Error for RoutingError {}

/// The routing parameter's current version (`None` when it does not exist).
pub async fn routing_version(
    aws: &Aws,
    region: &str,
    parameter: &str,
) -> Result<Option<i64>, AwsError> {
    match aws.ssm(region).get_parameter().name(parameter).send().await {
        Ok(out) => Ok(out.parameter().map(aws_sdk_ssm::types::Parameter::version)),
        Err(e)
            if e.as_service_error().is_some_and(
                aws_sdk_ssm::operation::get_parameter::GetParameterError::is_parameter_not_found,
            ) =>
        {
            Ok(None)
        }
        Err(e) => Err(AwsError::classify("ssm:GetParameter", &e)),
    }
}

/// The most an advanced-tier SSM parameter holds (standard: 4 KB).
const ADVANCED_PARAMETER_MAX: usize = 8192;

/// What the routing parameter holds for `cfg`: its routing and filters and, in org mode, the
/// Organization's account names and the accounts each OU entry of ROUTING_OVERRIDES covers
/// (read from Organizations on every write). Names past SSM's 8 KB are written beside it
/// ([`routing_values`]); an Organization that cannot be read leaves the names out, with a
/// warning in the log: messages then name accounts by id.
///
/// # Errors
/// When OU entries cannot be resolved (the Organization cannot be read), or the accounts they
/// cover do not fit in 8 KB: writing them unresolved would send those accounts' findings to
/// the usual routes, so nothing is written.
pub async fn routing_settings(
    aws: &Aws,
    cfg: &Config,
) -> Result<awsmon_notifier::Settings, String> {
    if !cfg.org.enabled {
        return Ok(crate::org::routing::without_org(&cfg.settings));
    }
    match crate::org::load(aws, cfg.home_region()).await {
        Ok(org) => {
            for target in crate::org::routing::unmatched(&cfg.settings, &org.accounts) {
                tracing::warn!(
                    target,
                    "ROUTING_OVERRIDES entry names no account or OU of the Organization"
                );
            }
            let settings = crate::org::routing::resolve(&cfg.settings, &org.accounts);
            // Refused here, so a deploy's plan is blocked up front, not at its routing step.
            routing_values(settings.clone())?;
            Ok(settings)
        }
        Err(e) if crate::org::routing::needs_tree(&cfg.settings) => Err(format!(
            "ROUTING_OVERRIDES has OU entries, and the Organization cannot be read to find the accounts below them ({e}): the routing parameter is left as it is"
        )),
        Err(e) => {
            tracing::warn!("account names left out of the routing parameter: {e}");
            Ok(cfg.settings.clone())
        }
    }
}

/// The most a standard-tier (free) parameter holds: the size of each account-names page.
const NAMES_PAGE_MAX: usize = 4096;

/// Account-names pages at most (the notifier reads no more).
pub const NAMES_PAGES_MAX: u32 = awsmon_notifier::settings::MAX_ACCOUNT_PAGES;

/// The routing as written: the routing parameter's value, and the account-names pages
/// ([`awsmon_notifier::settings::account_names_parameter`]) beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutingValues {
    pub main: String,
    pub pages: Vec<String>,
    /// The routing without names or pages: written when the pages cannot be, so names never
    /// hold up routing.
    pub bare: String,
}

/// `settings` as SSM can hold it: in one parameter while it fits in 8 KB; past that the
/// account names move to pages of up to 4 KB each (at most [`NAMES_PAGES_MAX`]; names past
/// those are left out, with a warning: messages then name those accounts by id).
///
/// # Errors
/// When the routing without the names is still past 8 KB (the accounts ROUTING_OVERRIDES' OU
/// entries cover are routing, never dropped to fit).
pub fn routing_values(mut settings: awsmon_notifier::Settings) -> Result<RoutingValues, String> {
    let json = |s: &awsmon_notifier::Settings| serde_json::to_string(s).map_err(|e| e.to_string());
    let whole = json(&settings)?;
    let bare = json(&awsmon_notifier::Settings {
        accounts: std::collections::BTreeMap::new(),
        ..settings.clone()
    })?;
    if whole.len() <= ADVANCED_PARAMETER_MAX {
        return Ok(RoutingValues {
            main: whole,
            pages: Vec::new(),
            bare,
        });
    }
    let mut pages: Vec<std::collections::BTreeMap<String, String>> = Vec::new();
    let mut page = std::collections::BTreeMap::new();
    // `{}` plus, per entry, `"id":"name"` and a comma.
    let mut size = 2;
    let mut left_out = 0;
    for (id, name) in std::mem::take(&mut settings.accounts) {
        let entry = serde_json::to_string(&id).map_or(0, |v| v.len())
            + serde_json::to_string(&name).map_or(0, |v| v.len())
            + 2;
        if size + entry > NAMES_PAGE_MAX {
            pages.push(std::mem::take(&mut page));
            size = 2;
        }
        if pages.len() == NAMES_PAGES_MAX as usize {
            left_out += 1;
            continue;
        }
        page.insert(id, name);
        size += entry;
    }
    if !page.is_empty() {
        pages.push(page);
    }
    if left_out > 0 {
        tracing::warn!(
            left_out,
            "account names left out of the routing: past {NAMES_PAGES_MAX} pages of 4 KB; messages name those accounts by id"
        );
    }
    settings.account_pages = u32::try_from(pages.len()).unwrap_or(NAMES_PAGES_MAX);
    let main = json(&settings)?;
    if main.len() > ADVANCED_PARAMETER_MAX {
        return Err(format!(
            "the routing with the accounts ROUTING_OVERRIDES' OU entries cover is {} bytes, past SSM's 8 KB for the parameter: it is left as it is (an entry on the root lists no accounts; fewer OU entries, or entries that set both a webhook and a floor, list fewer)",
            main.len()
        ));
    }
    Ok(RoutingValues {
        main,
        pages: pages
            .iter()
            .map(|p| serde_json::to_string(p).unwrap_or_default())
            .collect(),
        bare,
    })
}

/// The values of the account-names pages 1..=`count` beside `parameter` now (absent pages are
/// left out), decrypted.
pub async fn read_name_pages(
    aws: &Aws,
    region: &str,
    parameter: &str,
    count: u32,
) -> Result<std::collections::HashMap<String, String>, AwsError> {
    let names: Vec<String> = (1..=count)
        .map(|n| awsmon_notifier::settings::account_names_parameter(parameter, n))
        .collect();
    let mut values = std::collections::HashMap::new();
    for chunk in names.chunks(10) {
        let out = aws
            .ssm(region)
            .get_parameters()
            .set_names(Some(chunk.to_vec()))
            .with_decryption(true)
            .send()
            .await
            .map_err(|e| AwsError::classify("ssm:GetParameters", &e))?;
        for p in out.parameters() {
            if let (Some(name), Some(value)) = (p.name(), p.value()) {
                values.insert(name.to_string(), value.to_string());
            }
        }
    }
    Ok(values)
}

/// Deletes the account-names pages `pages` beside `parameter` (absent ones are no error).
async fn delete_name_pages(
    aws: &Aws,
    region: &str,
    parameter: &str,
    pages: std::ops::RangeInclusive<u32>,
) -> Result<(), AwsError> {
    let names: Vec<String> = pages
        .map(|n| awsmon_notifier::settings::account_names_parameter(parameter, n))
        .collect();
    for chunk in names.chunks(10) {
        aws.ssm(region)
            .delete_parameters()
            .set_names(Some(chunk.to_vec()))
            .send()
            .await
            .map_err(|e| AwsError::classify("ssm:DeleteParameters", &e))?;
    }
    Ok(())
}

/// Writes config.yml's routing to the SSM SecureString the notifier reads. Unchanged routing is
/// not rewritten, and the value is never logged: it holds webhook URLs. With
/// `Expect::Version`, a parameter someone else wrote since is left alone. Returns what was done
/// and the version now in place.
pub async fn write_routing(
    aws: &Aws,
    cfg: &Config,
    region: &str,
    parameter: &str,
    expect: Expect,
) -> Result<(RoutingWrite, Option<i64>), RoutingError> {
    let settings = routing_settings(aws, cfg)
        .await
        .map_err(RoutingError::Unresolved)?;
    let values = routing_values(settings).map_err(RoutingError::Unresolved)?;
    let value = values.main.clone();
    let ssm = aws.ssm(region);
    let current = match ssm
        .get_parameter()
        .name(parameter)
        .with_decryption(true)
        .send()
        .await
    {
        Ok(out) => out.parameter,
        Err(e)
            if e.as_service_error().is_some_and(
                aws_sdk_ssm::operation::get_parameter::GetParameterError::is_parameter_not_found,
            ) =>
        {
            None
        }
        Err(e) => {
            return Err(RoutingError::Aws(
                AwsError::classify("ssm:GetParameter", &e).to_string(),
            ));
        }
    };
    let now = current.as_ref().map(aws_sdk_ssm::types::Parameter::version);
    if let Expect::Version(read) = expect
        && read != now
    {
        let by = ssm
            .describe_parameters()
            .parameter_filters(
                aws_sdk_ssm::types::ParameterStringFilter::builder()
                    .key("Name")
                    .values(parameter)
                    .build()
                    .map_err(|e| RoutingError::Aws(e.to_string()))?,
            )
            .send()
            .await
            .ok()
            .and_then(|d| {
                d.parameters()
                    .first()
                    .and_then(|p| p.last_modified_user().map(str::to_string))
            });
        return Err(RoutingError::Changed { read, now, by });
    }
    // The names pages first, so a notifier that reads the new routing finds its pages.
    let pages_before = current.as_ref().and_then(|c| c.value()).map_or(0, pages_in);
    let (value, pages_now, pages_written) =
        match write_name_pages(aws, region, parameter, &values.pages).await {
            Ok(written) => (
                value,
                u32::try_from(values.pages.len()).unwrap_or(NAMES_PAGES_MAX),
                written,
            ),
            // Names only decorate messages: the routing is still written, without them.
            Err(e) => {
                tracing::warn!(
                    error = %e,
                    "account names not written beside the routing: messages name accounts by id"
                );
                (values.bare.clone(), 0, 0)
            }
        };
    if current.as_ref().and_then(|c| c.value()) == Some(value.as_str()) {
        return Ok((
            if pages_written > 0 {
                RoutingWrite::Written
            } else {
                RoutingWrite::Unchanged
            },
            now,
        ));
    }
    // Intelligent tiering: standard (free) up to 4 KB, advanced past it (org mode's account
    // names can take it there), and a later, smaller value is still accepted (a parameter
    // that is advanced cannot be written back as standard).
    let version = put_secure(
        aws,
        region,
        parameter,
        &value,
        aws_sdk_ssm::types::ParameterTier::IntelligentTiering,
        "awsmon notifier routing (webhook URLs); written by awsmon-tui",
    )
    .await
    .map_err(|e| RoutingError::Aws(e.to_string()))?;
    // Pages the new routing no longer names go once it no longer points at them. The routing
    // is written by then: a failure here is a warning, not the write's.
    if pages_before > pages_now
        && let Err(e) =
            delete_name_pages(aws, region, parameter, pages_now + 1..=pages_before).await
    {
        tracing::warn!(error = %e, "account-name pages the routing no longer uses were left");
    }
    Ok((RoutingWrite::Written, Some(version)))
}

/// How many account-names pages the routing parameter now points at (0 when it is absent or
/// unreadable).
async fn current_name_pages(aws: &Aws, region: &str, parameter: &str) -> u32 {
    aws.ssm(region)
        .get_parameter()
        .name(parameter)
        .with_decryption(true)
        .send()
        .await
        .ok()
        .and_then(|out| out.parameter)
        .and_then(|p| p.value)
        .map_or(0, |v| pages_in(&v))
}

/// Writes the account-names pages that differ from what SSM holds; returns how many were
/// written. Standard tier (free): each page is at most 4 KB.
async fn write_name_pages(
    aws: &Aws,
    region: &str,
    parameter: &str,
    pages: &[String],
) -> Result<usize, AwsError> {
    if pages.is_empty() {
        return Ok(0);
    }
    let count = u32::try_from(pages.len()).unwrap_or(NAMES_PAGES_MAX);
    let now = read_name_pages(aws, region, parameter, count).await?;
    let mut written = 0;
    for (n, value) in (1..=count).zip(pages) {
        let name = awsmon_notifier::settings::account_names_parameter(parameter, n);
        if now.get(&name) == Some(value) {
            continue;
        }
        put_secure(
            aws,
            region,
            &name,
            value,
            aws_sdk_ssm::types::ParameterTier::Standard,
            "awsmon notifier: account names beside the routing; written by awsmon-tui",
        )
        .await?;
        written += 1;
    }
    Ok(written)
}

/// Writes (overwrites) a SecureString parameter; returns its new version.
async fn put_secure(
    aws: &Aws,
    region: &str,
    name: &str,
    value: &str,
    tier: aws_sdk_ssm::types::ParameterTier,
    description: &str,
) -> Result<i64, AwsError> {
    aws.ssm(region)
        .put_parameter()
        .name(name)
        .value(value)
        .tier(tier)
        .r#type(ParameterType::SecureString)
        .overwrite(true)
        .description(description)
        .send()
        .await
        .map(|out| out.version())
        .map_err(|e| AwsError::classify("ssm:PutParameter", &e))
}

/// How many account-names pages a routing value points at (0 for one that cannot be read).
fn pages_in(value: &str) -> u32 {
    serde_json::from_str::<awsmon_notifier::Settings>(value)
        .map_or(0, |s| s.account_pages.min(NAMES_PAGES_MAX))
}

/// Runs the plan. Deploying, the hub's steps run first, in order, stopping at the first
/// failure (spokes then report that the hub is missing), and spokes follow concurrently.
/// Destroying, spokes go first, then the hub. A failing region never stops the others.
pub async fn execute(
    aws: &Aws,
    cfg: &Config,
    plan: &Plan,
    artifact: Option<&Artifact>,
    waiting: Waiting,
    concurrency: usize,
    progress: UnboundedSender<Progress>,
) -> Report {
    let mut report = Report::default();
    let (hub_steps, spoke_steps): (Vec<&Step>, Vec<&Step>) =
        plan.steps.iter().partition(|s| s.is_hub());
    let run = Runner {
        aws,
        cfg,
        artifact,
        waiting,
        progress: &progress,
    };
    if plan.spokes_first {
        report
            .outcomes
            .extend(run.by_region(&spoke_steps, concurrency, None).await);
        report.outcomes.extend(run.in_order(&hub_steps, None).await);
    } else {
        let hub = run.in_order(&hub_steps, None).await;
        let hub_ok = hub.iter().all(|o| o.result.is_ok());
        report.outcomes.extend(hub);
        let skip = (!hub_ok).then_some("the hub could not be deployed");
        report
            .outcomes
            .extend(run.by_region(&spoke_steps, concurrency, skip).await);
    }
    report
}

struct Runner<'a> {
    aws: &'a Aws,
    cfg: &'a Config,
    artifact: Option<&'a Artifact>,
    waiting: Waiting,
    progress: &'a UnboundedSender<Progress>,
}

impl Runner<'_> {
    async fn one(&self, step: &Step, skip: Option<&str>) -> StepOutcome {
        let result = match skip {
            None => {
                let _ = self.progress.send(Progress::Started {
                    key: step.key(),
                    region: step.region().to_string(),
                    step: step.to_string(),
                });
                run_step(
                    self.aws,
                    self.cfg,
                    step,
                    self.artifact,
                    self.waiting,
                    self.progress,
                )
                .await
            }
            Some(why) => Err(StepError::Skipped(why.to_string())),
        };
        let _ = self.progress.send(Progress::Step {
            key: step.key(),
            region: step.region().to_string(),
            step: step.to_string(),
            result: result.clone(),
        });
        StepOutcome {
            key: step.key(),
            step: step.to_string(),
            region: step.region().to_string(),
            result,
        }
    }

    /// Stops at the first failure; the rest are reported as skipped.
    async fn in_order(&self, steps: &[&Step], skip: Option<&str>) -> Vec<StepOutcome> {
        let mut out: Vec<StepOutcome> = Vec::new();
        for step in steps {
            let failed = out.iter().any(|o| o.result.is_err());
            let why = skip.or(failed.then_some("an earlier step in this region failed"));
            out.push(self.one(step, why).await);
        }
        out
    }

    /// Each region's steps in order; regions at once, at most `concurrency` at a time.
    async fn by_region(
        &self,
        steps: &[&Step],
        concurrency: usize,
        skip: Option<&str>,
    ) -> Vec<StepOutcome> {
        let mut groups: Vec<(&str, Vec<&Step>)> = Vec::new();
        for &step in steps {
            match groups.iter_mut().find(|(r, _)| *r == step.region()) {
                Some((_, g)) => g.push(step),
                None => groups.push((step.region(), vec![step])),
            }
        }
        let limit = Arc::new(Semaphore::new(concurrency.max(1)));
        let runs = groups.iter().map(|(_, group)| {
            let limit = limit.clone();
            async move {
                let _permit = limit.acquire().await;
                self.in_order(group, skip).await
            }
        });
        futures::future::join_all(runs)
            .await
            .into_iter()
            .flatten()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    /// Account names stay in the routing while it is within SSM's 8 KB; past that they move to
    /// 4 KB pages beside it, which read back to every name; past the pages' limit the rest are
    /// left out rather than the write failing.
    #[test]
    fn account_names_past_8_kb_move_to_pages_of_4_kb() {
        use awsmon_notifier::settings::{MinSeverity, RouteOverride};
        let names = |n: usize| {
            (0..n)
                .map(|i| (format!("{i:012}"), format!("workload-account-{i:04}")))
                .collect::<std::collections::BTreeMap<_, _>>()
        };
        let with = |n: usize| awsmon_notifier::Settings {
            accounts: names(n),
            ..awsmon_notifier::Settings::default()
        };
        let small = super::routing_values(with(50)).expect("fits");
        assert!(small.pages.is_empty());
        let read: awsmon_notifier::Settings = serde_json::from_str(&small.main).expect("json");
        assert_eq!(read.accounts.len(), 50);

        let big = super::routing_values(with(400)).expect("fits with pages");
        let main: awsmon_notifier::Settings = serde_json::from_str(&big.main).expect("json");
        assert!(main.accounts.is_empty());
        assert_eq!(main.account_pages as usize, big.pages.len());
        // Entries of 39 bytes (`"id":"name",`): 104 to a page.
        assert_eq!(big.pages.len(), 4);
        let mut merged = std::collections::BTreeMap::new();
        for page in &big.pages {
            assert!(page.len() <= super::NAMES_PAGE_MAX, "{}", page.len());
            merged.extend(
                serde_json::from_str::<std::collections::BTreeMap<String, String>>(page)
                    .expect("page"),
            );
        }
        assert_eq!(merged, names(400));

        // Past 40 pages: the first 40 pages' names are kept, the rest left out.
        let most = super::routing_values(with(5000)).expect("fits");
        assert_eq!(most.pages.len(), super::NAMES_PAGES_MAX as usize);
        let kept: usize = most
            .pages
            .iter()
            .map(|p| {
                serde_json::from_str::<std::collections::BTreeMap<String, String>>(p)
                    .expect("page")
                    .len()
            })
            .sum();
        assert_eq!(kept, 104 * 40);

        // An OU entry's accounts are routing: they are never dropped to fit, the write fails.
        let mut huge = with(400);
        huge.overrides.insert(
            "ou-ab12-prod0001".into(),
            RouteOverride {
                min_severity: Some(MinSeverity::High),
                accounts: names(700).into_keys().collect(),
                ..RouteOverride::default()
            },
        );
        let err = super::routing_values(huge).expect_err("too big");
        assert!(err.contains("past SSM's 8 KB"), "{err}");
    }
}
