//! A test message, straight to the route's webhooks or through the deployed pipeline.

use std::time::Duration;

use awsmon_notifier::deliver::{Delivery, RetryPolicy};

use crate::aws::Aws;
use crate::config::Config;
use crate::test_message::{self, Route, TestError, Via};

/// What was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    /// Each webhook's answer.
    Direct {
        route: Route,
        deliveries: Vec<Delivery>,
    },
    /// The event EventBridge accepted on the home region's default bus.
    Pipeline {
        route: Route,
        event_id: String,
        region: String,
        /// The function it goes to.
        notifier: String,
    },
}

/// A test message's result as the console shows it: one line per webhook (or the event), and
/// how many webhooks refused it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TestReport {
    pub lines: Vec<String>,
    pub refused: usize,
}

impl Sent {
    /// Webhooks that did not accept the message (none through the pipeline: unconfirmed).
    pub fn refused(&self) -> usize {
        match self {
            Sent::Direct { deliveries, .. } => deliveries.iter().filter(|d| !d.ok).count(),
            Sent::Pipeline { .. } => 0,
        }
    }

    pub fn report(&self) -> TestReport {
        let lines = match self {
            Sent::Direct { deliveries, .. } => {
                deliveries.iter().map(test_message::delivery_line).collect()
            }
            Sent::Pipeline {
                event_id,
                region,
                notifier,
                ..
            } => vec![format!(
                "ok  event {event_id} on the default bus in {region}: EventBridge → {notifier} → Slack"
            )],
        };
        TestReport {
            lines,
            refused: self.refused(),
        }
    }
}

/// Sends a test message on `route`. Direct posts to each webhook (within `deadline`); through
/// the pipeline puts one event on the bus (the hub must be deployed).
pub async fn send(
    aws: &Aws,
    cfg: &Config,
    route: Route,
    via: Via,
    deadline: Duration,
) -> Result<Sent, TestError> {
    match via {
        Via::Direct => {
            let deliveries =
                test_message::direct(&cfg.settings, route, RetryPolicy::default(), deadline)
                    .await?;
            Ok(Sent::Direct { route, deliveries })
        }
        Via::Pipeline => {
            let event_id = test_message::pipeline(aws, cfg, route).await?;
            Ok(Sent::Pipeline {
                route,
                event_id,
                region: cfg.home_region().to_string(),
                notifier: format!("{}-notifier", cfg.prefix_service_name),
            })
        }
    }
}
