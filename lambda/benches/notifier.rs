//! Notifier benchmark. Prints:
//! - µs per event, bytes → bytes, over the fixture set: parse the payload's bytes, decide,
//!   route, format and serialise to the exact bytes POSTed (target ≤ 5 µs), for the fixture
//!   files as they are (indented) and as the Lambda receives them (compact: the runtime API
//!   passes EventBridge's JSON on without indentation); the same for a plain-Python formatter
//!   (`python_formatter.py`, json module) in the same run, and the ratio (target ≥ 8×);
//! - the whole process, `awsmon-tui preview --json` (release build of the root binary) over an
//!   array of 10,000 and 100,000 GuardDuty events: µs per event (target ≤ 10) and peak RSS
//!   (target ≤ 50 MB for 100,000), with the Python formatter over the same 10,000;
//! - µs per event for parse + decide + format over the fixture set from a parsed value;
//! - the bootstrap's cold start, exec → first request for an event, against a local runtime
//!   API (target ≤ 5 ms; routing from env, so no SSM fetch);
//! - the bootstrap's peak RSS after 200 invocations that post to a local Slack stand-in
//!   (target ≤ 20 MB);
//! - the size of bootstrap.zip if `scripts/build-notifier` has built it (target ≤ 4 MiB);
//! - bytes → bytes with 20 SUPPRESS rules (none matching: every rule is tried), beside the
//!   plain figure;
//! - the warm invocation with de-duplication, its state in moto's DynamoDB on localhost, for
//!   a new finding (claim + mark sent: two conditional UpdateItems) and a duplicate (one),
//!   beside the same invocation without state: the round trips are reported, not hidden
//!   (moto is Python; DynamoDB in the same region answers in a few ms).
//!
//! Run: `cargo bench -p awsmon-notifier --bench notifier`.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use awsmon_notifier::settings::Settings;
use awsmon_notifier::{WebhookUrl, prepare, prepare_slice};
use awsmon_testbench::receiver::SlackReceiver;
use awsmon_testbench::runtime_api::RuntimeApi;
use serde_json::Value;

fn fixtures() -> (Vec<String>, Vec<Value>) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    let names = paths
        .iter()
        .map(|p| {
            p.file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let values = paths
        .iter()
        .map(|p| serde_json::from_str(&std::fs::read_to_string(p).expect("read")).expect("json"))
        .collect();
    (names, values)
}

/// The slowest fixtures, to show where time goes.
fn slowest(names: &[String], fixtures: &[Value]) -> Vec<(String, f64)> {
    let settings = Settings::default();
    let mut out: Vec<(String, f64)> = names
        .iter()
        .zip(fixtures)
        .map(|(n, f)| {
            let events = prepare(f, &settings).len().max(1);
            let started = Instant::now();
            for _ in 0..2000 {
                std::hint::black_box(prepare(std::hint::black_box(f), &settings));
            }
            #[allow(clippy::cast_precision_loss)]
            let per = started.elapsed().as_secs_f64() * 1e6 / (2000 * events) as f64;
            (n.clone(), per)
        })
        .collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1));
    out.truncate(3);
    out
}

fn per_event_micros(fixtures: &[Value]) -> f64 {
    let mut settings = Settings::default();
    settings.routes.default = vec![WebhookUrl::new_unchecked(
        "https://hooks.slack.com/services/T000/B000/XXXX",
    )];
    let events: usize = fixtures.iter().map(|f| prepare(f, &settings).len()).sum();
    // The best of many short samples: this is shared hardware, where a neighbour's burst
    // slows one sample and not the work itself.
    let rounds = 250;
    let mut best = f64::MAX;
    for _ in 0..40 {
        let started = Instant::now();
        for _ in 0..rounds {
            for f in fixtures {
                std::hint::black_box(prepare(std::hint::black_box(f), &settings));
            }
        }
        #[allow(clippy::cast_precision_loss)]
        let per = started.elapsed().as_secs_f64() * 1e6 / (rounds * events) as f64;
        best = best.min(per);
    }
    best
}

