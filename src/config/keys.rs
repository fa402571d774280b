//! Every config.yml key, with its one-line meaning. The old Serverless project's keys come
//! first and keep their meaning; new keys are optional and use the same style.

pub struct KeySpec {
    pub name: &'static str,
    pub help: &'static str,
    /// A commented example for config.yml.sample.
    pub example: &'static str,
}

pub const KEYS: &[KeySpec] = &[
    KeySpec {
        name: "PREFIX_SERVICE_NAME",
        help: "prefix of every stack and resource name awsmon creates",
        example: "PREFIX_SERVICE_NAME: awsmon",
    },
    KeySpec {
        name: "PREFIX_S3",
        help: "prefix of the artifact bucket name (lowercase)",
        example: "PREFIX_S3: awsmon",
    },
    KeySpec {
        name: "STACK_TAGS",
        help: "tags put on every stack",
        example: "STACK_TAGS:\n  Owner: security\n  Project: awsmon",
    },
    KeySpec {
        name: "WEBHOOK_URLS",
        help: "default Slack webhooks, comma-separated or a list",
        example: "WEBHOOK_URLS: https://hooks.slack.com/services/T000/B000/XXXX",
    },
    KeySpec {
        name: "WEBHOOK_URLS_GUARDDUTY",
        help: "GuardDuty webhooks; empty means WEBHOOK_URLS",
        example: "WEBHOOK_URLS_GUARDDUTY: \"\"",
    },
    KeySpec {
        name: "WEBHOOK_URLS_CONFIG",
        help: "AWS Config webhooks; empty means WEBHOOK_URLS",
        example: "WEBHOOK_URLS_CONFIG: \"\"",
    },
    KeySpec {
        name: "WEBHOOK_URLS_INSPECTOR",
        help: "Inspector webhooks; empty means WEBHOOK_URLS",
        example: "WEBHOOK_URLS_INSPECTOR: \"\"",
    },
    KeySpec {
        name: "WEBHOOK_URLS_TRUSTEDADVISOR",
        help: "Trusted Advisor webhooks; empty means WEBHOOK_URLS",
        example: "WEBHOOK_URLS_TRUSTEDADVISOR: \"\"",
    },
    KeySpec {
        name: "WEBHOOK_URLS_BUDGET",
        help: "Budget webhooks; empty means WEBHOOK_URLS",
        example: "WEBHOOK_URLS_BUDGET: \"\"",
    },
    KeySpec {
        name: "BUDGET_LIMIT",
        help: "monthly cost budget in USD; no budget is deployed without it",
        example: "BUDGET_LIMIT: 100",
    },
    KeySpec {
        name: "BUDGET_TAGKEYVALUE",
        help: "cost filters, each \"user:key$value\"",
        example: "BUDGET_TAGKEYVALUE:\n  - user:Project$awsmon",
    },
    KeySpec {
        name: "BUDGET_THRESHOLD_PERCENTAGE",
        help: "alert when the forecast exceeds this % of the limit (1-100)",
        example: "BUDGET_THRESHOLD_PERCENTAGE: 80",
    },
    KeySpec {
        name: "HOME_REGION",
        help: "where the notifier runs (default us-east-1)",
        example: "HOME_REGION: us-east-1",
    },
    KeySpec {
        name: "REGIONS",
        help: "regions to monitor: all, or a list",
        example: "REGIONS: all",
    },
    KeySpec {
        name: "GUARDDUTY_MIN_SEVERITY",
        help: "drop GuardDuty findings below this severity (0-10)",
        example: "GUARDDUTY_MIN_SEVERITY: 0",
    },
    KeySpec {
        name: "GUARDDUTY_MENTION_HERE_SEVERITY",
        help: "add <!here> from this severity",
        example: "GUARDDUTY_MENTION_HERE_SEVERITY: 4.0",
    },
    KeySpec {
        name: "GUARDDUTY_MENTION_CHANNEL_SEVERITY",
        help: "add <!channel> from this severity",
        example: "GUARDDUTY_MENTION_CHANNEL_SEVERITY: 7.0",
    },
    KeySpec {
        name: "GUARDDUTY_GLOBAL_FINDINGS_REGION",
        help: "send findings about global services (IAM, STS...) only from this region (default HOME_REGION)",
        example: "GUARDDUTY_GLOBAL_FINDINGS_REGION: us-east-1",
    },
    KeySpec {
        name: "CONFIG_RESOURCE_TYPES",
        help: "only notify for these resource types; empty means all",
        example: "CONFIG_RESOURCE_TYPES: []",
    },
    KeySpec {
        name: "CONFIG_EXCLUDE_RESOURCE_TYPES",
        help: "never notify for these resource types",
        example: "CONFIG_EXCLUDE_RESOURCE_TYPES: []",
    },
    KeySpec {
        name: "TRUSTEDADVISOR_STATUSES",
        help: "check statuses to notify: ERROR, WARN, OK",
        example: "TRUSTEDADVISOR_STATUSES: [ERROR]",
    },
    KeySpec {
        name: "TRUSTEDADVISOR_IGNORE_CHECKS",
        help: "check names or ids never to notify",
        example: "TRUSTEDADVISOR_IGNORE_CHECKS: []",
    },
    KeySpec {
        name: "INSPECTOR_MIN_SEVERITY",
        help: "drop Inspector findings below this (INFORMATIONAL..CRITICAL)",
        example: "INSPECTOR_MIN_SEVERITY: MEDIUM",
    },
    KeySpec {
        name: "INSPECTOR_RESOURCE_TYPES",
        help: "what Inspector scans when awsmon enables it",
        example: "INSPECTOR_RESOURCE_TYPES: [EC2, ECR, LAMBDA]",
    },
    KeySpec {
        name: "ALLOW_PRIVATE_WEBHOOKS",
        help: "allow webhooks on private, link-local or metadata addresses (a proxy inside your network)",
        example: "ALLOW_PRIVATE_WEBHOOKS: false",
    },
    KeySpec {
        name: "NOTIFIER_RESERVED_CONCURRENCY",
        help: "the most notifier invocations at once (1-1000), so a flood cannot take the account's Lambda pool",
        example: "NOTIFIER_RESERVED_CONCURRENCY: 5",
    },
    KeySpec {
        name: "ALERT_EMAIL",
        help: "email told when the notifier itself fails (alarms on its errors, throttles and failure queue; not through Slack)",
        example: "ALERT_EMAIL: security-oncall@example.com",
    },
];

pub fn is_known(name: &str) -> bool {
    KEYS.iter().any(|k| k.name == name)
}

pub fn nearest(name: &str) -> Option<&'static str> {
    crate::text::nearest(name, KEYS.iter().map(|k| k.name))
}

/// The sample config: every key with its comment, old keys first.
pub fn sample() -> String {
    let mut out = String::from(
        "# awsmon-tui configuration. Copy to config/config.yml (or ./config.yml) and edit.\n\
         # The first block is the old Serverless project's keys, unchanged; the rest are optional.\n",
    );
    for key in KEYS {
        if key.name == "HOME_REGION" {
            out.push_str("\n# --- new, optional keys ---\n");
        }
        out.push_str(&format!("\n# {}\n{}\n", key.help, key.example));
    }
    out
}
