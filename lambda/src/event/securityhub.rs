//! Security Hub imported findings (ASFF); one event may carry several.

use std::borrow::Cow;

use crate::json::Json;

use super::{Envelope, Kind};
use crate::decide::{Decision, Mention};
use crate::format::{console_url, context, description_body, severity_colour, upper};
use crate::json::{array_at, str_at};
use crate::service::Service;
use crate::settings::{InspectorSeverity, Settings};
use crate::slack::{Card, Field};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityHubFinding<'t> {
    pub id: Cow<'t, str>,
    pub title: Cow<'t, str>,
    pub description: Cow<'t, str>,
    /// INFORMATIONAL, LOW, MEDIUM, HIGH or CRITICAL.
    pub severity: Cow<'t, str>,
    pub product_name: Cow<'t, str>,
    pub product_arn: Cow<'t, str>,
    pub resource: Option<String>,
    pub account: Cow<'t, str>,
    pub region: Cow<'t, str>,
    pub workflow_status: Option<Cow<'t, str>>,
    pub record_state: Option<Cow<'t, str>>,
    pub compliance: Option<Cow<'t, str>>,
    pub remediation_url: Option<Cow<'t, str>>,
    pub updated_at: Option<Cow<'t, str>>,
    /// A `Types` entry says "External Access Granted": the kind of Access Analyzer finding
    /// awsmon also receives directly (not unused or internal access, which it does not).
    pub external_access: bool,
}

impl<'t> Kind<'t> for SecurityHubFinding<'t> {
    const EVENTBRIDGE: Option<(&'static str, &'static str)> =
        Some(("aws.securityhub", "Security Hub Findings - Imported"));
    const UNREADABLE: &'static str = "no findings in the event";

    fn parse(detail: &'t Json<'t>, envelope: &Envelope<'t>) -> Vec<Self> {
        read(detail, envelope)
    }

    fn decide(&self, settings: &Settings) -> Decision {
        let product = format!("{} {}", self.product_name, self.product_arn).to_ascii_lowercase();
        for (needle, name) in [("guardduty", "GuardDuty"), ("inspector", "Inspector")] {
            if product.contains(needle) {
                return Decision::drop(format!("duplicate: {name} findings are sent directly"));
            }
        }
        // Access Analyzer's external-access findings arrive directly; its unused-access ones
        // (Security Hub's own analyzer) arrive only here, so they are kept.
        let analyzer = product.contains("access-analyzer") || product.contains("access analyzer");
        if analyzer && self.external_access {
            return Decision::drop(
                "duplicate: IAM Access Analyzer's external-access findings are sent directly",
            );
        }
        if self.record_state.as_deref() == Some("ARCHIVED") {
            return Decision::drop("archived finding");
        }
        if let Some(status @ ("RESOLVED" | "SUPPRESSED")) = self.workflow_status.as_deref() {
            return Decision::drop(format!("workflow status {status}"));
        }
        let severity = self
            .severity
            .parse::<InspectorSeverity>()
            .unwrap_or(InspectorSeverity::Informational);
        let floor = settings.severity_override(&self.account);
        let min = floor
            .as_ref()
            .map_or(settings.securityhub.min_severity, |(f, _)| f.label());
        if severity < min {
            return Decision::drop(match floor {
                Some((f, source)) => {
                    format!(
                        "severity {} is below MIN_SEVERITY {f} of {source}",
                        self.severity
                    )
                }
                None => format!(
                    "severity {} is below SECURITYHUB_MIN_SEVERITY {min}",
                    self.severity
                ),
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
        let fields: Vec<Field> = [
            ("Severity", Some(&*self.severity)),
            ("Product", Some(&*self.product_name)),
            ("Account", Some(&*self.account)),
            ("Region", Some(&*self.region)),
            ("Resource", self.resource.as_deref()),
            ("Compliance", self.compliance.as_deref()),
            ("Workflow", self.workflow_status.as_deref()),
        ]
        .into_iter()
        .filter_map(|(label, v)| Some((label.into(), v?.into())))
        .collect();
        let mut links: Vec<Field> = Vec::with_capacity(2);
        links.push((
            "Open in Security Hub".into(),
            console_url(
                &self.region,
                &[
                    ("securityhub/home?region=", &self.region),
                    ("#/findings", ""),
                ],
            )
            .into(),
        ));
        if let Some(u) = &self.remediation_url {
            links.push(("Remediation".into(), (**u).into()));
        }
        Card {
            colour: severity_colour(&self.severity),
            summary: format!(
                "Security Hub {}: {} in {}",
                self.severity, self.title, self.region
            ),
            header: (*self.title).into(),
            body: description_body(&self.title, &self.description),
            fields,
            links,
            context: Some(context(
                &self.account,
                &self.region,
                self.updated_at.as_deref().unwrap_or_default(),
            )),
            ..Card::default()
        }
    }

    fn id(&self) -> Option<&str> {
        Some(&self.id)
    }

    fn severity(&self) -> Option<String> {
        Some(self.severity.to_string())
    }

    fn service(&self) -> Option<Service> {
        Some(Service::SecurityHub)
    }

    fn account(&self) -> Option<&str> {
        Some(&self.account)
    }

    fn types(&self) -> [Option<&str>; 2] {
        [Some(&self.title), None]
    }

    fn resource(&self) -> Option<&str> {
        self.resource.as_deref()
    }
}

fn read<'t>(d: &'t Json<'t>, env: &Envelope<'t>) -> Vec<SecurityHubFinding<'t>> {
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
                title: str_at(f, &["Title"]).unwrap_or(Cow::Borrowed("Security Hub finding")),
                description: str_at(f, &["Description"]).unwrap_or_default(),
                severity: str_at(f, &["Severity", "Label"])
                    .map_or(Cow::Borrowed("INFORMATIONAL"), upper),
                product_name: str_at(f, &["ProductName"]).unwrap_or_else(|| {
                    Cow::Owned(
                        product_arn
                            .rsplit('/')
                            .next()
                            .unwrap_or_default()
                            .to_string(),
                    )
                }),
                resource,
                account: str_at(f, &["AwsAccountId"]).unwrap_or_else(|| env.account.clone()),
                region: str_at(f, &["Region"]).unwrap_or_else(|| env.region.clone()),
                workflow_status: str_at(f, &["Workflow", "Status"]),
                record_state: str_at(f, &["RecordState"]),
                compliance: str_at(f, &["Compliance", "Status"]),
                remediation_url: str_at(f, &["Remediation", "Recommendation", "Url"]),
                updated_at: str_at(f, &["UpdatedAt"]).map(crate::time::normalised),
                external_access: array_at(f, &["Types"])
                    .iter()
                    .filter_map(Json::as_str)
                    .any(|t| t.ends_with("/External Access Granted")),
                product_arn,
                id,
            })
        })
        .collect()
}
