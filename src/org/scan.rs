//! The scan across an organization: account × region × service. Services with an organization
//! API ([`ServiceOps::org_probe`]) are asked once per region through their delegated
//! administrator, so the calls grow with regions, not with accounts × regions. The others are
//! probed in each account through ORG_ACCESS_ROLE (sts:AssumeRole, credentials cached per
//! account); an account whose role cannot be assumed gets error cells and the rest completes.
//! Suspended and closed accounts are listed and skipped.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use awsmon_notifier::Service;
use futures::future::{BoxFuture, Shared};
use futures::{FutureExt as _, StreamExt as _};
use serde::Serialize;
use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::{OnceCell, Semaphore};
use tokio::task::JoinSet;

use super::{AccountStatus, OrgAccount, Organization};
use crate::aws::regions::{self, RegionInfo};
use crate::aws::{Aws, AwsError, AwsErrorKind};
use crate::config::Config;
use crate::inventory::{Cell, Regions, ServiceStatus, State};
use crate::services::{self, AccountList, Cx, OrgCx};

pub struct OrgScanRequest<'a> {
    pub config: &'a Config,
    pub regions: Regions,
    /// Regional services only: the account-wide ones (Trusted Advisor, the budget) are the
    /// hub account's.
    pub services: Vec<Service>,
    /// Calls in flight at once.
    pub concurrency: usize,
    /// Ask services with an organization API through the delegated administrator (the
    /// default); `false` probes every account through the access role, as a tool without
    /// those APIs would (the benchmark's comparison).
    pub org_apis: bool,
}

/// What a streaming scan reports while it runs, so a console can draw accounts as their
/// answers arrive; the assembled [`OrgScan`] is still returned at the end.
#[derive(Debug, Clone)]
pub enum OrgProgress {
    /// The regions being scanned, once known.
    Regions(Vec<String>),
    /// The organization's in-scope accounts, once its tree is read (before most answers).
    Accounts {
        organization: String,
        accounts: Vec<OrgAccount>,
        /// Every account, in scope or not (what ROUTING_OVERRIDES resolve over).
        tree: Vec<OrgAccount>,
    },
    /// One region × service task's cells, each with its account.
    Cells(Vec<(String, Cell)>),
    AutoEnable(AutoEnable),
}

