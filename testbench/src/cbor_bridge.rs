//! moto speaks CloudWatch's Query and JSON protocols; the Rust SDK speaks only Smithy RPC v2
//! CBOR (`/service/GraniteServiceVersion20100801/operation/<Op>`). This bridge translates one
//! to the other so that the real SDK, with its real CBOR deserialisers, reads moto's real
//! CloudWatch state (alarms from CloudFormation, metric data): CBOR → JSON 1.0 to moto, and the
//! JSON reply (or error) → CBOR back. Timestamps are CBOR tag 1 (epoch seconds) one way and
//! epoch numbers the other.

use minicbor::data::{Tag, Type};
use serde_json::{Map, Number, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

const TIMESTAMP: Tag = Tag::new(1);

/// What differs between the services bridged: the JSON target prefix, and which keys the
/// model types as timestamps (JSON carries epoch numbers; CBOR wants tag 1).
#[derive(Clone, Copy)]
struct Protocol {
    target_prefix: &'static str,
    timestamp: fn(&str) -> bool,
}

const CLOUDWATCH: Protocol = Protocol {
    target_prefix: "GraniteServiceVersion20100801",
    timestamp: |k| k.ends_with("Timestamp") || k.ends_with("Timestamps"),
};

/// AWS Health (2016-08-04): its JSON 1.1 replies (recorded, served by a stub: moto has no
/// Health) to the SDK's CBOR.
const HEALTH: Protocol = Protocol {
    target_prefix: "AWSHealth_20160804",
    timestamp: |k| k.ends_with("Time"),
};

pub struct CborBridge {
    /// Where to point the CloudWatch client (`service_endpoints["cloudwatch"]`, or
    /// `AWS_ENDPOINT_URL_CLOUDWATCH`).
    pub endpoint: String,
    task: JoinHandle<()>,
}

impl CborBridge {
    /// Listens on a free loopback port and forwards to the moto server at `moto` (`http://…`).
    pub async fn start(moto: &str) -> std::io::Result<CborBridge> {
        Self::start_for(moto, CLOUDWATCH).await
    }

    /// A bridge for AWS Health in front of `upstream`, a stub answering its JSON 1.1 calls
    /// (`x-amz-target: AWSHealth_20160804.<Op>`).
    pub async fn start_health(upstream: &str) -> std::io::Result<CborBridge> {
        Self::start_for(upstream, HEALTH).await
    }

    async fn start_for(moto: &str, protocol: Protocol) -> std::io::Result<CborBridge> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let endpoint = format!("http://{}", listener.local_addr()?);
        let upstream = moto
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let _ = stream.set_nodelay(true);
                let upstream = upstream.clone();
                tokio::spawn(async move {
                    let _ = serve(stream, &upstream, protocol).await;
                });
            }
        });
        Ok(CborBridge { endpoint, task })
    }
}

impl Drop for CborBridge {
    fn drop(&mut self) {
        self.task.abort();
    }
}

struct Http {
    first: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Http {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 message (request or response) with a content-length body, or to EOF.
async fn read_http<R: tokio::io::AsyncBufRead + Unpin>(
    r: &mut R,
    to_eof: bool,
) -> std::io::Result<Option<Http>> {
    let mut first = String::new();
    if r.read_line(&mut first).await? == 0 {
        return Ok(None);
    }
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if r.read_line(&mut h).await? == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let mut msg = Http {
        first: first.trim().to_string(),
        headers,
        body: Vec::new(),
    };
    match msg
        .header("content-length")
        .and_then(|v| v.parse::<usize>().ok())
    {
        Some(len) => {
            msg.body = vec![0; len];
            r.read_exact(&mut msg.body).await?;
        }
        None if to_eof => {
            r.read_to_end(&mut msg.body).await?;
        }
        None => {}
    }
    Ok(Some(msg))
}

async fn serve(stream: TcpStream, upstream: &str, protocol: Protocol) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream);
    while let Some(req) = read_http(&mut reader, false).await? {
        let op = req
            .first
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.rsplit_once("/operation/"))
            .map(|(_, op)| op.to_string())
            .unwrap_or_default();
        let json = if req.body.is_empty() {
            Value::Object(Map::new())
        } else {
            cbor_to_json(&req.body).unwrap_or(Value::Object(Map::new()))
        };
        let (status, reply) = forward(upstream, protocol, &op, &req, &json).await?;
        let body = json_to_cbor(&reply, protocol.timestamp);
        let head = format!(
            "HTTP/1.1 {status} Bridged\r\ncontent-type: application/cbor\r\nsmithy-protocol: rpc-v2-cbor\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        let mut out = head.into_bytes();
        out.extend_from_slice(&body);
        let w = reader.get_mut();
        w.write_all(&out).await?;
        w.flush().await?;
    }
    Ok(())
}

