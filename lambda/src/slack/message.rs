//! A Slack message as typed Block Kit, serialised straight to the bytes that are posted: no
//! `serde_json::Value` tree on the way. Keys are written in sorted order, the bytes a `Value`
//! of the same message would give, so a message reads the same whichever way it was made.

use std::sync::OnceLock;

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

/// One block of the message's attachment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A `header` with `plain_text` (emoji on).
    Header(String),
    /// A `section` with one `mrkdwn` text.
    Section(String),
    /// A `section` of `mrkdwn` fields.
    Fields(Vec<String>),
    /// A `context` line with one `mrkdwn` element.
    Context(String),
}

/// The payload posted to a webhook: top-level `text` (the notification) and one attachment
/// with the colour bar and the blocks. Reads as a `serde_json::Value` too (made on first use,
/// for callers that inspect it); the hot path serialises it directly.
#[derive(Debug, Clone, Default)]
pub struct Message {
    pub text: String,
    pub colour: &'static str,
    pub blocks: Vec<Block>,
    value: OnceLock<Value>,
}

impl PartialEq for Message {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text && self.colour == other.colour && self.blocks == other.blocks
    }
}

impl Message {
    pub fn new(text: String, colour: &'static str, blocks: Vec<Block>) -> Self {
        Message {
            text,
            colour,
            blocks,
            value: OnceLock::new(),
        }
    }

    /// The exact bytes posted to Slack.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(1024);
        self.write_to(&mut out);
        out
    }

    /// Appends the JSON to `out`.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        // Writing to a Vec cannot fail, and every key is a string.
        let _ = serde_json::to_writer(out, self);
    }

    /// The message as a JSON value.
    pub fn value(&self) -> &Value {
        self.value
            .get_or_init(|| serde_json::to_value(self).unwrap_or(Value::Null))
    }
}

impl std::ops::Deref for Message {
    type Target = Value;
    fn deref(&self) -> &Value {
        self.value()
    }
}

impl std::fmt::Display for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.to_bytes()))
    }
}

/// `{"text": …, "type": …}` (and `"emoji": true` first for plain text).
struct Text<'a> {
    kind: &'static str,
    text: &'a str,
}

impl Serialize for Text<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let plain = self.kind == "plain_text";
        let mut m = s.serialize_map(Some(if plain { 3 } else { 2 }))?;
        if plain {
            m.serialize_entry("emoji", &true)?;
        }
        m.serialize_entry("text", self.text)?;
        m.serialize_entry("type", self.kind)?;
        m.end()
    }
}

fn mrkdwn(text: &str) -> Text<'_> {
    Text {
        kind: "mrkdwn",
        text,
    }
}

struct Mrkdwns<'a>(&'a [String]);

impl Serialize for Mrkdwns<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|t| mrkdwn(t)))
    }
}

impl Serialize for Block {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        match self {
            Block::Header(text) => {
                m.serialize_entry(
                    "text",
                    &Text {
                        kind: "plain_text",
                        text,
                    },
                )?;
                m.serialize_entry("type", "header")?;
            }
            Block::Section(text) => {
                m.serialize_entry("text", &mrkdwn(text))?;
                m.serialize_entry("type", "section")?;
            }
            Block::Fields(fields) => {
                m.serialize_entry("fields", &Mrkdwns(fields))?;
                m.serialize_entry("type", "section")?;
            }
            Block::Context(text) => {
                m.serialize_entry("elements", &[mrkdwn(text)])?;
                m.serialize_entry("type", "context")?;
            }
        }
        m.end()
    }
}

struct Attachment<'a>(&'a Message);

impl Serialize for Attachment<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("blocks", &self.0.blocks)?;
        m.serialize_entry("color", self.0.colour)?;
        m.end()
    }
}

impl Serialize for Message {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("attachments", &[Attachment(self)])?;
        m.serialize_entry("text", &self.text)?;
        m.end()
    }
}
