//! Applying fixes to a workspace snapshot: the shared engine behind `check --fix`, the LSP's
//! "fix all", and the tests that re-check fixed files.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::PathBuf;

use super::diagnostic::{apply_edits, AddedRequirement, EditError, FileEdit, Fix};
use super::requirements::normalize;
use super::tables;
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
    let mut added: Vec<(&PathBuf, &AddedRequirement)> = Vec::new();
    // Set once a fix edits what starts an app: the fixed command may need (or, run from an
    // included file's app, bring) what a later addition adds.
    let mut start_changed = false;
    'fix: for fix in fixes {
        // Applied one after the other, a requirement an earlier fix already brings (gunicorn
        // added to an included file, `dash` brought by `dash-bootstrap-components`) is no
        // longer missing: the fix waits for the next round, which re-checks.
        if let Some(wanted) = &fix.adds_requirement {
            if start_changed {
                continue 'fix;
            }
            if added.iter().any(|(file, earlier)| {
                wanted.installs_from.contains(file) && serves(earlier, wanted)
            }) {
                continue 'fix;
            }
        }
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
                        .find(|(r, t)| r == range && r.is_empty() && t.ends_with(['\n', '\r']));
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
        if let Some(requirement) = &fix.adds_requirement {
            if let Some(file) = fix.edits.first().map(FileEdit::file) {
                added.push((file, requirement));
            }
        }
        start_changed |= fix.edits.iter().any(|e| {
            e.file()
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n == "Procfile" || super::descriptors::is_descriptor_name(n))
        });
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

/// Whether installing what `earlier` adds provides what `later` needs.
fn serves(earlier: &AddedRequirement, later: &AddedRequirement) -> bool {
    let needs = [
        normalize(&later.needs),
        normalize(tables::distribution_for(&later.needs)),
    ];
    let unmapped = tables::distribution_for(&later.needs) == later.needs;
    needs.contains(&earlier.dist)
        || earlier.dist == later.dist
        || tables::brings(&earlier.dist, &[], &later.needs)
        || tables::brings(&earlier.dist, &[], &later.dist)
        // DL111 says nothing of an unmapped import a listed name resembles (`pand`, `pandas`).
        || (unmapped && super::requirements::names_look_alike(&earlier.dist, &later.needs))
}

/// Two insertions of whole lines at the same place (requirements appended by several fixes)
/// can both apply, one after the other.
fn stacked_lines(a: &Range<usize>, a_text: &str, b: &Range<usize>, b_text: &str) -> bool {
    // The same line twice (one package imported by two modules) is one insertion.
    let line = b_text.trim_matches(['\r', '\n']);
    a.is_empty()
        && a == b
        && !a_text.split(['\n', '\r']).any(|l| l == line)
        && a_text.ends_with(['\n', '\r'])
        && b_text.ends_with(['\n', '\r'])
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
        let (range, new_text) = dash_lsp_syntax::text::append_line("dash", text);
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

    fn add(file: &str, text: &str, dist: &str, needs: &str, chain: &[&str]) -> Fix {
        let (range, new_text) = dash_lsp_syntax::text::append_line(text, dist);
        let chain: Vec<PathBuf> = chain.iter().map(PathBuf::from).collect();
        Fix::preferred(
            "add",
            vec![FileEdit::Replace {
                file: PathBuf::from(file),
                range,
                new_text,
            }],
        )
        .adding_requirement(dist, needs, &chain)
    }

    #[test]
    fn a_requirement_an_earlier_fix_brings_waits() {
        // dash-bootstrap-components brings dash: applied one by one, `dash` is never missing.
        let mut ws = Workspace::new();
        ws.insert_text("requirements.txt", "gunicorn\n");
        let fixes = [
            add(
                "requirements.txt",
                "gunicorn\n",
                "dash-bootstrap-components",
                "dash_bootstrap_components",
                &["requirements.txt"],
            ),
            add(
                "requirements.txt",
                "gunicorn\n",
                "dash",
                "dash",
                &["requirements.txt"],
            ),
            add(
                "requirements.txt",
                "gunicorn\n",
                "openpyxl",
                "openpyxl",
                &["requirements.txt"],
            ),
        ];
        let refs: Vec<&Fix> = fixes.iter().collect();
        assert_eq!(
            apply_fixes(&ws, &refs)[Path::new("requirements.txt")],
            "gunicorn\ndash-bootstrap-components\nopenpyxl\n"
        );
    }

    #[test]
    fn an_addition_to_an_included_file_serves_the_including_app() {
        // The root app installs `-r admin/requirements.txt`: gunicorn added there is its too;
        // the admin app does not install the root's file, so the reverse does not hold.
        let mut ws = Workspace::new();
        ws.insert_text("requirements.txt", "-r admin/requirements.txt\n");
        ws.insert_text("admin/requirements.txt", "dash\n");
        let root = ["requirements.txt", "admin/requirements.txt"];
        let admin = add(
            "admin/requirements.txt",
            "dash\n",
            "gunicorn",
            "gunicorn",
            &["admin/requirements.txt"],
        );
        let top = add(
            "requirements.txt",
            "-r admin/requirements.txt\n",
            "gunicorn",
            "gunicorn",
            &root,
        );
        let refs = [&admin, &top];
        let changes = apply_fixes(&ws, &refs);
        assert_eq!(
            changes[Path::new("admin/requirements.txt")],
            "dash\ngunicorn\n"
        );
        assert!(!changes.contains_key(Path::new("requirements.txt")));
        let changes = apply_fixes(&ws, &[&top, &admin]);
        assert_eq!(changes.len(), 2);
    }

    #[test]
    fn additions_wait_for_a_fixed_start_command() {
        // The admin app's start command is fixed first: then it needs gunicorn in its own
        // file, which the root includes; the root's addition would be redundant.
        let mut ws = Workspace::new();
        ws.insert_text("requirements.txt", "-r admin/requirements.txt\n");
        ws.insert_text("admin/Procfile", "web: gunicorn1 app:server\n");
        let procfile = Fix::preferred(
            "fix",
            vec![FileEdit::Replace {
                file: PathBuf::from("admin/Procfile"),
                range: 5..14,
                new_text: "gunicorn".into(),
            }],
        );
        let root = ["requirements.txt", "admin/requirements.txt"];
        let top = add(
            "requirements.txt",
            "-r admin/requirements.txt\n",
            "gunicorn",
            "gunicorn",
            &root,
        );
        let changes = apply_fixes(&ws, &[&procfile, &top]);
        assert_eq!(
            changes.keys().collect::<Vec<_>>(),
            [Path::new("admin/Procfile")]
        );
        // Without the start command's fix, the addition applies.
        assert_eq!(apply_fixes(&ws, &[&top]).len(), 1);
    }

    #[test]
    fn appended_lines_stack_with_lone_cr_line_ends() {
        // A file whose first line break is a lone CR (pip splits lines as Python does): the
        // appended lines end in CR and still stack in one round.
        let mut ws = Workspace::new();
        let text = "# note\rmore\r\ngunicorn";
        ws.insert_text("requirements.txt", text);
        let fixes = [
            add(
                "requirements.txt",
                text,
                "pandas",
                "pandas",
                &["requirements.txt"],
            ),
            add(
                "requirements.txt",
                text,
                "openpyxl",
                "openpyxl",
                &["requirements.txt"],
            ),
        ];
        let refs: Vec<&Fix> = fixes.iter().collect();
        let changed = &apply_fixes(&ws, &refs)[Path::new("requirements.txt")];
        assert!(
            changed.contains("pandas") && changed.contains("openpyxl"),
            "{changed:?}"
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
