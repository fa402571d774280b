//! `awsmon-tui findings`: recent findings from every region (every page, regions at once), one
//! JSON line or table row each, with the notifier's decision. Unreadable services are warnings.

use awsmon_notifier::Service;

use super::args::FindingsArgs;
use super::output::{Emitter, Output};
use super::{Failure, GlobalArgs};
use crate::ops::findings::{self as ops, FindingsError};

pub async fn run(global: &GlobalArgs, args: &FindingsArgs) -> Result<(), Failure> {
    let loaded = super::load_config(global)?;
    let cfg = &loaded.config;
    let aws = super::connect(global, &loaded).await;
    let regions = super::chosen_regions(global, cfg, &aws).await;
    let services = args
        .services
        .clone()
        .unwrap_or_else(|| Service::ALL.to_vec());
    let fetched = ops::recent(&aws, cfg, regions, services, args.since)
        .await
        .map_err(|FindingsError::Account(e)| {
            Failure::credentials(format!("{e}. Set AWS_PROFILE or --profile."))
        })?;
    for e in &fetched.errors {
        eprintln!("warning: {e}");
    }
    if let Some(note) = crate::org::routing::offline(cfg, "findings").1 {
        eprintln!("note: {note}");
    }
    if let Some(mut out) = Emitter::new(args.out.format(Output::Jsonl)) {
        for f in &fetched.findings {
            out.emit(&f.to_json());
        }
        return Ok(());
    }
    let rows: Vec<Vec<(String, Option<&str>)>> = fetched
        .findings
        .iter()
        .map(|f| {
            let j = f.to_json();
            ["time", "severity", "service", "region", "decision", "title"]
                .iter()
                .map(|k| (j[*k].as_str().unwrap_or("-").to_string(), None))
                .collect()
        })
        .collect();
    print!(
        "{}",
        super::table::render(
            &["TIME", "SEVERITY", "SERVICE", "REGION", "DECISION", "TITLE"],
            &rows,
            false
        )
    );
    println!(
        "{}",
        crate::text::count(fetched.findings.len(), "finding", "findings")
    );
    Ok(())
}
