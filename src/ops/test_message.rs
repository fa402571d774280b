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
    /// Each line with whether it went through.
    pub lines: Vec<(bool, String)>,
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
            Sent::Direct { deliveries, .. } => deliveries
                .iter()
                .map(|d| (d.ok, test_message::delivery_line(d)))
                .collect(),
            Sent::Pipeline {
                event_id,
                region,
                notifier,
                ..
            } => vec![(
                true,
                format!(
                    "ok  event {event_id} on the default bus in {region}: EventBridge → {notifier} → Slack"
                ),
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
            // The message's context line names the account the credentials are for; without
            // credentials a direct test still goes, and says it does not know.
            let account = crate::inventory::account_id(aws, cfg.home_region())
                .await
                .unwrap_or_else(|_| "unknown account".to_string());
            let deliveries = test_message::direct(
                &cfg.settings,
                &route,
                &account,
                RetryPolicy::default(),
                deadline,
            )
            .await?;
            Ok(Sent::Direct { route, deliveries })
        }
        Via::Pipeline => {
            let event_id = test_message::pipeline(aws, cfg, &route).await?;
            Ok(Sent::Pipeline {
                route,
                event_id,
                region: cfg.home_region().to_string(),
                notifier: format!("{}-notifier", cfg.prefix_service_name),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use awsmon_notifier::deliver::Attempt;

    fn delivery(ok: bool, status: u16) -> Delivery {
        Delivery {
            url: "https://hooks.slack.com/services/T…/B…/••••".into(),
            webhook: "fp".into(),
            ok,
            attempts: vec![Attempt {
                status: Some(status),
                error: (!ok).then(|| "invalid_payload".to_string()),
                latency_ms: 12,
                wait_ms: None,
            }],
            failure: None,
            total_ms: 12,
        }
    }

    #[test]
    fn a_refusing_webhook_is_counted_not_read_from_the_text() {
        let sent = Sent::Direct {
            route: Route::default(),
            deliveries: vec![delivery(true, 200), delivery(false, 400)],
        };
        let report = sent.report();
        assert_eq!(report.refused, 1);
        assert_eq!(report.lines.len(), 2);
        let pipeline = Sent::Pipeline {
            route: Route::default(),
            event_id: "e-1".into(),
            region: "us-east-1".into(),
            notifier: "awsmon-notifier".into(),
        };
        assert_eq!(
            pipeline.report(),
            TestReport {
                lines: vec![(
                    true,
                    "ok  event e-1 on the default bus in us-east-1: EventBridge → awsmon-notifier → Slack".into()
                )],
                refused: 0,
            }
        );
    }
}
