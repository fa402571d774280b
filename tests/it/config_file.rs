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

/// A region named as a partition names its regions (newer than this build, GovCloud) is
/// accepted with a warning at its position; anything else is still refused.
#[test]
fn a_region_this_build_does_not_list_validates_with_a_warning() {
    let (_dir, path) = write_config(
        "HOME_REGION: us-gov-west-1\nREGIONS: eu-west-1, ap-southeast-9\nGUARDDUTY_GLOBAL_FINDINGS_REGION: us-gov-west-1\n",
    );
    let loaded = config::load_file(&path).expect("valid");
    assert_eq!(loaded.config.home_region(), "us-gov-west-1");
    let warnings: Vec<String> = loaded
        .warnings
        .iter()
        .map(|w| format!("{}:{}: {}", w.pos.line, w.pos.column, w.key))
        .collect();
    assert_eq!(
        warnings,
        vec![
            "1:14: HOME_REGION",
            "2:10: REGIONS",
            "3:35: GUARDDUTY_GLOBAL_FINDINGS_REGION"
        ]
    );
    assert!(
        loaded.warnings[1]
            .message
            .starts_with("ap-southeast-9: not a region this build knows")
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

/// A home region that came from AWS_REGION or the profile is not written into the file by a
/// save of something else; one the file sets is kept and can be changed.
#[test]
fn a_save_does_not_pin_a_home_region_the_file_does_not_set() {
    let original = "BUDGET_LIMIT: 100\n";
    let (_dir, path) = write_config(original);
    let loaded = config::load_file(&path).expect("valid");
    assert!(!loaded.config.home_region_in_file);
    let mut cfg = loaded.config.clone();
    cfg.settings.home_region = "eu-west-1".into();
    cfg.budget_limit = Some(150.0);
    let plan = SavePlan::new("config.yml", Some(original), &cfg).expect("plan");
    assert_eq!(plan.changed, vec!["BUDGET_LIMIT"]);
    assert_eq!(plan.text, "BUDGET_LIMIT: 150\n");

    let pinned = "HOME_REGION: eu-west-2\n";
    let (cfg, _) = config::load_str("c.yml", pinned).expect("valid");
    assert!(cfg.home_region_in_file);
    let mut moved = cfg.clone();
    moved.settings.home_region = "eu-west-1".into();
    let plan = SavePlan::new("config.yml", Some(pinned), &moved).expect("plan");
    assert_eq!(plan.text, "HOME_REGION: eu-west-1\n");
}

/// With no config.yml anywhere, the first save goes to the user's config directory, which it
/// makes, private.
#[test]
fn the_first_save_makes_the_user_config_directory() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("xdg/awsmon/config.yml");
    let written = config::save_if_unchanged(&path, None, "BUDGET_LIMIT: 5\n").expect("saved");
    assert_eq!(written, path);
    assert_eq!(
        std::fs::read_to_string(&path).expect("read"),
        "BUDGET_LIMIT: 5\n"
    );
    let mode = std::fs::metadata(path.parent().expect("dir"))
        .expect("meta")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o700);
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
    for key in config::KEYS.iter() {
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

/// Masked, and two webhooks on one key print apart (issue 13: which one failed?).
#[test]
fn show_masks_webhooks() {
    let (cfg, _) = config::load_str(
        "c.yml",
        &format!("WEBHOOK_URLS:\n  - {FAKE_HOOK_A}\n  - {FAKE_HOOK_B}\n"),
    )
    .expect("valid");
    let shown = config::show(&cfg);
    let hooks = shown
        .iter()
        .find(|(k, _)| *k == "WEBHOOK_URLS")
        .expect("key");
    let (a, b) = (
        awsmon_notifier::secret::mask_webhook(FAKE_HOOK_A),
        awsmon_notifier::secret::mask_webhook(FAKE_HOOK_B),
    );
    assert_ne!(a, b);
    assert_eq!(hooks.1, format!("{a}, {b}"));
    assert!(a.starts_with("https://hooks.slack.com/services/T…/B…/••••#"));
    let json = config::show_json(&cfg).to_string();
    assert!(!json.contains("AAAA") && !json.contains("BBBB"), "{json}");
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
                // What `config show` and `config show --json` print, too.
                Ok(l) => l
                    .warnings
                    .iter()
                    .map(ToString::to_string)
                    .chain(
                        config::show(&l.config)
                            .into_iter()
                            .map(|(k, v)| format!("{k}: {v}")),
                    )
                    .chain([config::show_json(&l.config).to_string()])
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
    assert_eq!(
        dropped,
        vec![awsmon_notifier::WebhookUrl::new_unchecked("https://10.1.2.3/hook").masked()]
    );
    assert!(dropped[0].starts_with("https://10.1.2.3/••••#"));
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

/// One textual value per key, non-default, that config.yml and the console both accept. A new
/// key without a row here fails [`every_key_walks_the_file_the_save_show_and_the_editor_alike`].
fn walk_values() -> Vec<(&'static str, String)> {
    let mut values: Vec<(&'static str, String)> = vec![
        ("PREFIX_SERVICE_NAME", "Acme-mon".into()),
        ("PREFIX_S3", "acme-bucket".into()),
        ("STACK_TAGS", "Owner=secops, CostCenter=1234".into()),
        ("WEBHOOK_URLS", format!("{FAKE_HOOK_A}, {FAKE_HOOK_B}")),
        ("BUDGET_LIMIT", "250.5".into()),
        (
            "BUDGET_TAGKEYVALUE",
            "user:Project$acme, aws:createdBy$ci".into(),
        ),
        ("BUDGET_THRESHOLD_PERCENTAGE", "0.5".into()),
        ("HOME_REGION", "eu-west-1".into()),
        ("REGIONS", "eu-west-1, us-east-1, eu-west-1".into()),
        ("GUARDDUTY_MIN_SEVERITY", "2.5".into()),
        ("GUARDDUTY_MENTION_HERE_SEVERITY", "5".into()),
        ("GUARDDUTY_MENTION_CHANNEL_SEVERITY", "8.5".into()),
        ("GUARDDUTY_GLOBAL_FINDINGS_REGION", "eu-central-1".into()),
        (
            "CONFIG_RESOURCE_TYPES",
            "AWS::IAM::Role, AWS::S3::Bucket".into(),
        ),
        ("CONFIG_EXCLUDE_RESOURCE_TYPES", "AWS::EC2::Instance".into()),
        ("TRUSTEDADVISOR_STATUSES", "ERROR, warn".into()),
        (
            "TRUSTEDADVISOR_IGNORE_CHECKS",
            "Low Utilization, abc123".into(),
        ),
        ("INSPECTOR_MIN_SEVERITY", "high".into()),
        ("INSPECTOR_RESOURCE_TYPES", "ec2, LAMBDA".into()),
        ("SECURITYHUB_MIN_SEVERITY", "low".into()),
        ("DEDUPE_HOURS", "12".into()),
        ("DIGEST_TIME", "07:30".into()),
        ("DIGEST_TZ", "America/New_York".into()),
        (
            "SECURITYHUB_STANDARDS",
            "aws-foundational-security-best-practices, NIST-800-53-v5.0.0".into(),
        ),
        ("ALLOW_PRIVATE_WEBHOOKS", "true".into()),
        ("NOTIFIER_RESERVED_CONCURRENCY", "20".into()),
        ("ALERT_EMAIL", "oncall@example.com".into()),
        ("ORGANIZATION", "true".into()),
        ("ACCOUNTS", "ou-ab12-prod0001, 111122223333, r-ab12".into()),
        ("EXCLUDE_ACCOUNTS", "444455556666".into()),
        ("ORG_ACCESS_ROLE", "security/AwsmonAudit".into()),
        ("DELEGATED_ADMIN_ACCOUNT", "111122223333".into()),
        ("CONFIG_AGGREGATOR", "org-all_2".into()),
        ("ORG_AUTO_ENABLE", "all".into()),
        ("ORG_MAX_CONCURRENT_PERCENT", "50".into()),
        ("ORG_FAILURE_TOLERANCE_PERCENT", "0".into()),
        (
            "ROUTING_OVERRIDES",
            format!(
                "  ou-ab12-prod0001:\n    WEBHOOK_URLS: {FAKE_HOOK_A}\n  \"111122223333\":\n    MIN_SEVERITY: high\n"
            ),
        ),
        (
            "SUPPRESS",
            "  - SERVICE: guardduty\n    TYPE: \"Recon:EC2/*\"\n    ACCOUNT: \"111122223333\"\n    REASON: the scanner we run\n    EXPIRES: 2099-12-31\n".into(),
        ),
    ];
    for svc in Service::ALL {
        let name = config::KEYS
            .iter()
            .find(|k| k.name == format!("WEBHOOK_URLS_{}", svc.config_suffix()))
            .expect("a webhook key per service")
            .name;
        values.push((
            name,
            format!(
                "https://hooks.slack.com/services/T0FAKE/B0FAKE/{}",
                svc.config_suffix()
            ),
        ));
    }
    values
}

/// `KEY: value` as config.yml holds it: tags as a block mapping, anything else as typed.
fn yaml_line(spec: &config::KeySpec, text: &str) -> String {
    if matches!(
        spec.kind,
        config::schema::Kind::Overrides | config::schema::Kind::Suppress
    ) {
        format!("{}:\n{text}", spec.name)
    } else if matches!(spec.kind, config::schema::Kind::Tags) {
        let mut out = format!("{}:\n", spec.name);
        for pair in text.split(", ") {
            let (k, v) = pair.split_once('=').expect("Key=Value");
            out.push_str(&format!("  {k}: \"{v}\"\n"));
        }
        out
    } else {
        format!("{}: {text}\n", spec.name)
    }
}

/// The file and the editor start from the same config: PREFIX_S3 set, so that a new
/// PREFIX_SERVICE_NAME does not also move the bucket prefix (the file derives it when absent).
const BASE: &str = "PREFIX_S3: awsmon\n";

/// The org scope keys mean something only in org mode (alone they get a warning), so their
/// walk starts from a file that has it on.
const ORG_BASE: &str = "PREFIX_S3: awsmon\nORGANIZATION: true\n";

fn base_text(spec: &config::KeySpec) -> &'static str {
    if matches!(
        spec.name,
        "ACCOUNTS"
            | "EXCLUDE_ACCOUNTS"
            | "DELEGATED_ADMIN_ACCOUNT"
            | "ORG_AUTO_ENABLE"
            | "ORG_MAX_CONCURRENT_PERCENT"
            | "ORG_FAILURE_TOLERANCE_PERCENT"
            | "ROUTING_OVERRIDES"
    ) {
        ORG_BASE
    } else {
        BASE
    }
}

fn with_base(spec: &config::KeySpec, line: &str) -> String {
    if spec.name == "PREFIX_S3" {
        line.to_string()
    } else {
        format!("{}{line}", base_text(spec))
    }
}

/// Issue 11 item 5: one schema row per key feeds every path. Each key's value is parsed from
/// YAML, saved (fresh, in place, and beside comments and unknown keys) and parsed back, shown
/// masked, and typed into the editor with the same text: every path gives the same config.
#[test]
fn every_key_walks_the_file_the_save_show_and_the_editor_alike() {
    use awsmon::config::Config;
    use awsmon::tui::editors::{self, BudgetField, Field};

    let values = walk_values();
    let mut names: Vec<&str> = values.iter().map(|(k, _)| *k).collect();
    names.sort_unstable();
    let mut keys: Vec<&str> = config::KEYS.iter().map(|k| k.name).collect();
    keys.sort_unstable();
    assert_eq!(names, keys, "every key needs a value in walk_values()");
    assert_eq!(config::KEYS.len(), 46);

    let (base, _) = config::load_str("c.yml", BASE).expect("base");
    for (name, text) in &values {
        let spec = config::schema::spec(name).expect("key");
        let (base, _) = config::load_str("c.yml", base_text(spec)).expect("base");
        // File.
        let yaml = with_base(spec, &yaml_line(spec, text));
        let (from_file, warnings) =
            config::load_str("c.yml", &yaml).unwrap_or_else(|e| panic!("{name}: {}", e[0]));
        assert!(warnings.is_empty(), "{name}: {warnings:?}");
        assert_ne!(
            spec.get(&from_file),
            spec.get(&Config::default()),
            "{name}: the walk value must not be the default"
        );
        // Save and read back: fresh, in place (nothing to change), and over a file with a
        // comment and an unknown key, which survive.
        let fresh = SavePlan::new("c.yml", None, &from_file).expect("save");
        let (reread, _) = config::load_str("c.yml", &fresh.text).expect("saved text loads");
        assert_eq!(reread, from_file, "{name}: {}", fresh.text);
        let in_place = SavePlan::new("c.yml", Some(&yaml), &from_file).expect("save");
        assert_eq!(in_place.text, yaml, "{name}");
        assert!(
            in_place.changed.is_empty(),
            "{name}: {:?}",
            in_place.changed
        );
        let kept = "# keep me\nTEAM_NOTES: x\n";
        let over = SavePlan::new("c.yml", Some(kept), &from_file).expect("save");
        assert!(over.text.starts_with(kept), "{name}: {}", over.text);
        assert_eq!(
            config::load_str("c.yml", &over.text).expect("loads").0,
            from_file,
            "{name}"
        );
        // Show, masked.
        let shown = config::show(&from_file);
        let (_, value) = shown.iter().find(|(k, _)| k == name).expect("shown");
        assert_eq!(*value, spec.get(&from_file).display_masked(), "{name}");
        assert!(
            !value.contains("AAAA") && !value.contains("BBBB"),
            "{value}"
        );
        assert!(
            !config::show_json(&from_file)[*name]
                .to_string()
                .contains("AAAA"),
            "{name}"
        );
        // ROUTING_OVERRIDES is edited entry by entry (`tui_org`), never as one text.
        if matches!(
            spec.kind,
            config::schema::Kind::Overrides | config::schema::Kind::Suppress
        ) {
            assert!(spec.check_text(text).is_err(), "{name}");
            continue;
        }
        // Editor: the same text, and the editor's own text of the result, give the same config.
        let mut edited = base.clone();
        spec.set_text(&mut edited, text)
            .unwrap_or_else(|e| panic!("{name}: editor refused {text:?}: {e}"));
        assert_eq!(edited, from_file, "{name}");
        let mut again = base.clone();
        spec.set_text(&mut again, &spec.text(&from_file))
            .expect("own text");
        assert_eq!(again, from_file, "{name}");
    }

    // The console's own fields are those rows: label, current value, check and set.
    let by_key = |key: &str| {
        values
            .iter()
            .find(|(k, _)| *k == key)
            .expect("value")
            .1
            .clone()
    };
    for f in Field::ALL {
        let spec = config::schema::spec(f.key()).expect("a config key");
        assert_eq!(f.label(), spec.label);
        let text = by_key(f.key());
        let (from_file, _) =
            config::load_str("c.yml", &with_base(spec, &yaml_line(spec, &text))).expect("file");
        let mut edited = base.clone();
        editors::check_field_in(&edited, f, &text).expect("check");
        editors::set_field(&mut edited, f, &text).expect("set");
        assert_eq!(edited, from_file, "{f:?}");
        assert_eq!(editors::field_value(&edited, f), spec.text(&from_file));
    }
    for f in BudgetField::ALL {
        let spec = config::schema::spec(f.key()).expect("a config key");
        assert_eq!(f.label(), spec.label);
        let text = by_key(f.key());
        let (from_file, _) =
            config::load_str("c.yml", &with_base(spec, &yaml_line(spec, &text))).expect("file");
        let mut edited = base.clone();
        editors::check_budget_in(&edited, f, &text).expect("check");
        editors::set_budget(&mut edited, f, &text).expect("set");
        assert_eq!(edited, from_file, "{f:?}");
        assert_eq!(editors::budget_value(&edited, f), spec.text(&from_file));
    }
}

/// The drift issue 11 found: the file took a budget threshold in (0, 100] and `aws:` tag
/// filters, the editor demanded 1-100 and refused `aws:`. Boundaries now give the same answer,
/// with the same message, in config.yml and in the console.
#[test]
fn boundaries_are_accepted_and_refused_alike_by_the_file_and_the_editor() {
    use awsmon::tui::editors;

    let cases: &[(&str, &str, bool)] = &[
        ("BUDGET_THRESHOLD_PERCENTAGE", "0.5", true),
        ("BUDGET_THRESHOLD_PERCENTAGE", "100", true),
        ("BUDGET_THRESHOLD_PERCENTAGE", "0", false),
        ("BUDGET_THRESHOLD_PERCENTAGE", "100.5", false),
        ("BUDGET_THRESHOLD_PERCENTAGE", "ninety", false),
        ("BUDGET_THRESHOLD_PERCENTAGE", "", false),
        ("BUDGET_LIMIT", "0.01", true),
        ("BUDGET_LIMIT", "", true),
        ("BUDGET_LIMIT", "0", false),
        ("BUDGET_LIMIT", "-5", false),
        ("BUDGET_TAGKEYVALUE", "aws:createdBy$ci", true),
        ("BUDGET_TAGKEYVALUE", "user:Project$acme", true),
        ("BUDGET_TAGKEYVALUE", "Project$acme", false),
        ("BUDGET_TAGKEYVALUE", "user:$acme", false),
        ("BUDGET_TAGKEYVALUE", "aws:createdBy", false),
        ("GUARDDUTY_MIN_SEVERITY", "0", true),
        ("GUARDDUTY_MIN_SEVERITY", "10", true),
        ("GUARDDUTY_MIN_SEVERITY", "10.5", false),
        ("GUARDDUTY_MIN_SEVERITY", "-0.1", false),
        ("GUARDDUTY_MENTION_HERE_SEVERITY", "7", true),
        ("GUARDDUTY_MENTION_HERE_SEVERITY", "9", false),
        ("GUARDDUTY_MENTION_CHANNEL_SEVERITY", "3", false),
        ("NOTIFIER_RESERVED_CONCURRENCY", "1", true),
        ("NOTIFIER_RESERVED_CONCURRENCY", "1000", true),
        ("NOTIFIER_RESERVED_CONCURRENCY", "0", false),
        ("NOTIFIER_RESERVED_CONCURRENCY", "1001", false),
        ("NOTIFIER_RESERVED_CONCURRENCY", "2.5", false),
        ("CONFIG_RESOURCE_TYPES", "AWS::IAM::Role", true),
        ("CONFIG_RESOURCE_TYPES", "", true),
        ("CONFIG_RESOURCE_TYPES", "Foo::Bar::Baz", false),
        ("CONFIG_EXCLUDE_RESOURCE_TYPES", "AWS::IAM", false),
        ("TRUSTEDADVISOR_STATUSES", "", true),
        ("TRUSTEDADVISOR_STATUSES", "ok", true),
        ("TRUSTEDADVISOR_STATUSES", "ERROR, BAD", false),
        ("INSPECTOR_MIN_SEVERITY", "untriaged", true),
        ("INSPECTOR_MIN_SEVERITY", "SEVERE", false),
        ("INSPECTOR_RESOURCE_TYPES", "EC2, TAPE", false),
        ("SECURITYHUB_MIN_SEVERITY", "critical", true),
        ("SECURITYHUB_MIN_SEVERITY", "urgent", false),
        ("SECURITYHUB_STANDARDS", "", true),
        ("SECURITYHUB_STANDARDS", "pci-dss-v4.0.1", true),
        (
            "SECURITYHUB_STANDARDS",
            "cis-aws-foundations-benchmark-v1.2.0",
            false,
        ),
        ("PREFIX_SERVICE_NAME", "a", true),
        ("PREFIX_SERVICE_NAME", "9lives", false),
        ("PREFIX_S3", "abc", true),
        ("PREFIX_S3", "ab", false),
        ("PREFIX_S3", "Upper", false),
        ("ALERT_EMAIL", "", true),
        ("ALERT_EMAIL", "x@y", false),
        ("DIGEST_TIME", "09:00", true),
        ("DIGEST_TIME", "23:59", true),
        ("DIGEST_TIME", "9:00", false),
        ("DIGEST_TIME", "24:00", false),
        ("DIGEST_TIME", "09:60", false),
        ("DIGEST_TZ", "Europe/Berlin", true),
        ("DIGEST_TZ", "UTC", true),
        ("DIGEST_TZ", "Europe/Berln", false),
        ("DIGEST_TZ", "CET; rm -rf", false),
        ("HOME_REGION", "eu-wset-1", false),
        ("GUARDDUTY_GLOBAL_FINDINGS_REGION", "", true),
        ("GUARDDUTY_GLOBAL_FINDINGS_REGION", "mars-1", false),
        ("REGIONS", "all", true),
        ("REGIONS", "eu-west-1, mars-north-1", false),
        ("ALLOW_PRIVATE_WEBHOOKS", "false", true),
        ("ALLOW_PRIVATE_WEBHOOKS", "yes", false),
        ("STACK_TAGS", "Owner=x", true),
        ("STACK_TAGS", "aws:Owner=x", false),
        (
            "WEBHOOK_URLS",
            "http://hooks.slack.com/services/T0/B0/SECRETSECRET",
            false,
        ),
        ("WEBHOOK_URLS", "https://10.1.2.3/hook", false),
        ("ORGANIZATION", "yes", false),
        ("ACCOUNTS", "ou-ab12-prod0001", true),
        ("ACCOUNTS", "ou-bad", false),
        ("ACCOUNTS", "12345", false),
        ("EXCLUDE_ACCOUNTS", "r-ab12", true),
        ("ORG_ACCESS_ROLE", "Audit Role", false),
        ("DELEGATED_ADMIN_ACCOUNT", "", true),
        ("DELEGATED_ADMIN_ACCOUNT", "1111", false),
        ("CONFIG_AGGREGATOR", "org-all", true),
        ("CONFIG_AGGREGATOR", "org aggregator", false),
        (
            "WEBHOOK_URLS_BUDGET",
            "https://169.254.169.254/latest",
            false,
        ),
    ];
    let (base, _) = config::load_str("c.yml", BASE).expect("base");
    for (name, text, accepted) in cases {
        let spec = config::schema::spec(name).expect("key");
        let (base, _) = config::load_str("c.yml", base_text(spec)).expect("base");
        let file = config::load_str("c.yml", &with_base(spec, &yaml_line(spec, text)));
        let editor = spec.check_text_in(&base, text);
        assert_eq!(file.is_ok(), *accepted, "file, {name}: {text:?}: {file:?}");
        assert_eq!(
            editor.is_ok(),
            *accepted,
            "editor, {name}: {text:?}: {editor:?}"
        );
        match (file, editor) {
            (Ok((from_file, _)), Ok(edited)) => assert_eq!(from_file, edited, "{name}: {text:?}"),
            (Err(issues), Err(message)) => {
                let issue = &issues[0];
                assert!(
                    message == issue.message
                        || message == format!("{}: {}", issue.key, issue.message),
                    "{name}: {text:?}: file said {issue}, editor said {message}"
                );
                assert!(!message.contains("SECRET"), "{message}");
            }
            _ => unreachable!(),
        }
    }
    // The console's budget and routing fields and its webhook rows use the same checks.
    assert!(editors::check_budget_in(&base, editors::BudgetField::Threshold, "0.5").is_ok());
    assert!(editors::check_budget_in(&base, editors::BudgetField::Threshold, "100.5").is_err());
    assert!(
        editors::check_budget_in(&base, editors::BudgetField::TagFilters, "aws:createdBy$ci")
            .is_ok()
    );
    assert!(
        editors::check_field_in(&base, editors::Field::ConfigResourceTypes, "Foo::Bar::Baz")
            .is_err()
    );
    assert!(editors::check_url(&base, "https://10.1.2.3/hook").is_err());
    let mut allowed = base.clone();
    allowed.settings.allow_private_webhooks = true;
    assert!(editors::check_url(&allowed, "https://10.1.2.3/hook").is_ok());
}

/// Org mode's scope keys: a bad id is an error at its line and column; scope keys without
/// ORGANIZATION, or an account both included and excluded, are warnings.
#[test]
fn org_keys_are_checked_where_they_stand() {
    let errors = config::load_str(
        "c.yml",
        "ORGANIZATION: true\nACCOUNTS:\n  - \"111122223333\"\n  - ou-nope\n",
    )
    .expect_err("a bad OU id");
    assert_eq!(
        errors[0].to_string(),
        "c.yml:4:5: ACCOUNTS: expected a 12-digit account id, an OU id (ou-xxxx-xxxxxxxx) or the root id (r-xxxx), found \"ou-nope\""
    );
    let (_, warnings) = config::load_str("c.yml", "ACCOUNTS: [\"111122223333\"]\n").expect("loads");
    assert_eq!(
        warnings.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["c.yml:1:1: ACCOUNTS: has no effect without ORGANIZATION: true (awsmon sees one account)"]
    );
    let (cfg, warnings) = config::load_str(
        "c.yml",
        "ORGANIZATION: true\nACCOUNTS: [\"111122223333\"]\nEXCLUDE_ACCOUNTS: [\"111122223333\"]\n",
    )
    .expect("loads");
    assert!(cfg.org.enabled);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0]
            .to_string()
            .contains("111122223333 is also in ACCOUNTS; it is left out")
    );
    // ORG_AUTO_ENABLE: ALL or NEW, in any case; anything else is an error where it stands.
    let (cfg, _) =
        config::load_str("c.yml", "ORGANIZATION: true\nORG_AUTO_ENABLE: all\n").expect("loads");
    assert_eq!(cfg.org.auto_enable, Some(config::AutoEnableMode::All));
    let (cfg, _) = config::load_str("c.yml", "ORGANIZATION: true\n").expect("loads");
    assert_eq!(cfg.org.auto_enable, None, "off unless asked for");
    let errors = config::load_str("c.yml", "ORGANIZATION: true\nORG_AUTO_ENABLE: NONE\n")
        .expect_err("NONE is not a choice");
    assert_eq!(
        errors[0].to_string(),
        "c.yml:2:18: ORG_AUTO_ENABLE: expected ALL or NEW, found \"NONE\""
    );
}

