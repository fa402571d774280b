//! `notifier status` and the console header's health line: errors and throttles in the last
//! 24 h (CloudWatch, AWS/Lambda), the failure queue's depth, the last successful delivery (the
//! notifier's own EMF metric), and the deployed build against the bundled one. Each part is
//! read on its own; one that cannot be read is reported, not fatal.

use std::time::{Duration, SystemTime};

use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricDataResult, MetricStat};
use aws_sdk_sqs::types::QueueAttributeName;
use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use awsmon_notifier::metrics;
use serde::Serialize;

use crate::aws::{Aws, AwsError};
use crate::config::Config;
use crate::naming;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Health {
    pub function: String,
    pub region: String,
    /// Whether the function exists.
    pub deployed: bool,
    /// The deployed zip's sha256 (hex), from the function's CodeSha256.
    pub deployed_build: Option<String>,
    /// The zip this binary would deploy.
    pub bundled_build: Option<String>,
    pub errors_24h: Option<f64>,
    pub throttles_24h: Option<f64>,
    /// Undelivered events in the failure queue (visible and in flight).
    pub queue_depth: Option<u64>,
    /// When the notifier last delivered a message (its `Deliveries` metric, last 7 days).
    pub last_delivery: Option<String>,
    /// What could not be read, and why.
    pub unreadable: Vec<String>,
}

impl Health {
    /// Everything that needs a person, most urgent first. Empty means healthy.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !self.deployed {
            out.push(format!(
                "{} is not deployed: run `awsmon-tui deploy notifier`",
                self.function
            ));
            return out;
        }
        if let Some(n) = self.queue_depth.filter(|n| *n > 0) {
            out.push(format!(
                "{n} undelivered event(s) in the failure queue: fix the cause, then `awsmon-tui notifier redrive`"
            ));
        }
        if let Some(n) = self.errors_24h.filter(|n| *n > 0.0) {
            out.push(format!("{n} failed invocation(s) in the last 24 h"));
        }
        if let Some(n) = self.throttles_24h.filter(|n| *n > 0.0) {
            out.push(format!("{n} throttled invocation(s) in the last 24 h"));
        }
        if let (Some(d), Some(b)) = (&self.deployed_build, &self.bundled_build)
            && d != b
        {
            out.push(format!(
                "deployed build {} differs from this binary's {}: `awsmon-tui deploy notifier` updates it",
                short(d),
                short(b)
            ));
        }
        out.extend(
            self.unreadable
                .iter()
                .map(|u| format!("could not read {u}")),
        );
        out
    }

    pub fn is_healthy(&self) -> bool {
        self.problems().is_empty()
    }

    /// One line for the console header.
    pub fn summary(&self) -> String {
        if !self.deployed {
            return "notifier: not deployed".to_string();
        }
        let count = |v: Option<f64>| v.map_or("?".to_string(), |n| format!("{n}"));
        let queue = self.queue_depth.map_or("?".to_string(), |n| n.to_string());
        let last = self
            .last_delivery
            .as_deref()
            .map_or("none in 7 d".to_string(), ToString::to_string);
        let build = match (&self.deployed_build, &self.bundled_build) {
            (Some(d), Some(b)) if d == b => "current build".to_string(),
            (Some(d), Some(_)) => format!("build {} (outdated)", short(d)),
            (Some(d), None) => format!("build {}", short(d)),
            (None, _) => "build ?".to_string(),
        };
        format!(
            "notifier: {} errors, {} throttles /24h · queue {queue} · last delivery {last} · {build}",
            count(self.errors_24h),
            count(self.throttles_24h)
        )
    }
}

fn short(sha: &str) -> &str {
    &sha[..12.min(sha.len())]
}

/// Reads the notifier's health in the home region. `bundled` is the sha256 this binary deploys.
pub async fn fetch(aws: &Aws, cfg: &Config, bundled: Option<String>) -> Health {
    fetch_at(aws, cfg, bundled, SystemTime::now()).await
}

pub async fn fetch_at(aws: &Aws, cfg: &Config, bundled: Option<String>, now: SystemTime) -> Health {
    let home = cfg.home_region().to_string();
    let function = naming::notifier_function(cfg);
    let mut health = Health {
        function: function.clone(),
        region: home.clone(),
        deployed: false,
        deployed_build: None,
        bundled_build: bundled,
        errors_24h: None,
        throttles_24h: None,
        queue_depth: None,
        last_delivery: None,
        unreadable: Vec::new(),
    };
    let (code, queue, metrics) = tokio::join!(
        deployed_build(aws, &home, &function),
        failure_queue_depth(aws, cfg),
        read_metrics(aws, &home, &function, now),
    );
    match code {
        Ok(Some(sha)) => {
            health.deployed = true;
            health.deployed_build = Some(sha);
        }
        Ok(None) => return health,
        Err(e) => {
            // Unknown, not absent: say so rather than claim it is missing.
            health.deployed = true;
            health.unreadable.push(format!("the function: {e}"));
        }
    }
    match queue {
        Ok(n) => health.queue_depth = n,
        Err(e) => health.unreadable.push(format!("the failure queue: {e}")),
    }
    match metrics {
        Ok(m) => {
            health.errors_24h = Some(m.errors);
            health.throttles_24h = Some(m.throttles);
            health.last_delivery = m.last_delivery;
        }
        Err(e) => health.unreadable.push(format!("metrics: {e}")),
    }
    health
}

