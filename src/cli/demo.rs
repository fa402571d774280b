//! `awsmon-tui demo`: everything against a local emulator, no AWS account needed. Starts
//! moto from the project venv, seeds a believable account, runs, and stops what it started.

use super::args::{RegionArg, StatusArgs};
use super::{Failure, GlobalArgs, status};
use crate::aws::{Aws, AwsOptions};
use crate::testbench::{Moto, dummy_credentials, seed};

const DEMO_REGIONS: [&str; 4] = ["us-east-1", "eu-west-1", "eu-central-1", "ap-southeast-2"];

pub async fn run(global: &GlobalArgs) -> Result<(), Failure> {
    let loaded = super::load_config(global)?;
    let moto = tokio::task::spawn_blocking(Moto::start)
        .await
        .map_err(|e| Failure::other(e.to_string()))?
        .map_err(|e| Failure::other(format!("cannot start the emulator: {e}")))?;
    eprintln!(
        "EMULATOR: moto at {} (account {}), not a real AWS account. It stops when the demo ends.",
        moto.endpoint,
        seed::ACCOUNT
    );
    let options = AwsOptions {
        endpoint_url: Some(moto.endpoint.clone()),
        credentials: Some(dummy_credentials()),
        max_attempts: 1,
        ..AwsOptions::default()
    };
    let aws = Aws::load(options, loaded.config.home_region()).await;
    seed::demo_account(&aws)
        .await
        .map_err(|e| Failure::other(e.to_string()))?;
    let regions = global.regions.clone().unwrap_or_else(|| {
        RegionArg::List(DEMO_REGIONS.iter().map(|r| (*r).to_string()).collect())
    });
    let args = StatusArgs {
        services: None,
        json: false,
    };
    let result = status::report(&aws, &loaded.config, Some(&regions), &args).await;
    drop(moto);
    result
}
