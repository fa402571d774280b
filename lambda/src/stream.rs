//! A payload's items, cut out of its bytes one at a time: the elements of a top-level JSON
//! array, or the whole payload when it is not one. Each item is then parsed from its own slice.
//! Why not serde_json's reader: it reads one byte at a time through `io::Read` (about 40% of
//! the notifier's time in a profile), while a slice is parsed several times faster; and a file
//! of 100,000 events must not be held whole. The scanner here only finds where an element
//! ends (strings, escapes, nesting); serde_json still checks every byte of every element.

use std::io::Read;

/// Where an item starts in the input, to place serde_json's errors (which count from the
/// item's own first byte) in the whole input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pos {
    /// 1-based.
    pub line: usize,
    /// Bytes before the item on its line (serde_json's columns are 1-based byte counts).
    pub column: usize,
}

/// Why a payload could not be read.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// Not JSON: what, and where in the whole input.
    #[error("{message} at line {line} column {column}")]
    Syntax {
        message: String,
        line: usize,
        column: usize,
    },
}

impl StreamError {
    pub fn is_io(&self) -> bool {
        matches!(self, StreamError::Io(_))
    }
    pub fn line(&self) -> usize {
        match self {
            StreamError::Io(_) => 0,
            StreamError::Syntax { line, .. } => *line,
        }
    }
    pub fn column(&self) -> usize {
        match self {
            StreamError::Io(_) => 0,
            StreamError::Syntax { column, .. } => *column,
        }
    }

    /// serde_json's error in an item that starts at `at`, placed in the whole input.
    pub fn in_item(e: &serde_json::Error, at: Pos) -> Self {
        if e.is_io() {
            return StreamError::Io(std::io::Error::other(e.to_string()));
        }
        let (line, column) = if e.line() <= 1 {
            (at.line, at.column + e.column())
        } else {
            (at.line + e.line() - 1, e.column())
        };
        // serde_json's message ends with its own (item-relative) position.
        let text = e.to_string();
        let message = text
            .rfind(" at line ")
            .map_or(text.as_str(), |i| &text[..i])
            .to_string();
        StreamError::Syntax {
            message,
            line,
            column,
        }
    }
}

/// The input: all of it at once (a slice), or refilled from a reader.
trait Source {
    /// Appends more bytes to `buf`; `false` at the end of the input.
    fn more(&mut self, buf: &mut Vec<u8>) -> std::io::Result<bool>;
}

struct FromReader<R>(R);

impl<R: Read> Source for FromReader<R> {
    fn more(&mut self, buf: &mut Vec<u8>) -> std::io::Result<bool> {
        const CHUNK: usize = 64 * 1024;
        let len = buf.len();
        buf.resize(len + CHUNK, 0);
        let got = loop {
            match self.0.read(&mut buf[len..]) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                other => break other,
            }
        };
        buf.truncate(len + *got.as_ref().unwrap_or(&0));
        Ok(got? > 0)
    }
}

/// Calls `each` with every item of `input`, read in chunks: memory holds one element (and a
/// chunk), however long the array.
///
/// # Errors
/// I/O errors, a syntax error between elements, or the first error `each` returns.
pub fn items_from_reader<R: Read>(
    reader: R,
    each: impl FnMut(&[u8], Pos) -> Result<(), serde_json::Error>,
) -> Result<(), StreamError> {
    Items::new(FromReader(reader), Vec::with_capacity(64 * 1024)).run(each)
}

/// [`items_from_reader`] over bytes already in memory (no copy).
///
/// # Errors
/// As [`items_from_reader`], without I/O.
pub fn items_from_slice(
    input: &[u8],
    each: impl FnMut(&[u8], Pos) -> Result<(), serde_json::Error>,
) -> Result<(), StreamError> {
    struct Done;
    impl Source for Done {
        fn more(&mut self, _: &mut Vec<u8>) -> std::io::Result<bool> {
            Ok(false)
        }
    }
    // A borrowed slice would need a second code path; a one-off copy of the Lambda's payload
    // costs far less than parsing it.
    Items::new(Done, input.to_vec()).run(each)
}

