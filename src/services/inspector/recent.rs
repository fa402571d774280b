//! Inspector (v2): ListFindings updated since (every page), each finding shaped as the
//! `detail` of an "Inspector2 Finding" event.

use aws_sdk_inspector2::types::{DateFilter, FilterCriteria, Finding};
use serde_json::{Value, json};

use crate::aws::{Aws, AwsError};
use crate::findings::{datetime, envelope};

pub async fn events(aws: &Aws, region: &str, since_ms: i64) -> Result<Vec<Value>, AwsError> {
    let criteria = FilterCriteria::builder()
        .updated_at(
            DateFilter::builder()
                .start_inclusive(aws_smithy_types::DateTime::from_millis(since_ms))
                .build(),
        )
        .build();
    let mut pages = aws
        .inspector2(region)
        .list_findings()
        .filter_criteria(criteria)
        .max_results(100)
        .into_paginator()
        .send();
    let mut out = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::classify("inspector2:ListFindings", &e))?;
        for f in page.findings() {
            let time = datetime(f.updated_at()).unwrap_or_default();
            out.push(envelope(
                ("aws.inspector2", "Inspector2 Finding"),
                f.finding_arn(),
                region,
                f.aws_account_id(),
                &time,
                &detail(f, region),
            ));
        }
    }
    Ok(out)
}

fn detail(f: &Finding, region: &str) -> Value {
    let resources: Vec<Value> = f
        .resources()
        .iter()
        .map(|r| {
            let mut details = json!({});
            if let Some(d) = r.details() {
                if let Some(ecr) = d.aws_ecr_container_image() {
                    details["awsEcrContainerImage"] = json!({
                        "repositoryName": ecr.repository_name(), "imageTags": ecr.image_tags(),
                    });
                }
                if let Some(l) = d.aws_lambda_function() {
                    details["awsLambdaFunction"] = json!({ "functionName": l.function_name() });
                }
            }
            json!({
                "type": r.r#type().as_str(), "id": r.id(),
                "region": r.region().unwrap_or(region), "details": details,
            })
        })
        .collect();
    let packages = f.package_vulnerability_details().map(|p| {
        json!({
            "vulnerabilityId": p.vulnerability_id(),
            "sourceUrl": p.source_url(),
            "vulnerablePackages": p.vulnerable_packages().iter().map(|v| json!({
                "name": v.name(), "version": v.version(), "fixedInVersion": v.fixed_in_version(),
            })).collect::<Vec<_>>(),
        })
    });
    json!({
        "findingArn": f.finding_arn(),
        "awsAccountId": f.aws_account_id(),
        "title": f.title(),
        "description": f.description(),
        "severity": f.severity().as_str(),
        "inspectorScore": f.inspector_score(),
        "status": f.status().as_str(),
        "type": f.r#type().as_str(),
        "firstObservedAt": datetime(Some(f.first_observed_at())),
        "lastObservedAt": datetime(Some(f.last_observed_at())),
        "updatedAt": datetime(f.updated_at()),
        "fixAvailable": f.fix_available().map(aws_sdk_inspector2::types::FixAvailable::as_str),
        "exploitAvailable": f.exploit_available().map(aws_sdk_inspector2::types::ExploitAvailable::as_str),
        "resources": resources,
        "packageVulnerabilityDetails": packages,
        "remediation": { "recommendation": { "Url": f.remediation().and_then(|r| r.recommendation()).and_then(|r| r.url()) } },
    })
}
