//! Applying fixes to a workspace snapshot: the shared engine behind `check --fix`, the LSP's
//! "fix all", and the tests that re-check fixed files.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::PathBuf;

use super::diagnostic::{apply_edits, EditError, FileEdit, Fix};
use super::workspace::Workspace;

/// One accepted edit: a range and its replacement.
type Edit<'a> = (Range<usize>, Cow<'a, str>);

/// The new texts of the files a set of fixes changes.
pub type Changes = BTreeMap<PathBuf, String>;

/// Applies as many of `fixes` as do not conflict with each other (two edits conflict when
/// they overlap or insert at the same point: the later one waits for the next round, when
/// it is recomputed on the new text). Returns the changed files' new texts.
pub fn apply_fixes(ws: &Workspace, fixes: &[&Fix]) -> Changes {
    let mut accepted: BTreeMap<PathBuf, Vec<Edit>> = BTreeMap::new();
    let mut created: BTreeMap<PathBuf, &str> = BTreeMap::new();
    'fix: for fix in fixes {
        let mut claimed: BTreeSet<&PathBuf> = BTreeSet::new();
        for edit in &fix.edits {
            match edit {
                FileEdit::Replace {
                    file,
                    range,
                    new_text,
                } => {
                    let Some(text) = ws.text(file) else {
                        continue 'fix;
                    };
                    if range.end > text.len() || created.contains_key(file) {
                        continue 'fix;
                    }
                    let taken = accepted.get(file).is_some_and(|edits| {
                        edits.iter().any(|(r, t)| {
                            conflicts(r, range) && !stacked_lines(r, t, range, new_text)
                        })
                    });
                    if taken {
                        continue 'fix;
                    }
                }
                FileEdit::Create { file, .. } => {
                    if ws.exists(file) || created.contains_key(file) || !claimed.insert(file) {
                        continue 'fix;
                    }
                }
            }
        }
        for edit in &fix.edits {
            match edit {
                FileEdit::Replace {
                    file,
                    range,
                    new_text,
                } => {
                    let edits = accepted.entry(file.clone()).or_default();
                    // A second whole-line insertion at the same place goes after the first
                    // (the order one fix after the other gives), without repeating the line
                    // break the first one already added.
                    let earlier = edits
                        .iter_mut()
                        .find(|(r, t)| r == range && r.is_empty() && t.ends_with('\n'));
                    match earlier {
                        Some((_, text)) => {
                            // (also the empty line that ends a `\` continuation)
                            let line = new_text.trim_start_matches(['\r', '\n']);
                            text.to_mut().push_str(line);
                        }
                        None => edits.push((range.clone(), Cow::Borrowed(new_text.as_str()))),
                    }
                }
                FileEdit::Create { file, text } => {
                    created.insert(file.clone(), text.as_str());
                }
            }
        }
    }
    let mut changes = Changes::new();
    for (file, edits) in accepted {
        let Some(text) = ws.text(&file) else { continue };
        let edits: Vec<(Range<usize>, &str)> =
            edits.iter().map(|(r, t)| (r.clone(), t.as_ref())).collect();
        match apply_edits(text, &edits) {
            Ok(new_text) if new_text != text => {
                changes.insert(file, new_text);
            }
            Ok(_) => {}
            Err(EditError::OutOfRange(_) | EditError::Overlap(_)) => {}
        }
    }
    for (file, text) in created {
        changes.insert(file, text.to_string());
    }
    changes
}

/// Two insertions of whole lines at the same place (requirements appended by several fixes)
/// can both apply, one after the other.
fn stacked_lines(a: &Range<usize>, a_text: &str, b: &Range<usize>, b_text: &str) -> bool {
    // The same line twice (one package imported by two modules) is one insertion.
    let line = b_text.trim_matches(['\r', '\n']);
    a.is_empty()
        && a == b
        && !a_text.lines().any(|l| l.trim_end_matches('\r') == line)
        && a_text.ends_with('\n')
        && b_text.ends_with('\n')
}

fn conflicts(a: &Range<usize>, b: &Range<usize>) -> bool {
    (a.start < b.end && b.start < a.end)
        || a.start == b.start
        || (a.is_empty() && a.start == b.end)
        || (b.is_empty() && b.start == a.end)
}

/// A copy of `ws` with `changes` applied.
pub fn with_changes(ws: &Workspace, changes: &Changes) -> Workspace {
    let mut next = ws.clone();
    for (file, text) in changes {
        next.insert_text(file.clone(), text.as_str());
    }
    next
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn append(text: &str) -> Fix {
        let (range, new_text) = crate::analysis::text::append_line("dash", text);
        Fix::preferred(
            "append",
            vec![FileEdit::Replace {
                file: PathBuf::from("requirements.txt"),
                range,
                new_text,
            }],
        )
    }

    #[test]
    fn appended_lines_stack_in_one_round() {
        let mut ws = Workspace::new();
        ws.insert_text("requirements.txt", "dash");
        let fixes = [append("plotly"), append("requests"), append("plotly")];
        let refs: Vec<&Fix> = fixes.iter().collect();
        let changes = apply_fixes(&ws, &refs);
        assert_eq!(
            changes[Path::new("requirements.txt")],
            "dash\nplotly\nrequests\n"
        );
    }

    #[test]
    fn overlapping_replacements_wait_for_the_next_round() {
        let mut ws = Workspace::new();
        ws.insert_text("a.py", "x = 1\n");
        let edit = |t: &str| {
            Fix::preferred(
                t,
                vec![FileEdit::Replace {
                    file: PathBuf::from("a.py"),
                    range: 0..1,
                    new_text: t.into(),
                }],
            )
        };
        let fixes = [edit("y"), edit("z")];
        let refs: Vec<&Fix> = fixes.iter().collect();
        assert_eq!(apply_fixes(&ws, &refs)[Path::new("a.py")], "y = 1\n");
    }
}
