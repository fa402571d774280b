//! Shared helpers for integration tests: a moto server per test, SDK access to it, seeding.
#![allow(dead_code)]

use std::time::Duration;

use awsmon::aws::{Aws, AwsOptions};
use awsmon::config::Config;
use awsmon_testbench::{Moto, dummy_credentials};

pub fn start_moto() -> Moto {
    Moto::start().unwrap_or_else(|e| panic!("cannot start moto ({e}); run `scripts/bench setup`"))
}

/// Options for tests: the emulator, fixed credentials, one attempt. The timeout only stops a
/// hang: a loaded 2-core CI machine can keep moto from answering within a few seconds, and a
/// test that needs a timeout to fire sets its own against a socket that never answers.
/// IAM Access Analyzer, which moto lacks, is the test bench's stand-in beside this moto.
pub fn options(endpoint: &str) -> AwsOptions {
    let mut opts = AwsOptions {
        endpoint_url: Some(endpoint.to_string()),
        credentials: Some(dummy_credentials()),
        max_attempts: 1,
        operation_timeout: Duration::from_secs(30),
        ..AwsOptions::default()
    };
    opts.service_endpoints.insert(
        "accessanalyzer",
        awsmon_testbench::accessanalyzer::beside(endpoint)
            .endpoint
            .clone(),
    );
    opts
}

/// The IAM Access Analyzer stand-in beside the moto at `endpoint` (what [`options`] uses).
pub fn access_analyzer(
    endpoint: &str,
) -> std::sync::Arc<awsmon_testbench::accessanalyzer::AnalyzerWorld> {
    awsmon_testbench::accessanalyzer::beside(endpoint)
}

pub async fn aws(endpoint: &str) -> Aws {
    Aws::load(options(endpoint), "us-east-1").await
}

/// Access to the emulator with CloudWatch through the CBOR bridge (moto lacks the SDK's
/// RPC v2 CBOR protocol for CloudWatch); keep the bridge alive as long as the client.
pub async fn aws_with_cloudwatch(endpoint: &str) -> (Aws, awsmon_testbench::CborBridge) {
    let bridge = awsmon_testbench::CborBridge::start(endpoint)
        .await
        .expect("cbor bridge");
    let mut opts = options(endpoint);
    opts.service_endpoints
        .insert("cloudwatch", bridge.endpoint.clone());
    (Aws::load(opts, "us-east-1").await, bridge)
}

pub fn config_with_regions(regions: &[&str]) -> Config {
    Config {
        regions: awsmon::config::RegionSelection::List(
            regions.iter().map(|r| (*r).to_string()).collect(),
        ),
        ..Config::default()
    }
}

/// The deployed notifier's configuration, read through the Lambda API.
pub async fn notifier_function(
    aws: &Aws,
    region: &str,
) -> aws_sdk_lambda::types::FunctionConfiguration {
    let lambda = aws_sdk_lambda::Client::from_conf(
        aws_sdk_lambda::config::Builder::from(aws.sdk_config())
            .region(aws_sdk_lambda::config::Region::new(region.to_string()))
            .build(),
    );
    let f = lambda
        .get_function()
        .function_name("awsmon-notifier")
        .send()
        .await
        .expect("function");
    f.configuration().expect("configuration").clone()
}

/// An EventBridge rule's pattern, parsed.
pub async fn rule_pattern(aws: &Aws, region: &str, name: &str) -> serde_json::Value {
    let rule = aws
        .eventbridge(region)
        .describe_rule()
        .name(name)
        .send()
        .await
        .expect("rule");
    serde_json::from_str(rule.event_pattern().expect("pattern")).expect("json")
}

/// A stack's status and parameters.
pub async fn stack_params(
    aws: &Aws,
    region: &str,
    name: &str,
) -> (String, std::collections::BTreeMap<String, String>) {
    let out = aws
        .cloudformation(region)
        .describe_stacks()
        .stack_name(name)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{region} {name}: {e}"));
    let stack = &out.stacks()[0];
    (
        stack
            .stack_status()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        stack
            .parameters()
            .iter()
            .map(|p| {
                (
                    p.parameter_key().unwrap_or_default().to_string(),
                    comma_list(p.parameter_value().unwrap_or_default()),
                )
            })
            .collect(),
    )
}

/// moto shows a CommaDelimitedList parameter as a Python list (`['a', 'b']`); AWS as `a,b`.
fn comma_list(value: &str) -> String {
    match value.strip_prefix('[').and_then(|v| v.strip_suffix(']')) {
        Some(inner) => inner
            .split(", ")
            .map(|v| v.trim_matches('\''))
            .collect::<Vec<_>>()
            .join(","),
        None => value.to_string(),
    }
}

/// A zip that is not a real Lambda package: enough for the emulator.
pub fn fake_zip(dir: &std::path::Path) -> awsmon::deploy::artifact::Artifact {
    let path = dir.join("bootstrap.zip");
    let mut bytes = b"PK\x03\x04".to_vec();
    bytes.extend_from_slice(b"awsmon test build, not a real Lambda package");
    std::fs::write(&path, bytes).expect("write zip");
    awsmon::deploy::artifact::from_file(path).expect("zip")
}

/// The routing parameter as the notifier reads it (decrypted), if it exists.
pub async fn routing_parameter(aws: &Aws) -> Option<aws_sdk_ssm::types::Parameter> {
    aws.ssm("us-east-1")
        .get_parameter()
        .name("/monitoring/awsmon/routing")
        .with_decryption(true)
        .send()
        .await
        .ok()?
        .parameter
}

/// Routing with a default webhook: routing without one is never deployed.
pub fn routed() -> awsmon_notifier::Settings {
    let mut s = awsmon_notifier::Settings::default();
    s.routes.default = vec![
        awsmon_notifier::WebhookUrl::parse(
            "https://hooks.slack.com/services/T0FAKE/B0FAKE/XXXXXXXX",
        )
        .expect("url"),
    ];
    s
}

/// Stack waits that poll fast against the emulator.
/// Runs a plan with the given zip (30 s per stack) and returns each failed step as
/// "step: error", so a test's assertion shows what went wrong.
pub async fn execute_failures(
    aws: &Aws,
    cfg: &Config,
    p: &awsmon::deploy::plan::Plan,
    zip: &awsmon::deploy::artifact::Artifact,
) -> Vec<String> {
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let report = awsmon::deploy::engine::execute(aws, cfg, p, Some(zip), waiting(30), 8, tx).await;
    report
        .failures()
        .iter()
        .map(|o| {
            let error = o.result.as_ref().err().map(ToString::to_string);
            format!("{}: {}", o.step, error.unwrap_or_default())
        })
        .collect()
}

pub fn waiting(secs: u64) -> awsmon::deploy::stack_ops::Waiting {
    awsmon::deploy::stack_ops::Waiting {
        timeout: std::time::Duration::from_secs(secs),
        poll: std::time::Duration::from_millis(100),
    }
}
