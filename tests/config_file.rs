//! config.yml: the old project's keys, precise errors for each kind of mistake, unknown keys,
//! and atomic saves that keep comments and unknown keys.
// Values parsed from literal text compare exactly.
#![allow(clippy::float_cmp)]

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use awsmon::config::{self, ConfigError, SavePlan};
use awsmon_notifier::Service;
use awsmon_notifier::settings::InspectorSeverity;

const FAKE_HOOK_A: &str = "https://hooks.slack.com/services/T0FAKE/B0FAKE/AAAAAAAAAAAAAAAAAAAAAAAA";
const FAKE_HOOK_B: &str = "https://hooks.slack.com/services/T0FAKE/B0FAKE/BBBBBBBBBBBBBBBBBBBBBBBB";

fn write_config(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("config.yml");
    std::fs::write(&path, text).expect("write");
    (dir, path)
}

/// Loads text that must fail, and returns the errors as the user sees them, with the temp
/// directory replaced by `DIR`.
fn errors(text: &str) -> Vec<String> {
    let (dir, path) = write_config(text);
    match config::load_file(&path) {
        Err(ConfigError::Invalid { errors, .. }) => errors
            .iter()
            .map(|i| {
                i.to_string()
                    .replace(&dir.path().display().to_string(), "DIR")
            })
            .collect(),
        other => panic!("expected validation errors, got {other:?}"),
    }
}

