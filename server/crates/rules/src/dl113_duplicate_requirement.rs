//! DL113 duplicate-requirement.

use std::collections::HashMap;
use std::path::Path;

use crate::{Fixes, Rule};
use dash_lsp_analysis::diagnostic::Related;
use dash_lsp_analysis::project::App;
use dash_lsp_analysis::requirements::{self, Origin, Requirement};
use dash_lsp_analysis::{Diagnostic, FileEdit, Fix, Severity};

pub(crate) const RULE: Rule = Rule {
    code: "DL113",
    name: "duplicate-requirement",
    severity: Severity::Warning,
    doc: r#"The same distribution is listed twice in one requirements file (`Flask` and `flask`,
`scikit_learn` and `scikit-learn` are the same after PEP 503 normalisation); across the files
`requirements.txt` includes with `-r` (and the predeploy files), only when the two specifiers
conflict. Lines with environment markers (`; python_version < "3.9"`) are left alone: listing
a distribution once per platform is how markers are meant to be used. The message names the
other line.

**Why it matters on the server.** pip combines the two lines: when no version satisfies both
(`flask==2.0` and `flask==3.0`) it stops with `ResolutionImpossible` (then an error);
otherwise the second line in the same file is noise that drifts out of date.

**Fix.** In the same file, merge both into the first line, whose specifier is the
intersection (`numpy>=1.24.4` + `numpy<2.0.0` -> `numpy>=1.24.4,<2.0.0`): no bound is dropped.
None across files, when the specifiers conflict, or in a hash-checking file (`--hash=`).
"#,
    check,
    fixes: Fixes::Safe,
};

fn check(app: &App, out: &mut Vec<Diagnostic>) {
    let Some(reqs) = &app.requirements else {
        return;
    };
    let mut first: HashMap<&str, usize> = HashMap::new();
    for (i, (file, req)) in reqs.entries.iter().enumerate() {
        // pip cannot read the file at all (DL109): nothing here matters yet.
        if req.marker.is_some() || req.origin == Origin::Conda || reqs.unreadable.contains(file) {
            continue;
        }
        let Some(&j) = first.get(req.normalized.as_str()) else {
            first.insert(&req.normalized, i);
            continue;
        };
        let (first_file, earlier) = &reqs.entries[j];
        let conflict = !requirements::compatible(&earlier.specs, &req.specs);
        let same_file = first_file == file;
        // The predeploy command runs its own `pip install`: its pins never meet the build's
        // in one resolution.
        let separate_installs =
            reqs.predeploy.contains(file) != reqs.predeploy.contains(first_file);
        if !same_file && (!conflict || separate_installs) {
            continue;
        }
        let Some(text) = app.ws.text(file) else {
            continue;
        };
        let first_text = app.ws.text(first_file).unwrap_or("");
        let first_line = app
            .ws
            .source(first_file)
            .map_or(0, |s| s.line_index().line_of(earlier.line.start))
            + 1;
        let written = requirement_text(first_text, earlier);
        let place = if same_file {
            format!("line {first_line}")
        } else {
            format!("{} line {first_line}", first_file.display())
        };
        let message = if conflict {
            format!(
                "`{}` conflicts with `{written}` ({place}): no version satisfies both, pip stops with ResolutionImpossible",
                requirement_text(text, req)
            )
        } else {
            format!(
                "`{}` is listed twice (also `{written}` on {place}): merge them into one line",
                req.name
            )
        };
        let mut d = RULE
            .diagnostic(file, req.line.clone(), message)
            .with_related(Related {
                file: first_file.to_path_buf(),
                range: earlier.line.clone(),
                message: "first listed here".into(),
            });
        if conflict {
            d.severity = Severity::Error;
        } else if !reqs.hash_checking(file) {
            if let Some(fix) = merge(file, text, earlier, req) {
                d = d.with_fix(fix);
            }
        }
        out.push(d);
    }
}

/// The requirement as written on its first line, without a comment.
fn requirement_text<'t>(text: &'t str, req: &Requirement) -> &'t str {
    let line = &text[req.line.clone()];
    line.split(" #")
        .next()
        .unwrap_or(line)
        .split("\t#")
        .next()
        .unwrap_or(line)
        .trim()
}

