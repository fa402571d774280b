//! Properties over arbitrary and mutated input: no panic, Slack's limits always kept, and no
//! event text can ever produce a mention or link of its own.
//!
//! In CI (`CI=true`) the properties run 64 cases from a fixed seed, so a run can be repeated;
//! locally they run 256 cases from a random seed, to keep finding new ones. `PROPTEST_CASES`
//! and `PROPTEST_RNG_SEED` still win over both. Failures found anywhere are saved to
//! `proptest-regressions/properties.txt` (commit it) and replayed first on every run.

use crate::common;

use awsmon_notifier::prepare;
use awsmon_notifier::slack::{self, limit_violations};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{
    FailurePersistence, FileFailurePersistence, RngAlgorithm, RngSeed, TestRunner,
};
use serde_json::Value;

const CI_CASES: u32 = 64;
const LOCAL_CASES: u32 = 256;
/// The CI seed: any fixed number; change it only on purpose.
const CI_SEED: u64 = 0x6177_736d_6f6e;
/// Where failures are saved and replayed from, whatever the working directory.
const REGRESSIONS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/proptest-regressions/properties.txt"
);

fn config() -> ProptestConfig {
    let ci = std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false"));
    config_for(ci, |name| std::env::var_os(name).is_some())
}

/// The configuration for a CI or a local run; `env_set` says which `PROPTEST_*` variables
/// were given (`ProptestConfig::default()` has already read them).
fn config_for(ci: bool, env_set: impl Fn(&str) -> bool) -> ProptestConfig {
    let base = ProptestConfig::default();
    let persistence: Option<Box<dyn FailurePersistence>> = base
        .failure_persistence
        .is_some()
        .then(|| Box::new(FileFailurePersistence::Direct(REGRESSIONS)) as _);
    ProptestConfig {
        cases: match (env_set("PROPTEST_CASES"), ci) {
            (true, _) => base.cases,
            (false, true) => CI_CASES,
            (false, false) => LOCAL_CASES,
        },
        rng_algorithm: if env_set("PROPTEST_RNG_ALGORITHM") {
            base.rng_algorithm
        } else {
            RngAlgorithm::ChaCha
        },
        rng_seed: match (env_set("PROPTEST_RNG_SEED"), ci) {
            (true, _) => base.rng_seed,
            (false, true) => RngSeed::Fixed(CI_SEED),
            (false, false) => RngSeed::Random,
        },
        failure_persistence: persistence,
        ..base
    }
}

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
            "sourceUrl",
            "Remediation",
            "Recommendation",
            "Url",
            "awsRegion",
            "Region",
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
            // Every `<` opens one of our links, and every link goes to an https:// URL.
            for (i, _) in rest.match_indices('<') {
                let end = rest[i..].find('>').map(|j| i + j);
                prop_assert!(end.is_some(), "unclosed < in {:?}", t);
                let inner = &rest[i + 1..end.unwrap_or(i)];
                let target = inner.split('|').next().unwrap_or_default();
                prop_assert!(
                    is_https_target(target) && inner.contains('|'),
                    "link to {:?} in {:?}",
                    target,
                    t
                );
            }
        }
        // Buttons and any other url field: https:// only, too.
        let mut urls = Vec::new();
        values_of("url", slack, &mut urls);
        for u in urls {
            prop_assert!(u.as_str().is_some_and(is_https_target), "url field {:?}", u);
        }
    }
    Ok(())
}

/// An `https://` URL with a host and nothing Slack would read as markup or a break.
fn is_https_target(target: &str) -> bool {
    target.strip_prefix("https://").is_some_and(|rest| {
        !rest.is_empty()
            && !rest.starts_with(['/', '?', '#'])
            && target
                .chars()
                .all(|c| c.is_ascii_graphic() && !matches!(c, '|' | '<' | '>'))
    })
}

