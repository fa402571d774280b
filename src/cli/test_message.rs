//! `awsmon-tui test-message`: direct reports each webhook's answer (status, Slack's error,
//! latency, URL masked); pipeline reports the event id EventBridge accepted.

use std::time::Duration;

use awsmon_notifier::deliver::RetryPolicy;

use super::args::TestMessageArgs;
use super::{Failure, GlobalArgs};
use crate::test_message::{self, Via};

pub async fn run(global: &GlobalArgs, args: &TestMessageArgs) -> Result<(), Failure> {
    super::refuse_if_read_only(global, "test-message")?;
    let loaded = super::load_config(global)?;
    let cfg = &loaded.config;
    let route = args.route;
    match args.via {
        Via::Direct => {
            let deliveries = test_message::direct(
                &cfg.settings,
                route,
                RetryPolicy::default(),
                Duration::from_mins(1),
            )
            .await
            .map_err(|e| Failure::usage(e.to_string()))?;
            if !args.json {
                println!(
                    "test message on the {} route, direct to {} webhook(s):",
                    route.as_str(),
                    deliveries.len()
                );
            }
            for d in &deliveries {
                if args.json {
                    println!(
                        "{}",
                        serde_json::json!({
                            "route": route.as_str(), "url": d.url, "ok": d.ok,
                            "status": d.last_status(), "error": d.slack_error(),
                            "latency_ms": d.total_ms, "attempts": d.attempts.len(),
                        })
                    );
                } else {
                    println!("  {}", test_message::delivery_line(d));
                }
            }
            let failed = deliveries.iter().filter(|d| !d.ok).count();
            if failed > 0 {
                return Err(Failure::other(format!(
                    "{failed} of {} webhook(s) did not accept the message",
                    deliveries.len()
                )));
            }
        }
        Via::Pipeline => {
            let aws = super::connect(global, cfg.home_region()).await;
            let id = test_message::pipeline(&aws, cfg, route)
                .await
                .map_err(|e| Failure::other(e.to_string()))?;
            if args.json {
                println!(
                    "{}",
                    serde_json::json!({"route": route.as_str(), "event_id": id, "region": cfg.home_region()})
                );
            } else {
                println!(
                    "test event {id} on the default bus in {}: EventBridge → {}-notifier → the {} route's webhooks",
                    cfg.home_region(),
                    cfg.prefix_service_name,
                    route.as_str()
                );
            }
        }
    }
    Ok(())
}