struct Items<S> {
    source: S,
    buf: Vec<u8>,
    /// The first byte still wanted; the bytes before it go when the buffer is refilled (not
    /// per element: that would move the rest of the chunk every time).
    start: usize,
    /// Next byte to look at.
    pos: usize,
    eof: bool,
    /// Line of `buf[start]`, and how many bytes of that line precede it.
    line: usize,
    column: usize,
}

impl<S: Source> Items<S> {
    fn new(source: S, buf: Vec<u8>) -> Self {
        Items {
            source,
            buf,
            start: 0,
            pos: 0,
            eof: false,
            line: 1,
            column: 0,
        }
    }

    /// At least one more byte past `pos`, else `false` at the end of the input. Refilling
    /// moves the bytes from `start` on to the front: `start` and `pos` change together.
    fn need(&mut self) -> Result<bool, StreamError> {
        while self.pos >= self.buf.len() {
            if self.eof {
                return Ok(false);
            }
            if self.start > 0 {
                self.buf.drain(..self.start);
                self.pos -= self.start;
                self.start = 0;
            }
            if !self.source.more(&mut self.buf)? {
                self.eof = true;
            }
        }
        Ok(true)
    }

    /// Forgets the bytes before `pos`, keeping the line count.
    fn drop_consumed(&mut self) {
        let at = self.here();
        self.line = at.line;
        self.column = at.column;
        self.start = self.pos;
    }

    fn here(&self) -> Pos {
        let before = &self.buf[self.start..self.pos];
        // An element is kilobytes: search for the last newline with memchr, not byte by byte.
        match memchr::memrchr(b'\n', before) {
            Some(nl) => Pos {
                line: self.line + newlines(before),
                column: before.len() - nl - 1,
            },
            None => Pos {
                line: self.line,
                column: self.column + before.len(),
            },
        }
    }

    /// An error at the byte at `pos` (its column, 1-based), or at the end of the input (the
    /// last column): where serde_json would place it.
    fn syntax(&self, message: &str) -> StreamError {
        let at = self.here();
        let past = usize::from(self.pos < self.buf.len());
        StreamError::Syntax {
            message: message.to_string(),
            line: at.line,
            column: at.column + past,
        }
    }

    fn skip_whitespace(&mut self) -> Result<Option<u8>, StreamError> {
        while self.need()? {
            match self.buf[self.pos] {
                b' ' | b'\n' | b'\r' | b'\t' => self.pos += 1,
                b => return Ok(Some(b)),
            }
        }
        Ok(None)
    }

    fn run(
        mut self,
        mut each: impl FnMut(&[u8], Pos) -> Result<(), serde_json::Error>,
    ) -> Result<(), StreamError> {
        if self.skip_whitespace()? != Some(b'[') {
            // One item: the whole input (serde_json reports any error with its position).
            while !self.eof {
                self.pos = self.buf.len();
                self.need()?;
            }
            return each(&self.buf, Pos { line: 1, column: 0 })
                .map_err(|e| StreamError::in_item(&e, Pos { line: 1, column: 0 }));
        }
        self.pos += 1;
        let mut first = true;
        loop {
            match self.skip_whitespace()? {
                None => return Err(self.syntax("EOF while parsing a list")),
                Some(b']') if first => break,
                Some(b']') => return Err(self.syntax("trailing comma")),
                Some(_) => {}
            }
            self.drop_consumed();
            let at = self.here();
            let end = self.element_end()?;
            each(&self.buf[self.start..end], at).map_err(|e| StreamError::in_item(&e, at))?;
            self.pos = end;
            first = false;
            match self.skip_whitespace()? {
                Some(b',') => self.pos += 1,
                Some(b']') => break,
                None => return Err(self.syntax("EOF while parsing a list")),
                Some(_) => return Err(self.syntax("expected `,` or `]`")),
            }
        }
        self.pos += 1;
        match self.skip_whitespace()? {
            None => Ok(()),
            Some(_) => Err(self.syntax("trailing characters")),
        }
    }

