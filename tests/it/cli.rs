//! The binary itself: flags, exit codes, JSON shape, and what a person reads.

use crate::common;

use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Output};

fn awsmon(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let home = tempfile::tempdir().expect("home");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_awsmon-tui"));
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        // The emulator's region, so no "no home region set" note is printed.
        .env("AWS_REGION", "us-east-1")
        .env("NO_COLOR", "1")
        .current_dir(home.path());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().expect("run awsmon-tui")
}

/// A config.yml in `dir` with a (fake) default webhook, as deploying requires; its path.
fn hooked_config(dir: &std::path::Path) -> String {
    let config = dir.join("config.yml");
    std::fs::write(
        &config,
        "WEBHOOK_URLS: https://hooks.slack.com/services/T0FAKE/B0FAKE/XXXXXXXX\n",
    )
    .expect("config");
    config.display().to_string()
}

const CREDS: [(&str, &str); 2] = [
    ("AWS_ACCESS_KEY_ID", "AKIAEMULATOR00000000"),
    ("AWS_SECRET_ACCESS_KEY", "emulator"),
];

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn status_json_is_one_document_with_the_documented_shape() {
    let moto = common::start_moto();
    // Global flags after the subcommand, and AWS_ENDPOINT_URL from the environment.
    let envs = [
        CREDS[0],
        CREDS[1],
        ("AWS_ENDPOINT_URL", moto.endpoint.as_str()),
    ];
    let out = awsmon(
        &[
            "status",
            "--json",
            "--regions",
            "eu-west-1,us-east-1",
            "--services",
            "guardduty,budget",
        ],
        &envs,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: serde_json::Value =
        serde_json::from_str(&stdout(&out)).expect("exactly one JSON document");
    let keys: Vec<&str> = doc
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, vec!["account", "cells", "home_region"]);
    assert_eq!(doc["account"], "123456789012");
    assert_eq!(doc["home_region"], "us-east-1");
    let cells = doc["cells"].as_array().expect("cells");
    let summary: Vec<String> = cells
        .iter()
        .map(|c| {
            format!(
                "{} {} {} {} {}",
                c["region"], c["service"], c["state"], c["managed"], c["notifying"]
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            r#""eu-west-1" "guardduty" "disabled" false false"#,
            r#""us-east-1" "guardduty" "disabled" false false"#,
            r#""global" "budget" "disabled" false false"#,
        ]
    );
    assert_eq!(cells[2]["detail"], "no budget awsmon-monthly");
}

#[test]
fn status_table_is_aligned_and_plain_without_a_tty() {
    let moto = common::start_moto();
    let out = awsmon(
        &[
            "--endpoint-url",
            &moto.endpoint,
            "--regions",
            "us-east-1",
            "status",
            "--services",
            "config",
        ],
        &CREDS,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "account 123456789012  home region us-east-1\n\
         REGION     SERVICE  STATE     MANAGED  NOTIFYING  DETAIL\n\
         us-east-1  config   disabled  no       no         no recorder\n"
    );
    // The regions were named, so which list holds them is no news (issue 13).
    assert_eq!(stderr(&out), "", "{}", stderr(&out));
}

#[test]
fn no_credentials_exit_3_with_what_to_do() {
    let moto = common::start_moto();
    let out = awsmon(
        &[
            "status",
            "--endpoint-url",
            &moto.endpoint,
            "--regions",
            "us-east-1",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(3));
    let err = stderr(&out);
    assert!(
        err.contains("no usable AWS credentials for sts:GetCallerIdentity"),
        "{err}"
    );
    assert!(err.contains("Set AWS_PROFILE or --profile"), "{err}");
}

#[test]
fn usage_errors_exit_2() {
    let out = awsmon(&["status", "--regions", "eu-wset-1"], &CREDS);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown region \"eu-wset-1\"; did you mean eu-west-1?"),
        "{}",
        stderr(&out)
    );
    let out = awsmon(&["status", "--services", "guardduty,shield"], &CREDS);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("invalid value 'shield' for '--services <SERVICES>'")
            && stderr(&out).contains(
                "[possible values: guardduty, config, inspector, securityhub, accessanalyzer, health, trustedadvisor, budget]"
            ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn config_validate_reports_every_error_and_exits_2() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("config.yml");
    std::fs::write(
        &path,
        "BUDGET_LIMIT: -1\nBUDGT_THRESHOLD: 5\nGUARDDUTY_MIN_SEVERITY: 12\n",
    )
    .expect("write");
    let file = path.display().to_string();
    let out = awsmon(&["config", "validate", "--config", &file], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stdout(&out),
        format!(
            "warning: {file}:2:1: BUDGT_THRESHOLD: unknown key, ignored (kept when saving)\n\
             error: {file}:1:15: BUDGET_LIMIT: out of range: expected a positive amount in USD, found -1\n\
             error: {file}:3:25: GUARDDUTY_MIN_SEVERITY: out of range: expected a GuardDuty severity from 0 to 10, found 12\n"
        )
    );
    assert_eq!(stderr(&out), format!("awsmon-tui: 2 error(s) in {file}\n"));
}

#[test]
fn config_is_found_in_the_old_projects_place_and_shown_masked() {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::create_dir(dir.path().join("config")).expect("mkdir");
    std::fs::write(
        dir.path().join("config/config.yml"),
        "PREFIX_SERVICE_NAME: acme\nWEBHOOK_URLS: https://hooks.slack.com/services/T0FAKE/B0FAKE/SECRETSECRETSECRET\n",
    )
    .expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_awsmon-tui"))
        .args(["config", "show", "--json"])
        .current_dir(dir.path())
        .env("XDG_CONFIG_HOME", dir.path().join("nowhere"))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(doc["PREFIX_SERVICE_NAME"], "acme");
    assert_eq!(
        doc["WEBHOOK_URLS"][0],
        awsmon_notifier::secret::mask_webhook(
            "https://hooks.slack.com/services/T0FAKE/B0FAKE/SECRETSECRETSECRET"
        )
    );
    assert!(
        doc["WEBHOOK_URLS"][0]
            .as_str()
            .is_some_and(|m| m.starts_with("https://hooks.slack.com/services/T…/B…/••••#"))
    );
    assert!(!stdout(&out).contains("SECRET"));
}

#[test]
fn a_missing_explicit_config_is_a_usage_error() {
    let out = awsmon(
        &["config", "show", "--config", "/nonexistent/config.yml"],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with("awsmon-tui: /nonexistent/config.yml: cannot read: No such file"),
        "{}",
        stderr(&out)
    );
}

fn fixture_path(name: &str) -> String {
    format!(
        "{}/lambda/tests/fixtures/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn preview_json_applies_the_configs_routing_and_filters() {
    let dir = tempfile::tempdir().expect("dir");
    let config = dir.path().join("config.yml");
    std::fs::write(
        &config,
        "WEBHOOK_URLS: https://hooks.slack.com/services/T0FAKE/B0FAKE/DEFAULTDEFAULTDEFAULT\n\
         WEBHOOK_URLS_TRUSTEDADVISOR: https://hooks.slack.com/services/T0FAKE/B0FAKE/TATATATATATATATA\n\
         GUARDDUTY_MIN_SEVERITY: 4\n",
    )
    .expect("write");
    let out = awsmon(
        &[
            "preview",
            "--json",
            "--config",
            &config.display().to_string(),
            "--event",
            &fixture_path("batch-array"),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        !text.contains("DEFAULTDEFAULT") && !text.contains("TATATATA"),
        "a webhook leaked"
    );
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["service"], "guardduty");
    assert_eq!(lines[0]["decision"], "drop");
    assert_eq!(
        lines[0]["reason"],
        "severity 2.0 is below GUARDDUTY_MIN_SEVERITY 4.0"
    );
    let default = awsmon_notifier::WebhookUrl::new_unchecked(
        "https://hooks.slack.com/services/T0FAKE/B0FAKE/DEFAULTDEFAULTDEFAULT",
    );
    assert_eq!(lines[0]["routes"], serde_json::json!([default.masked()]));
    assert!(
        default
            .masked()
            .starts_with("https://hooks.slack.com/services/T…/B…/••••#")
    );
    assert_eq!(lines[1]["service"], "trustedadvisor");
    assert_eq!(lines[1]["decision"], "send");
    assert_eq!(lines[1]["reason"], "mention channel");
    assert!(
        lines[1]["payload"]["text"]
            .as_str()
            .expect("text")
            .starts_with("<!channel> Trusted Advisor ERROR: ")
    );
}

/// `--output json` is one document, `jsonl` a value per line, and both hold the same items
/// as `--json` (lines, for preview); asking for both `--json` and `--output` is refused.
#[test]
fn output_formats_agree_and_json_is_one_document() {
    let event = fixture_path("batch-array");
    let run = |format: &[&str]| {
        let mut args = vec!["preview", "--event", event.as_str()];
        args.extend_from_slice(format);
        let out = awsmon(&args, &[]);
        assert_eq!(out.status.code(), Some(0), "{format:?}: {}", stderr(&out));
        stdout(&out)
    };
    let lines = |text: String| -> Vec<serde_json::Value> {
        text.lines()
            .map(|l| serde_json::from_str(l).expect("one JSON value per line"))
            .collect()
    };
    let jsonl = lines(run(&["--output", "jsonl"]));
    assert_eq!(jsonl.len(), 2);
    assert_eq!(lines(run(&["--json"])), jsonl);
    let doc: serde_json::Value =
        serde_json::from_str(&run(&["--output", "json"])).expect("exactly one JSON document");
    assert_eq!(doc, serde_json::Value::Array(jsonl));
    let table = run(&["--output", "table"]);
    assert!(table.starts_with("── guardduty "), "{table}");

    let both = awsmon(
        &["preview", "--event", &event, "--json", "--output", "json"],
        &[],
    );
    assert_eq!(both.status.code(), Some(2));
    assert!(
        stderr(&both).contains("cannot be used with"),
        "{}",
        stderr(&both)
    );
}

/// `status --output jsonl`: a line per cell, each naming the account; `json` is the document.
#[test]
fn status_jsonl_is_a_line_per_cell() {
    let moto = common::start_moto();
    let envs = [
        CREDS[0],
        CREDS[1],
        ("AWS_ENDPOINT_URL", moto.endpoint.as_str()),
    ];
    let args = |format: &'static str| {
        [
            "status",
            "--output",
            format,
            "--regions",
            "eu-west-1,us-east-1",
            "--services",
            "guardduty",
        ]
    };
    let out = awsmon(&args("jsonl"), &envs);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let cells: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON value per line"))
        .collect();
    let summary: Vec<String> = cells
        .iter()
        .map(|c| format!("{} {} {}", c["account"], c["region"], c["state"]))
        .collect();
    assert_eq!(
        summary,
        [
            r#""123456789012" "eu-west-1" "disabled""#,
            r#""123456789012" "us-east-1" "disabled""#,
        ]
    );
    let out = awsmon(&args("json"), &envs);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("one document");
    assert_eq!(doc["cells"].as_array().map(Vec::len), Some(2));
}

/// The old project required WEBHOOK_URLS: a file whose routes fall back to no webhook is an
/// error for `config validate`, naming the key and the routes, and valid once it has one.
#[test]
fn validate_refuses_routes_that_fall_back_to_no_webhook() {
    let dir = tempfile::tempdir().expect("dir");
    let config = dir.path().join("config.yml");
    std::fs::write(
        &config,
        "REGIONS: eu-west-1\nWEBHOOK_URLS_GUARDDUTY: https://hooks.slack.com/services/T0FAKE/B0FAKE/GUARDGUARDGUARD\n",
    )
    .expect("write");
    let path = config.display().to_string();
    let out = awsmon(&["--config", &path, "config", "validate"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(
        text.contains(&format!("error: {path}:1:1: WEBHOOK_URLS: no webhook for the default, config, inspector, securityhub, accessanalyzer, health, trustedadvisor, budget routes")),
        "{text}"
    );
    assert!(!text.contains("GUARDGUARD"), "a webhook leaked: {text}");
    std::fs::write(
        &config,
        "REGIONS: eu-west-1\nWEBHOOK_URLS: https://hooks.slack.com/services/T0FAKE/B0FAKE/DEFAULTDEFAULTDEFAULT\n",
    )
    .expect("write");
    let out = awsmon(&["--config", &path, "config", "validate"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn preview_rejects_input_that_is_not_json() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("event.json");
    std::fs::write(&file, "source: aws.guardduty\n").expect("write");
    let out = awsmon(&["preview", "--event", &file.display().to_string()], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("event.json: not JSON (line 1, column 1)"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stdout(&out), "");
}

#[test]
fn version_says_whether_a_notifier_is_bundled() {
    let out = awsmon(&["--version"], &[]);
    assert_eq!(out.status.code(), Some(0));
    let expected = match awsmon::deploy::artifact::BUNDLED_SHA256 {
        Some(sha) => format!(
            "awsmon-tui {} (notifier sha256 {sha})\n",
            env!("CARGO_PKG_VERSION")
        ),
        None => format!(
            "awsmon-tui {} (no notifier bundled)\n",
            env!("CARGO_PKG_VERSION")
        ),
    };
    assert_eq!(stdout(&out), expected);
}

#[test]
fn deploy_is_refused_under_read_only_before_any_aws_call() {
    // The endpoint is closed: any AWS call would fail differently.
    let out = awsmon(
        &[
            "deploy",
            "guardduty",
            "--read-only",
            "--endpoint-url",
            "http://127.0.0.1:9",
        ],
        &CREDS,
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "awsmon-tui: --read-only is set: deploy would change AWS, so nothing was done\n"
    );
}

#[test]
fn every_mutating_command_is_refused_under_read_only() {
    for args in [
        &["destroy", "guardduty", "--yes"][..],
        &["routing", "push"],
        &["test-message", "--via", "pipeline"],
    ] {
        let mut all = args.to_vec();
        all.extend(["--read-only", "--endpoint-url", "http://127.0.0.1:9"]);
        let out = awsmon(&all, &CREDS);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let what = match args[0] {
            "routing" => "routing push",
            "test-message" => "test-message --via pipeline",
            other => other,
        };
        assert_eq!(
            stderr(&out),
            format!(
                "awsmon-tui: --read-only is set: {what} would change AWS, so nothing was done\n"
            )
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn test_message_pipeline_puts_an_event_on_the_home_bus() {
    let moto = common::start_moto();
    let aws = common::aws(&moto.endpoint).await;
    // A hub stand-in without rules: moto would try to run the real notifier in Docker.
    awsmon_testbench::seed::stand_in_stack(&aws, "us-east-1", "awsmon-hub")
        .await
        .expect("hub");
    let endpoint = moto.endpoint.clone();
    let out = tokio::task::spawn_blocking(move || {
        let envs = [CREDS[0], CREDS[1], ("AWS_ENDPOINT_URL", endpoint.as_str())];
        awsmon(
            &[
                "test-message",
                "--via",
                "pipeline",
                "--route",
                "guardduty",
                "--json",
                "--wait",
                "2",
            ],
            &envs,
        )
    })
    .await
    .expect("run");
    // The event went onto the bus, but no notifier logged it (the stand-in has no log group):
    // unconfirmed, said so, exit 1.
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let sent: serde_json::Value = serde_json::from_str(stdout(&out).trim()).expect("one line");
    assert_eq!(
        (
            sent["route"].as_str(),
            sent["region"].as_str(),
            sent["confirmed"].as_bool(),
            sent["delivered"].as_bool()
        ),
        (
            Some("guardduty"),
            Some("us-east-1"),
            Some(false),
            Some(false)
        )
    );
    assert!(!sent["event_id"].as_str().unwrap_or_default().is_empty());
    assert_eq!(
        sent["detail"][0].as_str(),
        Some(
            "could not confirm delivery within 2 s: the log group /aws/lambda/awsmon-notifier does not exist: is the notifier deployed?"
        ),
        "{sent}"
    );
    assert_eq!(
        stderr(&out).trim(),
        "awsmon-tui: delivery through the pipeline is unconfirmed"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn test_message_direct_reports_each_webhook_masked() {
    use awsmon_testbench::receiver::{Reply, SlackReceiver};
    let slack = SlackReceiver::start().await.expect("receiver");
    slack.script("busy", vec![Reply::rate_limited(1)]);
    slack.script("broken", vec![Reply::invalid_payload()]);
    let dir = tempfile::tempdir().expect("dir");
    let config = dir.path().join("config.yml");
    std::fs::write(
        &config,
        format!(
            "WEBHOOK_URLS:\n  - {}\n  - {}\nWEBHOOK_URLS_GUARDDUTY: {}\n",
            slack.url("fine").expose(),
            slack.url("busy").expose(),
            slack.url("broken").expose()
        ),
    )
    .expect("config");
    let config = config.display().to_string();
    let run = |args: Vec<String>| {
        tokio::task::spawn_blocking(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            awsmon(&args, &[])
        })
    };
    // Read-only: a direct test changes nothing in AWS, so it goes, with a note (issue 13).
    let out = run(vec![
        "test-message".into(),
        "--read-only".into(),
        "--config".into(),
        config.clone(),
    ])
    .await
    .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with(
            "note: --read-only is set; a direct test message changes nothing in AWS, so it is sent\n"
        ),
        "{}",
        stderr(&out)
    );
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "test message on the default route, direct to 2 webhooks:"
    );
    // Each webhook by its own mask: two on one route never print the same.
    let (fine, busy) = (slack.url("fine").masked(), slack.url("busy").masked());
    assert_ne!(fine, busy);
    assert!(
        lines[1].starts_with(&format!("  ok      {fine}  200  ")),
        "{text}"
    );
    assert!(!lines[1].contains("after"), "{text}");
    assert!(
        lines[2].starts_with(&format!("  ok      {busy}  200  ")),
        "{text}"
    );
    assert!(lines[2].ends_with(" ms after 2 attempts"), "{text}");
    assert!(!text.contains("B0TEST/fine"), "URLs are masked: {text}");
    assert!(
        slack.bodies("fine")[0].contains("awsmon test message for the default route"),
        "{:?}",
        slack.bodies("fine")
    );
    assert_eq!(slack.bodies("busy").len(), 2);
    // No credentials here: the context line says so instead of a made-up account id.
    assert!(
        slack.bodies("fine")[0].contains("unknown account"),
        "{:?}",
        slack.bodies("fine")
    );
    assert!(!slack.bodies("fine")[0].contains("000000000000"));

    // The guardduty route: Slack refuses the message; its error is shown and the exit is 1.
    let out = run(vec![
        "test-message".into(),
        "--route".into(),
        "guardduty".into(),
        "--json".into(),
        "--config".into(),
        config,
    ])
    .await
    .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let line: serde_json::Value = serde_json::from_str(stdout(&out).trim()).expect("json line");
    assert_eq!(
        (
            line["ok"].as_bool(),
            line["status"].as_u64(),
            line["error"].as_str(),
            line["attempts"].as_u64(),
            line["url"].as_str()
        ),
        (
            Some(false),
            Some(400),
            Some("invalid_payload"),
            Some(1),
            Some(slack.url("broken").masked().as_str())
        )
    );
    // The notifier library's own log line (masked) may come first.
    assert!(
        stderr(&out).ends_with("awsmon-tui: 1 of 1 webhook did not accept the message\n"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("B0TEST/broken"), "{}", stderr(&out));
}

/// Issue 14: a ROUTING_OVERRIDES entry's webhooks can be tested by its account or OU id, and
/// an id without an entry that has webhooks is refused with what to do.
#[tokio::test(flavor = "multi_thread")]
async fn test_message_can_target_an_overrides_webhooks() {
    use awsmon_testbench::receiver::SlackReceiver;
    let slack = SlackReceiver::start().await.expect("receiver");
    let dir = tempfile::tempdir().expect("dir");
    let config = dir.path().join("config.yml");
    std::fs::write(
        &config,
        format!(
            "WEBHOOK_URLS: {}\nROUTING_OVERRIDES:\n  \"111122223333\":\n    WEBHOOK_URLS: {}\n  \"444455556666\":\n    MIN_SEVERITY: HIGH\n",
            slack.url("default").expose(),
            slack.url("prod").expose(),
        ),
    )
    .expect("config");
    let config = config.display().to_string();
    let run = |args: Vec<String>| {
        tokio::task::spawn_blocking(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            awsmon(&args, &[])
        })
    };
    let out = run(vec![
        "test-message".into(),
        "--route".into(),
        "111122223333".into(),
        "--config".into(),
        config.clone(),
    ])
    .await
    .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(
        text.lines().next(),
        Some("test message on the 111122223333 route, direct to 1 webhook:"),
        "{text}"
    );
    assert!(!text.contains("B0TEST/prod"), "URLs are masked: {text}");
    assert_eq!(slack.bodies("prod").len(), 1);
    assert!(slack.bodies("prod")[0].contains("awsmon test message for the 111122223333 route"));
    assert!(slack.bodies("default").is_empty());

    // An entry with only a floor has no webhooks of its own to test.
    let out = run(vec![
        "test-message".into(),
        "--route".into(),
        "444455556666".into(),
        "--config".into(),
        config,
    ])
    .await
    .expect("run");
    assert_ne!(out.status.code(), Some(0));
    assert!(
        stderr(&out)
            .contains("ROUTING_OVERRIDES has no entry for 444455556666 with webhooks of its own"),
        "{}",
        stderr(&out)
    );
    assert!(slack.bodies("default").is_empty());
}

#[test]
fn deploy_without_a_notifier_zip_says_how_to_get_one() {
    if awsmon::deploy::artifact::BUNDLED_SHA256.is_some() {
        return; // a bundled build always has one
    }
    let out = awsmon(
        &["deploy", "notifier", "--endpoint-url", "http://127.0.0.1:9"],
        &CREDS,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no notifier bundled. Build one with `scripts/build-notifier`"),
        "{}",
        stderr(&out)
    );
}

/// Issue 13: a dry run only reads, so `--read-only` lets it through with a note, and it plans
/// without a bundled notifier, naming the build a deploy would need. It used to be refused
/// twice over.
#[test]
fn a_read_only_dry_run_plans_even_without_a_notifier_build() {
    if awsmon::deploy::artifact::BUNDLED_SHA256.is_some() {
        return; // a bundled build always has one
    }
    let moto = common::start_moto();
    let dir = tempfile::tempdir().expect("dir");
    let config = hooked_config(dir.path());
    let out = awsmon(
        &[
            "--read-only",
            "--endpoint-url",
            &moto.endpoint,
            "--config",
            &config,
            "deploy",
            "notifier",
            "--dry-run",
        ],
        &CREDS,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "note: --read-only is set; a dry run only reads AWS, so it goes ahead\n"
    );
    let plan = stdout(&out);
    assert!(
        plan.contains("create stack awsmon-hub in us-east-1: no notifier build: `scripts/build-notifier` makes one"),
        "{plan}"
    );
}

#[test]
fn deploy_plans_refuses_without_yes_off_a_terminal_and_applies_with_yes() {
    let moto = common::start_moto();
    let dir = tempfile::tempdir().expect("dir");
    let zip = dir.path().join("bootstrap.zip");
    std::fs::write(
        &zip,
        b"PK\x03\x04 a fake build for the emulator, 40+ bytes long",
    )
    .expect("zip");
    let zip = zip.display().to_string();
    let config = dir.path().join("config.yml");
    std::fs::write(
        &config,
        "WEBHOOK_URLS: https://hooks.slack.com/services/T0FAKE/B0FAKE/XXXXXXXX\n",
    )
    .expect("config");
    let config = config.display().to_string();
    // IAM Access Analyzer, which moto lacks: the test bench's stand-in.
    let analyzer = common::access_analyzer(&moto.endpoint).endpoint.clone();
    let envs = [
        CREDS[0],
        CREDS[1],
        ("AWS_ENDPOINT_URL", moto.endpoint.as_str()),
        ("AWS_ENDPOINT_URL_ACCESSANALYZER", analyzer.as_str()),
        ("AWSMON_NOTIFIER_ZIP", zip.as_str()),
    ];

    let out = awsmon(
        &[
            "deploy",
            "notifier",
            "--config",
            &config,
            "--dry-run",
            "--json",
            "--regions",
            "us-east-1",
        ],
        &envs,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let plan: serde_json::Value = serde_json::from_str(stdout(&out).trim()).expect("one JSON line");
    let steps: Vec<&str> = plan["plan"]
        .as_array()
        .expect("steps")
        .iter()
        .filter_map(|s| s.as_str())
        .collect();
    assert_eq!(steps.len(), 4, "{steps:?}");
    assert!(
        steps[0].starts_with("create stack awsmon-bootstrap in us-east-1"),
        "{steps:?}"
    );
    assert!(
        steps[3].starts_with("create stack awsmon-hub in us-east-1"),
        "{steps:?}"
    );

    // Before a notifier exists, a pipeline test message has nowhere to go, and routing is not
    // pushed (as the console's save does not): nothing reads it, and a deploy writes it.
    let out = awsmon(&["test-message", "--via", "pipeline"], &envs);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "awsmon-tui: the notifier is not deployed (awsmon-hub not found): run `awsmon-tui deploy notifier`, or use --via direct\n"
    );
    let out = awsmon(&["routing", "push", "--config", &config], &envs);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "routing not pushed: awsmon-hub is not deployed; `awsmon-tui deploy notifier` writes it along with the notifier\n"
    );

    let out = awsmon(
        &[
            "deploy",
            "notifier",
            "--config",
            &config,
            "--regions",
            "us-east-1",
        ],
        &envs,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stdout(&out).starts_with("plan: create 2 stacks in us-east-1"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        stderr(&out),
        "awsmon-tui: refusing to deploy without --yes: standard input is not a terminal\n"
    );

    let out = awsmon(
        &[
            "deploy",
            "notifier",
            "--config",
            &config,
            "--yes",
            "--regions",
            "us-east-1",
        ],
        &envs,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = stdout(&out);
    assert!(report.contains("ok      create stack awsmon-bootstrap in us-east-1: the notifier's artifact bucket — created"), "{report}");
    assert!(
        report.contains("ok      create stack awsmon-hub in us-east-1: notifier build"),
        "{report}"
    );
    // With the hub deployed, a push finds the routing the deploy wrote.
    let out = awsmon(&["routing", "push", "--config", &config], &envs);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "routing unchanged: /monitoring/awsmon/routing in us-east-1\n"
    );

    // Again: the stacks exist with what this deploy would give them, the build is uploaded,
    // the routing is written: nothing is planned (issue 13: it planned three steps).
    let out = awsmon(
        &[
            "deploy",
            "notifier",
            "--config",
            &config,
            "--yes",
            "--dry-run",
            "--regions",
            "us-east-1",
        ],
        &envs,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "plan: no stack changes\n  nothing to do\n");

    // Off again: the hub and the routing parameter go; without --yes off a terminal, refused.
    let out = awsmon(
        &[
            "destroy",
            "notifier",
            "--config",
            &config,
            "--regions",
            "us-east-1",
        ],
        &envs,
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "awsmon-tui: refusing to destroy without --yes: standard input is not a terminal\n"
    );
    let out = awsmon(
        &[
            "destroy",
            "notifier",
            "--config",
            &config,
            "--yes",
            "--regions",
            "us-east-1",
        ],
        &envs,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out)
            .lines()
            .filter(|l| l.starts_with("ok"))
            .collect::<Vec<_>>(),
        vec![
            "ok      check that awsmon-notifier-failures in us-east-1 holds no undelivered alert before it is deleted — empty",
            "ok      delete stack awsmon-hub in us-east-1: remove the notifier, its rules and topic (spokes stop delivering), its failure queue, and its log group /aws/lambda/awsmon-notifier with the notifier's logs — deleted",
            "ok      delete the routing parameter /monitoring/awsmon/routing in us-east-1 — deleted",
        ]
    );
}

/// The security review's finding: a config with no WEBHOOK_URLS deployed, and every alert was
/// then silently lost. Deploying or pushing routing with a route that has no webhook is refused.
#[test]
fn routing_without_a_webhook_is_neither_deployed_nor_pushed() {
    let moto = common::start_moto();
    let dir = tempfile::tempdir().expect("dir");
    let config = dir.path().join("config.yml");
    std::fs::write(
        &config,
        "WEBHOOK_URLS_GUARDDUTY: https://hooks.slack.com/services/T0FAKE/B0FAKE/GDONLY\n",
    )
    .expect("config");
    let config = config.display().to_string();
    let zip = common::fake_zip(dir.path());
    let zip_path = match &zip.origin {
        awsmon::deploy::artifact::Origin::File(p) => p.display().to_string(),
        awsmon::deploy::artifact::Origin::Bundled | awsmon::deploy::artifact::Origin::Unbuilt => {
            unreachable!()
        }
    };
    // IAM Access Analyzer, which moto lacks: the test bench's stand-in.
    let analyzer = common::access_analyzer(&moto.endpoint).endpoint.clone();
    let envs = [
        CREDS[0],
        CREDS[1],
        ("AWS_ENDPOINT_URL", moto.endpoint.as_str()),
        ("AWS_ENDPOINT_URL_ACCESSANALYZER", analyzer.as_str()),
        ("AWSMON_NOTIFIER_ZIP", zip_path.as_str()),
    ];
    let gap = "no webhook for the default, config, inspector, securityhub, accessanalyzer, health, trustedadvisor, budget routes: set WEBHOOK_URLS in config.yml (every route falls back to it), or each route's own WEBHOOK_URLS_<SERVICE>";
    let out = awsmon(
        &[
            "deploy",
            "notifier",
            "--yes",
            "--regions",
            "us-east-1",
            "--config",
            &config,
        ],
        &envs,
    );
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert_eq!(
        stderr(&out).trim(),
        format!("awsmon-tui: cannot deploy notifier: {gap}")
    );
    let out = awsmon(&["routing", "push", "--config", &config], &envs);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out).trim(),
        format!("awsmon-tui: routing not pushed: {gap}")
    );
}

/// The security review's finding: `preview` printed terminal escape sequences from event text
/// (a window title, a clipboard write) to stdout. Text output is stripped of control characters.
#[test]
fn preview_never_prints_control_sequences_from_events() {
    let dir = tempfile::tempdir().expect("dir");
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("lambda/tests/fixtures/guardduty-crypto-high.json");
    let mut event: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture).expect("fixture")).expect("json");
    event["detail"]["title"] =
        serde_json::json!("owned\u{1b}]0;pwned\u{7}\u{1b}]52;c;ZXZpbA==\u{7}\u{1b}[2J title");
    event["detail"]["description"] = serde_json::json!("bidi \u{202e}txt.exe\u{9b}31m");
    let path = dir.path().join("event.json");
    std::fs::write(&path, event.to_string()).expect("event");
    let out = awsmon(&["preview", "--event", &path.display().to_string()], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("owned]0;pwned]52;c;ZXZpbA==[2J title"),
        "{text}"
    );
    for c in ['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}'] {
        assert!(!text.contains(c), "{c:?} reached the terminal: {text:?}");
    }
    // JSON output keeps the text as data, escaped by JSON itself.
    let out = awsmon(
        &["preview", "--json", "--event", &path.display().to_string()],
        &[],
    );
    let line: serde_json::Value = serde_json::from_str(stdout(&out).trim()).expect("json");
    assert!(line["payload"].to_string().contains("\\u001b"));
}

/// The security review's finding: the hidden `--timeout` panicked on -1, NaN and inf.
#[test]
fn a_bad_timeout_is_a_usage_error_not_a_panic() {
    for bad in ["-1", "NaN", "inf", "0", "1e10", "soon"] {
        let flag = format!("--timeout={bad}");
        let out = awsmon(&[&flag, "config", "show"], &[]);
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("expected a number of seconds above 0 and at most 3600"),
            "{bad}: {}",
            stderr(&out)
        );
        assert!(!stderr(&out).contains("panicked"), "{bad}");
    }
}

/// The security review's finding: the console's log had a fixed name in the temp directory,
/// mode 0644, and followed symlinks. Now: the user's state directory, 0600, links refused.
#[test]
fn the_console_log_is_private_and_never_written_through_a_link() {
    let state = tempfile::tempdir().expect("state");
    let state_dir = state.path().display().to_string();
    let envs = [
        ("AWSMON_LOG", "info"),
        ("XDG_STATE_HOME", state_dir.as_str()),
    ];
    // No terminal: the console cannot start, but the log is opened first.
    let _ = awsmon(&["--endpoint-url", "http://127.0.0.1:9"], &envs);
    let log = state.path().join("awsmon/console.log");
    let mode = std::fs::metadata(&log)
        .expect("log file")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let dir_mode = std::fs::metadata(state.path().join("awsmon"))
        .expect("dir")
        .permissions()
        .mode();
    assert_eq!(dir_mode & 0o077, 0, "the directory is the user's only");

    // A link planted where the log goes is not followed.
    std::fs::remove_file(&log).expect("rm");
    let victim = state.path().join("victim.txt");
    std::fs::write(&victim, "untouched").expect("victim");
    std::os::unix::fs::symlink(&victim, &log).expect("link");
    let out = awsmon(&["--endpoint-url", "http://127.0.0.1:9"], &envs);
    assert_eq!(
        std::fs::read_to_string(&victim).expect("victim"),
        "untouched"
    );
    assert!(stderr(&out).contains("no log file"), "{}", stderr(&out));
}

/// The security review's finding: Ctrl-C during a deploy said "CloudFormation carries on"
/// although the step cut off was the S3 upload and three steps never started. Now it says what
/// finished, what was cut off, what never ran, and what to run next.
#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_during_a_deploy_says_what_finished_was_cut_off_and_never_ran() {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let moto = common::start_moto();
    // S3 that answers HEAD (not uploaded yet) and holds every PUT open: the upload is in
    // flight when the user presses Ctrl-C.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let s3 = format!("http://{}", listener.local_addr().expect("addr"));
    let (put_tx, mut put_rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let put_tx = put_tx.clone();
            tokio::spawn(async move {
                let mut r = BufReader::new(stream);
                let mut line = String::new();
                while r.read_line(&mut line).await.is_ok_and(|n| n > 0) {
                    if line.starts_with("PUT ") {
                        let _ = put_tx.send(());
                        tokio::time::sleep(std::time::Duration::from_mins(1)).await;
                        return;
                    }
                    if line.starts_with("HEAD ") {
                        // Skip the headers, then answer 404.
                        let mut h = String::new();
                        while r.read_line(&mut h).await.is_ok_and(|n| n > 2) {
                            h.clear();
                        }
                        let _ = r
                            .get_mut()
                            .write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n")
                            .await;
                    }
                    line.clear();
                }
            });
        }
    });
    let dir = tempfile::tempdir().expect("dir");
    let config = hooked_config(dir.path());
    let zip = common::fake_zip(dir.path());
    let awsmon::deploy::artifact::Origin::File(zip_path) = &zip.origin else {
        unreachable!()
    };
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_awsmon-tui"))
        .args([
            "deploy",
            "notifier",
            "--yes",
            "--regions",
            "us-east-1",
            "--timeout=30",
        ])
        .arg("--config")
        .arg(&config)
        .env_clear()
        .env("HOME", dir.path())
        .env("AWS_ACCESS_KEY_ID", "AKIAEMULATOR00000000")
        .env("AWS_SECRET_ACCESS_KEY", "emulator")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL", &moto.endpoint)
        .env("AWS_ENDPOINT_URL_S3", &s3)
        .env(
            "AWS_ENDPOINT_URL_ACCESSANALYZER",
            &common::access_analyzer(&moto.endpoint).endpoint,
        )
        .env("AWSMON_NOTIFIER_ZIP", zip_path)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    tokio::time::timeout(std::time::Duration::from_secs(30), put_rx.recv())
        .await
        .expect("the upload started")
        .expect("put");
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .expect("join")
        .expect("output");
    assert_eq!(out.status.code(), Some(130));
    let err = String::from_utf8_lossy(&out.stderr);
    let summary: Vec<&str> = err
        .lines()
        .skip_while(|l| !l.starts_with("awsmon-tui: interrupted"))
        .collect();
    assert_eq!(
        summary.first().copied(),
        Some("awsmon-tui: interrupted: 1 step finished, 1 cut off, 2 never started"),
        "{err}"
    );
    assert!(
        summary[1].starts_with("  ok      create stack awsmon-bootstrap in us-east-1"),
        "{err}"
    );
    assert!(
        summary[2].starts_with("  CUT OFF upload the notifier to s3://")
            && summary[2].ends_with(" — the call may or may not have taken effect"),
        "{err}"
    );
    assert!(
        summary[3].starts_with("  NOT RUN write the routing parameter"),
        "{err}"
    );
    assert!(
        summary[4].starts_with("  NOT RUN create stack awsmon-hub"),
        "{err}"
    );
    assert!(
        summary[5].starts_with("run `awsmon-tui deploy notifier` again to finish"),
        "{err}"
    );
}

