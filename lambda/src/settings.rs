//! What the notifier needs to decide and route: the schema of the routing parameter that the
//! TUI writes (an SSM SecureString) and the Lambda reads. config.yml maps onto it one to one.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::secret::WebhookUrl;
use crate::service::Service;

/// Bumped when the routing parameter's JSON changes incompatibly.
/// 2: ROUTING_OVERRIDES. A notifier refuses a newer version rather than ignore what it adds.
pub const SETTINGS_VERSION: u32 = 2;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub version: u32,
    pub home_region: String,
    pub routes: Routes,
    pub guardduty: GuardDutySettings,
    pub config: ConfigSettings,
    pub trusted_advisor: TrustedAdvisorSettings,
    pub inspector: InspectorSettings,
    /// Left out of older routings: a notifier reading one keeps Security Hub's MEDIUM floor.
    pub securityhub: SecurityHubSettings,
    /// ALLOW_PRIVATE_WEBHOOKS: webhooks on private, link-local or metadata addresses.
    pub allow_private_webhooks: bool,
    /// Org mode: account names by id, written with the routing from Organizations, so each
    /// message names the account it is about. Left out of the JSON when empty.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub accounts: BTreeMap<String, String>,
    /// Org mode: how many more parameters hold account names that did not fit in this one
    /// (SSM's 8 KB), each a JSON map of id → name, named by [`account_names_parameter`]. The
    /// notifier merges them into `accounts` when it reads the routing. Left out when 0.
    #[serde(skip_serializing_if = "is_zero")]
    pub account_pages: u32,
    /// ROUTING_OVERRIDES: other webhooks or another severity floor for some accounts or OUs,
    /// by account id or OU id. Left out of the JSON when empty.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub overrides: BTreeMap<String, RouteOverride>,
    /// SUPPRESS: findings known and accepted, each rule until its expiry date. Left out of the
    /// JSON when empty. A notifier that predates it ignores it, which means more messages,
    /// never fewer, so the routing version stays.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suppress: Vec<Suppression>,
    /// DEDUPE_HOURS: a finding sent is not sent again within this many hours unless its
    /// severity band rose; 0 turns de-duplication off. A notifier that predates it ignores it
    /// (more messages, never fewer), so the routing version stays.
    pub dedupe_hours: u32,
}

/// One SUPPRESS rule: every field given must match (globs with `*` and `?`; RESOURCE against
/// the resource as the message shows it, whole or any one word of it); a finding below
/// `min_severity`, where it is set, or at any severity where it is not, is dropped with the
/// rule's reason, until `expires` (a UTC date, `YYYY-MM-DD`, the last day it applies).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Suppression {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<Service>,
    /// The finding's type (GuardDuty's `type`, Inspector's type or vulnerability id, Security
    /// Hub's title, Config's resource type, Trusted Advisor's check name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finding_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_severity: Option<MinSeverity>,
    pub reason: String,
    pub expires: String,
}

/// What a rule is matched against.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    pub service: Option<Service>,
    pub types: [Option<&'a str>; 2],
    pub resource: Option<&'a str>,
    pub account: &'a str,
    pub severity: Option<InspectorSeverity>,
}

impl Suppression {
    /// What the rule matches, as 12 hex digits: the key its matches are counted under in the
    /// notifier's state, stable when rules are reordered or their reason or expiry edited.
    pub fn fingerprint(&self) -> String {
        use sha2::Digest as _;
        let canonical = serde_json::json!([
            self.service.map(Service::as_str),
            self.finding_type,
            self.resource,
            self.account,
            self.min_severity.map(MinSeverity::as_str),
        ]);
        let digest = sha2::Sha256::digest(canonical.to_string().as_bytes());
        digest[..6].iter().fold(String::new(), |mut out, b| {
            use std::fmt::Write as _;
            let _ = write!(out, "{b:02x}");
            out
        })
    }

    /// Whether the rule still applies on `today` (`YYYY-MM-DD`, UTC).
    pub fn is_active(&self, today: &str) -> bool {
        self.expires.as_str() >= today
    }

