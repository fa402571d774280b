//! The deployed notifier, seen from outside: its health (metrics, failure queue, deployed
//! build), replaying its failure queue, and confirming that a test event went through it.
//! The CLI and the console both call these; none of them goes through the notifier to report
//! on it, since a broken notifier cannot speak for itself.

pub mod confirm;
pub mod health;
pub mod redrive;
pub mod state;

use awsmon_notifier::Settings;

use crate::aws::{Aws, AwsError};
use crate::config::Config;
use crate::naming;

/// The routing the deployed notifier reads: the SSM SecureString, as the Lambda parses it.
/// The value holds webhook URLs, so no error ever quotes it.
pub async fn deployed_routing(aws: &Aws, cfg: &Config) -> Result<Settings, String> {
    let name = naming::routing_parameter(cfg);
    let out = aws
        .ssm(cfg.home_region())
        .get_parameter()
        .name(&name)
        .with_decryption(true)
        .send()
        .await
        .map_err(|e| AwsError::classify("ssm:GetParameter", &e).to_string())?;
    let value = out.parameter().and_then(|p| p.value()).unwrap_or_default();
    serde_json::from_str(value).map_err(|e| {
        format!(
            "{name} is not valid routing JSON (line {}, column {}): run `awsmon-tui routing push`",
            e.line(),
            e.column()
        )
    })
}

/// The failure queue's URL, or `None` when the hub (and so the queue) is not there.
pub async fn failure_queue_url(aws: &Aws, cfg: &Config) -> Result<Option<String>, AwsError> {
    match aws
        .sqs(cfg.home_region())
        .get_queue_url()
        .queue_name(naming::failure_queue(cfg))
        .send()
        .await
    {
        Ok(out) => Ok(out.queue_url().map(str::to_string)),
        Err(e) => {
            let err = AwsError::classify("sqs:GetQueueUrl", &e);
            let missing = err
                .code
                .as_deref()
                .is_some_and(|c| c.contains("NonExistentQueue") || c.contains("QueueDoesNotExist"));
            if missing { Ok(None) } else { Err(err) }
        }
    }
}
