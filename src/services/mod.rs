//! The service registry: what the scan, the findings fetch, the planner and the console
//! iterate over. The data about a service (name, config suffix, label, placement, event
//! pattern) is the notifier's table ([`Service::info`]); what the console does with a service
//! lives in its folder here, behind [`ServiceOps`]:
//!
//! | folder | probe (scan, verify) | recent (findings) | on/off steps (planner) |
//! |---|---|---|---|
//! | `guardduty/` | detector status | ListFindings + GetFindings | detector created or adopted |
//! | `config/` | recorder + channel | SelectResourceConfig | recorder/channel created or adopted |
//! | `inspector/` | BatchGetAccountStatus | ListFindings | Enable, then the spoke |
//! | `securityhub/` | DescribeHub + standards | GetFindings | hub/standards, then the spoke |
//! | `accessanalyzer/` | ListAnalyzers | ListFindings | analyzer created or adopted, then the spoke |
//! | `health/` | always on (no call) | DescribeEvents (+ details, entities) | the forwarding spoke |
//! | `trustedadvisor/` | support plan | check results | the rule in us-east-1 |
//! | `budget/` | DescribeBudget | spend vs. alerts | the budget stack |
//!
//! Adding a service (say Macie) touches:
//! 1. `lambda/src/service.rs`: its name in `services!` and its row in `Service::info`
//!    (the compiler asks for the row);
//! 2. `src/services/macie/` (new): `mod.rs` with its `ServiceOps`, `probe.rs`, `recent.rs`;
//! 3. `src/services/mod.rs`: its arm in [`ops`] (the compiler asks for it);
//! 4. `assets/templates/macie.yaml` (new) and its line in `src/deploy/templates.rs` (the
//!    compiler asks once the service names `templates::MACIE`; the templates test checks the
//!    folder against the list);
//! 5. `src/aws/clients.rs` and `Cargo.toml`: its SDK client (the compiler asks);
//! 6. the notifier's event handling in `lambda/src/event/` (its parser and card).
//!
//! The matrix's columns, the hub's monitored-events rule, the scan, the findings fetch, the
//! planner, config keys `WEBHOOK_URLS_<SUFFIX>`, routes and the CLI help follow the table.

pub mod accessanalyzer;
pub mod budget;
pub mod config;
pub mod guardduty;
pub mod health;
pub mod inspector;
pub mod securityhub;
pub mod trustedadvisor;

use std::collections::HashMap;
use std::sync::LazyLock;

pub use awsmon_notifier::Service;
pub use awsmon_notifier::service::{Delivery, Placement, ServiceInfo};
use futures::future::BoxFuture;
use serde_json::Value;

use crate::aws::{Aws, AwsError};
use crate::config::Config;
use crate::deploy::facts::Facts;
use crate::deploy::plan::{Plan, Step};
use crate::inventory::ServiceStatus;

/// What a service's AWS calls need.
#[derive(Clone, Copy)]
pub struct Cx<'a> {
    pub aws: &'a Aws,
    pub cfg: &'a Config,
    /// The caller's account id.
    pub account: &'a str,
}

/// What the planner knows when it asks a service for its steps.
#[derive(Clone, Copy)]
pub struct Planning<'a> {
    pub cfg: &'a Config,
    pub facts: &'a Facts,
    /// The regions asked for (regional services deploy in each).
    pub regions: &'a [String],
    /// Deploying everything: a service that cannot be set up is skipped with a note, not a
    /// blocker.
    pub optional: bool,
}

/// The accounts an org probe answers for, known once the Organization has been read. A probe
/// starts its own calls first and waits for the list only where it needs it, so reading a large
/// Organization does not hold up every region.
pub type AccountList = futures::future::Shared<BoxFuture<'static, std::sync::Arc<Vec<String>>>>;

