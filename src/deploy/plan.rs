//! What a deploy will change, computed before anything changes: an ordered list of steps, each
//! with its reason. The facts are gathered first (`gather`), then the planner decides (pure);
//! `draw_up` does both.

use std::fmt;
use std::str::FromStr;

use awsmon_notifier::Service;

use super::artifact::Artifact;
use super::stack_ops::StackSpec;
use super::templates;
use crate::aws::{Aws, AwsError};
use crate::config::Config;

pub use super::facts::{Facts, gather};
pub use super::planner::{plan, plan_destroy};

/// What is asked for: deploy with this notifier build, or turn off.
#[derive(Debug, Clone, Copy)]
pub enum Intent<'a> {
    Deploy(&'a Artifact),
    Destroy { delete_service_data: bool },
}

/// Reads what exists, then decides: the facts and the plan for `target` in `regions`.
pub async fn draw_up(
    aws: &Aws,
    cfg: &Config,
    target: Target,
    regions: &[String],
    intent: Intent<'_>,
) -> Result<(Facts, Plan), AwsError> {
    let zip = match intent {
        Intent::Deploy(zip) => Some(zip),
        Intent::Destroy { .. } => None,
    };
    let facts = gather(aws, cfg, target, regions, zip).await?;
    let plan = match intent {
        Intent::Deploy(zip) => plan(cfg, &facts, target, regions, zip),
        Intent::Destroy {
            delete_service_data,
        } => plan_destroy(cfg, &facts, target, regions, delete_service_data),
    };
    Ok((facts, plan))
}

/// What `deploy` or `destroy` was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Notifier,
    Service(Service),
    /// The notifier and every service.
    All,
}

impl Target {
    /// `All` as the notifier followed by every service; anything else as itself.
    pub fn expand(self) -> Vec<Target> {
        match self {
            Target::All => std::iter::once(Target::Notifier)
                .chain(Service::ALL.iter().map(|&s| Target::Service(s)))
                .collect(),
            other => vec![other],
        }
    }

    /// The services among `targets` (expanded).
    pub fn services(targets: &[Target]) -> Vec<Service> {
        targets
            .iter()
            .flat_map(|t| t.expand())
            .filter_map(|t| match t {
                Target::Service(s) => Some(s),
                _ => None,
            })
            .collect()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Target::Notifier => "notifier",
            Target::All => "all",
            Target::Service(s) => s.as_str(),
        }
    }
}

