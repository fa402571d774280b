//! What the demo adds to moto so that nothing in it reads "unreadable" and a toggle really
//! turns a service on:
//! - GuardDuty's findings (moto has no ListFindings/GetFindings): the notifier's GuardDuty
//!   samples, answered per region in the API's own shape; the rest of GuardDuty is moto's;
//! - IAM Access Analyzer (moto has none): the test bench's stand-in, with an analyzer someone
//!   made in eu-west-1 and the notifier's Access Analyzer samples as its findings;
//! - Trusted Advisor's checks and results (moto has no DescribeTrustedAdvisorCheckResult),
//!   recorded replies;
//! - what moto's CloudFormation skips when awsmon's stacks are created or updated: the detector,
//!   the Config recorder and channel, the budget. They are made in moto before CloudFormation's
//!   answer goes back, so awsmon's check after the deploy finds them on;
//! - the pipeline moto cannot run (it invokes Lambda targets in Docker): events put on the bus
//!   go to the real notifier binary under the local runtime API, with the deployed function's
//!   environment, and its log lines go to the function's log group in moto, as Lambda's would.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use aws_sdk_config::types::{ConfigurationRecorder, DeliveryChannel, RecordingGroup};
use serde_json::{Value, json};

use awsmon::aws::Aws;

use crate::overlay::{After, Overlay, form_value, region_of, stack_parameters};
use crate::runtime_api::RuntimeApi;
use crate::seed::{self, ACCOUNT};
use crate::stub::{StubRequest, StubResponse};

/// The GuardDuty samples the demo's findings are made from. (The S3 attack sequence sample is
/// not: its signals' times are ISO text in the event and epoch numbers in the API.)
const GUARDDUTY_SAMPLES: [&str; 3] = [
    "guardduty-ssh-bruteforce",
    "guardduty-crypto-high",
    "guardduty-iam-api-call",
];

/// The overlays, running; their endpoints go in `AwsOptions::service_endpoints`.
pub struct DemoWorld {
    pub endpoints: Vec<(&'static str, String)>,
    /// Where events put on the bus go, once [`DemoWorld::start_notifier`] ran.
    runtime: Arc<Mutex<Option<Arc<RuntimeApi>>>>,
    notifier: Option<tokio::process::Child>,
    _overlays: Vec<Overlay>,
    _health: (crate::stub::Stub, crate::CborBridge),
    _analyzers: crate::accessanalyzer::AnalyzerWorld,
}

impl DemoWorld {
    /// Starts the overlays in front of moto at `moto_endpoint`; `direct` reaches moto itself
    /// (the hook's calls must not go through the overlay).
    pub async fn start(moto_endpoint: &str, direct: Aws) -> std::io::Result<DemoWorld> {
        let guardduty = Overlay::start(moto_endpoint, guardduty_findings, None).await?;
        let support = Overlay::start(
            moto_endpoint,
            |req| {
                Some(trusted_advisor_reply(
                    req.header("x-amz-target").unwrap_or_default(),
                ))
            },
            None,
        )
        .await?;
        // AWS Health (which moto lacks): recorded JSON replies, bridged to the SDK's CBOR.
        let health_stub = crate::stub::Stub::start(|req| {
            health_reply(req.header("x-amz-target").unwrap_or_default(), &req.body)
        })
        .await?;
        let health = crate::CborBridge::start_health(&health_stub.endpoint).await?;
        let analyzers = crate::accessanalyzer::AnalyzerWorld::start().await?;
        analyzers.add_console_analyzer("eu-west-1");
        // Updated now, so the last 24 hours' findings include them.
        let now = awsmon::text::iso_now();
        let samples: Vec<Value> = [
            "accessanalyzer-s3-cross-account",
            "accessanalyzer-kms-public",
        ]
        .iter()
        .filter_map(|name| seed::sample(name).ok())
        .map(|mut event| {
            event["detail"]["updatedAt"] = Value::from(now.as_str());
            event
        })
        .collect();
        analyzers.seed_findings("eu-west-1", &samples);
        let after: After = Arc::new(move |req| {
            let aws = direct.clone();
            Box::pin(async move { seed_what_cloudformation_skips(&aws, &req).await })
        });
        let cloudformation = Overlay::start(moto_endpoint, |_| None, Some(after)).await?;
        let runtime: Arc<Mutex<Option<Arc<RuntimeApi>>>> = Arc::default();
        let to_notifier = runtime.clone();
        let eventbridge = Overlay::start(
            moto_endpoint,
            move |req| put_events(req, &to_notifier),
            None,
        )
        .await?;
        Ok(DemoWorld {
            endpoints: vec![
                ("guardduty", guardduty.endpoint.clone()),
                ("support", support.endpoint.clone()),
                ("cloudformation", cloudformation.endpoint.clone()),
                ("eventbridge", eventbridge.endpoint.clone()),
                ("health", health.endpoint.clone()),
                ("accessanalyzer", analyzers.endpoint.clone()),
            ],
            runtime,
            notifier: None,
            _overlays: vec![guardduty, support, cloudformation, eventbridge],
            _health: (health_stub, health),
            _analyzers: analyzers,
        })
    }

