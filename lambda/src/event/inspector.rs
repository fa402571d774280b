//! Amazon Inspector (v2) findings.

use std::borrow::Cow;

use crate::json::Json;

use super::{Envelope, Kind};
use crate::decide::{Decision, Mention};
use crate::format::{console_url, context, description_body, severity_colour, upper};
use crate::json::{array_at, f64_at, str_at};
use crate::service::Service;
use crate::settings::{InspectorSeverity, Settings};
use crate::slack::{Card, Field};

#[derive(Debug, Clone, PartialEq)]
pub struct InspectorFinding<'t> {
    pub arn: Cow<'t, str>,
    pub title: Cow<'t, str>,
    pub description: Cow<'t, str>,
    /// INFORMATIONAL, LOW, MEDIUM, HIGH, CRITICAL or UNTRIAGED.
    pub severity: Cow<'t, str>,
    pub score: Option<f64>,
    /// ACTIVE, SUPPRESSED or CLOSED.
    pub status: Cow<'t, str>,
    /// PACKAGE_VULNERABILITY, NETWORK_REACHABILITY or CODE_VULNERABILITY.
    pub finding_type: Cow<'t, str>,
    pub vulnerability_id: Option<Cow<'t, str>>,
    /// "openssl 3.0.7 → 3.0.8" for the first vulnerable package.
    pub package: Option<String>,
    pub more_packages: usize,
    /// YES, NO or PARTIAL.
    pub fix_available: Option<Cow<'t, str>>,
    pub exploit_available: Option<Cow<'t, str>>,
    pub resource: Option<Cow<'t, str>>,
    pub account: Cow<'t, str>,
    pub region: Cow<'t, str>,
    pub first_observed: Option<Cow<'t, str>>,
    pub last_observed: Option<Cow<'t, str>>,
    pub reference_url: Option<Cow<'t, str>>,
}

impl<'t> Kind<'t> for InspectorFinding<'t> {
    const EVENTBRIDGE: Option<(&'static str, &'static str)> =
        Some(("aws.inspector2", "Inspector2 Finding"));
    const UNREADABLE: &'static str = "malformed Inspector2 finding";

    fn parse(detail: &'t Json<'t>, envelope: &Envelope<'t>) -> Vec<Self> {
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
        let floor = settings.severity_override(&self.account);
        let min = floor
            .as_ref()
            .map_or(settings.inspector.min_severity, |(f, _)| f.label());
        if severity < min {
            return Decision::drop(match floor {
                Some((f, source)) => {
                    format!("severity {severity} is below MIN_SEVERITY {f} of {source}")
                }
                None => format!("severity {severity} is below INSPECTOR_MIN_SEVERITY {min}"),
            });
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
    fn card(&self) -> Card<'_> {
        let mut fields: Vec<Field> = Vec::with_capacity(10);
        fields.push((
            "Severity".into(),
            match self.score {
                Some(s) => format!("{} (score {s:.1})", self.severity).into(),
                None => (*self.severity).into(),
            },
        ));
        match &self.vulnerability_id {
            // Package findings are titled "CVE-… - package": the header says it already.
            Some(v) if self.title.contains(&**v) => {}
            Some(v) => fields.push(("Vulnerability".into(), (**v).into())),
            None => fields.push(("Finding type".into(), (*self.finding_type).into())),
        }
        if let Some(p) = &self.package {
            fields.push((
                "Package".into(),
                if self.more_packages > 0 {
                    format!("{p} (+{} more)", self.more_packages).into()
                } else {
                    p.as_str().into()
                },
            ));
        }
        let optional = [
            ("Resource", self.resource.as_deref()),
            ("Fix available", self.fix_available.as_deref()),
            ("Exploit available", self.exploit_available.as_deref()),
            ("Account", Some(&*self.account)),
            ("Region", Some(&*self.region)),
            ("First observed", self.first_observed.as_deref()),
        ];
        fields.extend(
            optional
                .into_iter()
                .filter_map(|(label, v)| Some((label.into(), v?.into()))),
        );
        let mut links: Vec<Field> = Vec::with_capacity(2);
        links.push((
            "Open in Inspector".into(),
            console_url(
                &self.region,
                &[
                    ("inspector/v2/home?region=", &self.region),
                    ("#/findings/all?findingArn=", &self.arn),
                ],
            )
            .into(),
        ));
        if let Some(u) = &self.reference_url {
            links.push(("Advisory".into(), (**u).into()));
        }
        Card {
            colour: severity_colour(&self.severity),
            summary: format!(
                "Inspector {}: {} in {}",
                self.severity, self.title, self.region
            ),
            header: (*self.title).into(),
            body: description_body(&self.title, &self.description),
            fields,
            links,
            context: Some(context(
                &self.account,
                &self.region,
                self.last_observed.as_deref().unwrap_or_default(),
            )),
            ..Card::default()
        }
    }

    fn id(&self) -> Option<&str> {
        Some(&self.arn)
    }

    fn severity(&self) -> Option<String> {
        Some(self.severity.to_string())
    }

    fn service(&self) -> Option<Service> {
        Some(Service::Inspector)
    }

    fn account(&self) -> Option<&str> {
        Some(&self.account)
    }

    fn types(&self) -> [Option<&str>; 2] {
        [Some(&self.finding_type), self.vulnerability_id.as_deref()]
    }

    fn resource(&self) -> Option<&str> {
        self.resource.as_deref()
    }
}