    pub fn matches(&self, s: &Subject<'_>) -> bool {
        // The resource as the message shows it ("Instance i-0abc…", "S3 bucket logs"): the
        // glob matches the whole of it or any one word of it.
        let field = |rule: &Option<String>, value: Option<&str>| {
            rule.as_deref().is_none_or(|g| {
                value.is_some_and(|v| {
                    glob(g, v)
                        || v.split(|c: char| c.is_whitespace() || c == ',')
                            .any(|w| !w.is_empty() && glob(g, w))
                })
            })
        };
        self.service.is_none_or(|svc| s.service == Some(svc))
            && self
                .finding_type
                .as_deref()
                .is_none_or(|g| s.types.iter().flatten().any(|t| glob(g, t)))
            && field(&self.resource, s.resource)
            && self.account.as_deref().is_none_or(|a| a == s.account)
            && self.min_severity.is_none_or(|floor| {
                // Below the rule's floor is muted; a finding without a severity is too.
                s.severity.is_none_or(|sev| sev < floor.label())
            })
    }
}

/// `*` (any run) and `?` (one character) against the whole of `text`, case-sensitive.
pub fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti) = (0, 0);
    // Where the last `*` was, and the text position it has eaten up to.
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == '?' || c == t[ti] => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// A glob as SUPPRESS takes it: not empty, at most 256 characters, no control characters.
pub fn check_glob(pattern: &str) -> Result<(), String> {
    if pattern.is_empty() || pattern.len() > 256 || pattern.chars().any(char::is_control) {
        return Err(format!(
            "expected a pattern of 1 to 256 characters (* any run, ? one character), found {pattern:?}"
        ));
    }
    Ok(())
}

/// One entry of ROUTING_OVERRIDES: what changes for the accounts it covers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RouteOverride {
    /// Replace every route's webhooks for these accounts; empty keeps the usual routes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub webhooks: Vec<WebhookUrl>,
    /// Replaces GUARDDUTY_MIN_SEVERITY, INSPECTOR_MIN_SEVERITY and Security Hub's MEDIUM
    /// floor for these accounts (lower or higher).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_severity: Option<MinSeverity>,
    /// For an OU: the accounts below it whose nearest override this is, resolved from
    /// Organizations when the routing is written (the notifier cannot read the OU tree).
    /// Not in config.yml.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<String>,
    /// Every webhook it had was dropped as private: its messages must fail loudly rather than
    /// fall back to the usual routes. Set when the notifier loads the routing.
    #[serde(skip)]
    pub webhooks_dropped: bool,
}

impl RouteOverride {
    /// Nothing to change: such an entry is dropped on save.
    pub fn is_empty(&self) -> bool {
        self.webhooks.is_empty() && self.min_severity.is_none()
    }
}

/// A severity floor that means the same for every service that grades its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum MinSeverity {
    Low,
    Medium,
    High,
    Critical,
}

impl MinSeverity {
    pub const ALL: [MinSeverity; 4] = [
        MinSeverity::Low,
        MinSeverity::Medium,
        MinSeverity::High,
        MinSeverity::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MinSeverity::Low => "LOW",
            MinSeverity::Medium => "MEDIUM",
            MinSeverity::High => "HIGH",
            MinSeverity::Critical => "CRITICAL",
        }
    }

    /// The lowest GuardDuty score in the band (GuardDuty's bands: Low from 1.0, Medium from
    /// 4.0, High from 7.0, Critical from 9.0).
    pub fn guardduty_score(self) -> f64 {
        match self {
            MinSeverity::Low => 1.0,
            MinSeverity::Medium => 4.0,
            MinSeverity::High => 7.0,
            MinSeverity::Critical => 9.0,
        }
    }

    /// The same floor on Inspector's (and Security Hub's) labels.
    pub fn label(self) -> InspectorSeverity {
        match self {
            MinSeverity::Low => InspectorSeverity::Low,
            MinSeverity::Medium => InspectorSeverity::Medium,
            MinSeverity::High => InspectorSeverity::High,
            MinSeverity::Critical => InspectorSeverity::Critical,
        }
    }
}

