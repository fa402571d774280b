//! Security Hub imported findings (ASFF); one event may carry several.

use serde_json::Value;

use super::Envelope;
use crate::json::{array_at, str_at};

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

pub fn parse(d: &Value, env: &Envelope) -> Vec<SecurityHubFinding> {
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
