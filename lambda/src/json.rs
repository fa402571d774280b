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