impl FromStr for Target {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("notifier") {
            return Ok(Target::Notifier);
        }
        if s.eq_ignore_ascii_case("all") {
            return Ok(Target::All);
        }
        s.parse::<Service>()
            .map(Target::Service)
            .map_err(|e| format!("{e}, notifier or all"))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StackAction {
    Create,
    /// CloudFormation decides whether anything changed; "no updates" is success.
    Update,
}

#[derive(Debug, Clone)]
pub enum Step {
    Stack {
        spec: StackSpec,
        action: StackAction,
        reason: String,
    },
    UploadArtifact {
        region: String,
        bucket: String,
        key: String,
        /// The account that must own the bucket: its name is predictable, so someone else
        /// could have made one by that name first.
        owner: String,
    },
    WriteRouting {
        region: String,
        parameter: String,
    },
    /// inspector2:Enable for the resource types that are not on yet.
    EnableInspector {
        region: String,
        account: String,
        types: Vec<String>,
    },
    /// Security Hub: the hub (when `hub`) and the standards not on yet.
    EnableSecurityHub {
        region: String,
        hub: bool,
        standards: Vec<String>,
    },
    /// IAM Access Analyzer: an account analyzer where the region has none.
    CreateAnalyzer {
        region: String,
        name: String,
    },
    /// An adopted recorder that exists but does not record.
    StartRecorder {
        region: String,
        name: String,
    },
    /// A detector that exists but is suspended.
    ResumeDetector {
        region: String,
        detector_id: String,
    },
    DeleteStack {
        region: String,
        name: String,
        reason: String,
    },
    DeleteRouting {
        region: String,
        parameter: String,
    },
    /// Destroys service data: only with `--delete-service-data`, only for what awsmon created.
    DeleteDetector {
        region: String,
        detector_id: String,
    },
    /// Destroys service data (Config's history stops; the bucket with past files is kept).
    DeleteRecorder {
        region: String,
        recorder: Option<String>,
        channel: Option<String>,
    },
    /// Destroys service data: Inspector deletes its findings when deactivated.
    DisableInspector {
        region: String,
        account: String,
        types: Vec<String>,
    },
    /// Destroys service data: with no `standards`, the hub awsmon created (its findings go),
    /// if it was subscribed no later than `spoke_changed_at`; else only these standards awsmon
    /// enabled on an adopted hub (their control findings are archived).
    DisableSecurityHub {
        region: String,
        standards: Vec<String>,
        spoke_changed_at: String,
    },
    /// Destroys service data: the analyzer awsmon created (its findings and archive rules go),
    /// if it carries awsmon's tag and was created no later than `spoke_changed_at`.
    DeleteAnalyzer {
        region: String,
        name: String,
        spoke_changed_at: String,
    },
    /// Org mode: member accounts' spokes as one service-managed StackSet.
    StackSet {
        spec: super::stackset_ops::StackSetSpec,
        change: super::stackset_ops::SetChange,
        reason: String,
    },
    /// Org mode, destroying: the StackSet's instances, then the StackSet.
    DeleteStackSet {
        set: super::stackset_ops::StackSetRef,
        ous: Vec<String>,
        /// Only these accounts of the OUs; empty: all of them.
        accounts: Vec<String>,
        /// Accounts whose instances a deletion skips (suspended) or cannot reach
        /// (INOPERABLE): removed from the StackSet keeping their stacks, the only way AWS
        /// allows, so the StackSet can go.
        retain: Vec<String>,
        regions: Vec<String>,
        instances: usize,
        /// The StackSet itself goes too (no region left).
        delete_set: bool,
    },
    /// Org mode: only the StackSet's instances that failed, again.
    RetryStackInstances {
        spec: super::stackset_ops::StackSetSpec,
        failed: Vec<super::stackset_ops::Instance>,
    },
    /// Org mode, from the management account: `account` becomes the service's delegated
    /// administrator in `region`.
    RegisterDelegatedAdmin {
        region: String,
        service: Service,
        account: String,
        /// Its name in the Organization, for the plan.
        name: String,
    },
    /// Org mode, from the delegated administrator: the organization's auto-enable, and with
    /// ALL the existing members that are not on yet.
    OrgAutoEnable {
        region: String,
        service: Service,
        admin: String,
        /// The role assumed in the administrator; `None`: awsmon runs as it.
        via_role: Option<String>,
        mode: crate::config::AutoEnableMode,
        /// The setting now, as the service words it; `None` where it could not be read.
        was: Option<String>,
        covered: usize,
        /// In-scope active accounts not on yet, and their names (for the plan).
        uncovered: Vec<String>,
        uncovered_names: Vec<String>,
        /// Accounts whose state could not be read: not touched, counted for the plan.
        unreadable: usize,
    },
    /// Before the hub (and its failure queue) goes: the queue must be empty, or, with
    /// `--delete-service-data`, its undelivered alerts are discarded. Checked again when it
    /// runs, since alerts may arrive after the plan was shown.
    FailureQueue {
        region: String,
        queue: String,
        /// Undelivered messages when the plan was made.
        waiting: u64,
        discard: bool,
    },
}

/// What kind of change a step makes (a step's identity, with its region and object).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StepKind {
    Stack,
    UploadArtifact,
    WriteRouting,
    EnableInspector,
    EnableSecurityHub,
    CreateAnalyzer,
    StartRecorder,
    ResumeDetector,
    DeleteStack,
    DeleteRouting,
    DeleteDetector,
    DeleteRecorder,
    DisableInspector,
    DisableSecurityHub,
    DeleteAnalyzer,
    FailureQueue,
    RegisterDelegatedAdmin,
    OrgAutoEnable,
    StackSet,
    RetryStackInstances,
    DeleteStackSet,
}

/// Which step this is, without its display text: outcomes, progress and merged plans refer to
/// steps by this key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StepKey {
    pub kind: StepKind,
    pub region: String,
    /// What it acts on: the stack, the object key, the parameter, the account, the recorder,
    /// the detector or the queue.
    pub object: String,
}

