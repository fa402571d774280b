//! `awsmon-demo` (what `scripts/demo` runs): the console against a local emulator, no AWS
//! account needed. Starts moto from the project venv and a local Slack receiver, seeds a
//! believable account (detectors, one adopted; Config; Inspector with findings; a budget; the
//! hub deployed), opens the console, and stops everything it started when the console quits.
//! Off a terminal it prints the status table instead. A development tool: it lives in the test
//! bench crate, so no release binary carries it.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use awsmon_notifier::Service;
use awsmon_testbench::receiver::SlackReceiver;

use awsmon::aws::{Aws, AwsOptions};
use awsmon::cli::{Failure, GlobalArgs, RegionArg, StatusArgs, status};
use awsmon::config::Config;
use awsmon::deploy::artifact::{self, Artifact};
use awsmon::deploy::engine;
use awsmon::deploy::plan::{self, Intent, Target};
use awsmon::deploy::stack_ops::Waiting;
use awsmon::tui::Env;
use awsmon_testbench::demo_world::DemoWorld;
use awsmon_testbench::{CborBridge, Moto, dummy_credentials, seed};
use clap::Parser;

/// The console against a local emulator (moto) and a local Slack receiver, seeded.
#[derive(Debug, Parser)]
#[command(name = "awsmon-demo")]
struct DemoCli {
    #[command(flatten)]
    global: GlobalArgs,
}

fn main() -> std::process::ExitCode {
    let cli = DemoCli::parse();
    // The console owns the terminal: logs go to the user's state directory, and only on request.
    if std::env::var_os("AWSMON_LOG").is_some() {
        match awsmon::logfile::open() {
            Ok(file) => tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::from_env("AWSMON_LOG"))
                .with_ansi(false)
                .with_writer(std::sync::Mutex::new(file))
                .init(),
            Err(e) => eprintln!("awsmon-demo: no log file: {e}"),
        }
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("awsmon-demo: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(&cli.global)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("awsmon-demo: {}", f.message);
            std::process::ExitCode::from(f.code)
        }
    }
}

const DEMO_REGIONS: [&str; 4] = ["us-east-1", "eu-west-1", "eu-central-1", "ap-southeast-2"];

fn fail(what: &str) -> impl Fn(String) -> Failure + '_ {
    move |e| Failure::other(format!("demo: {what}: {e}"))
}