#[test]
fn the_old_projects_config_loads_unchanged() {
    let text = format!(
        "PREFIX_SERVICE_NAME: acme-monitoring\nPREFIX_S3: acme-mon\nSTACK_TAGS:\n  Owner: secops\n  CostCenter: 1234\n\
         WEBHOOK_URLS: {FAKE_HOOK_A},{FAKE_HOOK_B}\nWEBHOOK_URLS_GUARDDUTY: {FAKE_HOOK_B}\nWEBHOOK_URLS_CONFIG: ''\n\
         WEBHOOK_URLS_INSPECTOR:\nWEBHOOK_URLS_TRUSTEDADVISOR: ''\nWEBHOOK_URLS_BUDGET: ''\nBUDGET_LIMIT: 250\n\
         BUDGET_TAGKEYVALUE:\n  - user:Project$acme\n  - user:Env$prod\nBUDGET_THRESHOLD_PERCENTAGE: 90\n"
    );
    let (_dir, path) = write_config(&text);
    let loaded = config::load_file(&path).expect("valid");
    let c = &loaded.config;
    assert!(loaded.warnings.is_empty());
    assert_eq!(c.prefix_service_name, "acme-monitoring");
    assert_eq!(c.prefix_s3, "acme-mon");
    assert_eq!(
        c.stack_tags,
        vec![
            ("Owner".into(), "secops".into()),
            ("CostCenter".into(), "1234".into())
        ]
    );
    let exposed = |svc: Option<Service>| {
        c.webhooks(svc)
            .iter()
            .map(|u| u.expose().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(exposed(None), vec![FAKE_HOOK_A, FAKE_HOOK_B]);
    assert_eq!(exposed(Some(Service::GuardDuty)), vec![FAKE_HOOK_B]);
    // Empty or missing per-service keys fall back to WEBHOOK_URLS.
    for svc in [
        Service::Config,
        Service::Inspector,
        Service::TrustedAdvisor,
        Service::Budget,
    ] {
        assert_eq!(exposed(Some(svc)), vec![FAKE_HOOK_A, FAKE_HOOK_B], "{svc}");
    }
    assert_eq!(c.budget_limit, Some(250.0));
    assert_eq!(
        c.budget_tag_filters,
        vec!["user:Project$acme", "user:Env$prod"]
    );
    assert_eq!(c.budget_threshold_percentage, 90.0);
    // New keys take their documented defaults.
    assert_eq!(c.home_region(), "us-east-1");
    assert_eq!(c.settings.guardduty.mention_here_severity, 4.0);
    assert_eq!(c.settings.guardduty.mention_channel_severity, 7.0);
    assert_eq!(c.settings.inspector.min_severity, InspectorSeverity::Medium);
    assert_eq!(
        c.settings.inspector.resource_types,
        vec!["EC2", "ECR", "LAMBDA"]
    );
    assert_eq!(c.settings.trusted_advisor.statuses, vec!["ERROR"]);
}

#[test]
fn webhook_lists_may_be_yaml_lists() {
    let text = format!("WEBHOOK_URLS:\n  - {FAKE_HOOK_A}\n  - {FAKE_HOOK_B}\n");
    let (cfg, _) = config::load_str("c.yml", &text).expect("valid");
    assert_eq!(cfg.webhooks(None).len(), 2);
}

#[test]
fn invalid_yaml_gives_its_position() {
    assert_eq!(
        errors("PREFIX_SERVICE_NAME: acme\nSTACK_TAGS: {Owner: x\nBUDGET_LIMIT: 10\n"),
        vec![
            "DIR/config.yml:3:13: invalid YAML: while parsing a flow mapping, did not find expected ',' or '}'"
        ]
    );
}

#[test]
fn a_wrong_type_says_what_was_expected_and_found() {
    assert_eq!(
        errors("BUDGET_LIMIT:\n  - 100\n  - 200\nSTACK_TAGS: [a, b]\n"),
        vec![
            "DIR/config.yml:2:3: BUDGET_LIMIT: expected a positive amount in USD, found a list",
            "DIR/config.yml:4:13: STACK_TAGS: expected a mapping of tag names to values, found a list",
        ]
    );
}

#[test]
fn threshold_above_100_is_rejected() {
    assert_eq!(
        errors("BUDGET_THRESHOLD_PERCENTAGE: 150\n"),
        vec![
            "DIR/config.yml:1:30: BUDGET_THRESHOLD_PERCENTAGE: out of range: expected a percentage above 0 and at most 100, found 150"
        ]
    );
}

#[test]
fn a_negative_budget_is_rejected() {
    assert_eq!(
        errors("BUDGET_LIMIT: -5\n"),
        vec![
            "DIR/config.yml:1:15: BUDGET_LIMIT: out of range: expected a positive amount in USD, found -5"
        ]
    );
}

#[test]
fn a_webhook_that_is_not_https_is_rejected_and_stays_masked() {
    let errs = errors(
        "WEBHOOK_URLS:\n  - https://hooks.slack.com/services/T0FAKE/B0FAKE/AAAAAAAAAAAAAAAAAAAAAAAA\n  - http://hooks.slack.com/services/T0FAKE/B0FAKE/SECRETSECRETSECRETSECRET\n",
    );
    assert_eq!(
        errs,
        vec![
            "DIR/config.yml:3:5: WEBHOOK_URLS: webhook must use https:// (plain http is allowed only to localhost), found http://hooks.slack.com/services/T…/B…/••••"
        ]
    );
    assert!(!errs[0].contains("SECRET"));
}

#[test]
fn a_malformed_tag_filter_is_rejected() {
    assert_eq!(
        errors("BUDGET_TAGKEYVALUE:\n  - user:Project$acme\n  - Project=acme\n"),
        vec![
            "DIR/config.yml:3:5: BUDGET_TAGKEYVALUE: expected a tag filter of the form \"user:key$value\", found \"Project=acme\""
        ]
    );
}

#[test]
fn an_unknown_region_is_rejected_with_the_nearest_name() {
    assert_eq!(
        errors("HOME_REGION: eu-wset-1\nREGIONS: [us-east-1, mars-north-1]\n"),
        vec![
            "DIR/config.yml:1:14: HOME_REGION: unknown region \"eu-wset-1\"; did you mean eu-west-1?",
            "DIR/config.yml:2:22: REGIONS: unknown region \"mars-north-1\"",
        ]
    );
}

#[test]
fn severities_out_of_range_are_rejected() {
    assert_eq!(
        errors("GUARDDUTY_MIN_SEVERITY: 11\nINSPECTOR_MIN_SEVERITY: SEVERE\n"),
        vec![
            "DIR/config.yml:1:25: GUARDDUTY_MIN_SEVERITY: out of range: expected a GuardDuty severity from 0 to 10, found 11",
            "DIR/config.yml:2:25: INSPECTOR_MIN_SEVERITY: severity out of range: expected INFORMATIONAL, LOW, MEDIUM, HIGH or CRITICAL, found \"SEVERE\"",
        ]
    );
}

#[test]
fn unknown_keys_warn_with_the_nearest_known_key() {
    let (cfg, warnings) = config::load_str(
        "c.yml",
        "WEBHOOK_URL: x\nTEAM_NOTES: hello\nBUDGET_LIMIT: 5\n",
    )
    .expect("valid");
    let shown: Vec<String> = warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        vec![
            "c.yml:1:1: WEBHOOK_URL: unknown key, ignored (kept when saving); did you mean WEBHOOK_URLS?",
            "c.yml:2:1: TEAM_NOTES: unknown key, ignored (kept when saving)",
        ]
    );
    assert_eq!(cfg.budget_limit, Some(5.0));
}

#[test]
fn saving_changes_only_edited_keys_and_keeps_comments_unknown_keys_and_a_backup() {
    let original = format!(
        "# team config\nPREFIX_SERVICE_NAME: acme  # do not change\nTEAM_NOTES:\n  oncall: alice\n\n# the money\nBUDGET_LIMIT: 100\nWEBHOOK_URLS: {FAKE_HOOK_A}\n"
    );
    let (_dir, path) = write_config(&original);
    let loaded = config::load_file(&path).expect("valid");
    let mut cfg = loaded.config.clone();
    cfg.budget_limit = Some(150.0);
    cfg.settings.guardduty.min_severity = 4.0;
    cfg.settings
        .routes
        .default
        .push(awsmon_notifier::WebhookUrl::parse(FAKE_HOOK_B).expect("url"));

    let plan = SavePlan::new("config.yml", loaded.text.as_deref(), &cfg).expect("plan");
    assert_eq!(
        plan.changed,
        vec!["WEBHOOK_URLS", "BUDGET_LIMIT", "GUARDDUTY_MIN_SEVERITY"]
    );
    assert!(plan.lost_comment_lines.is_empty());
    config::save_if_unchanged(&path, loaded.text.as_deref(), &plan.text).expect("save");

    let saved = std::fs::read_to_string(&path).expect("read");
    assert_eq!(
        saved,
        format!(
            "# team config\nPREFIX_SERVICE_NAME: acme  # do not change\nTEAM_NOTES:\n  oncall: alice\n\n# the money\nBUDGET_LIMIT: 150\nWEBHOOK_URLS: {FAKE_HOOK_A},{FAKE_HOOK_B}\nGUARDDUTY_MIN_SEVERITY: 4\n"
        )
    );
    let reloaded = config::load_file(&path).expect("valid after save");
    assert_eq!(reloaded.config, cfg);
    assert_eq!(reloaded.warnings.len(), 1, "the unknown key is still there");
    assert_eq!(
        std::fs::read_to_string(path.with_file_name("config.yml.bak")).expect("bak"),
        original
    );
    let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

#[test]
fn a_save_that_would_drop_comments_says_so_first() {
    let original = "STACK_TAGS:\n  # who pays\n  Owner: secops\n";
    let (cfg0, _) = config::load_str("c.yml", original).expect("valid");
    let mut cfg = cfg0.clone();
    cfg.stack_tags.push(("Env".into(), "prod".into()));
    let plan = SavePlan::new("c.yml", Some(original), &cfg).expect("plan");
    assert_eq!(plan.lost_comment_lines, vec![2]);
    assert_eq!(plan.text, "STACK_TAGS:\n  Owner: secops\n  Env: prod\n");
}

#[test]
fn a_save_whose_temp_file_fails_to_write_leaves_the_original_intact() {
    let original = "BUDGET_LIMIT: 100\n";
    let (dir, path) = write_config(original);
    let result = config::write_atomic_with(&path, b"BUDGET_LIMIT: 200\n", |file, bytes| {
        file.write_all(&bytes[..5])?;
        Err(std::io::Error::other("disk full"))
    });
    assert_eq!(result.expect_err("must fail").to_string(), "disk full");
    assert_eq!(std::fs::read_to_string(&path).expect("read"), original);
    let leftovers: Vec<String> = std::fs::read_dir(dir.path())
        .expect("ls")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        leftovers,
        vec!["config.yml"],
        "no temp file and no backup left behind"
    );
}

#[test]
fn the_sample_lists_every_key_and_is_valid() {
    let sample = config::sample();
    let (cfg, warnings) = config::load_str("config.yml.sample", &sample).expect("sample is valid");
    assert!(warnings.is_empty());
    for key in config::KEYS {
        assert!(
            sample.contains(&format!("\n{}:", key.name)),
            "{} missing from the sample",
            key.name
        );
    }
    assert!(
        sample.find("PREFIX_SERVICE_NAME").expect("old key")
            < sample.find("HOME_REGION").expect("new key")
    );
    assert_eq!(cfg.budget_limit, Some(100.0));
    let on_disk =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config.yml.sample"))
            .expect("config.yml.sample");
    assert_eq!(
        on_disk, sample,
        "config.yml.sample is out of date: run `awsmon-tui config sample > config.yml.sample`"
    );
}

#[test]
fn show_masks_webhooks() {
    let (cfg, _) =
        config::load_str("c.yml", &format!("WEBHOOK_URLS: {FAKE_HOOK_A}\n")).expect("valid");
    let shown = config::show(&cfg);
    let hooks = shown
        .iter()
        .find(|(k, _)| *k == "WEBHOOK_URLS")
        .expect("key");
    assert_eq!(hooks.1, "https://hooks.slack.com/services/T…/B…/••••");
    assert!(!config::show_json(&cfg).to_string().contains("AAAA"));
}

/// The security review's finding: a webhook URL under the wrong key was printed in full in the
/// error, for ten of twelve keys tried. Every key, every message, masked.
#[test]
fn a_webhook_url_under_any_key_is_masked_in_every_message() {
    let secret = "https://hooks.slack.com/services/T0FAKE/B0FAKE/SECRETSECRETSECRET";
    let mut keys: Vec<&str> = awsmon::config::KEYS.iter().map(|k| k.name).collect();
    keys.push("WEBHOOK_URL"); // a typo: an unknown key
    for key in keys {
        for text in [
            format!("{key}: \"{secret}\"\n"),
            format!("{key}:\n  - \"{secret}\"\n"),
            format!("{key}:\n  {secret}: x\n"),
            format!("\"{secret}\": 1\n"),
        ] {
            let (_dir, path) = write_config(&text);
            let shown = match config::load_file(&path) {
                Ok(l) => l
                    .warnings
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>(),
                Err(ConfigError::Invalid { errors, warnings }) => errors
                    .iter()
                    .chain(&warnings)
                    .map(ToString::to_string)
                    .collect(),
                Err(e) => vec![e.to_string()],
            };
            for line in shown {
                assert!(!line.contains("SECRET"), "{key}: {line}");
            }
        }
    }
}

#[test]
fn private_webhooks_need_allow_private_webhooks() {
    let errs = errors("WEBHOOK_URLS: https://169.254.169.254/latest/meta-data\n");
    assert_eq!(
        errs,
        vec![
            "DIR/config.yml:1:1: WEBHOOK_URLS: https://169.254.169.254/•••• is a private, link-local or metadata address; set ALLOW_PRIVATE_WEBHOOKS: true if that is really where Slack messages should go"
        ]
    );
    let (_dir, path) =
        write_config("WEBHOOK_URLS: https://10.1.2.3/hook\nALLOW_PRIVATE_WEBHOOKS: true\n");
    let loaded = config::load_file(&path).expect("allowed");
    assert!(loaded.config.settings.allow_private_webhooks);
    // The notifier drops them unless allowed, too.
    let mut s = loaded.config.settings.clone();
    s.allow_private_webhooks = false;
    let (s, dropped) = s.without_private_webhooks();
    assert!(s.routes.default.is_empty());
    assert_eq!(dropped, vec!["https://10.1.2.3/••••"]);
}

/// The security review's finding: duplicate STACK_TAGS keys were accepted, and `config show`
/// and `config show --json` disagreed on which one won.
#[test]
fn duplicate_stack_tags_are_rejected() {
    assert_eq!(
        errors("STACK_TAGS:\n  Owner: a\n  Owner: b\n"),
        vec!["DIR/config.yml:3:3: STACK_TAGS: tag \"Owner\" appears twice"]
    );
}

/// The security review's finding: a ~400-byte alias bomb took 1.9 GB and was reported valid.
#[test]
fn an_alias_bomb_is_refused_before_it_expands() {
    let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for (i, prev) in ["a", "b", "c", "d", "e", "f", "g", "h"].iter().enumerate() {
        let name = ["b", "c", "d", "e", "f", "g", "h", "i"][i];
        text.push_str(&format!(
            "{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
        ));
    }
    text.push_str("REGIONS: *i\n");
    assert!(text.len() < 1000, "{}", text.len());
    let errs = errors(&text);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].ends_with(
            "invalid YAML: the document expands to more than 100000 values (too many aliases?)"
        ),
        "{errs:?}"
    );
}

