//! `awsmon-tui routing push`: only the routing parameter changes, so new webhooks or filters
//! take effect without a deploy (the notifier re-reads it within its cache TTL).

use super::args::RoutingCommand;
use super::{Failure, GlobalArgs};
use crate::deploy::engine::Expect;
use crate::ops::routing::{self, PushError, Pushed};

pub async fn run(global: &GlobalArgs, cmd: &RoutingCommand) -> Result<(), Failure> {
    match cmd {
        RoutingCommand::Push => push(global).await,
    }
}

async fn push(global: &GlobalArgs) -> Result<(), Failure> {
    super::refuse_if_read_only(global, "routing push")?;
    let loaded = super::load_config(global)?;
    let cfg = &loaded.config;
    if let Some(gap) = cfg.routing_gap() {
        // Refused before any AWS call.
        return Err(Failure::usage(format!("routing not pushed: {gap}")));
    }
    let aws = super::connect(global, &loaded).await;
    match routing::push(&aws, cfg, Expect::Any).await {
        Ok(Pushed::Done {
            write,
            parameter,
            region,
            ..
        }) => println!("routing {write}: {parameter} in {region}"),
        Ok(Pushed::NoHub { hub }) => println!(
            "routing not pushed: {hub} is not deployed; `awsmon-tui deploy notifier` writes it along with the notifier"
        ),
        Err(e @ PushError::Gap(_)) => {
            return Err(Failure::usage(format!("routing not pushed: {e}")));
        }
        Err(e) => return Err(Failure::other(format!("routing not pushed: {e}"))),
    }
    Ok(())
}
