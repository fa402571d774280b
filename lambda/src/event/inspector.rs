//! Amazon Inspector (v2) findings.

use serde_json::Value;

use super::Envelope;
use crate::json::{array_at, f64_at, str_at};

#[derive(Debug, Clone, PartialEq)]
pub struct InspectorFinding {
    pub arn: String,
    pub title: String,
    pub description: String,
    /// INFORMATIONAL, LOW, MEDIUM, HIGH, CRITICAL or UNTRIAGED.
    pub severity: String,
    pub score: Option<f64>,
    /// ACTIVE, SUPPRESSED or CLOSED.
    pub status: String,
    /// PACKAGE_VULNERABILITY, NETWORK_REACHABILITY or CODE_VULNERABILITY.
    pub finding_type: String,
    pub vulnerability_id: Option<String>,
    /// "openssl 3.0.7 → 3.0.8" for the first vulnerable package.
    pub package: Option<String>,
    pub more_packages: usize,
    /// YES, NO or PARTIAL.
    pub fix_available: Option<String>,
    pub exploit_available: Option<String>,
    pub resource: Option<String>,
    pub account: String,
    pub region: String,
    pub first_observed: Option<String>,
    pub last_observed: Option<String>,
    pub reference_url: Option<String>,
}

pub fn parse(d: &Value, env: &Envelope) -> Option<InspectorFinding> {
    let arn = str_at(d, &["findingArn"])?;
    let packages = array_at(d, &["packageVulnerabilityDetails", "vulnerablePackages"]);
    let package = packages.first().map(|p| {
        let name = str_at(p, &["name"]).unwrap_or_else(|| "?".into());
        let version = str_at(p, &["version"]).unwrap_or_default();
        match str_at(p, &["fixedInVersion"]).filter(|f| f != "NotAvailable") {
            Some(fixed) => format!("{name} {version} → {fixed}"),
            None => format!("{name} {version} (no fixed version)"),
        }
    });
    let time = |key: &str| str_at(d, &[key]).map(|t| crate::time::normalise(&t).unwrap_or(t));
    let region = array_at(d, &["resources"])
        .first()
        .and_then(|r| str_at(r, &["region"]))
        .unwrap_or_else(|| env.region.clone());
    Some(InspectorFinding {
        title: str_at(d, &["title"]).unwrap_or_else(|| "Inspector finding".into()),
        description: str_at(d, &["description"]).unwrap_or_default(),
        severity: str_at(d, &["severity"])
            .map_or_else(|| "UNTRIAGED".into(), |s| s.to_ascii_uppercase()),
        score: f64_at(d, &["inspectorScore"]),
        status: str_at(d, &["status"]).unwrap_or_else(|| "ACTIVE".into()),
        finding_type: str_at(d, &["type"]).unwrap_or_else(|| "PACKAGE_VULNERABILITY".into()),
        vulnerability_id: str_at(d, &["packageVulnerabilityDetails", "vulnerabilityId"]),
        more_packages: packages.len().saturating_sub(1),
        package,
        fix_available: str_at(d, &["fixAvailable"]),
        exploit_available: str_at(d, &["exploitAvailable"]),
        resource: resource(d),
        account: str_at(d, &["awsAccountId"]).unwrap_or_else(|| env.account.clone()),
        region,
        first_observed: time("firstObservedAt"),
        last_observed: time("lastObservedAt"),
        reference_url: str_at(d, &["packageVulnerabilityDetails", "sourceUrl"])
            .or_else(|| str_at(d, &["remediation", "recommendation", "Url"])),
        arn,
    })
}

fn resource(d: &Value) -> Option<String> {
    let r = array_at(d, &["resources"]).first()?;
    let id = str_at(r, &["id"]).unwrap_or_default();
    let kind = str_at(r, &["type"]).unwrap_or_default();
    let details = &r["details"];
    Some(match kind.as_str() {
        "AWS_EC2_INSTANCE" => format!("EC2 instance {id}"),
        "AWS_ECR_CONTAINER_IMAGE" => {
            let repo = str_at(details, &["awsEcrContainerImage", "repositoryName"]);
            let tags: Vec<String> = array_at(details, &["awsEcrContainerImage", "imageTags"])
                .iter()
                .filter_map(|t| t.as_str().map(str::to_string))
                .collect();
            match repo {
                Some(repo) if tags.is_empty() => format!("ECR image {repo}"),
                Some(repo) => format!("ECR image {repo}:{}", tags.join(",")),
                None => format!("ECR image {id}"),
            }
        }
        "AWS_LAMBDA_FUNCTION" => {
            let name = str_at(details, &["awsLambdaFunction", "functionName"]).unwrap_or(id);
            format!("Lambda function {name}")
        }
        "" => id,
        other => format!("{other} {id}"),
    })
}
