//! `awsmon-tui routing push`: only the routing parameter changes, so new webhooks or filters
//! take effect without a deploy (the notifier re-reads it within its cache TTL).

use super::args::RoutingCommand;
use super::{Failure, GlobalArgs};
use crate::deploy::engine;
use crate::naming;

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
        return Err(Failure::usage(format!("routing not pushed: {gap}")));
    }
    let home = cfg.home_region();
    let aws = super::connect(global, home).await;
    let parameter = naming::routing_parameter(cfg);
    let (result, _) = engine::write_routing(&aws, cfg, home, &parameter, engine::Expect::Any)
        .await
        .map_err(|e| Failure::other(format!("routing not pushed: {e}")))?;
    let hub = naming::hub_stack(cfg);
    let deployed = crate::inventory::stacks::hub_exists(&aws, cfg)
        .await
        .unwrap_or(false);
    println!("routing {result}: {parameter} in {home}");
    if !deployed {
        println!(
            "note: {hub} is not deployed; `awsmon-tui deploy notifier` puts a notifier behind it"
        );
    }
    Ok(())
}
