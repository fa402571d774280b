//! AWS Config configuration item changes: the changed properties, never the whole item.

use std::borrow::Cow;
use std::fmt::Write;

use crate::json::Json;

use super::{Envelope, Kind};
use crate::decide::{Decision, Mention};
use crate::format::{AMBER, BLUE, console_url, context};
use crate::json::compact;
use crate::json::{at, str_at};
use crate::service::Service;
use crate::settings::Settings;
use crate::slack::{Card, Field, bold_into, code_into, truncated};

#[derive(Debug, Clone, PartialEq)]
pub struct ConfigChange<'t> {
    pub message_type: Cow<'t, str>,
    /// CREATE, UPDATE or DELETE.
    pub change_type: Cow<'t, str>,
    pub resource_type: Cow<'t, str>,
    pub resource_id: Cow<'t, str>,
    pub resource_name: Option<Cow<'t, str>>,
    pub arn: Option<Cow<'t, str>>,
    pub account: Cow<'t, str>,
    /// Where the recorder is: the event's region. Never `global`, which is what the item of
    /// a global resource (IAM) says.
    pub region: Cow<'t, str>,
    pub capture_time: Option<Cow<'t, str>>,
    pub changes: Vec<PropertyChange<'t>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PropertyChange<'t> {
    pub path: &'t str,
    pub change_type: Cow<'t, str>,
    pub previous: Option<&'t Json<'t>>,
    pub updated: Option<&'t Json<'t>>,
}

impl<'t> Kind<'t> for ConfigChange<'t> {
    const EVENTBRIDGE: Option<(&'static str, &'static str)> =
        Some(("aws.config", "Config Configuration Item Change"));
    const UNREADABLE: &'static str = "malformed Config change";

    fn parse(detail: &'t Json<'t>, envelope: &Envelope<'t>) -> Vec<Self> {
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
    fn card(&self) -> Card<'_> {
        let name = self.resource_name.as_deref().unwrap_or(&self.resource_id);
        // One paragraph, a line per property, written into one string.
        let mut body = String::with_capacity(512);
        let mut used = 0;
        for (i, ch) in self.changes.iter().enumerate() {
            if i > 0 {
                body.push('\n');
            }
            let line_start = body.len();
            let value = |v: Option<&'t Json<'t>>| v.map_or(Cow::Borrowed("—"), compact);
            code_into(&mut body, ch.path);
            match &*ch.change_type {
                "CREATE" => {
                    body.push(' ');
                    bold_into(&mut body, "added");
                    body.push(' ');
                    code_into(&mut body, &clip(&value(ch.updated)));
                }
                "DELETE" => {
                    body.push(' ');
                    bold_into(&mut body, "removed");
                    body.push(' ');
                    code_into(&mut body, &clip(&value(ch.previous)));
                }
                _ => {
                    body.push(' ');
                    code_into(&mut body, &clip(&value(ch.previous)));
                    body.push_str(" → ");
                    code_into(&mut body, &clip(&value(ch.updated)));
                }
            }
            let line = body.len() - line_start;
            // Leave room for the "and N more" line within one section.
            if used + line + 40 > crate::slack::SECTION_TEXT_MAX {
                body.truncate(line_start);
                let _ = write!(
                    body,
                    "…and {} more changed properties",
                    self.changes.len() - i
                );
                break;
            }
            used += line + 1;
        }
        // The header names the type, the resource and the change; the fields add the rest.
        let mut fields: Vec<Field> = Vec::with_capacity(2);
        if self.resource_id != name {
            fields.push(("Resource id".into(), (*self.resource_id).into()));
        }
        fields.push((
            "Changed properties".into(),
            self.changes.len().to_string().into(),
        ));
        let url = console_url(
            &self.region,
            &[
                ("config/home?region=", &self.region),
                ("#/resources/details?resourceId=", &self.resource_id),
                ("&resourceType=", &self.resource_type),
            ],
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
            header: format!("{} {} ({})", self.resource_type, name, self.change_type).into(),
            body: vec![body.into()],
            fields,
            links: vec![("Open in AWS Config".into(), url.into())],
            context: Some(context(
                &self.account,
                &self.region,
                self.capture_time.as_deref().unwrap_or_default(),
            )),
            ..Card::default()
        }
    }

    fn service(&self) -> Option<Service> {
        Some(Service::Config)
    }

    fn account(&self) -> Option<&str> {
        Some(&self.account)
    }

    fn types(&self) -> [Option<&str>; 2] {
        [Some(&self.resource_type), None]
    }

    fn resource(&self) -> Option<&str> {
        Some(&self.resource_id)
    }
}