/// A delegated administrator's access, for a service's organization API.
#[derive(Clone, Copy)]
pub struct OrgCx<'a> {
    pub admin: &'a Aws,
    pub admin_account: &'a str,
    pub cfg: &'a Config,
    /// What a probe reads once for every region of one scan.
    pub memo: &'a ScanMemo,
}

/// Values read once per organization scan and shared by its region tasks: Config's aggregator
/// answers for every region in one listing. Keyed by type, so a value is always read back as
/// the type that stored it.
#[derive(Default)]
pub struct ScanMemo {
    values: std::sync::Mutex<HashMap<std::any::TypeId, MemoSlot>>,
}

type MemoSlot =
    std::sync::Arc<tokio::sync::OnceCell<std::sync::Arc<dyn std::any::Any + Send + Sync>>>;

impl ScanMemo {
    /// The value of type `T`, made by `init` by the first caller; later callers wait for it.
    pub async fn once<T, F>(&self, init: F) -> std::sync::Arc<T>
    where
        T: std::any::Any + Send + Sync,
        F: std::future::Future<Output = T>,
    {
        let slot = self
            .values
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry(std::any::TypeId::of::<T>())
            .or_default()
            .clone();
        let value = slot
            .get_or_init(|| async {
                std::sync::Arc::new(init.await) as std::sync::Arc<dyn std::any::Any + Send + Sync>
            })
            .await
            .clone();
        // Stored under T's own TypeId, so this cannot fail.
        value
            .downcast::<T>()
            .unwrap_or_else(|_| unreachable!("a memo slot holds the type it is keyed by"))
    }
}

/// What a service's organization API says in one region about many accounts at once.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrgAnswer {
    /// One status per account asked about.
    pub accounts: HashMap<String, ServiceStatus>,
    /// The organization's auto-enable setting in the region, as the API words it (`ALL`,
    /// `NEW`, `NONE`, or the resource types), where it has one.
    pub auto_enable: Option<String>,
}

/// A region's facts about one service, applied to the plan's [`Facts`] once every region has
/// answered.
pub type FactsPatch = Box<dyn FnOnce(&mut Facts) + Send>;

/// How awsmon's spoke for a service is removed in one region.
pub struct Off {
    pub reason: String,
    /// Deletes service data awsmon created; run only with --delete-service-data.
    pub data_step: Option<Step>,
}

/// Everything specific to one service on the console side.
pub trait ServiceOps: Sync {
    /// The API action named when the probe runs out of time.
    fn probe_action(&self) -> &'static str;

    /// The service's own status in `region` (for account-wide services: where it is placed).
    fn probe<'a>(
        &'a self,
        cx: Cx<'a>,
        region: &'a str,
    ) -> BoxFuture<'a, Result<ServiceStatus, AwsError>>;

    /// The service's status in `region` for each of `accounts`, through its delegated
    /// administrator's organization API: calls that grow with regions, not accounts × regions.
    /// `Ok(None)`: no such API (or none set up); org mode probes each account through
    /// ORG_ACCESS_ROLE instead.
    fn org_probe<'a>(
        &'a self,
        cx: OrgCx<'a>,
        region: &'a str,
        accounts: AccountList,
    ) -> BoxFuture<'a, Result<Option<OrgAnswer>, AwsError>> {
        let _ = (cx, region, accounts);
        Box::pin(async { Ok(None) })
    }

    /// Org mode: the service's delegated-administrator API (register an administrator,
    /// auto-enable for the organization), where it has one.
    fn org_admin(&self) -> Option<&dyn OrgAdmin> {
        None
    }

    /// Whether the probe says anything after a deploy (Trusted Advisor's results depend on
    /// the support plan, not on what awsmon deployed).
    fn verify_after_deploy(&self) -> bool {
        true
    }

    /// Recent findings in `region`, as the events the notifier would receive.
    fn recent<'a>(
        &'a self,
        cx: Cx<'a>,
        region: &'a str,
        since_ms: i64,
    ) -> BoxFuture<'a, Result<Vec<Value>, AwsError>>;

    /// What the planner needs to know in `region`; `spoke` names awsmon's stack there when it
    /// exists.
    fn region_facts<'a>(
        &'a self,
        cx: Cx<'a>,
        region: &'a str,
        spoke: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Option<FactsPatch>, AwsError>> {
        let _ = (cx, region, spoke);
        Box::pin(async { Ok(None) })
    }

    /// The steps that turn the service on.
    fn on_steps(&self, at: Planning<'_>, p: &mut Plan);

    /// Removing awsmon's spoke from `region`, where it exists.
    fn off_steps(&self, cfg: &Config, facts: &Facts, region: &str) -> Off;
}

