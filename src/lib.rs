//! awsmon-tui: switch AWS monitoring services on per region and route their findings to Slack.
//!
//! Data flow, top to bottom:
//!   `config` (config.yml, one schema table) + `aws` (SDK clients) →
//!   `services` (the registry: per service its probe, recent findings and planner steps) →
//!   `inventory` (the scan), `findings`, `deploy` (plan → engine → verify), `notifier` (health) →
//!   `ops` (the use cases, typed outcomes) → rendered by `cli` (text/JSON) or `tui` (the console).

/// The stack each of the console's runtime threads gets (see `main.rs`).
pub const STACK_BYTES: usize = 16 * 1024 * 1024;

pub mod aws;
pub mod cli;
pub mod config;
pub mod deploy;
pub mod findings;
pub mod inventory;
pub mod logfile;
pub mod naming;
pub mod notifier;
pub mod ops;
pub mod org;
pub mod regions;
pub mod services;
pub mod slack_view;
pub mod test_message;
pub mod text;
pub mod tui;
