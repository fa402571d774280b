//! Posting to Slack webhooks without losing messages: 429 waits for `Retry-After`, 5xx and
//! timeouts back off exponentially with jitter, other 4xx are permanent. Everything stays
//! within the caller's deadline (the invocation's remaining time). URLs never appear in
//! errors or logs, only their masked form.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::secret::WebhookUrl;

#[derive(Debug, Clone)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub base_backoff: Duration,
    pub max_backoff: Duration,
    /// The longest `Retry-After` honoured; longer ones are cut to this.
    pub max_retry_after: Duration,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            base_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(3),
            request_timeout: Duration::from_secs(10),
        }
    }
}

/// One HTTP attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attempt {
    pub status: Option<u16>,
    /// Slack's error text (`invalid_payload`...) or the transport error.
    pub error: Option<String>,
    pub latency_ms: u64,
    /// How long we waited before the next attempt.
    pub wait_ms: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delivery {
    /// The masked URL.
    pub url: String,
    /// The webhook's fingerprint ([`WebhookUrl::fingerprint`]), to retry exactly this one.
    pub webhook: String,
    pub ok: bool,
    pub attempts: Vec<Attempt>,
    /// Why it failed, for people.
    pub failure: Option<String>,
    pub total_ms: u64,
}

impl Delivery {
    pub fn last_status(&self) -> Option<u16> {
        self.attempts.last().and_then(|a| a.status)
    }

    pub fn slack_error(&self) -> Option<&str> {
        self.attempts.last().and_then(|a| a.error.as_deref())
    }
}

pub struct Deliverer {
    client: reqwest::Client,
    policy: RetryPolicy,
}

#[derive(Debug)]
pub struct ClientError(pub String);

impl std::fmt::Display for ClientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot build the HTTP client: {}", self.0)
    }
}

impl std::error::Error for ClientError {}

enum Next {
    Done,
    Fail(String),
    Retry(Duration),
}