/// Every value under `key`, at any depth.
fn values_of<'a>(key: &str, v: &'a Value, out: &mut Vec<&'a Value>) {
    match v {
        Value::Object(map) => {
            for (k, x) in map {
                if k == key {
                    out.push(x);
                }
                values_of(key, x, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|x| values_of(key, x, out)),
        _ => {}
    }
}

/// Values an event may carry where a URL is expected: real URLs, and everything that is not
/// one (booleans, numbers, other schemes, broken or hostile strings).
fn link_target() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        prop::sample::select(vec![
            "",
            " ",
            "false",
            "https://",
            "https:///x",
            "javascript:alert(document.cookie)",
            "http://docs.aws.amazon.com/fix",
            "HTTPS://docs.aws.amazon.com/fix",
            "https://docs.aws.amazon.com/a b",
            "https://docs.aws.amazon.com/a|click here",
            "https://docs.aws.amazon.com/<!channel>",
            "https://docs.aws.amazon.com/a>b",
            "https://docs.aws.amazon.com/a\nb",
            "<https://evil.example|Remediation>",
        ])
        .prop_map(|s| Value::String(s.to_string())),
        "https://[a-z]{1,10}\\.example/[a-zA-Z0-9/._?=&#%-]{0,30}".prop_map(Value::String),
        "(https?|javascript|data|ftp)?:?/{0,3}[\\PC]{0,30}".prop_map(Value::String),
        hostile_string().prop_map(Value::String),
    ]
}

/// The places where an event names a URL that becomes a link.
const URL_FIELDS: &[(&str, &str)] = &[
    (
        "securityhub-imported",
        "/detail/findings/0/Remediation/Recommendation/Url",
    ),
    (
        "inspector2-ec2-package",
        "/detail/packageVulnerabilityDetails/sourceUrl",
    ),
    (
        "inspector2-network-reachability",
        "/detail/remediation/recommendation/Url",
    ),
];

/// JSON text as it arrives: compact or pretty, with `\\u` and short escapes, and sometimes
/// broken (cut short, a byte changed) so that refusals are compared too.
fn json_text() -> impl Strategy<Value = String> {
    (
        arb_json(),
        any::<bool>(),
        prop_oneof![
            Just(None),
            Just(Some("\\u0041")),
            Just(Some("\\ud83d\\ude00")),
            Just(Some("\\ud800")),
            Just(Some("\\/\\b\\f\\n\\r\\t\\\"\\\\")),
            Just(Some("\t\u{1}")),
        ],
        any::<prop::sample::Index>(),
        prop_oneof![
            Just(None),
            Just(Some(b'"')),
            Just(Some(b',')),
            Just(Some(b'}')),
            Just(Some(b'0')),
            Just(Some(b'\\')),
            Just(Some(b' ')),
        ],
        any::<bool>(),
    )
        .prop_map(|(v, pretty, escape, at, byte, cut)| {
            let mut text = if pretty {
                serde_json::to_string_pretty(&v)
            } else {
                serde_json::to_string(&v)
            }
            .unwrap_or_default();
            // An escape put inside the first string value, where one is.
            if let (Some(e), Some(q)) = (escape, text.find(": \"").or_else(|| text.find(":\""))) {
                let open = text[q..].find('"').map_or(q, |i| q + i + 1);
                text.insert_str(open, e);
            }
            let mut bytes = text.into_bytes();
            if let Some(b) = byte
                && !bytes.is_empty()
            {
                let i = at.index(bytes.len());
                bytes[i] = b;
            }
            if cut && bytes.len() > 1 {
                bytes.truncate(at.index(bytes.len()));
            }
            String::from_utf8_lossy(&bytes).into_owned()
        })
}