/// The deployed zip's sha256 as hex; `None` when the function does not exist.
async fn deployed_build(
    aws: &Aws,
    region: &str,
    function: &str,
) -> Result<Option<String>, AwsError> {
    match aws
        .lambda(region)
        .get_function_configuration()
        .function_name(function)
        .send()
        .await
    {
        Ok(conf) => Ok(Some(
            conf.code_sha256()
                .and_then(|b64| aws_smithy_types::base64::decode(b64).ok())
                .map(|bytes| hex(&bytes))
                .unwrap_or_default(),
        )),
        Err(e) => {
            let err = AwsError::classify("lambda:GetFunctionConfiguration", &e);
            if err.code.as_deref() == Some("ResourceNotFoundException") {
                Ok(None)
            } else {
                Err(err)
            }
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Undelivered events in the failure queue (visible and in flight); `None` without a queue.
pub async fn failure_queue_depth(aws: &Aws, cfg: &Config) -> Result<Option<u64>, AwsError> {
    let Some(url) = super::failure_queue_url(aws, cfg).await? else {
        return Ok(None);
    };
    let out = aws
        .sqs(cfg.home_region())
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
        .send()
        .await
        .map_err(|e| AwsError::classify("sqs:GetQueueAttributes", &e))?;
    let attrs = out.attributes();
    let n = |k: QueueAttributeName| -> u64 {
        attrs
            .and_then(|a| a.get(&k))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    Ok(Some(
        n(QueueAttributeName::ApproximateNumberOfMessages)
            + n(QueueAttributeName::ApproximateNumberOfMessagesNotVisible),
    ))
}

struct Metrics {
    errors: f64,
    throttles: f64,
    last_delivery: Option<String>,
}

const DAY: Duration = Duration::from_hours(24);

async fn read_metrics(
    aws: &Aws,
    region: &str,
    function: &str,
    now: SystemTime,
) -> Result<Metrics, AwsError> {
    let query = |id: &str, namespace: &str, name: &str, dim: &str, period: i32| {
        MetricDataQuery::builder()
            .id(id)
            .metric_stat(
                MetricStat::builder()
                    .metric(
                        Metric::builder()
                            .namespace(namespace)
                            .metric_name(name)
                            .dimensions(Dimension::builder().name(dim).value(function).build())
                            .build(),
                    )
                    .period(period)
                    .stat("Sum")
                    .build(),
            )
            .return_data(true)
            .build()
    };
    let end = DateTime::from(now);
    let week = DateTime::from(now - DAY * 7);
    let day = DateTime::from(now - DAY);
    let cw = aws.cloudwatch(region);
    // One call for the 24 h counts, one for the week of deliveries (different windows).
    let counts = results(
        cw.get_metric_data()
            .metric_data_queries(query(
                "errors",
                "AWS/Lambda",
                "Errors",
                "FunctionName",
                3600,
            ))
            .metric_data_queries(query(
                "throttles",
                "AWS/Lambda",
                "Throttles",
                "FunctionName",
                3600,
            ))
            .start_time(day)
            .end_time(end),
    )
    .await?;
    let sum = |id: &str| -> f64 {
        counts
            .iter()
            .filter(|r| r.id() == Some(id))
            .flat_map(|r| r.values().iter())
            .fold(0.0, |a, b| a + b)
    };
    let deliveries = results(
        cw.get_metric_data()
            .metric_data_queries(query(
                "deliveries",
                metrics::NAMESPACE,
                metrics::name::DELIVERIES,
                "Function",
                300,
            ))
            .start_time(week)
            .end_time(end),
    )
    .await?;
    let last_delivery = deliveries
        .iter()
        .flat_map(|r| r.timestamps().iter().zip(r.values().iter()))
        .filter(|(_, v)| **v > 0.0)
        .map(|(t, _)| *t)
        .max()
        .and_then(|t| t.fmt(Format::DateTime).ok());
    Ok(Metrics {
        errors: sum("errors"),
        throttles: sum("throttles"),
        last_delivery,
    })
}

/// Every page's results (a long window can span pages).
async fn results(
    request: aws_sdk_cloudwatch::operation::get_metric_data::builders::GetMetricDataFluentBuilder,
) -> Result<Vec<MetricDataResult>, AwsError> {
    let mut pages = request.into_paginator().send();
    let mut out = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::classify("cloudwatch:GetMetricData", &e))?;
        out.extend(page.metric_data_results().iter().cloned());
    }
    Ok(out)
}
