//! The Lambda side: where routing comes from (the SSM parameter, cached; or env vars for local
//! runs), the handler, and the error type the runtime reports.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use lambda_runtime::{Diagnostic, LambdaEvent};
use serde_json::Value;
use serde_json::value::RawValue;
use tokio::sync::Mutex;

use crate::dedupe::Verdict;
use crate::deliver::{Deliverer, RetryPolicy};
use crate::notify::{self, Report};
use crate::secret::WebhookUrl;
use crate::service::Service;
use crate::settings::Settings;
use crate::state_store::{Claim, StateStore};
use crate::time::epoch_now;

pub const ROUTING_PARAMETER_ENV: &str = "AWSMON_ROUTING_PARAMETER";
/// The hub's failure queue, where failed deliveries go when other webhooks took the message.
pub const FAILURE_QUEUE_ENV: &str = "AWSMON_FAILURE_QUEUE_URL";
pub const ROUTING_TTL_ENV: &str = "AWSMON_ROUTING_TTL_SECONDS";

/// Why an invocation failed. Lambda's retries and the on-failure queue then keep the event.
#[derive(Debug)]
pub enum NotifyError {
    /// Some webhook could not be reached or refused the message, and the failure could not be
    /// kept apart (none of the webhooks took it, or the failure queue did not).
    Delivery { failed: usize, total: usize },
    /// An event to send has no webhook on its route: nothing was posted, and failing keeps the
    /// event (Lambda's retries, then the failure queue) instead of losing it quietly.
    NoWebhook { routes: Vec<String> },
    /// The routing parameter could not be read and nothing was cached.
    Routing(String),
    /// The state table could not be read for the digest.
    State(String),
}

impl std::fmt::Display for NotifyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotifyError::Delivery { failed, total } => {
                write!(f, "{failed} of {total} deliveries failed")
            }
            NotifyError::Routing(why) => write!(f, "routing unavailable: {why}"),
            NotifyError::State(why) => write!(f, "state table unavailable: {why}"),
            NotifyError::NoWebhook { routes } => write!(
                f,
                "no webhook configured for the {} {}: set WEBHOOK_URLS (or the service's own) and run `awsmon-tui routing push`",
                routes.join(", "),
                if routes.len() == 1 { "route" } else { "routes" }
            ),
        }
    }
}

impl std::error::Error for NotifyError {}

impl From<NotifyError> for Diagnostic {
    fn from(e: NotifyError) -> Self {
        let kind = match e {
            NotifyError::Delivery { .. } => "awsmon.DeliveryFailed",
            NotifyError::Routing(_) => "awsmon.RoutingUnavailable",
            NotifyError::State(_) => "awsmon.StateUnavailable",
            NotifyError::NoWebhook { .. } => "awsmon.NoWebhook",
        };
        Diagnostic {
            error_type: kind.to_string(),
            error_message: e.to_string(),
        }
    }
}

/// Routing settings: the SSM SecureString named by `AWSMON_ROUTING_PARAMETER`, read on first
/// use and then every `AWSMON_ROUTING_TTL_SECONDS` (60), so edits apply without a redeploy.
/// Without the parameter, env vars: `AWSMON_SETTINGS` (the JSON), or `AWSMON_WEBHOOK_URLS`
/// and `AWSMON_WEBHOOK_URLS_<SERVICE>` plus `AWSMON_HOME_REGION`.
pub struct RoutingSource {
    parameter: Option<String>,
    ttl: Duration,
    cache: Mutex<Option<(Instant, Arc<Settings>)>>,
    ssm: tokio::sync::OnceCell<aws_sdk_ssm::Client>,
}

impl RoutingSource {
    pub fn from_env() -> Self {
        RoutingSource {
            parameter: std::env::var(ROUTING_PARAMETER_ENV)
                .ok()
                .filter(|p| !p.is_empty()),
            ttl: Duration::from_secs(
                std::env::var(ROUTING_TTL_ENV)
                    .ok()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(60),
            ),
            cache: Mutex::new(None),
            ssm: tokio::sync::OnceCell::new(),
        }
    }

    /// A source reading `parameter` through `client`, refreshed after `ttl`.
    pub fn with_client(parameter: &str, ttl: Duration, client: aws_sdk_ssm::Client) -> Self {
        RoutingSource {
            parameter: Some(parameter.to_string()),
            ttl,
            cache: Mutex::new(None),
            ssm: tokio::sync::OnceCell::new_with(Some(client)),
        }
    }