/// The home region, with no HOME_REGION in any config: the environment, then the profile's
/// region in the AWS config file, then us-east-1 with a note on stderr (never silently). Before
/// this, AWS_REGION and the profile were ignored and us-east-1 was used without a word.
#[test]
fn the_home_region_is_found_as_the_aws_cli_finds_a_region() {
    let dir = tempfile::tempdir().expect("dir");
    let aws_config = dir.path().join("aws-config");
    std::fs::write(
        &aws_config,
        "[default]\nregion = eu-central-1\n[profile ops]\nregion = ap-southeast-2\n",
    )
    .expect("write");
    let aws_config = aws_config.to_string_lossy().into_owned();
    let home_region = |envs: &[(&str, &str)], args: &[&str]| {
        let mut all = vec!["config", "show", "--json"];
        all.extend_from_slice(args);
        // An empty AWS_REGION counts as unset (the helper sets one).
        let mut with = vec![("AWS_REGION", "")];
        with.extend_from_slice(envs);
        let out = awsmon(&all, &with);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
        (
            doc["HOME_REGION"].as_str().unwrap_or_default().to_string(),
            stderr(&out).contains("note: no home region set"),
        )
    };
    let file = ("AWS_CONFIG_FILE", aws_config.as_str());
    assert_eq!(
        home_region(
            &[
                file,
                ("AWS_REGION", "eu-west-1"),
                ("AWS_DEFAULT_REGION", "eu-west-2")
            ],
            &[]
        ),
        ("eu-west-1".to_string(), false)
    );
    assert_eq!(
        home_region(&[file, ("AWS_DEFAULT_REGION", "eu-west-2")], &[]),
        ("eu-west-2".to_string(), false)
    );
    assert_eq!(
        home_region(&[file], &[]),
        ("eu-central-1".to_string(), false)
    );
    assert_eq!(
        home_region(&[file], &["--profile", "ops"]),
        ("ap-southeast-2".to_string(), false)
    );
    assert_eq!(
        home_region(
            &[file, ("AWS_REGION", "eu-west-1")],
            &["--region", "sa-east-1"]
        ),
        ("sa-east-1".to_string(), false)
    );
    // Nothing names one: us-east-1, said by the commands that call AWS (before they do), not
    // by those that never do.
    assert_eq!(home_region(&[], &[]), ("us-east-1".to_string(), false));
    let status = awsmon(&["status", "--json"], &[("AWS_REGION", "")]);
    assert!(
        stderr(&status).starts_with("note: no home region set (--region, HOME_REGION in config.yml, AWS_REGION, AWS_DEFAULT_REGION or the profile's region); using us-east-1\n"),
        "{}",
        stderr(&status)
    );
    let event = dir.path().join("event.json");
    std::fs::write(&event, "[]").expect("write");
    let preview = awsmon(
        &["preview", "--json", "--event", &event.to_string_lossy()],
        &[("AWS_REGION", "")],
    );
    assert_eq!(preview.status.code(), Some(0), "{}", stderr(&preview));
    assert_eq!(stderr(&preview), "");
}

