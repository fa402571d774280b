//! Starts `moto_server` from the project venv on a free loopback port; kills it on drop.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The project-local venv that `scripts/bench setup` creates (override with AWSMON_VENV).
pub fn venv_dir() -> PathBuf {
    std::env::var_os("AWSMON_VENV").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.venv"),
        PathBuf::from,
    )
}

/// Credentials the emulator accepts. Never real ones.
pub fn dummy_credentials() -> aws_credential_types::Credentials {
    aws_credential_types::Credentials::new(
        "AKIAEMULATOR00000000",
        "emulator-secret-key",
        None,
        None,
        "awsmon-emulator",
    )
}

pub struct Moto {
    child: Child,
    pub endpoint: String,
}

impl std::fmt::Debug for Moto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Moto")
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

impl Moto {
    /// Starts a fresh server and waits until it listens.
    pub fn start() -> std::io::Result<Moto> {
        let bin = venv_dir().join("bin").join("moto_server");
        if !bin.exists() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!(
                    "{} not found: run `scripts/bench setup` first",
                    bin.display()
                ),
            ));
        }
        // A shell holds moto and kills it when our end of its stdin closes, so the server dies
        // with this process even when it is never dropped (a test binary's static).
        let mut child = Command::new("sh")
            .args([
                "-c",
                "\"$0\" -H 127.0.0.1 -p 0 </dev/null & pid=$!; cat >/dev/null; kill $pid; wait $pid",
            ])
            .arg(&bin)
            .env("MOTO_ALLOW_NONEXISTENT_REGION", "true")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()?;
        let stderr = child
            .stderr
            .take()
            .ok_or_else(|| std::io::Error::other("no stderr pipe"))?;
        let (tx, rx) = mpsc::channel();
        // Read until the "Running on" line, then keep draining so the pipe never fills.
        // AWSMON_MOTO_LOG names a file that gets every server's log, to read a 500's traceback.
        let mut log = std::env::var_os("AWSMON_MOTO_LOG").and_then(|p| {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(p)
                .ok()
        });
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(f) = log.as_mut() {
                    use std::io::Write;
                    let _ = writeln!(f, "{line}");
                }
                if let Some(url) = line.split("Running on ").nth(1)
                    && let Some(tx) = tx.take()
                {
                    let _ = tx.send(url.trim().to_string());
                }
            }
        });
        if let Ok(endpoint) = rx.recv_timeout(Duration::from_mins(1)) {
            Ok(Moto { child, endpoint })
        } else {
            let _ = child.kill();
            let _ = child.wait();
            Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "moto_server did not start within 60 s",
            ))
        }
    }

    /// The port, for proxies placed in front.
    pub fn port(&self) -> u16 {
        self.endpoint
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_default()
    }

    /// A POST to moto's own API (`/moto-api/...`), e.g. to seed Inspector findings.
    pub async fn post(&self, path: &str, body: &str) -> std::io::Result<u16> {
        super::stub::post(&self.endpoint, path, body.as_bytes()).await
    }

    /// `POST /moto-api/reset`: forget all state.
    pub async fn reset(&self) -> std::io::Result<()> {
        crate::accessanalyzer::forget(&self.endpoint);
        super::stub::post(&self.endpoint, "/moto-api/reset", b"")
            .await
            .map(|_| ())
    }

    /// `POST /moto-api/reset-auth` with `0`: from now on IAM decides, so calls by a user
    /// without policies are denied.
    pub async fn enable_iam_checks(&self) -> std::io::Result<()> {
        super::stub::post(&self.endpoint, "/moto-api/reset-auth", b"0")
            .await
            .map(|_| ())
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        crate::accessanalyzer::forget(&self.endpoint);
        // Closing stdin makes the holding shell kill moto and exit.
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}
