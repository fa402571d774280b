//! The console crate's integration tests, in one binary (one link instead of sixteen on two
//! cores). Each module starts what it needs: moto, the local stub, the Slack receiver, tmux.
//! `shipped_notifier` is ignored unless AWSMON_SHIPPED_ZIP names the release zip.

mod common;

mod access_analyzer;
mod cli;
mod config_file;
mod config_properties;
mod demo;
mod deploy;
mod deploy_services;
mod findings;
mod notifier_ops;
mod notifier_routing;
mod org;
mod pagination;
mod scan;
mod securityhub;
mod shipped_notifier;
mod stack_ops;
mod templates;
mod tui;
mod tui_e2e;
mod tui_first_user;
mod tui_org;
mod tui_runtime;
