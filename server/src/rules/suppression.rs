//! Suppression comments: `# noqa` / `# noqa: DL301, DL302` on a Python line, and
//! `# dash-lsp: ignore DL108` on a line of requirements.txt / Procfile / CHECKS / runtime.txt,
//! or in the comment block at the top of such a file for the whole file.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::Path;

use crate::analysis::python::text_of;
use crate::analysis::scope;
use crate::analysis::workspace::SourceFile;

/// What one comment suppresses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Codes {
    All,
    /// Codes with the range of each in the file.
    Some(Vec<(String, Range<usize>)>),
}

#[derive(Clone, Debug, Default)]
pub struct FileSuppressions {
    /// Zero-based line -> what is suppressed on it.
    pub lines: BTreeMap<usize, Codes>,
    /// Suppressed in the whole file (top-of-file directives).
    pub file: Option<Codes>,
}

/// Parses the codes after `noqa:` / `ignore`: `DL301, DL302` (commas or spaces), with their
/// ranges (`base` is the offset of `list` in the file).
fn codes_in(list: &str, base: usize) -> Vec<(String, Range<usize>)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in list
        .char_indices()
        .chain(std::iter::once((list.len(), ' ')))
    {
        let part_of_code = c.is_ascii_alphanumeric();
        match (start, part_of_code) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                out.push((list[s..i].to_ascii_uppercase(), base + s..base + i));
                start = None;
            }
            _ => {}
        }
        if !part_of_code && !matches!(c, ',' | ' ' | '\t') {
            break;
        }
    }
    out
}

/// A `noqa` directive in a Python comment.
fn noqa(comment: &str, base: usize) -> Option<Codes> {
    let lower = comment.to_ascii_lowercase();
    let at = lower.find("noqa")?;
    let rest = &comment[at + 4..];
    match rest.strip_prefix(':') {
        Some(list) => {
            let offset = base + at + 5;
            let trimmed = list.trim_start();
            let codes = codes_in(trimmed, offset + (list.len() - trimmed.len()));
            Some(if codes.is_empty() {
                Codes::All
            } else {
                Codes::Some(codes)
            })
        }
        None if rest.trim().is_empty() || rest.starts_with([' ', '\t', '#']) => Some(Codes::All),
        None => None,
    }
}

/// A `dash-lsp: ignore ...` directive in a `#` comment.
fn ignore_directive(comment: &str, base: usize) -> Option<Codes> {
    let at = comment.find("dash-lsp:")?;
    let rest = &comment[at + 9..];
    let trimmed = rest.trim_start();
    let list = trimmed.strip_prefix("ignore")?;
    let offset = base + at + 9 + (rest.len() - trimmed.len()) + 6;
    let codes = codes_in(
        list.trim_start(),
        offset + (list.len() - list.trim_start().len()),
    );
    Some(if codes.is_empty() {
        Codes::All
    } else {
        Codes::Some(codes)
    })
}

pub fn parse(path: &Path, source: &SourceFile) -> FileSuppressions {
    let text = source.text();
    let mut out = FileSuppressions::default();
    let index = source.line_index();
    if path.extension().is_some_and(|e| e == "py") {
        let py = source.python();
        for comment in scope::all_of_kind(py.tree.root_node(), "comment") {
            if let Some(codes) = noqa(text_of(comment, text), comment.start_byte()) {
                out.lines.insert(index.line_of(comment.start_byte()), codes);
            }
        }
        return out;
    }
    let mut in_header = true;
    for line in 0..index.line_count() {
        let range = index.line_content(text, line);
        let content = &text[range.clone()];
        let trimmed = content.trim_start();
        if trimmed.is_empty() {
            continue;
        }
        let is_comment = trimmed.starts_with('#') || trimmed.starts_with("//");
        let directive = content
            .find('#')
            .and_then(|hash| ignore_directive(&content[hash..], range.start + hash));
        if let Some(codes) = directive {
            if in_header && is_comment {
                out.file = Some(merge(out.file.take(), codes.clone()));
            }
            out.lines.insert(line, codes);
        }
        if !is_comment {
            in_header = false;
        }
    }
    out
}

fn merge(a: Option<Codes>, b: Codes) -> Codes {
    match (a, b) {
        (Some(Codes::All), _) | (_, Codes::All) => Codes::All,
        (Some(Codes::Some(mut x)), Codes::Some(y)) => {
            x.extend(y);
            Codes::Some(x)
        }
        (None, b) => b,
    }
}

impl Codes {
    pub fn covers(&self, code: &str) -> bool {
        match self {
            Codes::All => true,
            Codes::Some(codes) => codes.iter().any(|(c, _)| c == code),
        }
    }
}

/// Which directive codes were used, per file: (line or usize::MAX for file-level, code).
pub type Used = BTreeSet<(usize, String)>;

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(path: &str, text: &str) -> FileSuppressions {
        parse(Path::new(path), &SourceFile::new(text))
    }

    #[test]
    fn python_noqa_forms() {
        let text = "x = 1  # noqa\ny = 2  # noqa: DL301,DL302\nz = 3  # noqa:DL206 because\ns = '# noqa'\nw = 4  # noqanope\n";
        let s = parse_text("app.py", text);
        assert_eq!(s.lines[&0], Codes::All);
        let Codes::Some(codes) = &s.lines[&1] else {
            panic!()
        };
        assert_eq!(
            codes
                .iter()
                .map(|(c, r)| (c.as_str(), &text[r.clone()]))
                .collect::<Vec<_>>(),
            [("DL301", "DL301"), ("DL302", "DL302")]
        );
        let Codes::Some(codes) = &s.lines[&2] else {
            panic!()
        };
        assert_eq!(codes[0].0, "DL206");
        assert!(!s.lines.contains_key(&3) && !s.lines.contains_key(&4));
    }

    #[test]
    fn file_and_line_directives() {
        let text = "# dash-lsp: ignore DL108\n# deps\ndash\npandas  # dash-lsp: ignore DL113\n# dash-lsp: ignore DL110\n";
        let s = parse_text("requirements.txt", text);
        assert!(
            s.file.as_ref().unwrap().covers("DL108") && !s.file.as_ref().unwrap().covers("DL110")
        );
        assert!(s.lines[&3].covers("DL113"));
        assert!(s.lines[&4].covers("DL110"));
    }
}
