//! Console benchmarks. Prints:
//! - exec → first frame: the real binary in a pseudo-terminal (`script`), AWS a black hole, so
//!   the frame cannot wait for a reply (target < 50 ms);
//! - one frame with 10,000 findings loaded, findings screen and matrix, 200×50 (target < 2 ms);
//! - RSS of this process with 10,000 findings loaded (target < 50 MB);
//! - key → frame while a 16-region scan runs through a proxy adding 100 ms to every AWS request
//!   (target < 16 ms: the UI never waits on the network).
//!
//! Run: `cargo bench --bench console` (needs `scripts/bench setup`).

// Percentiles and MiB are approximate by nature.
#![allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use awsmon::aws::{Aws, AwsOptions};
use awsmon::config::{Config, RegionSelection};
use awsmon::regions::KNOWN_REGIONS;
use awsmon::tui::app::{Action, App, Effect, Env};
use awsmon::tui::runtime::{self, Shared};
use awsmon::tui::screens::Screen;
use awsmon::tui::theme::Theme;
use awsmon::tui::view;
use awsmon_testbench::{Blackhole, LatencyProxy, Moto, dummy_credentials, seed};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn pct(v: &[Duration], p: f64) -> Duration {
    let mut v = v.to_vec();
    v.sort();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i]
}

fn env() -> Env {
    Env {
        profile: Some("bench".into()),
        notifier: "notifier bench".into(),
        config_path: "config.yml".into(),
        ..Env::default()
    }
}

/// The real binary in a pty; the time until its first frame (the matrix header) is written.
fn first_frame(blackhole: &str, dir: &std::path::Path) -> Duration {
    let bin = env!("CARGO_BIN_EXE_awsmon-tui");
    frame_after(
        &format!("{bin} --endpoint-url {blackhole} --regions us-east-1,eu-west-1"),
        dir,
    )
}

/// `command` in a pty of 120×40; the time from exec until the matrix header is written.
fn frame_after(command: &str, dir: &std::path::Path) -> Duration {
    let started = Instant::now();
    let mut child = Command::new("script")
        .args([
            "-qfec",
            // A pty from `script` has no size until it is given one.
            &format!("stty cols 120 rows 40; exec {command}"),
            "/dev/null",
        ])
        .current_dir(dir)
        .env("AWS_ACCESS_KEY_ID", "AKIAEMULATOR00000000")
        .env("AWS_SECRET_ACCESS_KEY", "emulator")
        .env("TERM", "xterm-256color")
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("script (util-linux) runs the console in a pty");
    let mut out = child.stdout.take().expect("stdout");
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    let elapsed = loop {
        let n = out.read(&mut buf).expect("read");
        assert!(n > 0, "the console exited before its first frame");
        seen.extend_from_slice(&buf[..n]);
        if seen.windows(6).any(|w| w == b"REGION") {
            break started.elapsed();
        }
    };
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(b"q");
    }
    let _ = child.wait();
    elapsed
}

