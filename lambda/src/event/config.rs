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
    /// Where the recorder is: the event's region. Never `global`, which is what the item of
    /// a global resource (IAM) says.
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
        region: Some(env.region.clone())
            .filter(|r| !r.trim().is_empty())
            .or_else(|| field("awsRegion").filter(|r| !r.trim().eq_ignore_ascii_case("global")))
            .unwrap_or_default(),
        capture_time: field("configurationItemCaptureTime")
            .map(|t| crate::time::normalise(&t).unwrap_or(t)),
        message_type,
        changes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn envelope(region: &str) -> Envelope {
        Envelope {
            id: "e1".into(),
            source: "aws.config".into(),
            detail_type: "Config Configuration Item Change".into(),
            account: "123456789012".into(),
            region: region.into(),
            time: String::new(),
        }
    }

    fn item(aws_region: &str) -> Value {
        json!({
            "messageType": "ConfigurationItemChangeNotification",
            "configurationItem": {
                "resourceType": "AWS::IAM::Role",
                "resourceId": "AROAEXAMPLE",
                "awsRegion": aws_region
            }
        })
    }

    #[test]
    fn a_global_resource_is_in_the_region_of_its_recorder() {
        let c = parse(&item("global"), &envelope("eu-west-1")).expect("change");
        assert_eq!(c.region, "eu-west-1");
        let c = parse(&item("eu-west-1"), &envelope("eu-west-1")).expect("change");
        assert_eq!(c.region, "eu-west-1");
        // Without an event region: the item's, but never "global".
        let c = parse(&item("eu-west-1"), &envelope("")).expect("change");
        assert_eq!(c.region, "eu-west-1");
        let c = parse(&item("global"), &envelope("")).expect("change");
        assert_eq!(c.region, "");
    }
}
