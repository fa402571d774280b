//! The region × service status scan: what is enabled, whether awsmon manages it, and whether
//! its notifications are wired. Regions run concurrently (bounded); one cell's failure never
//! stops the others, and every call is bounded in time.

pub mod stacks;

// The probes live with their services (`src/services/<svc>/probe.rs`); these paths stay for
// callers that name them here.
pub use crate::services::budget::probe as budget;
pub use crate::services::config::probe as configservice;
pub use crate::services::guardduty::probe as guardduty;
pub use crate::services::inspector::probe as inspector;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use awsmon_notifier::Service;
use serde::Serialize;
use tokio::sync::{OnceCell, Semaphore, mpsc};
use tokio::task::JoinSet;

use crate::aws::regions::{self, RegionInfo, RegionSource};
use crate::aws::{Aws, AwsError, AwsErrorKind};
use crate::config::Config;
use crate::naming;
use crate::services::{self, Cx};

pub use configservice::ConfigFacts;
pub use stacks::{StackStatusSummary, Stacks};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    Enabled,
    Disabled,
    Partial,
    Unsupported,
    NotOptedIn,
    Error,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Enabled => "enabled",
            State::Disabled => "disabled",
            State::Partial => "partial",
            State::Unsupported => "unsupported",
            State::NotOptedIn => "not-opted-in",
            State::Error => "error",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cell {
    pub region: String,
    pub service: Service,
    pub state: State,
    pub managed: bool,
    pub notifying: bool,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scan {
    pub account: String,
    pub home_region: String,
    pub cells: Vec<Cell>,
}

/// What a service reports about itself in one region, before awsmon's stacks are considered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceStatus {
    pub state: State,
    pub detail: String,
}

impl ServiceStatus {
    pub fn new(state: State, detail: impl Into<String>) -> Self {
        ServiceStatus {
            state,
            detail: detail.into(),
        }
    }
}

/// The region name used for account-wide services.
pub const GLOBAL: &str = "global";

pub struct ScanRequest<'a> {
    pub config: &'a Config,
    pub regions: Regions,
    pub services: Vec<Service>,
    /// Regions scanned at once.
    pub concurrency: usize,
}

/// Which regions to scan.
#[derive(Debug, Clone)]
pub enum Regions {
    /// Discover them (ListRegions, or the built-in list), keeping only these names if given.
    Discover(Option<Vec<String>>),
    Known(Vec<RegionInfo>),
}

/// One region's stack list, fetched by whichever task asks first.
type StackSlot = Arc<OnceCell<Result<Stacks, AwsError>>>;

/// Shared per-scan state: the account id and each region's stack list, fetched once.
struct Shared {
    aws: Aws,
    cfg: Config,
    account: String,
    stacks: Mutex<HashMap<String, StackSlot>>,
    cell_timeout: Duration,
}

impl Shared {
    fn cx(&self) -> Cx<'_> {
        Cx {
            aws: &self.aws,
            cfg: &self.cfg,
            account: &self.account,
        }
    }

    /// The region's stacks, fetched by whichever task asks first.
    async fn stacks(&self, region: &str) -> Result<Stacks, AwsError> {
        let slot = {
            let mut map = self
                .stacks
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            map.entry(region.to_string()).or_default().clone()
        };
        slot.get_or_init(|| async {
            bounded(
                self.cell_timeout,
                "cloudformation:ListStacks",
                stacks::list(&self.aws, region),
            )
            .await
        })
        .await
        .clone()
    }
}

/// Runs `fut` within `limit`, as a last guard behind the SDK's own operation timeout.
async fn bounded<T>(
    limit: Duration,
    action: &str,
    fut: impl Future<Output = Result<T, AwsError>>,
) -> Result<T, AwsError> {
    tokio::time::timeout(limit, fut).await.unwrap_or_else(|_| {
        Err(AwsError {
            kind: AwsErrorKind::Timeout,
            action: action.to_string(),
            code: None,
            message: None,
            request_id: None,
        })
    })
}

