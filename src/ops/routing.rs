//! Pushing config.yml's routing (webhooks and filters) to the SSM parameter the notifier reads,
//! so it takes effect without a deploy. One path for `routing push` and the console's save:
//! a route without a webhook is refused first, and only a deployed hub's parameter is written
//! (a deploy writes it along with the notifier).

use crate::aws::{Aws, AwsError};
use crate::config::Config;
use crate::deploy::engine::{self, Expect, RoutingError, RoutingWrite};
use crate::naming;

/// What a push did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pushed {
    /// The parameter holds this config's routing now.
    Done {
        write: RoutingWrite,
        parameter: String,
        region: String,
        /// The parameter's version now in place.
        version: Option<i64>,
    },
    /// The hub is not deployed: no notifier reads the parameter, so nothing was written.
    NoHub { hub: String },
}

/// Why nothing was pushed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PushError {
    /// A route has no webhook: its alerts would be lost.
    #[error("{0}")]
    Gap(String),
    #[error("cannot tell whether {hub} is deployed: {error}")]
    HubUnknown { hub: String, error: AwsError },
    /// Reading or writing the parameter failed, or someone else changed it since it was read.
    #[error("{0}")]
    Write(#[from] RoutingError),
}

/// Pushes `cfg`'s routing to the hub's parameter. `expect` is the version the caller read
/// (the console, at its last scan) or `Expect::Any` (`routing push` reads it just now).
pub async fn push(aws: &Aws, cfg: &Config, expect: Expect) -> Result<Pushed, PushError> {
    if let Some(gap) = cfg.routing_gap() {
        return Err(PushError::Gap(gap));
    }
    let hub = naming::hub_stack(cfg);
    match crate::inventory::stacks::hub_exists(aws, cfg).await {
        Ok(true) => {}
        Ok(false) => return Ok(Pushed::NoHub { hub }),
        Err(error) => return Err(PushError::HubUnknown { hub, error }),
    }
    let region = cfg.home_region().to_string();
    let parameter = naming::routing_parameter(cfg);
    let (write, version) = engine::write_routing(aws, cfg, &region, &parameter, expect).await?;
    Ok(Pushed::Done {
        write,
        parameter,
        region,
        version,
    })
}
