//! The notifier's sample events (its test fixtures), built into the binary so the console can
//! show every kind of message without an account that has findings.

use awsmon_notifier::Settings;

use super::{Finding, Origin};

pub const SAMPLES: [(&str, &str); 17] = [
    (
        "guardduty-ssh-bruteforce",
        include_str!("../../lambda/tests/fixtures/guardduty-ssh-bruteforce.json"),
    ),
    (
        "guardduty-crypto-high",
        include_str!("../../lambda/tests/fixtures/guardduty-crypto-high.json"),
    ),
    (
        "guardduty-s3-critical",
        include_str!("../../lambda/tests/fixtures/guardduty-s3-critical.json"),
    ),
    (
        "guardduty-iam-api-call",
        include_str!("../../lambda/tests/fixtures/guardduty-iam-api-call.json"),
    ),
    (
        "config-change-with-diff",
        include_str!("../../lambda/tests/fixtures/config-change-with-diff.json"),
    ),
    (
        "config-oversized",
        include_str!("../../lambda/tests/fixtures/config-oversized.json"),
    ),
    (
        "inspector2-ec2-package",
        include_str!("../../lambda/tests/fixtures/inspector2-ec2-package.json"),
    ),
    (
        "inspector2-ecr-critical",
        include_str!("../../lambda/tests/fixtures/inspector2-ecr-critical.json"),
    ),
    (
        "inspector2-network-reachability",
        include_str!("../../lambda/tests/fixtures/inspector2-network-reachability.json"),
    ),
    (
        "trustedadvisor-error",
        include_str!("../../lambda/tests/fixtures/trustedadvisor-error.json"),
    ),
    (
        "trustedadvisor-warn-nulls",
        include_str!("../../lambda/tests/fixtures/trustedadvisor-warn-nulls.json"),
    ),
    (
        "securityhub-imported",
        include_str!("../../lambda/tests/fixtures/securityhub-imported.json"),
    ),
    (
        "accessanalyzer-s3-cross-account",
        include_str!("../../lambda/tests/fixtures/accessanalyzer-s3-cross-account.json"),
    ),
    (
        "accessanalyzer-kms-public",
        include_str!("../../lambda/tests/fixtures/accessanalyzer-kms-public.json"),
    ),
    (
        "budget-forecasted-sns",
        include_str!("../../lambda/tests/fixtures/budget-forecasted-sns.json"),
    ),
    (
        "budget-actual-sns",
        include_str!("../../lambda/tests/fixtures/budget-actual-sns.json"),
    ),
    (
        "awsmon-test",
        include_str!("../../lambda/tests/fixtures/awsmon-test.json"),
    ),
];

/// Every sample, through the pipeline with these settings.
pub fn findings(settings: &Settings) -> Vec<Finding> {
    SAMPLES
        .iter()
        .filter_map(|(_, text)| serde_json::from_str(text).ok())
        .filter_map(|event| Finding::from_event(Origin::Sample, &event, settings))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sample_yields_a_finding() {
        assert_eq!(findings(&Settings::default()).len(), SAMPLES.len());
    }

    /// The security review's finding: a sample sent from the console looked like a real
    /// finding in Slack, with its `@channel`.
    #[test]
    fn a_sent_sample_says_sample_and_mentions_nobody() {
        let mut settings = Settings::default();
        settings.routes.default = vec![
            awsmon_notifier::WebhookUrl::parse("https://hooks.slack.com/services/T0/B0/X")
                .expect("url"),
        ];
        let mut sent = 0;
        for f in findings(&settings) {
            let p = f.prepare(&settings).expect("prepared");
            let Some(payload) = &p.payload else { continue };
            let text = payload.to_string();
            assert!(
                !text.contains("<!channel>") && !text.contains("<!here>"),
                "{text}"
            );
            if p.decision.is_send() {
                sent += 1;
                assert!(p.title.starts_with("SAMPLE · "), "{}", p.title);
                assert!(text.contains("SAMPLE · "), "{text}");
            }
        }
        assert!(sent >= 10, "{sent}");
    }
}
