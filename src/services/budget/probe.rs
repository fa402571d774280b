//! Budget: whether awsmon's budget exists, its limit, and this month's actual and forecast
//! spend (from the budget's own calculated spend).

use aws_sdk_budgets::types::Spend;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::aws::{Aws, AwsError};
use crate::inventory::{ServiceStatus, State};

/// awsmon's budget, if it exists.
pub async fn describe(
    aws: &Aws,
    account: &str,
    name: &str,
) -> Result<Option<aws_sdk_budgets::types::Budget>, AwsError> {
    // Budgets is a global service served from us-east-1.
    match aws
        .budgets("us-east-1")
        .describe_budget()
        .account_id(account)
        .budget_name(name)
        .send()
        .await
    {
        Ok(out) => Ok(out.budget),
        Err(e) if e.code() == Some("NotFoundException") => Ok(None),
        Err(e) => Err(AwsError::classify("budgets:DescribeBudget", &e)),
    }
}

pub async fn status(aws: &Aws, account: &str, name: &str) -> Result<ServiceStatus, AwsError> {
    let Some(budget) = describe(aws, account, name).await? else {
        return Ok(ServiceStatus::new(
            State::Disabled,
            format!("no budget {name}"),
        ));
    };
    let mut detail = format!("limit {}", money(budget.budget_limit()));
    if let Some(spend) = budget.calculated_spend() {
        detail.push_str(&format!(
            "; this month actual {}, forecast {}",
            money(spend.actual_spend()),
            money(spend.forecasted_spend())
        ));
    }
    Ok(ServiceStatus::new(State::Enabled, detail))
}

fn money(spend: Option<&Spend>) -> String {
    match spend {
        Some(s) => {
            let amount: f64 = s.amount().parse().unwrap_or(0.0);
            format!("{amount:.2} {}", s.unit())
        }
        None => "—".to_string(),
    }
}
