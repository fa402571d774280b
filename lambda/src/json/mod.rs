//! Lenient reads from untrusted JSON: a missing field, a null or a wrong type is `None`, never
//! an error, because real events carry nulls and fields come and go.
//!
//! Events are read into [`Json`], a tree that borrows its strings from the input and holds
//! only the keys some parser reads: most of an event's bytes (GuardDuty's network interfaces,
//! tags, …) are skipped without being built, and an unescaped string costs no allocation.

use std::borrow::Cow;

pub mod fast;

/// `s` as a JSON string, quotes included: the bytes serde_json writes for it (short escapes,
/// `\u00xx` for other control characters), with plain runs copied whole.
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    out.push(b'"');
    let mut copied = 0;
    while let Some(i) = fast::special_from(bytes, copied) {
        out.extend_from_slice(&bytes[copied..i]);
        let b = bytes[i];
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            _ => out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 15)],
            ]),
        }
        copied = i + 1;
    }
    out.extend_from_slice(&bytes[copied..]);
    out.push(b'"');
}

use serde_json::{Number, Value};

/// A JSON value whose strings borrow from the input where they can. Objects are kept as a
/// `serde_json::Map` would be: sorted by key, a repeated key's last value winning, so reads and
/// [`Json::to_value`] see exactly what a `Value` of the same input would hold.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Json<'a> {
    #[default]
    Null,
    Bool(bool),
    Number(Number),
    String(Cow<'a, str>),
    Array(Vec<Json<'a>>),
    Object(Vec<(Cow<'a, str>, Json<'a>)>),
}

static NULL: Json<'static> = Json::Null;

impl<'a> Json<'a> {
    /// An object from its entries in input order, normalised as a `serde_json::Map` would be.
    fn object(mut entries: Vec<(Cow<'a, str>, Json<'a>)>) -> Self {
        if !entries.windows(2).all(|w| w[0].0 < w[1].0) {
            // Later entries first, so the stable sort puts a repeated key's last value first
            // and `dedup` keeps it.
            entries.reverse();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            entries.dedup_by(|later, kept| later.0 == kept.0);
        }
        Json::Object(entries)
    }

    /// A tree over a parsed `Value`, borrowing its strings.
    pub fn from_value(v: &'a Value) -> Self {
        match v {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Number(n) => Json::Number(n.clone()),
            Value::String(s) => Json::String(Cow::Borrowed(s)),
            Value::Array(items) => Json::Array(items.iter().map(Json::from_value).collect()),
            Value::Object(map) => Json::Object(
                map.iter()
                    .map(|(k, v)| (Cow::Borrowed(k.as_str()), Json::from_value(v)))
                    .collect(),
            ),
        }
    }

    pub fn to_value(&self) -> Value {
        match self {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => Value::Number(n.clone()),
            Json::String(s) => Value::String(s.to_string()),
            Json::Array(items) => Value::Array(items.iter().map(Json::to_value).collect()),
            Json::Object(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_value()))
                    .collect(),
            ),
        }
    }

    pub fn get(&self, key: &str) -> Option<&Json<'a>> {
        match self {
            // Pruned objects are small: comparing lengths first beats a binary search's
            // byte comparisons. Keys are unique, so either finds the same entry.
            Json::Object(entries) if entries.len() <= 16 => entries
                .iter()
                .find(|(k, _)| k.len() == key.len() && k.as_bytes() == key.as_bytes())
                .map(|(_, v)| v),
            Json::Object(entries) => entries
                .binary_search_by(|(k, _)| k.as_ref().cmp(key))
                .ok()
                .map(|i| &entries[i].1),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Json<'a>]> {
        match self {
            Json::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }

    pub fn is_object(&self) -> bool {
        matches!(self, Json::Object(_))
    }
}

impl<'a> std::ops::Index<&str> for Json<'a> {
    type Output = Json<'a>;
    /// Null for a missing key or a non-object, as `Value` indexing.
    fn index(&self, key: &str) -> &Json<'a> {
        self.get(key).unwrap_or(&NULL)
    }
}

impl Json<'_> {
    /// Compact JSON text, the bytes `Value`'s `Display` writes for the same value.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        match self {
            Json::Null => out.extend_from_slice(b"null"),
            Json::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
            Json::Number(n) => {
                // Writing to a Vec cannot fail.
                let _ = std::io::Write::write_fmt(out, format_args!("{n}"));
            }
            Json::String(s) => write_str(out, s),
            Json::Array(items) => {
                out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    item.write_to(out);
                }
                out.push(b']');
            }
            Json::Object(entries) => {
                out.push(b'{');
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    write_str(out, k);
                    out.push(b':');
                    v.write_to(out);
                }
                out.push(b'}');
            }
        }
    }
}

