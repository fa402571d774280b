//! AWS Budgets notifications arrive over SNS as plain text. The useful lines are
//! `Key: value` pairs ("Budget Name: …", "Budgeted Amount: $100.00", "Alert Type: Forecasted",
//! "Alert Threshold: > $80.00", "FORECASTED Amount: $95.42"); when they are missing, what can be
//! read from the subject and sentences is kept, and the raw text is always available.

use crate::json::Json;

use super::{Envelope, Kind};
use crate::decide::{Decision, Mention};
use crate::format::{RED, enc};
use crate::service::Service;
use crate::settings::Settings;
use crate::slack::{Card, Field, escape};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetAlert {
    pub subject: String,
    pub budget_name: Option<String>,
    /// ACTUAL or FORECASTED.
    pub alert_type: Option<String>,
    pub threshold: Option<String>,
    pub budgeted: Option<String>,
    /// The actual or forecast amount that crossed the threshold.
    pub amount: Option<String>,
    pub account: Option<String>,
    /// The whole message, for when the fields could not be read.
    pub text: String,
}

impl BudgetAlert {
    /// Whether the amounts were read (otherwise the raw text is shown).
    pub fn is_parsed(&self) -> bool {
        self.budget_name.is_some() && self.amount.is_some()
    }
}

// Read from SNS text, not the JSON tree: it owns its text.
impl<'t> Kind<'t> for BudgetAlert {
    /// Budgets notifications come over SNS as text: see [`parse`].
    const EVENTBRIDGE: Option<(&'static str, &'static str)> = None;
    const UNREADABLE: &'static str = "SNS message is not an AWS Budgets notification";

    fn parse(_detail: &'t Json<'t>, _envelope: &Envelope<'t>) -> Vec<Self> {
        Vec::new()
    }

    fn decide(&self, _settings: &Settings) -> Decision {
        Decision::Send {
            mention: Mention::Channel,
        }
    }

    fn card(&self) -> Card<'_> {
        let name = self.budget_name.as_deref().unwrap_or("budget");
        let kind = self.alert_type.as_deref().unwrap_or("ALERT");
        // The header names the budget and the alert type; the fields add the amounts.
        let fields: Vec<Field> = [
            ("Threshold", &self.threshold),
            ("Budgeted", &self.budgeted),
            ("Amount", &self.amount),
            ("Account", &self.account),
        ]
        .into_iter()
        .filter_map(|(label, v)| Some((label.into(), v.as_deref()?.into())))
        .collect();
        let amount = self
            .amount
            .as_deref()
            .map(|a| format!(" {a}"))
            .unwrap_or_default();
        let what = if kind == "FORECASTED" {
            "forecast"
        } else {
            "actual spend"
        };
        let body = if self.is_parsed() {
            Vec::new()
        } else {
            // Could not read the amounts: show the notification itself, readably.
            vec![escape(&self.text).into()]
        };
        Card {
            colour: RED,
            summary: format!("Budget {name}: {what}{amount} crossed its threshold"),
            header: format!("Budget alert: {name} ({kind})").into(),
            body,
            fields,
            links: vec![(
                "Open in Budgets".into(),
                format!(
                    "https://us-east-1.console.aws.amazon.com/costmanagement/home#/budgets/details?name={}",
                    enc(name)
                )
                .into(),
            )],
            ..Card::default()
        }
    }

    fn service(&self) -> Option<Service> {
        Some(Service::Budget)
    }

    fn account(&self) -> Option<&str> {
        self.account.as_deref()
    }
}

