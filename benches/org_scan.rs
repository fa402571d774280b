//! Org scan benchmark (issue 14): a simulated organization of 500 accounts in 10 OUs × 17
//! regions, in moto with the org overlay, behind a proxy that adds 100 ms to every request.
//! Prints, for GuardDuty and Inspector:
//! - the scan through the delegated administrator's APIs: wall time, API calls, and the calls
//!   per region (they must not grow with the accounts);
//! - the same scan done account by account through the access role, on the first 50 accounts
//!   (the full 500 would take minutes), and what that gives per account;
//! - the console on the same organization: key → frame while its org scan (GuardDuty,
//!   Config and Inspector, Config through each account's access role) streams in, and one
//!   frame of the 501-account list once loaded;
//! - Config through an organization aggregator (one paged listing for every account and
//!   region), beside Config account by account through the access role;
//! - the peak RSS of this process.
//!
//! Run: `cargo bench --bench org_scan` (needs `scripts/bench setup`). Targets: ≤ 2 s through
//! the delegated-admin APIs, calls proportional to regions, key → frame < 16 ms, RSS < 100 MB.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use aws_sdk_inspector2::types::ResourceScanType;
use awsmon::aws::Aws;
use awsmon::config::Config;
use awsmon::inventory::Regions;
use awsmon::org::scan::{self, OrgScanRequest};
use awsmon::regions::KNOWN_REGIONS;
use awsmon_notifier::Service;
use awsmon_testbench::org_world::{self, OrgFaults, OrgLayout};
use awsmon_testbench::{LatencyProxy, Moto};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const RTT: Duration = Duration::from_millis(100);
const ACCOUNTS: usize = 500;
const OUS: usize = 10;
const REGION_COUNT: usize = 17;
const COMPARED: usize = 50;
const RUNS: usize = 3;

