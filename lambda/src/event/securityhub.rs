//! Security Hub imported findings (ASFF); one event may carry several.

use crate::json::Json;

use super::{Envelope, Kind};
use crate::decide::{Decision, Mention};
use crate::format::{console, context, description_body, enc, severity_colour};
use crate::json::{array_at, str_at};
use crate::service::Service;
use crate::settings::Settings;
use crate::slack::{Card, Field};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityHubFinding {
    pub id: String,
    pub title: String,
    pub description: String,
    /// INFORMATIONAL, LOW, MEDIUM, HIGH or CRITICAL.
    pub severity: String,
    pub product_name: String,
    pub product_arn: String,
    pub resource: Option<String>,
    pub account: String,
    pub region: String,
    pub workflow_status: Option<String>,
    pub record_state: Option<String>,
    pub compliance: Option<String>,
    pub remediation_url: Option<String>,
    pub updated_at: Option<String>,
}

impl Kind for SecurityHubFinding {
    const EVENTBRIDGE: Option<(&'static str, &'static str)> =
        Some(("aws.securityhub", "Security Hub Findings - Imported"));
    const UNREADABLE: &'static str = "no findings in the event";

    fn parse(detail: &Json, envelope: &Envelope) -> Vec<Self> {
        read(detail, envelope)
    }

    fn decide(&self, _settings: &Settings) -> Decision {
        let product = format!("{} {}", self.product_name, self.product_arn).to_ascii_lowercase();
        for (needle, name) in [("guardduty", "GuardDuty"), ("inspector", "Inspector")] {
            if product.contains(needle) {
                return Decision::drop(format!("duplicate: {name} findings are sent directly"));
            }
        }
        if self.record_state.as_deref() == Some("ARCHIVED") {
            return Decision::drop("archived finding");
        }
        if let Some(status @ ("RESOLVED" | "SUPPRESSED")) = self.workflow_status.as_deref() {
            return Decision::drop(format!("workflow status {status}"));
        }
        match self.severity.as_str() {
            "CRITICAL" => Decision::Send {
                mention: Mention::Channel,
            },
            "HIGH" => Decision::Send {
                mention: Mention::Here,
            },
            "MEDIUM" => Decision::Send {
                mention: Mention::None,
            },
            other => Decision::drop(format!("severity {other} is below MEDIUM")),
        }
    }

    /// Each part adds something: the notification text is the severity, the title and the
    /// region; the header is the title; the body is what the title does not say already; the
    /// fields are the details the header does not carry.
    fn card(&self) -> Card {
        let mut fields: Vec<Field> = vec![
            ("Severity".into(), self.severity.clone()),
            ("Product".into(), self.product_name.clone()),
            ("Account".into(), self.account.clone()),
            ("Region".into(), self.region.clone()),
        ];
        if let Some(r) = &self.resource {
            fields.push(("Resource".into(), r.clone()));
        }
        if let Some(c) = &self.compliance {
            fields.push(("Compliance".into(), c.clone()));
        }
        if let Some(w) = &self.workflow_status {
            fields.push(("Workflow".into(), w.clone()));
        }
        let mut links: Vec<Field> = vec![(
            "Open in Security Hub".into(),
            console(
                &self.region,
                &format!("securityhub/home?region={}#/findings", enc(&self.region)),
            ),
        )];
        if let Some(u) = &self.remediation_url {
            links.push(("Remediation".into(), u.clone()));
        }
        Card {
            colour: severity_colour(&self.severity),
            summary: format!(
                "Security Hub {}: {} in {}",
                self.severity, self.title, self.region
            ),
            header: self.title.clone(),
            body: description_body(&self.title, &self.description),
            fields,
            links,
            context: context(
                &self.account,
                &self.region,
                self.updated_at.as_deref().unwrap_or_default(),
            ),
            ..Card::default()
        }
    }

    fn id(&self) -> Option<String> {
        Some(self.id.clone())
    }

    fn severity(&self) -> Option<String> {
        Some(self.severity.clone())
    }

    fn service(&self) -> Option<Service> {
        None
    }
}

fn read(d: &Json, env: &Envelope) -> Vec<SecurityHubFinding> {
    array_at(d, &["findings"])
        .iter()
        .filter_map(|f| {
            let id = str_at(f, &["Id"])?;
            let resource = array_at(f, &["Resources"]).first().map(|r| {
                let kind = str_at(r, &["Type"]).unwrap_or_default();
                let rid = str_at(r, &["Id"]).unwrap_or_default();
                format!("{kind} {rid}").trim().to_string()
            });
            let product_arn = str_at(f, &["ProductArn"]).unwrap_or_default();
            Some(SecurityHubFinding {
                title: str_at(f, &["Title"]).unwrap_or_else(|| "Security Hub finding".into()),
                description: str_at(f, &["Description"]).unwrap_or_default(),
                severity: str_at(f, &["Severity", "Label"])
                    .map_or_else(|| "INFORMATIONAL".into(), |s| s.to_ascii_uppercase()),
                product_name: str_at(f, &["ProductName"]).unwrap_or_else(|| {
                    product_arn
                        .rsplit('/')
                        .next()
                        .unwrap_or_default()
                        .to_string()
                }),
                resource,
                account: str_at(f, &["AwsAccountId"]).unwrap_or_else(|| env.account.clone()),
                region: str_at(f, &["Region"]).unwrap_or_else(|| env.region.clone()),
                workflow_status: str_at(f, &["Workflow", "Status"]),
                record_state: str_at(f, &["RecordState"]),
                compliance: str_at(f, &["Compliance", "Status"]),
                remediation_url: str_at(f, &["Remediation", "Recommendation", "Url"]),
                updated_at: str_at(f, &["UpdatedAt"])
                    .map(|t| crate::time::normalise(&t).unwrap_or(t)),
                product_arn,
                id,
            })
        })
        .collect()
}
