//! The console in a real terminal (tmux) against moto: launch, wait for the matrix, toggle
//! GuardDuty in one region and wait for the cell to turn managed, open findings and help, quit,
//! and check the terminal is restored. The same under --read-only changes nothing.

use crate::common;

use std::process::Command;
use std::time::{Duration, Instant};

struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(name: &str, command: &str) -> Tmux {
        let socket = format!("awsmon-{name}-{}", std::process::id());
        let ok = Command::new("tmux")
            .args([
                "-L",
                &socket,
                "new-session",
                "-d",
                "-x",
                "120",
                "-y",
                "40",
                command,
            ])
            .status()
            .expect("tmux is needed for this test (apt install tmux)");
        assert!(ok.success());
        Tmux { socket }
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            let ok = Command::new("tmux")
                .args(["-L", &self.socket, "send-keys", k])
                .status()
                .expect("send-keys");
            assert!(ok.success());
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    fn resize(&self, width: u16, height: u16) {
        let (w, h) = (width.to_string(), height.to_string());
        let ok = Command::new("tmux")
            .args(["-L", &self.socket, "resize-window", "-x", &w, "-y", &h])
            .status()
            .expect("resize-window");
        assert!(ok.success());
    }

    fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p"])
            .output()
            .expect("capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits until the screen shows `what` (a line containing every part).
    fn wait_for(&self, parts: &[&str], within: Duration) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.lines().any(|l| parts.iter().all(|p| l.contains(p))) {
                return screen;
            }
            assert!(
                start.elapsed() < within,
                "waited {within:?} for a line with {parts:?}; the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}

const FAKE_HOOK: &str = "https://hooks.slack.com/services/T0FAKE/B0FAKE/SECRETSECRETSECRET";

fn launch(name: &str, moto: &str, dir: &std::path::Path, hook: &str, extra: &str) -> Tmux {
    std::fs::write(
        dir.join("config.yml"),
        format!("WEBHOOK_URLS: {hook}\nREGIONS: us-east-1,eu-west-1\n"),
    )
    .expect("config");
    let zip = dir.join("bootstrap.zip");
    std::fs::write(
        &zip,
        b"PK\x03\x04 a stand-in build for the emulator, long enough",
    )
    .expect("zip");
    let command = format!(
        "cd {dir} && env AWS_ACCESS_KEY_ID=AKIAEMULATOR00000000 AWS_SECRET_ACCESS_KEY=emulator AWS_REGION=us-east-1 \
         AWS_ENDPOINT_URL={moto} AWS_ENDPOINT_URL_ACCESSANALYZER={analyzer} AWSMON_NOTIFIER_ZIP={zip} NO_COLOR=1 {bin} --config config.yml {extra}; \
         echo AWSMON-EXITED $?; sleep 60",
        dir = dir.display(),
        zip = zip.display(),
        // IAM Access Analyzer, which moto lacks: the test bench's stand-in.
        analyzer = common::access_analyzer(moto).endpoint,
        bin = env!("CARGO_BIN_EXE_awsmon-tui"),
    );
    Tmux::start(name, &command)
}

#[tokio::test(flavor = "multi_thread")]
async fn toggle_guardduty_then_findings_help_and_quit() {
    let moto = common::start_moto();
    let aws = common::aws(&moto.endpoint).await;
    let dir = tempfile::tempdir().expect("dir");
    // The webhook refuses messages, so the notifier library logs an error: it must not reach
    // the screen.
    let slack = awsmon_testbench::receiver::SlackReceiver::start()
        .await
        .expect("receiver");
    slack.script(
        "hook",
        vec![awsmon_testbench::receiver::Reply::invalid_payload()],
    );
    let hook = slack.url("hook");
    let tmux = launch("toggle", &moto.endpoint, dir.path(), hook.expose(), "");
    let long = Duration::from_secs(30);
    tmux.wait_for(&["eu-west-1", "○ off"], long);
    tmux.wait_for(&["global"], long);

    // eu-west-1, GuardDuty: plan (the hub comes first), confirm, wait for the cell.
    tmux.keys(&["j", "Enter"]);
    let plan = tmux.wait_for(&["Enter/y applies"], long);
    assert!(
        plan.contains("create stack awsmon-hub in us-east-1"),
        "{plan}"
    );
    assert!(
        plan.contains("create stack awsmon-guardduty in eu-west-1: create a detector"),
        "{plan}"
    );
    tmux.keys(&["y"]);
    // moto's CloudFormation makes no detector: every step ran, but GuardDuty is not on, so the
    // job is not "done": it says what is wrong, keeps its log open, and the cell offers a
    // repair.
    let screen = tmux.wait_for(&["applied, but not verified"], long);
    assert!(
        screen.contains("not verified: turn on GuardDuty in eu-west-1"),
        "{screen}"
    );
    assert!(!screen.contains("done: turn on"), "{screen}");
    assert!(
        screen.contains("eu-west-1: GuardDuty is not fully on after the deploy: no detector"),
        "{screen}"
    );
    tmux.keys(&["Escape"]);
    tmux.wait_for(&["eu-west-1", "○ wired"], long);
    tmux.wait_for(&["Enter repairs it"], long);
    let (status, params) = common::stack_params(&aws, "eu-west-1", "awsmon-guardduty").await;
    assert_eq!(status, "CREATE_COMPLETE");
    assert_eq!(params["CreateDetector"], "true");

    tmux.keys(&["f"]);
    tmux.wait_for(&["findings", "·"], long);
    tmux.wait_for(&["as Slack will show it"], long);
    tmux.keys(&["?"]);
    tmux.wait_for(&["help (Esc closes)"], long);
    tmux.keys(&["Escape", "Escape", "t", "Enter"]);
    let screen = tmux.wait_for(&["FAILED", "400"], long);
    assert!(screen.contains("invalid_payload"), "{screen}");
    assert!(
        !screen.contains("ERROR"),
        "a log line reached the screen:\n{screen}"
    );
    assert!(!screen.contains("B0TEST/hook"), "{screen}");
    tmux.keys(&["Escape", "q"]);
    let screen = tmux.wait_for(&["AWSMON-EXITED 0"], long);
    // The alternate screen is gone: nothing of the console is left on the terminal.
    assert!(!screen.contains("REGION"), "{screen}");
    assert!(!screen.contains("SECRETSECRET"), "{screen}");
}

#[tokio::test(flavor = "multi_thread")]
async fn read_only_shows_no_mutating_key_and_changes_nothing() {
    let moto = common::start_moto();
    let aws = common::aws(&moto.endpoint).await;
    let dir = tempfile::tempdir().expect("dir");
    let tmux = launch(
        "readonly",
        &moto.endpoint,
        dir.path(),
        FAKE_HOOK,
        "--read-only",
    );
    let long = Duration::from_secs(30);
    let screen = tmux.wait_for(&["eu-west-1", "○ off"], long);
    assert!(screen.contains("READ-ONLY"), "{screen}");
    assert!(!screen.contains("Enter toggle"), "{screen}");
    assert!(!screen.contains("Space mark"), "{screen}");
    tmux.keys(&["j", "Enter"]);
    tmux.wait_for(&["read-only: toggling a service is not allowed"], long);
    tmux.keys(&["t", "Enter"]);
    tmux.wait_for(&["read-only: sending a test message is not allowed"], long);
    // Resized to 80×24, the detail pane moves under the matrix.
    tmux.resize(80, 24);
    tmux.keys(&["Escape"]);
    let narrow = tmux.wait_for(&["┌ detail"], long);
    assert!(
        narrow.lines().any(|l| l.starts_with("┌ detail")),
        "{narrow}"
    );
    tmux.keys(&["q"]);
    tmux.wait_for(&["AWSMON-EXITED 0"], long);

    for region in ["us-east-1", "eu-west-1"] {
        let stacks = awsmon::inventory::stacks::list(&aws, region)
            .await
            .expect("stacks");
        assert!(stacks.by_name.is_empty(), "{region}: {:?}", stacks.by_name);
    }
    let param = common::routing_parameter(&aws).await;
    assert!(param.is_none(), "no routing parameter may be written");
}
