//! Test messages: `direct` formats an `awsmon.test` event with the notifier's own pipeline and
//! posts it to the route's webhooks from here; `pipeline` puts the same event on the home bus,
//! so it travels the deployed path (EventBridge → Lambda → Slack).

use std::str::FromStr;
use std::time::{Duration, Instant};

use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use awsmon_notifier::deliver::{Deliverer, Delivery, RetryPolicy};
use awsmon_notifier::event::{TEST_DETAIL_TYPE, TEST_SOURCE, test_detail, test_event};
use awsmon_notifier::{Service, Settings, WebhookUrl};

use crate::aws::{Aws, AwsError};
use crate::config::Config;
use crate::naming;

/// A route: the default webhooks, one service's, or a ROUTING_OVERRIDES entry's (by its
/// account or OU id), which the notifier honours for test messages.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Route {
    #[default]
    Default,
    Service(Service),
    Override(String),
}

impl Route {
    pub fn as_str(&self) -> &str {
        match self {
            Route::Default => "default",
            Route::Service(s) => s.as_str(),
            Route::Override(target) => target,
        }
    }

    /// The service whose route this is, if any.
    pub fn service(&self) -> Option<Service> {
        match self {
            Route::Service(s) => Some(*s),
            _ => None,
        }
    }

    /// The webhooks this route posts to (a service without its own uses the default ones;
    /// an override entry only its own).
    pub fn webhooks<'s>(&self, settings: &'s Settings) -> &'s [WebhookUrl] {
        match self {
            Route::Default => &settings.routes.default,
            Route::Service(s) => settings.routes.for_service(*s),
            Route::Override(target) => settings
                .overrides
                .get(target)
                .map_or(&[], |o| o.webhooks.as_slice()),
        }
    }

    /// Every route a test message can take under `settings`: the default, each service's,
    /// then each override entry that has webhooks of its own.
    pub fn all(settings: &Settings) -> Vec<Route> {
        std::iter::once(Route::Default)
            .chain(Service::ALL.into_iter().map(Route::Service))
            .chain(
                settings
                    .overrides
                    .iter()
                    .filter(|(_, o)| !o.webhooks.is_empty())
                    .map(|(t, _)| Route::Override(t.clone())),
            )
            .collect()
    }
}

impl FromStr for Route {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("default") {
            return Ok(Route::Default);
        }
        if let Ok(target) = crate::config::schema::org_target(s.trim()) {
            return Ok(Route::Override(target));
        }
        s.parse::<Service>()
            .map(Route::Service)
            .map_err(|e| format!("{e}, default, or a ROUTING_OVERRIDES entry's account or OU id"))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Direct,
    Pipeline,
}

impl FromStr for Via {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "direct" => Ok(Via::Direct),
            "pipeline" => Ok(Via::Pipeline),
            _ => Err(format!(
                "unknown delivery {s:?}: expected direct or pipeline"
            )),
        }
    }
}

/// Who asked, for the message's "Requested by" field.
pub fn requested_by() -> String {
    match std::env::var("USER") {
        Ok(user) if !user.is_empty() => format!("{user} via awsmon-tui"),
        _ => "awsmon-tui".to_string(),
    }
}

#[derive(Debug)]
pub enum TestError {
    /// The route has no webhook: nothing to post to.
    NoWebhook(Route),
    Client(String),
    Aws(AwsError),
    /// The hub is not deployed, so nothing on the bus would reach Slack.
    NoHub(String),
    Rejected(String),
}