fn read<'t>(d: &'t Json<'t>, env: &Envelope<'t>) -> Option<InspectorFinding<'t>> {
    let arn = str_at(d, &["findingArn"])?;
    let packages = array_at(d, &["packageVulnerabilityDetails", "vulnerablePackages"]);
    let package = packages.first().map(|p| {
        let name = str_at(p, &["name"]).unwrap_or(Cow::Borrowed("?"));
        let version = str_at(p, &["version"]).unwrap_or_default();
        match str_at(p, &["fixedInVersion"]).filter(|f| f != "NotAvailable") {
            Some(fixed) => format!("{name} {version} → {fixed}"),
            None => format!("{name} {version} (no fixed version)"),
        }
    });
    let time = |key: &str| str_at(d, &[key]).map(crate::time::normalised);
    let region = array_at(d, &["resources"])
        .first()
        .and_then(|r| str_at(r, &["region"]))
        .unwrap_or_else(|| env.region.clone());
    Some(InspectorFinding {
        title: str_at(d, &["title"]).unwrap_or(Cow::Borrowed("Inspector finding")),
        description: str_at(d, &["description"]).unwrap_or_default(),
        severity: str_at(d, &["severity"]).map_or(Cow::Borrowed("UNTRIAGED"), upper),
        score: f64_at(d, &["inspectorScore"]),
        status: str_at(d, &["status"]).unwrap_or(Cow::Borrowed("ACTIVE")),
        finding_type: str_at(d, &["type"]).unwrap_or(Cow::Borrowed("PACKAGE_VULNERABILITY")),
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

fn resource<'t>(d: &'t Json<'t>) -> Option<Cow<'t, str>> {
    let r = array_at(d, &["resources"]).first()?;
    let id = str_at(r, &["id"]).unwrap_or_default();
    let kind = str_at(r, &["type"]).unwrap_or_default();
    let details = &r["details"];
    Some(match &*kind {
        "AWS_EC2_INSTANCE" => Cow::Owned(format!("EC2 instance {id}")),
        "AWS_ECR_CONTAINER_IMAGE" => {
            let repo = str_at(details, &["awsEcrContainerImage", "repositoryName"]);
            let tags: Vec<&str> = array_at(details, &["awsEcrContainerImage", "imageTags"])
                .iter()
                .filter_map(Json::as_str)
                .collect();
            Cow::Owned(match repo {
                Some(repo) if tags.is_empty() => format!("ECR image {repo}"),
                Some(repo) => format!("ECR image {repo}:{}", tags.join(",")),
                None => format!("ECR image {id}"),
            })
        }
        "AWS_LAMBDA_FUNCTION" => {
            let name = str_at(details, &["awsLambdaFunction", "functionName"]).unwrap_or(id);
            Cow::Owned(format!("Lambda function {name}"))
        }
        "" => id,
        other => Cow::Owned(format!("{other} {id}")),
    })
}
