//! A monitoring service turned off: the CloudTrail record of the API call that stops it
//! (GuardDuty's detector deleted or disabled, Config's recorder stopped or deleted, Inspector
//! disabled, Security Hub disabled, an Access Analyzer analyzer deleted or an archive rule set
//! or applied), as EventBridge delivers it ("AWS API Call via CloudTrail",
//! which needs a CloudTrail trail logging management events). Turning off detection is what an
//! intruder does first, so it pings the channel; a refused attempt pings `@here`.

use std::borrow::Cow;

use crate::json::{Json, str_at};

use super::{Envelope, Kind};
use crate::decide::{Decision, Mention};
use crate::format::{AMBER, DARK_RED, context};
use crate::service::Service;
use crate::settings::Settings;
use crate::slack::{Card, Field};

/// EventBridge's detail-type for CloudTrail records of API calls.
pub const CLOUDTRAIL_DETAIL_TYPE: &str = "AWS API Call via CloudTrail";

/// The calls that turn a service off, by the service's EventBridge source: the one table the
/// hub's and the spokes' rules are checked against (`src/deploy/templates.rs`). CloudTrail
/// (`None`) is no service of awsmon's: its switch-off goes to the default route, and only the
/// hub's region is watched (a multi-region trail is stopped in its home region).
pub const OFF_CALLS: &[(Option<Service>, &str, &[&str])] = &[
    (None, "aws.cloudtrail", &["StopLogging", "DeleteTrail"]),
    (
        Some(Service::GuardDuty),
        "aws.guardduty",
        &[
            "DeleteDetector",
            "UpdateDetector",
            "DisassociateFromAdministratorAccount",
            "DisassociateFromMasterAccount",
            "CreateFilter",
            "UpdateFilter",
        ],
    ),
    (
        Some(Service::Config),
        "aws.config",
        &[
            "StopConfigurationRecorder",
            "DeleteConfigurationRecorder",
            "DeleteDeliveryChannel",
            "DeleteServiceLinkedConfigurationRecorder",
        ],
    ),
    (Some(Service::Inspector), "aws.inspector2", &["Disable"]),
    (
        Some(Service::SecurityHub),
        "aws.securityhub",
        &[
            "DisableSecurityHub",
            "DisableSecurityHubV2",
            "BatchDisableStandards",
        ],
    ),
    (
        Some(Service::AccessAnalyzer),
        "aws.access-analyzer",
        &[
            "DeleteAnalyzer",
            "CreateArchiveRule",
            "UpdateArchiveRule",
            "ApplyArchiveRule",
        ],
    ),
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TurnedOff<'t> {
    /// `None`: CloudTrail, on the default route.
    pub service: Option<Service>,
    pub call: Cow<'t, str>,
    /// Who made the call: the principal's ARN (a role session's is the assumed-role ARN).
    pub who: Cow<'t, str>,
    pub source_ip: Option<Cow<'t, str>>,
    pub user_agent: Option<Cow<'t, str>>,
    /// The call's error (`AccessDenied`…) when AWS refused it: an attempt, not a change.
    pub error: Option<Cow<'t, str>>,
    /// What it named: the detector, the recorder, the resource types, the accounts.
    pub target: Option<String>,
    /// Inspector disabled for some resource types only.
    pub partial: bool,
    pub region: Cow<'t, str>,
    pub account: Cow<'t, str>,
    pub time: Cow<'t, str>,
    pub event_id: Cow<'t, str>,
}

