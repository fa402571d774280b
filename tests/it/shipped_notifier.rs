//! The notifier as shipped. The real CLI deploys the hub to the emulator with the release zip;
//! the test then reads back what AWS would run (the zip object in the artifact bucket, checked
//! against the function's CodeSha256, and the function's environment, handler and memory) and
//! runs that zip's arm64 `bootstrap` under qemu-user with that environment, against a Lambda
//! runtime-API emulator and a local Slack receiver. Nothing is injected: routing comes from the
//! SSM parameter through the binary's own HTTP client, as in AWS.
//!
//! It needs the release zip, so it is `#[ignore]`d in plain `cargo test`; `scripts/test` (and
//! so CI) builds the zip and runs it with `AWSMON_SHIPPED_ZIP` set.

use crate::common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use awsmon::naming;
use awsmon_notifier::Settings;
use awsmon_notifier::notify::LoggedEvent;
use awsmon_testbench::receiver::{Reply, SlackReceiver};
use awsmon_testbench::runtime_api::{Outcome, RuntimeApi};
use serde_json::{Value, json};

const CREDS: [(&str, &str); 2] = [
    ("AWS_ACCESS_KEY_ID", "AKIAEMULATOR00000000"),
    ("AWS_SECRET_ACCESS_KEY", "emulator"),
];
/// The routing cache's lifetime in this test. The deployed value is 60 s; waiting that long for
/// the routing-change check is all this override saves. Everything else is as deployed.
const TEST_TTL_SECONDS: &str = "1";

fn shipped_zip() -> PathBuf {
    let path = std::env::var_os("AWSMON_SHIPPED_ZIP").unwrap_or_else(|| {
        panic!("AWSMON_SHIPPED_ZIP must name the release bootstrap.zip: run scripts/test, which builds it")
    });
    PathBuf::from(path)
}

fn cli(args: &[&str], moto: &str, home: &Path, extra: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_awsmon-tui"));
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL", moto)
        .env("AWS_REGION", "us-east-1")
        .env("NO_COLOR", "1")
        .envs(CREDS)
        .envs(extra.iter().copied())
        .current_dir(home);
    cmd.output().expect("run awsmon-tui")
}

fn fixtures() -> Vec<(String, Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("lambda/tests/fixtures");
    let mut out: Vec<(String, Value)> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            let name = p.file_stem().expect("stem").to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&p).expect("read");
            (name, serde_json::from_str(&text).expect("json"))
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Runs the bootstrap under qemu; keeps its stdout (the CloudWatch log stream) as lines.
struct Bootstrap {
    child: Child,
    logs: Arc<Mutex<Vec<String>>>,
}