async fn run(global: &GlobalArgs) -> Result<(), Failure> {
    let dir = std::env::temp_dir().join(format!("awsmon-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| fail("temp dir")(e.to_string()))?;
    let started = std::time::Instant::now();
    // What happens before the first frame, as it happens.
    let progress = |what: &str| eprintln!("[{:>5.2} s] {what}", started.elapsed().as_secs_f64());
    progress("starting the emulator (moto) and a local Slack receiver…");
    let moto = tokio::task::spawn_blocking(Moto::start)
        .await
        .map_err(|e| fail("emulator")(e.to_string()))?
        .map_err(|e| {
            fail("cannot start the emulator (run `scripts/bench setup`)")(e.to_string())
        })?;
    let slack = std::sync::Arc::new(
        SlackReceiver::start()
            .await
            .map_err(|e| fail("Slack receiver")(e.to_string()))?,
    );
    eprintln!(
        "EMULATOR: moto at {} (account {}), not a real AWS account. Slack receiver at {}. Both stop when the demo ends.",
        moto.endpoint,
        seed::ACCOUNT,
        slack.url("x").masked()
    );
    // The demo's own config.yml: the receiver's webhooks, a budget, four regions.
    let config_path = dir.join("config.yml");
    let text = format!(
        "# awsmon demo configuration (written by `awsmon-tui demo`; deleted when it ends)\nPREFIX_SERVICE_NAME: awsmon\nWEBHOOK_URLS: {}\nWEBHOOK_URLS_GUARDDUTY: {}\nBUDGET_LIMIT: 100\nBUDGET_THRESHOLD_PERCENTAGE: 80\nREGIONS: {}\n",
        slack.url("security-alerts").expose(),
        slack.url("guardduty-alerts").expose(),
        DEMO_REGIONS.join(",")
    );
    std::fs::write(&config_path, &text).map_err(|e| fail("config")(e.to_string()))?;
    let loaded =
        awsmon::config::load_file(&config_path).map_err(|e| fail("config")(e.to_string()))?;
    let cfg = loaded.config;
    // CloudWatch through the bridge: moto lacks the SDK's CBOR protocol for it.
    let bridge = CborBridge::start(&moto.endpoint)
        .await
        .map_err(|e| fail("CloudWatch bridge")(e.to_string()))?;
    let mut options = AwsOptions {
        endpoint_url: Some(moto.endpoint.clone()),
        credentials: Some(dummy_credentials()),
        max_attempts: 1,
        ..AwsOptions::default()
    };
    // What moto lacks (GuardDuty findings, Trusted Advisor, what its CloudFormation skips),
    // answered in front of it; its own calls go to moto directly.
    let direct = Aws::load(options.clone(), cfg.home_region()).await;
    let world = DemoWorld::start(&moto.endpoint, direct.clone())
        .await
        .map_err(|e| fail("demo overlays")(e.to_string()))?;
    for (service, endpoint) in &world.endpoints {
        options.service_endpoints.insert(*service, endpoint.clone());
    }
    let world = std::sync::Arc::new(tokio::sync::Mutex::new(world));
    options
        .service_endpoints
        .insert("cloudwatch", bridge.endpoint.clone());
    let aws = Aws::load(options, cfg.home_region()).await;
    let zip = demo_artifact(&dir)?;
    // The account is seeded while the console is already on screen; its first scan waits.
    let (ready_tx, ready) = tokio::sync::oneshot::channel();
    let seeding = Box::pin({
        let (aws, cfg, zip) = (aws.clone(), cfg.clone(), zip.clone());
        let moto_endpoint = moto.endpoint.clone();
        let world = world.clone();
        async move {
            let seeded = Box::pin(seed_account(&aws, &moto_endpoint, &cfg, &zip)).await;
            // The pipeline: the notifier binary `scripts/demo` builds, beside this one. Without
            // it, pipeline test messages say the notifier did not log them.
            let bootstrap = std::env::current_exe()
                .map(|p| p.with_file_name("bootstrap"))
                .unwrap_or_default();
            let notifier = world
                .lock()
                .await
                .start_notifier(
                    &direct,
                    &moto_endpoint,
                    &bootstrap,
                    &awsmon::naming::notifier_function(&cfg),
                    &awsmon::naming::notifier_log_group(&cfg),
                )
                .await;
            seeded.map_err(|f| f.message).and(notifier.map_err(|e| {
                format!("no notifier for pipeline test messages: {e}; `scripts/demo` builds it")
            }))
        }
    });

    let result = if std::io::stdout().is_terminal() {
        progress("opening the console; the account is seeded as it scans");
        tokio::spawn(async move {
            let _ = ready_tx.send(seeding.await);
        });
        let log = dir.join("slack-received.log");
        let logger = tokio::spawn(log_slack(slack.clone(), log.clone()));
        let env = Env {
            profile: Some("demo".into()),
            endpoint: Some(moto.endpoint.clone()),
            emulator: true,
            read_only: global.read_only,
            notifier: format!("notifier {} (demo build)", &zip.sha256[..12]),
            config_path: config_path.clone(),
            config_text: Some(text),
            slack_note: Some(format!("Slack: local receiver, log {}", log.display())),
            export_dir: awsmon::config::export_dir(),
        };
        let wanted = Some(DEMO_REGIONS.iter().map(|r| (*r).to_string()).collect());
        let r = awsmon::cli::console::open(aws, cfg, env, wanted, Some(zip), Some(ready)).await;
        logger.abort();
        eprintln!(
            "demo stopped; the Slack receiver got {} message(s) (logged in {})",
            slack.received().len(),
            log.display()
        );
        r
    } else {
        progress("seeding a believable account and deploying awsmon's hub into it…");
        drop((ready_tx, ready));
        if let Err(e) = seeding.await {
            eprintln!("note: {e}");
        }
        let regions = global.regions.clone().unwrap_or_else(|| {
            RegionArg::List(DEMO_REGIONS.iter().map(|r| (*r).to_string()).collect())
        });
        let args = StatusArgs {
            services: None,
            account: None,
            out: awsmon::cli::output::OutputArgs::default(),
        };
        status::report(&aws, &cfg, Some(&regions), &args).await
    };
    drop(world);
    drop(moto);
    drop(slack);
    // The directory holds a config with webhooks: none of it outlives the demo.
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// A stand-in build: moto stores the code and never runs it.
fn demo_artifact(dir: &std::path::Path) -> Result<Artifact, Failure> {
    if let Ok(a) = artifact::load() {
        return Ok(a);
    }
    let path = dir.join("bootstrap.zip");
    let mut bytes = b"PK\x03\x04".to_vec();
    bytes.extend_from_slice(b"awsmon demo stand-in build; the emulator never runs it");
    std::fs::write(&path, bytes).map_err(|e| fail("zip")(e.to_string()))?;
    artifact::from_file(path).map_err(|e| fail("zip")(e.to_string()))
}

/// The seeded account, then awsmon's hub and the GuardDuty spoke that adopts eu-central-1's
/// detector deployed for real, and Inspector findings and this month's spend to look at.
async fn seed_account(
    aws: &Aws,
    moto_endpoint: &str,
    cfg: &Config,
    zip: &Artifact,
) -> Result<(), Failure> {
    // The services as found, and awsmon's hub, at once: neither reads the other.
    let services = async {
        seed::services(aws)
            .await
            .map_err(|e| fail("seed")(e.to_string()))?;
        // Config records in both seeded regions.
        aws.configservice("eu-west-1")
            .start_configuration_recorder()
            .configuration_recorder_name("default")
            .send()
            .await
            .map_err(|e| fail("seed")(e.to_string()))?;
        seed::inspector_findings(moto_endpoint, "us-east-1")
            .await
            .map_err(|e| fail("seed")(e))
    };
    let (seeded, hub) = tokio::join!(services, deploy(aws, cfg, zip, Target::Notifier, &[]));
    seeded?;
    hub?;
    // Then a spoke adopting eu-central-1's detector, and the budget (its stack's budget and
    // this month's spend are seeded by the demo's CloudFormation overlay).
    let eu_central = ["eu-central-1".to_string()];
    let (spoke, budget) = tokio::join!(
        deploy(
            aws,
            cfg,
            zip,
            Target::Service(Service::GuardDuty),
            &eu_central
        ),
        deploy(aws, cfg, zip, Target::Service(Service::Budget), &[]),
    );
    spoke?;
    budget
}

/// One of awsmon's targets, deployed for real through its plan and engine.
async fn deploy(
    aws: &Aws,
    cfg: &Config,
    zip: &Artifact,
    target: Target,
    regions: &[String],
) -> Result<(), Failure> {
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let waiting = Waiting {
        timeout: Duration::from_mins(1),
        // Local: a short poll keeps the first frame near.
        poll: Duration::from_millis(25),
    };
    let (_, p) = plan::draw_up(aws, cfg, target, regions, Intent::Deploy(zip))
        .await
        .map_err(|e| fail("plan")(e.to_string()))?;
    let report = engine::execute(aws, cfg, &p, Some(zip), waiting, 8, tx).await;
    match report.failures().first() {
        Some(f) => Err(fail("deploy")(format!("{} — {:?}", f.step, f.result))),
        None => Ok(()),
    }
}

/// Appends what the receiver gets to a log file, so the demo's messages can be read.
async fn log_slack(slack: std::sync::Arc<SlackReceiver>, path: std::path::PathBuf) {
    let mut seen = 0;
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let got = slack.received();
        if got.len() > seen {
            if let Ok(mut f) = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
            {
                for r in &got[seen..] {
                    let url = format!("http://127.0.0.1{}", r.path);
                    let _ = writeln!(f, "{} {}", awsmon_notifier::secret::mask_url(&url), r.body);
                }
            }
            seen = got.len();
        }
    }
}