/// The same call as JSON 1.0 to moto, with the SDK's own signature headers (moto reads the
/// region from the credential scope).
async fn forward(
    upstream: &str,
    protocol: Protocol,
    op: &str,
    req: &Http,
    body: &Value,
) -> std::io::Result<(u16, Value)> {
    let payload = body.to_string();
    let mut head = format!(
        "POST / HTTP/1.1\r\nhost: {upstream}\r\ncontent-type: application/x-amz-json-1.0\r\nx-amz-target: {}.{op}\r\ncontent-length: {}\r\nconnection: close\r\n",
        protocol.target_prefix,
        payload.len()
    );
    for name in ["authorization", "x-amz-date", "x-amz-security-token"] {
        if let Some(v) = req.header(name) {
            head.push_str(&format!("{name}: {v}\r\n"));
        }
    }
    head.push_str("\r\n");
    let mut conn = TcpStream::connect(upstream).await?;
    conn.write_all(head.as_bytes()).await?;
    conn.write_all(payload.as_bytes()).await?;
    let mut r = BufReader::new(conn);
    let resp = read_http(&mut r, true)
        .await?
        .ok_or_else(|| std::io::Error::other("moto closed the connection"))?;
    let status = resp
        .first
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(500);
    let value = serde_json::from_slice(&resp.body).unwrap_or_else(|_| {
        serde_json::json!({"__type": "InternalFailure", "message": String::from_utf8_lossy(&resp.body)})
    });
    Ok((status, value))
}

fn cbor_to_json(bytes: &[u8]) -> Option<Value> {
    let mut d = minicbor::Decoder::new(bytes);
    decode(&mut d).ok()
}

fn decode(d: &mut minicbor::Decoder) -> Result<Value, minicbor::decode::Error> {
    Ok(match d.datatype()? {
        Type::Bool => Value::Bool(d.bool()?),
        Type::U8 | Type::U16 | Type::U32 | Type::U64 => Value::from(d.u64()?),
        Type::I8 | Type::I16 | Type::I32 | Type::I64 | Type::Int => Value::from(d.i64()?),
        Type::F16 | Type::F32 | Type::F64 => {
            Number::from_f64(d.f64()?).map_or(Value::Null, Value::Number)
        }
        Type::String => Value::String(d.str()?.to_string()),
        Type::StringIndef => {
            let mut s = String::new();
            for part in d.str_iter()? {
                s.push_str(part?);
            }
            Value::String(s)
        }
        Type::Bytes => Value::String(aws_smithy_types::base64::encode(d.bytes()?)),
        Type::Array | Type::ArrayIndef => {
            let len = d.array()?;
            let mut out = Vec::new();
            if let Some(n) = len {
                for _ in 0..n {
                    out.push(decode(d)?);
                }
            } else {
                while d.datatype()? != Type::Break {
                    out.push(decode(d)?);
                }
                d.skip()?;
            }
            Value::Array(out)
        }
        Type::Map | Type::MapIndef => {
            let len = d.map()?;
            let mut out = Map::new();
            let mut entry = |d: &mut minicbor::Decoder| -> Result<(), minicbor::decode::Error> {
                let k = d.str()?.to_string();
                let v = decode(d)?;
                out.insert(k, v);
                Ok(())
            };
            if let Some(n) = len {
                for _ in 0..n {
                    entry(d)?;
                }
            } else {
                while d.datatype()? != Type::Break {
                    entry(d)?;
                }
                d.skip()?;
            }
            Value::Object(out)
        }
        // Tag 1 (a timestamp): JSON 1.0 carries epoch seconds as a number.
        Type::Tag => {
            d.tag()?;
            decode(d)?
        }
        // Null, undefined, simple values.
        _ => {
            d.skip()?;
            Value::Null
        }
    })
}

fn json_to_cbor(v: &Value, is_timestamp: fn(&str) -> bool) -> Vec<u8> {
    let mut e = minicbor::Encoder::new(Vec::new());
    let _ = encode(&mut e, v, false, is_timestamp);
    e.into_writer()
}

/// `timestamp`: the value sits under a key the model types as a timestamp.
fn encode(
    e: &mut minicbor::Encoder<Vec<u8>>,
    v: &Value,
    timestamp: bool,
    is_timestamp: fn(&str) -> bool,
) -> Result<(), minicbor::encode::Error<std::convert::Infallible>> {
    match v {
        Value::Null => {
            e.null()?;
        }
        Value::Bool(b) => {
            e.bool(*b)?;
        }
        Value::Number(n) if timestamp => {
            e.tag(TIMESTAMP)?.f64(n.as_f64().unwrap_or_default())?;
        }
        Value::String(s) if timestamp => {
            let secs = aws_smithy_types::DateTime::from_str(
                s,
                aws_smithy_types::date_time::Format::DateTime,
            )
            .map_or(0.0, |t| t.as_secs_f64());
            e.tag(TIMESTAMP)?.f64(secs)?;
        }
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                e.u64(u)?;
            } else if let Some(i) = n.as_i64() {
                e.i64(i)?;
            } else {
                e.f64(n.as_f64().unwrap_or_default())?;
            }
        }
        Value::String(s) => {
            e.str(s)?;
        }
        Value::Array(items) => {
            e.array(items.len() as u64)?;
            for item in items {
                encode(e, item, timestamp, is_timestamp)?;
            }
        }
        Value::Object(map) => {
            e.map(map.len() as u64)?;
            for (k, item) in map {
                e.str(k)?;
                encode(e, item, is_timestamp(k), is_timestamp)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_survives_a_round_trip_and_timestamps_are_tagged() {
        let v = serde_json::json!({"A": [1, -2, 2.5, "x", null, true], "StateUpdatedTimestamp": 1_700_000_000.5});
        let bytes = json_to_cbor(&v, CLOUDWATCH.timestamp);
        // Tag 1 (0xc1) precedes the timestamp.
        assert!(bytes.windows(1).any(|w| w[0] == 0xc1));
        assert_eq!(cbor_to_json(&bytes), Some(v));
    }
}
