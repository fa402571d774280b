//! Security Hub: GetFindings updated since (every page), active and not yet resolved, each
//! shaped as a "Security Hub Findings - Imported" event carrying that one finding, as ASFF.

use aws_sdk_securityhub::types::{
    AwsSecurityFinding, AwsSecurityFindingFilters, ComplianceStatus, DateFilter, RecordState,
    SeverityLabel, StringFilter, StringFilterComparison, WorkflowStatus,
};
use serde_json::{Value, json};

use crate::aws::{Aws, AwsError};
use crate::findings::envelope;

pub async fn events(aws: &Aws, region: &str, since_ms: i64) -> Result<Vec<Value>, AwsError> {
    let since = crate::text::iso_time(&aws_smithy_types::DateTime::from_millis(since_ms));
    let equals = |v: &str| {
        StringFilter::builder()
            .value(v)
            .comparison(StringFilterComparison::Equals)
            .build()
    };
    let filters = AwsSecurityFindingFilters::builder()
        .updated_at(DateFilter::builder().start(&since).build())
        .record_state(equals("ACTIVE"))
        .workflow_status(equals("NEW"))
        .workflow_status(equals("NOTIFIED"))
        .build();
    let mut pages = aws
        .securityhub(region)
        .get_findings()
        .filters(filters)
        .max_results(100)
        .into_paginator()
        .send();
    let mut out = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::classify("securityhub:GetFindings", &e))?;
        for f in page.findings() {
            let time = f.updated_at().unwrap_or_default();
            out.push(envelope(
                ("aws.securityhub", "Security Hub Findings - Imported"),
                f.id().unwrap_or_default(),
                f.region().unwrap_or(region),
                f.aws_account_id().unwrap_or_default(),
                time,
                &json!({ "findings": [asff(f, region)] }),
            ));
        }
    }
    Ok(out)
}

/// The fields of the finding the notifier reads, under their ASFF names.
fn asff(f: &AwsSecurityFinding, region: &str) -> Value {
    let resources: Vec<Value> = f
        .resources()
        .iter()
        .map(|r| json!({ "Type": r.r#type(), "Id": r.id(), "Region": r.region() }))
        .collect();
    json!({
        "Id": f.id(),
        "ProductArn": f.product_arn(),
        "ProductName": f.product_name(),
        "GeneratorId": f.generator_id(),
        "AwsAccountId": f.aws_account_id(),
        "Region": f.region().unwrap_or(region),
        "Types": f.types(),
        "Title": f.title(),
        "Description": f.description(),
        "UpdatedAt": f.updated_at(),
        "CreatedAt": f.created_at(),
        "Severity": { "Label": f.severity().and_then(|s| s.label()).map(SeverityLabel::as_str) },
        "Resources": resources,
        "Workflow": { "Status": f.workflow().and_then(|w| w.status()).map(WorkflowStatus::as_str) },
        "RecordState": f.record_state().map(RecordState::as_str),
        "Compliance": { "Status": f.compliance().and_then(|c| c.status()).map(ComplianceStatus::as_str) },
        "Remediation": { "Recommendation": {
            "Url": f.remediation().and_then(|r| r.recommendation()).and_then(|r| r.url()),
        } },
    })
}