/// Longest inline value in a Config diff line.
const DIFF_VALUE_MAX: usize = 300;

fn clip(s: &str) -> Cow<'_, str> {
    truncated(s, DIFF_VALUE_MAX)
}

fn read<'t>(d: &'t Json<'t>, env: &Envelope<'t>) -> Option<ConfigChange<'t>> {
    let message_type = str_at(d, &["messageType"])?;
    // Oversized notifications carry a summary instead of the item.
    let item = at(d, &["configurationItem"]).or_else(|| at(d, &["configurationItemSummary"]));
    let field = |key: &str| item.and_then(|i| str_at(i, &[key]));
    let mut changes: Vec<PropertyChange> =
        match at(d, &["configurationItemDiff", "changedProperties"]) {
            Some(Json::Object(props)) => props
                .iter()
                .map(|(path, c)| PropertyChange {
                    path: path.as_ref(),
                    change_type: str_at(c, &["changeType"]).unwrap_or(Cow::Borrowed("UPDATE")),
                    previous: at(c, &["previousValue"]),
                    updated: at(c, &["updatedValue"]),
                })
                .collect(),
            _ => Vec::new(),
        };
    changes.sort_by(|a, b| a.path.cmp(b.path));
    Some(ConfigChange {
        change_type: str_at(d, &["configurationItemDiff", "changeType"])
            .or_else(|| field("changeType"))
            .unwrap_or(Cow::Borrowed("UPDATE")),
        resource_type: field("resourceType").unwrap_or(Cow::Borrowed("unknown type")),
        resource_id: field("resourceId").unwrap_or(Cow::Borrowed("unknown id")),
        resource_name: field("resourceName"),
        arn: field("ARN").or_else(|| field("arn")),
        account: field("awsAccountId").unwrap_or_else(|| env.account.clone()),
        region: Some(env.region.clone())
            .filter(|r| !r.trim().is_empty())
            .or_else(|| field("awsRegion").filter(|r| !r.trim().eq_ignore_ascii_case("global")))
            .unwrap_or_default(),
        capture_time: field("configurationItemCaptureTime").map(crate::time::normalised),
        message_type,
        changes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn envelope(region: &str) -> Envelope<'_> {
        Envelope {
            id: "e1".into(),
            source: "aws.config".into(),
            detail_type: "Config Configuration Item Change".into(),
            account: "123456789012".into(),
            region: region.into(),
            time: Cow::Borrowed(""),
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

    /// The region `read` gives an item from `aws_region` in an event from `event_region`.
    fn region_of(aws_region: &str, event_region: &str) -> String {
        let item = item(aws_region);
        let tree = Json::from_value(&item);
        read(&tree, &envelope(event_region))
            .expect("change")
            .region
            .into_owned()
    }

    #[test]
    fn a_global_resource_is_in_the_region_of_its_recorder() {
        assert_eq!(region_of("global", "eu-west-1"), "eu-west-1");
        assert_eq!(region_of("eu-west-1", "eu-west-1"), "eu-west-1");
        // Without an event region: the item's, but never "global".
        assert_eq!(region_of("eu-west-1", ""), "eu-west-1");
        assert_eq!(region_of("global", ""), "");
    }
}