    pub async fn settings(&self) -> Result<Arc<Settings>, NotifyError> {
        let Some(name) = &self.parameter else {
            return Ok(Arc::new(enforce(settings_from_env())));
        };
        let mut cache = self.cache.lock().await;
        if let Some((at, s)) = cache.as_ref()
            && at.elapsed() < self.ttl
        {
            return Ok(s.clone());
        }
        match self.fetch(name).await {
            Ok(settings) => {
                let settings = Arc::new(enforce(settings));
                *cache = Some((Instant::now(), settings.clone()));
                Ok(settings)
            }
            // A stale copy beats failing every invocation while SSM is unreachable.
            Err(why) => match cache.as_ref() {
                Some((_, s)) => {
                    tracing::warn!(error = %why, "routing refresh failed; using the cached copy");
                    Ok(s.clone())
                }
                None => Err(NotifyError::Routing(why)),
            },
        }
    }

    async fn fetch(&self, name: &str) -> Result<Settings, String> {
        let client = self
            .ssm
            .get_or_init(|| async { aws_sdk_ssm::Client::new(&sdk_config().await) })
            .await;
        let out = client
            .get_parameter()
            .name(name)
            .with_decryption(true)
            .send()
            .await
            .map_err(|e| {
                format!(
                    "ssm:GetParameter {name}: {}",
                    aws_sdk_ssm::error::DisplayErrorContext(&e)
                )
            })?;
        let value = out.parameter().and_then(|p| p.value()).unwrap_or_default();
        let mut settings = parse_routing(name, value)?;
        if settings.account_pages > 0 {
            add_account_names(client, name, &mut settings).await;
        }
        Ok(settings)
    }
}

/// Merges the account names kept in the pages beside the routing parameter (past its 8 KB).
/// Names only decorate messages: a page that cannot be read is logged and its accounts are
/// named by id, the routing still applies.
async fn add_account_names(client: &aws_sdk_ssm::Client, routing: &str, settings: &mut Settings) {
    // Capped: the count comes from the parameter, and a bad one must not mean many calls.
    let names: Vec<String> = (1..=settings
        .account_pages
        .min(crate::settings::MAX_ACCOUNT_PAGES))
        .map(|page| crate::settings::account_names_parameter(routing, page))
        .collect();
    // GetParameters takes at most 10 names a call.
    for chunk in names.chunks(10) {
        let out = match client
            .get_parameters()
            .set_names(Some(chunk.to_vec()))
            .with_decryption(true)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) => {
                tracing::warn!(
                    error = %aws_sdk_ssm::error::DisplayErrorContext(&e),
                    "account names unavailable: messages name these accounts by id"
                );
                continue;
            }
        };
        for missing in out.invalid_parameters() {
            tracing::warn!(parameter = %missing, "account names page missing: run `awsmon-tui routing push`");
        }
        for p in out.parameters() {
            match serde_json::from_str::<std::collections::BTreeMap<String, String>>(
                p.value().unwrap_or_default(),
            ) {
                Ok(page) => settings.accounts.extend(page),
                Err(e) => tracing::warn!(
                    parameter = p.name().unwrap_or_default(),
                    line = e.line(),
                    column = e.column(),
                    "account names page is not a JSON map of id to name; skipped"
                ),
            }
        }
    }
}

/// The routing parameter's value read as settings. Never echoes the value: it holds webhook
/// URLs. Routing this build cannot read in full (overrides it would ignore) fails loudly: the
/// messages wait in the retry queue instead of going to the wrong channel.
fn parse_routing(name: &str, value: &str) -> Result<Settings, String> {
    let settings: Settings = serde_json::from_str(value).map_err(|e| {
        format!(
            "parameter {name} is not valid routing JSON (line {}, column {})",
            e.line(),
            e.column()
        )
    })?;
    if settings.version > crate::settings::SETTINGS_VERSION {
        return Err(format!(
            "parameter {name} holds routing version {}, newer than this notifier reads ({}): deploy the notifier again (awsmon-tui deploy notifier)",
            settings.version,
            crate::settings::SETTINGS_VERSION
        ));
    }
    Ok(settings)
}

