//! AWS Config: configuration items captured since a time, read with an advanced query
//! (SelectResourceConfig, every page), each shaped as a "Config Configuration Item Change"
//! event. The query gives the item as it is now, so there is no property diff.

use serde_json::{Value, json};

use crate::aws::{Aws, AwsError};
use crate::findings::envelope;

pub async fn events(aws: &Aws, region: &str, since_ms: i64) -> Result<Vec<Value>, AwsError> {
    let since = crate::text::iso_time(&aws_smithy_types::DateTime::from_millis(since_ms));
    let expression = format!(
        "SELECT resourceId, resourceName, resourceType, awsRegion, accountId, arn, \
         configurationItemCaptureTime, configurationItemStatus \
         WHERE configurationItemCaptureTime > '{since}'"
    );
    let mut pages = aws
        .configservice(region)
        .select_resource_config()
        .expression(&expression)
        .limit(100)
        .into_paginator()
        .send();
    let mut out = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::classify("config:SelectResourceConfig", &e))?;
        for row in page.results() {
            // Each result is one JSON object; a malformed one is skipped, not fatal.
            let Ok(item) = serde_json::from_str::<Value>(row) else {
                tracing::warn!(region, "skipping an unreadable Config query result");
                continue;
            };
            out.push(event(&item, region));
        }
    }
    Ok(out)
}

fn event(item: &Value, region: &str) -> Value {
    let s = |k: &str| item[k].as_str().unwrap_or_default().to_string();
    let change = match item["configurationItemStatus"].as_str() {
        Some("ResourceDiscovered") => "CREATE",
        Some("ResourceDeleted" | "ResourceDeletedNotRecorded") => "DELETE",
        _ => "UPDATE",
    };
    let time = s("configurationItemCaptureTime");
    let region = item["awsRegion"].as_str().unwrap_or(region);
    let detail = json!({
        "messageType": "ConfigurationItemChangeNotification",
        "notificationCreationTime": time,
        "configurationItemDiff": { "changeType": change },
        "configurationItem": {
            "resourceId": s("resourceId"),
            "resourceName": item["resourceName"],
            "resourceType": s("resourceType"),
            "awsRegion": region,
            "awsAccountId": s("accountId"),
            "ARN": item["arn"],
            "configurationItemCaptureTime": time,
            "configurationItemStatus": item["configurationItemStatus"],
        },
    });
    envelope(
        ("aws.config", "Config Configuration Item Change"),
        &format!("{}-{time}", s("resourceId")),
        region,
        &s("accountId"),
        &time,
        &detail,
    )
}
