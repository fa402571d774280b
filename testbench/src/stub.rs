//! A tiny HTTP/1.1 server that answers with recorded AWS JSON, so the SDK's real deserialisers
//! run where moto has no API. Also a socket that accepts and never answers.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

pub use crate::receiver::Request as StubRequest;
use crate::receiver::{read_request, write_response};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StubResponse {
    pub status: u16,
    pub content_type: String,
    pub body: String,
    pub headers: Vec<(String, String)>,
}

impl StubResponse {
    pub fn json(status: u16, body: impl Into<String>) -> Self {
        StubResponse {
            status,
            content_type: "application/json".into(),
            body: body.into(),
            headers: Vec::new(),
        }
    }
}

type Handler = Arc<dyn Fn(&StubRequest) -> StubResponse + Send + Sync>;

/// Serves `handler`'s answers and records every request.
pub struct Stub {
    pub endpoint: String,
    pub requests: Arc<Mutex<Vec<StubRequest>>>,
    task: JoinHandle<()>,
}

impl Stub {
    pub async fn start(
        handler: impl Fn(&StubRequest) -> StubResponse + Send + Sync + 'static,
    ) -> std::io::Result<Stub> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let endpoint = format!("http://{}", listener.local_addr()?);
        let requests = Arc::new(Mutex::new(Vec::new()));
        let handler: Handler = Arc::new(handler);
        let log = requests.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (handler, log) = (handler.clone(), log.clone());
                tokio::spawn(async move {
                    let _ = serve(stream, handler, log).await;
                });
            }
        });
        Ok(Stub {
            endpoint,
            requests,
            task,
        })
    }

    pub fn requests(&self) -> Vec<StubRequest> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

impl Drop for Stub {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(
    stream: TcpStream,
    handler: Handler,
    log: Arc<Mutex<Vec<StubRequest>>>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream);
    while let Some(request) = read_request(&mut reader).await? {
        let response = handler(&request);
        if let Ok(mut log) = log.lock() {
            log.push(request);
        }
        let mut headers = vec![
            ("content-type", response.content_type.clone()),
            ("x-amzn-requestid", "stub-0000".to_string()),
        ];
        headers.extend(
            response
                .headers
                .iter()
                .map(|(k, v)| (k.as_str(), v.clone())),
        );
        write_response(reader.get_mut(), response.status, &headers, &response.body).await?;
    }
    Ok(())
}

/// A one-shot POST to a local endpoint (moto's control API).
pub(crate) async fn post(endpoint: &str, path: &str, body: &[u8]) -> std::io::Result<u16> {
    post_with(endpoint, path, &[], body).await
}

/// [`post`] with extra headers (an Authorization whose scope tells moto the service and region).
pub(crate) async fn post_with(
    endpoint: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<u16> {
    let addr = endpoint.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = TcpStream::connect(addr).await?;
    let extra: String = headers
        .iter()
        .flat_map(|(k, v)| [*k, ": ", *v, "\r\n"])
        .collect();
    let head = format!(
        "POST {path} HTTP/1.1\r\nhost: {addr}\r\ncontent-length: {}\r\n{extra}connection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body).await?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await?;
    Ok(response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0))
}

/// Accepts connections and never answers: a region whose endpoint hangs.
pub struct Blackhole {
    pub endpoint: String,
    task: JoinHandle<()>,
}

impl Blackhole {
    pub async fn start() -> std::io::Result<Blackhole> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let endpoint = format!("http://{}", listener.local_addr()?);
        let task = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((stream, _)) = listener.accept().await {
                held.push(stream);
            }
        });
        Ok(Blackhole { endpoint, task })
    }
}

impl Drop for Blackhole {
    fn drop(&mut self) {
        self.task.abort();
    }
}
