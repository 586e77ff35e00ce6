//! Suppression comments: `# noqa` / `# noqa: DL301, DL302` on a Python line, and
//! `# dash-lsp: ignore DL108` on a line of requirements.txt / Procfile / CHECKS / runtime.txt,
//! or in the comment block at the top of such a file for the whole file.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use dash_lsp_analysis::workspace::SourceFile;
use dash_lsp_syntax::text_of;

/// What one comment suppresses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Codes {
    All,
    /// Codes with the range of each in the file.
    Some(Vec<(String, Range<usize>)>),
}

#[derive(Clone, Debug, Default)]
pub(crate) struct FileSuppressions {
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
    // The first `noqa` that is a directive (`# noqash  # noqa: DL111` has two candidates).
    lower
        .match_indices("noqa")
        .find_map(|(at, _)| noqa_at(comment, at, base))
}

fn noqa_at(comment: &str, at: usize, base: usize) -> Option<Codes> {
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

pub(crate) fn parse(path: &Path, source: &SourceFile) -> FileSuppressions {
    let text = source.text();
    let mut out = FileSuppressions::default();
    if path.extension().is_some_and(|e| e == "py") {
        // Most files have no `noqa` at all: then there is nothing to find, and no reason to
        // parse (this pass sees every file of the workspace).
        if !source.mentions_noqa() {
            return out;
        }
        let index = source.line_index();
        // A model parsed here is not kept in the file (memory: see `retain_models`).
        let transient;
        let py = if source.has_python() {
            source.python().as_ref()
        } else {
            transient = dash_lsp_analysis::python::PythonModule::parse(text);
            &transient
        };
        for comment in py.all("comment") {
            if let Some(codes) = noqa(text_of(comment, text), comment.start_byte()) {
                out.lines.insert(index.line_of(comment.start_byte()), codes);
            }
        }
        return out;
    }
    let index = source.line_index();
    let mut in_header = true;
    for line in 0..index.line_count() {
        let range = index.line_content(text, line);
        let content = &text[range.clone()];
        let trimmed = content.trim_start_matches('\u{feff}').trim_start();
        if trimmed.is_empty() {
            continue;
        }
        let is_comment = trimmed.starts_with('#') || trimmed.starts_with("//");
        // Every `# dash-lsp: ignore` of the line counts (a second one may have been added
        // after an existing comment).
        let mut directive: Option<Codes> = None;
        for (hash, _) in content.match_indices('#') {
            let rest = &content[hash..];
            if rest[1..].trim_start().starts_with("dash-lsp:") {
                if let Some(codes) = ignore_directive(rest, range.start + hash) {
                    directive = Some(merge(directive.take(), codes));
                }
            }
        }
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
    pub(crate) fn covers(&self, code: &str) -> bool {
        match self {
            Codes::All => true,
            Codes::Some(codes) => codes.iter().any(|(c, _)| c == code),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(path: &str, text: &str) -> FileSuppressions {
        parse(Path::new(path), &SourceFile::new(text))
    }

    #[test]
    fn python_noqa_forms() {
        let text = "x = 1  # noqa\ny = 2  # noqa: DL301,DL302\nz = 3  # noqa:DL206 because\ns = '# noqa'\nw = 4  # noqanope\nv = 5  # noqash  # noqa: DL111\n";
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
        assert!(s.lines[&5].covers("DL111"));
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
        let s = parse_text(
            "requirements.txt",
            "dash  # dash-lsp: ignore DL108  # dash-lsp: ignore DL109\n",
        );
        assert!(s.lines[&0].covers("DL108") && s.lines[&0].covers("DL109"));
        // After a byte-order mark, still the top of the file.
        let s = parse_text("Procfile", "\u{feff}# dash-lsp: ignore DL105\nweb: x\n");
        assert!(s.file.as_ref().is_some_and(|c| c.covers("DL105")));
    }
}

/// The edit that suppresses one diagnostic: `# noqa: CODE` at the end of a Python line (or
/// the code added to an existing `noqa:` list), `# dash-lsp: ignore CODE` at the end of a
/// requirements line, or at the top of a Procfile / CHECKS (where a trailing ` #` would change
/// the command). `None` where no comment can go (`runtime.txt` allows none; the line ends
/// inside a multi-line string).
pub fn suppress_edit(
    path: &Path,
    source: &SourceFile,
    offset: usize,
    code: &str,
) -> Option<(String, dash_lsp_analysis::FileEdit)> {
    use dash_lsp_analysis::FileEdit;
    let text = source.text();
    let index = source.line_index();
    let line = index.line_of(offset);
    let content = index.line_content(text, line);
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let file = path.to_path_buf();
    if path.extension().is_some_and(|e| e == "py") {
        let py = source.python();
        let end = content.end;
        let inside_string = py
            .tree
            .root_node()
            .descendant_for_byte_range(end.saturating_sub(1), end.saturating_sub(1))
            .is_some_and(|n| {
                let mut node = Some(n);
                while let Some(x) = node {
                    if x.kind() == "string" && x.end_byte() > end {
                        return true;
                    }
                    node = x.parent();
                }
                false
            });
        // Inside a string, or after a `\` continuation, a comment cannot go; in code that does
        // not parse, where it lands is anyone's guess.
        if inside_string || py.has_syntax_errors || text[content.clone()].trim_end().ends_with('\\')
        {
            return None;
        }
        let edit = match parse(path, source).lines.get(&line) {
            Some(Codes::All) => return None,
            Some(Codes::Some(codes)) => {
                let at = codes.last().map_or(end, |(_, r)| r.end);
                FileEdit::Replace {
                    file,
                    range: at..at,
                    new_text: format!(", {code}"),
                }
            }
            None => FileEdit::Replace {
                file,
                range: end..end,
                new_text: format!("  # noqa: {code}"),
            },
        };
        return Some((format!("Ignore {code} for this line"), edit));
    }
    // After a byte-order mark, which must stay first, and after a script's `#!` line.
    let mut top = if text.starts_with('\u{feff}') { 3 } else { 0 };
    if text[top..].starts_with("#!") {
        top = dash_lsp_syntax::text::line_ends(&text[top..])
            .next()
            .map_or(text.len(), |(_, next)| top + next);
    }
    let at_top = || {
        let eol = dash_lsp_syntax::text::eol_of(text);
        Some((
            format!("Ignore {code} in this file"),
            FileEdit::Replace {
                file: file.clone(),
                range: top..top,
                new_text: format!("# dash-lsp: ignore {code}{eol}"),
            },
        ))
    };
    match name {
        "runtime.txt" => None,
        // A trailing comment would be part of the command (Procfile), the expected content
        // (CHECKS) or the version (.python-version): a line of its own at the top instead.
        "Procfile" | "CHECKS" | ".python-version" => at_top(),
        // A comment after a `\` would swallow the continuation, and on a line pip cannot
        // read it may change how the rest is read: the top of the file is safe.
        _ if text[content.clone()].contains('\\')
            || dash_lsp_analysis::requirements::RequirementsFile::parse(text)
                .errors
                .iter()
                .any(|e| e.start <= content.end && content.start <= e.end) =>
        {
            at_top()
        }
        _ => {
            let end = content.end;
            Some((
                format!("Ignore {code} for this line"),
                FileEdit::Replace {
                    file,
                    range: end..end,
                    new_text: format!("  # dash-lsp: ignore {code}"),
                },
            ))
        }
    }
}

/// The edit that removes one code (`at`, an index into `codes`, the directive's codes) from a
/// suppression comment: `, DL206` out of a list, or the whole directive when it is the only
/// code (the whole line when nothing else is on it). `None` when text follows the code in the
/// comment (removing the code would leave a bare `# noqa`, which suppresses everything).
pub(crate) fn remove_code_edit(
    path: &Path,
    text: &str,
    codes: &[(String, Range<usize>)],
    at: usize,
) -> Option<dash_lsp_analysis::FileEdit> {
    use dash_lsp_analysis::FileEdit;
    let file = path.to_path_buf();
    let range = codes.get(at)?.1.clone();
    if codes.len() > 1 {
        let remove = match at {
            0 => range.start..codes[1].1.start,
            _ => codes[at - 1].1.end..range.end,
        };
        return Some(FileEdit::Replace {
            file,
            range: remove,
            new_text: String::new(),
        });
    }
    let line_start = dash_lsp_syntax::text::line_start(text, range.start);
    let line_end = crate::helpers::line_end(text, range.start);
    if !text[range.end..line_end].trim().is_empty() {
        return None;
    }
    let hash = line_start + text[line_start..range.start].rfind('#')?;
    let before = text[line_start..hash].trim_end();
    // After a `\` continuation the comment line ends the command: dropping the line would
    // join the next line to the command (a shell script or Procfile would run something
    // else). Only the comment goes; the blank line stays.
    let continued = text[..line_start]
        .trim_end_matches(['\n', '\r'])
        .ends_with('\\');
    let remove = if before.is_empty() && continued {
        line_start..line_end
    } else if before.is_empty() {
        // The directive is the whole line: drop the line and its line break.
        let next = text[line_end..]
            .strip_prefix("\r\n")
            .or_else(|| text[line_end..].strip_prefix('\n'))
            .map_or(line_end, |rest| text.len() - rest.len());
        line_start..next
    } else {
        line_start + before.len()..line_end
    };
    Some(FileEdit::Replace {
        file,
        range: remove,
        new_text: String::new(),
    })
}

#[cfg(test)]
mod edit_tests {
    use super::*;
    use dash_lsp_analysis::diagnostic::apply_edits;
    use dash_lsp_analysis::FileEdit;

    fn apply(path: &str, text: &str, offset: usize, code: &str) -> Option<String> {
        let source = SourceFile::new(text);
        let (_, edit) = suppress_edit(Path::new(path), &source, offset, code)?;
        let FileEdit::Replace {
            range, new_text, ..
        } = edit
        else {
            panic!()
        };
        Some(apply_edits(text, &[(range, new_text.as_str())]).unwrap())
    }

    #[test]
    fn suppression_edits() {
        assert_eq!(
            apply("app.py", "x = f()\ny = 1\n", 2, "DL301").unwrap(),
            "x = f()  # noqa: DL301\ny = 1\n"
        );
        assert_eq!(
            apply("app.py", "x = f()  # noqa: DL206\n", 0, "DL301").unwrap(),
            "x = f()  # noqa: DL206, DL301\n"
        );
        assert_eq!(apply("app.py", "s = '''a\nb'''\n", 0, "DL206"), None);
        assert_eq!(
            apply("requirements.txt", "dash\r\n", 0, "DL108").unwrap(),
            "dash  # dash-lsp: ignore DL108\r\n"
        );
        assert_eq!(
            apply("Procfile", "web: gunicorn app:server\r\n", 5, "DL114").unwrap(),
            "# dash-lsp: ignore DL114\r\nweb: gunicorn app:server\r\n"
        );
        assert_eq!(apply("runtime.txt", "python-3.7\n", 0, "DL118"), None);
        assert_eq!(
            apply(".python-version", "3.8\n", 0, "DL118").unwrap(),
            "# dash-lsp: ignore DL118\n3.8\n"
        );
        assert_eq!(
            apply(
                "requirements.txt",
                "numpy==1 \\\n  --hash=sha256:a\n",
                0,
                "DL113"
            )
            .unwrap(),
            "# dash-lsp: ignore DL113\nnumpy==1 \\\n  --hash=sha256:a\n"
        );
        assert_eq!(
            apply(
                "start.sh",
                "#!/bin/sh\nexec gunicorn app:server \\\n  -b :80\n",
                12,
                "DL117"
            )
            .unwrap(),
            "#!/bin/sh\n# dash-lsp: ignore DL117\nexec gunicorn app:server \\\n  -b :80\n"
        );
        assert_eq!(
            apply("Procfile", "\u{feff}web: x\n", 3, "DL105").unwrap(),
            "\u{feff}# dash-lsp: ignore DL105\nweb: x\n"
        );
    }

    fn remove(path: &str, text: &str, line: usize, at: usize) -> Option<String> {
        let s = parse(Path::new(path), &SourceFile::new(text));
        let Some(Codes::Some(codes)) = s.lines.get(&line) else {
            panic!("no codes on line {line}")
        };
        let FileEdit::Replace {
            range, new_text, ..
        } = remove_code_edit(Path::new(path), text, codes, at)?
        else {
            panic!()
        };
        Some(apply_edits(text, &[(range, new_text.as_str())]).unwrap())
    }

    #[test]
    fn removing_codes() {
        let two = "x = f()  # noqa: DL206, DL301\n";
        assert_eq!(
            remove("app.py", two, 0, 0).unwrap(),
            "x = f()  # noqa: DL301\n"
        );
        assert_eq!(
            remove("app.py", two, 0, 1).unwrap(),
            "x = f()  # noqa: DL206\n"
        );
        assert_eq!(
            remove(
                "app.py",
                "x = f()  # type: ignore  # noqa: DL206\ny = 2\n",
                0,
                0
            )
            .unwrap(),
            "x = f()  # type: ignore\ny = 2\n"
        );
        assert_eq!(
            remove(
                "start.sh",
                "exec gunicorn \\\n# dash-lsp: ignore DL108\n  app:server\n",
                1,
                0
            )
            .as_deref(),
            Some("exec gunicorn \\\n\n  app:server\n"),
            "after a continuation the line stays (blank): the command must not change"
        );
        // Text after the list: removing the only code would leave a bare `# noqa`.
        assert_eq!(
            remove("app.py", "x = f()  # noqa: DL206 -- old\n", 0, 0),
            None
        );
        assert_eq!(
            remove(
                "Procfile",
                "# dash-lsp: ignore DL114\r\nweb: gunicorn app:server\r\n",
                0,
                0
            )
            .unwrap(),
            "web: gunicorn app:server\r\n"
        );
        assert_eq!(
            remove(
                "requirements.txt",
                "dash\npandas  # dash-lsp: ignore DL113",
                1,
                0
            )
            .unwrap(),
            "dash\npandas"
        );
    }
}