proptest! {
    #![proptest_config(config())]

    /// The direct reader either steps aside or gives exactly the serde path's tree; it never
    /// accepts what serde_json refuses.
    #[test]
    fn the_direct_reader_agrees_with_serde_json(text in json_text()) {
        use awsmon_notifier::json::{Pruned, fast};
        let ours = fast::parse(&text);
        let mut de = serde_json::Deserializer::from_str(&text);
        let theirs = serde::de::DeserializeSeed::deserialize(Pruned { whole: false }, &mut de)
            .and_then(|j| de.end().map(|()| j));
        match (ours, theirs) {
            // The trees themselves: the same entries in the same order, not only the same
            // value once collected into a map.
            (Some(a), Ok(b)) => prop_assert_eq!(a, b, "{}", text),
            (Some(a), Err(e)) => prop_assert!(false, "accepted {} as {} but serde_json says {}", text, a, e),
            (None, _) => {}
        }
    }

    #[test]
    fn arbitrary_json_never_panics_and_stays_safe(v in arb_json()) {
        check(&v)?;
    }

    #[test]
    fn mutated_fixtures_never_panic_and_stay_safe(
        which in any::<prop::sample::Index>(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), arb_json()), 1..6),
    ) {
        let fixtures = common::fixtures();
        let mut payload = which.get(&fixtures).1.clone();
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

    /// A URL field holding anything: a link to it only when it is an https:// URL, else the
    /// value as text.
    #[test]
    fn link_targets_are_https_urls_only(
        field in prop::sample::select(URL_FIELDS),
        url in link_target(),
    ) {
        let (fixture, pointer) = field;
        let mut payload = common::fixture(fixture);
        // The field itself may be absent from the fixture; its parent object is not.
        let (parent, key) = pointer.rsplit_once('/').unwrap_or_default();
        let parent = payload.pointer_mut(parent).and_then(Value::as_object_mut);
        prop_assert!(parent.is_some(), "{} has no {}", fixture, pointer);
        if let Some(parent) = parent {
            parent.insert(key.to_string(), url);
        }
        check(&payload)?;
    }

    /// The one place links are made: its output is a link to an https:// URL, or no markup.
    #[test]
    fn link_makes_https_links_or_plain_text(
        target in prop_oneof![link_target().prop_map(|v| match v {
            Value::String(s) => s,
            other => other.to_string(),
        }), "[\\PC]{0,40}"],
        label in hostile_string(),
    ) {
        let out = slack::link(&target, &label);
        // Links also need an expected host (the console, docs, advisories); see slack's tests.
        prop_assert!(!slack::is_link_target(&target) || is_https_target(&target));
        if slack::is_link_target(&target) {
            prop_assert_eq!(out, format!("<{target}|{}>", slack::escape(&label)));
        } else {
            prop_assert!(!out.contains('<') && !out.contains('>'), "{:?}", out);
        }
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

/// The regression behind `link_targets_are_https_urls_only`: a Security Hub finding whose
/// `Remediation.Recommendation.Url` is `false` was sent as `<false|Remediation>`.
#[test]
fn a_remediation_url_of_false_is_text_not_a_link() {
    let mut event = common::fixture("securityhub-imported");
    event["detail"]["findings"][0]["Remediation"]["Recommendation"]["Url"] = Value::Bool(false);
    let p = &prepare(&event, &common::settings())[0];
    let text = serde_json::to_string(p.payload.as_ref().expect("payload")).expect("json");
    assert!(!text.contains("<false|"), "{text}");
    assert!(text.contains("Remediation: `false`"), "{text}");
    assert!(
        text.contains(
            "<https://us-east-1.console.aws.amazon.com/securityhub/home?region=us-east-1#/findings|Open in Security Hub>"
        ),
        "{text}"
    );
}

#[test]
fn ci_runs_fewer_cases_from_a_fixed_seed_and_local_runs_more_from_a_random_one() {
    let none_set = |_: &str| false;
    let ci = config_for(true, none_set);
    assert_eq!(ci.cases, CI_CASES);
    assert_eq!(ci.rng_seed, RngSeed::Fixed(CI_SEED));
    assert_eq!(ci.rng_algorithm, RngAlgorithm::ChaCha);
    let local = config_for(false, none_set);
    assert_eq!(local.cases, LOCAL_CASES);
    assert_eq!(local.rng_seed, RngSeed::Random);
    assert!(local.cases > ci.cases);
    if std::env::var_os("PROPTEST_DISABLE_FAILURE_PERSISTENCE").is_none() {
        for c in [&ci, &local] {
            let persistence = c.failure_persistence.as_deref().expect("persistence");
            assert!(FailurePersistence::eq(
                persistence,
                &FileFailurePersistence::Direct(REGRESSIONS)
            ));
        }
    }
    // A fixed seed draws the same cases on every run.
    let draw = |c: &ProptestConfig| {
        let mut runner = TestRunner::new(c.clone());
        (0..20)
            .map(|_| {
                arb_json()
                    .new_tree(&mut runner)
                    .expect("tree")
                    .current()
                    .to_string()
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(draw(&ci), draw(&ci));
    // The committed regressions file exists and is read (one `cc` line per saved case).
    let saved = std::fs::read_to_string(REGRESSIONS).expect("regressions file");
    assert!(saved.lines().any(|l| l.starts_with("cc ")), "{saved}");
}
