//! Shared by the notifier's integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

use awsmon_notifier::settings::Settings;
use awsmon_notifier::{Service, WebhookUrl};
use serde_json::Value;

pub const DEFAULT_HOOK: &str =
    "https://hooks.slack.com/services/T0DFLT/B0DFLT/XXXXXXXXXXXXXXXXXXXXXXXX";
pub const GUARDDUTY_HOOK: &str =
    "https://hooks.slack.com/services/T0GDTY/B0GDTY/YYYYYYYYYYYYYYYYYYYYYYYY";

pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Every fixture as (file stem, payload), sorted by name.
pub fn fixtures() -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = std::fs::read_dir(fixtures_dir())
        .expect("fixtures dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("read fixture");
            let stem = p.file_stem().expect("stem").to_string_lossy().into_owned();
            (stem, serde_json::from_str(&text).expect("fixture is JSON"))
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

pub fn fixture(name: &str) -> Value {
    let text =
        std::fs::read_to_string(fixtures_dir().join(format!("{name}.json"))).expect("fixture");
    serde_json::from_str(&text).expect("json")
}

/// Default webhook for everything, a separate one for GuardDuty; home region us-east-1.
pub fn settings() -> Settings {
    let mut s = Settings::default();
    s.routes.default = vec![WebhookUrl::parse(DEFAULT_HOOK).expect("url")];
    s.routes.per_service.insert(
        Service::GuardDuty,
        vec![WebhookUrl::parse(GUARDDUTY_HOOK).expect("url")],
    );
    s
}