/// Issue 14: ROUTING_OVERRIDES by account or OU. Each mistake names file, line:column and the
/// entry's key path, with webhooks masked.
#[test]
fn routing_overrides_load_and_each_mistake_names_its_entry() {
    use awsmon_notifier::settings::MinSeverity;
    let text = format!(
        "ORGANIZATION: true\nROUTING_OVERRIDES:\n  ou-ab12-prod0001:\n    WEBHOOK_URLS: {FAKE_HOOK_A}\n  \"111122223333\":\n    MIN_SEVERITY: high\n    WEBHOOK_URLS:\n      - {FAKE_HOOK_B}\n"
    );
    let (_dir, path) = write_config(&text);
    let loaded = config::load_file(&path).expect("valid");
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let o = &loaded.config.settings.overrides;
    assert_eq!(o.len(), 2);
    assert_eq!(o["ou-ab12-prod0001"].webhooks[0].expose(), FAKE_HOOK_A);
    assert_eq!(o["ou-ab12-prod0001"].min_severity, None);
    assert_eq!(o["111122223333"].min_severity, Some(MinSeverity::High));
    // `config show` masks the webhooks inside.
    let shown = config::show(&loaded.config)
        .into_iter()
        .find(|(k, _)| *k == "ROUTING_OVERRIDES")
        .expect("shown")
        .1;
    assert!(
        !shown.contains("AAAAAAAA") && !shown.contains("BBBBBBBB"),
        "{shown}"
    );
    assert!(
        shown.contains("111122223333: webhooks https://hooks.slack.com/services/T…/B…/••••"),
        "{shown}"
    );

    assert_eq!(
        errors(
            "ROUTING_OVERRIDES:\n  ou-prod:\n    MIN_SEVERITY: HIGH\n  \"111122223333\":\n    MIN_SEVERITY: severe\n    CHANNEL: x\n  \"444455556666\": {}\n  r-ab12:\n    WEBHOOK_URLS: http://hooks.slack.com/services/T0/B0/SECRETSECRET\n"
        ),
        vec![
            "DIR/config.yml:2:3: ROUTING_OVERRIDES: expected a 12-digit account id, an OU id (ou-xxxx-xxxxxxxx) or the root id (r-xxxx), found \"ou-prod\"",
            "DIR/config.yml:5:19: ROUTING_OVERRIDES.111122223333.MIN_SEVERITY: expected LOW, MEDIUM, HIGH or CRITICAL, found \"severe\"",
            "DIR/config.yml:6:5: ROUTING_OVERRIDES.111122223333: unknown key \"CHANNEL\"; an entry takes WEBHOOK_URLS and MIN_SEVERITY",
            "DIR/config.yml:7:19: ROUTING_OVERRIDES.444455556666: sets nothing: give WEBHOOK_URLS, MIN_SEVERITY or both",
            "DIR/config.yml:9:19: ROUTING_OVERRIDES.r-ab12.WEBHOOK_URLS: webhook must use https:// (plain http is allowed only to localhost), found http://hooks.slack.com/services/T…/B…/••••",
        ]
    );
}