    /// Runs the notifier binary at `bootstrap` as Lambda would run the deployed function
    /// `function` (its environment read back from moto, AWS being moto at `moto_endpoint`),
    /// and sends its log lines to `log_group` in moto.
    pub async fn start_notifier(
        &mut self,
        direct: &Aws,
        moto_endpoint: &str,
        bootstrap: &Path,
        function: &str,
        log_group: &str,
    ) -> Result<(), String> {
        let home = "us-east-1";
        let conf = direct
            .lambda(home)
            .get_function_configuration()
            .function_name(function)
            .send()
            .await
            .map_err(|e| format!("the deployed notifier {function}: {e}"))?;
        let api = Arc::new(RuntimeApi::start().await.map_err(|e| e.to_string())?);
        let mut cmd = tokio::process::Command::new(bootstrap);
        cmd.env_clear()
            .envs(
                conf.environment()
                    .and_then(|e| e.variables())
                    .into_iter()
                    .flatten(),
            )
            .env("AWS_LAMBDA_RUNTIME_API", &api.address)
            .env("AWS_LAMBDA_FUNCTION_NAME", function)
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_LOG_GROUP_NAME", log_group)
            .env("AWS_REGION", home)
            .env("AWS_ACCESS_KEY_ID", "AKIAEMULATOR00000000")
            .env("AWS_SECRET_ACCESS_KEY", "emulator")
            .env("AWS_ENDPOINT_URL", moto_endpoint)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true);
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("{}: {e}", bootstrap.display()))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        tokio::spawn(forward_logs(direct.clone(), log_group.to_string(), stdout));
        if let Ok(mut slot) = self.runtime.lock() {
            *slot = Some(api);
        }
        self.notifier = Some(child);
        Ok(())
    }
}

/// EventBridge's PutEvents, answered here: each entry becomes the event the rule would deliver,
/// handed to the notifier (when it runs), and gets an id as EventBridge would give it.
fn put_events(req: &StubRequest, runtime: &Mutex<Option<Arc<RuntimeApi>>>) -> Option<StubResponse> {
    if req.header("x-amz-target") != Some("AWSEvents.PutEvents") {
        return None;
    }
    let region = region_of(req).unwrap_or_else(|| "us-east-1".into());
    let body: Value = serde_json::from_str(&req.body).unwrap_or_default();
    let api = runtime.lock().ok().and_then(|r| r.clone());
    let mut entries = Vec::new();
    for (i, entry) in body["Entries"].as_array().into_iter().flatten().enumerate() {
        let id = format!(
            "demo-{}-{i}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default()
                .as_nanos()
        );
        let detail: Value = entry["Detail"]
            .as_str()
            .and_then(|d| serde_json::from_str(d).ok())
            .unwrap_or_default();
        let event = json!({
            "version": "0", "id": id, "detail-type": entry["DetailType"], "source": entry["Source"],
            "account": ACCOUNT, "time": awsmon::text::iso_now(), "region": region,
            "resources": entry["Resources"].as_array().cloned().unwrap_or_default(),
            "detail": detail,
        });
        if let Some(api) = &api {
            api.invoke(event);
        }
        entries.push(json!({ "EventId": id }));
    }
    Some(StubResponse::json(
        200,
        json!({"FailedEntryCount": 0, "Entries": entries}).to_string(),
    ))
}

/// The notifier's stdout, line by line, into its log group in moto (as Lambda's log agent
/// would), so `test-message --via pipeline` confirms delivery from the log line.
async fn forward_logs(aws: Aws, group: String, stdout: tokio::process::ChildStdout) {
    use tokio::io::AsyncBufReadExt;
    let logs = aws.logs("us-east-1");
    let stream = "demo/[$LATEST]local";
    let _ = logs.create_log_group().log_group_name(&group).send().await;
    let _ = logs
        .create_log_stream()
        .log_group_name(&group)
        .log_stream_name(stream)
        .send()
        .await;
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(0));
        let Ok(event) = aws_sdk_cloudwatchlogs::types::InputLogEvent::builder()
            .timestamp(now)
            .message(line)
            .build()
        else {
            continue;
        };
        let _ = logs
            .put_log_events()
            .log_group_name(&group)
            .log_stream_name(stream)
            .log_events(event)
            .send()
            .await;
    }
}

