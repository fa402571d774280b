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
    // A role in the partner account is muted by the account too.
    let mut by_role = event.clone();
    by_role["detail"]["principal"] = json!({"AWS": "arn:aws:iam::999988887777:role/auditor"});
    s.suppress = vec![rule("999988887777")];
    assert!(reason(&one(&by_role, &s)).is_some_and(|r| r.starts_with("suppressed by rule 1")));
}

/// Security Hub carries both the external-access findings awsmon receives directly and the
/// unused-access findings of Security Hub's own analyzer, which arrive nowhere else.
#[test]
fn security_hubs_copy_of_an_external_access_finding_is_not_sent_twice_but_unused_access_is() {
    let copy = |types: &str| {
        let mut event = fixture("securityhub-imported");
        let findings = event["detail"]["findings"]
            .as_array_mut()
            .expect("findings");
        findings.truncate(1);
        let f = &mut findings[0];
        f["ProductArn"] = json!("arn:aws:securityhub:us-east-1::product/aws/access-analyzer");
        f["ProductName"] = json!("IAM Access Analyzer");
        f["Types"] = json!([types]);
        f["Severity"] = json!({"Label": "HIGH"});
        event
    };
    let external = copy(
        "Software and Configuration Checks/AWS Security Best Practices/External Access Granted",
    );
    assert_eq!(
        reason(&one(&external, &settings())),
        Some("duplicate: IAM Access Analyzer's external-access findings are sent directly")
    );
    let unused =
        copy("Software and Configuration Checks/AWS Security Best Practices/Unused IAM Role");
    let sent = one(&unused, &settings());
    assert!(sent.decision.is_send(), "{:?}", reason(&sent));
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

/// ApplyArchiveRule archives the findings already there (CreateArchiveRule only those to
/// come): both hide detection, and the message names the rule and its analyzer. The record
/// is the fixture's with ApplyArchiveRule's request parameters (analyzerArn, ruleName).
#[test]
fn applying_an_archive_rule_is_reported_as_monitoring_turned_off() {
    let mut event = fixture("cloudtrail-accessanalyzer-deleted");
    event["detail"]["eventName"] = json!("ApplyArchiveRule");
    event["detail"]["requestParameters"] = json!({
        "analyzerArn": "arn:aws:access-analyzer:eu-west-1:123456789012:analyzer/awsmon-analyzer",
        "ruleName": "ignore-partner"
    });
    let p = one(&event, &settings());
    assert_eq!(p.service, Some(Service::AccessAnalyzer));
    assert_eq!(
        p.decision,
        Decision::Send {
            mention: awsmon_notifier::Mention::Channel
        }
    );
    let text = p.to_json()["payload"].to_string();
    assert!(
        text.contains("archive rule applied to existing findings"),
        "{text}"
    );
    assert!(
        text.contains("ignore-partner of the analyzer awsmon-analyzer"),
        "{text}"
    );
}

/// A secret readable from another account gives away the credential: HIGH, like write. Tagging
/// alone is MEDIUM; a read wildcard (`s3:Get*`) is read, not full access.
#[test]
fn grades_follow_what_the_access_gives_away() {
    let graded = |resource_type: &str, actions: Value| {
        let mut e = fixture("accessanalyzer-s3-cross-account");
        e["detail"]["resourceType"] = json!(resource_type);
        e["detail"]["action"] = actions;
        one(&e, &settings()).severity
    };
    let secret = graded(
        "AWS::SecretsManager::Secret",
        json!(["secretsmanager:GetSecretValue"]),
    );
    assert_eq!(secret.as_deref(), Some("HIGH"));
    let tagging = graded("AWS::SQS::Queue", json!(["sqs:TagQueue"]));
    assert_eq!(tagging.as_deref(), Some("MEDIUM"));
    let read_wildcard = graded("AWS::S3::Bucket", json!(["s3:Get*"]));
    assert_eq!(read_wildcard.as_deref(), Some("MEDIUM"));
    let put_wildcard = graded("AWS::S3::Bucket", json!(["s3:Put*"]));
    assert_eq!(put_wildcard.as_deref(), Some("HIGH"));
}

/// An organization analyzer's finding lives in the delegated administrator's account (the
/// event's `account`), not the resource owner's: the message says where to open the link.
#[test]
fn an_organization_analyzers_finding_says_which_account_holds_it() {
    let mut event = fixture("accessanalyzer-s3-cross-account");
    event["account"] = json!("222222222222");
    let text = one(&event, &settings()).to_json()["payload"].to_string();
    assert!(
        text.contains("*Finding in account*\\n222222222222"),
        "{text}"
    );
    let own = one(&fixture("accessanalyzer-s3-cross-account"), &settings());
    let text = own.to_json()["payload"].to_string();
    assert!(!text.contains("Finding in account"), "{text}");
}
