//! A local stand-in for Slack's incoming webhooks, for tests and the demo: it records every
//! POST and answers as Slack does (200 `ok`, 400 `invalid_payload`, 429 with `Retry-After`,
//! 5xx), or never answers at all. Replies are scripted per path.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader,
};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use awsmon_notifier::WebhookUrl;

/// A minimal HTTP/1.1 request, as read off the socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    pub path: String,
    /// Header names lowercased.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Reads one request; `None` when the peer closed the connection cleanly.
pub async fn read_request<R: AsyncBufRead + Unpin>(
    reader: &mut R,
) -> std::io::Result<Option<Request>> {
    let mut line = String::new();
    if reader.read_line(&mut line).await? == 0 {
        return Ok(None);
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let path = parts.next().unwrap_or_default().to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).await? == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let len: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body).await?;
    Ok(Some(Request {
        method,
        path,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }))
}

/// Writes a complete HTTP/1.1 response.
pub async fn write_response<W: AsyncWriteExt + Unpin>(
    w: &mut W,
    status: u16,
    headers: &[(&str, String)],
    body: &str,
) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        410 => "Gone",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    };
    let mut head = format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    // One write: a separate small body segment waits on Nagle and the peer's delayed ACK
    // (about 40 ms per response on Linux).
    head.push_str(body);
    w.write_all(head.as_bytes()).await?;
    w.flush().await
}

/// What the receiver answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// 200 `ok`.
    Ok,
    /// Any status with Slack's plain-text error, and an optional `Retry-After` in seconds.
    Error {
        status: u16,
        body: &'static str,
        retry_after: Option<u64>,
    },
    /// Keep the connection open and never answer.
    Hang,
    /// A redirect (307, which keeps the method and body) to another URL.
    Redirect(String),
}

impl Reply {
    pub fn invalid_payload() -> Self {
        Reply::Error {
            status: 400,
            body: "invalid_payload",
            retry_after: None,
        }
    }
    pub fn rate_limited(seconds: u64) -> Self {
        Reply::Error {
            status: 429,
            body: "rate_limited",
            retry_after: Some(seconds),
        }
    }
    pub fn server_error() -> Self {
        Reply::Error {
            status: 500,
            body: "rollup_error",
            retry_after: None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub body: String,
    pub at: Instant,
}

#[derive(Default)]
struct State {
    scripts: HashMap<String, VecDeque<Reply>>,
    received: Vec<Received>,
}

pub struct SlackReceiver {
    base: String,
    state: Arc<Mutex<State>>,
    task: JoinHandle<()>,
}

impl SlackReceiver {
    pub async fn start() -> std::io::Result<SlackReceiver> {
        Self::bind("127.0.0.1:0").await
    }

    pub async fn bind(addr: &str) -> std::io::Result<SlackReceiver> {
        let listener = TcpListener::bind(addr).await?;
        let base = format!("http://{}", listener.local_addr()?);
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let _ = stream.set_nodelay(true);
                tokio::spawn(serve(stream, shared.clone()));
            }
        });
        Ok(SlackReceiver { base, state, task })
    }

    /// The receiver over HTTPS at `https://localhost:<port>`, with a certificate from a
    /// certificate authority made for this receiver: a client trusts it only when told to,
    /// e.g. through `SSL_CERT_FILE` pointing at a file holding [`TlsReceiver::ca_pem`].
    pub async fn start_tls() -> std::io::Result<TlsReceiver> {
        let (ca_pem, config) = tls_identity().map_err(std::io::Error::other)?;
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("https://localhost:{}", listener.local_addr()?.port());
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let _ = stream.set_nodelay(true);
                let (acceptor, shared) = (acceptor.clone(), shared.clone());
                tokio::spawn(async move {
                    // A client that does not trust the certificate ends the handshake here.
                    if let Ok(tls) = acceptor.accept(stream).await {
                        serve(tls, shared).await;
                    }
                });
            }
        });
        Ok(TlsReceiver {
            receiver: SlackReceiver { base, state, task },
            ca_pem,
        })
    }

    /// A webhook URL on this receiver; `name` tells hooks apart.
    pub fn url(&self, name: &str) -> WebhookUrl {
        WebhookUrl::new_unchecked(format!("{}/services/T0TEST/B0TEST/{name}", self.base))
    }

    /// Queues replies for one hook; once used up, it answers 200 `ok`.
    pub fn script(&self, name: &str, replies: Vec<Reply>) {
        if let Ok(mut s) = self.state.lock() {
            s.scripts
                .insert(format!("/services/T0TEST/B0TEST/{name}"), replies.into());
        }
    }

    /// Every POST so far, in arrival order, including those answered with an error.
    pub fn received(&self) -> Vec<Received> {
        self.state
            .lock()
            .map(|s| s.received.clone())
            .unwrap_or_default()
    }

    /// The bodies received by one hook.
    pub fn bodies(&self, name: &str) -> Vec<String> {
        let path = format!("/services/T0TEST/B0TEST/{name}");
        self.received()
            .into_iter()
            .filter(|r| r.path == path)
            .map(|r| r.body)
            .collect()
    }
}