/// TLS for the webhooks: rustls with ring (the SDK client's provider), Mozilla's roots compiled
/// in, and the certificates in `SSL_CERT_FILE` added when it names a file (a TLS-inspecting
/// proxy's authority, a test bench's). Compiled-in roots keep the system's bundle, and its
/// parsing, out of the cold start.
fn tls_config() -> Result<rustls::ClientConfig, ClientError> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject as _;
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if let Some(path) = std::env::var_os("SSL_CERT_FILE").filter(|p| !p.is_empty()) {
        let certs = CertificateDer::pem_file_iter(&path)
            .map_err(|e| ClientError(format!("SSL_CERT_FILE: {e}")))?;
        for cert in certs {
            let cert = cert.map_err(|e| ClientError(format!("SSL_CERT_FILE: {e}")))?;
            roots
                .add(cert)
                .map_err(|e| ClientError(format!("SSL_CERT_FILE: {e}")))?;
        }
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ClientError(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

impl Deliverer {
    pub fn new(policy: RetryPolicy) -> Result<Self, ClientError> {
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls_config()?)
            .connect_timeout(policy.connect_timeout)
            // A webhook that redirects would have the message re-posted to another host.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("awsmon-notifier/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ClientError(e.without_url().to_string()))?;
        Ok(Deliverer { client, policy })
    }

    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    /// Posts `body` (a message's JSON) to `url`, retrying as the policy allows until `deadline`.
    pub async fn post(&self, url: &WebhookUrl, body: &[u8], deadline: Option<Instant>) -> Delivery {
        let started = Instant::now();
        // reqwest takes an owned body per attempt.
        let body = body.to_vec();
        let mut attempts: Vec<Attempt> = Vec::new();
        let mut failure = None;
        let mut ok = false;
        for n in 1..=self.policy.max_attempts.max(1) {
            let remaining = deadline.map_or(self.policy.request_timeout, |d| {
                d.saturating_duration_since(Instant::now())
            });
            if remaining < Duration::from_millis(50) {
                failure = Some("out of time before the message could be delivered".to_string());
                break;
            }
            let sent = Instant::now();
            let result = self
                .client
                .post(url.expose())
                .header("content-type", "application/json")
                .timeout(self.policy.request_timeout.min(remaining))
                .body(body.clone())
                .send()
                .await;
            let mut attempt = Attempt {
                status: None,
                error: None,
                latency_ms: ms(sent.elapsed()),
                wait_ms: None,
            };
            let next = match result {
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    attempt.status = Some(status);
                    let retry_after = resp
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .map(Duration::from_secs);
                    let text = resp.text().await.unwrap_or_default();
                    attempt.latency_ms = ms(sent.elapsed());
                    match status {
                        200..=299 => Next::Done,
                        429 => {
                            attempt.error = Some(slack_text(&text, "rate_limited"));
                            Next::Retry(
                                retry_after
                                    .unwrap_or(Duration::from_secs(1))
                                    .min(self.policy.max_retry_after),
                            )
                        }
                        500..=599 => {
                            attempt.error = Some(slack_text(&text, "server_error"));
                            Next::Retry(self.backoff(n))
                        }
                        _ => {
                            let err = slack_text(&text, "error");
                            attempt.error = Some(err.clone());
                            Next::Fail(format!("Slack refused the message: HTTP {status} {err}"))
                        }
                    }
                }
                Err(e) => {
                    let kind = if e.is_timeout() {
                        "timed out"
                    } else if e.is_connect() {
                        "could not connect"
                    } else {
                        "request failed"
                    };
                    attempt.error = Some(kind.to_string());
                    Next::Retry(self.backoff(n))
                }
            };
            match next {
                Next::Done => {
                    ok = true;
                    attempts.push(attempt);
                    break;
                }
                Next::Fail(why) => {
                    failure = Some(why);
                    attempts.push(attempt);
                    break;
                }
                Next::Retry(wait) => {
                    let last = n == self.policy.max_attempts;
                    let fits = deadline
                        .is_none_or(|d| Instant::now() + wait + Duration::from_millis(50) < d);
                    let why = attempt.error.clone().unwrap_or_default();
                    if last || !fits {
                        attempts.push(attempt);
                        failure = Some(if last {
                            format!("gave up after {n} attempts (last: {why})")
                        } else {
                            format!("out of time after {n} attempts (last: {why})")
                        });
                        break;
                    }
                    attempt.wait_ms = Some(ms(wait));
                    attempts.push(attempt);
                    tokio::time::sleep(wait).await;
                }
            }
        }
        Delivery {
            url: url.masked(),
            webhook: url.fingerprint(),
            ok,
            attempts,
            failure,
            total_ms: ms(started.elapsed()),
        }
    }

    /// Exponential backoff with "equal jitter": half the step, plus a random part of the rest.
    fn backoff(&self, attempt: u32) -> Duration {
        let step = self
            .policy
            .base_backoff
            .saturating_mul(1 << attempt.saturating_sub(1).min(16))
            .min(self.policy.max_backoff);
        let half = step / 2;
        half + half.mul_f64(jitter())
    }
}

fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Slack's short error string (`invalid_payload`), cleaned for logs.
fn slack_text(body: &str, fallback: &str) -> String {
    let t: String = body
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(120)
        .collect();
    if t.is_empty() {
        fallback.to_string()
    } else {
        t
    }
}

/// A number in [0, 1) from a splitmix64 sequence seeded by the clock; good enough to spread
/// retries, with no dependency for it.
fn jitter() -> f64 {
    static STATE: AtomicU64 = AtomicU64::new(0);
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::from(d.subsec_nanos()));
    let mut z = STATE.fetch_add(0x9E37_79B9_7F4A_7C15 ^ seed, Ordering::Relaxed);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    #[allow(clippy::cast_precision_loss)]
    let unit = (z >> 11) as f64 / (1u64 << 53) as f64;
    unit
}
