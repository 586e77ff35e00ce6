//! Byte offsets inside, line/column at the edges.
//!
//! Every range inside the analysis is a UTF-8 byte range into the file's text. The protocol
//! layer and the CLI convert once, at the edge, to the encoding their consumer wants.

use std::ops::Range;

/// How the consumer of a position counts columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
    /// Unicode scalar values (the CLI's JSON output).
    Chars,
}

/// A zero-based line and column, the column counted in some [`Encoding`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

/// Start offsets of each line of a text, for offset <-> line/column conversion.
#[derive(Clone, Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex {
            starts,
            len: text.len(),
        }
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// The zero-based line that holds `offset` (clamped to the text).
    pub fn line_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.len);
        match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    /// Byte range of line `line` without its line ending (`\n` or `\r\n`).
    pub fn line_content(&self, text: &str, line: usize) -> Range<usize> {
        let Some(&start) = self.starts.get(line) else {
            return self.len..self.len;
        };
        let mut end = self.starts.get(line + 1).map_or(self.len, |next| next - 1);
        if end > start && text.as_bytes().get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        start..end.max(start)
    }

    /// Byte range of line `line` including its line ending.
    pub fn line_full(&self, line: usize) -> Range<usize> {
        let start = self.starts.get(line).copied().unwrap_or(self.len);
        let end = self.starts.get(line + 1).copied().unwrap_or(self.len);
        start..end
    }

    pub fn to_line_col(&self, text: &str, offset: usize, enc: Encoding) -> LineCol {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line_of(offset);
        let start = self.starts[line];
        let segment = &text[start..offset];
        let col = match enc {
            Encoding::Utf8 => segment.len(),
            Encoding::Utf16 => segment.chars().map(char::len_utf16).sum(),
            Encoding::Chars => segment.chars().count(),
        };
        LineCol {
            line: line as u32,
            col: col as u32,
        }
    }

    /// The byte offset of a line/column; positions past the end of a line clamp to its end
    /// (as LSP asks), lines past the end clamp to the end of the text, and a column inside a
    /// multi-byte character (or a UTF-16 surrogate pair) rounds down to its start.
    pub fn to_offset(&self, text: &str, pos: LineCol, enc: Encoding) -> usize {
        let line = pos.line as usize;
        if line >= self.starts.len() {
            return self.len;
        }
        let content = self.line_content(text, line);
        let mut remaining = pos.col as usize;
        let mut offset = content.start;
        for ch in text[content.clone()].chars() {
            let width = match enc {
                Encoding::Utf8 => ch.len_utf8(),
                Encoding::Utf16 => ch.len_utf16(),
                Encoding::Chars => 1,
            };
            if remaining < width {
                break;
            }
            remaining -= width;
            offset += ch.len_utf8();
        }
        offset
    }
}

pub fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The line ending a file uses (its first one), for text that fixes insert.
pub fn eol_of(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

/// An insertion at the end of `text` that adds `line` as a new last line, adding the missing
/// final line ending first. After a last line ending in `\` (a continuation for pip and the
/// shell) an empty line ends it first: the added line is not joined to it.
pub fn append_line(text: &str, line: &str) -> (Range<usize>, String) {
    let eol = eol_of(text);
    let mut new_text = String::new();
    if !text.is_empty() && !text.ends_with('\n') {
        new_text.push_str(eol);
    }
    if text.trim_end_matches(['\r', '\n']).ends_with('\\') {
        new_text.push_str(eol);
    }
    new_text.push_str(line);
    new_text.push_str(eol);
    (text.len()..text.len(), new_text)
}

/// Byte range of the first line of a text, without its line ending.
pub fn first_line(text: &str) -> Range<usize> {
    let end = text.find('\n').unwrap_or(text.len());
    let end = if end > 0 && text.as_bytes().get(end - 1) == Some(&b'\r') {
        end - 1
    } else {
        end
    };
    0..end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_and_chars_columns() {
        let text = "a = 1\nx = \"😀é\" + y\r\nlast";
        let idx = LineIndex::new(text);
        let y = text.find('y').unwrap();
        assert_eq!(
            idx.to_line_col(text, y, Encoding::Utf16),
            LineCol { line: 1, col: 12 }
        );
        assert_eq!(
            idx.to_line_col(text, y, Encoding::Chars),
            LineCol { line: 1, col: 11 }
        );
        assert_eq!(
            idx.to_line_col(text, y, Encoding::Utf8),
            LineCol { line: 1, col: 15 }
        );
        assert_eq!(
            idx.to_offset(text, LineCol { line: 1, col: 12 }, Encoding::Utf16),
            y
        );
        // Inside the surrogate pair: rounds down to the emoji's start.
        let emoji = text.find('😀').unwrap();
        assert_eq!(
            idx.to_offset(text, LineCol { line: 1, col: 6 }, Encoding::Utf16),
            emoji
        );
        // Past the end of a CRLF line: clamps before the \r.
        assert_eq!(
            idx.to_offset(text, LineCol { line: 1, col: 99 }, Encoding::Utf16),
            text.find('\r').unwrap()
        );
        assert_eq!(
            idx.to_offset(text, LineCol { line: 9, col: 0 }, Encoding::Utf16),
            text.len()
        );
    }

    #[test]
    fn line_ranges() {
        let text = "one\r\ntwo\nthree";
        let idx = LineIndex::new(text);
        assert_eq!(&text[idx.line_content(text, 0)], "one");
        assert_eq!(&text[idx.line_content(text, 1)], "two");
        assert_eq!(&text[idx.line_content(text, 2)], "three");
        assert_eq!(&text[idx.line_full(0)], "one\r\n");
        assert_eq!(eol_of(text), "\r\n");
        assert_eq!(&text[first_line(text)], "one");
    }

    #[test]
    fn append_line_adds_missing_newline() {
        assert_eq!(append_line("dash", "gunicorn").1, "\ngunicorn\n");
        assert_eq!(append_line("dash\r\n", "gunicorn").1, "gunicorn\r\n");
        assert_eq!(append_line("", "gunicorn").1, "gunicorn\n");
    }
}