/// A service's organization-wide switch, the AWS way: the management account registers a
/// delegated administrator per region, which then auto-enables the service for the
/// organization.
pub trait OrgAdmin: Sync {
    /// The delegated administrator listed in `region` and its status (`ENABLED`, or one
    /// being removed), as the management account reads it (other accounts are refused).
    fn registered<'a>(
        &'a self,
        management: &'a Aws,
        region: &'a str,
    ) -> BoxFuture<'a, Result<Option<(String, String)>, AwsError>>;

    /// Whether the service is on in the administrator's own account in `region`, which its
    /// organization configuration needs (GuardDuty's detector); `true` where nothing is.
    fn admin_ready<'a>(
        &'a self,
        admin: &'a Aws,
        region: &'a str,
    ) -> BoxFuture<'a, Result<bool, AwsError>> {
        let _ = (admin, region);
        Box::pin(async { Ok(true) })
    }

    /// Registers `account` as the delegated administrator in `region` (from the management
    /// account).
    fn register<'a>(
        &'a self,
        management: &'a Aws,
        region: &'a str,
        account: &'a str,
    ) -> BoxFuture<'a, Result<(), AwsError>>;

    /// From the administrator: the organization's auto-enable set to `mode` (never narrower
    /// than `current`, the setting as the org probe words it), and with
    /// [`AutoEnableMode::All`] the service enabled for `uncovered` existing members where the
    /// setting alone does not do it.
    fn auto_enable<'a>(
        &'a self,
        admin: &'a Aws,
        cfg: &'a Config,
        region: &'a str,
        change: AutoEnableChange<'a>,
    ) -> BoxFuture<'a, Result<String, AwsError>>;

    /// The plan line for its auto-enable step, where the generic one ("auto-enable … for NEW
    /// accounts") would not say what happens (an organization analyzer covers every account).
    fn step_words(&self, region: &str, admin: &str, accounts: usize) -> Option<String> {
        let _ = (region, admin, accounts);
        None
    }

    /// Whether the ALL setting itself turns the existing members on (GuardDuty), so setting
    /// it again cannot reach an account it left off; otherwise awsmon enables them.
    fn all_covers_existing(&self) -> bool;

    /// Whether the auto-enable setting `current` (as the org probe words it) already is
    /// what `mode` asks for.
    fn auto_enable_matches(
        &self,
        current: &str,
        mode: crate::config::AutoEnableMode,
        cfg: &Config,
    ) -> bool;
}

/// What an auto-enable step asks of the administrator.
#[derive(Debug, Clone, Copy)]
pub struct AutoEnableChange<'a> {
    pub mode: crate::config::AutoEnableMode,
    pub current: Option<&'a str>,
    pub uncovered: &'a [String],
}

/// The registry: each service's operations. The one match to extend for a new service.
pub fn ops(service: Service) -> &'static dyn ServiceOps {
    match service {
        Service::GuardDuty => &guardduty::GuardDuty,
        Service::Config => &config::ConfigService,
        Service::Inspector => &inspector::Inspector,
        Service::SecurityHub => &securityhub::SecurityHub,
        Service::AccessAnalyzer => &accessanalyzer::AccessAnalyzer,
        Service::Health => &health::Health,
        Service::TrustedAdvisor => &trustedadvisor::TrustedAdvisor,
        Service::Budget => &budget::Budget,
    }
}