impl fmt::Display for MinSeverity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for MinSeverity {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        MinSeverity::ALL
            .into_iter()
            .find(|sev| sev.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("expected LOW, MEDIUM, HIGH or CRITICAL, found {s:?}"))
    }
}

/// The override that applies to an account, and the key it is written under (an entry's, or
/// `<webhooks' entry>+<floor's entry>` where the two fields come from different entries).
pub struct Applied<'s> {
    pub target: &'s str,
    pub over: &'s RouteOverride,
}

impl Settings {
    /// The override for `account`: the entry the routing was resolved to for it (org mode),
    /// else its own entry, else the root's (which covers accounts that joined after the
    /// routing was last written).
    pub fn override_for(&self, account: &str) -> Option<Applied<'_>> {
        if self.overrides.is_empty() || account.is_empty() {
            return None;
        }
        let listed = || {
            self.overrides
                .iter()
                .find(|(_, o)| o.accounts.iter().any(|a| a == account))
        };
        let root = || self.overrides.iter().find(|(k, _)| k.starts_with("r-"));
        listed()
            .or_else(|| self.overrides.get_key_value(account))
            .or_else(root)
            .map(|(target, over)| Applied { target, over })
    }

    /// The webhooks for `service` (`None`: the default route) under `applied`, the override
    /// that covers the account. Empty when the override's webhooks were all private, so the
    /// invocation fails loudly instead of posting to the service's channel.
    pub fn webhooks_for<'a>(
        &'a self,
        applied: Option<&Applied<'a>>,
        service: Option<Service>,
    ) -> &'a [WebhookUrl] {
        match (applied, service) {
            (Some(a), _) if a.over.webhooks_dropped => &[],
            (Some(a), _) if !a.over.webhooks.is_empty() => &a.over.webhooks,
            (_, Some(s)) => self.routes.for_service(s),
            (_, None) => &self.routes.default,
        }
    }

    /// The floor for graded findings in `account`, when an override sets one, with the entry
    /// that sets it.
    pub fn severity_override(&self, account: &str) -> Option<(MinSeverity, String)> {
        let applied = self.override_for(account)?;
        let floor = applied.over.min_severity?;
        let from = applied.target.rsplit('+').next().unwrap_or(applied.target);
        Some((floor, format!("ROUTING_OVERRIDES {from}")))
    }

    /// Drops webhooks on private, link-local or metadata addresses unless allowed, and says
    /// which (masked). A route left empty then fails loudly instead of posting inside the VPC.
    pub fn without_private_webhooks(mut self) -> (Settings, Vec<String>) {
        if self.allow_private_webhooks {
            return (self, Vec::new());
        }
        let mut dropped = Vec::new();
        let mut keep = |list: &mut Vec<WebhookUrl>| {
            list.retain(|u| {
                let private = u.is_private();
                if private {
                    dropped.push(u.masked());
                }
                !private
            });
        };
        keep(&mut self.routes.default);
        for list in self.routes.per_service.values_mut() {
            keep(list);
        }
        for over in self.overrides.values_mut() {
            let had = !over.webhooks.is_empty();
            keep(&mut over.webhooks);
            over.webhooks_dropped = had && over.webhooks.is_empty();
        }
        (self, dropped)
    }
}

// serde's skip_serializing_if passes a reference.
#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// The most account-names pages written or read: about 2,400 to 4,000 accounts, by name
/// length, read in 4 GetParameters calls at a cold start.
pub const MAX_ACCOUNT_PAGES: u32 = 40;

/// The parameter holding page `page` (from 1) of the account names beside the routing
/// parameter `routing`.
pub fn account_names_parameter(routing: &str, page: u32) -> String {
    format!("{routing}-accounts-{page}")
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            version: SETTINGS_VERSION,
            home_region: DEFAULT_HOME_REGION.to_string(),
            routes: Routes::default(),
            guardduty: GuardDutySettings::default(),
            config: ConfigSettings::default(),
            trusted_advisor: TrustedAdvisorSettings::default(),
            inspector: InspectorSettings::default(),
            securityhub: SecurityHubSettings::default(),
            allow_private_webhooks: false,
            accounts: BTreeMap::new(),
            account_pages: 0,
            overrides: BTreeMap::new(),
            suppress: Vec::new(),
            dedupe_hours: crate::dedupe::DEFAULT_HOURS,
        }
    }
}