/// The caller's account id (sts:GetCallerIdentity).
pub async fn account_id(aws: &Aws, home_region: &str) -> Result<String, AwsError> {
    let out = aws
        .sts(home_region)
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| AwsError::classify("sts:GetCallerIdentity", &e))?;
    Ok(out.account().unwrap_or_default().to_string())
}

/// Scans and returns every cell, sorted by region then service. Fails only when the account
/// cannot be identified (no credentials); everything else becomes an `error` cell.
pub async fn scan(aws: &Aws, req: ScanRequest<'_>) -> Result<(Scan, RegionSource), AwsError> {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let home = req.config.home_region().to_string();
    let started = scan_streaming(aws, req, tx).await?;
    let mut cells = Vec::new();
    while let Some(cell) = rx.recv().await {
        cells.push(cell);
    }
    let order = started.regions;
    let rank = |region: &str| order.iter().position(|r| r == region).unwrap_or(usize::MAX);
    cells.sort_by(|a, b| {
        rank(&a.region)
            .cmp(&rank(&b.region))
            .then(a.service.cmp(&b.service))
    });
    Ok((
        Scan {
            account: started.account,
            home_region: home,
            cells,
        },
        started.source,
    ))
}

/// What a streaming scan found out before its cells: who, where, and how the regions were chosen.
#[derive(Debug, Clone)]
pub struct ScanSummary {
    pub account: String,
    pub regions: Vec<String>,
    pub source: RegionSource,
}

/// Scans, sending each cell on `tx` as soon as it is known (the TUI fills in as regions
/// answer). Returns once every cell has been sent.
pub async fn scan_streaming(
    aws: &Aws,
    req: ScanRequest<'_>,
    tx: mpsc::UnboundedSender<Cell>,
) -> Result<ScanSummary, AwsError> {
    let cfg = req.config.clone();
    let home = cfg.home_region().to_string();
    let cell_timeout = aws.operation_timeout() + Duration::from_secs(1);

    let mut shared = Shared {
        aws: aws.clone(),
        cfg,
        account: String::new(),
        stacks: Mutex::new(HashMap::new()),
        cell_timeout,
    };

    // Level 1, all at once: the account id, the region list, and the home region's stacks (the hub).
    let discover = async {
        match req.regions {
            Regions::Known(list) => (list, RegionSource::ListRegions),
            Regions::Discover(wanted) => {
                let (all, source) = regions::discover(aws).await;
                (regions::narrow(all, wanted.as_deref()), source)
            }
        }
    };
    let (account, (region_list, source), _) = tokio::join!(
        bounded(
            cell_timeout,
            "sts:GetCallerIdentity",
            account_id(aws, &home)
        ),
        discover,
        shared.stacks(&home)
    );
    shared.account = account?;
    let shared = Arc::new(shared);
    let summary = ScanSummary {
        account: shared.account.clone(),
        regions: region_list.iter().map(|r| r.name.clone()).collect(),
        source,
    };

    // Level 2: every region, and the account-wide services, at once (bounded).
    let limit = Arc::new(Semaphore::new(req.concurrency.max(1)));
    let regional: Vec<Service> = req
        .services
        .iter()
        .copied()
        .filter(|s| !s.is_global())
        .collect();
    let mut jobs = JoinSet::new();
    for region in region_list {
        if regional.is_empty() {
            break;
        }
        let (shared, limit, tx, services) =
            (shared.clone(), limit.clone(), tx.clone(), regional.clone());
        jobs.spawn(async move {
            let _permit = limit.acquire_owned().await;
            scan_region(&shared, &region, &services, &tx).await;
        });
    }
    for service in req.services.iter().copied().filter(|s| s.is_global()) {
        let (shared, limit, tx) = (shared.clone(), limit.clone(), tx.clone());
        jobs.spawn(async move {
            let _permit = limit.acquire_owned().await;
            let cell = scan_global(&shared, service).await;
            let _ = tx.send(cell);
        });
    }
    while let Some(joined) = jobs.join_next().await {
        if let Err(e) = joined {
            // A panic in one region must not take the scan down; say so loudly in the log.
            tracing::error!("scan task failed: {e}");
        }
    }
    Ok(summary)
}

