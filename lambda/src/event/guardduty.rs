//! GuardDuty findings (`detail` is the finding).

use std::borrow::Cow;

use crate::json::Json;

use super::{Envelope, Kind};
use crate::decide::{Decision, Mention, guardduty_band, is_global_service};
use crate::format::{console_url, context, description_body, severity_colour};
use crate::json::{array_at, f64_at, str_at};
use crate::service::Service;
use crate::settings::Settings;
use crate::slack::{Card, Field};

#[derive(Debug, Clone, PartialEq)]
pub struct GuardDutyFinding<'t> {
    pub id: Cow<'t, str>,
    pub finding_type: Cow<'t, str>,
    pub title: Cow<'t, str>,
    pub description: Cow<'t, str>,
    pub severity: f64,
    pub account: Cow<'t, str>,
    pub region: Cow<'t, str>,
    /// e.g. "Instance i-0abc (EC2)", "AccessKey ASIA… of user alice".
    pub resource: Option<Cow<'t, str>>,
    pub count: Option<u64>,
    pub first_seen: Option<Cow<'t, str>>,
    pub last_seen: Option<Cow<'t, str>>,
    pub archived: bool,
    /// `service.action.awsApiCallAction.serviceName`, e.g. `iam.amazonaws.com`.
    pub api_service: Option<Cow<'t, str>>,
    /// A one-line account of what happened (API call, connection, probe).
    pub action: Option<String>,
}

impl<'t> Kind<'t> for GuardDutyFinding<'t> {
    const EVENTBRIDGE: Option<(&'static str, &'static str)> =
        Some(("aws.guardduty", "GuardDuty Finding"));
    const UNREADABLE: &'static str = "malformed GuardDuty finding";

    fn parse(detail: &'t Json<'t>, envelope: &Envelope<'t>) -> Vec<Self> {
        read(detail, envelope).into_iter().collect()
    }

    fn decide(&self, settings: &Settings) -> Decision {
        let gd = &settings.guardduty;
        if self.archived {
            return Decision::drop("archived finding");
        }
        let floor = settings.severity_override(&self.account);
        let min = floor
            .as_ref()
            .map_or(gd.min_severity, |(f, _)| f.guardduty_score());
        if self.severity < min {
            return Decision::drop(match floor {
                Some((f, source)) => format!(
                    "severity {:.1} is below MIN_SEVERITY {f} ({min:.1}) of {source}",
                    self.severity
                ),
                None => format!(
                    "severity {:.1} is below GUARDDUTY_MIN_SEVERITY {min:.1}",
                    self.severity
                ),
            });
        }
        if let Some(service) = self.api_service.as_deref().filter(|s| is_global_service(s)) {
            let home = gd
                .global_findings_region
                .as_deref()
                .unwrap_or(&settings.home_region);
            if *self.region != *home {
                return Decision::drop(format!(
                    "global-service finding ({service}) is sent only from {home}, not {}",
                    self.region
                ));
            }
        }
        let mention = if self.severity >= gd.mention_channel_severity {
            Mention::Channel
        } else if self.severity >= gd.mention_here_severity {
            Mention::Here
        } else {
            Mention::None
        };
        Decision::Send { mention }
    }

    /// Each part adds something: the notification text is the severity, the title and the
    /// region; the header is the title; the body is what the title does not say already; the
    /// fields are the details the header does not carry.
    fn card(&self) -> Card<'_> {
        let band = guardduty_band(self.severity);
        let mut fields: Vec<Field> = Vec::with_capacity(9);
        fields.extend([
            (
                "Severity".into(),
                format!("{band} ({:.1})", self.severity).into(),
            ),
            ("Type".into(), (*self.finding_type).into()),
            ("Account".into(), (*self.account).into()),
            ("Region".into(), (*self.region).into()),
        ]);
        let optional = [
            ("Resource", self.resource.as_deref()),
            ("Activity", self.action.as_deref()),
        ];
        fields.extend(
            optional
                .into_iter()
                .filter_map(|(label, v)| Some((label.into(), v?.into()))),
        );
        if let Some(c) = self.count {
            fields.push(("Count".into(), c.to_string().into()));
        }
        let seen = [
            ("First seen", self.first_seen.as_deref()),
            ("Last seen", self.last_seen.as_deref()),
        ];
        fields.extend(
            seen.into_iter()
                .filter_map(|(label, v)| Some((label.into(), v?.into()))),
        );
        let url = console_url(
            &self.region,
            &[
                ("guardduty/home?region=", &self.region),
                ("#/findings?macros=current&fId=", &self.id),
            ],
        );
        Card {
            colour: severity_colour(&band.to_ascii_uppercase()),
            summary: format!(
                "GuardDuty {band} ({:.1}): {} in {}",
                self.severity, self.title, self.region
            ),
            header: (*self.title).into(),
            body: description_body(&self.title, &self.description),
            fields,
            links: vec![("Open in GuardDuty".into(), url.into())],
            context: Some(context(
                &self.account,
                &self.region,
                self.last_seen.as_deref().unwrap_or_default(),
            )),
            ..Card::default()
        }
    }

    fn id(&self) -> Option<&str> {
        Some(&self.id)
    }

    fn severity(&self) -> Option<String> {
        Some(guardduty_band(self.severity).to_ascii_uppercase())
    }

    fn service(&self) -> Option<Service> {
        Some(Service::GuardDuty)
    }

    fn account(&self) -> Option<&str> {
        Some(&self.account)
    }

    fn types(&self) -> [Option<&str>; 2] {
        [Some(&self.finding_type), None]
    }

    fn resource(&self) -> Option<&str> {
        self.resource.as_deref()
    }
}

