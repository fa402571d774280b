//! ROUTING_OVERRIDES through the whole pipeline, on AWS's sample events: a member account's
//! finding (as the delegated administrator receives it: the envelope is the administrator's,
//! the finding names the member) takes its account's or OU's webhooks and severity floor.

use awsmon_notifier::settings::{MinSeverity, RouteOverride};
use awsmon_notifier::{Decision, Prepared, WebhookUrl, prepare};
use serde_json::Value;

use crate::common::{GUARDDUTY_HOOK, fixture, settings};

const MEMBER: &str = "111122223333";
const OTHER: &str = "444455556666";
const PROD_OU: &str = "ou-ab12-prod0001";
const PROD_HOOK: &str = "https://hooks.slack.com/services/T0PROD/B0PROD/ZZZZZZZZZZZZZZZZZZZZZZZZ";
const ACCOUNT_HOOK: &str =
    "https://hooks.slack.com/services/T0ACCT/B0ACCT/WWWWWWWWWWWWWWWWWWWWWWWW";

/// A fixture whose finding is about `account`, at `pointer` (the envelope stays the
/// administrator's), with GuardDuty's severity set when given.
fn about(name: &str, pointer: &str, account: &str) -> Value {
    let mut event = fixture(name);
    *event.pointer_mut(pointer).expect("account field") = Value::String(account.into());
    event
}

fn one(event: &Value, s: &awsmon_notifier::Settings) -> Prepared {
    let mut all = prepare(event, s);
    assert_eq!(all.len(), 1, "one event");
    all.remove(0)
}

fn url(s: &str) -> WebhookUrl {
    WebhookUrl::parse(s).expect("url")
}

/// Production OU: its own webhook; sandbox OU: HIGH and above; one account: its own hook.
fn org_settings() -> awsmon_notifier::Settings {
    let mut s = settings();
    s.overrides.insert(
        PROD_OU.into(),
        RouteOverride {
            webhooks: vec![url(PROD_HOOK)],
            min_severity: None,
            accounts: vec![MEMBER.into()],
            webhooks_dropped: false,
        },
    );
    s.overrides.insert(
        "ou-ab12-sandbox1".into(),
        RouteOverride {
            webhooks: vec![],
            min_severity: Some(MinSeverity::High),
            accounts: vec![OTHER.into()],
            webhooks_dropped: false,
        },
    );
    s
}

#[test]
fn a_members_finding_goes_to_its_ous_webhook_and_others_keep_the_service_route() {
    let s = org_settings();
    let event = about("guardduty-crypto-high", "/detail/accountId", MEMBER);
    let p = one(&event, &s);
    assert!(p.decision.is_send());
    assert_eq!(p.routes, vec![url(PROD_HOOK)]);
    assert_eq!(p.via.as_deref(), Some(PROD_OU));
    // The envelope's own account (the administrator) has no override.
    let own = one(&fixture("guardduty-crypto-high"), &s);
    assert_eq!(own.routes, vec![url(GUARDDUTY_HOOK)]);
    assert_eq!(own.via, None);
    // Config's changes name their account in the detail too.
    let config = about(
        "config-change-with-diff",
        "/detail/configurationItem/awsAccountId",
        MEMBER,
    );
    assert_eq!(one(&config, &s).routes, vec![url(PROD_HOOK)]);
}

/// An account's own entry applies when the routing lists the account under no entry (as the
/// console writes it: the account's own entry decided both fields).
#[test]
fn an_accounts_own_entry_applies_when_no_entry_lists_it() {
    let mut s = org_settings();
    s.overrides.get_mut(PROD_OU).expect("prod").accounts.clear();
    s.overrides.insert(
        MEMBER.into(),
        RouteOverride {
            webhooks: vec![url(ACCOUNT_HOOK)],
            ..RouteOverride::default()
        },
    );
    let event = about("guardduty-crypto-high", "/detail/accountId", MEMBER);
    let p = one(&event, &s);
    assert_eq!(p.routes, vec![url(ACCOUNT_HOOK)]);
    assert_eq!(p.via.as_deref(), Some(MEMBER));
}

