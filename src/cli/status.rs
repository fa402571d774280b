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
    let services = args
        .services
        .clone()
        .unwrap_or_else(|| Service::ALL.to_vec());
    if cfg.org.enabled {
        return org_report(aws, cfg, wanted, services, args).await;
    }
    if args.account.is_some() {
        return Err(Failure::usage(
            "--account is for org mode: set ORGANIZATION: true in config.yml",
        ));
    }
    let request = ScanRequest {
        config: cfg,
        regions: Regions::Discover(wanted),
        services,
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
    let cells = scan.cells.iter().map(|c| (scan.account.as_str(), c));
    if print_machine(args.out.format(Output::Json), &scan, cells)? {
        return Ok(());
    }
    let colour = colour_wanted();
    println!("account {}  home region {}", scan.account, scan.home_region);
    print!("{}", cell_table(&scan.cells, true, colour));
    Ok(())
}

/// `json`: `doc` as one document; `jsonl`: a line per cell, each naming its account, so lines
/// can be merged across runs. False for a table, which the caller prints.
fn print_machine<'a>(
    format: Output,
    doc: &impl serde::Serialize,
    cells: impl Iterator<Item = (&'a str, &'a inventory::Cell)>,
) -> Result<bool, Failure> {
    match format {
        Output::Json => {
            let doc =
                serde_json::to_string_pretty(doc).map_err(|e| Failure::other(e.to_string()))?;
            println!("{doc}");
            Ok(true)
        }
        Output::Jsonl => {
            let mut out = super::output::Emitter::new(Output::Jsonl);
            for (account, cell) in cells {
                let mut line = serde_json::to_value(cell).unwrap_or_default();
                line["account"] = serde_json::Value::from(account);
                if let Some(out) = out.as_mut() {
                    out.emit(&line);
                }
            }
            Ok(true)
        }
        Output::Table => Ok(false),
    }
}

fn colour_wanted() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Region × service rows; `wiring` adds whether awsmon manages and notifies for each cell
/// (org mode's member accounts have no wiring yet).
fn cell_table(cells: &[inventory::Cell], wiring: bool, colour: bool) -> String {
    let rows: Vec<Vec<(String, Option<&str>)>> = cells
        .iter()
        .map(|c| {
            let mut row = vec![
                (c.region.clone(), None),
                (c.service.to_string(), None),
                (c.state.as_str().to_string(), Some(state_colour(c.state))),
            ];
            if wiring {
                row.push((yes_no(c.managed), None));
                row.push((yes_no(c.notifying), None));
            }
            row.push((c.detail.clone(), None));
            row
        })
        .collect();
    let headers: &[&str] = if wiring {
        &[
            "REGION",
            "SERVICE",
            "STATE",
            "MANAGED",
            "NOTIFYING",
            "DETAIL",
        ]
    } else {
        &["REGION", "SERVICE", "STATE", "DETAIL"]
    };
    table::render(headers, &rows, colour)
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

/// Org mode: the account × service summary (regions enabled of regions scanned), grouped by
/// OU; JSON carries every account's cells.
async fn org_report(
    aws: &Aws,
    cfg: &Config,
    wanted: Option<Vec<String>>,
    services: Vec<Service>,
    args: &StatusArgs,
) -> Result<(), Failure> {
    use crate::org::scan::{self, OrgScanRequest};
    // One account: the scan's scope narrowed to it (EXCLUDE_ACCOUNTS still applies).
    let mut narrowed = cfg.clone();
    if let Some(id) = &args.account {
        narrowed.org.accounts = vec![id.clone()];
    }
    let cfg = &narrowed;
    let request = OrgScanRequest {
        config: cfg,
        regions: Regions::Discover(wanted),
        services,
        concurrency: 32,
        org_apis: true,
    };
    let scan = scan::scan(aws, request).await.map_err(|e| match e.kind {
        AwsErrorKind::Credentials => Failure::credentials(format!("{e}")),
        _ => Failure::other(format!("cannot read the organization: {e}")),
    })?;
    let cells = scan
        .accounts
        .iter()
        .flat_map(|a| a.cells.iter().map(|c| (a.account.id.as_str(), c)));
    if print_machine(args.out.format(Output::Json), &scan, cells)? {
        return Ok(());
    }
    for note in &scan.notes {
        eprintln!("note: {note}");
    }
    let colour = colour_wanted();
    if let Some(id) = &args.account {
        let Some(one) = scan.accounts.iter().find(|a| &a.account.id == id) else {
            return Err(Failure::usage(format!(
                "account {id} is not in the organization's scope (see ACCOUNTS and EXCLUDE_ACCOUNTS)"
            )));
        };
        println!(
            "account {} {} ({})",
            one.account.id, one.account.name, one.account.ou_path
        );
        if let Some(why) = &one.skipped {
            println!("{why}");
            return Ok(());
        }
        print!("{}", cell_table(&one.cells, false, colour));
        return Ok(());
    }
    println!(
        "organization {} (management account {}), delegated administrator {}, {}",
        scan.organization,
        scan.management_account,
        scan.admin_account,
        crate::text::count(scan.regions.len(), "region", "regions")
    );
    let mut headers = vec!["ACCOUNT", "NAME", "OU"];
    headers.extend(scan.services.iter().map(|s| s.display_name()));
    let rows: Vec<Vec<(String, Option<&str>)>> = scan
        .accounts
        .iter()
        .map(|a| {
            let mut row = vec![
                (a.account.id.clone(), None),
                (a.account.name.clone(), None),
                (a.account.ou_path.clone(), None),
            ];
            for &service in &scan.services {
                row.push(if let Some(why) = &a.skipped {
                    (why.clone(), Some("90"))
                } else {
                    let t = a.tally(service);
                    let colour = if t.errors > 0 || t.total == 0 {
                        "31"
                    } else if t.enabled < t.total {
                        "33"
                    } else {
                        "32"
                    };
                    (t.label(), Some(colour))
                });
            }
            row
        })
        .collect();
    print!("{}", table::render(&headers, &rows, colour));
    for auto in &scan.auto_enable {
        println!(
            "auto-enable  {:<14} {:<10} {}",
            auto.region,
            auto.service.display_name(),
            auto.setting
        );
    }
    Ok(())
}
