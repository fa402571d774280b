//! Properties over arbitrary and mutated input: no panic, Slack's limits always kept, and no
//! event text can ever produce a mention or link of its own.

mod common;

use awsmon_notifier::prepare;
use awsmon_notifier::slack::limit_violations;
use proptest::prelude::*;
use serde_json::Value;

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        hostile_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// Keys the parsers look for, so arbitrary objects reach deep into them.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "detail",
            "detail-type",
            "source",
            "id",
            "region",
            "account",
            "time",
            "Records",
            "Sns",
            "Message",
            "Subject",
            "EventSource",
            "severity",
            "type",
            "title",
            "description",
            "service",
            "action",
            "resource",
            "findings",
            "check-name",
            "check-item-detail",
            "status",
            "messageType",
            "configurationItemDiff",
            "changedProperties",
            "configurationItem",
            "findingArn",
            "resources",
            "packageVulnerabilityDetails",
            "vulnerablePackages",
        ])
        .prop_map(str::to_string),
        "[a-zA-Z]{1,8}",
    ]
}

/// Strings that try to break out: mentions, links, entities, huge text, odd Unicode.
fn hostile_string() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("<!channel>".to_string()),
        Just("<!here|here> <@U012AB3CD> <#C1234|general>".to_string()),
        Just("<https://evil.example|click me>".to_string()),
        Just("&lt;!channel&gt; & < >".to_string()),
        Just("aws.guardduty".to_string()),
        Just("GuardDuty Finding".to_string()),
        Just("aws:sns".to_string()),
        Just("ConfigurationItemChangeNotification".to_string()),
        "[\\PC]{0,40}",
        (1usize..60_000).prop_map(|n| "é<!x>&".repeat(n / 6 + 1)),
    ]
}

/// Every string in the payload that Slack renders.
fn texts(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, x) in map {
                if k == "text"
                    && let Value::String(s) = x
                {
                    out.push(s.clone());
                }
                texts(x, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|x| texts(x, out)),
        _ => {}
    }
}

fn check(payload: &Value) -> Result<(), TestCaseError> {
    let settings = common::settings();
    for p in prepare(payload, &settings) {
        let Some(slack) = &p.payload else { continue };
        prop_assert_eq!(limit_violations(slack), Vec::<String>::new());
        let mut all = Vec::new();
        texts(slack, &mut all);
        let top = slack["text"].as_str().unwrap_or_default();
        let allowed_prefix = p
            .decision
            .mention()
            .markup()
            .map(|m| format!("{m} "))
            .unwrap_or_default();
        for t in &all {
            let rest = if t == top {
                t.strip_prefix(&allowed_prefix).unwrap_or(t)
            } else {
                t
            };
            prop_assert!(!rest.contains("<!"), "unescaped <! in {:?}", t);
            prop_assert!(
                !rest.contains("<@") && !rest.contains("<#"),
                "unescaped mention in {:?}",
                t
            );
            // Links are ours only: they start with a console or advisory URL we built.
            for (i, _) in rest.match_indices('<') {
                prop_assert!(
                    rest[i..].starts_with("<https://") || rest[i..].starts_with("<http://"),
                    "stray < in {:?}",
                    t
                );
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_json_never_panics_and_stays_safe(v in arb_json()) {
        check(&v)?;
    }

    #[test]
    fn mutated_fixtures_never_panic_and_stay_safe(
        which in 0usize..17,
        edits in prop::collection::vec((any::<prop::sample::Index>(), arb_json()), 1..6),
    ) {
        let fixtures = common::fixtures();
        let mut payload = fixtures[which % fixtures.len()].1.clone();
        for (index, replacement) in edits {
            let mut paths = Vec::new();
            collect_paths(&payload, "", &mut paths);
            let path = index.get(&paths).clone();
            if let Some(slot) = payload.pointer_mut(&path) {
                *slot = replacement;
            }
        }
        check(&payload)?;
    }
}

/// JSON pointers to every node.
fn collect_paths(v: &Value, here: &str, out: &mut Vec<String>) {
    out.push(here.to_string());
    match v {
        Value::Object(map) => {
            for (k, x) in map {
                collect_paths(
                    x,
                    &format!("{here}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                collect_paths(x, &format!("{here}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn hostile_text_in_a_real_event_is_escaped() {
    let mut event = common::fixture("guardduty-crypto-high");
    event["detail"]["title"] =
        Value::String("<!channel> pwned <https://evil.example|login>".into());
    event["detail"]["description"] = Value::String("x".repeat(10_000));
    let p = &prepare(&event, &common::settings())[0];
    let slack = p.payload.as_ref().expect("payload");
    let header = slack["attachments"][0]["blocks"][0]["text"]["text"]
        .as_str()
        .expect("header");
    assert_eq!(
        header,
        "&lt;!channel&gt; pwned &lt;https://evil.example|login&gt;"
    );
    let top = slack["text"].as_str().expect("text");
    assert!(
        top.starts_with("<!channel> GuardDuty High (8.0): &lt;!channel&gt; pwned"),
        "{top}"
    );
    let body = slack["attachments"][0]["blocks"][1]["text"]["text"]
        .as_str()
        .expect("body");
    assert_eq!(body.chars().count(), 3000);
    assert!(body.ends_with('…'));
}
