//! IAM Access Analyzer's external-access findings ("Access Analyzer Finding"): a resource
//! whose policy lets someone outside the zone of trust (the account, or the Organization for
//! an organization analyzer) reach it. The message names the resource, who can reach it and
//! the access level, read from the actions the policy grants.
//!
//! Access Analyzer has no severity of its own; awsmon grades a finding by its reach: public
//! is CRITICAL, cross-account write or control (write, permissions, assuming a role, `*`)
//! HIGH, cross-account read or list MEDIUM, a resource it could not analyse LOW.

use std::borrow::Cow;

use crate::json::{Json, array_at, compact, str_at};

use super::{Envelope, Kind};
use crate::decide::{Decision, Mention};
use crate::format::{console_url, context, severity_colour};
use crate::service::Service;
use crate::settings::{InspectorSeverity, Settings};
use crate::slack::{Card, Field};

/// Actions named in the message; the rest are counted.
const ACTIONS_SHOWN: usize = 10;

/// What a policy lets the principal do, from least to most: the strongest of the finding's
/// actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Access {
    List,
    Read,
    Tagging,
    Write,
    /// An IAM role's trust policy: the principal can become the role.
    AssumeRole,
    /// Changing who has access (policies, ACLs, grants).
    Permissions,
    /// `*` or `service:*`.
    Full,
}