pub const DEFAULT_HOME_REGION: &str = "us-east-1";

/// Webhooks: a default list plus optional per-service lists. An empty per-service list means
/// "use the default", as the old project's `WEBHOOK_URLS_*` keys did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Routes {
    pub default: Vec<WebhookUrl>,
    pub per_service: BTreeMap<Service, Vec<WebhookUrl>>,
}

impl Routes {
    pub fn for_service(&self, service: Service) -> &[WebhookUrl] {
        match self.per_service.get(&service) {
            Some(urls) if !urls.is_empty() => urls,
            _ => &self.default,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GuardDutySettings {
    pub min_severity: f64,
    pub mention_here_severity: f64,
    pub mention_channel_severity: f64,
    /// Findings about global services are sent only from this region. `None`: the home region.
    pub global_findings_region: Option<String>,
}

impl Default for GuardDutySettings {
    fn default() -> Self {
        GuardDutySettings {
            min_severity: 0.0,
            mention_here_severity: 4.0,
            mention_channel_severity: 7.0,
            global_findings_region: None,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConfigSettings {
    /// Include list of resource types (`AWS::IAM::Role`); empty means all.
    pub resource_types: Vec<String>,
    pub exclude_resource_types: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrustedAdvisorSettings {
    pub statuses: Vec<String>,
    /// Check names or check ids.
    pub ignore_checks: Vec<String>,
}

impl Default for TrustedAdvisorSettings {
    fn default() -> Self {
        TrustedAdvisorSettings {
            statuses: vec!["ERROR".to_string()],
            ignore_checks: Vec::new(),
        }
    }
}

/// Trusted Advisor statuses as they appear in events and in TRUSTEDADVISOR_STATUSES.
pub const TRUSTED_ADVISOR_STATUSES: [&str; 3] = ["ERROR", "WARN", "OK"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InspectorSettings {
    pub min_severity: InspectorSeverity,
    pub resource_types: Vec<String>,
}

impl Default for InspectorSettings {
    fn default() -> Self {
        InspectorSettings {
            min_severity: InspectorSeverity::Medium,
            resource_types: vec!["EC2".to_string(), "ECR".to_string(), "LAMBDA".to_string()],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SecurityHubSettings {
    pub min_severity: InspectorSeverity,
    /// The standards enabled on a hub awsmon creates, by the names in [`SECURITYHUB_STANDARDS`].
    pub standards: Vec<String>,
}

impl Default for SecurityHubSettings {
    fn default() -> Self {
        SecurityHubSettings {
            min_severity: InspectorSeverity::Medium,
            standards: vec![SECURITYHUB_STANDARDS[0].name.to_string()],
        }
    }
}

/// A Security Hub standard awsmon can enable: its name in SECURITYHUB_STANDARDS and its ARN
/// after `arn:<partition>:securityhub:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standard {
    pub name: &'static str,
    /// What fits a status line.
    pub label: &'static str,
    /// `{region}` stands for the region.
    pub arn_tail: &'static str,
}

/// The standards SECURITYHUB_STANDARDS may name, the default first. The one table the
/// config key, the probe and the plan read.
pub const SECURITYHUB_STANDARDS: [Standard; 5] = [
    Standard {
        name: "aws-foundational-security-best-practices",
        label: "FSBP",
        arn_tail: "{region}::standards/aws-foundational-security-best-practices/v/1.0.0",
    },
    Standard {
        name: "cis-aws-foundations-benchmark-v3.0.0",
        label: "CIS 3.0",
        arn_tail: "{region}::standards/cis-aws-foundations-benchmark/v/3.0.0",
    },
    Standard {
        name: "nist-800-53-v5.0.0",
        label: "NIST 800-53",
        arn_tail: "{region}::standards/nist-800-53/v/5.0.0",
    },
    Standard {
        name: "pci-dss-v4.0.1",
        label: "PCI DSS 4.0",
        arn_tail: "{region}::standards/pci-dss/v/4.0.1",
    },
    Standard {
        name: "aws-resource-tagging-standard",
        label: "Tagging",
        arn_tail: "{region}::standards/aws-resource-tagging-standard/v/1.0.0",
    },
];

/// Resource types that inspector2 `Enable` accepts.
pub const INSPECTOR_RESOURCE_TYPES: [&str; 5] =
    ["EC2", "ECR", "LAMBDA", "LAMBDA_CODE", "CODE_REPOSITORY"];

/// Inspector v2 severities, lowest first. UNTRIAGED (no score yet) sorts just above
/// INFORMATIONAL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum InspectorSeverity {
    Informational,
    Untriaged,
    Low,
    Medium,
    High,
    Critical,
}

impl InspectorSeverity {
    pub const ALL: [InspectorSeverity; 6] = [
        InspectorSeverity::Informational,
        InspectorSeverity::Untriaged,
        InspectorSeverity::Low,
        InspectorSeverity::Medium,
        InspectorSeverity::High,
        InspectorSeverity::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InspectorSeverity::Informational => "INFORMATIONAL",
            InspectorSeverity::Untriaged => "UNTRIAGED",
            InspectorSeverity::Low => "LOW",
            InspectorSeverity::Medium => "MEDIUM",
            InspectorSeverity::High => "HIGH",
            InspectorSeverity::Critical => "CRITICAL",
        }
    }
}

impl fmt::Display for InspectorSeverity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for InspectorSeverity {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        InspectorSeverity::ALL
            .into_iter()
            .find(|sev| sev.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                format!("unknown Inspector severity {s:?}; expected INFORMATIONAL, UNTRIAGED, LOW, MEDIUM, HIGH or CRITICAL")
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SUPPRESS globs: `*` any run, `?` one character, the whole text.
    #[test]
    fn globs_match_the_whole_text() {
        assert!(glob("Recon:EC2/*", "Recon:EC2/PortProbeUnprotectedPort"));
        assert!(!glob("Recon:EC2/*", "xRecon:EC2/Port"));
        assert!(glob("i-0?b*", "i-0ab123"));
        assert!(glob("*", ""));
        assert!(!glob("a", ""));
        assert!(glob("a*b*c", "aXXbYYc"));
        assert!(!glob("a*b*c", "aXXbYY"));
        assert!(glob("*.example.com", "logs.example.com"));
        assert!(check_glob("").is_err());
        assert!(check_glob("CVE-2024-*").is_ok());
    }

    fn url(s: &str) -> WebhookUrl {
        WebhookUrl::new_unchecked(s)
    }

    #[test]
    fn empty_service_routes_fall_back_to_default() {
        let mut routes = Routes {
            default: vec![url("https://a.example/1")],
            per_service: BTreeMap::new(),
        };
        routes.per_service.insert(Service::Config, vec![]);
        routes.per_service.insert(
            Service::GuardDuty,
            vec![url("https://b.example/2"), url("https://c.example/3")],
        );
        assert_eq!(
            routes.for_service(Service::Config),
            &[url("https://a.example/1")]
        );
        assert_eq!(
            routes.for_service(Service::Budget),
            &[url("https://a.example/1")]
        );
        assert_eq!(routes.for_service(Service::GuardDuty).len(), 2);
    }

    #[test]
    fn settings_json_round_trips_and_tolerates_missing_fields() {
        let parsed: Settings =
            serde_json::from_str(r#"{"home_region":"eu-west-1"}"#).expect("lenient");
        assert_eq!(parsed.home_region, "eu-west-1");
        assert_eq!(parsed.inspector.min_severity, InspectorSeverity::Medium);
        let json = serde_json::to_string(&parsed).expect("serialise");
        assert_eq!(
            serde_json::from_str::<Settings>(&json).expect("parse"),
            parsed
        );
    }
}
