//! `awsmon-tui test-message`: direct reports each webhook's answer (status, Slack's error,
//! latency, URL masked); pipeline reports the event id EventBridge accepted.

use std::time::Duration;

use super::args::TestMessageArgs;
use super::output::{Emitter, Output};
use super::{Failure, GlobalArgs};
use crate::notifier::confirm::Confirmation;
use crate::ops::test_message::{self as ops, Sent};
use crate::test_message::{self, Via};

pub async fn run(global: &GlobalArgs, args: &TestMessageArgs) -> Result<(), Failure> {
    // Direct posts to Slack and changes nothing in AWS, so read-only lets it through.
    match (args.via, global.read_only) {
        (Via::Direct, true) => eprintln!(
            "note: --read-only is set; a direct test message changes nothing in AWS, so it is sent"
        ),
        (Via::Pipeline, _) => super::refuse_if_read_only(global, "test-message --via pipeline")?,
        (Via::Direct, false) => {}
    }
    let loaded = super::load_config(global)?;
    let cfg = &loaded.config;
    let route = &args.route;
    let aws = super::connect(global, &loaded).await;
    let sent_at = std::time::SystemTime::now();
    let sent = ops::send(&aws, cfg, route.clone(), args.via, Duration::from_mins(1))
        .await
        .map_err(|e| match args.via {
            Via::Direct => Failure::usage(e.to_string()),
            Via::Pipeline => Failure::other(e.to_string()),
        })?;
    // JSON per webhook (direct) or for the event (pipeline); `None` prints text.
    let mut json = Emitter::new(args.out.format(Output::Jsonl));
    match sent {
        Sent::Direct { deliveries, .. } => {
            if json.is_none() {
                println!(
                    "test message on the {} route, direct to {}:",
                    route.as_str(),
                    crate::text::count(deliveries.len(), "webhook", "webhooks")
                );
            }
            for d in &deliveries {
                if let Some(json) = json.as_mut() {
                    json.emit(&serde_json::json!({
                        "route": route.as_str(), "url": d.url, "ok": d.ok,
                        "status": d.last_status(), "error": d.slack_error(),
                        "latency_ms": d.total_ms, "attempts": d.attempts.len(),
                    }));
                } else {
                    println!("  {}", test_message::delivery_line(d));
                }
            }
            let failed = deliveries.iter().filter(|d| !d.ok).count();
            if failed > 0 {
                return Err(Failure::other(format!(
                    "{failed} of {} did not accept the message",
                    crate::text::count(deliveries.len(), "webhook", "webhooks")
                )));
            }
        }
        Sent::Pipeline { event_id: id, .. } => {
            if json.is_none() {
                println!(
                    "test event {id} on the default bus in {}: EventBridge → {}-notifier → the {} route's webhooks",
                    cfg.home_region(),
                    cfg.prefix_service_name,
                    route.as_str()
                );
            }
            if args.wait == 0 {
                if let Some(json) = json.as_mut() {
                    json.emit(&serde_json::json!({"route": route.as_str(), "event_id": id, "region": cfg.home_region(), "confirmed": null}));
                }
                return Ok(());
            }
            if json.is_none() {
                println!("waiting up to {} s for the notifier's log line…", args.wait);
            }
            let seen = crate::notifier::confirm::await_event(
                &aws,
                cfg,
                &id,
                sent_at,
                Duration::from_secs(args.wait),
                Duration::from_secs(2),
            )
            .await;
            if let Some(json) = json.as_mut() {
                let deliveries = match &seen {
                    Confirmation::Seen(e) => {
                        serde_json::to_value(&e.deliveries).unwrap_or_default()
                    }
                    Confirmation::NotSeen { .. } => serde_json::Value::Null,
                };
                json.emit(&serde_json::json!({
                    "route": route.as_str(), "event_id": id, "region": cfg.home_region(),
                    "confirmed": matches!(seen, Confirmation::Seen(_)),
                    "delivered": seen.delivered(), "deliveries": deliveries,
                    "detail": seen.lines(),
                }));
            } else {
                for line in seen.lines() {
                    println!("  {line}");
                }
            }
            match seen {
                _ if seen.delivered() => {}
                Confirmation::Seen(_) => {
                    return Err(Failure::other(
                        "the notifier ran but did not deliver the test message",
                    ));
                }
                Confirmation::NotSeen { .. } => {
                    return Err(Failure::other(
                        "delivery through the pipeline is unconfirmed",
                    ));
                }
            }
        }
    }
    Ok(())
}