/// Routing as the notifier will use it: webhooks on private addresses dropped (logged, masked)
/// unless ALLOW_PRIVATE_WEBHOOKS.
fn enforce(settings: Settings) -> Settings {
    let (settings, dropped) = settings.without_private_webhooks();
    if !dropped.is_empty() {
        tracing::error!(webhooks = ?dropped, "webhooks on private or link-local addresses ignored (set ALLOW_PRIVATE_WEBHOOKS: true to allow them)");
    }
    settings
}

/// The SDK's configuration as Lambda provides it (credentials, region and `AWS_ENDPOINT_URL`
/// from the environment), with an HTTPS client of our own: the SDK crates are built without
/// their default client, and without one every call fails with "No HTTP client was available".
pub async fn sdk_config() -> aws_config::SdkConfig {
    use aws_config::timeout::TimeoutConfig;
    use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .build_https();
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(http)
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(3))
                .operation_timeout(Duration::from_secs(10))
                .build(),
        )
        .load()
        .await
}

/// Settings from env vars, for local runs and tests.
pub fn settings_from_env() -> Settings {
    if let Ok(json) = std::env::var("AWSMON_SETTINGS") {
        match serde_json::from_str::<Settings>(&json) {
            Ok(s) => return s,
            Err(e) => tracing::error!(
                line = e.line(),
                column = e.column(),
                "AWSMON_SETTINGS is not valid routing JSON; using the other AWSMON_* variables"
            ),
        }
    }
    let urls = |var: &str| -> Vec<WebhookUrl> {
        std::env::var(var)
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .filter_map(|u| match WebhookUrl::parse(u) {
                Ok(url) => Some(url),
                Err(e) => {
                    tracing::error!(var, url = %crate::secret::mask_url(u), error = %e, "ignoring a webhook URL");
                    None
                }
            })
            .collect()
    };
    let mut s = Settings::default();
    s.routes.default = urls("AWSMON_WEBHOOK_URLS");
    for svc in Service::ALL {
        let list = urls(&format!("AWSMON_WEBHOOK_URLS_{}", svc.config_suffix()));
        if !list.is_empty() {
            s.routes.per_service.insert(svc, list);
        }
    }
    if let Ok(home) = std::env::var("AWSMON_HOME_REGION") {
        s.home_region = home;
    }
    s
}

pub struct Notifier {
    pub routing: RoutingSource,
    pub deliverer: Deliverer,
    /// `AWSMON_FAILURE_QUEUE_URL`; without it, any failed delivery fails the invocation.
    pub failure_queue: Option<String>,
    sqs: tokio::sync::OnceCell<aws_sdk_sqs::Client>,
    /// `AWSMON_STATE_TABLE`; without it, nothing is de-duplicated.
    pub state_table: Option<String>,
    state: tokio::sync::OnceCell<StateStore>,
}

impl Notifier {
    pub fn from_env() -> Result<Self, crate::deliver::ClientError> {
        Ok(Notifier {
            routing: RoutingSource::from_env(),
            deliverer: Deliverer::new(RetryPolicy::default())?,
            failure_queue: std::env::var(FAILURE_QUEUE_ENV)
                .ok()
                .filter(|q| !q.is_empty()),
            sqs: tokio::sync::OnceCell::new(),
            state_table: std::env::var(crate::dedupe::STATE_TABLE_ENV)
                .ok()
                .filter(|t| !t.is_empty()),
            state: tokio::sync::OnceCell::new(),
        })
    }

    fn store(&self, table: &str) -> impl std::future::Future<Output = &StateStore> {
        self.state.get_or_init(move || async move {
            StateStore::new(table, aws_sdk_dynamodb::Client::new(&sdk_config().await))
        })
    }

    /// Counts what this invocation kept quiet, by service: each SUPPRESS rule's matches and
    /// the duplicates dropped, in the hour's tally (the console's rules list and the digest
    /// read them). Best effort: a failure is logged.
    async fn tally(&self, table: &str, prepared: &[crate::Prepared], settings: &Settings) {
        let mut counts: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
        for p in prepared {
            let crate::Decision::Drop { reason } = &p.decision else {
                continue;
            };
            let name = if reason.starts_with(crate::dedupe::REASON_PREFIX) {
                crate::digest::deduplicated_attr(p.service_name())
            } else if let Some(rule) =
                crate::pipeline::suppressed_by(reason).and_then(|i| settings.suppress.get(i))
            {
                crate::digest::suppressed_attr(p.service_name(), &rule.fingerprint())
            } else {
                continue;
            };
            *counts.entry(name).or_default() += 1;
        }
        if counts.is_empty() {
            return;
        }
        let counts: Vec<(String, u64)> = counts.into_iter().collect();
        if let Err(why) = self.store(table).await.tally(&counts, epoch_now()).await {
            tracing::warn!(error = %why, "could not count what was kept quiet");
        }
    }

