//! SUPPRESS through the whole pipeline, on AWS's sample events: a rule that matches drops the
//! finding with its number, reason and last day; an expired rule, another account, or a
//! finding at or above the rule's MIN_SEVERITY still goes out. Test messages are never muted.

use awsmon_notifier::settings::{MinSeverity, Suppression};
use awsmon_notifier::{Decision, Prepared, Service, prepare};
use serde_json::Value;

use crate::common::{fixture, settings};

fn one(event: &Value, s: &awsmon_notifier::Settings) -> Prepared {
    let mut all = prepare(event, s);
    assert_eq!(all.len(), 1, "one event");
    all.remove(0)
}

fn rule(f: impl FnOnce(&mut Suppression)) -> Suppression {
    let mut r = Suppression {
        reason: "bastion hosts are probed all day".into(),
        expires: "2099-12-31".into(),
        ..Suppression::default()
    };
    f(&mut r);
    r
}

fn reason(p: &Prepared) -> Option<&str> {
    match &p.decision {
        Decision::Drop { reason } => Some(reason),
        Decision::Send { .. } => None,
    }
}

#[test]
fn a_matching_rule_drops_the_finding_and_says_which_rule_and_until_when() {
    let mut s = settings();
    s.guardduty.min_severity = 1.0;
    let event = fixture("guardduty-ssh-bruteforce");
    assert!(one(&event, &s).decision.is_send(), "sent without a rule");

    s.suppress = vec![
        // Rule 1 matches another service; rule 2 is this finding's type and instance.
        rule(|r| r.service = Some(Service::Inspector)),
        rule(|r| {
            r.service = Some(Service::GuardDuty);
            r.finding_type = Some("UnauthorizedAccess:EC2/SSH*".into());
            r.resource = Some("i-0a1b2c3d*".into());
        }),
    ];
    assert_eq!(
        reason(&one(&event, &s)),
        Some("suppressed by rule 2 (bastion hosts are probed all day, until 2099-12-31)")
    );

    // Another instance, another account, or an expired rule: sent.
    for other in [
        rule(|r| r.resource = Some("i-0ffff*".into())),
        rule(|r| r.account = Some("999999999999".into())),
        rule(|r| {
            r.finding_type = Some("UnauthorizedAccess:*".into());
            r.expires = "2020-01-01".into();
        }),
    ] {
        s.suppress = vec![other.clone()];
        assert!(one(&event, &s).decision.is_send(), "{other:?}");
    }
}

#[test]
fn a_rules_min_severity_mutes_only_what_is_below_it() {
    let mut s = settings();
    s.guardduty.min_severity = 1.0;
    s.suppress = vec![rule(|r| {
        r.service = Some(Service::GuardDuty);
        r.min_severity = Some(MinSeverity::Medium);
    })];
    // Severity 2: Low, below the rule's MEDIUM.
    let low = fixture("guardduty-ssh-bruteforce");
    assert!(reason(&one(&low, &s)).is_some_and(|r| r.starts_with("suppressed by rule 1")));
    // The crypto-mining sample is High: the rule lets it through.
    let high = fixture("guardduty-crypto-high");
    assert!(one(&high, &s).decision.is_send());
}

#[test]
fn an_inspector_rule_matches_the_cve() {
    let mut s = settings();
    s.inspector.min_severity = awsmon_notifier::settings::InspectorSeverity::Low;
    let event = fixture("inspector2-ec2-package");
    assert!(one(&event, &s).decision.is_send());
    s.suppress = vec![rule(|r| r.finding_type = Some("CVE-2024-6387".into()))];
    assert!(reason(&one(&event, &s)).is_some_and(|r| r.starts_with("suppressed by rule 1")));
}

#[test]
fn test_messages_are_never_suppressed() {
    let mut s = settings();
    s.suppress = vec![rule(|r| r.account = Some("123456789012".into()))];
    let test = fixture("awsmon-test");
    assert!(one(&test, &s).decision.is_send());
}

/// A rule written for an account's GuardDuty findings does not mute GuardDuty being turned off
/// there; only a rule naming the call (and, say, the automation's ARN as RESOURCE) does.
#[test]
fn monitoring_turned_off_is_muted_only_by_a_rule_naming_the_call() {
    let event = fixture("cloudtrail-guardduty-detector-deleted");
    let mut s = settings();
    s.suppress.push(rule(|r| {
        r.service = Some(Service::GuardDuty);
        r.account = Some("123456789012".into());
    }));
    s.suppress.push(rule(|r| r.resource = Some("*".into())));
    assert_eq!(reason(&one(&event, &s)), None, "sent despite broad rules");
    s.suppress.push(rule(|r| {
        r.finding_type = Some("DeleteDetector".into());
        r.resource = Some("arn:aws:sts::123456789012:assumed-role/Admin/*".into());
    }));
    assert_eq!(
        reason(&one(&event, &s)),
        Some("suppressed by rule 3 (bastion hosts are probed all day, until 2099-12-31)")
    );
}

/// Inspector disabled for some resource types is "partly turned off", and names the accounts
/// a delegated administrator turned it off for.
#[test]
fn inspector_disabled_for_some_types_and_accounts_says_so() {
    let mut event = fixture("cloudtrail-guardduty-detector-deleted");
    event["source"] = Value::from("aws.inspector2");
    event["detail"]["eventSource"] = Value::from("inspector2.amazonaws.com");
    event["detail"]["eventName"] = Value::from("Disable");
    event["detail"]["requestParameters"] =
        serde_json::json!({"accountIds": ["111122223333"], "resourceTypes": ["ECR"]});
    let p = one(&event, &settings());
    assert_eq!(p.title, "Inspector partly turned off in eu-west-1");
    let text = p.payload.expect("payload").to_string();
    assert!(text.contains("*Target*\\nECR for 111122223333"), "{text}");
}