impl Access {
    pub fn as_str(self) -> &'static str {
        match self {
            Access::List => "list",
            Access::Read => "read",
            Access::Tagging => "tagging",
            Access::Write => "write",
            Access::AssumeRole => "assume the role",
            Access::Permissions => "permissions management",
            Access::Full => "full access",
        }
    }

    /// One action's level, by its verb (IAM's own levels, approximated from the name: the
    /// finding does not carry them).
    pub fn of(action: &str) -> Access {
        let verb = action.rsplit(':').next().unwrap_or(action);
        let starts = |prefixes: &[&str]| prefixes.iter().any(|p| verb.starts_with(p));
        if verb.contains('*') {
            // `s3:Get*` reads and `s3:List*` lists; any other wildcard may reach a policy
            // action (`s3:Put*` has PutBucketPolicy), so it counts as everything.
            return if starts(&["List"]) {
                Access::List
            } else if starts(&["Get", "Describe"]) {
                Access::Read
            } else {
                Access::Full
            };
        }
        if verb.starts_with("AssumeRole") {
            return Access::AssumeRole;
        }
        if ["Policy", "Acl", "Permission", "Grant"]
            .iter()
            .any(|w| verb.contains(w))
            && !starts(&["Get", "List", "Describe"])
        {
            return Access::Permissions;
        }
        if starts(&["List"]) {
            Access::List
        } else if starts(&["Get", "Describe", "Head", "Select", "Read", "Query", "Scan"]) {
            Access::Read
        } else if starts(&["Tag", "Untag"]) {
            Access::Tagging
        } else {
            Access::Write
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessFinding<'t> {
    pub id: Cow<'t, str>,
    /// ACTIVE, ARCHIVED or RESOLVED.
    pub status: Cow<'t, str>,
    pub resource_type: Cow<'t, str>,
    pub resource: Option<Cow<'t, str>>,
    /// `AWS: 999988887777`, one entry per principal kind.
    pub principal: Vec<(Cow<'t, str>, Cow<'t, str>)>,
    /// What a SUPPRESS rule's TYPE matches for the principal: its account when the first
    /// principal is an account or an IAM ARN (`arn:aws:iam::999988887777:role/x`), else the
    /// principal as given.
    pub principal_key: Option<Cow<'t, str>>,
    pub actions: Vec<Cow<'t, str>>,
    pub condition: Vec<(Cow<'t, str>, Cow<'t, str>)>,
    pub public: bool,
    pub deleted: bool,
    /// Why the resource could not be analysed (`ACCESS_DENIED`), for an error finding.
    pub error: Option<Cow<'t, str>>,
    /// The resource owner's account.
    pub account: Cow<'t, str>,
    /// The analyzer's account, where the finding and its console link live: the delegated
    /// administrator's for an organization analyzer.
    pub analyzer_account: Cow<'t, str>,
    pub region: Cow<'t, str>,
    pub time: Cow<'t, str>,
}

impl<'t> Kind<'t> for AccessFinding<'t> {
    const EVENTBRIDGE: Option<(&'static str, &'static str)> =
        Some(("aws.access-analyzer", "Access Analyzer Finding"));
    const UNREADABLE: &'static str = "malformed Access Analyzer finding (no id)";

    fn parse(detail: &'t Json<'t>, envelope: &Envelope<'t>) -> Vec<Self> {
        let text = |key: &str| str_at(detail, &[key]).filter(|s| !s.trim().is_empty());
        let Some(id) = text("id") else {
            return Vec::new();
        };
        let pairs = |key: &str| -> Vec<(Cow<'t, str>, Cow<'t, str>)> {
            match detail.get(key) {
                Some(Json::Object(entries)) => entries
                    .iter()
                    .map(|(k, v)| (Cow::Borrowed(&**k), compact(v)))
                    .collect(),
                _ => Vec::new(),
            }
        };
        let actions = array_at(detail, &["action"])
            .iter()
            .filter_map(|a| str_at(a, &[]))
            .collect();
        let principal = pairs("principal");
        let principal_key = principal.first().map(|(_, v)| {
            let account = v
                .strip_prefix("arn:")
                .and_then(|arn| arn.split(':').nth(3))
                .filter(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()));
            account.map_or_else(|| v.clone(), |a| Cow::Owned(a.to_string()))
        });
        vec![AccessFinding {
            status: text("status").unwrap_or(Cow::Borrowed("ACTIVE")),
            resource_type: text("resourceType").unwrap_or(Cow::Borrowed("resource")),
            resource: text("resource"),
            principal,
            principal_key,
            condition: pairs("condition"),
            actions,
            public: detail.get("isPublic").and_then(Json::as_bool) == Some(true),
            deleted: detail.get("isDeleted").and_then(Json::as_bool) == Some(true),
            error: text("error"),
            account: text("accountId").unwrap_or_else(|| envelope.account.clone()),
            analyzer_account: envelope.account.clone(),
            region: text("region").unwrap_or_else(|| envelope.region.clone()),
            time: text("updatedAt").map_or_else(|| envelope.time.clone(), crate::time::normalised),
            id,
        }]
    }

    fn decide(&self, settings: &Settings) -> Decision {
        if self.deleted {
            return Decision::drop("a deleted Access Analyzer finding (its retention ended)");
        }
        match &*self.status {
            "ARCHIVED" => return Decision::drop("archived finding"),
            "RESOLVED" => return Decision::drop("resolved: the external access is gone"),
            _ => {}
        }
        let severity = self.grade();
        if let Some((floor, source)) = settings.severity_override(&self.account)
            && severity < floor.label()
        {
            return Decision::drop(format!(
                "severity {} is below MIN_SEVERITY {floor} of {source}",
                severity.as_str()
            ));
        }
        Decision::Send {
            mention: match severity {
                InspectorSeverity::Critical => Mention::Channel,
                InspectorSeverity::High => Mention::Here,
                _ => Mention::None,
            },
        }
    }

    /// The header says what is reachable by whom; the fields say how.
    fn card(&self) -> Card<'_> {
        let name = short_resource(self.resource.as_deref().unwrap_or_default());
        let kind = resource_kind(&self.resource_type);
        let who = self.who();
        let header = match &self.error {
            Some(e) => format!("Access Analyzer could not analyse {kind} {name} ({e})"),
            None => format!("{kind} {name} is reachable by {who}"),
        };
        let mut fields: Vec<Field> = Vec::with_capacity(8);
        fields.push(("Severity".into(), self.grade().as_str().into()));
        if self.error.is_none() {
            fields.push(("Access level".into(), self.access_words().into()));
            fields.push(("Principal".into(), self.principal_text().into()));
        }
        fields.push(("Resource type".into(), (*self.resource_type).into()));
        if let Some(r) = &self.resource {
            fields.push(("Resource".into(), (**r).into()));
        }
        if !self.actions.is_empty() {
            let mut shown: Vec<&str> = self
                .actions
                .iter()
                .take(ACTIONS_SHOWN)
                .map(|a| &**a)
                .collect();
            let more = self.actions.len().saturating_sub(ACTIONS_SHOWN);
            let more = format!("…and {more} more");
            if self.actions.len() > ACTIONS_SHOWN {
                shown.push(&more);
            }
            fields.push(("Actions".into(), shown.join(", ").into()));
        }
        if !self.condition.is_empty() {
            let text: Vec<String> = self
                .condition
                .iter()
                .map(|(k, v)| format!("{k} = {v}"))
                .collect();
            fields.push(("Only when".into(), text.join("\n").into()));
        }
        if self.analyzer_account != self.account && !self.analyzer_account.is_empty() {
            fields.push(("Finding in account".into(), (*self.analyzer_account).into()));
        }
        let body = match (&self.error, self.public) {
            (Some(_), _) => vec![Cow::Borrowed(
                "The analyzer could not read this resource's policy, so its access is unknown.",
            )],
            (None, true) => vec![Cow::Borrowed(
                "Anyone can reach it, not only other AWS accounts. If nobody meant this, remove \
                 the statement that grants it.",
            )],
            (None, false) => vec![Cow::Borrowed(
                "A principal outside the zone of trust can reach it. Archive the finding if the \
                 access is intended; otherwise remove the statement that grants it.",
            )],
        };
        let url = console_url(
            &self.region,
            &[
                ("access-analyzer/home?region=", &self.region),
                ("#/findings/details/", &self.id),
            ],
        );
        Card {
            colour: severity_colour(self.grade().as_str()),
            summary: format!(
                "Access Analyzer {}: {header} in {}",
                self.grade().as_str(),
                self.region
            ),
            header: header.into(),
            body,
            fields,
            links: vec![("Open in IAM Access Analyzer".into(), url.into())],
            context: Some(context(&self.account, &self.region, &self.time)),
            ..Card::default()
        }
    }

    fn id(&self) -> Option<&str> {
        Some(&self.id)
    }

    fn severity(&self) -> Option<String> {
        Some(self.grade().as_str().to_string())
    }

    fn service(&self) -> Option<Service> {
        Some(Service::AccessAnalyzer)
    }

    fn account(&self) -> Option<&str> {
        Some(&self.account)
    }

    fn region(&self) -> Option<&str> {
        Some(&self.region)
    }

    /// A SUPPRESS rule's TYPE matches the resource type (`AWS::S3::Bucket`) or the principal's
    /// account (`999988887777`, also for a role or user ARN), so a known partner account can be
    /// muted.
    fn types(&self) -> [Option<&str>; 2] {
        [Some(&self.resource_type), self.principal_key.as_deref()]
    }

    fn resource(&self) -> Option<&str> {
        self.resource.as_deref()
    }
}