pub fn parse(subject: &str, message: &str) -> Option<BudgetAlert> {
    let looks_like_budget = subject.contains("AWS Budget")
        || message.contains("AWS Budget")
        || message.contains("Budget Name:");
    if !looks_like_budget {
        return None;
    }
    // The message's `Key: value` lines, split once: every field below looks through them.
    let pairs: Vec<(&str, &str)> = message
        .lines()
        .filter_map(|line| {
            let (key, value) = line.split_once(':')?;
            Some((key.trim(), value.trim()))
        })
        .collect();
    let field = |names: &[&str]| -> Option<String> {
        pairs.iter().find_map(|(key, value)| {
            (!value.is_empty() && names.iter().any(|n| key.eq_ignore_ascii_case(n)))
                .then(|| (*value).to_string())
        })
    };
    // "ACTUAL Amount: …" or "FORECASTED Amount: …", in any case.
    let amount_line = pairs.iter().find_map(|(key, value)| {
        let key = key.as_bytes();
        let kind = ["ACTUAL", "FORECASTED"].into_iter().find(|kind| {
            key.len() == kind.len() + " AMOUNT".len()
                && key[..kind.len()].eq_ignore_ascii_case(kind.as_bytes())
                && key[kind.len()..].eq_ignore_ascii_case(b" AMOUNT")
        })?;
        Some((kind.to_string(), (*value).to_string()))
    });
    let alert_type = field(&["Alert Type", "Notification Type"])
        .map(|t| {
            if t.to_ascii_uppercase().starts_with("FORECAST") {
                "FORECASTED".into()
            } else {
                "ACTUAL".into()
            }
        })
        .or_else(|| amount_line.as_ref().map(|(k, _)| k.clone()))
        .or_else(|| {
            let lower = message.to_ascii_lowercase();
            if lower.contains("forecasted cost") || lower.contains("forecasted usage") {
                Some("FORECASTED".into())
            } else if lower.contains("actual cost") || lower.contains("actual usage") {
                Some("ACTUAL".into())
            } else {
                None
            }
        });
    let budget_name = field(&["Budget Name"]).or_else(|| {
        let rest = subject.split("AWS Budgets:").nth(1)?;
        Some(rest.split(" has ").next()?.trim().to_string()).filter(|s| !s.is_empty())
    });
    let amount = amount_line
        .map(|(_, v)| v)
        .or_else(|| sentence_amount(message));
    Some(BudgetAlert {
        subject: subject.trim().to_string(),
        budget_name,
        alert_type,
        threshold: field(&["Alert Threshold", "Threshold"]),
        budgeted: field(&["Budgeted Amount", "Budget Amount"]),
        amount,
        account: account_id(message),
        text: message.trim().to_string(),
    })
}

/// "The Forecasted Cost associated with this budget is $95.42."
fn sentence_amount(message: &str) -> Option<String> {
    let idx = message.find("associated with this budget is ")?;
    let rest = &message[idx + "associated with this budget is ".len()..];
    let amount: String = rest
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect::<String>()
        .trim_end_matches(['.', ','])
        .to_string();
    (!amount.is_empty()).then_some(amount)
}

fn account_id(message: &str) -> Option<String> {
    message.split("AWS Account").skip(1).find_map(|rest| {
        let digits: String = rest
            .trim_start_matches([' ', ':', '#'])
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        (digits.len() == 12).then_some(digits)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_value_lines_are_read() {
        let msg = "AWS Budget Notification November 23, 2026\nAWS Account 123456789012\n\nBudget Name: awsmon-monthly\n\
                   Budget Type: Cost\nBudgeted Amount: $100.00\nAlert Type: Forecasted\nAlert Threshold: > $80.00\nFORECASTED Amount: $95.42\n";
        let a = parse(
            "AWS Budgets: awsmon-monthly has exceeded your alert threshold",
            msg,
        )
        .expect("budget");
        assert_eq!(a.budget_name.as_deref(), Some("awsmon-monthly"));
        assert_eq!(a.alert_type.as_deref(), Some("FORECASTED"));
        assert_eq!(a.threshold.as_deref(), Some("> $80.00"));
        assert_eq!(a.budgeted.as_deref(), Some("$100.00"));
        assert_eq!(a.amount.as_deref(), Some("$95.42"));
        assert_eq!(a.account.as_deref(), Some("123456789012"));
        assert!(a.is_parsed());
    }

    #[test]
    fn unparseable_text_is_kept() {
        let a = parse(
            "AWS Budgets: team-x has exceeded your alert threshold",
            "Something changed.",
        )
        .expect("budget");
        assert_eq!(a.budget_name.as_deref(), Some("team-x"));
        assert!(!a.is_parsed());
        assert_eq!(a.text, "Something changed.");
        assert_eq!(parse("Hello", "not a budget"), None);
    }
}