#[test]
fn an_ous_floor_drops_below_it_and_names_itself() {
    let s = org_settings();
    // Severity 5 (Medium) from a sandbox account: below HIGH.
    let gd = one(
        &about("guardduty-iam-api-call", "/detail/accountId", OTHER),
        &s,
    );
    assert_eq!(
        gd.decision,
        Decision::Drop {
            reason: "severity 5.0 is below MIN_SEVERITY HIGH (7.0) of ROUTING_OVERRIDES ou-ab12-sandbox1"
                .into()
        }
    );
    // Severity 8 (High) passes, to the usual GuardDuty route (the entry sets no webhook).
    let high = one(
        &about("guardduty-crypto-high", "/detail/accountId", OTHER),
        &s,
    );
    assert!(high.decision.is_send());
    assert_eq!(high.routes, vec![url(GUARDDUTY_HOOK)]);
    // Inspector's MEDIUM finding: below HIGH; its HIGH one passes.
    let medium = one(
        &about(
            "inspector2-network-reachability",
            "/detail/awsAccountId",
            OTHER,
        ),
        &s,
    );
    assert_eq!(
        medium.decision,
        Decision::Drop {
            reason:
                "severity MEDIUM is below MIN_SEVERITY HIGH of ROUTING_OVERRIDES ou-ab12-sandbox1"
                    .into()
        }
    );
    let high = one(
        &about("inspector2-ec2-package", "/detail/awsAccountId", OTHER),
        &s,
    );
    assert!(high.decision.is_send());
}

#[test]
fn an_ous_lower_floor_sends_what_the_global_one_drops() {
    let mut s = org_settings();
    s.guardduty.min_severity = 7.0;
    s.overrides.get_mut(PROD_OU).expect("prod").min_severity = Some(MinSeverity::Low);
    let event = about("guardduty-ssh-bruteforce", "/detail/accountId", MEMBER);
    let p = one(&event, &s);
    assert!(p.decision.is_send(), "{:?}", p.decision);
    // Everyone else keeps GUARDDUTY_MIN_SEVERITY 7.
    let other = one(&fixture("guardduty-ssh-bruteforce"), &s);
    assert_eq!(
        other.decision,
        Decision::Drop {
            reason: "severity 2.0 is below GUARDDUTY_MIN_SEVERITY 7.0".into()
        }
    );
}

#[test]
fn a_test_message_can_name_an_overrides_route() {
    let s = org_settings();
    let event = awsmon_notifier::event::test_event(
        &serde_json::json!({"route": PROD_OU, "requestedBy": "tester"}),
        "us-east-1",
        "123456789012",
        "2026-12-05T00:00:00Z",
    );
    let p = one(&event, &s);
    assert_eq!(p.routes, vec![url(PROD_HOOK)]);
    assert_eq!(p.via.as_deref(), Some(PROD_OU));
    // A test message for a service route is not redirected by the account it runs in.
    let mut s = org_settings();
    s.overrides.insert(
        "123456789012".into(),
        RouteOverride {
            webhooks: vec![url(ACCOUNT_HOOK)],
            ..RouteOverride::default()
        },
    );
    let event = awsmon_notifier::event::test_event(
        &serde_json::json!({"route": "guardduty"}),
        "us-east-1",
        "123456789012",
        "2026-12-05T00:00:00Z",
    );
    assert_eq!(one(&event, &s).routes, vec![url(GUARDDUTY_HOOK)]);
}

