//! IAM Access Analyzer, which moto lacks entirely: a stateful stand-in answering the REST-JSON
//! calls awsmon makes (ListAnalyzers, CreateAnalyzer, GetAnalyzer, DeleteAnalyzer,
//! ListFindings) in the shapes AWS documents (access-analyzer 2019-11-01: ISO-8601 times,
//! errors named by `x-amzn-errortype`), per region, with AWS's limit of one analyzer per zone of trust
//! and region. Findings are seeded from the notifier's sample events.
//!
//! Tests that build their AWS access from moto's endpoint alone get one beside each moto
//! server ([`beside`]), so a scan always finds the column answerable.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, LazyLock, Mutex};

use serde_json::{Value, json};

use crate::overlay::region_of;
use crate::seed::ACCOUNT;
use crate::stub::{Stub, StubRequest, StubResponse};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analyzer {
    pub name: String,
    /// `ACCOUNT` or `ORGANIZATION`.
    pub zone: String,
    pub status: String,
    /// ISO-8601.
    pub created_at: String,
    /// As CreateAnalyzer was given them (a JSON object); `{}` for one added by a test.
    pub tags: Value,
}

#[derive(Debug, Default)]
pub struct State {
    /// By region.
    pub analyzers: BTreeMap<String, Vec<Analyzer>>,
    /// FindingSummary objects by region, listed for any analyzer there.
    pub findings: BTreeMap<String, Vec<Value>>,
}

pub struct AnalyzerWorld {
    pub endpoint: String,
    pub state: Arc<Mutex<State>>,
    _stub: Stub,
}

impl AnalyzerWorld {
    pub async fn start() -> std::io::Result<AnalyzerWorld> {
        let state: Arc<Mutex<State>> = Arc::default();
        let shared = state.clone();
        let stub = Stub::start(move |req| {
            let mut s = shared
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            answer(req, &mut s)
        })
        .await?;
        Ok(AnalyzerWorld {
            endpoint: stub.endpoint.clone(),
            state,
            _stub: stub,
        })
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    /// The analyzer the console makes by default, as someone made it in `region` before
    /// awsmon: an active one whose zone of trust is the account.
    pub fn add_console_analyzer(&self, region: &str) {
        self.add(
            region,
            "ConsoleAnalyzer-3f1a",
            "ACCOUNT",
            "ACTIVE",
            "2026-11-01T09:00:00Z",
        );
    }

    /// An analyzer made outside awsmon.
    pub fn add(&self, region: &str, name: &str, zone: &str, status: &str, created_at: &str) {
        self.with(|s| {
            s.analyzers
                .entry(region.into())
                .or_default()
                .push(Analyzer {
                    name: name.into(),
                    zone: zone.into(),
                    status: status.into(),
                    created_at: created_at.into(),
                    tags: json!({}),
                });
        });
    }

    /// Puts awsmon's tag on an analyzer, as if awsmon (or someone copying it) had made it.
    pub fn tag_as_awsmon(&self, region: &str, name: &str) {
        self.with(|s| {
            for a in s.analyzers.entry(region.into()).or_default() {
                if a.name == name {
                    a.tags = json!({"awsmon": "created"});
                }
            }
        });
    }

    /// The analyzers' names in `region`.
    pub fn names(&self, region: &str) -> Vec<String> {
        self.with(|s| {
            s.analyzers
                .get(region)
                .into_iter()
                .flatten()
                .map(|a| a.name.clone())
                .collect()
        })
    }

    /// The analyzers in `region`, as `name zone`.
    pub fn zones(&self, region: &str) -> Vec<String> {
        self.with(|s| {
            s.analyzers
                .get(region)
                .into_iter()
                .flatten()
                .map(|a| format!("{} {}", a.name, a.zone))
                .collect()
        })
    }

    /// Findings in `region`: each sample event's detail as ListFindings gives it.
    pub fn seed_findings(&self, region: &str, events: &[Value]) {
        let list: Vec<Value> = events.iter().map(finding_summary).collect();
        self.with(|s| s.findings.entry(region.into()).or_default().extend(list));
    }

    pub fn clear(&self) {
        self.with(|s| *s = State::default());
    }
}

/// An "Access Analyzer Finding" event's detail as a ListFindings FindingSummary.
pub fn finding_summary(event: &Value) -> Value {
    let d = &event["detail"];
    let mut f = json!({
        "id": d["id"],
        "resource": d["resource"],
        "resourceType": d["resourceType"],
        "status": d["status"],
        "createdAt": d["createdAt"],
        "analyzedAt": d["analyzedAt"],
        "updatedAt": d["updatedAt"],
        "resourceOwnerAccount": d["accountId"],
        "condition": d.get("condition").cloned().unwrap_or_else(|| json!({})),
    });
    for key in ["principal", "action", "isPublic", "error"] {
        if let Some(v) = d.get(key) {
            f[key] = v.clone();
        }
    }
    f
}

fn arn(region: &str, name: &str) -> String {
    format!("arn:aws:access-analyzer:{region}:{ACCOUNT}:analyzer/{name}")
}

fn summary(region: &str, a: &Analyzer) -> Value {
    json!({
        "arn": arn(region, &a.name),
        "name": a.name,
        "type": a.zone,
        "createdAt": a.created_at,
        "status": a.status,
        "tags": a.tags,
    })
}

fn error(status: u16, kind: &str, message: &str) -> StubResponse {
    let mut r = StubResponse::json(status, json!({ "message": message }).to_string());
    r.headers.push(("x-amzn-errortype".into(), kind.into()));
    r
}

fn query(path: &str, key: &str) -> Option<String> {
    path.split_once('?')?.1.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == key).then(|| v.to_string())
    })
}

