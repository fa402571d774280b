//! IAM Access Analyzer's findings through the whole pipeline, on AWS's sample events: who can
//! reach what and how, graded by reach; archived, resolved and deleted findings dropped; a
//! SUPPRESS rule can name the partner account; Security Hub's copy is not sent twice; the
//! finding is routed by the resource owner's account.

use awsmon_notifier::settings::{MinSeverity, RouteOverride, Suppression};
use awsmon_notifier::{Decision, Prepared, Service, prepare};
use serde_json::{Value, json};

use crate::common::{fixture, settings};

fn one(event: &Value, s: &awsmon_notifier::Settings) -> Prepared {
    let mut all = prepare(event, s);
    assert_eq!(all.len(), 1, "one event");
    all.remove(0)
}

fn reason(p: &Prepared) -> Option<&str> {
    match &p.decision {
        Decision::Drop { reason } => Some(reason),
        Decision::Send { .. } => None,
    }
}

#[test]
fn a_cross_account_finding_says_who_can_reach_what_and_how() {
    let p = one(&fixture("accessanalyzer-s3-cross-account"), &settings());
    assert_eq!(p.service, Some(Service::AccessAnalyzer));
    assert_eq!(p.id, "22222222-dcba-4444-dcba-333333333333");
    assert_eq!(
        p.title,
        "S3 bucket amzn-s3-demo-bucket is reachable by account 999988887777"
    );
    assert_eq!(p.severity.as_deref(), Some("MEDIUM"), "read access");
    let text = p.to_json()["payload"].to_string();
    assert!(text.contains("*Access level*\\nread"), "{text}");
    assert!(text.contains("*Principal*\\nAWS: 999988887777"), "{text}");

    // The same bucket writable by that account: HIGH, and the channel is paged with @here.
    let mut write = fixture("accessanalyzer-s3-cross-account");
    write["detail"]["action"] = json!(["s3:GetObject", "s3:PutObject"]);
    let p = one(&write, &settings());
    assert_eq!(p.severity.as_deref(), Some("HIGH"));
    assert_eq!(
        p.decision,
        Decision::Send {
            mention: awsmon_notifier::Mention::Here
        }
    );
}

#[test]
fn archived_resolved_and_deleted_findings_are_not_sent() {
    let resolved = one(&fixture("accessanalyzer-role-resolved"), &settings());
    assert_eq!(
        reason(&resolved),
        Some("resolved: the external access is gone")
    );
    let mut archived = fixture("accessanalyzer-s3-cross-account");
    archived["detail"]["status"] = json!("ARCHIVED");
    assert_eq!(
        reason(&one(&archived, &settings())),
        Some("archived finding")
    );
    let mut deleted = fixture("accessanalyzer-s3-cross-account");
    deleted["detail"]["isDeleted"] = json!(true);
    assert!(
        reason(&one(&deleted, &settings())).is_some_and(|r| r.contains("deleted")),
        "a deleted finding is dropped"
    );
}

#[test]
fn a_suppress_rule_can_name_the_partner_account_or_the_resource_type() {
    let event = fixture("accessanalyzer-s3-cross-account");
    let mut s = settings();
    let rule = |t: &str| Suppression {
        service: Some(Service::AccessAnalyzer),
        finding_type: Some(t.into()),
        reason: "the auditors' account reads this bucket".into(),
        expires: "2099-12-31".into(),
        ..Suppression::default()
    };
    for t in ["999988887777", "AWS::S3::*"] {
        s.suppress = vec![rule(t)];
        assert_eq!(
            reason(&one(&event, &s)),
            Some(
                "suppressed by rule 1 (the auditors' account reads this bucket, until 2099-12-31)"
            ),
            "{t}"
        );
    }
    s.suppress = vec![rule("111111111111")];
    assert!(one(&event, &s).decision.is_send(), "another account");
}

#[test]
fn security_hubs_copy_of_an_access_analyzer_finding_is_not_sent_twice() {
    let mut event = fixture("securityhub-imported");
    let findings = event["detail"]["findings"]
        .as_array_mut()
        .expect("findings");
    findings.truncate(1);
    findings[0]["ProductArn"] = json!("arn:aws:securityhub:us-east-1::product/aws/access-analyzer");
    findings[0]["ProductName"] = json!("IAM Access Analyzer");
    assert_eq!(
        reason(&one(&event, &settings())),
        Some("duplicate: IAM Access Analyzer findings are sent directly")
    );
}

#[test]
fn a_routing_override_floor_applies_to_the_resource_owner() {
    let mut s = settings();
    s.overrides.insert(
        "123456789012".into(),
        RouteOverride {
            webhooks: vec![],
            min_severity: Some(MinSeverity::High),
            accounts: vec![],
            webhooks_dropped: false,
        },
    );
    // Cross-account read is MEDIUM: below the account's floor.
    let read = one(&fixture("accessanalyzer-s3-cross-account"), &s);
    assert_eq!(
        reason(&read),
        Some("severity MEDIUM is below MIN_SEVERITY HIGH of ROUTING_OVERRIDES 123456789012")
    );
    // Public is CRITICAL: sent.
    assert!(
        one(&fixture("accessanalyzer-kms-public"), &s)
            .decision
            .is_send()
    );
}
