//! Deploy benchmark: GuardDuty spokes in 8 regions against moto through a proxy that adds
//! 100 ms to every request. Prints the wall time with regions deployed at once, and region by
//! region (the hub is deployed first, untimed).
//!
//! Run: `cargo bench --bench deploy` (needs `scripts/bench setup`).

use std::time::{Duration, Instant};

use awsmon::aws::Aws;
use awsmon::config::Config;
use awsmon::deploy::artifact;
use awsmon::deploy::engine;
use awsmon::deploy::plan::{self, Intent, Target};
use awsmon::deploy::stack_ops::Waiting;
use awsmon_notifier::Service;
use awsmon_testbench::{LatencyProxy, Moto};

const REGIONS: [&str; 8] = [
    "us-east-1",
    "us-east-2",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "eu-north-1",
    "ap-southeast-2",
    "ap-northeast-1",
];

async fn aws_via(endpoint: &str) -> Aws {
    awsmon_testbench::bench_aws(endpoint).await
}

/// Deploys GuardDuty to every region from scratch, `concurrency` regions at a time.
async fn run(concurrency: usize) -> (Duration, usize) {
    let moto = Moto::start().expect("moto (run scripts/bench setup)");
    let dir = std::env::temp_dir().join(format!("awsmon-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let zip_path = dir.join("bootstrap.zip");
    std::fs::write(
        &zip_path,
        b"PK\x03\x04 benchmark stand-in for the notifier build",
    )
    .expect("zip");
    let zip = artifact::from_file(zip_path).expect("zip");
    let cfg = Config::default();
    let regions: Vec<String> = REGIONS.iter().map(|r| (*r).to_string()).collect();
    let waiting = Waiting {
        timeout: Duration::from_mins(2),
        poll: Duration::from_millis(100),
    };
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();

    // The hub first, directly, untimed; it also warms moto's service modules up.
    let direct = aws_via(&moto.endpoint).await;
    let (_, hub) = plan::draw_up(
        &direct,
        &cfg,
        Target::Notifier,
        &regions,
        Intent::Deploy(&zip),
    )
    .await
    .expect("plan");
    let report = engine::execute(&direct, &cfg, &hub, Some(&zip), waiting, 8, tx.clone()).await;
    assert!(report.failures().is_empty(), "{:?}", report.failures());

    let proxy = LatencyProxy::start(moto.port(), Duration::from_millis(100))
        .await
        .expect("proxy");
    let aws = aws_via(&proxy.endpoint).await;
    let (_, spokes) = plan::draw_up(
        &aws,
        &cfg,
        Target::Service(Service::GuardDuty),
        &regions,
        Intent::Deploy(&zip),
    )
    .await
    .expect("plan");
    proxy.reset_count();
    let started = Instant::now();
    let report = engine::execute(&aws, &cfg, &spokes, Some(&zip), waiting, concurrency, tx).await;
    let took = started.elapsed();
    assert!(report.failures().is_empty(), "{:?}", report.failures());
    assert_eq!(report.outcomes.len(), REGIONS.len());
    (took, proxy.requests())
}

#[tokio::main]
async fn main() {
    let (together, calls) = run(8).await;
    let (one_by_one, _) = run(1).await;
    println!(
        "deploy: GuardDuty spokes in {} regions, 100 ms added per request, poll every 100 ms",
        REGIONS.len()
    );
    println!(
        "  all regions at once: {:.2} s ({calls} API calls)",
        together.as_secs_f64()
    );
    println!("  region by region:    {:.2} s", one_by_one.as_secs_f64());
}