async fn aws_via(endpoint: &str) -> Aws {
    awsmon_testbench::bench_aws(endpoint).await
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

async fn scan_once(
    aws: &Aws,
    cfg: &Config,
    regions: &[String],
    org_apis: bool,
) -> (Duration, usize) {
    scan_services(
        aws,
        cfg,
        regions,
        org_apis,
        &[Service::GuardDuty, Service::Inspector],
    )
    .await
}

async fn scan_services(
    aws: &Aws,
    cfg: &Config,
    regions: &[String],
    org_apis: bool,
    services: &[Service],
) -> (Duration, usize) {
    let started = Instant::now();
    let scan = scan::scan(
        aws,
        OrgScanRequest {
            config: cfg,
            regions: Regions::Discover(Some(regions.to_vec())),
            services: services.to_vec(),
            concurrency: 32,
            org_apis,
        },
    )
    .await
    .expect("scan");
    let cells = scan.accounts.iter().map(|a| a.cells.len()).sum();
    (started.elapsed(), cells)
}

#[tokio::main]
async fn main() {
    let moto = Moto::start().expect("moto (run scripts/bench setup)");
    let faults = Arc::new(OrgFaults::default());
    let overlay = org_world::overlay(&moto.endpoint, faults.clone())
        .await
        .expect("overlay");
    let direct = aws_via(&moto.endpoint).await;
    let seeding = Instant::now();
    let layout = OrgLayout {
        ous: (0..OUS)
            .map(|ou| {
                (
                    format!("ou-{ou:02}"),
                    (0..ACCOUNTS / OUS)
                        .map(|a| format!("acct-{ou:02}-{a:03}"))
                        .collect(),
                )
            })
            .collect(),
    };
    let org = org_world::seed(&direct, &layout).await;
    let admin_id = org.accounts[0].1.clone();
    let admin = org_world::as_account(&direct, &admin_id).await;
    let regions: Vec<String> = KNOWN_REGIONS
        .iter()
        .filter(|(_, opt_in)| !opt_in)
        .take(REGION_COUNT)
        .map(|(r, _)| (*r).to_string())
        .collect();
    let ids: Vec<String> = org.accounts.iter().map(|(_, id)| id.clone()).collect();
    for region in &regions {
        admin
            .guardduty(region)
            .create_detector()
            .enable(true)
            .send()
            .await
            .expect("detector");
        admin
            .inspector2(region)
            .enable()
            .set_account_ids(Some(ids.clone()))
            .resource_types(ResourceScanType::Ec2)
            .resource_types(ResourceScanType::Ecr)
            .resource_types(ResourceScanType::Lambda)
            .send()
            .await
            .expect("inspector");
    }
    *faults.guardduty_members.lock().expect("lock") = ids
        .iter()
        .map(|id| (id.clone(), "Enabled".to_string()))
        .collect();
    *faults.guardduty_auto_enable.lock().expect("lock") = "ALL".to_string();
    println!(
        "seeded {} accounts in {OUS} OUs (+ the management account), {} regions, in {:.1} s",
        ids.len(),
        regions.len(),
        seeding.elapsed().as_secs_f64()
    );

    let mut cfg = Config::default();
    cfg.org.enabled = true;
    cfg.org.delegated_admin = Some(admin_id);
    // moto loads each service on first use; keep that out of the numbers.
    let unproxied = aws_via(&overlay.endpoint).await;
    let (_, cell_count) = scan_once(&unproxied, &cfg, &regions, true).await;
    assert_eq!(cell_count, (ACCOUNTS + 1) * REGION_COUNT * 2);
    // What the emulator itself takes for those calls, with no added latency: the floor under
    // every number below (moto answers a few hundred requests a second).
    let (floor, _) = scan_once(&unproxied, &cfg, &regions, true).await;
    println!(
        "the same scan straight to the emulator: {:.2} s",
        floor.as_secs_f64()
    );

    let port = overlay
        .endpoint
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("overlay port");
    let proxy = LatencyProxy::start(port, RTT).await.expect("proxy");
    let aws = aws_via(&proxy.endpoint).await;
    let mut times = Vec::new();
    let mut calls = 0;
    for _ in 0..RUNS {
        proxy.reset_count();
        times.push(scan_once(&aws, &cfg, &regions, true).await.0);
        calls = proxy.requests();
    }
    times.sort();
    println!(
        "org scan, GuardDuty + Inspector, {} accounts × {} regions through the delegated administrator (+{} ms per request):",
        ACCOUNTS + 1,
        regions.len(),
        RTT.as_millis()
    );
    println!(
        "  wall: median {:.2} s, best {:.2} s over {RUNS} runs (target ≤ 2 s)",
        times[RUNS / 2].as_secs_f64(),
        times[0].as_secs_f64()
    );
    #[allow(clippy::cast_precision_loss)]
    let per_region = calls as f64 / regions.len() as f64;
    println!(
        "  API calls: {calls} per scan, {per_region:.1} per region ({} cells)",
        (ACCOUNTS + 1) * REGION_COUNT * 2
    );

    // The comparison: account by account through the access role, on the first accounts.
    let mut few = cfg.clone();
    few.org.accounts = org.accounts[..COMPARED]
        .iter()
        .map(|(_, id)| id.clone())
        .collect();
    let fresh = aws_via(&proxy.endpoint).await;
    proxy.reset_count();
    let (role_wall, _) = scan_once(&fresh, &few, &regions, false).await;
    let role_calls = proxy.requests();
    proxy.reset_count();
    let (org_wall, _) = scan_once(&fresh, &few, &regions, true).await;
    let org_calls = proxy.requests();
    println!(
        "the same, {COMPARED} accounts: account by account with AssumeRole {:.2} s and {role_calls} calls; through the delegated administrator {:.2} s and {org_calls} calls",
        role_wall.as_secs_f64(),
        org_wall.as_secs_f64()
    );
    #[allow(clippy::cast_precision_loss)]
    let (per_account, all) = (role_calls as f64 / COMPARED as f64, (ACCOUNTS + 1) as f64);
    println!(
        "  account by account: {per_account:.1} calls per account, so about {:.0} calls for {} accounts",
        per_account * all,
        ACCOUNTS + 1
    );
    console(&proxy, &cfg, &regions).await;
    config_aggregator(&proxy, &admin, &faults, &cfg, &regions, &ids, &org).await;
    println!(
        "peak RSS of this process: {:.1} MiB (target < 100 MB)",
        peak_rss_mib()
    );
}

/// Config for the whole Organization through an organization aggregator (one paged listing of
/// every account × region), beside the same done account by account through the access role on
/// the first accounts. Run after the console, whose scan reads Config account by account.
async fn config_aggregator(
    proxy: &LatencyProxy,
    admin: &Aws,
    faults: &OrgFaults,
    cfg: &Config,
    regions: &[String],
    ids: &[String],
    org: &org_world::SeededOrg,
) {
    use aws_sdk_config::types::OrganizationAggregationSource;
    use awsmon_testbench::org_world::ConfigSource;

    let fresh = aws_via(&proxy.endpoint).await;
    let mut few = cfg.clone();
    few.org.accounts = org.accounts[..COMPARED]
        .iter()
        .map(|(_, id)| id.clone())
        .collect();
    proxy.reset_count();
    let (role_wall, _) = scan_services(&fresh, &few, regions, true, &[Service::Config]).await;
    let role_calls = proxy.requests();

    admin
        .configservice(cfg.home_region())
        .put_configuration_aggregator()
        .configuration_aggregator_name("org-all")
        .organization_aggregation_source(
            OrganizationAggregationSource::builder()
                .role_arn("arn:aws:iam::111122223333:role/config-aggregator")
                .all_aws_regions(true)
                .build()
                .expect("source"),
        )
        .send()
        .await
        .expect("aggregator");
    let mut accounts: Vec<String> = ids.to_vec();
    accounts.push(org.management.clone());
    *faults.config_sources.lock().expect("lock") = accounts
        .iter()
        .flat_map(|a| {
            regions.iter().map(move |r| ConfigSource {
                source_id: a.clone(),
                source_type: "ACCOUNT",
                region: r.clone(),
                status: "SUCCEEDED",
                error: None,
            })
        })
        .collect();
    *faults.config_counts.lock().expect("lock") = accounts
        .iter()
        .flat_map(|a| regions.iter().map(move |r| (a.clone(), r.clone(), 25)))
        .collect();
    faults.requests.lock().expect("lock").clear();
    let mut times = Vec::new();
    let mut calls = 0;
    for _ in 0..RUNS {
        let aws = aws_via(&proxy.endpoint).await;
        proxy.reset_count();
        times.push(
            scan_services(&aws, cfg, regions, true, &[Service::Config])
                .await
                .0,
        );
        calls = proxy.requests();
    }
    times.sort();
    // Measured on the aggregator's path only: no account was read through its role.
    let by_role = faults
        .requests
        .lock()
        .expect("lock")
        .iter()
        .filter(|r| r.ends_with(".DescribeConfigurationRecorders"))
        .count();
    assert_eq!(by_role, 0, "every account answered by the aggregator");
    println!(
        "Config, {} accounts × {} regions through the aggregator's source status: median {:.2} s, best {:.2} s, {calls} calls",
        ACCOUNTS + 1,
        regions.len(),
        times[RUNS / 2].as_secs_f64(),
        times[0].as_secs_f64()
    );
    #[allow(clippy::cast_precision_loss)]
    let (per_account, all) = (role_calls as f64 / COMPARED as f64, (ACCOUNTS + 1) as f64);
    println!(
        "  without an aggregator, {COMPARED} accounts through the access role: {:.2} s and {role_calls} calls ({per_account:.1} per account, about {:.0} for {} accounts)",
        role_wall.as_secs_f64(),
        per_account * all,
        ACCOUNTS + 1
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn pct(v: &[Duration], p: f64) -> Duration {
    let mut v = v.to_vec();
    v.sort();
    #[allow(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss
    )]
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i]
}

