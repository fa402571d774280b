//! The command line: global flags, subcommands, exit codes.

mod args;
mod config_cmd;
pub mod console;
mod deploy;
mod docs;
mod findings;
mod notifier;
pub mod output;
mod preview;
mod routing;
pub mod status;
mod table;
mod test_message;

use std::process::ExitCode;

pub use args::{Cli, Command, GlobalArgs, RegionArg, StatusArgs};

use crate::aws::{Aws, AwsOptions};
use crate::config::{self, Loaded};

/// Exit codes: 0 ok (a scan ran, even with error cells); 1 other failures; 2 usage or config
/// errors; 3 no usable credentials; 4 a deploy whose every step ran but whose check afterwards
/// found a service not on.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Self {
        Failure {
            code: 2,
            message: message.into(),
        }
    }
    pub fn credentials(message: impl Into<String>) -> Self {
        Failure {
            code: 3,
            message: message.into(),
        }
    }
    /// Applied, but the service's own API says it is not on.
    pub fn unverified(message: impl Into<String>) -> Self {
        Failure {
            code: 4,
            message: message.into(),
        }
    }
    pub fn other(message: impl Into<String>) -> Self {
        Failure {
            code: 1,
            message: message.into(),
        }
    }
}

pub async fn run(cli: Cli) -> ExitCode {
    let result = match &cli.command {
        Some(Command::Status(args)) => Box::pin(status::run(&cli.global, args)).await,
        Some(Command::Config(args)) => config_cmd::run(&cli.global, args),
        Some(Command::Deploy(args)) => deploy::run(&cli.global, args).await,
        Some(Command::Destroy(args)) => deploy::destroy(&cli.global, args).await,
        Some(Command::Preview(args)) => preview::run(&cli.global, args),
        Some(Command::Completions { shell }) => docs::completions(*shell),
        Some(Command::Man) => docs::man(),
        Some(Command::Findings(args)) => findings::run(&cli.global, args).await,
        Some(Command::Routing(args)) => routing::run(&cli.global, args).await,
        Some(Command::TestMessage(args)) => test_message::run(&cli.global, args).await,
        Some(Command::Notifier(args)) => notifier::run(&cli.global, args).await,
        None => console::run(&cli.global).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("awsmon-tui: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

/// Loads config.yml per the global flags; warnings go to stderr.
pub fn load_config(global: &GlobalArgs) -> Result<Loaded, Failure> {
    let loaded = config::locate_and_load(global.config.as_deref()).map_err(|e| {
        Failure::usage(format!(
            "{e}\n(check the file, or run `awsmon-tui config validate`)"
        ))
    })?;
    for w in &loaded.warnings {
        eprintln!("warning: {w}");
    }
    let mut loaded = loaded;
    let env = |k: &str| std::env::var(k).ok();
    let file_region = loaded.config.home_region().to_string();
    let home = config::home_region::resolve(&config::home_region::Inputs {
        flag: global.region.as_deref(),
        config_file: loaded
            .config
            .home_region_in_file
            .then_some(file_region.as_str()),
        profile: global.profile.as_deref(),
        env: &env,
    });
    loaded.home_region_note = home.note();
    loaded.config.settings.home_region = home.region;
    Ok(loaded)
}

/// Mutating commands stop here under --read-only, before any AWS call or message.
pub fn refuse_if_read_only(global: &GlobalArgs, what: &str) -> Result<(), Failure> {
    if global.read_only {
        return Err(Failure::usage(format!(
            "--read-only is set: {what} would change AWS, so nothing was done"
        )));
    }
    Ok(())
}

/// The AWS access point for a command that calls AWS, in the home region; says first when that
/// region is only the default (commands that never call AWS, like `preview`, say nothing).
pub async fn connect(global: &GlobalArgs, loaded: &config::Loaded) -> Aws {
    if let Some(note) = &loaded.home_region_note {
        eprintln!("note: {note}");
    }
    let home_region = loaded.config.home_region();
    let mut options = AwsOptions {
        profile: global.profile.clone(),
        endpoint_url: global.endpoint_url.clone(),
        ..AwsOptions::default()
    };
    if let Some(secs) = global.timeout {
        options.operation_timeout = std::time::Duration::from_secs_f64(secs);
    }
    Aws::load(options, home_region).await
}

/// The regions a command works on: --regions, else REGIONS from config.yml, else every enabled
/// region of the account.
pub async fn chosen_regions(
    global: &GlobalArgs,
    cfg: &crate::config::Config,
    aws: &Aws,
) -> Vec<String> {
    match (&global.regions, &cfg.regions) {
        (Some(args::RegionArg::List(list)), _) | (None, config::RegionSelection::List(list)) => {
            list.clone()
        }
        _ => {
            let (all, _) = crate::aws::regions::discover(aws).await;
            all.into_iter()
                .filter(|r| r.enabled)
                .map(|r| r.name)
                .collect()
        }
    }
}
