//! Turning a service on for the whole Organization, the AWS way: the management account
//! registers DELEGATED_ADMIN_ACCOUNT as the service's delegated administrator in each region,
//! and the administrator sets the organization's auto-enable (ORG_AUTO_ENABLE: NEW, or ALL to
//! cover the existing members too). The facts are read first (who is registered, what the
//! setting is, which in-scope accounts are on); the plan lines say what changes and what is
//! already covered. No loop of per-account deploys.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use awsmon_notifier::Service;
use futures::FutureExt as _;

use super::AccountStatus;
use crate::aws::{Aws, AwsError};
use crate::config::Config;
use crate::deploy::plan::{Plan, Step};
use crate::inventory::State;
use crate::services::{self, OrgCx};

/// What the plan for org-wide enablement needs, read once per deploy.
#[derive(Debug, Clone, Default)]
pub struct OrgEnableFacts {
    /// The account that is (or will be) the services' delegated administrator.
    pub admin: String,
    /// The role assumed in it to act as it; `None` where awsmon runs as it.
    pub admin_role: Option<String>,
    /// The Organization's management account.
    pub management: String,
    /// Account names by id (every account of the Organization).
    pub names: BTreeMap<String, String>,
    pub by_region: HashMap<(String, Service), RegionFacts>,
    /// Why the Organization could not be read, if it could not.
    pub error: Option<String>,
}

/// One service in one region.
#[derive(Debug, Clone)]
pub struct RegionFacts {
    /// The listed delegated administrator and its status, as the management account reads
    /// it; `Err` where it could not be read.
    pub registered: Result<Option<(String, String)>, String>,
    /// The administrator's organization API answered (it already is the administrator).
    pub answered: bool,
    /// Why the administrator's organization API could not be read, where it failed (not
    /// merely "not the administrator yet").
    pub probe_error: Option<String>,
    /// The service is on in the administrator's own account, as its organization
    /// configuration needs.
    pub admin_ready: Result<bool, String>,
    /// The organization's auto-enable setting, as the service words it.
    pub auto_enable: Option<String>,
    /// The Organization's active accounts: on, off, and unreadable (never enabled blindly).
    pub covered: Vec<String>,
    pub uncovered: Vec<String>,
    pub unreadable: Vec<String>,
}

impl Default for RegionFacts {
    fn default() -> Self {
        RegionFacts {
            registered: Ok(None),
            answered: false,
            probe_error: None,
            admin_ready: Ok(true),
            auto_enable: None,
            covered: Vec::new(),
            uncovered: Vec::new(),
            unreadable: Vec::new(),
        }
    }
}

/// The services of `services` that have an organization switch.
pub fn org_services(services: &[Service]) -> Vec<Service> {
    services
        .iter()
        .copied()
        .filter(|s| services::ops(*s).org_admin().is_some())
        .collect()
}

/// Reads who administers each service in each region, its auto-enable setting and which of
/// the Organization's accounts are on (the setting is the Organization's, whatever awsmon's
/// scope). Every read; the administrator's through a read-only session.
pub async fn gather(
    aws: &Aws,
    cfg: &Config,
    org: &super::Organization,
    caller: &str,
    services: &[Service],
    regions: &[String],
) -> OrgEnableFacts {
    let home = cfg.home_region();
    let admin = cfg
        .org
        .delegated_admin
        .clone()
        .unwrap_or_else(|| caller.to_string());
    let admin_role = (admin != caller).then(|| super::access_role_arn(&cfg.org, &admin, home));
    let admin_aws = match &admin_role {
        None => aws.clone(),
        Some(arn) => aws.assume(arn, Some(super::scan::READ_ONLY_SESSION)).await,
    };
    let ids: Vec<String> = org
        .accounts
        .iter()
        .filter(|a| a.status == AccountStatus::Active)
        .map(|a| a.id.clone())
        .collect();
    let names: BTreeMap<String, String> = super::names(org);
    let list: services::AccountList = futures::future::ready(Arc::new(ids.clone()))
        .boxed()
        .shared();
    let memo = services::ScanMemo::default();
    let jobs = regions.iter().flat_map(|region| {
        services.iter().map({
            let (admin_aws, admin, list, ids, memo) = (&admin_aws, &admin, &list, &ids, &memo);
            move |&service| async move {
                let ops = services::ops(service);
                let switch = ops.org_admin()?;
                let cx = OrgCx {
                    admin: admin_aws,
                    admin_account: admin,
                    cfg,
                    memo,
                };
                let (registered, answer, ready) = tokio::join!(
                    switch.registered(aws, region),
                    ops.org_probe(cx, region, list.clone()),
                    switch.admin_ready(admin_aws, region)
                );
                let mut facts = region_facts(registered, answer, ids);
                facts.admin_ready = ready.map_err(|e| e.to_string());
                Some(((region.clone(), service), facts))
            }
        })
    });
    let by_region = futures::future::join_all(jobs)
        .await
        .into_iter()
        .flatten()
        .collect();
    OrgEnableFacts {
        admin,
        admin_role,
        management: org.management_account.clone(),
        names,
        by_region,
        error: None,
    }
}

