//! A pruned [`Json`] read straight from an item's text, for the common case: keys and strings
//! without `\u` escapes, nesting under serde_json's limit. It checks every byte as JSON (what it
//! skips too), so whatever it accepts, serde_json accepts, and gives the same tree as the
//! serde path ([`super::Pruned`]). Anything unusual returns `None` and the caller takes the
//! serde path, which then decides, and words any error. It exists because the serde path, with
//! its visitor per value, was 40% of the notifier's time.

use std::borrow::Cow;

use super::{Json, READ_KEYS, WHOLE_KEYS, read_key_rank};

/// serde_json's recursion limit: deeper input goes to serde_json, which refuses it.
const MAX_DEPTH: usize = 127;

/// The pruned tree of `text`, or `None` to use the serde path.
pub fn parse(text: &str) -> Option<Json<'_>> {
    let mut p = Parser {
        text,
        bytes: text.as_bytes(),
        at: 0,
        entries: Vec::with_capacity(32),
        ranks: Vec::with_capacity(32),
        order: Vec::with_capacity(16),
        items: Vec::with_capacity(16),
    };
    let value = p.value(false, 0)?;
    p.whitespace();
    (p.at == p.bytes.len()).then_some(value)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    /// The entries of the objects being read, innermost last: each object's are moved out
    /// into one allocation of the right size when it ends, instead of a growing `Vec` each.
    entries: Vec<(Cow<'a, str>, Json<'a>)>,
    /// Beside each entry of a pruned object, its key's place in [`READ_KEYS`].
    ranks: Vec<u8>,
    /// Scratch for putting a pruned object's entries in order: (rank, position).
    order: Vec<(u8, usize)>,
    /// The same for arrays' items.
    items: Vec<Json<'a>>,
}

impl<'a> Parser<'a> {
    #[inline]
    fn whitespace(&mut self) {
        // Compact input (what the Lambda gets) has none; indented input has runs of spaces.
        let white = |b: Option<&u8>| matches!(b, Some(b' ' | b'\n' | b'\r' | b'\t'));
        if !white(self.bytes.get(self.at)) {
            return;
        }
        // One byte (the space after a colon) is the usual run; indentation is longer.
        self.at += 1;
        if white(self.bytes.get(self.at)) {
            self.at = not_whitespace_from(self.bytes, self.at);
        }
    }

    #[inline]
    fn next(&mut self) -> Option<u8> {
        self.whitespace();
        self.bytes.get(self.at).copied()
    }

    fn expect(&mut self, b: u8) -> Option<()> {
        (self.next()? == b).then(|| self.at += 1)
    }