#[test]
fn the_preview_line_names_the_override_and_masks_its_webhook() {
    let s = org_settings();
    let p = one(
        &about("guardduty-crypto-high", "/detail/accountId", MEMBER),
        &s,
    );
    let mut bytes = Vec::new();
    p.write_json(&mut bytes);
    let line = String::from_utf8(bytes).expect("utf8");
    assert_eq!(serde_json::to_string(&p.to_json()).expect("json"), line);
    assert!(line.contains(r#""override":"ou-ab12-prod0001""#), "{line}");
    assert!(!line.contains("ZZZZZZZZ"), "webhook leaked: {line}");
    // Without an override the line has no such key.
    let plain = one(&fixture("guardduty-crypto-high"), &s);
    assert!(plain.to_json().get("override").is_none());
}

/// Where the console combined two entries (webhooks from the OU, the floor from the account's
/// own entry), the drop reason names the entry the floor came from; an account nobody listed
/// (it joined after the push) falls back to the root's entry.
#[test]
fn a_combined_entry_names_its_floors_source_and_the_root_covers_newcomers() {
    let mut s = settings();
    s.overrides.insert(
        format!("{PROD_OU}+{MEMBER}"),
        RouteOverride {
            webhooks: vec![url(PROD_HOOK)],
            min_severity: Some(MinSeverity::Critical),
            accounts: vec![MEMBER.into()],
            webhooks_dropped: false,
        },
    );
    s.overrides.insert(
        "r-ab12".into(),
        RouteOverride {
            webhooks: vec![url(ACCOUNT_HOOK)],
            ..RouteOverride::default()
        },
    );
    let p = one(
        &about("guardduty-crypto-high", "/detail/accountId", MEMBER),
        &s,
    );
    assert_eq!(
        p.decision,
        Decision::Drop {
            reason: "severity 8.0 is below MIN_SEVERITY CRITICAL (9.0) of ROUTING_OVERRIDES 111122223333"
                .into()
        }
    );
    assert_eq!(p.routes, vec![url(PROD_HOOK)]);
    let newcomer = one(
        &about("guardduty-crypto-high", "/detail/accountId", "999988887777"),
        &s,
    );
    assert_eq!(newcomer.routes, vec![url(ACCOUNT_HOOK)]);
    assert_eq!(newcomer.via.as_deref(), Some("r-ab12"));
    assert_eq!(newcomer.account, "999988887777");
}

#[test]
fn private_webhooks_in_an_override_are_dropped_like_any_other() {
    let mut s = org_settings();
    s.overrides.get_mut(PROD_OU).expect("prod").webhooks =
        vec![WebhookUrl::new_unchecked("https://169.254.169.254/latest")];
    let (s, dropped) = s.without_private_webhooks();
    assert_eq!(dropped.len(), 1);
    assert!(s.overrides[PROD_OU].webhooks.is_empty());
    // The entry's messages then have no route, so the invocation fails loudly rather than
    // posting inside the VPC or to the usual channel.
    let p = one(
        &about("guardduty-crypto-high", "/detail/accountId", MEMBER),
        &s,
    );
    assert!(p.decision.is_send());
    assert!(p.routes.is_empty());
}

#[test]
fn the_parameter_json_round_trips_and_stays_small_without_overrides() {
    let s = org_settings();
    let json = serde_json::to_string(&s).expect("json");
    let back: awsmon_notifier::Settings = serde_json::from_str(&json).expect("parse");
    assert_eq!(back, s);
    let plain = serde_json::to_string(&settings()).expect("json");
    assert!(!plain.contains("overrides"), "{plain}");
}

#[test]
fn security_hubs_floor_follows_the_override_both_ways() {
    let event = fixture("securityhub-imported");
    let sends = |s: &awsmon_notifier::Settings| -> Vec<Decision> {
        prepare(&event, s).into_iter().map(|p| p.decision).collect()
    };
    // As shipped: the HIGH finding is sent (the second is GuardDuty's, a duplicate).
    assert!(sends(&settings())[0].is_send());
    let mut s = settings();
    s.overrides.insert(
        "123456789012".into(),
        RouteOverride {
            min_severity: Some(MinSeverity::Critical),
            ..RouteOverride::default()
        },
    );
    assert_eq!(
        sends(&s)[0],
        Decision::Drop {
            reason:
                "severity HIGH is below MIN_SEVERITY CRITICAL of ROUTING_OVERRIDES 123456789012"
                    .into()
        }
    );
    assert!(!sends(&s)[1].is_send(), "the duplicate stays dropped");
}