fn region_facts(
    registered: Result<Option<(String, String)>, AwsError>,
    answer: Result<Option<services::OrgAnswer>, AwsError>,
    ids: &[String],
) -> RegionFacts {
    let (answer, probe_error) = match answer {
        Ok(a) => (a, None),
        Err(e) => (None, Some(e.to_string())),
    };
    let mut facts = RegionFacts {
        registered: registered.map_err(|e| e.to_string()),
        answered: answer.is_some(),
        probe_error,
        auto_enable: answer.as_ref().and_then(|a| a.auto_enable.clone()),
        ..RegionFacts::default()
    };
    for id in ids {
        match answer
            .as_ref()
            .and_then(|a| a.accounts.get(id))
            .map(|s| s.state)
        {
            Some(State::Enabled) => facts.covered.push(id.clone()),
            Some(State::Error) => facts.unreadable.push(id.clone()),
            _ => facts.uncovered.push(id.clone()),
        }
    }
    facts
}

/// Org mode without ORG_AUTO_ENABLE: what awsmon leaves alone, said once.
pub fn left_alone(services: &[Service], p: &mut Plan) {
    let services = org_services(services);
    if !services.is_empty() {
        p.notes.push(format!(
            "{}: the Organization's delegated administrator and auto-enable are left as they are (ORG_AUTO_ENABLE: NEW or ALL has awsmon set them up)",
            services::names(&services)
        ));
    }
}

/// Why the org-wide steps cannot be planned at all, if they cannot.
fn refusal(cfg: &Config, facts: &OrgEnableFacts) -> Option<String> {
    if let Some(why) = &facts.error {
        return Some(format!(
            "ORGANIZATION is true but the Organization cannot be read ({why}): ORG_AUTO_ENABLE needs its accounts"
        ));
    }
    if facts.admin == facts.management {
        return Some(format!(
            "the delegated administrator would be the management account {}: AWS advises a dedicated security-tooling account; set DELEGATED_ADMIN_ACCOUNT (awsmon's hub belongs there too), or remove ORG_AUTO_ENABLE",
            facts.management
        ));
    }
    if !cfg.org.accounts.is_empty() || !cfg.org.exclude.is_empty() {
        return Some(
            "ORG_AUTO_ENABLE sets the Organization's auto-enable, which covers every account, but ACCOUNTS/EXCLUDE_ACCOUNTS narrow awsmon's scope: remove ORG_AUTO_ENABLE to leave the Organization's setting alone, or cover the whole Organization".to_string(),
        );
    }
    None
}