/// The console in org mode, as its event loop runs it: a key, whatever results are waiting,
/// one frame; while the Organization's scan streams in through the proxy.
async fn console(proxy: &LatencyProxy, cfg: &Config, regions: &[String]) {
    use awsmon::tui::app::{Action, App, Env};
    use awsmon::tui::runtime::{self, Shared};
    use awsmon::tui::theme::Theme;
    use awsmon::tui::view;

    let shared = Arc::new(Shared {
        aws: aws_via(&proxy.endpoint).await,
        cfg: RwLock::new(cfg.clone()),
        config_path: "config.yml".into(),
        config_text: RwLock::new(None),
        wanted: Some(regions.to_vec()),
        artifact: None,
        routing_version: RwLock::new(None),
    });
    let mut app = App::new(Env::default(), cfg.clone(), Vec::new());
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Action>();
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    let theme = Theme { color: true };
    for e in app.start() {
        runtime::spawn(e, &shared, &tx);
    }
    let keys = [
        KeyCode::Down,
        KeyCode::Down,
        KeyCode::PageDown,
        KeyCode::Up,
        KeyCode::PageUp,
    ];
    let (started, mut latencies, mut i) = (Instant::now(), Vec::new(), 0);
    while app.accounts.scanning || i < 10 {
        tokio::time::sleep(Duration::from_millis(10)).await;
        let t = Instant::now();
        let _ = app.update(Action::Key(KeyEvent::new(
            keys[i % keys.len()],
            KeyModifiers::NONE,
        )));
        while let Ok(a) = rx.try_recv() {
            let _ = app.update(a);
        }
        terminal.draw(|f| view::draw(f, &app, theme)).expect("draw");
        latencies.push(t.elapsed());
        i += 1;
        assert!(started.elapsed() < Duration::from_mins(5), "scan too long");
    }
    let cells: usize = app.accounts.cells.values().map(Vec::len).sum();
    assert!(app.accounts.error.is_none(), "{:?}", app.accounts.error);
    println!(
        "console, org scan of {} accounts × {} regions × 3 services streaming in ({:.1} s, {cells} cells): key → frame median {:.3} ms, p99 {:.3} ms, max {:.3} ms over {} keys (target < 16 ms)",
        app.accounts.accounts.len(),
        regions.len(),
        started.elapsed().as_secs_f64(),
        ms(pct(&latencies, 0.5)),
        ms(pct(&latencies, 0.99)),
        ms(latencies.iter().max().copied().unwrap_or_default()),
        latencies.len()
    );
    // One frame of the loaded list, with and without a filter, at 200×50.
    let mut big = Terminal::new(TestBackend::new(200, 50)).expect("terminal");
    for filter in ["", "acct-07"] {
        app.accounts.set_filter(filter);
        let frames: Vec<Duration> = (0..200)
            .map(|n| {
                app.accounts.row = (n * 37) % app.accounts.visible().count().max(1);
                let t = Instant::now();
                big.draw(|f| view::draw(f, &app, theme)).expect("draw");
                t.elapsed()
            })
            .collect();
        println!(
            "  one frame of the loaded list (200×50, filter {filter:?}, {} accounts shown): median {:.3} ms, p99 {:.3} ms",
            app.accounts.visible().count(),
            ms(pct(&frames, 0.5)),
            ms(pct(&frames, 0.99))
        );
    }
}
