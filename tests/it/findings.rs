//! Recent findings: GuardDuty and Trusted Advisor from local stubs serving recorded AWS JSON
//! (moto has neither), Inspector and the budget from moto; every page read; each finding run
//! through the notifier's pipeline.

use crate::common;

use std::time::Duration;

use awsmon::aws::Aws;
use awsmon::config::Config;
use awsmon::findings::{self, Request, samples::SAMPLES};
use awsmon_notifier::Service;
use awsmon_testbench::{Stub, StubResponse};
use serde_json::{Value, json};

/// A sample event's `detail`: the finding exactly as the service's API returns it.
fn sample_detail(name: &str) -> Value {
    let text = SAMPLES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
        .expect("sample");
    let event: Value = serde_json::from_str(text).expect("json");
    event["detail"].clone()
}

fn guardduty_stub_reply(path: &str, body: &str) -> StubResponse {
    let finding = |id: &str| {
        let mut f = sample_detail("guardduty-ssh-bruteforce");
        f["id"] = Value::from(id);
        f
    };
    match path {
        "/detector" => StubResponse::json(200, r#"{"detectorIds":["4ec6a1b2c3d4"]}"#),
        "/detector/4ec6a1b2c3d4/findings" if body.contains("page-2") => {
            StubResponse::json(200, r#"{"findingIds":["finding-b"]}"#)
        }
        "/detector/4ec6a1b2c3d4/findings" => {
            StubResponse::json(200, r#"{"findingIds":["finding-a"],"nextToken":"page-2"}"#)
        }
        "/detector/4ec6a1b2c3d4/findings/get" => StubResponse::json(
            200,
            json!({"findings": [finding("finding-a"), finding("finding-b")]}).to_string(),
        ),
        _ => StubResponse::json(404, r#"{"message":"not recorded"}"#),
    }
}

/// Advanced-query rows as SelectResourceConfig returns them (JSON text), over two pages; one
/// row is malformed and must be skipped.
fn config_stub_reply(body: &str) -> StubResponse {
    let row = |id: &str, name: &str, status: &str, time: &str| {
        json!({
            "resourceId": id, "resourceName": name, "resourceType": "AWS::EC2::SecurityGroup",
            "awsRegion": "eu-west-1", "accountId": "123456789012",
            "arn": format!("arn:aws:ec2:eu-west-1:123456789012:security-group/{id}"),
            "configurationItemCaptureTime": time, "configurationItemStatus": status,
        })
        .to_string()
    };
    if body.contains("config-page-2") {
        StubResponse::json(
            200,
            json!({"Results": [row("sg-0f1e2d3c", "db", "ResourceDiscovered", "2026-11-27T09:40:02.118Z"), "{not json"],
                   "QueryInfo": {"SelectFields": [{"Name": "resourceId"}]}})
            .to_string(),
        )
    } else {
        StubResponse::json(
            200,
            json!({"Results": [row("sg-0a1b2c3d", "web", "OK", "2026-11-27T09:12:44.512Z")],
                   "QueryInfo": {"SelectFields": [{"Name": "resourceId"}]},
                   "NextToken": "config-page-2"})
            .to_string(),
        )
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn findings_from_every_service_through_the_notifier() {
    let moto = common::start_moto();
    let guardduty = Stub::start(|req| guardduty_stub_reply(&req.path, &req.body))
        .await
        .expect("stub");
    let support = Stub::start(|req| {
        awsmon_testbench::demo_world::trusted_advisor_reply(
            req.header("x-amz-target").unwrap_or_default(),
        )
    })
    .await
    .expect("stub");
    let config = Stub::start(|req| config_stub_reply(&req.body))
        .await
        .expect("stub");
    // moto has no AWS Health: its API's replies are recorded.
    let health = Stub::start(|req| {
        awsmon_testbench::demo_world::health_reply(
            req.header("x-amz-target").unwrap_or_default(),
            &req.body,
        )
    })
    .await
    .expect("stub");
    // The SDK speaks CBOR to Health; the bridge turns it into the JSON the stub answers.
    let health = awsmon_testbench::CborBridge::start_health(&health.endpoint)
        .await
        .expect("bridge");
    let mut options = common::options(&moto.endpoint);
    options
        .service_endpoints
        .insert("configservice", config.endpoint.clone());
    options
        .service_endpoints
        .insert("guardduty", guardduty.endpoint.clone());
    options
        .service_endpoints
        .insert("support", support.endpoint.clone());
    options
        .service_endpoints
        .insert("health", health.endpoint.clone());
    let aws = Aws::load(options, "us-east-1").await;
    awsmon_testbench::seed::inspector_findings(&moto.endpoint, "eu-west-1")
        .await
        .expect("seed inspector");
    let cfg = Config {
        budget_limit: Some(100.0),
        budget_threshold_percentage: 80.0,
        ..Config::default()
    };
    awsmon_testbench::seed::budget_spend(&aws, "awsmon-monthly", "100", "64.10", "91.75")
        .await
        .expect("budget");

    let req = Request {
        regions: vec!["eu-west-1".into()],
        services: Service::ALL.to_vec(),
        since: Duration::from_hours(24),
        concurrency: 8,
    };
    let fetched = findings::fetch(&aws, &cfg, "123456789012", &req).await;
    assert_eq!(fetched.errors, Vec::<String>::new());
    let mut lines: Vec<String> = fetched
        .findings
        .iter()
        .map(|f| {
            let j = f.to_json();
            format!(
                "{} {} {} {} | {} | {}",
                j["service"].as_str().unwrap_or_default(),
                j["region"].as_str().unwrap_or_default(),
                j["id"].as_str().unwrap_or_default(),
                j["severity"].as_str().unwrap_or("-"),
                j["title"].as_str().unwrap_or_default(),
                j["decision"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    lines.sort();
    insta::assert_snapshot!(lines.join("\n"));
    // Health's event is rebuilt from three calls: its description, its instance, its window.
    let health = fetched
        .findings
        .iter()
        .find(|f| f.event.contains("\"aws.health\""))
        .expect("the Health event");
    let event: Value = serde_json::from_str(&health.event).expect("event");
    let detail = &event["detail"];
    assert_eq!(
        (
            detail["affectedEntities"][0]["entityValue"].as_str(),
            detail["affectedEntities"][0]["status"].as_str(),
            detail["startTime"].as_str(),
            detail["eventScopeCode"].as_str(),
        ),
        (
            Some("i-0a1b2c3d4e5f60718"),
            Some("IMPAIRED"),
            Some("2026-12-10T13:19:03Z"),
            Some("ACCOUNT_SPECIFIC")
        )
    );
    assert!(
        detail["eventDescription"][0]["latestDescription"]
            .as_str()
            .is_some_and(|d| d.starts_with("EC2 has detected degradation")),
        "{detail}"
    );

    // ListFindings was read to its last page: the second request carried the token.
    let list_calls: Vec<String> = guardduty
        .requests()
        .into_iter()
        .filter(|r| r.path == "/detector/4ec6a1b2c3d4/findings")
        .map(|r| r.body)
        .collect();
    assert_eq!(list_calls.len(), 2);
    assert!(
        list_calls[1].contains(r#""nextToken":"page-2""#),
        "{}",
        list_calls[1]
    );
    assert!(list_calls[0].contains("updatedAt"), "{}", list_calls[0]);
    let selects = config.requests();
    assert_eq!(selects.len(), 2, "both pages of the Config query");
    assert!(
        selects[0].body.contains("configurationItemCaptureTime >"),
        "{}",
        selects[0].body
    );
}