#[derive(Debug, Clone, Serialize)]
pub struct OrgScan {
    pub organization: String,
    pub management_account: String,
    /// The services' delegated administrator the scan asked.
    pub admin_account: String,
    pub regions: Vec<String>,
    pub services: Vec<Service>,
    pub accounts: Vec<AccountScan>,
    /// The organization's auto-enable setting, per region and service, where it has one.
    pub auto_enable: Vec<AutoEnable>,
    /// What the caller should know about the scope (entries that match nothing...).
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AccountScan {
    pub account: OrgAccount,
    /// Why it was not scanned (suspended, closed), if it was not.
    pub skipped: Option<String>,
    /// Region × service, in region then service order.
    pub cells: Vec<Cell>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AutoEnable {
    pub region: String,
    pub service: Service,
    pub setting: String,
}

/// One account's count for one service over the scanned regions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Tally {
    pub enabled: usize,
    pub partial: usize,
    pub errors: usize,
    pub total: usize,
}

impl Tally {
    /// `17/17`, `12/17 ⚠` (some off or partial), `3/17 ✖` (some unknown), `– ✖` (no
    /// answer at all: never shown as healthy).
    pub fn label(&self) -> String {
        if self.total == 0 {
            return "– ✖".to_string();
        }
        let mark = if self.errors > 0 {
            " ✖"
        } else if self.enabled < self.total {
            " ⚠"
        } else {
            ""
        };
        format!("{}/{}{mark}", self.enabled, self.total)
    }
}

impl AccountScan {
    pub fn tally(&self, service: Service) -> Tally {
        tally(&self.cells, service)
    }
}

/// One service's count over an account's cells; opt-in and unsupported regions are not
/// counted.
pub fn tally(cells: &[Cell], service: Service) -> Tally {
    let mut t = Tally::default();
    for cell in cells.iter().filter(|c| c.service == service) {
        match cell.state {
            State::Enabled => t.enabled += 1,
            State::Partial => t.partial += 1,
            State::Error => t.errors += 1,
            State::NotOptedIn | State::Unsupported => continue,
            State::Disabled => {}
        }
        t.total += 1;
    }
    t
}

/// What one region × service task answers: (account, cell) pairs, and the region's
/// auto-enable setting where the service has one.
type Answer = (Vec<(String, Cell)>, Option<AutoEnable>);

/// An account's access, made once: the assumed role, or why it could not be assumed.
type AccessSlot = Arc<OnceCell<Result<Aws, String>>>;

#[derive(Clone, Copy)]
struct How {
    concurrency: usize,
    org_apis: bool,
}

/// The access the scan works with: the caller's, and the delegated administrator's.
struct Who {
    caller: String,
    admin_account: String,
    admin: Aws,
}

/// Scans every in-scope account of the organization.
pub async fn scan(aws: &Aws, req: OrgScanRequest<'_>) -> Result<OrgScan, AwsError> {
    scan_streaming(aws, req, None).await
}

/// [`scan`], reporting each answer to `progress` as it arrives.
pub async fn scan_streaming(
    aws: &Aws,
    req: OrgScanRequest<'_>,
    progress: Option<UnboundedSender<OrgProgress>>,
) -> Result<OrgScan, AwsError> {
    let report = |p: OrgProgress| {
        if let Some(tx) = &progress {
            // The console may have gone: the scan's result is still returned.
            let _ = tx.send(p);
        }
    };
    let cfg = req.config.clone();
    let home = cfg.home_region().to_string();
    let discover = async {
        match req.regions {
            Regions::Known(list) => list,
            Regions::Discover(wanted) => {
                let (all, _) = regions::discover(aws).await;
                regions::narrow(all, wanted.as_deref())
            }
        }
    };
    // The tree is read beside everything else: the region tasks start as soon as the
    // administrator's access is known, and wait for the account list only where they need it.
    let org_read: OrgRead = {
        let (aws, home) = (aws.clone(), home.clone());
        async move { super::load(&aws, &home).await }
            .boxed()
            .shared()
    };
    let active: AccountList = {
        let (org_read, settings, progress) = (org_read.clone(), cfg.org.clone(), progress.clone());
        async move {
            let ids = match org_read.await {
                Ok(org) => {
                    let scope = org.in_scope(&settings);
                    if let Some(tx) = &progress {
                        let _ = tx.send(OrgProgress::Accounts {
                            organization: org.id.clone(),
                            accounts: scope.iter().map(|a| (*a).clone()).collect(),
                            tree: org.accounts.clone(),
                        });
                    }
                    scope
                        .iter()
                        .filter(|a| a.status == AccountStatus::Active)
                        .map(|a| a.id.clone())
                        .collect()
                }
                // The scan fails with the read's error once its tasks are done.
                Err(_) => Vec::new(),
            };
            Arc::new(ids)
        }
        .boxed()
        .shared()
    };
    let (caller, region_list) = tokio::join!(crate::inventory::account_id(aws, &home), discover);
    let caller = caller?;
    report(OrgProgress::Regions(
        region_list.iter().map(|r| r.name.clone()).collect(),
    ));
    let admin_account = cfg
        .org
        .delegated_admin
        .clone()
        .unwrap_or_else(|| caller.clone());
    let admin = if admin_account == caller {
        aws.clone()
    } else {
        aws.assume(
            &super::access_role_arn(&cfg.org, &admin_account, &home),
            Some(READ_ONLY_SESSION),
        )
        .await
    };
    let who = Arc::new(Who {
        caller,
        admin_account,
        admin,
    });
    // Awaiting the account list beside the tasks reports it as soon as the tree is read.
    let ((by_account, auto_enable), _) = tokio::join!(
        scan_regions(
            aws,
            &cfg,
            &who,
            &region_list,
            &req.services,
            &active,
            How {
                concurrency: req.concurrency,
                org_apis: req.org_apis,
            },
            progress.as_ref(),
        ),
        active.clone()
    );
    let org = org_read.await?;
    let mut notes: Vec<String> = org
        .unmatched(&cfg.org)
        .into_iter()
        .map(|(key, target)| {
            format!("{key} names {target}, which matches no account or OU of the organization")
        })
        .collect();
    if who.admin_account != who.caller
        && org
            .in_scope(&cfg.org)
            .iter()
            .all(|a| a.id != who.admin_account)
    {
        notes.push(format!(
            "DELEGATED_ADMIN_ACCOUNT {} is outside ACCOUNTS/EXCLUDE_ACCOUNTS; the scan still asks it, as the services' delegated administrator",
            who.admin_account
        ));
    }
    Ok(assemble(
        &cfg,
        &org,
        &who,
        &region_list,
        &req.services,
        by_account,
        auto_enable,
        notes,
    ))
}

/// The Organization's tree, read once and awaited by whoever needs it.
type OrgRead = Shared<BoxFuture<'static, Result<Organization, AwsError>>>;

/// Every region × service task: each account's cells, and the auto-enable settings found.
#[allow(clippy::too_many_lines, clippy::too_many_arguments)]
async fn scan_regions(
    aws: &Aws,
    cfg: &Config,
    who: &Arc<Who>,
    region_list: &[RegionInfo],
    services: &[Service],
    active: &AccountList,
    how: How,
    progress: Option<&UnboundedSender<OrgProgress>>,
) -> (HashMap<String, Vec<Cell>>, Vec<AutoEnable>) {
    let How {
        concurrency,
        org_apis: use_org_apis,
    } = how;
    let services: Vec<Service> = services
        .iter()
        .copied()
        .filter(|s| !s.is_global())
        .collect();
    let limit = Arc::new(Semaphore::new(concurrency.max(1)));
    let timeout = aws.operation_timeout() + Duration::from_secs(1);
    let members = Arc::new(Members::new(aws.clone(), cfg.clone(), who.clone()));
    let memo = Arc::new(services::ScanMemo::default());
    let cfg_arc = Arc::new(cfg.clone());

    let mut jobs: JoinSet<Answer> = JoinSet::new();
    for region in region_list {
        for &service in &services {
            if !region.enabled {
                let (active, name) = (active.clone(), region.name.clone());
                jobs.spawn(async move {
                    let cells = active
                        .await
                        .iter()
                        .map(|a| {
                            let status = ServiceStatus::new(
                                State::NotOptedIn,
                                "opt-in region not enabled for the scanning account",
                            );
                            (a.clone(), cell(&name, service, status))
                        })
                        .collect();
                    (cells, None)
                });
                continue;
            }
            let (who, cfg, active, limit, members, name, memo) = (
                who.clone(),
                cfg_arc.clone(),
                active.clone(),
                limit.clone(),
                members.clone(),
                region.name.clone(),
                memo.clone(),
            );
            jobs.spawn(async move {
                let ops = services::ops(service);
                let cx = OrgCx {
                    admin: &who.admin,
                    admin_account: &who.admin_account,
                    cfg: &cfg,
                    memo: &memo,
                };
                let answer = if use_org_apis {
                    let _permit = limit.acquire().await;
                    // Several pages or batches: more time than one call.
                    tokio::time::timeout(timeout * 4, ops.org_probe(cx, &name, active.clone()))
                        .await
                        .unwrap_or_else(|_| Err(timed_out(ops.probe_action())))
                } else {
                    Ok(None)
                };
                let active = active.await;
                // Each account through its access role. A bounded stream, not one future per
                // account: an SDK call's future is large, and 500 accounts × 17 regions of
                // them waiting for a permit took over 100 MiB.
                let probe_each = |accounts: Vec<String>| {
                    // Owned: a closure over borrowed items is not general enough for a spawned
                    // future.
                    let probes = accounts.into_iter().map(|account| {
                        let (limit, members, name) = (limit.clone(), members.clone(), name.clone());
                        async move {
                            let _permit = limit.acquire().await;
                            let status = tokio::time::timeout(
                                timeout,
                                members.probe(&account, service, &name),
                            )
                            .await
                            .unwrap_or_else(|_| from_error(&timed_out(ops.probe_action())));
                            let cell = cell(&name, service, status);
                            (account, cell)
                        }
                    });
                    futures::stream::iter(probes)
                        .buffer_unordered(concurrency.max(1))
                        .collect::<Vec<_>>()
                };
                match answer {
                    // No organization API here: every account through its access role.
                    Ok(None) => (probe_each(active.to_vec()).await, None),
                    Ok(Some(answer)) => {
                        let auto = answer.auto_enable.map(|setting| AutoEnable {
                            region: name.clone(),
                            service,
                            setting,
                        });
                        let mut statuses = answer.accounts;
                        let mut cells = Vec::with_capacity(active.len());
                        let mut unanswered = Vec::new();
                        for a in active.iter() {
                            match statuses.remove(a) {
                                Some(status) => {
                                    cells.push((a.clone(), cell(&name, service, status)));
                                }
                                None => unanswered.push(a.clone()),
                            }
                        }
                        // Only what the organization API did not answer (an account the
                        // aggregator has no source for yet) goes through the access role.
                        if !unanswered.is_empty() {
                            cells.extend(probe_each(unanswered).await);
                        }
                        (cells, auto)
                    }
                    Err(e) => {
                        let status = from_error(&e);
                        let cells = active
                            .iter()
                            .map(|a| (a.clone(), cell(&name, service, status.clone())))
                            .collect();
                        (cells, None)
                    }
                }
            });
        }
    }

    let mut by_account: HashMap<String, Vec<Cell>> = HashMap::new();
    let mut auto_enable = Vec::new();
    while let Some(joined) = jobs.join_next().await {
        match joined {
            Ok((cells, auto)) => {
                if let Some(tx) = progress {
                    let _ = tx.send(OrgProgress::Cells(cells.clone()));
                    if let Some(a) = &auto {
                        let _ = tx.send(OrgProgress::AutoEnable(a.clone()));
                    }
                }
                for (account, cell) in cells {
                    by_account.entry(account).or_default().push(cell);
                }
                auto_enable.extend(auto);
            }
            Err(e) => tracing::error!("org scan task failed: {e}"),
        }
    }
    (by_account, auto_enable)
}

/// The scan's result, in OU order, each account's cells by region then service.
#[allow(clippy::too_many_arguments)]
fn assemble(
    cfg: &Config,
    org: &Organization,
    who: &Who,
    region_list: &[RegionInfo],
    services: &[Service],
    mut by_account: HashMap<String, Vec<Cell>>,
    mut auto_enable: Vec<AutoEnable>,
    notes: Vec<String>,
) -> OrgScan {
    let order: Vec<String> = region_list.iter().map(|r| r.name.clone()).collect();
    let rank = |region: &str| order.iter().position(|r| r == region).unwrap_or(usize::MAX);
    auto_enable.sort_by(|a: &AutoEnable, b| {
        rank(&a.region)
            .cmp(&rank(&b.region))
            .then(a.service.cmp(&b.service))
    });
    let accounts = org
        .in_scope(&cfg.org)
        .into_iter()
        .map(|account| {
            let mut cells = by_account.remove(&account.id).unwrap_or_default();
            cells.sort_by(|a, b| {
                rank(&a.region)
                    .cmp(&rank(&b.region))
                    .then(a.service.cmp(&b.service))
            });
            AccountScan {
                skipped: (account.status != AccountStatus::Active)
                    .then(|| format!("{}: not scanned", account.status.as_str())),
                account: account.clone(),
                cells,
            }
        })
        .collect();
    OrgScan {
        organization: org.id.clone(),
        management_account: org.management_account.clone(),
        admin_account: who.admin_account.clone(),
        regions: order,
        services: services
            .iter()
            .copied()
            .filter(|s| !s.is_global())
            .collect(),
        accounts,
        auto_enable,
        notes,
    }
}

fn cell(region: &str, service: Service, status: ServiceStatus) -> Cell {
    Cell {
        region: region.to_string(),
        service,
        state: status.state,
        managed: false,
        notifying: false,
        detail: status.detail,
    }
}

fn from_error(e: &AwsError) -> ServiceStatus {
    let state = match e.kind {
        AwsErrorKind::RegionNotEnabled => State::NotOptedIn,
        AwsErrorKind::NotOffered => State::Unsupported,
        _ => State::Error,
    };
    ServiceStatus::new(state, e.to_string())
}

fn timed_out(action: &str) -> AwsError {
    AwsError {
        kind: AwsErrorKind::Timeout,
        action: action.to_string(),
        code: None,
        message: None,
        request_id: None,
    }
}

/// Member accounts' access through ORG_ACCESS_ROLE: credentials fetched once per account
/// (one AssumeRole), and a failure to assume remembered as that account's answer.
struct Members {
    aws: Aws,
    cfg: Config,
    who: Arc<Who>,
    slots: std::sync::Mutex<HashMap<String, AccessSlot>>,
}

impl Members {
    fn new(aws: Aws, cfg: Config, who: Arc<Who>) -> Members {
        Members {
            aws,
            cfg,
            who,
            slots: std::sync::Mutex::new(HashMap::new()),
        }
    }