impl AccessFinding<'_> {
    /// The strongest access the actions grant; `None` for an error finding or no actions.
    pub fn access(&self) -> Option<Access> {
        let strongest = self.actions.iter().map(|a| Access::of(a)).max();
        if self.resource_type == "AWS::IAM::Role" {
            // A trust policy's only action is assuming the role (or tagging the session).
            return Some(strongest.map_or(Access::AssumeRole, |a| a.max(Access::AssumeRole)));
        }
        strongest
    }

    /// awsmon's grade (Access Analyzer has none): by reach, then by what it allows.
    pub fn grade(&self) -> InspectorSeverity {
        if self.error.is_some() {
            return InspectorSeverity::Low;
        }
        if self.public {
            return InspectorSeverity::Critical;
        }
        match self.access() {
            // Reading a secret's value is reading the credential itself.
            Some(Access::Read) if self.resource_type == "AWS::SecretsManager::Secret" => {
                InspectorSeverity::High
            }
            Some(Access::List | Access::Read | Access::Tagging) => InspectorSeverity::Medium,
            _ => InspectorSeverity::High,
        }
    }

    fn access_words(&self) -> String {
        self.access().map_or_else(
            || "unknown (no actions listed)".to_string(),
            |a| a.as_str().to_string(),
        )
    }

    /// "anyone (public)", "account 999988887777", "arn:aws:iam::…:role/x"…
    fn who(&self) -> String {
        if self.public {
            return "anyone (public)".to_string();
        }
        let mut out: Vec<String> = self
            .principal
            .iter()
            .map(|(kind, value)| match &**kind {
                "AWS" if value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()) => {
                    format!("account {value}")
                }
                "AWS" | "CanonicalUser" => value.to_string(),
                "Service" => format!("service {value}"),
                "Federated" => format!("federated {value}"),
                other => format!("{other} {value}"),
            })
            .collect();
        if out.is_empty() {
            out.push("a principal outside the zone of trust".to_string());
        }
        out.join(", ")
    }

    fn principal_text(&self) -> String {
        if self.principal.is_empty() {
            return "—".to_string();
        }
        self.principal
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// `arn:aws:s3:::bucket` → `bucket`; `arn:aws:iam::1:role/path/name` → `path/name`.
fn short_resource(arn: &str) -> &str {
    if !arn.starts_with("arn:") {
        return arn;
    }
    let tail = arn.splitn(6, ':').nth(5).unwrap_or(arn);
    tail.split_once('/').map_or(tail, |(_, rest)| rest)
}

/// `AWS::S3::Bucket` → "S3 bucket", `AWS::KMS::Key` → "KMS key".
fn resource_kind(resource_type: &str) -> String {
    let mut parts = resource_type.split("::").skip(1);
    match (parts.next(), parts.next()) {
        (Some(service), Some(kind)) => format!("{service} {}", words(kind)),
        _ => resource_type.to_string(),
    }
}

/// `DBClusterSnapshot` → "DB cluster snapshot", `LayerVersion` → "layer version".
fn words(camel: &str) -> String {
    let mut out = String::with_capacity(camel.len() + 4);
    let chars: Vec<char> = camel.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
        let prev_lower = i > 0 && chars[i - 1].is_lowercase();
        if i > 0 && c.is_uppercase() && (prev_lower || next_lower) {
            out.push(' ');
        }
        out.push(*c);
    }
    // Acronyms stay as they are; words go lowercase.
    out.split(' ')
        .map(|w| {
            if w.chars().skip(1).any(char::is_uppercase) {
                w.to_string()
            } else {
                w.to_lowercase()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_levels_come_from_the_verbs() {
        assert_eq!(Access::of("s3:GetObject"), Access::Read);
        assert_eq!(Access::of("s3:ListBucket"), Access::List);
        assert_eq!(Access::of("s3:PutObject"), Access::Write);
        assert_eq!(Access::of("s3:PutBucketPolicy"), Access::Permissions);
        assert_eq!(Access::of("s3:GetBucketPolicy"), Access::Read);
        assert_eq!(Access::of("kms:CreateGrant"), Access::Permissions);
        assert_eq!(Access::of("lambda:AddPermission"), Access::Permissions);
        assert_eq!(
            Access::of("sts:AssumeRoleWithWebIdentity"),
            Access::AssumeRole
        );
        assert_eq!(Access::of("s3:*"), Access::Full);
        assert_eq!(Access::of("s3:Get*"), Access::Read);
        assert_eq!(Access::of("s3:List*"), Access::List);
        assert_eq!(
            Access::of("s3:Put*"),
            Access::Full,
            "PutBucketPolicy is in it"
        );
        assert_eq!(Access::of("*"), Access::Full);
        assert_eq!(Access::of("sqs:TagQueue"), Access::Tagging);
        assert_eq!(Access::of("kms:Decrypt"), Access::Write);
    }

    #[test]
    fn resources_read_as_words() {
        assert_eq!(resource_kind("AWS::S3::Bucket"), "S3 bucket");
        assert_eq!(
            resource_kind("AWS::RDS::DBClusterSnapshot"),
            "RDS DB cluster snapshot"
        );
        assert_eq!(
            resource_kind("AWS::Lambda::LayerVersion"),
            "Lambda layer version"
        );
        assert_eq!(resource_kind("odd"), "odd");
        assert_eq!(
            short_resource("arn:aws:s3:::amzn-s3-demo-bucket"),
            "amzn-s3-demo-bucket"
        );
        assert_eq!(
            short_resource("arn:aws:iam::111122223333:role/ops/deploy"),
            "ops/deploy"
        );
        assert_eq!(
            short_resource("arn:aws:kms:us-west-2:111122223333:key/1234"),
            "1234"
        );
    }
}