/// Compact JSON text, as `Value`'s `Display` writes it.
impl std::fmt::Display for Json<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut out = Vec::new();
        self.write_to(&mut out);
        f.write_str(&String::from_utf8_lossy(&out))
    }
}

/// The value at a path of object keys (numbers index arrays).
pub fn at<'t, 'a>(v: &'t Json<'a>, path: &[&str]) -> Option<&'t Json<'a>> {
    let mut cur = v;
    for key in path {
        cur = match cur {
            Json::Object(_) => cur.get(key)?,
            Json::Array(items) => items.get(key.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    if cur.is_null() { None } else { Some(cur) }
}

/// Whether `s` is empty once trimmed (`str::trim`): decided by its first byte in the usual
/// case, a visible ASCII character, without decoding the whole string.
pub fn is_blank(s: &str) -> bool {
    match s.as_bytes().first() {
        None => true,
        Some(&b) if b.is_ascii() && !matches!(b, b'\t'..=b'\r' | b' ') => false,
        Some(_) => s.trim().is_empty(),
    }
}

/// A non-empty string at `path`, borrowed from the tree; numbers and booleans are shown as
/// text.
pub fn str_at<'t>(v: &'t Json<'_>, path: &[&str]) -> Option<Cow<'t, str>> {
    match at(v, path)? {
        Json::String(s) if !is_blank(s) => Some(Cow::Borrowed(s)),
        Json::Number(n) => Some(Cow::Owned(n.to_string())),
        Json::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
        _ => None,
    }
}

/// A number at `path`, also from a numeric string ("8.0").
pub fn f64_at(v: &Json, path: &[&str]) -> Option<f64> {
    match at(v, path)? {
        Json::Number(n) => n.as_f64(),
        Json::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|f: &f64| f.is_finite())
}

pub fn array_at<'t, 'a>(v: &'t Json<'a>, path: &[&str]) -> &'t [Json<'a>] {
    match at(v, path) {
        Some(Json::Array(items)) => items,
        _ => &[],
    }
}

/// Compact JSON for showing a value inline (strings without their quotes).
pub fn compact<'t>(v: &'t Json<'_>) -> Cow<'t, str> {
    match v {
        Json::String(s) => Cow::Borrowed(s),
        Json::Null => Cow::Borrowed("—"),
        other => Cow::Owned(other.to_string()),
    }
}

/// A [`Json`] with only the object keys some event parser reads (at any depth), read straight
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

/// Every key an event parser reads (`event/*.rs`, the envelope and SNS records). Every key of
/// every event is looked up here, through [`KEY_INDEX`].
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
    "affectedAccount",
    "affectedEntities",
    "analyzerName",
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
    "condition",
    "configurationItem",
    "configurationItemCaptureTime",
    "configurationItemDiff",
    "configurationItemSummary",
    "configurationRecorderName",
    "connectionDirection",
    "count",
    "country",
    "countryName",
    "dbInstanceIdentifier",
    "deliveryChannelName",
    "description",
    "detail",
    "detail-type",
    "details",
    "detection",
    "detectorId",
    "dnsRequestAction",
    "domain",
    "ecsClusterDetails",
    "eksClusterDetails",
    "enable",
    "endTime",
    "entityValue",
    "error",
    "errorCode",
    "eventArn",
    "eventDescription",
    "eventFirstSeen",
    "eventID",
    "eventLastSeen",
    "eventName",
    "eventRegion",
    "eventScopeCode",
    "eventTime",
    "eventTypeCategory",
    "eventTypeCode",
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
    "isDeleted",
    "isPublic",
    "lambdaDetails",
    "language",
    "lastObservedAt",
    "latestDescription",
    "localPortDetails",
    "messageType",
    "name",
    "networkConnectionAction",
    "note",
    "packageVulnerabilityDetails",
    "page",
    "port",
    "portProbeAction",
    "portProbeDetails",
    "previousValue",
    "principal",
    "principalId",
    "rdsDbInstanceDetails",
    "recipientAccountId",
    "recommendation",
    "region",
    "remediation",
    "remoteIpDetails",
    "remotePortDetails",
    "repositoryName",
    "requestParameters",
    "requestedBy",
    "resource",
    "resource-id",
    "resourceId",
    "resourceName",
    "resourceType",
    "resourceTypes",
    "resource_id",
    "resources",
    "route",
    "ruleName",
    "s3BucketDetails",
    "sequence",
    "service",
    "serviceName",
    "severity",
    "source",
    "sourceIPAddress",
    "sourceUrl",
    "startTime",
    "status",
    "statusCode",
    "time",
    "title",
    "totalPages",
    "type",
    "uid",
    "updatedAt",
    "updatedValue",
    "userAgent",
    "userIdentity",
    "userName",
    "uuid",
    "version",
    "vulnerabilityId",
    "vulnerablePackages",
];

/// An open-addressing table over [`READ_KEYS`] (linear probing, a third full): a key
/// costs one short hash and at most a compare or two. A binary search spent a fifth of the
/// notifier's time in `memcmp`.
const INDEX_SLOTS: usize = 512;
static KEY_INDEX: std::sync::LazyLock<[u8; INDEX_SLOTS]> = std::sync::LazyLock::new(|| {
    let mut slots = [u8::MAX; INDEX_SLOTS];
    for (i, key) in READ_KEYS.iter().enumerate() {
        let mut at = slot_of(key.as_bytes());
        while slots[at] != u8::MAX {
            at = (at + 1) % INDEX_SLOTS;
        }
        slots[at] = u8::try_from(i).unwrap_or(u8::MAX);
    }
    slots
});

/// A key's slot: its first and last eight bytes and its length, mixed by one multiply. Every
/// key of every event is hashed, so it reads words, not bytes.
fn slot_of(bytes: &[u8]) -> usize {
    let n = bytes.len();
    let (head, tail) = if n >= 8 {
        let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or_default());
        (word(0), word(n - 8))
    } else {
        let short = bytes.iter().fold(0u64, |h, &b| h << 8 | u64::from(b));
        (short, 0)
    };
    let h = (head ^ tail.rotate_left(29) ^ n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    // The top bits are the best mixed; INDEX_SLOTS is 2^9.
    (h >> 55) as usize % INDEX_SLOTS
}

/// `k` as the read key it is, if it is one.
fn read_key(k: &str) -> Option<&'static str> {
    read_key_rank(k).map(|rank| READ_KEYS[usize::from(rank)])
}

