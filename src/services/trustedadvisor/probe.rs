//! Trusted Advisor: whether the support plan exposes the checks (support API, us-east-1).

use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::aws::{Aws, AwsError};
use crate::inventory::{ServiceStatus, State};
use crate::regions::TRUSTED_ADVISOR_REGION;

pub async fn status(aws: &Aws) -> Result<ServiceStatus, AwsError> {
    let result = aws
        .support(TRUSTED_ADVISOR_REGION)
        .describe_trusted_advisor_checks()
        .language("en")
        .send()
        .await;
    match result {
        Ok(out) => Ok(ServiceStatus::new(
            State::Enabled,
            format!("{} checks available", out.checks().len()),
        )),
        Err(e) if e.code() == Some("SubscriptionRequiredException") => Ok(ServiceStatus::new(
            State::Unsupported,
            "needs a Business, Enterprise On-Ramp or Enterprise support plan",
        )),
        Err(e) => Err(AwsError::classify(
            "support:DescribeTrustedAdvisorChecks",
            &e,
        )),
    }
}