    /// Claims every event about to be sent (test messages aside) in the state table: a
    /// duplicate is dropped with its reason, an escalation is marked. The state failing never
    /// stops a message: it is sent, perhaps twice, and the failure logged.
    async fn claim_all(
        &self,
        table: &str,
        prepared: &mut [crate::Prepared],
        settings: &Settings,
        lease_until: i64,
    ) -> Vec<(usize, Claim)> {
        let store = self.store(table).await;
        let now = epoch_now();
        let window = i64::from(settings.dedupe_hours) * 3600;
        let wanted: Vec<usize> = prepared
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                p.decision.is_send()
                    && p.payload.is_some()
                    && p.kind != crate::event::TEST_DETAIL_TYPE
            })
            .map(|(i, _)| i)
            .collect();
        let claims = futures::future::join_all(
            wanted
                .iter()
                .map(|&i| store.claim(&prepared[i], now, lease_until, window)),
        )
        .await;
        let mut held = Vec::new();
        for (i, claim) in wanted.into_iter().zip(claims) {
            let p = &mut prepared[i];
            match claim {
                Ok(claim) => match &claim.verdict {
                    Verdict::Fresh => held.push((i, claim)),
                    Verdict::Escalated { from } => {
                        if let Some(msg) = &p.payload {
                            p.payload = Some(crate::dedupe::escalate(msg, *from, claim.band));
                        }
                        held.push((i, claim));
                    }
                    verdict => {
                        p.decision = crate::Decision::Drop {
                            reason: crate::dedupe::reason(verdict, settings.dedupe_hours)
                                .unwrap_or_default(),
                        };
                    }
                },
                Err(why) => {
                    tracing::warn!(id = %p.id, error = %why, "de-duplication state unavailable; sending without it");
                }
            }
        }
        held
    }

    /// After delivery: a claim whose message reached some webhook is marked sent (the others
    /// wait in the failure queue); one that reached none is released for Lambda's retry.
    async fn settle(&self, claims: &[(usize, Claim)], report: &Report, settings: &Settings) {
        let Some(store) = self.state.get() else {
            return;
        };
        let now = epoch_now();
        let window = i64::from(settings.dedupe_hours) * 3600;
        let settled = claims.iter().map(|(i, claim)| async move {
            let delivered = report
                .events
                .get(*i)
                .is_some_and(|e| e.deliveries.iter().any(|d| d.ok));
            let result = if delivered {
                store.sent(claim, now, window).await
            } else {
                store.release(claim).await
            };
            if let Err(why) = result {
                tracing::warn!(key = %claim.key, delivered, error = %why, "could not record the delivery in the state table");
            }
        });
        futures::future::join_all(settled).await;
    }

    /// One invocation. Each webhook is delivered to on its own: when some took the message and
    /// others did not, the failed ones go to the failure queue (for a redrive to those webhooks
    /// only) and the invocation succeeds, so Lambda's retry never posts a second copy to the
    /// healthy channels. It fails when nothing could be delivered (Lambda retries it all), when
    /// the failures cannot be queued, when an event has no webhook, or without routing.
    pub async fn handle(&self, event: LambdaEvent<Box<RawValue>>) -> Result<Value, NotifyError> {
        let deadline = instant_from(event.context.deadline());
        let settings = self.routing.settings().await?;
        if let Some(at) = crate::digest::request(event.payload.get().as_bytes()) {
            return self.digest(&settings, &event.context, at.as_deref()).await;
        }
        // The payload's bytes, cut and parsed by the pipeline: no whole `Value` is built. The
        // runtime has already checked that they are JSON.
        let mut prepared = Vec::new();
        if let Err(e) =
            crate::pipeline::prepare_slice(event.payload.get().as_bytes(), &settings, |p| {
                prepared.push(p);
            })
        {
            tracing::error!(error = %e, "the payload is not JSON");
        }
        // An account the routing's Organization snapshot lacks joined (or moved) since the
        // routing was written: its OU's overrides cannot apply until it is written again.
        if !settings.accounts.is_empty() && !settings.overrides.is_empty() {
            for p in prepared
                .iter()
                .filter(|p| !p.account.is_empty() && !settings.accounts.contains_key(&p.account))
            {
                tracing::warn!(
                    id = %p.id,
                    account = %p.account,
                    "account not in the routing's Organization snapshot: ROUTING_OVERRIDES apply to it only through its own or the root's entry; run `awsmon-tui routing push` to refresh"
                );
            }
        }
        // Checked before anything is posted, so a retry sends nothing twice.
        let mut routes: Vec<String> = prepared
            .iter()
            .filter(|p| p.decision.is_send() && p.routes.is_empty())
            .map(|p| p.service_name().to_string())
            .collect();
        if !routes.is_empty() {
            routes.sort();
            routes.dedup();
            return Err(NotifyError::NoWebhook { routes });
        }
        // With DEDUPE_HOURS 0 sends are still recorded (each window ends at once): the digest
        // reads them.
        let claims = match &self.state_table {
            Some(table) => {
                let lease_until = epoch_of(event.context.deadline()) + 5;
                self.claim_all(table, &mut prepared, &settings, lease_until)
                    .await
            }
            _ => Vec::new(),
        };
        if let Some(table) = &self.state_table {
            self.tally(table, &prepared, &settings).await;
        }
        let mut report: Report = notify::deliver_all(&prepared, &self.deliverer, deadline).await;
        for e in &mut report.events {
            if e.reason
                .as_deref()
                .is_some_and(|r| r.starts_with(crate::dedupe::REASON_PREFIX))
            {
                e.drop_reason = Some(crate::metrics::DropReason::Deduplicated);
            }
        }
        self.settle(&claims, &report, &settings).await;
        write_metrics(&report);
        let failed = report.failed_deliveries();
        let total = report.deliveries();
        let mut queued = 0;
        if failed > 0 {
            match (&self.failure_queue, failed < total) {
                (Some(queue), true) => {
                    let payload = serde_json::from_str(event.payload.get()).unwrap_or_default();
                    match self.keep_undelivered(queue, &payload, &report).await {
                        Ok(()) => queued = failed,
                        Err(why) => {
                            tracing::error!(error = %why, "could not queue the failed deliveries");
                            return Err(NotifyError::Delivery { failed, total });
                        }
                    }
                }
                _ => return Err(NotifyError::Delivery { failed, total }),
            }
        }
        let mut out = serde_json::json!({"events": report.events.len(), "sent": report.sent(), "deliveries": total});
        if queued > 0 {
            out["queued"] = Value::from(queued);
        }
        Ok(out)
    }

    /// The daily digest, one message per route, from the state table. Each route's digest is
    /// claimed by the schedule's time and the route, so a repeated delivery sends nothing
    /// twice and a retry sends only to the routes that did not take it: the invocation fails
    /// while any route is left.
    async fn digest(
        &self,
        settings: &Settings,
        context: &lambda_runtime::Context,
        at: Option<&str>,
    ) -> Result<Value, NotifyError> {
        let Some(table) = &self.state_table else {
            tracing::error!(
                "digest asked for, but the notifier has no state table (AWSMON_STATE_TABLE): deploy the hub again"
            );
            return Ok(serde_json::json!({"digest": "no state table"}));
        };
        let store = self.store(table).await;
        let now = epoch_now();
        let (records, tally) = store
            .digest_input(now)
            .await
            .map_err(|why| NotifyError::State(format!("digest: {why}")))?;
        let slot = crate::digest::slot(at, now);
        let lease_until = epoch_of(context.deadline()) + 5;
        let mut prepared = Vec::new();
        let mut claims = Vec::new();
        let mut already = 0;
        for d in crate::digest::build(&records, &tally, settings, now) {
            let p = crate::Prepared {
                id: format!("digest-{slot}-{}", d.route),
                event_id: context.request_id.clone(),
                kind: crate::digest::KIND.to_string(),
                service: None,
                region: String::new(),
                time: String::new(),
                title: "daily digest".into(),
                severity: None,
                decision: crate::Decision::Send {
                    mention: crate::Mention::None,
                },
                routes: d.webhooks,
                via: Some(d.route),
                account: String::new(),
                link: None,
                payload: Some(d.message),
            };
            match store.claim(&p, now, lease_until, 20 * 3600).await {
                Ok(claim) if claim.verdict == Verdict::Fresh => claims.push(Some(claim)),
                Ok(claim) => {
                    tracing::info!(route = ?p.via, verdict = ?claim.verdict, "this digest was sent to the route already");
                    already += 1;
                    continue;
                }
                Err(why) => {
                    tracing::warn!(error = %why, "could not claim the digest; sending it anyway");
                    claims.push(None);
                }
            }
            prepared.push(p);
        }
        if prepared.is_empty() && already > 0 {
            return Ok(serde_json::json!({"digest": "sent already"}));
        }
        let report =
            notify::deliver_all(&prepared, &self.deliverer, instant_from(context.deadline())).await;
        write_metrics(&report);
        let mut missed = 0;
        for (i, claim) in claims.iter().enumerate() {
            let delivered = report
                .events
                .get(i)
                .is_some_and(|e| e.deliveries.iter().any(|d| d.ok));
            missed += usize::from(!delivered);
            let Some(claim) = claim else { continue };
            let done = if delivered {
                store.sent(claim, now, 20 * 3600).await
            } else {
                store.release(claim).await
            };
            if let Err(why) = done {
                tracing::warn!(error = %why, "could not record the digest in the state table");
            }
        }
        let failed = report.failed_deliveries();
        let total = report.deliveries();
        if missed > 0 {
            return Err(NotifyError::Delivery { failed, total });
        }
        if failed > 0 {
            tracing::error!(
                failed,
                total,
                "a webhook refused the digest; its route's other webhooks took it"
            );
        }
        Ok(
            serde_json::json!({"digest": prepared.len(), "records": records.len(), "deliveries": total, "failed": failed}),
        )
    }

    async fn keep_undelivered(
        &self,
        queue: &str,
        payload: &Value,
        report: &Report,
    ) -> Result<(), String> {
        let Some(record) = notify::Undelivered::from_report(payload, report) else {
            return Ok(());
        };
        let body = serde_json::to_string(&record).map_err(|e| e.to_string())?;
        let client = self
            .sqs
            .get_or_init(|| async { aws_sdk_sqs::Client::new(&sdk_config().await) })
            .await;
        client
            .send_message()
            .queue_url(queue)
            .message_body(body)
            .send()
            .await
            .map_err(|e| {
                format!(
                    "sqs:SendMessage: {}",
                    aws_sdk_sqs::error::DisplayErrorContext(&e)
                )
            })?;
        tracing::warn!(
            failed = record.failed.len(),
            webhooks = ?record.failed.iter().map(|f| f.masked.as_str()).collect::<Vec<_>>(),
            "kept the failed deliveries in the failure queue for a redrive"
        );
        Ok(())
    }
}

