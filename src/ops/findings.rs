//! Recent findings from every chosen region and service, with what could not be read.

use std::time::Duration;

use awsmon_notifier::Service;

use crate::aws::{Aws, AwsError};
use crate::config::Config;
use crate::findings::{self, Fetched, Request};

/// How many regions and services are read at once.
pub const CONCURRENCY: usize = 16;

/// Why no findings were read at all (unreadable services are in [`Fetched::errors`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FindingsError {
    /// The account could not be read: usually no usable credentials.
    #[error("{0}")]
    Account(AwsError),
}

/// The findings of `services` in `regions` since `since` ago, newest first.
pub async fn recent(
    aws: &Aws,
    cfg: &Config,
    regions: Vec<String>,
    services: Vec<Service>,
    since: Duration,
) -> Result<Fetched, FindingsError> {
    let account = crate::inventory::account_id(aws, cfg.home_region())
        .await
        .map_err(FindingsError::Account)?;
    let req = Request {
        regions,
        services,
        since,
        concurrency: CONCURRENCY,
    };
    Ok(findings::fetch(aws, cfg, &account, &req).await)
}