fn fixture_bytes() -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| std::fs::read(p).expect("read"))
        .collect()
}

/// `json` without whitespace outside strings, keys in their order: the form the Lambda
/// receives an event in.
fn compact(json: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for &b in json {
        if in_string {
            out.push(b);
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if b == b'"' {
            in_string = true;
            out.push(b);
        } else if !matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
            out.push(b);
        }
    }
    out
}

fn plain_settings() -> Settings {
    let mut settings = Settings::default();
    settings.routes.default = vec![WebhookUrl::new_unchecked(
        "https://hooks.slack.com/services/T000/B000/XXXX",
    )];
    settings
}

/// Org mode at its largest: 300 account names and 20 OU entries of ROUTING_OVERRIDES with 15
/// accounts each, the fixtures' account listed last in the last entry (the longest lookup).
fn org_settings() -> Settings {
    use awsmon_notifier::settings::{MinSeverity, RouteOverride};
    let mut settings = plain_settings();
    let id = |i: usize| format!("{:012}", 100_000_000_000 + i);
    settings.accounts = (0..300)
        .map(|i| (id(i), format!("workload-{i:03}")))
        .collect();
    for ou in 0..20 {
        let mut accounts: Vec<String> = (0..15).map(|k| id(ou * 15 + k)).collect();
        if ou == 19 {
            accounts[14] = "123456789012".to_string();
        }
        settings.overrides.insert(
            format!("ou-ab12-{ou:08}"),
            RouteOverride {
                webhooks: vec![WebhookUrl::new_unchecked(format!(
                    "https://hooks.slack.com/services/T000/B000/OU{ou}"
                ))],
                min_severity: Some(MinSeverity::Low),
                accounts,
                webhooks_dropped: false,
            },
        );
    }
    settings
}

/// 20 SUPPRESS rules that match none of the fixtures, so every event tries them all.
fn suppress_settings() -> Settings {
    use awsmon_notifier::settings::Suppression;
    let mut settings = plain_settings();
    settings.suppress = (0..20)
        .map(|i| Suppression {
            service: None,
            finding_type: Some(format!("Recon:EC2/Nothing{i}*")),
            resource: Some(format!("i-0nomatch{i}*")),
            account: None,
            min_severity: None,
            reason: format!("bench rule {i}"),
            expires: "2099-12-31".into(),
        })
        .collect();
    settings
}

/// Bytes in → the bytes POSTed out, per event: the Lambda's work short of the HTTP request.
fn bytes_to_bytes_micros(raw: &[Vec<u8>], settings: &Settings) -> (f64, usize) {
    let run = |sink: &mut Vec<u8>| {
        let mut events = 0;
        for bytes in raw {
            prepare_slice(bytes, settings, |p| {
                events += 1;
                if let Some(m) = &p.payload {
                    sink.clear();
                    m.write_to(sink);
                    std::hint::black_box(&sink);
                }
            })
            .expect("fixture");
        }
        events
    };
    let mut sink = Vec::with_capacity(8192);
    let events = run(&mut sink);
    // The best of many short samples: this is shared hardware, where a neighbour's burst
    // slows one sample and not the work itself.
    let rounds = 250;
    let mut best = f64::MAX;
    for _ in 0..40 {
        let started = Instant::now();
        for _ in 0..rounds {
            run(&mut sink);
        }
        #[allow(clippy::cast_precision_loss)]
        let per = started.elapsed().as_secs_f64() * 1e6 / (rounds * events) as f64;
        best = best.min(per);
    }
    (best, events)
}

/// The same work the way it was done before the typed message: the payload parsed to a
/// `Value`, the message built as a `Value` and serialised from it.
fn via_value_micros(raw: &[Vec<u8>]) -> f64 {
    let settings = Settings::default();
    let run = || {
        let mut events = 0usize;
        for bytes in raw {
            let v: Value = serde_json::from_slice(bytes).expect("fixture");
            for p in prepare(&v, &settings) {
                events += 1;
                if let Some(m) = &p.payload {
                    let value = serde_json::to_value(m).expect("json");
                    std::hint::black_box(serde_json::to_vec(&value).expect("json"));
                }
            }
        }
        events
    };
    let events = run();
    let rounds = 1000;
    let mut best = f64::MAX;
    for _ in 0..3 {
        let started = Instant::now();
        for _ in 0..rounds {
            run();
        }
        #[allow(clippy::cast_precision_loss)]
        let per = started.elapsed().as_secs_f64() * 1e6 / (rounds * events) as f64;
        best = best.min(per);
    }
    best
}

