//! `awsmon-tui deploy <target>`: plan, confirm, execute, report. Refused under --read-only
//! before any AWS call; without --yes it asks on a terminal and refuses otherwise.

use std::io::{BufRead, IsTerminal, Write};

use super::args::{ApplyArgs, DeployArgs, DestroyArgs};
use super::output::{Emitter, Output};
use super::{Failure, GlobalArgs};
use crate::deploy::artifact;
use crate::deploy::engine::StepError;
use crate::deploy::plan::{self, Intent, StepKey, Target};
use crate::deploy::stack_ops::{self, Progress};
use crate::ops::deploy::{self as ops, Check, PlanError};

pub async fn run(global: &GlobalArgs, args: &DeployArgs) -> Result<(), Failure> {
    apply(global, &args.common, args.target, None, args.auto_enable).await
}

pub async fn destroy(global: &GlobalArgs, args: &DestroyArgs) -> Result<(), Failure> {
    apply(
        global,
        &args.common,
        args.target,
        Some(args.delete_service_data),
        None,
    )
    .await
}

/// Deploy (`destroy` = None) or destroy (`Some(delete_service_data)`): plan, show, confirm,
/// execute, report.
async fn apply(
    global: &GlobalArgs,
    args: &ApplyArgs,
    target: Target,
    destroy: Option<bool>,
    auto_enable: Option<crate::config::AutoEnableMode>,
) -> Result<(), Failure> {
    let verb = if destroy.is_some() {
        "destroy"
    } else {
        "deploy"
    };
    // A dry run only reads AWS, so read-only lets it through.
    if !args.dry_run {
        super::refuse_if_read_only(global, verb)?;
    } else if global.read_only {
        eprintln!("note: --read-only is set; a dry run only reads AWS, so it goes ahead");
    }
    let mut loaded = super::load_config(global)?;
    if let Some(mode) = auto_enable {
        loaded.config.org.auto_enable = Some(mode);
    }
    let cfg = &loaded.config;
    // Destroying needs no build; deploying refuses early without one, but a dry run plans
    // anyway and says which build a deploy would need.
    let zip = match (destroy, artifact::load()) {
        (_, Ok(zip)) => Some(zip),
        (None, Err(artifact::ArtifactError::Missing)) if args.dry_run => {
            Some(artifact::Artifact::unbuilt())
        }
        (None, Err(e)) => return Err(Failure::usage(e.to_string())),
        (Some(_), Err(_)) => None,
    };
    let aws = super::connect(global, &loaded).await;
    let regions = super::chosen_regions(global, cfg, &aws).await;
    let intent = match (destroy, &zip) {
        (Some(delete_service_data), _) => Intent::Destroy {
            delete_service_data,
        },
        (None, Some(zip)) => Intent::Deploy(zip),
        (None, None) => return Err(Failure::usage(artifact::ArtifactError::Missing.to_string())),
    };
    let planned = ops::plan(&aws, cfg, &[(target, regions)], intent)
        .await
        .map_err(|e| match e {
            PlanError::Credentials(e) => Failure::credentials(format!(
                "{e}. Set AWS_PROFILE or --profile, or export credentials."
            )),
            other => Failure::other(other.to_string()),
        })?;
    let the_plan = planned.plan;
    // JSON items (the plan, progress, outcomes, warnings), shared with the progress printer;
    // `None` prints text. A `json` list is closed when the last holder lets go.
    let json = Emitter::new(args.out.format(Output::Jsonl))
        .map(|e| std::sync::Arc::new(std::sync::Mutex::new(e)));
    let emit = |item: &serde_json::Value| {
        if let Some(Ok(mut out)) = json.as_ref().map(|j| j.lock()) {
            out.emit(item);
        }
    };
    if json.is_some() {
        let steps: Vec<String> = the_plan.steps.iter().map(ToString::to_string).collect();
        emit(
            &serde_json::json!({"plan": steps, "notes": the_plan.notes, "blockers": the_plan.blockers}),
        );
    } else {
        println!("plan: {}", the_plan.summary());
    }
    if !the_plan.blockers.is_empty() {
        return Err(Failure::usage(format!(
            "cannot {verb} {}: {}",
            target.as_str(),
            the_plan.blockers.join("; ")
        )));
    }
    if args.dry_run {
        return Ok(());
    }
    if !args.yes {
        if !std::io::stdin().is_terminal() {
            return Err(Failure::usage(format!(
                "refusing to {verb} without --yes: standard input is not a terminal"
            )));
        }
        if !ask("Apply this plan? [y/N] ", &["y", "Y", "yes"]) {
            return Err(Failure::other("not applied"));
        }
        if the_plan.steps.iter().any(plan::Step::is_destructive)
            && !ask(
                "This deletes service data and its history for good. Type DELETE to confirm: ",
                &["DELETE"],
            )
        {
            return Err(Failure::other("not applied: service data kept"));
        }
    }
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let progress_json = json.clone();
    // What began and what ended, for an honest account if the user interrupts.
    let tally = std::sync::Arc::new(std::sync::Mutex::new(Tally::default()));
    let seen = tally.clone();
    let printer = tokio::spawn(async move {
        while let Some(p) = rx.recv().await {
            if let Ok(mut t) = seen.lock() {
                match &p {
                    Progress::Started { key, step, .. } => {
                        t.started.push((key.clone(), step.clone()));
                    }
                    Progress::Step {
                        key, step, result, ..
                    } => {
                        t.done.push((key.clone(), step.clone(), result.clone()));
                    }
                    _ => {}
                }
            }
            print_progress(&p, progress_json.as_deref());
        }
    });
    let check = match destroy {
        None => Check::Verify {
            account: planned.account.as_deref(),
        },
        Some(_) => Check::Nothing,
    };
    let run = ops::run(&aws, cfg, &the_plan, zip.as_ref(), check, tx);
    let applied = tokio::select! {
        applied = run => applied,
        _ = tokio::signal::ctrl_c() => {
            let t = tally.lock().map(|t| t.clone()).unwrap_or_default();
            return Err(interrupted(&t, &the_plan, verb, target));
        }
    };
    let _ = printer.await;
    for o in &applied.report.outcomes {
        let r = &o.result;
        if json.is_some() {
            emit(
                &serde_json::json!({"step": o.step, "region": o.region, "ok": r.is_ok(), "result": r.as_ref().map_or_else(ToString::to_string, Clone::clone)}),
            );
        } else {
            println!("{}", stack_ops::outcome_line(&o.step, r));
        }
    }
    for warning in &applied.warnings {
        if json.is_some() {
            emit(&serde_json::json!({"warning": warning}));
        } else {
            println!("warning {warning}");
        }
    }
    let failed = applied.failed();
    if failed > 0 {
        let unknown = applied.unknown();
        let ok = applied.succeeded();
        let unknown = if unknown > 0 {
            format!(" ({unknown} of them unknown: AWS could not be asked afterwards)")
        } else {
            String::new()
        };
        return Err(Failure::other(format!(
            "{} did not succeed{unknown}, {ok} did; run it again to finish: it plans from what exists",
            crate::text::count(failed, "step", "steps")
        )));
    }
    // Every step ran, but a service is not on: not done, and scripts must be able to tell.
    if destroy.is_none() && !applied.warnings.is_empty() {
        return Err(Failure::unverified(format!(
            "applied, but not verified: {} not on as planned. Run `awsmon-tui deploy {}` again to repair it (it plans from what exists), or `awsmon-tui status` to look",
            crate::text::count(applied.warnings.len(), "service is", "services are"),
            target.as_str()
        )));
    }
    Ok(())
}