/// A save writes ROUTING_OVERRIDES so it loads back the same, keeps the file's comments, and
/// an OU entry outside org mode warns that it does nothing.
#[test]
fn routing_overrides_save_and_load_back() {
    use awsmon_notifier::settings::{MinSeverity, RouteOverride};
    let original = "# ours\nPREFIX_SERVICE_NAME: acme  # keep\n";
    let (_dir, path) = write_config(original);
    let loaded = config::load_file(&path).expect("valid");
    let mut cfg = loaded.config.clone();
    cfg.settings.overrides.insert(
        "ou-ab12-sandbox1".into(),
        RouteOverride {
            min_severity: Some(MinSeverity::Critical),
            ..RouteOverride::default()
        },
    );
    cfg.settings.overrides.insert(
        "111122223333".into(),
        RouteOverride {
            webhooks: vec![awsmon_notifier::WebhookUrl::parse(FAKE_HOOK_A).expect("url")],
            ..RouteOverride::default()
        },
    );
    let plan = SavePlan::new("config.yml", loaded.text.as_deref(), &cfg).expect("plan");
    assert_eq!(plan.changed, vec!["ROUTING_OVERRIDES"]);
    config::save_if_unchanged(&path, loaded.text.as_deref(), &plan.text).expect("save");
    let saved = std::fs::read_to_string(&path).expect("read");
    assert_eq!(
        saved,
        format!(
            "{original}ROUTING_OVERRIDES:\n  \"111122223333\":\n    WEBHOOK_URLS:\n      - {FAKE_HOOK_A}\n  \"ou-ab12-sandbox1\":\n    MIN_SEVERITY: CRITICAL\n"
        )
    );
    let reloaded = config::load_file(&path).expect("valid after save");
    assert_eq!(reloaded.config, cfg);
    let warnings: Vec<String> = reloaded.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains(
            "ROUTING_OVERRIDES: ou-ab12-sandbox1 has no effect without ORGANIZATION: true"
        ),
        "{warnings:?}"
    );
}