impl std::fmt::Display for TestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TestError::NoWebhook(Route::Override(target)) => write!(
                f,
                "ROUTING_OVERRIDES has no entry for {target} with webhooks of its own: add one in config.yml or the routing editor (w)"
            ),
            TestError::NoWebhook(r) => write!(
                f,
                "no webhook for the {} route: set WEBHOOK_URLS (or WEBHOOK_URLS_{}) in config.yml",
                r.as_str(),
                r.service().map_or("<SERVICE>", Service::config_suffix)
            ),
            TestError::Client(e) => write!(f, "{e}"),
            TestError::Aws(e) => write!(f, "{e}"),
            TestError::NoHub(stack) => write!(
                f,
                "the notifier is not deployed ({stack} not found): run `awsmon-tui deploy notifier`, or use --via direct"
            ),
            TestError::Rejected(why) => write!(f, "EventBridge did not accept the event: {why}"),
        }
    }
}

impl std::error::Error for TestError {}

/// Formats the test message with the notifier's pipeline and posts it to every webhook of
/// `route`; one delivery (status, Slack's error, latency, masked URL) per webhook.
pub async fn direct(
    settings: &Settings,
    route: &Route,
    account: &str,
    policy: RetryPolicy,
    deadline: Duration,
) -> Result<Vec<Delivery>, TestError> {
    if route.webhooks(settings).is_empty() {
        return Err(TestError::NoWebhook(route.clone()));
    }
    let event = test_event(
        &test_detail(route.as_str(), None, Some(&requested_by())),
        &settings.home_region,
        account,
        &crate::text::iso_now(),
    );
    let prepared = awsmon_notifier::prepare(&event, settings);
    let deliverer = Deliverer::new(policy).map_err(|e| TestError::Client(e.to_string()))?;
    let report = awsmon_notifier::notify::deliver_all(
        &prepared,
        &deliverer,
        Some(Instant::now() + deadline),
    )
    .await;
    Ok(report
        .events
        .into_iter()
        .flat_map(|e| e.deliveries)
        .collect())
}

/// One webhook's answer for people: `ok      <masked url>  200  143 ms after 2 attempts`, or
/// `FAILED  …  400  12 ms  <Slack's error>`.
pub fn delivery_line(d: &Delivery) -> String {
    let status = d.last_status().map_or("-".to_string(), |s| s.to_string());
    let error = d
        .failure
        .as_deref()
        .or(d.slack_error().filter(|_| !d.ok))
        .map(|e| format!("  {e}"))
        .unwrap_or_default();
    let retries = if d.attempts.len() > 1 {
        format!(" after {} attempts", d.attempts.len())
    } else {
        String::new()
    };
    format!(
        "{:<7} {}  {status}  {} ms{retries}{error}",
        if d.ok { "ok" } else { "FAILED" },
        d.url,
        d.total_ms
    )
}

/// Puts an `awsmon.test` event on the home region's default bus; returns its event id.
pub async fn pipeline(aws: &Aws, cfg: &Config, route: &Route) -> Result<String, TestError> {
    if matches!(route, Route::Override(_)) && route.webhooks(&cfg.settings).is_empty() {
        return Err(TestError::NoWebhook(route.clone()));
    }
    let home = cfg.home_region();
    if !crate::inventory::stacks::hub_exists(aws, cfg)
        .await
        .map_err(TestError::Aws)?
    {
        return Err(TestError::NoHub(naming::hub_stack(cfg)));
    }
    let detail = test_detail(route.as_str(), None, Some(&requested_by()));
    let out = aws
        .eventbridge(home)
        .put_events()
        .entries(
            PutEventsRequestEntry::builder()
                .source(TEST_SOURCE)
                .detail_type(TEST_DETAIL_TYPE)
                .detail(detail.to_string())
                .event_bus_name("default")
                .build(),
        )
        .send()
        .await
        .map_err(|e| TestError::Aws(AwsError::classify("events:PutEvents", &e)))?;
    let entry = out.entries().first();
    match entry.and_then(|e| e.event_id()) {
        Some(id) if out.failed_entry_count() == 0 => Ok(id.to_string()),
        _ => Err(TestError::Rejected(
            entry
                .and_then(|e| e.error_message())
                .unwrap_or("no event id returned")
                .to_string(),
        )),
    }
}
