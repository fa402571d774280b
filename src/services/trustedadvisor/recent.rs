//! Trusted Advisor (us-east-1; needs Business or Enterprise support): the checks, their
//! summaries, and the flagged resources of checks in ERROR or WARN, each shaped as the
//! `detail` of a "Trusted Advisor Check Item Refresh Notification" event.

use serde_json::{Value, json};

use crate::aws::{Aws, AwsError};
use crate::findings::envelope;

pub async fn events(aws: &Aws, account: &str) -> Result<Vec<Value>, AwsError> {
    let support = aws.support("us-east-1");
    let checks = support
        .describe_trusted_advisor_checks()
        .language("en")
        .send()
        .await
        .map_err(|e| AwsError::classify("support:DescribeTrustedAdvisorChecks", &e))?;
    let mut out = Vec::new();
    for check in checks.checks() {
        let result = support
            .describe_trusted_advisor_check_result()
            .check_id(check.id())
            .language("en")
            .send()
            .await
            .map_err(|e| AwsError::classify("support:DescribeTrustedAdvisorCheckResult", &e))?;
        let Some(result) = result.result() else {
            continue;
        };
        if !matches!(result.status(), "error" | "warning") {
            continue;
        }
        let time = result.timestamp();
        for r in result.flagged_resources() {
            if r.is_suppressed() {
                continue;
            }
            // The event's check-item-detail is keyed by the check's metadata column names.
            let mut item = serde_json::Map::new();
            for (name, value) in check.metadata().iter().zip(r.metadata()) {
                let Some(name) = name else { continue };
                item.insert(name.clone(), value.clone().map_or(Value::Null, Value::from));
            }
            let status = match r.status() {
                "error" => "ERROR",
                "warning" => "WARN",
                other => other,
            };
            let detail = json!({
                "check-name": check.name(),
                "check-id": check.id(),
                "check-item-detail": item,
                "status": status,
                "resource_id": r.resource_id(),
                "uuid": r.resource_id(),
            });
            out.push(envelope(
                (
                    "aws.trustedadvisor",
                    "Trusted Advisor Check Item Refresh Notification",
                ),
                &format!("{}-{}", check.id(), r.resource_id()),
                "us-east-1",
                account,
                time,
                &detail,
            ));
        }
    }
    Ok(out)
}