/// Whether something made at `made` can be awsmon's, made before its spoke last changed at
/// `changed` (both RFC 3339; an unknown time never matches).
pub fn made_before(made: &str, changed: &str) -> bool {
    // Normalised to whole UTC seconds, which sort as text.
    use awsmon_notifier::time::normalise;
    match (normalise(made), normalise(changed)) {
        (Some(m), Some(c)) => m <= c,
        _ => false,
    }
}

/// The services with a cell in every region, in table order.
pub static REGIONAL: LazyLock<Vec<Service>> = LazyLock::new(|| {
    Service::ALL
        .into_iter()
        .filter(|s| !s.is_global())
        .collect()
});

/// The account-wide services (one cell each, region "global"), in table order.
pub static GLOBALS: LazyLock<Vec<Service>> =
    LazyLock::new(|| Service::ALL.into_iter().filter(|s| s.is_global()).collect());

/// Where an account-wide service is deployed and probed; `None` for regional services.
pub fn fixed_region(service: Service, cfg: &Config) -> Option<String> {
    match service.placement() {
        Placement::Regional => None,
        Placement::HomeRegion => Some(cfg.home_region().to_string()),
        Placement::Fixed(region) => Some(region.to_string()),
    }
}

/// The regions where `service` is deployed when `regions` are asked for.
pub fn places(service: Service, cfg: &Config, regions: &[String]) -> Vec<String> {
    fixed_region(service, cfg).map_or_else(|| regions.to_vec(), |r| vec![r])
}

/// The hub's monitored-events rule: the sources and detail-types of the regional services
/// whose events come over EventBridge.
pub fn hub_event_pattern() -> (Vec<&'static str>, Vec<&'static str>) {
    let mut sources = Vec::new();
    let mut detail_types = Vec::new();
    for service in Service::hub_rule_services() {
        if let Delivery::Bus {
            source,
            detail_types: types,
        } = service.info().delivery
        {
            sources.push(source);
            detail_types.extend_from_slice(types);
        }
    }
    (sources, detail_types)
}

/// "GuardDuty, AWS Config and Inspector": the help text and descriptions list services so.
pub fn names(services: &[Service]) -> String {
    let names: Vec<&str> = services.iter().map(|s| s.display_name()).collect();
    match names.split_last() {
        None => String::new(),
        Some((last, [])) => (*last).to_string(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_service_is_placed_once() {
        let cfg = Config::default();
        let regions = vec!["eu-west-1".to_string(), "eu-central-1".to_string()];
        assert_eq!(REGIONAL.len() + GLOBALS.len(), Service::ALL.len());
        for service in Service::ALL {
            let at = places(service, &cfg, &regions);
            if service.is_global() {
                assert_eq!(at.len(), 1, "{service} is account-wide");
                assert_eq!(fixed_region(service, &cfg), Some(at[0].clone()));
            } else {
                assert_eq!(at, regions, "{service} goes to every region asked for");
            }
        }
        assert_eq!(
            places(Service::TrustedAdvisor, &cfg, &regions),
            vec![crate::regions::TRUSTED_ADVISOR_REGION.to_string()]
        );
        assert_eq!(
            places(Service::Budget, &cfg, &regions),
            vec![cfg.home_region().to_string()]
        );
    }

    #[test]
    fn lists_read_like_the_help_text() {
        assert_eq!(
            names(&REGIONAL),
            "GuardDuty, AWS Config, Inspector, Security Hub, IAM Access Analyzer and AWS Health"
        );
        assert_eq!(names(&[Service::Budget]), "Budget");
    }

    #[test]
    fn only_trusted_advisor_skips_the_check_after_a_deploy() {
        for service in Service::ALL {
            assert_eq!(
                ops(service).verify_after_deploy(),
                service != Service::TrustedAdvisor,
                "{service}"
            );
        }
    }
}
