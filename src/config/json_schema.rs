//! A JSON Schema for config.yml, made from the key table, so editors with
//! yaml-language-server check the file as it is typed (`awsmon-tui config schema`). It
//! accepts what the parser accepts (a quoted number, a comma-separated list) and no more where
//! JSON Schema can say so; the parser's own checks (webhook hosts, region names) stay the
//! authority, through `config validate`.

use serde_json::{Value, json};

use super::KEYS;
use super::schema::{Bounds, KeySpec, Kind};

/// The draft-2020-12 schema for config.yml.
pub fn json_schema() -> Value {
    let properties: serde_json::Map<String, Value> = KEYS
        .iter()
        .map(|spec| (spec.name.to_string(), property(spec)))
        .collect();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "awsmon-tui config.yml",
        "description": "awsmon-tui's configuration (the old Serverless project's keys work unchanged). Unknown keys are kept when saving, with a warning.",
        "type": "object",
        "properties": properties,
        "additionalProperties": true,
    })
}

fn property(spec: &KeySpec) -> Value {
    let string_list = json!({"type": "array", "items": {"type": "string"}});
    let mut p = match spec.kind {
        Kind::Text { optional, .. } => nullable(json!({"type": "string"}), optional),
        Kind::Bool => json!({"anyOf": [
            {"type": "boolean"},
            {"type": "string", "pattern": "^\\s*([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])\\s*$"},
            {"type": "null"}
        ]}),
        Kind::Number(bounds) => nullable(number(bounds), bounds.optional),
        Kind::Webhooks => json!({"anyOf": [
            {"type": "string", "description": "one URL, or several separated by commas"},
            {"type": "array", "items": {"type": "string", "pattern": "^https?://"}},
            {"type": "null"}
        ]}),
        Kind::Tags => json!({"anyOf": [
            {
                "type": "object",
                "propertyNames": {"maxLength": 128, "not": {"pattern": "^aws:"}},
                "additionalProperties": {"type": ["string", "number", "boolean", "null"]}
            },
            {"type": "null"}
        ]}),
        Kind::List(_) => json!({"anyOf": [
            {"type": "string", "description": "comma-separated"},
            string_list,
            {"type": "null"}
        ]}),
        Kind::Overrides => json!({"anyOf": [
            {
                "type": "object",
                "propertyNames": {"pattern": "^([0-9]{12}|ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32})$"},
                "additionalProperties": {
                    "type": "object",
                    "properties": {
                        "WEBHOOK_URLS": {"anyOf": [
                            {"type": "string"},
                            {"type": "array", "items": {"type": "string", "pattern": "^https?://"}}
                        ]},
                        "MIN_SEVERITY": {"type": "string", "pattern": "^\\s*([Ll][Oo][Ww]|[Mm][Ee][Dd][Ii][Uu][Mm]|[Hh][Ii][Gg][Hh]|[Cc][Rr][Ii][Tt][Ii][Cc][Aa][Ll])\\s*$"}
                    },
                    "additionalProperties": false,
                    "minProperties": 1
                }
            },
            {"type": "null"}
        ]}),
        Kind::Suppress => json!({"anyOf": [
            {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "SERVICE": {"type": "string"},
                        "TYPE": {"type": "string", "minLength": 1, "maxLength": 256},
                        "RESOURCE": {"type": "string", "minLength": 1, "maxLength": 256},
                        "ACCOUNT": {"type": "string", "pattern": "^[0-9]{12}$"},
                        "MIN_SEVERITY": {"type": "string", "pattern": "^\\s*([Ll][Oo][Ww]|[Mm][Ee][Dd][Ii][Uu][Mm]|[Hh][Ii][Gg][Hh]|[Cc][Rr][Ii][Tt][Ii][Cc][Aa][Ll])\\s*$"},
                        "REASON": {"type": "string", "minLength": 1, "maxLength": 200},
                        "EXPIRES": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
                    },
                    "required": ["REASON", "EXPIRES"],
                    "additionalProperties": false
                }
            },
            {"type": "null"}
        ]}),
        Kind::Regions => json!({"anyOf": [
            {"type": "string", "description": "all, or regions separated by commas"},
            string_list,
            {"type": "null"}
        ]}),
    };
    p["description"] = Value::from(spec.help);
    p
}

/// A number within `bounds`, also written as a quoted number (the parser reads both).
fn number(b: Bounds) -> Value {
    let mut n = json!({"type": if b.whole { "integer" } else { "number" }, "maximum": b.max});
    if b.min_open {
        n["exclusiveMinimum"] = Value::from(b.min);
    } else {
        n["minimum"] = Value::from(b.min);
    }
    json!({"anyOf": [n, {"type": "string", "pattern": "^\\s*-?[0-9]+(\\.[0-9]+)?\\s*$"}]})
}

fn nullable(schema: Value, optional: bool) -> Value {
    if optional {
        json!({"anyOf": [schema, {"type": "null"}]})
    } else {
        schema
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key of the table is described, with its help, and the bounds the parser applies.
    #[test]
    fn every_key_is_in_the_schema() {
        let schema = json_schema();
        let props = schema["properties"].as_object().expect("properties");
        assert_eq!(props.len(), KEYS.len());
        for spec in KEYS.iter() {
            assert_eq!(props[spec.name]["description"], spec.help, "{}", spec.name);
        }
        let threshold = &props["BUDGET_THRESHOLD_PERCENTAGE"]["anyOf"][0];
        assert_eq!(threshold["exclusiveMinimum"], 0.0);
        assert_eq!(threshold["maximum"], 100.0);
    }
}
