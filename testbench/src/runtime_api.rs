//! A Lambda runtime-API emulator for running the real `bootstrap` binary locally: it hands out
//! queued events on `/next` and records each response or error. Tests and the cold-start
//! benchmark use it; `cargo lambda watch` is the same idea.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use tokio::io::BufReader;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::receiver::{read_request, write_response};

/// How one invocation ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Response(Value),
    /// The runtime's error report (`errorType`, `errorMessage`).
    Error(Value),
}

#[derive(Default)]
struct State {
    queue: VecDeque<(String, Value)>,
    outcomes: Vec<(String, Outcome)>,
    init_error: Option<Value>,
    first_poll: Option<Instant>,
    counter: u64,
}

pub struct RuntimeApi {
    /// `127.0.0.1:PORT`, the value for `AWS_LAMBDA_RUNTIME_API`.
    pub address: String,
    state: Arc<Mutex<State>>,
    wake: Arc<Notify>,
    done: Arc<Notify>,
    task: JoinHandle<()>,
}

impl RuntimeApi {
    pub async fn start() -> std::io::Result<RuntimeApi> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?.to_string();
        let state = Arc::new(Mutex::new(State::default()));
        let (wake, done) = (Arc::new(Notify::new()), Arc::new(Notify::new()));
        let (s, w, d) = (state.clone(), wake.clone(), done.clone());
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let _ = stream.set_nodelay(true);
                tokio::spawn(serve(stream, s.clone(), w.clone(), d.clone()));
            }
        });
        Ok(RuntimeApi {
            address,
            state,
            wake,
            done,
            task,
        })
    }

    /// Queues an event; returns its request id.
    pub fn invoke(&self, payload: Value) -> String {
        let id = {
            let Ok(mut s) = self.state.lock() else {
                return String::new();
            };
            s.counter += 1;
            let id = format!("req-{:04}", s.counter);
            s.queue.push_back((id.clone(), payload));
            id
        };
        self.wake.notify_waiters();
        self.wake.notify_one();
        id
    }

    /// Waits until `id` has a response or error, up to `timeout`.
    pub async fn outcome(&self, id: &str, timeout: Duration) -> Option<Outcome> {
        let until = Instant::now() + timeout;
        loop {
            // Registered before the check, so a result that lands in between still wakes us
            // (otherwise each wait could add up to the poll slice to every invocation).
            let notified = self.done.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(o) = self.find(id) {
                return Some(o);
            }
            let left = until.checked_duration_since(Instant::now())?;
            let _ = tokio::time::timeout(left.min(Duration::from_millis(50)), notified).await;
        }
    }

    fn find(&self, id: &str) -> Option<Outcome> {
        let s = self.state.lock().ok()?;
        s.outcomes
            .iter()
            .find(|(i, _)| i == id)
            .map(|(_, o)| o.clone())
    }

    /// When the runtime first asked for an event: the end of its cold start.
    pub fn first_poll(&self) -> Option<Instant> {
        self.state.lock().ok()?.first_poll
    }

    pub fn init_error(&self) -> Option<Value> {
        self.state.lock().ok()?.init_error.clone()
    }
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(stream: TcpStream, state: Arc<Mutex<State>>, wake: Arc<Notify>, done: Arc<Notify>) {
    let mut reader = BufReader::new(stream);
    while let Ok(Some(req)) = read_request(&mut reader).await {
        let path = req.path.trim_start_matches("/2018-06-01/runtime");
        let w = reader.get_mut();
        let sent = if req.method == "GET" && path == "/invocation/next" {
            if let Ok(mut s) = state.lock() {
                s.first_poll.get_or_insert_with(Instant::now);
            }
            let next = loop {
                let notified = wake.notified();
                tokio::pin!(notified);
                notified.as_mut().enable();
                let popped = state.lock().ok().and_then(|mut s| s.queue.pop_front());
                if let Some(item) = popped {
                    break item;
                }
                let _ = tokio::time::timeout(Duration::from_millis(50), notified).await;
            };
            let deadline = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default()
                + Duration::from_secs(30);
            let headers = [
                ("content-type", "application/json".to_string()),
                ("lambda-runtime-aws-request-id", next.0.clone()),
                (
                    "lambda-runtime-deadline-ms",
                    deadline.as_millis().to_string(),
                ),
                (
                    "lambda-runtime-invoked-function-arn",
                    "arn:aws:lambda:us-east-1:123456789012:function:awsmon-notifier".to_string(),
                ),
                (
                    "lambda-runtime-trace-id",
                    "Root=1-00000000-000000000000000000000000;Sampled=0".to_string(),
                ),
            ];
            write_response(w, 200, &headers, &next.1.to_string()).await
        } else if req.method == "POST" && path.starts_with("/invocation/") {
            let mut parts = path.trim_start_matches("/invocation/").split('/');
            let (id, kind) = (
                parts.next().unwrap_or_default().to_string(),
                parts.next().unwrap_or_default(),
            );
            let body: Value =
                serde_json::from_str(&req.body).unwrap_or(Value::String(req.body.clone()));
            let outcome = if kind == "error" {
                Outcome::Error(body)
            } else {
                Outcome::Response(body)
            };
            if let Ok(mut s) = state.lock() {
                s.outcomes.push((id, outcome));
            }
            done.notify_waiters();
            write_response(w, 202, &[], "").await
        } else if req.method == "POST" && path == "/init/error" {
            if let Ok(mut s) = state.lock() {
                s.init_error = Some(
                    serde_json::from_str(&req.body).unwrap_or(Value::String(req.body.clone())),
                );
            }
            done.notify_waiters();
            write_response(w, 202, &[], "").await
        } else {
            write_response(w, 404, &[], "not found").await
        };
        if sent.is_err() {
            return;
        }
    }
}
