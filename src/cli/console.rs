//! `awsmon-tui` with no subcommand: the console, against the account the global flags name.

use std::io::IsTerminal;
use std::sync::{Arc, RwLock};

use super::args::RegionArg;
use super::{Failure, GlobalArgs};
use crate::aws::Aws;
use crate::config::{Config, RegionSelection};
use crate::deploy::artifact::{self, Artifact};
use crate::tui::runtime::{self, Shared};
use crate::tui::{App, Env};

pub async fn run(global: &GlobalArgs) -> Result<(), Failure> {
    if !std::io::stdout().is_terminal() {
        return Err(Failure::usage(
            "the console needs a terminal; for scripts use `awsmon-tui status`, `findings` or `deploy` (see --help)",
        ));
    }
    let loaded = super::load_config(global)?;
    let aws = super::connect(global, &loaded).await;
    let cfg = loaded.config;
    let env = Env {
        profile: global
            .profile
            .clone()
            .or_else(|| std::env::var("AWS_PROFILE").ok()),
        endpoint: global
            .endpoint_url
            .clone()
            .or_else(|| std::env::var("AWS_ENDPOINT_URL").ok()),
        emulator: false,
        read_only: global.read_only,
        notifier: notifier_line(),
        config_path: loaded.path.unwrap_or_else(crate::config::first_save_path),
        config_text: loaded.text,
        slack_note: None,
        export_dir: crate::config::export_dir(),
    };
    let wanted = wanted_regions(global, &cfg);
    open(aws, cfg, env, wanted, None, None).await
}

/// "notifier 3f9a0c1b2d4e" (the zip a deploy would use) or why there is none.
pub fn notifier_line() -> String {
    match artifact::load() {
        Ok(a) => format!("notifier {}", &a.sha256[..12.min(a.sha256.len())]),
        Err(artifact::ArtifactError::Missing) => "no notifier bundled".to_string(),
        Err(e) => format!("notifier zip unusable: {e}"),
    }
}

pub fn wanted_regions(global: &GlobalArgs, cfg: &Config) -> Option<Vec<String>> {
    match (&global.regions, &cfg.regions) {
        (Some(RegionArg::List(list)), _) | (None, RegionSelection::List(list)) => {
            Some(list.clone())
        }
        _ => None,
    }
}

/// Opens the console and returns when it quits, with the terminal restored.
pub async fn open(
    aws: Aws,
    cfg: Config,
    env: Env,
    wanted: Option<Vec<String>>,
    artifact: Option<Artifact>,
    hold: Option<runtime::Hold>,
) -> Result<(), Failure> {
    let shared = Arc::new(Shared {
        aws,
        cfg: RwLock::new(cfg.clone()),
        config_path: env.config_path.clone(),
        config_text: RwLock::new(env.config_text.clone()),
        wanted,
        artifact,
        routing_version: RwLock::new(None),
    });
    let app = App::new(env, cfg.clone(), runtime::samples(&cfg));
    runtime::run(app, shared, hold)
        .await
        .map_err(|e| Failure::other(format!("terminal error: {e}")))
}
