//! awsmon-tui: switch AWS monitoring services on per region and route their findings to Slack.

pub mod config;
pub mod regions;
pub mod text;
pub mod aws;
pub mod inventory;
pub mod naming;
pub mod cli;
pub mod testbench;
