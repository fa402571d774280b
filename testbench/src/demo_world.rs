//! What the demo adds to moto so that nothing in it reads "unreadable" and a toggle really
//! turns a service on:
//! - GuardDuty's findings (moto has no ListFindings/GetFindings): the notifier's GuardDuty
//!   samples, answered per region in the API's own shape; the rest of GuardDuty is moto's;
//! - Trusted Advisor's checks and results (moto has no DescribeTrustedAdvisorCheckResult),
//!   recorded replies;
//! - what moto's CloudFormation skips when awsmon's stacks are created or updated: the detector,
//!   the Config recorder and channel, the budget. They are made in moto before CloudFormation's
//!   answer goes back, so awsmon's check after the deploy finds them on.

use std::collections::HashMap;
use std::sync::Arc;

use aws_sdk_config::types::{ConfigurationRecorder, DeliveryChannel, RecordingGroup};
use serde_json::{Value, json};

use awsmon::aws::Aws;

use crate::overlay::{After, Overlay, form_value, region_of, stack_parameters};
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
    _overlays: Vec<Overlay>,
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
        let after: After = Arc::new(move |req| {
            let aws = direct.clone();
            Box::pin(async move { seed_what_cloudformation_skips(&aws, &req).await })
        });
        let cloudformation = Overlay::start(moto_endpoint, |_| None, Some(after)).await?;
        Ok(DemoWorld {
            endpoints: vec![
                ("guardduty", guardduty.endpoint.clone()),
                ("support", support.endpoint.clone()),
                ("cloudformation", cloudformation.endpoint.clone()),
            ],
            _overlays: vec![guardduty, support, cloudformation],
        })
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
