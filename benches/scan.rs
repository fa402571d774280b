//! Scan benchmark: 16 regions × 5 services against moto, through a proxy that adds 100 ms to
//! every request (a cross-region round trip). Prints the concurrent wall time, the wall time of
//! the same calls made one after another, and the API calls per scan.
//!
//! Run: `cargo bench --bench scan` (needs `scripts/bench setup`). Target: ≤ 1.0 s concurrent.

use std::time::{Duration, Instant};

use awsmon::aws::Aws;
use awsmon::config::Config;
use awsmon::inventory::{self, Regions, ScanRequest};
use awsmon::regions::KNOWN_REGIONS;
use awsmon_notifier::Service;
use awsmon_testbench::{LatencyProxy, Moto, seed};

const RTT: Duration = Duration::from_millis(100);
const RUNS: usize = 5;

async fn aws_via(endpoint: &str) -> Aws {
    awsmon_testbench::bench_aws(endpoint).await
}

async fn scan_once(aws: &Aws, cfg: &Config, regions: &[String]) -> (Duration, usize) {
    let started = Instant::now();
    let (scan, _) = inventory::scan(
        aws,
        ScanRequest {
            config: cfg,
            regions: Regions::Discover(Some(regions.to_vec())),
            services: Service::ALL.to_vec(),
            concurrency: 16,
        },
    )
    .await
    .expect("scan");
    (started.elapsed(), scan.cells.len())
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::main]
async fn main() {
    let moto = Moto::start().expect("moto (run scripts/bench setup)");
    let direct = aws_via(&moto.endpoint).await;
    seed::demo_account(&direct).await.expect("seed");
    let regions: Vec<String> = KNOWN_REGIONS
        .iter()
        .filter(|(_, opt_in)| !opt_in)
        .take(16)
        .map(|(r, _)| (*r).to_string())
        .collect();
    let cfg = Config::default();
    // moto loads each service on first use; keep that out of the numbers.
    let (_, cells) = scan_once(&direct, &cfg, &regions).await;
    assert_eq!(cells, 16 * 3 + 2);

    let proxy = LatencyProxy::start(moto.port(), RTT).await.expect("proxy");
    let aws = aws_via(&proxy.endpoint).await;
    let mut times = Vec::new();
    let mut api_calls = 0;
    for _ in 0..RUNS {
        proxy.reset_count();
        times.push(scan_once(&aws, &cfg, &regions).await.0);
        api_calls = proxy.requests();
    }
    let best = *times.iter().min().expect("runs");
    let med = median(times);

    let serial = LatencyProxy::start_serial(moto.port(), RTT)
        .await
        .expect("proxy");
    let aws_serial = aws_via(&serial.endpoint).await;
    let (sequential, _) = scan_once(&aws_serial, &cfg, &regions).await;

    println!(
        "scan: 16 regions x 5 services, {} ms added per request",
        RTT.as_millis()
    );
    println!(
        "  concurrent wall time: median {:.3} s, best {:.3} s ({RUNS} runs; target <= 1.0 s)",
        med.as_secs_f64(),
        best.as_secs_f64()
    );
    println!(
        "  same calls one after another: {:.3} s",
        sequential.as_secs_f64()
    );
    println!(
        "  API calls per scan: {api_calls} (sequential run: {})",
        serial.requests()
    );
}
