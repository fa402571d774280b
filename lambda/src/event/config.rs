//! AWS Config configuration item changes: the changed properties, never the whole item.

use serde_json::Value;

use super::Envelope;
use crate::json::{at, str_at};

#[derive(Debug, Clone, PartialEq)]
pub struct ConfigChange {
    pub message_type: String,
    /// CREATE, UPDATE or DELETE.
    pub change_type: String,
    pub resource_type: String,
    pub resource_id: String,
    pub resource_name: Option<String>,
    pub arn: Option<String>,
    pub account: String,
    pub region: String,
    pub capture_time: Option<String>,
    pub changes: Vec<PropertyChange>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PropertyChange {
    pub path: String,
    pub change_type: String,
    pub previous: Option<Value>,
    pub updated: Option<Value>,
}

pub fn parse(d: &Value, env: &Envelope) -> Option<ConfigChange> {
    let message_type = str_at(d, &["messageType"])?;
    // Oversized notifications carry a summary instead of the item.
    let item = at(d, &["configurationItem"]).or_else(|| at(d, &["configurationItemSummary"]));
    let field = |key: &str| item.and_then(|i| str_at(i, &[key]));
    let mut changes: Vec<PropertyChange> =
        match at(d, &["configurationItemDiff", "changedProperties"]) {
            Some(Value::Object(props)) => props
                .iter()
                .map(|(path, c)| PropertyChange {
                    path: path.clone(),
                    change_type: str_at(c, &["changeType"]).unwrap_or_else(|| "UPDATE".into()),
                    previous: at(c, &["previousValue"]).cloned(),
                    updated: at(c, &["updatedValue"]).cloned(),
                })
                .collect(),
            _ => Vec::new(),
        };
    changes.sort_by(|a, b| a.path.cmp(&b.path));
    Some(ConfigChange {
        change_type: str_at(d, &["configurationItemDiff", "changeType"])
            .or_else(|| field("changeType"))
            .unwrap_or_else(|| "UPDATE".into()),
        resource_type: field("resourceType").unwrap_or_else(|| "unknown type".into()),
        resource_id: field("resourceId").unwrap_or_else(|| "unknown id".into()),
        resource_name: field("resourceName"),
        arn: field("ARN").or_else(|| field("arn")),
        account: field("awsAccountId").unwrap_or_else(|| env.account.clone()),
        region: field("awsRegion").unwrap_or_else(|| env.region.clone()),
        capture_time: field("configurationItemCaptureTime")
            .map(|t| crate::time::normalise(&t).unwrap_or(t)),
        message_type,
        changes,
    })
}
