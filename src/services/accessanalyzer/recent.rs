//! IAM Access Analyzer: ListFindings (v1, which carries the principal, actions and whether
//! the access is public) of each active external-access analyzer, the findings updated since,
//! each shaped as the `detail` of an "Access Analyzer Finding" event.

use aws_sdk_accessanalyzer::types::{Criterion, FindingSummary};
use serde_json::{Map, Value, json};

use super::probe;
use crate::aws::{Aws, AwsError};
use crate::findings::envelope;

/// Active findings read per analyzer at most (pages of 100). ListFindings has no time
/// filter, so the ones updated since are picked from these.
const MAX_FINDINGS: usize = 1000;

pub async fn events(aws: &Aws, region: &str, since_ms: i64) -> Result<Vec<Value>, AwsError> {
    let client = aws.accessanalyzer(region);
    let mut out = Vec::new();
    for analyzer in probe::analyzers(aws, region).await? {
        if !analyzer.is_active() {
            continue;
        }
        let mut token: Option<String> = None;
        let mut read = 0;
        'pages: loop {
            let page = client
                .list_findings()
                .analyzer_arn(&analyzer.arn)
                .filter("status", Criterion::builder().eq("ACTIVE").build())
                .max_results(100)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| AwsError::classify("access-analyzer:ListFindings", &e))?;
            for f in page.findings() {
                read += 1;
                if f.updated_at().to_millis().unwrap_or(0) < since_ms {
                    continue;
                }
                let updated = crate::text::iso_time(f.updated_at());
                out.push(envelope(
                    ("aws.access-analyzer", "Access Analyzer Finding"),
                    f.id(),
                    region,
                    f.resource_owner_account(),
                    &updated,
                    &detail(f, region),
                ));
            }
            match page.next_token() {
                Some(t) if read < MAX_FINDINGS => token = Some(t.to_string()),
                _ => break 'pages,
            }
        }
    }
    Ok(out)
}

/// The finding as the event's `detail`: the GetFinding fields plus accountId and region.
fn detail(f: &FindingSummary, region: &str) -> Value {
    let map = |m: Option<&std::collections::HashMap<String, String>>| -> Value {
        let mut entries: Vec<(&String, &String)> = m.into_iter().flatten().collect();
        entries.sort();
        Value::Object(
            entries
                .into_iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect::<Map<String, Value>>(),
        )
    };
    let mut d = json!({
        "version": "1.0",
        "id": f.id(),
        "status": f.status().as_str(),
        "resourceType": f.resource_type().as_str(),
        "resource": f.resource(),
        "createdAt": crate::text::iso_time(f.created_at()),
        "analyzedAt": crate::text::iso_time(f.analyzed_at()),
        "updatedAt": crate::text::iso_time(f.updated_at()),
        "accountId": f.resource_owner_account(),
        "region": region,
        "isDeleted": false,
    });
    if let Some(error) = f.error() {
        d["error"] = json!(error);
    } else {
        d["principal"] = map(f.principal());
        d["action"] = json!(f.action());
        d["condition"] = map(Some(f.condition()));
        d["isPublic"] = json!(f.is_public().unwrap_or(false));
    }
    d
}
