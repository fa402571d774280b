//! `awsmon-tui notifier status|redrive`: the deployed notifier's health, read from outside it,
//! and replaying its failure queue.

use std::io::IsTerminal;
use std::time::Duration;

use super::args::NotifierCommand;
use super::{Failure, GlobalArgs};
use crate::notifier::redrive;

pub async fn run(global: &GlobalArgs, cmd: &NotifierCommand) -> Result<(), Failure> {
    match cmd {
        NotifierCommand::Status { json } => status(global, *json).await,
        NotifierCommand::Redrive { dry_run, yes, json } => {
            redrive(global, *dry_run, *yes, *json).await
        }
        NotifierCommand::Export { file } => export(global, file).await,
        NotifierCommand::Digest { json } => digest(global, *json).await,
    }
}

async fn digest(global: &GlobalArgs, json: bool) -> Result<(), Failure> {
    let loaded = super::load_config(global)?;
    let cfg = &loaded.config;
    let aws = super::connect(global, &loaded).await;
    let digests = crate::notifier::state::digest(&aws, cfg)
        .await
        .map_err(Failure::other)?;
    if json {
        for d in &digests {
            println!("{}", crate::notifier::state::digest_json(d));
        }
    } else {
        print!("{}", crate::notifier::state::digest_text(cfg, &digests));
    }
    Ok(())
}

async fn export(global: &GlobalArgs, file: &std::path::Path) -> Result<(), Failure> {
    super::refuse_if_read_only(
        global,
        "notifier export (it removes what it exports from the queue)",
    )?;
    if file.exists() {
        return Err(Failure::usage(format!(
            "{} exists; name a new file (nothing was exported)",
            file.display()
        )));
    }
    let loaded = super::load_config(global)?;
    let cfg = &loaded.config;
    let aws = super::connect(global, &loaded).await;
    let held = redrive::hold(&aws, cfg, redrive::MAX_MESSAGES, Duration::from_mins(5))
        .await
        .map_err(|e| Failure::other(e.to_string()))?;
    let queue = crate::naming::failure_queue(cfg);
    if held.messages.is_empty() {
        println!("{queue} is empty: nothing to export");
        return Ok(());
    }
    let doc = redrive::export_document(&held, &queue);
    let text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    let all: Vec<&redrive::FailedMessage> = held.messages.iter().collect();
    // Written (and synced) before anything leaves the queue.
    if let Err(e) = crate::config::write_atomic(file, text.as_bytes()) {
        redrive::release(&aws, cfg, &held.queue_url, &all).await;
        return Err(Failure::other(format!(
            "{}: {e}; the queue is unchanged",
            file.display()
        )));
    }
    let removed = redrive::delete(&aws, cfg, &held.queue_url, &held.messages)
        .await
        .map_err(|e| {
            Failure::other(format!(
                "exported to {}, but removing them from the queue failed: {e}; they may be replayed twice",
                file.display()
            ))
        })?;
    println!(
        "exported {} from {queue} to {} and removed them from the queue",
        crate::text::count(removed, "undelivered message", "undelivered messages"),
        file.display()
    );
    Ok(())
}

async fn status(global: &GlobalArgs, json: bool) -> Result<(), Failure> {
    let loaded = super::load_config(global)?;
    let cfg = &loaded.config;
    let aws = super::connect(global, &loaded).await;
    let h = crate::ops::notifier::health(&aws, cfg).await;
    let problems = h.problems();
    if json {
        let mut doc = serde_json::to_value(&h).unwrap_or_default();
        doc["healthy"] = serde_json::json!(problems.is_empty());
        doc["problems"] = serde_json::json!(problems);
        println!("{doc}");
    } else {
        println!("{} in {}", h.function, h.region);
        println!("  {}", h.summary());
        for p in &problems {
            println!("  ✖ {p}");
        }
        if problems.is_empty() {
            println!("  ✔ healthy");
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Failure::other(format!(
            "the notifier needs attention ({} problem(s))",
            problems.len()
        )))
    }
}

async fn redrive(global: &GlobalArgs, dry_run: bool, yes: bool, json: bool) -> Result<(), Failure> {
    if !dry_run {
        super::refuse_if_read_only(global, "notifier redrive")?;
    }
    let loaded = super::load_config(global)?;
    let cfg = &loaded.config;
    let aws = super::connect(global, &loaded).await;
    let (settings, held) = redrive::routing_and_held(&aws, cfg, Duration::from_mins(5))
        .await
        .map_err(|e| Failure::other(e.to_string()))?;
    let summary = held.summary(&settings);
    if json {
        println!(
            "{}",
            serde_json::json!({"queue": crate::naming::failure_queue(cfg), "messages": held.messages.len(), "kinds": summary})
        );
    } else {
        println!(
            "{} in {}",
            crate::text::count(
                held.messages.len(),
                "undelivered message",
                "undelivered messages"
            ),
            crate::naming::failure_queue(cfg)
        );
        for (kind, n) in &summary {
            println!("  {n:>4}  {kind}");
        }
        for m in &held.messages {
            if let Some(why) = &m.why {
                println!("  {}: {why}", m.message_id);
            }
        }
    }
    let all: Vec<&redrive::FailedMessage> = held.messages.iter().collect();
    if held.messages.is_empty() {
        return Ok(());
    }
    if dry_run {
        redrive::release(&aws, cfg, &held.queue_url, &all).await;
        return Ok(());
    }
    if !yes {
        let confirmed = std::io::stdin().is_terminal()
            && super::deploy::ask("Replay them now? [y/N] ", &["y", "Y", "yes"]);
        if !confirmed {
            redrive::release(&aws, cfg, &held.queue_url, &all).await;
            return Err(if std::io::stdin().is_terminal() {
                Failure::other("not replayed; the queue is unchanged")
            } else {
                Failure::usage(
                    "refusing to replay without --yes: standard input is not a terminal; the queue is unchanged",
                )
            });
        }
    }
    let results = redrive::replay_held(&aws, cfg, &held, &settings)
        .await
        .map_err(|e| Failure::other(e.to_string()))?;
    let failed = results.iter().filter(|r| !r.result.succeeded()).count();
    for r in &results {
        if json {
            println!(
                "{}",
                serde_json::json!({"message_id": r.message_id, "kinds": r.kinds, "replayed": r.result.succeeded(), "result": redrive::replayed_line(r)})
            );
        } else {
            println!("  {}", redrive::replayed_line(r));
        }
    }
    if failed > 0 {
        return Err(Failure::other(format!(
            "{failed} of {} could not be replayed and stay in the queue",
            crate::text::count(results.len(), "message", "messages")
        )));
    }
    Ok(())
}
