//! Applying fixes to a workspace snapshot: the shared engine behind `check --fix`, the LSP's
//! "fix all", and the tests that re-check fixed files.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::PathBuf;

use super::diagnostic::{apply_edits, EditError, FileEdit, Fix};
use super::workspace::Workspace;

/// The new texts of the files a set of fixes changes.
pub type Changes = BTreeMap<PathBuf, String>;

/// Applies as many of `fixes` as do not conflict with each other (two edits conflict when
/// they overlap or insert at the same point: the later one waits for the next round, when
/// it is recomputed on the new text). Returns the changed files' new texts.
pub fn apply_fixes(ws: &Workspace, fixes: &[&Fix]) -> Changes {
    let mut accepted: BTreeMap<PathBuf, Vec<(Range<usize>, &str)>> = BTreeMap::new();
    let mut created: BTreeMap<PathBuf, &str> = BTreeMap::new();
    'fix: for fix in fixes {
        let mut claimed: BTreeSet<&PathBuf> = BTreeSet::new();
        for edit in &fix.edits {
            match edit {
                FileEdit::Replace { file, range, .. } => {
                    let Some(text) = ws.text(file) else {
                        continue 'fix;
                    };
                    if range.end > text.len() || created.contains_key(file) {
                        continue 'fix;
                    }
                    let taken = accepted
                        .get(file)
                        .is_some_and(|edits| edits.iter().any(|(r, _)| conflicts(r, range)));
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
                } => accepted
                    .entry(file.clone())
                    .or_default()
                    .push((range.clone(), new_text.as_str())),
                FileEdit::Create { file, text } => {
                    created.insert(file.clone(), text.as_str());
                }
            }
        }
    }
    let mut changes = Changes::new();
    for (file, edits) in accepted {
        let Some(text) = ws.text(&file) else { continue };
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