async fn scan_region(
    shared: &Shared,
    region: &RegionInfo,
    services: &[Service],
    tx: &mpsc::UnboundedSender<Cell>,
) {
    let name = region.name.as_str();
    if !region.enabled {
        for &service in services {
            let _ = tx.send(Cell {
                region: name.to_string(),
                service,
                state: State::NotOptedIn,
                managed: false,
                notifying: false,
                detail: "opt-in region not enabled for this account".to_string(),
            });
        }
        return;
    }
    let cx = shared.cx();
    let fetch = |service: Service| async move {
        let ops = services::ops(service);
        let status = bounded(shared.cell_timeout, ops.probe_action(), ops.probe(cx, name)).await;
        (service, status)
    };
    // The region's stacks load alongside its services, not after them.
    let (_, statuses) = tokio::join!(
        shared.stacks(name),
        futures::future::join_all(services.iter().map(|&s| fetch(s)))
    );
    for (service, status) in statuses {
        let _ = tx.send(finish(shared, name, service, status, name).await);
    }
}

/// An account-wide service: one cell, probed (and its stack looked for) where it is placed.
async fn scan_global(shared: &Shared, service: Service) -> Cell {
    let at = services::fixed_region(service, &shared.cfg)
        .unwrap_or_else(|| shared.cfg.home_region().to_string());
    let ops = services::ops(service);
    let (status, _) = tokio::join!(
        bounded(
            shared.cell_timeout,
            ops.probe_action(),
            ops.probe(shared.cx(), &at)
        ),
        shared.stacks(&at)
    );
    finish(shared, GLOBAL, service, status, &at).await
}

/// Combines a service's own status with awsmon's stacks: `managed` when awsmon's stack for it
/// exists in `stack_region`; `notifying` when the service is on, the hub is complete, and
/// (outside the home region, whose hub rules see events directly) the spoke is complete.
async fn finish(
    shared: &Shared,
    region: &str,
    service: Service,
    status: Result<ServiceStatus, AwsError>,
    stack_region: &str,
) -> Cell {
    let status = status.unwrap_or_else(|e| {
        let state = match e.kind {
            AwsErrorKind::RegionNotEnabled => State::NotOptedIn,
            AwsErrorKind::NotOffered => State::Unsupported,
            _ => State::Error,
        };
        ServiceStatus::new(state, e.to_string())
    });
    let spoke = naming::service_stack(&shared.cfg, service);
    let home = shared.cfg.home_region().to_string();
    let (managed, spoke_ready, stack_note) = match &shared.stacks(stack_region).await {
        Ok(stacks) => (
            stacks.exists(&spoke),
            stacks.is_ready(&spoke),
            stacks.problem(&spoke),
        ),
        Err(e) => (false, false, Some(format!("stacks unknown: {e}"))),
    };
    let hub_ready =
        matches!(shared.stacks(&home).await, Ok(s) if s.is_ready(&naming::hub_stack(&shared.cfg)));
    // Trusted Advisor and the budget are explicit opt-ins: they always need their own stack.
    let needs_spoke = stack_region != home || service.is_global();
    let on = matches!(status.state, State::Enabled | State::Partial);
    let notifying = on && hub_ready && (spoke_ready || !needs_spoke);
    let mut detail = status.detail;
    // When the service itself failed, its error says it all.
    if let (Some(note), false) = (stack_note, status.state == State::Error) {
        detail.push_str("; ");
        detail.push_str(&note);
    }
    Cell {
        region: region.to_string(),
        service,
        state: status.state,
        managed,
        notifying,
        detail,
    }
}

/// The first characters of an id, for compact details ("detector 3eb8…").
pub(crate) fn short_id(id: &str) -> String {
    let head: String = id.chars().take(4).collect();
    if id.chars().count() > 4 {
        format!("{head}…")
    } else {
        head
    }
}
