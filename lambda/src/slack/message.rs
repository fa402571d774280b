//! A Slack message as the bytes that are posted, written straight from the card by [`Writer`]:
//! no `serde_json::Value` tree and no string per block on the way. Keys are written in sorted
//! order, the bytes a `Value` of the same message would give, so a message reads the same
//! whichever way it was made.

use std::sync::OnceLock;

use serde::ser::{Serialize, Serializer};
use serde_json::Value;

use super::BLOCKS_MAX;

/// One block of the message's attachment, for [`Message::new`].
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
/// with the colour bar and the blocks, held as its JSON bytes. Reads as a `serde_json::Value`
/// too (parsed on first use, for callers that inspect it).
#[derive(Clone, Default)]
pub struct Message {
    json: Vec<u8>,
    value: OnceLock<Value>,
}

impl PartialEq for Message {
    fn eq(&self, other: &Self) -> bool {
        self.json == other.json
    }
}

impl std::fmt::Debug for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Message({})", String::from_utf8_lossy(&self.json))
    }
}

impl Message {
    /// A message from its parts (the text and blocks as they are to appear).
    pub fn new(text: &str, colour: &'static str, blocks: &[Block]) -> Self {
        let mut w = Writer::new();
        for block in blocks {
            match block {
                Block::Header(t) => w.header(t),
                Block::Section(t) => w.section(t),
                Block::Fields(fields) => {
                    w.fields_start();
                    for f in fields {
                        w.field(f);
                    }
                    w.fields_end();
                }
                Block::Context(t) => w.context(t),
            }
        }
        w.finish(colour, text)
    }

    /// A message from its JSON (an escalation's edit of a built one; rare, so the detour
    /// through a `Value` costs nothing that matters). Keys come out sorted, as [`Writer`]'s.
    pub fn from_value(value: &Value) -> Self {
        Message {
            json: serde_json::to_vec(value).unwrap_or_default(),
            value: OnceLock::new(),
        }
    }

    /// The exact bytes posted to Slack.
    pub fn as_bytes(&self) -> &[u8] {
        &self.json
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        self.json.clone()
    }

    /// Appends the JSON to `out`.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.json);
    }

    /// The message as a JSON value.
    pub fn value(&self) -> &Value {
        self.value
            .get_or_init(|| serde_json::from_slice(&self.json).unwrap_or(Value::Null))
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
        f.write_str(&String::from_utf8_lossy(&self.json))
    }
}

/// As its value: for serializers other than the one [`Message::write_to`] stands for.
impl Serialize for Message {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value().serialize(s)
    }
}

/// Writes a message's JSON block by block. Every text given is already what Slack is to show
/// (escaped mrkdwn, within its limit); the writer only adds JSON's own escaping. Blocks past
/// Slack's limit are left out, keeping room for the context line, which is written last.
pub(crate) struct Writer {
    out: Vec<u8>,
    blocks: usize,
    fields: usize,
}

const MRKDWN_END: &[u8] = br#","type":"mrkdwn"}"#;

impl Writer {
    pub(crate) fn new() -> Self {
        let mut out = Vec::with_capacity(1536);
        out.extend_from_slice(br#"{"attachments":[{"blocks":["#);
        Writer {
            out,
            blocks: 0,
            fields: 0,
        }
    }

    fn string(&mut self, s: &str) {
        crate::json::write_str(&mut self.out, s);
    }

    /// Room for one more block before the context line; starts it when there is.
    fn block(&mut self) -> bool {
        if self.blocks >= BLOCKS_MAX - 1 {
            return false;
        }
        if self.blocks > 0 {
            self.out.push(b',');
        }
        self.blocks += 1;
        true
    }

    pub(crate) fn header(&mut self, plain: &str) {
        if self.block() {
            self.out
                .extend_from_slice(br#"{"text":{"emoji":true,"text":"#);
            self.string(plain);
            self.out
                .extend_from_slice(br#","type":"plain_text"},"type":"header"}"#);
        }
    }

    pub(crate) fn section(&mut self, mrkdwn: &str) {
        if self.block() {
            self.out.extend_from_slice(br#"{"text":{"text":"#);
            self.string(mrkdwn);
            self.out.extend_from_slice(MRKDWN_END);
            self.out.extend_from_slice(br#","type":"section"}"#);
        }
    }

    /// A section of fields: [`Writer::field`] each, then [`Writer::fields_end`].
    pub(crate) fn fields_start(&mut self) {
        self.fields = 0;
        if self.block() {
            self.out.extend_from_slice(br#"{"fields":["#);
        } else {
            // No room: the fields are left out with their section.
            self.fields = usize::MAX;
        }
    }

    pub(crate) fn field(&mut self, mrkdwn: &str) {
        if self.fields == usize::MAX {
            return;
        }
        if self.fields > 0 {
            self.out.push(b',');
        }
        self.fields += 1;
        self.out.extend_from_slice(br#"{"text":"#);
        self.string(mrkdwn);
        self.out.extend_from_slice(MRKDWN_END);
    }

    pub(crate) fn fields_end(&mut self) {
        if self.fields != usize::MAX {
            self.out.extend_from_slice(br#"],"type":"section"}"#);
        }
    }

    /// The context line, always written (the room for it is kept).
    pub(crate) fn context(&mut self, mrkdwn: &str) {
        if self.blocks > 0 {
            self.out.push(b',');
        }
        self.blocks += 1;
        self.out.extend_from_slice(br#"{"elements":[{"text":"#);
        self.string(mrkdwn);
        self.out.extend_from_slice(MRKDWN_END);
        self.out.extend_from_slice(br#"],"type":"context"}"#);
    }

    pub(crate) fn finish(mut self, colour: &str, text: &str) -> Message {
        self.out.extend_from_slice(br#"],"color":"#);
        self.string(colour);
        self.out.extend_from_slice(br#"}],"text":"#);
        self.string(text);
        self.out.push(b'}');
        Message {
            json: self.out,
            value: OnceLock::new(),
        }
    }
}
