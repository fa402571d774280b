//! A stub in front of moto: requests it has a recorded answer for are answered here (the APIs
//! moto lacks, like GuardDuty's findings), everything else goes on to moto unchanged, and a
//! hook sees each forwarded request after moto answered it (to seed what moto's
//! CloudFormation skips). The SDK talks to it as it would to AWS, so its real deserialisers run.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::receiver::{read_request, write_response};
use crate::stub::{StubRequest, StubResponse};

type Answer = Arc<dyn Fn(&StubRequest) -> Option<StubResponse> + Send + Sync>;
/// Runs after moto answered a forwarded request, before the client gets the answer.
pub type After = Arc<dyn Fn(StubRequest) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

pub struct Overlay {
    pub endpoint: String,
    task: JoinHandle<()>,
}

impl Overlay {
    /// Listens on a free loopback port; `upstream` is moto's endpoint (`http://127.0.0.1:N`).
    pub async fn start(
        upstream: &str,
        answer: impl Fn(&StubRequest) -> Option<StubResponse> + Send + Sync + 'static,
        after: Option<After>,
    ) -> std::io::Result<Overlay> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let endpoint = format!("http://{}", listener.local_addr()?);
        let upstream: Arc<str> = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .into();
        let answer: Answer = Arc::new(answer);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (upstream, answer, after) = (upstream.clone(), answer.clone(), after.clone());
                tokio::spawn(async move {
                    let _ = serve(stream, &upstream, &answer, after.as_ref()).await;
                });
            }
        });
        Ok(Overlay { endpoint, task })
    }
}

impl Drop for Overlay {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(
    stream: TcpStream,
    upstream: &str,
    answer: &Answer,
    after: Option<&After>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream);
    while let Some(request) = read_request(&mut reader).await? {
        if let Some(response) = answer(&request) {
            let headers = [
                ("content-type", response.content_type.clone()),
                ("x-amzn-requestid", "overlay-0000".to_string()),
            ];
            write_response(reader.get_mut(), response.status, &headers, &response.body).await?;
            continue;
        }
        let reply = forward(upstream, &request).await?;
        if let Some(after) = after {
            after(request).await;
        }
        // moto's reply is passed on as it came, and the connection closes with it.
        reader.get_mut().write_all(&reply).await?;
        return Ok(());
    }
    Ok(())
}

/// The request to moto on a fresh connection, and moto's whole reply.
async fn forward(upstream: &str, request: &StubRequest) -> std::io::Result<Vec<u8>> {
    let mut moto = TcpStream::connect(upstream).await?;
    let mut head = format!("{} {} HTTP/1.1\r\n", request.method, request.path);
    for (k, v) in &request.headers {
        if k != "connection" && k != "content-length" {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
    }
    head.push_str(&format!(
        "content-length: {}\r\nconnection: close\r\n\r\n",
        request.body.len()
    ));
    moto.write_all(head.as_bytes()).await?;
    moto.write_all(request.body.as_bytes()).await?;
    read_reply(&mut moto).await
}

/// One HTTP reply: the head, then as many body bytes as `content-length` says (to the end of
/// the stream without one). Not waiting for the close: moto's 404 for an API it lacks can keep
/// the socket open for half a minute after the reply.
async fn read_reply(moto: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    let mut reply = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(at) = head_end(&reply) {
            break at;
        }
        let n = moto.read(&mut chunk).await?;
        if n == 0 {
            return Ok(reply);
        }
        reply.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&reply[..head_end]).to_ascii_lowercase();
    let length = head.lines().find_map(|l| {
        l.strip_prefix("content-length:")
            .and_then(|v| v.trim().parse::<usize>().ok())
    });
    match length {
        Some(len) => {
            while reply.len() < head_end + len {
                let n = moto.read(&mut chunk).await?;
                if n == 0 {
                    break;
                }
                reply.extend_from_slice(&chunk[..n]);
            }
        }
        None => {
            moto.read_to_end(&mut reply).await?;
        }
    }
    Ok(reply)
}

/// Where the head ends (after its blank line), if it has.
fn head_end(bytes: &[u8]) -> Option<usize> {
    bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4)
}

/// The region a signed request is for (its SigV4 credential scope).
pub fn region_of(request: &StubRequest) -> Option<String> {
    let auth = request.header("authorization")?;
    let scope = auth.split("Credential=").nth(1)?;
    scope.split('/').nth(2).map(str::to_string)
}

/// A form-encoded (Query protocol) body's value for `key`.
pub fn form_value(body: &str, key: &str) -> Option<String> {
    body.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (decode(k) == key).then(|| decode(v))
    })
}

/// A CloudFormation CreateStack/UpdateStack body's parameters, as (key, value).
pub fn stack_parameters(body: &str) -> Vec<(String, String)> {
    (1..)
        .map_while(|i| {
            let key = form_value(body, &format!("Parameters.member.{i}.ParameterKey"))?;
            let value = form_value(body, &format!("Parameters.member.{i}.ParameterValue"))
                .unwrap_or_default();
            Some((key, value))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'+', _) => out.push(b' '),
            (b'%', Some(b)) => {
                out.push(b);
                i += 2;
            }
            (b, _) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_bodies_read_as_cloudformation_writes_them() {
        let body = "Action=CreateStack&StackName=awsmon-guardduty&Parameters.member.1.ParameterKey=CreateDetector&Parameters.member.1.ParameterValue=true&Parameters.member.2.ParameterKey=HubEventBusArn&Parameters.member.2.ParameterValue=arn%3Aaws%3Aevents%3Aus-east-1%3A1%3Aevent-bus%2Fdefault";
        assert_eq!(
            form_value(body, "StackName").as_deref(),
            Some("awsmon-guardduty")
        );
        assert_eq!(
            stack_parameters(body),
            vec![
                ("CreateDetector".to_string(), "true".to_string()),
                (
                    "HubEventBusArn".to_string(),
                    "arn:aws:events:us-east-1:1:event-bus/default".to_string()
                ),
            ]
        );
    }
}
