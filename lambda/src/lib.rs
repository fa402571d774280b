//! awsmon-notifier: AWS security events → filtered, routed Slack messages.
//!
//! Data flow: payload bytes → [`stream`] (array elements cut out) → [`json`] (a pruned tree
//! borrowing the input's text) → [`event`] (the envelope picks a kind; each `event/<kind>.rs`
//! parses, borrowing from the tree, decides, builds its card, id and severity through one
//! `Kind` trait) → [`pipeline`] routes it
//! by [`service`] (the one metadata table) and [`settings`] → [`slack`] (typed Block Kit written
//! straight to bytes) → [`deliver`] (retries, Retry-After) → [`notify`] (log line, failure queue).
//! [`pipeline::prepare`] runs all but delivery; the console's preview calls it too.

pub mod decide;
pub mod dedupe;
pub mod deliver;
pub mod digest;
pub mod event;
pub mod format;
pub mod json;
pub mod metrics;
pub mod pipeline;
pub mod secret;
pub mod service;
pub mod settings;
pub mod slack;
pub mod stream;
pub mod time;

/// The allocator the shipped binaries (the bootstrap, the console) and the benchmark declare
/// as their `#[global_allocator]`, so the benchmark measures what ships.
pub use mimalloc::MiMalloc as Allocator;

pub use decide::{Decision, Mention};
pub use pipeline::{Prepared, prepare, prepare_reader, prepare_sample, prepare_slice};
pub use secret::WebhookUrl;
pub use service::Service;
pub use settings::Settings;
pub use stream::StreamError;
pub mod notify;

#[cfg(feature = "lambda")]
pub mod lambda_main;
#[cfg(feature = "state")]
pub mod state_store;
