//! A cheap scan of a Python text before tree-sitter sees it: shapes that can abort the parser
//! in C (deep indentation; no panic guard catches `abort()`) are refused, as CPython refuses
//! them, and large literal-only spans (generated data tables) are marked so the parser can
//! skip their insides: a tree costs about 200 bytes per byte of `0,0,0,...`.

use std::ops::Range;

/// CPython's tokenizer limit (`MAXINDENT`): "too many levels of indentation".
pub(crate) const MAX_INDENT_LEVELS: usize = 100;
/// CPython's tokenizer limit (`MAXLEVEL`): "too many nested parentheses".
pub(crate) const MAX_BRACKET_DEPTH: usize = 200;
/// Increasing indentation steps counted over every line, brackets and strings included. The
/// tree-sitter scanner may count such lines while it recovers from an error; it aborts from
/// about 384 levels.
pub(crate) const MAX_RAW_INDENT_LEVELS: usize = 300;
/// A bracketed literal (only numbers, strings, `True`/`False`/`None`, nested brackets) at
/// least this long is parsed as an empty one: no rule looks into a data table, and its tree
/// would cost far more memory than its text.
pub const SUMMARISED_LITERAL_BYTES: usize = 64 * 1024;

#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Shape {
    /// Why the text is not handed to the parser at all.
    pub(crate) refused: Option<String>,
    /// Insides of large literal-only brackets (the brackets themselves excluded).
    pub(crate) literals: Vec<Range<usize>>,
}

struct Frame {
    open: u8,
    start: usize,
    literal: bool,
}

/// Scans `text` (linear time, memory bounded by the bracket depth): Python's own limits
/// first (their message is the one to show), then the raw indentation.
pub(crate) fn scan(text: &str) -> Shape {
    let mut shape = scan_tokens(text);
    if shape.refused.is_none() {
        if let Some(line) = raw_levels(text.as_bytes()) {
            shape.refused = Some(format!(
                "indentation nested more than {MAX_RAW_INDENT_LEVELS} levels deep at line {line}"
            ));
            shape.literals.clear();
        }
    }
    shape
}

/// One pass over the tokens that matter: strings, comments, brackets, line starts.
fn scan_tokens(text: &str) -> Shape {
    let b = text.as_bytes();
    let mut shape = Shape::default();
    // The indentation stack of lines outside brackets, strings and continuations (CPython's).
    let mut indents: Vec<u16> = vec![0];
    let mut frames: Vec<Frame> = Vec::new();
    let mut line_start = true;
    let mut continued = false;
    let mut i = 0;
    while i < b.len() {
        if line_start {
            line_start = false;
            let (col, next) = indentation(b, i);
            i = next;
            let blank = matches!(b.get(i), None | Some(b'#' | b'\n'));
            if !blank
                && frames.is_empty()
                && !continued
                && push_level(&mut indents, col) > MAX_INDENT_LEVELS
            {
                shape.refused = Some(format!(
                    "more than {MAX_INDENT_LEVELS} levels of indentation at line {}, which Python refuses",
                    line_of(b, i)
                ));
                return shape;
            }
            continued = false;
            continue;
        }
        match b[i] {
            b'\n' => {
                line_start = true;
                i += 1;
            }
            b'\\' if matches!(b.get(i + 1), Some(b'\n' | b'\r')) => {
                continued = true;
                i += 1;
                if b.get(i) == Some(&b'\r') && b.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                line_start = true;
                i += 1;
            }
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'\'' | b'"' => {
                // A triple-quoted string's lines are no statements: skipped whole.
                i = string_end(b, i);
            }
            b'(' | b'[' | b'{' => {
                frames.push(Frame {
                    open: b[i],
                    start: i,
                    literal: true,
                });
                if frames.len() > MAX_BRACKET_DEPTH {
                    shape.refused = Some(format!(
                        "brackets nested more than {MAX_BRACKET_DEPTH} deep at line {}, which Python refuses",
                        line_of(b, i)
                    ));
                    return shape;
                }
                i += 1;
            }
            c @ (b')' | b']' | b'}') => {
                if let Some(frame) = frames.pop() {
                    let matched =
                        matches!((frame.open, c), (b'(', b')') | (b'[', b']') | (b'{', b'}'));
                    let inside = frame.start + 1..i;
                    if matched && frame.literal {
                        if inside.len() >= SUMMARISED_LITERAL_BYTES {
                            // Spans inside this one are covered by it.
                            while shape.literals.last().is_some_and(|s| s.start > frame.start) {
                                shape.literals.pop();
                            }
                            shape.literals.push(inside);
                        }
                    } else if let Some(parent) = frames.last_mut() {
                        parent.literal = false;
                    }
                }
                i += 1;
            }
            c if c.is_ascii_digit()
                || (c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) =>
            {
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'.')
                {
                    i += 1;
                }
            }
            c if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] >= 0x80)
                {
                    i += 1;
                }
                let word = &b[start..i];
                if matches!(b.get(i), Some(b'\'' | b'"')) && is_string_prefix(word) {
                    i = string_end(b, i);
                    // An f-string (or t-string) runs code.
                    if word.iter().any(|c| matches!(c, b'f' | b'F' | b't' | b'T')) {
                        if let Some(frame) = frames.last_mut() {
                            frame.literal = false;
                        }
                    }
                } else if !matches!(word, b"True" | b"False" | b"None") {
                    if let Some(frame) = frames.last_mut() {
                        frame.literal = false;
                    }
                }
            }
            b' ' | b'\t' | b'\r' | b'\x0c' | b',' | b':' | b'+' | b'-' => i += 1,
            _ => {
                if let Some(frame) = frames.last_mut() {
                    frame.literal = false;
                }
                i += 1;
            }
        }
    }
    shape
}