/// The org-wide steps for `services` in `regions` (ORG_AUTO_ENABLE set): register the
/// administrator where it is not, then set the auto-enable where it differs (or, with ALL,
/// where accounts are off). What cannot be done from here blocks the plan with the reason
/// and what to run instead.
#[allow(clippy::too_many_lines)]
pub fn plan_steps(
    cfg: &Config,
    facts: &OrgEnableFacts,
    caller: &str,
    services: &[Service],
    regions: &[String],
    p: &mut Plan,
) {
    let services = org_services(services);
    let Some(mode) = cfg.org.auto_enable else {
        left_alone(&services, p);
        return;
    };
    if services.is_empty() {
        return;
    }
    if let Some(why) = refusal(cfg, facts) {
        p.blockers.push(why);
        return;
    }
    let name = |id: &str| facts.names.get(id).cloned().unwrap_or_default();
    let labels =
        |ids: &[String]| -> Vec<String> { ids.iter().map(|id| label(&name(id), id)).collect() };
    for &service in &services {
        let switch = services::ops(service)
            .org_admin()
            .expect("org_services keeps services with a switch");
        let svc = service.display_name();
        let mut already: Vec<&str> = Vec::new();
        for region in regions {
            let Some(f) = facts.by_region.get(&(region.clone(), service)) else {
                continue;
            };
            match &f.registered {
                Ok(Some((a, status))) if *a == facts.admin && status == "ENABLED" => {
                    already.push(region);
                }
                Ok(Some((a, status))) if *a == facts.admin => {
                    p.blockers.push(format!(
                        "{svc}'s delegated administrator {a} in {region} is {status}: wait for it to settle and deploy again"
                    ));
                    continue;
                }
                Ok(Some((other, _))) => {
                    p.blockers.push(format!(
                        "{svc}'s delegated administrator in {region} is {other}, not {} (DELEGATED_ADMIN_ACCOUNT): awsmon does not replace another administrator; deregister it, or set DELEGATED_ADMIN_ACCOUNT: \"{other}\"",
                        facts.admin
                    ));
                    continue;
                }
                Ok(None) => p.steps.push(Step::RegisterDelegatedAdmin {
                    region: region.clone(),
                    service,
                    account: facts.admin.clone(),
                    name: name(&facts.admin),
                }),
                // Not readable from here, but the administrator answers as one: registered.
                Err(_) if f.answered => already.push(region),
                Err(why) if caller == facts.management => {
                    p.blockers.push(format!(
                        "cannot read {svc}'s delegated administrator in {region} ({why})"
                    ));
                    continue;
                }
                Err(why) => {
                    p.blockers.push(format!(
                        "cannot read {svc}'s delegated administrator in {region} ({why}): registering {} needs the Organization's management account {} (awsmon runs as {caller}); deploy once with its credentials, or register it by hand",
                        facts.admin, facts.management
                    ));
                    continue;
                }
            }
            // Where awsmon runs as the administrator, this plan's own spoke turns the
            // service on there first; elsewhere it must already be on.
            if facts.admin_role.is_some() {
                match &f.admin_ready {
                    Ok(true) => {}
                    Ok(false) => {
                        p.blockers.push(format!(
                            "{svc} is off in the delegated administrator {} itself in {region}: deploy awsmon from that account (the hub belongs there), which turns it on first",
                            facts.admin
                        ));
                        continue;
                    }
                    Err(why) => {
                        p.blockers.push(format!(
                            "cannot tell whether {svc} is on in the delegated administrator {} in {region} ({why})",
                            facts.admin
                        ));
                        continue;
                    }
                }
            }
            if let Some(why) = &f.probe_error {
                p.blockers.push(format!(
                    "cannot read the Organization's {svc} configuration from {} in {region} ({why})",
                    facts.admin
                ));
                continue;
            }
            let current = f.auto_enable.as_deref();
            let matches = current.is_some_and(|c| switch.auto_enable_matches(c, mode, cfg));
            let to_cover = mode == crate::config::AutoEnableMode::All && !f.uncovered.is_empty();
            if matches && to_cover && switch.all_covers_existing() {
                // Setting ALL again would change nothing: say who is not on yet, and why.
                p.notes.push(format!(
                    "{svc} auto-enables ALL in {region}; {} not on yet: GuardDuty turns existing members on over up to 24 hours",
                    some_names(&labels(&f.uncovered)),
                ));
                continue;
            }
            if matches && !to_cover {
                continue;
            }
            p.steps.push(Step::OrgAutoEnable {
                region: region.clone(),
                service,
                admin: facts.admin.clone(),
                via_role: facts.admin_role.clone(),
                mode,
                was: current.map(str::to_string),
                covered: f.covered.len(),
                uncovered_names: labels(&f.uncovered),
                uncovered: f.uncovered.clone(),
                unreadable: f.unreadable.len(),
            });
        }
        if !already.is_empty() {
            p.notes.push(format!(
                "{} ({}) is already {svc}'s delegated administrator in {}",
                name(&facts.admin),
                facts.admin,
                already.join(", ")
            ));
        }
    }
}

