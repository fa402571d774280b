//! A YAML tree that remembers where each node starts, so that validation errors can name a
//! line and column. Built on yaml-rust2's event parser.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

impl From<Marker> for Pos {
    fn from(m: Marker) -> Self {
        // yaml-rust2 lines are 1-based and columns 0-based.
        Pos {
            line: m.line(),
            column: m.col() + 1,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// A scalar's text, and whether it was quoted (a quoted `100` is a string).
    Scalar {
        text: String,
        quoted: bool,
    },
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub kind: Kind,
    pub pos: Pos,
}

impl Node {
    pub fn is_null(&self) -> bool {
        matches!(&self.kind, Kind::Scalar { text, quoted: false } if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    pub fn as_scalar(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    pub fn is_quoted(&self) -> bool {
        matches!(&self.kind, Kind::Scalar { quoted: true, .. })
    }

    /// A word for "what was found", used in type errors.
    pub fn describe(&self) -> &'static str {
        match &self.kind {
            _ if self.is_null() => "nothing",
            Kind::Scalar { quoted: true, .. } => "a string",
            Kind::Scalar { text, .. } if text.parse::<f64>().is_ok() => "a number",
            Kind::Scalar { text, .. } if matches!(text.as_str(), "true" | "false") => "a boolean",
            Kind::Scalar { .. } => "a string",
            Kind::Seq(_) => "a list",
            Kind::Map(_) => "a mapping",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub pos: Pos,
    pub message: String,
}

/// The most a config file may hold: it is a page of keys, not a data set.
pub const MAX_BYTES: usize = 1 << 20;
/// Deeper nesting than any config needs (and recursion over it could exhaust the stack).
pub const MAX_DEPTH: usize = 32;
/// Nodes after alias expansion: a few hundred bytes of aliases can otherwise expand to
/// gigabytes (a "billion laughs" document).
pub const MAX_NODES: usize = 100_000;
pub const MAX_ALIASES: usize = 1_000;

/// Parses one YAML document. An empty document gives `None`. Size, nesting and alias
/// expansion are bounded; past a bound it is an error, never a crash.
pub fn parse(text: &str) -> Result<Option<Node>, ParseError> {
    if text.len() > MAX_BYTES {
        return Err(ParseError {
            pos: Pos::default(),
            message: format!(
                "the file is {} bytes; a config file may be at most {MAX_BYTES}",
                text.len()
            ),
        });
    }
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    // Events one by one rather than `Parser::load`, which recurses once per nesting level and
    // so overflows the stack on a deeply nested file. The first document only; stop at the
    // first bound crossed.
    loop {
        let (ev, mark) = parser.next_token().map_err(|e| ParseError {
            pos: Pos::from(*e.marker()),
            message: e.info().to_string(),
        })?;
        let end = matches!(ev, Event::DocumentEnd | Event::StreamEnd);
        builder.on_event(ev, mark);
        if end || builder.error.is_some() {
            break;
        }
    }
    if let Some(message) = builder.error {
        return Err(ParseError {
            pos: builder.error_pos,
            message,
        });
    }
    Ok(builder.root)
}

enum Frame {
    Seq(Vec<Node>, Pos, usize),
    Map(Vec<(Node, Node)>, Option<Node>, Pos, usize),
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    root: Option<Node>,
    /// Each anchor's node and how many nodes it holds.
    anchors: HashMap<usize, (Node, usize)>,
    /// Nodes built so far, alias expansions included; and the size of each open frame.
    nodes: usize,
    sizes: Vec<usize>,
    aliases: usize,
    error: Option<String>,
    error_pos: Pos,
}

impl Builder {
    fn fail(&mut self, pos: Pos, message: String) {
        if self.error.is_none() {
            self.error = Some(message);
            self.error_pos = pos;
        }
    }

    /// Counts `size` more nodes; false (with the error set) past the bound.
    fn count(&mut self, size: usize, pos: Pos) -> bool {
        self.nodes = self.nodes.saturating_add(size);
        if let Some(open) = self.sizes.last_mut() {
            *open = open.saturating_add(size);
        }
        if self.nodes > MAX_NODES {
            self.fail(
                pos,
                format!("the document expands to more than {MAX_NODES} values (too many aliases?)"),
            );
            return false;
        }
        true
    }

    fn push_node(&mut self, node: Node, anchor: usize, size: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, (node.clone(), size));
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq(items, ..)) => items.push(node),
            Some(Frame::Map(entries, pending, ..)) => match pending.take() {
                None => *pending = Some(node),
                Some(key) => entries.push((key, node)),
            },
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let pos = Pos::from(mark);
        // After an error nothing more is built: the parse fails with it.
        if self.error.is_some() {
            return;
        }
        match ev {
            Event::Scalar(text, style, anchor, _tag) => {
                if !self.count(1, pos) {
                    return;
                }
                let quoted = !matches!(style, TScalarStyle::Plain);
                self.push_node(
                    Node {
                        kind: Kind::Scalar { text, quoted },
                        pos,
                    },
                    anchor,
                    1,
                );
            }
            Event::SequenceStart(..) | Event::MappingStart(..) if self.stack.len() >= MAX_DEPTH => {
                self.fail(
                    pos,
                    format!("nested more than {MAX_DEPTH} levels deep; a config file needs a few"),
                );
            }
            Event::SequenceStart(anchor, _) => {
                self.stack.push(Frame::Seq(Vec::new(), pos, anchor));
                self.sizes.push(1);
            }
            Event::MappingStart(anchor, _) => {
                self.stack.push(Frame::Map(Vec::new(), None, pos, anchor));
                self.sizes.push(1);
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (node, anchor) = match self.stack.pop() {
                    Some(Frame::Seq(items, pos, anchor)) => (
                        Node {
                            kind: Kind::Seq(items),
                            pos,
                        },
                        anchor,
                    ),
                    Some(Frame::Map(entries, _, pos, anchor)) => (
                        Node {
                            kind: Kind::Map(entries),
                            pos,
                        },
                        anchor,
                    ),
                    None => return,
                };
                let size = self.sizes.pop().unwrap_or(1);
                if let Some(open) = self.sizes.last_mut() {
                    *open = open.saturating_add(size);
                }
                self.push_node(node, anchor, size);
            }
            Event::Alias(id) => {
                self.aliases += 1;
                if self.aliases > MAX_ALIASES {
                    self.fail(pos, format!("more than {MAX_ALIASES} aliases"));
                    return;
                }
                let Some(size) = self.anchors.get(&id).map(|(_, n)| *n) else {
                    self.fail(pos, "alias to an unknown anchor".to_string());
                    return;
                };
                // Counted before the copy is made, so a bomb never gets built.
                if !self.count(size, pos) {
                    return;
                }
                if let Some((node, _)) = self.anchors.get(&id).cloned() {
                    self.push_node(Node { pos, ..node }, 0, size);
                }
            }
            _ => {}
        }
    }
}

/// Writes a plain or quoted YAML scalar, quoting whenever plain text could be misread.
pub fn scalar(text: &str) -> String {
    let plain_ok = !text.is_empty()
        && !text.starts_with(|c: char| c.is_whitespace() || "-?:,[]{}#&*!|>'\"%@`~".contains(c))
        && !text.ends_with(char::is_whitespace)
        && !text.contains(": ")
        && !text.contains(" #")
        && !text.contains(['\n', '\t', '"', '\''])
        && !matches!(
            text.to_ascii_lowercase().as_str(),
            "null" | "true" | "false" | "yes" | "no" | "on" | "off" | "~"
        )
        && text.parse::<f64>().is_err();
    if plain_ok {
        text.to_string()
    } else {
        let escaped = text
            .replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n")
            .replace('\t', "\\t");
        format!("\"{escaped}\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based() {
        let root = parse("A: 1\nB:\n  - x\n  - 'y'\n")
            .expect("parses")
            .expect("not empty");
        let Kind::Map(entries) = root.kind else {
            panic!("map expected")
        };
        assert_eq!(entries[0].0.pos, Pos { line: 1, column: 1 });
        assert_eq!(entries[1].0.pos, Pos { line: 2, column: 1 });
        let Kind::Seq(items) = &entries[1].1.kind else {
            panic!("seq expected")
        };
        assert_eq!(items[1].pos, Pos { line: 4, column: 5 });
        assert!(items[1].is_quoted());
    }

    #[test]
    fn syntax_errors_carry_a_position() {
        let err = parse("A: [1, 2\nB: 3\n").expect_err("unclosed flow sequence");
        assert_eq!(err.pos.line, 2);
    }

    #[test]
    fn scalars_quote_what_would_be_misread() {
        assert_eq!(scalar("acme"), "acme");
        assert_eq!(scalar("100"), "\"100\"");
        assert_eq!(scalar("yes"), "\"yes\"");
        assert_eq!(scalar("user:Team$sec"), "user:Team$sec");
        assert_eq!(scalar("a: b"), "\"a: b\"");
        for s in [
            "acme",
            "100",
            "yes",
            "a: b",
            "-x",
            "say \"hi\"",
            "",
            "https://h/x?y#z",
        ] {
            let doc = format!("K: {}\n", scalar(s));
            let root = parse(&doc).expect("parses").expect("not empty");
            let Kind::Map(entries) = root.kind else {
                panic!("map")
            };
            assert_eq!(entries[0].1.as_scalar(), Some(s), "{doc}");
        }
    }
}
