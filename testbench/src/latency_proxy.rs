//! A TCP proxy that adds a fixed delay before each HTTP request reaches the upstream, to
//! measure scans as they behave over a real cross-region round trip. It also counts requests.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Mutex, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinHandle;

pub struct LatencyProxy {
    pub endpoint: String,
    requests: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl LatencyProxy {
    /// Every request waits `delay`; requests overlap freely.
    pub async fn start(upstream_port: u16, delay: Duration) -> std::io::Result<LatencyProxy> {
        Self::start_with(upstream_port, delay, None).await
    }

    /// Like [`LatencyProxy::start`], but only one request is in flight at a time: the same
    /// calls, made one after another.
    pub async fn start_serial(
        upstream_port: u16,
        delay: Duration,
    ) -> std::io::Result<LatencyProxy> {
        Self::start_with(upstream_port, delay, Some(Arc::new(Semaphore::new(1)))).await
    }

    async fn start_with(
        upstream_port: u16,
        delay: Duration,
        serial: Option<Arc<Semaphore>>,
    ) -> std::io::Result<LatencyProxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let endpoint = format!("http://{}", listener.local_addr()?);
        let requests = Arc::new(AtomicUsize::new(0));
        let counter = requests.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (counter, serial) = (counter.clone(), serial.clone());
                tokio::spawn(async move {
                    if let Ok(upstream) = TcpStream::connect(("127.0.0.1", upstream_port)).await {
                        pipe(client, upstream, delay, counter, serial).await;
                    }
                });
            }
        });
        Ok(LatencyProxy {
            endpoint,
            requests,
            task,
        })
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
/// With `serial`, a request holds the one permit from its first byte until its reply starts.
async fn pipe(
    client: TcpStream,
    upstream: TcpStream,
    delay: Duration,
    counter: Arc<AtomicUsize>,
    serial: Option<Arc<Semaphore>>,
) {
    let (mut cr, mut cw) = client.into_split();
    let (mut ur, mut uw) = upstream.into_split();
    let idle = Arc::new(Mutex::new(true));
    let idle_up = idle.clone();
    let permit: Arc<Mutex<Option<OwnedSemaphorePermit>>> = Arc::new(Mutex::new(None));
    let permit_down = permit.clone();
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
                if let Some(serial) = &serial
                    && let Ok(p) = serial.clone().acquire_owned().await
                {
                    *permit.lock().await = Some(p);
                }
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
            permit_down.lock().await.take();
            if cw.write_all(&buf[..n]).await.is_err() {
                break;
            }
        }
        let _ = cw.shutdown().await;
    };
    tokio::join!(up, down);
}
