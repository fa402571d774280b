//! The `awsmon-tui` binary: parse the command line, set up logging (a file under the console,
//! stderr otherwise), start tokio, and hand over to `awsmon::cli::run`: no subcommand opens the
//! console (`awsmon::tui`), every subcommand calls one use case in `awsmon::ops` and prints it.

use std::process::ExitCode;

use clap::Parser;

#[global_allocator]
static ALLOCATOR: awsmon_notifier::Allocator = awsmon_notifier::Allocator;

fn main() -> ExitCode {
    let cli = awsmon::cli::Cli::parse();
    let filter = tracing_subscriber::EnvFilter::from_env("AWSMON_LOG");
    let console = cli.command.is_none();
    if console {
        // Anything written to stderr would land on the console's screen: log to a file, and
        // only when asked for.
        if std::env::var_os("AWSMON_LOG").is_some() {
            match awsmon::logfile::open() {
                Ok(file) => tracing_subscriber::fmt()
                    .with_env_filter(filter)
                    .with_ansi(false)
                    .with_writer(std::sync::Mutex::new(file))
                    .init(),
                Err(e) => eprintln!("awsmon-tui: no log file: {e}"),
            }
        }
    } else if std::env::var_os("AWSMON_LOG").is_some() {
        // Only when asked for: the commands say what went wrong in their own words, and an
        // SDK's ERROR line (in colour) beside them is noise.
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // Security Hub's findings (ASFF) nest deeply, and the SDK reads them recursively: the
        // default 2 MiB is not enough for a finding with resource details in a debug build.
        .thread_stack_size(awsmon::STACK_BYTES)
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("awsmon-tui: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(awsmon::cli::run(cli))
}