#[derive(Debug, Clone, Default)]
struct Tally {
    started: Vec<(StepKey, String)>,
    done: Vec<(StepKey, String, Result<String, StepError>)>,
}

/// Ctrl-C: what finished, what was cut off in flight, what never started, and what to run.
fn interrupted(t: &Tally, plan: &plan::Plan, verb: &str, target: Target) -> Failure {
    let finished = |k: &StepKey| t.done.iter().any(|(d, ..)| d == k);
    let cut: Vec<&(StepKey, String)> = t.started.iter().filter(|(k, _)| !finished(k)).collect();
    let never: Vec<String> = plan
        .steps
        .iter()
        .filter(|s| {
            let k = s.key();
            !finished(&k) && !t.started.iter().any(|(started, _)| *started == k)
        })
        .map(ToString::to_string)
        .collect();
    let mut lines = vec![format!(
        "interrupted: {} finished, {} cut off, {} never started",
        crate::text::count(t.done.len(), "step", "steps"),
        cut.len(),
        never.len()
    )];
    for (_, step, result) in &t.done {
        lines.push(format!("  {}", stack_ops::outcome_line(step, result)));
    }
    for (key, step) in &cut {
        let what = if key.is_stack() {
            "CloudFormation carries on with it in AWS"
        } else {
            "the call may or may not have taken effect"
        };
        lines.push(format!("  CUT OFF {step} — {what}"));
    }
    for step in &never {
        lines.push(format!("  NOT RUN {step}"));
    }
    lines.push(format!(
        "run `awsmon-tui {verb} {}` again to finish (it plans from what exists now); `awsmon-tui status` shows where things stand",
        target.as_str()
    ));
    Failure {
        code: 130,
        message: lines.join("\n"),
    }
}

pub(super) fn ask(prompt: &str, yes: &[&str]) -> bool {
    print!("{prompt}");
    let _ = std::io::stdout().flush();
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    yes.contains(&answer.trim())
}

/// One progress event: a JSON item for scripts, or a line on stderr for people.
fn print_progress(p: &Progress, json: Option<&std::sync::Mutex<Emitter>>) {
    let item = match p {
        // The outcomes are printed together at the end.
        Progress::Step { .. } | Progress::Started { .. } => return,
        Progress::Resource {
            region,
            stack,
            resource,
            status,
            reason,
        } => {
            serde_json::json!({"region": region, "stack": stack, "resource": resource, "status": status, "reason": reason})
        }
        Progress::Note {
            region,
            stack,
            text,
        } => {
            serde_json::json!({"region": region, "stack": stack, "note": text})
        }
    };
    match json.map(std::sync::Mutex::lock) {
        Some(Ok(mut out)) => out.emit(&item),
        Some(Err(_)) => {}
        None => eprintln!("{p}"),
    }
}
