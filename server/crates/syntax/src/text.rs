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
        starts.extend(line_ends(text).map(|(_, next)| next));
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

    /// Byte range of line `line` without its line ending (`\n`, `\r\n` or `\r`).
    pub fn line_content(&self, text: &str, line: usize) -> Range<usize> {
        let Some(&start) = self.starts.get(line) else {
            return self.len..self.len;
        };
        let end = match self.starts.get(line + 1) {
            Some(&next) => {
                let bytes = text.as_bytes();
                if next >= 2 && bytes.get(next - 2..next) == Some(b"\r\n") {
                    next - 2
                } else {
                    next - 1
                }
            }
            None => self.len,
        };
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
        let (_, bytes) = column_span(text[content.clone()].chars(), pos.col as usize, enc);
        content.start + bytes
    }
}

/// How far column `col` (counted in `enc`'s units) reaches into a line: the chars and the
/// bytes before it. A column past the end clamps to the end, one inside a character (or a
/// UTF-16 surrogate pair) rounds down to its start, and the line ending is not addressable
/// (the walk stops at `\n` or `\r`). The one column conversion: the line index and the LSP
/// document's rope both use it.
pub fn column_span(line: impl Iterator<Item = char>, col: usize, enc: Encoding) -> (usize, usize) {
    let (mut remaining, mut chars, mut bytes) = (col, 0, 0);
    for ch in line {
        if ch == '\n' || ch == '\r' {
            break;
        }
        let width = match enc {
            Encoding::Utf8 => ch.len_utf8(),
            Encoding::Utf16 => ch.len_utf16(),
            Encoding::Chars => 1,
        };
        if remaining < width {
            break;
        }
        remaining -= width;
        chars += 1;
        bytes += ch.len_utf8();
    }
    (chars, bytes)
}

pub(crate) fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Every line ending of `text` as (its start, the start of the next line). Python's three
/// line endings count: `\n`, `\r\n` and a lone `\r` (a CR-only file is valid Python).
pub fn line_ends(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().filter_map(move |(i, &b)| match b {
        b'\n' if i > 0 && bytes[i - 1] == b'\r' => None,
        b'\n' => Some((i, i + 1)),
        b'\r' if bytes.get(i + 1) == Some(&b'\n') => Some((i, i + 2)),
        b'\r' => Some((i, i + 1)),
        _ => None,
    })
}

/// The lines of `text`, each with its line ending (any of the three).
pub fn lines_inclusive(text: &str) -> impl Iterator<Item = &str> + '_ {
    let mut start = 0;
    let mut ends = line_ends(text);
    std::iter::from_fn(move || {
        if start >= text.len() {
            return None;
        }
        let end = ends.next().map_or(text.len(), |(_, next)| next);
        let line = &text[start..end];
        start = end;
        Some(line)
    })
}

/// The start of the line that holds `offset`.
pub fn line_start(text: &str, offset: usize) -> usize {
    let offset = floor_char_boundary(text, offset);
    text[..offset].rfind(['\n', '\r']).map_or(0, |i| i + 1)
}

/// The end of the line that holds `offset`, before its line ending.
pub fn line_end(text: &str, offset: usize) -> usize {
    let offset = floor_char_boundary(text, offset);
    text[offset..]
        .find(['\n', '\r'])
        .map_or(text.len(), |i| offset + i)
}

/// `text` with each lone `\r` turned into `\n`, for parsers that know only `\n` line ends
/// (tree-sitter's Python scanner). Byte offsets do not change.
pub fn lone_cr_as_lf(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('\r') {
        return std::borrow::Cow::Borrowed(text);
    }
    let bytes = text.as_bytes();
    let out: String = text
        .char_indices()
        .map(|(i, c)| {
            if c == '\r' && bytes.get(i + 1) != Some(&b'\n') {
                '\n'
            } else {
                c
            }
        })
        .collect();
    std::borrow::Cow::Owned(out)
}

/// The line ending a file uses (its first one), for text that fixes insert.
pub fn eol_of(text: &str) -> &'static str {
    match line_ends(text).next() {
        Some((start, next)) if next - start == 2 => "\r\n",
        Some((start, _)) if text.as_bytes()[start] == b'\r' => "\r",
        _ => "\n",
    }
}