    /// The access for `account`: the caller's or the administrator's own where it is one of
    /// those, otherwise the assumed role, checked by fetching its credentials.
    async fn access(&self, account: &str) -> Result<Aws, String> {
        if account == self.who.caller {
            return Ok(self.aws.clone());
        }
        if account == self.who.admin_account {
            return Ok(self.who.admin.clone());
        }
        let slot = self
            .slots
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry(account.to_string())
            .or_default()
            .clone();
        slot.get_or_init(|| async {
            let home = self.cfg.home_region();
            let arn = super::access_role_arn(&self.cfg.org, account, home);
            let assumed = self.aws.assume(&arn, Some(READ_ONLY_SESSION)).await;
            // Through a client, so the credentials land in the shared identity cache and the
            // probes that follow reuse them: one AssumeRole per account.
            match assumed.sts(home).get_caller_identity().send().await {
                Ok(_) => Ok(assumed),
                Err(e) => Err(format!(
                    "cannot assume {}: {}",
                    self.cfg.org.access_role,
                    error_reason(&e)
                )),
            }
        })
        .await
        .clone()
    }

    async fn probe(&self, account: &str, service: Service, region: &str) -> ServiceStatus {
        let aws = match self.access(account).await {
            Ok(aws) => aws,
            Err(why) => return ServiceStatus::new(State::Error, why),
        };
        let cx = Cx {
            aws: &aws,
            cfg: &self.cfg,
            account,
        };
        services::ops(service)
            .probe(cx, region)
            .await
            .unwrap_or_else(|e| from_error(&e))
    }
}

/// What STS said when a role could not be assumed ("AccessDenied: User ... is not
/// authorized ..."), found down the error's sources, else the innermost error's text.
fn error_reason(e: &(dyn std::error::Error + 'static)) -> String {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    let mut last = e.to_string();
    while let Some(err) = source {
        if let Some(meta) = err.downcast_ref::<aws_smithy_types::error::ErrorMetadata>() {
            return match (meta.code(), meta.message()) {
                (Some(code), Some(message)) => format!("{code}: {message}"),
                (Some(code), None) => code.to_string(),
                (None, Some(message)) => message.to_string(),
                (None, None) => last,
            };
        }
        last = err.to_string();
        source = err.source();
    }
    last
}

/// The session policy of every role the scan assumes: reads only, whatever the role allows
/// (OrganizationAccountAccessRole is an administrator). A session's permissions are the
/// intersection of the role's and this.
pub(crate) const READ_ONLY_SESSION: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:GetCallerIdentity","account:ListRegions","ec2:DescribeRegions","guardduty:Get*","guardduty:List*","guardduty:Describe*","inspector2:BatchGet*","inspector2:List*","inspector2:Describe*","config:Describe*","config:Get*","config:List*","config:Select*","cloudformation:Describe*","cloudformation:List*","support:Describe*","budgets:ViewBudget","budgets:Describe*","securityhub:Describe*","securityhub:Get*","securityhub:List*","access-analyzer:List*","access-analyzer:Get*","health:Describe*"],"Resource":"*"}]}"#;

#[cfg(test)]
mod tests {
    use super::READ_ONLY_SESSION;
    use awsmon_notifier::Service;

    /// Every service's probe is allowed by the read-only session the scan assumes member
    /// accounts with; a service added without its reads is refused in every member account
    /// (Security Hub's were missing).
    #[test]
    fn the_read_only_session_allows_every_services_probe() {
        let doc: serde_json::Value = serde_json::from_str(READ_ONLY_SESSION).expect("policy");
        let allowed: Vec<&str> = doc["Statement"][0]["Action"]
            .as_array()
            .expect("actions")
            .iter()
            .filter_map(serde_json::Value::as_str)
            .collect();
        let allows = |action: &str| {
            allowed.iter().any(|a| match a.strip_suffix('*') {
                Some(prefix) => action.starts_with(prefix),
                None => action == *a,
            })
        };
        for service in Service::ALL {
            let action = crate::services::ops(service).probe_action();
            if action.contains(' ') {
                continue; // no call ("health (no call)")
            }
            assert!(allows(action), "{service}: {action} is not allowed");
        }
        assert!(allows("securityhub:GetEnabledStandards"));
    }
}