impl Bootstrap {
    fn start(binary: &Path, env: &BTreeMap<String, String>) -> Bootstrap {
        let mut child = Command::new("qemu-aarch64-static")
            .arg(binary)
            .env_clear()
            .envs(env)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect(
                "qemu-aarch64-static (apt install qemu-user-static libc6:arm64; scripts/test does)",
            );
        let logs = Arc::new(Mutex::new(Vec::new()));
        for stream in [
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let sink = logs.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    sink.lock().expect("logs").push(line);
                }
            });
        }
        Bootstrap { child, logs }
    }

    fn logs(&self) -> Vec<String> {
        self.logs.lock().expect("logs").clone()
    }

    fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Bootstrap {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Extracts `bootstrap` from a zip with Python's zipfile (no zip crate just for a test).
fn unzip_bootstrap(zip: &Path, into: &Path) -> PathBuf {
    let status = Command::new("python3")
        .args(["-m", "zipfile", "-e"])
        .arg(zip)
        .arg(into)
        .status()
        .expect("python3");
    assert!(status.success(), "unzip failed");
    let bin = into.join("bootstrap");
    // zipfile does not keep the mode bits; Lambda runs the file as executable.
    let mut perms = std::fs::metadata(&bin)
        .expect("bootstrap in the zip")
        .permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&bin, perms).expect("chmod");
    bin
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the release zip and qemu-user: scripts/test runs it"]
async fn the_shipped_zip_delivers_every_event_kind_with_routing_from_ssm() {
    let zip = shipped_zip();
    let moto = common::start_moto();
    let aws = common::aws(&moto.endpoint).await;
    // Slack over HTTPS: the shipped bootstrap's own TLS stack on arm64, as against Slack.
    let slack = SlackReceiver::start_tls().await.expect("receiver");
    let dir = tempfile::tempdir().expect("dir");
    let roots = dir.path().join("roots.pem");
    std::fs::write(&roots, &slack.ca_pem).expect("roots");
    let config = dir.path().join("config.yml");
    let write_config = |default_hooks: &[&str], gd_hook: &str| {
        let defaults: Vec<String> = default_hooks
            .iter()
            .map(|h| slack.url(h).expose().to_string())
            .collect();
        std::fs::write(
            &config,
            format!(
                "HOME_REGION: us-east-1\nREGIONS: [us-east-1]\nWEBHOOK_URLS: {}\nWEBHOOK_URLS_GUARDDUTY: {}\n",
                defaults.join(","),
                slack.url(gd_hook).expose()
            ),
        )
        .expect("config");
    };
    write_config(&["default"], "guardduty");
    let config_arg = config.display().to_string();
    let zip_env = zip.display().to_string();

    // 1. Deploy with the real CLI and the release zip.
    let out = tokio::task::block_in_place(|| {
        cli(
            &["deploy", "notifier", "--yes", "--config", &config_arg],
            &moto.endpoint,
            dir.path(),
            &[("AWSMON_NOTIFIER_ZIP", &zip_env)],
        )
    });
    assert_eq!(
        out.status.code(),
        Some(0),
        "deploy failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    // 2. Read back what AWS would run.
    let cfg = awsmon::config::Config::default();
    let function = naming::notifier_function(&cfg);
    let conf = aws
        .lambda("us-east-1")
        .get_function_configuration()
        .function_name(&function)
        .send()
        .await
        .expect("function");
    let (_, params) = common::stack_params(&aws, "us-east-1", &naming::hub_stack(&cfg)).await;
    let object = aws
        .s3("us-east-1")
        .get_object()
        .bucket(&params["ArtifactBucket"])
        .key(&params["ArtifactKey"])
        .send()
        .await
        .expect("the uploaded zip");
    let uploaded = object.body.collect().await.expect("body").into_bytes();
    let digest = sha2::Sha256::digest(&uploaded);
    assert_eq!(
        conf.code_sha256(),
        Some(aws_smithy_types::base64::encode(digest).as_str()),
        "the function runs the object in the artifact bucket"
    );
    assert_eq!(
        uploaded.as_ref(),
        std::fs::read(&zip).expect("zip").as_slice()
    );
    assert_eq!(conf.handler(), Some("bootstrap"));
    assert_eq!(
        conf.runtime().map(aws_sdk_lambda::types::Runtime::as_str),
        Some("provided.al2023")
    );
    let memory = conf.memory_size().expect("memory");
    let deployed_env: BTreeMap<String, String> = conf
        .environment()
        .and_then(|e| e.variables())
        .map(|v| v.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    assert_eq!(
        deployed_env
            .get("AWSMON_ROUTING_PARAMETER")
            .map(String::as_str),
        Some(naming::routing_parameter(&cfg).as_str())
    );
    assert!(
        deployed_env.values().all(|v| !v.contains("B0TEST")),
        "no webhook in the function's environment"
    );

    let unpacked = tempfile::tempdir().expect("unpack");
    let zip_copy = unpacked.path().join("code.zip");
    std::fs::write(&zip_copy, &uploaded).expect("write");
    let task_root = unpacked.path().join("task");
    let binary = unzip_bootstrap(&zip_copy, &task_root);
    let elf = std::fs::read(&binary).expect("binary");
    assert_eq!(&elf[..4], b"\x7fELF");
    assert_eq!(
        u16::from_le_bytes([elf[18], elf[19]]),
        183,
        "the shipped bootstrap is an aarch64 binary"
    );

    // 3. Run it as Lambda would: the deployed environment plus what Lambda sets.
    let api = RuntimeApi::start().await.expect("runtime api");
    let mut env = deployed_env.clone();
    for (k, v) in [
        ("AWS_LAMBDA_RUNTIME_API", api.address.clone()),
        ("AWS_LAMBDA_FUNCTION_NAME", function.clone()),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", memory.to_string()),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".into()),
        (
            "AWS_LAMBDA_LOG_GROUP_NAME",
            naming::notifier_log_group(&cfg),
        ),
        ("AWS_REGION", "us-east-1".into()),
        ("AWS_DEFAULT_REGION", "us-east-1".into()),
        ("_HANDLER", conf.handler().unwrap_or_default().into()),
        ("LAMBDA_TASK_ROOT", task_root.display().to_string()),
        ("AWS_ACCESS_KEY_ID", CREDS[0].1.into()),
        ("AWS_SECRET_ACCESS_KEY", CREDS[1].1.into()),
        ("AWS_SESSION_TOKEN", "emulator-session".into()),
        // The additions: AWS is the emulator, and the bench's certificate authority is added
        // to the roots through SSL_CERT_FILE, as a TLS-inspecting proxy's would be.
        ("AWS_ENDPOINT_URL", moto.endpoint.clone()),
        ("SSL_CERT_FILE", roots.display().to_string()),
        ("AWSMON_ROUTING_TTL_SECONDS", TEST_TTL_SECONDS.into()),
    ] {
        env.insert(k.to_string(), v);
    }
    let mut boot = Bootstrap::start(&binary, &env);
    let wait = Duration::from_mins(1);

    // What the notifier should do with each event, by the library, under the deployed routing.
    let param = aws
        .ssm("us-east-1")
        .get_parameter()
        .name(naming::routing_parameter(&cfg))
        .with_decryption(true)
        .send()
        .await
        .expect("routing parameter");
    let settings: Settings =
        serde_json::from_str(param.parameter().and_then(|p| p.value()).expect("value"))
            .expect("routing json");

    let mut events = fixtures();
    // A malformed event of a known kind: logged and dropped, never a failed invocation.
    events.push((
        "malformed-guardduty".into(),
        json!({"version": "0", "id": "bad-1", "source": "aws.guardduty",
               "detail-type": "GuardDuty Finding", "region": "us-east-1",
               "account": "123456789012", "time": "2026-12-01T00:00:00Z", "detail": "not an object"}),
    ));
    let mut expected: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut expected_events = 0;
    let mut drops = 0;
    // The deployed notifier de-duplicates: a finding already sent at this severity band or
    // above (the batch fixture repeats the SSH brute-force finding) is not posted again.
    let mut sent_bands: BTreeMap<String, u8> = BTreeMap::new();
    let mut deduplicated = 0;
    for (name, payload) in &events {
        let prepared = awsmon_notifier::prepare(payload, &settings);
        expected_events += prepared.len();
        for p in &prepared {
            if !p.decision.is_send() {
                drops += 1;
                continue;
            }
            if p.kind != awsmon_notifier::event::TEST_DETAIL_TYPE {
                let band = awsmon_notifier::dedupe::band(p.severity.as_deref());
                let key = awsmon_notifier::dedupe::key(p);
                if sent_bands.get(&key).is_some_and(|b| *b >= band) {
                    deduplicated += 1;
                    continue;
                }
                sent_bands.insert(key, band);
            }
            for hook in &p.routes {
                let hook_name = hook
                    .expose()
                    .rsplit('/')
                    .next()
                    .unwrap_or_default()
                    .to_string();
                expected
                    .entry(hook_name)
                    .or_default()
                    .push(p.payload.as_ref().expect("payload").to_string());
            }
        }
        let id = api.invoke(payload.clone());
        let outcome = api.outcome(&id, wait).await;
        assert!(
            matches!(outcome, Some(Outcome::Response(_))),
            "{name}: every invocation posts /response, got {outcome:?}\nlogs:\n{}",
            boot.logs().join("\n")
        );
    }
    assert_eq!(
        deduplicated, 1,
        "the batch fixture's SSH brute-force finding, delivered again by its own fixture"
    );
    assert!(
        drops >= 2,
        "the fixtures include drops (unknown, oversized, malformed)"
    );
    assert!(boot.running(), "the process stays up across invocations");
    assert!(api.init_error().is_none());
    for (hook, bodies) in &expected {
        assert_eq!(&slack.bodies(hook), bodies, "posts to the {hook} webhook");
    }
    let total: usize = expected.values().map(Vec::len).sum();
    assert_eq!(slack.received().len(), total, "no other posts");
    assert!(expected["guardduty"].len() >= 3 && expected["default"].len() >= 5);

    // 4. De-duplication as deployed: the same finding delivered again is not posted again; the
    //    deployed state table holds it, with its TTL attribute at the window's end.
    let table = deployed_env
        .get("AWSMON_STATE_TABLE")
        .expect("the function names its state table");
    let crypto = common_fixture(&events, "guardduty-crypto-high");
    let posts = slack.received().len();
    let id = api.invoke(crypto.clone());
    assert_eq!(
        api.outcome(&id, wait).await,
        Some(Outcome::Response(
            json!({"events": 1, "sent": 0, "deliveries": 0})
        ))
    );
    assert_eq!(slack.received().len(), posts, "nothing posted twice");
    let key = awsmon_notifier::dedupe::key(&awsmon_notifier::prepare(&crypto, &settings)[0]);
    let state = aws
        .dynamodb("us-east-1")
        .get_item()
        .table_name(table)
        .key(
            "finding_key",
            aws_sdk_dynamodb::types::AttributeValue::S(key),
        )
        .send()
        .await
        .expect("state item");
    let state = state.item().expect("the finding's state");
    let number = |k: &str| -> i64 {
        state[k]
            .as_n()
            .ok()
            .and_then(|n| n.parse().ok())
            .expect("number")
    };
    assert_eq!(number("window_end") - number("sent_at"), 24 * 3600);
    assert_eq!(
        number("expires_at") - number("sent_at"),
        awsmon_notifier::dedupe::KEEP_SECS
    );
    assert_eq!(number("sent_band"), 3);

    // 4b. The daily digest as the deployed schedule asks for it: one message per route, the
    //     GuardDuty route's counting what this run sent there.
    let posts = slack.received().len();
    let request: Value = serde_json::from_str(awsmon_notifier::digest::REQUEST).expect("json");
    let id = api.invoke(request.clone());
    let Some(Outcome::Response(done)) = api.outcome(&id, wait).await else {
        panic!("the digest invocation failed");
    };
    assert_eq!(
        (done["deliveries"].as_u64(), done["failed"].as_u64()),
        (Some(2), Some(0)),
        "{done}"
    );
    let digest: Value =
        serde_json::from_str(slack.bodies("guardduty").last().expect("digest")).expect("json");
    // GuardDuty turned off (its CloudTrail records) is listed apart from the findings.
    let off = events
        .iter()
        .flat_map(|(_, e)| awsmon_notifier::prepare(e, &settings))
        .filter(|p| {
            p.kind == awsmon_notifier::event::CLOUDTRAIL_DETAIL_TYPE
                && p.decision.is_send()
                && p.service == Some(awsmon_notifier::Service::GuardDuty)
        })
        .count();
    assert_eq!(off, 2, "the deleted detector and the archive filter");
    assert!(
        digest["text"]
            .as_str()
            .is_some_and(|t| t.starts_with(&format!(
                "awsmon daily digest: {off} monitoring changes turned off or attempted; {} findings sent in the last 24 h",
                expected["guardduty"].len() - off
            ))),
        "{digest}"
    );
    assert_eq!(slack.received().len(), posts + 2);
    let id = api.invoke(request);
    assert_eq!(
        api.outcome(&id, wait).await,
        Some(Outcome::Response(json!({"digest": "sent already"})))
    );
    assert_eq!(slack.received().len(), posts + 2, "one digest an hour");

    // 5. Routing comes from SSM: push a new GuardDuty webhook, wait out the TTL, see it used.
    write_config(&["default"], "guardduty-rotated");
    push_routing_and_wait_out_the_ttl(&config_arg, &moto.endpoint, dir.path()).await;
    let id = api.invoke(fresh(crypto, "rotated"));
    assert!(matches!(
        api.outcome(&id, wait).await,
        Some(Outcome::Response(_))
    ));
    assert_eq!(
        slack.bodies("guardduty-rotated").len(),
        1,
        "the new route is used"
    );
    assert_eq!(
        slack.bodies("guardduty").len(),
        expected["guardduty"].len() + 1,
        "the findings and the digest"
    );

    // 6. Slack answers 500 then 200: delivered after a retry, the invocation succeeds.
    slack.script("default", vec![Reply::server_error()]);
    let before = slack.bodies("default").len();
    let id = api.invoke(common_fixture(&events, "awsmon-test"));
    let outcome = api.outcome(&id, wait).await;
    assert!(matches!(outcome, Some(Outcome::Response(_))), "{outcome:?}");
    assert_eq!(slack.bodies("default").len(), before + 2, "one retry");

    // 7. Slack always answers 400: the invocation fails as awsmon.DeliveryFailed.
    slack.script("default", vec![Reply::invalid_payload(); 10]);
    let id = api.invoke(common_fixture(&events, "awsmon-test"));
    let Some(Outcome::Error(err)) = api.outcome(&id, wait).await else {
        panic!("expected /error");
    };
    assert_eq!(err["errorType"], "awsmon.DeliveryFailed");
    assert!(
        boot.running(),
        "a failed invocation does not end the process"
    );

    // 8. Two webhooks on the route, one refusing: the healthy one gets exactly one copy, the
    //    invocation succeeds (no Lambda retry, so no second copy), and the failed delivery
    //    waits in the failure queue by the webhook's fingerprint. A redrive later posts it to
    //    that webhook only.
    slack.script("default", Vec::new());
    write_config(&["default", "backup"], "guardduty-rotated");
    push_routing_and_wait_out_the_ttl(&config_arg, &moto.endpoint, dir.path()).await;
    slack.script("backup", vec![Reply::invalid_payload(); 10]);
    let default_before = slack.bodies("default").len();
    let id = api.invoke(fresh(
        common_fixture(&events, "budget-forecasted-sns"),
        "backup",
    ));
    let Some(Outcome::Response(done)) = api.outcome(&id, wait).await else {
        panic!("a partial failure is not a failed invocation");
    };
    assert_eq!(done["queued"], 1, "{done}");
    assert_eq!(slack.bodies("default").len(), default_before + 1);
    assert_eq!(
        slack.bodies("backup").len(),
        1,
        "refused once (400 is permanent)"
    );
    let held = awsmon::notifier::redrive::hold(&aws, &cfg, 10, Duration::from_secs(30))
        .await
        .expect("hold");
    assert_eq!(held.messages.len(), 1);
    let backup = slack.url("backup");
    assert_eq!(
        held.messages[0].only.as_deref().map(|o| o[0].1.clone()),
        Some(backup.fingerprint()),
        "kept by the failed webhook's fingerprint"
    );
    let all: Vec<_> = held.messages.iter().collect();
    awsmon::notifier::redrive::release(&aws, &cfg, &held.queue_url, &all).await;
    slack.script("backup", Vec::new());
    // The replay is the CLI's, over the same HTTPS (it reads SSL_CERT_FILE as the notifier does).
    let roots_env = roots.display().to_string();
    let out = tokio::task::block_in_place(|| {
        cli(
            &[
                "notifier",
                "redrive",
                "--yes",
                "--json",
                "--config",
                &config_arg,
            ],
            &moto.endpoint,
            dir.path(),
            &[("SSL_CERT_FILE", &roots_env)],
        )
    });
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "redrive failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let replayed: Value =
        serde_json::from_str(stdout.lines().last().expect("a result line")).expect("json line");
    assert_eq!(replayed["replayed"], true, "{stdout}");
    assert_eq!(
        slack.bodies("backup").len(),
        2,
        "the failed webhook gets it now"
    );
    assert_eq!(
        slack.bodies("default").len(),
        default_before + 1,
        "the healthy webhook got exactly one copy"
    );
    assert_eq!(
        awsmon::notifier::health::failure_queue_depth(&aws, &cfg)
            .await
            .expect("depth"),
        Some(0)
    );

    // 9. Routing with no webhook for a route (as an older awsmon could write it): the event
    //    fails the invocation as awsmon.NoWebhook, so it is kept rather than quietly lost.
    aws.ssm("us-east-1")
        .put_parameter()
        .name(naming::routing_parameter(&cfg))
        .value(serde_json::to_string(&Settings::default()).expect("json"))
        .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
        .overwrite(true)
        .send()
        .await
        .expect("put");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let posts = slack.received().len();
    let id = api.invoke(common_fixture(&events, "awsmon-test"));
    let Some(Outcome::Error(err)) = api.outcome(&id, wait).await else {
        panic!("expected /error");
    };
    assert_eq!(err["errorType"], "awsmon.NoWebhook");
    assert_eq!(slack.received().len(), posts, "nothing posted");

    // 10. The log stream: no webhook URL, one event line per event that the console can read
    //    back, and EMF metrics per invocation.
    let deadline = Instant::now() + Duration::from_secs(5);
    // Every invocation but the one without a webhook (it stops before delivering) writes its
    // metrics and event lines.
    // The digest's first invocation counts too (its two messages as two events); its second,
    // sent already, delivers nothing and writes nothing.
    let invocations = events.len() + 5 + 1;
    let logs = loop {
        let logs = boot.logs();
        let emf = logs.iter().filter(|l| l.contains("\"_aws\"")).count();
        if emf >= invocations || Instant::now() > deadline {
            break logs;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let text = logs.join("\n");
    for secret in ["B0TEST/", "/default", "/guardduty", "/backup"] {
        assert!(
            !text.contains(secret),
            "{secret} leaked into the logs:\n{text}"
        );
    }
    let logged: Vec<LoggedEvent> = logs.iter().filter_map(|l| LoggedEvent::parse(l)).collect();
    assert_eq!(
        logged.len(),
        expected_events + 5 + 2,
        "one event line per event"
    );
    assert!(logged.iter().any(
        |e| e.decision == "send" && e.deliveries.iter().all(|d| d.ok && d.status == Some(200))
    ));
    let emf: Vec<Value> = logs
        .iter()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v.get("_aws").is_some() && v.get("Reason").is_none())
        .collect();
    assert_eq!(emf.len(), invocations, "one EMF document per invocation");
    let received: u64 = emf
        .iter()
        .map(|d| d["EventsReceived"].as_u64().expect("count"))
        .sum();
    assert_eq!(received, u64::try_from(expected_events + 5 + 2).expect("n"));
    let failures: u64 = emf
        .iter()
        .map(|d| d["DeliveryFailures"].as_u64().expect("count"))
        .sum();
    assert_eq!(failures, 2, "the 400, and the backup webhook's 400");
    assert!(emf.iter().all(
        |d| d["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "awsmon"
            && d["Function"] == function.as_str()
    ));
}

/// `routing push` with the real CLI, then past the notifier's (test) cache time.
async fn push_routing_and_wait_out_the_ttl(config: &str, moto: &str, home: &Path) {
    let out = tokio::task::block_in_place(|| {
        cli(&["routing", "push", "--config", config], moto, home, &[])
    });
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
}

/// `payload` as another finding: new event and finding ids (or SNS message id), so
/// de-duplication lets it through.
fn fresh(mut payload: Value, tag: &str) -> Value {
    if let Some(id) = payload.pointer_mut("/Records/0/Sns/MessageId") {
        *id = Value::from(format!("{tag}-message"));
    } else {
        payload["id"] = Value::from(format!("{tag}-event"));
        payload["detail"]["id"] = Value::from(format!("{tag}-finding"));
    }
    payload
}

fn common_fixture(events: &[(String, Value)], name: &str) -> Value {
    events
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.clone())
        .expect("fixture")
}

use sha2::Digest as _;
