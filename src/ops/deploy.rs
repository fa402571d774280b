//! Deploy and destroy: plan (one or more targets, each in its regions), run the plan, then ask
//! each service deployed whether it really is on.

use tokio::sync::mpsc::UnboundedSender;

use crate::aws::{Aws, AwsError, AwsErrorKind};
use crate::config::Config;
use crate::deploy::artifact::{self, Artifact, ArtifactError};
use crate::deploy::engine::{self, Report};
use crate::deploy::plan::{self, Intent, Plan, Target};
use crate::deploy::stack_ops::{Progress, Waiting};
use crate::deploy::verify;

/// At most this many regions are worked on at once.
pub const CONCURRENCY: usize = 8;

/// Why there is no plan.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// Deploying needs the notifier build.
    #[error("{0}")]
    Artifact(#[from] ArtifactError),
    /// No usable credentials: nothing could be read.
    #[error("cannot read the current state: {0}")]
    Credentials(AwsError),
    #[error("cannot read the current state: {0}")]
    State(AwsError),
}

impl From<AwsError> for PlanError {
    fn from(e: AwsError) -> Self {
        match e.kind {
            AwsErrorKind::Credentials => PlanError::Credentials(e),
            _ => PlanError::State(e),
        }
    }
}

/// A plan and the account it was drawn up for.
#[derive(Debug, Clone)]
pub struct Planned {
    pub plan: Plan,
    /// `None` when there was nothing to plan for.
    pub account: Option<String>,
}

/// The notifier build to deploy: the one given (the demo's stand-in), else the bundled one
/// (or `AWSMON_NOTIFIER_ZIP`).
pub fn artifact(given: Option<&Artifact>) -> Result<Artifact, ArtifactError> {
    match given {
        Some(a) => Ok(a.clone()),
        None => artifact::load(),
    }
}

/// One plan for every `(target, regions)` group, in order. A step an earlier group already
/// has (the hub, say) is planned once. Destroying, spokes go before the hub.
pub async fn plan(
    aws: &Aws,
    cfg: &Config,
    groups: &[(Target, Vec<String>)],
    intent: Intent<'_>,
) -> Result<Planned, PlanError> {
    let mut merged = Plan {
        spokes_first: matches!(intent, Intent::Destroy { .. }),
        ..Plan::default()
    };
    let mut account = None;
    for (target, regions) in groups {
        let (facts, p) = plan::draw_up(aws, cfg, *target, regions, intent).await?;
        account.get_or_insert(facts.account);
        let earlier: Vec<_> = merged.steps.iter().map(plan::Step::key).collect();
        merged
            .steps
            .extend(p.steps.into_iter().filter(|s| !earlier.contains(&s.key())));
        merged.notes.extend(p.notes);
        merged.blockers.extend(p.blockers);
        merged.kept_data.extend(p.kept_data);
    }
    Ok(Planned {
        plan: merged,
        account,
    })
}

/// After running: ask each deployed service whether it is on (deploying), or nothing
/// (destroying).
#[derive(Debug, Clone, Copy)]
pub enum Check<'a> {
    Nothing,
    /// The account the plan was drawn up for, when known; else it is asked for.
    Verify {
        account: Option<&'a str>,
    },
}

/// How a run ended: each step's outcome, and the services that are not on after all.
#[derive(Debug, Clone, Default)]
pub struct Applied {
    pub report: Report,
    /// One per service deployed that its own API says is not fully on.
    pub warnings: Vec<String>,
}

impl Applied {
    pub fn failed(&self) -> usize {
        self.report.failures().len()
    }

    pub fn succeeded(&self) -> usize {
        self.report.outcomes.len() - self.failed()
    }

    /// Failures nobody can tell the end of: AWS could not be asked afterwards.
    pub fn unknown(&self) -> usize {
        self.report.unknown()
    }

    /// `<step> — <why>` for each step that did not succeed.
    pub fn failure_lines(&self) -> Vec<String> {
        self.report
            .failures()
            .iter()
            .filter_map(|o| match &o.result {
                Err(why) => Some(format!("{} — {why}", o.step)),
                Ok(_) => None,
            })
            .collect()
    }
}

/// Runs the plan (progress over `progress`), looks again at stack steps that failed while
/// waiting, then checks what was deployed.
pub async fn run(
    aws: &Aws,
    cfg: &Config,
    the_plan: &Plan,
    zip: Option<&Artifact>,
    check: Check<'_>,
    progress: UnboundedSender<Progress>,
) -> Applied {
    let mut report = engine::execute(
        aws,
        cfg,
        the_plan,
        zip,
        Waiting::default(),
        CONCURRENCY,
        progress,
    )
    .await;
    // A failure to reach AWS while waiting is not a failed stack: ask again what it is.
    engine::reconcile(aws, the_plan, &mut report).await;
    let warnings = match check {
        Check::Nothing => Vec::new(),
        Check::Verify { account } => {
            let account = match account {
                Some(a) => a.to_string(),
                None => crate::inventory::account_id(aws, cfg.home_region())
                    .await
                    .unwrap_or_default(),
            };
            let deployed = verify::deployed(cfg, the_plan, &report);
            verify::verify(aws, cfg, &account, &deployed).await
        }
    };
    Applied { report, warnings }
}