/// The region's findings, one per sample, as ListFindings and GetFindings answer.
fn findings_in(region: &str) -> Vec<Value> {
    let now = awsmon::text::iso_now();
    GUARDDUTY_SAMPLES
        .iter()
        .enumerate()
        .filter_map(|(i, name)| {
            let text = awsmon::findings::samples::SAMPLES
                .iter()
                .find(|(n, _)| n == name)?
                .1;
            let event: Value = serde_json::from_str(text).ok()?;
            let mut f = event["detail"].clone();
            f["id"] = Value::from(format!("demo{i}{}", region.replace('-', "")));
            f["region"] = Value::from(region);
            f["accountId"] = Value::from(ACCOUNT);
            f["createdAt"] = Value::from(now.as_str());
            f["updatedAt"] = Value::from(now.as_str());
            Some(f)
        })
        .collect()
}

fn guardduty_findings(req: &StubRequest) -> Option<StubResponse> {
    let region = region_of(req)?;
    let path = req.path.split('?').next().unwrap_or_default();
    let findings = findings_in(&region);
    if path.ends_with("/findings/get") {
        let wanted: Value = serde_json::from_str(&req.body).unwrap_or_default();
        let ids: Vec<&str> = wanted["findingIds"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let found: Vec<&Value> = findings
            .iter()
            .filter(|f| f["id"].as_str().is_some_and(|id| ids.contains(&id)))
            .collect();
        return Some(StubResponse::json(
            200,
            json!({ "findings": found }).to_string(),
        ));
    }
    if path.starts_with("/detector/") && path.ends_with("/findings") {
        let ids: Vec<&Value> = findings.iter().map(|f| &f["id"]).collect();
        return Some(StubResponse::json(
            200,
            json!({ "findingIds": ids }).to_string(),
        ));
    }
    None
}

/// Trusted Advisor (the Support API, JSON 1.1 by `x-amz-target`): one security check in
/// warning with two flagged security groups, one of them suppressed. Recorded replies; the
/// findings tests serve the same.
pub fn trusted_advisor_reply(target: &str) -> StubResponse {
    match target {
        "AWSSupport_20130415.DescribeTrustedAdvisorChecks" => StubResponse::json(
            200,
            json!({"checks": [{
                "id": "HCP4007jGY",
                "name": "Security Groups - Specific Ports Unrestricted",
                "description": "Checks security groups for rules that allow unrestricted access to specific ports.",
                "category": "security",
                "metadata": ["Region", "Security Group Name", "Security Group ID", "Protocol", "Status", "Ports"]
            }]})
            .to_string(),
        ),
        "AWSSupport_20130415.DescribeTrustedAdvisorCheckResult" => StubResponse::json(
            200,
            json!({"result": {
                "checkId": "HCP4007jGY",
                "timestamp": "2026-11-27T06:00:00Z",
                "status": "warning",
                "resourcesSummary": {"resourcesProcessed": 12, "resourcesFlagged": 2, "resourcesIgnored": 0, "resourcesSuppressed": 1},
                "categorySpecificSummary": {"costOptimizing": {"estimatedMonthlySavings": 0.0, "estimatedPercentMonthlySavings": 0.0}},
                "flaggedResources": [
                    {"status": "warning", "region": "eu-west-1", "resourceId": "b1c2d3e4f5", "isSuppressed": false,
                     "metadata": ["eu-west-1", "web", "sg-0a1b2c3d", "tcp", "Yellow", "22"]},
                    {"status": "warning", "region": "eu-west-1", "resourceId": "c2d3e4f5a6", "isSuppressed": true,
                     "metadata": ["eu-west-1", "old", "sg-9f8e7d6c", "tcp", "Yellow", "3389"]}
                ]
            }})
            .to_string(),
        ),
        _ => StubResponse::json(400, r#"{"__type":"UnknownOperationException"}"#),
    }
}

/// AWS Health's API (JSON 1.1 by `x-amz-target`, which moto lacks), as recorded replies in
/// the shapes of the Health API reference (2016-08-04): one scheduled EC2 retirement about
/// this account in eu-west-1 with its instance, and one public issue (which awsmon skips).
/// DescribeEvents answers only for the regions its filter names, as the API does.
pub fn health_reply(target: &str, body: &str) -> StubResponse {
    const RETIREMENT: &str = "arn:aws:health:eu-west-1::event/EC2/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED_7c1e2f3a";
    let asked: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let in_filter = |region: &str| {
        asked["filter"]["regions"]
            .as_array()
            .is_none_or(|r| r.iter().any(|x| x == region))
    };
    let retirement = json!({
        "arn": RETIREMENT,
        "service": "EC2",
        "eventTypeCode": "AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED",
        "eventTypeCategory": "scheduledChange",
        "region": "eu-west-1",
        "startTime": 1_796_908_743.0,
        "lastUpdatedTime": 1_795_739_053.0,
        "statusCode": "upcoming",
        "eventScopeCode": "ACCOUNT_SPECIFIC",
    });
    match target {
        "AWSHealth_20160804.DescribeEvents" if !in_filter("eu-west-1") => {
            StubResponse::json(200, r#"{"events":[]}"#)
        }
        "AWSHealth_20160804.DescribeEvents" => StubResponse::json(
            200,
            json!({"events": [
                retirement,
                {
                    "arn": "arn:aws:health:eu-west-1::event/EC2/AWS_EC2_OPERATIONAL_ISSUE/AWS_EC2_OPERATIONAL_ISSUE_0f1e2d3c",
                    "service": "EC2",
                    "eventTypeCode": "AWS_EC2_OPERATIONAL_ISSUE",
                    "eventTypeCategory": "issue",
                    "region": "eu-west-1",
                    "startTime": 1_795_726_000.0,
                    "lastUpdatedTime": 1_795_736_000.0,
                    "statusCode": "open",
                    "eventScopeCode": "PUBLIC",
                }
            ]})
            .to_string(),
        ),
        "AWSHealth_20160804.DescribeEventDetails" => StubResponse::json(
            200,
            json!({
                "successfulSet": [{
                    "event": retirement,
                    "eventDescription": {"latestDescription": "EC2 has detected degradation of the underlying hardware hosting your instance i-0a1b2c3d4e5f60718, which will be retired on 10 December 2026."},
                    "eventMetadata": {}
                }],
                "failedSet": []
            })
            .to_string(),
        ),
        "AWSHealth_20160804.DescribeAffectedEntities" => StubResponse::json(
            200,
            json!({"entities": [{
                "entityArn": "arn:aws:health:eu-west-1:123456789012:entity/g1vCPbvd4kr1",
                "eventArn": RETIREMENT,
                "entityValue": "i-0a1b2c3d4e5f60718",
                "awsAccountId": "123456789012",
                "lastUpdatedTime": 1_795_739_053.0,
                "statusCode": "IMPAIRED"
            }]})
            .to_string(),
        ),
        other => StubResponse::json(400, json!({"__type":"UnknownOperationException","message":other}).to_string()),
    }
}

/// After moto created or updated one of awsmon's stacks: what its template would have made and
/// moto's CloudFormation does not (errors are left for awsmon's own check to report).
async fn seed_what_cloudformation_skips(aws: &Aws, req: &StubRequest) {
    let action = form_value(&req.body, "Action").unwrap_or_default();
    if action != "CreateStack" && action != "UpdateStack" {
        return;
    }
    let (Some(region), Some(stack)) = (region_of(req), form_value(&req.body, "StackName")) else {
        return;
    };
    let params: HashMap<String, String> = stack_parameters(&req.body).into_iter().collect();
    let on = |key: &str| params.get(key).map(String::as_str) == Some("true");
    if stack.ends_with("-guardduty") && on("CreateDetector") {
        let none = aws
            .guardduty(&region)
            .list_detectors()
            .send()
            .await
            .is_ok_and(|d| d.detector_ids().is_empty());
        if none {
            let _ = aws
                .guardduty(&region)
                .create_detector()
                .enable(true)
                .send()
                .await;
        }
    } else if let Some(prefix) = stack.strip_suffix("-config")
        && on("CreateRecorder")
    {
        let config = aws.configservice(&region);
        let recorder = format!("{prefix}-recorder");
        let _ = config
            .put_configuration_recorder()
            .configuration_recorder(
                ConfigurationRecorder::builder()
                    .name(&recorder)
                    .role_arn(format!("arn:aws:iam::{ACCOUNT}:role/{prefix}-config"))
                    .recording_group(RecordingGroup::builder().all_supported(true).build())
                    .build(),
            )
            .send()
            .await;
        if on("CreateDeliveryChannel") {
            let bucket = params.get("BucketName").cloned().unwrap_or_default();
            let _ = config
                .put_delivery_channel()
                .delivery_channel(
                    DeliveryChannel::builder()
                        .name(format!("{prefix}-channel"))
                        .s3_bucket_name(bucket)
                        .build(),
                )
                .send()
                .await;
        }
        let _ = config
            .start_configuration_recorder()
            .configuration_recorder_name(&recorder)
            .send()
            .await;
    } else if let Some(prefix) = stack.strip_suffix("-budget") {
        let limit = params
            .get("LimitUsd")
            .cloned()
            .unwrap_or_else(|| "100".into());
        let _ =
            seed::budget_spend(aws, &format!("{prefix}-monthly"), &limit, "64.10", "91.75").await;
    }
}
