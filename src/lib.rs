//! awsmon-tui: switch AWS monitoring services on per region and route their findings to Slack.

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
pub mod regions;
pub mod services;
pub mod slack_view;
pub mod test_message;
pub mod text;
pub mod tui;
