//! The one place that names what awsmon creates. Everything derives from PREFIX_SERVICE_NAME
//! (stacks, budget) or PREFIX_S3 (bucket):
//!
//! | what | name | where |
//! |---|---|---|
//! | artifact bucket stack | `<prefix>-bootstrap` | home region |
//! | hub (notifier, rules, queue, topic) | `<prefix>-hub` | home region |
//! | service spoke | `<prefix>-<service>` (`awsmon-guardduty`, `awsmon-config`, `awsmon-inspector`) | each region |
//! | Trusted Advisor spoke | `<prefix>-trustedadvisor` | us-east-1 |
//! | budget stack | `<prefix>-budget` | home region |
//! | the budget itself | `<prefix>-monthly` | account-wide |
//! | artifact bucket | `<prefix_s3>-artifacts-<account>-<home region>` | home region |
//! | Config delivery bucket (when awsmon creates the channel) | `<prefix_s3>-config-<account>-<region>` | each region |
//! | notifier function | `<prefix>-notifier` | home region |
//! | its failure queue / log group | `<prefix>-notifier-failures` / `/aws/lambda/<prefix>-notifier` | home region |
//! | its alarm topic | `<prefix>-notifier-alerts` | home region |
//! | budget alert topic | `<prefix>-budget-alerts` | home region |
//! | routing parameter (SSM SecureString) | `/monitoring/<prefix>/routing` | home region |
//!
//! SSM reserves parameter names that begin with `aws` or `ssm`, so the routing parameter
//! cannot start with the default prefix `awsmon`.

use awsmon_notifier::Service;

use crate::config::Config;

pub fn bootstrap_stack(cfg: &Config) -> String {
    format!("{}-bootstrap", cfg.prefix_service_name)
}

pub fn hub_stack(cfg: &Config) -> String {
    format!("{}-hub", cfg.prefix_service_name)
}

pub fn service_stack(cfg: &Config, service: Service) -> String {
    format!("{}-{}", cfg.prefix_service_name, service.as_str())
}

/// Org mode: the StackSet that puts `service`'s member-account spoke in every account.
pub fn org_spoke_stackset(cfg: &Config, service: Service) -> String {
    format!("{}-org-{}", cfg.prefix_service_name, service.as_str())
}

/// The IAM Access Analyzer analyzer awsmon creates in a region that has none.
pub fn analyzer(cfg: &Config) -> String {
    format!("{}-analyzer", cfg.prefix_service_name)
}

/// Org mode: the analyzer whose zone of trust is the Organization, made by the delegated
/// administrator in each region.
pub fn org_analyzer(cfg: &Config) -> String {
    format!("{}-org-analyzer", cfg.prefix_service_name)
}

pub fn budget_name(cfg: &Config) -> String {
    format!("{}-monthly", cfg.prefix_service_name)
}

pub fn routing_parameter(cfg: &Config) -> String {
    format!("/monitoring/{}/routing", cfg.prefix_service_name)
}

pub fn artifact_bucket(cfg: &Config, account: &str, home_region: &str) -> String {
    format!("{}-artifacts-{account}-{home_region}", cfg.prefix_s3)
}

pub fn config_bucket(cfg: &Config, account: &str, region: &str) -> String {
    format!("{}-config-{account}-{region}", cfg.prefix_s3)
}

/// The hub's Lambda: its name is fixed by the hub template.
pub fn notifier_function(cfg: &Config) -> String {
    format!("{}-notifier", cfg.prefix_service_name)
}

/// An ARN in `region`'s partition (`aws`, `aws-us-gov`, `aws-cn`, …; `aws` for a name that
/// follows no partition's pattern).
fn arn(service: &str, region: &str, account: &str, resource: &str) -> String {
    let partition = crate::regions::partition(region).unwrap_or("aws");
    format!("arn:{partition}:{service}:{region}:{account}:{resource}")
}

/// The hub's Lambda, by ARN.
pub fn notifier_arn(cfg: &Config, account: &str) -> String {
    arn(
        "lambda",
        cfg.home_region(),
        account,
        &format!("function:{}", notifier_function(cfg)),
    )
}

/// Where Lambda keeps the events the notifier could not deliver (the hub's on-failure queue).
pub fn failure_queue(cfg: &Config) -> String {
    format!("{}-notifier-failures", cfg.prefix_service_name)
}

/// The notifier's de-duplication state (the hub's DynamoDB table).
pub fn state_table(cfg: &Config) -> String {
    format!("{}-notifier-state", cfg.prefix_service_name)
}

/// The notifier's log group, created by the hub with its retention.
pub fn notifier_log_group(cfg: &Config) -> String {
    format!("/aws/lambda/{}", notifier_function(cfg))
}

/// The hub's SNS topic for Budgets, by ARN: its name is fixed by the hub template.
pub fn budget_topic_arn(cfg: &Config, account: &str) -> String {
    arn(
        "sns",
        cfg.home_region(),
        account,
        &format!("{}-budget-alerts", cfg.prefix_service_name),
    )
}

/// The home region's default bus, where spokes forward.
pub fn hub_bus_arn(cfg: &Config, account: &str) -> String {
    arn("events", cfg.home_region(), account, "event-bus/default")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ARNs name the home region's partition: an ARN with `aws` in GovCloud or China names
    /// nothing, and the hub's rule or the budget's topic would point nowhere.
    #[test]
    fn arns_are_in_the_home_regions_partition() {
        let mut cfg = Config::default();
        for (region, partition) in [
            ("eu-west-1", "aws"),
            ("us-gov-west-1", "aws-us-gov"),
            ("cn-north-1", "aws-cn"),
        ] {
            cfg.settings.home_region = region.to_string();
            let account = "123456789012";
            assert_eq!(
                hub_bus_arn(&cfg, account),
                format!("arn:{partition}:events:{region}:{account}:event-bus/default")
            );
            assert!(
                notifier_arn(&cfg, account).starts_with(&format!(
                    "arn:{partition}:lambda:{region}:{account}:function:"
                )),
                "{region}"
            );
            assert!(
                budget_topic_arn(&cfg, account)
                    .starts_with(&format!("arn:{partition}:sns:{region}:{account}:")),
                "{region}"
            );
        }
    }

    #[test]
    fn names_follow_the_prefix() {
        let cfg = Config {
            prefix_service_name: "acme-sec".into(),
            prefix_s3: "acme".into(),
            ..Config::default()
        };
        assert_eq!(hub_stack(&cfg), "acme-sec-hub");
        assert_eq!(
            service_stack(&cfg, Service::TrustedAdvisor),
            "acme-sec-trustedadvisor"
        );
        assert_eq!(budget_name(&cfg), "acme-sec-monthly");
        assert_eq!(
            routing_parameter(&Config::default()),
            "/monitoring/awsmon/routing"
        );
        assert_eq!(
            artifact_bucket(&cfg, "123456789012", "eu-west-1"),
            "acme-artifacts-123456789012-eu-west-1"
        );
    }
}
