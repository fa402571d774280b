//! `awsmon-tui completions <shell>` and `awsmon-tui man`: both made from the clap definitions,
//! so they list exactly the commands and flags this build has.

use std::io::Write;

use clap::CommandFactory;

use super::Failure;
use super::args::Cli;

pub fn completions(shell: clap_complete::Shell) -> Result<(), Failure> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "awsmon-tui", &mut out);
    write_out(&out)
}

pub fn man() -> Result<(), Failure> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut out)
        .map_err(|e| Failure::usage(format!("cannot render the man page: {e}")))?;
    write_out(&out)
}

fn write_out(bytes: &[u8]) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Failure::usage(format!("cannot write: {e}")))
        }
        _ => Ok(()),
    }
}
