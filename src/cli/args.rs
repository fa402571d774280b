//! clap definitions. Global flags work before or after the subcommand.

use std::path::PathBuf;

use awsmon_notifier::Service;
use clap::{Args, Parser, Subcommand};

use super::output::OutputArgs;

#[derive(Debug, Parser)]
#[command(
    name = "awsmon-tui",
    version = crate::deploy::artifact::VERSION_LINE,
    about = "Switch AWS monitoring services on per region and route their findings to Slack"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// config.yml to use (default: ./config/config.yml, ./config.yml, $XDG_CONFIG_HOME/awsmon/config.yml)
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// AWS profile (also AWS_PROFILE); SSO and credential_process profiles work
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// Home region, where the notifier runs (overrides HOME_REGION)
    #[arg(long, global = true, value_name = "HOME_REGION", value_parser = crate::regions::check)]
    pub region: Option<String>,
    /// Send every AWS call here, e.g. a local emulator (AWS_ENDPOINT_URL is also honoured)
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Regions to look at: r1,r2 or all (overrides REGIONS)
    #[arg(long, global = true, value_name = "r1,r2|all", value_parser = parse_regions)]
    pub regions: Option<RegionArg>,
    /// Make no change: mutating commands are refused before any AWS call
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Seconds one AWS operation may take, retries included (default 15)
    #[arg(long, global = true, value_name = "SECONDS", hide = true, value_parser = parse_timeout)]
    pub timeout: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionArg {
    All,
    List(Vec<String>),
}

/// Seconds for one AWS operation: a finite number above 0 and at most an hour.
fn parse_timeout(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= 3600.0 => Ok(v),
        _ => Err(format!(
            "expected a number of seconds above 0 and at most 3600, found {s:?}"
        )),
    }
}

fn parse_regions(s: &str) -> Result<RegionArg, String> {
    if s.trim().eq_ignore_ascii_case("all") {
        return Ok(RegionArg::All);
    }
    let list = s
        .split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(crate::regions::check)
        .collect::<Result<Vec<_>, _>>()?;
    if list.is_empty() {
        return Err("expected a comma-separated list of regions, or all".into());
    }
    Ok(RegionArg::List(list))
}

/// A value parser that names its values (so `--help` and shell completions list them) and
/// reads them with the type's own `FromStr`.
fn one_of<T>(names: Vec<&'static str>) -> impl clap::builder::TypedValueParser<Value = T>
where
    T: std::str::FromStr + Clone + Send + Sync + 'static,
    T::Err: std::fmt::Display,
{
    use clap::builder::TypedValueParser as _;
    clap::builder::PossibleValuesParser::new(names)
        .try_map(|s: String| s.parse::<T>().map_err(|e| e.to_string()))
}

fn service_names() -> Vec<&'static str> {
    Service::ALL.iter().map(|s| s.as_str()).collect()
}

fn parse_service() -> impl clap::builder::TypedValueParser<Value = Service> {
    one_of(service_names())
}

fn parse_target() -> impl clap::builder::TypedValueParser<Value = crate::deploy::plan::Target> {
    let mut names = vec!["notifier"];
    names.extend(service_names());
    names.push("all");
    one_of(names)
}

/// `default`, a service, or a ROUTING_OVERRIDES entry's account or OU id (any case for the
/// names). The names complete in shells; an id is read as typed.
#[derive(Clone)]
struct RouteParser;

impl clap::builder::TypedValueParser for RouteParser {
    type Value = crate::test_message::Route;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<Self::Value, clap::Error> {
        let text = value.to_string_lossy();
        text.parse().map_err(|e: String| {
            let flag = arg.map_or_else(|| "--route".to_string(), ToString::to_string);
            clap::Error::raw(
                clap::error::ErrorKind::ValueValidation,
                format!("invalid value '{text}' for '{flag}': {e}\n"),
            )
            .with_cmd(cmd)
        })
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        let names = std::iter::once("default").chain(service_names());
        Some(Box::new(names.map(clap::builder::PossibleValue::new)))
    }
}

fn parse_account_id(v: &str) -> Result<String, String> {
    crate::config::schema::account_id(v)
}