/// The JSON Schema from `config schema` accepts the sample and the old project's forms, and
/// refuses what the parser refuses where a schema can say so (checked with Python's
/// jsonschema, which the test venv has for cfn-lint).
#[test]
fn the_config_schema_accepts_the_sample_and_refuses_out_of_range_values() {
    let out = awsmon(&["config", "schema"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let dir = tempfile::tempdir().expect("dir");
    let schema = dir.path().join("schema.json");
    std::fs::write(&schema, &out.stdout).expect("write");
    let sample = awsmon(&["config", "sample"], &[]);
    let sample = stdout(&sample);
    let cases = [
        (sample.as_str(), true),
        (
            "WEBHOOK_URLS: https://hooks.slack.com/services/T/B/x, https://hooks.slack.com/services/T/B/y\nBUDGET_LIMIT: '100'\nREGIONS: all\nSTACK_TAGS:\n  team: sec\n",
            true,
        ),
        ("BUDGET_THRESHOLD_PERCENTAGE: 150\n", false),
        ("BUDGET_THRESHOLD_PERCENTAGE: 0\n", false),
        ("STACK_TAGS:\n  aws:owner: x\n", false),
    ];
    let python = awsmon_testbench::venv_dir().join("bin/python");
    for (config, valid) in cases {
        let file = dir.path().join("config.yml");
        std::fs::write(&file, config).expect("write");
        let check = Command::new(&python)
            .args([
                "-c",
                "import json,sys,yaml,jsonschema; jsonschema.validate(yaml.safe_load(open(sys.argv[2])), json.load(open(sys.argv[1])))",
            ])
            .arg(&schema)
            .arg(&file)
            .output()
            .expect("python");
        assert_eq!(
            check.status.success(),
            valid,
            "{config}\n{}",
            String::from_utf8_lossy(&check.stderr)
        );
    }
}

/// Completions and the man page come from the clap definitions: every subcommand is in them.
#[test]
fn completions_and_the_man_page_list_every_command() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = awsmon(&["completions", shell], &[]);
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", stderr(&out));
        let text = stdout(&out);
        for sub in [
            "status",
            "deploy",
            "destroy",
            "findings",
            "preview",
            "test-message",
        ] {
            assert!(text.contains(sub), "{shell} completions lack {sub}");
        }
    }
    let man = awsmon(&["man"], &[]);
    assert_eq!(man.status.code(), Some(0), "{}", stderr(&man));
    let page = stdout(&man);
    assert!(page.contains("\n.TH awsmon-tui 1 "), "{page}");
    assert!(page.contains("\n.SH SUBCOMMANDS\n"), "{page}");
    for sub in ["deploy", "destroy", "findings", "preview", "completions"] {
        assert!(
            page.contains(&format!("awsmon\\-tui\\-{sub}(1)")),
            "{sub}: {page}"
        );
    }
    assert!(awsmon(&["completions", "tcsh"], &[]).status.code() == Some(2));
    // Targets, routes and services complete by name (issue 12: they were free text).
    let bash = stdout(&awsmon(&["completions", "bash"], &[]));
    assert!(
        bash.contains(
            "notifier guardduty config inspector securityhub accessanalyzer health trustedadvisor budget all"
        ),
        "{bash}"
    );
    assert!(bash.contains(
        "default guardduty config inspector securityhub accessanalyzer health trustedadvisor budget"
    ));
    assert!(bash.contains("direct pipeline"));
    // Names are still read in any case, and a wrong one lists the right ones.
    let out = awsmon(
        &[
            "deploy",
            "GuardDuty",
            "--dry-run",
            "--endpoint-url",
            "http://127.0.0.1:9",
        ],
        &[],
    );
    assert!(!stderr(&out).contains("invalid value"), "{}", stderr(&out));
    let out = awsmon(&["deploy", "macie"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(
            "[possible values: notifier, guardduty, config, inspector, securityhub, accessanalyzer, health, trustedadvisor, budget, all]"
        ),
        "{}",
        stderr(&out)
    );
}

/// Issue 13, item 5: every step ran but the service's own API says it is not on (moto's
/// CloudFormation makes no detector): the deploy is not reported as done, says what is wrong
/// and what to do, and exits 4 (documented). It used to exit 0.
#[test]
fn a_deploy_the_service_does_not_confirm_exits_4() {
    let moto = common::start_moto();
    let dir = tempfile::tempdir().expect("dir");
    let config = hooked_config(dir.path());
    let zip = common::fake_zip(dir.path());
    let awsmon::deploy::artifact::Origin::File(zip_path) = &zip.origin else {
        unreachable!("a file")
    };
    let zip_path = zip_path.display().to_string();
    // IAM Access Analyzer, which moto lacks: the test bench's stand-in.
    let analyzer = common::access_analyzer(&moto.endpoint).endpoint.clone();
    let envs = [
        CREDS[0],
        CREDS[1],
        ("AWS_ENDPOINT_URL", moto.endpoint.as_str()),
        ("AWS_ENDPOINT_URL_ACCESSANALYZER", analyzer.as_str()),
        ("AWSMON_NOTIFIER_ZIP", zip_path.as_str()),
    ];
    let out = awsmon(
        &[
            "deploy",
            "guardduty",
            "--config",
            &config,
            "--yes",
            "--regions",
            "eu-west-1",
        ],
        &envs,
    );
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(
        stdout(&out)
            .contains("warning eu-west-1: GuardDuty is not fully on after the deploy: no detector"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        stderr(&out).lines().last(),
        Some(
            "awsmon-tui: applied, but not verified: 1 service is not on as planned. Run `awsmon-tui deploy guardduty` again to repair it (it plans from what exists), or `awsmon-tui status` to look"
        )
    );
}

/// Issue 13: `preview --event` takes several files (the README passes a glob), read in order as
/// one stream: one JSON list across them.
#[test]
fn preview_reads_several_files_as_one_stream() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("lambda/tests/fixtures");
    let a = fixtures.join("guardduty-ssh-bruteforce.json");
    let b = fixtures.join("awsmon-test.json");
    let out = awsmon(
        &[
            "preview",
            "--event",
            &a.display().to_string(),
            &b.display().to_string(),
            "--output",
            "json",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("one JSON document");
    let kinds: Vec<&str> = doc
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert_eq!(kinds, ["GuardDuty Finding", "awsmon Test Message"]);
}

/// Issue 13: the sample config's placeholder webhook is flagged by `config validate`, at its
/// line, instead of passing as valid.
#[test]
fn validate_flags_the_samples_placeholder_webhook() {
    let dir = tempfile::tempdir().expect("dir");
    let config = dir.path().join("config.yml");
    std::fs::copy(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config.yml.sample"),
        &config,
    )
    .expect("sample");
    let out = awsmon(
        &[
            "config",
            "validate",
            "--config",
            &config.display().to_string(),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let line = stdout(&out)
        .lines()
        .find(|l| l.starts_with("error: "))
        .map(str::to_string)
        .unwrap_or_default();
    assert_eq!(
        line,
        format!(
            "error: {}:16:1: WEBHOOK_URLS: still the sample's placeholder webhook (…/T000/B000/XXXX): put your Slack incoming webhook URL here",
            config.display()
        )
    );
}

/// Issue 13: `--since 3` is refused (3 what?), not read as seconds.
#[test]
fn findings_since_needs_a_unit() {
    let out = awsmon(&["findings", "--since", "3"], &CREDS);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("\"3\" has no unit: write 3h, 3d, 3m or 3s"),
        "{}",
        stderr(&out)
    );
}

/// `status --account` is org mode's drill-down: outside org mode it is a usage error, and a
/// malformed id is refused by the argument parser.
#[test]
fn status_account_needs_org_mode_and_a_real_id() {
    let out = awsmon(
        &["status", "--account", "111122223333"],
        &[
            CREDS[0],
            CREDS[1],
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:9"),
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--account is for org mode: set ORGANIZATION: true in config.yml"),
        "{}",
        stderr(&out)
    );
    let out = awsmon(&["status", "--account", "1111"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("expected a 12-digit account id"),
        "{}",
        stderr(&out)
    );
}
