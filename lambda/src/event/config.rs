//! AWS Config configuration item changes: the changed properties, never the whole item.

use serde_json::Value;

use crate::json::Json;

use super::{Envelope, Kind};
use crate::decide::{Decision, Mention};
use crate::format::{AMBER, BLUE, console, context, enc};
use crate::json::compact;
use crate::json::{at, str_at};
use crate::service::Service;
use crate::settings::Settings;
use crate::slack::{Card, Field, bold, code, truncate};

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

impl Kind for ConfigChange {
    const EVENTBRIDGE: Option<(&'static str, &'static str)> =
        Some(("aws.config", "Config Configuration Item Change"));
    const UNREADABLE: &'static str = "malformed Config change";

    fn parse(detail: &Json, envelope: &Envelope) -> Vec<Self> {
        read(detail, envelope).into_iter().collect()
    }

    fn decide(&self, settings: &Settings) -> Decision {
        let cs = &settings.config;
        if self.message_type == "OversizedConfigurationItemChangeNotification" {
            return Decision::drop("oversized configuration item: the event carries no diff");
        }
        if self.message_type != "ConfigurationItemChangeNotification" {
            return Decision::drop(format!(
                "message type {} is not a configuration change",
                self.message_type
            ));
        }
        if self.changes.is_empty() && self.change_type == "UPDATE" {
            return Decision::drop("no configuration diff");
        }
        let listed = |list: &[String]| {
            list.iter()
                .any(|t| t.eq_ignore_ascii_case(&self.resource_type))
        };
        if !cs.resource_types.is_empty() && !listed(&cs.resource_types) {
            return Decision::drop(format!(
                "{} is not in CONFIG_RESOURCE_TYPES",
                self.resource_type
            ));
        }
        if listed(&cs.exclude_resource_types) {
            return Decision::drop(format!(
                "{} is in CONFIG_EXCLUDE_RESOURCE_TYPES",
                self.resource_type
            ));
        }
        Decision::Send {
            mention: Mention::None,
        }
    }

    /// Each part adds something: the notification text is the severity, the title and the
    /// region; the header is the title; the body is what the title does not say already; the
    /// fields are the details the header does not carry.
    fn card(&self) -> Card {
        let name = self
            .resource_name
            .clone()
            .unwrap_or_else(|| self.resource_id.clone());
        let mut lines: Vec<String> = Vec::new();
        let mut used = 0;
        for (i, ch) in self.changes.iter().enumerate() {
            let value =
                |v: &Option<serde_json::Value>| v.as_ref().map_or_else(|| "—".to_string(), compact);
            let line = match ch.change_type.as_str() {
                "CREATE" => format!(
                    "{} {} {}",
                    code(&ch.path),
                    bold("added"),
                    code(&clip(&value(&ch.updated)))
                ),
                "DELETE" => format!(
                    "{} {} {}",
                    code(&ch.path),
                    bold("removed"),
                    code(&clip(&value(&ch.previous)))
                ),
                _ => format!(
                    "{} {} → {}",
                    code(&ch.path),
                    code(&clip(&value(&ch.previous))),
                    code(&clip(&value(&ch.updated)))
                ),
            };
            // Leave room for the "and N more" line within one section.
            if used + line.len() + 40 > crate::slack::SECTION_TEXT_MAX {
                lines.push(format!(
                    "…and {} more changed properties",
                    self.changes.len() - i
                ));
                break;
            }
            used += line.len() + 1;
            lines.push(line);
        }
        // The header names the type, the resource and the change; the fields add the rest.
        let mut fields: Vec<Field> = Vec::new();
        if self.resource_id != name {
            fields.push(("Resource id".into(), self.resource_id.clone()));
        }
        fields.push(("Changed properties".into(), self.changes.len().to_string()));
        let url = console(
            &self.region,
            &format!(
                "config/home?region={}#/resources/details?resourceId={}&resourceType={}",
                enc(&self.region),
                enc(&self.resource_id),
                enc(&self.resource_type)
            ),
        );
        Card {
            colour: if self.change_type == "DELETE" {
                AMBER
            } else {
                BLUE
            },
            summary: format!(
                "Config: {} {} {} in {}",
                self.resource_type,
                name,
                self.change_type.to_lowercase(),
                self.region
            ),
            header: format!("{} {} ({})", self.resource_type, name, self.change_type),
            body: vec![lines.join("\n")],
            fields,
            links: vec![("Open in AWS Config".into(), url)],
            context: context(
                &self.account,
                &self.region,
                self.capture_time.as_deref().unwrap_or_default(),
            ),
            ..Card::default()
        }
    }

    fn service(&self) -> Option<Service> {
        Some(Service::Config)
    }
}

/// Longest inline value in a Config diff line.
const DIFF_VALUE_MAX: usize = 300;

fn clip(s: &str) -> String {
    truncate(s, DIFF_VALUE_MAX)
}

fn read(d: &Json, env: &Envelope) -> Option<ConfigChange> {
    let message_type = str_at(d, &["messageType"])?;
    // Oversized notifications carry a summary instead of the item.
    let item = at(d, &["configurationItem"]).or_else(|| at(d, &["configurationItemSummary"]));
    let field = |key: &str| item.and_then(|i| str_at(i, &[key]));
    let mut changes: Vec<PropertyChange> =
        match at(d, &["configurationItemDiff", "changedProperties"]) {
            Some(Json::Object(props)) => props
                .iter()
                .map(|(path, c)| PropertyChange {
                    path: path.to_string(),
                    change_type: str_at(c, &["changeType"]).unwrap_or_else(|| "UPDATE".into()),
                    previous: at(c, &["previousValue"]).map(Json::to_value),
                    updated: at(c, &["updatedValue"]).map(Json::to_value),
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
        let c = read(&Json::from_value(&item("global")), &envelope("eu-west-1")).expect("change");
        assert_eq!(c.region, "eu-west-1");
        let c = read(
            &Json::from_value(&item("eu-west-1")),
            &envelope("eu-west-1"),
        )
        .expect("change");
        assert_eq!(c.region, "eu-west-1");
        // Without an event region: the item's, but never "global".
        let c = read(&Json::from_value(&item("eu-west-1")), &envelope("")).expect("change");
        assert_eq!(c.region, "eu-west-1");
        let c = read(&Json::from_value(&item("global")), &envelope("")).expect("change");
        assert_eq!(c.region, "");
    }
}