    /// Where the element starting at `pos` (= `start`) ends: after its closing bracket or
    /// quote, or before the delimiter that ends a bare scalar. Malformed contents are left to
    /// serde_json.
    fn element_end(&mut self) -> Result<usize, StreamError> {
        let mut depth = 0usize;
        let mut in_string = false;
        let mut i = self.pos;
        loop {
            if i >= self.buf.len() {
                let from_start = i - self.start;
                self.pos = i;
                if !self.need()? {
                    // Unterminated: serde_json says what is missing, and where.
                    return Ok(self.buf.len());
                }
                i = self.start + from_start;
            }
            if in_string {
                // Most of an event is string contents: jump to the next quote or backslash (or
                // control character, passed over below), eight bytes at a time: the direct
                // reader's scan, cheaper than memchr's set-up for the usual short string.
                let Some(k) = crate::json::fast::special_from(&self.buf, i) else {
                    i = self.buf.len();
                    continue;
                };
                i = k;
            }
            let b = self.buf[i];
            if in_string {
                match b {
                    b'"' => {
                        in_string = false;
                        if depth == 0 {
                            return Ok(i + 1);
                        }
                    }
                    // An escape: the next byte is never a delimiter.
                    b'\\' => i += 1,
                    _ => {}
                }
            } else {
                match b {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' if depth > 0 => {
                        depth -= 1;
                        if depth == 0 {
                            return Ok(i + 1);
                        }
                    }
                    b',' | b']' | b'}' | b' ' | b'\n' | b'\r' | b'\t' if depth == 0 => {
                        return Ok(i);
                    }
                    _ => {}
                }
            }
            i += 1;
        }
    }
}

/// The newlines in bytes just read, for error positions (memchr: a search per newline).
fn newlines(bytes: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', bytes).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cut(input: &str) -> Result<Vec<(String, Pos)>, StreamError> {
        let mut out = Vec::new();
        let mut push = |item: &[u8], at: Pos| {
            serde_json::from_slice::<serde_json::Value>(item)?;
            out.push((String::from_utf8_lossy(item).into_owned(), at));
            Ok(())
        };
        items_from_slice(input.as_bytes(), &mut push)?;
        // The reader path, one byte per read, must cut the same items.
        let mut again = Vec::new();
        let one_at_a_time = std::io::BufReader::with_capacity(1, input.as_bytes());
        items_from_reader(one_at_a_time, |item: &[u8], at| {
            again.push((String::from_utf8_lossy(item).into_owned(), at));
            Ok(())
        })?;
        assert_eq!(out, again, "{input}");
        Ok(out)
    }

    fn texts(input: &str) -> Vec<String> {
        cut(input)
            .expect(input)
            .into_iter()
            .map(|(t, _)| t)
            .collect()
    }

    #[test]
    fn an_array_is_cut_into_its_elements() {
        assert_eq!(
            texts(r#" [ {"a": "x,]}\"{"}, [1, [2]] ,"s\\" , 12.5e3,null,true ] "#),
            [
                r#"{"a": "x,]}\"{"}"#,
                "[1, [2]]",
                r#""s\\""#,
                "12.5e3",
                "null",
                "true"
            ]
        );
        assert_eq!(texts("[]"), Vec::<String>::new());
        assert_eq!(texts(" [\n] "), Vec::<String>::new());
    }

    #[test]
    fn anything_else_is_one_item() {
        assert_eq!(texts(r#" {"a": [1]} "#), [r#" {"a": [1]} "#]);
        assert_eq!(texts("42"), ["42"]);
    }

    /// Errors read as serde_json's on the whole input would: the same message and position,
    /// whether inside an element or between elements.
    #[test]
    fn errors_say_where_in_the_whole_input() {
        for input in [
            "[\n{},\n  {\"a\": tru}]",
            "[{}, ]",
            "[{} {}]",
            "[{}",
            "[{}] x",
            "[\r\n  {\"a\": \"open",
            "[1,\n 2,\n {\"b\": [1,}]",
            "nope",
            "",
            "  {\"a\": 1} {",
        ] {
            let ours = cut(input).expect_err(input);
            let theirs = serde_json::from_str::<serde_json::Value>(input).expect_err(input);
            assert_eq!(
                (ours.line(), ours.column()),
                (theirs.line(), theirs.column()),
                "{input:?}: {ours} / {theirs}"
            );
            assert_eq!(ours.to_string(), theirs.to_string(), "{input:?}");
        }
    }
}
