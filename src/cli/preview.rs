//! `awsmon-tui preview --event FILE|-`: what the notifier would do with a Lambda payload,
//! using this config's routing and filters and the notifier's own code.

use std::io::Read;
use std::path::Path;

use awsmon_notifier::{Decision, prepare};

use super::args::PreviewArgs;
use super::{Failure, GlobalArgs};
use crate::slack_view;

pub fn run(global: &GlobalArgs, args: &PreviewArgs) -> Result<(), Failure> {
    let loaded = super::load_config(global)?;
    let (label, text) = if args.event == Path::new("-") {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| Failure::usage(format!("cannot read standard input: {e}")))?;
        ("standard input".to_string(), s)
    } else {
        let text = std::fs::read_to_string(&args.event)
            .map_err(|e| Failure::usage(format!("{}: cannot read: {e}", args.event.display())))?;
        (args.event.display().to_string(), text)
    };
    let payload: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        Failure::usage(format!(
            "{label}: not JSON (line {}, column {}): {e}. Expected an EventBridge event, an SNS Lambda event, or a JSON array of them.",
            e.line(),
            e.column()
        ))
    })?;
    let prepared = prepare(&payload, &loaded.config.settings);
    for p in &prepared {
        if args.json {
            println!("{}", p.to_json());
            continue;
        }
        let routes: Vec<String> = p
            .routes
            .iter()
            .map(awsmon_notifier::WebhookUrl::masked)
            .collect();
        let routes = if routes.is_empty() {
            "(no webhook configured)".to_string()
        } else {
            routes.join(", ")
        };
        let mut out = match &p.decision {
            Decision::Send { mention } => format!(
                "── {} {}: SEND (mention {}) → {routes}\n",
                p.service_name(),
                p.id,
                mention.as_str()
            ),
            Decision::Drop { reason } => {
                format!("── {} {}: DROP ({reason})\n", p.service_name(), p.id)
            }
        };
        if let Some(payload) = &p.payload {
            out.push_str(&slack_view::to_text(payload));
        }
        // Event text is the sender's: no escape sequence of theirs reaches the terminal.
        println!("{}", crate::text::printable(&out));
    }
    Ok(())
}
