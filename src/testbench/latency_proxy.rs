//! A TCP proxy that adds a fixed delay before each HTTP request reaches the upstream, to
//! measure scans as they behave over a real cross-region round trip. It also counts requests.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

pub struct LatencyProxy {
    pub endpoint: String,
    requests: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl LatencyProxy {
    pub async fn start(upstream_port: u16, delay: Duration) -> std::io::Result<LatencyProxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let endpoint = format!("http://{}", listener.local_addr()?);
        let requests = Arc::new(AtomicUsize::new(0));
        let counter = requests.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let counter = counter.clone();
                tokio::spawn(async move {
                    if let Ok(upstream) = TcpStream::connect(("127.0.0.1", upstream_port)).await {
                        pipe(client, upstream, delay, counter).await;
                    }
                });
            }
        });
        Ok(LatencyProxy { endpoint, requests, task })
    }

    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    pub fn reset_count(&self) {
        self.requests.store(0, Ordering::SeqCst);
    }
}

impl Drop for LatencyProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Client bytes that start a new request (the connection was idle, or the server had
/// answered) wait `delay` once; the rest of that request and all replies pass straight on.
async fn pipe(client: TcpStream, upstream: TcpStream, delay: Duration, counter: Arc<AtomicUsize>) {
    let (mut cr, mut cw) = client.into_split();
    let (mut ur, mut uw) = upstream.into_split();
    let idle = Arc::new(Mutex::new(true));
    let idle_up = idle.clone();
    let up = async move {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match cr.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let starts_request = std::mem::replace(&mut *idle_up.lock().await, false);
            if starts_request {
                counter.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(delay).await;
            }
            if uw.write_all(&buf[..n]).await.is_err() {
                break;
            }
        }
        let _ = uw.shutdown().await;
    };
    let down = async move {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match ur.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            *idle.lock().await = true;
            if cw.write_all(&buf[..n]).await.is_err() {
                break;
            }
        }
        let _ = cw.shutdown().await;
    };
    tokio::join!(up, down);
}
