//! DL112 obsolete-requirement.

use super::Rule;
use crate::analysis::project::App;
use crate::analysis::{Diagnostic, FileEdit, Fix, Severity};

pub const RULE: Rule = Rule {
    code: "DL112",
    name: "obsolete-requirement",
    severity: Severity::Warning,
    doc: r#"`requirements.txt` lists `dash-core-components`, `dash-html-components`, `dash-table` or
`dash-renderer`. Silent when `dash` is pinned below 2.0.

**Why it matters on the server.** These packages were merged into `dash` in 2.0 (`from dash
import dcc, html, dash_table`). The old distributions are frozen stubs or old releases whose
pins fight the versions `dash` needs: at best a slower build, at worst a resolver conflict that
fails the deploy.

**Fix.** Delete the line.
"#,
    check,
};

const MERGED: &[&str] = &[
    "dash-core-components",
    "dash-html-components",
    "dash-table",
    "dash-renderer",
];

fn check(app: &App, out: &mut Vec<Diagnostic>) {
    let Some(reqs) = &app.requirements else {
        return;
    };
    if app.dash_pinned_below("2.0") {
        return;
    }
    for (file, req) in &reqs.entries {
        if !MERGED.contains(&req.normalized.as_str()) {
            continue;
        }
        let Some(text) = app.ws.text(file) else {
            continue;
        };
        out.push(
            RULE.diagnostic(
                file,
                req.line.clone(),
                format!(
                    "`{}` was merged into `dash` in 2.0: import it from `dash` and delete this line",
                    req.name
                ),
            )
            .with_fix(Fix::preferred(
                format!("Delete `{}`", req.name),
                vec![delete_line(file, text, req.line.clone())],
            )),
        );
    }
}

/// Deletes a whole line (content, its continuation lines and its line ending).
pub fn delete_line(file: &std::path::Path, text: &str, line: std::ops::Range<usize>) -> FileEdit {
    let start = text[..line.start].rfind('\n').map_or(0, |i| i + 1);
    let end = match text[line.end..].find('\n') {
        Some(i) => line.end + i + 1,
        // The last line without a final newline: take the line break before it instead.
        None => {
            return FileEdit::Replace {
                file: file.to_path_buf(),
                range: text[..start]
                    .strip_suffix("\r\n")
                    .or_else(|| text[..start].strip_suffix('\n'))
                    .map_or(start, str::len)..text.len(),
                new_text: String::new(),
            }
        }
    };
    FileEdit::Replace {
        file: file.to_path_buf(),
        range: start..end,
        new_text: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn merged_packages_are_deleted() {
        let files = [(
            "requirements.txt",
            "dash==2.17.1\r\ndash_core_components==2.0.0\r\ngunicorn\r\n",
        )];
        let ws = workspace(&files);
        let d = diagnostics(&ws, "DL112");
        assert_eq!(covered(&ws, &d[0]), "dash_core_components==2.0.0");
        assert_eq!(
            d[0].message,
            "`dash_core_components` was merged into `dash` in 2.0: import it from `dash` and delete this line"
        );
        let fixed = fix_round_trip(&files, "DL112", 0);
        assert_eq!(
            text(&fixed, "requirements.txt"),
            "dash==2.17.1\r\ngunicorn\r\n"
        );
        // The last line, without a final newline.
        let fixed = fix_round_trip(&[("requirements.txt", "dash\ndash-table")], "DL112", 0);
        assert_eq!(text(&fixed, "requirements.txt"), "dash");
    }

    #[test]
    fn silent_for_old_dash() {
        assert!(check_files(
            &[(
                "requirements.txt",
                "dash==1.21.0\ndash-html-components==1.1.4\n"
            )],
            "DL112"
        )
        .is_empty());
    }
}