fn now_iso() -> String {
    awsmon_notifier::time::utc_of_epoch(awsmon_notifier::time::epoch_now())
}

fn answer(req: &StubRequest, s: &mut State) -> StubResponse {
    let region = region_of(req).unwrap_or_else(|| "us-east-1".into());
    let body: Value = serde_json::from_str(&req.body).unwrap_or(Value::Null);
    let path = req.path.split('?').next().unwrap_or_default();
    let list = s.analyzers.entry(region.clone()).or_default();
    match (req.method.as_str(), path) {
        ("GET", "/analyzer") => {
            let zone = query(&req.path, "type");
            let found: Vec<Value> = list
                .iter()
                .filter(|a| zone.as_deref().is_none_or(|z| z == a.zone))
                .map(|a| summary(&region, a))
                .collect();
            StubResponse::json(200, json!({ "analyzers": found }).to_string())
        }
        ("PUT", "/analyzer") => {
            let name = body["analyzerName"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let zone = body["type"].as_str().unwrap_or("ACCOUNT").to_string();
            if list.iter().any(|a| a.name == name) {
                return error(409, "ConflictException", "analyzer already exists");
            }
            if list.iter().any(|a| a.zone == zone) {
                return error(
                    402,
                    "ServiceQuotaExceededException",
                    &format!(
                        "You have reached the limit of analyzers of type {zone} in this region"
                    ),
                );
            }
            list.push(Analyzer {
                name: name.clone(),
                zone,
                status: "ACTIVE".into(),
                created_at: now_iso(),
                tags: body.get("tags").cloned().unwrap_or_else(|| json!({})),
            });
            StubResponse::json(200, json!({ "arn": arn(&region, &name) }).to_string())
        }
        ("GET" | "DELETE", p) if p.starts_with("/analyzer/") => {
            let name = &p["/analyzer/".len()..];
            let Some(i) = list.iter().position(|a| a.name == name) else {
                return error(404, "ResourceNotFoundException", "Analyzer not found");
            };
            if req.method == "DELETE" {
                list.remove(i);
                return StubResponse::json(200, "{}");
            }
            StubResponse::json(
                200,
                json!({ "analyzer": summary(&region, &list[i]) }).to_string(),
            )
        }
        ("POST", "/finding") => {
            let analyzer = body["analyzerArn"].as_str().unwrap_or_default();
            if !list.iter().any(|a| arn(&region, &a.name) == analyzer) {
                return error(404, "ResourceNotFoundException", "Analyzer not found");
            }
            let statuses: Vec<&str> = body["filter"]["status"]["eq"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let all: Vec<&Value> = s
                .findings
                .get(&region)
                .into_iter()
                .flatten()
                .filter(|f| {
                    statuses.is_empty() || statuses.contains(&f["status"].as_str().unwrap_or(""))
                })
                .collect();
            let start: usize = body["nextToken"]
                .as_str()
                .and_then(|t| t.parse().ok())
                .unwrap_or(0);
            let size = body["maxResults"]
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .unwrap_or(100)
                .max(1);
            let page: Vec<&Value> = all.iter().skip(start).take(size).copied().collect();
            let mut out = json!({ "findings": page });
            if start + size < all.len() {
                out["nextToken"] = json!((start + size).to_string());
            }
            StubResponse::json(200, out.to_string())
        }
        _ => error(400, "ValidationException", "not served by the test bench"),
    }
}

/// A runtime of its own for the services [`beside`] starts: they outlive any one test's.
static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("access analyzer runtime: {e}"))
});

static BESIDE: LazyLock<Mutex<HashMap<String, Arc<AnalyzerWorld>>>> = LazyLock::new(Mutex::default);

/// The Access Analyzer stand-in that goes with the moto server at `moto_endpoint`, started
/// on first use. Callable from inside or outside a runtime.
pub fn beside(moto_endpoint: &str) -> Arc<AnalyzerWorld> {
    let mut map = BESIDE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(world) = map.get(moto_endpoint) {
        return world.clone();
    }
    // Started on a thread of its own: block_on cannot run on a runtime's thread.
    let world = std::thread::spawn(|| RUNTIME.block_on(AnalyzerWorld::start()))
        .join()
        .unwrap_or_else(|_| panic!("access analyzer stand-in panicked"))
        .unwrap_or_else(|e| panic!("access analyzer stand-in: {e}"));
    let world = Arc::new(world);
    map.insert(moto_endpoint.to_string(), world.clone());
    world
}

/// Forgets the stand-in of a moto server that stopped or was reset.
pub fn forget(moto_endpoint: &str) {
    if let Some(world) = BESIDE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .get(moto_endpoint)
    {
        world.clear();
    }
}