/// Merges `later` into `earlier` (same file): the first line gets every specifier of both
/// (their intersection) and the union of extras; the later line is deleted. Only for plain
/// index requirements.
fn merge(file: &Path, text: &str, earlier: &Requirement, later: &Requirement) -> Option<Fix> {
    if earlier.origin != Origin::Index || later.origin != Origin::Index {
        return None;
    }
    let mut extras = earlier.extras.clone();
    for e in &later.extras {
        if !extras.contains(e) {
            extras.push(e.clone());
        }
    }
    let mut specs: Vec<String> = Vec::new();
    for (op, v) in earlier.specs.iter().chain(&later.specs) {
        let spec = format!("{op}{v}");
        if !specs.contains(&spec) {
            specs.push(spec);
        }
    }
    let extras = if extras.is_empty() {
        String::new()
    } else {
        format!("[{}]", extras.join(","))
    };
    let merged = format!("{}{extras}{}", earlier.name, specs.join(","));
    let written = requirement_text(text, earlier);
    let start = earlier.line.start + text[earlier.line.clone()].find(written)?;
    let mut edits = vec![crate::helpers::delete_line(
        file,
        text,
        later.logical.clone(),
    )];
    if merged != written {
        edits.insert(
            0,
            FileEdit::Replace {
                file: file.to_path_buf(),
                range: start..start + written.len(),
                new_text: merged.clone(),
            },
        );
    }
    Some(Fix::preferred(
        format!(
            "Merge into `{merged}` and delete the second `{}`",
            later.name
        ),
        edits,
    ))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use dash_lsp_analysis::Severity;

    #[test]
    fn later_line_is_reported_and_deleted() {
        let files = [(
            "requirements.txt",
            "Flask==3.0\ndash\nflask>=2  # again\ngunicorn\n",
        )];
        let ws = workspace(&files);
        let d = diagnostics(&ws, "DL113");
        assert_eq!(covered(&ws, &d[0]), "flask>=2  # again");
        assert_eq!(
            d[0].message,
            "`flask` is listed twice (also `Flask==3.0` on line 1): merge them into one line"
        );
        assert_eq!(d[0].severity, Severity::Warning);
        assert_eq!(covered_related(&ws, &d[0]), "Flask==3.0");
        let fixed = fix_round_trip(&files, "DL113", 0);
        assert_eq!(
            text(&fixed, "requirements.txt"),
            "Flask==3.0,>=2\ndash\ngunicorn\n"
        );
    }

    #[test]
    fn deletes_the_whole_logical_line() {
        // The later requirement continues on two more lines: all three go, none is orphaned.
        let files = [(
            "requirements.txt",
            "flask==3.0\nFlask \\\n    >=2 \\\n    # pinned\ngunicorn\n",
        )];
        let fixed = fix_round_trip(&files, "DL113", 0);
        assert_eq!(
            text(&fixed, "requirements.txt"),
            "flask==3.0,>=2\ngunicorn\n"
        );
    }

    #[test]
    fn merge_keeps_every_bound() {
        let files = [(
            "requirements.txt",
            "numpy>=1.24.4  # floor\r\npandas==1.5.1\r\nnumpy<2.0.0\r\n",
        )];
        let fixed = fix_round_trip(&files, "DL113", 0);
        assert_eq!(
            text(&fixed, "requirements.txt"),
            "numpy>=1.24.4,<2.0.0  # floor\r\npandas==1.5.1\r\n"
        );
        // Identical lines: the later one goes.
        let fixed = fix_round_trip(&[("requirements.txt", "dash\nDash\n")], "DL113", 0);
        assert_eq!(text(&fixed, "requirements.txt"), "dash\n");
    }

    #[test]
    fn conflict_in_one_file_is_an_error_without_fix() {
        let ws = workspace(&[("requirements.txt", "flask==2.0\nflask==3.0\n")]);
        let d = diagnostics(&ws, "DL113");
        assert_eq!(d[0].severity, Severity::Error);
        assert!(d[0].fixes.is_empty());
        assert_eq!(
            d[0].message,
            "`flask==3.0` conflicts with `flask==2.0` (line 1): no version satisfies both, pip stops with ResolutionImpossible"
        );
    }

    #[test]
    fn across_includes_only_when_conflicting() {
        let files = [
            (
                "requirements.txt",
                "-r base/requirements.txt\nscikit_learn\n",
            ),
            ("base/requirements.txt", "scikit-learn==1.5\n"),
        ];
        assert!(check_files(&files, "DL113").is_empty());
        let files = [
            (
                "requirements.txt",
                "-r base/requirements.txt\nscikit_learn<1.0\n",
            ),
            ("base/requirements.txt", "# base\nscikit-learn==1.5\n"),
        ];
        let ws = workspace(&files);
        let d = diagnostics(&ws, "DL113");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].file.to_str(), Some("requirements.txt"));
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(
            d[0].message,
            "`scikit_learn<1.0` conflicts with `scikit-learn==1.5` (base/requirements.txt line 2): no version satisfies both, pip stops with ResolutionImpossible"
        );
        assert!(d[0].fixes.is_empty());
    }

    #[test]
    fn predeploy_pins_are_a_separate_install() {
        let files = [
            ("requirements.txt", "dash==2.17.1\ngunicorn\n"),
            (
                "app.json",
                r#"{"scripts": {"dokku": {"predeploy": "pip install -r requirements-predeploy.txt"}}}"#,
            ),
            ("requirements-predeploy.txt", "dash==1.19.0\n"),
        ];
        assert!(check_files(&files, "DL113").is_empty());
    }

    #[test]
    fn markers_and_hash_files() {
        assert!(check_files(
            &[(
                "requirements.txt",
                "numpy<2; python_version<\"3.9\"\nnumpy>=2; python_version>=\"3.9\"\n"
            )],
            "DL113"
        )
        .is_empty());
        let d = check_files(
            &[(
                "requirements.txt",
                "six==1.16.0 \\\n    --hash=sha256:aa\nsix==1.16.0 \\\n    --hash=sha256:aa\n",
            )],
            "DL113",
        );
        assert_eq!(d.len(), 1);
        assert!(d[0].fixes.is_empty());
    }
}