/// A [`SlackReceiver`] over HTTPS and the certificate authority its certificate comes from.
pub struct TlsReceiver {
    pub receiver: SlackReceiver,
    /// The authority's certificate, PEM.
    pub ca_pem: String,
}

impl std::ops::Deref for TlsReceiver {
    type Target = SlackReceiver;
    fn deref(&self) -> &SlackReceiver {
        &self.receiver
    }
}

/// A certificate authority and a `localhost` server certificate it signed, fresh each run.
fn tls_identity() -> Result<(String, rustls::ServerConfig), Box<dyn std::error::Error + Send + Sync>>
{
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer,
        KeyPair, KeyUsagePurpose,
    };
    let mut ca = CertificateParams::new(Vec::<String>::new())?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "awsmon test bench CA");
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_key = KeyPair::generate()?;
    let ca_cert = ca.self_signed(&ca_key)?;
    let issuer = Issuer::new(ca, ca_key);

    let mut leaf = CertificateParams::new(vec!["localhost".to_string()])?;
    leaf.distinguished_name
        .push(DnType::CommonName, "localhost");
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let leaf_key = KeyPair::generate()?;
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer)?;

    let key = rustls::pki_types::PrivateKeyDer::try_from(leaf_key.serialize_der())?;
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_no_client_auth()
    .with_single_cert(vec![leaf_cert.der().clone(), ca_cert.der().clone()], key)?;
    Ok((ca_cert.pem(), config))
}

impl Drop for SlackReceiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve<S: AsyncRead + AsyncWrite + Unpin>(stream: S, state: Arc<Mutex<State>>) {
    let mut reader = BufReader::new(stream);
    while let Ok(Some(req)) = read_request(&mut reader).await {
        let reply = {
            let Ok(mut s) = state.lock() else { return };
            s.received.push(Received {
                path: req.path.clone(),
                body: req.body.clone(),
                at: Instant::now(),
            });
            s.scripts
                .get_mut(&req.path)
                .and_then(VecDeque::pop_front)
                .unwrap_or(Reply::Ok)
        };
        let w = reader.get_mut();
        let sent = match reply {
            Reply::Ok => {
                write_response(w, 200, &[("content-type", "text/html".into())], "ok").await
            }
            Reply::Error {
                status,
                body,
                retry_after,
            } => {
                let mut headers = vec![("content-type", "text/plain".to_string())];
                if let Some(s) = retry_after {
                    headers.push(("retry-after", s.to_string()));
                }
                write_response(w, status, &headers, body).await
            }
            Reply::Redirect(to) => write_response(w, 307, &[("location", to.clone())], "").await,
            Reply::Hang => {
                std::future::pending::<()>().await;
                Ok(())
            }
        };
        if sent.is_err() {
            return;
        }
    }
}