fn many_findings(n: usize) -> Vec<awsmon::findings::Finding> {
    let samples = awsmon::findings::samples::findings(&Config::default().settings);
    samples.iter().cycle().take(n).cloned().collect()
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn render_times(app: &mut App, screen: Screen) -> Vec<Duration> {
    app.screen = screen;
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).expect("terminal");
    let theme = Theme { color: true };
    (0..200)
        .map(|i| {
            app.findings.selected = (i * 37) % app.findings.view.len().max(1);
            // The selection's Slack message is made in update, as a key would.
            app.update(Action::Resize);
            assert!(screen != Screen::Findings || app.findings.current.is_some());
            let t = Instant::now();
            terminal.draw(|f| view::draw(f, app, theme)).expect("draw");
            t.elapsed()
        })
        .collect()
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    // 1. exec → first frame.
    let blackhole = Blackhole::start().await.expect("blackhole");
    let dir = tempfile::tempdir().expect("dir");
    let _ = first_frame(&blackhole.endpoint, dir.path()); // warm the page cache
    let runs: Vec<Duration> = (0..10)
        .map(|_| first_frame(&blackhole.endpoint, dir.path()))
        .collect();
    println!(
        "exec → first frame: median {:.1} ms, best {:.1} ms (10 runs; target < 50 ms)",
        median(runs.clone()).as_secs_f64() * 1e3,
        runs.iter().min().copied().unwrap_or_default().as_secs_f64() * 1e3
    );
    // 1b. The demo (`scripts/demo` on a warm build): moto starts, the console opens, and the
    // account is seeded while it scans.
    let demo = std::env::current_exe().ok().and_then(|exe| {
        let target = exe.parent()?.parent()?.parent()?;
        ["debug", "release"]
            .iter()
            .map(|p| target.join(p).join("awsmon-demo"))
            .find(|p| p.exists())
    });
    match demo {
        Some(demo) => {
            let runs: Vec<Duration> = (0..3)
                .map(|_| frame_after(&demo.display().to_string(), dir.path()))
                .collect();
            println!(
                "demo exec → first frame: median {:.0} ms, best {:.0} ms (3 runs; target < 2 s)",
                median(runs.clone()).as_secs_f64() * 1e3,
                runs.iter().min().copied().unwrap_or_default().as_secs_f64() * 1e3
            );
        }
        None => println!(
            "demo exec → first frame: not measured (`cargo build -p awsmon-testbench --bin awsmon-demo` first)"
        ),
    }

    // 2 and 3. 10,000 findings.
    let before = rss_kib();
    let mut app = App::new(env(), Config::default(), many_findings(10_000));
    let after = rss_kib();
    let findings = render_times(&mut app, Screen::Findings);
    let matrix = render_times(&mut app, Screen::Matrix);
    println!(
        "frame with 10,000 findings (200×50): findings screen median {:.3} ms, p99 {:.3} ms; matrix median {:.3} ms (target < 2 ms)",
        median(findings.clone()).as_secs_f64() * 1e3,
        pct(&findings, 0.99).as_secs_f64() * 1e3,
        median(matrix).as_secs_f64() * 1e3
    );
    println!(
        "RSS with 10,000 findings: {:.1} MiB for the whole process ({:.1} MiB for the findings); target < 50 MB",
        after as f64 / 1024.0,
        after.saturating_sub(before) as f64 / 1024.0
    );
    drop(app);

    // 4. key → frame during a 16-region scan that waits 100 ms per request.
    let moto = tokio::task::spawn_blocking(Moto::start)
        .await
        .expect("join")
        .expect("moto (scripts/bench setup)");
    let direct = Aws::load(
        AwsOptions {
            endpoint_url: Some(moto.endpoint.clone()),
            credentials: Some(dummy_credentials()),
            max_attempts: 1,
            ..AwsOptions::default()
        },
        "us-east-1",
    )
    .await;
    seed::demo_account(&direct).await.expect("seed");
    let proxy = LatencyProxy::start(moto.port(), Duration::from_millis(100))
        .await
        .expect("proxy");
    let aws = Aws::load(
        AwsOptions {
            endpoint_url: Some(proxy.endpoint.clone()),
            credentials: Some(dummy_credentials()),
            max_attempts: 1,
            operation_timeout: Duration::from_secs(30),
            ..AwsOptions::default()
        },
        "us-east-1",
    )
    .await;
    let regions: Vec<String> = KNOWN_REGIONS
        .iter()
        .filter(|(_, opt_in)| !opt_in)
        .take(16)
        .map(|(name, _)| (*name).to_string())
        .collect();
    let cfg = Config {
        regions: RegionSelection::List(regions.clone()),
        ..Config::default()
    };
    let shared = Arc::new(Shared {
        aws,
        cfg: RwLock::new(cfg.clone()),
        config_path: "config.yml".into(),
        config_text: RwLock::new(None),
        wanted: Some(regions),
        artifact: None,
        routing_version: std::sync::RwLock::new(None),
    });
    let mut app = App::new(env(), cfg.clone(), many_findings(15));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Action>();
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    let theme = Theme { color: true };
    for e in app.start() {
        runtime::spawn(e, &shared, &tx);
    }
    let mut latencies = Vec::new();
    let mut cells = 0;
    let scan_started = Instant::now();
    let keys = [KeyCode::Down, KeyCode::Right, KeyCode::Up, KeyCode::Left];
    let mut i = 0;
    while app.status.scanning || i < 10 {
        tokio::time::sleep(Duration::from_millis(10)).await;
        let t = Instant::now();
        // As the runtime does: the key, then whatever results are waiting, then one frame.
        let mut effects: Vec<Effect> =
            app.update(Action::Key(KeyEvent::new(keys[i % 4], KeyModifiers::NONE)));
        while let Ok(a) = rx.try_recv() {
            if matches!(a, Action::ScanCell(_)) {
                cells += 1;
            }
            effects.extend(app.update(a));
        }
        terminal.draw(|f| view::draw(f, &app, theme)).expect("draw");
        latencies.push(t.elapsed());
        assert!(effects.iter().all(|e| !matches!(e, Effect::Execute { .. })));
        i += 1;
        assert!(
            scan_started.elapsed() < Duration::from_mins(1),
            "scan took too long"
        );
    }
    println!(
        "key → frame during a 16-region scan (+100 ms per request, {:.2} s, {cells} cells arriving): median {:.3} ms, p99 {:.3} ms, max {:.3} ms over {} keys (target < 16 ms)",
        scan_started.elapsed().as_secs_f64(),
        median(latencies.clone()).as_secs_f64() * 1e3,
        pct(&latencies, 0.99).as_secs_f64() * 1e3,
        latencies
            .iter()
            .max()
            .copied()
            .unwrap_or_default()
            .as_secs_f64()
            * 1e3,
        latencies.len()
    );
}