/// One EMF line per document on stdout, where Lambda's log agent picks them up.
fn write_metrics(report: &Report) {
    use std::io::Write as _;
    let function = std::env::var("AWS_LAMBDA_FUNCTION_NAME").unwrap_or_default();
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    let mut out = std::io::stdout().lock();
    for doc in crate::metrics::documents(report, &function, now) {
        let _ = writeln!(out, "{doc}");
    }
}

fn epoch_of(t: SystemTime) -> i64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// The invocation's deadline, less a margin to report back in.
fn instant_from(deadline: SystemTime) -> Option<Instant> {
    let left = deadline.duration_since(SystemTime::now()).ok()?;
    Some(Instant::now() + left.saturating_sub(Duration::from_millis(500)))
}

/// JSON logs on stdout, which Lambda sends to CloudWatch: one line per event, no ANSI.
pub fn init_tracing() {
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("AWSMON_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_current_span(false)
        .with_ansi(false)
        .without_time()
        .with_target(false)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routing_newer_than_this_notifier_is_refused_and_never_echoed() {
        let name = "/monitoring/awsmon/routing";
        let ok = parse_routing(name, r#"{"version":2,"home_region":"eu-west-1"}"#).expect("v2");
        assert_eq!(ok.home_region, "eu-west-1");
        let newer = r#"{"version":3,"routes":{"default":["https://hooks.slack.com/services/T0/B0/SECRET"]}}"#;
        let err = parse_routing(name, newer).expect_err("v3");
        assert_eq!(
            err,
            "parameter /monitoring/awsmon/routing holds routing version 3, newer than this notifier reads (2): deploy the notifier again (awsmon-tui deploy notifier)"
        );
        let bad = parse_routing(
            name,
            "{\"routes\": \"https://hooks.slack.com/services/T0/B0/SECRET",
        )
        .expect_err("bad");
        assert!(!bad.contains("SECRET"), "{bad}");
    }
}
