//! `awsmon-tui config validate|show|sample|schema`.

use super::args::ConfigCommand;
use super::{Failure, GlobalArgs, table};
use crate::config::{self, ConfigError, ConfigIssue};

pub fn run(global: &GlobalArgs, cmd: &ConfigCommand) -> Result<(), Failure> {
    match cmd {
        ConfigCommand::Sample => {
            print!("{}", config::sample());
            Ok(())
        }
        ConfigCommand::Schema => {
            let schema = serde_json::to_string_pretty(&config::json_schema())
                .map_err(|e| Failure::usage(e.to_string()))?;
            println!("{schema}");
            Ok(())
        }
        ConfigCommand::Validate { json } => validate(global, *json),
        ConfigCommand::Show { json } => {
            let loaded = super::load_config(global)?;
            if *json {
                println!("{}", config::show_json(&loaded.config));
            } else {
                let source = loaded.path.map_or_else(
                    || "(no config file; defaults)".to_string(),
                    |p| p.display().to_string(),
                );
                println!("# {source}");
                let rows: Vec<Vec<(String, Option<&str>)>> = config::show(&loaded.config)
                    .into_iter()
                    .map(|(k, v)| vec![(k.to_string(), None), (v, None)])
                    .collect();
                print!("{}", table::render(&["KEY", "VALUE"], &rows, false));
            }
            Ok(())
        }
    }
}

fn validate(global: &GlobalArgs, json: bool) -> Result<(), Failure> {
    let result = config::locate_and_load(global.config.as_deref());
    let (file, errors, warnings) = match &result {
        Ok(loaded) => {
            let file = loaded.path.as_ref().map(|p| p.display().to_string());
            // A file whose routes fall back to no webhook is not a working config (the old
            // project required WEBHOOK_URLS): every event on those routes could only fail.
            let gap = file
                .as_ref()
                .zip(loaded.config.routing_gap())
                .map(|(f, gap)| ConfigIssue {
                    file: f.clone(),
                    pos: config::Pos { line: 1, column: 1 },
                    key: "WEBHOOK_URLS".to_string(),
                    message: gap,
                });
            let mut errors: Vec<ConfigIssue> = gap.into_iter().collect();
            if let Some(f) = &file {
                errors.extend(placeholders(f, loaded));
            }
            (file, errors, loaded.warnings.clone())
        }
        Err(ConfigError::Invalid { errors, warnings }) => (
            errors.first().map(|i| i.file.clone()),
            errors.clone(),
            warnings.clone(),
        ),
        Err(e @ ConfigError::Io { .. }) => return Err(Failure::usage(e.to_string())),
    };
    if json {
        let doc = serde_json::json!({
            "file": file,
            "valid": errors.is_empty(),
            "errors": errors.iter().map(issue_json).collect::<Vec<_>>(),
            "warnings": warnings.iter().map(issue_json).collect::<Vec<_>>(),
        });
        println!("{doc}");
    } else {
        for w in &warnings {
            println!("warning: {w}");
        }
        for e in &errors {
            println!("error: {e}");
        }
        if errors.is_empty() {
            match &file {
                Some(f) => println!("{f}: valid ({} warnings)", warnings.len()),
                None => println!("no config file found; the defaults are valid"),
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Failure::usage(format!(
            "{} error(s) in {}",
            errors.len(),
            file.unwrap_or_default()
        )))
    }
}

/// The sample's placeholder webhook left in place: Slack would refuse every message.
fn placeholders(file: &str, loaded: &config::Loaded) -> Vec<ConfigIssue> {
    const PLACEHOLDER: &str = "/services/T000/B000/XXXX";
    let lists = loaded.config.webhook_lists();
    let text = loaded.text.as_deref().unwrap_or_default();
    lists
        .into_iter()
        .filter(|(_, list)| list.iter().any(|u| u.expose().contains(PLACEHOLDER)))
        .map(|(key, _)| {
            // Where the key is written, when it is.
            let line = text
                .lines()
                .position(|l| l.starts_with(&format!("{key}:")))
                .map_or(1, |i| i + 1);
            ConfigIssue {
                file: file.to_string(),
                pos: config::Pos { line, column: 1 },
                key,
                message: "still the sample's placeholder webhook (…/T000/B000/XXXX): put your Slack incoming webhook URL here".to_string(),
            }
        })
        .collect()
}

fn issue_json(i: &ConfigIssue) -> serde_json::Value {
    serde_json::json!({"file": i.file, "line": i.pos.line, "column": i.pos.column, "key": i.key, "message": i.message})
}