/// Issue 15: SUPPRESS rules load with every field; each mistake names file, line:column and
/// the rule's field (`SUPPRESS[N].FIELD`, N as the notifier numbers rules), and an expired rule
/// warns that it suppresses nothing.
#[test]
fn suppress_rules_load_and_each_mistake_names_its_rule() {
    use awsmon_notifier::settings::MinSeverity;
    let text = "SUPPRESS:\n  - SERVICE: GuardDuty\n    TYPE: \"Recon:EC2/*\"\n    RESOURCE: \"i-0bastion*\"\n    ACCOUNT: \"111122223333\"\n    MIN_SEVERITY: high\n    REASON: bastions are probed all day\n    EXPIRES: 2099-12-31\n  - TYPE: \"CVE-2024-6387\"\n    REASON: patched in the next AMI\n    EXPIRES: 2020-01-31\n";
    let (_dir, path) = write_config(text);
    let loaded = config::load_file(&path).expect("valid");
    let rules = &loaded.config.settings.suppress;
    assert_eq!(rules.len(), 2);
    assert_eq!(rules[0].service, Some(awsmon_notifier::Service::GuardDuty));
    assert_eq!(rules[0].finding_type.as_deref(), Some("Recon:EC2/*"));
    assert_eq!(rules[0].resource.as_deref(), Some("i-0bastion*"));
    assert_eq!(rules[0].account.as_deref(), Some("111122223333"));
    assert_eq!(rules[0].min_severity, Some(MinSeverity::High));
    assert_eq!(rules[1].expires, "2020-01-31");
    let warnings: Vec<String> = loaded.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [format!(
            "{}:1:1: SUPPRESS: rule 2 (patched in the next AMI) expired on 2020-01-31: it suppresses nothing now; remove it, or extend EXPIRES if the reason still holds",
            path.display()
        )]
    );
    let shown = config::show(&loaded.config)
        .into_iter()
        .find(|(k, _)| *k == "SUPPRESS")
        .expect("shown")
        .1;
    assert_eq!(
        shown,
        "1: service guardduty, type Recon:EC2/*, resource i-0bastion*, account 111122223333, min severity HIGH (bastions are probed all day, until 2099-12-31); 2: type CVE-2024-6387 (patched in the next AMI, until 2020-01-31)"
    );

    assert_eq!(
        errors(
            "SUPPRESS:\n  - SERVICE: guardduty\n    EXPIRES: 2027-02-30\n    REASON: x\n  - TYPE: \"\"\n    REASON: y\n    EXPIRES: 2099-01-01\n    OWNER: me\n  - SERVICE: inspector\n  - REASON: everything\n    EXPIRES: 2099-01-01\n  - ACCOUNT: \"1234\"\n    REASON: z\n    EXPIRES: 2099-01-01\n"
        ),
        vec![
            "DIR/config.yml:3:14: SUPPRESS[1].EXPIRES: expected a date as YYYY-MM-DD, found \"2027-02-30\"",
            "DIR/config.yml:5:11: SUPPRESS[2].TYPE: expected a pattern of 1 to 256 characters (* any run, ? one character), found \"\"",
            "DIR/config.yml:8:5: SUPPRESS[2]: unknown key \"OWNER\"; a rule takes SERVICE, TYPE, RESOURCE, ACCOUNT, MIN_SEVERITY, REASON and EXPIRES",
            "DIR/config.yml:9:5: SUPPRESS[3]: REASON and EXPIRES required: say why, and until when (YYYY-MM-DD)",
            "DIR/config.yml:10:5: SUPPRESS[4]: matches every finding: give SERVICE, TYPE, RESOURCE or ACCOUNT",
            "DIR/config.yml:12:14: SUPPRESS[5].ACCOUNT: expected a 12-digit account id, found \"1234\"",
        ]
    );
}

/// DIGEST_TZ is kept in the database's spelling (EventBridge Scheduler matches names exactly),
/// DIGEST_TIME becomes the schedule's cron expression, and an empty per-service webhook list
/// leaves that service out of the routing (an older notifier cannot read a newer service's name).
#[test]
fn digest_keys_and_empty_service_routes_are_stored_as_aws_reads_them() {
    let (cfg, _) = config::load_str(
        "c.yml",
        "WEBHOOK_URLS: https://hooks.slack.com/services/T000/B000/XXXX\nWEBHOOK_URLS_HEALTH: \"\"\nDIGEST_TIME: \"07:05\"\nDIGEST_TZ: europe/berlin\n",
    )
    .expect("loads");
    assert_eq!(cfg.digest_tz.as_deref(), Some("Europe/Berlin"));
    assert_eq!(cfg.digest_schedule().as_deref(), Some("cron(5 7 * * ? *)"));
    assert!(
        !cfg.settings
            .routes
            .per_service
            .contains_key(&awsmon_notifier::Service::Health)
    );
    let routing = serde_json::to_string(&cfg.settings).expect("json");
    assert!(!routing.contains("\"health\""), "{routing}");
}
