//! Trusted Advisor check item refreshes. `check-item-detail` values are often `null`.

use serde_json::Value;

use super::Envelope;
use crate::json::str_at;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedAdvisorCheck {
    pub check_name: String,
    pub check_id: Option<String>,
    /// ERROR, WARN or OK.
    pub status: String,
    pub resource_id: Option<String>,
    /// The region the item is about (from its details), else the event's.
    pub region: String,
    /// Each detail with its value, `None` for nulls, in the event's order.
    pub details: Vec<(String, Option<String>)>,
    pub uuid: Option<String>,
}

pub fn parse(d: &Value, env: &Envelope) -> Option<TrustedAdvisorCheck> {
    let check_name = str_at(d, &["check-name"])?;
    let details: Vec<(String, Option<String>)> = match d.get("check-item-detail") {
        Some(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| {
                let value = match v {
                    Value::Null => None,
                    Value::String(s) if s.trim().is_empty() => None,
                    Value::String(s) => Some(s.clone()),
                    other => Some(other.to_string()),
                };
                (k.clone(), value)
            })
            .collect(),
        _ => Vec::new(),
    };
    let region = details
        .iter()
        .find(|(k, v)| k.eq_ignore_ascii_case("region") && v.is_some())
        .and_then(|(_, v)| v.clone())
        .unwrap_or_else(|| env.region.clone());
    Some(TrustedAdvisorCheck {
        check_name,
        check_id: str_at(d, &["check-id"]).or_else(|| str_at(d, &["checkId"])),
        status: str_at(d, &["status"]).map_or_else(|| "UNKNOWN".into(), |s| s.to_ascii_uppercase()),
        resource_id: str_at(d, &["resource_id"]).or_else(|| str_at(d, &["resource-id"])),
        region,
        details,
        uuid: str_at(d, &["uuid"]),
    })
}
