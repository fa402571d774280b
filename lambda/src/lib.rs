//! awsmon-notifier: AWS security events → filtered, routed Slack messages.
//!
//! The pipeline is parse ([`event`]) → decide ([`decide`]) → route → format ([`format`],
//! [`slack`]) → deliver ([`deliver`]). [`pipeline::prepare`] runs all but delivery; the TUI's
//! preview calls it too, so what it shows is what the Lambda sends.

pub mod decide;
pub mod deliver;
pub mod event;
pub mod format;
mod json;
pub mod metrics;
pub mod pipeline;
pub mod secret;
pub mod service;
pub mod settings;
pub mod slack;
pub mod time;

pub use decide::{Decision, Mention};
pub use pipeline::{Prepared, prepare, prepare_reader, prepare_sample};
pub use secret::WebhookUrl;
pub use service::Service;
pub use settings::Settings;
pub mod notify;

#[cfg(feature = "lambda")]
pub mod lambda_main;