fn label(name: &str, id: &str) -> String {
    if name.is_empty() {
        id.to_string()
    } else {
        format!("{name} {id}")
    }
}

/// "a, b, c and 4 more": enough names to recognise, a count for the rest.
pub fn some_names(names: &[String]) -> String {
    const SHOWN: usize = 3;
    let mut out = names
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > SHOWN {
        out.push_str(&format!(" and {} more", names.len() - SHOWN));
    }
    out
}

/// Runs a `RegisterDelegatedAdmin` step, as awsmon runs (the management account).
pub async fn register(
    aws: &Aws,
    region: &str,
    service: Service,
    account: &str,
) -> Result<String, AwsError> {
    let switch = services::ops(service)
        .org_admin()
        .ok_or_else(|| AwsError::other("organizations", "no organization switch"))?;
    switch.register(aws, region, account).await?;
    Ok(format!("{account} registered"))
}

/// Runs an `OrgAutoEnable` step, as the administrator (through its role where awsmon runs
/// elsewhere; a full session: the setting is a write).
pub async fn auto_enable(
    aws: &Aws,
    cfg: &Config,
    region: &str,
    service: Service,
    via_role: Option<&str>,
    change: services::AutoEnableChange<'_>,
) -> Result<String, AwsError> {
    let switch = services::ops(service)
        .org_admin()
        .ok_or_else(|| AwsError::other("organizations", "no organization switch"))?;
    let admin = match via_role {
        None => aws.clone(),
        Some(arn) => aws.assume(arn, None).await,
    };
    switch.auto_enable(&admin, cfg, region, change).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::AutoEnableMode;

    const MGMT: &str = "111111111111";
    const ADMIN: &str = "222222222222";
    const WEB: &str = "333333333333";
    const DATA: &str = "444444444444";

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(ToString::to_string).collect()
    }

    fn facts(by: Vec<((&str, Service), RegionFacts)>) -> OrgEnableFacts {
        OrgEnableFacts {
            admin: ADMIN.into(),
            admin_role: Some(format!(
                "arn:aws:iam::{ADMIN}:role/OrganizationAccountAccessRole"
            )),
            management: MGMT.into(),
            names: [
                (MGMT, "management"),
                (ADMIN, "security-tooling"),
                (WEB, "prod-web"),
                (DATA, "prod-data"),
            ]
            .into_iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect(),
            by_region: by
                .into_iter()
                .map(|((r, s), f)| ((r.to_string(), s), f))
                .collect(),
            error: None,
        }
    }

    /// A region as read: who is registered, the setting (None: the administrator did not
    /// answer), and the accounts on and off.
    fn region(
        registered: Result<Option<&str>, &str>,
        auto: Option<&str>,
        covered: &[&str],
        uncovered: &[&str],
    ) -> RegionFacts {
        RegionFacts {
            registered: registered
                .map(|o| o.map(|a| (a.to_string(), "ENABLED".to_string())))
                .map_err(str::to_string),
            answered: auto.is_some(),
            auto_enable: auto.map(str::to_string),
            covered: ids(covered),
            uncovered: ids(uncovered),
            ..RegionFacts::default()
        }
    }

    fn cfg(mode: Option<AutoEnableMode>) -> Config {
        let mut cfg = Config::default();
        cfg.org.enabled = true;
        cfg.org.delegated_admin = Some(ADMIN.into());
        cfg.org.auto_enable = mode;
        cfg
    }

    fn lines(p: &Plan) -> String {
        p.steps
            .iter()
            .map(|s| format!("- {s}"))
            .chain(p.notes.iter().map(|n| format!("note: {n}")))
            .chain(p.blockers.iter().map(|b| format!("BLOCKED: {b}")))
            .collect::<Vec<_>>()
            .join("\n")
    }

    const BOTH: [Service; 2] = [Service::GuardDuty, Service::Inspector];

    fn regions() -> Vec<String> {
        ids(&["us-east-1", "eu-west-1"])
    }

    /// The plan says, per region, what changes (registration, the setting and which of the
    /// Organization's accounts are turned on) and what is covered already; another
    /// administrator blocks, never replaced.
    #[test]
    fn org_lines_say_what_changes_and_what_is_already_covered() {
        let f = facts(vec![
            (
                ("us-east-1", Service::GuardDuty),
                region(Ok(Some(ADMIN)), Some("ALL"), &[MGMT, ADMIN, WEB, DATA], &[]),
            ),
            (
                ("eu-west-1", Service::GuardDuty),
                region(Ok(None), None, &[], &[MGMT, ADMIN, WEB, DATA]),
            ),
            (
                ("us-east-1", Service::Inspector),
                region(Ok(Some(ADMIN)), Some("EC2"), &[ADMIN], &[MGMT, WEB, DATA]),
            ),
            (
                ("eu-west-1", Service::Inspector),
                region(Ok(Some("999999999999")), Some("NONE"), &[], &[MGMT]),
            ),
        ]);
        let mut p = Plan::default();
        plan_steps(
            &cfg(Some(AutoEnableMode::All)),
            &f,
            MGMT,
            &BOTH,
            &regions(),
            &mut p,
        );
        assert_eq!(
            lines(&p),
            "\
- register security-tooling (222222222222) as GuardDuty's delegated administrator in eu-west-1 (from the management account)
- auto-enable GuardDuty for ALL accounts of the Organization in eu-west-1, from the delegated administrator 222222222222 (now not set up): 4 existing accounts to turn on (management 111111111111, security-tooling 222222222222, prod-web 333333333333 and 1 more), 0 already on
- auto-enable Inspector for ALL accounts of the Organization in us-east-1, from the delegated administrator 222222222222 (now EC2): 3 existing accounts to turn on (management 111111111111, prod-web 333333333333, prod-data 444444444444), 1 already on
note: security-tooling (222222222222) is already GuardDuty's delegated administrator in us-east-1
note: security-tooling (222222222222) is already Inspector's delegated administrator in us-east-1
BLOCKED: Inspector's delegated administrator in eu-west-1 is 999999999999, not 222222222222 (DELEGATED_ADMIN_ACCOUNT): awsmon does not replace another administrator; deregister it, or set DELEGATED_ADMIN_ACCOUNT: \"999999999999\""
        );
        let Some(Step::OrgAutoEnable {
            via_role,
            uncovered,
            ..
        }) = p.steps.get(2)
        else {
            panic!("{p:?}");
        };
        assert_eq!(
            via_role.as_deref(),
            Some("arn:aws:iam::222222222222:role/OrganizationAccountAccessRole")
        );
        assert_eq!(uncovered, &ids(&[MGMT, WEB, DATA]));
    }

    /// NEW never narrows ALL, and says which existing accounts stay off; an administrator
    /// that cannot be read from here blocks with what to do, unless it already answers as
    /// the administrator.
    #[test]
    fn new_keeps_all_and_unreadable_registrations_block_with_the_way_out() {
        let f = facts(vec![
            (
                ("us-east-1", Service::GuardDuty),
                region(
                    Err("BadRequestException: not the management account"),
                    Some("ALL"),
                    &[ADMIN],
                    &[WEB],
                ),
            ),
            (
                ("eu-west-1", Service::GuardDuty),
                region(Ok(Some(ADMIN)), Some("NONE"), &[ADMIN], &[WEB, DATA]),
            ),
            (
                ("us-east-1", Service::Inspector),
                region(
                    Err("AccessDeniedException: inspector2:ListDelegatedAdminAccounts"),
                    None,
                    &[],
                    &[WEB],
                ),
            ),
        ]);
        let mut p = Plan::default();
        plan_steps(
            &cfg(Some(AutoEnableMode::New)),
            &f,
            ADMIN,
            &BOTH,
            &regions(),
            &mut p,
        );
        assert_eq!(
            lines(&p),
            "\
- auto-enable GuardDuty for NEW accounts of the Organization in eu-west-1, from the delegated administrator 222222222222 (now NONE): accounts that join are covered; 2 existing accounts stay off (prod-web 333333333333, prod-data 444444444444) unless ORG_AUTO_ENABLE: ALL; 1 already on
note: security-tooling (222222222222) is already GuardDuty's delegated administrator in us-east-1, eu-west-1
BLOCKED: cannot read Inspector's delegated administrator in us-east-1 (AccessDeniedException: inspector2:ListDelegatedAdminAccounts): registering 222222222222 needs the Organization's management account 111111111111 (awsmon runs as 222222222222); deploy once with its credentials, or register it by hand"
        );
    }

    /// The review's findings: the setting is the whole Organization's, so a narrowed scope,
    /// the management account as administrator, or an unreadable Organization refuse it;
    /// without ORG_AUTO_ENABLE nothing org-wide is planned; an unreadable administrator, a
    /// GuardDuty that is off in the administrator's own account and an administrator being
    /// removed block rather than pass for "not set up"; unreadable accounts are counted, not
    /// enabled.
    #[test]
    fn what_cannot_be_seen_or_would_reach_too_far_blocks() {
        let ready = facts(vec![(
            ("us-east-1", Service::GuardDuty),
            region(Ok(Some(ADMIN)), Some("NONE"), &[ADMIN], &[WEB]),
        )]);
        let one = ids(&["us-east-1"]);
        let run = |cfg: &Config, f: &OrgEnableFacts, caller: &str| {
            let mut p = Plan::default();
            plan_steps(
                cfg,
                f,
                caller,
                &[Service::GuardDuty, Service::Config],
                &one,
                &mut p,
            );
            p
        };

        let off = run(&cfg(None), &ready, ADMIN);
        assert!(off.steps.is_empty() && off.blockers.is_empty());
        assert_eq!(
            off.notes,
            [
                "GuardDuty: the Organization's delegated administrator and auto-enable are left as they are (ORG_AUTO_ENABLE: NEW or ALL has awsmon set them up)"
            ]
        );

        let mut narrowed = cfg(Some(AutoEnableMode::New));
        narrowed.org.exclude = ids(&[DATA]);
        let p = run(&narrowed, &ready, ADMIN);
        assert!(p.steps.is_empty());
        assert!(
            p.blockers[0].contains("ACCOUNTS/EXCLUDE_ACCOUNTS narrow awsmon's scope"),
            "{p:?}"
        );

        let mut itself = ready.clone();
        itself.admin = MGMT.into();
        let p = run(&cfg(Some(AutoEnableMode::New)), &itself, MGMT);
        assert!(
            p.blockers[0].starts_with(
                "the delegated administrator would be the management account 111111111111"
            ),
            "{p:?}"
        );

        let broken = OrgEnableFacts {
            error: Some("AWSOrganizationsNotInUseException".into()),
            ..OrgEnableFacts::default()
        };
        let p = run(&cfg(Some(AutoEnableMode::New)), &broken, MGMT);
        assert_eq!(
            p.blockers,
            [
                "ORGANIZATION is true but the Organization cannot be read (AWSOrganizationsNotInUseException): ORG_AUTO_ENABLE needs its accounts"
            ]
        );

        let mut bad = ready.clone();
        let r = bad
            .by_region
            .get_mut(&("us-east-1".to_string(), Service::GuardDuty))
            .expect("region");
        r.probe_error = Some("AccessDenied: sts:AssumeRole".into());
        r.answered = false;
        r.auto_enable = None;
        let p = run(&cfg(Some(AutoEnableMode::All)), &bad, MGMT);
        assert!(p.steps.is_empty(), "{p:?}");
        assert_eq!(
            p.blockers,
            [
                "cannot read the Organization's GuardDuty configuration from 222222222222 in us-east-1 (AccessDenied: sts:AssumeRole)"
            ]
        );

        let mut cold = ready.clone();
        cold.by_region
            .get_mut(&("us-east-1".to_string(), Service::GuardDuty))
            .expect("region")
            .admin_ready = Ok(false);
        let p = run(&cfg(Some(AutoEnableMode::All)), &cold, MGMT);
        assert_eq!(
            p.blockers,
            [
                "GuardDuty is off in the delegated administrator 222222222222 itself in us-east-1: deploy awsmon from that account (the hub belongs there), which turns it on first"
            ]
        );

        let mut leaving = ready.clone();
        leaving
            .by_region
            .get_mut(&("us-east-1".to_string(), Service::GuardDuty))
            .expect("region")
            .registered = Ok(Some((ADMIN.into(), "DISABLE_IN_PROGRESS".into())));
        let p = run(&cfg(Some(AutoEnableMode::All)), &leaving, MGMT);
        assert_eq!(
            p.blockers,
            [
                "GuardDuty's delegated administrator 222222222222 in us-east-1 is DISABLE_IN_PROGRESS: wait for it to settle and deploy again"
            ]
        );

        let mut unclear = ready;
        unclear
            .by_region
            .get_mut(&("us-east-1".to_string(), Service::GuardDuty))
            .expect("region")
            .unreadable = ids(&[DATA]);
        let p = run(&cfg(Some(AutoEnableMode::All)), &unclear, MGMT);
        let Some(Step::OrgAutoEnable { uncovered, .. }) = p.steps.first() else {
            panic!("{p:?}");
        };
        assert_eq!(
            uncovered,
            &ids(&[WEB]),
            "the unreadable account is not enabled"
        );
        assert!(
            p.steps[0]
                .to_string()
                .ends_with("; 1 account unreadable, not touched"),
            "{}",
            p.steps[0]
        );
    }

    /// GuardDuty's ALL turns existing members on by itself (over up to 24 hours): where it
    /// is set and an account is still off, setting it again changes nothing, so the plan says
    /// so instead of repeating a step forever. Inspector's ALL is awsmon's Enable for them:
    /// planned until they are on.
    #[test]
    fn all_is_not_planned_again_where_setting_it_cannot_help() {
        let f = facts(vec![
            (
                ("us-east-1", Service::GuardDuty),
                region(Ok(Some(ADMIN)), Some("ALL"), &[ADMIN, WEB], &[DATA]),
            ),
            (
                ("us-east-1", Service::Inspector),
                region(
                    Ok(Some(ADMIN)),
                    Some("EC2+ECR+LAMBDA"),
                    &[ADMIN, WEB],
                    &[DATA],
                ),
            ),
        ]);
        let mut p = Plan::default();
        plan_steps(
            &cfg(Some(AutoEnableMode::All)),
            &f,
            ADMIN,
            &BOTH,
            &ids(&["us-east-1"]),
            &mut p,
        );
        assert_eq!(
            lines(&p),
            "\
- auto-enable Inspector for ALL accounts of the Organization in us-east-1, from the delegated administrator 222222222222 (now EC2+ECR+LAMBDA): 1 existing account to turn on (prod-data 444444444444), 2 already on
note: GuardDuty auto-enables ALL in us-east-1; prod-data 444444444444 not on yet: GuardDuty turns existing members on over up to 24 hours
note: security-tooling (222222222222) is already GuardDuty's delegated administrator in us-east-1
note: security-tooling (222222222222) is already Inspector's delegated administrator in us-east-1"
        );
    }

    #[test]
    fn some_names_counts_the_rest() {
        assert_eq!(some_names(&ids(&["a"])), "a");
        assert_eq!(some_names(&ids(&["a", "b", "c"])), "a, b, c");
        assert_eq!(
            some_names(&ids(&["a", "b", "c", "d", "e"])),
            "a, b, c and 2 more"
        );
    }
}