/// `k`'s place in [`READ_KEYS`], if it is a read key. [`READ_KEYS`] is sorted, so sorting
/// read keys by their places sorts them as strings, with a byte compare each instead of a
/// `memcmp`.
fn read_key_rank(k: &str) -> Option<u8> {
    let slots = &*KEY_INDEX;
    let mut at = slot_of(k.as_bytes());
    loop {
        let rank = slots[at];
        let key = READ_KEYS.get(usize::from(rank))?;
        if *key == k {
            return Some(rank);
        }
        at = (at + 1) % INDEX_SLOTS;
    }
}

/// Maps whose keys are data, kept whole.
const WHOLE_KEYS: &[&str] = &[
    "check-item-detail",
    "changedProperties",
    "principal",
    "condition",
];

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
        Ok(read_key(k))
    }
}

/// A key of a map kept whole: borrowed when the input allows.
struct AnyKey;

impl<'de> serde::de::DeserializeSeed<'de> for AnyKey {
    type Value = Cow<'de, str>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> serde::de::Visitor<'de> for AnyKey {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a key")
    }
    fn visit_borrowed_str<E>(self, k: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(k))
    }
    fn visit_str<E>(self, k: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(k.to_owned()))
    }
    fn visit_string<E>(self, k: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(k))
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for Pruned {
    type Value = Json<'de>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Json<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Pruned {
    type Value = Json<'de>;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Json<'de>, E> {
        Ok(Json::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Json<'de>, E> {
        Ok(Json::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Json<'de>, E> {
        Ok(Json::Number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Json<'de>, E> {
        Ok(Number::from_f64(v).map_or(Json::Null, Json::Number))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Owned(v)))
    }
    fn visit_unit<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }
    fn visit_none<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Json<'de>, D::Error> {
        serde::de::DeserializeSeed::deserialize(self, d)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Json<'de>, A::Error> {
        let mut items = Vec::new();
        while let Some(v) = seq.next_element_seed(self)? {
            items.push(v);
        }
        Ok(Json::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Json<'de>, A::Error> {
        let mut out = Vec::new();
        if self.whole {
            while let Some(k) = map.next_key_seed(AnyKey)? {
                out.push((k, map.next_value_seed(self)?));
            }
            return Ok(Json::object(out));
        }
        while let Some(key) = map.next_key_seed(Key)? {
            match key {
                Some(k) => {
                    let whole = WHOLE_KEYS.contains(&k);
                    let v = map.next_value_seed(Pruned { whole })?;
                    out.push((Cow::Borrowed(k), v));
                }
                None => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(Json::object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::{READ_KEYS, read_key};

    /// The first-byte shortcut agrees with `trim` on every ASCII byte and on Unicode spaces.
    #[test]
    fn blank_is_what_trim_leaves_empty() {
        let mut cases: Vec<String> = (0..=127u8).map(|b| char::from(b).to_string()).collect();
        cases.extend(
            [
                "",
                " x",
                "\u{a0}",
                "\u{2003}x",
                "\u{2003}",
                "é",
                "\u{b} ",
                "x ",
            ]
            .map(String::from),
        );
        for s in cases {
            assert_eq!(super::is_blank(&s), s.trim().is_empty(), "{s:?}");
        }
    }

    /// The direct reader orders pruned objects by the keys' places in the list.
    #[test]
    fn the_read_keys_are_sorted_as_strings() {
        assert!(READ_KEYS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn every_read_key_is_found_and_nothing_else() {
        assert!(
            READ_KEYS.len() < usize::from(u8::MAX),
            "the index holds u8 positions"
        );
        for key in READ_KEYS {
            assert_eq!(read_key(key), Some(*key));
            for other in [format!("{key}x"), key[1..].to_string(), key.to_uppercase()] {
                if !READ_KEYS.contains(&other.as_str()) {
                    assert_eq!(read_key(&other), None, "{other}");
                }
            }
        }
        assert_eq!(read_key(""), None);
    }

    /// The tree reads as the `Value` of the same input: objects sorted, a repeated key's last
    /// value kept, escaped and unescaped strings alike, numbers as serde_json writes them.
    #[test]
    fn a_whole_tree_is_the_value_of_the_same_input() {
        let text = r#"{"z": 1, "a": [true, null, 2.50, -3, 18446744073709551615], "m": "x\u0041y",
            "z": {"b": "é", "a": {}, "b": "last"}}"#;
        let value: serde_json::Value = serde_json::from_str(text).expect("json");
        let mut de = serde_json::Deserializer::from_str(text);
        let tree = serde::de::DeserializeSeed::deserialize(super::Pruned { whole: true }, &mut de)
            .expect("tree");
        assert_eq!(tree.to_value(), value);
        assert_eq!(tree.to_string(), value.to_string());
        assert_eq!(super::Json::from_value(&value), tree);
        assert_eq!(tree["z"]["b"].as_str(), Some("last"));
        assert_eq!(super::str_at(&tree, &["a", "2"]).as_deref(), Some("2.5"));
        assert_eq!(super::str_at(&tree, &["m"]).as_deref(), Some("xAy"));
    }

    /// The string writer against serde_json's, byte for byte: every character below 0x80
    /// between plain text and multibyte characters.
    #[test]
    fn strings_are_written_as_serde_json_writes_them() {
        for c in (0u8..0x80)
            .map(char::from)
            .chain(['é', '€', '😀', '\u{2028}'])
        {
            for s in [
                format!("{c}"),
                format!("ab{c}cdefghij{c}{c}"),
                format!("{c}0123456789"),
            ] {
                let mut ours = Vec::new();
                super::write_str(&mut ours, &s);
                assert_eq!(ours, serde_json::to_vec(&s).expect("json"), "{s:?}");
            }
        }
    }

    /// Pruned, only read keys are kept, at every depth, and maps whose keys are data whole.
    #[test]
    fn a_pruned_tree_keeps_only_what_parsers_read() {
        let text = r#"{"id": "e1", "noise": {"id": 1}, "detail": {"tags": [1], "title": "t",
            "check-item-detail": {"Any Key": "v"}}}"#;
        let mut de = serde_json::Deserializer::from_str(text);
        let tree = serde::de::DeserializeSeed::deserialize(super::Pruned { whole: false }, &mut de)
            .expect("tree");
        assert_eq!(
            tree.to_value(),
            serde_json::json!({"id": "e1", "detail": {"title": "t", "check-item-detail": {"Any Key": "v"}}})
        );
    }
}
