//! Every documented sample event through the whole pipeline: decision, routes and the exact
//! Slack JSON, snapshotted; and every payload within Slack's limits.

mod common;

use awsmon_notifier::prepare;
use awsmon_notifier::slack::limit_violations;

#[test]
fn every_fixture_matches_its_snapshot() {
    let fixtures = common::fixtures();
    assert_eq!(
        fixtures.len(),
        17,
        "tests/fixtures/README.md lists 17 fixtures"
    );
    let settings = common::settings();
    for (name, payload) in fixtures {
        let lines: Vec<serde_json::Value> = prepare(&payload, &settings)
            .iter()
            .map(awsmon_notifier::Prepared::to_json)
            .collect();
        let text = serde_json::to_string_pretty(&lines).expect("json");
        assert!(
            !text.contains("XXXXXXXX") && !text.contains("YYYYYYYY"),
            "{name}: a webhook URL leaked"
        );
        insta::assert_snapshot!(name.clone(), text);
    }
}

#[test]
fn every_payload_stays_within_slack_limits() {
    let settings = common::settings();
    for (name, payload) in common::fixtures() {
        for p in prepare(&payload, &settings) {
            if let Some(slack) = &p.payload {
                assert_eq!(limit_violations(slack), Vec::<String>::new(), "{name}");
            }
        }
    }
}

/// The decisions in brief, so a change in filtering shows here plainly.
#[test]
fn decisions_per_fixture() {
    let settings = common::settings();
    let mut got = Vec::new();
    for (name, payload) in common::fixtures() {
        for p in prepare(&payload, &settings) {
            let json = p.to_json();
            got.push(format!(
                "{name}: {} {} ({})",
                json["service"].as_str().unwrap_or("?"),
                json["decision"].as_str().unwrap_or("?"),
                json["reason"].as_str().unwrap_or("?")
            ));
        }
    }
    insta::assert_snapshot!("decisions", got.join("\n"));
}