impl<'t> Kind<'t> for TurnedOff<'t> {
    // Read from several sources (one per service): see `ALSO`.
    const EVENTBRIDGE: Option<(&'static str, &'static str)> =
        Some(("aws.guardduty", CLOUDTRAIL_DETAIL_TYPE));
    const ALSO: &'static [(&'static str, &'static str)] = &[
        ("aws.config", CLOUDTRAIL_DETAIL_TYPE),
        ("aws.inspector2", CLOUDTRAIL_DETAIL_TYPE),
        ("aws.securityhub", CLOUDTRAIL_DETAIL_TYPE),
        ("aws.access-analyzer", CLOUDTRAIL_DETAIL_TYPE),
        ("aws.cloudtrail", CLOUDTRAIL_DETAIL_TYPE),
    ];
    const UNREADABLE: &'static str =
        "a CloudTrail API call that does not turn a monitoring service off";

    fn parse(detail: &'t Json<'t>, envelope: &Envelope<'t>) -> Vec<Self> {
        let text = |path: &[&str]| str_at(detail, path).filter(|s| !s.trim().is_empty());
        let Some(call) = text(&["eventName"]) else {
            return Vec::new();
        };
        let Some((service, _, _)) = OFF_CALLS
            .iter()
            .find(|(_, source, calls)| *source == envelope.source && calls.contains(&&*call))
        else {
            return Vec::new();
        };
        // UpdateDetector turns GuardDuty off only with `enable: false`.
        if call == "UpdateDetector"
            && detail
                .get("requestParameters")
                .and_then(|r| r.get("enable"))
                .and_then(Json::as_bool)
                != Some(false)
        {
            return Vec::new();
        }
        // A filter hides findings only when its action archives them.
        if matches!(&*call, "CreateFilter" | "UpdateFilter")
            && !text(&["requestParameters", "action"])
                .is_some_and(|a| a.eq_ignore_ascii_case("ARCHIVE"))
        {
            return Vec::new();
        }
        let target = [
            "name",
            "ruleName",
            "analyzerName",
            "detectorId",
            "configurationRecorderName",
            "deliveryChannelName",
        ]
        .iter()
        .find_map(|k| text(&["requestParameters", k]).map(Cow::into_owned))
        .or_else(|| {
            let types: Vec<String> =
                crate::json::array_at(detail, &["requestParameters", "resourceTypes"])
                    .iter()
                    .filter_map(|t| t.as_str().map(str::to_string))
                    .collect();
            (!types.is_empty()).then(|| types.join(", "))
        });
        let accounts: Vec<String> =
            crate::json::array_at(detail, &["requestParameters", "accountIds"])
                .iter()
                .filter_map(|t| t.as_str().map(str::to_string))
                .collect();
        // An archive rule belongs to an analyzer (by name, or by ARN for ApplyArchiveRule).
        let analyzer = text(&["requestParameters", "analyzerName"]).or_else(|| {
            text(&["requestParameters", "analyzerArn"])
                .map(|a| Cow::Owned(a.rsplit('/').next().unwrap_or_default().to_string()))
        });
        let target = match (target, analyzer) {
            (Some(rule), Some(a)) if text(&["requestParameters", "ruleName"]).is_some() => {
                Some(format!("{rule} of the analyzer {a}"))
            }
            (target, _) => target,
        };
        let target = match (target, accounts.is_empty()) {
            (t, true) => t,
            (Some(t), false) => Some(format!("{t} for {}", accounts.join(", "))),
            (None, false) => Some(format!("accounts {}", accounts.join(", "))),
        };
        // Inspector's Disable names the types it turns off; fewer than all is part of it.
        let types = crate::json::array_at(detail, &["requestParameters", "resourceTypes"]).len();
        let partial = call == "Disable"
            && types > 0
            && types < crate::settings::INSPECTOR_RESOURCE_TYPES.len();
        vec![TurnedOff {
            service: *service,
            who: text(&["userIdentity", "arn"])
                .or_else(|| text(&["userIdentity", "principalId"]))
                .unwrap_or(Cow::Borrowed("an unknown principal")),
            source_ip: text(&["sourceIPAddress"]),
            user_agent: text(&["userAgent"]),
            error: text(&["errorCode"]),
            target,
            partial,
            region: text(&["awsRegion"]).unwrap_or_else(|| envelope.region.clone()),
            account: text(&["recipientAccountId"]).unwrap_or_else(|| envelope.account.clone()),
            time: text(&["eventTime"])
                .map_or_else(|| envelope.time.clone(), crate::time::normalised),
            event_id: text(&["eventID"]).unwrap_or_else(|| envelope.id.clone()),
            call,
        }]
    }

    fn decide(&self, _settings: &Settings) -> Decision {
        Decision::Send {
            mention: if self.error.is_some() {
                Mention::Here
            } else {
                Mention::Channel
            },
        }
    }

    fn card(&self) -> Card<'_> {
        let name = self.service.map_or("CloudTrail", Service::display_name);
        let what = change(&self.call, self.partial);
        let header = match &self.error {
            None => format!("{name} {what} in {}", self.region),
            Some(_) => format!("Refused: {name} {what} in {}", self.region),
        };
        let mut fields: Vec<Field> = Vec::with_capacity(6);
        fields.push(("Call".into(), (*self.call).into()));
        fields.push(("By".into(), (*self.who).into()));
        if let Some(t) = &self.target {
            fields.push(("Target".into(), t.as_str().into()));
        }
        if let Some(ip) = &self.source_ip {
            fields.push(("Source IP".into(), (**ip).into()));
        }
        if let Some(ua) = &self.user_agent {
            fields.push(("User agent".into(), (**ua).into()));
        }
        if let Some(e) = &self.error {
            fields.push(("Refused with".into(), (**e).into()));
        }
        let body = match (&self.error, &*self.call) {
            (Some(_), _) => vec![Cow::Borrowed(
                "AWS refused the call, so nothing changed; someone tried.",
            )],
            (None, "StopLogging" | "DeleteTrail") => vec![Cow::Borrowed(
                "API calls are no longer recorded until logging resumes, and the alerts that \
                 read them (these included) stop too. If nobody meant this, treat it as an \
                 intrusion: hiding activity is an attacker's first step.",
            )],
            (None, "ApplyArchiveRule") => vec![Cow::Borrowed(
                "The active findings matching this rule were archived and never reach Slack. \
                 If nobody meant this, treat it as an intrusion: hiding detection is an \
                 attacker's first step.",
            )],
            (None, "CreateFilter" | "UpdateFilter" | "CreateArchiveRule" | "UpdateArchiveRule") => {
                vec![Cow::Borrowed(
                    "Findings matching this filter are archived as they arrive and never reach Slack. \
                 If nobody meant this, treat it as an intrusion: hiding detection is an \
                 attacker's first step.",
                )]
            }
            (None, _) => vec![Cow::Borrowed(
                "Findings stop until it is on again. If nobody meant this, treat it as an intrusion: \
                 turning detection off is an attacker's first step.",
            )],
        };
        let url = crate::format::console_url(
            &self.region,
            &[
                ("cloudtrailv2/home?region=", &self.region),
                ("#/events/", &self.event_id),
            ],
        );
        Card {
            colour: if self.error.is_some() {
                AMBER
            } else {
                DARK_RED
            },
            summary: header.clone(),
            header: header.into(),
            body,
            fields,
            links: vec![("Open in CloudTrail".into(), url.into())],
            context: Some(context(&self.account, &self.region, &self.time)),
            ..Card::default()
        }
    }

    fn id(&self) -> Option<&str> {
        Some(&self.event_id)
    }

    fn severity(&self) -> Option<String> {
        Some(
            if self.error.is_some() {
                "HIGH"
            } else {
                "CRITICAL"
            }
            .to_string(),
        )
    }

    fn service(&self) -> Option<Service> {
        self.service
    }

    fn account(&self) -> Option<&str> {
        Some(&self.account)
    }

    fn region(&self) -> Option<&str> {
        Some(&self.region)
    }

    fn types(&self) -> [Option<&str>; 2] {
        [Some(&self.call), None]
    }

    /// A rule's RESOURCE matches the caller, so a known automation role can be muted.
    fn resource(&self) -> Option<&str> {
        Some(&self.who)
    }
}

/// What the call did, for the header: "turned off", "detached from its administrator"…
fn change(call: &str, partial: bool) -> &'static str {
    match call {
        "DisassociateFromAdministratorAccount" | "DisassociateFromMasterAccount" => {
            "detached from its administrator"
        }
        "BatchDisableStandards" => "standards disabled",
        "StopLogging" => "logging stopped",
        "DeleteTrail" => "trail deleted",
        "CreateFilter" | "UpdateFilter" => "auto-archive filter set",
        "CreateArchiveRule" | "UpdateArchiveRule" => "archive rule set",
        "ApplyArchiveRule" => "archive rule applied to existing findings",
        "DeleteAnalyzer" => "analyzer deleted",
        "StopConfigurationRecorder" => "recording stopped",
        "DeleteConfigurationRecorder" | "DeleteServiceLinkedConfigurationRecorder" => {
            "recorder deleted"
        }
        "DeleteDeliveryChannel" => "delivery channel deleted",
        "Disable" if partial => "partly turned off",
        _ => "turned off",
    }
}
