//! Security Hub's standards APIs, which moto lacks (it has the hub and findings): an overlay
//! answers BatchEnableStandards, BatchDisableStandards and GetEnabledStandards in the shapes
//! AWS documents (securityhub 2018-10-26), keeping the subscriptions per region, and passes
//! everything else on to moto. A hub disabled through moto loses its standards, as in AWS.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use crate::overlay::{Overlay, region_of};
use crate::stub::{StubRequest, StubResponse};

/// The enabled standards' ARNs, by region.
pub type Subscriptions = Arc<Mutex<BTreeMap<String, Vec<String>>>>;

pub struct StandardsOverlay {
    pub overlay: Overlay,
    pub subscriptions: Subscriptions,
}

/// Starts the overlay in front of moto at `upstream`, for `account`'s subscription ARNs.
pub async fn start(upstream: &str, account: &str) -> std::io::Result<StandardsOverlay> {
    let subscriptions = Subscriptions::default();
    let state = subscriptions.clone();
    let account = account.to_string();
    let overlay = Overlay::start(upstream, move |req| answer(req, &state, &account), None).await?;
    Ok(StandardsOverlay {
        overlay,
        subscriptions,
    })
}

/// `arn:aws:securityhub:r::standards/x/v/1` → `arn:aws:securityhub:r:acct:subscription/x/v/1`.
fn subscription_arn(standard: &str, region: &str, account: &str) -> String {
    let path = standard.split_once(":standards/").map_or("", |(_, p)| p);
    format!("arn:aws:securityhub:{region}:{account}:subscription/{path}")
}

fn entry(standard: &str, region: &str, account: &str, status: &str) -> Value {
    json!({
        "StandardsSubscriptionArn": subscription_arn(standard, region, account),
        "StandardsArn": standard,
        "StandardsInput": {},
        "StandardsStatus": status,
    })
}

fn answer(req: &StubRequest, state: &Subscriptions, account: &str) -> Option<StubResponse> {
    let region = region_of(req).unwrap_or_else(|| "us-east-1".into());
    let mut subs = state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let body: Value = serde_json::from_str(&req.body).unwrap_or(Value::Null);
    let path = req.path.split('?').next().unwrap_or_default();
    let reply = |list: Vec<Value>| {
        Some(StubResponse::json(
            200,
            json!({ "StandardsSubscriptions": list }).to_string(),
        ))
    };
    match (req.method.as_str(), path) {
        ("POST", "/standards/register") => {
            let list = subs.entry(region.clone()).or_default();
            let mut out = Vec::new();
            for r in body["StandardsSubscriptionRequests"]
                .as_array()
                .into_iter()
                .flatten()
            {
                let arn = r["StandardsArn"].as_str().unwrap_or_default().to_string();
                if !list.contains(&arn) {
                    list.push(arn.clone());
                }
                out.push(entry(&arn, &region, account, "PENDING"));
            }
            reply(out)
        }
        ("POST", "/standards/deregister") => {
            let list = subs.entry(region.clone()).or_default();
            let mut out = Vec::new();
            for s in body["StandardsSubscriptionArns"]
                .as_array()
                .into_iter()
                .flatten()
            {
                let s = s.as_str().unwrap_or_default();
                if let Some(i) = list
                    .iter()
                    .position(|arn| subscription_arn(arn, &region, account) == s)
                {
                    let arn = list.remove(i);
                    out.push(entry(&arn, &region, account, "DELETING"));
                }
            }
            reply(out)
        }
        ("POST", "/standards/get") => {
            let list = subs.get(&region).cloned().unwrap_or_default();
            reply(
                list.iter()
                    .map(|arn| entry(arn, &region, account, "READY"))
                    .collect(),
            )
        }
        // DisableSecurityHub goes on to moto; the hub's standards go with it.
        ("DELETE", "/accounts") => {
            subs.remove(&region);
            None
        }
        _ => None,
    }
}
