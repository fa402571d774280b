//! The notifier's integration tests, in one binary: every fixture through the pipeline
//! (snapshots), delivery against a local Slack receiver, properties, and the bootstrap's
//! handler through the runtime-API emulator.

mod common;

mod access_analyzer;
mod bootstrap;
mod dedupe;
mod delivery;
mod digest;
mod fixtures;
mod overrides;
mod properties;
mod suppress;
