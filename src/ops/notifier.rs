//! The deployed notifier from outside: its health, and what waits in its failure queue.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::aws::Aws;
use crate::config::Config;
use crate::deploy::artifact;
use crate::naming;
use crate::notifier::health::{self, Health};
use crate::notifier::redrive::{self, FailedMessage, RedriveError, Replayed};

/// The notifier's health, its deployed build compared with the bundled one.
pub async fn health(aws: &Aws, cfg: &Config) -> Health {
    let bundled = artifact::load().ok().map(|a| a.sha256);
    health::fetch(aws, cfg, bundled).await
}

/// What waits in the failure queue, read and released untouched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    pub queue: String,
    pub messages: usize,
    /// How many of each kind (as the deployed routing names them).
    pub kinds: BTreeMap<String, usize>,
}

/// Reads what a redrive would replay, holds it briefly, then releases it untouched.
pub async fn waiting(aws: &Aws, cfg: &Config) -> Result<Waiting, RedriveError> {
    let (settings, held) = redrive::routing_and_held(aws, cfg, Duration::from_secs(30)).await?;
    let all: Vec<&FailedMessage> = held.messages.iter().collect();
    redrive::release(aws, cfg, &held.queue_url, &all).await;
    Ok(Waiting {
        queue: naming::failure_queue(cfg),
        messages: held.messages.len(),
        kinds: held.summary(&settings),
    })
}

/// Replays every waiting message with the deployed routing; each is removed once delivered.
pub async fn redrive(aws: &Aws, cfg: &Config) -> Result<Vec<Replayed>, RedriveError> {
    let (settings, held) = redrive::routing_and_held(aws, cfg, Duration::from_mins(5)).await?;
    redrive::replay_held(aws, cfg, &held, &settings).await
}