impl StepKey {
    /// A CloudFormation stack is created, updated or deleted (it carries on in AWS when the
    /// caller stops waiting).
    pub fn is_stack(&self) -> bool {
        matches!(self.kind, StepKind::Stack | StepKind::DeleteStack)
    }
}

impl Step {
    /// This step's identity.
    pub fn key(&self) -> StepKey {
        let (kind, object) = match self {
            Step::Stack { spec, .. } => (StepKind::Stack, spec.name.clone()),
            Step::UploadArtifact { bucket, key, .. } => {
                (StepKind::UploadArtifact, format!("{bucket}/{key}"))
            }
            Step::WriteRouting { parameter, .. } => (StepKind::WriteRouting, parameter.clone()),
            Step::EnableInspector { account, .. } => (StepKind::EnableInspector, account.clone()),
            Step::EnableSecurityHub { .. } => (StepKind::EnableSecurityHub, "hub".to_string()),
            Step::DisableSecurityHub { .. } => (StepKind::DisableSecurityHub, "hub".to_string()),
            Step::CreateAnalyzer { name, .. } => (StepKind::CreateAnalyzer, name.clone()),
            Step::DeleteAnalyzer { name, .. } => (StepKind::DeleteAnalyzer, name.clone()),
            Step::StartRecorder { name, .. } => (StepKind::StartRecorder, name.clone()),
            Step::ResumeDetector { detector_id, .. } => {
                (StepKind::ResumeDetector, detector_id.clone())
            }
            Step::DeleteStack { name, .. } => (StepKind::DeleteStack, name.clone()),
            Step::DeleteRouting { parameter, .. } => (StepKind::DeleteRouting, parameter.clone()),
            Step::DeleteDetector { detector_id, .. } => {
                (StepKind::DeleteDetector, detector_id.clone())
            }
            Step::DeleteRecorder {
                recorder, channel, ..
            } => (
                StepKind::DeleteRecorder,
                recorder
                    .clone()
                    .or_else(|| channel.clone())
                    .unwrap_or_default(),
            ),
            Step::DisableInspector { account, .. } => (StepKind::DisableInspector, account.clone()),
            Step::FailureQueue { queue, .. } => (StepKind::FailureQueue, queue.clone()),
            Step::RegisterDelegatedAdmin {
                service, account, ..
            } => (
                StepKind::RegisterDelegatedAdmin,
                format!("{service}:{account}"),
            ),
            Step::OrgAutoEnable { service, .. } => (StepKind::OrgAutoEnable, service.to_string()),
            Step::StackSet { spec, .. } => (StepKind::StackSet, spec.name.clone()),
            Step::RetryStackInstances { spec, .. } => {
                (StepKind::RetryStackInstances, spec.name.clone())
            }
            Step::DeleteStackSet { set, .. } => (StepKind::DeleteStackSet, set.name.clone()),
        };
        StepKey {
            kind,
            region: self.region().to_string(),
            object,
        }
    }

    /// The hub's steps (bootstrap, artifact, routing, hub) run first and in order.
    pub fn is_hub(&self) -> bool {
        match self {
            Step::Stack { spec, .. } => {
                spec.template == templates::BOOTSTRAP || spec.template.file == templates::HUB.file
            }
            Step::UploadArtifact { .. }
            | Step::WriteRouting { .. }
            | Step::DeleteRouting { .. }
            | Step::FailureQueue { .. } => true,
            Step::DeleteStack { name, .. } => {
                name.ends_with("-hub") || name.ends_with("-bootstrap")
            }
            _ => false,
        }
    }

    /// Loses data that cannot be recreated (drawn in red, confirmed twice).
    pub fn is_destructive(&self) -> bool {
        matches!(
            self,
            Step::DeleteDetector { .. }
                | Step::DeleteRecorder { .. }
                | Step::DisableInspector { .. }
                | Step::DisableSecurityHub { .. }
                | Step::DeleteAnalyzer { .. }
                | Step::FailureQueue { discard: true, .. }
        )
    }