fn python_formatter() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/python_formatter.py")
}

/// The Python formatter over the same fixtures, in µs per event (best of 5).
fn python_micros() -> Option<f64> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let out = Command::new("python3")
        .arg(python_formatter())
        .arg("bench")
        .arg(dir)
        .arg("40")
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

#[global_allocator]
static ALLOCATOR: awsmon_notifier::Allocator = awsmon_notifier::Allocator;

/// A JSON array of `n` GuardDuty events (the fixtures, each with its own ids), written to `path`.
fn guardduty_array(fixtures: &[Value], n: usize, path: &std::path::Path) {
    use std::io::Write;
    let gd: Vec<&Value> = fixtures
        .iter()
        .filter(|f| f["source"] == "aws.guardduty")
        .collect();
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    w.write_all(b"[").expect("write");
    for i in 0..n {
        let mut e = gd[i % gd.len()].clone();
        e["id"] = Value::from(format!("bench-{i}"));
        e["detail"]["id"] = Value::from(format!("finding{i:08}"));
        if i > 0 {
            w.write_all(b",").expect("write");
        }
        serde_json::to_writer(&mut w, &e).expect("write");
    }
    w.write_all(b"]").expect("write");
    w.flush().expect("flush");
}

/// Runs `cmd` under `/usr/bin/time -v`, output to /dev/null: (wall seconds, peak RSS KiB).
fn measure(program: &std::path::Path, args: &[&std::ffi::OsStr]) -> Option<(f64, u64)> {
    let started = Instant::now();
    let out = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .ok()?;
    let wall = started.elapsed().as_secs_f64();
    if !out.status.success() {
        eprintln!("{}", String::from_utf8_lossy(&out.stderr));
        return None;
    }
    let rss = String::from_utf8_lossy(&out.stderr)
        .lines()
        .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))
        .and_then(|v| v.trim().parse().ok())?;
    Some((wall, rss))
}