/// The 1-based line of byte `i` (for a message; counted once, when a text is refused).
fn line_of(b: &[u8], i: usize) -> usize {
    b.get(..i)
        .unwrap_or(b)
        .iter()
        .filter(|&&c| c == b'\n')
        .count()
        + 1
}

/// Why `text` is not parsed, if it is not.
pub fn refusal(text: &str) -> Option<String> {
    scan(text).refused
}

/// `text` with the given spans blanked: every byte but line breaks becomes a space, so byte
/// offsets and line numbers stay those of `text`.
pub(crate) fn blanked(text: &str, spans: &[Range<usize>]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for span in spans {
        if let Some(inside) = bytes.get_mut(span.clone()) {
            for b in inside.iter_mut().filter(|b| !matches!(b, b'\n' | b'\r')) {
                *b = b' ';
            }
        }
    }
    // Only whole spans of bytes were replaced by ASCII: still UTF-8 unless a span cut a
    // character, which bracket positions (ASCII) never do.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// The width of the indentation at `i` as tree-sitter's scanner counts it (a space 1, a tab
/// 8, `\r` and form feed back to 0, in 16 bits that wrap; a backslash-newline continues it)
/// and where the line's text starts. The scanner's own measure: a text that could grow its
/// stack cannot hide behind another measure.
fn indentation(b: &[u8], mut i: usize) -> (u16, usize) {
    let mut col = 0u16;
    while let Some(&c) = b.get(i) {
        match c {
            b' ' => col = col.wrapping_add(1),
            b'\t' => col = col.wrapping_add(8),
            b'\r' | b'\x0c' => col = 0,
            b'\\' if b.get(i + 1) == Some(&b'\n') => i += 1,
            b'\\' if b.get(i + 1) == Some(&b'\r') && b.get(i + 2) == Some(&b'\n') => i += 2,
            _ => break,
        }
        i += 1;
    }
    (col, i)
}

/// The first line (1-based) where the indentation stack of every line that holds text,
/// strings and brackets included, passes [`MAX_RAW_INDENT_LEVELS`]: tree-sitter's scanner may
/// count any of them while it recovers from an error.
fn raw_levels(b: &[u8]) -> Option<usize> {
    let mut stack: Vec<u16> = vec![0];
    let mut i = 0;
    let mut line = 1;
    while i < b.len() {
        let (col, next) = indentation(b, i);
        line += b
            .get(i..next)
            .unwrap_or_default()
            .iter()
            .filter(|&&c| c == b'\n')
            .count();
        if !matches!(b.get(next), None | Some(b'#' | b'\n'))
            && push_level(&mut stack, col) > MAX_RAW_INDENT_LEVELS
        {
            return Some(line);
        }
        match b
            .get(next..)
            .and_then(|rest| rest.iter().position(|&c| c == b'\n'))
        {
            Some(end) => {
                i = next + end + 1;
                line += 1;
            }
            None => break,
        }
    }
    None
}

/// Applies one line's indentation to a stack of levels; returns the number of levels above
/// the first.
fn push_level(stack: &mut Vec<u16>, col: u16) -> usize {
    while stack.len() > 1 && stack.last().is_some_and(|&top| top > col) {
        stack.pop();
    }
    if stack.last().is_some_and(|&top| col > top) {
        stack.push(col);
    }
    stack.len() - 1
}

fn is_string_prefix(word: &[u8]) -> bool {
    word.len() <= 2
        && word
            .iter()
            .all(|c| matches!(c.to_ascii_lowercase(), b'r' | b'b' | b'u' | b'f' | b't'))
}

/// The end of the string literal whose quote is at `i` (an unterminated one-line string ends
/// at its line's end).
fn string_end(b: &[u8], i: usize) -> usize {
    let q = b[i];
    let triple = b.get(i + 1) == Some(&q) && b.get(i + 2) == Some(&q);
    let mut j = if triple { i + 3 } else { i + 1 };
    while j < b.len() {
        match b[j] {
            b'\\' => j += 2,
            b'\n' if !triple => return j,
            c if c == q => {
                if !triple {
                    return j + 1;
                }
                if b.get(j + 1) == Some(&q) && b.get(j + 2) == Some(&q) {
                    return j + 3;
                }
                j += 1;
            }
            _ => j += 1,
        }
    }
    b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested_blocks(n: usize, last: &str) -> String {
        let mut s: String = (0..n)
            .map(|i| format!("{}if x:\n", " ".repeat(i)))
            .collect();
        s.push_str(&" ".repeat(n));
        s.push_str(last);
        s
    }

    #[test]
    fn deep_indentation_is_refused_as_python_does() {
        assert_eq!(scan(&nested_blocks(100, "y = 'a'\n")).refused, None);
        let refused = refusal(&nested_blocks(101, "y = 'a'\n")).unwrap_or_default();
        assert!(
            refused.contains("more than 100 levels of indentation"),
            "{refused}"
        );
        // Dedents count: 1,000 sibling blocks of depth 3 are fine.
        let flat = "if a:\n  if b:\n    if c:\n      pass\n".repeat(1000);
        assert_eq!(refusal(&flat), None);
        // Blank lines, comments and continued lines do not count.
        let s = "if a:\n\n          # deep comment\n    x = (1,\n                 2)\n    y = 1 + \\\n          2\n";
        assert_eq!(refusal(s), None);
    }

    #[test]
    fn staircase_inside_brackets_is_bounded_too() {
        let body: String = (1..=400)
            .map(|i| format!("{}{i},\n", " ".repeat(i)))
            .collect();
        let s = format!("x = [\n{body}]\n");
        assert!(refusal(&s).is_some_and(|r| r.contains("300")));
        let ok: String = (1..=200)
            .map(|i| format!("{}{i},\n", " ".repeat(i)))
            .collect();
        assert_eq!(refusal(&format!("x = [\n{ok}]\n")), None);
    }

    #[test]
    fn indentation_is_measured_as_the_parser_measures_it() {
        // Tabs after 0..7 spaces: one column for CPython (8), eight for tree-sitter's scanner.
        let tabs: String = (0..400)
            .map(|i| format!("{}{}\tif x:\n", "\t".repeat(i / 8), " ".repeat(i % 8)))
            .collect();
        assert!(refusal(&tabs).is_some());
        // A backslash-newline inside the indentation adds to it.
        let continued: String = (0..400)
            .map(|i| format!("{}\\\n{}if x:\n", " ".repeat(i), " ".repeat(i)))
            .collect();
        assert!(refusal(&continued).is_some());
        // 16-bit widths wrap in the scanner: 8,192 tabs are 0 for it.
        let wrap = "\t".repeat(8192);
        let wrapped: String = (0..400)
            .map(|i| {
                format!(
                    "{}if x:\n{wrap}{}if x:\n",
                    " ".repeat(2 * i),
                    " ".repeat(2 * i + 1)
                )
            })
            .collect();
        assert!(refusal(&wrapped).is_some());
        // A staircase inside an unterminated string still counts.
        let text: String = (0..400).map(|i| format!("{}x\n", " ".repeat(i))).collect();
        assert!(refusal(&format!("s = {}\n{text}", "'".repeat(3))).is_some());
    }

    #[test]
    fn deep_brackets_are_refused() {
        assert_eq!(
            refusal(&format!("x = {}{}\n", "(".repeat(200), ")".repeat(200))),
            None
        );
        assert!(refusal(&format!("x = {}{}\n", "[".repeat(201), "]".repeat(201))).is_some());
        // Brackets in strings and comments do not count.
        assert_eq!(
            refusal(&format!(
                "x = '{0}'  # {0}\ny = '''{0}\n'''\n",
                "(".repeat(300)
            )),
            None
        );
    }

    #[test]
    fn large_literals_are_found_and_blanked() {
        let table = "0,".repeat(SUMMARISED_LITERAL_BYTES);
        let s = format!(
            "import dash\nT = [{table}]\nD = {{'a': [1, -2.5e-3, \"x\"], 'b': ({table})}}\n"
        );
        let shape = scan(&s);
        assert_eq!(shape.refused, None);
        assert_eq!(shape.literals.len(), 2, "{:?}", shape.literals);
        let first = &shape.literals[0];
        assert_eq!(&s[first.start - 1..first.start], "[");
        assert_eq!(&s[first.end..first.end + 1], "]");
        // The dict holds the second table: the whole dict is one span.
        assert_eq!(
            &s[shape.literals[1].start - 1..shape.literals[1].start],
            "{"
        );
        let blank = blanked(&s, &shape.literals);
        assert_eq!(blank.len(), s.len());
        assert!(blank.starts_with("import dash\nT = [ "));
        let d = blank.rfind("D = {").unwrap_or(0) + 5;
        assert!(blank[d..blank.len() - 2].bytes().all(|c| c == b' '));
        assert!(blank.ends_with("}\n"));
    }

    #[test]
    fn code_is_never_blanked() {
        let items = "f(0),".repeat(SUMMARISED_LITERAL_BYTES / 4);
        assert!(scan(&format!("T = [{items}]\n")).literals.is_empty());
        let names = "x,".repeat(SUMMARISED_LITERAL_BYTES);
        assert!(scan(&format!("T = [{names}]\n")).literals.is_empty());
        let fstrings = "f'{x}',".repeat(SUMMARISED_LITERAL_BYTES / 6);
        assert!(scan(&format!("T = [{fstrings}]\n")).literals.is_empty());
        // A layout around a large literal keeps its calls; the literal alone is blanked.
        let data = "1,".repeat(SUMMARISED_LITERAL_BYTES);
        let s =
            format!("app.layout = html.Div([dcc.Graph(id='g', figure={{'data': [{data}]}})])\n");
        let shape = scan(&s);
        assert_eq!(shape.literals.len(), 1);
        assert_eq!(
            &s[shape.literals[0].start - 1..shape.literals[0].start],
            "{"
        );
    }
}