fn read<'t>(d: &'t Json<'t>, env: &Envelope<'t>) -> Option<GuardDutyFinding<'t>> {
    let id = str_at(d, &["id"])?;
    let finding_type = str_at(d, &["type"]).unwrap_or(Cow::Borrowed("Unknown"));
    Some(GuardDutyFinding {
        title: str_at(d, &["title"]).unwrap_or_else(|| finding_type.clone()),
        description: str_at(d, &["description"]).unwrap_or_default(),
        severity: f64_at(d, &["severity"]).unwrap_or(0.0),
        account: str_at(d, &["accountId"]).unwrap_or_else(|| env.account.clone()),
        region: str_at(d, &["region"]).unwrap_or_else(|| env.region.clone()),
        resource: resource(d),
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        count: f64_at(d, &["service", "count"]).map(|c| c.max(0.0) as u64),
        first_seen: str_at(d, &["service", "eventFirstSeen"]).map(crate::time::normalised),
        last_seen: str_at(d, &["service", "eventLastSeen"]).map(crate::time::normalised),
        archived: d["service"]["archived"].as_bool().unwrap_or(false),
        api_service: str_at(d, &["service", "action", "awsApiCallAction", "serviceName"]),
        action: action(d),
        id,
        finding_type,
    })
}

fn resource<'t>(d: &'t Json<'t>) -> Option<Cow<'t, str>> {
    let kind = str_at(d, &["resource", "resourceType"])?;
    let r = &d["resource"];
    let detail = match &*kind {
        "Instance" => {
            str_at(r, &["instanceDetails", "instanceId"]).map(|id| format!("Instance {id}"))
        }
        "AccessKey" => {
            let user = str_at(r, &["accessKeyDetails", "userName"]);
            let key = str_at(r, &["accessKeyDetails", "accessKeyId"]);
            match (user, key) {
                (Some(u), Some(k)) => Some(format!("AccessKey {k} of {u}")),
                (Some(u), None) => Some(format!("AccessKey of {u}")),
                (None, Some(k)) => Some(format!("AccessKey {k}")),
                (None, None) => None,
            }
        }
        "S3Bucket" => {
            let names: Vec<Cow<str>> = array_at(r, &["s3BucketDetails"])
                .iter()
                .filter_map(|b| str_at(b, &["name"]))
                .collect();
            (!names.is_empty()).then(|| format!("S3 bucket {}", names.join(", ")))
        }
        "EKSCluster" => {
            str_at(r, &["eksClusterDetails", "name"]).map(|n| format!("EKS cluster {n}"))
        }
        "ECSCluster" => {
            str_at(r, &["ecsClusterDetails", "name"]).map(|n| format!("ECS cluster {n}"))
        }
        "Lambda" => {
            str_at(r, &["lambdaDetails", "functionName"]).map(|n| format!("Lambda function {n}"))
        }
        "RDSDBInstance" => str_at(r, &["rdsDbInstanceDetails", "dbInstanceIdentifier"])
            .map(|n| format!("RDS instance {n}")),
        // Attack sequences name their resources in the sequence, not under `resource`.
        "AttackSequence" => {
            let items: Vec<Cow<str>> =
                array_at(d, &["service", "detection", "sequence", "resources"])
                    .iter()
                    .filter_map(|x| str_at(x, &["uid"]).or_else(|| str_at(x, &["name"])))
                    .collect();
            match items.len() {
                0 => None,
                1 => Some(format!("Attack sequence on {}", items[0])),
                n => Some(format!("Attack sequence on {} (+{} more)", items[0], n - 1)),
            }
        }
        _ => None,
    };
    Some(detail.map_or(kind, Cow::Owned))
}

fn action(d: &Json) -> Option<String> {
    let a = &d["service"]["action"];
    let remote = |v: &Json| {
        let ip = str_at(v, &["remoteIpDetails", "ipAddressV4"])
            .or_else(|| str_at(v, &["remoteIpDetails", "ipAddressV6"]));
        let country = str_at(v, &["remoteIpDetails", "country", "countryName"]);
        match (ip, country) {
            (Some(ip), Some(c)) => format!(" from {ip} ({c})"),
            (Some(ip), None) => format!(" from {ip}"),
            _ => String::new(),
        }
    };
    match &*str_at(a, &["actionType"])? {
        "AWS_API_CALL" => {
            let call = &a["awsApiCallAction"];
            let api = str_at(call, &["api"]).unwrap_or(Cow::Borrowed("?"));
            let service = str_at(call, &["serviceName"]).unwrap_or_default();
            Some(format!("API {api} on {service}{}", remote(call)))
        }
        "NETWORK_CONNECTION" => {
            let c = &a["networkConnectionAction"];
            let dir = str_at(c, &["connectionDirection"])
                .unwrap_or_default()
                .to_lowercase();
            let port = str_at(c, &["remotePortDetails", "port"])
                .or_else(|| str_at(c, &["localPortDetails", "port"]));
            let port = port.map(|p| format!(" port {p}")).unwrap_or_default();
            Some(
                format!("{dir} connection{port}{}", remote(c))
                    .trim_start()
                    .to_string(),
            )
        }
        "PORT_PROBE" => {
            let probes = array_at(a, &["portProbeAction", "portProbeDetails"]);
            let ports: Vec<Cow<str>> = probes
                .iter()
                .filter_map(|p| str_at(p, &["localPortDetails", "port"]))
                .collect();
            let from = probes.first().map(remote).unwrap_or_default();
            Some(format!("port probe on {}{from}", ports.join(", ")))
        }
        "DNS_REQUEST" => {
            str_at(a, &["dnsRequestAction", "domain"]).map(|dom| format!("DNS query for {dom}"))
        }
        other => Some(other.to_string()),
    }
}