/// The security review's finding: 10,000 nested block sequences overflowed the stack.
#[test]
fn deep_nesting_is_refused_not_a_crash() {
    // ~20 KB: ten thousand block sequences, each the first item of the one before.
    let text = format!("REGIONS:\n  {}x\n", "- ".repeat(10_000));
    assert!(text.len() < 25_000);
    let flow = format!("REGIONS: {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
    for t in [text, flow] {
        let errs = errors(&t);
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(
            errs[0].contains("nested more than 32 levels deep") || errs[0].contains("invalid YAML"),
            "{errs:?}"
        );
    }
}

#[test]
fn a_file_over_a_mebibyte_is_refused_unread() {
    let (_dir, path) = write_config(&format!("# {}\n", "x".repeat(2 << 20)));
    let Err(ConfigError::Io { message, .. }) = config::load_file(&path) else {
        panic!("expected a refusal");
    };
    assert_eq!(
        message,
        "2097155 bytes; a config file may be at most 1048576 (is this the right file?)"
    );
}

#[test]
fn reserved_concurrency_is_a_whole_number_from_1_to_1000() {
    assert_eq!(
        errors("NOTIFIER_RESERVED_CONCURRENCY: 2.5\n"),
        vec![
            "DIR/config.yml:1:32: NOTIFIER_RESERVED_CONCURRENCY: expected a whole number from 1 to 1000, found 2.5"
        ]
    );
    assert_eq!(
        errors("NOTIFIER_RESERVED_CONCURRENCY: 0\n"),
        vec![
            "DIR/config.yml:1:32: NOTIFIER_RESERVED_CONCURRENCY: out of range: expected a whole number from 1 to 1000, found 0"
        ]
    );
    let (_dir, path) = write_config("NOTIFIER_RESERVED_CONCURRENCY: 20\n");
    assert_eq!(
        config::load_file(&path)
            .expect("valid")
            .config
            .notifier_reserved_concurrency,
        20
    );
}
