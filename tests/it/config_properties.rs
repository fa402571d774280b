//! The config parser under arbitrary YAML: keys the parser knows, webhook-looking secrets in
//! any position, anchors and aliases, deep flow and block nesting. It never panics, never
//! expands past its bounds, and never prints a URL's secret part in any message.
//!
//! Random locally; a fixed seed and fewer cases in CI (CI=true), with failures kept in
//! proptest-regressions/config_properties.txt.

use proptest::prelude::*;
use proptest::test_runner::{FileFailurePersistence, RngAlgorithm, RngSeed};

const SECRET: &str = "SECRETSECRETSECRET";

fn config() -> ProptestConfig {
    let ci = std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false"));
    ProptestConfig {
        cases: if ci { 64 } else { 256 },
        rng_algorithm: RngAlgorithm::ChaCha,
        rng_seed: if ci {
            RngSeed::Fixed(0x6177_736d_6f6e)
        } else {
            RngSeed::Random
        },
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/proptest-regressions/config_properties.txt"
        )))),
        ..ProptestConfig::default()
    }
}

fn scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(format!(
            "https://hooks.slack.com/services/T0FAKE/B0FAKE/{SECRET}"
        )),
        Just(format!(
            "\"https://user:{SECRET}@hooks.example.com/x?t={SECRET}#{SECRET}\""
        )),
        Just(format!("http://192.0.2.2:18090\\@localhost/{SECRET}")),
        Just("eu-west-1".to_string()),
        Just("all".to_string()),
        Just("true".to_string()),
        Just("80".to_string()),
        Just("-1".to_string()),
        Just("~".to_string()),
        Just("\"\"".to_string()),
        "[a-zA-Z0-9:$_.-]{0,12}",
    ]
}

fn key() -> impl Strategy<Value = String> {
    let known: Vec<String> = awsmon::config::KEYS
        .iter()
        .map(|k| k.name.to_string())
        .collect();
    prop_oneof![
        prop::sample::select(known),
        Just(format!("https://hooks.slack.com/services/T0/B0/{SECRET}")),
        "[A-Z_]{1,12}",
    ]
}

/// A YAML value as flow text: scalars, lists, maps, anchors, aliases, nested deeply.
fn value() -> impl Strategy<Value = String> {
    scalar().prop_recursive(48, 256, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(|v| format!("[{}]", v.join(", "))),
            prop::collection::vec((key(), inner.clone()), 0..4).prop_map(|kv| {
                let items: Vec<String> = kv.iter().map(|(k, v)| format!("\"{k}\": {v}")).collect();
                format!("{{{}}}", items.join(", "))
            }),
            (0..4u8, inner.clone()).prop_map(|(n, v)| format!("&a{n} {v}")),
            (0..4u8).prop_map(|n| format!("*a{n}")),
        ]
    })
}

fn document() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        (key(), value()).prop_map(|(k, v)| format!("{k}: {v}\n")),
        (key(), prop::collection::vec(value(), 1..4))
            .prop_map(|(k, items)| {
                let mut s = format!("{k}:\n");
                for i in items {
                    s.push_str(&format!("  - {i}\n"));
                }
                s
            }),
        (key(), 1..300usize).prop_map(|(k, n)| format!("{k}:\n  {}x\n", "- ".repeat(n))),
        (key(), 1..8usize).prop_map(|(k, n)| {
            // Each anchor holding ten of the one before: 10^n values if expanded.
            let mut s = String::from("b0: &b0 [x, x, x, x, x, x, x, x, x, x]\n");
            for i in 1..=n {
                let p = i - 1;
                s.push_str(&format!(
                    "b{i}: &b{i} [*b{p}, *b{p}, *b{p}, *b{p}, *b{p}, *b{p}, *b{p}, *b{p}, *b{p}, *b{p}]\n"
                ));
            }
            s.push_str(&format!("{k}: *b{n}\n"));
            s
        }),
    ];
    prop::collection::vec(line, 0..8).prop_map(|lines| lines.concat())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_yaml_is_parsed_or_refused_and_never_shows_a_secret(text in document()) {
        let messages: Vec<String> = match awsmon::config::load_str("config.yml", &text) {
            Ok((cfg, warnings)) => {
                let mut m: Vec<String> = warnings.iter().map(ToString::to_string).collect();
                // What `config show` prints.
                m.extend(awsmon::config::show(&cfg).into_iter().map(|(k, v)| format!("{k}: {v}")));
                m
            }
            Err(errors) => errors.iter().map(ToString::to_string).collect(),
        };
        for m in messages {
            prop_assert!(!m.contains(SECRET), "{}", m);
        }
    }
}
