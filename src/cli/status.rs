//! `awsmon-tui status`: the region × service scan as a table or one JSON document.

use std::io::IsTerminal;

use awsmon_notifier::Service;

use super::args::{RegionArg, StatusArgs};
use super::output::Output;
use super::{Failure, GlobalArgs, table};
use crate::aws::regions::RegionSource;
use crate::aws::{Aws, AwsErrorKind};
use crate::config::Config;
use crate::config::RegionSelection;
use crate::inventory::{self, Regions, ScanRequest, State};

pub async fn run(global: &GlobalArgs, args: &StatusArgs) -> Result<(), Failure> {
    let loaded = super::load_config(global)?;
    let aws = super::connect(global, &loaded).await;
    report(&aws, &loaded.config, global.regions.as_ref(), args).await
}

/// Scans and prints, for `status` and the demo.
pub async fn report(
    aws: &Aws,
    cfg: &Config,
    regions: Option<&RegionArg>,
    args: &StatusArgs,
) -> Result<(), Failure> {
    let wanted = match (regions, &cfg.regions) {
        (Some(RegionArg::List(list)), _) | (None, RegionSelection::List(list)) => {
            Some(list.clone())
        }
        (Some(RegionArg::All), _) | (None, RegionSelection::All) => None,
    };
    let named = wanted.is_some();
    let request = ScanRequest {
        config: cfg,
        regions: Regions::Discover(wanted),
        services: args
            .services
            .clone()
            .unwrap_or_else(|| Service::ALL.to_vec()),
        concurrency: 16,
    };
    let (scan, source) = inventory::scan(aws, request).await.map_err(|e| match e.kind {
        AwsErrorKind::Credentials => Failure::credentials(format!(
            "{e}{}.\nSet AWS_PROFILE or --profile (run `aws sso login --profile NAME` for SSO profiles), \
             or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.",
            e.message.as_deref().map(|m| format!(" ({m})")).unwrap_or_default()
        )),
        AwsErrorKind::Unreachable | AwsErrorKind::Timeout | AwsErrorKind::NotOffered => {
            Failure::other(format!("cannot reach AWS: {e}. Check your network, or --endpoint-url / AWS_ENDPOINT_URL."))
        }
        _ => Failure::other(format!("cannot identify the account: {e}")),
    })?;
    // Only news when the list decided which regions were scanned, not when they were named.
    if let (RegionSource::BuiltIn(reason), false) = (&source, named) {
        eprintln!("note: using the built-in region list ({reason})");
    }
    match args.out.format(Output::Json) {
        Output::Json => {
            let doc =
                serde_json::to_string_pretty(&scan).map_err(|e| Failure::other(e.to_string()))?;
            println!("{doc}");
            return Ok(());
        }
        Output::Jsonl => {
            // One line per cell, each naming its account, so lines can be merged across runs.
            let mut out = super::output::Emitter::new(Output::Jsonl);
            for cell in &scan.cells {
                let mut line = serde_json::to_value(cell).unwrap_or_default();
                line["account"] = serde_json::Value::from(scan.account.as_str());
                if let Some(out) = out.as_mut() {
                    out.emit(&line);
                }
            }
            return Ok(());
        }
        Output::Table => {}
    }
    let colour = std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    println!("account {}  home region {}", scan.account, scan.home_region);
    let rows: Vec<Vec<(String, Option<&str>)>> = scan
        .cells
        .iter()
        .map(|c| {
            vec![
                (c.region.clone(), None),
                (c.service.to_string(), None),
                (c.state.as_str().to_string(), Some(state_colour(c.state))),
                (yes_no(c.managed), None),
                (yes_no(c.notifying), None),
                (c.detail.clone(), None),
            ]
        })
        .collect();
    print!(
        "{}",
        table::render(
            &[
                "REGION",
                "SERVICE",
                "STATE",
                "MANAGED",
                "NOTIFYING",
                "DETAIL"
            ],
            &rows,
            colour
        )
    );
    Ok(())
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_string()
}

/// ANSI SGR codes per state.
fn state_colour(state: State) -> &'static str {
    match state {
        State::Enabled => "32",
        State::Partial => "33",
        State::Error => "31",
        State::Disabled => "0",
        State::Unsupported | State::NotOptedIn => "90",
    }
}
