//! Lenient reads from untrusted JSON: a missing field, a null or a wrong type is `None`, never
//! an error, because real events carry nulls and fields come and go.

use serde_json::Value;

/// The value at a path of object keys (numbers index arrays).
pub fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    let mut cur = v;
    for key in path {
        cur = match cur {
            Value::Object(map) => map.get(*key)?,
            Value::Array(items) => items.get(key.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    if cur.is_null() { None } else { Some(cur) }
}

/// A non-empty string at `path`; numbers and booleans are shown as text.
pub fn str_at(v: &Value, path: &[&str]) -> Option<String> {
    match at(v, path)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A number at `path`, also from a numeric string ("8.0").
pub fn f64_at(v: &Value, path: &[&str]) -> Option<f64> {
    match at(v, path)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|f: &f64| f.is_finite())
}

pub fn array_at<'a>(v: &'a Value, path: &[&str]) -> &'a [Value] {
    match at(v, path) {
        Some(Value::Array(items)) => items,
        _ => &[],
    }
}

/// Compact JSON for showing a value inline (strings without their quotes).
pub fn compact(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "—".to_string(),
        other => other.to_string(),
    }
}

/// A `Value` with only the object keys some event parser reads (at any depth), read straight
/// from a deserializer: every other subtree is skipped without being built, which is most of
/// an event's bytes (GuardDuty's network interfaces, tags, …) and most of its allocations.
/// The parsers see exactly what they would see in the whole value: arrays keep every element
/// (their lengths are read), scalars are unchanged, and the maps whose keys are data
/// (`check-item-detail`, `changedProperties`) are kept whole.
#[derive(Clone, Copy)]
pub struct Pruned {
    /// Inside a map whose keys are data: keep everything.
    pub whole: bool,
}

/// Every key an event parser reads (`event/*.rs`, the envelope and SNS records).
const READ_KEYS: &[&str] = &[
    "ARN",
    "AwsAccountId",
    "Compliance",
    "Description",
    "EventSource",
    "Id",
    "Label",
    "Message",
    "MessageId",
    "ProductArn",
    "ProductName",
    "Recommendation",
    "RecordState",
    "Records",
    "Region",
    "Remediation",
    "Resources",
    "Severity",
    "Sns",
    "Status",
    "Subject",
    "Timestamp",
    "Title",
    "TopicArn",
    "Type",
    "UpdatedAt",
    "Url",
    "Workflow",
    "accessKeyDetails",
    "accessKeyId",
    "account",
    "accountId",
    "action",
    "actionType",
    "api",
    "archived",
    "arn",
    "awsAccountId",
    "awsApiCallAction",
    "awsEcrContainerImage",
    "awsLambdaFunction",
    "awsRegion",
    "changeType",
    "changedProperties",
    "check-id",
    "check-item-detail",
    "check-name",
    "checkId",
    "configurationItem",
    "configurationItemCaptureTime",
    "configurationItemDiff",
    "configurationItemSummary",
    "connectionDirection",
    "count",
    "country",
    "countryName",
    "dbInstanceIdentifier",
    "description",
    "detail",
    "detail-type",
    "details",
    "detection",
    "dnsRequestAction",
    "domain",
    "ecsClusterDetails",
    "eksClusterDetails",
    "eventFirstSeen",
    "eventLastSeen",
    "exploitAvailable",
    "findingArn",
    "findings",
    "firstObservedAt",
    "fixAvailable",
    "fixedInVersion",
    "functionName",
    "id",
    "imageTags",
    "inspectorScore",
    "instanceDetails",
    "instanceId",
    "ipAddressV4",
    "ipAddressV6",
    "lambdaDetails",
    "lastObservedAt",
    "localPortDetails",
    "messageType",
    "name",
    "networkConnectionAction",
    "note",
    "packageVulnerabilityDetails",
    "port",
    "portProbeAction",
    "portProbeDetails",
    "previousValue",
    "rdsDbInstanceDetails",
    "recommendation",
    "region",
    "remediation",
    "remoteIpDetails",
    "remotePortDetails",
    "repositoryName",
    "requestedBy",
    "resource",
    "resource-id",
    "resourceId",
    "resourceName",
    "resourceType",
    "resource_id",
    "resources",
    "route",
    "s3BucketDetails",
    "sequence",
    "service",
    "serviceName",
    "severity",
    "source",
    "sourceUrl",
    "status",
    "time",
    "title",
    "type",
    "uid",
    "updatedValue",
    "userName",
    "uuid",
    "version",
    "vulnerabilityId",
    "vulnerablePackages",
];

/// Maps whose keys are data, kept whole.
const WHOLE_KEYS: &[&str] = &["check-item-detail", "changedProperties"];

/// A map key: the read key it is, if any, without allocating for the others.
struct Key;

impl<'de> serde::de::DeserializeSeed<'de> for Key {
    type Value = Option<&'static str>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl serde::de::Visitor<'_> for Key {
    type Value = Option<&'static str>;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E: serde::de::Error>(self, k: &str) -> Result<Self::Value, E> {
        Ok(READ_KEYS.iter().find(|r| **r == k).copied())
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for Pruned {
    type Value = Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        if self.whole {
            serde::Deserialize::deserialize(d)
        } else {
            d.deserialize_any(self)
        }
    }
}

impl<'de> serde::de::Visitor<'de> for Pruned {
    type Value = Value;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        serde::de::DeserializeSeed::deserialize(self, d)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(v) = seq.next_element_seed(self)? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some(key) = map.next_key_seed(Key)? {
            match key {
                Some(k) => {
                    let whole = WHOLE_KEYS.contains(&k);
                    let v = map.next_value_seed(Pruned { whole })?;
                    out.insert(k.to_string(), v);
                }
                None => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(Value::Object(out))
    }
}