/// An insertion at the end of `text` that adds `line` as a new last line, adding the missing
/// final line ending first. After a last line ending in `\` (a continuation for pip and the
/// shell) an empty line ends it first: the added line is not joined to it.
pub fn append_line(text: &str, line: &str) -> (Range<usize>, String) {
    let eol = eol_of(text);
    let mut new_text = String::new();
    if !text.is_empty() && !text.ends_with(['\n', '\r']) {
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
    0..line_end(text, 0)
}

/// cp1252's bytes 0x80-0x9F (the rest is Latin-1); 0 where Python's codec has no character.
const CP1252_HIGH: [u16; 32] = [
    0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039,
    0x0152, 0, 0x017d, 0, 0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc,
    0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
];

/// The encoding a PEP 263 declaration names (`# -*- coding: latin-1 -*-` on line 1, or on
/// line 2 below a comment or blank line 1), as written.
fn declared_encoding(bytes: &[u8]) -> Option<String> {
    let mut lines = bytes.split(|&b| b == b'\n' || b == b'\r');
    let first = lines.next()?;
    let candidates: Vec<&[u8]> = match lines.find(|l| !l.is_empty()) {
        Some(second)
            if first.trim_ascii().is_empty() || first.trim_ascii_start().starts_with(b"#") =>
        {
            vec![first, second]
        }
        _ => vec![first],
    };
    candidates.into_iter().find_map(|line| {
        let line = std::str::from_utf8(line).ok().or_else(|| {
            // A Latin-1 comment may hold non-ASCII bytes; the declaration itself is ASCII.
            let end = line
                .iter()
                .position(|b| !b.is_ascii())
                .unwrap_or(line.len());
            std::str::from_utf8(&line[..end]).ok()
        })?;
        let comment = line
            .trim_start_matches([' ', '\t', '\x0c'])
            .strip_prefix('#')?;
        let at = comment.find("coding")?;
        let rest = comment[at + 6..].strip_prefix([':', '='])?;
        let name: String = rest
            .trim_start_matches([' ', '\t'])
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            .collect();
        (!name.is_empty()).then_some(name)
    })
}

/// Decodes a Python file that is not valid UTF-8 by its PEP 263 declaration: Latin-1 and
/// cp1252 (what such files use in practice). The error says why the file cannot be read.
pub fn decode_python_source(bytes: &[u8]) -> Result<(String, &'static str), String> {
    let Some(declared) = declared_encoding(bytes) else {
        return Err("not valid UTF-8".into());
    };
    let name = declared.to_ascii_lowercase().replace('_', "-");
    let latin1 = matches!(
        name.as_str(),
        "latin-1"
            | "latin1"
            | "latin"
            | "l1"
            | "iso-8859-1"
            | "iso8859-1"
            | "iso-latin-1"
            | "8859"
            | "cp819"
            | "iso-ir-100"
            | "csisolatin1"
    ) || name.starts_with("latin-1-")
        || name.starts_with("iso-8859-1-")
        || name.starts_with("iso-latin-1-");
    let cp1252 = matches!(name.as_str(), "cp1252" | "windows-1252" | "1252");
    if latin1 {
        return Ok((bytes.iter().map(|&b| char::from(b)).collect(), "latin-1"));
    }
    if cp1252 {
        let mut text = String::with_capacity(bytes.len() + bytes.len() / 8);
        for &b in bytes {
            let c = match b {
                0x80..=0x9f => char::from_u32(u32::from(CP1252_HIGH[usize::from(b - 0x80)]))
                    .filter(|c| *c != '\0')
                    .ok_or_else(|| format!("byte 0x{b:02x} is not valid cp1252"))?,
                _ => char::from(b),
            };
            text.push(c);
        }
        return Ok((text, "cp1252"));
    }
    if name == "utf-8" || name == "utf8" || name.starts_with("utf-8-") {
        return Err("not valid UTF-8".into());
    }
    Err(format!(
        "declared encoding `{declared}`; dash-lsp reads UTF-8, Latin-1 and cp1252"
    ))
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

    #[test]
    fn lone_cr_ends_lines_like_python() {
        // Python reads `\r`, `\n` and `\r\n` as line ends; so must every position.
        let text = "a = 1\rb = 2\r\nc\n\rd";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_count(), 5);
        let lines: Vec<&str> = (0..5).map(|l| &text[idx.line_content(text, l)]).collect();
        assert_eq!(lines, ["a = 1", "b = 2", "c", "", "d"]);
        assert_eq!(
            idx.to_line_col(text, text.find('b').unwrap(), Encoding::Utf8),
            LineCol { line: 1, col: 0 }
        );
        assert_eq!(eol_of("x\ry\n"), "\r");
        assert_eq!(append_line("dash\r", "gunicorn").1, "gunicorn\r");
        assert_eq!(append_line("dash", "gunicorn").1, "\ngunicorn\n");
        assert_eq!(&text[first_line(text)], "a = 1");
        assert_eq!(
            lines_inclusive(text).collect::<Vec<_>>(),
            ["a = 1\r", "b = 2\r\n", "c\n", "\r", "d"]
        );
        assert_eq!(line_start(text, text.find('b').unwrap() + 2), 6);
        assert_eq!(lone_cr_as_lf(text), "a = 1\nb = 2\r\nc\n\nd");
    }

    #[test]
    fn pep_263_declarations_decode_latin_1_and_cp1252() {
        let latin = b"# -*- coding: latin-1 -*-\nname = '\xe9t\xe9'\n";
        assert_eq!(
            decode_python_source(latin),
            Ok((
                "# -*- coding: latin-1 -*-\nname = '\u{e9}t\u{e9}'\n".to_string(),
                "latin-1"
            ))
        );
        let second_line = b"#!/usr/bin/env python\r# vim: set fileencoding=cp1252 :\rx = '\x80'\r";
        assert_eq!(decode_python_source(second_line).map(|d| d.1), Ok("cp1252"));
        assert!(decode_python_source(second_line)
            .unwrap()
            .0
            .contains('\u{20ac}'));
        // Line 2 counts only below a comment or blank line 1; no declaration: UTF-8.
        assert!(decode_python_source(b"x = 1\n# coding: latin-1\ny = '\xe9'\n").is_err());
        assert_eq!(
            decode_python_source(b"# coding=utf-8\nx = '\xe9'\n"),
            Err("not valid UTF-8".to_string())
        );
        assert!(decode_python_source(b"# coding: cp1252\nx = '\x81'\n").is_err());
        assert!(decode_python_source(b"# coding: koi8-r\nx = '\xe9'\n")
            .unwrap_err()
            .contains("koi8-r"));
    }
}