    /// A value, kept (`whole`: with every key) or pruned.
    fn value(&mut self, whole: bool, depth: usize) -> Option<Json<'a>> {
        match self.next()? {
            b'{' => self.object(whole, depth + 1),
            b'[' => {
                if depth + 1 > MAX_DEPTH {
                    return None;
                }
                self.at += 1;
                if self.next()? == b']' {
                    self.at += 1;
                    return Some(Json::Array(Vec::new()));
                }
                let base = self.items.len();
                loop {
                    let item = self.value(whole, depth + 1)?;
                    self.items.push(item);
                    match self.next()? {
                        b',' => self.at += 1,
                        b']' => {
                            self.at += 1;
                            return Some(Json::Array(self.items.drain(base..).collect()));
                        }
                        _ => return None,
                    }
                }
            }
            b'"' => self.string().map(Json::String),
            b't' => self.literal("true").map(|()| Json::Bool(true)),
            b'f' => self.literal("false").map(|()| Json::Bool(false)),
            b'n' => self.literal("null").map(|()| Json::Null),
            _ => {
                let text = self.number()?;
                // serde_json's own conversion, so the number is exactly the one it would give.
                serde_json::from_str::<serde_json::Number>(text)
                    .ok()
                    .map(Json::Number)
            }
        }
    }

    fn object(&mut self, whole: bool, depth: usize) -> Option<Json<'a>> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.at += 1;
        if self.next()? == b'}' {
            self.at += 1;
            return Some(Json::object(Vec::new()));
        }
        let base = self.entries.len();
        loop {
            if self.next()? != b'"' {
                return None;
            }
            let key = self.string()?;
            self.expect(b':')?;
            if whole {
                let value = self.value(true, depth)?;
                self.entries.push((key, value));
                self.ranks.push(0);
            } else if let Some(rank) = read_key_rank(&key) {
                let k = READ_KEYS[usize::from(rank)];
                let value = self.value(WHOLE_KEYS.contains(&k), depth)?;
                self.entries.push((Cow::Borrowed(k), value));
                self.ranks.push(rank);
            } else {
                self.skip(depth)?;
            }
            match self.next()? {
                b',' => self.at += 1,
                b'}' => {
                    self.at += 1;
                    return Some(if whole {
                        self.ranks.truncate(base);
                        Json::object(self.entries.drain(base..).collect())
                    } else {
                        self.pruned_object(base)
                    });
                }
                _ => return None,
            }
        }
    }

    /// The pruned object whose entries start at `base`, as [`Json::object`] would make it
    /// (sorted by key, a repeated key's last value kept), sorting by the keys' ranks.
    fn pruned_object(&mut self, base: usize) -> Json<'a> {
        let ranks = &self.ranks[base..];
        if ranks.windows(2).all(|w| w[0] < w[1]) {
            self.ranks.truncate(base);
            return Json::Object(self.entries.drain(base..).collect());
        }
        self.order.clear();
        self.order
            .extend(ranks.iter().enumerate().map(|(i, &rank)| (rank, i)));
        // By rank, and of one rank the last first, which `dedup` then keeps.
        self.order
            .sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        self.order.dedup_by_key(|(rank, _)| *rank);
        let entries = &mut self.entries[base..];
        let sorted = self
            .order
            .iter()
            .map(|&(_, i)| std::mem::take(&mut entries[i]))
            .collect();
        self.entries.truncate(base);
        self.ranks.truncate(base);
        Json::Object(sorted)
    }

    /// A value checked and passed over, nothing built.
    fn skip(&mut self, depth: usize) -> Option<()> {
        match self.next()? {
            b'{' | b'[' => {
                let close = if self.bytes[self.at] == b'{' {
                    b'}'
                } else {
                    b']'
                };
                if depth + 1 > MAX_DEPTH {
                    return None;
                }
                self.at += 1;
                if self.next()? == close {
                    self.at += 1;
                    return Some(());
                }
                loop {
                    if close == b'}' {
                        if self.next()? != b'"' {
                            return None;
                        }
                        self.skip_string()?;
                        self.expect(b':')?;
                    }
                    self.skip(depth + 1)?;
                    match self.next()? {
                        b',' => self.at += 1,
                        b if b == close => {
                            self.at += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            b'"' => self.skip_string(),
            b't' => self.literal("true"),
            b'f' => self.literal("false"),
            b'n' => self.literal("null"),
            _ => self.number().map(|_| ()),
        }
    }

    fn literal(&mut self, word: &str) -> Option<()> {
        let end = self.at + word.len();
        (self.bytes.get(self.at..end)? == word.as_bytes()).then(|| self.at = end)
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, as text.
    fn number(&mut self) -> Option<&'a str> {
        let start = self.at;
        let digits = |p: &mut Self| {
            let from = p.at;
            while p.bytes.get(p.at).is_some_and(u8::is_ascii_digit) {
                p.at += 1;
            }
            p.at > from
        };
        if self.bytes.get(self.at) == Some(&b'-') {
            self.at += 1;
        }
        match self.bytes.get(self.at)? {
            b'0' => self.at += 1,
            b'1'..=b'9' => {
                digits(self);
            }
            _ => return None,
        }
        if self.bytes.get(self.at) == Some(&b'.') {
            self.at += 1;
            if !digits(self) {
                return None;
            }
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.at) {
            self.at += 1;
            if let Some(b'+' | b'-') = self.bytes.get(self.at) {
                self.at += 1;
            }
            if !digits(self) {
                return None;
            }
        }
        Some(&self.text[start..self.at])
    }

    /// The end of the string whose opening quote is at `at` (just past its closing quote), and
    /// whether it holds an escape. `None` for a control character, a `\u` escape (left to
    /// serde_json) or an unknown escape.
    #[inline]
    fn string_end(&self) -> Option<(usize, bool)> {
        let mut i = self.at + 1;
        let mut escaped = false;
        loop {
            i = special_from(self.bytes, i)?;
            match self.bytes[i] {
                b'"' => return Some((i + 1, escaped)),
                b'\\' => match self.bytes.get(i + 1)? {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {
                        escaped = true;
                        i += 2;
                    }
                    _ => return None,
                },
                // A control character: refused inside a string.
                _ => return None,
            }
        }
    }

    fn skip_string(&mut self) -> Option<()> {
        self.at = self.string_end()?.0;
        Some(())
    }

    fn string(&mut self) -> Option<Cow<'a, str>> {
        let (end, escaped) = self.string_end()?;
        let body = &self.text[self.at + 1..end - 1];
        self.at = end;
        if !escaped {
            return Some(Cow::Borrowed(body));
        }
        // Plain runs copied whole; `string_end` has checked every escape is a short one.
        let mut out = String::with_capacity(body.len());
        let mut rest = body;
        while let Some(i) = rest.find('\\') {
            out.push_str(&rest[..i]);
            let escaped = *rest.as_bytes().get(i + 1)?;
            out.push(match escaped {
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                other => char::from(other),
            });
            rest = &rest[i + 2..];
        }
        out.push_str(rest);
        Some(Cow::Owned(out))
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The first byte from `i` on that ends or interrupts a string's plain text: `"`, `\` or a
/// control character. Eight bytes at a time: a byte is flagged when it equals a quote or a
/// backslash or is below 0x20 (the classic "has zero byte" test; a flag can be spurious only
/// above a real one, so the lowest is always real).
#[inline]
pub(crate) fn special_from(bytes: &[u8], mut i: usize) -> Option<usize> {
    while let Some(chunk) = bytes.get(i..i + 8) {
        let x = u64::from_le_bytes(chunk.try_into().ok()?);
        let quote = x ^ (ONES * u64::from(b'"'));
        let slash = x ^ (ONES * u64::from(b'\\'));
        let flags = (quote.wrapping_sub(ONES) & !quote)
            | (slash.wrapping_sub(ONES) & !slash)
            | (x.wrapping_sub(ONES * 0x20) & !x);
        let flags = flags & HIGH;
        if flags != 0 {
            return Some(i + (flags.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    bytes[i..]
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .map(|k| i + k)
}

/// Each byte of `x` that is zero, flagged by its high bit. Exact for every byte (no borrow
/// runs between bytes, unlike the quicker test in [`special_from`]).
fn zero_bytes(x: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    !(((x & LOW7) + LOW7) | x) & HIGH
}

/// The first byte from `i` on that is not JSON whitespace (or the end), eight at a time.
fn not_whitespace_from(bytes: &[u8], mut i: usize) -> usize {
    while let Some(chunk) = bytes.get(i..i + 8) {
        let x = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
        let white = zero_bytes(x ^ (ONES * u64::from(b' ')))
            | zero_bytes(x ^ (ONES * u64::from(b'\n')))
            | zero_bytes(x ^ (ONES * u64::from(b'\r')))
            | zero_bytes(x ^ (ONES * u64::from(b'\t')));
        let other = !white & HIGH;
        if other != 0 {
            return i + (other.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    i + bytes[i..]
        .iter()
        .position(|b| !matches!(b, b' ' | b'\n' | b'\r' | b'\t'))
        .unwrap_or(bytes.len() - i)
}

#[cfg(test)]
mod tests {
    use super::{not_whitespace_from, special_from};

    /// A pruned object's read keys, out of order and repeated, come out as the serde path
    /// (and a `serde_json::Map`) has them: sorted, the last of a repeated key kept.
    #[test]
    fn pruned_objects_are_sorted_and_keep_a_repeated_keys_last_value() {
        let text = r#"{"source": "a", "zzz": 1, "id": "first", "detail": {"title": "t", "id": 2},
            "account": "1", "id": "last", "detail-type": "x", "id": "really last"}"#;
        let ours = super::parse(text).expect("direct reader");
        let mut de = serde_json::Deserializer::from_str(text);
        let theirs =
            serde::de::DeserializeSeed::deserialize(crate::json::Pruned { whole: false }, &mut de)
                .expect("serde path");
        assert_eq!(ours, theirs);
        assert_eq!(ours["id"].as_str(), Some("really last"));
        let crate::json::Json::Object(entries) = &ours else {
            panic!("an object")
        };
        let keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_ref()).collect();
        assert_eq!(keys, ["account", "detail", "detail-type", "id", "source"]);
    }

    /// `scan` finds what the byte-at-a-time `plain` finds, for every byte value at every
    /// offset among `fillers`, from the first few starting points.
    fn agrees<T: PartialEq + std::fmt::Debug>(
        scan: impl Fn(&[u8], usize) -> T,
        plain: impl Fn(&[u8], usize) -> T,
        fillers: &[u8],
    ) {
        for byte in 0..=255u8 {
            for at in 0..20 {
                for &filler in fillers {
                    let mut bytes = vec![filler; 24];
                    bytes[at] = byte;
                    for from in 0..4 {
                        assert_eq!(
                            scan(&bytes, from),
                            plain(&bytes, from),
                            "byte {byte:#x} at {at} in {filler:#x} from {from}"
                        );
                    }
                }
            }
        }
    }

    /// The word-at-a-time whitespace skip stops where a byte-at-a-time one does.
    #[test]
    fn the_whitespace_skip_stops_at_the_first_other_byte() {
        let plain = |bytes: &[u8], i: usize| {
            i + bytes[i..]
                .iter()
                .position(|b| !matches!(b, b' ' | b'\n' | b'\r' | b'\t'))
                .unwrap_or(bytes.len() - i)
        };
        agrees(not_whitespace_from, plain, b" \n\r\t");
    }

    /// The word-at-a-time scan finds what a byte-at-a-time scan finds, next to bytes that
    /// could fool the bit tricks.
    #[test]
    fn the_scan_finds_the_first_special_byte() {
        let plain = |bytes: &[u8], i: usize| {
            bytes[i..]
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                .map(|k| i + k)
        };
        agrees(
            special_from,
            plain,
            &[b'a', 0x21, 0x23, 0x5b, 0x5d, 0x80, 0xff, 0x1f],
        );
    }
}