fn parse_via() -> impl clap::builder::TypedValueParser<Value = crate::test_message::Via> {
    one_of(vec!["direct", "pipeline"])
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan every region: what is enabled, managed by awsmon, and notifying
    #[command(after_help = "Examples:
  awsmon-tui status
  awsmon-tui --profile audit --regions eu-west-1,us-east-1 status --services guardduty,config
  awsmon-tui status --json | jq '.cells[] | select(.state == \"error\")'
  awsmon-tui status --account 111122223333")]
    Status(StatusArgs),
    /// Check or show config.yml
    #[command(
        subcommand,
        after_help = "Examples:
  awsmon-tui config validate
  awsmon-tui --config prod.yml config show
  awsmon-tui config schema > awsmon.schema.json"
    )]
    Config(ConfigCommand),
    /// Turn a service on in regions (plan, confirm, deploy)
    #[command(after_help = "Examples:
  awsmon-tui deploy notifier
  awsmon-tui --regions eu-west-1,eu-central-1 deploy guardduty --dry-run
  awsmon-tui --regions all deploy all --yes --json")]
    Deploy(DeployArgs),
    /// Turn a service off: remove awsmon's wiring, keep service data unless asked
    #[command(after_help = "Examples:
  awsmon-tui --regions eu-west-1 destroy inspector --dry-run
  awsmon-tui destroy guardduty --delete-service-data")]
    Destroy(DestroyArgs),
    /// Recent findings from every region, with what the notifier would do with each
    #[command(after_help = "Examples:
  awsmon-tui findings
  awsmon-tui findings --since 7d --services guardduty,inspector
  awsmon-tui findings --json | jq 'select(.decision == \"send\")'")]
    Findings(FindingsArgs),
    /// Webhook routing in the deployed notifier
    #[command(
        subcommand,
        after_help = "Examples:
  awsmon-tui routing push"
    )]
    Routing(RoutingCommand),
    /// Send a test message to a route's webhooks, directly or through the deployed notifier
    #[command(after_help = "Examples:
  awsmon-tui test-message
  awsmon-tui test-message --route guardduty
  awsmon-tui test-message --route config --via pipeline --wait 120")]
    TestMessage(TestMessageArgs),
    /// The deployed notifier: its health, and replaying what it could not deliver
    #[command(
        subcommand,
        after_help = "Examples:
  awsmon-tui notifier status
  awsmon-tui notifier redrive --dry-run
  awsmon-tui notifier export undelivered.json"
    )]
    Notifier(NotifierCommand),
    /// Show what the notifier would send for a Lambda payload (EventBridge, SNS, or an array)
    #[command(after_help = "Examples:
  awsmon-tui preview --event lambda/tests/fixtures/guardduty-ssh-bruteforce.json
  awsmon-tui preview --event lambda/tests/fixtures/*.json
  cat event.json | awsmon-tui preview --event -
  awsmon-tui preview --event events.json --json | jq -c '[.decision, .reason]'")]
    Preview(PreviewArgs),
    /// Print shell completions, e.g. `awsmon-tui completions bash > ~/.local/share/bash-completion/completions/awsmon-tui`
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), e.g. `awsmon-tui man > ~/.local/share/man/man1/awsmon-tui.1`
    Man,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Only these services (comma-separated)
    #[arg(long, value_delimiter = ',', value_parser = parse_service(), ignore_case = true)]
    pub services: Option<Vec<Service>>,
    /// Org mode: one account's region × service table instead of the Organization's summary
    #[arg(long, value_name = "ACCOUNT_ID", value_parser = parse_account_id)]
    pub account: Option<String>,
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Debug, Args)]
pub struct DeployArgs {
    /// What to act on: the notifier (its hub), one service, or all
    #[arg(value_parser = parse_target(), ignore_case = true)]
    pub target: crate::deploy::plan::Target,
    /// Org mode: the organization's auto-enable for GuardDuty and Inspector, NEW (accounts
    /// that join) or ALL (existing members too); overrides ORG_AUTO_ENABLE
    #[arg(long, value_name = "ALL|NEW", value_parser = parse_auto_enable)]
    pub auto_enable: Option<crate::config::AutoEnableMode>,
    #[command(flatten)]
    pub common: ApplyArgs,
}

#[derive(Debug, Args)]
pub struct DestroyArgs {
    /// What to act on: the notifier (its hub), one service, or all
    #[arg(value_parser = parse_target(), ignore_case = true)]
    pub target: crate::deploy::plan::Target,
    /// Also delete what awsmon created that holds history: detectors, Config recorders and
    /// channels, Inspector scanning (never adopted ones); asks a second time on a terminal
    #[arg(long)]
    pub delete_service_data: bool,
    #[command(flatten)]
    pub common: ApplyArgs,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// Print the plan and stop
    #[arg(long)]
    pub dry_run: bool,
    /// Apply without asking
    #[arg(long)]
    pub yes: bool,
    // The plan, progress and outcomes as JSON (json: one list; jsonl: a line each)
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Debug, Args)]
pub struct PreviewArgs {
    /// The payload files (read in order as one stream of events), or - for standard input
    #[arg(long, value_name = "FILE|-", num_args = 1.., required = true)]
    pub event: Vec<PathBuf>,
    // Per event as JSON: service, decision, reason, routes (masked), payload
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate config.yml; exit 2 on errors
    Validate {
        #[arg(long)]
        json: bool,
    },
    /// Show the effective configuration, webhooks masked
    Show {
        #[arg(long)]
        json: bool,
    },
    /// Print a sample config.yml listing every key
    Sample,
    /// Print a JSON Schema for config.yml (for editors with yaml-language-server:
    /// `# yaml-language-server: $schema=/path/to/awsmon.schema.json`)
    Schema,
}

#[derive(Debug, Subcommand)]
pub enum RoutingCommand {
    /// Write config.yml's webhooks and filters to the notifier's SSM parameter (nothing else)
    Push,
}

#[derive(Debug, Subcommand)]
pub enum NotifierCommand {
    /// Errors and throttles in the last 24 h, undelivered events, the last delivery, and the
    /// deployed build against this binary's; exit 1 when anything needs attention
    Status {
        /// One JSON document
        #[arg(long)]
        json: bool,
    },
    /// Replay the failure queue through the notifier once the cause is fixed: shows what is
    /// waiting first, and removes a message only after its replay succeeded
    Redrive {
        /// Show what is waiting and stop
        #[arg(long)]
        dry_run: bool,
        /// Replay without asking
        #[arg(long)]
        yes: bool,
        /// One JSON line per message
        #[arg(long)]
        json: bool,
    },
    /// The daily digest each route would receive now (DIGEST_TIME schedules it), built by
    /// the notifier's code from its state table; sends nothing
    Digest {
        /// One JSON line per route (webhooks masked)
        #[arg(long)]
        json: bool,
    },
    /// Move the failure queue's messages into a local JSON file (written first, mode 0600,
    /// never over an existing file), then remove exactly those from the queue
    Export {
        /// The file to create
        file: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct TestMessageArgs {
    /// Whose webhooks: default, a service's (guardduty, config, inspector, trustedadvisor,
    /// budget), or a ROUTING_OVERRIDES entry's (its account or OU id)
    #[arg(long, default_value = "default", value_parser = RouteParser)]
    pub route: crate::test_message::Route,
    /// direct: post from here and report each webhook's answer; pipeline: put an awsmon.test
    /// event on the home bus (EventBridge → Lambda → Slack)
    #[arg(long, default_value = "direct", value_parser = parse_via(), ignore_case = true)]
    pub via: crate::test_message::Via,
    /// With --via pipeline: seconds to wait for the notifier's log line for the event (0: do
    /// not wait)
    #[arg(long, default_value_t = 90, value_name = "SECONDS")]
    pub wait: u64,
    // Per webhook (direct) or per event (pipeline) as JSON
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Debug, Args)]
pub struct FindingsArgs {
    /// How far back: 24h, 90m, 7d
    #[arg(long, default_value = "24h", value_parser = crate::findings::parse_since)]
    pub since: std::time::Duration,
    /// Only these services (comma-separated)
    #[arg(long, value_delimiter = ',', value_parser = parse_service(), ignore_case = true)]
    pub services: Option<Vec<Service>>,
    // Per finding as JSON
    #[command(flatten)]
    pub out: OutputArgs,
}

fn parse_auto_enable(v: &str) -> Result<crate::config::AutoEnableMode, String> {
    crate::config::AutoEnableMode::parse(v)
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::Cli;

    /// Every subcommand's help ends with examples, and every example is a command line this
    /// parser accepts (up to a pipe into another tool or a redirection).
    #[test]
    fn every_subcommand_has_examples_that_parse() {
        let cli = Cli::command();
        let skip = ["completions", "man", "help"];
        for sub in cli.get_subcommands() {
            let name = sub.get_name();
            if skip.contains(&name) {
                continue;
            }
            let help = sub
                .get_after_help()
                .map(ToString::to_string)
                .unwrap_or_default();
            assert!(help.starts_with("Examples:"), "{name}: no examples");
            let mut examples = 0;
            for line in help.lines().skip(1) {
                let line = line.trim();
                let command = line
                    .rsplit_once("| awsmon-tui")
                    .map_or(line, |(_, after)| after);
                let command = command.split(" | ").next().unwrap_or_default();
                let command = command.split(" > ").next().unwrap_or_default();
                let args: Vec<&str> = std::iter::once("awsmon-tui")
                    .chain(
                        command
                            .split_whitespace()
                            .skip_while(|w| *w == "awsmon-tui"),
                    )
                    .collect();
                if let Err(e) = Cli::try_parse_from(&args) {
                    panic!("{name}: example {line:?} does not parse: {e}");
                }
                examples += 1;
            }
            assert!(examples > 0, "{name}: no example lines");
        }
    }
}