    pub fn region(&self) -> &str {
        match self {
            Step::Stack { spec, .. } => &spec.region,
            Step::UploadArtifact { region, .. }
            | Step::WriteRouting { region, .. }
            | Step::EnableInspector { region, .. }
            | Step::EnableSecurityHub { region, .. }
            | Step::DisableSecurityHub { region, .. }
            | Step::CreateAnalyzer { region, .. }
            | Step::DeleteAnalyzer { region, .. }
            | Step::StartRecorder { region, .. }
            | Step::ResumeDetector { region, .. }
            | Step::DeleteStack { region, .. }
            | Step::DeleteRouting { region, .. }
            | Step::DeleteDetector { region, .. }
            | Step::DeleteRecorder { region, .. }
            | Step::DisableInspector { region, .. }
            | Step::FailureQueue { region, .. }
            | Step::RegisterDelegatedAdmin { region, .. }
            | Step::OrgAutoEnable { region, .. } => region,
            Step::StackSet { spec, .. } | Step::RetryStackInstances { spec, .. } => &spec.region,
            Step::DeleteStackSet { set, .. } => &set.region,
        }
    }

    /// The stack this step creates, updates or deletes, if any.
    pub fn stack_name(&self) -> Option<&str> {
        match self {
            Step::Stack { spec, .. } => Some(&spec.name),
            Step::DeleteStack { name, .. } => Some(name),
            _ => None,
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Stack {
                spec,
                action,
                reason,
            } => {
                let verb = match action {
                    StackAction::Create => "create",
                    StackAction::Update => "update",
                };
                write!(f, "{verb} stack {} in {}: {reason}", spec.name, spec.region)
            }
            Step::UploadArtifact {
                bucket,
                key,
                region,
                ..
            } => write!(f, "upload the notifier to s3://{bucket}/{key} ({region})"),
            Step::WriteRouting { parameter, region } => {
                write!(
                    f,
                    "write the routing parameter {parameter} in {region} (SecureString; webhooks from config.yml)"
                )
            }
            Step::EnableInspector { region, types, .. } => {
                write!(f, "enable Inspector in {region} for {}", types.join(", "))
            }
            Step::EnableSecurityHub {
                region,
                hub,
                standards,
            } => {
                let names: Vec<&str> = standards
                    .iter()
                    .map(|s| crate::services::securityhub::probe::short_name(s))
                    .collect();
                match (hub, names.is_empty()) {
                    (true, true) => write!(f, "enable Security Hub in {region} (no standards)"),
                    (true, false) => write!(
                        f,
                        "enable Security Hub in {region} with {}",
                        names.join(", ")
                    ),
                    (false, _) => write!(
                        f,
                        "enable {} on the existing Security Hub in {region}",
                        names.join(", ")
                    ),
                }
            }
            Step::CreateAnalyzer { region, name } => write!(
                f,
                "create the IAM Access Analyzer analyzer {name} in {region} (zone of trust: the account)"
            ),
            Step::DeleteAnalyzer { region, name, .. } => write!(
                f,
                "DESTRUCTIVE: delete the analyzer {name} in {region} (created by awsmon), which deletes its findings and archive rules"
            ),
            Step::DisableSecurityHub {
                region, standards, ..
            } => {
                if standards.is_empty() {
                    write!(
                        f,
                        "DESTRUCTIVE: disable Security Hub in {region} (the hub awsmon created), which deletes its findings"
                    )
                } else {
                    let names: Vec<&str> = standards
                        .iter()
                        .map(|s| crate::services::securityhub::probe::short_name(s))
                        .collect();
                    write!(
                        f,
                        "DESTRUCTIVE: disable {} in {region} (enabled by awsmon on the adopted hub), which archives their control findings",
                        names.join(", ")
                    )
                }
            }
            Step::StartRecorder { region, name } => write!(
                f,
                "start the adopted recorder {name} in {region} (it exists but is not recording)"
            ),
            Step::ResumeDetector {
                region,
                detector_id,
            } => write!(
                f,
                "resume suspended detector {}… in {region} (it exists but finds nothing while suspended)",
                crate::deploy::planner::short(detector_id)
            ),
            Step::DeleteStack {
                region,
                name,
                reason,
            } => {
                write!(f, "delete stack {name} in {region}: {reason}")
            }
            Step::DeleteRouting { region, parameter } => {
                write!(f, "delete the routing parameter {parameter} in {region}")
            }
            Step::DeleteDetector {
                region,
                detector_id,
            } => write!(
                f,
                "DESTRUCTIVE: delete detector {detector_id} in {region}, with its findings history"
            ),
            Step::DeleteRecorder {
                region,
                recorder,
                channel,
            } => {
                let what: Vec<String> = [
                    recorder.as_ref().map(|r| format!("recorder {r}")),
                    channel.as_ref().map(|c| format!("delivery channel {c}")),
                ]
                .into_iter()
                .flatten()
                .collect();
                write!(
                    f,
                    "DESTRUCTIVE: delete {} in {region}; Config stops recording (the bucket with past history files is kept)",
                    what.join(" and ")
                )
            }
            Step::DisableInspector { region, types, .. } => write!(
                f,
                "DESTRUCTIVE: disable Inspector in {region} for {}, which deletes its findings",
                types.join(", ")
            ),
            Step::FailureQueue {
                region,
                queue,
                waiting,
                discard: true,
            } => write!(
                f,
                "DESTRUCTIVE: discard {} in {queue} ({region}); nobody has seen them",
                crate::text::count(
                    usize::try_from(*waiting).unwrap_or(usize::MAX),
                    "undelivered alert",
                    "undelivered alerts"
                )
            ),
            Step::FailureQueue { region, queue, .. } => write!(
                f,
                "check that {queue} in {region} holds no undelivered alert before it is deleted"
            ),
            Step::StackSet {
                spec,
                change,
                reason,
            } => {
                use super::stackset_ops::SetChange;
                let verb = match change {
                    SetChange::Create => "create",
                    SetChange::Update => "update",
                    SetChange::Keep => "extend",
                };
                let mut scope = spec.ous.join(", ");
                if !spec.exclude.is_empty() {
                    scope.push_str(&format!(" less {}", spec.exclude.join(", ")));
                }
                write!(
                    f,
                    "{verb} StackSet {} in {}: {reason}; to every account in {scope}, in {} (one region after another); service-managed, it reaches accounts that join later by itself; about {}% of accounts at once, stopping past {}% failed",
                    spec.name,
                    spec.region,
                    spec.regions.join(", "),
                    spec.prefs.max_concurrent_percent,
                    spec.prefs.failure_tolerance_percent
                )
            }
            Step::DeleteStackSet {
                set,
                ous,
                regions,
                instances,
                retain,
                delete_set: true,
                ..
            } => {
                write!(
                    f,
                    "delete StackSet {} in {}: first its {} in {} ({}), the member accounts' forwarding rules and roles (they hold no data)",
                    set.name,
                    set.region,
                    crate::text::count(*instances, "instance", "instances"),
                    ous.join(", "),
                    regions.join(", ")
                )?;
                if !retain.is_empty() {
                    write!(
                        f,
                        "; the instances of {} (suspended, or cut loose) are released keeping their stacks, which StackSets cannot reach",
                        retain.join(", ")
                    )?;
                }
                Ok(())
            }
            Step::DeleteStackSet {
                set,
                ous,
                accounts,
                regions,
                instances,
                delete_set: false,
                ..
            } => {
                let whose = if accounts.is_empty() {
                    ous.join(", ")
                } else {
                    format!("{} of {}", accounts.join(", "), ous.join(", "))
                };
                write!(
                    f,
                    "delete {} of StackSet {} in {} ({whose}): the member accounts' forwarding rules and roles there (they hold no data); the StackSet stays",
                    crate::text::count(*instances, "instance", "instances"),
                    set.name,
                    regions.join(", ")
                )
            }
            Step::RetryStackInstances { spec, failed } => write!(
                f,
                "retry only the {} of StackSet {} that failed: {}",
                crate::text::count(failed.len(), "instance", "instances"),
                spec.name,
                failed
                    .iter()
                    .map(super::stackset_ops::Instance::line)
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            Step::RegisterDelegatedAdmin {
                region,
                service,
                account,
                name,
            } => write!(
                f,
                "register {name} ({account}) as {}'s delegated administrator in {region} (from the management account)",
                service.display_name()
            ),
            Step::OrgAutoEnable {
                region,
                service,
                admin,
                mode,
                was,
                covered,
                uncovered_names,
                unreadable,
                ..
            } => {
                use crate::config::AutoEnableMode;
                use crate::text::count;
                let accounts = covered + uncovered_names.len() + unreadable;
                if let Some(words) = crate::services::ops(*service)
                    .org_admin()
                    .and_then(|a| a.step_words(region, admin, accounts))
                {
                    return f.write_str(&words);
                }
                let was = was.as_deref().unwrap_or("not set up");
                write!(
                    f,
                    "auto-enable {} for {} accounts of the Organization in {region}, from the delegated administrator {admin} (now {was}): ",
                    service.display_name(),
                    mode.as_str()
                )?;
                let names = crate::org::enable::some_names(uncovered_names);
                match (mode, uncovered_names.len()) {
                    (_, 0) => write!(f, "every active account is on ({covered})"),
                    (AutoEnableMode::All, n) => write!(
                        f,
                        "{} to turn on ({names}), {covered} already on",
                        count(n, "existing account", "existing accounts")
                    ),
                    (AutoEnableMode::New, n) => write!(
                        f,
                        "accounts that join are covered; {} stay off ({names}) unless ORG_AUTO_ENABLE: ALL; {covered} already on",
                        count(n, "existing account", "existing accounts")
                    ),
                }?;
                if *unreadable > 0 {
                    write!(
                        f,
                        "; {} unreadable, not touched",
                        count(*unreadable, "account", "accounts")
                    )?;
                }
                Ok(())
            }
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// In order. Regions run concurrently; one region's steps run in order.
    pub steps: Vec<Step>,
    /// Destroying: spokes go before the hub they send to.
    pub spokes_first: bool,
    /// Worth knowing, not stopping for ("budget skipped: BUDGET_LIMIT is not set").
    pub notes: Vec<String>,
    /// Reasons the plan cannot be applied as asked; nothing runs while there are any.
    pub blockers: Vec<String>,
    /// Destroying without service data: the steps that would delete the data awsmon created
    /// here, had it been asked (so a user knows there is some, and what).
    pub kept_data: Vec<String>,
}

impl Plan {
    fn count(&self, pick: impl Fn(&Step) -> bool) -> usize {
        self.steps.iter().filter(|s| pick(s)).count()
    }

    /// The steps that delete service data, as text.
    pub fn destructive(&self) -> Vec<String> {
        self.steps
            .iter()
            .filter(|s| s.is_destructive())
            .map(ToString::to_string)
            .collect()
    }

    /// "create 3 stacks in eu-west-1, eu-central-1, us-east-1, update 1 stack" and one
    /// line per step, note and blocker.
    pub fn summary(&self) -> String {
        use crate::text::count;
        let mut regions: Vec<&str> = Vec::new();
        let mut creates = 0;
        for step in &self.steps {
            if let Step::Stack {
                action: StackAction::Create,
                ..
            } = step
            {
                creates += 1;
                // Each region once, in plan order.
                if !regions.contains(&step.region()) {
                    regions.push(step.region());
                }
            }
        }
        let updates = self.count(|s| {
            matches!(
                s,
                Step::Stack {
                    action: StackAction::Update,
                    ..
                }
            )
        });
        let deletes = self.count(|s| matches!(s, Step::DeleteStack { .. }));
        let mut parts = Vec::new();
        if creates > 0 {
            parts.push(format!(
                "create {} in {}",
                count(creates, "stack", "stacks"),
                regions.join(", ")
            ));
        }
        if updates > 0 {
            parts.push(format!("update {}", count(updates, "stack", "stacks")));
        }
        if deletes > 0 {
            parts.push(format!("delete {}", count(deletes, "stack", "stacks")));
        }
        if parts.is_empty() {
            parts.push("no stack changes".to_string());
        }
        let mut out = parts.join(", ");
        if self.steps.is_empty() && self.blockers.is_empty() {
            out.push_str("\n  nothing to do");
        }
        for step in &self.steps {
            out.push_str("\n  - ");
            out.push_str(&step.to_string());
        }
        for note in &self.notes {
            out.push_str("\n  note: ");
            out.push_str(note);
        }
        for blocker in &self.blockers {
            out.push_str("\n  BLOCKED: ");
            out.push_str(blocker);
        }
        for kept in &self.kept_data {
            out.push_str("\n  kept: ");
            out.push_str(kept);
            out.push_str(" (only with --delete-service-data, x in the console)");
        }
        out
    }
}
