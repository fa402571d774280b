//! Amazon Inspector (v2) findings.

use crate::json::Json;

use super::{Envelope, Kind};
use crate::decide::{Decision, Mention};
use crate::format::{console, context, description_body, enc, severity_colour};
use crate::json::{array_at, f64_at, str_at};
use crate::service::Service;
use crate::settings::{InspectorSeverity, Settings};
use crate::slack::{Card, Field};

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

impl Kind for InspectorFinding {
    const EVENTBRIDGE: Option<(&'static str, &'static str)> =
        Some(("aws.inspector2", "Inspector2 Finding"));
    const UNREADABLE: &'static str = "malformed Inspector2 finding";

    fn parse(detail: &Json, envelope: &Envelope) -> Vec<Self> {
        read(detail, envelope).into_iter().collect()
    }

    fn decide(&self, settings: &Settings) -> Decision {
        if self.status != "ACTIVE" {
            return Decision::drop(format!("finding is {}", self.status));
        }
        let severity = self
            .severity
            .parse::<InspectorSeverity>()
            .unwrap_or(InspectorSeverity::Untriaged);
        let min = settings.inspector.min_severity;
        if severity < min {
            return Decision::drop(format!(
                "severity {severity} is below INSPECTOR_MIN_SEVERITY {min}"
            ));
        }
        let mention = match severity {
            InspectorSeverity::Critical => Mention::Channel,
            InspectorSeverity::High => Mention::Here,
            _ => Mention::None,
        };
        Decision::Send { mention }
    }

    /// Each part adds something: the notification text is the severity, the title and the
    /// region; the header is the title; the body is what the title does not say already; the
    /// fields are the details the header does not carry.
    fn card(&self) -> Card {
        let mut fields: Vec<Field> = vec![(
            "Severity".into(),
            match self.score {
                Some(s) => format!("{} (score {s:.1})", self.severity),
                None => self.severity.clone(),
            },
        )];
        match &self.vulnerability_id {
            // Package findings are titled "CVE-… - package": the header says it already.
            Some(v) if self.title.contains(v.as_str()) => {}
            Some(v) => fields.push(("Vulnerability".into(), v.clone())),
            None => fields.push(("Finding type".into(), self.finding_type.clone())),
        }
        if let Some(p) = &self.package {
            let more = if self.more_packages > 0 {
                format!(" (+{} more)", self.more_packages)
            } else {
                String::new()
            };
            fields.push(("Package".into(), format!("{p}{more}")));
        }
        if let Some(r) = &self.resource {
            fields.push(("Resource".into(), r.clone()));
        }
        if let Some(fix) = &self.fix_available {
            fields.push(("Fix available".into(), fix.clone()));
        }
        if let Some(x) = &self.exploit_available {
            fields.push(("Exploit available".into(), x.clone()));
        }
        fields.push(("Account".into(), self.account.clone()));
        fields.push(("Region".into(), self.region.clone()));
        if let Some(t) = &self.first_observed {
            fields.push(("First observed".into(), t.clone()));
        }
        let mut links: Vec<Field> = vec![(
            "Open in Inspector".into(),
            console(
                &self.region,
                &format!(
                    "inspector/v2/home?region={}#/findings/all?findingArn={}",
                    enc(&self.region),
                    enc(&self.arn)
                ),
            ),
        )];
        if let Some(u) = &self.reference_url {
            links.push(("Advisory".into(), u.clone()));
        }
        Card {
            colour: severity_colour(&self.severity),
            summary: format!(
                "Inspector {}: {} in {}",
                self.severity, self.title, self.region
            ),
            header: self.title.clone(),
            body: description_body(&self.title, &self.description),
            fields,
            links,
            context: context(
                &self.account,
                &self.region,
                self.last_observed.as_deref().unwrap_or_default(),
            ),
            ..Card::default()
        }
    }

    fn id(&self) -> Option<String> {
        Some(self.arn.clone())
    }

    fn severity(&self) -> Option<String> {
        Some(self.severity.clone())
    }

    fn service(&self) -> Option<Service> {
        Some(Service::Inspector)
    }
}

fn read(d: &Json, env: &Envelope) -> Option<InspectorFinding> {
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

fn resource(d: &Json) -> Option<String> {
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
