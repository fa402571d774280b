//! The budget: when this month's spend would trigger one of awsmon's alerts (forecast above
//! the threshold, or actual above 100 %), the notification AWS Budgets would send, as the SNS
//! event the notifier receives.

use serde_json::{Value, json};

use super::probe as budget;
use crate::aws::{Aws, AwsError};
use crate::config::Config;
use crate::naming;

/// This month's numbers for the editor and for alerts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spend {
    pub limit: f64,
    pub actual: f64,
    pub forecast: f64,
}

impl Spend {
    /// The alerts these numbers trigger with `threshold` % for the forecast: (type, amount,
    /// threshold amount).
    pub fn alerts(&self, threshold: f64) -> Vec<(&'static str, f64, f64)> {
        let mut out = Vec::new();
        let forecast_at = self.limit * threshold / 100.0;
        if self.forecast > forecast_at {
            out.push(("FORECASTED", self.forecast, forecast_at));
        }
        if self.actual > self.limit {
            out.push(("ACTUAL", self.actual, self.limit));
        }
        out
    }
}

pub async fn spend(aws: &Aws, cfg: &Config, account: &str) -> Result<Option<Spend>, AwsError> {
    let Some(b) = budget::describe(aws, account, &naming::budget_name(cfg)).await? else {
        return Ok(None);
    };
    let amount = |s: Option<&aws_sdk_budgets::types::Spend>| {
        s.and_then(|s| s.amount().parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    let calc = b.calculated_spend();
    Ok(Some(Spend {
        limit: amount(b.budget_limit()),
        actual: amount(calc.and_then(|c| c.actual_spend())),
        forecast: amount(calc.and_then(|c| c.forecasted_spend())),
    }))
}

pub async fn events(aws: &Aws, cfg: &Config, account: &str) -> Result<Vec<Value>, AwsError> {
    let Some(s) = spend(aws, cfg, account).await? else {
        return Ok(Vec::new());
    };
    let name = naming::budget_name(cfg);
    let topic = naming::budget_topic_arn(cfg, account);
    Ok(s.alerts(cfg.budget_threshold_percentage)
        .into_iter()
        .map(|(kind, amount, at)| sns_alert((&name, &topic), account, s.limit, kind, amount, at))
        .collect())
}

/// The SNS Lambda event carrying AWS Budgets' plain-text notification.
pub fn sns_alert(
    (name, topic): (&str, &str),
    account: &str,
    limit: f64,
    kind: &str,
    amount: f64,
    at: f64,
) -> Value {
    let message = format!(
        "AWS Budget Notification\nAWS Account {account}\n\nDear AWS Customer,\n\nYou requested that we alert you when the {kind} Cost associated with your {name} budget is greater than ${at:.2} for the current month. The {kind} Cost associated with this budget is ${amount:.2}.\n\nBudget Name: {name}\nBudget Type: Cost\nBudgeted Amount: ${limit:.2}\nAlert Type: {kind}\nAlert Threshold: > ${at:.2}\n{kind} Amount: ${amount:.2}\n"
    );
    json!({ "Records": [{
        "EventSource": "aws:sns",
        "Sns": {
            "Type": "Notification",
            "MessageId": format!("awsmon-budget-{kind}"),
            "TopicArn": topic,
            "Subject": format!("AWS Budgets: {name} has exceeded your alert threshold"),
            "Message": message,
            "Timestamp": crate::text::iso_now(),
        }
    }]})
}