/// `awsmon-tui preview --json` over 10,000 and 100,000 GuardDuty events, and the Python
/// formatter over the 10,000.
#[allow(clippy::cast_precision_loss)]
fn whole_process(fixtures: &[Value]) {
    let target = std::env::var("CARGO_TARGET_DIR").map_or_else(
        |_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"),
        PathBuf::from,
    );
    let bin = std::env::var_os("AWSMON_TUI_BIN")
        .map_or_else(|| target.join("release/awsmon-tui"), PathBuf::from);
    if !bin.exists() {
        println!(
            "  preview --json whole process: skipped ({} not built; cargo build --release --bin awsmon-tui)",
            bin.display()
        );
        return;
    }
    let dir = std::env::temp_dir().join(format!("awsmon-bench-preview-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let config = dir.join("config.yml");
    std::fs::write(
        &config,
        "WEBHOOK_URLS: https://hooks.slack.com/services/T0FAKE/B0FAKE/DEFAULTDEFAULTDEFAULT\n",
    )
    .expect("config");
    for n in [10_000, 100_000] {
        let events = dir.join(format!("guardduty-{n}.json"));
        guardduty_array(fixtures, n, &events);
        let args = [
            "preview".as_ref(),
            "--json".as_ref(),
            "--config".as_ref(),
            config.as_os_str(),
            "--event".as_ref(),
            events.as_os_str(),
        ];
        // The best of three runs, for the same reason as the samples above.
        let best = (0..3)
            .filter_map(|_| measure(&bin, &args))
            .min_by(|a, b| a.0.total_cmp(&b.0));
        match best {
            Some((wall, rss)) => println!(
                "  preview --json, {n} GuardDuty events, whole process: {:.2} µs per event (target <= 10), peak RSS {:.1} MiB{}",
                wall * 1e6 / n as f64,
                rss as f64 / 1024.0,
                if n == 100_000 {
                    " (target <= 50 MB)"
                } else {
                    ""
                }
            ),
            None => println!("  preview --json, {n} events: failed"),
        }
        if n == 10_000 {
            let py = measure(
                std::path::Path::new("python3"),
                &[
                    python_formatter().as_os_str(),
                    "preview".as_ref(),
                    events.as_os_str(),
                ],
            );
            if let Some((wall, rss)) = py {
                println!(
                    "  python formatter, {n} GuardDuty events, whole process: {:.2} µs per event, peak RSS {:.1} MiB",
                    wall * 1e6 / n as f64,
                    rss as f64 / 1024.0
                );
            }
        }
        let _ = std::fs::remove_file(&events);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The hot path: bytes → bytes, the Python baseline and the ratio, and the whole process.
fn hot_path(fixtures: &[Value]) {
    let raw = fixture_bytes();
    let (native, events) = bytes_to_bytes_micros(&raw, &plain_settings());
    println!(
        "  bytes -> bytes (parse, decide, route, format, serialise), {events} events: {native:.2} µs per event (target <= 5)"
    );
    println!(
        "    the same with ROUTING_OVERRIDES (20 OU entries x 15 accounts, 300 names; the longest lookup): {:.2} µs per event",
        bytes_to_bytes_micros(&raw, &org_settings()).0
    );
    println!(
        "    the same with 20 SUPPRESS rules, none matching (each event tries all): {:.2} µs per event",
        bytes_to_bytes_micros(&raw, &suppress_settings()).0
    );
    let compacted: Vec<Vec<u8>> = raw.iter().map(|r| compact(r)).collect();
    for (a, b) in raw.iter().zip(&compacted) {
        let (a, b): (Value, Value) = (
            serde_json::from_slice(a).expect("fixture"),
            serde_json::from_slice(b).expect("compacted fixture"),
        );
        assert_eq!(a, b, "compacting changed a fixture");
    }
    println!(
        "    the same events compact, as the Lambda receives them: {:.2} µs per event",
        bytes_to_bytes_micros(&compacted, &plain_settings()).0
    );
    println!(
        "    the same through a serde_json::Value round trip (as before): {:.2} µs per event",
        via_value_micros(&raw)
    );
    match python_micros() {
        Some(py) => println!(
            "  python formatter (json module), same fixtures, same run: {py:.2} µs per event; ratio {:.1}x (target >= 8x)",
            py / native
        ),
        None => println!("  python formatter: unavailable (no python3)"),
    }
    whole_process(fixtures);
}

/// Which bootstrap runs: this build's native binary, or the release zip's arm64 binary under
/// qemu-user (what ships; qemu's slowdown is part of that number, not Lambda's).
#[derive(Clone)]
enum Launch {
    Native,
    Qemu(PathBuf),
}

fn spawn_with(launch: &Launch, api: &RuntimeApi, slack: &SlackReceiver) -> std::process::Child {
    spawn_with_env(launch, api, slack, &[])
}

fn spawn_with_env(
    launch: &Launch,
    api: &RuntimeApi,
    slack: &SlackReceiver,
    extra: &[(&str, &str)],
) -> std::process::Child {
    let mut cmd = match launch {
        Launch::Native => Command::new(env!("CARGO_BIN_EXE_bootstrap")),
        Launch::Qemu(bin) => {
            let mut c = Command::new("qemu-aarch64-static");
            c.arg(bin);
            c
        }
    };
    cmd.env_clear()
        .env("AWS_LAMBDA_RUNTIME_API", &api.address)
        .env("AWS_LAMBDA_FUNCTION_NAME", "awsmon-notifier")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWSMON_WEBHOOK_URLS", slack.url("bench").expose())
        .env("AWSMON_LOG", "warn")
        .envs(extra.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("bootstrap")
}

fn spawn(api: &RuntimeApi, slack: &SlackReceiver) -> std::process::Child {
    spawn_with(&Launch::Native, api, slack)
}

/// The release zip's bootstrap, unpacked (Python's zipfile; no zip crate for a benchmark).
fn unpack(zip: &std::path::Path) -> Option<PathBuf> {
    let dir = std::env::temp_dir().join(format!("awsmon-bench-{}", std::process::id()));
    let ok = Command::new("python3")
        .args(["-m", "zipfile", "-e"])
        .arg(zip)
        .arg(&dir)
        .status()
        .ok()?
        .success();
    let bin = dir.join("bootstrap");
    if !ok || !bin.exists() {
        return None;
    }
    let mut perms = std::fs::metadata(&bin).ok()?.permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&bin, perms).ok()?;
    Some(bin)
}

/// Median time per warm invocation (invoke → the runtime API has the response), GuardDuty
/// events delivered to the local receiver.
async fn per_invocation(launch: &Launch, event: &Value) -> Duration {
    let slack = SlackReceiver::start().await.expect("receiver");
    let api = RuntimeApi::start().await.expect("api");
    let mut child = spawn_with(launch, &api, &slack);
    let mut samples = Vec::new();
    for i in 0..60 {
        let started = Instant::now();
        let id = api.invoke(event.clone());
        api.outcome(&id, Duration::from_secs(30))
            .await
            .expect("invocation finished");
        // The first few warm the process (lazy statics, the HTTP connection).
        if i >= 10 {
            samples.push(started.elapsed());
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    samples.sort();
    samples[samples.len() / 2]
}

/// Median warm invocation with de-duplication against moto's DynamoDB: each event a new
/// finding (`fresh`), or the same event again (a duplicate); `None` without moto.
async fn with_state(event: &Value) -> Option<(Duration, Duration, Duration)> {
    let moto = awsmon_testbench::Moto::start().ok()?;
    let aws = awsmon_testbench::bench_aws(&moto.endpoint).await;
    let table = "bench-notifier-state";
    aws.dynamodb("us-east-1")
        .create_table()
        .table_name(table)
        .billing_mode(aws_sdk_dynamodb::types::BillingMode::PayPerRequest)
        .attribute_definitions(
            aws_sdk_dynamodb::types::AttributeDefinition::builder()
                .attribute_name("finding_key")
                .attribute_type(aws_sdk_dynamodb::types::ScalarAttributeType::S)
                .build()
                .ok()?,
        )
        .key_schema(
            aws_sdk_dynamodb::types::KeySchemaElement::builder()
                .attribute_name("finding_key")
                .key_type(aws_sdk_dynamodb::types::KeyType::Hash)
                .build()
                .ok()?,
        )
        .send()
        .await
        .ok()?;
    let slack = SlackReceiver::start().await.expect("receiver");
    let api = RuntimeApi::start().await.expect("api");
    let mut child = spawn_with_env(
        &Launch::Native,
        &api,
        &slack,
        &[
            ("AWSMON_STATE_TABLE", table),
            ("AWS_ENDPOINT_URL", &moto.endpoint),
            ("AWS_REGION", "us-east-1"),
            ("AWS_ACCESS_KEY_ID", "AKIAEMULATOR00000000"),
            ("AWS_SECRET_ACCESS_KEY", "emulator"),
        ],
    );
    let run = |fresh: bool| {
        let api = &api;
        async move {
            let mut samples = Vec::new();
            for i in 0..60 {
                let mut e = event.clone();
                if fresh {
                    e["id"] = Value::from(format!("bench-event-{i}"));
                    e["detail"]["id"] = Value::from(format!("bench-finding-{i}"));
                }
                let started = Instant::now();
                let id = api.invoke(e);
                api.outcome(&id, Duration::from_secs(30)).await?;
                if i >= 10 {
                    samples.push(started.elapsed());
                }
            }
            samples.sort();
            Some(samples[samples.len() / 2])
        }
    };
    let fresh = run(true).await;
    let duplicate = run(false).await;
    // The daily digest over what the runs above recorded (one per hour, so one sample): the
    // claim, a Scan, the hour tallies' BatchGetItem, the message per route, the posts.
    let started = Instant::now();
    let request: Value =
        serde_json::from_str(awsmon_notifier::digest::REQUEST).expect("the request is JSON");
    let id = api.invoke(request);
    let answered = api.outcome(&id, Duration::from_secs(30)).await;
    let digest = started.elapsed();
    let _ = child.kill();
    let _ = child.wait();
    answered?;
    Some((fresh?, duplicate?, digest))
}

/// The digest's building alone: 2000 state items as the Scan gives them (text attributes),
/// read into records and laid out per route, median of 50.
fn digest_build_micros() -> f64 {
    use awsmon_notifier::digest::{self, Attrs, Record, Tally};
    let now = 1_796_908_743;
    let items: Vec<Attrs> = (0..2000_i64)
        .map(|i| {
            Attrs::from([
                (
                    "svc_name".to_string(),
                    ["guardduty", "inspector", "securityhub", "config"]
                        [usize::try_from(i % 4).unwrap_or(0)]
                    .to_string(),
                ),
                ("aws_account".to_string(), "123456789012".to_string()),
                ("aws_region".to_string(), "eu-west-1".to_string()),
                (
                    "finding_title".to_string(),
                    format!("Finding number {i} about a resource"),
                ),
                ("finding_severity".to_string(), "HIGH".to_string()),
                ("sent_band".to_string(), (i % 5).to_string()),
                ("sent_at".to_string(), (now - i * 30).to_string()),
                ("update_count".to_string(), (i % 3).to_string()),
                (
                    "finding_link".to_string(),
                    format!("https://eu-west-1.console.aws.amazon.com/x?id={i}"),
                ),
                ("finding_kind".to_string(), "GuardDuty Finding".to_string()),
            ])
        })
        .collect();
    let tallies: Vec<Attrs> = (0..24)
        .map(|h| Attrs::from([(digest::deduplicated_attr("guardduty"), (h + 1).to_string())]))
        .collect();
    let settings = plain_settings();
    let mut samples: Vec<f64> = (0..50)
        .map(|_| {
            let started = Instant::now();
            let records: Vec<Record> = items.iter().filter_map(Record::from_attrs).collect();
            let mut tally = Tally::default();
            for t in &tallies {
                tally.add(t);
            }
            let out = digest::build(&records, &tally, &settings, now);
            std::hint::black_box(out);
            started.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

async fn cold_start() -> Duration {
    cold_start_of(&Launch::Native).await
}

async fn cold_start_of(launch: &Launch) -> Duration {
    let slack = SlackReceiver::start().await.expect("receiver");
    let mut samples = Vec::new();
    for _ in 0..15 {
        let api = RuntimeApi::start().await.expect("api");
        let started = Instant::now();
        let mut child = spawn_with(launch, &api, &slack);
        while api.first_poll().is_none() {
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
        samples.push(api.first_poll().expect("polled") - started);
        let _ = child.kill();
        let _ = child.wait();
    }
    samples.sort();
    samples[samples.len() / 2]
}

async fn peak_rss_kib(fixtures: &[Value]) -> Option<u64> {
    let slack = SlackReceiver::start().await.expect("receiver");
    let api = RuntimeApi::start().await.expect("api");
    let mut child = spawn(&api, &slack);
    for i in 0..200 {
        let id = api.invoke(fixtures[i % fixtures.len()].clone());
        api.outcome(&id, Duration::from_secs(10))
            .await
            .expect("invocation finished");
    }
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).ok();
    let _ = child.kill();
    let _ = child.wait();
    status?
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse().ok())
}

#[tokio::main]
async fn main() {
    let (names, fixtures) = fixtures();
    if std::env::args().any(|a| a == "hot-path") {
        println!("notifier hot path");
        hot_path(&fixtures);
        return;
    }
    let micros = per_event_micros(&fixtures);
    let slow = slowest(&names, &fixtures);
    if std::env::args().any(|a| a == "events-only") {
        println!("{micros:.2} µs per event");
        return;
    }
    let cold = cold_start().await;
    let rss = peak_rss_kib(&fixtures).await;
    let target = std::env::var("CARGO_TARGET_DIR").map_or_else(
        |_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"),
        PathBuf::from,
    );
    let zip = target.join("lambda-arm64/bootstrap/bootstrap.zip");

    println!("notifier benchmark ({} fixtures)", fixtures.len());
    hot_path(&fixtures);
    println!("  parse + decide + format from a parsed value: {micros:.2} µs per event");
    println!(
        "  digest built from 2000 sent findings and 24 tallies (pure, per route set): {:.1} µs",
        digest_build_micros()
    );
    let slow: Vec<String> = slow
        .iter()
        .map(|(n, us)| format!("{n} {us:.1} µs"))
        .collect();
    println!("    slowest: {}", slow.join(", "));
    println!(
        "  bootstrap cold start (exec to first /next, median of 15): {:.2} ms (target <= 5)",
        cold.as_secs_f64() * 1e3
    );
    match rss {
        #[allow(clippy::cast_precision_loss)]
        Some(kib) => println!(
            "  bootstrap peak RSS after 200 invocations: {:.1} MiB (target <= 20)",
            kib as f64 / 1024.0
        ),
        None => println!("  bootstrap peak RSS: unavailable (no /proc)"),
    }
    match std::fs::metadata(&zip) {
        #[allow(clippy::cast_precision_loss)]
        Ok(m) => println!(
            "  bootstrap.zip (arm64): {:.2} MiB (target <= 4)",
            m.len() as f64 / (1024.0 * 1024.0)
        ),
        Err(_) => println!("  bootstrap.zip: not built; run scripts/build-notifier"),
    }

    // The shipped binary (arm64, under qemu-user) next to the native build of the same code.
    let event = fixtures
        .iter()
        .find(|f| f["source"] == "aws.guardduty")
        .cloned()
        .unwrap_or_else(|| fixtures[0].clone());
    let native_warm = per_invocation(&Launch::Native, &event).await;
    println!(
        "  native bootstrap: cold start {:.2} ms, warm invocation {:.2} ms (median)",
        cold.as_secs_f64() * 1e3,
        native_warm.as_secs_f64() * 1e3
    );
    match with_state(&event).await {
        Some((fresh, duplicate, digest)) => {
            println!(
                "  warm invocation with de-duplication (moto's DynamoDB on localhost): new finding {:.2} ms (claim + mark sent), duplicate {:.2} ms (claim refused), without state {:.2} ms",
                fresh.as_secs_f64() * 1e3,
                duplicate.as_secs_f64() * 1e3,
                native_warm.as_secs_f64() * 1e3
            );
            println!(
                "  daily digest invocation over those 50 findings (claim, Scan, tallies, 2 routes posted; one sample): {:.2} ms",
                digest.as_secs_f64() * 1e3
            );
        }
        None => println!("  de-duplication round trip: skipped (no moto; scripts/bench setup)"),
    }
    let qemu = Command::new("qemu-aarch64-static")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    match (qemu, zip.exists().then(|| unpack(&zip)).flatten()) {
        (true, Some(bin)) => {
            let launch = Launch::Qemu(bin.clone());
            let cold_q = cold_start_of(&launch).await;
            let warm_q = per_invocation(&launch, &event).await;
            println!(
                "  shipped arm64 bootstrap under qemu-user: cold start {:.2} ms ({:.1}x native), warm invocation {:.2} ms ({:.1}x native)",
                cold_q.as_secs_f64() * 1e3,
                cold_q.as_secs_f64() / cold.as_secs_f64(),
                warm_q.as_secs_f64() * 1e3,
                warm_q.as_secs_f64() / native_warm.as_secs_f64()
            );
            if let Some(dir) = bin.parent() {
                let _ = std::fs::remove_dir_all(dir);
            }
        }
        (false, _) => println!("  shipped bootstrap under qemu: skipped (no qemu-aarch64-static)"),
        (true, None) => {
            println!(
                "  shipped bootstrap under qemu: skipped (no zip; run scripts/build-notifier)"
            );
        }
    }
}
